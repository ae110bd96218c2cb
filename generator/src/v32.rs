//! OpenAPI 3.2 documents: checked against the rules of the 3.2.0 text that
//! a JSON shape cannot say, then lowered to the 3.1 form [`crate::v31`]
//! reads (the same seam: from there on one shape whatever the version).
//! The 3.1 form is kept as the document's original
//! ([`crate::Document::original`]): the schemas as written, each at the
//! pointer the 3.0 view gives it, read with 2020-12 semantics by the
//! validator and compared as written by the spec diff.
//!
//! What becomes what:
//!
//! | 3.2 | as read here |
//! |---|---|
//! | `query` and `additionalOperations` of a path item | operations like any other, sent with their method as written (`QUERY`, `COPY`...): [`crate::Document::operations`] |
//! | a parameter `in: querystring` (the whole query string, one `content`) | a parameter of its own kind: the client writes the value as the whole query string, the router reads it back (`application/x-www-form-urlencoded` as form fields, any other media type as its text) |
//! | `itemSchema` of a sequential media type (`application/jsonl`, `application/x-ndjson`, `text/event-stream`, ...) | the schema of each item, as the stream types read it (of an event stream, each event: its `data`, with `contentSchema` for what the data holds) |
//! | `itemSchema` of another media type | `schema: {type: array, items: <itemSchema>}` |
//! | `itemEncoding`, `prefixEncoding` | checked, then left out of the typed view (a `multipart/mixed` body is bytes) |
//! | `components.mediaTypes` and `$ref`s to them | the media types inlined |
//! | an example's `dataValue` | its `value` (what the contract suite checks); `serializedValue` is kept |
//! | a response without `description` | an empty one |
//! | discriminator `defaultMapping` | kept (an annotation to the types and the validator, which read unions by shape; the spec diff finds it changed) |
//! | `$self`, tag `parent`/`kind`/`summary`, server `name`, response `summary`, xml `nodeType`, security scheme `deprecated`/`oauth2MetadataUrl`, the `deviceAuthorization` flow | left out (annotations: no type, check or wire change follows from them) |
//!
//! What is refused, each naming its pointer (the rules of the 3.2.0 text
//! its schema holds, and those it states in words):
//! an unknown top-level field; a document with none of `paths`,
//! `components`, `webhooks`; `servers` that is not a list; a server
//! variable with an empty `enum`; a schema that is neither an object nor a
//! boolean; `example` beside `examples`; an Example with `value` beside
//! `externalValue`, `dataValue` or `serializedValue`, or `serializedValue`
//! beside `externalValue`; `encoding` beside `prefixEncoding` or
//! `itemEncoding`; `allowReserved` on a header, or on a cookie of
//! `style: cookie`; a header name that is not a token; a path parameter
//! name with `{` or `}`; a parameter with `content` and `schema`, `style`,
//! `explode` or `allowReserved`; an `in: querystring` parameter without
//! `content`, twice in an operation or beside an `in: query` one; an
//! `additionalOperations` entry for a method a fixed field defines, or
//! whose key is not a method token; xml `nodeType` beside `attribute` or
//! `wrapped`; a tag `parent` that names no tag or makes a loop.

use serde_json::{Map, Value, json};

use crate::error::{Problem, ProblemKind};
use crate::load::escape_segment;

/// The methods of a path item's fixed fields, in the order they are read.
pub const FIXED_METHODS: [&str; 9] = ["get", "put", "post", "delete", "options", "head", "patch", "trace", "query"];

/// The extension that marks, in the 3.0 view, the query parameter an
/// `in: querystring` parameter is read as.
pub const QUERYSTRING: &str = "x-oas-querystring";

/// Media types whose body is a sequence of items (`itemSchema` describes one).
const SEQUENTIAL: [&str; 6] =
    ["application/jsonl", "application/x-ndjson", "application/x-jsonlines", "application/jsonlines", "application/json-seq", "text/event-stream"];

