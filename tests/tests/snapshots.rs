//! Snapshots of generated code: one per fixture spec (one mapping rule
//! each) and the whole output for the project's spec. The same fixture
//! output is compiled under `#![deny(warnings)]` by this crate's build.

use contract_tests::root;
use openapi_codegen::Generator;

fn types_of(path: &std::path::Path) -> String {
    let generator = Generator::new();
    let doc = generator.load(path).unwrap_or_else(|e| panic!("{e}"));
    let api = generator.build(&doc).unwrap_or_else(|e| panic!("{e}"));
    let modules = generator.modules(&api).unwrap_or_else(|e| panic!("{e}"));
    modules.into_iter().find(|(name, _)| *name == "types.rs").map(|(_, code)| code).expect("a types module")
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let dir = root().join("tests/fixtures");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    assert!(names.len() >= 15, "expected a fixture per mapping rule, found {}", names.len());
    for path in names {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(format!("fixture_{stem}"), types_of(&path));
    }
}

#[test]
fn default_spec_matches_its_snapshot() {
    insta::assert_snapshot!("checkout_sessions_types", types_of(&root().join("spec/checkout_sessions.yaml")));
}

/// Snapshots the modules `wanted` of the spec at `path`, named `prefix_<module>`.
fn snapshot_modules(path: &std::path::Path, prefix: &str, wanted: &[&str]) {
    let generator = Generator::new();
    let doc = generator.load(path).unwrap();
    let api = generator.build(&doc).unwrap();
    for (name, code) in generator.modules(&api).unwrap() {
        if wanted.contains(&name) {
            insta::assert_snapshot!(format!("{prefix}_{}", name.trim_end_matches(".rs")), code);
        }
    }
}

#[test]
fn client_server_and_webhooks_of_the_default_spec_match_their_snapshots() {
    let path = root().join("spec/checkout_sessions.yaml");
    snapshot_modules(&path, "checkout_sessions", &["client.rs", "server.rs", "webhooks.rs"]);
}

#[test]
fn fixture_operations_match_their_snapshots() {
    // The fixtures with operations: their client, server and schemas modules.
    for fixture in ["descriptions", "params", "responses"] {
        let path = root().join(format!("tests/fixtures/{fixture}.yaml"));
        snapshot_modules(&path, &format!("fixture_{fixture}"), &["client.rs", "server.rs", "schemas.rs"]);
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let path = root().join("spec/checkout_sessions.yaml");
    assert_eq!(types_of(&path), types_of(&path));
}
