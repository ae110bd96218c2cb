//! The contract checks on the project's spec, and each check failing on a
//! deliberately broken input.

use crate::common;

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

/// How `schemathesis_hook_drops_only_the_refusals_it_names` hands each
/// case to the hook.
const HOOK_CASE: &str = r#"
content = c["answer"] if isinstance(c["answer"], str) else json.dumps({"error": c["answer"]})
case = ns(operation=ns(label=c["label"]), query=c["query"], body=c["body"])
response = ns(status_code=c["status"], content=content.encode(), request=ns(url=c.get("url", "http://x/"), body=c.get("sent")))
failure = ns(code=c["failure"], message=c.get("message", ""))
"#;

/// `spec/schemathesis_hooks.py` drops a failure of schemathesis's
/// `positive_data_acceptance` only where the request and the API's error
/// object both show one of its reasons, and one of
/// `negative_data_rejection` only where every value it broke never reached
/// the wire; any other failure, or the same error for another request, is
/// kept and fails `.ci/run`.
#[test]
fn schemathesis_hook_drops_only_the_refusals_it_names() {
    let Some(python) = common::python::python_with(&["schemathesis"]) else { return };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let (list, expire, create) = ("GET /v1/checkout/sessions", "POST /v1/checkout/sessions/{session}/expire", "POST /v1/checkout/sessions");
    let error = |code: &str, param: &str| json!({"type": "invalid_request_error", "code": code, "param": param, "message": "m"});
    let both = json!({"starting_after": "cs_1", "ending_before": "cs_2"});
    let setup = json!({"mode": "setup"});
    let embedded = json!({"mode": "setup", "ui_mode": "embedded", "cancel_url": "x"});
    // (what, operation, query, body, status, error, failure code, dropped)
    let cases = [
        ("both cursors", list, both.clone(), json!(null), 400, error("parameter_invalid", "ending_before"), "ST202", true),
        ("one cursor", list, json!({"starting_after": "cs_1"}), json!(null), 400, error("parameter_invalid", "starting_after"), "ST202", false),
        ("both cursors, another error", list, both.clone(), json!(null), 400, error("parameter_unknown", "customer_details[x]"), "ST202", false),
        ("both cursors, another check", list, both.clone(), json!(null), 400, error("parameter_invalid", "ending_before"), "ST201", false),
        ("both cursors, a 500", list, both.clone(), json!(null), 500, error("api_error", "ending_before"), "ST202", false),
        ("not open", expire, json!(null), json!(null), 400, error("checkout_session_not_open", ""), "ST202", true),
        ("not open, another operation", "GET /v1/checkout/sessions/{session}", json!(null), json!(null), 400, error("checkout_session_not_open", ""), "ST202", false),
        ("no success_url", create, json!(null), setup.clone(), 400, error("parameter_missing", "success_url"), "ST202", true),
        ("success_url given", create, json!(null), json!({"mode": "setup", "success_url": "x"}), 400, error("parameter_missing", "success_url"), "ST202", false),
        ("embedded, no return_url", create, json!(null), embedded.clone(), 400, error("parameter_missing", "return_url"), "ST202", true),
        ("hosted, no return_url", create, json!(null), setup.clone(), 400, error("parameter_missing", "return_url"), "ST202", false),
        ("embedded, cancel_url", create, json!(null), embedded.clone(), 400, error("parameter_invalid", "cancel_url"), "ST202", true),
        ("embedded, no success_url", create, json!(null), embedded.clone(), 400, error("parameter_invalid", "success_url"), "ST202", false),
        ("payment, no line_items", create, json!(null), json!({"mode": "payment"}), 400, error("parameter_missing", "line_items"), "ST202", true),
        ("setup, no line_items", create, json!(null), setup.clone(), 400, error("parameter_missing", "line_items"), "ST202", false),
        ("expires too soon", create, json!(null), json!({"mode": "setup", "expires_at": now + 10}), 400, error("parameter_invalid", "expires_at"), "ST202", true),
        ("expires in an hour", create, json!(null), json!({"mode": "setup", "expires_at": now + 3600}), 400, error("parameter_invalid", "expires_at"), "ST202", false),
        ("an array of objects", create, json!(null), json!({"line_items": [{"price": "p"}]}), 400, error("parameter_invalid", "line_items[0]"), "ST202", true),
        ("an object", create, json!(null), json!({"metadata": {"a": "b"}}), 400, error("parameter_invalid", "metadata"), "ST202", true),
        ("a boolean", create, json!(null), json!({"allow_promotion_codes": true}), 400, error("parameter_invalid", "allow_promotion_codes"), "ST202", true),
        ("a form value, another field", create, json!(null), json!({"metadata": {"a": "b"}, "success_url": "x"}), 400, error("parameter_invalid", "success_url"), "ST202", false),
        ("strings, written as they are", list, json!({"expand": ["a", "b"]}), json!(null), 400, error("parameter_invalid", "expand"), "ST202", false),
    ];
    // Invalid data accepted (ST201): (what, operation, query, body, the tool's message, dropped).
    let missing = "Invalid data should have been rejected\nInvalid component: in body - violates `required` at /properties/invoice_creation (was False)";
    let added = "Invalid component: in body - violates `additionalProperties`";
    let added_to_created = "Invalid component: parameter `created` in query - violates `additionalProperties` at /properties/created/anyOf/0";
    // (what, operation, query, body, the tool's message, what went on the wire, dropped).
    let url = |query: &str| format!("http://127.0.0.1/v1/checkout/sessions?{query}");
    let negatives = [
        ("an object sent as nothing", create, json!(null), json!({"mode": "setup", "invoice_creation": {}}), missing, json!({"sent": "mode=setup"}), true),
        ("null sent as nothing", create, json!(null), json!({"mode": "setup", "invoice_creation": null}), missing, json!({"sent": "mode=setup"}), true),
        ("an object garbled", create, json!(null), json!({"mode": "setup", "invoice_creation": {"x": 1}}), missing, json!({"sent": "mode=setup&invoice_creation=x"}), true),
        ("a value sent as it is", create, json!(null), json!({"mode": "setup", "invoice_creation": "x"}), missing, json!({"sent": "mode=setup&invoice_creation=x"}), false),
        ("left out on purpose", create, json!(null), json!({"mode": "setup"}), missing, json!({"sent": "mode=setup"}), false),
        ("one of two lost", create, json!(null), json!({"invoice_creation": {}, "mode": "x"}), "Invalid component: in body\n  - violates `required` at /properties/invoice_creation\n  - violates `enum` at /properties/mode", json!({"sent": "mode=x"}), false),
        ("a key added, not sent", expire, json!(null), json!({"expand": ["line_items"], "zz": null}), added, json!({"sent": "expand=line_items"}), true),
        ("a key added and sent", expire, json!(null), json!({"expand": ["line_items"], "zz": "1"}), added, json!({"sent": "expand=line_items&zz=1"}), false),
        ("a query key added, not sent", list, json!({"created": {"gt": 231, "zz": null}}), json!(null), added_to_created, json!({"url": url("created%5Bgt%5D=231")}), true),
        ("a query key added and sent", list, json!({"created": {"gt": 231, "zz": "1"}}), json!(null), added_to_created, json!({"url": url("created%5Bgt%5D=231&created%5Bzz%5D=1")}), false),
        ("a query value sent as it is", list, json!({"limit": 0}), json!(null), "Invalid component: parameter `limit` in query - violates `minimum` at /properties/limit", json!({"url": url("limit=0")}), false),
        ("a query value not sent", list, json!({"limit": null}), json!(null), "Invalid component: parameter `limit` in query - violates `type` at /properties/limit", json!({"url": url("")}), true),
        ("somewhere else", list, json!({"limit": 0}), json!(null), "Invalid component: parameter `limit` in query - violates `minimum` at /properties/nowhere", json!({"url": url("limit=0")}), false),
    ];
    let input: Vec<Value> = cases
        .iter()
        .map(|(_, label, query, body, status, answer, failure, _)| json!({"label": label, "query": query, "body": body, "status": status, "answer": answer, "failure": failure}))
        .chain([json!({"label": list, "query": both, "body": null, "status": 400, "answer": "not json", "failure": "ST202"})])
        .chain(negatives.iter().map(|(_, label, query, body, message, wire, _)| {
            json!({"label": label, "query": query, "body": body, "status": 200, "answer": "{}", "failure": "ST201", "message": message, "url": wire.get("url"), "sent": wire.get("sent")})
        }))
        .collect();
    let hooks = contract_tests::root().join("spec/schemathesis_hooks.py");
    let kept = common::python::hook_keeps(python, &hooks, "schemathesis-hook", HOOK_CASE, &input);
    let expected: Vec<(&str, bool)> =
        cases.iter().map(|c| (c.0, !c.7)).chain([("not an error object", true)]).chain(negatives.iter().map(|n| (n.0, !n.6))).collect();
    let got: Vec<(&str, bool)> = expected.iter().map(|e| e.0).zip(kept).collect();
    assert_eq!(got, expected);
}

