//! Loading: text → JSON value → `openapiv3::OpenAPI`, keeping the raw value
//! (for `$ref` resolution, extensions and examples) and the text (for line
//! numbers in errors).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::{Error, Problem, ProblemKind, Problems};
use crate::{locate, structure, yaml};

/// The wall time of each phase of one run of the generator, for
/// `cargo xtask bench`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Phases {
    /// Text to JSON (the YAML or JSON parser alone).
    pub parse: Duration,
    /// JSON to the typed OpenAPI model.
    pub model: Duration,
    /// Reference, operation and schema checks.
    pub validate: Duration,
    /// The IR.
    pub build: Duration,
    /// The modules: tokens, then formatted text (wall time, `format` included).
    pub emit: Duration,
    /// Of `emit`, the CPU time spent parsing tokens and formatting, summed over
    /// the formatting workers.
    pub format: Duration,
}

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
    /// For an OpenAPI 3.1 document: the document as written (`raw` is its
    /// 3.0 view, see [`crate::v31`]). For a 3.2 document: its 3.1 form
    /// ([`crate::v32::lower`]: the schemas as written, every one at the
    /// pointer the 3.0 view gives it).
    pub original: Option<Value>,
    /// For a spec split across files: where each part of `raw` came from
    /// (`text` is then the bundle, as JSON).
    pub tree: Option<std::sync::Arc<crate::bundle::Tree>>,
    /// The operations of OpenAPI 3.2 path items that the typed model has no
    /// field for (`query`, `additionalOperations`), in document order.
    pub more_operations: Vec<MoreOperation>,
    /// For a 3.2 document: the document as written (`original` is its 3.1
    /// form), to name places as written ([`Document::written_pointer`]).
    written: Option<std::sync::Arc<Value>>,
}

/// An operation of a path item beyond the eight methods of OpenAPI 3.0:
/// `query`, or an entry of `additionalOperations` (OpenAPI 3.2).
#[derive(Debug, Clone)]
pub struct MoreOperation {
    /// The path template (a key of `paths`).
    pub path: String,
    /// The method as it is sent (`QUERY`, `COPY`).
    pub method: String,
    /// The pointer segments from the path item to the operation (`query`,
    /// `additionalOperations/COPY`).
    pub key: String,
    /// The operation.
    pub operation: openapiv3::Operation,
}

/// One operation of a document, wherever the path item holds it.
#[derive(Debug, Clone, Copy)]
pub struct OperationAt<'a> {
    /// The path template.
    pub path: &'a str,
    /// The method as it is sent (`GET`, `QUERY`, `COPY`).
    pub method: &'a str,
    /// The pointer segments from the path item to the operation (`get`,
    /// `additionalOperations/COPY`).
    pub key: &'a str,
    /// The path item (its shared parameters).
    pub item: &'a openapiv3::PathItem,
    /// The operation.
    pub operation: &'a openapiv3::Operation,
}

impl OperationAt<'_> {
    /// The operation's JSON pointer.
    pub fn pointer(&self) -> String {
        format!("#/paths/{}/{}", escape_segment(self.path), self.key)
    }
}

/// The fixed methods of an OpenAPI 3.0 path item, as keys and as sent.
const METHODS_30: [(&str, &str); 8] =
    [("get", "GET"), ("put", "PUT"), ("post", "POST"), ("delete", "DELETE"), ("options", "OPTIONS"), ("head", "HEAD"), ("patch", "PATCH"), ("trace", "TRACE")];

impl Document {
    /// Every operation of `paths`, in document order (a path item's fixed
    /// methods, then its 3.2 `query` and `additionalOperations`).
    pub fn operations(&self) -> Vec<OperationAt<'_>> {
        let mut out = Vec::new();
        for (path, item) in &self.api.paths.paths {
            let openapiv3::ReferenceOr::Item(item) = item else { continue };
            for (key, method) in METHODS_30 {
                let operation = match key {
                    "get" => &item.get,
                    "put" => &item.put,
                    "post" => &item.post,
                    "delete" => &item.delete,
                    "options" => &item.options,
                    "head" => &item.head,
                    "patch" => &item.patch,
                    _ => &item.trace,
                };
                if let Some(operation) = operation {
                    out.push(OperationAt { path, method, key, item, operation });
                }
            }
            for more in self.more_operations.iter().filter(|m| &m.path == path) {
                out.push(OperationAt { path, method: &more.method, key: &more.key, item, operation: &more.operation });
            }
        }
        out
    }
}

