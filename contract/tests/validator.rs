//! The validator on small schemas, one keyword at a time, and on the
//! project's spec.

use openapi_contract::{Direction, ValidationError, Validator};
use serde_json::{Value, json};

/// A validator over `schemas` placed in `components/schemas`.
fn validator(schemas: Value) -> Validator {
    Validator::from_value(json!({"openapi": "3.0.3", "components": {"schemas": schemas}}))
}

fn errors(v: &mut Validator, name: &str, value: Value, dir: Direction) -> Vec<ValidationError> {
    let id = v.compile(&format!("#/components/schemas/{name}")).unwrap();
    let verdict = v.is_valid(id, &value, dir);
    let result = v.validate(id, &value, dir);
    assert_eq!(verdict, result.is_ok(), "the fast and the full pass agree on {value}");
    result.err().unwrap_or_default()
}

fn valid(v: &mut Validator, name: &str, value: Value) -> bool {
    errors(v, name, value, Direction::Neutral).is_empty()
}

#[test]
fn nullable_is_read_as_the_document_version_says() {
    let schemas = json!({
        "o": {"type": "object", "properties": {"a": {"type": "string"}}},
        "beside_all_of": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/o"}]},
        "or_null": {"anyOf": [{"$ref": "#/components/schemas/o"}, {"type": "object", "nullable": true, "enum": [null]}]},
        "enum_with_null": {"type": "string", "nullable": true, "enum": ["a", null]},
        "enum_without_null": {"type": "string", "nullable": true, "enum": ["a"]},
    });
    // 3.0.3, strictly: `nullable` needs `type`, and `enum` applies to null.
    let mut strict = Validator::from_value(json!({"openapi": "3.0.3", "components": {"schemas": schemas.clone()}}));
    assert!(!valid(&mut strict, "beside_all_of", json!(null)));
    assert!(valid(&mut strict, "or_null", json!(null)) && valid(&mut strict, "or_null", json!({"a": "x"})));
    assert!(!valid(&mut strict, "or_null", json!({"a": 1})));
    assert!(valid(&mut strict, "enum_with_null", json!(null)) && !valid(&mut strict, "enum_without_null", json!(null)));
    // 3.0.0 to 3.0.2, as they were written: `nullable` allows null regardless.
    let mut lenient = Validator::from_value(json!({"openapi": "3.0.0", "components": {"schemas": schemas}}));
    for name in ["beside_all_of", "or_null", "enum_with_null", "enum_without_null"] {
        assert!(valid(&mut lenient, name, json!(null)), "{name}");
    }
    assert!(!valid(&mut lenient, "enum_without_null", json!("b")));
}

#[test]
fn types_and_nullable() {
    let mut v = validator(json!({
        "i": {"type": "integer"},
        "n": {"type": "number"},
        "s": {"type": "string", "nullable": true},
        "any": {},
        "e": {"type": "string", "enum": ["a", "b"], "nullable": true},
    }));
    assert!(valid(&mut v, "i", json!(3)) && valid(&mut v, "i", json!(3.0)) && !valid(&mut v, "i", json!(3.5)));
    assert!(!valid(&mut v, "i", json!("3")) && !valid(&mut v, "i", json!(null)));
    assert!(valid(&mut v, "n", json!(3)) && valid(&mut v, "n", json!(-0.5)) && !valid(&mut v, "n", json!(true)));
    assert!(valid(&mut v, "s", json!(null)) && valid(&mut v, "s", json!("x")) && !valid(&mut v, "s", json!(1)));
    assert!(valid(&mut v, "any", json!(null)) && valid(&mut v, "any", json!({"x": [1]})));
    // OpenAPI 3.0.3: the enum still applies to null, so it must list it.
    assert!(!valid(&mut v, "e", json!(null)) && valid(&mut v, "e", json!("a")) && !valid(&mut v, "e", json!("c")));
    let e = errors(&mut v, "s", json!(5), Direction::Neutral);
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].expected.as_str(), e[0].found.as_str()), ("string or null", "5"));
    assert_eq!(e[0].schema_path, "#/components/schemas/s/type");
}

