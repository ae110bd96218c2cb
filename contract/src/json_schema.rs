//! OpenAPI 3.0 schemas translated to JSON Schema (draft 2020-12), so that
//! an independent validator can check the same values: the cross-check of
//! [`crate::validator`] against Python's `jsonschema` runs on these.
//!
//! The translation reads the spec's JSON directly (not the validator's
//! compiled form), so a misreading in one is not repeated in the other:
//!
//! - `nullable: true` becomes `null` among the `type`s (OpenAPI 3.0.3: only
//!   where `type` is given, every other keyword still applying), or
//!   `anyOf: [{type: null}, <the rest>]` (3.0.0 to 3.0.2: whatever the rest
//!   says), as [`crate::validator::strict_nullable`] decides;
//! - boolean `exclusiveMinimum` / `exclusiveMaximum` become the numeric
//!   keywords of 2020-12;
//! - `int32` / `int64` become bounds, the formats JSON Schema knows
//!   (`date-time`, `date`, `email`, `uuid`, `ipv4`, `ipv6`, `uri`) stay, and
//!   the others are dropped;
//! - for a direction, a property the direction forbids (`readOnly` in a
//!   request, `writeOnly` in a response) becomes `false` and leaves
//!   `required`;
//! - each `$ref` target becomes an entry of `$defs`; siblings of `$ref` are
//!   dropped, as OpenAPI 3.0 says.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::validator::CompileError;
use crate::Direction;

const KEPT: &[&str] = &[
    "type", "enum", "multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "minProperties",
    "maxProperties",
];
const FORMATS: &[&str] = &["date-time", "date", "email", "uuid", "ipv4", "ipv6", "uri"];

struct Translator<'a> {
    doc: &'a Value,
    strict_nullable: bool,
    direction: Direction,
    names: BTreeMap<String, String>,
    queue: Vec<String>,
}

/// The schema at `pointer` of the OpenAPI document `doc`, for values
/// travelling in `direction`, as a self-contained JSON Schema.
pub fn translate(doc: &Value, pointer: &str, direction: Direction) -> Result<Value, CompileError> {
    let strict_nullable = crate::validator::strict_nullable(doc);
    let mut t = Translator { doc, strict_nullable, direction, names: BTreeMap::new(), queue: Vec::new() };
    let root = t.name(pointer);
    let mut defs = Map::new();
    while let Some(at) = t.queue.pop() {
        let schema = t.at(&at)?;
        let translated = t.schema(schema, &at)?;
        defs.insert(t.names[&at].clone(), translated);
    }
    Ok(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/$defs/{root}"),
        "$defs": defs,
    }))
}

