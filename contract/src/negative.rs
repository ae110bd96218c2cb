//! Generated negative requests: for each operation of a spec, requests that
//! break exactly one rule the spec states, each expected to get a 4xx whose
//! body is the spec's error response.
//!
//! A request starts from a valid one (the spec's examples, else values
//! generated from the schemas, seeded), which the validator must accept;
//! then one thing is changed:
//!
//! - a required query or header parameter, or a required body property, is
//!   left out;
//! - a parameter or body property gets a value of the wrong type, outside
//!   its `enum`, past its `minimum`/`maximum`, its `minLength`/`maxLength`,
//!   its `maxItems`, or not matching its `pattern`;
//! - a body property the schema does not allow (`additionalProperties:
//!   false`) is added;
//! - a JSON body is cut short, or a body is sent as a media type the
//!   operation does not declare;
//! - the credentials are left out of an operation that requires them.
//!
//! Every changed request is checked by the validator before it is sent: if
//! the validator finds it valid, the change breaks no rule of the spec, and
//! the case is skipped saying so (credentials excepted: the validator does
//! not see them). Query parameters the spec does not declare are not tried:
//! OpenAPI does not forbid them.
//!
//! Bounded: at most `per_operation` requests per operation (chosen by the
//! seed from all that apply, in a fixed order otherwise), values of at most
//! [`MAX_LENGTH`] characters, and a deadline for the whole run.

use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};

use crate::arazzo::run::{Target, encode, form_pairs};
use crate::checks::Spec;
use crate::http::Response;
use crate::live::{Exchange, validate_exchange};
use crate::report::Case;
use crate::Direction;

/// The longest value a change writes (a `maxLength` past this is not
/// tried: the request would be refused for its size, not its rule).
pub const MAX_LENGTH: usize = 4096;

/// The most items an array gets to break its `maxItems`.
pub const MAX_ITEMS: usize = 200;

/// How many requests, in which order, for how long.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Requests per operation, at most.
    pub per_operation: usize,
    /// Chooses and orders them.
    pub seed: u64,
    /// For the whole run: what is left when it passes is skipped.
    pub budget: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { per_operation: 40, seed: 1, budget: Duration::from_secs(120) }
    }
}

/// A request, before it is encoded.
#[derive(Debug, Clone)]
struct Draft {
    method: String,
    /// The path with its parameters filled in.
    path: String,
    query: Map<String, Value>,
    headers: Vec<(String, String)>,
    /// The body's media type and value.
    body: Option<(String, Value)>,
    /// A body given as bytes (for one that is not a value: cut short).
    raw_body: Option<(String, Vec<u8>)>,
}

impl Draft {
    fn bytes(&self) -> Option<(String, Vec<u8>)> {
        if let Some(raw) = &self.raw_body {
            return Some(raw.clone());
        }
        let (media, value) = self.body.as_ref()?;
        let bytes = if media == "application/x-www-form-urlencoded" {
            let mut pairs = Vec::new();
            form_pairs("", value, &mut pairs);
            encode(&pairs).into_bytes()
        } else {
            serde_json::to_vec(value).unwrap_or_default()
        };
        Some((media.clone(), bytes))
    }

    fn query_text(&self) -> String {
        let mut pairs = Vec::new();
        for (name, value) in &self.query {
            form_pairs(name, value, &mut pairs);
        }
        encode(&pairs)
    }
}

/// One request that breaks one rule.
struct Mutant {
    rule: String,
    draft: Draft,
    /// Whether the validator must find the request invalid (everything but
    /// missing credentials).
    checked: bool,
}

/// A small deterministic generator (SplitMix64) for choosing and ordering
/// requests: the choice needs no more than this.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// An operation, with its parameters and body resolved.
pub(crate) struct Operation {
    pub(crate) id: String,
    pointer: String,
    pub(crate) method: String,
    pub(crate) path: String,
    /// Name, location, required, schema pointer, schema (resolved).
    pub(crate) params: Vec<(String, String, bool, String, Value)>,
    /// Media types and their schema pointers; whether the body is required.
    pub(crate) body: Vec<(String, String)>,
    body_required: bool,
    /// Header names and query parameters that carry credentials, when the
    /// operation requires them.
    credentials: Option<(Vec<String>, Vec<String>)>,
}

