//! `cargo xtask bench`: figures for the README, measured, never asserted.
//!
//! - codegen wall time (load + build + emit, in memory) for the project's
//!   spec and for the full Stripe spec: median and best of several runs;
//! - the size of the generated code;
//! - the clean debug build time of the generated crate with its default
//!   features and with `client,server`, dependencies included, in a fresh
//!   target directory.
//!
//! Run it from a release build for meaningful codegen times:
//! `cargo xtask bench` uses the profile `cargo xtask` was built with, so
//! prefer `cargo run --release -p xtask -- bench`.

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use crate::codegen::Request;
use crate::{root, take_flag, take_value};

fn time_codegen(request: &Request, runs: usize) -> Result<(Duration, Duration, usize, usize), String> {
    let mut times = Vec::with_capacity(runs);
    let mut size = (0, 0);
    for _ in 0..runs {
        let started = Instant::now();
        let outputs = request.generate()?;
        times.push(started.elapsed());
        size = outputs
            .iter()
            .filter(|o| o.path.extension().is_some_and(|e| e == "rs"))
            .fold((0, 0), |(b, l), o| (b + o.contents.len(), l + o.contents.lines().count()));
    }
    times.sort();
    Ok((times[times.len() / 2], times[0], size.0, size.1))
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut args = args.to_vec();
    let skip_build = take_flag(&mut args, "--no-build");
    let runs: usize = take_value(&mut args, "--runs")?.map_or(Ok(15), |r| r.parse().map_err(|_| "--runs needs a number"))?;
    let stripe = take_value(&mut args, "--stripe")?.map(PathBuf::from).unwrap_or_else(|| root().join("spec/stripe/spec3.yaml"));
    if let Some(extra) = args.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    let profile = if cfg!(debug_assertions) { "debug (use --release for real figures)" } else { "release" };
    println!("codegen, {profile} build of xtask, {runs} runs each (load + build + emit, in memory):");
    let own = Request { command: "cargo xtask codegen".into(), ..Request::for_spec(root().join("spec/checkout_sessions.yaml"), None) };
    let (median, best, bytes, lines) = time_codegen(&own, runs)?;
    println!("  spec/checkout_sessions.yaml  median {median:.1?}  best {best:.1?}  output {} KiB, {lines} lines", bytes / 1024);
    if stripe.exists() {
        let request = Request::for_spec(stripe.clone(), Some(root().join("target/bench-stripe")));
        let (median, best, bytes, lines) = time_codegen(&request, runs.min(7))?;
        println!("  Stripe spec3.yaml            median {median:.1?}  best {best:.1?}  output {} KiB, {lines} lines", bytes / 1024);
    } else {
        println!("  Stripe spec not found at {} (pass --stripe PATH)", stripe.display());
    }
    if skip_build {
        return Ok(ExitCode::SUCCESS);
    }
    // A fresh target directory each time, so dependencies are built too.
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    for features in ["", "client,server"] {
        let target = root().join("target/bench-build");
        let _ = std::fs::remove_dir_all(&target);
        let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        command.args(["build", "--quiet", "-p", "checkout-sessions"]).current_dir(root()).env("CARGO_TARGET_DIR", &target);
        if !features.is_empty() {
            command.args(["--features", features]);
        }
        let started = Instant::now();
        let status = command.status().map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err("building checkout-sessions failed".into());
        }
        let shown = if features.is_empty() { "default features" } else { features };
        println!(
            "clean debug build of checkout-sessions ({shown}, dependencies included, {jobs} cores): {:.1?}",
            started.elapsed()
        );
        let _ = std::fs::remove_dir_all(&target);
    }
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask bench-validate`: runs the validation benchmark, a crate
/// kept outside the workspace so that the `jsonschema` crate it compares
/// with never reaches a normal build.
pub fn validate(args: &[String]) -> Result<ExitCode, String> {
    let mut args = args.to_vec();
    let millis = take_value(&mut args, "--millis")?.unwrap_or_else(|| "2000".into());
    if let Some(extra) = args.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    let manifest = root().join("contract/bench/Cargo.toml");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["run", "--quiet", "--release", "--manifest-path"])
        .arg(&manifest)
        .args(["--", &millis])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
