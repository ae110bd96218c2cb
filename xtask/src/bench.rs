//! `cargo xtask bench`: figures for the README, measured, never asserted.
//!
//! - codegen time per phase (parse, typed model, validate, build, emit, and
//!   the formatting inside emit) for the project's spec and the full Stripe
//!   spec, next to the parse floor (the parser alone on the same text,
//!   measured in the same run), so that the ratio is the figure;
//! - the size of the generated code;
//! - scaling: synthetic specs that stress the whole-graph passes at 2,000
//!   and 20,000 schemas;
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

use openapi_codegen::{Generator, Phases};

use crate::root;

/// Medians of `runs` runs of `f`.
fn median<T>(runs: usize, mut f: impl FnMut() -> Result<T, String>) -> Result<(Duration, T), String> {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        last = Some(f()?);
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times[times.len() / 2], last.expect("at least one run")))
}

/// Per-phase medians of a whole codegen run of `text`, next to the parse
/// floor (the YAML or JSON parser alone on the same text), measured in the
/// same process, alternately.
fn phases(label: &str, text: &str, paths: &[String], runs: usize) -> Result<(), String> {
    let generator = Generator::new().with_paths(paths.to_vec());
    let mut all: Vec<Phases> = Vec::new();
    let mut floors = Vec::new();
    let mut size = (0, 0);
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        openapi_codegen::Document::parse(text).map_err(|e| e.to_string())?;
        floors.push(started.elapsed());
        let (modules, phases) = generator.run_timed(label, text.to_owned()).map_err(|e| e.to_string())?;
        all.push(phases);
        size = modules.iter().fold((0, 0), |(b, l), (_, code)| (b + code.len(), l + code.lines().count()));
    }
    let med = |f: fn(&Phases) -> Duration| {
        let mut v: Vec<Duration> = all.iter().map(f).collect();
        v.sort();
        v[v.len() / 2]
    };
    floors.sort();
    let floor = floors[floors.len() / 2];
    let (parse, model, validate, build, emit, format) =
        (med(|p| p.parse), med(|p| p.model), med(|p| p.validate), med(|p| p.build), med(|p| p.emit), med(|p| p.format));
    let total = med(|p| p.parse + p.model + p.validate + p.build + p.emit);
    let ratio = |d: Duration| d.as_secs_f64() / floor.as_secs_f64().max(1e-9);
    println!("  {label}: {} KiB in, {} KiB / {} lines out", text.len() / 1024, size.0 / 1024, size.1);
    println!("    parse floor (parser alone)   {floor:>9.1?}   1.0x");
    for (name, d) in [("load: parse", parse), ("load: typed model", model), ("validate", validate), ("build (IR)", build), ("emit (tokens + format)", emit)] {
        println!("    {name:<28} {d:>9.1?}  {:>4.1}x", ratio(d));
    }
    println!("      of which format (CPU, all workers) {format:>9.1?}");
    println!("    total                        {total:>9.1?}  {:>4.1}x the parse floor", ratio(total));
    // Formatting is the tokens parsed by syn and printed by prettyplease:
    // spread perfectly over every core, and with nothing else but the parse,
    // a codegen that formats through them costs at least this.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "    least through syn + prettyplease: parse + format CPU / {cores} cores = {:.1}x",
        ratio(floor) + ratio(format) / cores as f64
    );
    Ok(())
}

const SCALE_HEADER: &str = "openapi: 3.0.3\ninfo: {title: Scale, version: '1'}\n";

/// A spec of `n` component schemas written by `line`, and a last one, `S<n>`.
fn schemas(n: usize, line: impl Fn(usize) -> String, last: &str) -> String {
    let mut text = format!("{SCALE_HEADER}paths: {{}}\ncomponents:\n  schemas:\n");
    for i in 0..n {
        text.push_str(&line(i));
    }
    text.push_str(&format!("    S{n}: {last}\n"));
    text
}

fn alias_chain(n: usize) -> String {
    schemas(n, |i| format!("    S{i}: {{$ref: '#/components/schemas/S{}'}}\n", i + 1), "{type: object, properties: {a: {type: string}}}")
}

fn struct_ring(n: usize) -> String {
    schemas(
        n,
        |i| format!("    S{i}: {{type: object, properties: {{next: {{$ref: '#/components/schemas/S{}'}}}}}}\n", (i + 1) % n),
        "{type: string}",
    )
}

