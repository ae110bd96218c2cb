//! The official JSON Schema Test Suite (draft 2020-12, vendored in
//! `tests/json-schema-suite` with its licence and commit) against the
//! validator: every file, with the suite's remote documents served from a
//! [`Registry`] at `http://localhost:1234/` (no network).
//!
//! `format` is an annotation in the required files and an assertion in
//! `optional/format/`, as the suite says. The test prints the per-file
//! table (`cargo test -p contract-tests --test json_schema_suite --
//! --nocapture`) and fails when a test outside [`KNOWN_FAILURES`] fails or
//! one inside it passes (so the list is always the truth).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use contract_tests::root;
use openapi_contract::{Direction, Registry, Validator};
use serde_json::Value;

/// Required tests the validator fails, as `file: group / test`.
const KNOWN_FAILURES: &[&str] = &[];

/// Optional files whose failures are listed but not held against the
/// validator (the figure is compared with Python's jsonschema instead).
fn optional(file: &str) -> bool {
    file.starts_with("optional/")
}

fn suite() -> PathBuf {
    root().join("tests/json-schema-suite")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn registry() -> Registry {
    let mut registry = Registry::new();
    let remotes = suite().join("remotes");
    let mut all = Vec::new();
    files(&remotes, &mut all);
    for path in all {
        let relative = path.strip_prefix(&remotes).unwrap().to_string_lossy().replace('\\', "/");
        let document: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        registry.insert(&format!("http://localhost:1234/{relative}"), document);
    }
    registry
}

/// Runs one file: (passed, total, failures).
fn run_file(path: &Path, file: &str, registry: &Registry) -> (usize, usize, Vec<String>) {
    let groups: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let formats = file.starts_with("optional/format/");
    let (mut passed, mut total, mut failures) = (0, 0, Vec::new());
    for group in &groups {
        let description = group["description"].as_str().unwrap_or_default();
        let mut validator = Validator::json_schema(group["schema"].clone(), registry.clone()).check_formats(formats);
        let compiled = validator.compile("#");
        for test in group["tests"].as_array().unwrap() {
            total += 1;
            let name = format!("{file}: {description} / {}", test["description"].as_str().unwrap_or_default());
            let expected = test["valid"].as_bool().unwrap();
            let verdict = match &compiled {
                Ok(id) => {
                    let fast = validator.is_valid(*id, &test["data"], Direction::Neutral);
                    let full = validator.validate(*id, &test["data"], Direction::Neutral);
                    // The fast pass and the full one agree, and the full
                    // one says why.
                    assert_eq!(fast, full.is_ok(), "{name}: the two passes disagree");
                    assert!(full.as_ref().err().is_none_or(|e| !e.is_empty()), "{name}: invalid without an error");
                    Some(fast)
                }
                Err(_) => None,
            };
            if verdict == Some(expected) {
                passed += 1;
            } else {
                let why = match &compiled {
                    Err(e) => format!(" (refused: {e})"),
                    Ok(_) => String::new(),
                };
                failures.push(format!("{name}{why}"));
            }
        }
    }
    (passed, total, failures)
}

#[test]
fn the_validator_passes_the_json_schema_test_suite() {
    let tests = suite().join("tests/draft2020-12");
    let mut all = Vec::new();
    files(&tests, &mut all);
    let registry = registry();
    let mut required = (0, 0);
    let mut optional_total = (0, 0);
    let mut failed: BTreeSet<String> = BTreeSet::new();
    println!("{:<44} {:>7} {:>7}", "file (draft 2020-12)", "passed", "tests");
    for path in &all {
        let file = path.strip_prefix(&tests).unwrap().to_string_lossy().replace('\\', "/");
        // Each file on a thread of its own: a schema that nests deeply is
        // checked against the default stack, as a user's would be.
        let outcome = std::thread::scope(|s| s.spawn(|| run_file(path, &file, &registry)).join());
        let (passed, total, failures) = outcome.unwrap_or_else(|_| panic!("{file}: the validator panicked"));
        println!("{file:<44} {passed:>7} {total:>7}");
        let sum = if optional(&file) { &mut optional_total } else { &mut required };
        sum.0 += passed;
        sum.1 += total;
        for failure in failures {
            if optional(&file) {
                println!("    optional, failed: {failure}");
            } else {
                failed.insert(failure);
            }
        }
    }
    println!("required: {} of {} passed; optional: {} of {}", required.0, required.1, optional_total.0, optional_total.1);
    let known: BTreeSet<String> = KNOWN_FAILURES.iter().map(|s| (*s).to_owned()).collect();
    let new: Vec<&String> = failed.iter().filter(|f| !known.iter().any(|k| f.starts_with(k.as_str()))).collect();
    let fixed: Vec<&String> = known.iter().filter(|k| !failed.iter().any(|f| f.starts_with(k.as_str()))).collect();
    assert!(new.is_empty() && fixed.is_empty(), "failing and not listed: {new:#?}\nlisted and passing: {fixed:#?}");
    assert!(required.1 > 1000, "the suite was read: {} tests", required.1);
}
