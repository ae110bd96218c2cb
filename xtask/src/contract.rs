//! `cargo xtask contract`: the contract checks, for CI and for anyone's
//! server.
//!
//! 1. every example of the spec satisfies its schema;
//! 2. body and event examples round-trip through the generated types;
//! 3. generated values satisfy their schemas and round-trip;
//! 4. with `--server URL`, the spec's Arazzo workflows (`--workflows FILE`,
//!    by default the `*.arazzo.yaml` files beside the spec) against a live
//!    server, every request and response validated;
//! 5. with `--server URL`, generated requests that break one rule each
//!    (`--negative N` per operation, `--seed`), each expected to be refused
//!    with the spec's error response;
//!
//! and with `--fixtures FILE`, every fixture object validates and
//! round-trips. The generated types are reached through a small runner
//! binary (`openapi_contract::runner`): the project's own crate for the
//! default spec, a freshly generated one for any other.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use openapi_contract::arazzo::{self, run::Target};
use openapi_contract::checks::{self, Spec};
use openapi_contract::client;
use openapi_contract::runner::{self, Runner};
use openapi_contract::{Case, Report};

use crate::codegen::{DEFAULT_SPEC, Request, write};
use crate::{root, take_value};

/// Builds the runner for the crate generated from `spec`.
pub fn runner(spec: &Path, default: bool) -> Result<Runner, String> {
    let work = root().join("target/contract");
    let (crate_dir, name) = if default {
        (root().join("generated"), "checkout-sessions".to_owned())
    } else {
        let stem = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("spec").replace(|c: char| !c.is_ascii_alphanumeric(), "-");
        let dir = work.join(format!("crates/{stem}"));
        let command = format!("cargo xtask contract --spec {}", spec.display());
        let request = Request::standalone(spec, &dir, "api-under-contract", command, false);
        write(&request.generate()?)?;
        (dir, "api-under-contract".to_owned())
    };
    eprintln!("contract: building the round-trip runner against {} ...", crate_dir.display());
    let started = Instant::now();
    let lockfile = root().join("Cargo.lock");
    let runner_dir = work.join(format!("runner-{name}"));
    let binary = runner::build(&crate_dir, &name, &runner_dir, Some(&lockfile))?;
    eprintln!("contract: runner ready in {:.1?}", started.elapsed());
    Runner::start(&binary)
}

