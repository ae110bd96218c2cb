//! `openapi_contract::evolution` on before/after pairs: one small spec
//! changed one way per case, each rule in the direction(s) it has (narrowing
//! a request enum breaks clients, narrowing a response enum does not), with
//! the finding, its level, the parties and the generated crate's bump
//! asserted, and every report snapshotted; diff(A, A) is empty for every
//! spec the project holds; a renamed component with the same shape is a
//! Rust rename and no wire change.

use crate::common;

use openapi_codegen::Document;
use openapi_contract::checks::Spec;
use openapi_contract::evolution::{self, Bump, Level, Party, Report};
use serde_json::{Value, json};

/// A small API: a list and a create whose request and response share the
/// shape of `thing`, a webhook event, API-key security.
fn base() -> Value {
    let thing = json!({
        "type": "object",
        "required": ["id", "name", "kind"],
        "properties": {
            "id": {"type": "string", "readOnly": true},
            "name": {"type": "string", "maxLength": 100},
            "kind": {"type": "string", "enum": ["small", "large"]},
            "size": {"type": "integer", "minimum": 1, "maximum": 10},
            "tags": {"type": "array", "maxItems": 5, "items": {"type": "string"}},
            "code": {"type": "string", "pattern": "^[a-z]+$"},
            "note": {"type": "string", "nullable": true},
            "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 10}},
            "secret": {"type": "string", "writeOnly": true}
        }
    });
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1"},
        "security": [{"key": []}],
        "paths": {
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                        {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["small", "large"]}},
                        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/thing"}}}}},
                        "400": {"description": "bad", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}}}
                    }
                },
                "post": {
                    "operationId": "createThing",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/new_thing"}}}},
                    "responses": {
                        "201": {
                            "description": "made",
                            "headers": {"Location": {"required": true, "schema": {"type": "string"}}, "X-Rate": {"schema": {"type": "integer"}}},
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/thing"}}}
                        }
                    }
                }
            },
            "/things/{id}": {
                "delete": {
                    "operationId": "deleteThing",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {"204": {"description": "gone"}}
                }
            }
        },
        "x-webhooks": {
            "thing.made": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/event"}}}}, "responses": {"200": {"description": "ok"}}}}
        },
        "components": {
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
            "schemas": {
                "thing": thing.clone(),
                "new_thing": thing,
                "event": {"type": "object", "required": ["type", "size"], "properties": {"type": {"type": "string"}, "size": {"type": "integer", "maximum": 10}}},
                "error": {"type": "object", "properties": {"message": {"type": "string"}}}
            }
        }
    })
}

