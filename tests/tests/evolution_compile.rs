//! The generated-API verdicts of `openapi_contract::evolution` agree with
//! the compiler. For a sample of rules, a downstream crate is written from
//! the old API, using every item as strictly as Rust lets a user (struct
//! patterns naming every field, `match`es naming every variant, every
//! field's type written out); it must compile against the crate generated
//! from the old spec, and against the one from the new spec it must fail
//! exactly when the report says major.

use std::path::Path;

use openapi_codegen::ir::{Api, Presence, TypeKind, TypeRef};
use openapi_codegen::{Document, Generator};
use openapi_contract::checks::Spec;
use openapi_contract::evolution::{self, Bump, rust::shown};
use serde_json::{Value, json};

fn base() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/thing"}}}}}
                }
            }
        },
        "components": {"schemas": {
            "thing": {
                "type": "object",
                "description": "A thing.",
                "required": ["id", "kind"],
                "properties": {
                    "id": {"type": "string"},
                    "kind": {"$ref": "#/components/schemas/kind"},
                    "size": {"type": "integer", "maximum": 10}
                }
            },
            "kind": {"type": "string", "enum": ["small", "large"]}
        }}
    })
}

/// A downstream crate that uses every type of `api` strictly.
fn probe(api: &Api) -> String {
    let mut out = String::from(
        "#![allow(unused, clippy::all, non_snake_case, unreachable_code)]\nuse std::collections::BTreeMap;\nuse api::runtime::*;\nuse api::types::*;\nfn any<T>() -> T { unreachable!() }\n",
    );
    for (name, def) in &api.types {
        match &def.kind {
            TypeKind::Struct(s) => {
                let fields: Vec<&str> = s.fields.iter().map(|f| f.ident.as_str()).collect();
                let extra = s.extra.as_ref().map(|e| format!(", {}", e.ident)).unwrap_or_default();
                // A `#[non_exhaustive]` struct (a request type) can only be
                // matched with `..` outside its crate.
                let rest = if def.input { ", .." } else { "" };
                out.push_str(&format!("fn pattern_{name}(x: {name}) {{ let {name} {{ {}{extra}{rest} }} = x; }}\n", fields.join(", ")));
                // A request type is built with `new(required...)`, or
                // `default()` when nothing is required.
                if def.input {
                    let args: Vec<String> = s
                        .fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| match (&f.ty, f.presence()) {
                            (t, Presence::RequiredNullable) => format!("any::<Option<{}>>()", shown(t)),
                            (TypeRef::Box(inner), _) => format!("any::<{}>()", shown(inner)),
                            (t, _) => format!("any::<{}>()", shown(t)),
                        })
                        .collect();
                    let make = if args.is_empty() { format!("{name}::default()") } else { format!("{name}::new({})", args.join(", ")) };
                    out.push_str(&format!("fn make_{name}() -> {name} {{ {make} }}\n"));
                }
                for f in &s.fields {
                    let inner = shown(&f.ty);
                    let ty = match f.presence() {
                        Presence::Required => inner,
                        Presence::RequiredNullable | Presence::Optional => format!("Option<{inner}>"),
                        Presence::OptionalNullable => format!("Nullable<{inner}>"),
                    };
                    out.push_str(&format!("fn field_{name}_{}(x: &{name}) -> &{ty} {{ &x.{} }}\n", f.ident.trim_start_matches("r#"), f.ident));
                }
            }
            TypeKind::Enum(e) => {
                let arms: Vec<String> = e.variants.iter().map(|v| format!("{name}::{} => {{}}", v.ident)).collect();
                out.push_str(&format!("fn match_{name}(x: {name}) {{ match x {{ {}, {name}::{}(_) => {{}} }} }}\n", arms.join(", "), e.unknown));
            }
            _ => out.push_str(&format!("fn mention_{name}(_: {name}) {{}}\n")),
        }
    }
    out
}

fn write_crate(dir: &Path, files: Vec<(String, String)>) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).unwrap();
        }
    }
}