/// Runs the negative requests of every operation of `spec` against `target`.
pub fn run(spec: &mut Spec, target: &Target, settings: Settings) -> Vec<Case> {
    let started = Instant::now();
    let mut cases = Vec::new();
    let mut mix = Mix(settings.seed);
    let operations = operations(spec);
    spec.progress.phase("negative requests, by operation", operations.len());
    for op in operations {
        spec.progress.step();
        let name = |rule: &str| format!("{} ({} {}): {rule}", op.id, op.method, op.path);
        let base = match baseline(spec, &op, target, settings.seed) {
            Ok(base) => base,
            Err(why) => {
                cases.push(Case::skipped("negative", name("every rule"), format!("no valid request to start from: {why}")));
                continue;
            }
        };
        let mut mutants = mutants(spec, &op, &base);
        mix.shuffle(&mut mutants);
        mutants.truncate(settings.per_operation);
        for mutant in mutants {
            if started.elapsed() > settings.budget {
                cases.push(Case::skipped("negative", name(&mutant.rule), format!("the run's budget of {:?} was spent", settings.budget)));
                continue;
            }
            cases.push(send(spec, target, &mutant, name(&mutant.rule)));
        }
    }
    cases
}

fn exchange_of(draft: &Draft, response: Response, transcript: crate::client::Transcript) -> Exchange {
    Exchange { method: draft.method.clone(), path: draft.path.clone(), query: draft.query_text(), body: draft.bytes(), response, transcript }
}

/// What the validator finds wrong with a request.
fn request_violations(spec: &mut Spec, draft: &Draft) -> Vec<String> {
    let dummy = Response { status: 400, headers: Vec::new(), body: Vec::new() };
    validate_exchange(spec, &exchange_of(draft, dummy, Default::default())).request
}

fn send(spec: &mut Spec, target: &Target, mutant: &Mutant, name: String) -> Case {
    let started = Instant::now();
    if mutant.checked && request_violations(spec, &mutant.draft).is_empty() {
        return Case::skipped("negative", name, "the validator finds this request valid: the spec states no such rule");
    }
    let query = mutant.draft.query_text();
    let base = target.base_url.trim_end_matches('/');
    let url = if query.is_empty() { format!("{base}{}", mutant.draft.path) } else { format!("{base}{}?{query}", mutant.draft.path) };
    let body = mutant.draft.bytes();
    let mut headers = mutant.draft.headers.clone();
    if let Some((media, _)) = &body {
        headers.push(("Content-Type".into(), media.clone()));
    }
    let bytes = body.as_ref().map(|(_, b)| b.as_slice()).unwrap_or_default();
    let (response, transcript) = match target.client.send(&mutant.draft.method, &url, &headers, bytes) {
        Ok(answer) => answer,
        Err(e) => return Case::new("negative", name, vec![e], started.elapsed()),
    };
    let exchange = exchange_of(&mutant.draft, response, transcript);
    let mut failures = Vec::new();
    let status = exchange.response.status;
    if !(400..500).contains(&status) {
        failures.push(format!("a request that breaks this rule got {status}, not a 4xx"));
    } else {
        failures.extend(validate_exchange(spec, &exchange).response);
    }
    Case::new("negative", name, failures, started.elapsed()).with_wire(exchange.transcript)
}

