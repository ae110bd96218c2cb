//! The checks that need no server: examples against their schemas, and
//! examples through the generated types and back.

use std::time::Instant;

use openapi_codegen::{Document, escape_segment, line_of};
use serde_json::Value;

use crate::examples::{Example, Found, Kind};
use crate::report::Case;
use crate::Direction;
use crate::validator::{ValidationError, Validator, json_equal};

/// Runs values through the Rust types generated from the spec.
pub trait Types {
    /// JSON → the type of the schema at `pointer` → JSON. `None` when no
    /// type belongs to that pointer.
    fn json(&mut self, pointer: &str, value: &Value) -> Option<Result<Value, String>>;

    /// JSON → the type → an `application/x-www-form-urlencoded` body → the
    /// type → JSON.
    fn form(&mut self, pointer: &str, value: &Value) -> Option<Result<Value, String>>;
}

/// A loaded spec with what the checks share: its validator and examples.
#[derive(Debug)]
pub struct Spec {
    /// The document.
    pub doc: Document,
    /// Its compiled schemas.
    pub validator: Validator,
    /// Its examples.
    pub examples: Found,
    /// The defects a lenient load repaired ([`Spec::lenient`]), reported
    /// by the spec diff as warnings.
    pub repaired: Vec<openapi_codegen::Problem>,
    /// Told how far the checks run on this spec have gone.
    pub progress: crate::progress::Progress,
}

impl Spec {
    /// Loads and validates the spec at `path`.
    pub fn load(path: &std::path::Path) -> Result<Spec, openapi_codegen::Error> {
        Ok(Spec::new(Document::from_path(path)?))
    }

    /// Wraps a loaded document.
    pub fn new(doc: Document) -> Spec {
        let validator = Validator::new(&doc);
        let examples = crate::examples::find(&doc.raw);
        Spec { doc, validator, examples, repaired: Vec::new(), progress: Default::default() }
    }

    /// [`Spec::lenient`] for a file, which may be the root of a spec split
    /// across files.
    pub fn lenient_path(path: &std::path::Path, tree: &openapi_codegen::bundle::Options) -> Result<Spec, openapi_codegen::Error> {
        let (doc, repaired) = Document::from_path_lenient(path, tree)?;
        let mut spec = Spec::new(doc);
        spec.repaired = repaired;
        Ok(spec)
    }

    /// Reads a document with the defects real specs often carry, repaired
    /// and kept in [`Spec::repaired`] ([`Document::from_text_lenient`]).
    pub fn lenient(source: &str, text: String) -> Result<Spec, openapi_codegen::Error> {
        let (doc, repaired) = Document::from_text_lenient(source, text)?;
        let mut spec = Spec::new(doc);
        spec.repaired = repaired;
        Ok(spec)
    }

    /// `source:line: ` for a pointer into the spec, or `source: `.
    pub fn place(&self, pointer: &str) -> String {
        // In a 3.2 document, the place as written; in a spec split across
        // files, the file the part came from.
        let pointer = self.doc.written_pointer(pointer);
        let (file, line) = match &self.doc.tree {
            Some(tree) => {
                let (file, _, line) = tree.locate(&pointer);
                (file.unwrap_or_else(|| self.doc.source.clone()), line)
            }
            None => (self.doc.source.clone(), line_of(&self.doc.text, &pointer)),
        };
        match line {
            Some(line) => format!("{file}:{line}: "),
            None => format!("{file}: "),
        }
    }

    /// An error of a value that lives in the spec at `pointer`, with the
    /// line of the failing part.
    pub fn located(&self, pointer: &str, error: &ValidationError) -> String {
        format!("{}{error}", self.place(&format!("{pointer}{}", error.instance_path)))
    }

    /// A schema value, through its `$ref`s.
    pub fn resolve_value<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(target) => self.doc.resolve_pointer(&self.resolve(target)).unwrap_or(schema),
            None => schema,
        }
    }

    /// Follows `$ref`s from `pointer` to the schema they end at.
    pub fn resolve(&self, pointer: &str) -> String {
        crate::examples::follow_refs(&self.doc.raw, pointer)
    }
}

/// Check 1: every example satisfies its schema.
pub fn examples(spec: &mut Spec) -> Vec<Case> {
    let mut cases = Vec::new();
    spec.progress.phase("examples against their schemas", spec.examples.examples.len());
    for example in spec.examples.examples.clone() {
        spec.progress.step();
        let started = Instant::now();
        let failures = match spec.validator.compile(&example.schema) {
            Err(e) => vec![format!("{}the schema cannot be compiled: {e}", spec.place(&e.pointer))],
            Ok(id) => match spec.validator.validate(id, &example.value, example.direction) {
                Ok(()) => Vec::new(),
                Err(errors) => errors.iter().map(|e| spec.located(&example.pointer, e)).collect(),
            },
        };
        cases.push(Case::new("examples", example.label(), failures, started.elapsed()));
    }
    for skipped in &spec.examples.skipped {
        cases.push(Case::skipped("examples", skipped.pointer.clone(), skipped.reason.clone()));
    }
    cases
}

