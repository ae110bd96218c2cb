//! The validator's verdicts agree with an independent implementation, the
//! Python `jsonschema` package, on the translated schemas: hand-written
//! edge cases of every keyword, and values generated from the project's
//! spec with mutations of them.

use crate::common;

use openapi_contract::checks::Spec;
use openapi_contract::generate::Generator;
use openapi_contract::json_schema::translate;
use openapi_contract::{Direction, Validator};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

/// A schema (a pointer into `doc`), a direction, and instances.
struct Case {
    doc: Value,
    pointer: String,
    direction: Direction,
    instances: Vec<Value>,
}

fn doc(schemas: Value) -> Value {
    json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}})
}

fn case(schemas: Value, name: &str, direction: Direction, instances: Vec<Value>) -> Case {
    Case { doc: doc(schemas), pointer: format!("#/components/schemas/{name}"), direction, instances }
}

/// Edge cases, keyword by keyword.
fn hand_written() -> Vec<Case> {
    let n = Direction::Neutral;
    vec![
        case(json!({"s": {"type": "integer"}}), "s", n, vec![json!(1), json!(1.0), json!(1.5), json!("1"), json!(null), json!(true), json!(-9007199254740993_i64), json!(18446744073709551615_u64)]),
        case(json!({"s": {"type": "number"}}), "s", n, vec![json!(1), json!(-0.5), json!("0"), json!(false), json!([]), json!(1e300)]),
        case(json!({"s": {"type": "string", "nullable": true}}), "s", n, vec![json!(null), json!(""), json!(0), json!({})]),
        case(json!({"s": {"type": "boolean"}}), "s", n, vec![json!(true), json!(0), json!("true"), json!(null)]),
        case(json!({"s": {"type": "string", "enum": ["a", "b"], "nullable": true}}), "s", n, vec![json!("a"), json!("c"), json!(null), json!(["a"])]),
        case(json!({"s": {"enum": [1, "1", null, {"a": [1]}]}}), "s", n, vec![json!(1), json!(1.0), json!("1"), json!(null), json!({"a": [1.0]}), json!({"a": [2]}), json!(true)]),
        case(json!({"s": {"type": "integer", "minimum": 1, "maximum": 100}}), "s", n, vec![json!(0), json!(1), json!(100), json!(101), json!(50.0)]),
        case(json!({"s": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true}}), "s", n, vec![json!(0), json!(0.001), json!(0.999), json!(1)]),
        case(json!({"s": {"type": "number", "multipleOf": 0.5}}), "s", n, vec![json!(1.5), json!(2), json!(1.25), json!(0)]),
        case(json!({"s": {"type": "string", "minLength": 2, "maxLength": 3}}), "s", n, vec![json!("a"), json!("ab"), json!("abc"), json!("abcd"), json!("éé"), json!("日本語"), json!("😀😀😀😀")]),
        case(json!({"s": {"type": "string", "pattern": "^[a-z]{3}$"}}), "s", n, vec![json!("usd"), json!("USD"), json!("usdx"), json!(""), json!(5)]),
        case(json!({"s": {"type": "string", "pattern": "b+"}}), "s", n, vec![json!("abc"), json!("ac"), json!("bbb")]),
        case(json!({"s": {"type": "string", "format": "date-time"}}), "s", n, vec![json!("2024-06-20T10:00:00Z"), json!("2024-06-20T10:00:00.5+02:00"), json!("2024-02-30T10:00:00Z"), json!("2024-06-20"), json!("yesterday"), json!(5)]),
        case(json!({"s": {"type": "string", "format": "date"}}), "s", n, vec![json!("2024-06-20"), json!("2024-13-01"), json!("2024-6-20"), json!("2023-02-29"), json!("2024-02-29")]),
        case(json!({"s": {"type": "string", "format": "email"}}), "s", n, vec![json!("a@b.co"), json!("nobody")]),
        case(json!({"s": {"type": "string", "format": "uuid"}}), "s", n, vec![json!("123e4567-e89b-12d3-a456-426614174000"), json!("123e4567e89b12d3a456426614174000"), json!("not-a-uuid")]),
        case(json!({"s": {"type": "string", "format": "ipv4"}}), "s", n, vec![json!("192.168.0.1"), json!("256.0.0.1"), json!("1.2.3"), json!("01.2.3.4")]),
        case(json!({"s": {"type": "integer", "format": "int32"}}), "s", n, vec![json!(2147483647), json!(2147483648_i64), json!(-2147483648_i64), json!(-2147483649_i64)]),
        case(json!({"s": {"type": "string", "format": "unix-time"}}), "s", n, vec![json!("anything")]),
        case(json!({"s": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3, "uniqueItems": true}}), "s", n, vec![json!([]), json!([1]), json!([1, 2, 3]), json!([1, 2, 3, 4]), json!([1, 1]), json!([1, 1.0]), json!([1, "2"])]),
        case(json!({"s": {"type": "array", "uniqueItems": true}}), "s", n, vec![json!([1, true]), json!([{"a": 1}, {"a": 1}]), json!([[1], [1, 2]]), json!([0, false])]),
        case(
            json!({"s": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "additionalProperties": false}}),
            "s",
            n,
            vec![json!({"a": "x"}), json!({"a": "x", "b": 1}), json!({"b": 1}), json!({"a": "x", "c": 1}), json!({"a": 1}), json!([]), json!({})],
        ),
        case(json!({"s": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 2}}}), "s", n, vec![json!({}), json!({"k": "ab"}), json!({"k": "abc"}), json!({"k": 1})]),
        case(json!({"s": {"type": "object", "minProperties": 1, "maxProperties": 2}}), "s", n, vec![json!({}), json!({"a": 1}), json!({"a": 1, "b": 2, "c": 3})]),
        case(json!({"s": {"properties": {"a": {"type": "integer"}}, "required": ["a"]}}), "s", n, vec![json!({"a": 1}), json!({}), json!("not an object"), json!(5)]),
        case(
            json!({"s": {"anyOf": [{"type": "string", "maxLength": 3}, {"$ref": "#/components/schemas/o"}]}, "o": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}),
            "s",
            n,
            vec![json!("abc"), json!("abcd"), json!({"id": "x"}), json!({}), json!(null), json!(1)],
        ),
        case(json!({"s": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]}}), "s", n, vec![json!(1), json!(12), json!(10.5), json!(1.5), json!("x")]),
        case(json!({"s": {"allOf": [{"type": "object", "required": ["a"]}, {"required": ["b"]}], "nullable": true}}), "s", n, vec![json!({"a": 1, "b": 2}), json!({"a": 1}), json!({}), json!(null), json!(3)]),
        case(json!({"s": {"not": {"type": "string"}}}), "s", n, vec![json!(1), json!("x"), json!(null)]),
        case(
            json!({"s": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/s"}, "v": {"type": "integer"}}}}),
            "s",
            n,
            vec![json!({"next": {"next": {"v": 1}}}), json!({"next": {"next": {"v": "1"}}}), json!({"next": null})],
        ),
        case(
            json!({"s": {"type": "object", "required": ["id", "secret", "name"], "properties": {"id": {"type": "string", "readOnly": true}, "secret": {"type": "string", "writeOnly": true}, "name": {"type": "string"}, "at": {"$ref": "#/components/schemas/t"}}}, "t": {"type": "integer", "readOnly": true}}),
            "s",
            Direction::Request,
            vec![json!({"secret": "x", "name": "n"}), json!({"id": "1", "secret": "x", "name": "n"}), json!({"name": "n"}), json!({"secret": "x", "name": "n", "at": 1})],
        ),
        case(
            json!({"s": {"type": "object", "required": ["id", "secret", "name"], "properties": {"id": {"type": "string", "readOnly": true}, "secret": {"type": "string", "writeOnly": true}, "name": {"type": "string"}}}}),
            "s",
            Direction::Response,
            vec![json!({"id": "1", "name": "n"}), json!({"id": "1", "secret": "x", "name": "n"}), json!({"name": "n"})],
        ),
    ]
}