/// The Arazzo documents beside a spec: `<dir>/*.arazzo.yaml`, sorted.
fn beside(spec: &Path) -> Vec<PathBuf> {
    let dir = spec.parent().unwrap_or(Path::new("."));
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".arazzo.yaml") || n.ends_with(".arazzo.json")))
        .collect();
    found.sort();
    found
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut args = args.to_vec();
    let spec_arg = take_value(&mut args, "--spec")?;
    let server = take_value(&mut args, "--server")?;
    let api_key = take_value(&mut args, "--api-key")?;
    let mut workflows = Vec::new();
    while let Some(file) = take_value(&mut args, "--workflows")? {
        workflows.push(PathBuf::from(file));
    }
    let mut inputs = serde_json::Map::new();
    while let Some(input) = take_value(&mut args, "--input")? {
        let (name, value) = input.split_once('=').ok_or_else(|| format!("--input `{input}`: expected `name=value`"))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
        inputs.insert(name.to_owned(), value);
    }
    let mut headers = Vec::new();
    while let Some(header) = take_value(&mut args, "--header")? {
        let (name, value) = header.split_once(':').ok_or_else(|| format!("--header `{header}`: expected `Name: value`"))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut client_options = client::Options { timeout: Duration::from_secs(10), ..client::Options::default() };
    while let Some(file) = take_value(&mut args, "--ca-cert")? {
        client_options.ca_certs.push(PathBuf::from(file));
    }
    if let Some(seconds) = take_value(&mut args, "--timeout")? {
        let seconds: f64 = seconds.parse().ok().filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 3600.0).ok_or("--timeout needs seconds, over 0 and at most 3600")?;
        client_options.timeout = Duration::from_secs_f64(seconds);
    }
    if let Some(proxy) = take_value(&mut args, "--proxy")? {
        client_options.proxy = if proxy == "none" { client::Proxy::None } else { client::Proxy::All(proxy) };
    }
    let mut negative = openapi_contract::negative::Settings::default();
    if let Some(n) = take_value(&mut args, "--negative")? {
        negative.per_operation = n.parse().map_err(|_| "--negative needs a count")?;
    }
    if let Some(seed) = take_value(&mut args, "--seed")? {
        negative.seed = seed.parse().map_err(|_| "--seed needs a number")?;
    }
    let fixtures = take_value(&mut args, "--fixtures")?.map(PathBuf::from);
    let junit = take_value(&mut args, "--junit")?.map(PathBuf::from);
    let json = take_value(&mut args, "--json")?.map(PathBuf::from);
    let cases: u32 = take_value(&mut args, "--cases")?.map_or(Ok(64), |v| v.parse().map_err(|_| "--cases needs a number"))?;
    if let Some(extra) = args.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    let started = Instant::now();
    let default = spec_arg.is_none();
    let path = spec_arg.map(PathBuf::from).unwrap_or_else(|| root().join(DEFAULT_SPEC));
    let mut spec = Spec::load(&path).map_err(|e| e.to_string())?;
    let mut report = Report::default();

    report.cases.extend(checks::examples(&mut spec));
    let mut types = runner(&path, default)?;
    report.cases.extend(checks::round_trips(&spec, &mut types));
    let targets = checks::targets(&spec);
    report.cases.extend(checks::generated(&mut spec, &mut types, &targets, cases));
    if let Some(file) = &fixtures {
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        report.cases.extend(checks::fixtures(&mut spec, &mut types, &value, &file.display().to_string()));
    }
    if workflows.is_empty() {
        workflows = beside(&path);
    }
    match &server {
        Some(_) if workflows.is_empty() && negative.per_operation == 0 => {
            report.cases.push(Case::skipped("live", "workflows", "no Arazzo workflows: pass --workflows FILE"));
        }
        Some(url) => {
            // The key goes to workflows as the input `token`, and as an
            // `Authorization` header to steps that say nothing of security.
            let key = api_key.unwrap_or_else(|| "sk_test_reference".into());
            inputs.entry("token").or_insert_with(|| serde_json::Value::String(key.clone()));
            if !headers.iter().any(|(n, _): &(String, String)| n.eq_ignore_ascii_case("authorization")) {
                headers.push(("Authorization".into(), format!("Bearer {key}")));
            }
            let target = Target { base_url: url.clone(), headers, client: client::Client::new(&client_options)? };
            for file in &workflows {
                let shown = file.display().to_string();
                let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {shown}: {e}"))?;
                match arazzo::Document::load(&shown, &text, &spec.doc) {
                    Ok(doc) => report.cases.extend(arazzo::run::run_all(&doc, &mut spec, &target, &inputs)),
                    Err(problems) => {
                        let failures = problems.problems.iter().map(|p| format!("{shown}:{p}")).collect();
                        report.cases.push(Case::new("live", format!("workflows {shown}"), failures, Duration::ZERO));
                    }
                }
            }
            if negative.per_operation > 0 {
                report.cases.extend(openapi_contract::negative::run(&mut spec, &target, negative));
            }
        }
        None => report.cases.push(Case::skipped("live", "workflows", "no --server URL given")),
    }
    report.duration = started.elapsed();

    print!("{}", report.human());
    if let Some(file) = &junit {
        std::fs::write(file, report.junit()).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    }
    if let Some(file) = &json {
        let text = serde_json::to_string_pretty(&report.json()).unwrap_or_default();
        std::fs::write(file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    }
    Ok(if report.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
