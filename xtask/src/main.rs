//! `cargo xtask`: the only thing that writes to `generated/`.
//!
//! ```text
//! cargo xtask codegen [--check] [--spec PATH --out DIR] [--paths GLOB,...] [--expand-depth N]
//! ```

// Emitting and formatting a large crate is allocation-bound: with
// mimalloc, full Stripe codegen takes about a third less time than with
// the system allocator (`cargo run --release -p xtask -- bench`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod codegen;
mod contract;
mod fuzz;
mod load;
mod respect;
mod spec_diff;
mod stripe;

use std::path::PathBuf;
use std::process::ExitCode;

/// The workspace root (the parent of this crate).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  codegen    regenerate generated/ from spec/checkout_sessions.yaml
             --check            exit 1 with a diff if the committed code is stale
             --spec PATH        generate from another spec ...
             --out DIR          ... into a standalone crate at DIR
             --name NAME        crate name for --out (default: the folder name)
             --paths GLOB,...   only operations whose path matches
             --expand-depth N   keep only the ID of expandable fields past depth N
             --allow-outside    a spec split across files may read files outside
                                its root file's folder
             --map URL=DIR      read its references under URL from the folder DIR
             --bump             set generated/Cargo.toml's version to what the
                                spec change since HEAD needs (see `diff`)
  contract   the contract checks: examples, round trips, generated values,
             and a live server; exit 0 only when every check holds
             --spec PATH        another spec (its crate is generated and built)
             --server URL       also run Arazzo workflows against this server
                                (http:// or https://)
             --workflows FILE   an Arazzo document (repeatable; default: the
                                *.arazzo.yaml files beside the spec)
             --input NAME=VALUE a workflow input (JSON or text; repeatable)
             --api-key KEY      its Bearer key (default sk_test_reference)
             --header 'N: V'    an extra header on every request (repeatable)
             --ca-cert FILE     also trust this PEM certificate (repeatable)
             --proxy URL|none   a proxy for every request (default: from
                                HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY)
             --timeout SECONDS  per exchange (default 10)
             --negative N       generated requests that break one rule each,
                                at most N per operation (default 40; 0: none)
             --seed N           their seed (default 1)
             --fixtures PATH    also check every object of a fixtures file
             --cases N          generated values per schema (default 64)
             --junit FILE       write a JUnit XML report
             --json FILE        write a JSON report
  stripe     generate a crate from the full Stripe spec, compile it, and
             round-trip every checkout.session and item fixture through it
             --spec PATH        (default spec/stripe/spec3.yaml)
             --fixtures PATH    (default spec/stripe/fixtures3.json)
             --out DIR          (default target/stripe-check)
             --lint             also clippy -D warnings and rustdoc -D warnings
  bench      measure codegen time, output size and the clean build time of
             the generated crate (run as `cargo run --release -p xtask -- bench`)
             --runs N           codegen runs per spec (default 15)
             --stripe PATH      the Stripe spec to time (default as above)
             --no-build         skip the clean build
  bench-build  the clean debug build of the generated types (default
             features) against async-stripe's checkout crate, alternating,
             each in a fresh target folder (fetches the peer from crates.io)
             --runs N           runs of each (default 2)
  bench-validate  validations per second of the session example: this
             validator, the jsonschema crate and Python's jsonschema side by
             side (builds contract/bench, outside the workspace, in release)
             --millis N         measuring time per figure (default 2000)
  bench-stream  bytes up and down through the generated client and server
             (the media fixture) beside a plain reqwest client and axum
             server: throughput against the peer's, peak RSS per case
             --bytes N          each way (default 1073741824, 1 GiB)
             --runs N           runs per case, alternating (default 5)
  respect    run the Arazzo workflows under this runner and under Redocly's
             (npm, installed if missing) against a faithful and a misbehaving
             reference server; exit 1 unless every step has the same verdict
             --workflows FILE   (default spec/checkout_sessions.arazzo.yaml)
             --spec PATH        (default spec/checkout_sessions.yaml)
  diff       what a spec change does: wire changes by level and party, the
             generated crate's semver bump, old examples the new spec rejects
             [OLD NEW]          two spec files (default: HEAD's spec against
                                the working tree's)
             --base REV         the spec at a git revision as OLD
             --format F         text (default), markdown, json or junit
             --out FILE         write there instead of stdout
             --fail-on L        exit 1 on breaking, warning, major or minor
             --unless-announced ... unless info.version changed (a breaking
                                change on purpose)
             --types            also read the old examples with the types
                                generated from the new spec (builds them)
             --fixtures FILE    also validate a fixtures file's objects (by
                                their `object` field) against the new spec
             --allow-outside    specs split across files may read files outside
                                their root file's folder
             --map URL=DIR      read references under URL from the folder DIR
  bench-diff the time of `diff` on Stripe's spec at two API versions, against
             the time to load both (use --release)
             --runs N           (default 5)
             --old PATH --new PATH   (default spec/stripe/spec3.2022-11-15.yaml.gz,
                                spec/stripe/spec3.yaml)
  bundle     write a spec split across files as one document (internal $refs only)
             SPEC               the root file of the tree
             --out FILE         where to write it (default: standard output), JSON
             --allow-outside    read files outside the root file's folder
             --map URL=DIR      read references under URL from the folder DIR
                                (repeatable; there is no network)
  tls-cert   write a self-signed certificate for localhost and 127.0.0.1
             DIR                as DIR/cert.pem and DIR/key.pem
  fuzz       coverage-guided fuzzing (libFuzzer via cargo-fuzz, installed if
             missing) of every trust boundary; fails on a crash
             [TARGET...]        form_decode, router, webhook_signature, generator,
                                validator, client_decode, media, bundle
                                (default: all)
             --seconds N        per target (default 60)
             --jobs N           targets at once (default 1)
             --build-only       build the targets, run nothing
  bench-server  requests per second and latency of the reference server on
             create, retrieve and list over loopback (use --release)
             --seconds N        per scenario (default 5)
             --connections N    keep-alive connections (default 32)
             --server-threads N (default 2)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [command, rest @ ..] = args.as_slice()
        && rest.iter().any(|a| a == "-h" || a == "--help")
    {
        match help(command) {
            Some(text) => {
                print!("usage: cargo xtask {command} [options]\n\n{text}");
                return ExitCode::SUCCESS;
            }
            None => {
                eprintln!("error: unknown command `{command}`\n\n{USAGE}");
                return ExitCode::FAILURE;
            }
        }
    }
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(&args[1..]),
        Some("stripe") => stripe::run(&args[1..]),
        Some("contract") => contract::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("bench-server") => load::run(&args[1..]),
        Some("bench-validate") => bench::validate(&args[1..]),
        Some("bench-build") => bench::build_vs_peer(&args[1..]),
        Some("bench-stream") => bench::stream(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("respect") => respect::run(&args[1..]),
        Some("tls-cert") => tls_cert(&args[1..]),
        Some("diff") => spec_diff::run(&args[1..]),
        Some("bundle") => bundle(&args[1..]),
        Some("bench-diff") => spec_diff::bench(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The part of [`USAGE`] that describes `command`: its line and the
/// indented lines after it.
fn help(command: &str) -> Option<String> {
    let mut lines = USAGE.lines().skip_while(|l| l.strip_prefix("  ").and_then(|l| l.split_whitespace().next()) != Some(command));
    let first = lines.next()?;
    let rest = lines.take_while(|l| l.starts_with("      ") || l.starts_with("             "));
    Some(std::iter::once(first).chain(rest).map(|l| format!("{l}\n")).collect())
}

/// `cargo xtask bundle SPEC [--out FILE] [--allow-outside]`: the tree
/// rooted at SPEC as one document.
fn bundle(args: &[String]) -> Result<ExitCode, String> {
    let mut args = args.to_vec();
    let out = take_value(&mut args, "--out")?;
    let options = tree_options(&mut args)?;
    let [spec] = args.as_slice() else { return Err(format!("bundle takes one spec\n\n{USAGE}")) };
    let doc = openapi_codegen::bundle::bundle(std::path::Path::new(spec), &options).map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
    match out {
        Some(path) => {
            std::fs::write(&path, text).map_err(|e| format!("cannot write {path}: {e}"))?;
            eprintln!("bundle: wrote {path}");
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask tls-cert DIR`: a self-signed certificate and its key, for
/// serving the reference server over HTTPS on this machine.
fn tls_cert(args: &[String]) -> Result<ExitCode, String> {
    let [dir] = args else { return Err(format!("tls-cert takes one directory\n\n{USAGE}")) };
    let dir = PathBuf::from(dir);
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, text) in [("cert.pem", made.cert.pem()), ("key.pem", made.signing_key.serialize_pem())] {
        std::fs::write(dir.join(name), text).map_err(|e| format!("cannot write {}: {e}", dir.join(name).display()))?;
    }
    println!("tls-cert: wrote {0}/cert.pem and {0}/key.pem", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// How a spec split across files is read: `--allow-outside` and any
/// number of `--map URL_PREFIX=FOLDER` (a local copy of what a URL
/// reference names), taken out of `args`.
pub fn tree_options(args: &mut Vec<String>) -> Result<openapi_codegen::bundle::Options, String> {
    let mut options = openapi_codegen::bundle::Options { allow_outside: take_flag(args, "--allow-outside"), ..Default::default() };
    while let Some(map) = take_value(args, "--map")? {
        options.mappings.push(openapi_kit::cli::parse_mapping(&map).map_err(|e| format!("--map: {e}"))?);
    }
    Ok(options)
}

/// Takes the value of `--flag VALUE` out of `args`.
///
/// The xtask reads its arguments with these two functions rather than with
/// clap: every subcommand takes a few `--flag VALUE` options in any order,
/// the usage text above is the one place they are described, and the
/// xtask is compiled on the first `cargo xtask` of every fresh clone and CI
/// run, where clap's derive would be one more proc-macro build for that.
pub fn take_value(args: &mut Vec<String>, flag: &str) -> Result<Option<String>, String> {
    let Some(at) = args.iter().position(|a| a == flag) else { return Ok(None) };
    if at + 1 >= args.len() {
        return Err(format!("{flag} needs a value"));
    }
    let value = args.remove(at + 1);
    args.remove(at);
    Ok(Some(value))
}

/// Takes `--flag` out of `args`.
pub fn take_flag(args: &mut Vec<String>, flag: &str) -> bool {
    match args.iter().position(|a| a == flag) {
        Some(at) => {
            args.remove(at);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{USAGE, help};

    #[test]
    fn each_command_has_its_own_help_and_only_its_own() {
        let codegen = help("codegen").unwrap();
        assert!(codegen.starts_with("  codegen ") && codegen.contains("--check") && codegen.contains("--bump"), "{codegen}");
        assert!(!codegen.contains("contract"), "{codegen}");
        let server = help("bench-server").unwrap();
        assert!(server.contains("--server-threads") && !server.contains("--millis"), "{server}");
        // `bench` is not mistaken for `bench-server` or `bench-diff`.
        let bench = help("bench").unwrap();
        assert!(bench.contains("--no-build") && !bench.contains("--connections"), "{bench}");
        assert_eq!(help("nope"), None);
        // Every command the usage lists has a help of its own.
        for line in USAGE.lines().filter(|l| l.starts_with("  ") && !l.starts_with("   ")) {
            let command = line.split_whitespace().next().unwrap();
            assert!(help(command).is_some_and(|h| h.lines().count() > 1), "{command}");
        }
    }
}
