//! Every example a document gives, with the schema it must satisfy.
//!
//! Examples live in many places: `example` and `examples` of parameters,
//! request bodies and responses (directly or through
//! `#/components/examples`), webhook event bodies (`x-webhooks`), and
//! `example` inside schemas. Each is found with the pointer of its value,
//! the pointer of its schema and the direction it travels in.

use std::collections::BTreeSet;

use openapi_codegen::escape_segment;
use openapi_codegen::walk::named_entries;
use serde_json::{Map, Value};

use crate::Direction;

/// The methods of a path item's OpenAPI 3.0 fixed fields (the walks here
/// visit 3.2's `query` and `additionalOperations` too, through
/// [`openapi_codegen::v32::operations_of`]).
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// What an example is an example of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A response body of an operation.
    Response { operation: String, status: String },
    /// A request body of an operation.
    Request { operation: String },
    /// A parameter of an operation.
    Parameter { operation: String, name: String },
    /// The body of a webhook event.
    Event { name: String },
    /// The `example` of a schema.
    Schema,
}

/// One example.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Where the value is, as a JSON pointer (inside `#/components/examples`
    /// when the usage is a `$ref`).
    pub pointer: String,
    /// Where it is used, when that differs from `pointer`.
    pub used_at: String,
    /// The schema it must satisfy, as written (a `$ref` not followed).
    pub schema: String,
    /// Which way it travels.
    pub direction: Direction,
    /// The media type, for bodies.
    pub media: Option<String>,
    /// What it is an example of.
    pub kind: Kind,
    /// The value.
    pub value: Value,
}

impl Example {
    /// A short label: what the example is and where it is used.
    pub fn label(&self) -> String {
        let what = match &self.kind {
            Kind::Response { operation, status } => format!("{operation} response {status}"),
            Kind::Request { operation } => format!("{operation} request body"),
            Kind::Parameter { operation, name } => format!("{operation} parameter `{name}`"),
            Kind::Event { name } => format!("event {name}"),
            Kind::Schema => "schema example".to_owned(),
        };
        format!("{what} ({})", self.used_at)
    }
}

/// An example that cannot be checked, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where it is.
    pub pointer: String,
    /// Why it was not checked.
    pub reason: String,
}

/// Follows `$ref`s from `pointer` in `doc` (several in a row, within a
/// limit) to the pointer of the value they end at.
pub fn follow_refs(doc: &Value, pointer: &str) -> String {
    let mut pointer = pointer.to_owned();
    for _ in 0..16 {
        let target = pointer.strip_prefix('#').and_then(|p| doc.pointer(p)).and_then(|v| v.get("$ref")).and_then(Value::as_str);
        match target {
            Some(target) => pointer = target.to_owned(),
            None => break,
        }
    }
    pointer
}

/// Everything [`find`] found.
#[derive(Debug, Default)]
pub struct Found {
    /// The examples, in document order.
    pub examples: Vec<Example>,
    /// What could not be checked.
    pub skipped: Vec<Skipped>,
}

struct Walker<'a> {
    doc: &'a Value,
    found: Found,
    /// Schemas already searched for `example`.
    seen: BTreeSet<String>,
}

/// Every example of the document `doc` (the raw JSON of an OpenAPI 3.0
/// document).
pub fn find(doc: &Value) -> Found {
    let mut walker = Walker { doc, found: Found::default(), seen: BTreeSet::new() };
    for (path, item) in named_entries(doc.get("paths")) {
        walker.path_item(&format!("#/paths/{}", escape_segment(path)), path, item, false);
    }
    for (name, item) in named_entries(doc.get("x-webhooks")) {
        walker.path_item(&format!("#/x-webhooks/{}", escape_segment(name)), name, item, true);
    }
    if let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) {
        for name in schemas.keys() {
            walker.schema(&format!("#/components/schemas/{}", escape_segment(name)));
        }
    }
    walker.found
}

