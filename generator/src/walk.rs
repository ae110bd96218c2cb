//! Walks every schema of a document with its JSON pointer. The validator,
//! the IR builder and the contract suite all visit schemas through here.

use openapiv3::{
    AdditionalProperties, MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, PathItem,
    ReferenceOr, RequestBody, Response, Schema, SchemaKind, Type,
};
use serde_json::Value;

use crate::load::escape_segment;

/// A schema position: a `$ref` or an inline schema.
#[derive(Debug, Clone, Copy)]
pub enum SchemaRef<'a> {
    /// `{"$ref": "..."}`.
    Ref(&'a str),
    /// An inline schema.
    Inline(&'a Schema),
}

impl<'a> SchemaRef<'a> {
    /// From a `ReferenceOr<Schema>`.
    pub fn of(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(schema) => SchemaRef::Inline(schema),
        }
    }

    /// From a `ReferenceOr<Box<Schema>>`.
    pub fn of_boxed(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(schema) => SchemaRef::Inline(schema),
        }
    }
}

/// The subschemas of a schema, each with the pointer segments leading to it.
pub fn children(schema: &Schema) -> Vec<(String, SchemaRef<'_>)> {
    let mut out = Vec::new();
    fn push_props<'a>(
        props: &'a indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        out: &mut Vec<(String, SchemaRef<'a>)>,
    ) {
        for (name, prop) in props {
            out.push((format!("properties/{}", escape_segment(name)), SchemaRef::of_boxed(prop)));
        }
    }
    fn push_additional<'a>(ap: &'a Option<AdditionalProperties>, out: &mut Vec<(String, SchemaRef<'a>)>) {
        if let Some(AdditionalProperties::Schema(s)) = ap {
            out.push(("additionalProperties".into(), SchemaRef::of(s)));
        }
    }
    fn push_list<'a>(key: &str, list: &'a [ReferenceOr<Schema>], out: &mut Vec<(String, SchemaRef<'a>)>) {
        for (i, s) in list.iter().enumerate() {
            out.push((format!("{key}/{i}"), SchemaRef::of(s)));
        }
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            push_props(&object.properties, &mut out);
            push_additional(&object.additional_properties, &mut out);
        }
        SchemaKind::Type(Type::Array(array)) => {
            if let Some(items) = &array.items {
                out.push(("items".into(), SchemaRef::of_boxed(items)));
            }
        }
        SchemaKind::Type(_) => {}
        SchemaKind::OneOf { one_of } => push_list("oneOf", one_of, &mut out),
        SchemaKind::AllOf { all_of } => push_list("allOf", all_of, &mut out),
        SchemaKind::AnyOf { any_of } => push_list("anyOf", any_of, &mut out),
        SchemaKind::Not { not } => out.push(("not".into(), SchemaRef::of(not))),
        SchemaKind::Any(any) => {
            push_props(&any.properties, &mut out);
            push_additional(&any.additional_properties, &mut out);
            if let Some(items) = &any.items {
                out.push(("items".into(), SchemaRef::of_boxed(items)));
            }
            push_list("oneOf", &any.one_of, &mut out);
            push_list("allOf", &any.all_of, &mut out);
            push_list("anyOf", &any.any_of, &mut out);
            if let Some(not) = &any.not {
                out.push(("not".into(), SchemaRef::of(not)));
            }
        }
    }
    out
}

/// A schema reached from the document root, with where it was found.
#[derive(Debug, Clone, Copy)]
pub struct Root<'a> {
    /// JSON pointer of the schema.
    pub pointer: &'a str,
    /// The schema.
    pub schema: SchemaRef<'a>,
}

