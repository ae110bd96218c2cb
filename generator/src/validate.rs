//! Document-level checks that run before the IR is built: references,
//! operation ids, path parameters, schema types. Each returns every problem
//! it finds rather than stopping at the first.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use openapiv3::{ReferenceOr, SchemaKind};
use serde_json::Value;

use crate::error::{Collector, Problem, ProblemKind};
use crate::load::{Document, escape_segment};
use crate::walk;

const SCHEMA_TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];

/// Every `$ref` in the raw document must point at something local, and a
/// chain of `$ref`s must end somewhere. Literal examples and extensions
/// are not searched ([`walk::Part`]).
pub(crate) fn check_refs(raw: &Value) -> Vec<Problem> {
    let mut found = Collector::default();
    let mut refs = Refs { root: raw, found: &mut found, ends: HashSet::new() };
    refs.scan(raw, "#", walk::Part::Root);
    found.into_vec()
}

/// Schemas may not apply each other to the same value through a choice
/// ([`crate::cycles`]); the problem is reported at the schema that holds
/// the choice.
pub(crate) fn check_loops(raw: &Value) -> Vec<Problem> {
    let mut found = Collector::default();
    for found_loop in crate::cycles::in_document(raw).choices {
        found.push(found_loop.pointers[0].clone(), ProblemKind::ChoiceLoop(found_loop.pointers));
    }
    found.into_vec()
}

/// The walk of [`check_refs`].
struct Refs<'a> {
    root: &'a Value,
    found: &'a mut Collector,
    /// References known to lead, through any chain, to something that is
    /// not a reference: a chain is followed once, however many refer to it.
    ends: HashSet<&'a str>,
}

impl<'a> Refs<'a> {
    fn scan(&mut self, value: &'a Value, at: &str, part: walk::Part) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    self.check(target, &format!("{at}/$ref"));
                }
                for (key, child) in map {
                    if key == "$ref" {
                        continue;
                    }
                    if let Some(part) = part.child(key, child) {
                        self.scan(child, &format!("{at}/{}", escape_segment(key)), part);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    self.scan(child, &format!("{at}/{i}"), part);
                }
            }
            _ => {}
        }
    }

    fn check(&mut self, target: &'a str, at: &str) {
        let root = self.root;
        let Some(pointer) = target.strip_prefix('#') else {
            self.found.push(at, ProblemKind::ExternalRef(target.to_owned()));
            return;
        };
        let Some(mut resolved) = root.pointer(pointer) else {
            self.found.push(at, ProblemKind::DanglingRef(target.to_owned()));
            return;
        };
        // Follow pure reference objects to find loops; a broken later link is
        // reported where it is written.
        let mut chain = vec![target];
        let mut seen: HashSet<&str> = HashSet::from([target]);
        while let Some(Value::String(next)) = resolved.get("$ref") {
            if self.ends.contains(next.as_str()) {
                break;
            }
            chain.push(next);
            if !seen.insert(next) {
                self.found.push(at, ProblemKind::RefLoop(chain.iter().map(|s| (*s).to_owned()).collect()));
                return;
            }
            match next.strip_prefix('#').and_then(|p| root.pointer(p)) {
                Some(value) => resolved = value,
                None => return,
            }
        }
        self.ends.extend(chain);
    }
}

/// Checks on the typed document.
pub(crate) fn check_document(doc: &Document) -> Vec<Problem> {
    let mut found = Collector::default();
    operation_ids(doc, &mut found);
    path_parameters(doc, &mut found);
    let webhooks = parsed_webhooks(doc, &mut found);
    walk::for_each_schema(&doc.api, &webhooks, &doc.more_operations, &mut |pointer, schema| {
        if let SchemaKind::Any(any) = &schema.schema_kind
            && let Some(t) = &any.typ
            && !SCHEMA_TYPES.contains(&t.as_str())
        {
            found.push(format!("{pointer}/type"), ProblemKind::UnknownType(t.clone()));
        }
    });
    found.into_vec()
}

/// The `x-webhooks` path items that parse; the others are reported.
pub(crate) fn parsed_webhooks(doc: &Document, found: &mut Collector) -> Vec<(String, openapiv3::PathItem)> {
    let mut out = Vec::new();
    for (name, item) in walk::webhooks(&doc.raw) {
        match item {
            Ok(item) => out.push((name, item)),
            Err(message) => found.push(
                format!("#/x-webhooks/{}", escape_segment(&name)),
                ProblemKind::Structure(message),
            ),
        }
    }
    out
}

fn operation_ids(doc: &Document, found: &mut Collector) {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for at in doc.operations() {
        {
            let Some(id) = at.operation.operation_id.as_deref() else { continue };
            let at = format!("{}/operationId", at.pointer());
            match seen.get(id) {
                Some(first) => found.push(
                    at,
                    ProblemKind::DuplicateOperationId { id: id.to_owned(), first: first.clone() },
                ),
                None => {
                    seen.insert(id, at);
                }
            }
        }
    }
}

/// The `{name}` segments of a path template.
pub(crate) fn template_params(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        out.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    out
}

fn path_parameters(doc: &Document, found: &mut Collector) {
    for o in doc.operations() {
        let (path, item, op) = (o.path, o.item, o.operation);
        let template: BTreeSet<&str> = template_params(path).into_iter().collect();
        let at = o.pointer();
        {
            let mut declared = BTreeSet::new();
            for p in item.parameters.iter().chain(&op.parameters) {
                if let Some(p) = doc.parameter(p)
                    && let openapiv3::Parameter::Path { parameter_data, .. } = &p
                {
                    declared.insert(parameter_data.name.clone());
                }
            }
            for name in &template {
                if !declared.contains(*name) {
                    found.push(
                        at.clone(),
                        ProblemKind::PathParameter(format!("`{{{name}}}` is in the path but not declared")),
                    );
                }
            }
            for name in &declared {
                if !template.contains(name.as_str()) {
                    found.push(
                        at.clone(),
                        ProblemKind::PathParameter(format!("`{name}` is declared `in: path` but not in the path")),
                    );
                }
            }
        }
    }
}

impl Document {
    /// A parameter, resolving a local `$ref`. `None` when it cannot be
    /// resolved (already reported by the reference check).
    pub fn parameter(&self, p: &ReferenceOr<openapiv3::Parameter>) -> Option<openapiv3::Parameter> {
        match p {
            ReferenceOr::Item(p) => Some(p.clone()),
            ReferenceOr::Reference { reference } => {
                let value = self.resolve_pointer(reference)?;
                if let Some(Value::String(next)) = value.get("$ref") {
                    return self.parameter(&ReferenceOr::Reference { reference: next.clone() });
                }
                serde_json::from_value(value.clone()).ok()
            }
        }
    }
}
