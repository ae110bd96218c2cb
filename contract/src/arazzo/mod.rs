//! Arazzo 1.0 workflows: API workflows as data (steps by `operationId`,
//! parameters and bodies with runtime expressions, success criteria,
//! outputs, success and failure actions), checked against the OpenAPI
//! document before anything is sent, and run against a live server with
//! every exchange validated ([`run`]).
//!
//! What this runner does not support it refuses by name, with the pointer
//! and line at fault: `operationPath` steps, `xpath` criteria,
//! `$sourceDescriptions` and `$components` expressions, `arazzo` source
//! descriptions.

pub mod expr;
pub mod run;

use serde_json::Value;

use expr::{Condition, Expr};

/// A loaded Arazzo document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where it came from, for messages.
    pub source: String,
    /// Its workflows, in order.
    pub workflows: Vec<Workflow>,
}

/// A workflow.
#[derive(Debug, Clone)]
pub struct Workflow {
    /// `workflowId`.
    pub id: String,
    /// Its JSON pointer.
    pub pointer: String,
    /// `summary` or `description`.
    pub summary: String,
    /// `inputs`: a JSON Schema; its `default`s and `examples` give the values
    /// a run starts from.
    pub inputs: Value,
    /// `dependsOn`: workflows that run first.
    pub depends_on: Vec<String>,
    /// The steps.
    pub steps: Vec<Step>,
    /// `outputs`: name and expression.
    pub outputs: Vec<(String, Expr)>,
    /// `successActions`: what a step without its own `onSuccess` does.
    pub success_actions: Vec<Action>,
    /// `failureActions`: what a step without its own `onFailure` does.
    pub failure_actions: Vec<Action>,
    /// `x-security`: how every step authenticates (Redocly's extension).
    pub security: Vec<Security>,
}

/// An `x-security` entry: a security scheme of the OpenAPI document, by
/// name, and the values it takes (`token` for a bearer scheme, `username`
/// and `password` for basic, `apiKey` for an API key), with expressions.
#[derive(Debug, Clone)]
pub struct Security {
    /// The scheme, from `components.securitySchemes`.
    pub scheme: Value,
    /// The values, unresolved.
    pub values: Value,
}

/// A step: one operation call.
#[derive(Debug, Clone)]
pub struct Step {
    /// `stepId`.
    pub id: String,
    /// Its JSON pointer.
    pub pointer: String,
    /// `description`.
    pub description: String,
    /// `operationId`.
    pub operation: String,
    /// `parameters`: name, location and value (with expressions).
    pub parameters: Vec<Parameter>,
    /// `requestBody`.
    pub body: Option<Body>,
    /// `successCriteria`.
    pub success: Vec<Criterion>,
    /// `onSuccess`.
    pub on_success: Option<Vec<Action>>,
    /// `onFailure`.
    pub on_failure: Option<Vec<Action>>,
    /// `outputs`.
    pub outputs: Vec<(String, Expr)>,
    /// `x-contract: invalid`: the request is meant to break the OpenAPI
    /// document's rules (it must, and the server must refuse it).
    pub invalid: bool,
    /// `x-security` of the step, before the workflow's.
    pub security: Vec<Security>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// A header.
    Header,
    /// A cookie.
    Cookie,
}

/// A step parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// The parameter's name. A query parameter's name is sent as written,
    /// so `expand[]` and `created[gte]` name the wire form.
    pub name: String,
    /// Where it goes.
    pub location: In,
    /// Its value, expressions resolved at run time.
    pub value: Value,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// `contentType`; the operation's own when absent.
    pub content_type: Option<String>,
    /// `payload`: JSON for a JSON body; for a form, an object encoded with
    /// bracket nesting, or a string sent as it is.
    pub payload: Value,
    /// `replacements`: JSON pointer into the payload, and the value there.
    pub replacements: Vec<(String, Value)>,
}

/// A success criterion.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// Its JSON pointer.
    pub pointer: String,
    /// What it checks.
    pub kind: CriterionKind,
}

