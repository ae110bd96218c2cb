//! Validates JSON values against the schemas of an OpenAPI 3.0 document.
//!
//! # Why its own validator
//!
//! OpenAPI 3.0 schemas are not JSON Schema: `nullable` adds `null` to a
//! type, `exclusiveMinimum` is a flag beside `minimum`, `readOnly` and
//! `writeOnly` change what a request or a response may carry, siblings of
//! `$ref` are ignored, and formats such as `int32` bound a number. A
//! translation to JSON Schema for the `jsonschema` crate would have to
//! rewrite every schema twice (once per direction) and would report errors
//! at the translated schema's paths, not the spec's. Compiling the spec's
//! own schemas is as short, reports paths into the spec, and is faster
//! (the README quotes the figures side by side). The translation still
//! exists (`json_schema`), to cross-check this validator's verdicts with
//! an independent implementation.
//!
//! # How
//!
//! [`Validator::compile`] turns the schema at a JSON pointer, and every
//! schema it reaches, into nodes of a graph (a `$ref` is an edge, so cycles
//! cost nothing). Validation first runs a fast pass that stops at the first
//! problem and allocates nothing; only an invalid value is walked again to
//! collect every error with its instance path, schema path, and what was
//! expected and found.
//!
//! # Semantics, where OpenAPI 3.0 leaves room
//!
//! - `nullable: true`, in an OpenAPI 3.0.3 document, allows `null` where
//!   `type` is given, and every other keyword still applies to it (a
//!   nullable `enum` lists `null`); in a 3.0.0 to 3.0.2 document it allows
//!   `null` whatever else the schema says, as most of them mean
//!   ([`strict_nullable`]).
//! - `type: integer` accepts a number with no fractional part (`1.0`), as
//!   JSON Schema does since draft 6.
//! - Formats checked: `date-time` and `date` (RFC 3339), `email` (an `@`),
//!   `uuid`, `ipv4`, `ipv6`, `uri` (a scheme, no spaces), `int32` and
//!   `int64` (ranges). Other formats (`unix-time`, `byte`, `decimal`, ...)
//!   are not checked.
//! - `pattern` is an ECMA-262 regular expression, searched (not anchored),
//!   run by the `regex` crate: no look-around, no backreferences, and `\d`
//!   and `\w` read as ASCII classes, as ECMA-262 has them. A pattern it
//!   cannot compile is reported by [`Validator::compile`].
//! - By direction: in a [`Direction::Request`] a `readOnly` property must be
//!   absent and is not required; in a [`Direction::Response`] the same
//!   holds for `writeOnly`. [`Direction::Neutral`] ignores both.

use std::collections::HashMap;
use std::fmt;

use crate::resources::{Registry, Resources};

use openapi_codegen::Document;
use serde_json::{Map, Value};

/// Which way a value travels, for `readOnly` and `writeOnly`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Sent by a client: `readOnly` properties must be absent.
    Request,
    /// Sent by a server (and webhook payloads): `writeOnly` properties must
    /// be absent.
    Response,
    /// Neither: `readOnly` and `writeOnly` are ignored.
    Neutral,
}

/// A compiled schema, as [`Validator::compile`] answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SchemaId(pub(crate) usize);

/// One way a value fails its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    /// JSON pointer of the failing value in the instance (`""` is the whole
    /// value, `/line_items/data/0/price` a nested one).
    pub instance_path: String,
    /// JSON pointer of the schema keyword that failed, in the spec
    /// (`#/components/schemas/item/properties/quantity/type`).
    pub schema_path: String,
    /// What the schema expects there.
    pub expected: String,
    /// What the value has there.
    pub found: String,
    /// For `anyOf` / `oneOf` that no alternative satisfied: the errors of
    /// the alternative that came closest (for the outermost alternatives on
    /// the way: each level would walk the value again).
    pub causes: Vec<ValidationError>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.instance_path.is_empty() { "(root)" } else { &self.instance_path };
        write!(f, "{at}: expected {}, found {} (at {})", self.expected, self.found, self.schema_path)?;
        for cause in &self.causes {
            let text = cause.to_string().replace('\n', "\n    ");
            write!(f, "\n    because {text}")?;
        }
        Ok(())
    }
}

/// A schema that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// Where, as a JSON pointer into the spec.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

impl std::error::Error for CompileError {}

/// JSON types, as bits.
pub(crate) mod ty {
    pub const NULL: u8 = 1;
    pub const BOOLEAN: u8 = 2;
    pub const INTEGER: u8 = 4;
    /// Any number; an integer is a number too.
    pub const NUMBER: u8 = 8;
    pub const STRING: u8 = 16;
    pub const ARRAY: u8 = 32;
    pub const OBJECT: u8 = 64;
}

/// A checkable `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    DateTime,
    Date,
    Email,
    Uuid,
    Ipv4,
    Ipv6,
    Uri,
    Int32,
    Int64,
}

impl Format {
    fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "date-time" => Format::DateTime,
            "date" => Format::Date,
            "email" => Format::Email,
            "uuid" => Format::Uuid,
            "ipv4" => Format::Ipv4,
            "ipv6" => Format::Ipv6,
            "uri" => Format::Uri,
            "int32" => Format::Int32,
            "int64" => Format::Int64,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Format::DateTime => "date-time",
            Format::Date => "date",
            Format::Email => "email",
            Format::Uuid => "uuid",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::Uri => "uri",
            Format::Int32 => "int32",
            Format::Int64 => "int64",
        }
    }

    /// Whether `value` (of any type) satisfies the format; values of
    /// types the format does not speak of pass.
    fn accepts(self, value: &Value) -> bool {
        match (self, value) {
            (Format::Int32, Value::Number(n)) => in_range(n, i32::MIN as f64, i32::MAX as f64),
            (Format::Int64, Value::Number(n)) => in_range(n, i64::MIN as f64, i64::MAX as f64),
            (_, Value::String(s)) => openapi_codegen::formats::accepts(self.name(), s).unwrap_or(true),
            _ => true,
        }
    }
}

fn in_range(n: &serde_json::Number, min: f64, max: f64) -> bool {
    if let Some(i) = n.as_i64() {
        return (min..=max).contains(&(i as f64));
    }
    if n.as_u64().is_some() {
        // Above i64::MAX.
        return false;
    }
    n.as_f64().is_some_and(|f| f >= min && f <= max)
}

#[derive(Debug, Default)]
pub(crate) struct Numeric {
    pub(crate) minimum: Option<(f64, bool)>,
    pub(crate) maximum: Option<(f64, bool)>,
    pub(crate) multiple_of: Option<f64>,
}

#[derive(Debug, Default)]
pub(crate) struct Text {
    pub(crate) min_length: Option<usize>,
    pub(crate) max_length: Option<usize>,
    pub(crate) pattern: Option<(regex::Regex, String)>,
}

#[derive(Debug, Default)]
pub(crate) struct Items {
    pub(crate) items: Option<usize>,
    pub(crate) min_items: Option<usize>,
    pub(crate) max_items: Option<usize>,
    pub(crate) unique: bool,
}

#[derive(Debug)]
pub(crate) struct Property {
    pub(crate) name: String,
    pub(crate) node: usize,
    pub(crate) required: bool,
    pub(crate) read_only: bool,
    pub(crate) write_only: bool,
    /// The node that says `readOnly` / `writeOnly` (through `$ref`s).
    pub(crate) access_node: usize,
}

#[derive(Debug)]
pub(crate) enum Additional {
    Any,
    Forbidden,
    Schema(usize),
}

#[derive(Debug)]
pub(crate) struct Object {
    /// Sorted by name, for binary search.
    pub(crate) properties: Vec<Property>,
    /// Required names that no property describes.
    pub(crate) required_elsewhere: Vec<String>,
    /// How many described properties are required, by direction
    /// (request, response, neutral).
    pub(crate) required_count: [usize; 3],
    pub(crate) additional: Additional,
    pub(crate) min_properties: Option<usize>,
    pub(crate) max_properties: Option<usize>,
}

#[derive(Debug, Default)]
pub(crate) struct Checks {
    /// Allowed types as bits; 0 when `type` is absent (any).
    pub(crate) types: u8,
    pub(crate) nullable: bool,
    pub(crate) enumeration: Option<Vec<Value>>,
    /// The same, sorted, when every value is a string (looked up by
    /// binary search).
    pub(crate) string_enumeration: Option<Vec<String>>,
    pub(crate) format: Option<Format>,
    pub(crate) numeric: Option<Box<Numeric>>,
    pub(crate) text: Option<Box<Text>>,
    pub(crate) items: Option<Box<Items>>,
    pub(crate) object: Option<Box<Object>>,
    pub(crate) all_of: Vec<usize>,
    pub(crate) any_of: Vec<usize>,
    pub(crate) one_of: Vec<usize>,
    pub(crate) not: Option<usize>,
    pub(crate) read_only: bool,
    pub(crate) write_only: bool,
    /// JSON Schema 2020-12 keywords (OpenAPI 3.1 documents only).
    pub(crate) modern: Option<Box<Modern>>,
}