/// Check 2: every response, request body and event example reads into its
/// generated type and writes back equal to itself (request bodies through
/// their wire format).
pub fn round_trips(spec: &Spec, types: &mut dyn Types) -> Vec<Case> {
    let mut cases = Vec::new();
    let typed = |example: &&Example| !matches!(example.kind, Kind::Schema | Kind::Parameter { .. });
    spec.progress.phase("examples through the types", spec.examples.examples.iter().filter(typed).count());
    for example in spec.examples.examples.iter().filter(typed) {
        spec.progress.step();
        let started = Instant::now();
        let form = example.media.as_deref() == Some("application/x-www-form-urlencoded");
        let mut run = |pointer: &str| if form { types.form(pointer, &example.value) } else { types.json(pointer, &example.value) };
        // The pointer as written first: a request body may read as its
        // operation's params; then the schema its `$ref`s lead to.
        let result = run(&example.schema).or_else(|| run(&spec.resolve(&example.schema)));
        let name = example.label();
        match result {
            None => cases.push(Case::skipped("round-trip", name, format!("no generated type for {}", example.schema))),
            Some(result) => {
                let failures = round_trip_failures(spec, example, result);
                cases.push(Case::new("round-trip", name, failures, started.elapsed()));
            }
        }
    }
    cases
}

fn round_trip_failures(spec: &Spec, example: &Example, result: Result<Value, String>) -> Vec<String> {
    let form = example.media.as_deref() == Some("application/x-www-form-urlencoded");
    let wire = if form { " through the form encoding" } else { "" };
    match result {
        Err(message) => vec![format!("{}{message}", spec.place(&example.pointer))],
        Ok(back) => compare(&example.value, &back, form)
            .into_iter()
            .map(|(path, what)| format!("{}{path}: {what}{wire}", spec.place(&format!("{}{path}", example.pointer))))
            .collect(),
    }
}

/// The component schemas an `object` value may name, with the constant
/// properties (required, an `enum` of one value) that tell them apart.
#[derive(Debug, Default)]
pub struct ObjectSchemas {
    /// For each `object` value (and schema name): the schemas, each with
    /// its constants.
    by_object: std::collections::BTreeMap<String, Vec<(String, Constants)>>,
}

/// Constant properties: `(name, the one value)`.
type Constants = Vec<(String, Value)>;

impl ObjectSchemas {
    /// Indexes the component schemas of a spec: by name, and by the
    /// constant of their `object` property.
    pub fn new(spec: &Spec) -> ObjectSchemas {
        let mut index = ObjectSchemas::default();
        let Some(schemas) = spec.doc.raw.pointer("/components/schemas").and_then(Value::as_object) else { return index };
        for (name, schema) in schemas {
            let pointer = format!("#/components/schemas/{}", escape_segment(name));
            let required: Vec<&str> = schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            let mut constants = Vec::new();
            for (key, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
                let property = spec.doc.resolve_pointer(&spec.resolve(&format!("{pointer}/properties/{}", escape_segment(key)))).unwrap_or(property);
                if let Some([value]) = property.get("enum").and_then(Value::as_array).map(Vec::as_slice)
                    && required.contains(&key.as_str())
                    && !property.get("nullable").and_then(Value::as_bool).unwrap_or(false)
                {
                    constants.push((key.clone(), value.clone()));
                }
            }
            let object = constants.iter().find(|(k, _)| k == "object").and_then(|(_, v)| v.as_str()).map(str::to_owned);
            for key in object.into_iter().chain([name.clone()]).collect::<std::collections::BTreeSet<_>>() {
                index.by_object.entry(key).or_default().push((pointer.clone(), constants.clone()));
            }
        }
        index
    }

    /// The schema an object names: among those its `object` value names,
    /// the one whose constants it carries, most constants first (so a
    /// `{"object": "customer", "deleted": true}` is a `deleted_customer`).
    pub fn schema_of(&self, object: &serde_json::Map<String, Value>) -> Option<&str> {
        let name = object.get("object")?.as_str()?;
        let candidates = self.by_object.get(name)?;
        candidates
            .iter()
            .filter(|(_, constants)| constants.iter().all(|(k, v)| object.get(k).is_some_and(|w| json_equal(v, w))))
            .max_by_key(|(_, constants)| constants.len())
            .map(|(pointer, _)| pointer.as_str())
    }
}