/// The kinds of criteria.
#[derive(Debug, Clone)]
pub enum CriterionKind {
    /// A simple condition.
    Simple(Condition),
    /// A regular expression that the context's text must match.
    Regex(Expr, regex::Regex),
    /// A JSONPath query (RFC 9535) that must select something when run over
    /// the context as the one item of an array (`$[?@.count > 0]` tests the
    /// context itself).
    JsonPath(Expr, serde_json_path::JsonPath),
}

/// A success or failure action.
#[derive(Debug, Clone)]
pub struct Action {
    /// `name`.
    pub name: String,
    /// What it does.
    pub kind: ActionKind,
    /// `criteria`: the action applies when all of them hold.
    pub criteria: Vec<Criterion>,
}

/// What an action does.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    /// End the workflow (a success after `onSuccess`, a failure after `onFailure`).
    End,
    /// Go to a step of this workflow.
    GotoStep(String),
    /// Run another workflow, then end this one.
    GotoWorkflow(String),
    /// Try the step again after `retryAfter` seconds, at most `retryLimit` times.
    Retry {
        /// Seconds to wait.
        after: f64,
        /// Most retries.
        limit: u32,
    },
}

/// A problem in an Arazzo document, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The JSON pointer at fault.
    pub pointer: String,
    /// Its line, where it can be found.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}: {}", self.pointer, self.message),
            None => write!(f, "{}: {}", self.pointer, self.message),
        }
    }
}

/// Everything wrong with a document, found at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    /// The document.
    pub source: String,
    /// Each problem.
    pub problems: Vec<Problem>,
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} problem(s)", self.source, self.problems.len())?;
        for p in &self.problems {
            write!(f, "\n  {}:{p}", self.source)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Collects problems while reading.
struct Reader<'a> {
    text: &'a str,
    found: Vec<Problem>,
}

