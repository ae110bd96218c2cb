//! OpenAPI 3.1: every vendored real spec and OAI fixture (`tests/openapi31`)
//! loads and generates, or is refused by name with its pointer; the 2020-12
//! shapes read as their 3.0 equivalents; and the project's own spec written
//! as 3.1 generates exactly the same code as the 3.0 document.

use std::path::{Path, PathBuf};

use contract_tests::root;
use openapi_codegen::ir::{Presence, TypeKind, TypeRef};
use openapi_codegen::{Document, Generator};
use serde_json::{Value, json};

fn specs(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            specs(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn every_vendored_31_document_generates_or_is_refused_by_name() {
    let mut files = Vec::new();
    specs(&root().join("tests/openapi31"), &mut files);
    files.sort();
    assert!(files.len() >= 40, "{} files", files.len());
    // Refused on purpose, each with what and where.
    let refused = [
        ("security-scheme-object-examples.yaml", "#/components/securitySchemes/external/$ref", "is a URL: references are read from files only (no network)"),
        ("operation-object-example.yaml", "#/paths/~1pets~1{id}/put", "`petId` is declared `in: path` but not in the path"),
    ];
    let generator = Generator::new();
    let mut generated = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let result = generator.load(path).and_then(|doc| generator.build(&doc)).and_then(|api| generator.modules(&api));
        match (result, refused.iter().find(|(n, ..)| *n == name)) {
            (Ok(modules), None) => {
                assert!(modules.iter().any(|(m, _)| *m == "types.rs"), "{name}");
                generated += 1;
            }
            (Err(e), Some((_, pointer, words))) => {
                let text = e.to_string();
                assert!(text.contains(pointer) && text.contains(words), "{name}: {text}");
                assert!(text.contains(&format!("{name}:")) && text.lines().nth(1).is_some_and(|l| l.contains(':')), "with a line: {text}");
            }
            (Ok(_), Some(_)) => panic!("{name} should be refused"),
            (Err(e), None) => panic!("{name}: {e}"),
        }
    }
    assert_eq!(generated, files.len() - refused.len());
}

fn load(text: &str) -> Document {
    Document::from_text("t.yaml", text.to_owned()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_2020_12_shapes_read_as_their_30_equivalents() {
    let doc = Generator::new().load(&root().join("tests/fixtures/openapi31.yaml")).unwrap();
    assert_eq!(doc.original.as_ref().and_then(|o| o.get("openapi")), Some(&json!("3.1.0")));
    let at = |p: &str| doc.raw.pointer(p).cloned().unwrap_or(Value::Null);
    // `type: [string, "null"]`
    assert_eq!((at("/components/schemas/gadget/properties/colour/type"), at("/components/schemas/gadget/properties/colour/nullable")), (json!("string"), json!(true)));
    // `const`, numeric exclusive bounds, `examples`
    assert_eq!(at("/components/schemas/gadget/properties/kind/enum"), json!(["gadget"]));
    assert_eq!(
        (at("/components/schemas/gadget/properties/size/minimum"), at("/components/schemas/gadget/properties/size/exclusiveMinimum")),
        (json!(0), json!(true))
    );
    assert_eq!(at("/components/schemas/gadget/properties/id/example"), json!("g_1"));
    // `$ref` with a constraining sibling; with an annotation only
    assert_eq!(at("/components/schemas/gadget/properties/part/allOf/0/$ref"), json!("#/components/schemas/gadget_part"));
    assert_eq!(at("/components/schemas/gadget/properties/part/maxLength"), json!(10));
    assert_eq!(at("/components/schemas/gadget/properties/owner"), json!({"$ref": "#/components/schemas/owner"}));
    // `$defs` hoisted, `$anchor` resolved, boolean schema, content keywords, tuple
    assert_eq!(at("/components/schemas/gadget/properties/tags/items/$ref"), json!("#/components/schemas/gadget_tag"));
    assert_eq!(at("/components/schemas/gadget_tag/minLength"), json!(1));
    assert_eq!(at("/components/schemas/event/properties/gadget/$ref"), json!("#/components/schemas/owner"));
    assert_eq!(at("/components/schemas/gadget/properties/anything"), json!({}));
    assert_eq!((at("/components/schemas/gadget/properties/picture/format"), at("/components/schemas/gadget/properties/digest/format")), (json!("binary"), json!("byte")));
    assert_eq!(at("/components/schemas/gadget/properties/point/items"), json!({"type": "number"}));
    // 2020-12 keywords with no type meaning leave the typed view, not the original
    assert_eq!(at("/components/schemas/gadget/properties/rule/if"), Value::Null);
    assert!(doc.original.as_ref().unwrap().pointer("/components/schemas/gadget/properties/rule/if").is_some());
    // document level: webhooks, path items, the anyOf-null parameter
    assert!(at("/x-webhooks/gadget.made/post").is_object());
    assert_eq!(at("/paths/~1gadgets~1{id}/get/operationId"), json!("getGadget"));

    let api = Generator::new().build(&doc).unwrap();
    let TypeKind::Struct(gadget) = &api.types["Gadget"].kind else { panic!() };
    let presence: Vec<(&str, Presence)> = gadget.fields.iter().map(|f| (f.wire.as_str(), f.presence())).collect();
    assert!(presence.contains(&("colour", Presence::RequiredNullable)) && presence.contains(&("note", Presence::OptionalNullable)), "{presence:?}");
    let TypeKind::Enum(kind) = &api.types["GadgetKind"].kind else { panic!() };
    assert_eq!(kind.variants.iter().map(|v| v.wire.as_str()).collect::<Vec<_>>(), ["gadget"]);
    let op = api.operations.iter().find(|o| o.id == "getGadget").unwrap();
    assert!(op.param_fields.iter().any(|f| f.wire == "after"));
    assert_eq!(api.events.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["gadget.made"]);
    let ty = |wire: &str| gadget.fields.iter().find(|f| f.wire == wire).unwrap().ty.clone();
    assert_eq!(ty("point"), TypeRef::Vec(Box::new(TypeRef::F64)));
    assert_eq!(ty("pair"), TypeRef::Tuple(vec![TypeRef::String, TypeRef::I64]));
    assert_eq!(ty("range"), TypeRef::Tuple(vec![TypeRef::I64, TypeRef::I64]));
}

#[test]
fn several_types_become_alternatives_and_refusals_name_their_place() {
    let doc = load("openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents:\n  schemas:\n    a: {type: [string, integer, 'null']}\n");
    assert_eq!(doc.raw.pointer("/components/schemas/a"), Some(&json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})));
    let external = Document::from_text("t.yaml", "openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents:\n  schemas:\n    a: {$ref: 'other.yaml#/b'}\n".into()).unwrap_err().to_string();
    assert!(external.contains("t.yaml:5: #/components/schemas/a/$ref") && external.contains("other.yaml#/b"), "{external}");
    let dialect = Document::from_text("t.yaml", "openapi: 3.1.0\ninfo: {title: T, version: '1'}\njsonSchemaDialect: https://example.com/mine\n".into()).unwrap_err().to_string();
    assert!(dialect.contains("t.yaml:3: #/jsonSchemaDialect") && dialect.contains("`https://example.com/mine`"), "{dialect}");
    // Nothing panics on odd 2020-12 input.
    for odd in ["components: {schemas: {a: false, b: true, c: {type: []}, d: {prefixItems: []}, e: {$defs: {x: true}}}}", "webhooks: {a: {$ref: '#/components/pathItems/none'}}"] {
        let _ = Document::from_text("t.yaml", format!("openapi: 3.1.0\ninfo: {{title: T, version: '1'}}\n{odd}\n")).map(|d| Generator::new().build(&d));
    }
}

#[test]
fn the_project_spec_as_31_generates_the_same_code() {
    let text = std::fs::read_to_string(root().join("spec/checkout_sessions.yaml")).unwrap();
    let doc30 = Document::from_text("spec", text).unwrap();
    let text31 = serde_json::to_string_pretty(&openapi_codegen::v31::from_30(&doc30.raw)).unwrap();
    assert!(text31.contains("\"null\"") && !text31.contains("\"nullable\""), "the converter wrote 3.1");
    let doc31 = Document::from_text("spec", text31).unwrap_or_else(|e| panic!("{e}"));
    let generator = Generator::new();
    let modules = |doc: &Document| generator.modules(&generator.build(doc).unwrap()).unwrap();
    let (a, b) = (modules(&doc30), modules(&doc31));
    assert_eq!(a.len(), b.len());
    for ((name, code30), (_, code31)) in a.iter().zip(&b) {
        if code30 != code31 && std::env::var("DUMP31").is_ok() {
            std::fs::write(format!("/tmp/{name}.30"), code30).unwrap();
            std::fs::write(format!("/tmp/{name}.31"), code31).unwrap();
        }
        if code30 != code31 {
            let first = code30.lines().zip(code31.lines()).enumerate().find(|(_, (x, y))| x != y);
            panic!("{name} differs, first at line {:?}", first.map(|(i, (x, y))| (i + 1, x.to_owned(), y.to_owned())));
        }
    }
}

#[test]
fn the_validator_reads_31_schemas_as_2020_12() {
    use openapi_contract::{Direction, Validator};
    let doc = load("openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents:\n  schemas:\n    a: {type: [integer, 'null'], exclusiveMaximum: 10}\n    b: {allOf: [{type: object}], unevaluatedProperties: false}\n");
    let mut v = Validator::new(&doc);
    let a = v.compile("#/components/schemas/a").unwrap();
    assert!(v.is_valid(a, &json!(null), Direction::Neutral) && v.is_valid(a, &json!(9), Direction::Neutral));
    assert!(!v.is_valid(a, &json!(10), Direction::Neutral) && !v.is_valid(a, &json!("9"), Direction::Neutral));
    // Beside an applicator, `unevaluatedProperties` sees what it evaluated.
    let b = v.compile("#/components/schemas/b").unwrap();
    assert!(v.is_valid(b, &json!({}), Direction::Neutral));
    let errors = v.validate(b, &json!({"x": 1}), Direction::Neutral).unwrap_err();
    assert_eq!(errors[0].schema_path, "#/components/schemas/b/unevaluatedProperties", "{errors:?}");
}

#[test]
fn tuples_and_constants_round_trip_through_the_generated_types() {
    use contract_tests::fixtures::openapi31::types::Gadget;
    let wire = json!({"id": "g_1", "kind": "gadget", "colour": null, "size": 5, "tags": ["a"], "pair": ["bolt", 4], "range": [1, 9], "point": [0.5, 1.5, 2.5]});
    let gadget: Gadget = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(gadget.pair, Some(("bolt".to_owned(), 4)));
    assert_eq!(gadget.range, Some((1, 9)));
    assert_eq!(serde_json::to_value(&gadget).unwrap(), wire);
    // A tuple of the wrong length or item type is not read.
    for bad in [json!(["bolt"]), json!(["bolt", 4, 5]), json!([4, "bolt"])] {
        let mut w = wire.clone();
        w["pair"] = bad.clone();
        assert!(serde_json::from_value::<Gadget>(w).is_err(), "{bad}");
    }
}