fn spec(name: &str, value: &Value) -> Spec {
    Spec::new(Document::from_text(name, serde_json::to_string_pretty(value).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn diff(old: &Value, new: &Value) -> Report {
    evolution::compare(&mut spec("old.json", old), &mut spec("new.json", new)).unwrap()
}

/// Sets (or, with `null`, removes) the value at a JSON pointer.
fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    let target = doc.pointer_mut(parent).unwrap_or_else(|| panic!("no {parent}"));
    match (target, value) {
        (Value::Object(map), Value::Null) => {
            map.remove(&key);
        }
        (Value::Object(map), v) => {
            map.insert(key, v);
        }
        (Value::Array(items), v) => {
            let i: usize = key.parse().unwrap();
            if v.is_null() {
                items.remove(i);
            } else if i == items.len() {
                items.push(v);
            } else {
                items[i] = v;
            }
        }
        _ => panic!("{pointer}"),
    }
}

struct Case {
    name: &'static str,
    changes: Vec<(&'static str, Value)>,
    id: &'static str,
    level: Level,
    parties: Vec<Party>,
    bump: Bump,
}

fn case(name: &'static str, changes: Vec<(&'static str, Value)>, id: &'static str, level: Level, parties: &[Party], bump: Bump) -> Case {
    Case { name, changes, id, level, parties: parties.to_vec(), bump }
}

const REQ: &str = "/components/schemas/new_thing";
const RESP: &str = "/components/schemas/thing";

fn cases() -> Vec<Case> {
    use Bump::*;
    use Level::*;
    use Party::*;
    let p = |s: &str, rest: &str| -> &'static str { Box::leak(format!("{s}{rest}").into_boxed_str()) };
    let mut out = vec![
        // Operations.
        case("operation removed", vec![("/paths/~1things~1{id}", Value::Null)], "api-removed-without-deprecation", Breaking, &[Clients], Major),
        case("operation deprecated", vec![("/paths/~1things/get/deprecated", json!(true))], "endpoint-deprecated", Info, &[], None),
        case("operation added", vec![("/paths/~1things~1{id}/get", json!({"operationId": "getThing", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}))], "endpoint-added", Info, &[], Major),
        case("path parameter renamed", vec![("/paths/~1things~1{thing}", json!({"delete": {"operationId": "deleteThing", "parameters": [{"name": "thing", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"204": {"description": "gone"}}}})), ("/paths/~1things~1{id}", Value::Null)], "", Info, &[], None),
        // Parameters.
        case("new required query parameter", vec![("/paths/~1things/get/parameters/3", json!({"name": "owner", "in": "query", "required": true, "schema": {"type": "string"}}))], "new-required-request-parameter", Breaking, &[Clients], Major),
        case("new optional query parameter", vec![("/paths/~1things/get/parameters/3", json!({"name": "owner", "in": "query", "schema": {"type": "string"}}))], "new-optional-request-parameter", Info, &[], Minor),
        case("query parameter removed", vec![("/paths/~1things/get/parameters/1", Value::Null)], "request-parameter-removed", Breaking, &[Clients], Major),
        case("query parameter became required", vec![("/paths/~1things/get/parameters/0/required", json!(true))], "request-parameter-became-required", Breaking, &[Clients], Major),
        case("query parameter moved to a header", vec![("/paths/~1things/get/parameters/0/in", json!("header"))], "request-parameter-location-changed", Breaking, &[Clients, Servers], Patch),
        case("query parameter style changed", vec![("/paths/~1things/get/parameters/1/style", json!("deepObject"))], "request-parameter-style-changed", Breaking, &[Clients, Servers], Patch),
        case("query parameter maximum decreased", vec![("/paths/~1things/get/parameters/0/schema/maximum", json!(50))], "request-parameter-max-decreased", Breaking, &[Clients], Patch),
        case("query parameter maximum increased", vec![("/paths/~1things/get/parameters/0/schema/maximum", json!(500))], "request-parameter-max-increased", Info, &[], Patch),
        case("query parameter minimum increased", vec![("/paths/~1things/get/parameters/0/schema/minimum", json!(5))], "request-parameter-min-increased", Breaking, &[Clients], Patch),
        case("query parameter type changed", vec![("/paths/~1things/get/parameters/1/schema", json!({"type": "integer"}))], "request-parameter-type-changed", Breaking, &[Clients], Major),
        case("query parameter enum value removed", vec![("/paths/~1things/get/parameters/1/schema/enum", json!(["small"]))], "request-parameter-enum-value-removed", Breaking, &[Clients], Major),
        case("query parameter enum value added", vec![("/paths/~1things/get/parameters/1/schema/enum", json!(["small", "large", "huge"]))], "request-parameter-enum-value-added", Info, &[], Major),
        case("query parameter default changed", vec![("/paths/~1things/get/parameters/0/schema/default", json!(20))], "request-parameter-default-value-changed", Warning, &[Clients], Patch),
        case("header parameter became required", vec![("/paths/~1things/get/parameters/2/required", json!(true))], "request-parameter-became-required", Breaking, &[Clients], Major),
        case("path parameter narrowed", vec![("/paths/~1things~1{id}/delete/parameters/0/schema/minLength", json!(3))], "request-parameter-min-length-increased", Breaking, &[Clients], None),
        case("path parameter renamed and narrowed", vec![("/paths/~1things~1{thing}", json!({"delete": {"operationId": "deleteThing", "parameters": [{"name": "thing", "in": "path", "required": true, "schema": {"type": "string", "enum": ["a"]}}], "responses": {"204": {"description": "gone"}}}})), ("/paths/~1things~1{id}", Value::Null)], "request-parameter-enum-added", Breaking, &[Clients], Major),
        case("query parameter number becomes a string: the same text", vec![("/paths/~1things/get/parameters/0/schema", json!({"type": "string"}))], "request-parameter-type-changed", Info, &[], Major),
        case("empty pattern added: nothing", vec![(p(REQ, "/properties/name/pattern"), json!(""))], "", Info, &[], Patch),
        case("response required header removed", vec![("/paths/~1things/post/responses/201/headers/Location", Value::Null)], "response-required-header-removed", Breaking, &[Clients], None),
        case("response header became optional", vec![("/paths/~1things/post/responses/201/headers/Location/required", json!(false))], "response-header-became-optional", Breaking, &[Clients], None),
        case("response header type changed", vec![("/paths/~1things/post/responses/201/headers/X-Rate/schema/type", json!("string"))], "response-header-type-changed", Breaking, &[Clients], None),
        case("response header added", vec![("/paths/~1things/post/responses/201/headers/X-New", json!({"schema": {"type": "string"}}))], "response-header-added", Info, &[], None),
        case("request allOf member added", vec![(p(REQ, "/allOf"), json!([{"required": ["size"]}]))], "request-property-all-of-added", Breaking, &[Clients], Major),
        case("response allOf member added", vec![(p(RESP, "/allOf"), json!([{"required": ["size"]}]))], "response-property-all-of-added", Info, &[], Major),
        case("query parameter multipleOf added", vec![("/paths/~1things/get/parameters/0/schema/multipleOf", json!(5))], "request-parameter-multiple-of-changed", Breaking, &[Clients], None),
        case("request items became unique", vec![(p(REQ, "/properties/tags/uniqueItems"), json!(true))], "request-property-unique-items-added", Breaking, &[Clients], None),
        case("request property format added", vec![(p(REQ, "/properties/name/format"), json!("email"))], "request-property-format-added", Breaking, &[Clients], Patch),
        case("response property format changed", vec![(p(RESP, "/properties/note/format"), json!("date"))], "response-property-format-added", Info, &[], Patch),
        case("request allOf member that only describes: nothing", vec![(p(REQ, "/allOf"), json!([{"description": "A thing to make."}]))], "", Info, &[], Major),
        case("security scheme sent another way", vec![("/components/securitySchemes/key/name", json!("X-Other-Key"))], "api-security-scheme-changed", Breaking, &[Clients], Patch),
        case("request property became read-only", vec![(p(REQ, "/properties/size/readOnly"), json!(true))], "request-property-became-read-only", Warning, &[Clients], None),
        case("required response property became write-only", vec![(p(RESP, "/properties/name/writeOnly"), json!(true))], "response-property-became-write-only", Breaking, &[Clients], None),
        case("response items schema removed", vec![(p(RESP, "/properties/tags/items"), Value::Null)], "response-property-items-removed", Breaking, &[Clients], Major),
        case("request array items constrained", vec![(p(REQ, "/properties/tags/items"), json!({"type": "string", "maxLength": 3}))], "request-property-max-length-decreased", Breaking, &[Clients], Patch),
        case("security scope added", vec![("/security", json!([{"key": ["admin"]}]))], "api-security-scope-added", Breaking, &[Clients], Patch),
        // Request bodies.
        case("request body media type removed", vec![("/paths/~1things/post/requestBody/content", json!({"application/xml": {"schema": {"type": "object"}}}))], "request-body-media-type-removed", Breaking, &[Clients], Major),
        case("request body media type added", vec![("/paths/~1things/post/requestBody/content/text~1plain", json!({"schema": {"type": "string"}}))], "request-body-media-type-added", Info, &[], None),
        case("request body became required", vec![("/paths/~1things/post/requestBody/required", json!(false)), ], "", Info, &[], Major),
        case("new required request body", vec![("/paths/~1things~1{id}/delete/requestBody", json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}}))], "new-required-request-body", Breaking, &[Clients], Major),
        case("request property became required", vec![(p(REQ, "/required/3"), json!("size"))], "request-property-became-required", Breaking, &[Clients], Major),
        case("new required request property", vec![(p(REQ, "/properties/owner"), json!({"type": "string"})), (p(REQ, "/required/3"), json!("owner"))], "new-required-request-property", Breaking, &[Clients], Major),
        case("new optional request property", vec![(p(REQ, "/properties/owner"), json!({"type": "string"}))], "new-optional-request-property", Info, &[], Minor),
        case("request property removed", vec![(p(REQ, "/properties/size"), Value::Null)], "request-property-removed", Breaking, &[Clients], Major),
        case("request additional properties forbidden", vec![(p(REQ, "/additionalProperties"), json!(false))], "request-property-additional-properties-forbidden", Breaking, &[Clients], None),
        case("read-only property changed in a request: nothing", vec![(p(REQ, "/properties/id/maxLength"), json!(5))], "", Info, &[], Patch),
        // Responses.
        case("success status removed", vec![("/paths/~1things/post/responses/201", Value::Null), ("/paths/~1things/post/responses/200", json!({"description": "made"}))], "response-success-status-removed", Breaking, &[Clients], Major),
        case("error status removed", vec![("/paths/~1things/get/responses/400", Value::Null)], "response-non-success-status-removed", Info, &[], None),
        case("error status added", vec![("/paths/~1things/post/responses/409", json!({"description": "conflict"}))], "response-non-success-status-added", Info, &[], None),
        case("response media type removed", vec![("/paths/~1things/get/responses/200/content", json!({"application/xml": {"schema": {"type": "string"}}}))], "response-media-type-removed", Breaking, &[Clients], Major),
        case("response required property removed", vec![(p(RESP, "/properties/kind"), Value::Null), (p(RESP, "/required"), json!(["id", "name"]))], "response-required-property-removed", Breaking, &[Clients], Major),
        case("response optional property removed", vec![(p(RESP, "/properties/size"), Value::Null)], "response-optional-property-removed", Warning, &[Clients], Major),
        case("response property became optional", vec![(p(RESP, "/required"), json!(["id", "name"]))], "response-property-became-optional", Breaking, &[Clients], Major),
        case("response property added", vec![(p(RESP, "/properties/owner"), json!({"type": "string"}))], "response-property-added", Info, &[], Major),
        case("write-only property changed in a response: nothing", vec![(p(RESP, "/properties/secret/maxLength"), json!(5))], "", Info, &[], Patch),
        // Security.
        case("security removed", vec![("/security", json!([]))], "api-security-removed", Info, &[], Patch),
        case("security scheme replaced", vec![("/components/securitySchemes/token", json!({"type": "http", "scheme": "bearer"})), ("/security", json!([{"token": []}]))], "api-security-scheme-removed", Breaking, &[Clients], Minor),
        case("security scheme added as an alternative", vec![("/components/securitySchemes/token", json!({"type": "http", "scheme": "basic"})), ("/security/1", json!({"token": []}))], "api-security-scheme-added", Info, &[], Minor),
        case("security scheme and its requirement removed", vec![("/components/securitySchemes/key", Value::Null), ("/security", json!([]))], "api-security-removed", Info, &[], Major),
        // Webhooks.
        case("webhook removed", vec![("/x-webhooks/thing.made", Value::Null)], "webhook-removed", Breaking, &[WebhookReceivers], Major),
        case("webhook deprecated", vec![("/x-webhooks/thing.made/post/deprecated", json!(true))], "webhook-deprecated", Info, &[], None),
        case("webhook added", vec![("/x-webhooks/thing.gone", json!({"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/event"}}}}, "responses": {"200": {"description": "ok"}}}}))], "webhook-added", Info, &[], Major),
        case("webhook payload widened", vec![("/components/schemas/event/properties/size/maximum", json!(1000))], "response-property-max-increased", Breaking, &[WebhookReceivers], Patch),
        case("webhook payload property removed", vec![("/components/schemas/event/properties/size", Value::Null), ("/components/schemas/event/required", json!(["type"]))], "response-required-property-removed", Breaking, &[WebhookReceivers], Major),
        // Version.
        case("breaking change, version unchanged", vec![("/paths/~1things~1{id}", Value::Null)], "api-version-not-bumped", Warning, &[Clients, Servers], Major),
    ];
    // The same schema change in a request and in a response: mirrored.
    let mirrored: Vec<(&str, &str, Value, &str, Level, Level, Bump)> = vec![
        ("enum value removed", "/properties/kind/enum", json!(["small"]), "enum-value-removed", Breaking, Info, Major),
        ("enum value added", "/properties/kind/enum", json!(["small", "large", "huge"]), "enum-value-added", Info, Breaking, Major),
        ("maxLength decreased", "/properties/name/maxLength", json!(10), "max-length-decreased", Breaking, Info, Patch),
        ("maxLength increased", "/properties/name/maxLength", json!(1000), "max-length-increased", Info, Breaking, Patch),
        ("minLength added", "/properties/name/minLength", json!(3), "min-length-increased", Breaking, Info, Patch),
        ("maximum decreased", "/properties/size/maximum", json!(5), "max-decreased", Breaking, Info, Patch),
        ("maximum increased", "/properties/size/maximum", json!(50), "max-increased", Info, Breaking, Patch),
        ("minimum increased", "/properties/size/minimum", json!(2), "min-increased", Breaking, Info, Patch),
        ("minimum decreased", "/properties/size/minimum", json!(0), "min-decreased", Info, Breaking, Patch),
        ("maxItems decreased", "/properties/tags/maxItems", json!(2), "max-items-decreased", Breaking, Info, Patch),
        ("maxItems increased", "/properties/tags/maxItems", json!(20), "max-items-increased", Info, Breaking, Patch),
        ("pattern changed", "/properties/code/pattern", json!("^[a-z]{3}$"), "pattern-changed", Breaking, Warning, Patch),
        ("pattern removed", "/properties/code/pattern", Value::Null, "pattern-removed", Info, Breaking, Patch),
        ("pattern added", "/properties/name/pattern", json!("^[A-Z]"), "pattern-added", Breaking, Warning, Patch),
        ("became nullable", "/properties/size/nullable", json!(true), "became-nullable", Info, Breaking, Major),
        ("became not nullable", "/properties/note/nullable", Value::Null, "became-not-nullable", Breaking, Info, Major),
        ("type changed", "/properties/size/type", json!("string"), "type-changed", Breaking, Breaking, Major),
        ("integer widened to number", "/properties/size/type", json!("number"), "type-changed", Info, Breaking, Major),
        ("item type changed", "/properties/tags/items/type", json!("integer"), "type-changed", Breaking, Breaking, Major),
        ("enum removed", "/properties/kind/enum", Value::Null, "enum-removed", Info, Breaking, Major),
        ("map value maxLength decreased", "/properties/labels/additionalProperties/maxLength", json!(5), "max-length-decreased", Breaking, Info, Patch),
        ("map value type changed", "/properties/labels/additionalProperties/type", json!("integer"), "type-changed", Breaking, Breaking, Major),
    ];
    for (what, at, value, suffix, request_level, response_level, bump) in mirrored {
        // Whichever way the values travel, the clients are who a narrowed
        // request or a widened response breaks.
        let party = |level: Level, _request: bool| if level == Info { vec![] } else { vec![Clients] };
        let request = Case {
            name: p("request property ", what),
            changes: vec![(p(REQ, at), value.clone())],
            id: p("request-property-", suffix),
            level: request_level,
            parties: party(request_level, true),
            bump,
        };
        let response = Case {
            name: p("response property ", what),
            changes: vec![(p(RESP, at), value)],
            id: p("response-property-", suffix),
            level: response_level,
            parties: party(response_level, false),
            bump,
        };
        out.push(request);
        out.push(response);
    }
    out
}

