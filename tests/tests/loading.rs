//! Every real spec loads: numbers of any size, keywords beside `$ref`,
//! vendor extensions and unusual but valid shapes. (The fixtures
//! `big_numbers.yaml` and `unusual_shapes.yaml` are also generated and
//! compiled with warnings denied, as every fixture is.)

use contract_tests::root;
use openapi_codegen::ir::{Api, TypeKind};
use openapi_codegen::{Document, Generator};
use openapi_contract::{Direction, Validator};
use serde_json::json;

fn build(doc: &Document) -> Api {
    Generator::new().build(doc).unwrap_or_else(|e| panic!("{e}"))
}

fn fixture(name: &str) -> Document {
    Document::from_path(&root().join("tests/fixtures").join(name)).unwrap_or_else(|e| panic!("{e}"))
}

/// The constraints of the params field `wire` of the first operation.
fn param_constraints(api: &Api, wire: &str) -> openapi_codegen::ir::Constraints {
    let params = api.operations[0].params.as_ref().unwrap();
    let TypeKind::Struct(s) = &api.types[params].kind else { panic!("{params} is a struct") };
    s.fields.iter().find(|f| f.wire == wire).unwrap().constraints.clone()
}

#[test]
fn numbers_beyond_64_bits_load_in_yaml() {
    let doc = fixture("big_numbers.yaml");
    // The raw document keeps every value as a float, nearest to what was written.
    let at_most = doc.raw.pointer("/paths/~1counters/get/parameters/0/schema").unwrap();
    assert_eq!(at_most["maximum"].as_f64(), Some(18446744073709552000.0));
    assert_eq!(at_most["minimum"].as_f64(), Some(-99999999999999999999999.0));
    let api = build(&doc);
    // Where a Rust `i64` holds the value, the bound is the nearest `i64`.
    let c = param_constraints(&api, "at_most");
    assert_eq!((c.minimum, c.maximum), (Some(i64::MIN as f64), Some(i64::MAX as f64)));
    assert_eq!(param_constraints(&api, "label").max_length, Some(usize::MAX));
    // The validator reads the raw document: the example's 30-digit integer
    // is checked as a float.
    let mut validator = Validator::new(&doc);
    let schema = validator.compile("#/paths/~1counters/get/responses/200/content/application~1json/schema").unwrap();
    let example = doc.raw.pointer("/paths/~1counters/get/responses/200/content/application~1json/example").unwrap();
    assert!(validator.is_valid(schema, example, Direction::Response), "{example}");
    assert!(!validator.is_valid(schema, &json!({"total": 1.25}), Direction::Response));
}

#[test]
fn numbers_beyond_f64_load_in_json() {
    let text = r#"{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {"/a": {"get": {
        "operationId": "a",
        "parameters": [{"name": "n", "in": "query", "schema": {"type": "number", "maximum": 1e400, "minimum": -1e400}},
                       {"name": "i", "in": "query", "schema": {"type": "integer", "maximum": 123456789012345678901234567890}}],
        "responses": {"204": {"description": "none"}}}}}}"#;
    let doc = Document::from_text("big.json", text.to_owned()).unwrap_or_else(|e| panic!("{e}"));
    let api = build(&doc);
    let c = param_constraints(&api, "n");
    assert_eq!((c.minimum, c.maximum), (Some(f64::MIN), Some(f64::MAX)));
    assert_eq!(param_constraints(&api, "i").maximum, Some(i64::MAX as f64));
}

#[test]
fn keywords_beside_refs_extensions_and_odd_shapes_load() {
    let doc = fixture("unusual_shapes.yaml");
    let api = build(&doc);
    let thing = api.struct_def("Thing").unwrap();
    let wires: Vec<&str> = thing.fields.iter().map(|f| f.wire.as_str()).collect();
    assert_eq!(wires, ["id", "kind", "size", "tags", "meta", "choice", "empty_enum", "anything", "not_this"]);
    let op = &api.operations[0];
    assert_eq!((op.id.as_str(), op.path_params.len()), ("getThing", 1));
}

#[test]
fn a_broken_number_still_names_its_pointer() {
    // A negative length fits no model: refused, with where.
    let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    s: {type: string, maxLength: -1}\n";
    let err = Document::from_text("neg.yaml", text.to_owned()).unwrap_err().to_string();
    assert!(err.contains("#/components/schemas/s") && err.contains("neg.yaml:6"), "{err}");
}

#[test]
fn documents_as_deep_as_the_parser_allows_generate_on_a_test_thread() {
    // The parsers stop at 128 levels; everything after them must survive
    // what they let through, on the 2 MiB stack of a test thread, in debug.
    let mut schema = "{type: string}".to_owned();
    for _ in 0..55 {
        schema = format!("{{type: object, properties: {{a: {schema}, b: {{type: array, items: {{anyOf: [{{type: string}}, {{type: integer}}]}}}}}}}}");
    }
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: Deep, version: '1'}}\npaths:\n  /a:\n    post:\n      operationId: a\n      requestBody:\n        content:\n          application/x-www-form-urlencoded:\n            schema: {schema}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {schema}\n"
    );
    let doc = Document::from_text("deep.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    let api = build(&doc);
    assert_eq!(api.input_depth(&api.operations[0]), 32, "deeper than the router allows: the cap");
    let modules = Generator::new().modules(&api).unwrap_or_else(|e| panic!("{e}"));
    assert!(modules.iter().any(|(name, code)| *name == "types.rs" && code.contains("pub struct A")));
    // The validator compiles and walks it too.
    let mut validator = Validator::new(&doc);
    let compiled = validator.compile("#/paths/~1a/post/responses/200/content/application~1json/schema").unwrap();
    let mut instance = json!("leaf");
    for _ in 0..55 {
        instance = json!({"a": instance, "b": ["x", 1]});
    }
    assert!(validator.is_valid(compiled, &instance, Direction::Response));
    assert!(validator.validate(compiled, &json!({"a": {"a": 1}}), Direction::Response).is_err());
    // Deeper than the parser allows: a clear error, not a crash.
    let deep = format!("openapi: 3.0.3\ninfo: {{title: D, version: '1'}}\npaths: {{}}\nx-deep: {}{}\n", "[".repeat(5_000), "]".repeat(5_000));
    let err = Document::from_text("deeper.yaml", deep).unwrap_err().to_string();
    assert!(err.contains("deeper.yaml:4"), "{err}");
}

