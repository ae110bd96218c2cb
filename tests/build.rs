//! Generates every fixture spec in `fixtures/` into `OUT_DIR` and mounts
//! the results as modules of this crate, which is compiled with
//! `#![deny(warnings)]`: a fixture whose output does not compile, or warns,
//! fails the build. The snapshot tests check the same output's text.

use std::fmt::Write;
use std::path::PathBuf;

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
    let mut mounts = String::new();
    for name in names {
        let stem = name.trim_end_matches(".yaml").to_owned();
        let generator = openapi_codegen::Generator::new();
        let doc = generator.load(&dir.join(&name)).unwrap_or_else(|e| panic!("{e}"));
        let api = generator.build(&doc).unwrap_or_else(|e| panic!("{e}"));
        let module_dir = out.join(&stem);
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
    std::fs::write(out.join("fixtures.rs"), mounts).expect("OUT_DIR is writable");
}