#[test]
fn each_rule_on_its_pair() {
    let old = base();
    let mut reports = String::new();
    let cases = cases();
    let mut bumps = Vec::new();
    assert!(cases.len() >= 80, "{} pairs", cases.len());
    for case in &cases {
        let mut new = base();
        for (pointer, value) in &case.changes {
            set(&mut new, pointer, value.clone());
        }
        let report = diff(&old, &new);
        if case.id.is_empty() {
            let wire: Vec<String> = report.findings.iter().filter(|f| f.id != "endpoint-added").map(|f| format!("{} {}", f.id, f.message)).collect();
            assert!(wire.iter().all(|f| !f.starts_with("api-removed")), "{}: {wire:#?}", case.name);
            assert!(report.count(Level::Breaking) == 0, "{}: {wire:#?}", case.name);
        } else {
            let found = report.findings.iter().find(|f| f.id == case.id);
            let Some(found) = found else {
                panic!("{}: no `{}` in {:#?}", case.name, case.id, report.findings.iter().map(|f| (&f.id, &f.message)).collect::<Vec<_>>());
            };
            assert_eq!((found.level, &found.parties), (case.level, &case.parties), "{}: {found:#?}", case.name);
        }
        if report.verdict() != case.bump {
            bumps.push(format!("{}: expected {}, got {}: {:?}", case.name, case.bump.as_str(), report.verdict().as_str(), report.rust.iter().map(|c| &c.message).collect::<Vec<_>>()));
        }
        reports.push_str(&format!("## {}\n{}\n", case.name, report.text(false).lines().skip(1).collect::<Vec<_>>().join("\n")));
    }
    assert!(bumps.is_empty(), "{bumps:#?}");
    insta::assert_snapshot!("evolution_pairs", reports);
}