#[test]
fn number_enums_of_any_value_generate_and_check_only_what_a_literal_holds() {
    let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      parameters:\n\
        \x20       - {name: odd, in: query, schema: {type: number, enum: [.inf, -.inf, .nan, 1e400, 2]}}\n\
        \x20       - {name: big, in: query, schema: {type: integer, enum: [99999999999999999999999, 1]}}\n\
        \x20       - {name: plain, in: query, schema: {type: number, enum: [0.5, 2]}}\n\
        \x20     responses: {'204': {description: none}}\n";
    let doc = Document::from_text("enums.yaml", text.to_owned()).unwrap_or_else(|e| panic!("{e}"));
    let api = build(&doc);
    for wire in ["odd", "big", "plain"] {
        let one_of = param_constraints(&api, wire).one_of;
        assert!(one_of.iter().all(|v| v.is_finite()), "{wire}: {one_of:?}");
    }
    // An enum the typed model cannot hold is checked when every value is a
    // number (`1` passes, anything else fails), not when one is text.
    assert_eq!(param_constraints(&api, "big").one_of, [99999999999999999999999.0, 1.0]);
    assert_eq!(param_constraints(&api, "odd").one_of, Vec::<f64>::new());
    assert_eq!(param_constraints(&api, "plain").one_of, [0.5, 2.0]);
    // Every literal the emitter writes is a Rust literal: no panic, and the
    // plain enum is checked.
    let modules = Generator::new().modules(&api).unwrap_or_else(|e| panic!("{e}"));
    let types = &modules.iter().find(|(name, _)| *name == "types.rs").unwrap().1;
    assert!(types.contains(".one_of(&[0.5, 2.0])"), "{types}");
}

/// Extensions carry no OpenAPI meaning: `extensions.yaml` and
/// `openapi31_extensions.yaml` put `$ref`s out of the document and to
/// nothing inside `x-` values at every level, and `x-` keys beside the
/// paths, the responses and the webhook events. Nothing of it is read as
/// the API, by the generator or by the contract tools.
#[test]
fn extensions_are_never_followed_or_read_as_the_api() {
    for name in ["extensions.yaml", "openapi31_extensions.yaml"] {
        let doc = fixture(name);
        let api = build(&doc);
        assert_eq!(api.operations.len(), 1, "{name}: the paths' `x-` key is no path");
        let events: Vec<&str> = api.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(events, ["item.created"], "{name}: `x-sdk-exclude` is no event");
        let status: Vec<_> = api.operations[0].responses.iter().map(|r| r.status).collect();
        assert_eq!(status, [openapi_codegen::ir::Status::Code(200)], "{name}: `x-summary` is no response");
        // The contract tools read the same document the same way.
        let mut spec = openapi_contract::Spec::new(doc.clone());
        let found = openapi_contract::examples::find(&spec.doc.raw);
        assert!(found.examples.is_empty() && found.skipped.is_empty(), "{name}: {found:?}");
        let cases = openapi_contract::checks::examples(&mut spec);
        assert!(cases.iter().all(|c| c.passed()), "{name}: {cases:?}");
        let mut again = openapi_contract::Spec::new(doc);
        let report = openapi_contract::evolution::compare(&mut spec, &mut again).unwrap();
        assert!(report.findings.is_empty(), "{name}: {}", report.summary());
    }
}

/// Where keys are names (properties, headers), a key starting with `x-`
/// is a name: what it holds is read and checked like any other.
#[test]
fn an_x_name_among_names_is_still_read() {
    let text = r##"openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: OK
          headers:
            x-rate-limit:
              schema: {$ref: '#/components/schemas/Missing'}
components:
  schemas:
    A:
      type: object
      properties:
        x-custom: {$ref: '#/components/schemas/AlsoMissing'}
"##;
    let error = Document::from_text("names.yaml", text.to_owned()).map(|_| ()).unwrap_err().to_string();
    assert!(error.contains("#/paths/~1a/get/responses/200/headers/x-rate-limit/schema/$ref"), "{error}");
    assert!(error.contains("#/components/schemas/A/properties/x-custom/$ref"), "{error}");
    // And a 3.1 header named `x-...` is read as 3.1.
    let doc = fixture("openapi31_extensions.yaml");
    let at = "/paths/~1items/get/responses/200/headers/x-request-id/schema";
    assert_eq!(doc.original.as_ref().unwrap().pointer(at).unwrap()["type"], json!(["string", "null"]));
    assert_eq!(doc.raw.pointer(at).unwrap(), &json!({"type": "string", "nullable": true}), "its 3.0 view");
    let api = build(&doc);
    let item = api.struct_def("Item").unwrap();
    let note = item.fields.iter().find(|f| f.wire == "x-note").unwrap();
    assert!(note.nullable && !note.required, "{note:?}");
}
