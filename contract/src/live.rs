//! Check 4: a live server. Every exchange is validated against the spec
//! ([`validate_exchange`]): the request's parameters and body against
//! their schemas, and the response's status (declared?), content type
//! (declared for that status?) and body (the declared schema).
//!
//! A success status (2xx) must be declared by its code or its range
//! (`2XX`): a `default` response is taken to describe errors only, as
//! specs that use it (Stripe's among them) mean it.
//!
//! What is sent is described as data, by Arazzo workflows
//! ([`crate::arazzo`]): nothing here knows any particular API.

use serde_json::{Map, Value};

use crate::checks::Spec;
use crate::client::Transcript;
use crate::http::Response;
use crate::validator::{Additional, Validator, ty};
use crate::{Direction, SchemaId};

/// What was sent and what came back.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Upper-case method.
    pub method: String,
    /// The path as sent, without the query.
    pub path: String,
    /// The query string as sent (without `?`), percent-encoded.
    pub query: String,
    /// The request's `Content-Type` and body, if it had one.
    pub body: Option<(String, Vec<u8>)>,
    /// The response.
    pub response: Response,
    /// The bytes on the wire.
    pub transcript: Transcript,
}

/// An operation of the spec: where it is and its path parameters' values.
struct Found {
    pointer: String,
    path_item: String,
    params: Vec<(String, String)>,
}

/// The operation a method and concrete path belong to: the template that
/// matches with the most literal segments.
fn find_operation(spec: &Spec, method: &str, path: &str) -> Option<Found> {
    let paths = openapi_codegen::walk::named_entries(spec.doc.raw.get("paths"));
    let actual: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, Found)> = None;
    for (template, item) in paths {
        // The method as sent: the fixed fields' in any case, the others
        // (3.2 `additionalOperations`) exactly.
        let operations = openapi_codegen::v32::operations_of(item);
        let Some((_, key, _)) = operations.iter().find(|(m, key, _)| m == method || (!key.contains('/') && m.eq_ignore_ascii_case(method))) else {
            continue;
        };
        let key = key.clone();
        let parts: Vec<&str> = template.split('/').collect();
        if parts.len() != actual.len() {
            continue;
        }
        let mut literal = 0;
        let mut params = Vec::new();
        let matched = parts.iter().zip(&actual).all(|(t, a)| match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            Some(name) => {
                params.push((name.to_owned(), percent_decode(a)));
                !a.is_empty()
            }
            None => {
                literal += 1;
                t == a
            }
        });
        if matched && best.as_ref().is_none_or(|(n, _)| literal > *n) {
            let path_item = format!("#/paths/{}", openapi_codegen::escape_segment(template));
            best = Some((literal, Found { pointer: format!("{path_item}/{key}"), path_item, params }));
        }
    }
    best.map(|(_, found)| found)
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// The tree of form pairs: `a[b][0]=x` nests, `a[]=x` appends, a plain key
/// given twice becomes an array. Leaves are strings.
pub fn form_tree(pairs: impl IntoIterator<Item = (String, String)>) -> Value {
    let mut root = Value::Object(Map::new());
    for (key, value) in pairs {
        let (head, rest) = match key.find('[') {
            Some(at) => (&key[..at], &key[at..]),
            None => (key.as_str(), ""),
        };
        let mut path = vec![head.to_owned()];
        let mut rest = rest;
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(close) = inner.find(']') else { break };
            path.push(inner[..close].to_owned());
            rest = &inner[close + 1..];
        }
        insert(&mut root, &path, value);
    }
    root
}

fn insert(node: &mut Value, path: &[String], value: String) {
    let Some((first, rest)) = path.split_first() else { return };
    if first.is_empty() {
        if !node.is_array() {
            *node = Value::Array(Vec::new());
        }
        if let Value::Array(items) = node {
            if rest.is_empty() {
                items.push(Value::String(value));
            } else {
                let mut child = Value::Object(Map::new());
                insert(&mut child, rest, value);
                items.push(child);
            }
        }
        return;
    }
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    let Value::Object(map) = node else { return };
    if rest.is_empty() {
        match map.get_mut(first) {
            Some(Value::Array(items)) => items.push(Value::String(value)),
            Some(previous @ Value::String(_)) => {
                let old = previous.take();
                *previous = Value::Array(vec![old, Value::String(value)]);
            }
            _ => {
                map.insert(first.clone(), Value::String(value));
            }
        }
        return;
    }
    let child = map.entry(first.clone()).or_insert_with(|| Value::Object(Map::new()));
    insert(child, rest, value);
}