#[test]
fn objects_report_every_error_with_paths() {
    let mut v = validator(json!({
        "order": {
            "type": "object",
            "required": ["id", "lines", "status"],
            "additionalProperties": false,
            "properties": {
                "id": {"type": "string"},
                "status": {"$ref": "#/components/schemas/status"},
                "lines": {"type": "array", "items": {"$ref": "#/components/schemas/line"}},
                "tags": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 3}},
            },
        },
        "status": {"type": "string", "enum": ["open", "paid"]},
        "line": {"type": "object", "required": ["qty"], "properties": {"qty": {"type": "integer", "minimum": 1}}},
    }));
    assert!(valid(&mut v, "order", json!({"id": "o1", "status": "open", "lines": [{"qty": 1}], "tags": {"a": "xyz"}})));
    let e = errors(
        &mut v,
        "order",
        json!({"status": "void", "lines": [{"qty": 1}, {"qty": 0}, {}], "tags": {"a/b": "long"}, "extra": 1}),
        Direction::Neutral,
    );
    let seen: Vec<(&str, &str)> = e.iter().map(|e| (e.instance_path.as_str(), e.schema_path.as_str())).collect();
    let mut seen = seen;
    seen.sort();
    assert_eq!(
        seen,
        [
            ("", "#/components/schemas/order/required"),
            ("/extra", "#/components/schemas/order/additionalProperties"),
            ("/lines/1/qty", "#/components/schemas/line/properties/qty/minimum"),
            ("/lines/2", "#/components/schemas/line/required"),
            ("/status", "#/components/schemas/status/enum"),
            ("/tags/a~1b", "#/components/schemas/order/properties/tags/additionalProperties/maxLength"),
        ]
    );
    let missing = e.iter().find(|e| e.instance_path.is_empty()).unwrap();
    assert_eq!((missing.expected.as_str(), missing.found.as_str()), ("required property `id`", "nothing"));
    let status = e.iter().find(|e| e.instance_path == "/status").unwrap();
    assert_eq!(status.expected, r#"one of "open", "paid""#);
    assert_eq!(status.found, r#"string "void""#);
}

#[test]
fn combinators() {
    let mut v = validator(json!({
        "expandable": {"anyOf": [{"type": "string", "maxLength": 5}, {"$ref": "#/components/schemas/customer"}]},
        "customer": {"type": "object", "required": ["id", "object"], "properties": {"id": {"type": "string"}, "object": {"type": "string", "enum": ["customer"]}}},
        "one": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]},
        "both": {"allOf": [{"type": "object", "required": ["a"]}, {"required": ["b"]}]},
        "not_null": {"not": {"type": "string"}},
    }));
    assert!(valid(&mut v, "expandable", json!("cus_1")));
    assert!(valid(&mut v, "expandable", json!({"id": "cus_1", "object": "customer"})));
    let e = errors(&mut v, "expandable", json!({"id": "cus_1", "object": "card"}), Direction::Neutral);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].schema_path, "#/components/schemas/expandable/anyOf");
    assert_eq!(e[0].expected, "any of [string, customer]");
    assert_eq!(e[0].causes.len(), 1, "the object branch came closest: {}", e[0]);
    assert_eq!(e[0].causes[0].instance_path, "/object");
    assert!(valid(&mut v, "one", json!(1)) && valid(&mut v, "one", json!(10.5)));
    let e = errors(&mut v, "one", json!(12), Direction::Neutral);
    assert_eq!(e[0].found, "12 matching alternatives 0, 1");
    assert!(!valid(&mut v, "one", json!(1.5)));
    assert!(valid(&mut v, "both", json!({"a": 1, "b": 2})));
    assert_eq!(errors(&mut v, "both", json!({}), Direction::Neutral).len(), 2);
    assert!(valid(&mut v, "not_null", json!(1)) && !valid(&mut v, "not_null", json!("s")));
}