/// The 2020-12 keywords OpenAPI 3.0 does not have.
#[derive(Debug, Default)]
pub(crate) struct Modern {
    /// `prefixItems`: a schema per leading position (`items` then applies
    /// to the rest).
    pub(crate) prefix_items: Vec<usize>,
    /// `contains`, `minContains` (default 1), `maxContains`.
    pub(crate) contains: Option<(usize, usize, Option<usize>)>,
    /// `dependentRequired`: if the key is there, these must be too.
    pub(crate) dependent_required: Vec<(String, Vec<String>)>,
    /// `dependentSchemas`: if the key is there, the value satisfies this.
    pub(crate) dependent_schemas: Vec<(String, usize)>,
    /// `if`, `then`, `else`.
    pub(crate) conditional: Option<(usize, Option<usize>, Option<usize>)>,
    /// `patternProperties` (their names are not "additional").
    pub(crate) pattern_properties: Vec<(regex::Regex, String, usize)>,
    /// `propertyNames`.
    pub(crate) property_names: Option<usize>,
    /// `unevaluatedProperties` beside applicators: `None` inside means
    /// `false`.
    pub(crate) unevaluated_properties: Option<Option<usize>>,
    /// `unevaluatedItems` beside applicators, likewise.
    pub(crate) unevaluated_items: Option<Option<usize>>,
}

/// What a schema evaluated of a valid instance (2020-12 annotations), for
/// `unevaluatedProperties` and `unevaluatedItems`.
#[derive(Debug, Default)]
struct Evaluated {
    keys: std::collections::HashSet<String>,
    all_keys: bool,
    /// Leading items evaluated.
    items: usize,
    /// Items past those that `contains` matched.
    matched: std::collections::BTreeSet<usize>,
    all_items: bool,
}

#[derive(Debug)]
enum Body {
    /// Not compiled yet (only while compiling).
    Pending,
    /// A `$ref`: the target's node.
    Ref(usize),
    /// A `$dynamicRef` to a `$dynamicAnchor`: the node it names unless a
    /// resource entered earlier (the outermost first) has a
    /// `$dynamicAnchor` of the same name.
    Dynamic(usize, String),
    /// `true` / `{}`-like schemas with nothing to check are `Checks::default()`.
    Checks(Box<Checks>),
}

#[derive(Debug)]
struct Node {
    pointer: String,
    body: Body,
    /// Whether checking it needs the in-progress set ([`Cx`]'s `active`).
    looping: bool,
    /// The schema resource it is in (its base URI, as an index into
    /// `Validator::bases`).
    base: usize,
}

/// Schemas of one document, compiled on demand.
#[derive(Debug)]
pub struct Validator {
    raw: Value,
    nodes: Vec<Node>,
    by_pointer: HashMap<String, usize>,
    /// `nullable` read as OpenAPI 3.0.3 says ([`strict_nullable`]).
    strict_nullable: bool,
    /// An OpenAPI 3.1 document: its schemas are JSON Schema 2020-12.
    modern: bool,
    /// For a 3.1 document, its 3.0 view: where the schemas the loader moved
    /// (`$defs`) are found.
    view: Option<Value>,
    /// Base URIs, identifiers and the documents of the registry loaded so
    /// far (3.1 documents and JSON Schema documents).
    resources: Resources,
    registry: Registry,
    /// Base URIs of schema resources, by number.
    bases: Vec<String>,
    /// `$dynamicAnchor`s: (resource, name) to node.
    dynamic_targets: HashMap<(usize, String), usize>,
    /// Names `$dynamicRef`s look for.
    dynamic_names: std::collections::BTreeSet<String>,
    /// Whether `format` is checked (the default); JSON Schema 2020-12 makes
    /// it an annotation unless asked.
    formats: bool,
    /// Whether the validation vocabulary applies (`type`, `enum`, bounds,
    /// `required`, ...): not when the document's `$schema` is a
    /// meta-schema whose `$vocabulary` leaves it out.
    validation: bool,
    /// The schemas on a loop through a choice, refused when compiled
    /// ([`openapi_codegen::cycles`]), with the loop.
    choice_loops: HashMap<String, Vec<String>>,
    /// The schemas on a loop that applies them to the same value (found
    /// statically in a 3.0 document: there a `$ref` is a plain pointer).
    /// Only these need the in-progress set ([`Cx`]); in a document with
    /// base URIs every schema that applies others does.
    looping: std::collections::BTreeSet<String>,
}

/// Whether a document reads `nullable` as OpenAPI 3.0.3 clarified it: it
/// adds `null` to the types only where `type` is given, and every other
/// keyword (`enum`, `allOf`, ...) still applies to `null`, so a nullable
/// enum lists `null`, and "this object or null" is
/// `anyOf: [{$ref: ...}, {type: object, nullable: true, enum: [null]}]`.
/// Documents of 3.0.0 to 3.0.2 (Stripe's among them, with `nullable` beside
/// `anyOf` in 1,445 places) keep the reading they were written for:
/// `nullable: true` allows `null` whatever else the schema says.
pub fn strict_nullable(doc: &Value) -> bool {
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or_default();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor, patch) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor, patch) >= (3, 0, 3)
}

/// Where a value is in the instance, built on the stack and rendered only
/// for an error.
#[derive(Clone, Copy)]
enum Loc<'a> {
    Root,
    Key(&'a Loc<'a>, &'a str),
    Index(&'a Loc<'a>, usize),
}

impl Loc<'_> {
    fn pointer(&self) -> String {
        match self {
            Loc::Root => String::new(),
            Loc::Key(parent, key) => format!("{}/{}", parent.pointer(), key.replace('~', "~0").replace('/', "~1")),
            Loc::Index(parent, i) => format!("{}/{i}", parent.pointer()),
        }
    }
}

/// How deep schemas may nest in one validation (through applicators,
/// `$ref`s and the value's own nesting) before the value is refused: far
/// past any real document, well inside a thread's stack.
pub const MAX_DEPTH: usize = 256;

/// How many schema checks one validation may make before the value is
/// refused: with each (schema, value) verdict kept, a real value
/// needs a small multiple of its size; this bounds the time a crafted one
/// can take.
pub const MAX_STEPS: u64 = 1_000_000;

/// After how many schema checks of one validation verdicts are kept
/// ([`Cx`]'s `memo`).
const KEEP_AFTER: u64 = 4096;

/// How many levels of `anyOf` / `oneOf` report the causes of their
/// closest alternative.
const MAX_CAUSE_LEVELS: usize = 1;

/// The state of one validation.
struct Cx {
    dir: Direction,
    /// The (node, value) pairs being checked right now, outermost first, for
    /// the nodes that apply other schemas to the same value. A pair met again
    /// is a loop that consumes none of the value (`S: {allOf: [{$ref: S}]}`):
    /// it holds (the loop adds nothing the rest of the schema does not say),
    /// as a visited set answers.
    active: std::cell::RefCell<Vec<(usize, *const Value)>>,
    /// Nesting, against [`MAX_DEPTH`].
    depth: std::cell::Cell<usize>,
    /// The dynamic scope: the schema resources entered, outermost first
    /// (for `$dynamicRef`).
    scope: std::cell::RefCell<Vec<usize>>,
    /// Verdicts of the fast pass by (schema, value): a value is checked
    /// against a schema once however many ways reach it (an `anyOf` that
    /// passes, then the `items` beside it), so nesting costs linear time,
    /// not exponential.
    memo: std::cell::RefCell<HashMap<(usize, *const Value), bool>>,
    /// Above 0 while a value made for the occasion is checked (a property
    /// name): its address does not name it for long, so nothing is kept.
    volatile: std::cell::Cell<usize>,
    /// Schema checks made, against [`MAX_STEPS`].
    steps: std::cell::Cell<u64>,
    /// Levels of alternatives computing their causes, against
    /// [`MAX_CAUSE_LEVELS`].
    causes: std::cell::Cell<usize>,
}

impl Cx {
    fn new(dir: Direction) -> Cx {
        Cx {
            dir,
            active: Default::default(),
            depth: Default::default(),
            scope: Default::default(),
            memo: Default::default(),
            volatile: Default::default(),
            steps: Default::default(),
            causes: Default::default(),
        }
    }

    /// Enters the resource `base` if it is not the current one.
    fn enter(&self, base: usize) -> bool {
        let mut scope = self.scope.borrow_mut();
        if scope.last() == Some(&base) {
            return false;
        }
        scope.push(base);
        true
    }
}

