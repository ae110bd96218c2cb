//! The contract checks on the project's spec, and each check failing on a
//! deliberately broken input.

mod common;

use common::types::Generated;
use openapi_contract::checks::{self, Spec};
use openapi_contract::{Case, Types};
use serde_json::{Value, json};

fn spec() -> Spec {
    Spec::load(&contract_tests::root().join("spec/checkout_sessions.yaml")).unwrap()
}

fn failures(cases: &[Case]) -> Vec<String> {
    cases.iter().filter(|c| c.failed()).flat_map(|c| c.failures.iter().map(move |f| format!("{}: {f}", c.name))).collect()
}

/// The spec with the value at `pointer` (in the raw document) replaced.
fn mutated(pointer: &str, value: Value) -> Spec {
    let mut spec = spec();
    *spec.doc.raw.pointer_mut(pointer.trim_start_matches('#')).unwrap_or_else(|| panic!("{pointer}")) = value;
    Spec::new(spec.doc)
}

#[test]
fn every_example_of_the_spec_satisfies_its_schema() {
    let mut spec = spec();
    let cases = checks::examples(&mut spec);
    assert!(cases.len() >= 20, "{} examples", cases.len());
    assert_eq!(failures(&cases), Vec::<String>::new());
    let kinds: std::collections::BTreeSet<String> = spec.examples.examples.iter().map(|e| format!("{:?}", e.kind).split([' ', '{']).next().unwrap().to_owned()).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["Event", "Parameter", "Request", "Response", "Schema"]);
}

#[test]
fn a_mutated_example_fails_with_its_line_and_paths() {
    let mut spec = mutated("#/components/examples/session/value/status", json!("paid"));
    let cases = checks::examples(&mut spec);
    let found = failures(&cases);
    // The session example is used by create and retrieve.
    assert_eq!(found.len(), 2, "{found:#?}");
    let line = spec.place("#/components/examples/session/value/status");
    assert!(line.starts_with(&format!("{}:", spec.doc.source)) && line.len() > spec.doc.source.len() + 3, "{line}");
    assert!(
        found[0].contains(&format!("{line}/status: expected one of \"complete\", \"expired\", \"open\", null, found string \"paid\"")),
        "{found:#?}"
    );
    assert!(found[0].contains("(at #/components/schemas/checkout.session/properties/status/enum)"), "{found:#?}");
}

#[test]
fn a_missing_required_field_and_a_wrong_type_are_both_reported() {
    let mut spec = spec();
    let example = spec.doc.raw.pointer_mut("/components/examples/line_item_list/value/data/0").unwrap();
    example.as_object_mut().unwrap().remove("quantity");
    example["amount_total"] = json!("1999");
    let mut spec = Spec::new(spec.doc);
    let found = failures(&checks::examples(&mut spec));
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().any(|f| f.contains("/data/0: expected required property `quantity`, found nothing")), "{found:#?}");
    assert!(found.iter().any(|f| f.contains("/data/0/amount_total: expected integer, found string \"1999\"")), "{found:#?}");
}

#[test]
fn every_body_example_round_trips_through_the_generated_types() {
    let spec = spec();
    let cases = checks::round_trips(&spec, &mut Generated);
    assert!(cases.len() >= 12, "{} round trips", cases.len());
    assert_eq!(failures(&cases), Vec::<String>::new());
    let skipped: Vec<&Case> = cases.iter().filter(|c| c.skipped.is_some()).collect();
    assert!(skipped.is_empty(), "{skipped:#?}");
    assert!(cases.iter().any(|c| c.name.starts_with("CreateCheckoutSession request body")));
    assert!(cases.iter().any(|c| c.name.starts_with("event checkout.session.completed")));
}

