//! `cargo xtask diff [OLD] [NEW]`: what a spec change does on the wire, for
//! whom, and to the generated crate (`openapi_contract::evolution`).

use std::io::IsTerminal;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use openapi_codegen::Document;
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

fn load(source: &str, text: String) -> Result<Spec, String> {
    Document::from_text(source, text).map(Spec::new).map_err(|e| e.to_string())
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// The two specs a command line names: `OLD NEW`, `--base REV [NEW]`, or
/// nothing (the committed default spec against the working tree's).
pub fn specs(args: &mut Vec<String>) -> Result<(Spec, Spec), String> {
    let base = take_value(args, "--base")?;
    let files: Vec<String> = args.iter().filter(|a| !a.starts_with("--")).cloned().collect();
    args.retain(|a| a.starts_with("--"));
    let default = root().join(DEFAULT_SPEC).display().to_string();
    match (base, files.as_slice()) {
        (None, [old, new]) => Ok((load(old, read(old)?)?, load(new, read(new)?)?)),
        (Some(revision), []) => Ok((load(&format!("{revision}:{DEFAULT_SPEC}"), at_revision(&revision, DEFAULT_SPEC)?)?, load(&default, read(&default)?)?)),
        (Some(revision), [new]) => {
            let relative = Path::new(new).strip_prefix(root()).unwrap_or(Path::new(new)).display().to_string();
            Ok((load(&format!("{revision}:{relative}"), at_revision(&revision, &relative)?)?, load(new, read(new)?)?))
        }
        (None, []) => Ok((load(&format!("HEAD:{DEFAULT_SPEC}"), at_revision("HEAD", DEFAULT_SPEC)?)?, load(&default, read(&default)?)?)),
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
    let started = Instant::now();
    let (mut old, mut new) = specs(&mut args)?;
    if let Some(extra) = args.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    let loaded = started.elapsed();
    let report = evolution::compare(&mut old, &mut new)?;
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
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
