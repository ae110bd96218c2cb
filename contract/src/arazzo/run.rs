//! Running Arazzo workflows against a live server: each step is sent as
//! the OpenAPI document describes its operation, the exchange is validated
//! against the document ([`crate::live::validate_exchange`]), the success
//! criteria are evaluated, outputs kept, and the success or failure
//! actions followed. Every step run is a case of the report.
//!
//! A step marked `x-contract: invalid` is meant to break the document's
//! request rules: it must, and then the server must refuse it.

use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::expr::{self, Scope};
use super::{ActionKind, Body, Criterion, CriterionKind, Document, In, Step, Workflow};
use crate::checks::Spec;
use crate::client::Client;
use crate::live::{Exchange, form_tree, validate_exchange};
use crate::report::Case;

/// Most step runs in one workflow (loops through `goto` and retries stop here).
pub const MAX_STEP_RUNS: usize = 1_000;

/// Where the server is and what every request carries.
#[derive(Debug)]
pub struct Target {
    /// `http[s]://host[:port][/prefix]`.
    pub base_url: String,
    /// Headers sent with every request (`Authorization`, say), unless a
    /// step sets its own.
    pub headers: Vec<(String, String)>,
    /// What the requests go through (TLS, proxies, the timeout).
    pub client: Client,
}

/// The outcome of one workflow run.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Whether it ended in success.
    pub succeeded: bool,
    /// Each step run, in order: step ID and whether it succeeded.
    pub steps: Vec<(String, bool)>,
    /// The workflow's outputs.
    pub outputs: Map<String, Value>,
}

/// An operation of the document, by `operationId`.
struct Operation {
    method: String,
    path: String,
    media: Vec<String>,
}

fn operation(spec: &Spec, id: &str) -> Option<Operation> {
    for (path, item) in openapi_codegen::walk::named_entries(spec.doc.raw.get("paths")) {
        for (method, _, op) in openapi_codegen::v32::operations_of(item) {
            if op.get("operationId").and_then(Value::as_str) != Some(id) {
                continue;
            }
            let body = op.get("requestBody").map(|b| match b.get("$ref").and_then(Value::as_str) {
                Some(r) => spec.doc.resolve_pointer(r).cloned().unwrap_or(Value::Null),
                None => b.clone(),
            });
            let media = body.and_then(|b| b.get("content").and_then(Value::as_object).map(|c| c.keys().cloned().collect())).unwrap_or_default();
            return Some(Operation { method, path: path.clone(), media });
        }
    }
    None
}

/// Form pairs of a JSON value, bracket-nested: objects `a[b]`, arrays of
/// objects `a[0][b]`, arrays of scalars `a[]`.
pub(crate) fn form_pairs(name: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if name.is_empty() { k.clone() } else { format!("{name}[{k}]") };
                form_pairs(&key, v, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.is_object() || item.is_array() {
                    form_pairs(&format!("{name}[{i}]"), item, out);
                } else {
                    out.push((format!("{name}[]"), expr::as_text(item)));
                }
            }
        }
        Value::Null => {}
        scalar => out.push((name.to_owned(), expr::as_text(scalar))),
    }
}