impl Reader<'_> {
    fn push(&mut self, pointer: &str, message: impl Into<String>) {
        let line = openapi_codegen::line_of(self.text, pointer);
        self.found.push(Problem { pointer: pointer.to_owned(), line, message: message.into() });
    }

    fn string(&mut self, value: &Value, key: &str, at: &str) -> Option<String> {
        match value.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(_) => {
                self.push(&format!("{at}/{key}"), format!("`{key}` must be a non-empty string"));
                None
            }
            None => None,
        }
    }

    fn expr(&mut self, text: &str, at: &str) -> Option<Expr> {
        match expr::parse(text) {
            Ok(e) => Some(e),
            Err(e) => {
                self.push(at, e);
                None
            }
        }
    }

    fn outputs(&mut self, value: Option<&Value>, at: &str) -> Vec<(String, Expr)> {
        let mut out = Vec::new();
        match value {
            None => {}
            Some(Value::Object(map)) => {
                for (name, v) in map {
                    let here = format!("{at}/{}", openapi_codegen::escape_segment(name));
                    match v.as_str() {
                        Some(text) => {
                            if let Some(e) = self.expr(text, &here) {
                                out.push((name.clone(), e));
                            }
                        }
                        None => self.push(&here, "an output is a runtime expression"),
                    }
                }
            }
            Some(_) => self.push(at, "`outputs` must be a map of runtime expressions"),
        }
        out
    }

    fn criteria(&mut self, value: Option<&Value>, at: &str) -> Vec<Criterion> {
        let mut out = Vec::new();
        let Some(value) = value else { return out };
        let Some(items) = value.as_array() else {
            self.push(at, "criteria are a list");
            return out;
        };
        for (i, c) in items.iter().enumerate() {
            let here = format!("{at}/{i}");
            let Some(condition) = c.get("condition").and_then(Value::as_str) else {
                self.push(&here, "a criterion needs a `condition`");
                continue;
            };
            let kind = match c.get("type") {
                None => Some("simple".to_owned()),
                Some(Value::String(t)) => Some(t.clone()),
                Some(Value::Object(o)) => o.get("type").and_then(Value::as_str).map(str::to_owned),
                Some(_) => None,
            };
            let context = match c.get("context").and_then(Value::as_str) {
                Some(text) => self.expr(text, &format!("{here}/context")),
                None => None,
            };
            let kind = match (kind.as_deref(), context) {
                (Some("simple"), _) => match expr::condition(condition) {
                    Ok(parsed) => CriterionKind::Simple(parsed),
                    Err(e) => {
                        self.push(&format!("{here}/condition"), e);
                        continue;
                    }
                },
                (Some("regex"), Some(context)) => match regex::Regex::new(condition) {
                    Ok(re) => CriterionKind::Regex(context, re),
                    Err(e) => {
                        self.push(&format!("{here}/condition"), format!("not a regular expression: {e}"));
                        continue;
                    }
                },
                (Some("jsonpath"), Some(context)) => match serde_json_path::JsonPath::parse(condition) {
                    Ok(path) => CriterionKind::JsonPath(context, path),
                    Err(e) => {
                        self.push(&format!("{here}/condition"), format!("not a JSONPath query (RFC 9535): {e}"));
                        continue;
                    }
                },
                (Some("regex" | "jsonpath"), None) => {
                    self.push(&here, "a `regex` or `jsonpath` criterion needs a `context` expression");
                    continue;
                }
                (Some("xpath"), _) => {
                    self.push(&format!("{here}/type"), "`xpath` criteria are not supported (this runner speaks JSON)");
                    continue;
                }
                (other, _) => {
                    self.push(&format!("{here}/type"), format!("unknown criterion type {other:?}"));
                    continue;
                }
            };
            out.push(Criterion { pointer: here, kind });
        }
        out
    }

    fn actions(&mut self, value: Option<&Value>, at: &str) -> Option<Vec<Action>> {
        let value = value?;
        let Some(items) = value.as_array() else {
            self.push(at, "actions are a list");
            return Some(Vec::new());
        };
        let mut out = Vec::new();
        for (i, a) in items.iter().enumerate() {
            let here = format!("{at}/{i}");
            if a.get("reference").is_some() {
                self.push(&here, "reusable actions (`reference`) are not supported");
                continue;
            }
            let name = a.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
            let step = a.get("stepId").and_then(Value::as_str).map(str::to_owned);
            let workflow = a.get("workflowId").and_then(Value::as_str).map(str::to_owned);
            let kind = match (a.get("type").and_then(Value::as_str), step, workflow) {
                (Some("end"), None, None) => ActionKind::End,
                (Some("goto"), Some(step), None) => ActionKind::GotoStep(step),
                (Some("goto"), None, Some(workflow)) => ActionKind::GotoWorkflow(workflow),
                (Some("retry"), None, None) => ActionKind::Retry {
                    after: a.get("retryAfter").and_then(Value::as_f64).unwrap_or(0.0).max(0.0),
                    limit: a.get("retryLimit").and_then(Value::as_u64).map_or(1, |n| n.min(1000) as u32),
                },
                (Some("retry"), _, _) => {
                    self.push(&here, "a retry going elsewhere afterwards is not supported: drop `stepId`/`workflowId`");
                    continue;
                }
                (Some("goto"), _, _) => {
                    self.push(&here, "`goto` needs exactly one of `stepId` and `workflowId`");
                    continue;
                }
                (other, _, _) => {
                    self.push(&format!("{here}/type"), format!("unknown action type {other:?} (end, goto, retry)"));
                    continue;
                }
            };
            let criteria = self.criteria(a.get("criteria"), &format!("{here}/criteria"));
            out.push(Action { name, kind, criteria });
        }
        Some(out)
    }
}

