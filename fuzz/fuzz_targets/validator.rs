//! The validator, schema × instance: the first line is a schema (JSON), the
//! rest an instance, read in an OpenAPI 3.0 and a 3.1 document. Any schema
//! the loader takes compiles or is refused; `is_valid` and `validate` agree
//! in every direction; values generated from it come; nothing panics, nor
//! overflows the stack on a `$ref` cycle (the seeds build them through every
//! applicator).

#![no_main]

use libfuzzer_sys::fuzz_target;
use openapi_codegen::Document;
use openapi_contract::generate::Generator as Values;
use openapi_contract::{Direction, Validator};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    fuzz::keep_input(data);
    let Some(at) = data.iter().position(|&b| b == b'\n') else { return };
    let (Ok(schema), Ok(instance)) =
        (serde_json::from_slice::<Value>(&data[..at]), serde_json::from_slice::<Value>(&data[at + 1..]))
    else {
        return;
    };
    for version in ["3.0.3", "3.1.0"] {
        check(version, &schema, &instance);
    }
});

fn check(version: &str, schema: &Value, instance: &Value) {
    let spec = json!({
        "openapi": version,
        "info": {"title": "Fuzz", "version": "1"},
        "paths": {},
        "components": {"schemas": {"s": schema, "other": {"type": "object", "properties": {"s": {"$ref": "#/components/schemas/s"}}}}}
    });
    let Ok(doc) = Document::from_text("fuzz.json", spec.to_string()) else { return };
    let mut validator = Validator::new(&doc);
    for pointer in ["#/components/schemas/s", "#/components/schemas/other"] {
        let Ok(compiled) = validator.compile(pointer) else { continue };
        for direction in [Direction::Request, Direction::Response, Direction::Neutral] {
            let valid = validator.is_valid(compiled, instance, direction);
            let errors = validator.validate(compiled, instance, direction);
            assert_eq!(valid, errors.is_ok(), "{pointer} {direction:?}: {errors:?}");
            if let Err(errors) = errors {
                assert!(!errors.is_empty(), "invalid without a reason");
            }
        }
        let strategy = Values::new(&validator, Direction::Response).strategy(compiled);
        let mut runner = TestRunner::deterministic();
        for _ in 0..2 {
            if let Ok(tree) = strategy.new_tree(&mut runner) {
                let value = tree.current();
                let _ = validator.is_valid(compiled, &value, Direction::Response);
            }
        }
    }
}