/// Undoes [`Cx`]'s bookkeeping for one `check`, whichever way it returns.
struct Entered<'a> {
    cx: &'a Cx,
    active: bool,
    /// Resources entered on the way.
    scopes: usize,
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.cx.depth.set(self.cx.depth.get() - 1);
        if self.active {
            self.cx.active.borrow_mut().pop();
        }
        if self.scopes > 0 {
            let mut scope = self.cx.scope.borrow_mut();
            let keep = scope.len() - self.scopes;
            scope.truncate(keep);
        }
    }
}

/// Where errors go: the fast pass stops at the first; the full pass keeps
/// them all.
trait Sink {
    /// Whether a check's verdict is all this sink learns of it (the fast
    /// pass), so verdicts may be kept and reused.
    const VERDICTS_ONLY: bool;

    /// Records an error; answers whether to go on.
    fn error(&mut self, make: impl FnOnce() -> ValidationError) -> bool;
}

struct FirstError(bool);

impl Sink for FirstError {
    const VERDICTS_ONLY: bool = true;

    fn error(&mut self, _: impl FnOnce() -> ValidationError) -> bool {
        self.0 = true;
        false
    }
}

struct AllErrors(Vec<ValidationError>);

impl Sink for AllErrors {
    const VERDICTS_ONLY: bool = false;

    fn error(&mut self, make: impl FnOnce() -> ValidationError) -> bool {
        self.0.push(make());
        true
    }
}

impl Validator {
    /// A validator of `doc`'s schemas. Nothing is compiled yet.
    pub fn new(doc: &Document) -> Validator {
        match &doc.original {
            // A 3.1 document is validated as written, with 2020-12 semantics.
            Some(original) => {
                let mut v = Validator::from_value(original.clone());
                v.view = Some(doc.raw.clone());
                v
            }
            None => Validator::from_value(doc.raw.clone()),
        }
    }

    /// A validator of the schemas in a raw OpenAPI document (3.0, or 3.1
    /// read with 2020-12 semantics).
    pub fn from_value(raw: Value) -> Validator {
        let modern = openapi_codegen::v31::is_modern(&raw);
        Validator::with(raw, modern, Registry::new())
    }

    /// A validator of a JSON Schema 2020-12 document (the schema is its
    /// root, `#`), whose references may reach the documents of `registry`.
    pub fn json_schema(schema: Value, registry: Registry) -> Validator {
        let mut v = Validator::with(schema, true, registry);
        v.validation = v.raw.get("$schema").and_then(Value::as_str).is_none_or(|uri| v.registry.uses_validation(uri));
        v
    }

    /// The documents references outside this one may reach (the JSON Schema
    /// meta-schemas by default).
    pub fn with_registry(mut self, registry: Registry) -> Validator {
        self.registry = registry;
        self
    }

    /// Whether `format` is checked. It is by default (a contract check
    /// wants a `date-time` to be one); JSON Schema 2020-12 makes it an
    /// annotation unless a dialect asks for assertion.
    pub fn check_formats(mut self, on: bool) -> Validator {
        self.formats = on;
        self
    }

    fn with(raw: Value, modern: bool, registry: Registry) -> Validator {
        let strict_nullable = strict_nullable(&raw);
        let resources = if modern { Resources::new(&raw) } else { Resources::default() };
        let mut v = Validator {
            raw,
            nodes: Vec::new(),
            by_pointer: HashMap::new(),
            strict_nullable,
            modern,
            view: None,
            resources,
            registry,
            bases: vec![crate::resources::DOCUMENT_BASE.to_owned()],
            dynamic_targets: HashMap::new(),
            dynamic_names: Default::default(),
            formats: true,
            validation: true,
            choice_loops: HashMap::new(),
            looping: Default::default(),
        };
        let loops = openapi_codegen::cycles::in_document(&v.raw);
        v.looping = loops.looping;
        for found in loops.choices {
            for pointer in &found.pointers {
                v.choice_loops.entry(pointer.clone()).or_insert_with(|| found.pointers.clone());
            }
        }
        v
    }

    /// The raw document.
    pub fn document(&self) -> &Value {
        &self.raw
    }

    /// Compiles the schema at `pointer` (`#/components/schemas/item`, or
    /// any place that holds a schema) and everything it references.
    pub fn compile(&mut self, pointer: &str) -> Result<SchemaId, CompileError> {
        let id = self.node(pointer)?;
        // Every `$dynamicAnchor` a `$dynamicRef` may land on, in the
        // documents loaded so far (compiling one may load more).
        loop {
            let mut wanted = Vec::new();
            for name in &self.dynamic_names {
                for (base, pointer) in self.resources.dynamic.get(name).into_iter().flatten() {
                    let known = self.bases.iter().position(|b| b == base).is_some_and(|b| self.dynamic_targets.contains_key(&(b, name.clone())));
                    if !known {
                        wanted.push((name.clone(), base.clone(), pointer.clone()));
                    }
                }
            }
            if wanted.is_empty() {
                break;
            }
            for (name, base, pointer) in wanted {
                let node = self.node(&pointer)?;
                let base = self.base_number(&base);
                self.dynamic_targets.insert((base, name), node);
            }
        }
        Ok(SchemaId(id))
    }

    fn base_number(&mut self, base: &str) -> usize {
        match self.bases.iter().position(|b| b == base) {
            Some(i) => i,
            None => {
                self.bases.push(base.to_owned());
                self.bases.len() - 1
            }
        }
    }

    /// The number of compiled schema nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether nothing is compiled yet.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Whether `value` satisfies the schema. Stops at the first problem.
    pub fn is_valid(&self, schema: SchemaId, value: &Value, direction: Direction) -> bool {
        let mut sink = FirstError(false);
        self.check(schema.0, value, &Cx::new(direction), Loc::Root, &mut sink);
        !sink.0
    }

    /// Every way `value` fails the schema; `Ok` when it satisfies it.
    pub fn validate(&self, schema: SchemaId, value: &Value, direction: Direction) -> Result<(), Vec<ValidationError>> {
        if self.is_valid(schema, value, direction) {
            return Ok(());
        }
        let mut sink = AllErrors(Vec::new());
        self.check(schema.0, value, &Cx::new(direction), Loc::Root, &mut sink);
        Err(sink.0)
    }

    /// The checks of a compiled node, after its `$ref`s; `None` for a node
    /// still being compiled.
    #[inline]
    pub(crate) fn checks(&self, mut id: usize) -> Option<(usize, &Checks)> {
        for _ in 0..64 {
            match &self.nodes[id].body {
                Body::Ref(target) | Body::Dynamic(target, _) => id = *target,
                Body::Checks(checks) => return Some((id, checks)),
                Body::Pending => return None,
            }
        }
        None
    }

    /// The pointer a compiled schema was read from.
    pub fn pointer(&self, schema: SchemaId) -> &str {
        &self.nodes[schema.0].pointer
    }

    // ---- compiling ----

    fn node(&mut self, pointer: &str) -> Result<usize, CompileError> {
        if let Some(&id) = self.by_pointer.get(pointer) {
            return Ok(id);
        }
        if let Some(chain) = self.choice_loops.get(pointer) {
            let message = format!("schemas apply each other to the same value through a choice (anyOf, oneOf, not or if), so no value can be decided: {}", chain.join(" -> "));
            return Err(CompileError { pointer: pointer.to_owned(), message });
        }
        let id = self.nodes.len();
        let base = if self.modern {
            let uri = self.resources.base_of(&self.raw, pointer);
            self.base_number(&uri)
        } else {
            0
        };
        let looping = self.modern || self.looping.contains(pointer);
        self.nodes.push(Node { pointer: pointer.to_owned(), body: Body::Pending, base, looping });
        self.by_pointer.insert(pointer.to_owned(), id);
        let schema = self
            .resources
            .value(&self.raw, self.view.as_ref(), pointer)
            .cloned()
            .ok_or_else(|| CompileError { pointer: pointer.to_owned(), message: "no schema at this pointer".into() })?;
        let body = self.body(pointer, &schema)?;
        self.nodes[id].body = body;
        Ok(id)
    }