impl Reader<'_> {
    /// `x-security` entries, each naming a scheme of `openapi`.
    fn security(&mut self, value: Option<&Value>, at: &str, openapi: &openapi_codegen::Document) -> Vec<Security> {
        let mut out = Vec::new();
        let Some(value) = value else { return out };
        let Some(items) = value.as_array() else {
            self.push(at, "`x-security` is a list");
            return out;
        };
        for (i, item) in items.iter().enumerate() {
            let here = format!("{at}/{i}");
            let scheme = match (item.get("schemeName").and_then(Value::as_str), item.get("scheme")) {
                (Some(name), None) => match openapi.raw.pointer(&format!("/components/securitySchemes/{}", openapi_codegen::escape_segment(name))) {
                    Some(scheme) => scheme.clone(),
                    None => {
                        self.push(&format!("{here}/schemeName"), format!("no security scheme `{name}` in the OpenAPI document"));
                        continue;
                    }
                },
                (None, Some(scheme)) => scheme.clone(),
                _ => {
                    self.push(&here, "an `x-security` entry has `schemeName` or `scheme`, one of them");
                    continue;
                }
            };
            let kind = (scheme.get("type").and_then(Value::as_str), scheme.get("scheme").and_then(Value::as_str).map(str::to_ascii_lowercase));
            let needs: &[&str] = match (kind.0, kind.1.as_deref()) {
                (Some("http"), Some("bearer")) => &["token"],
                (Some("http"), Some("basic")) => &["username", "password"],
                (Some("apiKey"), _) => &["apiKey"],
                _ => {
                    self.push(&here, "only http bearer, http basic and apiKey schemes are supported");
                    continue;
                }
            };
            let values = item.get("values").cloned().unwrap_or(Value::Null);
            for need in needs {
                if values.get(*need).is_none() {
                    self.push(&format!("{here}/values"), format!("this scheme needs the value `{need}`"));
                }
            }
            out.push(Security { scheme, values });
        }
        out
    }
}

/// The `operationId`s of an OpenAPI document.
fn operation_ids(openapi: &openapi_codegen::Document) -> Vec<String> {
    let mut ids = Vec::new();
    for (_, item) in openapi_codegen::walk::named_entries(openapi.raw.get("paths")) {
        for (_, _, op) in openapi_codegen::v32::operations_of(item) {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                ids.push(id.to_owned());
            }
        }
    }
    ids
}

