//! The one place that parses YAML.
//!
//! `serde_yaml` is deprecated upstream; everything else in the generator sees
//! only `serde_json::Value`, so replacing the parser means replacing this file.

use serde_json::Value;

/// A YAML syntax error with the 1-based line and column it was found at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// What the parser reported.
    pub message: String,
    /// 1-based line, when the parser knows it.
    pub line: Option<usize>,
    /// 1-based column, when the parser knows it.
    pub column: Option<usize>,
}

/// Parses a YAML document into a JSON value. Mapping keys that YAML reads as
/// numbers or booleans (`200:`) become strings, as OpenAPI expects.
pub fn parse_yaml(text: &str) -> Result<Value, YamlError> {
    serde_yaml::from_str(text).map_err(|err| {
        let location = err.location();
        YamlError {
            message: err.to_string(),
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
        }
    })
}