#[test]
fn a_spec_against_itself_is_empty() {
    let root = contract_tests::root();
    let mut specs = vec![root.join("spec/checkout_sessions.yaml"), root.join("spec/stripe/spec3.yaml")];
    specs.extend(std::fs::read_dir(root.join("tests/fixtures")).unwrap().filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "yaml")));
    specs.extend(["frigate-api.yaml", "redocly-museum.openapi.yaml", "scalar-galaxy-3.1.json", "oai-examples/tictactoe.yaml"].map(|f| root.join("tests/openapi31").join(f)));
    for path in specs {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(doc) = Document::from_text(&path.display().to_string(), text.clone()) else { continue };
        let mut a = Spec::new(doc);
        let mut b = Spec::new(Document::from_text("again", text).unwrap());
        let report = evolution::compare(&mut a, &mut b).unwrap();
        assert_eq!((report.findings.len(), report.rust.len(), report.evidence.len()), (0, 0, 0), "{}: {}", path.display(), report.text(false));
    }
}

#[test]
fn a_renamed_component_is_a_rust_rename_and_no_wire_change() {
    let old = base();
    let text = serde_json::to_string(&old).unwrap().replace("#/components/schemas/error", "#/components/schemas/problem").replace("\"error\":{", "\"problem\":{");
    let new: Value = serde_json::from_str(&text).unwrap();
    let report = diff(&old, &new);
    assert_eq!(report.findings, Vec::new(), "{}", report.text(false));
    let renames: Vec<(&str, &str)> = report.rust.iter().map(|c| (c.item.as_str(), c.message.as_str())).collect();
    assert_eq!(renames, [("types::Error", "renamed to `Problem` (same shape)")]);
    assert_eq!(report.verdict(), Bump::Major);
}

