//! Generates every fixture spec in `fixtures/` into `OUT_DIR` and mounts
//! the results as modules of this crate, which is compiled with
//! `#![deny(warnings)]`: a fixture whose output does not compile, or warns,
//! fails the build. The snapshot tests check the same output's text.
//!
//! Besides the files, one spec per name the emitters reserve for themselves
//! (`openapi_codegen::RESERVED_METHOD_NAMES` and `RESERVED_ARGUMENT_NAMES`)
//! is written here, taking that name everywhere a spec can: as an
//! `operationId`, a path parameter, a field beside a constructor, and the
//! name a list operation's stream method would take. Each must compile.
//! So must the project's spec with a schema named after every name the
//! types module has in scope (`openapi_codegen::reserved_type_names`).
//!
//! And the mutants of every fixture (`mutate.rs`, shared with the
//! robustness test) that the generator accepts are generated and compiled
//! too, listed in `fixtures::MUTANTS`: what a test generates compiles
//! without a warning, not only what is written by hand.

use std::fmt::Write;
use std::path::{Path, PathBuf};

#[path = "mutate.rs"]
mod mutate;

/// Mutants made of each fixture spec (`mutate::mutant` with these seeds).
const MUTANT_SEEDS: [u64; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    let mut specs: Vec<(String, PathBuf)> =
        names.iter().map(|name| (name.trim_end_matches(".yaml").to_owned(), dir.join(name))).collect();
    let reserved_dir = out.join("reserved");
    std::fs::create_dir_all(&reserved_dir).expect("OUT_DIR is writable");
    let reserved: std::collections::BTreeSet<&str> =
        openapi_codegen::RESERVED_METHOD_NAMES.iter().chain(openapi_codegen::RESERVED_ARGUMENT_NAMES).copied().collect();
    for name in reserved {
        let path = reserved_dir.join(format!("{name}.yaml"));
        std::fs::write(&path, reserved_spec(name)).expect("OUT_DIR is writable");
        specs.push((format!("reserved_{name}"), path));
    }
    // The project's spec (whose types module imports everything the types
    // module can import) with a component schema named after each name
    // the types module has in scope.
    let project = dir.join("../../spec/checkout_sessions.yaml");
    println!("cargo:rerun-if-changed={}", project.display());
    let text = std::fs::read_to_string(&project).expect("the project's spec");
    let mut doc = openapi_codegen::parse_yaml(&text).expect("the project's spec parses");
    // `Self`, the keyword, besides.
    let taken: Vec<&str> = openapi_codegen::reserved_type_names().chain(["Self"]).collect();
    let schemas = doc.pointer_mut("/components/schemas").and_then(serde_json::Value::as_object_mut).expect("schemas");
    for name in &taken {
        // Each refers to the first (a ring of them all is a type cycle
        // deeper than rustdoc follows for auto traits).
        let next = taken[0];
        let schema = serde_json::json!({
            "type": "object",
            "description": format!("A schema named `{name}`."),
            "properties": {"next": {"$ref": format!("#/components/schemas/{next}")}, "kind": {"type": "string", "enum": ["a"]}},
        });
        schemas.insert((*name).to_owned(), schema);
    }
    let path = reserved_dir.join("types.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("JSON")).expect("OUT_DIR is writable");
    specs.push(("reserved_types".to_owned(), path));
    println!("cargo:rerun-if-changed=mutate.rs");
    let mutants_dir = out.join("mutants");
    std::fs::create_dir_all(&mutants_dir).expect("OUT_DIR is writable");
    let mut mutants = Vec::new();
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).expect("a fixture");
        let original = openapi_codegen::parse_yaml(&text).expect("a fixture parses");
        for seed in MUTANT_SEEDS {
            let (doc, _) = mutate::mutant(&original, seed);
            let text = serde_json::to_string_pretty(&doc).expect("JSON");
            let Ok(doc) = openapi_codegen::Document::from_text("mutant.json", text.clone()) else { continue };
            if openapi_codegen::Generator::new().build(&doc).is_err() {
                continue;
            }
            let stem = format!("mutant_{}_{seed}", name.trim_end_matches(".yaml"));
            let path = mutants_dir.join(format!("{stem}.json"));
            std::fs::write(&path, text).expect("OUT_DIR is writable");
            mutants.push(stem.clone());
            specs.push((stem, path));
        }
    }
    let mut mounts = String::new();
    for (stem, path) in specs {
        mount(&stem, &path, &out, &mut mounts);
    }
    writeln!(mounts, "/// The fixture mutants that generated, and so are compiled here.\npub const MUTANTS: &[&str] = &{mutants:?};").unwrap();
    std::fs::write(out.join("fixtures.rs"), mounts).expect("OUT_DIR is writable");
}

fn mount(stem: &str, spec: &Path, out: &Path, mounts: &mut String) {
    let generator = openapi_codegen::Generator::new();
    let doc = generator.load(spec).unwrap_or_else(|e| panic!("{e}"));
    let api = generator.build(&doc).unwrap_or_else(|e| panic!("{e}"));
    let module_dir = out.join(stem);
    std::fs::create_dir_all(&module_dir).expect("OUT_DIR is writable");
    writeln!(mounts, "pub mod {stem} {{").unwrap();
    for (file, code) in generator.modules(&api).unwrap_or_else(|e| panic!("{e}")) {
        let path = module_dir.join(file);
        std::fs::write(&path, code).expect("OUT_DIR is writable");
        let module = file.trim_end_matches(".rs");
        writeln!(mounts, "    #[path = {:?}]\n    pub mod {module};", path.display().to_string()).unwrap();
    }
    writeln!(mounts, "}}").unwrap();
}

/// A spec that takes `name` wherever a generated item could clash with it.
fn reserved_spec(name: &str) -> String {
    let field = if name == "new" { String::new() } else { format!("{name}: {{type: string}}") };
    format!(
        r#"openapi: 3.0.3
info: {{title: Reserved {name}, version: "1"}}
paths:
  /items/{{{name}}}:
    get:
      operationId: {name}
      parameters:
        - {{name: {name}, in: path, required: true, schema: {{type: string}}}}
        - {{name: starting_after, in: query, schema: {{type: string}}}}
        - {{name: new, in: query, schema: {{type: string}}}}
      responses:
        '200':
          description: A page of items.
          content:
            application/json:
              schema:
                type: object
                required: [object, data, has_more, url]
                properties:
                  object: {{type: string, enum: [list]}}
                  data: {{type: array, items: {{$ref: '#/components/schemas/item'}}}}
                  has_more: {{type: boolean}}
                  url: {{type: string}}
  /items:
    post:
      operationId: {name}_stream
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {{$ref: '#/components/schemas/item'}}
      responses:
        '200':
          description: The item.
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/item'}}
components:
  schemas:
    item:
      type: object
      required: [id]
      properties:
        id: {{type: string}}
        new: {{type: string}}
        {field}
"#
    )
}