/// The top-level schema positions of a document (components, parameters,
/// bodies, responses, headers), in document order. `webhooks` are the path
/// items of the `x-webhooks` extension, parsed by the caller; `more` the
/// operations of OpenAPI 3.2 path items the typed model has no field for.
pub fn root_schemas<'a>(
    api: &'a OpenAPI,
    webhooks: &'a [(String, PathItem)],
    more: &'a [crate::MoreOperation],
) -> Vec<(String, SchemaRef<'a>)> {
    let mut out = Vec::new();
    if let Some(components) = &api.components {
        for (name, schema) in &components.schemas {
            out.push((format!("#/components/schemas/{}", escape_segment(name)), SchemaRef::of(schema)));
        }
        for (name, p) in &components.parameters {
            if let ReferenceOr::Item(p) = p {
                parameter(&format!("#/components/parameters/{}", escape_segment(name)), p, &mut out);
            }
        }
        for (name, b) in &components.request_bodies {
            if let ReferenceOr::Item(b) = b {
                request_body(&format!("#/components/requestBodies/{}", escape_segment(name)), b, &mut out);
            }
        }
        for (name, r) in &components.responses {
            if let ReferenceOr::Item(r) = r {
                response(&format!("#/components/responses/{}", escape_segment(name)), r, &mut out);
            }
        }
    }
    for (path, item) in &api.paths.paths {
        if let ReferenceOr::Item(item) = item {
            path_item(&format!("#/paths/{}", escape_segment(path)), item, &mut out);
        }
    }
    for (name, item) in webhooks {
        path_item(&format!("#/x-webhooks/{}", escape_segment(name)), item, &mut out);
    }
    for m in more {
        operation(&format!("#/paths/{}/{}", escape_segment(&m.path), m.key), &m.operation, &mut out);
    }
    out
}

fn path_item<'a>(at: &str, item: &'a PathItem, out: &mut Vec<(String, SchemaRef<'a>)>) {
    for (i, p) in item.parameters.iter().enumerate() {
        if let ReferenceOr::Item(p) = p {
            parameter(&format!("{at}/parameters/{i}"), p, out);
        }
    }
    for (method, op) in item.iter() {
        operation(&format!("{at}/{method}"), op, out);
    }
}

fn operation<'a>(at: &str, op: &'a openapiv3::Operation, out: &mut Vec<(String, SchemaRef<'a>)>) {
    {
        for (i, p) in op.parameters.iter().enumerate() {
            if let ReferenceOr::Item(p) = p {
                parameter(&format!("{at}/parameters/{i}"), p, out);
            }
        }
        if let Some(ReferenceOr::Item(body)) = &op.request_body {
            request_body(&format!("{at}/requestBody"), body, out);
        }
        if let Some(ReferenceOr::Item(r)) = &op.responses.default {
            response(&format!("{at}/responses/default"), r, out);
        }
        for (code, r) in &op.responses.responses {
            if let ReferenceOr::Item(r) = r {
                response(&format!("{at}/responses/{code}"), r, out);
            }
        }
    }
}

fn parameter<'a>(at: &str, p: &'a Parameter, out: &mut Vec<(String, SchemaRef<'a>)>) {
    match &p.parameter_data_ref().format {
        ParameterSchemaOrContent::Schema(s) => out.push((format!("{at}/schema"), SchemaRef::of(s))),
        ParameterSchemaOrContent::Content(content) => content_schemas(at, content, out),
    }
}

fn request_body<'a>(at: &str, b: &'a RequestBody, out: &mut Vec<(String, SchemaRef<'a>)>) {
    content_schemas(at, &b.content, out);
}

fn response<'a>(at: &str, r: &'a Response, out: &mut Vec<(String, SchemaRef<'a>)>) {
    for (name, h) in &r.headers {
        if let ReferenceOr::Item(h) = h
            && let ParameterSchemaOrContent::Schema(s) = &h.format
        {
            out.push((format!("{at}/headers/{}/schema", escape_segment(name)), SchemaRef::of(s)));
        }
    }
    content_schemas(at, &r.content, out);
}

fn content_schemas<'a>(
    at: &str,
    content: &'a indexmap::IndexMap<String, MediaType>,
    out: &mut Vec<(String, SchemaRef<'a>)>,
) {
    for (media, m) in content {
        if let Some(s) = &m.schema {
            out.push((format!("{at}/content/{}/schema", escape_segment(media)), SchemaRef::of(s)));
        }
    }
}

