//! Errors: every problem in a spec is reported with the JSON pointer (and,
//! where the locator finds it, the line) of the place at fault, and all
//! problems of a document are reported together.

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with a spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// JSON pointer of the offending node, e.g. `#/paths/~1v1~1items/get`.
    pub pointer: String,
    /// 1-based line in the source text, where it could be located.
    pub line: Option<usize>,
    /// The file it is in, when that is not the document's own (a spec
    /// split across files, [`crate::bundle`]); `pointer` and `line` are then
    /// that file's.
    pub file: Option<String>,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// The kinds of problem the loader, validator and IR builder report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemKind {
    /// The text is not valid YAML or JSON.
    Syntax(String),
    /// The document does not have the shape of an OpenAPI 3.0 document.
    Structure(String),
    /// The `openapi` field is not a 3.0.x, 3.1.x or 3.2.x version.
    UnsupportedVersion(String),
    /// Two operations share an `operationId`.
    DuplicateOperationId {
        /// The duplicated id.
        id: String,
        /// Pointer of the operation that used it first.
        first: String,
    },
    /// A `$ref` points to nothing in this document.
    DanglingRef(String),
    /// A `$ref` points outside this document.
    ExternalRef(String),
    /// A chain of `$ref`s that never reaches a schema.
    RefLoop(Vec<String>),
    /// A reference of a spec split across files that cannot be followed
    /// (a missing file or pointer, a URL, a file outside the folder, ...).
    Tree(String),
    /// Schemas that apply each other to the same value through a choice
    /// (`anyOf` / `oneOf` of several, `not`, `if`): no value can be decided
    /// ([`crate::cycles`]).
    ChoiceLoop(Vec<String>),
    /// Types that contain each other through required, non-nullable fields,
    /// so that no finite value of them exists.
    RequiredCycle(Vec<String>),
    /// A schema `type` that OpenAPI 3.0 does not define.
    UnknownType(String),
    /// A path template parameter without a declaration, or the reverse.
    PathParameter(String),
    /// A security requirement names a scheme `components.securitySchemes`
    /// does not declare.
    UnknownSecurityScheme(String),
    /// Something valid but outside what the generator can express.
    Unsupported(String),
    /// A rule of the OpenAPI text the document breaks (`example` beside
    /// `examples`, two `in: querystring` parameters...).
    Rule(String),
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::Syntax(msg) => write!(f, "syntax error: {msg}"),
            ProblemKind::Structure(msg) => write!(f, "not a valid OpenAPI 3.0 document: {msg}"),
            ProblemKind::UnsupportedVersion(v) => {
                write!(f, "unsupported OpenAPI version `{v}` (expected 3.0.x, 3.1.x or 3.2.x)")
            }
            ProblemKind::DuplicateOperationId { id, first } => {
                write!(f, "duplicate operationId `{id}` (first used at {first})")
            }
            ProblemKind::DanglingRef(target) => {
                write!(f, "dangling $ref `{target}`: nothing in the document at that pointer")
            }
            ProblemKind::ExternalRef(target) => {
                write!(f, "$ref `{target}` points outside this document (only local refs are supported)")
            }
            ProblemKind::RefLoop(chain) => write!(f, "$ref loop: {}", chain.join(" -> ")),
            ProblemKind::Tree(message) => write!(f, "{message}"),
            ProblemKind::ChoiceLoop(chain) => write!(
                f,
                "schemas apply each other to the same value through a choice (anyOf, oneOf, not or if), so no value can be decided: {}",
                chain.join(" -> ")
            ),
            ProblemKind::RequiredCycle(types) => write!(
                f,
                "schemas contain each other through required, non-nullable fields, so no finite value exists: {}",
                types.join(" -> ")
            ),
            ProblemKind::UnknownType(t) => write!(
                f,
                "unknown schema type `{t}` (expected one of string, number, integer, boolean, array, object)"
            ),
            ProblemKind::PathParameter(msg) => write!(f, "path parameter mismatch: {msg}"),
            ProblemKind::UnknownSecurityScheme(name) => {
                write!(f, "the security requirement names `{name}`, which components.securitySchemes does not declare")
            }
            ProblemKind::Unsupported(msg) => write!(f, "unsupported: {msg}"),
            ProblemKind::Rule(msg) => write!(f, "not a valid OpenAPI document: {msg}"),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{line}: {}: {}", self.pointer, self.kind),
            None => write!(f, "{}: {}", self.pointer, self.kind),
        }
    }
}

/// Everything wrong with one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    /// The file (or label) the document came from.
    pub source: String,
    /// The problems, sorted by line then pointer.
    pub problems: Vec<Problem>,
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(f, "{}: {n} problem{}", self.source, if n == 1 { "" } else { "s" })?;
        for problem in &self.problems {
            writeln!(f, "  {}:{problem}", problem.file.as_deref().unwrap_or(&self.source))?;
        }
        Ok(())
    }
}

/// The generator's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The spec has problems; all of them are listed.
    #[error("{0}")]
    Spec(Problems),
    /// Generated tokens did not parse as Rust (a bug in the generator).
    #[error("internal error: generated {module} is not valid Rust: {message}")]
    Emit {
        /// The module being emitted.
        module: String,
        /// The parser's message.
        message: String,
    },
    /// No thread could be started to run the generator on (the system is
    /// out of threads or memory).
    #[error("cannot start a thread for the generator: {0}")]
    Thread(std::io::Error),
}

impl Error {
    /// The spec problems, if this is a spec error.
    pub fn problems(&self) -> Option<&Problems> {
        match self {
            Error::Spec(problems) => Some(problems),
            _ => None,
        }
    }
}

/// Collects problems while a stage runs, so they can be reported together.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    problems: Vec<Problem>,
}

impl Collector {
    pub(crate) fn push(&mut self, pointer: impl Into<String>, kind: ProblemKind) {
        self.problems.push(Problem { pointer: pointer.into(), line: None, kind, file: None });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    pub(crate) fn into_vec(self) -> Vec<Problem> {
        self.problems
    }
}
