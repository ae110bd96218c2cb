//! `cargo xtask diff [OLD] [NEW]`: what a spec change does on the wire, for
//! whom, and to the generated crate: `openapi_kit::diff` (the `openapi-kit
//! diff` command), with this repository's defaults (the committed spec
//! against the working tree's), and the chores around it (`bench-diff`,
//! the `--bump` of `codegen`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use openapi_contract::checks::Spec;
use openapi_contract::evolution::{self, Bump, Level, Report};

use crate::codegen::DEFAULT_SPEC;
use openapi_kit::cli::{ReportArgs, TreeArgs};

use crate::root;

use openapi_kit::diff::{TreeOptions, load, read};

/// The spec file at a git revision of this repository.
pub fn at_revision(revision: &str, path: &str) -> Result<String, String> {
    openapi_kit::diff::at_revision(&root(), revision, path)
}

fn load_file(path: &Path, tree: &TreeOptions) -> Result<Spec, String> {
    openapi_kit::diff::load_file(path, tree)
}

/// The spec at `relative` (from the repository's root) at a git revision
/// (a tree's folder extracted under `target/diff-base`).
fn load_at(revision: &str, relative: &str, tree: &TreeOptions) -> Result<Spec, String> {
    openapi_kit::diff::load_at(&root(), revision, relative, tree, &root().join("target/diff-base"))
}

/// `cargo xtask diff`: `openapi-kit diff`'s flags, with this repository's
/// defaults.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// OLD NEW: two spec files; with --base, NEW alone (default: the
    /// project's spec); nothing: HEAD's spec against the working tree's.
    #[arg(value_name = "SPEC", num_args = 0..=2)]
    specs: Vec<PathBuf>,
    /// The spec at a git revision as OLD.
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    #[command(flatten)]
    report: ReportArgs,
    /// Also read the old examples with the types generated from the new
    /// spec (builds them under target/diff).
    #[arg(long)]
    types: bool,
    #[command(flatten)]
    tree: TreeArgs,
}

/// The two specs a command line names: `OLD NEW`, `--base REV [NEW]`, or
/// nothing (the committed default spec against the working tree's).
fn specs(base: Option<&str>, files: &[PathBuf], tree: &TreeOptions) -> Result<(Spec, Spec), String> {
    let default = root().join(DEFAULT_SPEC);
    match (base, files) {
        (None, [old, new]) => Ok((load_file(old, tree)?, load_file(new, tree)?)),
        (Some(revision), []) => Ok((load_at(revision, DEFAULT_SPEC, tree)?, load_file(&default, tree)?)),
        (Some(revision), [new]) => {
            let relative = new.strip_prefix(root()).unwrap_or(new).display().to_string();
            Ok((load_at(revision, &relative, tree)?, load_file(new, tree)?))
        }
        (None, []) => Ok((load_at("HEAD", DEFAULT_SPEC, tree)?, load_file(&default, tree)?)),
        _ => Err("diff takes OLD NEW, or --base REV [NEW], or nothing".into()),
    }
}

pub fn run(args: Args) -> Result<ExitCode, String> {
    let started = Instant::now();
    if let Some(revision) = &args.base
        && args.specs.is_empty()
        && at_revision(revision, DEFAULT_SPEC).is_err()
    {
        println!("diff: no {DEFAULT_SPEC} at {revision}: nothing to compare");
        return Ok(ExitCode::SUCCESS);
    }
    let (old, new) = specs(args.base.as_deref(), &args.specs, &args.tree.options())?;
    eprintln!("diff: loaded in {:.1?}", started.elapsed());
    let types = args.types.then(|| (root().join("target/diff"), Some(root().join("Cargo.lock"))));
    openapi_kit::diff::execute(old, new, &args.report.settings(types))
}

/// `cargo xtask bench-diff`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Runs (the median is reported).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// The old spec (default: spec/stripe/spec3.2022-11-15.yaml.gz).
    #[arg(long, value_name = "PATH")]
    old: Option<PathBuf>,
    /// The new spec (default: spec/stripe/spec3.yaml).
    #[arg(long, value_name = "PATH")]
    new: Option<PathBuf>,
}

