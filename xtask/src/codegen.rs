//! `cargo xtask codegen`: regenerate, or check that the committed output
//! is what the generator makes now.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use openapi_codegen::Generator;

use crate::{diff, root, take_flag, take_value};

/// The spec the project is generated from, relative to the root.
pub const DEFAULT_SPEC: &str = "spec/checkout_sessions.yaml";
/// Where its modules go, relative to the root.
pub const DEFAULT_OUT: &str = "generated/src";

/// One output file: where it goes and what it should contain.
pub struct Output {
    pub path: PathBuf,
    pub contents: String,
}

/// What `codegen` was asked to do.
pub struct Request {
    pub spec: PathBuf,
    /// `None`: the project's own `generated/src` (modules only).
    pub out: Option<PathBuf>,
    pub name: Option<String>,
    pub paths: Vec<String>,
    pub expand_depth: Option<usize>,
    pub command: String,
    /// Print what was generated.
    pub verbose: bool,
    /// How a spec split across files is read (`--allow-outside`).
    pub tree: openapi_codegen::bundle::Options,
}

impl Request {
    /// Generation from `spec` into a standalone crate `name` at `out`,
    /// its headers naming `command`.
    pub fn standalone(spec: &Path, out: &Path, name: &str, command: String, verbose: bool) -> Request {
        Request {
            spec: spec.to_owned(),
            out: Some(out.to_owned()),
            name: Some(name.to_owned()),
            paths: Vec::new(),
            expand_depth: None,
            command,
            verbose,
            tree: Default::default(),
        }
    }

    fn parse(mut args: Vec<String>) -> Result<(Request, bool), String> {
        let check = take_flag(&mut args, "--check");
        let spec = take_value(&mut args, "--spec")?;
        let out = take_value(&mut args, "--out")?;
        let name = take_value(&mut args, "--name")?;
        let paths = take_value(&mut args, "--paths")?;
        let depth = take_value(&mut args, "--expand-depth")?;
        let tree = crate::tree_options(&mut args)?;
        if let Some(extra) = args.first() {
            return Err(format!("unexpected argument `{extra}`"));
        }
        if spec.is_some() != out.is_some() {
            return Err("--spec and --out go together (the default spec generates into generated/src)".into());
        }
        let expand_depth = depth
            .as_deref()
            .map(|d| d.parse::<usize>().map_err(|_| format!("--expand-depth needs a number, not `{d}`")))
            .transpose()?;
        // The header names the command that regenerates the output.
        let mut command = String::from("cargo xtask codegen");
        for (flag, value) in [("--spec", &spec), ("--out", &out), ("--name", &name), ("--paths", &paths), ("--expand-depth", &depth)] {
            if let Some(value) = value {
                command.push_str(&format!(" {flag} {value}"));
            }
        }
        if tree.allow_outside {
            command.push_str(" --allow-outside");
        }
        for (prefix, folder) in &tree.mappings {
            command.push_str(&format!(" --map {prefix}={}", folder.display()));
        }
        let request = Request {
            spec: spec.map(PathBuf::from).unwrap_or_else(|| root().join(DEFAULT_SPEC)),
            out: out.map(PathBuf::from),
            name,
            paths: paths.map(|p| p.split(',').map(str::to_owned).collect()).unwrap_or_default(),
            expand_depth,
            command,
            verbose: true,
            tree,
        };
        Ok((request, check))
    }

    /// Generates every output file in memory.
    pub fn generate(&self) -> Result<Vec<Output>, String> {
        let generator = Generator::new()
            .with_paths(self.paths.clone())
            .with_expand_depth(self.expand_depth)
            .with_command(&self.command);
        let started = Instant::now();
        let doc = openapi_codegen::Document::from_path_with(&self.spec, &self.tree).map_err(|e| e.to_string())?;
        let loaded = started.elapsed();
        let api = generator.build(&doc).map_err(|e| e.to_string())?;
        let built = started.elapsed();
        let files = match &self.out {
            None => generator
                .modules(&api)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|(name, contents)| Output { path: root().join(DEFAULT_OUT).join(name), contents })
                .collect(),
            Some(out) => {
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
}

fn crate_name_of(dir: &Path) -> String {
    let base = dir.file_name().and_then(|n| n.to_str()).unwrap_or("generated");
    let name: String = base.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) { name } else { format!("api-{name}") }
}

/// Files whose contents differ from `outputs`, with a diff of each.
pub fn stale(outputs: &[Output]) -> Vec<String> {
    outputs
        .iter()
        .filter_map(|o| {
            let current = std::fs::read_to_string(&o.path).unwrap_or_default().replace("\r\n", "\n");
            let shown = o.path.strip_prefix(root()).unwrap_or(&o.path).display().to_string();
            diff::unified(&shown, &current, &o.contents)
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

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut args = args.to_vec();
    let bump = take_flag(&mut args, "--bump");
    let (request, check) = Request::parse(args)?;
    let started = Instant::now();
    let outputs = request.generate()?;
    let elapsed = started.elapsed();
    if check {
        let diffs = stale(&outputs);
        if diffs.is_empty() {
            println!("codegen --check: {} files up to date ({:.1?})", outputs.len(), elapsed);
            return Ok(ExitCode::SUCCESS);
        }
        for d in &diffs {
            print!("{d}");
        }
        eprintln!("\n{} generated file(s) are stale. Run `{}` and commit the result.", diffs.len(), request.command);
        return Ok(ExitCode::FAILURE);
    }
    let written = write(&outputs)?;
    for o in &written {
        println!("wrote {} ({} bytes)", o.path.display(), o.contents.len());
    }
    println!(
        "codegen: {} of {} files changed, generated in {:.1?}",
        written.len(),
        outputs.len(),
        elapsed
    );
    // The default spec changed since the last commit: say what that does.
    if request.out.is_none()
        && let Some(report) = crate::spec_diff::since_head()
    {
        println!("\nspec change since HEAD: {}.\nDetails: `cargo xtask diff`.", report.summary());
        let manifest = root().join("generated/Cargo.toml");
        if bump {
            let (old, new) = crate::spec_diff::apply_bump(&manifest, report.verdict())?;
            println!("--bump: generated/Cargo.toml version {old} -> {new}");
        } else if report.verdict() > openapi_contract::evolution::Bump::None {
            println!("The crate's version in generated/Cargo.toml is unchanged: `cargo xtask codegen --bump` sets it.");
        }
    } else if bump {
        println!("--bump: the spec did not change since HEAD; the version stays");
    }
    Ok(ExitCode::SUCCESS)
}