impl<'a> Translator<'a> {
    fn at(&self, pointer: &str) -> Result<&'a Value, CompileError> {
        pointer
            .strip_prefix('#')
            .and_then(|p| self.doc.pointer(p))
            .ok_or_else(|| CompileError { pointer: pointer.to_owned(), message: "no schema at this pointer".into() })
    }

    /// The `$defs` name of a pointer, queueing it the first time.
    fn name(&mut self, pointer: &str) -> String {
        if let Some(name) = self.names.get(pointer) {
            return name.clone();
        }
        let name = format!("s{}", self.names.len());
        self.names.insert(pointer.to_owned(), name.clone());
        self.queue.push(pointer.to_owned());
        name
    }

    /// Whether the property schema (through `$ref`s) is forbidden in the
    /// direction.
    fn forbidden(&self, schema: &Value) -> bool {
        let mut schema = schema;
        for _ in 0..16 {
            match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')).and_then(|r| self.doc.pointer(r)) {
                Some(target) => schema = target,
                None => break,
            }
        }
        let flag = |key: &str| schema.get(key).and_then(Value::as_bool).unwrap_or(false);
        match self.direction {
            Direction::Request => flag("readOnly"),
            Direction::Response => flag("writeOnly"),
            Direction::Neutral => false,
        }
    }

    fn schema(&mut self, schema: &Value, at: &str) -> Result<Value, CompileError> {
        let map = match schema {
            Value::Object(map) => map,
            Value::Bool(b) => return Ok(Value::Bool(*b)),
            _ => return Err(CompileError { pointer: at.to_owned(), message: "a schema must be an object".into() }),
        };
        if let Some(target) = map.get("$ref").and_then(Value::as_str) {
            return Ok(json!({"$ref": format!("#/$defs/{}", self.name(target))}));
        }
        let mut out = Map::new();
        for key in KEPT {
            if let Some(value) = map.get(*key) {
                out.insert((*key).to_owned(), value.clone());
            }
        }
        let mut all_of = Vec::new();
        match map.get("format").and_then(Value::as_str) {
            Some("int32") => all_of.push(json!({"minimum": i32::MIN, "maximum": i32::MAX})),
            Some("int64") => all_of.push(json!({"minimum": i64::MIN, "maximum": i64::MAX})),
            Some(format) if FORMATS.contains(&format) => {
                out.insert("format".into(), Value::String(format.to_owned()));
            }
            _ => {}
        }
        let flag = |key: &str| map.get(key).and_then(Value::as_bool).unwrap_or(false);
        for (bound, exclusive_flag, exclusive) in [("minimum", "exclusiveMinimum", flag("exclusiveMinimum")), ("maximum", "exclusiveMaximum", flag("exclusiveMaximum"))] {
            if let Some(value) = map.get(bound) {
                out.insert(if exclusive { exclusive_flag } else { bound }.to_owned(), value.clone());
            }
        }
        let child = |key: &str| format!("{at}/{}", openapi_codegen::escape_segment(key));
        if let Some(items) = map.get("items") {
            out.insert("items".into(), self.schema(items, &child("items"))?);
        }
        let mut forbidden = Vec::new();
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            let mut translated = Map::new();
            for (name, property) in properties {
                let value = if self.forbidden(property) {
                    forbidden.push(name.clone());
                    Value::Bool(false)
                } else {
                    self.schema(property, &format!("{}/{}", child("properties"), openapi_codegen::escape_segment(name)))?
                };
                translated.insert(name.clone(), value);
            }
            out.insert("properties".into(), Value::Object(translated));
        }
        if let Some(required) = map.get("required").and_then(Value::as_array) {
            let kept: Vec<Value> = required.iter().filter(|n| !n.as_str().is_some_and(|n| forbidden.iter().any(|f| f == n))).cloned().collect();
            out.insert("required".into(), Value::Array(kept));
        }
        match map.get("additionalProperties") {
            Some(Value::Bool(b)) => {
                out.insert("additionalProperties".into(), Value::Bool(*b));
            }
            Some(schema @ Value::Object(_)) => {
                out.insert("additionalProperties".into(), self.schema(schema, &child("additionalProperties"))?);
            }
            _ => {}
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(parts) = map.get(key).and_then(Value::as_array) {
                let mut translated = Vec::new();
                for (i, part) in parts.iter().enumerate() {
                    translated.push(self.schema(part, &format!("{}/{i}", child(key)))?);
                }
                if key == "allOf" {
                    all_of.extend(translated);
                } else {
                    out.insert(key.to_owned(), Value::Array(translated));
                }
            }
        }
        if !all_of.is_empty() {
            out.insert("allOf".into(), Value::Array(all_of));
        }
        if let Some(not) = map.get("not") {
            out.insert("not".into(), self.schema(not, &child("not"))?);
        }
        if self.strict_nullable {
            if flag("nullable")
                && let Some(Value::String(t)) = out.get("type").cloned()
            {
                out.insert("type".into(), json!([t, "null"]));
            }
            return Ok(Value::Object(out));
        }
        let out = Value::Object(out);
        Ok(if flag("nullable") { json!({"anyOf": [{"type": "null"}, out]}) } else { out })
    }
}

#[cfg(test)]
mod tests {
    use super::translate;
    use crate::Direction;
    use serde_json::json;

    #[test]
    fn openapi_keywords_become_json_schema() {
        let doc = json!({"components": {"schemas": {
            "user": {
                "type": "object",
                "required": ["id", "age"],
                "properties": {
                    "id": {"type": "string", "readOnly": true},
                    "age": {"type": "integer", "format": "int32", "minimum": 0, "exclusiveMinimum": true},
                    "friend": {"$ref": "#/components/schemas/user", "description": "ignored"},
                    "note": {"type": "string", "nullable": true, "format": "unix-time"},
                },
            },
        }}});
        let request = translate(&doc, "#/components/schemas/user", Direction::Request).unwrap();
        assert_eq!(
            request,
            json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": "#/$defs/s0",
                "$defs": {"s0": {
                    "type": "object",
                    "required": ["age"],
                    "properties": {
                        "id": false,
                        "age": {"type": "integer", "exclusiveMinimum": 0, "allOf": [{"minimum": i32::MIN, "maximum": i32::MAX}]},
                        "friend": {"$ref": "#/$defs/s0"},
                        "note": {"anyOf": [{"type": "null"}, {"type": "string"}]},
                    },
                }},
            })
        );
        let response = translate(&doc, "#/components/schemas/user", Direction::Response).unwrap();
        assert_eq!(response["$defs"]["s0"]["required"], json!(["id", "age"]));
    }
}
