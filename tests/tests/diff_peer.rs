//! The spec diff against an independent one, Redocly's (`redocly diff`,
//! from npm, pinned at `openapi_contract::npm::REDOCLY`), on before/after
//! pairs neither was written for: single changes of every kind a spec
//! evolves by (a property removed or made required, a type, an enum value,
//! a bound, a parameter, a status, a media type, a header, security...),
//! each at places of the project's specs picked by a seeded generator.
//!
//! For each pair: does Redocly rate it `major` (it breaks someone), and
//! does this project's diff report a breaking finding? The test prints a
//! table by kind and every disagreement, and holds the recall (of the pairs
//! Redocly calls major, the share this diff calls breaking) at its measured
//! floor. Where npm cannot install Redocly the test says so and passes
//! over, except under `CI`, where it fails.

use crate::mutate;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use contract_tests::root;
use mutate::Rng;
use openapi_codegen::{Document, escape_segment};
use openapi_contract::evolution::{self, Level};
use openapi_contract::{Spec, npm};
use serde_json::{Value, json};

/// Recall this diff must keep: measured, see the README.
const RECALL_FLOOR: f64 = 0.95;

/// How many places each kind of change is tried at, per spec.
const PER_KIND: usize = 3;

fn redocly() -> Option<PathBuf> {
    match npm::install(&root().join("target/redocly"), npm::REDOCLY, "redocly", "REDOCLY") {
        Ok(binary) => Some(binary),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("SKIPPED: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// Schemas worth changing: the component schemas and their properties
/// (one level down), by pointer.
fn schema_places(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (name, schema) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
        let at = format!("/components/schemas/{}", escape_segment(name));
        out.push(at.clone());
        for (property, _) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            out.push(format!("{at}/properties/{}", escape_segment(property)));
        }
    }
    out
}

/// Operations, by pointer.
fn operations(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() {
                out.push(format!("/paths/{}/{method}", escape_segment(path)));
            }
        }
    }
    out
}

type Change = fn(&mut Value, &str) -> bool;

fn at<'a>(doc: &'a mut Value, pointer: &str) -> Option<&'a mut serde_json::Map<String, Value>> {
    doc.pointer_mut(pointer).and_then(Value::as_object_mut)
}