/// Whether a raw document is OpenAPI 3.2.
pub fn is_32(raw: &Value) -> bool {
    raw.get("openapi").and_then(Value::as_str).is_some_and(|v| v.starts_with("3.2."))
}

fn rule(at: &str, message: impl Into<String>) -> Problem {
    Problem { pointer: at.to_owned(), kind: ProblemKind::Rule(message.into()), line: None, file: None }
}

/// Whether `name` is an HTTP token (RFC 9110): a header name, a method.
pub fn is_token(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The operations of a raw path item, in the order they are read: the
/// fixed fields (`query` among them), then `additionalOperations` in
/// document order. Each with the method as sent (upper case for the fixed
/// fields, as written for the others), the pointer segments after the
/// path item (`get`, `additionalOperations/COPY`) and the operation.
pub fn operations_of(item: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for method in FIXED_METHODS {
        if let Some(op) = item.get(method).filter(|o| o.is_object()) {
            out.push((method.to_ascii_uppercase(), method.to_owned(), op));
        }
    }
    if let Some(Value::Object(more)) = item.get("additionalOperations") {
        for (method, op) in more.iter().filter(|(_, o)| o.is_object()) {
            out.push((method.clone(), format!("additionalOperations/{}", escape_segment(method)), op));
        }
    }
    out
}

/// Every rule of the 3.2.0 text broken by `raw`, with its pointer.
pub fn check(raw: &Value) -> Vec<Problem> {
    let mut found = Vec::new();
    let Some(root) = raw.as_object() else { return found };
    const TOP: [&str; 11] =
        ["openapi", "$self", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags", "externalDocs"];
    for key in root.keys().filter(|k| !k.starts_with("x-") && !TOP.contains(&k.as_str())) {
        found.push(rule(&format!("#/{}", escape_segment(key)), format!("`{key}` is not a field of an OpenAPI document")));
    }
    if !["paths", "components", "webhooks"].iter().any(|k| root.contains_key(*k)) {
        found.push(rule("#", "a document holds at least one of `paths`, `components` and `webhooks`"));
    }
    let mut c = Checker { raw, found, depth: 0 };
    c.servers(root.get("servers"), "#/servers");
    c.tags(root.get("tags"));
    if let Some(Value::Object(paths)) = root.get("paths") {
        for (path, item) in paths.iter().filter(|(k, _)| !k.starts_with("x-")) {
            c.path_item(item, &format!("#/paths/{}", escape_segment(path)));
        }
    }
    if let Some(Value::Object(hooks)) = root.get("webhooks") {
        for (name, item) in hooks.iter().filter(|(k, _)| !k.starts_with("x-")) {
            c.path_item(item, &format!("#/webhooks/{}", escape_segment(name)));
        }
    }
    if let Some(Value::Object(components)) = root.get("components") {
        let each = |section: &'static str| {
            components.get(section).and_then(Value::as_object).into_iter().flatten().map(move |(name, v)| (format!("#/components/{section}/{}", escape_segment(name)), v))
        };
        for (at, v) in each("schemas") {
            c.schema(v, &at);
        }
        for (at, v) in each("parameters") {
            c.parameter(v, &at);
        }
        for (at, v) in each("headers") {
            c.header(v, &at);
        }
        for (at, v) in each("requestBodies") {
            c.content(v, &at);
        }
        for (at, v) in each("responses") {
            c.response(v, &at);
        }
        for (at, v) in each("mediaTypes") {
            c.media_type(v, &at);
        }
        for (at, v) in each("examples") {
            c.example(v, &at);
        }
        for (at, v) in each("pathItems") {
            c.path_item(v, &at);
        }
        for (at, v) in each("callbacks") {
            c.callback(v, &at);
        }
    }
    c.found
}

/// Checks objects by what they are, as the walk knows from where they are.
struct Checker<'a> {
    raw: &'a Value,
    found: Vec<Problem>,
    /// How deep the walk is (schemas nest without end in a hostile document).
    depth: usize,
}

/// Deeper than this, a document is not walked further for these rules
/// (the loader's other passes bound it too).
const MAX_DEPTH: usize = 256;