/// The JSON types a schema (with its alternatives and parts) admits.
fn admitted(v: &Validator, id: usize, depth: usize) -> u8 {
    let Some((_, checks)) = v.checks(id) else { return 0 };
    if depth > 8 {
        return checks.types;
    }
    let mut types = checks.types;
    if types == 0 && checks.object.is_some() {
        types |= ty::OBJECT;
    }
    for &part in checks.any_of.iter().chain(&checks.one_of).chain(&checks.all_of) {
        types |= admitted(v, part, depth + 1);
    }
    types
}

/// Reads the strings of a form tree as the types the schema wants:
/// numbers, booleans, arrays from `[0]`-indexed objects.
fn coerce(v: &Validator, id: usize, value: &mut Value, depth: usize) {
    if depth > 32 {
        return;
    }
    let types = admitted(v, id, 0);
    match value {
        Value::String(text) => {
            let number = |t: &str| t.parse::<i64>().ok().map(Value::from).or_else(|| t.parse::<f64>().ok().and_then(|f| serde_json::Number::from_f64(f).map(Value::Number)));
            let replaced = if types & ty::STRING != 0 && types & (ty::INTEGER | ty::NUMBER | ty::BOOLEAN) == 0 {
                None
            } else if types & (ty::INTEGER | ty::NUMBER) != 0 && number(text).is_some() {
                number(text)
            } else if types & ty::BOOLEAN != 0 && (text == "true" || text == "false") {
                Some(Value::Bool(text == "true"))
            } else {
                None
            };
            if let Some(replaced) = replaced {
                *value = replaced;
            }
        }
        Value::Object(map) if types & ty::ARRAY != 0 && types & ty::OBJECT == 0 && map.keys().all(|k| k.parse::<usize>().is_ok()) => {
            let mut items: Vec<(usize, Value)> = std::mem::take(map).into_iter().map(|(k, v)| (k.parse().unwrap_or(0), v)).collect();
            items.sort_by_key(|(i, _)| *i);
            *value = Value::Array(items.into_iter().map(|(_, v)| v).collect());
            coerce(v, id, value, depth + 1);
        }
        Value::Array(items) => {
            for item_schema in item_schemas(v, id, 0) {
                for item in items.iter_mut() {
                    coerce(v, item_schema, item, depth + 1);
                }
            }
        }
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if let Some(schema) = property_schema(v, id, key, 0) {
                    coerce(v, schema, child, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// The schemas of a schema's array items, through its alternatives.
fn item_schemas(v: &Validator, id: usize, depth: usize) -> Vec<usize> {
    let Some((_, checks)) = v.checks(id) else { return Vec::new() };
    let mut out: Vec<usize> = checks.items.as_ref().and_then(|i| i.items).into_iter().collect();
    if depth < 8 {
        for &part in checks.any_of.iter().chain(&checks.one_of).chain(&checks.all_of) {
            out.extend(item_schemas(v, part, depth + 1));
        }
    }
    out
}

/// The schema of a property, through alternatives and parts.
fn property_schema(v: &Validator, id: usize, key: &str, depth: usize) -> Option<usize> {
    let (_, checks) = v.checks(id)?;
    if let Some(object) = &checks.object {
        if let Ok(i) = object.properties.binary_search_by(|p| p.name.as_str().cmp(key)) {
            return Some(object.properties[i].node);
        }
        if let Additional::Schema(schema) = object.additional {
            return Some(schema);
        }
    }
    if depth >= 8 {
        return None;
    }
    checks.any_of.iter().chain(&checks.one_of).chain(&checks.all_of).find_map(|&part| property_schema(v, part, key, depth + 1))
}

/// How an exchange breaks the contract of a spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Violations {
    /// What the request does that the spec does not allow.
    pub request: Vec<String>,
    /// What the response does that the spec does not allow.
    pub response: Vec<String>,
}

/// Every way an exchange breaks the contract of `spec`.
pub fn validate_exchange(spec: &mut Spec, exchange: &Exchange) -> Violations {
    let Some(found) = find_operation(spec, &exchange.method, &exchange.path) else {
        let problem = format!("{} {} is not an operation of the spec", exchange.method, exchange.path);
        return Violations { request: vec![problem], response: Vec::new() };
    };
    let mut request = check_parameters(spec, &found, exchange);
    request.extend(check_request_body(spec, &found, exchange));
    Violations { request, response: check_response(spec, &found, &exchange.response) }
}

/// Compiles a schema pointer, or says why it cannot be.
fn compile(spec: &mut Spec, pointer: &str) -> Result<SchemaId, String> {
    spec.validator.compile(pointer).map_err(|e| format!("the schema at {} cannot be compiled: {e}", e.pointer))
}

fn validate(spec: &Spec, id: SchemaId, value: &Value, direction: Direction, what: &str) -> Vec<String> {
    match spec.validator.validate(id, value, direction) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.iter().map(|e| format!("{what}: {e}")).collect(),
    }
}

fn check_parameters(spec: &mut Spec, found: &Found, exchange: &Exchange) -> Vec<String> {
    let mut out = Vec::new();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(exchange.query.as_bytes()).into_owned().collect();
    let query = form_tree(pairs);
    let mut declared = Vec::new();
    for list in [format!("{}/parameters", found.path_item), format!("{}/parameters", found.pointer)] {
        let count = spec.doc.resolve_pointer(&list).and_then(Value::as_array).map_or(0, Vec::len);
        for i in 0..count {
            let at = spec.resolve(&format!("{list}/{i}"));
            let Some(param) = spec.doc.resolve_pointer(&at).cloned() else { continue };
            let name = param.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
            let place = param.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
            declared.retain(|(n, p, _, _): &(String, String, String, Value)| !(n == &name && p == &place));
            declared.push((name, place, at, param));
        }
    }
    for (name, place, at, param) in declared {
        let required = param.get("required").and_then(Value::as_bool).unwrap_or(false) || place == "path";
        // An OpenAPI 3.2 `in: querystring` parameter: the whole query string,
        // read as its one media type says.
        if param.get(openapi_codegen::v32::QUERYSTRING).is_some() {
            let Some((media, _)) = param.get("content").and_then(Value::as_object).and_then(|c| c.iter().next()) else { continue };
            if exchange.query.is_empty() {
                if required {
                    out.push(format!("request: the required query string `{name}` is missing"));
                }
                continue;
            }
            let form = openapi_codegen::ir::MediaKind::of(media) == openapi_codegen::ir::MediaKind::Form;
            let mut value = match openapi_codegen::ir::MediaKind::of(media) {
                openapi_codegen::ir::MediaKind::Form => query.clone(),
                kind => match percent_encoding::percent_decode_str(&exchange.query).decode_utf8().ok() {
                    Some(text) if kind == openapi_codegen::ir::MediaKind::Json => match serde_json::from_str(&text) {
                        Ok(value) => value,
                        Err(e) => {
                            out.push(format!("request: the query string `{name}` is not JSON: {e}"));
                            continue;
                        }
                    },
                    Some(text) => Value::String(text.into_owned()),
                    None => {
                        out.push(format!("request: the query string `{name}` is not UTF-8 text"));
                        continue;
                    }
                },
            };
            match compile(spec, &format!("{at}/content/{}/schema", openapi_codegen::escape_segment(media))) {
                Err(e) => out.push(e),
                Ok(id) => {
                    // A form's leaves are text: read as the schema's types.
                    if form {
                        coerce(&spec.validator, id.0, &mut value, 0);
                    }
                    out.extend(validate(spec, id, &value, Direction::Request, &format!("request query string `{name}`")));
                }
            }
            continue;
        }
        let mut value = match place.as_str() {
            "query" => match query.get(&name) {
                Some(value) => value.clone(),
                None => {
                    if required {
                        out.push(format!("request: the required query parameter `{name}` is missing"));
                    }
                    continue;
                }
            },
            "path" => match found.params.iter().find(|(n, _)| n == &name) {
                Some((_, value)) => Value::String(value.clone()),
                None => continue,
            },
            _ => continue,
        };
        if param.get("schema").is_none() {
            continue;
        }
        match compile(spec, &format!("{at}/schema")) {
            Err(e) => out.push(e),
            Ok(id) => {
                coerce(&spec.validator, id.0, &mut value, 0);
                out.extend(validate(spec, id, &value, Direction::Request, &format!("request {place} parameter `{name}`")));
            }
        }
    }
    out
}

fn check_request_body(spec: &mut Spec, found: &Found, exchange: &Exchange) -> Vec<String> {
    let body_at = spec.resolve(&format!("{}/requestBody", found.pointer));
    let Some(body) = spec.doc.resolve_pointer(&body_at).cloned() else {
        return match &exchange.body {
            Some((_, bytes)) if !bytes.is_empty() => vec!["request: a body was sent, but the operation declares none".into()],
            _ => Vec::new(),
        };
    };
    let required = body.get("required").and_then(Value::as_bool).unwrap_or(false);
    let Some((content_type, bytes)) = exchange.body.as_ref().filter(|(_, b)| !b.is_empty()) else {
        return if required { vec!["request: the required body is missing".into()] } else { Vec::new() };
    };
    let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some(content) = body.get("content").and_then(Value::as_object) else { return Vec::new() };
    if !content.contains_key(&media) {
        let declared: Vec<&String> = content.keys().collect();
        return vec![format!("request: Content-Type `{media}` is not declared (declared: {declared:?})")];
    }
    let schema = format!("{body_at}/content/{}/schema", openapi_codegen::escape_segment(&media));
    let mut value = if media == "application/x-www-form-urlencoded" {
        form_tree(form_urlencoded::parse(bytes).into_owned())
    } else {
        match serde_json::from_slice(bytes) {
            Ok(value) => value,
            Err(e) => return vec![format!("request: the body is not JSON: {e}")],
        }
    };
    match compile(spec, &schema) {
        Err(e) => vec![e],
        Ok(id) => {
            if media == "application/x-www-form-urlencoded" {
                coerce(&spec.validator, id.0, &mut value, 0);
            }
            validate(spec, id, &value, Direction::Request, "request body")
        }
    }
}

/// The declared response for a status: its code, its range, or (for an
/// error status) `default`. Answers the key and the resolved pointer.
fn declared_response(spec: &Spec, operation: &str, status: u16) -> Option<(String, String)> {
    let responses = spec.doc.resolve_pointer(&format!("{operation}/responses"))?.as_object()?;
    let range = format!("{}XX", status / 100);
    let key = [status.to_string(), range.clone(), range.to_ascii_lowercase()]
        .into_iter()
        .find(|k| responses.contains_key(k))
        .or_else(|| (status >= 400 && responses.contains_key("default")).then(|| "default".to_owned()))?;
    let at = spec.resolve(&format!("{operation}/responses/{}", openapi_codegen::escape_segment(&key)));
    Some((key, at))
}

fn check_response(spec: &mut Spec, found: &Found, response: &Response) -> Vec<String> {
    let Some((key, at)) = declared_response(spec, &found.pointer, response.status) else {
        let declared: Vec<String> = spec
            .doc
            .resolve_pointer(&format!("{}/responses", found.pointer))
            .and_then(Value::as_object)
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default();
        let note = if response.status < 400 && declared.iter().any(|k| k == "default") { "; `default` covers errors only" } else { "" };
        return vec![format!("response: status {} is not declared (declared: {}{note})", response.status, declared.join(", "))];
    };
    let content = spec.doc.resolve_pointer(&format!("{at}/content")).and_then(Value::as_object).cloned().unwrap_or_default();
    if content.is_empty() {
        return if response.body.is_empty() {
            Vec::new()
        } else {
            vec![format!("response {}: a body came back, but response `{key}` declares none", response.status)]
        };
    }
    let Some(content_type) = response.header("content-type") else {
        return vec![format!("response {}: no Content-Type, but response `{key}` declares a body", response.status)];
    };
    let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let declared = content.keys().find(|m| {
        let m = m.to_ascii_lowercase();
        m == media || m == "*/*" || m.strip_suffix("/*").is_some_and(|prefix| media.starts_with(&format!("{prefix}/")))
    });
    let Some(declared) = declared.cloned() else {
        let list: Vec<&String> = content.keys().collect();
        return vec![format!("response {}: Content-Type `{media}` is not declared for `{key}` (declared: {list:?})", response.status)];
    };
    if !(media == "application/json" || media.ends_with("+json")) {
        return Vec::new();
    }
    let value: Value = match serde_json::from_slice(&response.body) {
        Ok(value) => value,
        Err(e) => return vec![format!("response {}: the body is not JSON: {e}", response.status)],
    };
    if content.get(&declared).and_then(|c| c.get("schema")).is_none() {
        return Vec::new();
    }
    let schema = format!("{at}/content/{}/schema", openapi_codegen::escape_segment(&declared));
    match compile(spec, &schema) {
        Err(e) => vec![e],
        Ok(id) => validate(spec, id, &value, Direction::Response, &format!("response {} body", response.status)),
    }
}

#[cfg(test)]
mod tests {
    use super::form_tree;
    use serde_json::json;

    #[test]
    fn forms_nest_by_brackets() {
        let pairs = [
            ("line_items[0][price]", "p"),
            ("line_items[0][tax_rates][]", "a"),
            ("line_items[0][tax_rates][]", "b"),
            ("expand[]", "x"),
            ("created[gte]", "5"),
            ("tag", "1"),
            ("tag", "2"),
        ];
        let tree = form_tree(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        assert_eq!(
            tree,
            json!({"line_items": {"0": {"price": "p", "tax_rates": ["a", "b"]}}, "expand": ["x"], "created": {"gte": "5"}, "tag": ["1", "2"]})
        );
    }
}