fn union_chain(n: usize) -> String {
    schemas(
        n,
        |i| {
            format!(
                "    S{i}: {{anyOf: [{{$ref: '#/components/schemas/S{}'}}, {{type: object, properties: {{v{i}: {{type: string}}}}}}]}}\n",
                i + 1
            )
        },
        "{type: string}",
    )
}

/// Inline types whose natural names (`S<i>X`) a component already has.
fn colliding_names(n: usize) -> String {
    schemas(
        n,
        |i| format!("    S{i}: {{type: object, properties: {{x: {{type: object, properties: {{a: {{type: string}}}}}}}}}}\n    S{i}X: {{type: string}}\n"),
        "{type: string}",
    )
}

/// One operation reaching a chain of `n` structs, beside `n` it does not reach.
fn subset(n: usize) -> String {
    let mut text = format!(
        "{SCALE_HEADER}paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          \
         content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/S0'}}\ncomponents:\n  schemas:\n"
    );
    for i in 0..n {
        text.push_str(&format!(
            "    S{i}: {{type: object, properties: {{next: {{$ref: '#/components/schemas/S{}'}}}}}}\n    U{i}: {{type: string}}\n",
            i + 1
        ));
    }
    text.push_str(&format!("    S{n}: {{type: string}}\n"));
    text
}