/// A small deterministic generator for mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// Every JSON pointer inside a value.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| pointers(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out)),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| pointers(v, format!("{at}/{i}"), out)),
        _ => {}
    }
}

/// Variations of a valid value: a part replaced by a value of another
/// kind, a property removed or added.
fn mutations(value: &Value, rng: &mut Rng) -> Vec<Value> {
    let mut places = Vec::new();
    pointers(value, String::new(), &mut places);
    let replacements = [json!(null), json!(true), json!(-1), json!(1.5), json!("mutated"), json!([]), json!({}), json!("paid")];
    let mut out = Vec::new();
    for _ in 0..4 {
        let at = &places[rng.next() as usize % places.len()];
        let mut changed = value.clone();
        if let Some(slot) = changed.pointer_mut(at) {
            *slot = replacements[rng.next() as usize % replacements.len()].clone();
        }
        out.push(changed);
    }
    let objects: Vec<&String> = places.iter().filter(|p| value.pointer(p).is_some_and(Value::is_object)).collect();
    if !objects.is_empty() {
        let at = objects[rng.next() as usize % objects.len()];
        let mut removed = value.clone();
        if let Some(map) = removed.pointer_mut(at).and_then(Value::as_object_mut)
            && let Some(key) = map.keys().next().cloned()
        {
            map.remove(&key);
        }
        out.push(removed);
        let mut added = value.clone();
        if let Some(map) = added.pointer_mut(at).and_then(Value::as_object_mut) {
            map.insert("undeclared_property".into(), json!(1));
        }
        out.push(added);
    }
    out
}

