//! `cargo xtask fuzz`: coverage-guided fuzzing of every trust boundary with
//! libFuzzer, through cargo-fuzz (installed here when missing), on the
//! stable toolchain (`--sanitizer none`: Rust's own checks, with overflow
//! checks and debug assertions on, find what a sanitizer would in safe code).
//!
//! Each target starts from its committed seeds (`fuzz/corpus/<target>`);
//! what a run learns goes to `target/fuzz-corpus/<target>`, so the
//! committed corpus changes only on purpose. A crash is written to
//! `fuzz/artifacts/<target>/` and fails the command.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use crate::root;

/// The targets, in the order they run.
pub const TARGETS: [&str; 8] = ["form_decode", "router", "webhook_signature", "generator", "validator", "client_decode", "media", "bundle"];

/// The cargo-fuzz release this project is tested with.
const CARGO_FUZZ: &str = "0.13.2";

/// What one run reported.
struct Outcome {
    target: &'static str,
    seconds: u64,
    executions: u64,
    per_second: u64,
    coverage: String,
    crashed: Option<String>,
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Installs cargo-fuzz when `cargo fuzz` is not there.
fn ensure_cargo_fuzz() -> Result<(), String> {
    let present = cargo().args(["fuzz", "--version"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    if present.is_ok_and(|s| s.success()) {
        return Ok(());
    }
    println!("fuzz: installing cargo-fuzz {CARGO_FUZZ}");
    let status = cargo()
        .args(["install", "cargo-fuzz", "--locked", "--version", CARGO_FUZZ])
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if status.success() { Ok(()) } else { Err("installing cargo-fuzz failed".into()) }
}

/// What a crashed run left: the artifact libFuzzer wrote, or the panic,
/// or, when the process was killed with neither (a stack overflow leaves
/// libFuzzer's handler no stack to run on), the input kept before the run
/// (`last`), saved under `artifacts` as `crash-kept-<hash>`.
fn crash_of(log: &str, last: &Path, artifacts: &Path) -> String {
    let written = log.lines().find(|l| l.contains("Test unit written to")).map(|l| l.trim().to_owned());
    let said = || log.lines().find(|l| l.contains("panicked at")).map(|l| l.trim().to_owned());
    let kept = || {
        let data = kept_input(&std::fs::read(last).ok()?)?.to_vec();
        let at = artifacts.join(format!("crash-kept-{:016x}", fnv1a(&data)));
        std::fs::create_dir_all(artifacts).ok()?;
        std::fs::write(&at, &data).ok()?;
        Some(format!("the process died before libFuzzer could write its input (a stack overflow?); the input it was running is in {}", at.display()))
    };
    written.or_else(said).or_else(kept).unwrap_or_else(|| "see the log".into())
}

/// The input a target kept (`fuzz::keep_input`): 8 little-endian bytes of
/// length, then the bytes. `None` when nothing was kept.
fn kept_input(file: &[u8]) -> Option<&[u8]> {
    let length = usize::try_from(u64::from_le_bytes(file.get(..8)?.try_into().ok()?)).ok()?;
    file.get(8..8usize.checked_add(length)?)
}

/// A 64-bit FNV-1a hash, to name a kept input by its bytes.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

/// The value after `key` on the line of `text` that holds it.
fn stat(text: &str, key: &str) -> Option<u64> {
    text.lines().rev().find_map(|l| l.strip_prefix(key)).and_then(|v| v.trim().parse().ok())
}

/// Runs `target` for `seconds`, its output kept in `log`.
fn run_target(fuzz: &Path, target: &'static str, seconds: u64, log: &Path) -> Result<Outcome, String> {
    let learned = root().join("target/fuzz-corpus").join(target);
    std::fs::create_dir_all(&learned).map_err(|e| e.to_string())?;
    let seeds = fuzz.join("corpus").join(target);
    let output = std::fs::File::create(log).map_err(|e| e.to_string())?;
    // The input each run is about to try (`fuzz::keep_input`).
    let last = root().join("target/fuzz-last").join(target);
    std::fs::create_dir_all(last.parent().unwrap_or(&last)).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&last);
    let started = Instant::now();
    let status = cargo()
        .current_dir(fuzz)
        .env("OPENAPI_FUZZ_LAST", &last)
        .args(["fuzz", "run", "--sanitizer", "none", target])
        .arg(&learned)
        .arg(&seeds)
        .arg("--")
        .args([format!("-max_total_time={seconds}"), "-timeout=20".into(), "-rss_limit_mb=4096".into()])
        .arg("-print_final_stats=1")
        .stdout(Stdio::null())
        .stderr(output)
        .status()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let coverage = text
        .lines()
        .rev()
        .find(|l| l.contains(" cov: "))
        .and_then(|l| {
            let field = |name: &str| l.split_whitespace().skip_while(|w| *w != name).nth(1).map(str::to_owned);
            Some(format!("{} edges, {} features", field("cov:")?, field("ft:")?))
        })
        .unwrap_or_else(|| "?".into());
    let artifacts = fuzz.join("artifacts").join(target);
    let crashed = (!status.success()).then(|| crash_of(&text, &last, &artifacts));
    let elapsed = started.elapsed().as_secs().max(1);
    // libFuzzer prints its final statistics only when a run ends normally;
    // after a crash, the last status line (`#<runs> ...`) says how far it got.
    let last_runs = || {
        text.lines().rev().find_map(|l| l.strip_prefix('#')?.split_whitespace().next()?.parse::<u64>().ok())
    };
    let executions = stat(&text, "stat::number_of_executed_units:").or_else(last_runs).unwrap_or(0);
    Ok(Outcome {
        target,
        seconds: elapsed,
        executions,
        per_second: stat(&text, "stat::average_exec_per_sec:").unwrap_or(executions / elapsed),
        coverage,
        crashed,
    })
}

/// `cargo xtask fuzz`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The targets to run (default: all).
    #[arg(value_name = "TARGET", value_parser = clap::builder::PossibleValuesParser::new(TARGETS))]
    targets: Vec<String>,
    /// Seconds per target.
    #[arg(long, value_name = "N", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    seconds: u64,
    /// Targets at once.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    jobs: u32,
    /// Build the targets, run nothing.
    #[arg(long)]
    build_only: bool,
}

pub fn run(args: Args) -> Result<ExitCode, String> {
    let Args { seconds, jobs, build_only, .. } = args;
    let jobs = jobs as usize;
    let targets: Vec<&'static str> = TARGETS.iter().copied().filter(|t| args.targets.is_empty() || args.targets.iter().any(|a| a == t)).collect();
    ensure_cargo_fuzz()?;
    let fuzz = root().join("fuzz");
    let started = Instant::now();
    let status = cargo()
        .current_dir(&fuzz)
        .args(["fuzz", "build", "--sanitizer", "none"])
        .status()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    if !status.success() {
        return Err("building the fuzz targets failed".into());
    }
    println!("fuzz: targets built in {:.0?}", started.elapsed());
    if build_only {
        return Ok(ExitCode::SUCCESS);
    }
    let logs = root().join("target/fuzz-logs");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let mut outcomes = Vec::new();
    for batch in targets.chunks(jobs.max(1)) {
        let results: Vec<Result<Outcome, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|target| {
                    let (fuzz, log): (&PathBuf, PathBuf) = (&fuzz, logs.join(format!("{target}.log")));
                    scope.spawn(move || run_target(fuzz, target, seconds, &log))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a fuzz runner panicked".into()))).collect()
        });
        for result in results {
            let outcome = result?;
            println!(
                "fuzz: {:<18} {:>4} s  {:>12} runs  {:>8} runs/s  {}  {}",
                outcome.target,
                outcome.seconds,
                outcome.executions,
                outcome.per_second,
                outcome.coverage,
                outcome.crashed.as_deref().unwrap_or("no crash")
            );
            outcomes.push(outcome);
        }
    }
    println!("fuzz: logs in {}", logs.display());
    if outcomes.iter().any(|o| o.crashed.is_some()) {
        println!("fuzz: a target crashed: its input is under fuzz/artifacts/<target>/; make it a regression test, then fix");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::{crash_of, fnv1a};

    #[test]
    fn a_crash_names_its_artifact_or_saves_the_kept_input() {
        let dir = std::env::temp_dir().join(format!("xtask-fuzz-{}", std::process::id()));
        let (last, artifacts) = (dir.join("last"), dir.join("artifacts/bundle"));
        std::fs::create_dir_all(&dir).unwrap();
        // As a target keeps it: the length, the input, then the rest of the sparse file.
        let input = b"openapi: 3.0.3\0Lines: {$ref: f1.yaml#/Lines}";
        let mut kept = (input.len() as u64).to_le_bytes().to_vec();
        kept.extend_from_slice(input);
        kept.extend_from_slice(&[0; 64]);
        std::fs::write(&last, &kept).unwrap();
        // libFuzzer wrote the input: that is the answer, nothing is saved.
        let log = "#1 INITED\n==1== ERROR: libFuzzer: deadly signal\nTest unit written to ./crash-abc\n";
        assert_eq!(crash_of(log, &last, &artifacts), "Test unit written to ./crash-abc");
        assert!(!artifacts.exists());
        // Killed with no artifact: the kept input is saved, by its hash.
        let said = crash_of("#48 REDUCE cov: 7 ft: 9\n", &last, &artifacts);
        let saved = artifacts.join(format!("crash-kept-{:016x}", fnv1a(input)));
        assert!(said.contains("died before libFuzzer could write its input") && said.ends_with(&saved.display().to_string()), "{said}");
        assert_eq!(std::fs::read(&saved).unwrap(), input);
        // A file the target never wrote to (the run ended before a first
        // input), or one cut short, keeps nothing.
        assert_eq!(super::kept_input(&[0; 72]), Some(&[][..]));
        assert_eq!(super::kept_input(&[9, 0, 0, 0, 0, 0, 0, 0, 1, 2]), None);
        assert_eq!(super::kept_input(&[1, 2]), None);
        // Nothing kept either: the log is all there is.
        assert_eq!(crash_of("", &dir.join("nothing"), &artifacts), "see the log");
        // FNV-1a's published test values.
        assert_eq!((fnv1a(b""), fnv1a(b"a")), (0xcbf2_9ce4_8422_2325, 0xaf63_dc4c_8601_ec8c));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
