//! `cargo xtask`: this repository's chores, and the only thing that writes
//! to `generated/` (`cargo xtask codegen`). Its command line is clap's, as
//! `openapi-kit`'s is: `cargo xtask help`, `cargo xtask <task> --help`.

// Emitting and formatting a large crate is allocation-bound: with
// mimalloc, full Stripe codegen takes about a third less time than with
// the system allocator (`cargo run --release -p xtask -- bench`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod codegen;
mod contract;
#[cfg(test)]
mod docs_check;
mod fuzz;
mod load;
mod respect;
mod spec_diff;
mod stripe;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// The workspace root (the parent of this crate).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// This repository's chores: regenerate `generated/` from the project's
/// spec and check it, and the checks, benches and fuzzing around it. The
/// commands any repository can use are `openapi-kit`'s (`kit/`); `codegen`,
/// `contract`, `diff` and `bundle` here run the same code with this
/// repository's defaults.
#[derive(Debug, Parser)]
#[command(name = "xtask", bin_name = "cargo xtask")]
struct Xtask {
    #[command(subcommand)]
    task: Option<Task>,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Regenerate generated/ from spec/checkout_sessions.yaml (or another
    /// spec into a standalone crate).
    Codegen(codegen::Args),
    /// The contract checks: examples, round trips, generated values, and a
    /// live server; exit 0 only when every check holds.
    Contract(contract::Args),
    /// What a spec change does: wire changes by level and party, the
    /// generated crate's semver bump, old examples the new spec rejects.
    Diff(spec_diff::Args),
    /// Write a spec split across files as one document (internal $refs only).
    Bundle(openapi_kit::cli::BundleArgs),
    /// Generate a crate from the full Stripe spec, compile it, and
    /// round-trip every checkout.session and item fixture through it.
    Stripe(stripe::Args),
    /// Run the Arazzo workflows under this runner and under Redocly's (npm,
    /// installed if missing) against a faithful and a misbehaving reference
    /// server; exit 1 unless every step has the same verdict.
    Respect(respect::Args),
    /// Coverage-guided fuzzing (libFuzzer via cargo-fuzz, installed if
    /// missing) of every trust boundary; fails on a crash.
    Fuzz(fuzz::Args),
    /// Write a self-signed certificate for localhost and 127.0.0.1.
    TlsCert {
        /// Written as DIR/cert.pem and DIR/key.pem.
        dir: PathBuf,
    },
    /// Codegen time per phase, output size and the clean build time of the
    /// generated crate (run as `cargo run --release -p xtask -- bench`).
    Bench(bench::Args),
    /// The clean debug build of the generated types (default features)
    /// against async-stripe's checkout crate, alternating, each in a fresh
    /// target folder (fetches the peer from crates.io).
    BenchBuild(bench::BuildArgs),
    /// Validations per second of the session example: this validator, the
    /// jsonschema crate and Python's jsonschema side by side (builds
    /// contract/bench, outside the workspace, in release).
    BenchValidate(bench::ValidateArgs),
    /// Bytes up and down through the generated client and server (the
    /// media fixture) beside a plain reqwest client and axum server:
    /// throughput against the peer's, peak RSS per case.
    BenchStream(bench::StreamArgs),
    /// The time of `diff` on Stripe's spec at two API versions, against the
    /// time to load both (use --release).
    BenchDiff(spec_diff::BenchArgs),
    /// Requests per second and latency of the reference server on create,
    /// retrieve and list over loopback (use --release).
    BenchServer(load::Args),
}

fn main() -> ExitCode {
    let xtask = match Xtask::try_parse() {
        Ok(xtask) => xtask,
        Err(e) => {
            // `--help` is not an error; a usage error exits 2 and names the flag.
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let result = match xtask.task {
        None => {
            let _ = Xtask::command().print_help();
            return ExitCode::SUCCESS;
        }
        Some(Task::Codegen(args)) => codegen::run(args),
        Some(Task::Contract(args)) => contract::run(args),
        Some(Task::Diff(args)) => spec_diff::run(args),
        Some(Task::Bundle(args)) => openapi_kit::cli::run(openapi_kit::cli::Command::Bundle(args)),
        Some(Task::Stripe(args)) => stripe::run(args),
        Some(Task::Respect(args)) => respect::run(args),
        Some(Task::Fuzz(args)) => fuzz::run(args),
        Some(Task::TlsCert { dir }) => tls_cert(&dir),
        Some(Task::Bench(args)) => bench::run(args),
        Some(Task::BenchBuild(args)) => bench::build_vs_peer(args),
        Some(Task::BenchValidate(args)) => bench::validate(args),
        Some(Task::BenchStream(args)) => bench::stream(args),
        Some(Task::BenchDiff(args)) => spec_diff::bench(args),
        Some(Task::BenchServer(args)) => load::run(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask tls-cert DIR`: a self-signed certificate and its key, for
/// serving the reference server over HTTPS on this machine.
fn tls_cert(dir: &std::path::Path) -> Result<ExitCode, String> {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, text) in [("cert.pem", made.cert.pem()), ("key.pem", made.signing_key.serialize_pem())] {
        std::fs::write(dir.join(name), text).map_err(|e| format!("cannot write {}: {e}", dir.join(name).display()))?;
    }
    println!("tls-cert: wrote {0}/cert.pem and {0}/key.pem", dir.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::Xtask;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Xtask::command().debug_assert();
    }
}