/// Whether the probe compiles against the crate at `api_dir`.
fn compiles(work: &Path, api_dir: &Path, probe: &str) -> Result<(), String> {
    let manifest = format!(
        "[package]\nname = \"probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\napi = {{ package = \"generated-api\", path = {:?} }}\n\n[workspace]\n",
        api_dir.display().to_string()
    );
    write_crate(work, vec![("Cargo.toml".into(), manifest), ("src/lib.rs".into(), probe.to_owned())]);
    let lock = contract_tests::root().join("Cargo.lock");
    if !work.join("Cargo.lock").exists() {
        std::fs::copy(lock, work.join("Cargo.lock")).unwrap();
    }
    let output = openapi_contract::cargo()
        .args(["check", "--quiet", "--offline", "--manifest-path"])
        .arg(work.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", contract_tests::root().join("target/evolution-check/target"))
        .output()
        .unwrap();
    if output.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&output.stderr).into_owned()) }
}

fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let map = doc.pointer_mut(parent).and_then(Value::as_object_mut).unwrap_or_else(|| panic!("{parent}"));
    if value.is_null() {
        map.remove(key);
    } else {
        map.insert(key.to_owned(), value);
    }
}

#[test]
fn generated_api_verdicts_agree_with_the_compiler() {
    let cases: Vec<(&str, Vec<(&str, Value)>)> = vec![
        ("response field added", vec![("/components/schemas/thing/properties/colour", json!({"type": "string"}))]),
        ("response field removed", vec![("/components/schemas/thing/properties/size", Value::Null)]),
        ("field became optional", vec![("/components/schemas/thing/required", json!(["id"]))]),
        ("enum value added", vec![("/components/schemas/kind/enum", json!(["small", "large", "huge"]))]),
        ("enum value removed", vec![("/components/schemas/kind/enum", json!(["small"]))]),
        ("type renamed", vec![("/components/schemas/sort", json!({"type": "string", "enum": ["small", "large"]})), ("/components/schemas/kind", Value::Null), ("/components/schemas/thing/properties/kind", json!({"$ref": "#/components/schemas/sort"}))]),
        ("query parameter added", vec![("/paths/~1things/get/parameters", json!([{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}, {"name": "after", "in": "query", "schema": {"type": "string"}}]))]),
        ("required query parameter added", vec![("/paths/~1things/get/parameters", json!([{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}, {"name": "owner", "in": "query", "required": true, "schema": {"type": "string"}}]))]),
        ("bound changed", vec![("/components/schemas/thing/properties/size/maximum", json!(20))]),
        ("documentation changed", vec![("/components/schemas/thing/description", json!("A thing, described again."))]),
        ("type added", vec![("/components/schemas/other", json!({"type": "object", "properties": {"a": {"type": "string"}}}))]),
    ];
    let root = contract_tests::root().join("target/evolution-check");
    let generator = Generator::new().with_command("the evolution compile test");
    let build = |value: &Value| {
        let doc = Document::from_text("spec.json", serde_json::to_string(value).unwrap()).unwrap();
        let api = generator.build(&doc).unwrap();
        (doc, api)
    };
    let (old_doc, old_api) = build(&base());
    let old_dir = root.join("old");
    write_crate(&old_dir, generator.standalone_crate(&old_api, "generated-api").unwrap());
    let probe_source = probe(&old_api);
    let work = root.join("probe");
    compiles(&work, &old_dir, &probe_source).unwrap_or_else(|e| panic!("the probe does not compile against the old crate:\n{e}\n{probe_source}"));
    let mut disagreements = Vec::new();
    for (name, changes) in cases {
        let mut value = base();
        for (pointer, v) in changes {
            set(&mut value, pointer, v);
        }
        let (new_doc, new_api) = build(&value);
        let report = evolution::compare(&mut Spec::new(old_doc.clone()), &mut Spec::new(new_doc)).unwrap();
        // The probe uses the types: the verdict for them is what it checks.
        let types_bump = report.rust.iter().filter(|c| c.item.starts_with("types::")).map(|c| c.bump).max().unwrap_or(Bump::None);
        let new_dir = root.join(format!("new-{}", name.replace(' ', "-")));
        write_crate(&new_dir, generator.standalone_crate(&new_api, "generated-api").unwrap());
        let result = compiles(&work, &new_dir, &probe_source);
        if result.is_err() != (types_bump == Bump::Major) {
            disagreements.push(format!("{name}: the report says {} for the types, the compiler {}\n{:#?}", types_bump.as_str(), if result.is_err() { "fails" } else { "passes" }, report.rust));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
}
