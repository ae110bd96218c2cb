//! `cargo xtask diff [OLD] [NEW]`: what a spec change does on the wire, for
//! whom, and to the generated crate (`openapi_contract::evolution`).

use std::io::IsTerminal;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use openapi_contract::checks::Spec;
use openapi_contract::evolution::{self, Bump, Level, Report};

use crate::codegen::DEFAULT_SPEC;
use crate::{root, take_value};

/// The spec file at a git revision.
pub fn at_revision(revision: &str, path: &str) -> Result<String, String> {
    let output = Command::new("git")
        .current_dir(root())
        .args(["show", &format!("{revision}:{path}")])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!("git show {revision}:{path}: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    String::from_utf8(output.stdout).map_err(|_| format!("{revision}:{path} is not UTF-8"))
}

/// A spec read leniently: the defects real specs often carry are repaired
/// and reported as warnings ([`Spec::lenient`]).
fn load(source: &str, text: String) -> Result<Spec, String> {
    Spec::lenient(source, text).map_err(|e| e.to_string())
}

/// A spec file on disk, read leniently; it may be the root of a tree.
fn load_file(path: &str, tree: &TreeOptions) -> Result<Spec, String> {
    if path.ends_with(".gz") {
        return load(path, read(path)?);
    }
    Spec::lenient_path(Path::new(path), tree).map_err(|e| e.to_string())
}

type TreeOptions = openapi_codegen::bundle::Options;

/// The spec at `relative` (from the repository's root) at a git revision.
/// A tree (a root file whose `$ref`s reach other files) is taken whole:
/// its folder at that revision is extracted under `target/diff-base`.
fn load_at(revision: &str, relative: &str, tree: &TreeOptions) -> Result<Spec, String> {
    let text = at_revision(revision, relative)?;
    let source = format!("{revision}:{relative}");
    let is_tree = openapi_codegen::parse_yaml(&text).is_ok_and(|raw| openapi_codegen::bundle::has_external_refs(&raw));
    if !is_tree {
        return load(&source, text);
    }
    let folder = Path::new(relative).parent().map(|p| p.to_string_lossy().into_owned()).filter(|p| !p.is_empty()).unwrap_or_else(|| ".".into());
    let out = root().join("target/diff-base").join(revision.replace(['/', ':', '~', '^'], "_"));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let archive = Command::new("git").current_dir(root()).args(["archive", "--format=tar", revision, "--", &folder]).output().map_err(|e| format!("cannot run git: {e}"))?;
    if !archive.status.success() {
        return Err(format!("git archive {revision} {folder}: {}", String::from_utf8_lossy(&archive.stderr).trim()));
    }
    let mut tar = Command::new("tar").current_dir(&out).args(["-xf", "-"]).stdin(std::process::Stdio::piped()).spawn().map_err(|e| format!("cannot run tar: {e}"))?;
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
pub fn read(path: &str) -> Result<String, String> {
    if path.ends_with(".gz") {
        use std::io::Read;
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(file).read_to_string(&mut text).map_err(|e| format!("cannot decompress {path}: {e}"))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// The two specs a command line names: `OLD NEW`, `--base REV [NEW]`, or
/// nothing (the committed default spec against the working tree's).
pub fn specs(args: &mut Vec<String>) -> Result<(Spec, Spec), String> {
    // `--allow-outside`, `--map`: how trees are read.
    let tree = crate::tree_options(args)?;
    let base = take_value(args, "--base")?;
    let files: Vec<String> = args.iter().filter(|a| !a.starts_with("--")).cloned().collect();
    args.retain(|a| a.starts_with("--"));
    let default = root().join(DEFAULT_SPEC).display().to_string();
    match (base, files.as_slice()) {
        (None, [old, new]) => Ok((load_file(old, &tree)?, load_file(new, &tree)?)),
        (Some(revision), []) => Ok((load_at(&revision, DEFAULT_SPEC, &tree)?, load_file(&default, &tree)?)),
        (Some(revision), [new]) => {
            let relative = Path::new(new).strip_prefix(root()).unwrap_or(Path::new(new)).display().to_string();
            Ok((load_at(&revision, &relative, &tree)?, load_file(new, &tree)?))
        }
        (None, []) => Ok((load_at("HEAD", DEFAULT_SPEC, &tree)?, load_file(&default, &tree)?)),
        _ => Err("diff takes OLD NEW, or --base REV [NEW], or nothing".into()),
    }
}

/// Whether the report should fail a run that asked `--fail-on what`.
pub fn fails(report: &Report, what: &str) -> Result<bool, String> {
    Ok(match what {
        "breaking" => report.count(Level::Breaking) > 0,
        "warning" => report.count(Level::Breaking) + report.count(Level::Warning) > 0,
        "major" => report.verdict() >= Bump::Major,
        "minor" => report.verdict() >= Bump::Minor,
        other => return Err(format!("--fail-on `{other}`: expected breaking, warning, major or minor")),
    })
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut args = args.to_vec();
    let format = take_value(&mut args, "--format")?.unwrap_or_else(|| "text".into());
    let out = take_value(&mut args, "--out")?;
    let fail_on = take_value(&mut args, "--fail-on")?;
    let unless_announced = crate::take_flag(&mut args, "--unless-announced");
    let with_types = crate::take_flag(&mut args, "--types");
    let fixtures = take_value(&mut args, "--fixtures")?;
    let started = Instant::now();
    let base = args.iter().position(|a| a == "--base").and_then(|i| args.get(i + 1)).cloned();
    if let Some(revision) = &base
        && at_revision(revision, DEFAULT_SPEC).is_err()
        && !args.iter().any(|a| !a.starts_with("--") && Some(a) != base.as_ref())
    {
        println!("diff: no {DEFAULT_SPEC} at {revision}: nothing to compare");
        return Ok(ExitCode::SUCCESS);
    }
    let (mut old, mut new) = specs(&mut args)?;
    if let Some(extra) = args.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    let loaded = started.elapsed();
    let mut report = evolution::compare(&mut old, &mut new)?;
    if let Some(file) = &fixtures {
        let value: serde_json::Value = serde_json::from_str(&read(file)?).map_err(|e| format!("{file}: {e}"))?;
        evolution::fixtures_evidence(&mut new, &value, file, &mut report);
    }
    if with_types {
        // The new spec's crate, generated and built, reads the old examples.
        let dir = root().join("target/diff");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join("new-spec.yaml");
        std::fs::write(&path, &new.doc.text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let mut types = crate::contract::runner(&path, false)?;
        evolution::read_by_types(&old, &new, &mut types, &mut report);
    }
    let text = match format.as_str() {
        "text" => report.text(out.is_none() && std::io::stdout().is_terminal()),
        "markdown" => report.markdown(),
        "json" => serde_json::to_string_pretty(&report.json()).map_err(|e| e.to_string())? + "\n",
        "junit" => report.junit(),
        other => return Err(format!("--format `{other}`: expected text, markdown, json or junit")),
    };
    match &out {
        Some(path) => std::fs::write(path, &text).map_err(|e| format!("cannot write {path}: {e}"))?,
        None => print!("{text}"),
    }
    eprintln!("diff: loaded in {loaded:.1?}, compared in {:.1?}", started.elapsed() - loaded);
    let failed = match &fail_on {
        Some(what) => fails(&report, what)?,
        None => false,
    };
    // A maintainer announces a breaking change by changing `info.version`.
    let announced = report.versions.0 != report.versions.1;
    if failed && unless_announced && announced {
        eprintln!("diff: {} (announced: info.version {} -> {})", report.summary(), report.versions.0, report.versions.1);
        return Ok(ExitCode::SUCCESS);
    }
    if failed {
        eprintln!("diff: --fail-on {}: {}", fail_on.as_deref().unwrap_or_default(), report.summary());
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// `cargo xtask bench-diff`: the diff of Stripe's spec at two API versions
/// against the time to load both, in the same run.
pub fn bench(args: &[String]) -> Result<ExitCode, String> {
    let mut args = args.to_vec();
    let runs: usize = take_value(&mut args, "--runs")?.map_or(Ok(5), |v| v.parse().map_err(|_| "--runs needs a number"))?;
    let old_path = take_value(&mut args, "--old")?.unwrap_or_else(|| root().join("spec/stripe/spec3.2022-11-15.yaml.gz").display().to_string());
    let new_path = take_value(&mut args, "--new")?.unwrap_or_else(|| root().join("spec/stripe/spec3.yaml").display().to_string());
    let (old_text, new_text) = (read(&old_path)?, read(&new_path)?);
    let (mut loads, mut compares) = (Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let mut old = load(&old_path, old_text.clone())?;
        let mut new = load(&new_path, new_text.clone())?;
        let loaded = started.elapsed();
        let started = Instant::now();
        let report = evolution::compare(&mut old, &mut new)?;
        compares.push(started.elapsed());
        loads.push(loaded);
        last = Some(report);
    }
    let median = |v: &mut Vec<std::time::Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (load, compare) = (median(&mut loads), median(&mut compares));
    let report = last.ok_or("no run")?;
    println!("bench-diff: {old_path} -> {new_path}, median of {} runs", runs.max(1));
    println!("  load both (parse, validate, index): {load:>10.1?}  1.00x");
    println!("  compare (wire, both IRs, examples): {compare:>10.1?}  {:.2}x of load", compare.as_secs_f64() / load.as_secs_f64());
    println!("  findings: {} breaking, {} warning, {} info; {} generated-API changes; semver {}", report.count(Level::Breaking), report.count(Level::Warning), report.count(Level::Info), report.rust.len(), report.verdict().as_str());
    Ok(ExitCode::SUCCESS)
}

/// The report of the default spec's change since `HEAD`, when it changed
/// (`None` outside a git checkout, or when it did not change).
pub fn since_head() -> Option<Report> {
    let committed = at_revision("HEAD", DEFAULT_SPEC).ok()?;
    let current = read(&root().join(DEFAULT_SPEC).display().to_string()).ok()?;
    if committed == current {
        return None;
    }
    let mut old = load(&format!("HEAD:{DEFAULT_SPEC}"), committed).ok()?;
    let mut new = load(DEFAULT_SPEC, current).ok()?;
    evolution::compare(&mut old, &mut new).ok()
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

/// Sets the `version` of the package in a Cargo.toml to what `bump` needs;
/// answers the old and the new version.
pub fn apply_bump(manifest: &Path, bump: Bump) -> Result<(String, String), String> {
    let text = std::fs::read_to_string(manifest).map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let line = text.lines().find(|l| l.starts_with("version = \"")).ok_or_else(|| format!("{}: no `version = \"...\"` line", manifest.display()))?;
    let old = line.trim_start_matches("version = \"").trim_end_matches('"').to_owned();
    let new = bumped(&old, bump)?;
    let updated = text.replacen(line, &format!("version = \"{new}\""), 1);
    std::fs::write(manifest, updated).map_err(|e| format!("cannot write {}: {e}", manifest.display()))?;
    Ok((old, new))
}

#[cfg(test)]
mod tests {
    use super::{Bump, bumped, fails};
    use openapi_contract::evolution::{Finding, Level, Party, Report, RustChange};

    #[test]
    fn fail_on_sets_the_exit_code_by_level_and_bump() {
        let mut report = Report::default();
        for what in ["breaking", "warning", "major", "minor"] {
            assert!(!fails(&report, what).unwrap(), "{what} on an empty report");
        }
        report.findings.push(Finding { id: "api-removed-without-deprecation".into(), level: Level::Breaking, parties: vec![Party::Clients], old: None, new: None, message: String::new() });
        report.rust.push(RustChange { bump: Bump::Minor, item: "client::Client::x".into(), message: String::new() });
        assert!(fails(&report, "breaking").unwrap() && fails(&report, "warning").unwrap() && fails(&report, "minor").unwrap());
        assert!(!fails(&report, "major").unwrap());
        assert!(fails(&report, "severe").is_err());
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