/// The `query` and `additionalOperations` operations of the path items of
/// a (3.0 view of a 3.2) document, and the problems of those that are not
/// operations.
fn more_operations(raw: &Value, found: &mut Vec<Problem>) -> Vec<MoreOperation> {
    let mut out = Vec::new();
    for (path, item) in crate::walk::named_entries(raw.get("paths")) {
        for (method, key, op) in crate::v32::operations_of(item) {
            if METHODS_30.iter().any(|(k, _)| *k == key) {
                continue;
            }
            match serde_path_to_error::deserialize::<_, openapiv3::Operation>(op) {
                Ok(operation) => out.push(MoreOperation { path: path.clone(), method, key, operation }),
                Err(err) => {
                    let at = format!("#/paths/{}/{key}{}", escape_segment(path), &pointer_of_path(err.path())[1..]);
                    found.push(problem(&at, ProblemKind::Structure(err.inner().to_string())));
                }
            }
        }
    }
    out
}

impl Document {
    /// Reads and parses a spec file (YAML or JSON).
    /// A document whose `$ref`s reach other files is read with them, as
    /// one ([`crate::bundle`]).
    pub fn from_path(path: &Path) -> Result<Document, Error> {
        Document::from_path_with(path, &crate::bundle::Options::default())
    }

    /// [`Document::from_path`], reading a tree as `options` allow.
    pub fn from_path_with(path: &Path, options: &crate::bundle::Options) -> Result<Document, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::Read { path: path.to_owned(), source })?;
        let external = parse_text(&text).is_ok_and(|raw| crate::bundle::has_external_refs(&raw));
        if !external {
            return Document::from_text(&path.display().to_string(), text);
        }
        let (bundled, tree) = crate::bundle::tree(path, options)?;
        let source = path.display().to_string();
        let text = serde_json::to_string_pretty(&bundled).map_err(|e| Error::Spec(Problems { source: source.clone(), problems: vec![problem("#", ProblemKind::Structure(e.to_string()))] }))?;
        match Document::from_text(&source, text) {
            Ok(mut doc) => {
                doc.tree = Some(std::sync::Arc::new(tree));
                Ok(doc)
            }
            // Each problem named in the file it came from, with its line.
            Err(Error::Spec(mut problems)) => {
                for p in &mut problems.problems {
                    let (file, pointer, line) = tree.locate(&p.pointer);
                    (p.file, p.pointer, p.line) = (file, pointer, line);
                    // Pointers inside the message, too, named where written
                    // (`models/pet.yaml#/...`).
                    match &mut p.kind {
                        ProblemKind::DuplicateOperationId { first, .. } => *first = tree.reference(first),
                        ProblemKind::RefLoop(chain) | ProblemKind::ChoiceLoop(chain) => {
                            chain.iter_mut().for_each(|at| *at = tree.reference(at));
                        }
                        _ => {}
                    }
                }
                Err(Error::Spec(problems))
            }
            Err(e) => Err(e),
        }
    }

    /// Parses spec text (YAML or JSON) labelled `source` in messages.
    pub fn from_text(source: &str, text: String) -> Result<Document, Error> {
        Document::from_text_timed(source, text, &mut Phases::default())
    }

    /// [`Document::from_text`], recording the time of its phases (parse,
    /// model, validate) in `phases`.
    pub fn from_text_timed(source: &str, text: String, phases: &mut Phases) -> Result<Document, Error> {
        crate::with_stack(|| Document::load(source, text, phases))
    }

    fn load(source: &str, text: String, phases: &mut Phases) -> Result<Document, Error> {
        let started = Instant::now();
        let raw = parse_text(&text).map_err(|problem| problems(source, &text, vec![problem]))?;
        phases.parse = started.elapsed();
        let mut found = Vec::new();
        // A 3.2 document is checked and lowered to 3.1; a 3.1 document is
        // read through its 3.0 view; the original stays.
        let mut written = None;
        let (raw, original) = if crate::v32::is_32(&raw) {
            let refused = crate::v32::check(&raw);
            if !refused.is_empty() {
                return Err(problems(source, &text, refused));
            }
            let lowered = crate::v32::lower(&raw);
            written = Some(std::sync::Arc::new(raw));
            let (view, refused) = crate::v31::normalize(&lowered);
            if !refused.is_empty() {
                return Err(problems(source, &text, as_written(written.as_deref(), &lowered, refused)));
            }
            (view, Some(lowered))
        } else if crate::v31::is_31(&raw) {
            let (view, refused) = crate::v31::normalize(&raw);
            if !refused.is_empty() {
                return Err(problems(source, &text, refused));
            }
            (view, Some(raw))
        } else {
            (raw, None)
        };
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
        let started = Instant::now();
        found.extend(crate::validate::check_refs(&raw));
        if found.is_empty() {
            found.extend(crate::validate::check_loops(original.as_ref().unwrap_or(&raw)));
        }
        phases.validate = started.elapsed();
        let started = Instant::now();
        // The typed model holds some keywords in narrower types than JSON
        // (`maximum` of an integer schema as `i64`, `maxLength` as `usize`):
        // a spec whose numbers do not fit is read again, with them fitted.
        let api = match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&raw) {
            Ok(api) => Ok(api),
            Err(err) => {
                let fitted = fit_numbers(&raw);
                serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&fitted).map_err(|_| (err, fitted))
            }
        };
        let api = match api {
            Ok(api) => api,
            Err((err, raw)) => {
                let mut shape = structure::narrow_document(&raw);
                if shape.is_empty() {
                    let kind = ProblemKind::Structure(err.inner().to_string());
                    shape.push(problem(&pointer_of_path(err.path()), kind));
                }
                found.extend(shape);
                let found = match &original {
                    Some(lowered) => as_written(written.as_deref(), lowered, found),
                    None => found,
                };
                return Err(problems(source, &text, found));
            }
        };
        let more_operations = more_operations(&raw, &mut found);
        phases.model = started.elapsed();
        let started = Instant::now();
        let document = Document { source: source.to_owned(), text, raw, api, original, tree: None, more_operations, written };
        found.extend(crate::validate::check_document(&document));
        phases.validate += started.elapsed();
        if found.is_empty() { Ok(document) } else { Err(document.problems(found)) }
    }

    /// Reads a document as [`Document::from_text`] does, but reads one with
    /// the defects real specs often carry too, repaired, and answers them
    /// beside it: an operation with no `responses` or none in it (a
    /// `default` response is supplied), a response with no `description`
    /// (an empty one), a path parameter the template does not name (left
    /// out) or a template name no parameter declares (a string), an unknown
    /// schema `type` (any value), a duplicated `operationId` (numbered), a
    /// loop of schemas through a choice or of `$ref`s alone (the schema
    /// that starts it read as any value). For tools that compare documents
    /// rather than generate from them (the spec diff); other problems (a
    /// dangling `$ref`, a document that is not OpenAPI) are still an error.
    pub fn from_text_lenient(source: &str, text: String) -> Result<(Document, Vec<Problem>), Error> {
        let strict = match Document::from_text(source, text.clone()) {
            Ok(doc) => return Ok((doc, Vec::new())),
            Err(e) => e,
        };
        if strict.problems().is_none() {
            return Err(strict);
        }
        let Ok(mut raw) = parse_text(&text) else { return Err(strict) };
        let mut found = repair(&mut raw);
        // The loader stops at the first stage with problems: repair, read
        // again, a few rounds.
        let mut last = strict;
        for _ in 0..4 {
            let Ok(repaired) = serde_json::to_string_pretty(&raw) else { break };
            match Document::from_text(source, repaired) {
                Ok(mut doc) => {
                    doc.text = text.clone();
                    for problem in &mut found {
                        problem.line = locate::line_of(&text, &problem.pointer);
                    }
                    return Ok((doc, found));
                }
                Err(e) => {
                    let Some(problems) = e.problems() else { return Err(e) };
                    let fixed: Vec<Problem> = problems.problems.iter().filter(|p| fix(&mut raw, p)).cloned().collect();
                    if fixed.is_empty() {
                        // What is left is no common defect: report it on
                        // the original text.
                        let left = problems.problems.iter().map(|p| Problem { line: None, ..p.clone() }).collect();
                        last = self::problems(source, &text, left);
                        break;
                    }
                    found.extend(fixed);
                    last = e;
                }
            }
        }
        Err(last)
    }

    /// [`Document::from_text_lenient`] for a file, which may be the root of
    /// a tree ([`crate::bundle`]): a tree is bundled first, and its
    /// repairs named in the files they are in.
    pub fn from_path_lenient(path: &Path, options: &crate::bundle::Options) -> Result<(Document, Vec<Problem>), Error> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::Read { path: path.to_owned(), source: e })?;
        if !parse_text(&text).is_ok_and(|raw| crate::bundle::has_external_refs(&raw)) {
            return Document::from_text_lenient(&source, text);
        }
        let (bundled, tree) = crate::bundle::tree(path, options)?;
        let json = serde_json::to_string_pretty(&bundled).map_err(|e| Error::Spec(Problems { source: source.clone(), problems: vec![problem("#", ProblemKind::Structure(e.to_string()))] }))?;
        let (mut doc, mut repaired) = Document::from_text_lenient(&source, json)?;
        for p in &mut repaired {
            let (file, pointer, line) = tree.locate(&p.pointer);
            (p.file, p.pointer, p.line) = (file, pointer, line);
        }
        doc.tree = Some(std::sync::Arc::new(tree));
        Ok((doc, repaired))
    }

    /// Wraps problems found in this document into an error, with lines.
    pub fn problems(&self, found: Vec<Problem>) -> Error {
        match &self.original {
            Some(lowered) => problems(&self.source, &self.text, as_written(self.written.as_deref(), lowered, found)),
            None => problems(&self.source, &self.text, found),
        }
    }

    /// The place `pointer` names, as the document is written: the same
    /// pointer, but in a 3.2 document, where a place of its 3.1 form
    /// ([`Document::original`]) was written otherwise (an `itemSchema`, a
    /// `dataValue`, a media type from `components.mediaTypes`), that place
    /// ([`crate::v32::written_pointer`]).
    pub fn written_pointer(&self, pointer: &str) -> String {
        match (&self.written, &self.original) {
            (Some(written), Some(lowered)) => crate::v32::written_pointer(written, lowered, pointer),
            _ => pointer.to_owned(),
        }
    }

    /// The text as JSON, and nothing more: the parser alone, the floor
    /// that `cargo xtask bench` compares the whole generator with.
    pub fn parse(text: &str) -> Result<Value, Error> {
        parse_text(text).map_err(|problem| problems("text", text, vec![problem]))
    }

    /// Resolves a local JSON pointer (`#/a/b`) in the raw document.
    pub fn resolve_pointer(&self, pointer: &str) -> Option<&Value> {
        self.raw.pointer(pointer.strip_prefix('#')?)
    }
}