#[test]
fn read_only_and_write_only_depend_on_the_direction() {
    let mut v = validator(json!({
        "user": {
            "type": "object",
            "required": ["id", "password", "name"],
            "properties": {
                "id": {"type": "string", "readOnly": true},
                "password": {"type": "string", "writeOnly": true},
                "name": {"type": "string"},
                "created": {"$ref": "#/components/schemas/timestamp"},
            },
        },
        "timestamp": {"type": "integer", "readOnly": true},
    }));
    let request = json!({"password": "pw", "name": "n"});
    let response = json!({"id": "u1", "name": "n", "created": 5});
    assert!(errors(&mut v, "user", request.clone(), Direction::Request).is_empty());
    assert!(errors(&mut v, "user", response.clone(), Direction::Response).is_empty());
    assert_eq!(errors(&mut v, "user", request, Direction::Response).len(), 2, "password sent back, id missing");
    let e = errors(&mut v, "user", json!({"id": "u1", "password": "pw", "name": "n", "created": 5}), Direction::Request);
    let mut paths: Vec<_> = e.iter().map(|e| (e.instance_path.clone(), e.schema_path.clone())).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            ("/created".to_owned(), "#/components/schemas/timestamp/readOnly".to_owned()),
            ("/id".to_owned(), "#/components/schemas/user/properties/id/readOnly".to_owned()),
        ]
    );
    assert_eq!(errors(&mut v, "user", response, Direction::Neutral).len(), 1, "neutral: password is required");
}

#[test]
fn strings_numbers_arrays_and_formats() {
    let mut v = validator(json!({
        "currency": {"type": "string", "pattern": "^[a-z]{3}$"},
        "name": {"type": "string", "minLength": 2, "maxLength": 3},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        "fraction": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "exclusiveMaximum": true, "maximum": 1},
        "step": {"type": "number", "multipleOf": 0.25},
        "tags": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true},
        "small": {"type": "integer", "format": "int32"},
        "when": {"type": "string", "format": "date-time"},
        "unchecked": {"type": "string", "format": "made-up"},
    }));
    assert!(valid(&mut v, "currency", json!("usd")) && !valid(&mut v, "currency", json!("USD")));
    assert!(valid(&mut v, "name", json!("été")) && !valid(&mut v, "name", json!("a")) && !valid(&mut v, "name", json!("abcd")));
    assert!(valid(&mut v, "limit", json!(100)) && !valid(&mut v, "limit", json!(0)) && !valid(&mut v, "limit", json!(101)));
    assert!(valid(&mut v, "fraction", json!(0.5)) && !valid(&mut v, "fraction", json!(0)) && !valid(&mut v, "fraction", json!(1)));
    assert!(valid(&mut v, "step", json!(1.75)) && !valid(&mut v, "step", json!(1.1)));
    assert!(valid(&mut v, "tags", json!(["a", "b"])) && !valid(&mut v, "tags", json!([])));
    assert!(!valid(&mut v, "tags", json!(["a", "b", "c"])) && !valid(&mut v, "tags", json!([1, 1.0])));
    assert!(valid(&mut v, "small", json!(2147483647)) && !valid(&mut v, "small", json!(2147483648_i64)));
    assert!(valid(&mut v, "when", json!("2024-06-20T10:00:00Z")) && !valid(&mut v, "when", json!("yesterday")));
    assert!(valid(&mut v, "unchecked", json!("anything")));
    let e = errors(&mut v, "limit", json!(101), Direction::Neutral);
    assert_eq!((e[0].expected.as_str(), e[0].found.as_str()), ("a number <= 100", "101"));
}

#[test]
fn cycles_compile_once_and_validate_deeply() {
    let mut v = validator(json!({
        "node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/node"}}, "n": {"type": "integer"}}},
    }));
    let deep = json!({"children": [{"children": [{"children": [{"n": "x"}]}]}]});
    let e = errors(&mut v, "node", deep, Direction::Neutral);
    assert_eq!(e[0].instance_path, "/children/0/children/0/children/0/n");
    assert!(v.len() < 6, "{} nodes", v.len());
}

