//! Where a JSON Schema 2020-12 `$ref` leads: base URIs (`$id`), anchors
//! (`$anchor`, `$dynamicAnchor`), JSON pointer fragments (percent-encoded
//! or not), and documents other than the one being validated, given by the
//! caller in a [`Registry`] (never fetched: no network).
//!
//! Schemas are named by pointer strings: `#/components/schemas/item` in the
//! document itself, `https://example.com/other.json#/$defs/x` in a document
//! of the registry.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

/// The base URI of the document being validated, where it says none: refs
/// relative to it (`other.json`) are looked up in the registry under this
/// base (`https://openapi-contract.invalid/other.json`).
pub const DOCUMENT_BASE: &str = "https://openapi-contract.invalid/document";

/// Documents a `$ref` may reach besides the one validated, by URI. Comes
/// with the JSON Schema 2020-12 meta-schema and its vocabularies
/// (`contract/metaschemas`), so `$ref: https://json-schema.org/draft/2020-12/schema`
/// works. Useful for specs whose schemas refer to files of their own: read
/// each file and insert it under the URI its references use.
#[derive(Debug, Clone)]
pub struct Registry {
    docs: BTreeMap<String, Value>,
}

impl Default for Registry {
    fn default() -> Registry {
        Registry::new()
    }
}

const METASCHEMAS: [(&str, &str); 8] = [
    ("schema", include_str!("../metaschemas/schema.json")),
    ("meta/core", include_str!("../metaschemas/core.json")),
    ("meta/applicator", include_str!("../metaschemas/applicator.json")),
    ("meta/unevaluated", include_str!("../metaschemas/unevaluated.json")),
    ("meta/validation", include_str!("../metaschemas/validation.json")),
    ("meta/meta-data", include_str!("../metaschemas/meta-data.json")),
    ("meta/format-annotation", include_str!("../metaschemas/format-annotation.json")),
    ("meta/content", include_str!("../metaschemas/content.json")),
];

impl Registry {
    /// The meta-schemas of JSON Schema 2020-12, and nothing else.
    pub fn new() -> Registry {
        let mut docs = BTreeMap::new();
        for (name, text) in METASCHEMAS {
            let value: Value = serde_json::from_str(text).expect("a meta-schema shipped with the crate is JSON");
            docs.insert(format!("https://json-schema.org/draft/2020-12/{name}"), value);
        }
        Registry { docs }
    }

    /// Adds (or replaces) the document at `uri` (absolute, without a
    /// fragment).
    pub fn insert(&mut self, uri: &str, document: Value) {
        self.docs.insert(without_fragment(uri).to_owned(), document);
    }

    /// Whether a schema whose `$schema` is `uri` uses the validation
    /// vocabulary: yes unless the registry's meta-schema at `uri` lists
    /// vocabularies without it.
    pub(crate) fn uses_validation(&self, uri: &str) -> bool {
        match self.get(without_fragment(uri)).and_then(|m| m.get("$vocabulary")).and_then(Value::as_object) {
            Some(vocabularies) => vocabularies.contains_key("https://json-schema.org/draft/2020-12/vocab/validation"),
            None => true,
        }
    }

    fn get(&self, uri: &str) -> Option<&Value> {
        self.docs.get(uri)
    }
}

fn without_fragment(uri: &str) -> &str {
    uri.split_once('#').map_or(uri, |(u, _)| u)
}

/// `reference` resolved against `base`, as an absolute URI.
fn join(base: &str, reference: &str) -> Result<String, String> {
    let base = url::Url::parse(base).map_err(|e| format!("the base URI `{base}` is not a URI: {e}"))?;
    base.join(reference).map(String::from).map_err(|e| format!("`{reference}` is not a URI reference: {e}"))
}

/// Keys whose values are data, not schemas: nothing under them names a
/// schema.
const DATA: [&str; 5] = ["enum", "const", "examples", "example", "default"];

/// The documents loaded so far and the identifiers in them.
#[derive(Debug, Default)]
pub(crate) struct Resources {
    /// Documents by URI; the validated one is under `""`.
    docs: HashMap<String, Value>,
    /// Absolute URIs (resources by `$id`, `uri#anchor` for `$anchor` and
    /// `$dynamicAnchor`) and the pointers they name.
    ids: HashMap<String, String>,
    /// `$dynamicAnchor` names, with (the base URI of the resource, the
    /// pointer of the schema that says it).
    pub(crate) dynamic: HashMap<String, Vec<(String, String)>>,
}