    fn body(&mut self, at: &str, schema: &Value) -> Result<Body, CompileError> {
        let fail = |message: String| CompileError { pointer: at.to_owned(), message };
        let without_validation;
        let map = match schema {
            Value::Object(map) if !self.validation => {
                without_validation = map.iter().filter(|(k, _)| !VALIDATION.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect::<Map<String, Value>>();
                &without_validation
            }
            Value::Object(map) => map,
            Value::Bool(true) => return Ok(Body::Checks(Box::default())),
            // 2020-12: `false` accepts nothing (an empty `enum` says so).
            Value::Bool(false) if self.modern => return Ok(Body::Checks(Box::new(Checks { enumeration: Some(Vec::new()), ..Checks::default() }))),
            other => return Err(fail(format!("a schema must be an object, found {}", describe(other)))),
        };
        let mut referenced = None;
        let mut dynamic = None;
        if self.modern
            && let Some(target) = map.get("$dynamicRef")
        {
            let target = target.as_str().ok_or_else(|| fail("`$dynamicRef` must be a string".into()))?;
            dynamic = Some(self.dynamic_ref(at, target)?);
        }
        if let Some(target) = map.get("$ref") {
            let target = target.as_str().ok_or_else(|| fail("`$ref` must be a string".into()))?;
            let target = if self.modern {
                let base = self.bases[self.nodes[self.by_pointer[at]].base].clone();
                self.resources.resolve(&base, target, &self.registry).map_err(|e| CompileError { pointer: format!("{at}/$ref"), message: e })?
            } else if !target.starts_with("#/") && target != "#" {
                return Err(fail(format!("`$ref` outside the document is not supported: `{target}`")));
            } else {
                target.to_owned()
            };
            let node = self.node(&target)?;
            // OpenAPI 3.0: siblings of `$ref` are ignored; 2020-12: they apply too.
            if !self.modern || map.len() == 1 {
                return Ok(Body::Ref(node));
            }
            referenced = Some(node);
        }
        let child = |key: &str| format!("{at}/{}", openapi_codegen::escape_segment(key));
        let mut checks = Checks::default();
        match map.get("type") {
            None => {}
            Some(Value::String(name)) => {
                checks.types = match name.as_str() {
                    "null" => ty::NULL,
                    "boolean" => ty::BOOLEAN,
                    "integer" => ty::INTEGER,
                    "number" => ty::NUMBER,
                    "string" => ty::STRING,
                    "array" => ty::ARRAY,
                    "object" => ty::OBJECT,
                    other => return Err(fail(format!("unknown type `{other}`"))),
                }
            }
            Some(Value::Array(names)) if self.modern => {
                for name in names {
                    checks.types |= match name.as_str() {
                        Some("null") => ty::NULL,
                        Some("boolean") => ty::BOOLEAN,
                        Some("integer") => ty::INTEGER,
                        Some("number") => ty::NUMBER,
                        Some("string") => ty::STRING,
                        Some("array") => ty::ARRAY,
                        Some("object") => ty::OBJECT,
                        _ => return Err(fail(format!("unknown type {name}"))),
                    };
                }
            }
            Some(other) => return Err(fail(format!("`type` must be a string in OpenAPI 3.0, found {}", describe(other)))),
        }
        let flag = |key: &str| map.get(key).and_then(Value::as_bool).unwrap_or(false);
        // Whether `nullable` makes `null` valid here (see `strict_nullable`).
        checks.nullable = !self.modern
            && flag("nullable")
            && (!self.strict_nullable
                || (map.contains_key("type") && map.get("enum").and_then(Value::as_array).is_none_or(|e| e.contains(&Value::Null))));
        checks.read_only = flag("readOnly");
        checks.write_only = flag("writeOnly");
        if let Some(values) = map.get("enum") {
            let values = values.as_array().ok_or_else(|| fail("`enum` must be an array".into()))?;
            checks.enumeration = Some(values.clone());
            let strings: Option<Vec<String>> = values.iter().map(|v| v.as_str().map(str::to_owned)).collect();
            checks.string_enumeration = strings.map(|mut list| {
                list.sort();
                list
            });
        }
        if self.modern
            && let Some(constant) = map.get("const")
        {
            checks.enumeration = Some(match checks.enumeration.take() {
                Some(values) => values.into_iter().filter(|v| json_equal(v, constant)).collect(),
                None => vec![constant.clone()],
            });
            checks.string_enumeration = None;
        }
        checks.format = map.get("format").and_then(Value::as_str).and_then(Format::parse);

        let number = |key: &str| map.get(key).and_then(Value::as_f64);
        let size = |key: &str| count_of(map, key);
        // 2020-12 writes exclusive bounds as numbers of their own; the
        // stricter of a bound and its exclusive form holds.
        let bound = |key: &str, exclusive: &str, lower: bool| -> Option<(f64, bool)> {
            let inclusive = number(key).map(|m| (m, !self.modern && flag(exclusive)));
            let strict = if self.modern { number(exclusive).map(|m| (m, true)) } else { None };
            match (inclusive, strict) {
                (Some(a), Some(b)) => Some(if (lower && b.0 >= a.0) || (!lower && b.0 <= a.0) { b } else { a }),
                (a, b) => a.or(b),
            }
        };
        let (minimum, maximum) = (bound("minimum", "exclusiveMinimum", true), bound("maximum", "exclusiveMaximum", false));
        if minimum.is_some() || maximum.is_some() || number("multipleOf").is_some() {
            checks.numeric = Some(Box::new(Numeric { minimum, maximum, multiple_of: number("multipleOf").filter(|m| *m > 0.0) }));
        }
        let pattern = match map.get("pattern").and_then(Value::as_str) {
            Some(source) => {
                let regex = regex::Regex::new(&ecma_classes(source))
                    .map_err(|e| CompileError { pointer: child("pattern"), message: format!("unsupported pattern: {e}") })?;
                Some((regex, source.to_owned()))
            }
            None => None,
        };
        if size("minLength").is_some() || size("maxLength").is_some() || pattern.is_some() {
            checks.text = Some(Box::new(Text { min_length: size("minLength"), max_length: size("maxLength"), pattern }));
        }
        let items = match map.get("items") {
            Some(_) => Some(self.node(&child("items"))?),
            None => None,
        };
        if items.is_some() || size("minItems").is_some() || size("maxItems").is_some() || flag("uniqueItems") {
            checks.items = Some(Box::new(Items {
                items,
                min_items: size("minItems"),
                max_items: size("maxItems"),
                unique: flag("uniqueItems"),
            }));
        }
        checks.object = self.object(at, map)?.map(Box::new);
        for (key, list) in [("allOf", &mut checks.all_of), ("anyOf", &mut checks.any_of), ("oneOf", &mut checks.one_of)] {
            if let Some(parts) = map.get(key) {
                let parts = parts.as_array().ok_or_else(|| fail(format!("`{key}` must be an array")))?;
                for i in 0..parts.len() {
                    list.push(self.node(&format!("{}/{i}", child(key)))?);
                }
            }
        }
        if map.contains_key("not") {
            checks.not = Some(self.node(&child("not"))?);
        }
        if let Some(node) = referenced {
            checks.all_of.insert(0, node);
        }
        if let Some(node) = dynamic {
            checks.all_of.insert(0, node);
        }
        if self.modern {
            checks.modern = self.modern_keywords(at, map)?.map(Box::new);
            self.unevaluated(at, map, &mut checks)?;
        }
        Ok(Body::Checks(Box::new(checks)))
    }

    /// The node of a `$dynamicRef` written in the schema at `at`: a node of
    /// its own (`at/$dynamicRef`), resolved when a value is checked if it
    /// lands on a `$dynamicAnchor` of the name its fragment gives, else a
    /// plain reference.
    fn dynamic_ref(&mut self, at: &str, target: &str) -> Result<usize, CompileError> {
        let here = format!("{at}/$dynamicRef");
        let fail = |message: String| CompileError { pointer: here.clone(), message };
        let base = self.bases[self.nodes[self.by_pointer[at]].base].clone();
        let pointer = self.resources.resolve(&base, target, &self.registry).map_err(fail)?;
        let initial = self.node(&pointer)?;
        let name = target.rsplit_once('#').map(|(_, f)| f).filter(|f| !f.is_empty() && !f.starts_with('/'));
        let anchored = name.is_some_and(|name| {
            self.resources.value(&self.raw, self.view.as_ref(), &pointer).and_then(|v| v.get("$dynamicAnchor")).and_then(Value::as_str) == Some(name)
        });
        let id = self.nodes.len();
        let body = match name {
            Some(name) if anchored => {
                self.dynamic_names.insert(name.to_owned());
                Body::Dynamic(initial, name.to_owned())
            }
            _ => Body::Ref(initial),
        };
        let base = self.nodes[self.by_pointer[at]].base;
        self.nodes.push(Node { pointer: here.clone(), body, base, looping: true });
        self.by_pointer.insert(here, id);
        Ok(id)
    }

    /// `unevaluatedProperties` and `unevaluatedItems`. Where no applicator
    /// (`allOf`, `anyOf`, `oneOf`, `if`, `dependentSchemas`, `$ref`), nor
    /// `patternProperties` or `contains`, sits beside them they mean what
    /// `additionalProperties` and `items` mean; beside one, the keys and
    /// items the passing subschemas (and those keywords) evaluated are
    /// collected when a value is checked ([`Evaluated`]).
    fn unevaluated(&mut self, at: &str, map: &Map<String, Value>, checks: &mut Checks) -> Result<(), CompileError> {
        let applicators = ["allOf", "anyOf", "oneOf", "if", "dependentSchemas", "$ref", "$dynamicRef"];
        for keyword in ["unevaluatedProperties", "unevaluatedItems"] {
            let Some(value) = map.get(keyword) else { continue };
            // `true` still evaluates what it sees (for an enclosing
            // `unevaluated*`), so it is compiled like any schema.
            let node = match value {
                Value::Bool(false) => None,
                _ => Some(self.node(&format!("{at}/{keyword}"))?),
            };
            // Beside an applicator, what is "evaluated" is collected from
            // the subschemas that pass, at validation time.
            // So too beside the keywords that evaluate only some keys or
            // items: `patternProperties`, `contains`.
            let partial = if keyword == "unevaluatedProperties" { "patternProperties" } else { "contains" };
            if applicators.iter().chain([&partial]).any(|a| map.contains_key(*a)) {
                let modern = checks.modern.get_or_insert_with(Box::default);
                if keyword == "unevaluatedProperties" {
                    modern.unevaluated_properties = Some(node);
                } else {
                    modern.unevaluated_items = Some(node);
                }
                continue;
            }
            if keyword == "unevaluatedProperties" {
                let object = checks.object.get_or_insert_with(|| {
                    Box::new(Object {
                        properties: Vec::new(),
                        required_elsewhere: Vec::new(),
                        required_count: [0; 3],
                        additional: Additional::Any,
                        min_properties: None,
                        max_properties: None,
                    })
                });
                if matches!(object.additional, Additional::Any) {
                    object.additional = node.map_or(Additional::Forbidden, Additional::Schema);
                }
            } else {
                let prefix = checks.modern.as_ref().map_or(0, |m| m.prefix_items.len());
                let items = checks.items.get_or_insert_with(Box::default);
                if items.items.is_none() {
                    match node {
                        Some(node) => items.items = Some(node),
                        None => items.max_items = Some(items.max_items.map_or(prefix, |m| m.min(prefix))),
                    }
                }
            }
        }
        Ok(())
    }

    /// The 2020-12 keywords of a schema, compiled.
    fn modern_keywords(&mut self, at: &str, map: &Map<String, Value>) -> Result<Option<Modern>, CompileError> {
        let child = |key: &str| format!("{at}/{}", openapi_codegen::escape_segment(key));
        let mut m = Modern::default();
        let count = |key: &str| map.get(key).and_then(Value::as_array).map_or(0, Vec::len);
        for i in 0..count("prefixItems") {
            m.prefix_items.push(self.node(&format!("{}/{i}", child("prefixItems")))?);
        }
        if map.contains_key("contains") {
            let size = |key: &str| count_of(map, key);
            m.contains = Some((self.node(&child("contains"))?, size("minContains").unwrap_or(1), size("maxContains")));
        }
        for (key, names) in map.get("dependentRequired").and_then(Value::as_object).into_iter().flatten() {
            let names = names.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect();
            m.dependent_required.push((key.clone(), names));
        }
        for key in map.get("dependentSchemas").and_then(Value::as_object).map(|d| d.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            let node = self.node(&format!("{}/{}", child("dependentSchemas"), openapi_codegen::escape_segment(&key)))?;
            m.dependent_schemas.push((key, node));
        }
        if map.contains_key("if") {
            let then = if map.contains_key("then") { Some(self.node(&child("then"))?) } else { None };
            let otherwise = if map.contains_key("else") { Some(self.node(&child("else"))?) } else { None };
            m.conditional = Some((self.node(&child("if"))?, then, otherwise));
        }
        for source in map.get("patternProperties").and_then(Value::as_object).map(|p| p.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            let regex = regex::Regex::new(&ecma_classes(&source))
                .map_err(|e| CompileError { pointer: child("patternProperties"), message: format!("unsupported pattern: {e}") })?;
            let node = self.node(&format!("{}/{}", child("patternProperties"), openapi_codegen::escape_segment(&source)))?;
            m.pattern_properties.push((regex, source, node));
        }
        if map.contains_key("propertyNames") {
            m.property_names = Some(self.node(&child("propertyNames"))?);
        }
        let empty = m.prefix_items.is_empty()
            && m.contains.is_none()
            && m.dependent_required.is_empty()
            && m.dependent_schemas.is_empty()
            && m.conditional.is_none()
            && m.pattern_properties.is_empty()
            && m.property_names.is_none();
        Ok((!empty).then_some(m))
    }

    fn object(&mut self, at: &str, map: &Map<String, Value>) -> Result<Option<Object>, CompileError> {
        let keys = ["properties", "required", "additionalProperties", "minProperties", "maxProperties"];
        if !keys.iter().any(|k| map.contains_key(*k)) {
            return Ok(None);
        }
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut properties = Vec::new();
        if let Some(declared) = map.get("properties").and_then(Value::as_object) {
            for name in declared.keys() {
                let pointer = format!("{at}/properties/{}", openapi_codegen::escape_segment(name));
                let node = self.node(&pointer)?;
                let (read_only, write_only, access_node) = self.access(node);
                let required = required.contains(&name.as_str());
                properties.push(Property { name: name.clone(), node, required, read_only, write_only, access_node });
            }
        }
        properties.sort_by(|a, b| a.name.cmp(&b.name));
        let described = |name: &str| properties.binary_search_by(|p| p.name.as_str().cmp(name)).is_ok();
        let required_elsewhere = required.iter().filter(|n| !described(n)).map(|n| (*n).to_owned()).collect();
        let counted = |skip: fn(&Property) -> bool| properties.iter().filter(|p| p.required && !skip(p)).count();
        let required_count = [counted(|p| p.read_only), counted(|p| p.write_only), counted(|_| false)];
        let additional = match map.get("additionalProperties") {
            None => Additional::Any,
            // 2020-12: an explicit `true` evaluates the other keys (for
            // `unevaluatedProperties`); 3.0 has no such notion.
            Some(Value::Bool(true)) if !self.modern => Additional::Any,
            Some(Value::Bool(false)) => Additional::Forbidden,
            Some(_) => Additional::Schema(self.node(&format!("{at}/additionalProperties"))?),
        };
        let size = |key: &str| count_of(map, key);
        Ok(Some(Object {
            properties,
            required_elsewhere,
            required_count,
            additional,
            min_properties: size("minProperties"),
            max_properties: size("maxProperties"),
        }))
    }

    /// `readOnly` / `writeOnly` of a property's schema, through `$ref`s.
    /// A schema still being compiled (a cycle) counts as neither. Answers
    /// the node that holds the flags too.
    fn access(&self, mut node: usize) -> (bool, bool, usize) {
        for _ in 0..64 {
            match &self.nodes[node].body {
                Body::Ref(target) | Body::Dynamic(target, _) => node = *target,
                Body::Checks(checks) => return (checks.read_only, checks.write_only, node),
                Body::Pending => break,
            }
        }
        (false, false, node)
    }

    // ---- validating ----

    /// Checks `value` against node `id`; answers whether to go on.
    /// Follows `$ref`s and `$dynamicRef`s from `id` to a schema with
    /// checks, entering the resources on the way; answers how many were
    /// entered too. `None` for a chain that never reaches one (`S: {$ref:
    /// S}`): it says nothing.
    fn follow(&self, mut id: usize, cx: &Cx) -> (Option<(usize, &Checks)>, usize) {
        let mut entered = 0;
        for _ in 0..64 {
            if self.modern && cx.enter(self.nodes[id].base) {
                entered += 1;
            }
            match &self.nodes[id].body {
                Body::Ref(target) => id = *target,
                Body::Dynamic(initial, name) => {
                    let scope = cx.scope.borrow();
                    id = scope.iter().find_map(|&base| self.dynamic_targets.get(&(base, name.clone())).copied()).unwrap_or(*initial);
                }
                Body::Checks(checks) => return (Some((id, checks)), entered),
                Body::Pending => break,
            }
        }
        (None, entered)
    }

    fn check<S: Sink>(&self, id: usize, value: &Value, cx: &Cx, at: Loc<'_>, sink: &mut S) -> bool {
        let steps = cx.steps.get() + 1;
        cx.steps.set(steps);
        if steps > MAX_STEPS {
            // Said once; the checks still on the stack stop.
            if steps == MAX_STEPS + 1 {
                sink.error(|| ValidationError {
                    instance_path: at.pointer(),
                    schema_path: self.nodes[id].pointer.clone(),
                    expected: format!("a value checked in at most {MAX_STEPS} schema checks"),
                    found: "a value that needs more".into(),
                    causes: Vec::new(),
                });
            }
            return false;
        }
        // Verdicts are kept once a value has taken many checks (a small one
        // never pays for the table); a `$dynamicRef` answers by the path
        // taken, so its verdicts are not.
        let keep = S::VERDICTS_ONLY && steps > KEEP_AFTER && self.dynamic_names.is_empty() && cx.volatile.get() == 0;
        let key = (id, value as *const Value);
        if keep && let Some(&ok) = cx.memo.borrow().get(&key) {
            return ok || sink.error(|| ValidationError { instance_path: at.pointer(), schema_path: self.nodes[id].pointer.clone(), expected: String::new(), found: String::new(), causes: Vec::new() });
        }
        // The bookkeeping is undone by hand, not by a guard's `drop`: this
        // is the hot path, and a value that panics is not validated further.
        let depth = cx.depth.get() + 1;
        // A 3.0 document has no resources and no `$dynamicRef`: its `$ref`s
        // alone, inline (this is the hot path).
        let (found, scopes) = if self.modern { self.follow(id, cx) } else { (self.checks(id), 0) };
        let ok = match found {
            None => true,
            Some((id, _)) if depth > MAX_DEPTH => sink.error(|| ValidationError {
                instance_path: at.pointer(),
                schema_path: self.nodes[id].pointer.clone(),
                expected: format!("schemas nested at most {MAX_DEPTH} deep"),
                found: "a value that nests them deeper".into(),
                causes: Vec::new(),
            }),
            Some((id, checks)) => {
                let in_place = self.nodes[id].looping
                    && (!checks.all_of.is_empty() || !checks.any_of.is_empty() || !checks.one_of.is_empty() || checks.not.is_some() || checks.modern.is_some());
                let key = (id, value as *const Value);
                if in_place && cx.active.borrow().contains(&key) {
                    true
                } else {
                    if in_place {
                        cx.active.borrow_mut().push(key);
                    }
                    cx.depth.set(depth);
                    let ok = self.check_checks(id, checks, value, cx, at, sink);
                    cx.depth.set(depth - 1);
                    if in_place {
                        cx.active.borrow_mut().pop();
                    }
                    ok
                }
            }
        };
        if scopes > 0 {
            let mut scope = cx.scope.borrow_mut();
            let left = scope.len() - scopes;
            scope.truncate(left);
        }
        if keep {
            cx.memo.borrow_mut().insert(key, ok);
        }
        ok
    }

    /// The checks of node `id` on `value`, after [`Validator::check`]'s
    /// bookkeeping.
    fn check_checks<S: Sink>(&self, id: usize, checks: &Checks, value: &Value, cx: &Cx, at: Loc<'_>, sink: &mut S) -> bool {
        let node = &self.nodes[id];
        let error = |keyword: &str, expected: String, found: String| ValidationError {
            instance_path: at.pointer(),
            schema_path: if keyword.is_empty() { node.pointer.clone() } else { format!("{}/{keyword}", node.pointer) },
            expected,
            found,
            causes: Vec::new(),
        };
        if value.is_null() && checks.nullable {
            // Read strictly, the other keywords still apply to `null`.
            if !self.strict_nullable {
                return true;
            }
        } else if checks.types != 0 && !type_matches(checks.types, value) {
            // Nothing else is worth saying about a value of the wrong type.
            return sink.error(|| error("type", type_names(checks.types, checks.nullable), describe(value)));
        }
        if let Some(values) = &checks.enumeration
            && !in_enum(checks, values, value)
            && !sink.error(|| error("enum", enum_names(values), describe(value)))
        {
            return false;
        }
        if let Some(format) = checks.format
            && self.formats
            && !format.accepts(value)
            && !sink.error(|| error("format", format!("a valid {}", format.name()), describe(value)))
        {
            return false;
        }
        match value {
            Value::Number(n) => {
                if let Some(numeric) = &checks.numeric
                    && !self.check_number(numeric, n, &error, sink)
                {
                    return false;
                }
            }
            Value::String(s) => {
                if let Some(text) = &checks.text
                    && !check_text(text, s, &error, sink)
                {
                    return false;
                }
            }
            Value::Array(items) => {
                let prefix = checks.modern.as_ref().map_or(&[][..], |m| &m.prefix_items[..]);
                for (i, (&node, item)) in prefix.iter().zip(items).enumerate() {
                    if !self.check(node, item, cx, Loc::Index(&at, i), sink) {
                        return false;
                    }
                }
                if let Some(rules) = &checks.items
                    && !self.check_items(rules, items, prefix.len(), cx, at, &error, sink)
                {
                    return false;
                }
            }
            Value::Object(map) => {
                let patterns = checks.modern.as_ref().map_or(&[][..], |m| &m.pattern_properties[..]);
                match &checks.object {
                    Some(object) => {
                        if !self.check_object(object, patterns, map, cx, at, &error, sink) {
                            return false;
                        }
                    }
                    None => {
                        for (key, value) in map {
                            if !self.check_patterns(patterns, key, value, cx, Loc::Key(&at, key), sink).1 {
                                return false;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        for &part in &checks.all_of {
            if !self.check(part, value, cx, at, sink) {
                return false;
            }
        }
        if !checks.any_of.is_empty() && !checks.any_of.iter().any(|&part| self.passes(part, value, cx)) {
            let go_on = sink.error(|| {
                let mut e = error("anyOf", alternatives(self, &checks.any_of, "any"), describe(value));
                e.causes = self.closest(&checks.any_of, value, cx, at);
                e
            });
            if !go_on {
                return false;
            }
        }
        if !checks.one_of.is_empty() {
            let passing: Vec<usize> = (0..checks.one_of.len()).filter(|&i| self.passes(checks.one_of[i], value, cx)).collect();
            if passing.len() != 1 {
                let go_on = sink.error(|| {
                    let mut e = error("oneOf", alternatives(self, &checks.one_of, "exactly one"), describe(value));
                    if passing.is_empty() {
                        e.causes = self.closest(&checks.one_of, value, cx, at);
                    } else {
                        let list: Vec<String> = passing.iter().map(|i| i.to_string()).collect();
                        e.found = format!("{} matching alternatives {}", describe(value), list.join(", "));
                    }
                    e
                });
                if !go_on {
                    return false;
                }
            }
        }
        if let Some(not) = checks.not
            && self.passes(not, value, cx)
            && !sink.error(|| error("not", "a value the `not` schema rejects".into(), describe(value)))
        {
            return false;
        }
        if let Some(modern) = &checks.modern
            && !self.check_modern(id, modern, value, cx, at, &error, sink)
        {
            return false;
        }
        true
    }

    /// The schemas of the `patternProperties` a key matches, checked;
    /// answers whether one matched, and whether to go on.
    fn check_patterns<S: Sink>(&self, patterns: &[(regex::Regex, String, usize)], key: &str, value: &Value, cx: &Cx, here: Loc<'_>, sink: &mut S) -> (bool, bool) {
        let mut matched = false;
        for (regex, _, node) in patterns {
            if regex.is_match(key) {
                matched = true;
                if !self.check(*node, value, cx, here, sink) {
                    return (true, false);
                }
            }
        }
        (matched, true)
    }

    /// `contains`, `dependentRequired`, `dependentSchemas`, `propertyNames`,
    /// `if`/`then`/`else`.
    #[allow(clippy::too_many_arguments)]
    fn check_modern<S: Sink>(
        &self,
        id: usize,
        m: &Modern,
        value: &Value,
        cx: &Cx,
        at: Loc<'_>,
        error: &impl Fn(&str, String, String) -> ValidationError,
        sink: &mut S,
    ) -> bool {
        if let (Some((node, min, max)), Value::Array(items)) = (m.contains, value) {
            let n = items.iter().filter(|item| self.passes(node, item, cx)).count();
            if n < min && !sink.error(|| error("contains", format!("at least {min} items matching `contains`"), format!("{n}"))) {
                return false;
            }
            if let Some(max) = max
                && n > max
                && !sink.error(|| error("maxContains", format!("at most {max} items matching `contains`"), format!("{n}")))
            {
                return false;
            }
        }
        if let Value::Object(map) = value {
            for (key, names) in &m.dependent_required {
                if map.contains_key(key) {
                    for name in names {
                        if !map.contains_key(name) && !sink.error(|| error("dependentRequired", format!("`{name}`, as `{key}` is there"), "nothing".into())) {
                            return false;
                        }
                    }
                }
            }
            for (key, node) in &m.dependent_schemas {
                if map.contains_key(key) && !self.check(*node, value, cx, at, sink) {
                    return false;
                }
            }
            if let Some(names) = m.property_names {
                for key in map.keys() {
                    cx.volatile.set(cx.volatile.get() + 1);
                    let ok = self.check(names, &Value::String(key.clone()), cx, Loc::Key(&at, key), sink);
                    cx.volatile.set(cx.volatile.get() - 1);
                    if !ok {
                        return false;
                    }
                }
            }
        }
        if let Some((condition, then, otherwise)) = m.conditional {
            let branch = if self.passes(condition, value, cx) { then } else { otherwise };
            if let Some(branch) = branch
                && !self.check(branch, value, cx, at, sink)
            {
                return false;
            }
        }
        if m.unevaluated_properties.is_some() || m.unevaluated_items.is_some() {
            let seen = self.evaluated(id, value, cx, true, 0);
            // What no keyword evaluated, each with the rule that applies to it.
            let mut left: Vec<(&str, Option<usize>, Loc<'_>, &Value)> = Vec::new();
            if let (Value::Object(map), Some(rule)) = (value, m.unevaluated_properties)
                && !seen.all_keys
            {
                let keys = map.iter().filter(|(k, _)| !seen.keys.contains(*k));
                left.extend(keys.map(|(key, item)| ("unevaluatedProperties", rule, Loc::Key(&at, key), item)));
            }
            if let (Value::Array(items), Some(rule)) = (value, m.unevaluated_items)
                && !seen.all_items
            {
                let indices = items.iter().enumerate().skip(seen.items).filter(|(i, _)| !seen.matched.contains(i));
                left.extend(indices.map(|(i, item)| ("unevaluatedItems", rule, Loc::Index(&at, i), item)));
            }
            for (keyword, rule, loc, item) in left {
                let ok = match rule {
                    Some(node) => self.check(node, item, cx, loc, sink),
                    None => {
                        let what = match loc {
                            Loc::Key(_, key) => format!("property `{key}`"),
                            Loc::Index(_, i) => format!("item {i}"),
                            Loc::Root => "value".to_owned(),
                        };
                        sink.error(|| error(keyword, format!("no {what} ({keyword}: false)"), describe(item)))
                    }
                };
                if !ok {
                    return false;
                }
            }
        }
        true
    }

    /// The keys and leading items of `value` that node `id` evaluates, with
    /// the subschemas that pass (2020-12's annotation collection). `own`:
    /// the node's own `unevaluated*` do not count (they are being checked).
    fn evaluated(&self, id: usize, value: &Value, cx: &Cx, own: bool, depth: usize) -> Evaluated {
        let mut out = Evaluated::default();
        if depth > 32 {
            return out;
        }
        cx.depth.set(cx.depth.get() + 1);
        let (found, scopes) = self.follow(id, cx);
        let _entered = Entered { cx, active: false, scopes };
        let Some((_, checks)) = found else { return out };
        let merge = |other: Evaluated, out: &mut Evaluated| {
            out.keys.extend(other.keys);
            out.all_keys |= other.all_keys;
            out.items = out.items.max(other.items);
            out.matched.extend(other.matched);
            out.all_items |= other.all_items;
        };
        if let Value::Object(map) = value {
            if let Some(object) = &checks.object {
                for key in map.keys() {
                    if object.properties.binary_search_by(|p| p.name.as_str().cmp(key)).is_ok() {
                        out.keys.insert(key.clone());
                    }
                }
                // `additionalProperties` (or `unevaluatedProperties` read as
                // it) evaluates every other key.
                if !matches!(object.additional, Additional::Any) {
                    out.all_keys = true;
                }
            }
            if let Some(m) = &checks.modern {
                for key in map.keys() {
                    if m.pattern_properties.iter().any(|(re, _, _)| re.is_match(key)) {
                        out.keys.insert(key.clone());
                    }
                }
                if !own && m.unevaluated_properties.is_some() {
                    out.all_keys = true;
                }
            }
        }
        if let Value::Array(items) = value {
            if let Some(m) = &checks.modern {
                out.items = m.prefix_items.len().min(items.len());
                // `contains` evaluates the items it matches (2020-12, 10.3.1.3).
                if let Some((node, _, _)) = m.contains {
                    out.matched.extend((0..items.len()).filter(|&i| self.passes(node, &items[i], cx)));
                }
                if !own && m.unevaluated_items.is_some() {
                    out.all_items = true;
                }
            }
            if checks.items.as_ref().is_some_and(|i| i.items.is_some()) {
                out.all_items = true;
            }
        }
        let mut passing: Vec<usize> = checks.all_of.clone();
        passing.extend(checks.any_of.iter().chain(&checks.one_of).filter(|&&p| self.passes(p, value, cx)));
        if let Some(m) = &checks.modern {
            if let Some((condition, then, otherwise)) = m.conditional {
                if self.passes(condition, value, cx) {
                    passing.push(condition);
                    passing.extend(then);
                } else {
                    passing.extend(otherwise);
                }
            }
            if let Value::Object(map) = value {
                passing.extend(m.dependent_schemas.iter().filter(|(k, _)| map.contains_key(k)).map(|(_, n)| *n));
            }
        }
        for part in passing {
            merge(self.evaluated(part, value, cx, false, depth + 1), &mut out);
        }
        out
    }

    fn passes(&self, id: usize, value: &Value, cx: &Cx) -> bool {
        let mut sink = FirstError(false);
        self.check(id, value, cx, Loc::Root, &mut sink);
        !sink.0
    }

    /// The errors of the alternative that came closest: one whose type
    /// matched, with the fewest errors.
    fn closest(&self, parts: &[usize], value: &Value, cx: &Cx, at: Loc<'_>) -> Vec<ValidationError> {
        // Each level of alternatives walks the value again for its causes:
        // past a few levels the walks would multiply, and the causes of the
        // outer ones say enough.
        if cx.causes.get() >= MAX_CAUSE_LEVELS {
            return Vec::new();
        }
        cx.causes.set(cx.causes.get() + 1);
        let best = self.closest_unbounded(parts, value, cx, at);
        cx.causes.set(cx.causes.get() - 1);
        best
    }

    fn closest_unbounded(&self, parts: &[usize], value: &Value, cx: &Cx, at: Loc<'_>) -> Vec<ValidationError> {
        let mut best: Option<Vec<ValidationError>> = None;
        for &part in parts {
            let mut sink = AllErrors(Vec::new());
            self.check(part, value, cx, at, &mut sink);
            let wrong_type = sink.0.iter().any(|e| e.schema_path.ends_with("/type") && e.instance_path == at.pointer());
            if wrong_type {
                continue;
            }
            if best.as_ref().is_none_or(|b| sink.0.len() < b.len()) {
                best = Some(sink.0);
            }
        }
        best.unwrap_or_default()
    }

    fn check_number<S: Sink>(
        &self,
        rules: &Numeric,
        n: &serde_json::Number,
        error: &impl Fn(&str, String, String) -> ValidationError,
        sink: &mut S,
    ) -> bool {
        let Some(x) = n.as_f64() else { return true };
        if let Some((min, exclusive)) = rules.minimum {
            let ok = if exclusive { x > min } else { x >= min };
            if !ok && !sink.error(|| error("minimum", format!("a number {} {min}", if exclusive { ">" } else { ">=" }), n.to_string())) {
                return false;
            }
        }
        if let Some((max, exclusive)) = rules.maximum {
            let ok = if exclusive { x < max } else { x <= max };
            if !ok && !sink.error(|| error("maximum", format!("a number {} {max}", if exclusive { "<" } else { "<=" }), n.to_string())) {
                return false;
            }
        }
        if let Some(step) = rules.multiple_of {
            let whole = match (n.as_i64(), (step.fract() == 0.0 && step.abs() < 9e15).then_some(step as i64)) {
                (Some(i), Some(s)) if s != 0 => i % s == 0,
                _ => {
                    // A quotient that overflows to infinity says nothing:
                    // the remainder (exact in floating point) does.
                    let ratio = x / step;
                    if ratio.is_finite() { (ratio - ratio.round()).abs() <= 1e-9 } else { x % step == 0.0 }
                }
            };
            if !whole && !sink.error(|| error("multipleOf", format!("a multiple of {step}"), n.to_string())) {
                return false;
            }
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn check_items<S: Sink>(
        &self,
        rules: &Items,
        items: &[Value],
        skip: usize,
        cx: &Cx,
        at: Loc<'_>,
        error: &impl Fn(&str, String, String) -> ValidationError,
        sink: &mut S,
    ) -> bool {
        let count = || format!("{} items", items.len());
        if let Some(min) = rules.min_items
            && items.len() < min
            && !sink.error(|| error("minItems", format!("at least {min} items"), count()))
        {
            return false;
        }
        if let Some(max) = rules.max_items
            && items.len() > max
            && !sink.error(|| error("maxItems", format!("at most {max} items"), count()))
        {
            return false;
        }
        if rules.unique {
            let duplicate = (1..items.len()).find_map(|j| (0..j).find(|&i| json_equal(&items[i], &items[j])).map(|i| (i, j)));
            if let Some((i, j)) = duplicate
                && !sink.error(|| error("uniqueItems", "unique items".into(), format!("items {i} and {j} equal")))
            {
                return false;
            }
        }
        if let Some(schema) = rules.items {
            for (i, item) in items.iter().enumerate().skip(skip) {
                if !self.check(schema, item, cx, Loc::Index(&at, i), sink) {
                    return false;
                }
            }
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn check_object<S: Sink>(
        &self,
        rules: &Object,
        patterns: &[(regex::Regex, String, usize)],
        map: &Map<String, Value>,
        cx: &Cx,
        at: Loc<'_>,
        error: &impl Fn(&str, String, String) -> ValidationError,
        sink: &mut S,
    ) -> bool {
        let forbidden = |p: &Property| match cx.dir {
            Direction::Request => p.read_only,
            Direction::Response => p.write_only,
            Direction::Neutral => false,
        };
        let mut required_seen = 0;
        // Instances often list their keys in the order the properties are
        // sorted: try the one after the last match before searching.
        let mut hint = 0;
        for (key, value) in map {
            let here = Loc::Key(&at, key);
            let found = match rules.properties.get(hint) {
                Some(p) if p.name == *key => Ok(hint),
                _ => rules.properties.binary_search_by(|p| p.name.as_str().cmp(key)),
            };
            if let Ok(i) = found {
                hint = i + 1;
            }
            match found {
                Ok(i) => {
                    let property = &rules.properties[i];
                    if forbidden(property) {
                        let (keyword, side) = if property.read_only { ("readOnly", "request") } else { ("writeOnly", "response") };
                        let go_on = sink.error(|| ValidationError {
                            instance_path: here.pointer(),
                            schema_path: format!("{}/{keyword}", self.nodes[property.access_node].pointer),
                            expected: format!("no `{key}` in a {side} ({keyword})"),
                            found: describe(value),
                            causes: Vec::new(),
                        });
                        if !go_on {
                            return false;
                        }
                        continue;
                    }
                    if property.required {
                        required_seen += 1;
                    }
                    if !self.check(property.node, value, cx, here, sink) {
                        return false;
                    }
                    // A key both `properties` and `patternProperties`
                    // describe satisfies both.
                    if !patterns.is_empty() && !self.check_patterns(patterns, key, value, cx, here, sink).1 {
                        return false;
                    }
                }
                Err(_) if !patterns.is_empty() && {
                    let (matched, go_on) = self.check_patterns(patterns, key, value, cx, here, sink);
                    if !go_on {
                        return false;
                    }
                    matched
                } => {}
                Err(_) => match rules.additional {
                    Additional::Any => {}
                    Additional::Forbidden => {
                        let go_on = sink.error(|| ValidationError {
                            instance_path: here.pointer(),
                            schema_path: error("additionalProperties", String::new(), String::new()).schema_path,
                            expected: format!("no property `{key}` (additionalProperties: false)"),
                            found: describe(value),
                            causes: Vec::new(),
                        });
                        if !go_on {
                            return false;
                        }
                    }
                    Additional::Schema(schema) => {
                        if !self.check(schema, value, cx, here, sink) {
                            return false;
                        }
                    }
                },
            }
        }
        let index = match cx.dir {
            Direction::Request => 0,
            Direction::Response => 1,
            Direction::Neutral => 2,
        };
        if required_seen < rules.required_count[index] {
            for property in &rules.properties {
                if property.required
                    && !forbidden(property)
                    && !map.contains_key(&property.name)
                    && !sink.error(|| error("required", format!("required property `{}`", property.name), "nothing".into()))
                {
                    return false;
                }
            }
        }
        for name in &rules.required_elsewhere {
            if !map.contains_key(name) && !sink.error(|| error("required", format!("required property `{name}`"), "nothing".into())) {
                return false;
            }
        }
        if let Some(min) = rules.min_properties
            && map.len() < min
            && !sink.error(|| error("minProperties", format!("at least {min} properties"), format!("{} properties", map.len())))
        {
            return false;
        }
        if let Some(max) = rules.max_properties
            && map.len() > max
            && !sink.error(|| error("maxProperties", format!("at most {max} properties"), format!("{} properties", map.len())))
        {
            return false;
        }
        true
    }
}

fn check_text<S: Sink>(
    rules: &Text,
    s: &str,
    error: &impl Fn(&str, String, String) -> ValidationError,
    sink: &mut S,
) -> bool {
    // Lengths count characters (code points), as JSON Schema does; a
    // string of at most `max` bytes has at most `max` characters, so most
    // need no counting.
    let bytes = s.len();
    let sure = rules.min_length.is_none_or(|min| bytes >= min.saturating_mul(4)) && rules.max_length.is_none_or(|max| bytes <= max);
    if !sure {
        let length = s.chars().count();
        if let Some(min) = rules.min_length
            && length < min
            && !sink.error(|| error("minLength", format!("at least {min} characters"), format!("{length} characters")))
        {
            return false;
        }
        if let Some(max) = rules.max_length
            && length > max
            && !sink.error(|| error("maxLength", format!("at most {max} characters"), format!("{length} characters")))
        {
            return false;
        }
    }
    if let Some((regex, source)) = &rules.pattern
        && !regex.is_match(s)
        && !sink.error(|| error("pattern", format!("a string matching /{source}/"), describe(&Value::String(s.to_owned()))))
    {
        return false;
    }
    true
}

/// An ECMA-262 pattern for the `regex` crate: `\d` and `\w` (and their
/// negations) as the ASCII classes ECMA-262 gives them, where `regex`
/// would read them as Unicode classes.
/// The keywords of the 2020-12 validation vocabulary.
const VALIDATION: [&str; 20] = [
    "type",
    "enum",
    "const",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxContains",
    "minContains",
    "maxProperties",
    "minProperties",
    "required",
    "dependentRequired",
];

/// A count keyword (`maxLength`, `minItems`, ...): a non-negative
/// integer, which JSON Schema lets be written with a zero fraction (`2.0`).
fn count_of(map: &Map<String, Value>, key: &str) -> Option<usize> {
    let value = map.get(key)?;
    value.as_u64().map(|n| n as usize).or_else(|| value.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0).map(|f| f as usize))
}

fn ecma_classes(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 8);
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Whether `value` is one of the `enum` values.
fn in_enum(checks: &Checks, values: &[Value], value: &Value) -> bool {
    match (&checks.string_enumeration, value) {
        (Some(strings), Value::String(s)) => strings.binary_search_by(|v| v.as_str().cmp(s)).is_ok(),
        (Some(_), _) => false,
        (None, _) => values.iter().any(|v| json_equal(v, value)),
    }
}

fn type_matches(types: u8, value: &Value) -> bool {
    let bits = match value {
        Value::Null => ty::NULL,
        Value::Bool(_) => ty::BOOLEAN,
        Value::Number(n) => {
            let integral = n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0);
            if integral { ty::INTEGER | ty::NUMBER } else { ty::NUMBER }
        }
        Value::String(_) => ty::STRING,
        Value::Array(_) => ty::ARRAY,
        Value::Object(_) => ty::OBJECT,
    };
    types & bits != 0
}

fn type_names(types: u8, nullable: bool) -> String {
    let names = [
        (ty::BOOLEAN, "boolean"),
        (ty::INTEGER, "integer"),
        (ty::NUMBER, "number"),
        (ty::STRING, "string"),
        (ty::ARRAY, "array"),
        (ty::OBJECT, "object"),
        (ty::NULL, "null"),
    ];
    let mut list: Vec<&str> = names.iter().filter(|(bit, _)| types & bit != 0).map(|(_, n)| *n).collect();
    if nullable && types & ty::NULL == 0 {
        list.push("null");
    }
    list.join(" or ")
}

fn enum_names(values: &[Value]) -> String {
    let shown: Vec<String> = values.iter().take(8).map(|v| v.to_string()).collect();
    let more = if values.len() > 8 { format!(", ... ({} in all)", values.len()) } else { String::new() };
    format!("one of {}{more}", shown.join(", "))
}

fn alternatives(validator: &Validator, parts: &[usize], how: &str) -> String {
    let names: Vec<String> = parts.iter().map(|&p| summary(validator, p)).collect();
    format!("{how} of [{}]", names.join(", "))
}

/// A short name for a schema: the component it references, or its type.
fn summary(validator: &Validator, id: usize) -> String {
    match &validator.nodes[id].body {
        Body::Ref(target) => {
            let pointer = &validator.nodes[*target].pointer;
            pointer.rsplit('/').next().unwrap_or(pointer).to_owned()
        }
        Body::Checks(checks) if checks.enumeration.is_some() => enum_names(checks.enumeration.as_deref().unwrap_or_default()),
        Body::Checks(checks) if checks.types != 0 => type_names(checks.types, checks.nullable),
        _ => "schema".into(),
    }
}

/// A short description of a value, for messages.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let shown: String = s.chars().take(60).collect();
            let ellipsis = if shown.len() < s.len() { "..." } else { "" };
            format!("string {:?}{ellipsis}", shown)
        }
        Value::Array(items) => format!("an array of {} items", items.len()),
        Value::Object(map) => {
            let keys: Vec<&str> = map.keys().take(6).map(String::as_str).collect();
            let more = if map.len() > 6 { ", ..." } else { "" };
            format!("an object {{{}{more}}}", keys.join(", "))
        }
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}
