//! The reader of specs split across files, on any set of files: the input
//! is up to eight files separated by NUL bytes, written as `openapi.yaml`,
//! `f1.yaml`, `sub/f2.yaml`, `f3.yaml`, `sub/f4.yaml`... in a folder of
//! this process's own, so that references between them (relative, `..`,
//! into a sub-folder and out of it, to a missing file, to a URL) are
//! followed as they would be in a repository. The tree is bundled and
//! loaded: an answer or a refusal, never a panic, a stack overflow or a
//! stall.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use openapi_codegen::Document;
use openapi_codegen::bundle::{self, Options};

/// The folder the files are written to: one per process, emptied each run.
fn folder() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| std::env::temp_dir().join(format!("fuzz-bundle-{}", std::process::id())))
}

/// Where the `i`th file of the input is written.
fn name(i: usize) -> String {
    match i {
        0 => "openapi.yaml".to_owned(),
        i if i % 2 == 0 => format!("sub/f{i}.yaml"),
        i => format!("f{i}.yaml"),
    }
}

fuzz_target!(|data: &[u8]| {
    fuzz::keep_input(data);
    let dir = folder();
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("sub")).expect("a temporary folder");
    for (i, part) in data.split(|b| *b == 0).take(8).enumerate() {
        std::fs::write(dir.join(name(i)), part).expect("a temporary file");
    }
    let root = dir.join("openapi.yaml");
    let _ = bundle::tree(&root, &Options::default());
    let _ = Document::from_path(&root);
});
