//! `codegen`: a spec into Rust, written or checked against what is on disk.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use openapi_codegen::Generator;

/// One output file: where it goes and what it should contain.
pub struct Output {
    /// Where it goes.
    pub path: PathBuf,
    /// What it holds.
    pub contents: String,
}

/// Where the generated code goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A standalone crate at this folder (`Cargo.toml`, `src/lib.rs`,
    /// `src/<module>.rs`).
    Crate(PathBuf),
    /// The modules alone, into this folder (a crate of one's own around
    /// them, as this repository's `generated/src`).
    Modules(PathBuf),
}

/// What `codegen` is asked to do.
pub struct Request {
    /// The spec (the root file of a tree, or one file).
    pub spec: PathBuf,
    /// Where the code goes.
    pub destination: Destination,
    /// The crate name of a standalone crate (default: its folder's name).
    pub name: Option<String>,
    /// Only the operations whose path matches one of these globs.
    pub paths: Vec<String>,
    /// Past this depth, an expandable field keeps only its ID.
    pub expand_depth: Option<usize>,
    /// The command the generated headers say regenerates them.
    pub command: String,
    /// Print what was generated.
    pub verbose: bool,
    /// How a spec split across files is read.
    pub tree: openapi_codegen::bundle::Options,
}

impl Request {
    /// Generation from `spec` into a standalone crate `name` at `out`,
    /// its headers naming `command`.
    pub fn standalone(spec: &Path, out: &Path, name: &str, command: String, verbose: bool) -> Request {
        Request {
            spec: spec.to_owned(),
            destination: Destination::Crate(out.to_owned()),
            name: Some(name.to_owned()),
            paths: Vec::new(),
            expand_depth: None,
            command,
            verbose,
            tree: Default::default(),
        }
    }

    /// Generates every output file in memory.
    pub fn generate(&self) -> Result<Vec<Output>, String> {
        self.generate_shown(&crate::progress::Progress::none())
    }

    /// [`Request::generate`], each phase shown by `progress`.
    fn generate_shown(&self, progress: &crate::progress::Progress) -> Result<Vec<Output>, String> {
        progress.set(&format!("reading {}", self.spec.display()));
        let generator = Generator::new()
            .with_paths(self.paths.clone())
            .with_expand_depth(self.expand_depth)
            .with_command(&self.command);
        let started = Instant::now();
        let doc = openapi_codegen::Document::from_path_with(&self.spec, &self.tree).map_err(|e| e.to_string())?;
        let loaded = started.elapsed();
        progress.set(&format!("building the model of {} operations", doc.operations().len()));
        let api = generator.build(&doc).map_err(|e| e.to_string())?;
        let built = started.elapsed();
        progress.set(&format!("writing {} types and {} operations as Rust", api.types.len(), api.operations.len()));
        let files = match &self.destination {
            Destination::Modules(dir) => generator
                .modules(&api)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|(name, contents)| Output { path: dir.join(name), contents })
                .collect(),
            Destination::Crate(out) => {
                let name = self.name.clone().unwrap_or_else(|| crate_name_of(out));
                generator
                    .standalone_crate(&api, &name)
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .map(|(rel, contents)| Output { path: out.join(rel), contents })
                    .collect()
            }
        };
        let emitted = started.elapsed();
        let schemas = doc.api.components.as_ref().map_or(0, |c| c.schemas.len());
        if self.verbose {
            println!(
                "codegen: {} operations, {} types ({} of {} component schemas)",
                api.operations.len(),
                api.types.len(),
                api.component_types().count(),
                schemas
            );
        }
        if std::env::var_os("CODEGEN_TIMINGS").is_some() {
            eprintln!("load {loaded:.1?}, build {:.1?}, emit {:.1?}", built - loaded, emitted - built);
        }
        Ok(files)
    }

    /// Generates, then checks the files on disk against the result
    /// (`check`: each stale file's diff printed, exit 1 when any is) or
    /// writes the ones that changed. Paths are shown relative to `base`.
    pub fn execute(&self, check: bool, base: &Path) -> Result<ExitCode, String> {
        let started = Instant::now();
        let progress = crate::progress::Progress::start(&format!("generating from {}", self.spec.display()));
        let outputs = self.generate_shown(&progress)?;
        drop(progress);
        let elapsed = started.elapsed();
        if check {
            let diffs = stale(&outputs, base);
            if diffs.is_empty() {
                println!("codegen --check: {} files up to date ({:.1?})", outputs.len(), elapsed);
                return Ok(ExitCode::SUCCESS);
            }
            for d in &diffs {
                print!("{d}");
            }
            eprintln!("\n{} generated file(s) are stale. Run `{}` and commit the result.", diffs.len(), self.command);
            return Ok(ExitCode::FAILURE);
        }
        let written = write(&outputs)?;
        for o in &written {
            println!("wrote {} ({} bytes)", o.path.display(), o.contents.len());
        }
        println!("codegen: {} of {} files changed, generated in {:.1?}", written.len(), outputs.len(), elapsed);
        Ok(ExitCode::SUCCESS)
    }
}

/// A crate name made of a folder's name (`my_api` → `my-api`).
pub fn crate_name_of(dir: &Path) -> String {
    let base = dir.file_name().and_then(|n| n.to_str()).unwrap_or("generated");
    let name: String = base.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) { name } else { format!("api-{name}") }
}

/// Files whose contents differ from `outputs`, with a diff of each (paths
/// shown relative to `base`).
pub fn stale(outputs: &[Output], base: &Path) -> Vec<String> {
    outputs
        .iter()
        .filter_map(|o| {
            let current = std::fs::read_to_string(&o.path).unwrap_or_default().replace("\r\n", "\n");
            let shown = o.path.strip_prefix(base).unwrap_or(&o.path).display().to_string();
            crate::textdiff::unified(&shown, &current, &o.contents)
        })
        .collect()
}

/// Writes the files whose bytes changed; returns the ones written.
pub fn write(outputs: &[Output]) -> Result<Vec<&Output>, String> {
    let mut written = Vec::new();
    for o in outputs {
        if std::fs::read(&o.path).ok().as_deref() == Some(o.contents.as_bytes()) {
            continue;
        }
        if let Some(dir) = o.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(&o.path, &o.contents).map_err(|e| format!("cannot write {}: {e}", o.path.display()))?;
        written.push(o);
    }
    Ok(written)
}