impl Document {
    /// Reads an Arazzo document (YAML or JSON) and checks it against
    /// `openapi`: structure, every `operationId`, every `stepId` and
    /// `workflowId` an action names, every runtime expression (does it parse,
    /// does the step or workflow it names exist before it is read). Every
    /// problem is reported at once, by pointer and line.
    pub fn load(source: &str, text: &str, openapi: &openapi_codegen::Document) -> Result<Document, Problems> {
        let mut r = Reader { text, found: Vec::new() };
        let raw = match openapi_codegen::Document::parse(text) {
            Ok(raw) => raw,
            Err(e) => {
                r.push("#", format!("not YAML or JSON: {e}"));
                return Err(Problems { source: source.to_owned(), problems: r.found });
            }
        };
        match raw.get("arazzo").and_then(Value::as_str) {
            Some(v) if v.starts_with("1.0.") => {}
            Some(v) => r.push("#/arazzo", format!("Arazzo {v} is not supported (1.0.x is)")),
            None => r.push("#", "not an Arazzo document: `arazzo: 1.0.x` is missing"),
        }
        for (i, s) in raw.get("sourceDescriptions").and_then(Value::as_array).into_iter().flatten().enumerate() {
            if s.get("type").and_then(Value::as_str) == Some("arazzo") {
                r.push(&format!("#/sourceDescriptions/{i}/type"), "Arazzo source descriptions are not supported");
            }
        }
        let ids = operation_ids(openapi);
        let mut workflows = Vec::new();
        let Some(items) = raw.get("workflows").and_then(Value::as_array) else {
            r.push("#", "`workflows` (a list) is missing");
            return Err(Problems { source: source.to_owned(), problems: r.found });
        };
        for (wi, w) in items.iter().enumerate() {
            let at = format!("#/workflows/{wi}");
            let Some(id) = r.string(w, "workflowId", &at) else {
                r.push(&at, "a workflow needs a `workflowId`");
                continue;
            };
            let mut steps = Vec::new();
            for (si, s) in w.get("steps").and_then(Value::as_array).into_iter().flatten().enumerate() {
                let here = format!("{at}/steps/{si}");
                let Some(step_id) = r.string(s, "stepId", &here) else {
                    r.push(&here, "a step needs a `stepId`");
                    continue;
                };
                if s.get("operationPath").is_some() {
                    r.push(&format!("{here}/operationPath"), "`operationPath` is not supported: name the operation by `operationId`");
                    continue;
                }
                if s.get("workflowId").is_some() {
                    r.push(&format!("{here}/workflowId"), "steps that run a workflow are not supported: use `dependsOn` or a `goto` action");
                    continue;
                }
                let Some(operation) = r.string(s, "operationId", &here) else {
                    r.push(&here, "a step needs an `operationId`");
                    continue;
                };
                if !ids.contains(&operation) {
                    r.push(&format!("{here}/operationId"), format!("no operation `{operation}` in the OpenAPI document"));
                }
                let mut parameters = Vec::new();
                let all: Vec<&Value> = w.get("parameters").and_then(Value::as_array).into_iter().flatten().chain(s.get("parameters").and_then(Value::as_array).into_iter().flatten()).collect();
                for (pi, p) in all.into_iter().enumerate() {
                    let here = format!("{here}/parameters/{pi}");
                    if p.get("reference").is_some() {
                        r.push(&here, "reusable parameters (`reference`) are not supported");
                        continue;
                    }
                    let (Some(name), Some(value)) = (p.get("name").and_then(Value::as_str), p.get("value")) else {
                        r.push(&here, "a parameter needs a `name` and a `value`");
                        continue;
                    };
                    let location = match p.get("in").and_then(Value::as_str) {
                        Some("path") => In::Path,
                        Some("query") => In::Query,
                        Some("header") => In::Header,
                        Some("cookie") => In::Cookie,
                        other => {
                            r.push(&format!("{here}/in"), format!("`in` must be path, query, header or cookie, not {other:?}"));
                            continue;
                        }
                    };
                    parameters.push(Parameter { name: name.to_owned(), location, value: value.clone() });
                }
                let body = s.get("requestBody").map(|b| Body {
                    content_type: b.get("contentType").and_then(Value::as_str).map(str::to_owned),
                    payload: b.get("payload").cloned().unwrap_or(Value::Null),
                    replacements: b
                        .get("replacements")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|x| Some((x.get("target")?.as_str()?.to_owned(), x.get("value")?.clone())))
                        .collect(),
                });
                let success = r.criteria(s.get("successCriteria"), &format!("{here}/successCriteria"));
                let on_success = r.actions(s.get("onSuccess"), &format!("{here}/onSuccess"));
                let on_failure = r.actions(s.get("onFailure"), &format!("{here}/onFailure"));
                let outputs = r.outputs(s.get("outputs"), &format!("{here}/outputs"));
                let security = r.security(s.get("x-security"), &format!("{here}/x-security"), openapi);
                steps.push(Step {
                    id: step_id,
                    pointer: here,
                    description: s.get("description").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    operation,
                    parameters,
                    body,
                    success,
                    on_success,
                    on_failure,
                    outputs,
                    invalid: s.get("x-contract").and_then(Value::as_str) == Some("invalid"),
                    security,
                });
            }
            if steps.is_empty() {
                r.push(&format!("{at}/steps"), "a workflow needs at least one step");
            }
            let outputs = r.outputs(w.get("outputs"), &format!("{at}/outputs"));
            let success_actions = r.actions(w.get("successActions"), &format!("{at}/successActions")).unwrap_or_default();
            let failure_actions = r.actions(w.get("failureActions"), &format!("{at}/failureActions")).unwrap_or_default();
            let security = r.security(w.get("x-security"), &format!("{at}/x-security"), openapi);
            workflows.push(Workflow {
                security,
                summary: w.get("summary").or(w.get("description")).and_then(Value::as_str).unwrap_or_default().to_owned(),
                inputs: w.get("inputs").cloned().unwrap_or(Value::Null),
                depends_on: w.get("dependsOn").and_then(Value::as_array).into_iter().flatten().filter_map(|d| d.as_str().map(str::to_owned)).collect(),
                id,
                pointer: at,
                steps,
                outputs,
                success_actions,
                failure_actions,
            });
        }
        check_references(&workflows, &mut r);
        if r.found.is_empty() { Ok(Document { source: source.to_owned(), workflows }) } else { Err(Problems { source: source.to_owned(), problems: r.found }) }
    }
}

