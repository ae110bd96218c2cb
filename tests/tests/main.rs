//! The integration tests of the generator, the generated crates and the
//! contract checks, as one test binary.
//!
//! One binary, not one per file: each test binary links the whole
//! dependency graph (tokio, hyper, axum, reqwest, rustls, the generated
//! crates), so thirty-three of them took thirty-three links and several
//! gigabytes of disk for the same code. Each file is a module; run one with
//! `cargo test -p contract-tests --test suite <module>::`.

mod common;
#[path = "../mutate.rs"]
mod mutate;

mod bad_specs;
mod client;
mod contract;
mod cross_check;
mod cycles;
mod dependencies;
mod diff_peer;
mod evolution;
mod evolution_compile;
mod examples;
mod fresh;
mod hardening;
mod http;
mod ir;
mod json_schema_suite;
mod live;
mod loading;
mod locations;
mod mapping;
mod media;
mod media_bad_input;
mod negative;
mod openapi31;
mod openapi32;
mod prism;
mod robustness;
mod second_api;
mod security;
mod snapshots;
mod stripe;
mod transport;
mod trees;
mod webhooks;