#[test]
fn old_examples_the_new_spec_rejects_are_evidence_with_their_finding() {
    let mut old = base();
    set(&mut old, "/paths/~1things/post/requestBody/content/application~1json/example", json!({"name": "a", "kind": "large"}));
    let mut new = base();
    set(&mut new, "/paths/~1things/post/requestBody/content/application~1json/example", json!({"name": "a", "kind": "small"}));
    set(&mut new, &format!("{REQ}/properties/kind/enum"), json!(["small"]));
    let report = diff(&old, &new);
    assert_eq!(report.evidence.len(), 1, "{:#?}", report.evidence);
    assert!(report.evidence[0].contains("createThing request body") && report.evidence[0].contains("explained by request-property-enum-value-removed"), "{}", report.evidence[0]);
}

#[test]
fn reports_in_every_format() {
    let old = base();
    let mut new = base();
    set(&mut new, "/paths/~1things~1{id}", Value::Null);
    let report = diff(&old, &new);
    let json = report.json();
    assert_eq!(json["summary"]["breaking"], 1);
    assert_eq!(json["summary"]["semver"], "major");
    assert_eq!(json["findings"][0]["id"], "api-removed-without-deprecation");
    assert_eq!(json["findings"][0]["parties"], json!(["clients"]));
    let markdown = report.markdown();
    assert!(markdown.starts_with("### Spec change: 1 breaking, 1 warning, 0 info; the generated crate needs a major version; breaks clients"), "{markdown}");
    assert!(markdown.contains("| breaking | `api-removed-without-deprecation` | clients |"), "{markdown}");
    let junit = report.junit();
    assert!(junit.contains("failures=\"1\"") && junit.contains("<failure message=\"DELETE /things/{} is removed without being deprecated first\""), "{junit}");
    let text = report.text(true);
    assert!(text.contains("\x1b[31;1mBREAKING (1)\x1b[0m"), "{text}");
}