/// Visits every inline schema in the document (depth first, document order).
pub fn for_each_schema<'a>(
    api: &'a OpenAPI,
    webhooks: &'a [(String, PathItem)],
    more: &'a [crate::MoreOperation],
    visit: &mut dyn FnMut(&str, &'a Schema),
) {
    fn go<'a>(pointer: &str, schema: &'a Schema, visit: &mut dyn FnMut(&str, &'a Schema)) {
        visit(pointer, schema);
        for (segment, child) in children(schema) {
            if let SchemaRef::Inline(child) = child {
                go(&format!("{pointer}/{segment}"), child, visit);
            }
        }
    }
    for (pointer, schema) in root_schemas(api, webhooks, more) {
        if let SchemaRef::Inline(schema) = schema {
            go(&pointer, schema, visit);
        }
    }
}

/// The `x-webhooks` extension: event name → path item, in document order.
/// Entries that are not path items are reported by the validator.
pub fn webhooks(raw: &Value) -> Vec<(String, Result<PathItem, String>)> {
    named_entries(raw.get("x-webhooks"))
        .map(|(name, item)| {
            let parsed = serde_path_to_error::deserialize::<_, PathItem>(item)
                .map_err(|e| format!("{} at {}", e.inner(), e.path()));
            (name.clone(), parsed)
        })
        .collect()
}

/// What the keys of an object of a raw document are, which decides what a
/// key starting with `x-` is: a specification extension, whose value
/// carries no OpenAPI meaning and is never followed or checked, or a name
/// the author chose (a property, a header, a component).
///
/// Every walk over a raw document asks [`Part::child`] before it descends,
/// so that a `$ref` inside `x-codeSamples`, or an `x-` key beside the
/// paths, is never read as part of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The document itself.
    Root,
    /// `components`: fixed fields whose values are maps of names.
    Components,
    /// An object of fixed fields (an operation, a schema, a parameter...):
    /// `x-` keys are extensions.
    Fields,
    /// A map of names (`properties`, `headers`, `content`, a component
    /// map...): every key is a name, `x-` ones too.
    Names,
    /// A map of names beside which extensions may stand (`paths`,
    /// `responses`, a callback, `x-webhooks`).
    NamesOrExtensions,
    /// `callbacks`: names of callback objects.
    Callbacks,
}

impl Part {
    /// What the value at `key` of an object of this part is; `None` when it
    /// carries no OpenAPI meaning: an extension, or literal data (`example`,
    /// `default`, `enum`, `const`, an example's `value`).
    pub fn child(self, key: &str, value: &Value) -> Option<Part> {
        let extension = key.starts_with("x-");
        match self {
            Part::Names => Some(Part::Fields),
            Part::Callbacks => Some(Part::NamesOrExtensions),
            Part::NamesOrExtensions | Part::Components if extension => None,
            Part::NamesOrExtensions => Some(Part::Fields),
            Part::Components => Some(Part::Names),
            Part::Root if key == "x-webhooks" => Some(Part::NamesOrExtensions),
            Part::Root | Part::Fields if extension => None,
            Part::Root | Part::Fields => match key {
                "example" | "default" | "enum" | "const" | "value" | "dataValue" | "serializedValue" => None,
                "examples" if value.is_array() => None,
                "components" if self == Part::Root => Some(Part::Components),
                "paths" | "responses" => Some(Part::NamesOrExtensions),
                "callbacks" => Some(Part::Callbacks),
                "webhooks" | "properties" | "patternProperties" | "dependentSchemas" | "dependentRequired" | "$defs"
                | "definitions" | "headers" | "content" | "encoding" | "links" | "examples" | "mapping" | "variables"
                | "scopes" | "additionalOperations" => Some(Part::Names),
                _ => Some(Part::Fields),
            },
        }
    }
}

/// The entries of a map of names beside which extensions may stand
/// (`paths`, `x-webhooks`, `responses`): the names alone, in document order.
pub fn named_entries(map: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    map.and_then(Value::as_object).into_iter().flatten().filter(|(k, _)| !k.starts_with("x-"))
}
