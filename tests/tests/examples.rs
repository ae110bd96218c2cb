//! Every example in the spec deserializes into its generated type and
//! serializes back to the same JSON: responses, request bodies, parameters
//! and webhook events. Examples are found by walking the spec, so a new
//! example is tested without touching this file; each walk also asserts
//! how many it found, so one cannot silently find none.

use checkout_sessions::types::*;
use contract_tests::root;
use openapi_codegen::Document;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn spec() -> Document {
    Document::from_path(&root().join("spec/checkout_sessions.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

/// The example values under a media type or parameter object, `$ref`s resolved.
fn examples(doc: &Document, at: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Some(example) = at.get("example") {
        out.push(("example".to_owned(), example.clone()));
    }
    if let Some(Value::Object(map)) = at.get("examples") {
        for (name, example) in map {
            let example = match example.get("$ref").and_then(Value::as_str) {
                Some(r) => doc.resolve_pointer(r).unwrap_or_else(|| panic!("dangling {r}")),
                None => example,
            };
            out.push((name.clone(), example["value"].clone()));
        }
    }
    out
}

fn round_trip<T: Serialize + DeserializeOwned>(label: &str, value: &Value) {
    let typed: T = parse(label, value);
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(&back, value, "{label}: serializes back differently");
}

fn parse<T: DeserializeOwned>(label: &str, value: &Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{label}: {e}"))
}

fn at<'a>(doc: &'a Document, pointer: &str) -> &'a Value {
    doc.resolve_pointer(pointer).unwrap_or_else(|| panic!("no {pointer}"))
}

const JSON: &str = "content/application~1json";
const FORM: &str = "content/application~1x-www-form-urlencoded";

#[test]
fn session_responses_round_trip() {
    let doc = spec();
    let mut n = 0;
    for op in ["~1v1~1checkout~1sessions/post", "~1v1~1checkout~1sessions~1{session}/get", "~1v1~1checkout~1sessions~1{session}~1expire/post"] {
        for (name, value) in examples(&doc, at(&doc, &format!("#/paths/{op}/responses/200/{JSON}"))) {
            round_trip::<CheckoutSession>(&format!("{op} {name}"), &value);
            n += 1;
        }
    }
    assert_eq!(n, 3);
}

#[test]
fn list_responses_round_trip() {
    let doc = spec();
    let sessions = examples(&doc, at(&doc, &format!("#/paths/~1v1~1checkout~1sessions/get/responses/200/{JSON}")));
    assert_eq!(sessions.len(), 1);
    for (name, value) in &sessions {
        round_trip::<CheckoutSessionList>(name, value);
    }
    let items = examples(&doc, at(&doc, &format!("#/paths/~1v1~1checkout~1sessions~1{{session}}~1line_items/get/responses/200/{JSON}")));
    assert_eq!(items.len(), 1);
    for (name, value) in &items {
        round_trip::<LineItemList>(name, value);
        let page: LineItemList = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(page.data[0].price.as_ref().map(|p| p.unit_amount), Some(Some(1099)));
    }
}

#[test]
fn error_responses_round_trip() {
    let doc = spec();
    let errors = examples(&doc, at(&doc, &format!("#/components/responses/error/{JSON}")));
    assert_eq!(errors.len(), 2);
    for (name, value) in &errors {
        round_trip::<Error>(name, value);
    }
}

#[test]
fn webhook_events_round_trip() {
    let doc = spec();
    let hooks = doc.raw["x-webhooks"].as_object().unwrap();
    assert_eq!(hooks.len(), 4);
    for (event, hook) in hooks {
        let found = examples(&doc, &hook["post"]["requestBody"]["content"]["application/json"]);
        assert_eq!(found.len(), 1, "{event}");
        for (name, value) in found {
            round_trip::<CheckoutSessionEvent>(&format!("{event} {name}"), &value);
            let typed: CheckoutSessionEvent = serde_json::from_value(value).unwrap();
            assert_eq!(typed.r#type.as_str(), event, "the example is of its own event type");
        }
    }
}

#[test]
fn request_bodies_round_trip() {
    let doc = spec();
    let create = examples(&doc, at(&doc, &format!("#/paths/~1v1~1checkout~1sessions/post/requestBody/{FORM}")));
    assert_eq!(create.len(), 2);
    for (name, value) in &create {
        round_trip::<CreateCheckoutSessionParams>(name, value);
    }
    let expire = examples(&doc, at(&doc, &format!("#/paths/~1v1~1checkout~1sessions~1{{session}}~1expire/post/requestBody/{FORM}")));
    assert_eq!(expire.len(), 1);
    for (name, value) in &expire {
        round_trip::<ExpireCheckoutSessionParams>(name, value);
    }
}

#[test]
fn parameter_examples_round_trip() {
    let doc = spec();
    let created = &at(&doc, "#/paths/~1v1~1checkout~1sessions/get/parameters/0")["example"];
    round_trip::<ListCheckoutSessionsCreated>("created", created);
    let limit = &at(&doc, "#/components/parameters/limit")["example"];
    round_trip::<i64>("limit", limit);
}

#[test]
fn the_session_example_reads_as_expected() {
    let doc = spec();
    let value = &at(&doc, "#/components/examples/session")["value"];
    let session: CheckoutSession = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(session.object, CheckoutSessionObject::CheckoutSession);
    assert_eq!(session.mode, CheckoutSessionMode::Payment);
    assert_eq!(session.payment_status, CheckoutSessionPaymentStatus::Unpaid);
    assert_eq!(session.amount_total, Some(2198));
    assert_eq!(session.customer, None);
    assert!(session.line_items.is_absent(), "not expanded, so absent");
    assert!(session.client_secret.is_absent());
}
