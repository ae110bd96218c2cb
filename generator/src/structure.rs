//! Locates shape errors precisely. `openapiv3` flattens many maps, which
//! hides the path of a deserialization error below them; this module tries
//! each part of the document on its own and descends into the parts that
//! fail, so the error names the innermost node at fault.

use openapiv3::{MediaType, Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Problem, ProblemKind};
use crate::load::{escape_segment, pointer_of_path};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Every part of the document that fails to deserialize, innermost first.
pub(crate) fn narrow_document(raw: &Value) -> Vec<Problem> {
    let mut found = Vec::new();
    if let Some(Value::Object(paths)) = raw.get("paths") {
        for (path, item) in paths.iter().filter(|(k, _)| !k.starts_with("x-")) {
            path_item(item, &format!("#/paths/{}", escape_segment(path)), &mut found);
        }
    }
    if let Some(Value::Object(components)) = raw.get("components") {
        let each = |section: &str, check: fn(&Value, &str, &mut Vec<Problem>), found: &mut Vec<Problem>| {
            if let Some(Value::Object(map)) = components.get(section) {
                for (name, value) in map {
                    check(value, &format!("#/components/{section}/{}", escape_segment(name)), found);
                }
            }
        };
        each("schemas", schema, &mut found);
        each("parameters", parameter, &mut found);
        each("requestBodies", request_body, &mut found);
        each("responses", response, &mut found);
    }
    found
}

/// Tries `T` on `value`; on failure descends with `inner`, and reports the
/// failure here only if nothing inside was found at fault.
fn narrow<T: DeserializeOwned>(
    value: &Value,
    at: &str,
    found: &mut Vec<Problem>,
    inner: impl FnOnce(&Value, &str, &mut Vec<Problem>),
) {
    let Err(err) = serde_path_to_error::deserialize::<_, T>(value) else { return };
    let before = found.len();
    inner(value, at, found);
    if found.len() == before {
        let sub = pointer_of_path(err.path());
        found.push(Problem {
            pointer: format!("{at}{}", &sub[1..]),
            line: None,
            kind: ProblemKind::Structure(err.inner().to_string()),
            file: None,
        });
    }
}

fn each_in(value: &Value, key: &str, at: &str, found: &mut Vec<Problem>, check: fn(&Value, &str, &mut Vec<Problem>)) {
    match value.get(key) {
        Some(Value::Object(map)) => {
            for (name, v) in map {
                check(v, &format!("{at}/{key}/{}", escape_segment(name)), found);
            }
        }
        Some(Value::Array(list)) => {
            for (i, v) in list.iter().enumerate() {
                check(v, &format!("{at}/{key}/{i}"), found);
            }
        }
        _ => {}
    }
}

fn path_item(value: &Value, at: &str, found: &mut Vec<Problem>) {
    narrow::<ReferenceOr<PathItem>>(value, at, found, |value, at, found| {
        each_in(value, "parameters", at, found, parameter);
        for method in METHODS {
            if let Some(op) = value.get(method) {
                operation(op, &format!("{at}/{method}"), found);
            }
        }
    });
}

fn operation(value: &Value, at: &str, found: &mut Vec<Problem>) {
    narrow::<Operation>(value, at, found, |value, at, found| {
        each_in(value, "parameters", at, found, parameter);
        if let Some(body) = value.get("requestBody") {
            request_body(body, &format!("{at}/requestBody"), found);
        }
        each_in(value, "responses", at, found, response);
    });
}

fn parameter(value: &Value, at: &str, found: &mut Vec<Problem>) {
    narrow::<ReferenceOr<Parameter>>(value, at, found, |value, at, found| {
        if let Some(s) = value.get("schema") {
            schema(s, &format!("{at}/schema"), found);
        }
        each_in(value, "content", at, found, media_type);
    });
}

fn request_body(value: &Value, at: &str, found: &mut Vec<Problem>) {
    narrow::<ReferenceOr<RequestBody>>(value, at, found, |value, at, found| {
        each_in(value, "content", at, found, media_type);
    });
}

fn response(value: &Value, at: &str, found: &mut Vec<Problem>) {
    narrow::<ReferenceOr<Response>>(value, at, found, |value, at, found| {
        each_in(value, "content", at, found, media_type);
    });
}

fn media_type(value: &Value, at: &str, found: &mut Vec<Problem>) {
    narrow::<MediaType>(value, at, found, |value, at, found| {
        if let Some(s) = value.get("schema") {
            schema(s, &format!("{at}/schema"), found);
        }
    });
}

fn schema(value: &Value, at: &str, found: &mut Vec<Problem>) {
    narrow::<ReferenceOr<Schema>>(value, at, found, |value, at, found| {
        each_in(value, "properties", at, found, schema);
        for key in ["allOf", "anyOf", "oneOf"] {
            each_in(value, key, at, found, schema);
        }
        for key in ["items", "not", "additionalProperties"] {
            if let Some(child) = value.get(key).filter(|v| v.is_object()) {
                schema(child, &format!("{at}/{key}"), found);
            }
        }
    });
}