#[test]
fn the_projects_own_spec_mutated() {
    let text = std::fs::read_to_string(contract_tests::root().join("spec/checkout_sessions.yaml")).unwrap();
    let old: Value = serde_json::to_value(openapi_codegen::Document::from_text("spec", text).unwrap().raw).unwrap();
    let mut new = old.clone();
    // The expire operation goes; a session status gains a value; `limit` of
    // the list narrows; a new required body property; `info.version` moves.
    set(&mut new, "/paths/~1v1~1checkout~1sessions~1{session}~1expire", Value::Null);
    let values = new.pointer_mut("/components/schemas/checkout.session/properties/status/enum").unwrap();
    values.as_array_mut().unwrap().push(json!("archived"));
    set(&mut new, "/components/parameters/limit/schema/maximum", json!(50));
    set(&mut new, "/info/version", json!("2025-01-01"));
    let report = diff(&old, &new);
    let ids: Vec<(&str, Level)> = report.findings.iter().map(|f| (f.id.as_str(), f.level)).collect();
    for wanted in [
        ("api-removed-without-deprecation", Level::Breaking),
        ("response-property-enum-value-added", Level::Breaking),
        ("request-parameter-max-decreased", Level::Breaking),
    ] {
        assert!(ids.contains(&wanted), "{wanted:?} not in {ids:#?}");
    }
    assert!(!ids.iter().any(|(id, _)| *id == "api-version-not-bumped"), "the version moved");
    assert_eq!(report.verdict(), Bump::Major);
    assert!(report.rust.iter().any(|c| c.item == "client::Client::expire_checkout_session" && c.bump == Bump::Major));
    assert!(report.rust.iter().any(|c| c.item.starts_with("types::CheckoutSessionStatus::") && c.message.contains("`archived`")), "{:#?}", report.rust);
}

#[test]
fn old_examples_are_read_by_the_new_generated_types() {
    // The new spec is the project's; the generated crate is its types. The
    // old spec had an example the new types cannot read.
    let text = std::fs::read_to_string(contract_tests::root().join("spec/checkout_sessions.yaml")).unwrap();
    let new = Document::from_text("new", text).unwrap();
    let mut old = new.raw.clone();
    let at = "/components/examples/session/value/amount_total";
    *old.pointer_mut(at).unwrap() = json!("4500");
    let old = spec("old.json", &old);
    let new = Spec::new(new);
    let mut report = Report::default();
    evolution::read_by_types(&old, &new, &mut common::types::Generated, &mut report);
    // Every place that uses the example, and nothing else.
    assert!(report.evidence.iter().any(|e| e.starts_with("RetrieveCheckoutSession response 200")), "{:#?}", report.evidence);
    for e in &report.evidence {
        assert!(e.contains("the new generated types cannot read it") && e.contains("amount_total"), "{e}");
    }
}

#[test]
fn fixtures_the_new_spec_rejects_are_evidence_with_their_finding() {
    let text = std::fs::read_to_string(contract_tests::root().join("spec/checkout_sessions.yaml")).unwrap();
    let old: Value = Document::from_text("spec", text).unwrap().raw;
    let mut new = old.clone();
    set(&mut new, "/components/schemas/checkout.session/properties/currency/maxLength", json!(2));
    let session = old.pointer("/components/examples/session/value").unwrap().clone();
    let fixtures = json!({"resources": {"checkout.session": session}});
    let mut new_spec = spec("new.json", &new);
    let mut report = evolution::compare(&mut spec("old.json", &old), &mut new_spec).unwrap();
    let before = report.evidence.len();
    evolution::fixtures_evidence(&mut new_spec, &fixtures, "fixtures.json", &mut report);
    let added = &report.evidence[before..];
    assert_eq!(added.len(), 1, "{added:#?}");
    assert!(added[0].starts_with("fixture fixtures.json#/resources/checkout.session (checkout.session): /currency"), "{}", added[0]);
    assert!(added[0].contains("explained by response-property-max-length-decreased"), "{}", added[0]);
}

/// A 3.1 document whose request and response schemas use the 2020-12
/// keywords the 3.0 view cannot hold.
fn base31() -> Value {
    let shape = json!({
        "type": "object",
        "properties": {
            "size": {"type": "integer", "minimum": 1, "exclusiveMinimum": 0},
            "kind": {"const": "small"},
            "note": {"type": ["string", "null"]},
            "tags": {"type": "array", "contains": {"type": "string"}, "minContains": 1},
            "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
            "card": {"type": "string"},
            "cvc": {"type": "string"}
        }
    });
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Modern", "version": "1"},
        "paths": {"/things": {"post": {
            "operationId": "createThing",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/new_thing"}}}},
            "responses": {"201": {"description": "made", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/thing"}}}}}
        }}},
        "components": {"schemas": {"thing": shape.clone(), "new_thing": shape}}
    })
}