/// The operations of the spec, in document order.
pub(crate) fn operations(spec: &Spec) -> Vec<Operation> {
    let raw = &spec.doc.raw;
    let mut out = Vec::new();
    for (path, item) in openapi_codegen::walk::named_entries(raw.get("paths")) {
        let item_at = format!("#/paths/{}", openapi_codegen::escape_segment(path));
        let item_at = spec.resolve(&item_at);
        let Some(item) = spec.doc.resolve_pointer(&item_at).cloned().or_else(|| Some(item.clone())) else { continue };
        for (method, key, op) in openapi_codegen::v32::operations_of(&item) {
            let pointer = format!("{item_at}/{key}");
            let mut params: Vec<(String, String, bool, String, Value)> = Vec::new();
            for list in [format!("{item_at}/parameters"), format!("{pointer}/parameters")] {
                let count = spec.doc.resolve_pointer(&list).and_then(Value::as_array).map_or(0, Vec::len);
                for i in 0..count {
                    let at = spec.resolve(&format!("{list}/{i}"));
                    let Some(param) = spec.doc.resolve_pointer(&at) else { continue };
                    let name = param.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
                    let place = param.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
                    let required = param.get("required").and_then(Value::as_bool).unwrap_or(false) || place == "path";
                    // A parameter's schema, or that of its one media type (`content`).
                    let written = match param.get("content").and_then(Value::as_object).and_then(|c| c.keys().next()) {
                        Some(media) => format!("{at}/content/{}/schema", openapi_codegen::escape_segment(media)),
                        None => format!("{at}/schema"),
                    };
                    let schema = spec.doc.resolve_pointer(&spec.resolve(&written)).cloned().unwrap_or(Value::Null);
                    params.retain(|(n, p, ..)| !(n == &name && p == &place));
                    params.push((name, place, required, written, schema));
                }
            }
            let body_at = spec.resolve(&format!("{pointer}/requestBody"));
            let body_value = spec.doc.resolve_pointer(&body_at).cloned();
            let body = body_value
                .as_ref()
                .and_then(|b| b.get("content").and_then(Value::as_object))
                .map(|c| c.keys().map(|m| (m.clone(), format!("{body_at}/content/{}/schema", openapi_codegen::escape_segment(m)))).collect())
                .unwrap_or_default();
            let body_required = body_value.as_ref().and_then(|b| b.get("required")).and_then(Value::as_bool).unwrap_or(false);
            let id = op.get("operationId").and_then(Value::as_str).map(str::to_owned).unwrap_or_else(|| format!("{method} {path}"));
            let credentials = credentials(spec, op.get("security").or_else(|| raw.get("security")));
            out.push(Operation { id, pointer, method, path: path.clone(), params, body, body_required, credentials });
        }
    }
    out
}

/// The headers and query parameters that carry credentials, when every
/// security requirement needs some (an empty requirement makes them
/// optional).
fn credentials(spec: &Spec, security: Option<&Value>) -> Option<(Vec<String>, Vec<String>)> {
    let requirements = security?.as_array()?;
    if requirements.is_empty() || requirements.iter().any(|r| r.as_object().is_some_and(Map::is_empty)) {
        return None;
    }
    let (mut headers, mut query) = (Vec::new(), Vec::new());
    for requirement in requirements {
        for name in requirement.as_object().into_iter().flat_map(|r| r.keys()) {
            let at = format!("#/components/securitySchemes/{}", openapi_codegen::escape_segment(name));
            let Some(scheme) = spec.doc.resolve_pointer(&spec.resolve(&at)) else { continue };
            match (scheme.get("type").and_then(Value::as_str), scheme.get("in").and_then(Value::as_str)) {
                (Some("apiKey"), Some("query")) => query.extend(scheme.get("name").and_then(Value::as_str).map(str::to_owned)),
                (Some("apiKey"), Some("cookie")) => headers.push("cookie".to_owned()),
                (Some("apiKey"), _) => headers.extend(scheme.get("name").and_then(Value::as_str).map(str::to_ascii_lowercase)),
                _ => headers.push("authorization".to_owned()),
            }
        }
    }
    Some((headers, query))
}

/// A value from the spec for a schema: its `example`, `default`, first
/// `enum` value; else one generated (seeded).
pub(crate) fn valid_value(spec: &mut Spec, pointer: &str, schema: &Value, form: bool, seed: u64) -> Result<Value, String> {
    let schema = spec.resolve_value(schema).clone();
    for key in ["example", "default"] {
        if let Some(v) = schema.get(key) {
            return Ok(v.clone());
        }
    }
    if let Some(v) = schema.get("examples").and_then(Value::as_array).and_then(|e| e.first()) {
        return Ok(v.clone());
    }
    if let Some(v) = schema.get("enum").and_then(Value::as_array).and_then(|e| e.iter().find(|v| !v.is_null())) {
        return Ok(v.clone());
    }
    let id = spec.validator.compile(pointer).map_err(|e| format!("the schema at {} cannot be compiled: {e}", e.pointer))?;
    let generator = crate::generate::Generator::new(&spec.validator, Direction::Request);
    let strategy = if form { generator.for_form() } else { generator }.strategy(id);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    strategy.new_tree(&mut runner).map(|tree| tree.current()).map_err(|e| e.to_string())
}