/// Parses JSON when the text looks like JSON, YAML otherwise. JSON with a
/// number beyond `f64` (`1e400`), which `serde_json` refuses, is read by the
/// YAML parser, as JSON is YAML.
pub(crate) fn parse_text(text: &str) -> Result<Value, Problem> {
    if text.trim_start().starts_with('{') {
        match serde_json::from_str(text) {
            Ok(value) => return Ok(value),
            Err(err) if err.to_string().starts_with("number out of range") => {}
            Err(err) => {
                return Err(Problem {
                    pointer: "#".into(),
                    line: Some(err.line()),
                    kind: ProblemKind::Syntax(err.to_string()),
                    file: None,
                });
            }
        }
    }
    yaml::parse_yaml(text).map_err(|err| Problem {
        pointer: "#".into(),
        line: err.line,
        kind: ProblemKind::Syntax(err.message),
        file: None,
    })
}

/// Keywords the typed model reads as `usize`.
const COUNT_KEYWORDS: [&str; 6] = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"];

/// A copy of `raw` whose numeric schema keywords fit the typed model:
/// bounds of an integer schema clamped into `i64` (rounded inwards), a
/// `multipleOf` or an `enum` value of an integer schema that is not an
/// `i64` left out, counts clamped into `usize`, and numbers the YAML parser
/// kept as text (`1e400`) read as the nearest finite `f64`. The raw
/// document keeps every value as written: the validator and the examples
/// use it, so bounds compare there as floats.
fn fit_numbers(raw: &Value) -> Value {
    let mut copy = raw.clone();
    // An explicit stack: the depth of a document is the parser's business.
    let mut stack = vec![&mut copy];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                let integer = map.get("type").and_then(Value::as_str) == Some("integer");
                let as_number = |v: &Value| match v {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => s.parse::<f64>().ok().map(|f| f.clamp(f64::MIN, f64::MAX)),
                    _ => None,
                };
                for key in ["minimum", "maximum", "multipleOf"] {
                    let Some(n) = map.get(key).and_then(as_number) else { continue };
                    let fitted = match (integer, key) {
                        (false, _) => serde_json::Number::from_f64(n).map(Value::Number),
                        (true, "multipleOf") => (n.fract() == 0.0 && n >= 1.0 && n <= i64::MAX as f64).then(|| Value::from(n as i64)),
                        (true, "minimum") => Some(Value::from(n.ceil().clamp(i64::MIN as f64, i64::MAX as f64) as i64)),
                        (true, _) => Some(Value::from(n.floor().clamp(i64::MIN as f64, i64::MAX as f64) as i64)),
                    };
                    match fitted {
                        Some(v) => map.insert(key.to_owned(), v),
                        None => map.remove(key),
                    };
                }
                for key in COUNT_KEYWORDS {
                    let Some(n) = map.get(key).and_then(as_number) else { continue };
                    if n >= 0.0 {
                        map.insert(key.to_owned(), Value::from(n.floor().min(usize::MAX as f64) as usize));
                    }
                }
                if integer && let Some(Value::Array(values)) = map.get_mut("enum") {
                    values.retain(|v| v.is_null() || v.as_i64().is_some());
                }
                stack.extend(map.values_mut());
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
    copy
}