#[test]
fn json_schema_2020_12_keywords_of_a_31_document_are_compared_as_written() {
    use Level::*;
    use Party::*;
    // (what, changes, rule, level)
    type Pair = (&'static str, Vec<(&'static str, Value)>, &'static str, Level);
    let cases: Vec<Pair> = vec![
        ("request if/then added", vec![("/components/schemas/new_thing/if", json!({"required": ["card"]})), ("/components/schemas/new_thing/then", json!({"required": ["cvc"]}))], "request-property-if-added", Breaking),
        ("response if/then added", vec![("/components/schemas/thing/if", json!({"required": ["card"]})), ("/components/schemas/thing/then", json!({"required": ["cvc"]}))], "response-property-if-added", Info),
        ("request dependentRequired added", vec![("/components/schemas/new_thing/dependentRequired", json!({"card": ["cvc"]}))], "request-property-dependent-required-added", Breaking),
        ("request dependentSchemas added", vec![("/components/schemas/new_thing/dependentSchemas", json!({"card": {"required": ["cvc"]}}))], "request-property-dependent-schemas-added", Breaking),
        ("request propertyNames added", vec![("/components/schemas/new_thing/propertyNames", json!({"maxLength": 4}))], "request-property-names-added", Breaking),
        ("request unevaluatedProperties false added", vec![("/components/schemas/new_thing/unevaluatedProperties", json!(false))], "request-property-unevaluated-properties-added", Breaking),
        ("request minContains increased", vec![("/components/schemas/new_thing/properties/tags/minContains", json!(2))], "request-property-min-contains-increased", Breaking),
        ("request contains schema narrowed", vec![("/components/schemas/new_thing/properties/tags/contains/maxLength", json!(3))], "request-property-max-length-decreased", Breaking),
        ("request prefixItems item narrowed", vec![("/components/schemas/new_thing/properties/pair/prefixItems/1/maximum", json!(9))], "request-property-max-decreased", Breaking),
        ("request exclusiveMinimum raised beside minimum", vec![("/components/schemas/new_thing/properties/size/exclusiveMinimum", json!(5))], "request-property-exclusive-min-increased", Breaking),
        ("response const changed", vec![("/components/schemas/thing/properties/kind/const", json!("large"))], "response-property-const-changed", Breaking),
        ("request const changed", vec![("/components/schemas/new_thing/properties/kind/const", json!("large"))], "request-property-const-changed", Breaking),
        ("request type array loses null", vec![("/components/schemas/new_thing/properties/note/type", json!("string"))], "request-property-became-not-nullable", Breaking),
        ("response type array gains null", vec![("/components/schemas/thing/properties/card/type", json!(["string", "null"]))], "response-property-became-nullable", Breaking),
    ];
    let old = base31();
    let mut reports = String::new();
    for (what, changes, rule, level) in cases {
        let mut new = base31();
        for (pointer, value) in changes {
            set(&mut new, pointer, value);
        }
        let report = diff(&old, &new);
        // Both levels, wire and Rust, kept for review.
        reports.push_str(&format!("## {what}\n{}\n", report.text(false).lines().skip(1).collect::<Vec<_>>().join("\n")));
        let found = report.findings.iter().find(|f| f.id == rule);
        let Some(found) = found else {
            panic!("{what}: no `{rule}` in {:#?}", report.findings.iter().map(|f| (&f.id, &f.message)).collect::<Vec<_>>());
        };
        assert_eq!(found.level, level, "{what}: {found:#?}");
        if level == Breaking {
            assert_eq!(found.parties, vec![Clients], "{what}");
        }
    }
    // And nothing from a 3.1 document against itself.
    assert_eq!(diff(&old, &old).findings, Vec::new());
    insta::assert_snapshot!("evolution_pairs_31", reports);
}

