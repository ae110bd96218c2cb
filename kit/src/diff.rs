//! `diff`: what a spec change does on the wire, for whom, and to the
//! generated crate (`openapi_contract::evolution`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use openapi_contract::checks::Spec;
use openapi_contract::evolution::{self, Bump, Level, Report};

/// How a spec split across files is read.
pub type TreeOptions = openapi_codegen::bundle::Options;

/// The file at `path` (relative to the repository's root) at a git
/// revision of the repository at `repo`.
pub fn at_revision(repo: &Path, revision: &str, path: &str) -> Result<String, String> {
    let output = Command::new("git")
        .current_dir(repo)
        .args(["show", &format!("{revision}:{path}")])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!("git show {revision}:{path}: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    String::from_utf8(output.stdout).map_err(|_| format!("{revision}:{path} is not UTF-8"))
}

/// The root of the git repository that holds `path`, and `path` relative
/// to it (with `/` separators, as git names files).
pub fn in_repository(path: &Path) -> Result<(PathBuf, String), String> {
    let absolute = std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = absolute.parent().unwrap_or(Path::new("/"));
    let output = Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!("{} is not in a git repository", path.display()));
    }
    let top = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let top = top.canonicalize().unwrap_or(top);
    let file = absolute.canonicalize().unwrap_or(absolute);
    let relative = file.strip_prefix(&top).map_err(|_| format!("{} is outside {}", file.display(), top.display()))?;
    Ok((top, relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")))
}

/// A spec read leniently: the defects real specs often carry are repaired
/// and reported as warnings ([`Spec::lenient`]).
pub fn load(source: &str, text: String) -> Result<Spec, String> {
    Spec::lenient(source, text).map_err(|e| e.to_string())
}

/// A spec file on disk, read leniently; it may be the root of a tree, or
/// gzipped (`.gz`).
pub fn load_file(path: &Path, tree: &TreeOptions) -> Result<Spec, String> {
    if path.extension().is_some_and(|e| e == "gz") {
        return load(&path.display().to_string(), read(path)?);
    }
    Spec::lenient_path(path, tree).map_err(|e| e.to_string())
}

/// The spec at `relative` (from the root of the repository at `repo`) at a
/// git revision. A tree (a root file whose `$ref`s reach other files) is
/// taken whole: its folder at that revision is extracted under `scratch`.
pub fn load_at(repo: &Path, revision: &str, relative: &str, tree: &TreeOptions, scratch: &Path) -> Result<Spec, String> {
    let text = at_revision(repo, revision, relative)?;
    let source = format!("{revision}:{relative}");
    let is_tree = openapi_codegen::parse_yaml(&text).is_ok_and(|raw| openapi_codegen::bundle::has_external_refs(&raw));
    if !is_tree {
        return load(&source, text);
    }
    let folder = Path::new(relative).parent().map(|p| p.to_string_lossy().into_owned()).filter(|p| !p.is_empty()).unwrap_or_else(|| ".".into());
    let out = scratch.join(revision.replace(['/', ':', '~', '^'], "_"));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let archive = Command::new("git")
        .current_dir(repo)
        .args(["archive", "--format=tar", revision, "--", &folder])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !archive.status.success() {
        return Err(format!("git archive {revision} {folder}: {}", String::from_utf8_lossy(&archive.stderr).trim()));
    }
    let mut tar = Command::new("tar")
        .current_dir(&out)
        .args(["-xf", "-"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    {
        use std::io::Write;
        tar.stdin.take().ok_or("no stdin for tar")?.write_all(&archive.stdout).map_err(|e| e.to_string())?;
    }
    if !tar.wait().map_err(|e| e.to_string())?.success() {
        return Err(format!("cannot extract {folder} at {revision}"));
    }
    let mut spec = Spec::lenient_path(&out.join(relative), tree).map_err(|e| e.to_string())?;
    spec.doc.source = source;
    Ok(spec)
}

/// A spec file's text; a `.gz` file is decompressed.
pub fn read(path: &Path) -> Result<String, String> {
    let shown = path.display();
    if path.extension().is_some_and(|e| e == "gz") {
        use std::io::Read;
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(file).read_to_string(&mut text).map_err(|e| format!("cannot decompress {shown}: {e}"))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))
}

/// What a diff fails on (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// A breaking wire change.
    Breaking,
    /// A breaking change or a warning.
    Warning,
    /// A major bump of the generated crate.
    Major,
    /// A minor bump or more.
    Minor,
}

impl std::str::FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<FailOn, String> {
        Ok(match s {
            "breaking" => FailOn::Breaking,
            "warning" => FailOn::Warning,
            "major" => FailOn::Major,
            "minor" => FailOn::Minor,
            other => return Err(format!("--fail-on `{other}`: expected breaking, warning, major or minor")),
        })
    }
}

/// Whether the report fails a run that asked `--fail-on what`.
pub fn fails(report: &Report, what: FailOn) -> bool {
    match what {
        FailOn::Breaking => report.count(Level::Breaking) > 0,
        FailOn::Warning => report.count(Level::Breaking) + report.count(Level::Warning) > 0,
        FailOn::Major => report.verdict() >= Bump::Major,
        FailOn::Minor => report.verdict() >= Bump::Minor,
    }
}

/// The report's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text (coloured on a terminal).
    Text,
    /// Markdown, for a pull request comment.
    Markdown,
    /// JSON.
    Json,
    /// JUnit XML.
    Junit,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        Ok(match s {
            "text" => Format::Text,
            "markdown" => Format::Markdown,
            "json" => Format::Json,
            "junit" => Format::Junit,
            other => return Err(format!("--format `{other}`: expected text, markdown, json or junit")),
        })
    }
}