pub(crate) fn encode(pairs: &[(String, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

/// The request body's media type and bytes.
fn body_bytes(body: &Body, media: &[String], scope: &Scope) -> Result<(String, Vec<u8>), String> {
    let mut payload = scope.resolve(&body.payload)?;
    for (target, value) in &body.replacements {
        let value = scope.resolve(value)?;
        let Some(slot) = payload.pointer_mut(target.trim_start_matches('#')) else {
            return Err(format!("replacement target `{target}` is not in the payload"));
        };
        *slot = value;
    }
    let content_type = body.content_type.clone().or_else(|| media.first().cloned()).unwrap_or_else(|| "application/json".into());
    let bytes = if content_type.starts_with("application/x-www-form-urlencoded") {
        match &payload {
            Value::String(text) => text.clone().into_bytes(),
            other => {
                let mut pairs = Vec::new();
                form_pairs("", other, &mut pairs);
                encode(&pairs).into_bytes()
            }
        }
    } else {
        match &payload {
            Value::String(text) if !content_type.contains("json") => text.clone().into_bytes(),
            other => serde_json::to_vec(other).map_err(|e| e.to_string())?,
        }
    };
    Ok((content_type, bytes))
}

fn criterion_holds(c: &Criterion, scope: &Scope) -> bool {
    match &c.kind {
        CriterionKind::Simple(condition) => condition.holds(scope),
        CriterionKind::Regex(context, re) => scope.eval(context).is_ok_and(|v| re.is_match(&expr::as_text(&v))),
        // As the specification's own example (`$[?count(@.pets) > 0]`) has
        // it, the query runs over the context as the one item of an array, so
        // that a filter at the root tests the context itself.
        CriterionKind::JsonPath(context, path) => {
            scope.eval(context).is_ok_and(|v| !path.query(&Value::Array(vec![v])).is_empty())
        }
    }
}

/// The inputs a workflow starts from: each property's `default`, or its
/// first example.
fn default_inputs(schema: &Value) -> Value {
    let mut out = Map::new();
    for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let value = property.get("default").or_else(|| property.get("examples").and_then(|e| e.get(0))).or_else(|| property.get("example"));
        if let Some(value) = value {
            out.insert(name.clone(), value.clone());
        }
    }
    Value::Object(out)
}

/// Runs every workflow of `doc` (each after the workflows it depends on, each
/// once) against `target`, validating every exchange against `spec`.
pub fn run_all(doc: &Document, spec: &mut Spec, target: &Target, inputs: &Map<String, Value>) -> Vec<Case> {
    spec.progress.phase("workflows", doc.workflows.len());
    let mut runner = Runner { doc, spec, target, cases: Vec::new(), finished: Map::new() };
    for w in &doc.workflows {
        runner.spec.progress.step();
        runner.workflow(&w.id, inputs, 0);
    }
    runner.cases
}

struct Runner<'a> {
    doc: &'a Document,
    spec: &'a mut Spec,
    target: &'a Target,
    cases: Vec<Case>,
    /// Finished workflows: `{"inputs": .., "outputs": .., "succeeded": ..}`.
    finished: Map<String, Value>,
}

impl Runner<'_> {
    fn workflow(&mut self, id: &str, given: &Map<String, Value>, depth: usize) -> bool {
        if let Some(done) = self.finished.get(id) {
            return done["succeeded"] == Value::Bool(true);
        }
        let Some(w) = self.doc.workflows.iter().find(|w| w.id == id) else { return false };
        if depth > self.doc.workflows.len() {
            self.cases.push(Case::new("live", format!("workflow {id}"), vec!["workflows depend on each other in a cycle".into()], Duration::ZERO));
            return false;
        }
        for dependency in &w.depends_on {
            if !self.workflow(dependency, given, depth + 1) {
                self.cases.push(Case::skipped("live", format!("workflow {id}"), format!("it depends on `{dependency}`, which failed")));
                return false;
            }
        }
        let mut inputs = default_inputs(&w.inputs);
        if let Value::Object(map) = &mut inputs {
            map.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let started = Instant::now();
        let outcome = self.steps(w, inputs.clone());
        let failures = if outcome.succeeded { Vec::new() } else { vec![format!("the workflow failed after steps {:?}", outcome.steps)] };
        self.cases.push(Case::new("live", format!("workflow {id}"), failures, started.elapsed()));
        let mut record = Map::new();
        record.insert("inputs".into(), inputs);
        record.insert("outputs".into(), Value::Object(outcome.outputs));
        record.insert("succeeded".into(), Value::Bool(outcome.succeeded));
        self.finished.insert(id.to_owned(), Value::Object(record));
        outcome.succeeded
    }

    fn steps(&mut self, w: &Workflow, inputs: Value) -> Outcome {
        let mut scope = Scope { inputs, workflows: self.finished.clone(), ..Scope::default() };
        let mut outcome = Outcome::default();
        let mut at = 0;
        let mut retries = vec![0u32; w.steps.len()];
        let mut runs = 0;
        let succeeded = loop {
            let Some(step) = w.steps.get(at) else { break true };
            runs += 1;
            if runs > MAX_STEP_RUNS {
                self.cases.push(Case::new("live", format!("{}/{}", w.id, step.id), vec![format!("more than {MAX_STEP_RUNS} step runs: stopped")], Duration::ZERO));
                break false;
            }
            let ok = self.step(w, step, &mut scope);
            outcome.steps.push((step.id.clone(), ok));
            let actions = if ok { step.on_success.as_ref().unwrap_or(&w.success_actions) } else { step.on_failure.as_ref().unwrap_or(&w.failure_actions) };
            let chosen = actions.iter().find(|a| a.criteria.iter().all(|c| criterion_holds(c, &scope)));
            match chosen.map(|a| &a.kind) {
                None if ok => at += 1,
                None => break false,
                Some(ActionKind::End) => break ok,
                Some(ActionKind::GotoStep(next)) => match w.steps.iter().position(|s| &s.id == next) {
                    Some(i) => at = i,
                    None => break false,
                },
                Some(ActionKind::GotoWorkflow(next)) => {
                    let next = next.clone();
                    break self.workflow(&next, &Map::new(), 1) && ok;
                }
                Some(ActionKind::Retry { after, limit }) => {
                    if retries[at] >= *limit {
                        break false;
                    }
                    retries[at] += 1;
                    std::thread::sleep(Duration::from_secs_f64(after.min(60.0)));
                }
            }
        };
        for (name, e) in &w.outputs {
            if let Ok(v) = scope.eval(e) {
                outcome.outputs.insert(name.clone(), v);
            }
        }
        outcome.succeeded = succeeded;
        outcome
    }

    /// Sends one step, validates and records it; answers whether it
    /// succeeded (its criteria held, and the contract held).
    fn step(&mut self, w: &Workflow, step: &Step, scope: &mut Scope) -> bool {
        let started = Instant::now();
        let name = format!("{}/{} ({})", w.id, step.id, step.operation);
        let mut failures = Vec::new();
        let result = self.send(w, step, scope);
        let (exchange, contract_invalid) = match result {
            Ok(sent) => sent,
            Err(e) => {
                self.cases.push(Case::new("live", name, vec![e], started.elapsed()));
                return false;
            }
        };
        let violations = validate_exchange(self.spec, &exchange);
        if contract_invalid {
            if violations.request.is_empty() {
                failures.push("the request marked `x-contract: invalid` does not break the spec".into());
            }
            if !(400..500).contains(&exchange.response.status) {
                failures.push(format!("a request that breaks the spec got {}, not a 4xx", exchange.response.status));
            }
        } else {
            failures.extend(violations.request);
        }
        failures.extend(violations.response);
        scope.status = Some(exchange.response.status);
        scope.response_headers = exchange.response.headers.clone();
        scope.response_body = serde_json::from_slice(&exchange.response.body).ok();
        let unmet: Vec<String> = step
            .success
            .iter()
            .filter(|c| !criterion_holds(c, scope))
            .map(|c| format!("success criterion {} does not hold (status {})", c.pointer, exchange.response.status))
            .collect();
        failures.extend(unmet);
        let ok = failures.is_empty();
        if ok {
            let mut outputs = Map::new();
            for (output, e) in &step.outputs {
                if let Ok(v) = scope.eval(e) {
                    outputs.insert(output.clone(), v);
                }
            }
            scope.steps.insert(step.id.clone(), Value::Object(outputs));
        }
        let shown = format!("{name}: {} {}{}", exchange.method, exchange.path, if exchange.query.is_empty() { String::new() } else { format!("?{}", exchange.query) });
        self.cases.push(Case::new("live", shown, failures, started.elapsed()).with_wire(exchange.transcript));
        ok
    }

    /// Builds and sends a step's request; answers the exchange and whether
    /// the step is meant to break the spec.
    fn send(&mut self, w: &Workflow, step: &Step, scope: &mut Scope) -> Result<(Exchange, bool), String> {
        let Some(op) = operation(self.spec, &step.operation) else {
            return Err(format!("no operation `{}` in the spec", step.operation));
        };
        let mut path = op.path.clone();
        let (mut query, mut headers, mut cookies, mut path_params) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for p in &step.parameters {
            let value = scope.resolve(&p.value)?;
            match p.location {
                In::Path => {
                    let text = expr::as_text(&value);
                    let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20");
                    path = path.replace(&format!("{{{}}}", p.name), &encoded);
                    path_params.push((p.name.clone(), text));
                }
                In::Query => form_pairs(&p.name, &value, &mut query),
                In::Header => headers.push((p.name.clone(), expr::as_text(&value))),
                In::Cookie => cookies.push(format!("{}={}", p.name, expr::as_text(&value))),
            }
        }
        if path.contains('{') {
            return Err(format!("path parameters of `{}` are not all given: {path}", op.path));
        }
        let security = if step.security.is_empty() { &w.security } else { &step.security };
        for entry in security {
            let values = scope.resolve(&entry.values)?;
            let value = |name: &str| values.get(name).map(expr::as_text).unwrap_or_default();
            match (entry.scheme.get("type").and_then(Value::as_str), entry.scheme.get("in").and_then(Value::as_str)) {
                (Some("apiKey"), location) => {
                    let name = entry.scheme.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
                    match location {
                        Some("query") => query.push((name, value("apiKey"))),
                        Some("cookie") => cookies.push(format!("{name}={}", value("apiKey"))),
                        _ => headers.push((name, value("apiKey"))),
                    }
                }
                _ if entry.scheme.get("scheme").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("basic")) => {
                    let credentials = base64(format!("{}:{}", value("username"), value("password")).as_bytes());
                    headers.push(("Authorization".into(), format!("Basic {credentials}")));
                }
                _ => headers.push(("Authorization".into(), format!("Bearer {}", value("token")))),
            }
        }
        if !cookies.is_empty() {
            headers.push(("Cookie".into(), cookies.join("; ")));
        }
        for (name, value) in &self.target.headers {
            if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                headers.push((name.clone(), value.clone()));
            }
        }
        let body = match &step.body {
            Some(body) => Some(body_bytes(body, &op.media, scope)?),
            None => None,
        };
        if let Some((content_type, _)) = &body {
            headers.push(("Content-Type".into(), content_type.clone()));
        }
        let query_text = encode(&query);
        let base = self.target.base_url.trim_end_matches('/');
        let url = if query_text.is_empty() { format!("{base}{path}") } else { format!("{base}{path}?{query_text}") };
        let bytes = body.as_ref().map(|(_, b)| b.as_slice()).unwrap_or_default();
        let (response, transcript) = self.target.client.send(&op.method, &url, &headers, bytes)?;
        *scope = Scope {
            url,
            method: op.method.clone(),
            request_headers: headers,
            request_query: query,
            request_path: path_params,
            request_body: body.as_ref().map(|(content_type, bytes)| {
                if content_type.starts_with("application/x-www-form-urlencoded") {
                    form_tree(form_urlencoded::parse(bytes).into_owned())
                } else {
                    serde_json::from_slice(bytes).unwrap_or(Value::Null)
                }
            }),
            ..std::mem::take(scope)
        };
        Ok((Exchange { method: op.method, path, query: query_text, body, response, transcript }, step.invalid))
    }
}