#[test]
fn documents_with_common_defects_are_compared_and_their_problems_listed() {
    let old = base();
    let mut broken = base();
    // No description, no responses at all, a path parameter the template
    // does not name, a template name nothing declares.
    set(&mut broken, "/paths/~1things/post/responses/201/description", Value::Null);
    set(&mut broken, "/paths/~1things/get/responses", json!({}));
    set(&mut broken, "/paths/~1things~1{id}/delete/parameters/1", json!({"name": "ghost", "in": "path", "required": true, "schema": {"type": "string"}}));
    set(&mut broken, "/paths/~1things~1{id}~1parts~1{part}", json!({"get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}}));
    // A real change beside them, still found.
    set(&mut broken, &format!("{REQ}/properties/kind/enum"), json!(["small"]));
    let text = serde_json::to_string_pretty(&broken).unwrap();
    assert!(Document::from_text("new.json", text.clone()).is_err(), "the generator stays strict");
    let mut old = spec("old.json", &old);
    let mut new = Spec::lenient("new.json", text).unwrap();
    let report = evolution::compare(&mut old, &mut new).unwrap();
    let problems: Vec<&str> = report.findings.iter().filter(|f| f.id == "document-problem").map(|f| f.message.as_str()).collect();
    assert!(problems.len() >= 3, "{problems:#?}");
    assert!(problems.iter().all(|m| m.starts_with("the new document") && m.ends_with("compared as if repaired")), "{problems:#?}");
    assert!(problems.iter().any(|m| m.contains("ghost")), "{problems:#?}");
    assert!(report.findings.iter().all(|f| f.id != "document-problem" || f.level == Level::Warning));
    assert!(report.findings.iter().any(|f| f.id == "request-property-enum-value-removed"), "{}", report.text(false));
    // What the loader checks later: an unknown type, a duplicated
    // operationId, a loop through a choice; and what only the generator
    // refuses (types that contain each other through required fields).
    let mut later = base();
    set(&mut later, &format!("{REQ}/properties/size/type"), json!("decimal"));
    set(&mut later, "/paths/~1things/post/operationId", json!("listThings"));
    set(&mut later, "/components/schemas/loop", json!({"oneOf": [{"$ref": "#/components/schemas/loop"}, {"type": "string"}]}));
    set(&mut later, "/components/schemas/a", json!({"type": "object", "required": ["b"], "properties": {"b": {"$ref": "#/components/schemas/b"}}}));
    set(&mut later, "/components/schemas/b", json!({"type": "object", "required": ["a"], "properties": {"a": {"$ref": "#/components/schemas/a"}}}));
    set(&mut later, "/paths/~1things/get/responses/200/content/application~1json/schema", json!({"$ref": "#/components/schemas/a"}));
    let mut later = Spec::lenient("later.json", serde_json::to_string_pretty(&later).unwrap()).unwrap();
    let report = evolution::compare(&mut spec("old.json", &base()), &mut later).unwrap();
    let warnings: Vec<&str> = report.findings.iter().filter(|f| f.level == Level::Warning).map(|f| f.message.as_str()).collect();
    for expected in ["unknown schema type `decimal`", "duplicate operationId `listThings`", "through a choice", "generates no crate"] {
        assert!(warnings.iter().any(|w| w.contains(expected)), "{expected}: {warnings:#?}");
    }
    assert!(report.findings.iter().any(|f| f.id == "response-property-type-changed" || f.id.starts_with("response-")), "{}", report.text(false));
    // A document that is not OpenAPI at all is still refused.
    assert!(Spec::lenient("x.json", "{\"openapi\": \"3.0.3\", \"paths\": 7}".into()).is_err());
}

#[test]
fn callbacks_are_compared_as_webhooks_are() {
    let with = |maximum: u64| {
        let mut doc = base();
        let callback = json!({"{$request.body#/url}": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"size": {"type": "integer", "maximum": maximum}}}}}},
            "responses": {"200": {"description": "ok"}}
        }}});
        set(&mut doc, "/paths/~1things/post/callbacks", json!({"made": callback}));
        doc
    };
    let report = diff(&with(10), &with(100));
    let found = report.findings.iter().find(|f| f.id == "response-property-max-increased").unwrap_or_else(|| panic!("{}", report.text(false)));
    assert_eq!((found.level, found.parties.clone()), (Level::Breaking, vec![Party::WebhookReceivers]), "{found:#?}");
    assert!(found.message.contains("the callback `made`"), "{}", found.message);
    let mut gone = with(10);
    set(&mut gone, "/paths/~1things/post/callbacks", Value::Null);
    let report = diff(&with(10), &gone);
    assert!(report.findings.iter().any(|f| f.id == "callback-removed" && f.level == Level::Breaking), "{}", report.text(false));
}

#[test]
fn a_changed_discriminator_breaks_both_sides() {
    let with = |property: &str| {
        let mut doc = base();
        let pet = json!({
            "oneOf": [{"$ref": "#/components/schemas/thing"}, {"$ref": "#/components/schemas/error"}],
            "discriminator": {"propertyName": property}
        });
        set(&mut doc, "/components/schemas/pet", pet);
        set(&mut doc, "/paths/~1things/post/responses/201/content/application~1json/schema", json!({"$ref": "#/components/schemas/pet"}));
        doc
    };
    let report = diff(&with("kind"), &with("type"));
    let found = report.findings.iter().find(|f| f.id == "response-property-discriminator-changed").unwrap_or_else(|| panic!("{}", report.text(false)));
    assert_eq!((found.level, found.parties.clone()), (Level::Breaking, vec![Party::Clients, Party::Servers]));
    assert!(found.message.contains("from `kind` to `type`"), "{}", found.message);
    assert!(diff(&with("kind"), &with("kind")).findings.is_empty());
}