/// The request an operation's negative requests start from: valid, with
/// only what is required (and a body the spec's example gives, if any).
fn baseline(spec: &mut Spec, op: &Operation, target: &Target, seed: u64) -> Result<Draft, String> {
    let mut path = op.path.clone();
    let mut query = Map::new();
    let mut headers = target.headers.clone();
    for (name, place, required, pointer, schema) in &op.params {
        if !required {
            continue;
        }
        let value = valid_value(spec, pointer, schema, true, seed)?;
        let text = match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match place.as_str() {
            "path" => {
                let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20");
                path = path.replace(&format!("{{{name}}}"), &encoded);
            }
            "query" => {
                query.insert(name.clone(), value);
            }
            "header" if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) => headers.push((name.clone(), text)),
            _ => {}
        }
    }
    let body = match op.body.iter().find(|(m, _)| m == "application/json" || m.ends_with("+json")).or_else(|| op.body.first()) {
        Some((media, pointer)) if op.body_required || media_example(spec, &op.pointer, media).is_some() => {
            let value = match media_example(spec, &op.pointer, media) {
                Some(example) => example,
                None => {
                    let schema = spec.doc.resolve_pointer(&spec.resolve(pointer)).cloned().unwrap_or(Value::Null);
                    valid_value(spec, pointer, &schema, media == "application/x-www-form-urlencoded", seed)?
                }
            };
            Some((media.clone(), value))
        }
        _ => None,
    };
    let draft = Draft { method: op.method.clone(), path, query, headers, body, raw_body: None };
    let problems = request_violations(spec, &draft);
    if let Some(first) = problems.first() {
        return Err(first.clone());
    }
    Ok(draft)
}

/// The first example of a request body's media type.
fn media_example(spec: &Spec, operation: &str, media: &str) -> Option<Value> {
    let at = format!("{}/content/{}", spec.resolve(&format!("{operation}/requestBody")), openapi_codegen::escape_segment(media));
    let content = spec.doc.resolve_pointer(&at)?;
    if let Some(example) = content.get("example") {
        return Some(example.clone());
    }
    let first = content.get("examples")?.as_object()?.values().next()?;
    match first.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.doc.resolve_pointer(&spec.resolve(r))?.get("value").cloned(),
        None => first.get("value").cloned(),
    }
}

/// Values that break one rule of `schema` each, with the rule. `form`:
/// the value travels as text (a form or a query), so a "wrong type" is
/// text that does not read as the type.
fn breakers(spec: &Spec, schema: &Value, form: bool) -> Vec<(String, Value)> {
    breakers_within(spec, schema, form, ITEM_DEPTH)
}

/// How many levels of arrays [`breakers`] goes into: an array of itself
/// (`S: {type: array, items: {$ref: S}}`) would never end.
const ITEM_DEPTH: usize = 2;