impl<'a> Checker<'a> {
    fn push(&mut self, at: &str, message: impl Into<String>) {
        self.found.push(rule(at, message));
    }

    /// The object a `$ref` (of one hop or more, inside the document) leads to.
    fn resolve<'v>(&self, mut v: &'v Value) -> &'v Value
    where
        'a: 'v,
    {
        let raw: &'v Value = self.raw;
        for _ in 0..16 {
            match v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')).and_then(|p| raw.pointer(p)) {
                Some(target) => v = target,
                None => break,
            }
        }
        v
    }

    fn servers(&mut self, servers: Option<&Value>, at: &str) {
        match servers {
            None => {}
            Some(Value::Array(list)) => {
                for (i, server) in list.iter().enumerate() {
                    let Some(Value::Object(vars)) = server.get("variables") else { continue };
                    for (name, var) in vars {
                        if var.get("enum").and_then(Value::as_array).is_some_and(Vec::is_empty) {
                            self.push(&format!("{at}/{i}/variables/{}/enum", escape_segment(name)), "a server variable's `enum` must not be empty");
                        }
                    }
                }
            }
            Some(_) => self.push(at, "`servers` must be a list of Server Objects"),
        }
    }

    fn tags(&mut self, tags: Option<&Value>) {
        let Some(Value::Array(tags)) = tags else { return };
        let name_of = |t: &Value| t.get("name").and_then(Value::as_str).map(str::to_owned);
        let names: Vec<Option<String>> = tags.iter().map(name_of).collect();
        for (i, tag) in tags.iter().enumerate() {
            let Some(parent) = tag.get("parent").and_then(Value::as_str) else { continue };
            let at = format!("#/tags/{i}/parent");
            if !names.iter().any(|n| n.as_deref() == Some(parent)) {
                self.push(&at, format!("the parent tag `{parent}` is not declared in `tags`"));
                continue;
            }
            // Follow the parents: back to this tag is a loop.
            let mut seen = vec![names[i].clone()];
            let mut next = Some(parent.to_owned());
            while let Some(name) = next {
                if seen.contains(&Some(name.clone())) {
                    self.push(&at, format!("the tag parents make a loop through `{name}`"));
                    break;
                }
                seen.push(Some(name.clone()));
                next = tags.iter().find(|t| name_of(t).as_deref() == Some(&name)).and_then(|t| t.get("parent")).and_then(Value::as_str).map(str::to_owned);
            }
        }
    }

    fn path_item(&mut self, item: &Value, at: &str) {
        if item.get("$ref").is_some() || !item.is_object() {
            return;
        }
        self.servers(item.get("servers"), &format!("{at}/servers"));
        let shared = self.parameters(item.get("parameters"), &format!("{at}/parameters"));
        if let Some(Value::Object(more)) = item.get("additionalOperations") {
            for method in more.keys() {
                let here = format!("{at}/additionalOperations/{}", escape_segment(method));
                if FIXED_METHODS.contains(&method.to_ascii_lowercase().as_str()) {
                    self.push(&here, format!("`{method}` is defined by the path item's `{}` field, not in `additionalOperations`", method.to_ascii_lowercase()));
                } else if !is_token(method) {
                    self.push(&here, format!("`{method}` is not an HTTP method (a token)"));
                }
            }
        }
        for (_, key, op) in operations_of(item) {
            let here = format!("{at}/{key}");
            let own = self.parameters(op.get("parameters"), &format!("{here}/parameters"));
            // `querystring`: once, and never beside `query` (the path
            // item's parameters count for each of its operations).
            // (What the path item's own list breaks is said once, below.)
            let all: Vec<&(String, String)> = shared.iter().chain(&own).collect();
            let is_own = |p: &&(String, String)| own.iter().any(|o| o.1 == p.1);
            let strings: Vec<&&(String, String)> = all.iter().filter(|(place, _)| place == "querystring").collect();
            if strings.len() > 1 && strings[1..].iter().any(|p| is_own(p)) {
                self.push(&strings[1].1, "an operation takes at most one `in: querystring` parameter");
            }
            if let Some(first) = strings.first()
                && let Some(query) = all.iter().find(|(place, _)| place == "query")
                && (is_own(first) || is_own(query))
            {
                self.push(&query.1, format!("an `in: query` parameter cannot stand beside the `in: querystring` one ({})", first.1));
            }
            if let Some(body) = op.get("requestBody") {
                self.content(body, &format!("{here}/requestBody"));
            }
            if let Some(Value::Object(responses)) = op.get("responses") {
                for (status, r) in responses.iter().filter(|(k, _)| !k.starts_with("x-")) {
                    self.response(r, &format!("{here}/responses/{}", escape_segment(status)));
                }
            }
            if let Some(Value::Object(callbacks)) = op.get("callbacks") {
                for (name, cb) in callbacks {
                    self.callback(cb, &format!("{here}/callbacks/{}", escape_segment(name)));
                }
            }
        }
        if shared.iter().filter(|(place, _)| place == "querystring").count() > 1 {
            let second = shared.iter().filter(|(place, _)| place == "querystring").nth(1).map(|(_, at)| at.clone()).unwrap_or_default();
            self.push(&second, "a path item takes at most one `in: querystring` parameter");
        } else if let Some((_, first)) = shared.iter().find(|(place, _)| place == "querystring")
            && let Some((_, query)) = shared.iter().find(|(place, _)| place == "query")
        {
            self.push(query, format!("an `in: query` parameter cannot stand beside the `in: querystring` one ({first})"));
        }
    }

    fn callback(&mut self, cb: &Value, at: &str) {
        if let Value::Object(map) = cb {
            for (expression, item) in map.iter().filter(|(k, _)| !k.starts_with("x-")) {
                self.path_item(item, &format!("{at}/{}", escape_segment(expression)));
            }
        }
    }

    /// Checks a list of parameters; answers each one's `in` and pointer.
    fn parameters(&mut self, list: Option<&Value>, at: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (i, p) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
            let here = format!("{at}/{i}");
            self.parameter(p, &here);
            if let Some(place) = self.resolve(p).get("in").and_then(Value::as_str) {
                out.push((place.to_owned(), here));
            }
        }
        out
    }

    fn parameter(&mut self, p: &Value, at: &str) {
        let Some(map) = p.as_object().filter(|m| !m.contains_key("$ref")) else { return };
        let place = map.get("in").and_then(Value::as_str).unwrap_or_default();
        let name = map.get("name").and_then(Value::as_str).unwrap_or_default();
        match place {
            "header" if !is_token(name) => self.push(&format!("{at}/name"), format!("`{name}` is not a header name (an HTTP token)")),
            "path" if name.contains(['{', '}']) => self.push(&format!("{at}/name"), format!("`{name}`: a path parameter's name has no `{{` or `}}`")),
            _ => {}
        }
        let style = map.get("style").and_then(Value::as_str);
        if map.contains_key("allowReserved") && (place == "header" || (place == "cookie" && style == Some("cookie"))) {
            self.push(&format!("{at}/allowReserved"), format!("`allowReserved` applies only where values are percent-encoded, not to `in: {place}`{}", if place == "cookie" { " with `style: cookie`" } else { "" }));
        }
        if place == "querystring" && !map.contains_key("content") {
            self.push(at, "an `in: querystring` parameter says its value with `content`, not `schema`");
        }
        if map.contains_key("content") || place == "querystring" {
            for field in ["schema", "style", "explode", "allowReserved"] {
                if map.contains_key(field) && !(field == "allowReserved" && (place == "header" || style == Some("cookie"))) {
                    self.push(&format!("{at}/{field}"), format!("`{field}` cannot be used with {}", if place == "querystring" { "`in: querystring`" } else { "`content`" }));
                }
            }
        }
        self.shared(map, at);
    }

    fn header(&mut self, h: &Value, at: &str) {
        let Some(map) = h.as_object().filter(|m| !m.contains_key("$ref")) else { return };
        if map.contains_key("allowReserved") {
            self.push(&format!("{at}/allowReserved"), "`allowReserved` does not apply to a header (its value is never percent-encoded)");
        }
        self.shared(map, at);
    }

    /// What parameters and headers have alike: `example` or `examples`,
    /// a schema or a content.
    fn shared(&mut self, map: &Map<String, Value>, at: &str) {
        self.examples(map, at);
        if let Some(s) = map.get("schema") {
            self.schema(s, &format!("{at}/schema"));
        }
        self.content_map(map.get("content"), &format!("{at}/content"));
    }

    fn examples(&mut self, map: &Map<String, Value>, at: &str) {
        if map.contains_key("example") && map.contains_key("examples") {
            self.push(&format!("{at}/example"), "`example` and `examples` are mutually exclusive");
        }
        if let Some(Value::Object(examples)) = map.get("examples") {
            for (name, e) in examples {
                self.example(e, &format!("{at}/examples/{}", escape_segment(name)));
            }
        }
    }

    fn example(&mut self, e: &Value, at: &str) {
        let Some(map) = e.as_object().filter(|m| !m.contains_key("$ref")) else { return };
        for (a, b) in [("value", "externalValue"), ("value", "dataValue"), ("value", "serializedValue"), ("serializedValue", "externalValue")] {
            if map.contains_key(a) && map.contains_key(b) {
                self.push(&format!("{at}/{b}"), format!("an example's `{a}` and `{b}` are mutually exclusive"));
            }
        }
    }

    fn response(&mut self, r: &Value, at: &str) {
        let Some(map) = r.as_object().filter(|m| !m.contains_key("$ref")) else { return };
        if let Some(Value::Object(headers)) = map.get("headers") {
            for (name, h) in headers {
                let here = format!("{at}/headers/{}", escape_segment(name));
                if !is_token(name) {
                    self.push(&here, format!("`{name}` is not a header name (an HTTP token)"));
                }
                self.header(h, &here);
            }
        }
        self.content_map(map.get("content"), &format!("{at}/content"));
    }

    /// A request body (or anything else with a `content`).
    fn content(&mut self, v: &Value, at: &str) {
        if v.get("$ref").is_none() {
            self.content_map(v.get("content"), &format!("{at}/content"));
        }
    }

    fn content_map(&mut self, content: Option<&Value>, at: &str) {
        if let Some(Value::Object(map)) = content {
            for (media, m) in map {
                self.media_type(m, &format!("{at}/{}", escape_segment(media)));
            }
        }
    }

    fn media_type(&mut self, m: &Value, at: &str) {
        let Some(map) = m.as_object().filter(|m| !m.contains_key("$ref")) else { return };
        self.examples(map, at);
        for key in ["schema", "itemSchema"] {
            if let Some(s) = map.get(key) {
                self.schema(s, &format!("{at}/{key}"));
            }
        }
        self.encodings(map, at);
    }

    /// `encoding`, `prefixEncoding` and `itemEncoding` of a media type or
    /// of an encoding (which nests them).
    fn encodings(&mut self, map: &Map<String, Value>, at: &str) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        if map.contains_key("encoding") {
            for other in ["prefixEncoding", "itemEncoding"] {
                if map.contains_key(other) {
                    self.push(&format!("{at}/{other}"), format!("`encoding` and `{other}` are mutually exclusive"));
                }
            }
        }
        let mut each = |e: &Value, here: String| {
            if let Value::Object(inner) = e {
                if let Some(Value::Object(headers)) = inner.get("headers") {
                    for (name, h) in headers {
                        self.header(h, &format!("{here}/headers/{}", escape_segment(name)));
                    }
                }
                self.encodings(inner, &here);
            }
        };
        if let Some(Value::Object(by_name)) = map.get("encoding") {
            for (name, e) in by_name {
                each(e, format!("{at}/encoding/{}", escape_segment(name)));
            }
        }
        if let Some(Value::Array(by_position)) = map.get("prefixEncoding") {
            for (i, e) in by_position.iter().enumerate() {
                each(e, format!("{at}/prefixEncoding/{i}"));
            }
        }
        if let Some(e) = map.get("itemEncoding") {
            each(e, format!("{at}/itemEncoding"));
        }
        self.depth -= 1;
    }

    fn schema(&mut self, s: &Value, at: &str) {
        let map = match s {
            Value::Bool(_) => return,
            Value::Object(map) => map,
            _ => return self.push(at, "a schema is an object or a boolean"),
        };
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        if let Some(Value::Object(xml)) = map.get("xml")
            && xml.contains_key("nodeType")
        {
            for old in ["attribute", "wrapped"] {
                if xml.contains_key(old) {
                    self.push(&format!("{at}/xml/{old}"), format!("xml `{old}` cannot stand beside `nodeType` (which replaces it)"));
                }
            }
        }
        for (key, child) in map {
            match key.as_str() {
                "items" | "additionalProperties" | "not" | "contains" | "if" | "then" | "else" | "propertyNames" | "unevaluatedItems"
                | "unevaluatedProperties" | "contentSchema"
                    if child.is_object() =>
                {
                    self.schema(child, &format!("{at}/{key}"));
                }
                "properties" | "patternProperties" | "dependentSchemas" | "$defs" => {
                    for (name, sub) in child.as_object().into_iter().flatten() {
                        self.schema(sub, &format!("{at}/{key}/{}", escape_segment(name)));
                    }
                }
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                    for (i, sub) in child.as_array().into_iter().flatten().enumerate() {
                        self.schema(sub, &format!("{at}/{key}/{i}"));
                    }
                }
                _ => {}
            }
        }
        self.depth -= 1;
    }
}

