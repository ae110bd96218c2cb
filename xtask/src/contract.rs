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
//! default spec, a freshly generated one for any other. The checks are
//! `openapi_kit::contract` (the `openapi-kit contract` command); this file
//! reads the xtask's flags and gives this repository's defaults.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use openapi_contract::client;
use openapi_kit::cli::{parse_header, parse_input, parse_timeout};
use openapi_kit::contract::{Settings, TypesCrate};

use crate::codegen::DEFAULT_SPEC;
use crate::{root, take_value};

/// The crate of the project's spec (`generated/`), or one generated from
/// another spec under `target/contract`.
fn types(spec: Option<&PathBuf>) -> TypesCrate {
    match spec {
        None => TypesCrate::Existing(root().join("generated"), "checkout-sessions".to_owned()),
        Some(path) => TypesCrate::Generate(path.clone()),
    }
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut args = args.to_vec();
    let spec_arg = take_value(&mut args, "--spec")?.map(PathBuf::from);
    let mut settings = Settings { server: take_value(&mut args, "--server")?, api_key: take_value(&mut args, "--api-key")?, ..Settings::default() };
    while let Some(file) = take_value(&mut args, "--workflows")? {
        settings.workflows.push(PathBuf::from(file));
    }
    while let Some(input) = take_value(&mut args, "--input")? {
        let (name, value) = parse_input(&input).map_err(|e| format!("--input: {e}"))?;
        settings.inputs.insert(name, value);
    }
    while let Some(header) = take_value(&mut args, "--header")? {
        settings.headers.push(parse_header(&header).map_err(|e| format!("--header: {e}"))?);
    }
    while let Some(file) = take_value(&mut args, "--ca-cert")? {
        settings.client.ca_certs.push(PathBuf::from(file));
    }
    if let Some(seconds) = take_value(&mut args, "--timeout")? {
        settings.client.timeout = Duration::from_secs_f64(parse_timeout(&seconds).map_err(|e| format!("--timeout: {e}"))?);
    }
    if let Some(proxy) = take_value(&mut args, "--proxy")? {
        settings.client.proxy = if proxy == "none" { client::Proxy::None } else { client::Proxy::All(proxy) };
    }
    if let Some(n) = take_value(&mut args, "--negative")? {
        settings.negative.per_operation = n.parse().map_err(|_| "--negative needs a count")?;
    }
    if let Some(seed) = take_value(&mut args, "--seed")? {
        settings.negative.seed = seed.parse().map_err(|_| "--seed needs a number")?;
    }
    settings.fixtures = take_value(&mut args, "--fixtures")?.map(PathBuf::from);
    settings.junit = take_value(&mut args, "--junit")?.map(PathBuf::from);
    settings.json = take_value(&mut args, "--json")?.map(PathBuf::from);
    settings.cases = take_value(&mut args, "--cases")?.map_or(Ok(64), |v| v.parse().map_err(|_| "--cases needs a number"))?;
    if let Some(extra) = args.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    let path = spec_arg.clone().unwrap_or_else(|| root().join(DEFAULT_SPEC));
    openapi_kit::contract::execute(&path, &types(spec_arg.as_ref()), &root().join("target/contract"), Some(&root().join("Cargo.lock")), settings)
}
