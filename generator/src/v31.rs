//! OpenAPI 3.1 documents, read as the 3.0 model the rest of the generator
//! knows: the loader calls [`normalize`] on a 3.1 document, and from then
//! on the typed model, the IR builder and the emitters see one shape
//! whatever the version. The original document is kept beside it
//! ([`crate::Document::original`]) for what needs 2020-12 semantics.
//!
//! Every schema keeps its place (its JSON pointer), so errors, examples and
//! `$ref`s point where the author wrote them, except `$defs`, which move
//! into `components.schemas` (their `$ref`s follow them).
//!
//! What becomes what:
//!
//! | 3.1 (JSON Schema 2020-12) | 3.0 as read here |
//! |---|---|
//! | `type: [T, "null"]` | `type: T, nullable: true` |
//! | `type: [A, B, ...]` | `anyOf` of one schema per type |
//! | `type: "null"` | `type: object, nullable: true, enum: [null]` (the generator's "or null" alternative) |
//! | `enum` with `null` | the same, `nullable: true` |
//! | `const: v` | `enum: [v]`, with the value's `type` when none is given |
//! | `examples: [a, ...]` in a schema | kept, and `example: a` |
//! | `exclusiveMinimum: n` (a number) | `minimum: n, exclusiveMinimum: true` (likewise maximum) |
//! | `$ref` with siblings that constrain | `allOf: [{$ref}]` with the siblings beside it |
//! | `$ref` with only annotations (`description`, `title`, ...) beside it | the `$ref` alone |
//! | `true` / `false` schemas | `{}` / `{not: {}}` |
//! | `contentEncoding: base64` / `contentMediaType` alone | `format: byte` / `format: binary` (a string of JSON or `text/*` stays a string) |
//! | `contentSchema` | kept, converted: the schema of an event's data (`text/event-stream`) |
//! | `prefixItems` of fixed length (`items: false`, or `minItems` = `maxItems` = their count) | `x-tuple: n`, `items` as `anyOf` of them (or the one schema when alike): a Rust tuple |
//! | other `prefixItems` | `items`: the one item schema when they are all the same, else `anyOf` of them; documented |
//! | `$defs` | `components.schemas.<parent>_<name>`, `$ref`s rewritten |
//! | `$anchor`, `$id` | `$ref`s to them rewritten to pointers |
//! | `if`/`then`/`else`, `dependentRequired`, `dependentSchemas`, `minContains`, `maxContains`, `unevaluated*`, `contains`, `patternProperties`, `propertyNames`, `$comment`, `$schema`, `$dynamic*`, `$vocabulary` | removed from the typed view (the original keeps them) |
//! | top-level `webhooks` | `x-webhooks` |
//! | `components.pathItems` and `$ref`s to them | the path items inlined |
//! | no `paths` | `paths: {}` |
//! | `mutualTLS` security schemes | left out, with the requirements that name them (the transport's matter) |
//! | callbacks given as `$ref`s to `components.callbacks` | inlined |
//! | an operation without `responses` | `responses: {}` |
//! | `info.summary`, `license.identifier` | removed from the typed view |
//! | `jsonSchemaDialect` other than 2020-12 or an OpenAPI dialect (`https://spec.openapis.org/oas/3.1/dialect/...`, `.../3.2/dialect/...`) | refused, naming it |
//! | a `$ref` outside the document | refused, with its pointer |

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::error::{Problem, ProblemKind};
use crate::load::escape_segment;
use crate::walk::Part;

/// The dialects a 3.1 or 3.2 document may name in `jsonSchemaDialect`:
/// JSON Schema 2020-12 and the OpenAPI dialects built on it (the 3.1 base
/// dialect and every published or draft iteration of the 3.1 and 3.2 ones,
/// `https://spec.openapis.org/oas/3.2/dialect/2025-09-17`), which add
/// only annotations (`discriminator`, `xml`, `externalDocs`, `example`).
pub fn known_dialect(uri: &str) -> bool {
    let uri = uri.trim_end_matches('#');
    uri == "https://json-schema.org/draft/2020-12/schema"
        || ["https://spec.openapis.org/oas/3.1/dialect/", "https://spec.openapis.org/oas/3.2/dialect/"].iter().any(|p| uri.strip_prefix(p).is_some_and(|rest| !rest.is_empty() && !rest.contains('/')))
}

