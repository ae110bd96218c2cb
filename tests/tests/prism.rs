//! The generated client against an independent mock server, Prism
//! (`openapi_contract::prism`): for the project's spec, every fixture spec
//! with operations and the vendored real OpenAPI 3.1 specs, every
//! operation is called with valid inputs and the credentials its schemes
//! take; Prism must find nothing wrong with any request, and the client
//! must read every answer into the declared type. What Prism itself cannot
//! do is listed, with the reason for each entry, in `tests/prism/skips.yaml`.
//!
//! Prism comes from npm (pinned, installed under `target/prism` when
//! missing). Where npm cannot install it the test says so and passes over,
//! except under `CI`, where it fails.

use std::path::PathBuf;

use contract_tests::root;
use openapi_contract::prism::{self, Skip};
use openapi_contract::{Case, Spec};

/// The specs, by name.
fn specs() -> Vec<(String, PathBuf)> {
    let mut out = vec![("checkout_sessions".to_owned(), root().join("spec/checkout_sessions.yaml"))];
    let fixtures = [
        "big_numbers", "descriptions", "extensions", "locations", "media", "no_components", "no_schemas", "openapi31_extensions",
        "openapi31_keywords", "params", "pets", "responses", "schemes", "union", "unusual_shapes",
    ];
    for name in fixtures {
        out.push((name.to_owned(), root().join(format!("tests/fixtures/{name}.yaml"))));
    }
    for path in [
        "tests/openapi31/frigate-api.yaml",
        "tests/openapi31/redocly-museum.openapi.yaml",
        "tests/openapi31/scalar-galaxy-3.1.json",
        "tests/openapi31/oai-examples/tictactoe.yaml",
    ] {
        let name = std::path::Path::new(path).file_name().unwrap().to_string_lossy().split('.').next().unwrap().to_owned();
        out.push((name, root().join(path)));
    }
    out
}

/// `tests/prism/skips.yaml`: what Prism cannot do (`prism`), and what the
/// generated client does not do yet (`pending`), each entry with its reason.
fn skips() -> Vec<Skip> {
    let text = std::fs::read_to_string(root().join("tests/prism/skips.yaml")).unwrap();
    let file = openapi_codegen::parse_yaml(&text).unwrap();
    let mut out = Vec::new();
    for (kind, label) in [("prism", "Prism"), ("pending", "pending")] {
        for e in file[kind].as_array().into_iter().flatten() {
            let text = |key: &str| e[key].as_str().unwrap_or_else(|| panic!("{kind} entry without `{key}`: {e}")).to_owned();
            out.push(Skip {
                spec: text("spec"),
                operation: text("operation"),
                contains: text("contains"),
                reason: format!("{label}: {}", text("reason")),
            });
        }
    }
    out
}

/// Prism, or `None` (said) where npm cannot install it outside CI;
/// installed once for the tests of this file.
fn prism() -> Option<PathBuf> {
    static INSTALLED: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    match INSTALLED.get_or_init(|| prism::install(&root().join("target/prism/node"))).clone() {
        Ok(prism) => Some(prism),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("SKIPPED: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// The driver over every spec, built once for the tests of this file.
fn driver() -> &'static (PathBuf, Vec<(String, openapi_codegen::ir::Api)>) {
    static DRIVER: std::sync::OnceLock<(PathBuf, Vec<(String, openapi_codegen::ir::Api)>)> = std::sync::OnceLock::new();
    DRIVER.get_or_init(|| {
        prism::build_driver(&root().join("target/prism/probe"), &specs(), &root().join("Cargo.lock")).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The check fails where it should: the pets client against a pets spec
/// that requires a query parameter the client does not know, and whose
/// pet has a string `id` where the client reads an integer.
#[test]
fn a_request_or_answer_that_breaks_the_spec_fails_the_check() {
    let Some(prism) = prism() else { return };
    let (driver, apis) = driver();
    let (_, api) = apis.iter().find(|(name, _)| name == "pets").unwrap();
    let path = root().join("tests/fixtures/pets.yaml");
    let mut spec = Spec::load(&path).unwrap();
    let calls = prism::calls(&mut spec, api, 1);
    let mut broken = openapi_codegen::parse_yaml(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let list = broken.pointer_mut("/paths/~1pets/get/parameters").and_then(|p| p.as_array_mut()).unwrap();
    list.push(serde_json::json!({"name": "owner", "in": "query", "required": true, "schema": {"type": "string"}}));
    *broken.pointer_mut("/components/schemas/Pet/properties/id").unwrap() = serde_json::json!({"type": "string", "enum": ["not-a-number"]});
    let file = std::env::temp_dir().join(format!("broken-pets-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_vec(&broken).unwrap()).unwrap();
    let cases = prism::check(&prism, driver, "pets", &file, &calls, &[]);
    let _ = std::fs::remove_file(&file);
    let failures = |name: &str| cases.iter().find(|c| c.name.contains(name)).map(|c| c.failures.join(" | ")).unwrap();
    assert!(failures("list_pets").contains("must have required property 'owner'"), "{cases:#?}");
    assert!(failures("get_pet").contains("cannot decode"), "{cases:#?}");
}

#[test]
fn every_operation_of_every_spec_passes_prism() {
    let Some(prism) = prism() else { return };
    let specs = specs();
    let (driver, apis) = driver();
    let skips = skips();
    let mut cases: Vec<Case> = Vec::new();
    for ((name, path), (_, api)) in specs.iter().zip(apis) {
        let mut spec = Spec::load(path).unwrap_or_else(|e| panic!("{e}"));
        let calls = prism::calls(&mut spec, api, 1);
        cases.extend(prism::check(&prism, driver, name, path, &calls, &skips));
    }
    for case in &cases {
        let verdict = if case.passed() { "pass".to_owned() } else if let Some(why) = &case.skipped { format!("skip: {why}") } else { format!("FAIL: {}", case.failures.join(" | ")) };
        println!("{:<70} {verdict}", case.name);
    }
    let passed = cases.iter().filter(|c| c.passed()).count();
    let skipped = |kind: &str| cases.iter().filter(|c| c.skipped.as_ref().is_some_and(|why| why.starts_with(kind))).count();
    let failed = cases.iter().filter(|c| c.failed()).count();
    println!(
        "{passed} passed, {} skipped for Prism's limits, {} pending the client's, {failed} failed, of {} client methods in {} specs",
        skipped("Prism"),
        skipped("pending"),
        cases.len(),
        specs.len()
    );
    let failed: Vec<String> = cases.iter().filter(|c| c.failed()).map(|c| format!("{}: {}", c.name, c.failures.join(" | "))).collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    // No entry of the skip list is stale: each still explains something
    // (a pending one that nothing needs any more is work done).
    let stale: Vec<&str> = skips
        .iter()
        .filter(|s| !cases.iter().any(|c| c.skipped.as_ref().is_some_and(|why| why.contains(&s.reason))))
        .map(|s| s.reason.as_str())
        .collect();
    assert!(stale.is_empty(), "entries of tests/prism/skips.yaml that excuse nothing now: {stale:#?}");
    // The check saw every method of every spec: one per operation, and one
    // per other media type of a success.
    let methods: usize = apis
        .iter()
        .flat_map(|(_, api)| &api.operations)
        .map(|op| 1 + op.success().map_or(0, |r| r.others.len()))
        .sum();
    assert_eq!(cases.len(), methods);
}
