//! The generator on the full public Stripe spec (`spec/stripe`, vendored):
//! it builds, names every type once, and subsets. Compiling the generated
//! crate and round-tripping the fixtures is `cargo xtask stripe`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use contract_tests::root;
use openapi_codegen::ir::{Api, TypeKind, TypeRef};
use openapi_codegen::{Document, Generator};

fn stripe() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(|| {
        let path: PathBuf = root().join("spec/stripe/spec3.yaml");
        assert!(path.exists(), "the Stripe spec is expected at {}", path.display());
        Document::from_path(&path).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn build(generator: Generator) -> Api {
    generator.build(stripe()).unwrap_or_else(|e| panic!("{e}"))
}

/// Types that stand for a component schema (not inline ones).
fn components(api: &Api) -> BTreeSet<&str> {
    api.component_types().map(|t| t.name.as_str()).collect()
}

#[test]
fn the_full_spec_builds_with_every_component() {
    let api = build(Generator::new());
    let schemas = stripe().api.components.as_ref().unwrap().schemas.len();
    assert_eq!(schemas, 819);
    assert_eq!(components(&api).len(), schemas, "every component schema becomes a type");
    assert_eq!(api.operations.len(), 468);
    assert!(api.types.contains_key("CheckoutSession"), "dotted names are converted");
    // A type name is decided once; every reference names a type that exists.
    for def in api.types.values() {
        let mut check = |name: &str, _| assert!(api.types.contains_key(name), "{} refers to missing {name}", def.name);
        match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().for_each(|f| f.ty.visit_named(true, &mut check)),
            TypeKind::Union(u) => u.variants.iter().for_each(|v| v.ty.visit_named(true, &mut check)),
            TypeKind::Alias(t) | TypeKind::Newtype(t) => t.visit_named(true, &mut check),
            TypeKind::Enum(_) => {}
        }
    }
}

#[test]
fn expandable_fields_of_the_session_are_expandable_types() {
    let api = build(Generator::new());
    let session = api.struct_def("CheckoutSession").unwrap();
    for name in ["customer", "invoice", "payment_intent", "payment_link", "setup_intent", "subscription"] {
        let field = session.fields.iter().find(|f| f.wire == name).unwrap();
        assert!(matches!(field.ty, TypeRef::Expandable(_)), "{name}: {:?}", field.ty);
    }
    let line_items = session.fields.iter().find(|f| f.wire == "line_items").unwrap();
    assert_eq!(line_items.ty, TypeRef::List(Box::new(TypeRef::Named("Item".into()))));
}

#[test]
fn paths_select_operations_and_what_they_reach() {
    let api = build(Generator::new().with_paths(vec!["/v1/checkout/sessions**".into()]));
    let ids: Vec<&str> = api.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "GetCheckoutSessions",
            "PostCheckoutSessions",
            "GetCheckoutSessionsSession",
            "PostCheckoutSessionsSessionExpire",
            "GetCheckoutSessionsSessionLineItems"
        ]
    );
    let reached = components(&api).len();
    assert!((500..819).contains(&reached), "the five operations reach {reached} component schemas");
}

#[test]
fn expand_depth_keeps_ids_past_the_depth() {
    let paths = vec!["/v1/checkout/sessions**".to_owned()];
    let all = components(&build(Generator::new().with_paths(paths.clone()))).len();
    let one = build(Generator::new().with_paths(paths.clone()).with_expand_depth(Some(1)));
    let zero = build(Generator::new().with_paths(paths).with_expand_depth(Some(0)));
    let (one_n, zero_n) = (components(&one).len(), components(&zero).len());
    assert!(zero_n < one_n && one_n < all, "0: {zero_n}, 1: {one_n}, all: {all}");
    // At depth 0 the session's customer keeps its ID; the object is raw JSON.
    let session = zero.struct_def("CheckoutSession").unwrap();
    let customer = session.fields.iter().find(|f| f.wire == "customer").unwrap();
    assert_eq!(customer.ty, TypeRef::Expandable(Box::new(TypeRef::Json)));
    assert!(!zero.types.contains_key("Customer"));
    // At depth 1 the customer is followed, but its own expandables are not.
    let customer = one.struct_def("Customer").unwrap();
    let source = customer.fields.iter().find(|f| f.wire == "default_source").unwrap();
    assert_eq!(source.ty, TypeRef::Expandable(Box::new(TypeRef::Json)));
}

#[test]
fn a_subset_renders_to_rust() {
    let generator = Generator::new().with_paths(vec!["/v1/checkout/sessions**".into()]).with_expand_depth(Some(0));
    let api = build(generator.clone());
    let modules = generator.modules(&api).unwrap();
    let types = &modules.iter().find(|(n, _)| *n == "types.rs").unwrap().1;
    assert!(types.contains("pub struct CheckoutSession {"));
}