impl<'a> Walker<'a> {
    fn at(&self, pointer: &str) -> Option<&'a Value> {
        self.doc.pointer(pointer.strip_prefix('#')?)
    }

    /// Follows `$ref`s to the object they end at; answers the object and
    /// its pointer.
    fn resolve(&self, pointer: &str) -> Option<(String, &'a Map<String, Value>)> {
        let pointer = follow_refs(self.doc, pointer);
        let object = self.at(&pointer)?.as_object()?;
        Some((pointer, object))
    }

    fn path_item(&mut self, at: &str, name: &str, whole: &Value, webhook: bool) {
        let Some(item) = whole.as_object() else { return };
        for (method, key, op) in openapi_codegen::v32::operations_of(whole) {
            let Some(op) = op.as_object() else { continue };
            let op_at = format!("{at}/{key}");
            let operation = op
                .get("operationId")
                .and_then(Value::as_str)
                .map_or_else(|| format!("{method} {name}"), str::to_owned);
            if !webhook {
                let lists = [(format!("{at}/parameters"), item.get("parameters")), (format!("{op_at}/parameters"), op.get("parameters"))];
                for (list_at, list) in lists {
                    let count = list.and_then(Value::as_array).map_or(0, Vec::len);
                    for i in 0..count {
                        self.parameter(&format!("{list_at}/{i}"), &operation);
                    }
                }
            }
            if op.contains_key("requestBody") {
                let kind = if webhook { Kind::Event { name: name.to_owned() } } else { Kind::Request { operation: operation.clone() } };
                let direction = if webhook { Direction::Response } else { Direction::Request };
                if let Some((body_at, body)) = self.resolve(&format!("{op_at}/requestBody")) {
                    self.content(&body_at, body.get("content"), &kind, direction);
                }
            }
            if webhook {
                continue;
            }
            for (status, _) in named_entries(op.get("responses")) {
                let used = format!("{op_at}/responses/{}", escape_segment(status));
                let Some((response_at, response)) = self.resolve(&used) else { continue };
                let kind = Kind::Response { operation: operation.clone(), status: status.clone() };
                self.content(&response_at, response.get("content"), &kind, Direction::Response);
            }
        }
    }

    fn parameter(&mut self, at: &str, operation: &str) {
        let Some((param_at, param)) = self.resolve(at) else { return };
        let name = param.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let kind = Kind::Parameter { operation: operation.to_owned(), name };
        if param.contains_key("schema") {
            let schema = format!("{param_at}/schema");
            self.examples_of(&param_at, param, &schema, None, &kind, Direction::Request);
            self.schema(&schema);
        }
        if let Some(content) = param.get("content") {
            self.content(&param_at, Some(content), &kind, Direction::Request);
        }
    }

    /// The examples of each media type of a `content` map.
    fn content(&mut self, at: &str, content: Option<&'a Value>, kind: &Kind, direction: Direction) {
        let Some(content) = content.and_then(Value::as_object) else { return };
        for (media, entry) in content {
            let Some(entry) = entry.as_object() else { continue };
            let media_at = format!("{at}/content/{}", escape_segment(media));
            if !entry.contains_key("schema") {
                continue;
            }
            let schema = format!("{media_at}/schema");
            self.examples_of(&media_at, entry, &schema, Some(media), kind, direction);
            self.schema(&schema);
        }
    }

    /// `example` and `examples` of a media type or a parameter.
    fn examples_of(
        &mut self,
        at: &str,
        holder: &Map<String, Value>,
        schema: &str,
        media: Option<&str>,
        kind: &Kind,
        direction: Direction,
    ) {
        let example = |pointer: String, used_at: String, value: Value| Example {
            pointer,
            used_at,
            schema: schema.to_owned(),
            direction,
            media: media.map(str::to_owned),
            kind: kind.clone(),
            value,
        };
        if let Some(value) = holder.get("example") {
            let pointer = format!("{at}/example");
            self.found.examples.push(example(pointer.clone(), pointer, value.clone()));
        }
        let Some(named) = holder.get("examples").and_then(Value::as_object) else { return };
        for name in named.keys() {
            let used_at = format!("{at}/examples/{}", escape_segment(name));
            let Some((object_at, object)) = self.resolve(&used_at) else {
                self.found.skipped.push(Skipped { pointer: used_at, reason: "the example's `$ref` leads nowhere".into() });
                continue;
            };
            match (object.get("value"), object.get("externalValue")) {
                (Some(value), _) => {
                    let value = value.clone();
                    self.found.examples.push(example(format!("{object_at}/value"), used_at, value));
                }
                (None, Some(external)) => self.found.skipped.push(Skipped {
                    pointer: used_at,
                    reason: format!("`externalValue` ({external}) is not fetched"),
                }),
                (None, None) => {}
            }
        }
    }

    /// The `example`s inside a schema and the schemas it holds (not those
    /// it references: they are visited as components).
    fn schema(&mut self, at: &str) {
        if !self.seen.insert(at.to_owned()) {
            return;
        }
        let Some(schema) = self.at(at).and_then(Value::as_object) else { return };
        if schema.contains_key("$ref") {
            return;
        }
        // A 2020-12 schema's `examples` array (OpenAPI 3.1), else its
        // `example` (3.0; in a 3.1 document's view, the first of `examples`).
        let values: Vec<(String, &Value)> = match schema.get("examples").and_then(Value::as_array) {
            Some(list) => list.iter().enumerate().map(|(i, v)| (format!("{at}/examples/{i}"), v)).collect(),
            None => schema.get("example").map(|v| (format!("{at}/example"), v)).into_iter().collect(),
        };
        for (pointer, value) in values {
            self.found.examples.push(Example {
                pointer: pointer.clone(),
                used_at: pointer,
                schema: at.to_owned(),
                direction: Direction::Neutral,
                media: None,
                kind: Kind::Schema,
                value: value.clone(),
            });
        }
        for key in ["items", "additionalProperties", "not"] {
            if schema.get(key).is_some_and(Value::is_object) {
                self.schema(&format!("{at}/{key}"));
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            let count = schema.get(key).and_then(Value::as_array).map_or(0, Vec::len);
            for i in 0..count {
                self.schema(&format!("{at}/{key}/{i}"));
            }
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for name in properties.keys() {
                self.schema(&format!("{at}/properties/{}", escape_segment(name)));
            }
        }
    }
}
