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
//! `openapi_kit::contract` (the `openapi-kit contract` command, whose flags
//! these are); this file gives this repository's defaults.

use std::path::PathBuf;
use std::process::ExitCode;

use openapi_kit::cli::LiveArgs;
use openapi_kit::contract::{Settings, TypesCrate};

use crate::codegen::DEFAULT_SPEC;
use crate::root;

/// `cargo xtask contract`: `openapi-kit contract`'s flags, the spec a
/// flag of its own (default: the project's).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Another spec (its crate is generated and built); default: the
    /// project's, read through generated/.
    #[arg(long, value_name = "PATH")]
    spec: Option<PathBuf>,
    /// Also check this live server (http:// or https://): Arazzo workflows
    /// and negative requests.
    #[arg(long, value_name = "URL", value_parser = openapi_kit::cli::parse_server)]
    server: Option<String>,
    #[command(flatten)]
    live: LiveArgs,
    /// Also check every object of a fixtures file.
    #[arg(long, value_name = "FILE")]
    fixtures: Option<PathBuf>,
    /// Generated values per schema.
    #[arg(long, value_name = "N", default_value_t = 64)]
    cases: u32,
}

/// The crate of the project's spec (`generated/`), or one generated from
/// another spec under `target/contract`.
fn types(spec: Option<&PathBuf>) -> TypesCrate {
    match spec {
        None => TypesCrate::Existing(root().join("generated"), "checkout-sessions".to_owned()),
        Some(path) => TypesCrate::Generate(path.clone()),
    }
}

pub fn run(args: Args) -> Result<ExitCode, String> {
    let settings = Settings { fixtures: args.fixtures, cases: args.cases, ..args.live.settings(args.server) };
    let path = args.spec.clone().unwrap_or_else(|| root().join(DEFAULT_SPEC));
    openapi_kit::contract::execute(&path, &types(args.spec.as_ref()), &root().join("target/contract"), Some(&root().join("Cargo.lock")), settings)
}