/// Values generated from every component schema of the project's spec,
/// and mutations of them.
fn from_the_spec() -> Vec<Case> {
    let spec = Spec::load(&contract_tests::root().join("spec/checkout_sessions.yaml")).unwrap();
    let mut validator = Validator::new(&spec.doc);
    let names: Vec<String> = spec.doc.raw["components"]["schemas"].as_object().unwrap().keys().cloned().collect();
    let mut rng = Rng(7);
    let mut runner = TestRunner::deterministic();
    let mut out = Vec::new();
    for name in names {
        let pointer = format!("#/components/schemas/{name}");
        let id = validator.compile(&pointer).unwrap();
        let strategy = Generator::new(&validator, Direction::Response).strategy(id);
        let mut instances = Vec::new();
        for _ in 0..2 {
            let value = strategy.new_tree(&mut runner).unwrap().current();
            instances.extend(mutations(&value, &mut rng));
            instances.push(value);
        }
        out.push(Case { doc: spec.doc.raw.clone(), pointer, direction: Direction::Response, instances });
    }
    out
}

/// Runs `script` on `input` (one entry per case) and compares Python's
/// verdicts with `ours`: the number of instances, how many we found valid,
/// and every verdict that differs.
fn against_python(python: &str, script: &str, tag: &str, input: &[Value], cases: &[Case], ours: &[Vec<bool>]) -> (usize, usize, Vec<String>) {
    let theirs: Vec<Vec<bool>> = common::python::json_out(python, script, &format!("cross-check-{tag}"), &input, &[]);
    let total: usize = ours.iter().map(Vec::len).sum();
    let valid: usize = ours.iter().flatten().filter(|v| **v).count();
    let mut disagreements = Vec::new();
    for (case, (ours, theirs)) in cases.iter().zip(ours.iter().zip(&theirs)) {
        for (instance, (a, b)) in case.instances.iter().zip(ours.iter().zip(theirs)) {
            if a != b {
                disagreements.push(format!("{} ({:?}): ours {a}, python {b}: {instance}", case.pointer, case.direction));
            }
        }
    }
    (total, valid, disagreements)
}

const PYTHON: &str = r#"
import json, sys
from jsonschema import Draft202012Validator
cases = json.load(open(sys.argv[1]))
verdicts = []
for case in cases:
    validator = Draft202012Validator(case["schema"], format_checker=Draft202012Validator.FORMAT_CHECKER)
    verdicts.append([validator.is_valid(i) for i in case["instances"]])
print(json.dumps(verdicts))
"#;

