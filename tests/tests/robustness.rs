//! Bad input gets an error, never a panic: the project's spec, mutated at
//! random in a reproducible way, goes through load, build and emit; every
//! outcome must be `Ok` or a reported problem.

use std::panic::{AssertUnwindSafe, catch_unwind};

use contract_tests::root;
use openapi_codegen::{Document, Generator};

use crate::mutate;

use mutate::{Rng, mutant, mutate, pointers};

#[test]
fn mutated_specs_never_panic() {
    let text = std::fs::read_to_string(root().join("spec/checkout_sessions.yaml")).unwrap();
    let original = openapi_codegen::parse_yaml(&text).unwrap();
    let mut all = Vec::new();
    pointers(&original, String::new(), &mut all);
    all.retain(|p| !p.is_empty() && !p.contains("/examples/"));
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let generator = Generator::new();
    let (mut ok, mut refused) = (0, 0);
    for case in 0..120 {
        let mut doc = original.clone();
        let changes: Vec<String> = (0..1 + rng.below(3)).map(|_| mutate(&mut doc, &mut rng, &all)).collect();
        let mutated = serde_json::to_string_pretty(&doc).unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let doc = Document::from_text("mutated.json", mutated)?;
            let api = generator.build(&doc)?;
            if case % 10 == 0 {
                generator.modules(&api)?;
            }
            Ok::<_, openapi_codegen::Error>(())
        }));
        match outcome {
            Ok(Ok(())) => ok += 1,
            Ok(Err(e)) => {
                refused += 1;
                let problems = e.problems().expect("a spec error, not another kind");
                assert!(!problems.problems.is_empty());
                assert!(problems.problems.iter().all(|p| p.pointer.starts_with('#')), "{e}");
            }
            Err(_) => panic!("case {case} panicked after: {changes:?}"),
        }
    }
    // Both outcomes happen, so the mutations are neither all harmless nor all fatal.
    assert!(ok > 0 && refused > 0, "ok {ok}, refused {refused}");
}

#[test]
fn mutants_of_every_fixture_never_panic_and_those_that_generate_compile() {
    // The build script generated and compiled (with warnings denied) each
    // mutant listed in `MUTANTS`; here, the same mutants, and the rest.
    let mut built = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(root().join("tests/fixtures")).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let generator = Generator::new();
    for path in names.iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
        let original = openapi_codegen::parse_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
        for seed in 1..=8 {
            let (doc, changes) = mutant(&original, seed);
            let text = serde_json::to_string_pretty(&doc).unwrap();
            let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), openapi_codegen::Error> {
                let doc = Document::from_text("mutant.json", text)?;
                let api = generator.build(&doc)?;
                generator.modules(&api)?;
                Ok(())
            }));
            match outcome {
                Ok(Ok(())) => built.push(format!("mutant_{}_{seed}", path.file_stem().unwrap().to_string_lossy())),
                Ok(Err(e)) => assert!(e.problems().is_some(), "{e}"),
                Err(_) => panic!("{} seed {seed} panicked after: {changes:?}", path.display()),
            }
        }
    }
    assert_eq!(built, contract_tests::fixtures::MUTANTS, "the build script compiled the same mutants");
    assert!(built.len() >= 15, "only {} mutants generate", built.len());
}