/// How a diff is reported and judged.
pub struct Settings {
    /// The report's format.
    pub format: Format,
    /// Where to write it (standard output when `None`).
    pub out: Option<PathBuf>,
    /// What makes the run fail (exit 1).
    pub fail_on: Option<FailOn>,
    /// ... unless `info.version` changed (a breaking change announced).
    pub unless_announced: bool,
    /// A fixtures file whose objects the new spec must accept.
    pub fixtures: Option<PathBuf>,
    /// Where to build the new spec's crate to read the old examples with
    /// its types (`--types`), with the lock file to build it with.
    pub types: Option<(PathBuf, Option<PathBuf>)>,
}

/// Compares `old` with `new`, writes the report, and answers the exit code
/// the settings ask for.
pub fn execute(mut old: Spec, mut new: Spec, settings: &Settings) -> Result<ExitCode, String> {
    let started = Instant::now();
    let progress = crate::progress::Progress::start(&format!("comparing {} with {}", old.doc.source, new.doc.source));
    let mut report = evolution::compare(&mut old, &mut new)?;
    if let Some(file) = &settings.fixtures {
        let value: serde_json::Value = serde_json::from_str(&read(file)?).map_err(|e| format!("{}: {e}", file.display()))?;
        evolution::fixtures_evidence(&mut new, &value, &file.display().to_string(), &mut report);
    }
    if let Some((work, lockfile)) = &settings.types {
        // The new spec's crate, generated and built, reads the old examples.
        std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
        let path = work.join("new-spec.yaml");
        std::fs::write(&path, &new.doc.text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        progress.set("building the new spec's types to read the old examples");
        let mut types = crate::contract::runner(&crate::contract::TypesCrate::Generate(path), work, lockfile.as_deref(), &progress)?;
        evolution::read_by_types(&old, &new, &mut types, &mut report);
    }
    drop(progress);
    let text = match settings.format {
        Format::Text => report.text(settings.out.is_none() && std::io::stdout().is_terminal()),
        Format::Markdown => report.markdown(),
        Format::Json => serde_json::to_string_pretty(&report.json()).map_err(|e| e.to_string())? + "\n",
        Format::Junit => report.junit(),
    };
    match &settings.out {
        Some(path) => std::fs::write(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => print!("{text}"),
    }
    eprintln!("diff: compared in {:.1?}", started.elapsed());
    let failed = settings.fail_on.is_some_and(|what| fails(&report, what));
    // A maintainer announces a breaking change by changing `info.version`.
    let announced = report.versions.0 != report.versions.1;
    if failed && settings.unless_announced && announced {
        eprintln!("diff: {} (announced: info.version {} -> {})", report.summary(), report.versions.0, report.versions.1);
        return Ok(ExitCode::SUCCESS);
    }
    if failed {
        eprintln!("diff: {}", report.summary());
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// `version` after a change that needs `bump`, as Cargo reads semver: below
/// 1.0 the minor number is the "major" one.
pub fn bumped(version: &str, bump: Bump) -> Result<String, String> {
    let parts: Vec<u64> = version.split('.').map(|p| p.parse::<u64>()).collect::<Result<_, _>>().map_err(|_| format!("`{version}` is not a plain x.y.z version"))?;
    let [major, minor, patch] = parts[..] else { return Err(format!("`{version}` is not x.y.z")) };
    Ok(match (bump, major) {
        (Bump::None, _) => version.to_owned(),
        (Bump::Major, 0) => format!("0.{}.0", minor + 1),
        (Bump::Major, _) => format!("{}.0.0", major + 1),
        (Bump::Minor, 0) | (Bump::Patch, _) => format!("{major}.{minor}.{}", patch + 1),
        (Bump::Minor, _) => format!("{major}.{}.0", minor + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::{Bump, FailOn, bumped, fails};
    use openapi_contract::evolution::{Finding, Level, Party, Report, RustChange};

    #[test]
    fn fail_on_sets_the_exit_code_by_level_and_bump() {
        let all = [FailOn::Breaking, FailOn::Warning, FailOn::Major, FailOn::Minor];
        let mut report = Report::default();
        for what in all {
            assert!(!fails(&report, what), "{what:?} on an empty report");
        }
        report.findings.push(Finding { id: "api-removed-without-deprecation".into(), level: Level::Breaking, parties: vec![Party::Clients], old: None, new: None, message: String::new() });
        report.rust.push(RustChange { bump: Bump::Minor, item: "client::Client::x".into(), message: String::new() });
        assert!(fails(&report, FailOn::Breaking) && fails(&report, FailOn::Warning) && fails(&report, FailOn::Minor));
        assert!(!fails(&report, FailOn::Major));
        assert!("severe".parse::<FailOn>().is_err());
    }

    #[test]
    fn versions_bump_as_cargo_reads_semver() {
        assert_eq!(bumped("0.1.0", Bump::Major).unwrap(), "0.2.0");
        assert_eq!(bumped("0.1.0", Bump::Minor).unwrap(), "0.1.1");
        assert_eq!(bumped("0.1.3", Bump::Patch).unwrap(), "0.1.4");
        assert_eq!(bumped("1.4.2", Bump::Major).unwrap(), "2.0.0");
        assert_eq!(bumped("1.4.2", Bump::Minor).unwrap(), "1.5.0");
        assert_eq!(bumped("1.4.2", Bump::None).unwrap(), "1.4.2");
        assert!(bumped("1.4", Bump::Major).is_err());
    }
}