/// Types that lose a field on the way: what a generator bug would do.
struct Lossy(Generated, &'static str);

impl Types for Lossy {
    fn json(&mut self, pointer: &str, value: &Value) -> Option<Result<Value, String>> {
        self.0.json(pointer, value).map(|r| r.map(|mut v| {
            if let Some(object) = v.as_object_mut() {
                object.remove(self.1);
            }
            v
        }))
    }

    fn form(&mut self, pointer: &str, value: &Value) -> Option<Result<Value, String>> {
        self.0.form(pointer, value)
    }
}

#[test]
fn a_round_trip_that_loses_a_field_or_cannot_read_fails_precisely() {
    let spec = spec();
    let found = failures(&checks::round_trips(&spec, &mut Lossy(Generated, "livemode")));
    assert!(!found.is_empty());
    assert!(found.iter().all(|f| f.contains("/livemode: was false, came back absent")), "{found:#?}");

    // An example the types cannot read: an enum value outside the spec is
    // kept (Unknown), but a string where an integer belongs is not.
    let spec = mutated("#/components/examples/session/value/amount_total", json!("2198"));
    let found = failures(&checks::round_trips(&spec, &mut Generated));
    assert!(
        found.iter().any(|f| f.contains("does not read as the generated type at `amount_total`: invalid type: string \"2198\", expected i64")),
        "{found:#?}"
    );
}

#[test]
fn form_bodies_round_trip_through_their_wire_format() {
    let pointer = "#/paths/~1v1~1checkout~1sessions/post/requestBody/content/application~1x-www-form-urlencoded/schema";
    let body = json!({
        "mode": "payment",
        "line_items": [{"price_data": {"currency": "usd", "unit_amount": 1099, "product_data": {"name": "T-shirt", "metadata": {"size": "M"}}}, "quantity": 2}],
        "metadata": {"order": "6735"},
        "custom_text": {"submit": ""},
        "expand": ["line_items"],
    });
    let back = Generated.form(pointer, &body).unwrap().unwrap();
    assert_eq!(checks::differences(&body, &back), Vec::new());
    let e = Generated.form(pointer, &json!({"mode": 5})).unwrap().unwrap_err();
    assert!(e.contains("at `mode`"), "{e}");
}

#[test]
fn generated_values_satisfy_their_schemas_and_round_trip() {
    let mut spec = spec();
    let targets = checks::targets(&spec);
    assert!(targets.len() >= 60, "{} targets", targets.len());
    let cases = checks::generated(&mut spec, &mut Generated, &targets, 32);
    let found = failures(&cases);
    assert_eq!(found, Vec::<String>::new(), "{}", found.join("\n\n"));
}

/// Types whose integers overflow past 1000 and whose strings lose their
/// last character when longer than 3: the kinds of loss check 3 exists
/// to catch.
struct Narrow;

impl Types for Narrow {
    fn json(&mut self, _: &str, value: &Value) -> Option<Result<Value, String>> {
        fn narrow(v: &Value) -> Value {
            match v {
                Value::Number(n) if n.as_i64().is_some_and(|i| i > 1000) => json!(n.as_i64().unwrap() - 65536),
                Value::String(s) if s.chars().count() > 3 => Value::String(s.chars().take(3).collect()),
                Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), narrow(v))).collect()),
                Value::Array(a) => Value::Array(a.iter().map(narrow).collect()),
                other => other.clone(),
            }
        }
        Some(Ok(narrow(value)))
    }

    fn form(&mut self, pointer: &str, value: &Value) -> Option<Result<Value, String>> {
        self.json(pointer, value)
    }
}

#[test]
fn generated_values_that_do_not_round_trip_shrink_to_a_minimal_failure() {
    let text = r#"
openapi: 3.0.3
info: {title: Narrow, version: '1'}
paths: {}
components:
  schemas:
    count:
      type: object
      required: [n]
      properties:
        n: {type: integer, minimum: 0}
        label: {type: string, maxLength: 10}
"#;
    let doc = openapi_codegen::Document::from_text("narrow.yaml", text.to_owned()).unwrap();
    let mut spec = Spec::new(doc);
    let targets = checks::targets(&spec);
    let cases = checks::generated(&mut spec, &mut Narrow, &targets, 256);
    let found = failures(&cases);
    assert_eq!(found.len(), 1, "{found:#?}");
    // Shrinking leaves one cause: either the smallest integer past the
    // limit or the shortest string past it, and nothing else.
    let minimal_int = found[0].contains("minimal failing value: {\"n\":1001}") && found[0].contains("/n: was 1001, came back -64535");
    let minimal_text = found[0].contains("/label: was \"") && found[0].contains("\"n\":0}");
    assert!(minimal_int || minimal_text, "{}", found[0]);
}