#[test]
fn schemas_that_cannot_compile_say_where() {
    let mut v = validator(json!({
        "bad_type": {"type": "decimal"},
        "bad_pattern": {"type": "string", "pattern": "(?<=a)b"},
        "dangling": {"$ref": "#/components/schemas/missing"},
    }));
    let e = v.compile("#/components/schemas/bad_type").unwrap_err();
    assert_eq!((e.pointer.as_str(), e.message.as_str()), ("#/components/schemas/bad_type", "unknown type `decimal`"));
    let e = v.compile("#/components/schemas/bad_pattern").unwrap_err();
    assert_eq!(e.pointer, "#/components/schemas/bad_pattern/pattern");
    let e = v.compile("#/components/schemas/dangling").unwrap_err();
    assert_eq!(e.pointer, "#/components/schemas/missing");
}

#[test]
fn the_session_example_validates_and_its_mutations_do_not() {
    let doc = openapi_codegen::Document::from_path(&contract_root().join("spec/checkout_sessions.yaml")).unwrap();
    let mut v = Validator::new(&doc);
    let id = v.compile("#/components/schemas/checkout.session").unwrap();
    let session: Value = serde_json::from_str(&std::fs::read_to_string(contract_root().join("generated/tests/data/session.json")).unwrap()).unwrap();
    assert_eq!(v.validate(id, &session, Direction::Response), Ok(()));
    let mut broken = session.clone();
    broken["status"] = json!("paid");
    broken["amount_total"] = json!("1000");
    broken.as_object_mut().unwrap().remove("mode");
    let e = v.validate(id, &broken, Direction::Response).unwrap_err();
    let mut paths: Vec<&str> = e.iter().map(|e| e.instance_path.as_str()).collect();
    paths.sort();
    assert_eq!(paths, ["", "/amount_total", "/status"], "{e:#?}");
}

fn contract_root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

#[test]
fn digit_and_word_classes_are_ascii_as_in_ecma_262() {
    let mut v = validator(json!({
        "digits": {"type": "string", "pattern": "^\\d+$"},
        "word": {"type": "string", "pattern": "^[\\w-]+$"},
        "no_digit": {"type": "string", "pattern": "^\\D*$"},
    }));
    assert!(valid(&mut v, "digits", json!("2024")) && !valid(&mut v, "digits", json!("٢٠٢٤")));
    assert!(valid(&mut v, "word", json!("a_b-c")) && !valid(&mut v, "word", json!("größe")));
    assert!(valid(&mut v, "no_digit", json!("٢")) && !valid(&mut v, "no_digit", json!("a1")));
}

#[test]
fn a_value_nested_past_the_limit_is_refused_not_a_stack_overflow() {
    // Deeper than any parser builds (serde_json stops at 128), as a caller
    // may build it; checked on a thread of the default test stack (2 MiB),
    // through a schema that also applies itself in place (allOf).
    let mut v = validator(json!({
        "list": {"allOf": [{"$ref": "#/components/schemas/other"}], "type": "array", "items": {"$ref": "#/components/schemas/list"}},
        "other": {"anyOf": [{"type": "array", "items": {"$ref": "#/components/schemas/list"}}]},
    }));
    let id = v.compile("#/components/schemas/list").unwrap();
    let nest = |depth: usize| (0..depth).fold(Value::Array(Vec::new()), |inner, _| Value::Array(vec![inner]));
    std::thread::scope(|s| {
        s.spawn(|| {
            assert!(v.is_valid(id, &nest(20), Direction::Neutral));
            let deep = nest(100_000);
            assert!(!v.is_valid(id, &deep, Direction::Neutral));
            let errors = v.validate(id, &deep, Direction::Neutral).unwrap_err();
            assert!(errors[0].expected.contains("nested at most"), "{}", errors[0]);
            // Dropping a value this deep recurses too: leak it rather than
            // test serde_json's destructor.
            std::mem::forget(deep);
        });
    });
}