/// The 3.1 form of a 3.2 document (checked by [`check`] first), as the 3.1
/// reader reads it: the table in the module docs.
pub fn lower(original: &Value) -> Value {
    let mut doc = original.clone();
    let media_types = doc.pointer("/components/mediaTypes").cloned();
    let Some(root) = doc.as_object_mut() else { return doc };
    root.insert("openapi".into(), json!("3.1.1"));
    root.remove("$self");
    if let Some(Value::Array(tags)) = root.get_mut("tags") {
        for tag in tags.iter_mut().filter_map(Value::as_object_mut) {
            for key in ["parent", "kind", "summary"] {
                tag.remove(key);
            }
        }
    }
    if let Some(Value::Object(components)) = root.get_mut("components") {
        components.remove("mediaTypes");
    }
    lower_walk(&mut doc, Kind::Other, media_types.as_ref(), 0);
    doc
}

/// The place in a 3.2 document as written (`written`) that a pointer into
/// its 3.1 form (`lowered`, made by [`lower`]) names, for messages: a media
/// type inlined from `components.mediaTypes` is found at that component; a
/// `schema` made of an `itemSchema` is the `itemSchema` (of the array made
/// around an item that is not a sequence, the `items` is the `itemSchema`,
/// and the array itself has no place but that); a `value` made of a
/// `dataValue` is the `dataValue`. Past a place the written document does
/// not have, the pointer goes on as it was.
pub fn written_pointer(written: &Value, lowered: &Value, pointer: &str) -> String {
    let Some(path) = pointer.strip_prefix('#') else { return pointer.to_owned() };
    let segments = crate::bundle::split_pointer(path);
    fn child<'a>(v: Option<&'a Value>, segment: &str) -> Option<&'a Value> {
        match v? {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
    }
    let mut out: Vec<String> = Vec::new();
    let (mut w, mut l) = (Some(written), Some(lowered));
    let mut i = 0;
    while i < segments.len() {
        // A media type written as a `$ref` to `components.mediaTypes`, which
        // the 3.1 form holds inline.
        for _ in 0..8 {
            let target = w.and_then(|v| v.get("$ref")).and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/mediaTypes/"));
            let (Some(name), false) = (target, l.is_some_and(|v| v.get("$ref").is_some())) else { break };
            let name = name.replace("~1", "/").replace("~0", "~");
            w = written.get("components").and_then(|c| c.get("mediaTypes")).and_then(|m| m.get(&name));
            out = vec!["components".into(), "mediaTypes".into(), name];
        }
        let segment = segments[i].as_str();
        let lowered_next = child(l, segment);
        match (child(w, segment), segment) {
            (Some(next), _) => {
                out.push(segment.to_owned());
                w = Some(next);
            }
            (None, "schema") if child(w, "itemSchema").is_some() => {
                let item = child(w, "itemSchema");
                out.push("itemSchema".into());
                w = item;
                let wrapped = lowered_next.is_some_and(|s| s.get("type") == Some(&json!("array")) && s.get("items") == item);
                if wrapped {
                    if segments.get(i + 1).map(String::as_str) != Some("items") {
                        return crate::bundle::pointer_of(&out);
                    }
                    // `schema/items` is the `itemSchema`.
                    l = lowered_next.and_then(|s| s.get("items"));
                    i += 2;
                    continue;
                }
            }
            (None, "value") if child(w, "dataValue").is_some() => {
                out.push("dataValue".into());
                w = child(w, "dataValue");
            }
            (None, _) => {
                out.extend(segments[i..].iter().cloned());
                return crate::bundle::pointer_of(&out);
            }
        }
        l = lowered_next;
        i += 1;
    }
    crate::bundle::pointer_of(&out)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A map of media types (`content`).
    Content,
    /// A map of responses.
    Responses,
    /// A map of examples.
    Examples,
    /// A schema (its `discriminator` and `xml` are lowered).
    Schema,
    /// The security schemes.
    Schemes,
    /// Servers.
    Servers,
    /// A list of parameters (of a path item or an operation).
    Parameters,
    /// `components.parameters`.
    ParameterMap,
    /// Anything else.
    Other,
}

