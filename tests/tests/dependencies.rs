//! The generated crate pays only for what it uses: without features it
//! depends on `serde` and `serde_json` alone, and the docs' table of
//! features names exactly the crates each one adds (read from `cargo
//! metadata`, so the table cannot drift from the manifest).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use contract_tests::root;
use serde_json::Value;

fn metadata() -> Value {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline", "--manifest-path"])
        .arg(root().join("generated/Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The feature table of `docs/generated-crate.md`: feature → the crates its row names.
fn readme_table() -> BTreeMap<String, BTreeSet<String>> {
    let readme = std::fs::read_to_string(root().join("docs/generated-crate.md")).unwrap();
    let start = readme.find("| feature | what it adds | dependencies |").expect("the feature table");
    let mut out = BTreeMap::new();
    for line in readme[start..].lines().skip(2).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let feature = cells[1].trim_matches('`').to_owned();
        // The crates in backticks; "reqwest's rustls" is a feature of a
        // dependency, not a crate of its own.
        let crates = cells[3].split('`').skip(1).step_by(2).map(str::to_owned).collect();
        out.insert(feature, crates);
    }
    out
}

#[test]
fn the_types_alone_need_serde_and_the_docs_name_what_each_feature_adds() {
    let metadata = metadata();
    let package = metadata["packages"].as_array().unwrap().iter().find(|p| p["name"] == "checkout-sessions").expect("the generated crate");
    let always: BTreeSet<&str> = package["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"].is_null() && d["optional"] == false)
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(always, BTreeSet::from(["serde", "serde_json"]));
    let features = package["features"].as_object().unwrap();
    assert_eq!(features["default"], Value::Array(Vec::new()), "no default features");
    let table = readme_table();
    let declared: BTreeSet<&str> = features.keys().map(String::as_str).filter(|f| *f != "default").collect();
    assert_eq!(table.keys().map(String::as_str).collect::<BTreeSet<_>>(), declared, "a row per feature");
    for (feature, crates) in &table {
        let own: BTreeSet<String> =
            features[feature].as_array().unwrap().iter().filter_map(|d| d.as_str()?.strip_prefix("dep:")).map(str::to_owned).collect();
        assert_eq!(&own, crates, "the docs' `{feature}` row");
    }
}
