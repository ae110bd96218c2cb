//! `cargo xtask stripe`: the generality bar. Generates a crate from the full
//! public Stripe spec, compiles it, and checks that every `checkout.session`
//! and `item` object in Stripe's fixtures deserializes into the generated
//! types and serializes back to the same JSON. The crate is built with its
//! `client`, `server` and `webhooks` features. With `--lint`, it must also pass clippy
//! and rustdoc with warnings denied.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::codegen::{Request, write};
use crate::root;

/// The test written into the generated crate: it walks the fixtures and
/// round-trips every object of the checked kinds.
const FIXTURE_TEST: &str = r#"//! Written by `cargo xtask stripe`: every fixture object of a checked kind
//! deserializes into its generated type and serializes back unchanged.

use serde_json::Value;

fn objects<'a>(value: &'a Value, kind: &str, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            if map.get("object").and_then(Value::as_str) == Some(kind) {
                out.push(value);
            }
            map.values().for_each(|v| objects(v, kind, out));
        }
        Value::Array(items) => items.iter().for_each(|v| objects(v, kind, out)),
        _ => {}
    }
}

fn check<T: serde::Serialize + serde::de::DeserializeOwned>(fixtures: &Value, kind: &str) -> usize {
    let mut found = Vec::new();
    objects(fixtures, kind, &mut found);
    assert!(!found.is_empty(), "no `{kind}` object in the fixtures");
    for object in &found {
        let typed: T = serde_json::from_value((*object).clone()).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let back = serde_json::to_value(&typed).unwrap();
        assert_eq!(&back, *object, "{kind} serializes back differently");
    }
    found.len()
}

#[test]
fn fixtures_round_trip() {
    let path = std::env::var("STRIPE_FIXTURES").expect("STRIPE_FIXTURES names the fixtures file");
    let fixtures: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let sessions = check::<crate_under_test::types::CheckoutSession>(&fixtures, "checkout.session");
    let items = check::<crate_under_test::types::Item>(&fixtures, "item");
    println!("round-tripped {sessions} checkout.session and {items} item objects");
}
"#;

/// `cargo xtask stripe`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec (default: spec/stripe/spec3.yaml).
    #[arg(long, value_name = "PATH")]
    spec: Option<PathBuf>,
    /// The fixtures (default: spec/stripe/fixtures3.json).
    #[arg(long, value_name = "PATH")]
    fixtures: Option<PathBuf>,
    /// Where the crate is written (default: target/stripe-check).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Also clippy -D warnings and rustdoc -D warnings.
    #[arg(long)]
    lint: bool,
}

pub fn run(args: Args) -> Result<ExitCode, String> {
    let lint = args.lint;
    let spec = args.spec.unwrap_or_else(|| root().join("spec/stripe/spec3.yaml"));
    let fixtures = args.fixtures.unwrap_or_else(|| root().join("spec/stripe/fixtures3.json"));
    let out = args.out.unwrap_or_else(|| root().join("target/stripe-check"));
    for file in [&spec, &fixtures] {
        if !file.exists() {
            return Err(format!("{} not found (pass --spec / --fixtures)", file.display()));
        }
    }
    let command = format!("cargo xtask stripe --spec {}", spec.display());
    let request = Request::standalone(&spec, &out, "crate-under-test", command, true);
    let started = Instant::now();
    let outputs = request.generate()?;
    let generated = started.elapsed();
    let bytes: usize = outputs.iter().map(|o| o.contents.len()).sum();
    write(&outputs)?;
    let tests = out.join("tests");
    std::fs::create_dir_all(&tests).map_err(|e| e.to_string())?;
    std::fs::write(tests.join("fixtures.rs"), FIXTURE_TEST).map_err(|e| e.to_string())?;
    println!("stripe: generated {} bytes in {generated:.1?} into {}", bytes, out.display());

    let target = root().join("target/stripe-target");
    let cargo = |subcommand: &[&str], rustdocflags: bool| -> Result<(), String> {
        let started = Instant::now();
        let mut command = openapi_contract::cargo();
        // `cargo <command> --manifest-path ... <options> [-- <test args>]`
        command
            .arg(subcommand[0])
            .arg("--manifest-path")
            .arg(out.join("Cargo.toml"))
            .args(&subcommand[1..])
            .env("CARGO_TARGET_DIR", &target)
            .env("STRIPE_FIXTURES", &fixtures);
        if rustdocflags {
            command.env("RUSTDOCFLAGS", "-D warnings");
        }
        let status = command.status().map_err(|e| format!("cannot run cargo: {e}"))?;
        println!("stripe: `cargo {}` took {:.1?}", subcommand.join(" "), started.elapsed());
        if status.success() { Ok(()) } else { Err(format!("`cargo {}` failed on the generated crate", subcommand.join(" "))) }
    };
    cargo(&["test", "--quiet", "--features", "client,server,webhooks", "--", "--nocapture"], false)?;
    if lint {
        cargo(&["clippy", "--quiet", "--all-targets", "--features", "client,server,webhooks", "--", "-D", "warnings"], false)?;
        cargo(&["doc", "--quiet", "--no-deps", "--features", "client,server,webhooks"], true)?;
    }
    println!("stripe: ok");
    Ok(ExitCode::SUCCESS)
}