fn problem(pointer: &str, kind: ProblemKind) -> Problem {
    Problem { pointer: pointer.to_owned(), line: None, kind, file: None }
}

/// Fills in lines, sorts, and wraps.
/// Problems found in the 3.1 form of a 3.2 document (`lowered`), pointing
/// where the document as written (`written`) has them.
fn as_written(written: Option<&Value>, lowered: &Value, mut found: Vec<Problem>) -> Vec<Problem> {
    if let Some(written) = written {
        for problem in &mut found {
            problem.pointer = crate::v32::written_pointer(written, lowered, &problem.pointer);
        }
    }
    found
}

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

/// Repairs the problem the loader reported, where it is a common defect a
/// comparison can read past: an unknown `type` (read as any), a duplicated
/// `operationId` (numbered), a loop through a choice or a chain of `$ref`s
/// that ends nowhere (the schema that starts it read as any). Answers
/// whether it did.
fn fix(raw: &mut Value, problem: &Problem) -> bool {
    let at = |pointer: &str| pointer.strip_prefix('#').unwrap_or(pointer).to_owned();
    let replace = |raw: &mut Value, pointer: &str, value: Value| match raw.pointer_mut(&at(pointer)) {
        Some(slot) => {
            *slot = value;
            true
        }
        None => false,
    };
    match &problem.kind {
        ProblemKind::UnknownType(_) => {
            let Some(parent) = problem.pointer.strip_suffix("/type") else { return false };
            raw.pointer_mut(&at(parent)).and_then(Value::as_object_mut).is_some_and(|o| o.remove("type").is_some())
        }
        ProblemKind::DuplicateOperationId { id, .. } => {
            let used = |raw: &Value, candidate: &str| raw.to_string().contains(&format!("\"operationId\":\"{candidate}\""));
            let Some(fresh) = (2..1000).map(|n| format!("{id}_{n}")).find(|c| !used(raw, c)) else { return false };
            replace(raw, &problem.pointer, Value::String(fresh))
        }
        ProblemKind::ChoiceLoop(chain) => chain.get(1).is_some_and(|member| replace(raw, member, serde_json::json!({}))),
        ProblemKind::RefLoop(_) => match problem.pointer.strip_suffix("/$ref") {
            Some(parent) => replace(raw, parent, serde_json::json!({})),
            None => false,
        },
        _ => false,
    }
}

