//! Wire-level differences between two OpenAPI documents, by direction.
//!
//! Operations are matched by method and path template (path parameter
//! names aside), parameters by location and name, responses by status,
//! media types by name, properties by name. Schemas are compared by their
//! content, through `$ref`s, so a renamed component with the same shape is
//! no wire change. A request schema that narrows breaks clients (what they
//! send may be refused); a response schema that widens breaks clients
//! (what they read may be new to them); webhook payloads are responses to
//! their receivers. Recursive schemas are compared once per pair of
//! places, and no deeper than [`MAX_DEPTH`].

use std::collections::HashSet;

use openapi_codegen::{Document, escape_segment};
use serde_json::{Map, Value};

use super::{Finding, Level, Party};

/// How deep schema comparison goes.
pub const MAX_DEPTH: usize = 24;


/// Which way a schema's values travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    /// Clients send, servers read.
    Request,
    /// Servers send, clients read.
    Response,
    /// The API sends, receivers read.
    Event,
}

impl Way {
    fn reader(self) -> Party {
        match self {
            Way::Request => Party::Servers,
            Way::Response => Party::Clients,
            Way::Event => Party::WebhookReceivers,
        }
    }

    fn writer(self) -> Party {
        match self {
            Way::Request => Party::Clients,
            Way::Response | Way::Event => Party::Servers,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Way::Request => "request",
            Way::Response | Way::Event => "response",
        }
    }
}

struct Diff<'a> {
    old: &'a Document,
    new: &'a Document,
    out: Vec<Finding>,
    seen: HashSet<(String, String, bool)>,
}

/// Every wire change from `old` to `new`.
pub fn compare(old: &Document, new: &Document) -> Vec<Finding> {
    // Two 3.1 (or 3.2) documents are compared as written: the 3.0 view
    // drops the 2020-12 keywords (`if`, `contains`, `prefixItems`, ...) and
    // one of a `minimum` beside a numeric `exclusiveMinimum`. A 3.0
    // document and a later one are compared in the one form both have, the
    // 3.0 view (`type: "null"` and `nullable: true` say the same there).
    let both = old.original.is_some() && new.original.is_some();
    let (old, new) = if both { (&as_written(old), &as_written(new)) } else { (&old.clone(), &new.clone()) };
    let mut d = Diff { old, new, out: Vec::new(), seen: HashSet::new() };
    d.operations();
    d.webhooks();
    d.version();
    d.out
}

/// The document with `raw` as written (a 3.1 document's original).
fn as_written(doc: &Document) -> Document {
    let mut doc = doc.clone();
    if let Some(original) = doc.original.take() {
        doc.raw = original;
    }
    doc
}

/// The pointer segments of every operation of a path item (`get`,
/// `additionalOperations/COPY`).
fn operation_keys(item: Option<&Value>) -> Vec<String> {
    item.map(|i| openapi_codegen::v32::operations_of(i).into_iter().map(|(_, key, _)| key).collect()).unwrap_or_default()
}

/// The names of a path template's parameters, in order.
fn template_names(path: &str) -> Vec<String> {
    path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned())).collect()
}

/// The path template with parameter names blanked: `/a/{}/b`.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if inside => {}
            c => out.push(c),
        }
    }
    out
}

fn deprecated(v: &Value) -> bool {
    v.get("deprecated").and_then(Value::as_bool).unwrap_or(false)
}

impl<'a> Diff<'a> {
    fn push(&mut self, id: impl Into<String>, level: Level, parties: &[Party], old: Option<&str>, new: Option<&str>, message: String) {
        let parties = if level == Level::Info { Vec::new() } else { parties.to_vec() };
        self.out.push(Finding { id: id.into(), level, parties, old: old.map(str::to_owned), new: new.map(str::to_owned), message });
    }

    /// A value through its `$ref`s (at most 32), with the pointer it ends at.
    fn follow(doc: &'a Document, pointer: &str) -> Option<(String, &'a Value)> {
        let mut at = pointer.to_owned();
        for _ in 0..32 {
            let value = doc.resolve_pointer(&at)?;
            match value.get("$ref").and_then(Value::as_str) {
                Some(target) if target.starts_with('#') => at = target.to_owned(),
                _ => return Some((at, value)),
            }
        }
        None
    }

    fn operations(&mut self) {
        let list = |doc: &Document| -> Vec<(String, String, String)> {
            let mut out = Vec::new();
            for (path, item) in openapi_codegen::walk::named_entries(doc.raw.get("paths")) {
                for (method, key, _) in openapi_codegen::v32::operations_of(item) {
                    out.push((format!("{method} {}", shape(path)), format!("#/paths/{}", escape_segment(path)), key));
                }
            }
            out
        };
        let (old_ops, new_ops) = (list(self.old), list(self.new));
        for (key, item, method) in &old_ops {
            let at = format!("{item}/{method}");
            let old_op = self.old.resolve_pointer(&at).cloned().unwrap_or(Value::Null);
            match new_ops.iter().find(|(k, ..)| k == key) {
                None if deprecated(&old_op) => self.push("api-removed-with-deprecation", Level::Warning, &[Party::Clients], Some(&at), None, format!("{key} was deprecated and is removed")),
                None => self.push("api-removed-without-deprecation", Level::Breaking, &[Party::Clients], Some(&at), None, format!("{key} is removed without being deprecated first")),
                Some((_, new_item, new_method)) => {
                    let new_at = format!("{new_item}/{new_method}");
                    self.operation(key, item, &at, new_item, &new_at);
                }
            }
        }
        for (key, item, method) in &new_ops {
            if !old_ops.iter().any(|(k, ..)| k == key) {
                let at = format!("{item}/{method}");
                self.push("endpoint-added", Level::Info, &[], None, Some(&at), format!("{key} is new"));
            }
        }
    }

    fn operation(&mut self, key: &str, old_item: &str, old_at: &str, new_item: &str, new_at: &str) {
        let old_op = self.old.resolve_pointer(old_at).cloned().unwrap_or(Value::Null);
        let new_op = self.new.resolve_pointer(new_at).cloned().unwrap_or(Value::Null);
        if !deprecated(&old_op) && deprecated(&new_op) {
            self.push("endpoint-deprecated", Level::Info, &[], Some(old_at), Some(new_at), format!("{key} is deprecated"));
        }
        if !deprecated(&new_op) && deprecated(&old_op) {
            self.push("endpoint-reactivated", Level::Info, &[], Some(old_at), Some(new_at), format!("{key} is no longer deprecated"));
        }
        self.parameters(key, old_item, old_at, new_item, new_at);
        self.request_body(key, old_at, new_at);
        self.responses(key, old_at, new_at);
        self.security(key, &old_op, old_at, &new_op, new_at);
        self.callbacks(key, &old_op, old_at, &new_op, new_at);
    }