/// Fixtures: every object of a fixtures file (such as Stripe's
/// `fixtures3.json`) with an `object` field that names a schema satisfies
/// that schema (as a response) and round-trips through its generated
/// type. Objects inside a checked one are checked as part of it.
pub fn fixtures(spec: &mut Spec, types: &mut dyn Types, fixtures: &Value, source: &str) -> Vec<Case> {
    let schemas = ObjectSchemas::new(spec);
    let mut found = Vec::new();
    collect_objects(fixtures, String::new(), &schemas, &mut found);
    let mut cases = Vec::new();
    for (at, schema) in found {
        let started = Instant::now();
        let value = fixtures.pointer(&at).cloned().unwrap_or(Value::Null);
        let name = format!("{source}#{at} ({})", schema.rsplit('/').next().unwrap_or_default());
        let mut failures = Vec::new();
        match spec.validator.compile(&schema) {
            Err(e) => failures.push(format!("the schema cannot be compiled: {e}")),
            Ok(id) => {
                if let Err(errors) = spec.validator.validate(id, &value, Direction::Response) {
                    failures.extend(errors.iter().map(|e| format!("{at}{e}")));
                }
            }
        }
        match types.json(&schema, &value) {
            None => failures.push(format!("no generated type for {schema}")),
            Some(Err(message)) => failures.push(message),
            Some(Ok(back)) => failures.extend(differences(&value, &back).into_iter().map(|(path, what)| format!("{at}{path}: {what}"))),
        }
        cases.push(Case::new("fixtures", name, failures, started.elapsed()));
    }
    cases
}

/// `(pointer, schema)` of every object that names a schema, not looking
/// inside the ones found.
pub(crate) fn collect_objects(value: &Value, at: String, schemas: &ObjectSchemas, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(schema) = schemas.schema_of(map) {
                out.push((at, schema.to_owned()));
                return;
            }
            for (k, v) in map {
                collect_objects(v, format!("{at}/{}", escape_segment(k)), schemas, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_objects(v, format!("{at}/{i}"), schemas, out);
            }
        }
        _ => {}
    }
}

/// A schema whose generated values are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The schema, as a JSON pointer.
    pub pointer: String,
    /// Which way its values travel.
    pub direction: Direction,
    /// Whether they travel as a form body.
    pub form: bool,
}

/// The schemas check 3 generates values of: every component schema (as
/// a server sends it) and every request body (as a client sends it).
pub fn targets(spec: &Spec) -> Vec<Target> {
    let mut out = Vec::new();
    if let Some(schemas) = spec.doc.raw.pointer("/components/schemas").and_then(Value::as_object) {
        for name in schemas.keys() {
            let pointer = format!("#/components/schemas/{}", escape_segment(name));
            out.push(Target { pointer, direction: Direction::Response, form: false });
        }
    }
    for (path, item) in openapi_codegen::walk::named_entries(spec.doc.raw.get("paths")) {
        for (_, key, _) in openapi_codegen::v32::operations_of(item) {
            let at = format!("#/paths/{}/{key}/requestBody", escape_segment(path));
            let body_at = spec.resolve(&at);
            let Some(content) = spec.doc.resolve_pointer(&body_at).and_then(|b| b.get("content")).and_then(Value::as_object) else {
                continue;
            };
            for (media, entry) in content {
                let form = media == "application/x-www-form-urlencoded";
                // A body with no properties (Stripe gives every GET one) holds nothing to generate.
                let schema = entry.get("schema").map(|s| spec.resolve_value(s));
                let empty = schema.is_some_and(|s| {
                    s.get("properties").and_then(Value::as_object).is_none_or(|p| p.is_empty())
                        && s.get("additionalProperties").is_none_or(|a| a == &Value::Bool(false))
                        && s.get("type").and_then(Value::as_str) == Some("object")
                });
                if (form || media.contains("json")) && !empty {
                    let pointer = format!("{body_at}/content/{}/schema", escape_segment(media));
                    out.push(Target { pointer, direction: Direction::Request, form });
                }
            }
        }
    }
    out
}