/// The kinds of change: (name, where it applies, what it does).
fn kinds() -> Vec<(&'static str, bool, Change)> {
    // `true`: at a schema place; `false`: at an operation.
    vec![
        ("property removed", true, |d, p| {
            let Some(s) = at(d, p) else { return false };
            let Some(Value::Object(props)) = s.get_mut("properties") else { return false };
            let Some(k) = props.keys().next().cloned() else { return false };
            props.remove(&k);
            true
        }),
        ("property made required", true, |d, p| {
            let Some(s) = at(d, p) else { return false };
            let required: Vec<Value> = s.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
            let Some(k) = s.get("properties").and_then(Value::as_object).and_then(|m| m.keys().find(|k| !required.contains(&json!(k))).cloned()) else { return false };
            s.entry("required").or_insert_with(|| json!([])).as_array_mut().map(|r| r.push(json!(k))).is_some()
        }),
        ("property made optional", true, |d, p| {
            let Some(s) = at(d, p) else { return false };
            s.get_mut("required").and_then(Value::as_array_mut).is_some_and(|r| r.pop().is_some())
        }),
        ("type changed", true, |d, p| {
            let Some(s) = at(d, p) else { return false };
            let to = match s.get("type").and_then(Value::as_str) {
                Some("string") => "integer",
                Some("integer" | "number" | "boolean") => "string",
                _ => return false,
            };
            s.remove("format");
            s.remove("enum");
            s.insert("type".into(), json!(to));
            true
        }),
        ("enum value removed", true, |d, p| at(d, p).and_then(|s| s.get_mut("enum")).and_then(Value::as_array_mut).is_some_and(|e| e.len() > 1 && e.pop().is_some())),
        ("enum value added", true, |d, p| {
            at(d, p).and_then(|s| s.get_mut("enum")).and_then(Value::as_array_mut).is_some_and(|e| {
                let string = e.iter().all(Value::is_string);
                e.push(if string { json!("a_new_value") } else { json!(987_654) });
                true
            })
        }),
        ("bound tightened", true, |d, p| {
            let Some(s) = at(d, p) else { return false };
            for key in ["maxLength", "maximum", "maxItems"] {
                if let Some(n) = s.get(key).and_then(Value::as_f64).filter(|n| *n >= 2.0) {
                    s.insert(key.into(), json!((n / 2.0).floor() as i64));
                    return true;
                }
            }
            false
        }),
        ("bound loosened", true, |d, p| {
            let Some(s) = at(d, p) else { return false };
            for key in ["maxLength", "maximum", "maxItems"] {
                if let Some(n) = s.get(key).and_then(Value::as_f64).filter(|n| *n >= 1.0) {
                    s.insert(key.into(), json!((n * 2.0) as i64));
                    return true;
                }
            }
            false
        }),
        ("maxLength added", true, |d, p| {
            let Some(s) = at(d, p) else { return false };
            if s.get("type") != Some(&json!("string")) || s.contains_key("maxLength") || s.contains_key("enum") {
                return false;
            }
            s.insert("maxLength".into(), json!(3));
            true
        }),
        ("pattern added", true, |d, p| {
            let Some(s) = at(d, p) else { return false };
            if s.get("type") != Some(&json!("string")) || s.contains_key("pattern") || s.contains_key("enum") || s.contains_key("format") {
                return false;
            }
            s.insert("pattern".into(), json!("^[a-z]+$"));
            true
        }),
        ("nullable removed", true, |d, p| at(d, p).is_some_and(|s| s.remove("nullable") == Some(json!(true)))),
        ("nullable added", true, |d, p| {
            let Some(s) = at(d, p) else { return false };
            if !s.contains_key("type") || s.contains_key("nullable") {
                return false;
            }
            s.insert("nullable".into(), json!(true));
            true
        }),
        ("operation removed", false, |d, p| {
            let (item, method) = p.rsplit_once('/').unwrap_or_default();
            at(d, item).is_some_and(|i| i.remove(method).is_some())
        }),
        ("success status removed", false, |d, p| {
            let Some(responses) = at(d, &format!("{p}/responses")) else { return false };
            let Some(status) = responses.keys().find(|s| s.starts_with('2')).cloned() else { return false };
            responses.remove(&status);
            if responses.is_empty() {
                responses.insert("default".into(), json!({"description": "error"}));
            }
            true
        }),
        ("response media type removed", false, |d, p| {
            let Some(responses) = at(d, &format!("{p}/responses")) else { return false };
            for response in responses.values_mut() {
                if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
                    && let Some(media) = content.keys().next().cloned()
                {
                    content.remove(&media);
                    content.insert("application/xml".into(), json!({"schema": {"type": "string"}}));
                    return true;
                }
            }
            false
        }),
        ("parameter made required", false, |d, p| {
            let Some(params) = d.pointer_mut(&format!("{p}/parameters")).and_then(Value::as_array_mut) else { return false };
            params.iter_mut().filter_map(Value::as_object_mut).find(|q| q.get("required") != Some(&json!(true)) && q.contains_key("name")).map(|q| q.insert("required".into(), json!(true))).is_some()
        }),
        ("parameter removed", false, |d, p| {
            let Some(params) = d.pointer_mut(&format!("{p}/parameters")).and_then(Value::as_array_mut) else { return false };
            let Some(i) = params.iter().position(|q| q.get("in") == Some(&json!("query"))) else { return false };
            params.remove(i);
            true
        }),
        ("required query parameter added", false, |d, p| {
            let Some(op) = at(d, p) else { return false };
            let params = op.entry("parameters").or_insert_with(|| json!([]));
            params.as_array_mut().map(|list| list.push(json!({"name": "region", "in": "query", "required": true, "schema": {"type": "string"}}))).is_some()
        }),
        ("parameter moved to a header", false, |d, p| {
            let Some(params) = d.pointer_mut(&format!("{p}/parameters")).and_then(Value::as_array_mut) else { return false };
            params.iter_mut().filter_map(Value::as_object_mut).find(|q| q.get("in") == Some(&json!("query"))).map(|q| q.insert("in".into(), json!("header"))).is_some()
        }),
        ("request body made required", false, |d, p| {
            let Some(body) = at(d, &format!("{p}/requestBody")) else { return false };
            if body.get("required") == Some(&json!(true)) {
                return false;
            }
            body.insert("required".into(), json!(true));
            true
        }),
        ("security added", false, |d, p| {
            let Some(op) = at(d, p) else { return false };
            op.insert("security".into(), json!([{"peer_key": []}]));
            let schemes = d.pointer_mut("/components").and_then(Value::as_object_mut).map(|c| c.entry("securitySchemes").or_insert_with(|| json!({})));
            schemes.and_then(Value::as_object_mut).map(|s| s.insert("peer_key".into(), json!({"type": "apiKey", "in": "header", "name": "X-Peer-Key"}))).is_some()
        }),
    ]
}

struct Pair {
    kind: &'static str,
    place: String,
    old: Value,
    new: Value,
}