#[test]
fn verdicts_agree_with_python_jsonschema() {
    let Some(python) = common::python::python_with(&["jsonschema", "rfc3339_validator"]) else { return };
    let cases: Vec<Case> = hand_written().into_iter().chain(from_the_spec()).collect();
    let mut ours = Vec::new();
    let mut translated = Vec::new();
    for case in &cases {
        let mut validator = Validator::from_value(case.doc.clone());
        let id = validator.compile(&case.pointer).unwrap();
        ours.push(case.instances.iter().map(|i| validator.is_valid(id, i, case.direction)).collect::<Vec<bool>>());
        let schema = translate(&case.doc, &case.pointer, case.direction).unwrap();
        translated.push(json!({"schema": schema, "instances": case.instances}));
    }
    let (total, valid, disagreements) = against_python(python, PYTHON, "3.0", &translated, &cases, &ours);
    assert!(total >= 200, "only {total} instances");
    assert!(valid >= 60 && total - valid >= 60, "{valid} valid and {} invalid: too one-sided", total - valid);
    assert!(disagreements.is_empty(), "{} of {total} verdicts differ:\n{}", disagreements.len(), disagreements.join("\n"));
    eprintln!("{total} instances ({valid} valid): every verdict agrees with python jsonschema");
}

fn case31(schemas: Value, name: &str, instances: Vec<Value>) -> Case {
    let doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "components": {"schemas": schemas}});
    Case { doc, pointer: format!("#/components/schemas/{name}"), direction: Direction::Neutral, instances }
}