fn breakers_within(spec: &Spec, schema: &Value, form: bool, levels: usize) -> Vec<(String, Value)> {
    let schema = spec.resolve_value(schema);
    let mut out = Vec::new();
    let ty = schema.get("type").and_then(Value::as_str);
    let number = |key: &str| schema.get(key).and_then(Value::as_f64);
    let exclusive = |key: &str| schema.get(key).and_then(Value::as_bool).unwrap_or(false);
    let whole = ty == Some("integer");
    let as_value = |n: f64| if whole { json!(n as i64) } else { json!(n) };
    match ty {
        Some("integer" | "number") => {
            out.push((format!("not {}", if whole { "an integer" } else { "a number" }), json!("not_a_number")));
            if whole {
                out.push(("not a whole number".into(), json!(1.5)));
            }
            if let Some(max) = number("maximum").filter(|m| m.abs() < 1e15) {
                let past = if exclusive("exclusiveMaximum") { max } else { max + 1.0 };
                out.push((format!("above its maximum {max}"), as_value(past)));
            }
            if let Some(min) = number("minimum").filter(|m| m.abs() < 1e15) {
                let past = if exclusive("exclusiveMinimum") { min } else { min - 1.0 };
                out.push((format!("below its minimum {min}"), as_value(past)));
            }
            // A number outside the enum: one past the largest allowed.
            if let Some(values) = schema.get("enum").and_then(Value::as_array) {
                let largest = values.iter().filter_map(Value::as_f64).fold(f64::NEG_INFINITY, f64::max);
                if largest.is_finite() && largest.abs() < 1e15 {
                    out.push(("outside its enum".into(), as_value(largest.floor() + 1.0)));
                }
            }
        }
        Some("boolean") => out.push(("not a boolean".into(), json!("not_a_boolean"))),
        Some("string") => {
            if !form {
                out.push(("not a string".into(), json!(12)));
            }
            if let Some(values) = schema.get("enum").and_then(Value::as_array) {
                let outside = (0..).map(|i| format!("not_in_enum_{i}")).find(|c| !values.contains(&json!(c))).unwrap_or_default();
                out.push(("outside its enum".into(), json!(outside)));
            }
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64).filter(|&m| (m as usize) < MAX_LENGTH) {
                out.push((format!("longer than its maxLength {max}"), json!("x".repeat(max as usize + 1))));
            }
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64).filter(|&m| m > 0 && (m as usize) <= MAX_LENGTH) {
                out.push((format!("shorter than its minLength {min}"), json!("x".repeat(min as usize - 1))));
            }
            if let Some(format) = schema.get("format").and_then(Value::as_str)
                && let Some(text) = ["not_a_valid_value", "x y"].into_iter().find(|t| openapi_codegen::formats::accepts(format, t) == Some(false))
            {
                out.push((format!("not a valid {format}"), json!(text)));
            }
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
                && let Ok(re) = regex::Regex::new(pattern)
                && let Some(text) = ["!", "", "0", "zz zz", "-1", "a"].into_iter().find(|c| !re.is_match(c))
            {
                out.push((format!("not matching its pattern `{pattern}`"), json!(text)));
            }
        }
        Some("array") => {
            if !form {
                out.push(("not an array".into(), json!("not_an_array")));
            }
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            let inner = if levels > 0 { breakers_within(spec, &items, form, levels - 1) } else { Vec::new() };
            for (rule, bad) in inner.into_iter().take(3) {
                out.push((format!("an item {rule}"), json!([bad])));
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64).filter(|&m| (m as usize) < MAX_ITEMS) {
                let item = spec.resolve_value(&items);
                let one = item.get("example").or_else(|| item.get("enum").and_then(|e| e.get(0))).cloned().unwrap_or_else(|| json!("x"));
                out.push((format!("more than its maxItems {max}"), Value::Array(vec![one; max as usize + 1])));
            }
        }
        Some("object") => out.push(("not an object".into(), json!("not_an_object"))),
        _ => {}
    }
    out
}

/// How deep into a body the changes go.
const BODY_DEPTH: usize = 4;

/// `a[0][b]`: a place in a body as a form names it.
fn shown(path: &[String]) -> String {
    let mut out = path.first().cloned().unwrap_or_default();
    for segment in path.iter().skip(1) {
        out.push_str(&format!("[{segment}]"));
    }
    out
}

/// Sets (`Some`) or removes (`None`) the value at `path`.
fn apply(value: &mut Value, path: &[String], change: Option<Value>) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut node = value;
    for segment in parents {
        node = match node {
            Value::Object(map) => match map.get_mut(segment) {
                Some(next) => next,
                None => return,
            },
            Value::Array(items) => match segment.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(next) => next,
                None => return,
            },
            _ => return,
        };
    }
    if let Value::Object(map) = node {
        match change {
            Some(v) => {
                map.insert(last.clone(), v);
            }
            None => {
                map.remove(last);
            }
        }
    }
}