/// Every step, workflow and expression a document names exists where it is
/// read: a step's expressions name earlier steps of its workflow (or
/// itself, for loops) and workflows it depends on.
fn check_references(workflows: &[Workflow], r: &mut Reader<'_>) {
    let workflow_ids: Vec<&str> = workflows.iter().map(|w| w.id.as_str()).collect();
    for w in workflows {
        for (i, d) in w.depends_on.iter().enumerate() {
            if !workflow_ids.contains(&d.as_str()) {
                r.push(&format!("{}/dependsOn/{i}", w.pointer), format!("no workflow `{d}`"));
            }
        }
        let step_ids: Vec<&str> = w.steps.iter().map(|s| s.id.as_str()).collect();
        let check_actions = |actions: &[Action], at: &str, r: &mut Reader<'_>| {
            for (i, a) in actions.iter().enumerate() {
                match &a.kind {
                    ActionKind::GotoStep(step) if !step_ids.contains(&step.as_str()) => {
                        r.push(&format!("{at}/{i}/stepId"), format!("no step `{step}` in workflow `{}`", w.id));
                    }
                    ActionKind::GotoWorkflow(id) if !workflow_ids.contains(&id.as_str()) => {
                        r.push(&format!("{at}/{i}/workflowId"), format!("no workflow `{id}`"));
                    }
                    _ => {}
                }
            }
        };
        check_actions(&w.success_actions, &format!("{}/successActions", w.pointer), r);
        check_actions(&w.failure_actions, &format!("{}/failureActions", w.pointer), r);
        for s in &w.steps {
            check_actions(s.on_success.as_deref().unwrap_or_default(), &format!("{}/onSuccess", s.pointer), r);
            check_actions(s.on_failure.as_deref().unwrap_or_default(), &format!("{}/onFailure", s.pointer), r);
            let mut texts = Vec::new();
            for p in &s.parameters {
                expr::expressions_in(&p.value, &mut texts);
            }
            if let Some(body) = &s.body {
                expr::expressions_in(&body.payload, &mut texts);
                body.replacements.iter().for_each(|(_, v)| expr::expressions_in(v, &mut texts));
            }
            let mut exprs: Vec<Expr> = Vec::new();
            for text in texts {
                match expr::parse(&text) {
                    Ok(e) => exprs.push(e),
                    Err(e) => r.push(&s.pointer, e),
                }
            }
            let mut read: Vec<&Expr> = exprs.iter().collect();
            for c in &s.success {
                if let CriterionKind::Simple(cond) = &c.kind {
                    cond.exprs(&mut read);
                }
            }
            for e in read {
                match e {
                    Expr::StepOutput(step, name, _) => match w.steps.iter().find(|x| &x.id == step) {
                        None => r.push(&s.pointer, format!("`$steps.{step}` names no step of workflow `{}`", w.id)),
                        Some(x) if !x.outputs.iter().any(|(n, _)| n == name) => {
                            r.push(&s.pointer, format!("step `{step}` has no output `{name}`"));
                        }
                        _ => {}
                    },
                    Expr::Workflow(id, _, _, _) if !w.depends_on.contains(id) => {
                        r.push(&s.pointer, format!("`$workflows.{id}` is read, but workflow `{}` does not depend on it", w.id));
                    }
                    _ => {}
                }
            }
        }
    }
}