/// Lowers what it meets by what it is (the key that holds it says).
fn lower_walk(v: &mut Value, kind: Kind, media_types: Option<&Value>, depth: usize) {
    if depth > MAX_DEPTH * 4 {
        return;
    }
    match (kind, v) {
        (Kind::Content, Value::Object(map)) => {
            for (media, m) in map.iter_mut() {
                // A media type given as a `$ref` to `components.mediaTypes`.
                for _ in 0..8 {
                    let Some(name) = m.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/mediaTypes/")) else { break };
                    let name = name.replace("~1", "/").replace("~0", "~");
                    let Some(found) = media_types.and_then(|t| t.get(&name)).cloned() else { break };
                    *m = found;
                }
                if let Value::Object(mt) = m {
                    lower_media_type(media, mt);
                }
                lower_walk(m, Kind::Other, media_types, depth + 1);
            }
        }
        (Kind::Responses, Value::Object(map)) => {
            for (status, r) in map.iter_mut() {
                if let Value::Object(r) = r
                    && !status.starts_with("x-")
                    && !r.contains_key("$ref")
                {
                    r.entry("description").or_insert_with(|| json!(""));
                    r.remove("summary");
                }
                lower_walk(r, Kind::Other, media_types, depth + 1);
            }
        }
        (Kind::Examples, Value::Object(map)) => {
            for e in map.values_mut() {
                if let Value::Object(e) = e
                    && !e.contains_key("value")
                    && let Some(data) = e.get("dataValue").cloned()
                {
                    e.insert("value".into(), data);
                }
            }
        }
        (Kind::Schemes, Value::Object(map)) => {
            for scheme in map.values_mut().filter_map(Value::as_object_mut) {
                scheme.remove("deprecated");
                scheme.remove("oauth2MetadataUrl");
                if let Some(Value::Object(flows)) = scheme.get_mut("flows") {
                    flows.remove("deviceAuthorization");
                }
            }
        }
        (Kind::Parameters, Value::Array(list)) => {
            for p in list.iter_mut() {
                lower_parameter(p);
            }
            list.iter_mut().for_each(|i| lower_walk(i, Kind::Other, media_types, depth + 1));
        }
        (Kind::ParameterMap, Value::Object(map)) => {
            for p in map.values_mut() {
                lower_parameter(p);
            }
            map.values_mut().for_each(|i| lower_walk(i, Kind::Other, media_types, depth + 1));
        }
        (Kind::Servers, Value::Array(list)) => {
            for server in list.iter_mut().filter_map(Value::as_object_mut) {
                server.remove("name");
            }
        }
        (Kind::Schema, Value::Object(map)) => {
            if let Some(Value::Object(xml)) = map.get_mut("xml") {
                match xml.remove("nodeType").as_ref().and_then(Value::as_str) {
                    Some("attribute") => {
                        xml.insert("attribute".into(), json!(true));
                    }
                    Some("element") if map.get("type").and_then(Value::as_str) == Some("array") => {
                        if let Some(Value::Object(xml)) = map.get_mut("xml") {
                            xml.insert("wrapped".into(), json!(true));
                        }
                    }
                    _ => {}
                }
            }
            descend(map, media_types, depth);
        }
        (_, Value::Object(map)) => descend(map, media_types, depth),
        (_, Value::Array(items)) => items.iter_mut().for_each(|i| lower_walk(i, Kind::Other, media_types, depth + 1)),
        _ => {}
    }
}