/// 2020-12 edge cases, keyword by keyword.
fn hand_written_31() -> Vec<Case> {
    vec![
        case31(json!({"s": {"type": ["string", "null"]}}), "s", vec![json!("a"), json!(null), json!(1), json!([])]),
        case31(json!({"s": {"type": ["integer", "boolean"]}}), "s", vec![json!(1), json!(true), json!(1.0), json!(1.5), json!(null)]),
        case31(json!({"s": {"const": {"a": [1]}}}), "s", vec![json!({"a": [1]}), json!({"a": [1.0]}), json!({"a": [2]}), json!(null)]),
        case31(json!({"s": {"enum": ["a", "b"], "const": "a"}}), "s", vec![json!("a"), json!("b")]),
        case31(json!({"s": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "minimum": 0.5}}), "s", vec![json!(0), json!(0.25), json!(0.5), json!(0.75), json!(1)]),
        case31(json!({"s": false, "t": true}), "s", vec![json!(1), json!(null), json!({})]),
        case31(json!({"s": {"$ref": "#/components/schemas/t", "maxLength": 2}, "t": {"type": "string"}}), "s", vec![json!("ab"), json!("abc"), json!(1)]),
        case31(json!({"s": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": {"type": "boolean"}}}), "s", vec![json!([]), json!([1]), json!([1, "a"]), json!([1, "a", true]), json!(["a", 1]), json!([1, "a", 2])]),
        case31(json!({"s": {"type": "array", "contains": {"type": "integer"}, "minContains": 2, "maxContains": 3}}), "s", vec![json!([1]), json!([1, 2]), json!(["a", 1, 2, 3]), json!([1, 2, 3, 4]), json!([])]),
        case31(json!({"s": {"type": "array", "contains": {"const": 5}}}), "s", vec![json!([5]), json!([4]), json!([])]),
        case31(json!({"s": {"type": "object", "dependentRequired": {"a": ["b", "c"]}}}), "s", vec![json!({}), json!({"a": 1}), json!({"a": 1, "b": 2}), json!({"a": 1, "b": 2, "c": 3}), json!({"b": 1})]),
        case31(json!({"s": {"type": "object", "dependentSchemas": {"a": {"required": ["b"]}}}}), "s", vec![json!({"a": 1}), json!({"a": 1, "b": 1}), json!({"c": 1})]),
        case31(json!({"s": {"if": {"properties": {"k": {"const": "x"}}, "required": ["k"]}, "then": {"required": ["x"]}, "else": {"required": ["y"]}}}), "s", vec![json!({"k": "x"}), json!({"k": "x", "x": 1}), json!({"k": "z"}), json!({"k": "z", "y": 1}), json!({})]),
        case31(json!({"s": {"type": "object", "properties": {"a": {"type": "integer"}}, "patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": false}}), "s", vec![json!({"a": 1}), json!({"x-b": "c"}), json!({"x-b": 1}), json!({"b": 1}), json!({"a": "1"})]),
        case31(json!({"s": {"type": "object", "patternProperties": {"^n": {"type": "number"}}}}), "s", vec![json!({"n1": 1}), json!({"n1": "a"}), json!({"m": "a"})]),
        case31(json!({"s": {"type": "object", "propertyNames": {"maxLength": 3}}}), "s", vec![json!({"abc": 1}), json!({"abcd": 1}), json!({})]),
        case31(json!({"s": {"anyOf": [{"type": "integer", "exclusiveMinimum": 0}, {"type": "null"}]}}), "s", vec![json!(1), json!(0), json!(null), json!("1")]),
        case31(json!({"s": {"type": "string", "enum": ["a", null]}}), "s", vec![json!("a"), json!(null)]),
        case31(json!({"s": {"type": "object", "properties": {"a": {"type": "integer"}}, "unevaluatedProperties": false}}), "s", vec![json!({"a": 1}), json!({"b": 1})]),
        // Beside applicators: what the passing subschemas evaluated.
        case31(
            json!({"s": {"allOf": [{"properties": {"a": {"type": "integer"}}}], "properties": {"b": {"type": "string"}}, "unevaluatedProperties": false}}),
            "s",
            vec![json!({"a": 1, "b": "x"}), json!({"a": 1, "c": 1}), json!({}), json!({"a": "1"})],
        ),
        case31(
            json!({"s": {"anyOf": [{"properties": {"a": {"const": 1}}, "required": ["a"]}, {"properties": {"b": {"const": 2}}, "required": ["b"]}], "unevaluatedProperties": {"type": "boolean"}}}),
            "s",
            vec![json!({"a": 1}), json!({"a": 1, "b": 3}), json!({"a": 1, "b": 2}), json!({"a": 1, "c": true}), json!({"a": 1, "c": 5})],
        ),
        case31(
            json!({"s": {"if": {"properties": {"k": {"const": "x"}}, "required": ["k"]}, "then": {"properties": {"x": true}}, "else": {"properties": {"y": true}}, "unevaluatedProperties": false}}),
            "s",
            vec![json!({"k": "x", "x": 1}), json!({"k": "x", "y": 1}), json!({"k": "z", "y": 1}), json!({"k": "z", "x": 1}), json!({"y": 1})],
        ),
        case31(
            json!({"s": {"$ref": "#/components/schemas/base", "properties": {"b": true}, "unevaluatedProperties": false}, "base": {"properties": {"a": true}}}),
            "s",
            vec![json!({"a": 1, "b": 2}), json!({"a": 1, "c": 2})],
        ),
        case31(
            json!({"s": {"allOf": [{"prefixItems": [{"type": "integer"}]}], "prefixItems": [true, {"type": "string"}], "unevaluatedItems": false}}),
            "s",
            vec![json!([1, "a"]), json!([1, "a", 3]), json!([1]), json!(["x", "a"])],
        ),
        case31(
            json!({"s": {"allOf": [{"type": "array"}], "unevaluatedItems": {"type": "integer"}}}),
            "s",
            vec![json!([1, 2]), json!([1, "2"]), json!([])],
        ),
        // Items `contains` matched are evaluated, beside it and in a passing
        // subschema; those it did not match are not.
        case31(
            json!({"s": {"contains": {"type": "string"}, "unevaluatedItems": false}}),
            "s",
            vec![json!(["a", "b"]), json!(["a", 1]), json!([1, "a"]), json!([]), json!([1])],
        ),
        case31(
            json!({"s": {"allOf": [{"contains": {"type": "string"}}], "prefixItems": [{"type": "integer"}], "unevaluatedItems": {"type": "boolean"}}}),
            "s",
            vec![json!([1, "a", true]), json!([1, "a", 2]), json!([1, true, "a"]), json!([1, "a", "b"]), json!([1])],
        ),
        case31(
            json!({"s": {"patternProperties": {"^x-": {"type": "string"}}, "properties": {"a": true}, "unevaluatedProperties": false}}),
            "s",
            vec![json!({"a": 1, "x-b": "c"}), json!({"x-b": 1}), json!({"b": 1}), json!({})],
        ),
        case31(
            json!({"s": {"anyOf": [{"contains": {"const": 1}}, {"contains": {"const": 2}}], "unevaluatedItems": false}}),
            "s",
            vec![json!([1, 2]), json!([1, 3]), json!([2, 2]), json!([3])],
        ),
    ]
}

/// Values generated from every component schema of the vendored OpenAPI 3.1
/// specs and the 3.1 fixture, and mutations of them: each checked against
/// the document as written, by this validator (2020-12 semantics) and by
/// Python's `Draft202012Validator` directly, no translation.
fn from_31_specs() -> Vec<Case> {
    let root = contract_tests::root();
    let files = ["tests/openapi31/frigate-api.yaml", "tests/openapi31/redocly-museum.openapi.yaml", "tests/openapi31/scalar-galaxy-3.1.json", "tests/openapi31/oai-examples/tictactoe.yaml", "tests/fixtures/openapi31.yaml"];
    let mut rng = Rng(31);
    let mut runner = TestRunner::deterministic();
    let mut out = Vec::new();
    for file in files {
        let spec = Spec::load(&root.join(file)).unwrap_or_else(|e| panic!("{e}"));
        let original = spec.doc.original.clone().expect("a 3.1 document");
        let mut validator = Validator::new(&spec.doc);
        let names: Vec<String> = original.pointer("/components/schemas").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
        for name in names {
            let pointer = format!("#/components/schemas/{}", name.replace('~', "~0").replace('/', "~1"));
            let id = validator.compile(&pointer).unwrap_or_else(|e| panic!("{file} {pointer}: {e}"));
            let strategy = Generator::new(&validator, Direction::Neutral).strategy(id);
            let mut instances = Vec::new();
            for _ in 0..2 {
                let value = strategy.new_tree(&mut runner).unwrap().current();
                instances.extend(mutations(&value, &mut rng));
                instances.push(value);
            }
            out.push(Case { doc: original.clone(), pointer, direction: Direction::Neutral, instances });
        }
    }
    out
}

fn rewrite_anchors(v: &mut Value, names: &std::collections::BTreeMap<String, String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref")
                && let Some(to) = names.get(target.as_str())
            {
                *target = to.clone();
            }
            map.values_mut().for_each(|child| rewrite_anchors(child, names));
        }
        Value::Array(items) => items.iter_mut().for_each(|child| rewrite_anchors(child, names)),
        _ => {}
    }
}