/// A scaling case: its name, the spec of a size, the `--paths` it runs with.
type ScaleCase = (&'static str, fn(usize) -> String, &'static [&'static str]);

/// Synthetic specs that stress the whole-graph passes (reference checks,
/// cycles and boxing, unions, naming, subsetting), at 2,000 and 20,000
/// schemas: a linear pass takes about 10x as long at 10x the size.
fn scaling(runs: usize) -> Result<(), String> {
    let cases: [ScaleCase; 5] = [
        ("$ref alias chain (S0 -> S1 -> ... -> object)", alias_chain, &[]),
        ("ring of structs (recursion, boxing)", struct_ring, &[]),
        ("chain of unions (anyOf [next, object])", union_chain, &[]),
        ("colliding names (inline types named alike)", colliding_names, &[]),
        ("subset: --paths /a reaching half the schemas", subset, &["/a"]),
    ];
    println!("scaling (whole codegen in memory, median of {runs}):");
    for (name, make, paths) in cases {
        let generator = Generator::new().with_paths(paths.iter().map(|p| (*p).to_owned()).collect());
        let time = |n: usize| {
            let text = make(n);
            median(runs, || generator.run_timed("scale", text.clone()).map_err(|e| e.to_string())).map(|(d, _)| d)
        };
        let (small, large) = (time(2_000)?, time(20_000)?);
        println!(
            "  {name:<46} 2,000: {small:>8.1?}  20,000: {large:>8.1?}  ({:.1}x for 10x the size)",
            large.as_secs_f64() / small.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}

/// `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Codegen runs per spec.
    #[arg(long, value_name = "N", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// The Stripe spec to time (default: spec/stripe/spec3.yaml).
    #[arg(long, value_name = "PATH")]
    stripe: Option<PathBuf>,
    /// Skip the clean build.
    #[arg(long)]
    no_build: bool,
}

pub fn run(args: Args) -> Result<ExitCode, String> {
    let (skip_build, runs) = (args.no_build, args.runs as usize);
    let stripe = args.stripe.unwrap_or_else(|| root().join("spec/stripe/spec3.yaml"));
    let profile = if cfg!(debug_assertions) { "debug (use --release for real figures)" } else { "release" };
    println!("codegen per phase, {profile} build of xtask, median of {runs} runs (Stripe: of at most 7):");
    let read = |path: &PathBuf| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
    phases("spec/checkout_sessions.yaml", &read(&root().join("spec/checkout_sessions.yaml"))?, &[], runs)?;
    if stripe.exists() {
        phases("Stripe spec3.yaml", &read(&stripe)?, &[], runs.min(7))?;
    } else {
        println!("  Stripe spec not found at {} (pass --stripe PATH)", stripe.display());
    }
    openapi31(&read(&root().join("spec/checkout_sessions.yaml"))?, stripe.exists().then(|| read(&stripe)).transpose()?, runs)?;
    scaling(runs.min(5))?;
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

/// Codegen per MB of a 3.1 document against the same document as 3.0,
/// both as JSON text (the same parser), in the same run: the 3.1 document
/// is the 3.0 one written by `v31::from_30`. Writes the 3.1 version of the
/// project's spec to `target/openapi31/checkout_sessions.31.json`.
fn openapi31(ours: &str, stripe: Option<String>, runs: usize) -> Result<(), String> {
    println!("OpenAPI 3.1 against 3.0, the same document, JSON text, whole codegen per MB:");
    let generator = Generator::new();
    let mut specs = vec![("checkout_sessions", ours.to_owned(), runs)];
    if let Some(stripe) = stripe {
        specs.push(("Stripe", stripe, runs.min(5)));
    }
    for (label, text, runs) in specs {
        let raw = openapi_codegen::Document::parse(&text).map_err(|e| e.to_string())?;
        let json30 = serde_json::to_string(&raw).map_err(|e| e.to_string())?;
        let json31 = serde_json::to_string(&openapi_codegen::v31::from_30(&raw)).map_err(|e| e.to_string())?;
        if label == "checkout_sessions" {
            let dir = root().join("target/openapi31");
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            std::fs::write(dir.join("checkout_sessions.31.json"), &json31).map_err(|e| e.to_string())?;
        }
        let time = |text: &str| median(runs, || generator.run_timed(label, text.to_owned()).map_err(|e| e.to_string())).map(|(d, _)| d);
        let (t30, t31) = (time(&json30)?, time(&json31)?);
        let per_mb = |t: Duration, len: usize| t.as_secs_f64() * 1000.0 / (len as f64 / 1_048_576.0);
        let (m30, m31) = (per_mb(t30, json30.len()), per_mb(t31, json31.len()));
        println!(
            "  {label:<18} 3.0: {t30:>9.1?} for {:>5.2} MB = {m30:>7.1} ms/MB   3.1: {t31:>9.1?} for {:>5.2} MB = {m31:>7.1} ms/MB   3.1/3.0 = {:.2}x",
            json30.len() as f64 / 1_048_576.0,
            json31.len() as f64 / 1_048_576.0,
            m31 / m30
        );
    }
    Ok(())
}

/// `cargo xtask bench-validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Measuring time per figure, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..))]
    millis: u64,
}

/// `cargo xtask bench-validate`: runs the validation benchmark, a crate
/// kept outside the workspace so that the `jsonschema` crate it compares
/// with never reaches a normal build.
pub fn validate(args: ValidateArgs) -> Result<ExitCode, String> {
    let millis = args.millis.to_string();
    let manifest = root().join("contract/bench/Cargo.toml");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["run", "--quiet", "--release", "--manifest-path"])
        .arg(&manifest)
        .args(["--", &millis])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `cargo xtask bench-stream`.
#[derive(Debug, clap::Args)]
pub struct StreamArgs {
    /// Bytes each way.
    #[arg(long, value_name = "N", default_value_t = 1 << 30, value_parser = clap::value_parser!(u64).range(1..))]
    bytes: u64,
    /// Runs per case, alternating.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
}

/// `bench-stream`: bytes up and down through the generated client and
/// server of the media fixture, beside a plain reqwest client and axum
/// server moving the same chunks (the peer), each case in a process of its
/// own (`tests/examples/stream_bench.rs`, release): throughput as a ratio
/// to the peer's, and peak resident memory against the bytes moved.
pub fn stream(args: StreamArgs) -> Result<ExitCode, String> {
    let (bytes, runs) = (args.bytes, args.runs as usize);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--release", "-p", "contract-tests", "--example", "stream_bench"])
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building the stream benchmark failed".into());
    }
    let binary = root().join("target/release/examples/stream_bench");
    let run = |case: &str| -> Result<(f64, f64), String> {
        let output = Command::new(&binary).args(["--case", case, "--bytes", &bytes.to_string()]).output().map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(format!("{case}: {}", String::from_utf8_lossy(&output.stderr).trim()));
        }
        let line: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| format!("{case}: {e}"))?;
        Ok((line["seconds"].as_f64().unwrap_or(f64::NAN), line["peak_rss"].as_f64().unwrap_or(f64::NAN)))
    };
    let mib = |b: f64| b / f64::from(1 << 20);
    let (_, floor) = run("idle")?;
    println!(
        "bench-stream: {:.0} MiB each way over loopback, client and server in one process, a process per run, median of {runs}",
        mib(bytes as f64)
    );
    println!("  {:<16} {:>10} {:>12} {:>14}", "case", "MiB/s", "peak RSS", "vs the peer");
    println!("  {:<16} {:>10} {:>9.1} MiB {:>14}", "idle (floor)", "-", mib(floor), "-");
    // Runs alternate between the two, so that a machine that slows down
    // slows both; each figure is the median of its runs (peak RSS: the
    // largest).
    let median = |mut seconds: Vec<f64>| {
        seconds.sort_by(f64::total_cmp);
        seconds[seconds.len() / 2]
    };
    for way in ["up", "down"] {
        let (mut plain, mut ours) = (Vec::new(), Vec::new());
        for _ in 0..runs.max(1) {
            plain.push(run(&format!("plain-{way}"))?);
            ours.push(run(&format!("generated-{way}"))?);
        }
        let peak = |runs: &[(f64, f64)]| runs.iter().map(|r| r.1).fold(0.0, f64::max);
        let (plain_s, plain_rss) = (median(plain.iter().map(|r| r.0).collect()), peak(&plain));
        let (ours_s, ours_rss) = (median(ours.iter().map(|r| r.0).collect()), peak(&ours));
        let rate = |s: f64| mib(bytes as f64) / s;
        println!("  {:<16} {:>10.0} {:>9.1} MiB {:>14}", format!("plain {way}"), rate(plain_s), mib(plain_rss), "1.00x");
        println!(
            "  {:<16} {:>10.0} {:>9.1} MiB {:>13.2}x",
            format!("generated {way}"),
            rate(ours_s),
            mib(ours_rss),
            plain_s / ours_s
        );
        println!(
            "  {way}: generated peak RSS {:.1} MiB for {:.0} MiB moved ({:.3}% of the bytes; goal under 64 MiB)",
            mib(ours_rss),
            mib(bytes as f64),
            100.0 * ours_rss / bytes as f64
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask bench-build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Runs of each.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
}

/// `cargo xtask bench-build`: the clean debug build of the generated types
/// (`checkout-sessions`, default features, dependencies included) against
/// the same of a peer, async-stripe's checkout crate (its checkout session
/// types, serialize and deserialize), alternating in the same run, each in
/// a fresh target folder; the figure is the ratio of the medians. The peer
/// is fetched from crates.io the first time.
pub fn build_vs_peer(args: BuildArgs) -> Result<ExitCode, String> {
    let runs = args.runs as usize;
    let cargo = || Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    let peer = root().join("target/bench-peer");
    std::fs::create_dir_all(peer.join("src")).map_err(|e| e.to_string())?;
    let manifest = "[package]\nname = \"peer\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                    [dependencies]\nasync-stripe-checkout = { version = \"=1.0.0-rc.10\", features = [\"checkout_session\", \"serialize\", \"deserialize\"] }\n\n[workspace]\n";
    std::fs::write(peer.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(peer.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    let fetched = cargo().args(["fetch", "--quiet"]).current_dir(&peer).status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !fetched.success() {
        return Err("cannot fetch async-stripe-checkout (crates.io)".into());
    }
    let clean_build = |dir: &std::path::Path, package: Option<&str>| -> Result<Duration, String> {
        let target = root().join("target/bench-build");
        let _ = std::fs::remove_dir_all(&target);
        let mut command = cargo();
        command.args(["build", "--quiet", "--offline"]).current_dir(dir).env("CARGO_TARGET_DIR", &target);
        if let Some(package) = package {
            command.args(["-p", package]);
        }
        let started = Instant::now();
        let status = command.status().map_err(|e| format!("cannot run cargo: {e}"))?;
        let elapsed = started.elapsed();
        let _ = std::fs::remove_dir_all(&target);
        if !status.success() {
            return Err(format!("building in {} failed", dir.display()));
        }
        Ok(elapsed)
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 1..=runs.max(1) {
        let a = clean_build(&root(), Some("checkout-sessions"))?;
        let b = clean_build(&peer, None)?;
        println!("run {run}: checkout-sessions (default features) {a:.1?}, async-stripe-checkout {b:.1?}: {:.2}", a.as_secs_f64() / b.as_secs_f64());
        ours.push(a);
        theirs.push(b);
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut ours), median(&mut theirs));
    println!("clean debug build, medians: ours {a:.1?}, the peer's {b:.1?}: {:.2} of the peer's", a.as_secs_f64() / b.as_secs_f64());
    Ok(ExitCode::SUCCESS)
}
