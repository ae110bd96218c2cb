//! Snapshots of generated code: one per fixture spec (one mapping rule
//! each) and the whole output for the project's spec. The same fixture
//! output is compiled under `#![deny(warnings)]` by this crate's build.

use contract_tests::root;
use openapi_codegen::Generator;

fn types_of(path: &std::path::Path) -> String {
    let generator = Generator::new();
    let doc = generator.load(path).unwrap_or_else(|e| panic!("{e}"));
    let api = generator.build(&doc).unwrap_or_else(|e| panic!("{e}"));
    let modules = generator.modules(&api).unwrap_or_else(|e| panic!("{e}"));
    modules.into_iter().find(|(name, _)| *name == "types.rs").map(|(_, code)| code).expect("a types module")
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let dir = root().join("tests/fixtures");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    assert!(names.len() >= 15, "expected a fixture per mapping rule, found {}", names.len());
    for path in names {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(format!("fixture_{stem}"), types_of(&path));
    }
}

#[test]
fn default_spec_matches_its_snapshot() {
    insta::assert_snapshot!("checkout_sessions_types", types_of(&root().join("spec/checkout_sessions.yaml")));
}

/// Snapshots the modules `wanted` of the spec at `path`, named `prefix_<module>`.
fn snapshot_modules(path: &std::path::Path, prefix: &str, wanted: &[&str]) {
    let generator = Generator::new();
    let doc = generator.load(path).unwrap();
    let api = generator.build(&doc).unwrap();
    for (name, code) in generator.modules(&api).unwrap() {
        if wanted.contains(&name) {
            insta::assert_snapshot!(format!("{prefix}_{}", name.trim_end_matches(".rs")), code);
        }
    }
}

#[test]
fn client_server_and_webhooks_of_the_default_spec_match_their_snapshots() {
    let path = root().join("spec/checkout_sessions.yaml");
    snapshot_modules(&path, "checkout_sessions", &["client.rs", "server.rs", "webhooks.rs", "security.rs"]);
}

#[test]
fn fixture_operations_match_their_snapshots() {
    // The fixtures with operations: their client, server and schemas modules.
    for fixture in ["descriptions", "params", "responses", "locations", "schemes", "media"] {
        let path = root().join(format!("tests/fixtures/{fixture}.yaml"));
        snapshot_modules(&path, &format!("fixture_{fixture}"), &["client.rs", "server.rs", "schemas.rs", "security.rs"]);
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let path = root().join("spec/checkout_sessions.yaml");
    assert_eq!(types_of(&path), types_of(&path));
}

/// The names a types module uses unqualified that it does not define are
/// what it imports or takes from the prelude: every one must be among the
/// names no schema may take (`reserved_type_names`), or a schema of that
/// name would not compile (E0255) or would shadow what the code means.
/// Read from every fixture's output and the project's, so that a name an
/// emitter starts to use cannot be missing from the reserved set.
#[test]
fn every_name_a_types_module_uses_unqualified_is_reserved() {
    use syn::visit::Visit;
    #[derive(Default)]
    struct Names {
        used: std::collections::BTreeSet<String>,
        defined: std::collections::BTreeSet<String>,
    }
    impl<'a> Visit<'a> for Names {
        fn visit_path(&mut self, path: &'a syn::Path) {
            if path.leading_colon.is_none() && path.segments.len() == 1 {
                self.used.insert(path.segments[0].ident.to_string());
            }
            syn::visit::visit_path(self, path);
        }
        fn visit_use_name(&mut self, name: &'a syn::UseName) {
            self.used.insert(name.ident.to_string());
        }
        fn visit_item(&mut self, item: &'a syn::Item) {
            let ident = match item {
                syn::Item::Struct(i) => Some(&i.ident),
                syn::Item::Enum(i) => Some(&i.ident),
                syn::Item::Type(i) => Some(&i.ident),
                syn::Item::Trait(i) => Some(&i.ident),
                syn::Item::Const(i) => Some(&i.ident),
                syn::Item::Static(i) => Some(&i.ident),
                _ => None,
            };
            self.defined.extend(ident.map(ToString::to_string));
            syn::visit::visit_item(self, item);
        }
        fn visit_generic_param(&mut self, param: &'a syn::GenericParam) {
            if let syn::GenericParam::Type(t) = param {
                self.defined.insert(t.ident.to_string());
            }
            syn::visit::visit_generic_param(self, param);
        }
    }
    let reserved: Vec<&str> = openapi_codegen::reserved_type_names().collect();
    let mut specs: Vec<_> = std::fs::read_dir(root().join("tests/fixtures")).unwrap().map(|e| e.unwrap().path()).collect();
    specs.push(root().join("spec/checkout_sessions.yaml"));
    let mut seen = std::collections::BTreeSet::new();
    for path in specs {
        let file = syn::parse_file(&types_of(&path)).unwrap();
        let mut names = Names::default();
        names.visit_file(&file);
        for name in names.used.difference(&names.defined) {
            // Types are CamelCase; values, functions and macros cannot clash
            // with them. `Self` is a keyword no schema can take (it is
            // claimed as `Self_`).
            if name.starts_with(|c: char| c.is_ascii_uppercase()) && name != "Self" {
                assert!(reserved.contains(&name.as_str()), "{}: `{name}` is used unqualified but not reserved", path.display());
                seen.insert(name.clone());
            }
        }
    }
    // The check saw the imports it guards.
    for name in ["Bounds", "Validate", "ParamPath", "Invalid", "Expandable", "BTreeMap", "Option", "String"] {
        assert!(seen.contains(name), "no types module used `{name}`: {seen:?}");
    }
}

/// A schema named after each reserved name compiles (the `reserved_types`
/// module this crate's build generates, with `#![deny(warnings)]`), under a
/// name of its own.
#[test]
fn schemas_named_like_what_the_types_module_imports_get_names_of_their_own() {
    use contract_tests::fixtures::reserved_types::types;
    let bounds = types::Bounds2 { next: None, kind: None };
    let option: types::Option2 = serde_json::from_str(r#"{"kind": "a"}"#).unwrap();
    assert_eq!(option.kind, Some(types::Option2Kind::A));
    let _ = (bounds, types::Self_::default(), types::Validate2::default(), types::ParamPath2::default());
}