/// `cargo xtask bench-diff`: the diff of Stripe's spec at two API versions
/// against the time to load both, in the same run.
pub fn bench(args: BenchArgs) -> Result<ExitCode, String> {
    let runs = args.runs as usize;
    let old_path = args.old.unwrap_or_else(|| root().join("spec/stripe/spec3.2022-11-15.yaml.gz")).display().to_string();
    let new_path = args.new.unwrap_or_else(|| root().join("spec/stripe/spec3.yaml")).display().to_string();
    let (old_text, new_text) = (read(Path::new(&old_path))?, read(Path::new(&new_path))?);
    let (mut loads, mut compares) = (Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..runs {
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
    println!("bench-diff: {old_path} -> {new_path}, median of {runs} runs");
    println!("  load both (parse, validate, index): {load:>10.1?}  1.00x");
    println!("  compare (wire, both IRs, examples): {compare:>10.1?}  {:.2}x of load", compare.as_secs_f64() / load.as_secs_f64());
    println!("  findings: {} breaking, {} warning, {} info; {} generated-API changes; semver {}", report.count(Level::Breaking), report.count(Level::Warning), report.count(Level::Info), report.rust.len(), report.verdict().as_str());
    Ok(ExitCode::SUCCESS)
}

/// The report of the default spec's change since `HEAD`, when it changed
/// (`None` outside a git checkout, or when it did not change).
pub fn since_head() -> Option<Report> {
    let committed = at_revision("HEAD", DEFAULT_SPEC).ok()?;
    let current = read(&root().join(DEFAULT_SPEC)).ok()?;
    if committed == current {
        return None;
    }
    let mut old = load(&format!("HEAD:{DEFAULT_SPEC}"), committed).ok()?;
    let mut new = load(DEFAULT_SPEC, current).ok()?;
    evolution::compare(&mut old, &mut new).ok()
}

/// Sets the `version` of the package in a Cargo.toml to what `bump` needs,
/// and the same package's version in every lock file of `locks` that
/// names it (so that no later build or fuzz run rewrites a committed lock
/// file); answers the old and the new version.
pub fn apply_bump(manifest: &Path, locks: &[PathBuf], bump: Bump) -> Result<(String, String), String> {
    let text = std::fs::read_to_string(manifest).map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let line = text.lines().find(|l| l.starts_with("version = \"")).ok_or_else(|| format!("{}: no `version = \"...\"` line", manifest.display()))?;
    let old = line.trim_start_matches("version = \"").trim_end_matches('"').to_owned();
    let name = text.lines().find_map(|l| l.strip_prefix("name = \"")).map(|n| n.trim_end_matches('"').to_owned()).ok_or_else(|| format!("{}: no package name", manifest.display()))?;
    let new = openapi_kit::diff::bumped(&old, bump)?;
    let updated = text.replacen(line, &format!("version = \"{new}\""), 1);
    std::fs::write(manifest, updated).map_err(|e| format!("cannot write {}: {e}", manifest.display()))?;
    let entry = |version: &str| format!("name = \"{name}\"\nversion = \"{version}\"\n");
    for lock in locks {
        let Ok(text) = std::fs::read_to_string(lock) else { continue };
        if text.contains(&entry(&old)) {
            std::fs::write(lock, text.replace(&entry(&old), &entry(&new))).map_err(|e| format!("cannot write {}: {e}", lock.display()))?;
        }
    }
    Ok((old, new))
}

/// The lock files of this repository that may name the generated crate.
pub fn lock_files() -> Vec<PathBuf> {
    ["Cargo.lock", "fuzz/Cargo.lock", "contract/bench/Cargo.lock"].iter().map(|l| root().join(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::{Bump, apply_bump};

    #[test]
    fn a_bump_updates_the_manifest_and_every_lock_file_that_names_the_crate() {
        let dir = std::env::temp_dir().join(format!("xtask-bump-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = dir.join("Cargo.toml");
        std::fs::write(&manifest, "[package]\nname = \"api\"\nversion = \"0.2.0\"\n").unwrap();
        let lock = |deps: &str| format!("[[package]]\nname = \"api\"\nversion = \"0.2.0\"\n{deps}\n[[package]]\nname = \"other\"\nversion = \"0.2.0\"\n");
        let (a, b, none) = (dir.join("a.lock"), dir.join("b.lock"), dir.join("none.lock"));
        std::fs::write(&a, lock("")).unwrap();
        std::fs::write(&b, lock("dependencies = [\n \"serde\",\n]\n")).unwrap();
        std::fs::write(&none, "[[package]]\nname = \"other\"\nversion = \"0.2.0\"\n").unwrap();
        assert_eq!(apply_bump(&manifest, &[a.clone(), b.clone(), none.clone()], Bump::Major).unwrap(), ("0.2.0".into(), "0.3.0".into()));
        assert!(std::fs::read_to_string(&manifest).unwrap().contains("version = \"0.3.0\""));
        for file in [&a, &b] {
            let text = std::fs::read_to_string(file).unwrap();
            assert!(text.contains("name = \"api\"\nversion = \"0.3.0\"") && text.contains("name = \"other\"\nversion = \"0.2.0\""), "{text}");
        }
        assert_eq!(std::fs::read_to_string(&none).unwrap(), "[[package]]\nname = \"other\"\nversion = \"0.2.0\"\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