fn pairs() -> Vec<Pair> {
    let mut out = Vec::new();
    let specs = [
        "spec/checkout_sessions.yaml",
        "tests/fixtures/pets.yaml",
        "tests/fixtures/params.yaml",
        "tests/openapi31/redocly-museum.openapi.yaml",
        "tests/openapi31/frigate-api.yaml",
    ];
    for (i, file) in specs.iter().enumerate() {
        let path = root().join(file);
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let original = openapi_codegen::parse_yaml(&text).unwrap();
        let (schemas, ops) = (schema_places(&original), operations(&original));
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1));
        for (kind, on_schema, change) in kinds() {
            let places = if on_schema { &schemas } else { &ops };
            let mut tried = 0;
            let mut made = 0;
            while made < PER_KIND && tried < places.len().min(60) {
                tried += 1;
                let place = &places[rng.below(places.len())];
                let mut new = original.clone();
                if change(&mut new, place) && out.iter().all(|p: &Pair| p.kind != kind || p.place != format!("{file}#{place}")) {
                    // Only documents both tools can read.
                    if Document::from_text("new.json", new.to_string()).is_err() {
                        continue;
                    }
                    out.push(Pair { kind, place: format!("{file}#{place}"), old: original.clone(), new });
                    made += 1;
                }
            }
        }
    }
    out
}

/// Redocly's rating of a pair: whether it is `major`, and its rule ids.
fn theirs(binary: &PathBuf, dir: &std::path::Path, pair: &Pair) -> (bool, Vec<String>) {
    let (old, new) = (dir.join("old.json"), dir.join("new.json"));
    std::fs::write(&old, serde_json::to_string_pretty(&pair.old).unwrap()).unwrap();
    std::fs::write(&new, serde_json::to_string_pretty(&pair.new).unwrap()).unwrap();
    let output = Command::new(binary).arg("diff").arg(&old).arg(&new).args(["--format", "json"]).current_dir(dir).output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{}: redocly said {e}: {}", pair.place, String::from_utf8_lossy(&output.stderr)));
    let mut rules = Vec::new();
    for change in report["changes"].as_array().into_iter().flatten() {
        for verdict in change["verdicts"].as_array().into_iter().flatten() {
            if verdict["impact"] == "major" {
                rules.push(verdict["ruleId"].as_str().unwrap_or_default().to_owned());
            }
        }
    }
    (report["summary"]["major"].as_u64().unwrap_or(0) > 0, rules)
}

/// This project's: whether a finding is breaking, and the breaking ids.
fn ours(pair: &Pair) -> (bool, Vec<String>) {
    let spec = |v: &Value| Spec::new(Document::from_text("pair.json", v.to_string()).unwrap());
    let report = evolution::compare(&mut spec(&pair.old), &mut spec(&pair.new)).unwrap();
    let ids: Vec<String> = report.findings.iter().filter(|f| f.level == Level::Breaking).map(|f| f.id.clone()).collect();
    (!ids.is_empty(), ids)
}

#[test]
fn breaking_changes_redocly_finds_this_diff_finds_too() {
    let Some(binary) = redocly() else { return };
    let dir = std::env::temp_dir().join(format!("diff-peer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pairs = pairs();
    assert!(pairs.len() >= 40, "{} pairs", pairs.len());
    // kind -> (pairs, theirs major, ours breaking, both)
    let mut table: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    let mut missed = Vec::new();
    let mut beyond = Vec::new();
    for pair in &pairs {
        let (major, their_rules) = theirs(&binary, &dir, pair);
        let (breaking, our_ids) = ours(pair);
        let row = table.entry(pair.kind).or_default();
        row[0] += 1;
        row[1] += major as usize;
        row[2] += breaking as usize;
        row[3] += (major && breaking) as usize;
        if major && !breaking {
            missed.push(format!("{} at {}: Redocly {their_rules:?}", pair.kind, pair.place));
        }
        if breaking && !major {
            beyond.push(format!("{} at {}: ours {our_ids:?}", pair.kind, pair.place));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{:<32} {:>5} {:>8} {:>8} {:>5}", "change", "pairs", "Redocly", "ours", "both");
    let mut sums = [0; 4];
    for (kind, row) in &table {
        println!("{kind:<32} {:>5} {:>8} {:>8} {:>5}", row[0], row[1], row[2], row[3]);
        for i in 0..4 {
            sums[i] += row[i];
        }
    }
    println!("{:<32} {:>5} {:>8} {:>8} {:>5}", "all", sums[0], sums[1], sums[2], sums[3]);
    let recall = sums[3] as f64 / sums[1].max(1) as f64;
    println!("recall of Redocly's major changes: {} of {} ({:.1}%)", sums[3], sums[1], recall * 100.0);
    println!("breaking here, not major for Redocly: {}", beyond.len());
    for line in &beyond {
        println!("  beyond: {line}");
    }
    for line in &missed {
        println!("  missed: {line}");
    }
    assert!(sums[1] > 20, "Redocly rated {} pairs major: the corpus says too little", sums[1]);
    assert!(recall >= RECALL_FLOOR, "recall {recall:.3} below {RECALL_FLOOR}: {missed:#?}");
}