/// The changes that break one rule each of the body schema, at every level
/// the valid body reaches (objects it holds, the first item of arrays it
/// holds), down to [`BODY_DEPTH`].
fn body_changes(spec: &Spec, schema: &Value, value: &Value, path: &mut Vec<String>, form: bool, out: &mut Vec<(String, Vec<String>, Option<Value>)>) {
    let schema = spec.resolve_value(schema).clone();
    if path.len() > BODY_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            let required = schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
            for name in required.filter(|n| map.contains_key(*n)) {
                path.push(name.to_owned());
                out.push((format!("the required body property `{}` is missing", shown(path)), path.clone(), None));
                path.pop();
            }
            for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
                path.push(name.clone());
                for (rule, bad) in breakers(spec, property, form) {
                    out.push((format!("body property `{}` {rule}", shown(path)), path.clone(), Some(bad)));
                }
                if let Some(inner) = map.get(name) {
                    body_changes(spec, property, inner, path, form, out);
                }
                path.pop();
            }
            if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
                let unknown = (0..).map(|i| format!("not_a_property_{i}")).find(|c| !map.contains_key(c)).unwrap_or_default();
                path.push(unknown);
                out.push((format!("body property `{}` is not one the schema allows", shown(path)), path.clone(), Some(json!("x"))));
                path.pop();
            }
        }
        Value::Array(items) => {
            if let (Some(first), Some(item_schema)) = (items.first(), schema.get("items")) {
                path.push("0".to_owned());
                body_changes(spec, item_schema, first, path, form, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Every request of an operation that breaks one rule, in a fixed order.
fn mutants(spec: &Spec, op: &Operation, base: &Draft) -> Vec<Mutant> {
    let mut out = Vec::new();
    let mut push = |rule: String, draft: Draft, checked: bool| out.push(Mutant { rule, draft, checked });
    for (name, place, required, _, schema) in &op.params {
        match place.as_str() {
            "query" => {
                if *required {
                    let mut draft = base.clone();
                    draft.query.remove(name);
                    push(format!("the required query parameter `{name}` is missing"), draft, true);
                }
                for (rule, bad) in breakers(spec, schema, true) {
                    let mut draft = base.clone();
                    draft.query.insert(name.clone(), bad);
                    push(format!("query parameter `{name}` {rule}"), draft, true);
                }
            }
            "header" if *required => {
                let mut draft = base.clone();
                draft.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                push(format!("the required header `{name}` is missing"), draft, false);
            }
            _ => {}
        }
    }
    if let Some((media, body)) = &base.body {
        let form = media == "application/x-www-form-urlencoded";
        let pointer = op.body.iter().find(|(m, _)| m == media).map(|(_, p)| p.clone()).unwrap_or_default();
        let schema = spec.doc.resolve_pointer(&spec.resolve(&pointer)).cloned().unwrap_or(Value::Null);
        let mut found = Vec::new();
        body_changes(spec, &schema, body, &mut Vec::new(), form, &mut found);
        for (rule, path, change) in found {
            let mut draft = base.clone();
            if let Some((_, value)) = &mut draft.body {
                apply(value, &path, change);
            }
            push(rule, draft, true);
        }
    }
    if op.body_required && base.body.is_some() {
        let mut draft = base.clone();
        draft.body = None;
        push("the required body is missing".into(), draft, true);
    }
    if let Some((media, bytes)) = base.bytes() {
        if media == "application/json" || media.ends_with("+json") {
            let mut draft = base.clone();
            draft.raw_body = Some((media.clone(), bytes[..bytes.len() / 2].to_vec()));
            push("the JSON body is cut short".into(), draft, true);
        }
        if !op.body.iter().any(|(m, _)| m == "text/plain") {
            let mut draft = base.clone();
            draft.raw_body = Some(("text/plain".into(), bytes));
            push("the body is sent as text/plain, which the operation does not declare".into(), draft, true);
        }
    }
    if let Some((headers, query)) = &op.credentials {
        let mut draft = base.clone();
        draft.headers.retain(|(n, _)| !headers.iter().any(|h| n.eq_ignore_ascii_case(h)));
        for name in query {
            draft.query.remove(name);
        }
        push("no credentials, though the operation requires them".into(), draft, false);
    }
    out
}
