//! Contract checks for an OpenAPI 3.0 document.
//!
//! - [`validator`]: validates JSON values against the document's schemas,
//!   with OpenAPI 3.0 semantics, reporting every error with its instance
//!   path and schema path.

pub mod validator;

pub use validator::{CompileError, Direction, SchemaId, ValidationError, Validator};