fn descend(map: &mut Map<String, Value>, media_types: Option<&Value>, depth: usize) {
    for (key, child) in map.iter_mut() {
        if key.starts_with("x-") {
            continue;
        }
        let kind = match key.as_str() {
            // Literal data.
            "example" | "default" | "enum" | "const" | "value" | "dataValue" | "serializedValue" => continue,
            "content" => Kind::Content,
            "responses" => Kind::Responses,
            "examples" if child.is_object() => Kind::Examples,
            "securitySchemes" => Kind::Schemes,
            "servers" => Kind::Servers,
            "parameters" if child.is_array() => Kind::Parameters,
            "parameters" => Kind::ParameterMap,
            "schema" | "itemSchema" | "items" | "additionalProperties" | "not" | "contains" | "if" | "then" | "else" | "propertyNames"
            | "unevaluatedItems" | "unevaluatedProperties" | "contentSchema" => Kind::Schema,
            "properties" | "patternProperties" | "dependentSchemas" | "$defs" | "schemas" | "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                match child {
                    Value::Object(m) => m.values_mut().for_each(|s| lower_walk(s, Kind::Schema, media_types, depth + 1)),
                    Value::Array(l) => l.iter_mut().for_each(|s| lower_walk(s, Kind::Schema, media_types, depth + 1)),
                    _ => {}
                }
                continue;
            }
            _ => Kind::Other,
        };
        lower_walk(child, kind, media_types, depth + 1);
    }
}

/// A parameter as the 3.0 model reads it: `in: querystring` as a query
/// parameter marked [`QUERYSTRING`]; `style: cookie` as `form` (the same
/// `name=value`, which the client does not percent-encode in a cookie).
fn lower_parameter(p: &mut Value) {
    let Some(map) = p.as_object_mut() else { return };
    if map.get("in").and_then(Value::as_str) == Some("querystring") {
        map.insert("in".into(), json!("query"));
        map.insert(QUERYSTRING.into(), json!(true));
    }
    if map.get("style").and_then(Value::as_str) == Some("cookie") {
        map.remove("style");
    }
}

/// A media type object: `itemSchema` as the schema the stream types read,
/// the positional encodings left out.
fn lower_media_type(media: &str, mt: &mut Map<String, Value>) {
    mt.remove("itemEncoding");
    mt.remove("prefixEncoding");
    let Some(item) = mt.remove("itemSchema") else { return };
    if mt.contains_key("schema") {
        return;
    }
    let essence = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    // An event stream's item is an event (`data`, `event`, `id`, `retry`),
    // which the stream types read as such.
    let schema = if SEQUENTIAL.contains(&essence.as_str()) { item } else { json!({"type": "array", "items": item}) };
    mt.insert("schema".into(), schema);
}