const PYTHON_31: &str = r#"
import json, sys
from jsonschema import Draft202012Validator
cases = json.load(open(sys.argv[1]))
verdicts = []
for case in cases:
    # The document as the root resource, so that `$ref`, `$defs` and
    # `$anchor` resolve as the 3.1 document means them.
    schema = dict(case["doc"])
    schema["$ref"] = case["pointer"]
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    verdicts.append([validator.is_valid(i) for i in case["instances"]])
print(json.dumps(verdicts))
"#;

#[test]
fn verdicts_agree_with_python_jsonschema_on_31_documents_directly() {
    let Some(python) = common::python::python_with(&["jsonschema", "rfc3339_validator"]) else { return };
    let cases: Vec<Case> = hand_written_31().into_iter().chain(from_31_specs()).collect();
    let mut ours = Vec::new();
    let mut input = Vec::new();
    for case in &cases {
        let mut validator = Validator::from_value(case.doc.clone());
        let id = validator.compile(&case.pointer).unwrap();
        ours.push(case.instances.iter().map(|i| validator.is_valid(id, i, case.direction)).collect::<Vec<bool>>());
        // Python's resolver finds `$anchor`s only under JSON Schema's own
        // keywords, not under `components`: they go to it as pointers.
        let mut doc = case.doc.clone();
        rewrite_anchors(&mut doc, &openapi_codegen::v31::names(&case.doc));
        input.push(json!({"doc": doc, "pointer": case.pointer, "instances": case.instances}));
    }
    let (total, valid, disagreements) = against_python(python, PYTHON_31, "3.1", &input, &cases, &ours);
    assert!(total >= 500, "only {total} instances");
    assert!(valid >= 100 && total - valid >= 100, "{valid} valid and {} invalid: too one-sided", total - valid);
    assert!(disagreements.is_empty(), "{} of {total} verdicts differ:\n{}", disagreements.len(), disagreements.join("\n"));
    eprintln!("{total} instances ({valid} valid) from 3.1 documents: every verdict agrees with python jsonschema (Draft 2020-12)");
}
