//! Loading: text → JSON value → `openapiv3::OpenAPI`, keeping the raw value
//! (for `$ref` resolution, extensions and examples) and the text (for line
//! numbers in errors).

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Problem, ProblemKind, Problems};
use crate::{locate, structure, yaml};

/// A loaded OpenAPI document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where it came from (a path or a label), for messages.
    pub source: String,
    /// The source text.
    pub text: String,
    /// The document as plain JSON.
    pub raw: Value,
    /// The document as the typed OpenAPI model.
    pub api: openapiv3::OpenAPI,
}

impl Document {
    /// Reads and parses a spec file (YAML or JSON).
    pub fn from_path(path: &Path) -> Result<Document, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::Read { path: path.to_owned(), source })?;
        Document::from_text(&path.display().to_string(), text)
    }

    /// Parses spec text (YAML or JSON) labelled `source` in messages.
    pub fn from_text(source: &str, text: String) -> Result<Document, Error> {
        let raw = parse_text(&text).map_err(|problem| problems(source, &text, vec![problem]))?;
        let mut found = Vec::new();
        match raw.get("openapi") {
            Some(Value::String(v)) if v.starts_with("3.0.") => {}
            Some(other) => {
                let version = other.as_str().map_or_else(|| other.to_string(), str::to_owned);
                found.push(problem("#/openapi", ProblemKind::UnsupportedVersion(version)));
            }
            None => {
                let kind = match raw.get("swagger") {
                    Some(v) => ProblemKind::UnsupportedVersion(format!("swagger {}", v.as_str().unwrap_or("?"))),
                    None => ProblemKind::Structure("missing field `openapi`".into()),
                };
                let at = if raw.get("swagger").is_some() { "#/swagger" } else { "#" };
                found.push(problem(at, kind));
            }
        }
        if !found.is_empty() {
            // A document of another version would only add noise below.
            return Err(problems(source, &text, found));
        }
        found.extend(crate::validate::check_refs(&raw));
        let api = match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&raw) {
            Ok(api) => api,
            Err(err) => {
                let mut shape = structure::narrow_document(&raw);
                if shape.is_empty() {
                    let kind = ProblemKind::Structure(err.inner().to_string());
                    shape.push(problem(&pointer_of_path(err.path()), kind));
                }
                found.extend(shape);
                return Err(problems(source, &text, found));
            }
        };
        let document = Document { source: source.to_owned(), text, raw, api };
        found.extend(crate::validate::check_document(&document));
        if found.is_empty() { Ok(document) } else { Err(document.problems(found)) }
    }

    /// Wraps problems found in this document into an error, with lines.
    pub fn problems(&self, found: Vec<Problem>) -> Error {
        problems(&self.source, &self.text, found)
    }

    /// Resolves a local JSON pointer (`#/a/b`) in the raw document.
    pub fn resolve_pointer(&self, pointer: &str) -> Option<&Value> {
        self.raw.pointer(pointer.strip_prefix('#')?)
    }
}

/// Parses JSON when the text looks like JSON, YAML otherwise.
fn parse_text(text: &str) -> Result<Value, Problem> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|err| Problem {
            pointer: "#".into(),
            line: Some(err.line()),
            kind: ProblemKind::Syntax(err.to_string()),
        });
    }
    yaml::parse_yaml(text).map_err(|err| Problem {
        pointer: "#".into(),
        line: err.line,
        kind: ProblemKind::Syntax(err.message),
    })
}

fn problem(pointer: &str, kind: ProblemKind) -> Problem {
    Problem { pointer: pointer.to_owned(), line: None, kind }
}

/// Fills in lines, sorts, and wraps.
fn problems(source: &str, text: &str, mut found: Vec<Problem>) -> Error {
    for problem in &mut found {
        if problem.line.is_none() {
            problem.line = locate::line_of(text, &problem.pointer);
        }
    }
    found.sort_by(|a, b| (a.line, &a.pointer, &a.kind).cmp(&(b.line, &b.pointer, &b.kind)));
    found.dedup();
    Error::Spec(Problems { source: source.to_owned(), problems: found })
}

/// Escapes one JSON pointer segment.
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

pub(crate) fn pointer_of_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::from("#");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&escape_segment(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Document, Error> {
        Document::from_text("test.yaml", text.to_owned())
    }

    #[test]
    fn reports_yaml_syntax_with_line() {
        let err = load("openapi: 3.0.3\ninfo: [unclosed\n").unwrap_err();
        let problems = err.problems().unwrap();
        assert_eq!(problems.problems.len(), 1);
        assert!(matches!(problems.problems[0].kind, ProblemKind::Syntax(_)));
        assert!(problems.problems[0].line.is_some());
    }

    #[test]
    fn rejects_other_versions() {
        let err = load("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n").unwrap_err();
        let problems = err.problems().unwrap();
        assert_eq!(problems.problems[0].kind, ProblemKind::UnsupportedVersion("3.1.0".into()));
        assert_eq!(problems.problems[0].line, Some(1));
        let err = load("swagger: '2.0'\n").unwrap_err();
        assert_eq!(err.problems().unwrap().problems[0].kind, ProblemKind::UnsupportedVersion("swagger 2.0".into()));
    }

    #[test]
    fn structure_errors_name_the_pointer() {
        let err = load("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n").unwrap_err();
        let p = &err.problems().unwrap().problems[0];
        assert!(matches!(p.kind, ProblemKind::Structure(_)), "{p}");
        assert_eq!(p.pointer, "#/paths/~1a/get/responses");
        assert_eq!(p.line, Some(6));
    }
}
