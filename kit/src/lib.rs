//! `openapi-kit`: the kit's commands as a library, for the `openapi-kit`
//! binary and for this repository's `cargo xtask` (one implementation of
//! each): [`codegen`], [`contract`] (and workflows), [`diff`], and the
//! command line itself ([`cli`]).
//!
//! A build script generates through [`openapi_codegen::Generator`]
//! directly (see the README).

pub mod cli;
pub mod codegen;
pub mod contract;
pub mod diff;
pub mod progress;
pub mod textdiff;
