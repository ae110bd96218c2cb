//! The validator, schema × instance: the first line is a schema (JSON), the
//! rest an instance. Any schema the loader takes compiles or is refused;
//! `is_valid` and `validate` agree in both directions; nothing panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use openapi_codegen::Document;
use openapi_contract::{Direction, Validator};
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Some(at) = data.iter().position(|&b| b == b'\n') else { return };
    let (Ok(schema), Ok(instance)) =
        (serde_json::from_slice::<Value>(&data[..at]), serde_json::from_slice::<Value>(&data[at + 1..]))
    else {
        return;
    };
    let spec = json!({
        "openapi": "3.0.3",
        "info": {"title": "Fuzz", "version": "1"},
        "paths": {},
        "components": {"schemas": {"s": schema, "other": {"type": "object", "properties": {"s": {"$ref": "#/components/schemas/s"}}}}}
    });
    let Ok(doc) = Document::from_text("fuzz.json", spec.to_string()) else { return };
    let mut validator = Validator::new(&doc);
    for pointer in ["#/components/schemas/s", "#/components/schemas/other"] {
        let Ok(compiled) = validator.compile(pointer) else { continue };
        for direction in [Direction::Request, Direction::Response, Direction::Neutral] {
            let valid = validator.is_valid(compiled, &instance, direction);
            let errors = validator.validate(compiled, &instance, direction);
            assert_eq!(valid, errors.is_ok(), "{pointer} {direction:?}: {errors:?}");
            if let Err(errors) = errors {
                assert!(!errors.is_empty(), "invalid without a reason");
            }
        }
    }
});