/// Standard base64 with padding (RFC 4648), for HTTP basic credentials:
/// eight lines, where a crate would be one more dependency of the suite.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Criterion, CriterionKind, criterion_holds};
    use crate::arazzo::expr::{self, Scope};

    #[test]
    fn jsonpath_and_regex_criteria_test_the_context() {
        let scope = Scope { response_body: Some(json!({"data": [{"quantity": 2}, {"quantity": 3}], "code": "not_open"})), ..Scope::default() };
        let body = expr::parse("$response.body").unwrap();
        let jsonpath = |query: &str| Criterion {
            pointer: String::new(),
            kind: CriterionKind::JsonPath(body.clone(), serde_json_path::JsonPath::parse(query).unwrap()),
        };
        assert!(criterion_holds(&jsonpath("$[?count(@.data[?@.quantity == 3]) > 0]"), &scope));
        assert!(criterion_holds(&jsonpath("$[0].data[?@.quantity == 2]"), &scope));
        assert!(!criterion_holds(&jsonpath("$[0].data[?@.quantity == 4]"), &scope));
        let code = expr::parse("$response.body#/code").unwrap();
        let regex = |re: &str| Criterion { pointer: String::new(), kind: CriterionKind::Regex(code.clone(), regex::Regex::new(re).unwrap()) };
        assert!(criterion_holds(&regex("^not_"), &scope) && !criterion_holds(&regex("^checkout_"), &scope));
    }

    #[test]
    fn base64_as_rfc_4648_says() {
        for (input, output) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            assert_eq!(super::base64(input.as_bytes()), output);
        }
    }
}
