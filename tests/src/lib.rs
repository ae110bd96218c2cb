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

/// Every page of `docs/`, its Rust examples compiled and run as doctests.
#[cfg(doctest)]
pub mod docs {
    #[doc = include_str!("../../docs/generated-crate.md")]
    pub struct GeneratedCrate;
    #[doc = include_str!("../../docs/client.md")]
    pub struct Client;
    #[doc = include_str!("../../docs/server.md")]
    pub struct Server;
    #[doc = include_str!("../../docs/webhooks.md")]
    pub struct Webhooks;
    #[doc = include_str!("../../docs/contract.md")]
    pub struct Contract;
    #[doc = include_str!("../../docs/evolution.md")]
    pub struct Evolution;
    #[doc = include_str!("../../docs/openapi-versions.md")]
    pub struct OpenapiVersions;
    #[doc = include_str!("../../docs/hardening.md")]
    pub struct Hardening;
    #[doc = include_str!("../../docs/figures.md")]
    pub struct Figures;
    #[doc = include_str!("../../docs/commands.md")]
    pub struct Commands;
    #[doc = include_str!("../../docs/architecture.md")]
    pub struct Architecture;
}
