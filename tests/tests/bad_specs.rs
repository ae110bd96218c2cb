//! Broken specs are reported with every problem, its JSON pointer and its
//! line, and never panic. One snapshot of the message per spec in
//! `tests/bad_specs/`, plus exact checks of the key facts.

use contract_tests::root;
use openapi_codegen::{Document, Error, Generator, ProblemKind};

/// Loads and builds a bad spec, labelled by its path relative to the root.
fn fail(name: &str) -> Error {
    let path = root().join("tests/bad_specs").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let label = format!("tests/bad_specs/{name}");
    let generator = Generator::new();
    let result = Document::from_text(&label, text).and_then(|doc| generator.build(&doc));
    match result {
        Ok(_) => panic!("{name} was accepted"),
        Err(e) => e,
    }
}

fn kinds(e: &Error) -> Vec<&ProblemKind> {
    e.problems().expect("a spec error").problems.iter().map(|p| &p.kind).collect()
}

#[test]
fn every_bad_spec_fails_with_a_snapshotted_message() {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/bad_specs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(names.len() >= 6);
    for name in names {
        let message = fail(&name).to_string();
        insta::assert_snapshot!(format!("bad_{}", name.trim_end_matches(".yaml")), message);
    }
}

#[test]
fn invalid_yaml_names_its_line() {
    let e = fail("invalid_yaml.yaml");
    let p = &e.problems().unwrap().problems[0];
    assert!(matches!(p.kind, ProblemKind::Syntax(_)));
    assert_eq!(p.line, Some(8));
}

#[test]
fn dangling_refs_are_all_reported_where_written() {
    let e = fail("dangling_ref.yaml");
    let problems = &e.problems().unwrap().problems;
    let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "#/paths/~1orders/get/responses/200/content/application~1json/schema/$ref",
            "#/components/schemas/Item/properties/order/$ref",
        ]
    );
    assert_eq!(problems[0].line, Some(14));
    assert_eq!(problems[1].line, Some(21));
    assert_eq!(problems[1].kind, ProblemKind::DanglingRef("#/components/schemas/Ordr".into()));
}

#[test]
fn duplicate_operation_ids_point_at_both() {
    let e = fail("duplicate_operation_id.yaml");
    assert_eq!(
        kinds(&e),
        [&ProblemKind::DuplicateOperationId { id: "GetThing".into(), first: "#/paths/~1a/get/operationId".into() }]
    );
    assert_eq!(e.problems().unwrap().problems[0].pointer, "#/paths/~1b/get/operationId");
}

#[test]
fn other_versions_are_refused() {
    assert_eq!(kinds(&fail("wrong_version.yaml")), [&ProblemKind::UnsupportedVersion("4.0.0".into())]);
    assert_eq!(kinds(&fail("swagger2.yaml")), [&ProblemKind::UnsupportedVersion("swagger 2.0".into())]);
}

#[test]
fn cycles_through_required_fields_are_refused_but_optional_recursion_is_not() {
    let e = fail("required_cycle.yaml");
    let problems = &e.problems().unwrap().problems;
    assert_eq!(problems.len(), 1, "{e}");
    match &problems[0].kind {
        ProblemKind::RequiredCycle(cycle) => {
            assert!(cycle.contains(&"Chicken".to_owned()) && cycle.contains(&"Egg".to_owned()), "{cycle:?}");
            assert!(!cycle.contains(&"Fine".to_owned()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_types_are_each_reported() {
    let e = fail("unknown_type.yaml");
    assert_eq!(kinds(&e), [&ProblemKind::UnknownType("money".into()), &ProblemKind::UnknownType("strnig".into())]);
    let pointers: Vec<&str> = e.problems().unwrap().problems.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        ["#/components/schemas/Price/properties/amount/type", "#/components/schemas/Price/properties/tags/items/type"]
    );
}

#[test]
fn references_outside_the_document_and_loops_are_refused() {
    assert!(matches!(kinds(&fail("external_ref.yaml"))[..], [ProblemKind::ExternalRef(_)]));
    assert!(matches!(kinds(&fail("ref_loop.yaml"))[..], [ProblemKind::RefLoop(_), ProblemKind::RefLoop(_)]));
}

#[test]
fn path_parameters_must_match_the_template() {
    let e = fail("path_parameters.yaml");
    assert_eq!(kinds(&e).len(), 2, "{e}");
    let text = e.to_string();
    assert!(text.contains("`{line}` is in the path but not declared"), "{text}");
    assert!(text.contains("`item` is declared `in: path` but not in the path"), "{text}");
}

#[test]
fn shape_errors_name_the_innermost_node() {
    let e = fail("bad_structure.yaml");
    let p = &e.problems().unwrap().problems[0];
    assert_eq!(p.pointer, "#/paths/~1orders/get/responses/200/content/application~1json/schema/properties/id");
    assert_eq!(p.line, Some(16));
}

#[test]
fn several_problems_are_reported_together() {
    let e = fail("many_problems.yaml");
    let kinds = kinds(&e);
    assert_eq!(kinds.len(), 3, "{e}");
    assert!(kinds.iter().any(|k| matches!(k, ProblemKind::DanglingRef(_))));
    assert!(kinds.iter().any(|k| matches!(k, ProblemKind::DuplicateOperationId { .. })));
    assert!(kinds.iter().any(|k| matches!(k, ProblemKind::UnknownType(_))));
}