/// Keywords with no meaning for the types, removed from the typed view.
const DROPPED: [&str; 17] = [
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "minContains",
    "maxContains",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "patternProperties",
    "propertyNames",
    "$comment",
    "$schema",
    "$dynamicRef",
    "$dynamicAnchor",
    "$vocabulary",
];

/// Keywords that say something about a value (as opposed to annotations):
/// beside a `$ref` they make an `allOf`.
const ANNOTATIONS: [&str; 10] = ["description", "title", "summary", "example", "examples", "deprecated", "$comment", "default", "externalDocs", "xml"];

/// Whether a raw document is OpenAPI 3.1.
pub fn is_31(raw: &Value) -> bool {
    raw.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.1."))
}

/// Whether a raw document's schemas are JSON Schema 2020-12: OpenAPI 3.1
/// or 3.2.
pub fn is_modern(raw: &Value) -> bool {
    raw.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.1.") || v.starts_with("3.2."))
}

fn problem(pointer: &str, kind: ProblemKind) -> Problem {
    Problem { pointer: pointer.to_owned(), kind, line: None, file: None }
}

/// The 3.0 view of a 3.1 document, and what in it cannot be read.
pub fn normalize(original: &Value) -> (Value, Vec<Problem>) {
    let mut doc = original.clone();
    let mut found = Vec::new();
    if let Some(dialect) = doc.get("jsonSchemaDialect").and_then(Value::as_str)
        && !known_dialect(dialect)
    {
        found.push(problem(
            "#/jsonSchemaDialect",
            ProblemKind::Unsupported(format!("the JSON Schema dialect `{dialect}`: only JSON Schema 2020-12 and the OpenAPI dialects built on it are read")),
        ));
    }
    let Some(root) = doc.as_object_mut() else { return (doc, found) };
    root.insert("openapi".into(), json!("3.0.3"));
    root.remove("jsonSchemaDialect");
    root.entry("paths").or_insert_with(|| json!({}));
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
        }
    }
    if let Some(webhooks) = root.remove("webhooks") {
        match root.get_mut("x-webhooks").and_then(Value::as_object_mut) {
            Some(existing) => {
                for (k, v) in webhooks.as_object().cloned().unwrap_or_default() {
                    existing.entry(k).or_insert(v);
                }
            }
            None => {
                root.insert("x-webhooks".into(), webhooks);
            }
        }
    }
    // Anchors and ids, for `$ref`s that name them.
    let mut names = BTreeMap::new();
    collect_names(&doc, "#", Part::Root, &mut names);
    // `$defs` move into the components, their `$ref`s with them.
    let mut moved = Vec::new();
    hoist_defs(&mut doc, "#", Part::Root, &mut moved);
    if !moved.is_empty() {
        let root = doc.as_object_mut().expect("an object");
        let components = root.entry("components").or_insert_with(|| json!({}));
        let schemas = components.as_object_mut().map(|c| c.entry("schemas").or_insert_with(|| json!({})));
        if let Some(Value::Object(schemas)) = schemas {
            for (from, name, schema) in &moved {
                let mut unique = name.clone();
                let mut n = 2;
                while schemas.contains_key(&unique) {
                    unique = format!("{name}_{n}");
                    n += 1;
                }
                schemas.insert(unique.clone(), schema.clone());
                names.insert(from.clone(), format!("#/components/schemas/{}", escape_segment(&unique)));
            }
        }
    }
    inline_path_items(&mut doc);
    // Callbacks given as `$ref`s, inlined (the typed model reads a callback
    // as its path items only).
    let callbacks = doc.pointer("/components/callbacks").cloned();
    // `mutualTLS` schemes: a matter of the transport, nothing the generated
    // code does; left out of the typed view with the requirements naming them.
    let mtls: Vec<String> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|s| s.iter().filter(|(_, v)| v.get("type").and_then(Value::as_str) == Some("mutualTLS")).map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    if let Some(Value::Object(schemes)) = doc.pointer_mut("/components/securitySchemes") {
        schemes.retain(|k, _| !mtls.contains(k));
    }
    strip_requirements(&mut doc, Part::Root, &mtls);
    // `responses` may be left out of an operation in 3.1.
    for key in ["paths", "x-webhooks"] {
        if let Some(Value::Object(items)) = doc.get_mut(key) {
            for (_, item) in items.iter_mut().filter(|(k, _)| !k.starts_with("x-")) {
                let keys: Vec<String> = crate::v32::operations_of(item).into_iter().map(|(_, key, _)| key).collect();
                for key in keys {
                    if let Some(Value::Object(op)) = item.pointer_mut(&format!("/{key}")) {
                        op.entry("responses").or_insert_with(|| json!({}));
                        if let Some(Value::Object(map)) = op.get_mut("callbacks") {
                            for callback in map.values_mut() {
                                let target = callback.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/callbacks/")).map(|n| n.replace("~1", "/").replace("~0", "~"));
                                if let Some(found) = target.and_then(|n| callbacks.as_ref().and_then(|c| c.get(&n)).cloned()) {
                                    *callback = found;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    rewrite_refs(&mut doc, "#", Part::Root, &names, &mut found);
    walk(&mut doc, Context::Other, Part::Root);
    (doc, found)
}

/// Security requirements without the schemes in `gone` (a requirement left
/// empty by it is dropped, so it does not read as "no credentials").
fn strip_requirements(v: &mut Value, part: Part, gone: &[String]) {
    if gone.is_empty() {
        return;
    }
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(requirements)) = map.get_mut("security") {
                requirements.retain_mut(|r| match r.as_object_mut() {
                    Some(req) if req.keys().any(|k| gone.contains(k)) => {
                        req.retain(|k, _| !gone.contains(k));
                        !req.is_empty()
                    }
                    _ => true,
                });
            }
            for (k, child) in map.iter_mut() {
                if k != "security"
                    && let Some(part) = part.child(k, child)
                {
                    strip_requirements(child, part, gone);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| strip_requirements(i, part, gone)),
        _ => {}
    }
}

/// `$anchor` (as `#name`) and `$id` of every object of a 3.1 document, with
/// the pointers they name: what a `$ref` to them means.
pub fn names(raw: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    collect_names(raw, "#", Part::Root, &mut out);
    out
}

/// `$anchor` and `$id` of every object, with their pointers.
fn collect_names(v: &Value, at: &str, part: Part, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(map) => {
            if let Some(anchor) = map.get("$anchor").and_then(Value::as_str) {
                out.insert(format!("#{anchor}"), at.to_owned());
            }
            if let Some(id) = map.get("$id").and_then(Value::as_str) {
                out.insert(id.to_owned(), at.to_owned());
            }
            for (k, child) in map {
                if let Some(part) = part.child(k, child) {
                    collect_names(child, &format!("{at}/{}", escape_segment(k)), part, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_names(child, &format!("{at}/{i}"), part, out);
            }
        }
        _ => {}
    }
}

/// Takes every `$defs` entry out of the document: (its old pointer, a name
/// for it, the schema).
fn hoist_defs(v: &mut Value, at: &str, part: Part, out: &mut Vec<(String, String, Value)>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(defs)) = map.remove("$defs") {
                let parent = at.rsplit('/').next().unwrap_or("defs").replace("~1", "_").replace("~0", "_");
                for (name, mut schema) in defs {
                    let from = format!("{at}/$defs/{}", escape_segment(&name));
                    hoist_defs(&mut schema, &from, Part::Fields, out);
                    let name = if parent == "#" || parent.is_empty() { name } else { format!("{parent}_{name}") };
                    out.push((from, name, schema));
                }
            }
            for (k, child) in map.iter_mut() {
                if let Some(part) = part.child(k, child) {
                    hoist_defs(child, &format!("{at}/{}", escape_segment(k)), part, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                hoist_defs(child, &format!("{at}/{i}"), part, out);
            }
        }
        _ => {}
    }
}

/// Path items given as `$ref`s to `components.pathItems`, inlined.
fn inline_path_items(doc: &mut Value) {
    let items = doc.pointer("/components/pathItems").cloned();
    for key in ["paths", "x-webhooks"] {
        let Some(Value::Object(paths)) = doc.get_mut(key) else { continue };
        for (_, item) in paths.iter_mut().filter(|(k, _)| !k.starts_with("x-")) {
            for _ in 0..8 {
                let Some(target) = item.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/pathItems/")) else { break };
                let name = target.replace("~1", "/").replace("~0", "~");
                let Some(found) = items.as_ref().and_then(|i| i.get(&name)).cloned() else { break };
                *item = found;
            }
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        components.remove("pathItems");
    }
}

/// `$ref`s to anchors, ids and moved `$defs` rewritten to pointers;
/// `$ref`s out of the document refused.
fn rewrite_refs(v: &mut Value, at: &str, part: Part, names: &BTreeMap<String, String>, found: &mut Vec<Problem>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                if let Some(to) = names.get(target.as_str()) {
                    *target = to.clone();
                } else if let Some((from, to)) = names.iter().filter(|(k, _)| k.starts_with("#/")).find(|(k, _)| target.starts_with(&format!("{k}/"))) {
                    *target = format!("{to}{}", &target[from.len()..]);
                } else if !target.starts_with('#') {
                    found.push(problem(&format!("{at}/$ref"), ProblemKind::ExternalRef(target.clone())));
                }
            }
            for (k, child) in map.iter_mut() {
                if let Some(part) = part.child(k, child) {
                    rewrite_refs(child, &format!("{at}/{}", escape_segment(k)), part, names, found);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                rewrite_refs(child, &format!("{at}/{i}"), part, names, found);
            }
        }
        _ => {}
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// A schema.
    Schema,
    /// A map whose values are schemas (`properties`, `components.schemas`).
    Schemas,
    /// An array of schemas (`allOf`, ...).
    SchemaList,
    /// Anything else of the document.
    Other,
}

/// Walks the document, converting every schema (children first). `part`
/// says what the keys of `v` are (outside schemas).
fn walk(v: &mut Value, context: Context, part: Part) {
    match context {
        Context::Schema => {
            convert_children(v);
            convert(v);
        }
        Context::Schemas => {
            if let Value::Object(map) = v {
                map.values_mut().for_each(|child| walk(child, Context::Schema, Part::Fields));
            }
        }
        Context::SchemaList => {
            if let Value::Array(items) = v {
                items.iter_mut().for_each(|child| walk(child, Context::Schema, Part::Fields));
            }
        }
        Context::Other => match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    let Some(inner) = part.child(k, child) else { continue };
                    let next = match k.as_str() {
                        "schema" if part != Part::Names => Context::Schema,
                        "schemas" if part == Part::Components => Context::Schemas,
                        _ => Context::Other,
                    };
                    walk(child, next, inner);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|child| walk(child, Context::Other, part)),
            _ => {}
        },
    }
}

/// The schemas inside a schema, by the keyword that holds them.
fn convert_children(v: &mut Value) {
    let Value::Object(map) = v else { return };
    for (k, child) in map.iter_mut() {
        // `additionalProperties: true|false` means the same in 3.0.
        if k == "additionalProperties" && child.is_boolean() {
            continue;
        }
        let context = match k.as_str() {
            "items" | "additionalProperties" | "not" | "contains" | "if" | "then" | "else" | "propertyNames" | "unevaluatedProperties" | "unevaluatedItems" | "additionalItems" | "contentSchema" => {
                Context::Schema
            }
            "properties" | "patternProperties" | "dependentSchemas" => Context::Schemas,
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => Context::SchemaList,
            _ => continue,
        };
        walk(child, context, Part::Fields);
    }
}

/// Whether a `contentMediaType` is text: JSON (or a `+json` type) or `text/*`.
fn is_textual(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence.starts_with("text/") || essence == "application/json" || essence.ends_with("+json")
}

/// One schema, in place: 2020-12 as 3.0 (the table in the module docs).
fn convert(v: &mut Value) {
    match v {
        Value::Bool(true) => {
            *v = json!({});
            return;
        }
        Value::Bool(false) => {
            *v = json!({"not": {}});
            return;
        }
        _ => {}
    }
    let Value::Object(map) = v else { return };
    // Constraints the types cannot express are said in the docs.
    let unexpressed: Vec<&str> = DROPPED.iter().copied().filter(|k| !k.starts_with('$') && map.contains_key(*k)).collect();
    for keyword in DROPPED {
        map.remove(keyword);
    }
    if !unexpressed.is_empty() {
        let list: Vec<String> = unexpressed.iter().map(|k| format!("`{k}`")).collect();
        let note = format!("Also constrained by {} (JSON Schema 2020-12), which this type does not express: the contract validator checks it.", list.join(", "));
        let description = map.get("description").and_then(Value::as_str).map(|d| format!("{d}\n\n{note}")).unwrap_or(note);
        map.insert("description".into(), Value::String(description));
    }
    map.remove("$anchor");
    map.remove("$id");
    // `$ref` with siblings: the siblings apply too.
    if map.contains_key("$ref") && map.keys().any(|k| k != "$ref" && !ANNOTATIONS.contains(&k.as_str())) {
        let target = map.remove("$ref").unwrap_or(Value::Null);
        let mut all_of = match map.remove("allOf") {
            Some(Value::Array(parts)) => parts,
            _ => Vec::new(),
        };
        all_of.insert(0, json!({"$ref": target}));
        map.insert("allOf".into(), Value::Array(all_of));
    } else if map.contains_key("$ref") {
        map.retain(|k, _| k == "$ref");
        return;
    }
    if let Some(c) = map.remove("const")
        && !map.contains_key("enum")
    {
        // Without a `type`, the constant's own.
        let ty = match &c {
            Value::String(_) => Some("string"),
            Value::Bool(_) => Some("boolean"),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
            Value::Number(_) => Some("number"),
            _ => None,
        };
        if let Some(ty) = ty.filter(|_| !map.contains_key("type")) {
            map.insert("type".into(), json!(ty));
        }
        map.insert("enum".into(), Value::Array(vec![c]));
    }
    if let Some(first) = map.get("examples").and_then(Value::as_array).and_then(|e| e.first()).cloned() {
        map.entry("example").or_insert(first);
    }
    for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(n) = map.get(exclusive).filter(|e| e.is_number()).cloned() {
            map.insert(bound.into(), n);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    match map.get("contentEncoding").and_then(Value::as_str) {
        Some("base64") | Some("base64url") => {
            map.entry("format").or_insert(json!("byte"));
        }
        // Text in a string (JSON, `text/*`) is text, whatever it holds;
        // any other content is a file.
        _ => match map.get("contentMediaType").and_then(Value::as_str) {
            Some(media) if is_textual(media) => {}
            Some(_) => {
                map.entry("format").or_insert(json!("binary"));
            }
            None => {}
        },
    }
    map.remove("contentEncoding");
    map.remove("contentMediaType");
    // `items: false` after `prefixItems` (read as `{not: {}}` by now) closes
    // the tuple.
    let closed = map.get("items") == Some(&json!({"not": {}})) || map.get("items") == Some(&Value::Bool(false));
    if closed && map.contains_key("prefixItems") {
        map.remove("items");
    }
    if let Some(Value::Array(prefix)) = map.remove("prefixItems")
        && !map.contains_key("items")
    {
        let n = prefix.len();
        let size = |key: &str| map.get(key).and_then(Value::as_u64).map(|v| v as usize);
        if n > 0 && (closed || (size("minItems") >= Some(n) && size("maxItems").is_some_and(|m| m <= n))) {
            // A tuple of fixed length: the generator makes it a Rust tuple.
            map.insert("x-tuple".into(), json!(n));
            map.insert("minItems".into(), json!(n));
            map.insert("maxItems".into(), json!(n));
        }
        let note = if map.contains_key("x-tuple") { "A tuple (`prefixItems`)." } else { "`prefixItems`: its items are read as any of the item schemas." };
        let same = prefix.windows(2).all(|w| w[0] == w[1]);
        map.insert("items".into(), if same && !prefix.is_empty() { prefix[0].clone() } else { json!({"anyOf": prefix}) });
        let description = map.get("description").and_then(Value::as_str).map(|d| format!("{d}\n\n{note}")).unwrap_or_else(|| note.to_owned());
        map.insert("description".into(), Value::String(description));
    }
    let has_null_enum = map.get("enum").and_then(Value::as_array).is_some_and(|e| e.iter().any(Value::is_null));
    match map.get("type").cloned() {
        Some(Value::Array(types)) => {
            let null = types.iter().any(|t| t == "null");
            let others: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
            match others.as_slice() {
                [] => {
                    map.insert("type".into(), json!("object"));
                    map.insert("enum".into(), json!([null]));
                }
                [one] => {
                    map.insert("type".into(), one.clone());
                }
                many => {
                    map.remove("type");
                    let alternatives: Vec<Value> = many.iter().map(|t| json!({"type": t})).collect();
                    map.insert("anyOf".into(), Value::Array(alternatives));
                }
            }
            if null {
                map.insert("nullable".into(), Value::Bool(true));
            }
        }
        Some(Value::String(t)) if t == "null" => {
            map.insert("type".into(), json!("object"));
            map.insert("nullable".into(), Value::Bool(true));
            map.insert("enum".into(), json!([null]));
        }
        _ => {}
    }
    if has_null_enum {
        map.insert("nullable".into(), Value::Bool(true));
    }
}

/// A 3.0 document written as 3.1, for tests and benchmarks of the 3.1 path
/// (the reverse of [`normalize`] for what 3.0 documents write): `nullable`
/// as a `type` array, the "or null" alternative as `{type: "null"}`, schema
/// `example` as `examples`, `x-webhooks` as `webhooks`.
pub fn from_30(raw: &Value) -> Value {
    fn schema_children(v: &mut Value) {
        let Value::Object(map) = v else { return };
        for (k, child) in map.iter_mut() {
            match k.as_str() {
                "items" | "not" => to_31(child, true),
                "additionalProperties" if child.is_object() => to_31(child, true),
                "properties" => child.as_object_mut().into_iter().flat_map(|m| m.values_mut()).for_each(|s| to_31(s, true)),
                "allOf" | "anyOf" | "oneOf" => child.as_array_mut().into_iter().flatten().for_each(|s| to_31(s, true)),
                _ => {}
            }
        }
    }
    fn to_31(v: &mut Value, schema: bool) {
        if schema {
            schema_children(v);
            let Value::Object(map) = v else { return };
            if map.remove("nullable") == Some(Value::Bool(true)) {
                if map.get("enum").and_then(Value::as_array).is_some_and(|e| e.iter().all(Value::is_null)) {
                    map.clear();
                    map.insert("type".into(), json!("null"));
                    return;
                }
                if let Some(Value::String(t)) = map.get("type").cloned() {
                    map.insert("type".into(), json!([t, "null"]));
                }
            }
            if let Some(example) = map.remove("example") {
                map.insert("examples".into(), json!([example]));
            }
            return;
        }
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    match k.as_str() {
                        "example" | "examples" | "enum" | "default" => {}
                        "schema" => to_31(child, true),
                        "schemas" => child.as_object_mut().into_iter().flat_map(|m| m.values_mut()).for_each(|s| to_31(s, true)),
                        _ => to_31(child, false),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| to_31(i, false)),
            _ => {}
        }
    }
    let mut doc = raw.clone();
    to_31(&mut doc, false);
    if let Some(root) = doc.as_object_mut() {
        root.insert("openapi".into(), json!("3.1.0"));
        if let Some(hooks) = root.remove("x-webhooks") {
            root.insert("webhooks".into(), hooks);
        }
    }
    doc
}
