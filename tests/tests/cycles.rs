//! Schemas that loop back to themselves without consuming any of the value,
//! through every applicator, in 3.0 and 3.1 documents: every pass that walks
//! schemas (load, generate, validate, examples, generated values, negative
//! requests' rules, the JSON Schema translation, the spec diff at both
//! levels) ends, and either reads the loop (conjunctive places: it adds
//! nothing) or refuses it naming the pointers on it (through a choice).

use openapi_codegen::{Document, Generator};
use openapi_contract::generate::Generator as Values;
use openapi_contract::{Direction, Spec, Validator};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

const S: &str = "#/components/schemas/S";

/// A document whose `S` is `schema`, used by a response and a request.
fn document(version: &str, schema: Value, other: Value) -> String {
    let media = json!({"application/json": {"schema": {"$ref": S}, "example": {"a": "x"}}});
    json!({
        "openapi": version,
        "info": {"title": "Loops", "version": "1"},
        "paths": {"/s": {"post": {
            "operationId": "PostS",
            "requestBody": {"required": true, "content": media},
            "responses": {"200": {"description": "ok", "content": media}},
        }}},
        "components": {"schemas": {"S": schema, "T": other}},
    })
    .to_string()
}

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Loops every pass must read, by applicator: (name, versions, S, T).
fn conjunctive() -> Vec<(&'static str, &'static [&'static str], Value, Value)> {
    let object = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    vec![
        ("allOf", &["3.0.3", "3.1.0"], json!({"allOf": [r("S"), object]}), json!({})),
        ("allOf alone", &["3.0.3", "3.1.0"], json!({"allOf": [r("S")]}), json!({})),
        ("anyOf of one", &["3.0.3", "3.1.0"], json!({"anyOf": [r("S")]}), json!({})),
        ("oneOf of one", &["3.0.3", "3.1.0"], json!({"oneOf": [r("S")]}), json!({})),
        ("through another", &["3.0.3", "3.1.0"], json!({"allOf": [r("T"), object]}), json!({"allOf": [r("S")]})),
        ("$ref beside keywords", &["3.1.0"], json!({"$ref": S, "type": "object"}), json!({})),
        ("then and else", &["3.1.0"], json!({"if": {"type": "object"}, "then": r("S"), "else": r("T"), "type": "object"}), json!({"$ref": S})),
        ("dependentSchemas", &["3.1.0"], json!({"type": "object", "dependentSchemas": {"a": r("S")}}), json!({})),
        ("an item of itself", &["3.0.3", "3.1.0"], json!({"anyOf": [{"type": "array", "items": r("S")}, object]}), json!({})),
    ]
}

/// Loops through a choice, refused: (name, versions, S, T).
fn choices() -> Vec<(&'static str, &'static [&'static str], Value, Value)> {
    vec![
        ("anyOf", &["3.0.3", "3.1.0"], json!({"anyOf": [r("S"), {"type": "string"}]}), json!({})),
        ("oneOf", &["3.0.3", "3.1.0"], json!({"oneOf": [r("S"), {"type": "string"}]}), json!({})),
        ("not", &["3.0.3", "3.1.0"], json!({"not": r("S")}), json!({})),
        ("not, through another", &["3.0.3", "3.1.0"], json!({"allOf": [r("T")]}), json!({"not": r("S")})),
        ("if", &["3.1.0"], json!({"if": r("S"), "then": {"type": "object"}}), json!({})),
    ]
}

fn run_every_pass(text: &str) -> Result<(), String> {
    let generator = Generator::new();
    let doc = Document::from_text("loops.json", text.to_owned()).map_err(|e| e.to_string())?;
    let api = generator.build(&doc).map_err(|e| e.to_string())?;
    generator.modules(&api).map_err(|e| e.to_string())?;

    let mut validator = Validator::new(&doc);
    let id = validator.compile(S).map_err(|e| e.to_string())?;
    for value in [json!({"a": "x"}), json!({"a": 1}), json!([[]]), json!(null), json!("s")] {
        for direction in [Direction::Request, Direction::Response] {
            let fast = validator.is_valid(id, &value, direction);
            assert_eq!(fast, validator.validate(id, &value, direction).is_ok(), "{value}");
        }
    }
    let mut values = Values::new(&validator, Direction::Response);
    let strategy = values.strategy(id);
    let mut runner = TestRunner::deterministic();
    for _ in 0..16 {
        strategy.new_tree(&mut runner).map_err(|e| e.to_string())?.current();
    }
    openapi_contract::json_schema::translate(validator.document(), S, Direction::Request).map_err(|e| e.to_string())?;

    let mut spec = Spec::new(doc);
    openapi_contract::checks::examples(&mut spec);
    let mut other = Spec::new(Document::from_text("loops.json", text.to_owned()).map_err(|e| e.to_string())?);
    let report = openapi_contract::evolution::compare(&mut spec, &mut other)?;
    assert_eq!(report.findings.len(), 0, "a document compared with itself");
    Ok(())
}

#[test]
fn loops_through_conjunctive_places_are_read_by_every_pass() {
    for (name, versions, s, t) in conjunctive() {
        for version in versions {
            let text = document(version, s.clone(), t.clone());
            // Each pass runs on a thread of the test's own stack size: a
            // walk without a visited set would overflow it, not hang.
            let outcome = std::thread::spawn(move || run_every_pass(&text)).join();
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(e)) => panic!("{name} ({version}): refused: {e}"),
                Err(_) => panic!("{name} ({version}): panicked"),
            }
        }
    }
}

#[test]
fn a_conjunctive_loop_adds_nothing_to_what_the_rest_says() {
    let object = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    let text = document("3.0.3", json!({"allOf": [r("T"), object]}), json!({"allOf": [r("S"), {"required": ["a"]}]}));
    let doc = Document::from_text("loops.json", text).unwrap();
    let mut validator = Validator::new(&doc);
    let id = validator.compile(S).unwrap();
    assert!(validator.is_valid(id, &json!({"a": "x"}), Direction::Neutral));
    assert!(!validator.is_valid(id, &json!({}), Direction::Neutral), "T's `required` applies");
    assert!(!validator.is_valid(id, &json!({"a": 1}), Direction::Neutral), "S's property applies");
    assert!(!validator.is_valid(id, &json!([]), Direction::Neutral), "S's type applies");
}

#[test]
fn loops_through_a_choice_are_refused_naming_the_loop() {
    for (name, versions, s, t) in choices() {
        for version in versions {
            let text = document(version, s.clone(), t.clone());
            let generated = std::thread::spawn({
                let text = text.clone();
                move || Document::from_text("loops.json", text).map(|_| ()).map_err(|e| e.to_string())
            })
            .join()
            .unwrap_or_else(|_| panic!("{name} ({version}): the loader panicked"));
            let error = generated.expect_err(name);
            assert!(error.contains("through a choice") && error.contains(&format!("{S} -> ")), "{name} ({version}): {error}");

            // The validator, given the raw document, refuses it too.
            let raw: Value = serde_json::from_str(&text).unwrap();
            let mut validator = Validator::from_value(raw);
            let error = validator.compile(S).expect_err(name);
            assert!(error.message.contains("through a choice"), "{name} ({version}): {error}");
        }
    }
}
