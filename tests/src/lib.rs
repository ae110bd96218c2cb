//! Tests of the generator and the generated crate.
//!
//! The library part compiles the generated output of every fixture spec in
//! `fixtures/` (see `build.rs`) under `#![deny(warnings)]`, so a mapping
//! rule whose output does not compile cleanly breaks the build. The tests
//! in `tests/` snapshot the same output and exercise it.

#![deny(warnings)]

/// The generated modules of each fixture spec, one module per fixture.
pub mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

pub mod media;

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct Readme;