/// Check 3: values generated from each target schema satisfy it and
/// round-trip through the generated types; a failure is shrunk to a
/// minimal value. Deterministic: the same spec gives the same values.
pub fn generated(spec: &mut Spec, types: &mut dyn Types, targets: &[Target], cases: u32) -> Vec<Case> {
    use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
    let mut out = Vec::new();
    let types = std::cell::RefCell::new(types);
    spec.progress.phase(&format!("generated values ({cases} per schema)"), targets.len());
    for target in targets {
        spec.progress.step();
        let started = Instant::now();
        let id = match spec.validator.compile(&target.pointer) {
            Ok(id) => id,
            Err(e) => {
                out.push(Case::new("generated", &target.pointer, vec![format!("the schema cannot be compiled: {e}")], started.elapsed()));
                continue;
            }
        };
        let resolved = spec.resolve(&target.pointer);
        let round = |value: &Value| {
            let mut types = types.borrow_mut();
            let mut run = |pointer: &str| if target.form { types.form(pointer, value) } else { types.json(pointer, value) };
            run(&target.pointer).or_else(|| run(&resolved))
        };
        if round(&Value::Null).is_none() {
            out.push(Case::skipped("generated", &target.pointer, "no generated type for this schema"));
            continue;
        }
        let generator = crate::generate::Generator::new(&spec.validator, target.direction);
        let strategy = if target.form { generator.for_form() } else { generator }.strategy(id);
        let config = Config { cases, failure_persistence: None, max_shrink_iters: 4096, ..Config::default() };
        let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
        let validator = &spec.validator;
        let result = runner.run(&strategy, |value| {
            if let Err(errors) = validator.validate(id, &value, target.direction) {
                let first = errors.first().map(ToString::to_string).unwrap_or_default();
                return Err(TestCaseError::fail(format!("the generated value does not satisfy its schema: {first}")));
            }
            match round(&value) {
                None => Ok(()),
                Some(Err(message)) => Err(TestCaseError::fail(message)),
                Some(Ok(back)) => {
                    let found = compare(&value, &back, target.form);
                    if found.is_empty() {
                        Ok(())
                    } else {
                        let list: Vec<String> = found.iter().map(|(path, what)| format!("{path}: {what}")).collect();
                        Err(TestCaseError::fail(format!("does not round-trip: {}", list.join("; "))))
                    }
                }
            }
        });
        let failures = match result {
            Ok(()) => Vec::new(),
            Err(TestError::Fail(reason, minimal)) => vec![format!("{reason}
  minimal failing value: {minimal}")],
            Err(TestError::Abort(reason)) => vec![format!("could not generate values: {reason}")],
        };
        out.push(Case::new("generated", format!("{} ({cases} values)", target.pointer), failures, started.elapsed()));
    }
    out
}

/// The differences a round trip may not have, after the normalisation
/// its wire format implies. A form has no encoding for an empty array or
/// object, and an empty value there means "unset"; so in a form round
/// trip a property or an array item holding `[]`, `{}` or `""` may come
/// back absent.
pub fn compare(original: &Value, back: &Value, form: bool) -> Vec<(String, String)> {
    if form { differences(&without_empty(original), &without_empty(back)) } else { differences(original, back) }
}

/// The value with properties and items holding `[]`, `{}` or `""`
/// (after the same removal inside them) left out.
fn without_empty(value: &Value) -> Value {
    let kept = |v: &Value| match v {
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::String(s) => !s.is_empty(),
        _ => true,
    };
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), without_empty(v))).filter(|(_, v)| kept(v)).collect()),
        Value::Array(items) => Value::Array(items.iter().map(without_empty).filter(kept).collect()),
        other => other.clone(),
    }
}

/// Where two JSON values differ, as `(JSON pointer, what happened)`.
/// Numbers compare by value (`1` equals `1.0`); nothing else is normalised.
pub fn differences(original: &Value, back: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    diff(original, back, String::new(), &mut out);
    out
}

fn diff(original: &Value, back: &Value, at: String, out: &mut Vec<(String, String)>) {
    if json_equal(original, back) {
        return;
    }
    let key = |k: &str| format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
    match (original, back) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => diff(v, w, key(k), out),
                    None => out.push((key(k), format!("was {}, came back absent", short(v)))),
                }
            }
            for (k, w) in b {
                if !a.contains_key(k) {
                    out.push((key(k), format!("was absent, came back {}", short(w))));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                diff(v, w, format!("{at}/{i}"), out);
            }
        }
        _ => out.push((if at.is_empty() { "(root)".into() } else { at }, format!("was {}, came back {}", short(original), short(back)))),
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 { format!("{}...", text.chars().take(80).collect::<String>()) } else { text }
}

#[cfg(test)]
mod tests {
    use super::differences;
    use serde_json::json;

    #[test]
    fn differences_name_each_path() {
        let a = json!({"a": 1, "b": [1, {"c": "x"}], "gone": null, "n": 2});
        let b = json!({"a": 1.0, "b": [1, {"c": "y"}], "new": true, "n": 3});
        assert_eq!(
            differences(&a, &b),
            [
                ("/b/1/c".to_owned(), "was \"x\", came back \"y\"".to_owned()),
                ("/gone".to_owned(), "was null, came back absent".to_owned()),
                ("/n".to_owned(), "was 2, came back 3".to_owned()),
                ("/new".to_owned(), "was absent, came back true".to_owned()),
            ]
        );
        assert!(differences(&json!([1, 2]), &json!([1.0, 2])).is_empty());
    }
}