/// The repairs of [`Document::from_text_lenient`].
/// Answers what it repaired, each where it was.
fn repair(raw: &mut Value) -> Vec<Problem> {
    let mut found = Vec::new();
    let no_description = || ProblemKind::Structure("a response without a `description`".into());
    let describe = |at: &str, responses: &mut serde_json::Map<String, Value>, found: &mut Vec<Problem>| {
        if responses.is_empty() {
            responses.insert("default".into(), serde_json::json!({"description": ""}));
            found.push(problem(at, ProblemKind::Structure("an operation without a response".into())));
        }
        for (status, response) in responses.iter_mut() {
            if let Value::Object(r) = response
                && !r.contains_key("$ref")
                && !r.contains_key("description")
            {
                r.insert("description".into(), Value::String(String::new()));
                found.push(problem(&format!("{at}/{}", escape_segment(status)), no_description()));
            }
        }
    };
    if let Some(Value::Object(responses)) = raw.pointer_mut("/components/responses") {
        for (name, response) in responses.iter_mut() {
            if let Value::Object(r) = response
                && !r.contains_key("description")
            {
                r.insert("description".into(), Value::String(String::new()));
                found.push(problem(&format!("#/components/responses/{}", escape_segment(name)), no_description()));
            }
        }
    }
    let Some(Value::Object(paths)) = raw.get_mut("paths") else { return found };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        let item_at = format!("#/paths/{}", escape_segment(path));
        let names: Vec<String> = path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(n, _)| n.to_owned())).collect();
        let keep = |at: &str, list: &mut Value, found: &mut Vec<Problem>| {
            if let Value::Array(params) = list {
                let named = |p: &Value| p.get("in").and_then(Value::as_str) != Some("path") || p.get("name").and_then(Value::as_str).is_some_and(|n| names.iter().any(|m| m == n));
                for (i, p) in params.iter().enumerate().filter(|(_, p)| !named(p)) {
                    let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                    found.push(problem(&format!("{at}/parameters/{i}"), ProblemKind::PathParameter(format!("the path parameter `{name}` is not in the template (left out)"))));
                }
                params.retain(named);
            }
        };
        if let Some(list) = item.get_mut("parameters") {
            keep(&item_at, list, &mut found);
        }
        let shared: Vec<String> = item
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
            .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let whole = Value::Object(item.clone());
        let keys: Vec<String> = crate::v32::operations_of(&whole).into_iter().map(|(_, key, _)| key).collect();
        for key in keys {
            let op = match key.split_once('/') {
                Some((more, method)) => item.get_mut(more).and_then(|m| m.get_mut(method.replace("~1", "/").replace("~0", "~"))),
                None => item.get_mut(&key),
            };
            let Some(Value::Object(op)) = op else { continue };
            let op_at = format!("{item_at}/{key}");
            match op.get_mut("responses") {
                Some(Value::Object(responses)) => describe(&format!("{op_at}/responses"), responses, &mut found),
                _ => {
                    op.insert("responses".into(), serde_json::json!({"default": {"description": ""}}));
                    found.push(problem(&op_at, ProblemKind::Structure("an operation without `responses`".into())));
                }
            }
            let list = op.entry("parameters").or_insert_with(|| Value::Array(Vec::new()));
            keep(&op_at, list, &mut found);
            if let Value::Array(params) = list {
                for name in &names {
                    let declared = shared.contains(name) || params.iter().any(|p| p.get("in").and_then(Value::as_str) == Some("path") && p.get("name").and_then(Value::as_str) == Some(name));
                    if !declared {
                        params.push(serde_json::json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
                        found.push(problem(&op_at, ProblemKind::PathParameter(format!("`{{{name}}}` of the template is not declared (read as a string)"))));
                    }
                }
            }
        }
    }
    found
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
        let err = load("openapi: 3.3.0\ninfo: {title: t, version: '1'}\npaths: {}\n").unwrap_err();
        let problems = err.problems().unwrap();
        assert_eq!(problems.problems[0].kind, ProblemKind::UnsupportedVersion("3.3.0".into()));
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