#[test]
fn fixture_objects_are_checked_against_the_schema_they_name() {
    let mut spec = spec();
    let session = spec.doc.resolve_pointer("#/components/examples/session/value").unwrap().clone();
    let mut broken = session.clone();
    broken["payment_status"] = json!("refunded");
    let fixtures = json!({"resources": {
        "checkout.session": session,
        "deleted_customer": {"id": "cus_1", "object": "customer", "deleted": true},
        "broken": broken,
        "not_an_object": {"object": "no_such_schema"},
    }});
    let cases = checks::fixtures(&mut spec, &mut Generated, &fixtures, "fixtures.json");
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "fixtures.json#/resources/checkout.session (checkout.session)",
            "fixtures.json#/resources/deleted_customer (deleted_customer)",
            "fixtures.json#/resources/broken (checkout.session)",
        ]
    );
    let found = failures(&cases);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("/resources/broken/payment_status: expected one of"), "{found:#?}");
}

/// The operations of `doc` that take every one of `names` as a parameter
/// (at the path or the operation, `$ref`s followed), as `METHOD /path`.
fn operations_taking(doc: &Value, names: &[&str]) -> Vec<String> {
    let resolve = |p: &Value| match p["$ref"].as_str() {
        Some(target) => doc.pointer(target.trim_start_matches('#')).cloned().unwrap_or(Value::Null),
        None => p.clone(),
    };
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let shared: Vec<Value> = item["parameters"].as_array().into_iter().flatten().map(resolve).collect();
        for (method, operation) in item.as_object().into_iter().flatten().filter(|(k, _)| openapi_contract::examples::METHODS.contains(&k.as_str())) {
            let own = operation["parameters"].as_array().into_iter().flatten().map(resolve);
            let taken: Vec<Value> = shared.iter().cloned().chain(own).collect();
            if names.iter().all(|n| taken.iter().any(|p| p["name"] == *n && p["in"] == "query")) {
                found.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    found
}

/// The operations `spec/schemathesis.toml` excuses from `check`.
fn schemathesis_excuses(check: &str) -> Vec<String> {
    let text = std::fs::read_to_string(contract_tests::root().join("spec/schemathesis.toml")).unwrap();
    let config: toml::Table = toml::from_str(&text).unwrap();
    let mut excused = Vec::new();
    for operation in config["operations"].as_array().unwrap() {
        if operation.get("checks").and_then(|c| c.get(check)).and_then(|c| c.get("enabled")) != Some(&toml::Value::Boolean(false)) {
            continue;
        }
        match &operation["include-name"] {
            toml::Value::String(name) => excused.push(name.clone()),
            toml::Value::Array(names) => excused.extend(names.iter().filter_map(|n| n.as_str().map(str::to_owned))),
            other => panic!("include-name {other:?}"),
        }
    }
    excused
}

/// The API refuses `starting_after` with `ending_before` (a page cannot
/// follow one object and precede another), which OpenAPI 3.0 cannot say of
/// two query parameters, so schemathesis sends both and calls the 400 a
/// valid request refused. Every operation taking both cursors is to be in
/// the config's exclusion of that check, or `.ci/run` fails at random.
#[test]
fn every_operation_taking_both_cursors_is_excused_from_schemathesis_positive_check() {
    let paged = operations_taking(&spec().doc.raw, &["starting_after", "ending_before"]);
    assert!(paged.len() >= 2, "{paged:?}");
    let excused = schemathesis_excuses("positive_data_acceptance");
    let missing: Vec<&String> = paged.iter().filter(|op| !excused.contains(op)).collect();
    assert!(missing.is_empty(), "not excused in spec/schemathesis.toml: {missing:?}");
}
