//! Contract checks for an OpenAPI 3.0 document: the evidence that a spec,
//! its examples, the code generated from it and a running server agree.
//!
//! - [`validator`]: validates JSON values against the document's schemas,
//!   with OpenAPI 3.0 semantics, reporting every error with its instance
//!   path and schema path.
//! - [`json_schema`]: the same schemas as JSON Schema, for independent
//!   validators (the cross-check).
//! - [`examples`]: finds every example of the document and its schema.
//! - [`checks`]: examples against their schemas; examples through the
//!   generated types and back ([`checks::Types`]); generated values
//!   ([`generate`]) against their schemas and through the types.
//! - [`arazzo`]: Arazzo 1.0 workflows run against a live server, every
//!   exchange validated ([`live`]) and recorded byte for byte ([`client`]:
//!   hyper, rustls, proxies from the environment).
//! - [`evolution`]: what a spec change does on the wire, for whom, and to
//!   the generated Rust API (the semver bump it needs).
//! - [`negative`]: requests generated from the spec that break one rule
//!   each, expected to be refused with the spec's error response.
//! - [`prism`]: the generated client against Prism, an independent mock
//!   server that validates every request against the spec.
//! - [`http`]: raw HTTP/1.1 for tests and tools that write bytes themselves.
//! - [`runner`]: a binary built against a generated crate that runs
//!   values through its types, for tools that do not link it.
//! - [`report`]: the outcome as a human summary, JUnit XML and JSON.
//! - [`progress`]: how far a long run has gone, for whoever shows it.

pub mod arazzo;
pub mod checks;
pub mod client;
pub mod evolution;
pub mod examples;
pub mod generate;
pub mod http;
pub mod json_schema;
pub mod live;
pub mod negative;
pub mod npm;
pub mod prism;
pub mod progress;
pub mod report;
pub mod runner;
pub mod resources;
pub mod validator;

pub use checks::{Spec, Types};
pub use report::{Case, Report};
pub use resources::Registry;
pub use validator::{CompileError, Direction, SchemaId, ValidationError, Validator};

/// A `cargo` command for building a crate outside the workspace (a
/// generated crate, a runner, a probe): the `cargo` that runs us, without
/// debug information or incremental state, which such one-off builds never
/// use and which would multiply the disk they take several times over.
pub fn cargo() -> std::process::Command {
    let mut command = std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.env("CARGO_PROFILE_DEV_DEBUG", "false").env("CARGO_INCREMENTAL", "0");
    command
}