/// What the API reads of a request, stated in the spec, where a tool that
/// generates requests from it (schemathesis) finds it: every object a
/// request carries says `additionalProperties` (the API refuses a key it
/// does not name, at any depth), and every integer has a range (`int32`,
/// `int64`, or both bounds), as the API reads 64-bit integers.
#[test]
fn every_object_and_integer_a_request_carries_states_what_the_api_reads() {
    fn walk<'a>(doc: &'a Value, schema: &'a Value, at: String, seen: &mut Vec<&'a str>, loose: &mut Vec<String>) {
        if let Some(target) = schema["$ref"].as_str() {
            if !seen.contains(&target) {
                seen.push(target);
                walk(doc, doc.pointer(target.trim_start_matches('#')).unwrap(), target.to_owned(), seen, loose);
            }
            return;
        }
        let object = schema["type"] == "object" || schema.get("properties").is_some();
        if object && schema.get("additionalProperties").is_none() {
            loose.push(format!("{at}: no additionalProperties"));
        }
        let ranged = matches!(schema["format"].as_str(), Some("int32" | "int64")) || (schema.get("minimum").is_some() && schema.get("maximum").is_some());
        if schema["type"] == "integer" && !ranged {
            loose.push(format!("{at}: an integer without a range"));
        }
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            walk(doc, property, format!("{at}/properties/{name}"), seen, loose);
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            for (i, part) in schema[key].as_array().into_iter().flatten().enumerate() {
                walk(doc, part, format!("{at}/{key}/{i}"), seen, loose);
            }
        }
        for key in ["items", "additionalProperties"] {
            if schema[key].is_object() {
                walk(doc, &schema[key], format!("{at}/{key}"), seen, loose);
            }
        }
    }
    let doc = spec().doc.raw;
    let mut loose = Vec::new();
    let mut schemas = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap().iter().filter(|(m, _)| openapi_contract::examples::METHODS.contains(&m.as_str())) {
            let at = format!("{method} {path}");
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let parameter = parameter["$ref"].as_str().map_or(parameter, |r| doc.pointer(r.trim_start_matches('#')).unwrap());
                schemas += 1;
                walk(&doc, &parameter["schema"], format!("{at} {}", parameter["name"]), &mut Vec::new(), &mut loose);
            }
            for (media, content) in operation["requestBody"]["content"].as_object().into_iter().flatten() {
                schemas += 1;
                walk(&doc, &content["schema"], format!("{at} {media}"), &mut Vec::new(), &mut loose);
            }
        }
    }
    assert!(schemas >= 15, "{schemas} request schemas");
    assert_eq!(loose, Vec::<String>::new());
}

#[test]
fn a_progress_display_is_told_each_phase_and_counts_every_step() {
    let recorded = std::sync::Arc::new(common::Recorded::default());
    let mut spec = spec();
    spec.progress = openapi_contract::progress::Progress::to(recorded.clone());
    let examples = checks::examples(&mut spec);
    let round_trips = checks::round_trips(&spec, &mut Generated);
    let targets: Vec<_> = checks::targets(&spec).into_iter().take(5).collect();
    let generated = checks::generated(&mut spec, &mut Generated, &targets, 2);
    let phases = recorded.phases();
    let names: Vec<&str> = phases.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(names, ["examples against their schemas", "examples through the types", "generated values (2 per schema)"]);
    for (what, total, steps) in &phases {
        assert_eq!(total, steps, "{what}: announced {total}, counted {steps}");
    }
    // Each step is an item of the phase: the counts are the checks' own.
    let skipped_examples = spec.examples.skipped.len() as u64;
    assert_eq!(phases[0].1, examples.len() as u64 - skipped_examples);
    assert_eq!(phases[1].1, round_trips.len() as u64);
    assert_eq!(phases[2].1, generated.len() as u64);
    assert!(phases.iter().all(|p| p.1 > 0), "{phases:?}");
}