    /// An operation's callbacks: requests the API sends to the client, read
    /// as webhooks are (their bodies travel as events).
    fn callbacks(&mut self, key: &str, old_op: &Value, old_at: &str, new_op: &Value, new_at: &str) {
        let names = |op: &Value| op.get("callbacks").and_then(Value::as_object).map(|c| c.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
        let (old, new) = (names(old_op), names(new_op));
        for name in &old {
            let o = format!("{old_at}/callbacks/{}", escape_segment(name));
            if !new.contains(name) {
                self.push("callback-removed", Level::Breaking, &[Party::WebhookReceivers], Some(&o), None, format!("{key}: the callback `{name}` is no longer sent"));
                continue;
            }
            let n = format!("{new_at}/callbacks/{}", escape_segment(name));
            let (Some((o, ov)), Some((n, nv))) = (Self::follow(self.old, &o), Self::follow(self.new, &n)) else { continue };
            let (ov, nv) = (ov.clone(), nv.clone());
            for (expression, _) in ov.as_object().into_iter().flatten() {
                if nv.get(expression).is_none() {
                    continue;
                }
                for method in operation_keys(ov.get(expression)) {
                    let at = |base: &str| format!("{base}/{}/{method}/requestBody", escape_segment(expression));
                    let (Some((oat, obody)), Some((nat, nbody))) = (Self::follow(self.old, &at(&o)), Self::follow(self.new, &at(&n))) else { continue };
                    let (obody, nbody) = (obody.clone(), nbody.clone());
                    self.media(&format!("{key}: the callback `{name}`"), &oat, &obody, &nat, &nbody, Way::Event, "its payload");
                }
            }
        }
        for name in new.iter().filter(|n| !old.contains(n)) {
            let n = format!("{new_at}/callbacks/{}", escape_segment(name));
            self.push("callback-added", Level::Info, &[], None, Some(&n), format!("{key}: a new callback `{name}`"));
        }
    }

    /// Parameters of an operation and its path item: (location, name) →
    /// (pointer, resolved parameter).
    fn params(doc: &'a Document, item: &str, op: &str) -> Vec<((String, String), String, Value)> {
        let mut out: Vec<((String, String), String, Value)> = Vec::new();
        for list in [format!("{item}/parameters"), format!("{op}/parameters")] {
            let count = doc.resolve_pointer(&list).and_then(Value::as_array).map_or(0, Vec::len);
            for i in 0..count {
                let Some((at, p)) = Self::follow(doc, &format!("{list}/{i}")) else { continue };
                let place = p.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
                // Header names are case-insensitive; path parameters match by position.
                let name = match place.as_str() {
                    "header" => name.to_ascii_lowercase(),
                    _ => name,
                };
                out.retain(|(k, ..)| k != &(place.clone(), name.clone()));
                out.push(((place, name), at, p.clone()));
            }
        }
        out
    }

    fn parameters(&mut self, key: &str, old_item: &str, old_at: &str, new_item: &str, new_at: &str) {
        let old = Self::params(self.old, old_item, old_at);
        let new = Self::params(self.new, new_item, new_at);
        let required = |p: &Value| p.get("required").and_then(Value::as_bool).unwrap_or(false);
        let path_params = |list: &[((String, String), String, Value)]| list.iter().filter(|((l, _), ..)| l == "path").count();
        let path_of = |item: &str| item.strip_prefix("#/paths/").unwrap_or_default().replace("~1", "/").replace("~0", "~");
        let (old_template, new_template) = (template_names(&path_of(old_item)), template_names(&path_of(new_item)));
        for ((place, name), at, p) in &old {
            if place == "path" && path_params(&old) == path_params(&new) {
                // Path parameters match by their place in the template:
                // renaming one changes nothing on the wire, its schema may.
                let position = old_template.iter().position(|n| n == name);
                let counterpart = position.and_then(|i| new_template.get(i)).and_then(|n| new.iter().find(|((l, m), ..)| l == "path" && m == n));
                if let Some((_, new_p_at, _)) = counterpart {
                    let what = format!("{key}: the path parameter `{name}`");
                    self.schema(&format!("{at}/schema"), &format!("{new_p_at}/schema"), Way::Request, &what, "request-parameter", 0, false);
                }
                continue;
            }
            match new.iter().find(|(k, ..)| k == &(place.clone(), name.clone())) {
                None => {
                    let moved = new.iter().find(|((_, n), ..)| n == name);
                    match moved {
                        Some(((to, _), new_p_at, _)) => self.push(
                            "request-parameter-location-changed",
                            Level::Breaking,
                            &[Party::Clients, Party::Servers],
                            Some(at),
                            Some(new_p_at),
                            format!("{key}: the {place} parameter `{name}` moves to the {to}"),
                        ),
                        // A server that refuses what it does not know (as the
                        // generated one does, and Stripe's) refuses a client
                        // that still sends it; unknown headers and cookies
                        // are passed over.
                        None => self.push(
                            "request-parameter-removed",
                            if place == "header" || place == "cookie" { Level::Warning } else { Level::Breaking },
                            &[Party::Clients],
                            Some(at),
                            None,
                            format!("{key}: the {place} parameter `{name}` is removed; clients that send it are refused where unknown parameters are"),
                        ),
                    }
                }
                Some((_, new_p_at, np)) => {
                    let what = format!("{key}: the {place} parameter `{name}`");
                    match (required(p), required(np)) {
                        (false, true) => self.push("request-parameter-became-required", Level::Breaking, &[Party::Clients], Some(at), Some(new_p_at), format!("{what} becomes required")),
                        (true, false) => self.push("request-parameter-became-optional", Level::Warning, &[Party::Servers], Some(at), Some(new_p_at), format!("{what} becomes optional; servers must do without it")),
                        _ => {}
                    }
                    for (field, default) in [("style", if place == "query" || place == "cookie" { "form" } else { "simple" }), ("explode", "")] {
                        let get = |v: &Value| v.get(field).map(|s| s.to_string().trim_matches('"').to_owned()).unwrap_or_else(|| default.to_owned());
                        if get(p) != get(np) {
                            self.push(
                                "request-parameter-style-changed",
                                Level::Breaking,
                                &[Party::Clients, Party::Servers],
                                Some(at),
                                Some(new_p_at),
                                format!("{what}: `{field}` changes from `{}` to `{}`, so it is written differently on the wire", get(p), get(np)),
                            );
                        }
                    }
                    self.schema(&format!("{at}/schema"), &format!("{new_p_at}/schema"), Way::Request, &what, "request-parameter", 0, false);
                }
            }
        }
        for ((place, name), at, p) in &new {
            if place == "path" || old.iter().any(|(k, ..)| k == &(place.clone(), name.clone())) || old.iter().any(|((_, n), ..)| n == name) {
                continue;
            }
            if required(p) {
                self.push("new-required-request-parameter", Level::Breaking, &[Party::Clients], None, Some(at), format!("{key}: a new required {place} parameter `{name}`"));
            } else {
                self.push("new-optional-request-parameter", Level::Info, &[], None, Some(at), format!("{key}: a new optional {place} parameter `{name}`"));
            }
        }
    }

    fn request_body(&mut self, key: &str, old_at: &str, new_at: &str) {
        let old = Self::follow(self.old, &format!("{old_at}/requestBody"));
        let new = Self::follow(self.new, &format!("{new_at}/requestBody"));
        let required = |b: &Value| b.get("required").and_then(Value::as_bool).unwrap_or(false);
        match (old, new) {
            (None, None) => {}
            (Some((at, _)), None) => self.push("request-body-removed", Level::Warning, &[Party::Clients], Some(&at), None, format!("{key}: the request body is removed; clients that send one may be refused")),
            (None, Some((at, b))) => {
                if required(b) {
                    self.push("new-required-request-body", Level::Breaking, &[Party::Clients], None, Some(&at), format!("{key}: a required request body is new"));
                } else {
                    self.push("new-optional-request-body", Level::Info, &[], None, Some(&at), format!("{key}: an optional request body is new"));
                }
            }
            (Some((oat, ob)), Some((nat, nb))) => {
                if !required(ob) && required(nb) {
                    self.push("request-body-became-required", Level::Breaking, &[Party::Clients], Some(&oat), Some(&nat), format!("{key}: the request body becomes required"));
                }
                let (ob, nb) = (ob.clone(), nb.clone());
                self.media(key, &oat, &ob, &nat, &nb, Way::Request, "the request body");
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn media(&mut self, key: &str, old_at: &str, old: &Value, new_at: &str, new: &Value, way: Way, what: &str) {
        let empty = Map::new();
        let old_content = old.get("content").and_then(Value::as_object).unwrap_or(&empty);
        let new_content = new.get("content").and_then(Value::as_object).unwrap_or(&empty);
        for media in old_content.keys() {
            let o = format!("{old_at}/content/{}", escape_segment(media));
            if new_content.contains_key(media) {
                let n = format!("{new_at}/content/{}", escape_segment(media));
                self.schema(&format!("{o}/schema"), &format!("{n}/schema"), way, &format!("{key}: {what}"), way.prefix(), 0, false);
            } else {
                let (id, party) = match way {
                    Way::Request => ("request-body-media-type-removed", Party::Clients),
                    _ => ("response-media-type-removed", way.reader()),
                };
                self.push(id, Level::Breaking, &[party], Some(&o), None, format!("{key}: {what} is no longer `{media}`"));
            }
        }
        for media in new_content.keys().filter(|m| !old_content.contains_key(*m)) {
            let n = format!("{new_at}/content/{}", escape_segment(media));
            let id = if way == Way::Request { "request-body-media-type-added" } else { "response-media-type-added" };
            self.push(id, Level::Info, &[], None, Some(&n), format!("{key}: {what} may also be `{media}`"));
        }
    }

    fn responses(&mut self, key: &str, old_at: &str, new_at: &str) {
        let statuses = |doc: &Document, at: &str| -> Vec<String> {
            doc.resolve_pointer(&format!("{at}/responses")).and_then(Value::as_object).map(|r| r.keys().cloned().collect()).unwrap_or_default()
        };
        let (old, new) = (statuses(self.old, old_at), statuses(self.new, new_at));
        let success = |s: &str| s.starts_with('2');
        for status in &old {
            let o = format!("{old_at}/responses/{}", escape_segment(status));
            if new.contains(status) {
                let n = format!("{new_at}/responses/{}", escape_segment(status));
                let (Some((oat, ov)), Some((nat, nv))) = (Self::follow(self.old, &o), Self::follow(self.new, &n)) else { continue };
                let (ov, nv) = (ov.clone(), nv.clone());
                self.media(key, &oat, &ov, &nat, &nv, Way::Response, &format!("the {status} response"));
                self.headers(key, status, &oat, &ov, &nat, &nv);
            } else if success(status) {
                self.push("response-success-status-removed", Level::Breaking, &[Party::Clients], Some(&o), None, format!("{key}: the success status {status} is no longer answered"));
            } else {
                self.push("response-non-success-status-removed", Level::Info, &[], Some(&o), None, format!("{key}: the status {status} is no longer declared"));
            }
        }
        for status in new.iter().filter(|s| !old.contains(s)) {
            let n = format!("{new_at}/responses/{}", escape_segment(status));
            if success(status) {
                self.push("response-success-status-added", Level::Warning, &[Party::Clients], None, Some(&n), format!("{key}: a new success status {status}, which clients may not expect"));
            } else {
                self.push("response-non-success-status-added", Level::Info, &[], None, Some(&n), format!("{key}: a new status {status}"));
            }
        }
    }

    /// The headers of one response, by case-insensitive name.
    fn headers(&mut self, key: &str, status: &str, old_at: &str, old: &Value, new_at: &str, new: &Value) {
        let list = |doc: &'a Document, at: &str, response: &Value| -> Vec<(String, String, bool)> {
            let names = response.get("headers").and_then(Value::as_object).map(|h| h.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
            names
                .into_iter()
                .filter_map(|name| {
                    let (pointer, header) = Self::follow(doc, &format!("{at}/headers/{}", escape_segment(&name)))?;
                    Some((name.to_ascii_lowercase(), pointer, header.get("required").and_then(Value::as_bool).unwrap_or(false)))
                })
                .collect()
        };
        let (old_list, new_list) = (list(self.old, old_at, old), list(self.new, new_at, new));
        for (name, o, required) in &old_list {
            let what = format!("{key}: the header `{name}` of the {status} response");
            match new_list.iter().find(|(n, ..)| n == name) {
                None if *required => self.push("response-required-header-removed", Level::Breaking, &[Party::Clients], Some(o), None, format!("{what}, which was always sent, is removed")),
                None => self.push("response-optional-header-removed", Level::Warning, &[Party::Clients], Some(o), None, format!("{what} is removed")),
                Some((_, n, now_required)) => {
                    if *required && !now_required {
                        self.push("response-header-became-optional", Level::Breaking, &[Party::Clients], Some(o), Some(n), format!("{what} may now be absent"));
                    }
                    self.schema(&format!("{o}/schema"), &format!("{n}/schema"), Way::Response, &what, "response-header", 0, false);
                }
            }
        }
        for (name, n, _) in new_list.iter().filter(|(n, ..)| !old_list.iter().any(|(o, ..)| o == n)) {
            self.push("response-header-added", Level::Info, &[], None, Some(n), format!("{key}: the {status} response has a new header `{name}`"));
        }
    }

    fn security(&mut self, key: &str, old_op: &Value, old_at: &str, new_op: &Value, new_at: &str) {
        let names = |doc: &Document, op: &Value| -> Option<Vec<String>> {
            let list = op.get("security").or_else(|| doc.raw.get("security"))?.as_array()?;
            let mut out: Vec<String> = list.iter().map(|r| r.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>().join("+")).unwrap_or_default()).collect();
            out.sort();
            Some(out)
        };
        let (old, new) = (names(self.old, old_op).unwrap_or_default(), names(self.new, new_op).unwrap_or_default());
        let open = |l: &[String]| l.is_empty() || l.iter().any(String::is_empty);
        if open(&old) && !open(&new) {
            self.push("api-security-added", Level::Breaking, &[Party::Clients], Some(old_at), Some(new_at), format!("{key} now requires credentials ({})", new.join(" or ")));
        } else if !open(&old) && open(&new) {
            self.push("api-security-removed", Level::Info, &[], Some(old_at), Some(new_at), format!("{key} no longer requires credentials"));
        } else if !open(&new) {
            for gone in old.iter().filter(|s| !new.contains(s)) {
                self.push("api-security-scheme-removed", Level::Breaking, &[Party::Clients], Some(old_at), Some(new_at), format!("{key} no longer accepts the credentials `{gone}`"));
            }
            for added in new.iter().filter(|s| !old.contains(s)) {
                self.push("api-security-scheme-added", Level::Info, &[], Some(old_at), Some(new_at), format!("{key} also accepts the credentials `{added}`"));
            }
        }
        // A requirement both have that asks for more scopes: tokens granted
        // the old ones are refused.
        let scopes = |doc: &Document, op: &Value| -> Vec<(String, String, Vec<String>)> {
            let list = op.get("security").or_else(|| doc.raw.get("security")).and_then(Value::as_array).cloned().unwrap_or_default();
            let mut out = Vec::new();
            for requirement in list.iter().filter_map(Value::as_object) {
                let key = requirement.keys().cloned().collect::<Vec<_>>().join("+");
                for (scheme, granted) in requirement {
                    let granted = granted.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect();
                    out.push((key.clone(), scheme.clone(), granted));
                }
            }
            out
        };
        let (old_scopes, new_scopes) = (scopes(self.old, old_op), scopes(self.new, new_op));
        for (key_names, scheme, wanted) in &new_scopes {
            let Some((_, _, had)) = old_scopes.iter().find(|(k, s, _)| k == key_names && s == scheme) else { continue };
            for scope in wanted.iter().filter(|w| !had.contains(w)) {
                self.push("api-security-scope-added", Level::Breaking, &[Party::Clients], Some(old_at), Some(new_at), format!("{key}: the credentials `{scheme}` need the scope `{scope}` too"));
            }
            for scope in had.iter().filter(|h| !wanted.contains(h)) {
                self.push("api-security-scope-removed", Level::Info, &[], Some(old_at), Some(new_at), format!("{key}: the credentials `{scheme}` no longer need the scope `{scope}`"));
            }
        }
        // A scheme both accept, sent another way (another type, header,
        // cookie or HTTP scheme): the old credentials no longer arrive.
        let kept: Vec<&str> = old.iter().filter(|s| new.contains(s)).flat_map(|s| s.split('+')).filter(|s| !s.is_empty()).collect();
        for name in kept {
            let at = format!("#/components/securitySchemes/{}", escape_segment(name));
            let (Some((oat, o)), Some((nat, n))) = (Self::follow(self.old, &at), Self::follow(self.new, &at)) else { continue };
            let (o, n) = (o.clone(), n.clone());
            for field in ["type", "in", "name", "scheme", "openIdConnectUrl"] {
                let get = |v: &Value| v.get(field).and_then(Value::as_str).map(|s| if field == "scheme" || field == "name" && v.get("in").and_then(Value::as_str) == Some("header") { s.to_ascii_lowercase() } else { s.to_owned() });
                if get(&o) != get(&n) {
                    self.push(
                        "api-security-scheme-changed",
                        Level::Breaking,
                        &[Party::Clients],
                        Some(&oat),
                        Some(&nat),
                        format!("{key}: the credentials `{name}` are sent another way: `{field}` changes from `{}` to `{}`", get(&o).unwrap_or_default(), get(&n).unwrap_or_default()),
                    );
                    break;
                }
            }
        }
    }

    fn webhooks(&mut self) {
        let events = |doc: &Document| openapi_codegen::walk::named_entries(doc.raw.get("x-webhooks").or_else(|| doc.raw.get("webhooks"))).map(|(k, _)| k.clone()).collect::<Vec<_>>();
        let key = |doc: &Document| if doc.raw.get("x-webhooks").is_some() { "x-webhooks" } else { "webhooks" };
        let (old, new) = (events(self.old), events(self.new));
        let (ok, nk) = (key(self.old), key(self.new));
        for name in &old {
            let o = format!("#/{ok}/{}", escape_segment(name));
            if !new.contains(name) {
                self.push("webhook-removed", Level::Breaking, &[Party::WebhookReceivers], Some(&o), None, format!("the event `{name}` is no longer sent"));
                continue;
            }
            let n = format!("#/{nk}/{}", escape_segment(name));
            for method in operation_keys(self.old.resolve_pointer(&o)) {
                let (o_op, n_op) = (self.old.resolve_pointer(&format!("{o}/{method}")).cloned(), self.new.resolve_pointer(&format!("{n}/{method}")).cloned());
                if let (Some(o_op), Some(n_op)) = (&o_op, &n_op)
                    && !deprecated(o_op)
                    && deprecated(n_op)
                {
                    self.push("webhook-deprecated", Level::Info, &[], Some(&o), Some(&n), format!("the event `{name}` is deprecated"));
                }
                let (oat, nat) = (format!("{o}/{method}/requestBody"), format!("{n}/{method}/requestBody"));
                let (Some((oat, ov)), Some((nat, nv))) = (Self::follow(self.old, &oat), Self::follow(self.new, &nat)) else { continue };
                let (ov, nv) = (ov.clone(), nv.clone());
                self.media(&format!("event `{name}`"), &oat, &ov, &nat, &nv, Way::Event, "its payload");
            }
        }
        for name in new.iter().filter(|n| !old.contains(n)) {
            let n = format!("#/{nk}/{}", escape_segment(name));
            self.push("webhook-added", Level::Info, &[], None, Some(&n), format!("a new event `{name}`"));
        }
    }

    fn version(&mut self) {
        let version = |doc: &Document| doc.raw.pointer("/info/version").and_then(Value::as_str).unwrap_or_default().to_owned();
        let (old, new) = (version(self.old), version(self.new));
        if old == new && self.out.iter().any(|f| f.level == Level::Breaking) {
            self.push(
                "api-version-not-bumped",
                Level::Warning,
                &[Party::Clients, Party::Servers],
                Some("#/info/version"),
                Some("#/info/version"),
                format!("the changes break someone, but `info.version` stays `{old}`"),
            );
        }
    }

    /// Records a change that narrows (or widens) what travels `way`, at the
    /// level [`narrow_breaks`] gives it.
    fn narrowing(&mut self, way: Way, narrowed: bool, id: impl Into<String>, old: Option<&str>, new: Option<&str>, message: String) {
        let (level, party) = narrow_breaks(way, narrowed);
        self.push(id, level, &[party], old, new, message);
    }

    /// Compares the schemas at two places, values travelling `way`.
    #[allow(clippy::too_many_arguments)]
    fn schema(&mut self, old_at: &str, new_at: &str, way: Way, what: &str, prefix: &str, depth: usize, _nested: bool) {
        if depth > MAX_DEPTH {
            return;
        }
        let (Some((oat, o)), Some((nat, n))) = (Self::follow(self.old, old_at), Self::follow(self.new, new_at)) else { return };
        if !self.seen.insert((oat.clone(), nat.clone(), way == Way::Request)) {
            return;
        }
        let (o, n) = (o.clone(), n.clone());
        // A component reached through a `$ref` is compared once, whichever
        // operation reaches it first: it is named for itself.
        let named;
        let what = match oat.strip_prefix("#/components/schemas/") {
            Some(name) if oat != old_at && !name.contains('/') => {
                named = format!("schema `{}`", name.replace("~1", "/").replace("~0", "~"));
                named.as_str()
            }
            _ => what,
        };
        let request = way == Way::Request;
        // Narrowing a request, or widening a response, breaks the writer's
        // or the reader's expectations.
        let narrow_breaks = |narrowed: bool| narrow_breaks(way, narrowed);
        let id = |suffix: &str| rule_id(prefix, suffix);

        // `type`, without `null` (a 3.1 `type: [string, "null"]` is a
        // nullable string).
        let ty = |v: &Value| -> Option<String> {
            match v.get("type")? {
                Value::String(t) => Some(t.clone()),
                Value::Array(list) => {
                    let names: Vec<&str> = list.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect();
                    (!names.is_empty()).then(|| names.join(" or "))
                }
                _ => None,
            }
        };
        if let (Some(ot), Some(nt)) = (ty(&o), ty(&n))
            && ot != nt
        {
            // A parameter travels as text: a number that becomes a string
            // is written the same, and every number is a string.
            let text = prefix == "request-parameter" && nt == "string" && ["integer", "number", "boolean"].contains(&ot.as_str());
            let widened = (ot == "integer" && nt == "number") || text || nt.split(" or ").any(|t| t == ot);
            let (level, party) = if widened { narrow_breaks(false) } else { (Level::Breaking, if request { Party::Clients } else { way.reader() }) };
            self.push(id("type-changed"), level, &[party], Some(&oat), Some(&nat), format!("{what}: the type changes from `{ot}` to `{nt}`"));
            return;
        }
        let nullable = |v: &Value| {
            v.get("nullable").and_then(Value::as_bool).unwrap_or(false) || v.get("type").and_then(Value::as_array).is_some_and(|t| t.contains(&Value::String("null".into())))
        };
        if nullable(&o) != nullable(&n) {
            let became = nullable(&n);
            let (level, party) = narrow_breaks(!became);
            let suffix = if became { "became-nullable" } else { "became-not-nullable" };
            self.push(id(suffix), level, &[party], Some(&oat), Some(&nat), format!("{what} {}", if became { "may now be null" } else { "may no longer be null" }));
        }
        // `const` (3.1), and an `enum` of one value (3.0's way to say it):
        // a value that changes breaks whoever relied on the old one.
        let constant = |v: &Value| v.get("const").cloned().or_else(|| v.get("enum").and_then(Value::as_array).filter(|e| e.len() == 1).map(|e| e[0].clone()));
        if let (Some(a), Some(b)) = (constant(&o), constant(&n))
            && a != b
        {
            let party = if request { Party::Clients } else { way.reader() };
            self.push(id("const-changed"), Level::Breaking, &[party], Some(&oat), Some(&nat), format!("{what}: the value is now {b}, not {a}"));
            return;
        }
        match (o.get("const"), n.get("const")) {
            (None, Some(value)) => {
                self.narrowing(way, true, id("const-added"), Some(&oat), Some(&nat), format!("{what} is now always {value}"));
            }
            (Some(value), None) => {
                self.narrowing(way, false, id("const-removed"), Some(&oat), Some(&nat), format!("{what} is no longer always {value}"));
            }
            _ => {}
        }
        // enum
        let values = |v: &Value| v.get("enum").and_then(Value::as_array).cloned();
        match (values(&o), values(&n)) {
            (Some(ov), Some(nv)) => {
                for gone in ov.iter().filter(|v| !nv.contains(v)) {
                    self.narrowing(way, true, id("enum-value-removed"), Some(&oat), Some(&nat), format!("{what}: the value {gone} is no longer allowed"));
                }
                for added in nv.iter().filter(|v| !ov.contains(v)) {
                    // A reader that knows the old values meets a new one (the
                    // generated enums read it as `Unknown`; other readers
                    // may fail): widening what it reads breaks it.
                    self.narrowing(way, false, id("enum-value-added"), Some(&oat), Some(&nat), format!("{what}: a new value {added}"));
                }
            }
            (None, Some(_)) => {
                self.narrowing(way, true, id("enum-added"), Some(&oat), Some(&nat), format!("{what} is now limited to a list of values"));
            }
            (Some(_), None) => {
                self.narrowing(way, false, id("enum-removed"), Some(&oat), Some(&nat), format!("{what} is no longer limited to a list of values"));
            }
            (None, None) => {}
        }
        // bounds: (keyword, larger is looser)
        for (keyword, upper, suffix_up, suffix_down) in [
            ("maximum", true, "max-increased", "max-decreased"),
            ("minimum", false, "min-increased", "min-decreased"),
            ("maxLength", true, "max-length-increased", "max-length-decreased"),
            ("minLength", false, "min-length-increased", "min-length-decreased"),
            ("maxItems", true, "max-items-increased", "max-items-decreased"),
            ("minItems", false, "min-items-increased", "min-items-decreased"),
            ("maxProperties", true, "max-properties-increased", "max-properties-decreased"),
            ("minProperties", false, "min-properties-increased", "min-properties-decreased"),
            // 2020-12 (3.1): numbers of their own, beside or instead of
            // `minimum` / `maximum` (3.0's booleans are not bounds).
            ("exclusiveMaximum", true, "exclusive-max-increased", "exclusive-max-decreased"),
            ("exclusiveMinimum", false, "exclusive-min-increased", "exclusive-min-decreased"),
            ("maxContains", true, "max-contains-increased", "max-contains-decreased"),
            ("minContains", false, "min-contains-increased", "min-contains-decreased"),
        ] {
            let get = |v: &Value| v.get(keyword).and_then(Value::as_f64);
            let (ob, nb) = (get(&o), get(&n));
            if ob == nb {
                continue;
            }
            // A bound added narrows; removed widens; moved, by its direction.
            let narrowed = match (ob, nb) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => (b < a) == upper,
                (None, None) => continue,
            };
            let (level, party) = narrow_breaks(narrowed);
            let grew = match (ob, nb) {
                (Some(a), Some(b)) => b > a,
                (None, Some(_)) => !upper,
                _ => upper,
            };
            let shown = |b: Option<f64>| b.map_or("none".to_owned(), |b| if b.fract() == 0.0 { format!("{}", b as i64) } else { b.to_string() });
            self.push(id(if grew { suffix_up } else { suffix_down }), level, &[party], Some(&oat), Some(&nat), format!("{what}: `{keyword}` changes from {} to {}", shown(ob), shown(nb)));
        }
        // `multipleOf`: a new step narrows unless it divides the old one.
        let step = |v: &Value| v.get("multipleOf").and_then(Value::as_f64).filter(|m| *m > 0.0);
        let narrowed = match (step(&o), step(&n)) {
            (None, Some(_)) => Some(true),
            (Some(_), None) => Some(false),
            (Some(a), Some(b)) if a != b => Some(((a / b) - (a / b).round()).abs() > 1e-9),
            _ => None,
        };
        if let Some(narrowed) = narrowed {
            let (level, party) = narrow_breaks(narrowed);
            let shown = |m: Option<f64>| m.map_or("none".to_owned(), |m| m.to_string());
            self.push(id("multiple-of-changed"), level, &[party], Some(&oat), Some(&nat), format!("{what}: `multipleOf` changes from {} to {}", shown(step(&o)), shown(step(&n))));
        }
        let unique = |v: &Value| v.get("uniqueItems").and_then(Value::as_bool).unwrap_or(false);
        if unique(&o) != unique(&n) {
            let (level, party) = narrow_breaks(unique(&n));
            let suffix = if unique(&n) { "unique-items-added" } else { "unique-items-removed" };
            self.push(id(suffix), level, &[party], Some(&oat), Some(&nat), format!("{what}: items {} be unique", if unique(&n) { "must now" } else { "need no longer" }));
        }
        // `format`: one that appears narrows, one that goes widens, one that
        // changes (`date` to `date-time`) does both.
        let format = |v: &Value| v.get("format").and_then(Value::as_str).map(str::to_owned);
        match (format(&o), format(&n)) {
            (None, Some(f)) => {
                self.narrowing(way, true, id("format-added"), Some(&oat), Some(&nat), format!("{what}: now of the format `{f}`"));
            }
            (Some(f), None) => {
                self.narrowing(way, false, id("format-removed"), Some(&oat), Some(&nat), format!("{what}: no longer of the format `{f}`"));
            }
            (Some(a), Some(b)) if a != b => {
                let party = if request { Party::Clients } else { way.reader() };
                self.push(id("format-changed"), Level::Breaking, &[party], Some(&oat), Some(&nat), format!("{what}: the format changes from `{a}` to `{b}`"));
            }
            _ => {}
        }
        // `pattern: ''` matches everything: it is no pattern.
        let pattern = |v: &Value| v.get("pattern").and_then(Value::as_str).filter(|p| !p.is_empty()).map(str::to_owned);
        if pattern(&o) != pattern(&n) {
            let (level, party) = if pattern(&n).is_none() { narrow_breaks(false) } else { (if request { Level::Breaking } else { Level::Warning }, if request { Party::Clients } else { way.reader() }) };
            let suffix = match (pattern(&o), pattern(&n)) {
                (None, _) => "pattern-added",
                (_, None) => "pattern-removed",
                _ => "pattern-changed",
            };
            self.push(id(suffix), level, &[party], Some(&oat), Some(&nat), format!("{what}: `pattern` changes from {:?} to {:?}", pattern(&o).unwrap_or_default(), pattern(&n).unwrap_or_default()));
        }
        if request && o.get("default") != n.get("default") && (o.get("default").is_some() || n.get("default").is_some()) {
            self.push(id("default-value-changed"), Level::Warning, &[Party::Clients], Some(&oat), Some(&nat), format!("{what}: the default changes, so clients that leave it out get another behaviour"));
        }
        // properties
        self.properties(&oat, &o, &nat, &n, way, what, prefix, depth);
        // array items: a rule for them that appears narrows, one that goes
        // widens.
        match (o.get("items").filter(|i| constrains(self.old, i)), n.get("items").filter(|i| constrains(self.new, i))) {
            (None, Some(_)) => {
                self.narrowing(way, true, id("items-added"), Some(&oat), Some(&nat), format!("{what}: its items now have a schema"));
            }
            (Some(_), None) => {
                self.narrowing(way, false, id("items-removed"), Some(&oat), Some(&nat), format!("{what}: its items no longer have a schema"));
            }
            _ => {}
        }
        // The discriminator picks the alternative a value is read as: a
        // property or a mapping that changes reads old values as another.
        let (od, nd) = (o.get("discriminator"), n.get("discriminator"));
        if od.is_some() && nd.is_some() && od != nd {
            let name = |d: Option<&Value>| d.and_then(|d| d.get("propertyName")).and_then(Value::as_str).unwrap_or_default().to_owned();
            let message = if name(od) != name(nd) {
                format!("{what}: the discriminator property changes from `{}` to `{}`", name(od), name(nd))
            } else {
                format!("{what}: the discriminator's mapping changes")
            };
            self.push(id("discriminator-changed"), Level::Breaking, &[Party::Clients, Party::Servers], Some(&oat), Some(&nat), message);
        }
        if o.get("items").is_some() && n.get("items").is_some() {
            self.schema(&format!("{oat}/items"), &format!("{nat}/items"), way, &format!("{what} items"), prefix, depth + 1, true);
        }
        // alternatives, by position
        for keyword in ["anyOf", "oneOf", "allOf"] {
            let count = |v: &Value| v.get(keyword).and_then(Value::as_array).map_or(0, Vec::len);
            for i in 0..count(&o).min(count(&n)) {
                self.schema(&format!("{oat}/{keyword}/{i}"), &format!("{nat}/{keyword}/{i}"), way, what, prefix, depth + 1, true);
            }
            if count(&n) > count(&o) && keyword != "allOf" {
                self.narrowing(way, false, id("alternative-added"), Some(&oat), Some(&nat), format!("{what}: a new alternative in `{keyword}`"));
            } else if count(&n) < count(&o) && keyword != "allOf" {
                self.narrowing(way, true, id("alternative-removed"), Some(&oat), Some(&nat), format!("{what}: an alternative of `{keyword}` is removed"));
            } else if count(&n) > count(&o) && n.get(keyword).and_then(Value::as_array).is_some_and(|members| members[count(&o)..].iter().all(|m| !constrains(self.new, m))) {
                // Members that only describe (a `description`, an example)
                // change nothing on the wire.
            } else if count(&n) > count(&o) {
                // Another schema every value must also satisfy.
                self.narrowing(way, true, id("all-of-added"), Some(&oat), Some(&nat), format!("{what}: a new member of `allOf` every value must satisfy too"));
            } else if count(&n) < count(&o) {
                self.narrowing(way, false, id("all-of-removed"), Some(&oat), Some(&nat), format!("{what}: a member of `allOf` is removed"));
            }
        }
        self.modern_keywords(&oat, &o, &nat, &n, way, what, prefix, depth);
    }

    /// The JSON Schema 2020-12 keywords of a 3.1 document (and
    /// `additionalProperties` values, `not`): one that appears narrows, one
    /// that goes widens, and the schemas under them are compared.
    #[allow(clippy::too_many_arguments)]
    fn modern_keywords(&mut self, oat: &str, o: &Value, nat: &str, n: &Value, way: Way, what: &str, prefix: &str, depth: usize) {
        let id = |suffix: &str| rule_id(prefix, suffix);
        // (keyword, its id, what its presence says)
        let keywords = [
            ("if", "if", "a condition (`if`)"),
            ("then", "then", "a rule when its condition holds (`then`)"),
            ("else", "else", "a rule when its condition fails (`else`)"),
            ("contains", "contains", "an item it must contain (`contains`)"),
            ("prefixItems", "prefix-items", "rules for its leading items (`prefixItems`)"),
            ("dependentRequired", "dependent-required", "properties another one requires (`dependentRequired`)"),
            ("dependentSchemas", "dependent-schemas", "rules another property brings (`dependentSchemas`)"),
            ("propertyNames", "property-names", "a rule for its property names (`propertyNames`)"),
            ("unevaluatedProperties", "unevaluated-properties", "a rule for properties nothing else describes (`unevaluatedProperties`)"),
            ("unevaluatedItems", "unevaluated-items", "a rule for items nothing else describes (`unevaluatedItems`)"),
            ("not", "not", "values it must not be (`not`)"),
        ];
        for (keyword, slug, meaning) in keywords {
            let (a, b) = (o.get(keyword), n.get(keyword));
            // `true` says nothing: as good as absent.
            fn said(v: Option<&Value>) -> Option<&Value> {
                v.filter(|v| **v != Value::Bool(true))
            }
            match (said(a), said(b)) {
                (None, Some(_)) => {
                    self.narrowing(way, true, id(&format!("{slug}-added")), Some(oat), Some(nat), format!("{what}: {meaning} is new"));
                }
                (Some(_), None) => {
                    self.narrowing(way, false, id(&format!("{slug}-removed")), Some(oat), Some(nat), format!("{what}: {meaning} is removed"));
                }
                (Some(a), Some(b)) if a != b => match keyword {
                    "if" | "not" => self.push(id(&format!("{slug}-changed")), Level::Warning, &[Party::Clients, Party::Servers], Some(oat), Some(nat), format!("{what}: {meaning} changes")),
                    "prefixItems" => {
                        let (la, lb) = (a.as_array().map_or(0, Vec::len), b.as_array().map_or(0, Vec::len));
                        for i in 0..la.min(lb) {
                            self.schema(&format!("{oat}/prefixItems/{i}"), &format!("{nat}/prefixItems/{i}"), way, &format!("{what} item {i}"), prefix, depth + 1, true);
                        }
                        if la != lb {
                            self.narrowing(way, lb > la, id("prefix-items-changed"), Some(oat), Some(nat), format!("{what}: rules for {lb} leading items, not {la}"));
                        }
                    }
                    "dependentRequired" | "dependentSchemas" => {
                        let (ma, mb) = (a.as_object().cloned().unwrap_or_default(), b.as_object().cloned().unwrap_or_default());
                        for (k, vb) in &mb {
                            match ma.get(k) {
                                None => {
                                    self.narrowing(way, true, id(&format!("{slug}-added")), Some(oat), Some(nat), format!("{what}: `{k}` now brings {meaning}"));
                                }
                                Some(va) if keyword == "dependentSchemas" => {
                                    let at = |base: &str| format!("{base}/dependentSchemas/{}", escape_segment(k));
                                    self.schema(&at(oat), &at(nat), way, &format!("{what} with `{k}`"), prefix, depth + 1, true);
                                    let _ = (va, vb);
                                }
                                Some(va) => {
                                    let names = |v: &Value| v.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>();
                                    let (na, nb) = (names(va), names(vb));
                                    if nb.iter().any(|x| !na.contains(x)) {
                                        self.narrowing(way, true, id("dependent-required-added"), Some(oat), Some(nat), format!("{what}: `{k}` now requires more properties"));
                                    } else if na.iter().any(|x| !nb.contains(x)) {
                                        self.narrowing(way, false, id("dependent-required-removed"), Some(oat), Some(nat), format!("{what}: `{k}` requires fewer properties"));
                                    }
                                }
                            }
                        }
                        for k in ma.keys().filter(|k| !mb.contains_key(*k)) {
                            self.narrowing(way, false, id(&format!("{slug}-removed")), Some(oat), Some(nat), format!("{what}: `{k}` no longer brings {meaning}"));
                        }
                    }
                    _ => {
                        let child = |base: &str| format!("{base}/{keyword}");
                        self.schema(&child(oat), &child(nat), way, &format!("{what} ({keyword})"), prefix, depth + 1, true);
                    }
                },
                _ => {}
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn properties(&mut self, oat: &str, o: &Value, nat: &str, n: &Value, way: Way, what: &str, prefix: &str, depth: usize) {
        let request = way == Way::Request;
        let empty = Map::new();
        let (op, np) = (o.get("properties").and_then(Value::as_object).unwrap_or(&empty), n.get("properties").and_then(Value::as_object).unwrap_or(&empty));
        let required = |v: &Value| -> Vec<String> { v.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect() };
        let (or, nr) = (required(o), required(n));
        // A property that only travels the other way is not compared.
        let hidden = |doc: &'a Document, at: &str| {
            let Some((_, p)) = Self::follow(doc, at) else { return false };
            let flag = if request { "readOnly" } else { "writeOnly" };
            p.get(flag).and_then(Value::as_bool).unwrap_or(false)
        };
        let id = |suffix: &str| rule_id(prefix, suffix);
        for name in op.keys() {
            let o_at = format!("{oat}/properties/{}", escape_segment(name));
            if hidden(self.old, &o_at) {
                continue;
            }
            let here = format!("{what}: property `{name}`");
            let n_at = format!("{nat}/properties/{}", escape_segment(name));
            if np.contains_key(name) && hidden(self.new, &n_at) {
                // It no longer travels this way: as if removed.
                let flag = if request { "read-only" } else { "write-only" };
                let (level, party, outcome) = match (request, or.contains(name)) {
                    (true, _) => (Level::Warning, Party::Clients, "clients that send it may be refused"),
                    (false, true) => (Level::Breaking, way.reader(), "it was always present and is no longer sent"),
                    (false, false) => (Level::Warning, way.reader(), "it is no longer sent"),
                };
                self.push(id(&format!("property-became-{flag}")), level, &[party], Some(&o_at), Some(&n_at), format!("{here} becomes {flag}: {outcome}"));
                continue;
            }
            if !np.contains_key(name) {
                if request {
                    self.push(id("property-removed"), Level::Breaking, &[Party::Clients], Some(&o_at), None, format!("{here} is removed; clients that send it are refused where unknown properties are"));
                } else if or.contains(name) {
                    self.push(id("required-property-removed"), Level::Breaking, &[way.reader()], Some(&o_at), None, format!("{here}, which was always present, is removed"));
                } else {
                    self.push(id("optional-property-removed"), Level::Warning, &[way.reader()], Some(&o_at), None, format!("{here} is removed"));
                }
                continue;
            }
            let n_at = format!("{nat}/properties/{}", escape_segment(name));
            match (or.contains(name), nr.contains(name)) {
                (false, true) if request => self.push(id("property-became-required"), Level::Breaking, &[Party::Clients], Some(&o_at), Some(&n_at), format!("{here} becomes required")),
                (true, false) if !request => self.push(id("property-became-optional"), Level::Breaking, &[way.reader()], Some(&o_at), Some(&n_at), format!("{here} may now be absent")),
                (true, false) => self.push(id("property-became-optional"), Level::Info, &[], Some(&o_at), Some(&n_at), format!("{here} becomes optional")),
                (false, true) => self.push(id("property-became-required"), Level::Info, &[], Some(&o_at), Some(&n_at), format!("{here} is now always present")),
                _ => {}
            }
            self.schema(&o_at, &n_at, way, &here, prefix, depth + 1, true);
        }
        for name in np.keys().filter(|k| !op.contains_key(*k)) {
            let n_at = format!("{nat}/properties/{}", escape_segment(name));
            if hidden(self.new, &n_at) {
                continue;
            }
            let here = format!("{what}: property `{name}`");
            match (request, nr.contains(name)) {
                (true, true) => self.push("new-required-request-property", Level::Breaking, &[Party::Clients], None, Some(&n_at), format!("{here} is new and required")),
                (true, false) => self.push("new-optional-request-property", Level::Info, &[], None, Some(&n_at), format!("{here} is new")),
                (false, _) => self.push(id("property-added"), Level::Info, &[], None, Some(&n_at), format!("{here} is new")),
            }
        }
        // The values of a map: compared as any schema.
        if o.get("additionalProperties").is_some_and(Value::is_object) && n.get("additionalProperties").is_some_and(Value::is_object) {
            let at = |base: &str| format!("{base}/additionalProperties");
            self.schema(&at(oat), &at(nat), way, &format!("{what}: values"), prefix, depth + 1, true);
        }
        let closed = |v: &Value| v.get("additionalProperties") == Some(&Value::Bool(false));
        if !closed(o) && closed(n) && o.get("type").and_then(Value::as_str) == Some("object") {
            let level = if request { Level::Breaking } else { Level::Info };
            self.push(id("additional-properties-forbidden"), level, &[Party::Clients], Some(oat), Some(nat), format!("{what}: properties it does not name are no longer allowed"));
        }
    }
}

/// The level of a change that narrows (or widens) what travels `way`, and
/// whom it breaks: narrowing a request breaks its writer, widening a
/// response its reader; the rest is information.
fn narrow_breaks(way: Way, narrowed: bool) -> (Level, Party) {
    let request = way == Way::Request;
    if narrowed == request { (Level::Breaking, if request { way.writer() } else { way.reader() }) } else { (Level::Info, way.reader()) }
}

/// Whether a schema (through its `$ref`s) says anything about values, not
/// only about itself (`description`, `title`, examples, extensions).
fn constrains(doc: &Document, schema: &Value) -> bool {
    const ANNOTATIONS: [&str; 10] = ["description", "title", "example", "examples", "deprecated", "externalDocs", "xml", "default", "$comment", "discriminator"];
    let mut schema = schema;
    for _ in 0..32 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(target) => match doc.resolve_pointer(target) {
                Some(next) => schema = next,
                None => return true,
            },
            None => break,
        }
    }
    match schema {
        Value::Object(map) => map.keys().any(|k| !ANNOTATIONS.contains(&k.as_str()) && !k.starts_with("x-")),
        Value::Bool(b) => !b,
        _ => true,
    }
}

/// `request-property-type-changed` and the like: the place (a request
/// parameter, a request property, a response property) and the change, in
/// oasdiff's words where it has the rule.
fn rule_id(prefix: &str, suffix: &str) -> String {
    let base = match prefix {
        "request-parameter" => "request-parameter",
        "response-header" => "response-header",
        "request" => "request-property",
        _ => "response-property",
    };
    if let Some(kind) = ["required-", "optional-"].iter().find(|k| suffix.starts_with(**k)) {
        // `response-required-property-removed`
        let direction = base.split('-').next().unwrap_or(base);
        return format!("{direction}-{kind}{}", &suffix[kind.len()..]);
    }
    match suffix.strip_prefix("property-") {
        Some(rest) if base.ends_with("property") => format!("{base}-{rest}"),
        _ => format!("{base}-{suffix}"),
    }
}