impl Resources {
    /// The identifiers of the validated document.
    pub(crate) fn new(document: &Value) -> Resources {
        let mut r = Resources::default();
        r.ids.insert(DOCUMENT_BASE.to_owned(), "#".to_owned());
        r.index(document, "#", DOCUMENT_BASE);
        r
    }

    fn index(&mut self, v: &Value, at: &str, base: &str) {
        let Value::Object(map) = v else {
            if let Value::Array(items) = v {
                for (i, item) in items.iter().enumerate() {
                    self.index(item, &format!("{at}/{i}"), base);
                }
            }
            return;
        };
        let mut base = base.to_owned();
        if let Some(Value::String(id)) = map.get("$id")
            && let Ok(uri) = join(&base, id)
        {
            base = without_fragment(&uri).to_owned();
            self.ids.entry(base.clone()).or_insert_with(|| at.to_owned());
        }
        for (keyword, dynamic) in [("$anchor", false), ("$dynamicAnchor", true)] {
            if let Some(Value::String(name)) = map.get(keyword) {
                self.ids.entry(format!("{base}#{name}")).or_insert_with(|| at.to_owned());
                if dynamic {
                    self.dynamic.entry(name.clone()).or_default().push((base.clone(), at.to_owned()));
                }
            }
        }
        for (key, child) in map {
            if !DATA.contains(&key.as_str()) {
                self.index(child, &format!("{at}/{}", openapi_codegen::escape_segment(key)), &base);
            }
        }
    }

    /// The value a pointer names, in the validated document (`view`
    /// second: a 3.1 document's 3.0 view holds what the loader moved) or a
    /// loaded one.
    pub(crate) fn value<'a>(&'a self, raw: &'a Value, view: Option<&'a Value>, pointer: &str) -> Option<&'a Value> {
        let (uri, fragment) = pointer.split_once('#')?;
        if uri.is_empty() {
            return raw.pointer(fragment).or_else(|| view.and_then(|v| v.pointer(fragment)));
        }
        self.docs.get(uri)?.pointer(fragment)
    }

    /// The base URI that applies at `pointer`: the document's, changed by
    /// every `$id` on the way down.
    pub(crate) fn base_of(&self, raw: &Value, pointer: &str) -> String {
        let Some((uri, fragment)) = pointer.split_once('#') else { return DOCUMENT_BASE.to_owned() };
        let (mut node, mut base) = if uri.is_empty() {
            (Some(raw), DOCUMENT_BASE.to_owned())
        } else {
            (self.docs.get(uri), uri.to_owned())
        };
        let segments: Vec<String> = fragment.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
        let mut i = 0;
        while let Some(here) = node {
            if let Some(Value::String(id)) = here.get("$id")
                && let Ok(uri) = join(&base, id)
            {
                base = without_fragment(&uri).to_owned();
            }
            let Some(segment) = segments.get(i) else { break };
            node = match here {
                Value::Object(map) => map.get(segment),
                Value::Array(items) => segment.parse::<usize>().ok().and_then(|k| items.get(k)),
                _ => None,
            };
            i += 1;
        }
        base
    }

    /// The pointer `reference`, written where `base` applies, names;
    /// documents of the registry it reaches are loaded.
    pub(crate) fn resolve(&mut self, base: &str, reference: &str, registry: &Registry) -> Result<String, String> {
        let absolute = join(base, reference)?;
        let (uri, fragment) = absolute.split_once('#').unwrap_or((&absolute, ""));
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy().into_owned();
        if !self.ids.contains_key(uri) {
            self.load(uri, registry)?;
        }
        if !fragment.is_empty() && !fragment.starts_with('/') {
            return self.ids.get(&format!("{uri}#{fragment}")).cloned().ok_or_else(|| format!("no `$anchor` `{fragment}` in `{uri}`"));
        }
        let root = &self.ids[uri];
        Ok(format!("{root}{fragment}"))
    }

    fn load(&mut self, uri: &str, registry: &Registry) -> Result<(), String> {
        let document = registry.get(uri).ok_or_else(|| format!("`{uri}` is neither in the document nor in the registry"))?.clone();
        self.ids.insert(uri.to_owned(), format!("{uri}#"));
        self.index(&document, &format!("{uri}#"), uri);
        self.docs.insert(uri.to_owned(), document);
        Ok(())
    }
}
