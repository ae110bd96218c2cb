//! Builds the IR from a loaded document: every schema becomes a `TypeRef`,
//! named types get their names here (and only here), operations and events
//! are resolved to those types.
//!
//! Order is deterministic: component names are reserved first (sorted by
//! spec name), then types are built in a fixed traversal order, so the same
//! document and settings always give the same names.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use indexmap::IndexMap;
use openapiv3::{
    APIKeyLocation, Operation as OaOperation, SecurityScheme as SecuritySchemeObject, Parameter, ParameterSchemaOrContent, PathItem, QueryStyle, ReferenceOr, Schema,
    SchemaData, SchemaKind, StatusCode, Type,
};
use serde_json::Value;

use crate::docs::doc_lines;
use crate::error::{Collector, ProblemKind};
use crate::ir::*;
use crate::load::{Document, escape_segment};
use crate::naming::{Namespace, field_ident, type_ident, variant_ident};
use crate::shape::{Additional, ObjectShape, Shape, is_empty_string_marker, is_plain_string, shape};
use crate::walk::SchemaRef;

/// What to generate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Only operations whose path matches one of these globs (`*` within a
    /// segment, `**` across segments), and the schemas they reach. Empty: all.
    pub paths: Vec<String>,
    /// Stop following the object branch of expandable fields past this
    /// depth (the ID is kept). `None`: follow all.
    pub expand_depth: Option<usize>,
}

impl Settings {
    fn subset(&self) -> bool {
        !self.paths.is_empty() || self.expand_depth.is_some()
    }
}

/// Method names the emitters define themselves, which no operation may take:
/// the client's constructors and accessors (`Client::new`, `builder`,
/// `from_http`, `with_options`, `http`, `options`), the server trait's hooks
/// (`authenticate`, `rejection`), and the names whose `handle_` functions
/// the server module already has (`unknown_route`, `wrong_method`). An
/// operation whose `operationId` is one of them gets a numeric suffix.
pub const RESERVED_METHOD_NAMES: &[&str] = &[
    "new",
    "builder",
    "from_http",
    "with_options",
    "http",
    "options",
    "authenticate",
    "rejection",
    "unknown_route",
    "wrong_method",
];

/// Argument and local names of the generated client methods and server
/// handlers, which no path parameter may take.
pub const RESERVED_ARGUMENT_NAMES: &[&str] = &["params", "context", "path", "service", "request", "options"];

const JSON_NOTE_NOT: &str = "Any JSON value: the schema uses `not`, which has no Rust type.";

/// The result of converting one schema position.
#[derive(Debug, Clone)]
struct Conv {
    ty: TypeRef,
    nullable: bool,
    note: Option<String>,
    constraints: Constraints,
}

impl Conv {
    fn of(ty: TypeRef) -> Self {
        Conv { ty, nullable: false, note: None, constraints: Constraints::default() }
    }

    fn json(note: impl Into<String>) -> Self {
        Conv { note: Some(note.into()), ..Conv::of(TypeRef::Json) }
    }
}

/// Where a schema is being converted.
#[derive(Debug, Clone)]
struct Ctx {
    /// JSON pointer of the schema.
    pointer: String,
    /// Name for a type made here, before uniqueness is applied.
    hint: String,
    /// A name already reserved for the outermost type made here (components).
    fixed: Option<String>,
    /// Expansion depth (see `Settings::expand_depth`).
    depth: usize,
}

impl Ctx {
    fn child(&self, segment: &str, hint: String) -> Ctx {
        Ctx { pointer: format!("{}/{segment}", self.pointer), hint, fixed: None, depth: self.depth }
    }
}

struct Builder<'a> {
    doc: &'a Document,
    settings: &'a Settings,
    names: Namespace,
    /// Component key → Rust name, for every component schema.
    components: BTreeMap<String, String>,
    /// Components to build, with their expansion depth (a 0-1 BFS queue).
    queue: VecDeque<(String, usize)>,
    built: BTreeSet<String>,
    /// Non-component `$ref`s being converted (guards recursion through them).
    resolving: Vec<String>,
    types: BTreeMap<String, TypeDef>,
    found: Collector,
}

/// Builds the IR. All problems are reported together.
pub fn build(doc: &Document, settings: &Settings) -> Result<Api, crate::Error> {
    let mut found = Collector::default();
    let webhooks = crate::validate::parsed_webhooks(doc, &mut found);
    let mut b = Builder {
        doc,
        settings,
        names: Namespace::camel(&crate::emit::reserved_type_names().collect::<Vec<_>>()),
        components: BTreeMap::new(),
        queue: VecDeque::new(),
        built: BTreeSet::new(),
        resolving: Vec::new(),
        types: BTreeMap::new(),
        found,
    };
    let api = &doc.api;
    let mut keys: Vec<&String> = api.components.iter().flat_map(|c| c.schemas.keys()).collect();
    keys.sort();
    for key in keys {
        let name = b.names.claim(&type_ident(key));
        b.components.insert(key.clone(), name);
    }
    if !settings.subset() {
        b.queue = b.components.keys().map(|k| (k.clone(), 0)).collect();
        b.drain();
    }
    let mut operations = Vec::new();
    for at in doc.operations() {
        if !settings.paths.is_empty() && !settings.paths.iter().any(|g| glob_match(g, at.path)) {
            continue;
        }
        operations.push(b.operation(at));
    }
    let security_schemes = b.security_schemes();
    b.requirements(api.security.as_deref().unwrap_or_default(), "#/security", true);
    let mut op_ids = Namespace::snake(RESERVED_METHOD_NAMES);
    for op in &mut operations {
        op.ident = op_ids.claim(&op.ident);
    }
    // Every alternative media type of a success gets its method, named
    // after the operation's once every operation has its name.
    for op in &mut operations {
        let base = op.ident.trim_start_matches("r#").to_owned();
        for response in &mut op.responses {
            for alternative in &mut response.others {
                alternative.method = op_ids.claim(&format!("{base}_{}", kind_word(alternative.kind)));
            }
        }
    }
    let mut events = Vec::new();
    let mut variants = Namespace::camel(&["Unknown"]);
    for (name, item) in &webhooks {
        if let Some(event) = b.event(name, item, &mut variants) {
            events.push(event);
        }
    }
    // One payload method per payload type, named after it.
    let mut methods = Namespace::snake(&["event_type", "from_slice", "types"]);
    let mut named: BTreeMap<String, String> = BTreeMap::new();
    for event in &mut events {
        if let Some(TypeRef::Named(payload)) = &event.payload {
            let method = named.entry(payload.clone()).or_insert_with(|| methods.claim(&field_ident(payload)));
            event.payload_method = Some(method.clone());
        }
    }
    b.drain();
    let mut api_ir = Api {
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        doc: api.info.description.as_deref().map(doc_lines).unwrap_or_default(),
        types: std::mem::take(&mut b.types),
        operations,
        events,
        error: None,
        service: service_name(&api.info.title),
        tags: api.tags.iter().map(|t| (t.name.clone(), t.description.as_deref().map(doc_lines).unwrap_or_default())).collect(),
        security_schemes,
    };
    crate::post::finish(&mut api_ir, &mut b.found);
    if b.found.is_empty() { Ok(api_ir) } else { Err(doc.problems(b.found.into_vec())) }
}

/// The parameter that is a whole body (text, or JSON that is no object of
/// fields): sent and read as it is, under the name `body`.
fn whole_body(ident: String, required: bool) -> ParamField {
    ParamField { ident, wire: "body".into(), key: "body".into(), location: Location::WholeBody, style: Style::Form, explode: true, required }
}

/// `Checkout Sessions API` → `CheckoutSessionsApi`; `Pets` → `PetsApi`.
fn service_name(title: &str) -> String {
    let name = type_ident(title);
    if name.ends_with("Api") { name } else { format!("{name}Api") }
}

/// The word naming what a media kind carries, in the names of its types
/// and client methods (`<operation>_events`).
pub(crate) fn kind_word(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Json => "json",
        MediaKind::Form => "form",
        MediaKind::Multipart => "multipart",
        MediaKind::Text => "text",
        MediaKind::EventStream => "events",
        MediaKind::JsonLines => "lines",
        MediaKind::Binary => "bytes",
    }
}

/// What a type's name gives the names of the types inside it: `Self_`
/// (the keyword, claimed) gives `SelfKind`.
fn stem(name: &str) -> &str {
    name.strip_suffix('_').unwrap_or(name)
}

/// `#/components/schemas/X` → `X`.
fn component_key(reference: &str) -> Option<String> {
    let rest = reference.strip_prefix("#/components/schemas/")?;
    (!rest.contains('/')).then(|| rest.replace("~1", "/").replace("~0", "~"))
}

impl<'a> Builder<'a> {
    fn want(&mut self, key: &str, depth: usize) {
        if self.built.contains(key) {
            return;
        }
        let entry = (key.to_owned(), depth);
        if self.queue.front().is_none_or(|(_, d)| depth <= *d) {
            self.queue.push_front(entry);
        } else {
            self.queue.push_back(entry);
        }
    }

    fn drain(&mut self) {
        while let Some((key, depth)) = self.queue.pop_front() {
            if !self.built.insert(key.clone()) {
                continue;
            }
            self.component(&key, depth);
        }
    }

    fn component_schema(&self, key: &str) -> Option<&'a ReferenceOr<Schema>> {
        self.doc.api.components.as_ref()?.schemas.get(key)
    }

    /// Follows `$ref`s to an inline schema of this document.
    fn resolve(&self, reference: &str) -> Option<&'a Schema> {
        let mut seen = 0;
        let mut current = reference.to_owned();
        loop {
            let key = component_key(&current)?;
            match self.component_schema(&key)? {
                ReferenceOr::Item(schema) => return Some(schema),
                ReferenceOr::Reference { reference } => current = reference.clone(),
            }
            seen += 1;
            if seen > 64 {
                return None;
            }
        }
    }

    fn component(&mut self, key: &str, depth: usize) {
        let name = self.components[key].clone();
        let pointer = format!("#/components/schemas/{}", escape_segment(key));
        let Some(schema) = self.component_schema(key) else { return };
        let ctx = Ctx { pointer: pointer.clone(), hint: name.clone(), fixed: Some(name.clone()), depth };
        let mut conv = self.schema(SchemaRef::of(schema), ctx);
        // A schema that is only itself (`S: {allOf: [{$ref: S}]}`, through
        // `allOf` of one part) constrains nothing, and defines no type.
        if conv.ty == TypeRef::Named(name.clone()) && !self.types.contains_key(&name) {
            conv = Conv::json("Any JSON value: the schema refers only to itself.");
        }
        if conv.ty != TypeRef::Named(name.clone()) {
            let mut doc = match schema {
                ReferenceOr::Item(s) => docs_of(&s.schema_data),
                ReferenceOr::Reference { .. } => Vec::new(),
            };
            push_note(&mut doc, conv.note.as_deref());
            self.types.insert(name.clone(), TypeDef { name, pointer, doc, kind: TypeKind::Alias(conv.ty), input: false });
        }
    }

    fn schema<'s>(&mut self, schema: SchemaRef<'s>, ctx: Ctx) -> Conv
    where
        'a: 's,
    {
        match schema {
            SchemaRef::Ref(reference) => self.reference(reference, ctx),
            SchemaRef::Inline(schema) => self.inline(schema, ctx),
        }
    }

    fn reference(&mut self, reference: &str, ctx: Ctx) -> Conv {
        if let Some(key) = component_key(reference)
            && let Some(name) = self.components.get(&key).cloned()
        {
            self.want(&key, ctx.depth);
            let target = self.resolve(reference);
            let nullable = target.is_some_and(|s| s.schema_data.nullable);
            // The bounds of a named scalar, array or map (an alias) hold
            // wherever it is used; an object's are its own fields'.
            let constraints = target.filter(|s| !is_object_schema(s)).map(constraints).unwrap_or_default();
            return Conv { nullable, constraints, ..Conv::of(TypeRef::Named(name)) };
        }
        // Any other local pointer: convert what it points at, in place.
        if self.resolving.iter().any(|r| r == reference) {
            return Conv::json(format!("Any JSON value: `{reference}` refers to itself outside `#/components/schemas`."));
        }
        let Some(value) = self.doc.resolve_pointer(reference) else {
            return Conv::json("Any JSON value: unresolved reference.");
        };
        match serde_json::from_value::<ReferenceOr<Schema>>(value.clone()) {
            Ok(target) => {
                self.resolving.push(reference.to_owned());
                let ctx = Ctx { pointer: reference.to_owned(), ..ctx };
                let conv = self.schema(SchemaRef::of(&target), ctx);
                self.resolving.pop();
                conv
            }
            Err(err) => {
                self.found.push(ctx.pointer, ProblemKind::Structure(format!("`{reference}` is not a schema: {err}")));
                Conv::json("Any JSON value: the reference is not a schema.")
            }
        }
    }

    fn name_for(&mut self, ctx: &mut Ctx) -> String {
        match ctx.fixed.take() {
            Some(name) => name,
            None => self.names.claim(&ctx.hint),
        }
    }

    fn inline<'s>(&mut self, schema: &'s Schema, mut ctx: Ctx) -> Conv
    where
        'a: 's,
    {
        let data = &schema.schema_data;
        let mut conv = match shape(schema) {
            Shape::String { values: Some(values), .. } => {
                let nullable = values.iter().any(Option::is_none);
                let values: Vec<String> = values.into_iter().flatten().collect();
                let mut conv = if values.is_empty() {
                    Conv::of(TypeRef::String)
                } else {
                    let name = self.name_for(&mut ctx);
                    self.string_enum(name.clone(), &values, data, &ctx.pointer);
                    Conv::of(TypeRef::Named(name))
                };
                conv.nullable = nullable;
                conv
            }
            Shape::String { format, .. } => {
                let mut conv = Conv::of(TypeRef::String);
                if let Some(format) = format
                    && !KNOWN_STRING_FORMATS.contains(&format.as_str())
                {
                    conv.note = Some(format!("Format `{format}` is carried as a plain string."));
                }
                conv
            }
            Shape::Integer { format, values } => {
                let ty = if format.as_deref() == Some("int32") { TypeRef::I32 } else { TypeRef::I64 };
                let mut conv = Conv::of(ty);
                if let Some(values) = values {
                    let list: Vec<String> = values.iter().map(Value::to_string).collect();
                    conv.note = Some(format!("One of: {}.", list.join(", ")));
                } else if let Some(format) = format.filter(|f| !["int32", "int64", "unix-time"].contains(&f.as_str())) {
                    conv.note = Some(format!("Format `{format}` is carried as an `i64`."));
                }
                conv
            }
            Shape::Number => {
                let mut conv = Conv::of(TypeRef::F64);
                if let SchemaKind::Type(Type::Number(n)) = &schema.schema_kind
                    && let openapiv3::VariantOrUnknownOrEmpty::Unknown(format) = &n.format
                {
                    conv.note = Some(format!("Format `{format}` is carried as an `f64`."));
                }
                conv
            }
            Shape::Boolean => Conv::of(TypeRef::Bool),
            Shape::Object(object) => self.object(object, schema, ctx),
            Shape::Array { items } => {
                let hint = if ctx.fixed.is_some() { format!("{}Item", ctx.hint) } else { ctx.hint.clone() };
                // A tuple of fixed length (an OpenAPI 3.1 `prefixItems`; the
                // loader marks it and gives its items as `anyOf`, or as one
                // schema when they are all alike).
                let length = self.doc.resolve_pointer(&ctx.pointer).and_then(|raw| raw.get("x-tuple")).and_then(Value::as_u64).map(|n| n as usize);
                if let (Some(length), Some(items)) = (length.filter(|n| (1..=12).contains(n)), items) {
                    let placed: Vec<(String, SchemaRef<'s>)> = match items {
                        SchemaRef::Inline(s) => match shape(s) {
                            Shape::Union(variants, "anyOf") if variants.len() == length => {
                                variants.into_iter().enumerate().map(|(i, v)| (format!("items/anyOf/{i}"), v)).collect()
                            }
                            _ => vec![("items".to_owned(), items); length],
                        },
                        SchemaRef::Ref(_) => vec![("items".to_owned(), items); length],
                    };
                    let mut types = Vec::new();
                    for (i, (at, item)) in placed.into_iter().enumerate() {
                        let conv = self.schema(item, ctx.child(&at, format!("{hint}{}", i + 1)));
                        types.push(if conv.nullable { TypeRef::Option(Box::new(conv.ty)) } else { conv.ty });
                    }
                    return Conv { nullable: data.nullable, ..Conv::of(TypeRef::Tuple(types)) };
                }
                match items {
                    Some(items) => {
                        let item = self.schema(items, ctx.child("items", hint));
                        let item_ty = if item.nullable { TypeRef::Option(Box::new(item.ty)) } else { item.ty };
                        let constraints = Constraints::of_items(item.constraints);
                        Conv { note: item.note, constraints, ..Conv::of(TypeRef::Vec(Box::new(item_ty))) }
                    }
                    None => Conv::of(TypeRef::Vec(Box::new(TypeRef::Json))),
                }
            }
            Shape::Union(variants, keyword) => {
                let placed: Vec<(String, SchemaRef<'s>)> =
                    variants.into_iter().enumerate().map(|(i, v)| (format!("{keyword}/{i}"), v)).collect();
                self.union(&placed, docs_of(data), ctx)
            }
            Shape::AllOf { parts, siblings } => self.all_of(&parts, siblings, schema, ctx),
            Shape::Not => Conv::json(JSON_NOTE_NOT),
            Shape::Free => Conv::json("Any JSON value."),
            Shape::Unknown(t) => Conv::json(format!("Any JSON value: unknown type `{t}`.")),
        };
        conv.nullable |= data.nullable;
        conv.constraints = std::mem::take(&mut conv.constraints).overlaid(constraints(schema));
        conv
    }

    fn string_enum(&mut self, name: String, values: &[String], data: &SchemaData, pointer: &str) {
        let mut idents = Namespace::camel(&[]);
        let mut variants = Vec::new();
        let mut seen = BTreeSet::new();
        for value in values {
            if !seen.insert(value.clone()) {
                continue;
            }
            variants.push(Variant { ident: idents.claim(&variant_ident(value)), wire: value.clone() });
        }
        // A spec value named `unknown` keeps `Unknown`; the fallback moves aside.
        let unknown = idents.claim(if idents_has(&variants, "Unknown") { "UnknownValue" } else { "Unknown" });
        let def = TypeDef {
            name: name.clone(),
            pointer: pointer.to_owned(),
            doc: docs_of(data),
            kind: TypeKind::Enum(StrEnum { variants, unknown }),
            input: false,
        };
        self.types.insert(name, def);
    }

    fn object<'s>(&mut self, object: ObjectShape<'s>, schema: &'s Schema, mut ctx: Ctx) -> Conv
    where
        'a: 's,
    {
        if let Some(item) = self.list_page_item(&object) {
            let item = self.schema(item, ctx.child("properties/data/items", format!("{}Item", ctx.hint)));
            return Conv::of(TypeRef::List(Box::new(item.ty)));
        }
        if object.properties.is_empty() {
            match object.additional {
                Additional::Schema(value) => {
                    let hint = format!("{}Value", ctx.hint);
                    let value = self.schema(value, ctx.child("additionalProperties", hint));
                    let value_ty = if value.nullable { TypeRef::Option(Box::new(value.ty)) } else { value.ty };
                    let constraints = Constraints::of_items(value.constraints);
                    return Conv { note: value.note, constraints, ..Conv::of(TypeRef::Map(Box::new(value_ty))) };
                }
                Additional::Any(true) | Additional::Absent => return Conv::of(TypeRef::Map(Box::new(TypeRef::Json))),
                Additional::Any(false) => {}
            }
        }
        let props: Vec<(String, SchemaRef<'s>)> =
            object.properties.iter().map(|(k, v)| (k.clone(), SchemaRef::of_boxed(v))).collect();
        let required: BTreeSet<String> = object.required.iter().cloned().collect();
        let name = self.name_for(&mut ctx);
        let def = self.struct_def(&name, &props, &required, object.additional, &ctx);
        let doc = docs_of(&schema.schema_data);
        let expandable = match schema.schema_data.extensions.get("x-expandableFields") {
            Some(Value::Array(list)) => list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        };
        let kind = TypeKind::Struct(Struct { expandable, ..def });
        self.types.insert(name.clone(), TypeDef { name: name.clone(), pointer: ctx.pointer.clone(), doc, kind, input: false });
        Conv::of(TypeRef::Named(name))
    }

    /// The fields of a struct named `name`, and extra doc lines.
    fn struct_def<'s>(
        &mut self,
        name: &str,
        props: &[(String, SchemaRef<'s>)],
        required: &BTreeSet<String>,
        additional: Additional<'s>,
        ctx: &Ctx,
    ) -> Struct
    where
        'a: 's,
    {
        // `new` is the constructor of request types, beside their setters.
        let mut idents = Namespace::snake(&["new"]);
        let mut fields = Vec::new();
        for (wire, prop) in props {
            let ident = idents.claim(&field_ident(wire));
            let segment = format!("properties/{}", escape_segment(wire));
            let hint = format!("{}{}", stem(name), type_ident(wire));
            fields.push(self.field(ident, wire, *prop, required.contains(wire), None, ctx.child(&segment, hint)));
        }
        let extra = match additional {
            Additional::Schema(value) if !props.is_empty() => {
                let conv = self.schema(value, ctx.child("additionalProperties", format!("{}Value", stem(name))));
                let value = if conv.nullable { TypeRef::Option(Box::new(conv.ty)) } else { conv.ty };
                Some(Extra { ident: idents.claim("additional_properties"), value })
            }
            Additional::Any(true) if !props.is_empty() => {
                Some(Extra { ident: idents.claim("additional_properties"), value: TypeRef::Json })
            }
            _ => None,
        };
        Struct { fields, extra, expandable: Vec::new() }
    }

    /// A struct field. `described` is the description written next to the
    /// schema (a parameter's), used when the schema has none of its own.
    fn field<'s>(
        &mut self,
        ident: String,
        wire: &str,
        prop: SchemaRef<'s>,
        required: bool,
        described: Option<&str>,
        ctx: Ctx,
    ) -> Field
    where
        'a: 's,
    {
        let (mut doc, read_only, write_only) = match prop {
            SchemaRef::Inline(s) => (docs_of(&s.schema_data), s.schema_data.read_only, s.schema_data.write_only),
            SchemaRef::Ref(_) => (Vec::new(), false, false),
        };
        if doc.is_empty() {
            doc = described.map(doc_lines).unwrap_or_default();
        }
        let conv = self.schema(prop, ctx);
        push_note(&mut doc, conv.note.as_deref());
        if let Some(default) = &conv.constraints.default {
            push_note(&mut doc, Some(&format!("Defaults to `{default}`.")));
        }
        Field {
            ident,
            wire: wire.to_owned(),
            doc,
            ty: conv.ty,
            required,
            nullable: conv.nullable,
            read_only,
            write_only,
            constraints: conv.constraints,
        }
    }

    /// `{object: "list", data: [T], has_more, url}`, all required and
    /// nothing else, with `data` inline: a cursor-paginated page of `T`.
    fn list_page_item<'s>(&self, object: &ObjectShape<'s>) -> Option<SchemaRef<'s>> {
        let keys: BTreeSet<&str> = object.properties.keys().map(String::as_str).collect();
        let expected: BTreeSet<&str> = ["data", "has_more", "object", "url"].into();
        if keys != expected || !expected.iter().all(|k| object.required.iter().any(|r| r == k)) {
            return None;
        }
        let check = |key: &str, test: &dyn Fn(Shape<'_>) -> bool| -> bool {
            match object.properties.get(key) {
                Some(ReferenceOr::Item(s)) => test(shape(s)),
                Some(ReferenceOr::Reference { reference }) => self.resolve(reference).is_some_and(|s| test(shape(s))),
                None => false,
            }
        };
        let ok = check("object", &|s| matches!(s, Shape::String { values: Some(v), .. } if v == [Some("list".to_owned())]))
            && check("has_more", &|s| matches!(s, Shape::Boolean))
            && check("url", &|s| matches!(s, Shape::String { values: None, .. }));
        match object.properties.get("data") {
            Some(ReferenceOr::Item(data)) if ok => match shape(data) {
                Shape::Array { items: Some(items) } => Some(items),
                _ => None,
            },
            _ => None,
        }
    }

    fn cut(&self, depth: usize) -> bool {
        self.settings.expand_depth.is_some_and(|max| depth + 1 > max)
    }

    /// Whether an alternative of a union admits `null` and nothing else
    /// (`{type: object, nullable: true, enum: [null]}`, or `{type: null}`):
    /// how OpenAPI 3.0.3 says "or null" beside an object.
    fn null_only(&self, at: &str, variant: SchemaRef<'_>) -> bool {
        let raw = match variant {
            SchemaRef::Ref(r) => self.doc.resolve_pointer(r),
            SchemaRef::Inline(_) => self.doc.resolve_pointer(at),
        };
        raw.is_some_and(|raw| {
            let nullable_enum = raw.get("nullable") == Some(&Value::Bool(true))
                && raw.get("enum").and_then(Value::as_array).is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_null));
            nullable_enum || raw.get("type").and_then(Value::as_str) == Some("null")
        })
    }

    /// An `anyOf` or `oneOf`: its alternatives with where each is
    /// (`anyOf/1`). An alternative that admits only `null` makes the rest
    /// nullable.
    fn union<'s>(&mut self, placed: &[(String, SchemaRef<'s>)], doc: Vec<String>, mut ctx: Ctx) -> Conv
    where
        'a: 's,
    {
        let (nulls, placed): (Vec<_>, Vec<_>) =
            placed.iter().cloned().partition(|(at, v)| self.null_only(&format!("{}/{at}", ctx.pointer), *v));
        if !nulls.is_empty() {
            let mut conv = if placed.is_empty() { Conv::json("Only `null`.") } else { self.union(&placed, doc, ctx) };
            conv.nullable = true;
            return conv;
        }
        let variants: Vec<SchemaRef<'s>> = placed.iter().map(|(_, v)| *v).collect();
        if let [(at, only)] = placed.as_slice() {
            return self.schema(*only, ctx.child(at, ctx.hint.clone()).with_fixed(ctx.fixed.take()));
        }
        if let Some(objects) = self.expandable_objects(&variants) {
            if self.cut(ctx.depth) {
                let note = format!(
                    "The expanded object is not generated past expansion depth {}: it is kept as JSON.",
                    self.settings.expand_depth.unwrap_or_default()
                );
                return Conv { note: Some(note), ..Conv::of(TypeRef::Expandable(Box::new(TypeRef::Json))) };
            }
            let deeper = Ctx { depth: ctx.depth + 1, fixed: None, ..ctx.clone() };
            let inner = if objects.len() == 1 {
                self.reference(objects[0], deeper).ty
            } else {
                let name = self.names.claim(&ctx.hint);
                let refs: Vec<(String, SchemaRef<'s>)> = placed
                    .iter()
                    .filter(|(_, v)| matches!(v, SchemaRef::Ref(r) if objects.contains(r)))
                    .cloned()
                    .collect();
                let doc = vec![format!("What `{}` holds when expanded.", last_segment(&ctx.pointer))];
                self.union_def(name, &refs, doc, &deeper)
            };
            return Conv::of(TypeRef::Expandable(Box::new(inner)));
        }
        if let [(first_at, first), (second_at, second)] = placed.as_slice() {
            let marker = |v: &SchemaRef<'_>| matches!(v, SchemaRef::Inline(s) if is_empty_string_marker(s));
            let other = if marker(first) { Some((second_at, *second)) } else if marker(second) { Some((first_at, *first)) } else { None };
            if let Some((at, other)) = other {
                let inner = self.schema(other, ctx.child(at, ctx.hint.clone()));
                let constraints = inner.constraints;
                return Conv { note: inner.note, constraints, ..Conv::of(TypeRef::OrEmpty(Box::new(inner.ty))) };
            }
        }
        let name = self.name_for(&mut ctx);
        Conv::of(self.union_def(name, &placed, doc, &ctx))
    }

    fn union_def<'s>(&mut self, name: String, placed: &[(String, SchemaRef<'s>)], doc: Vec<String>, ctx: &Ctx) -> TypeRef
    where
        'a: 's,
    {
        let mut idents = Namespace::camel(&[]);
        let mut out = Vec::new();
        for (at, variant) in placed {
            let ident = idents.claim(&self.variant_name(*variant));
            let conv = self.schema(*variant, ctx.child(at, format!("{}{}", stem(&name), stem(&ident))));
            let ty = if conv.nullable { TypeRef::Option(Box::new(conv.ty)) } else { conv.ty };
            out.push(UnionVariant { ident, ty, constants: self.constants(*variant), constraints: conv.constraints });
        }
        self.types.insert(
            name.clone(),
            TypeDef {
                name: name.clone(),
                pointer: ctx.pointer.clone(),
                doc,
                kind: TypeKind::Union(Union { variants: out }),
                input: false,
            },
        );
        TypeRef::Named(name)
    }

    /// The required properties of an object alternative that admit one
    /// value only.
    fn constants(&self, variant: SchemaRef<'_>) -> Vec<(String, Constant)> {
        let schema = match variant {
            SchemaRef::Ref(r) => match self.resolve(r) {
                Some(schema) => schema,
                None => return Vec::new(),
            },
            SchemaRef::Inline(s) => s,
        };
        let Shape::Object(object) = shape(schema) else { return Vec::new() };
        let mut out = Vec::new();
        for (name, property) in object.properties {
            if !object.required.contains(name) {
                continue;
            }
            let property = match property {
                ReferenceOr::Item(s) => &**s,
                ReferenceOr::Reference { reference } => match self.resolve(reference) {
                    Some(schema) => schema,
                    None => continue,
                },
            };
            if property.schema_data.nullable {
                continue;
            }
            let constant = match &property.schema_kind {
                SchemaKind::Type(Type::String(t)) => match t.enumeration.as_slice() {
                    [Some(value)] => Some(Constant::String(value.clone())),
                    _ => None,
                },
                SchemaKind::Type(Type::Boolean(t)) => match t.enumeration.as_slice() {
                    [Some(value)] => Some(Constant::Bool(*value)),
                    _ => None,
                },
                SchemaKind::Type(Type::Integer(t)) => match t.enumeration.as_slice() {
                    [Some(value)] => Some(Constant::Integer(*value)),
                    _ => None,
                },
                _ => None,
            };
            if let Some(constant) = constant {
                out.push((name.clone(), constant));
            }
        }
        out
    }

    fn variant_name(&self, variant: SchemaRef<'_>) -> String {
        match variant {
            SchemaRef::Ref(r) => match component_key(r) {
                Some(key) => type_ident(&key),
                None => "Variant".into(),
            },
            SchemaRef::Inline(s) => {
                if let Some(title) = &s.schema_data.title {
                    return type_ident(title);
                }
                match shape(s) {
                    Shape::String { values: Some(_), .. } => "Enum",
                    Shape::String { .. } => "String",
                    Shape::Integer { .. } => "Integer",
                    Shape::Number => "Number",
                    Shape::Boolean => "Boolean",
                    Shape::Object(_) => "Object",
                    Shape::Array { .. } => "Array",
                    Shape::Union(..) | Shape::AllOf { .. } => "Variant",
                    Shape::Not | Shape::Free | Shape::Unknown(_) => "Json",
                }
                .into()
            }
        }
    }

    /// `anyOf: [string, $ref object, ...]`: the object references.
    fn expandable_objects<'v>(&self, variants: &[SchemaRef<'v>]) -> Option<Vec<&'v str>> {
        let strings = variants.iter().filter(|v| matches!(v, SchemaRef::Inline(s) if is_plain_string(s))).count();
        let objects: Vec<&str> = variants
            .iter()
            .filter_map(|v| match v {
                SchemaRef::Ref(r) if self.resolve(r).is_some_and(is_object_schema) => Some(*r),
                _ => None,
            })
            .collect();
        (strings == 1 && !objects.is_empty() && objects.len() + 1 == variants.len()).then_some(objects)
    }

    fn all_of<'s>(
        &mut self,
        parts: &[SchemaRef<'s>],
        siblings: Option<ObjectShape<'s>>,
        schema: &'s Schema,
        mut ctx: Ctx,
    ) -> Conv
    where
        'a: 's,
    {
        if parts.len() == 1 && siblings.is_none() {
            let fixed = ctx.fixed.take();
            return self.schema(parts[0], ctx.child("allOf/0", ctx.hint.clone()).with_fixed(fixed));
        }
        // Merge the object parts: properties in order (later ones win), required united.
        let mut props: IndexMap<String, SchemaRef<'s>> = IndexMap::new();
        let mut required = BTreeSet::new();
        let mut additional = Additional::Absent;
        let mut objects: Vec<ObjectShape<'s>> = Vec::new();
        let mut visited = HashSet::from([ctx.pointer.clone()]);
        if !self.object_parts(parts, &mut visited, &mut objects, 0) {
            return Conv::json("Any JSON value: `allOf` of parts that are not all objects is not expressible.");
        }
        objects.extend(siblings);
        for object in &objects {
            for (k, v) in object.properties {
                props.insert(k.clone(), SchemaRef::of_boxed(v));
            }
            required.extend(object.required.iter().cloned());
            if !matches!(object.additional, Additional::Absent) {
                additional = object.additional;
            }
        }
        let props: Vec<(String, SchemaRef<'s>)> = props.into_iter().collect();
        let name = self.name_for(&mut ctx);
        let def = self.struct_def(&name, &props, &required, additional, &ctx);
        let doc = docs_of(&schema.schema_data);
        self.types.insert(
            name.clone(),
            TypeDef { name: name.clone(), pointer: ctx.pointer.clone(), doc, kind: TypeKind::Struct(def), input: false },
        );
        Conv::of(TypeRef::Named(name))
    }

    /// The object shapes of `allOf` parts, nested `allOf`s flattened. A
    /// part that leads back to a schema already met on the way (a loop, see
    /// [`crate::cycles`]) adds nothing. `false` when a part is not an object.
    fn object_parts<'s>(&self, parts: &[SchemaRef<'s>], visited: &mut HashSet<String>, objects: &mut Vec<ObjectShape<'s>>, depth: usize) -> bool
    where
        'a: 's,
    {
        if depth > 32 {
            return false;
        }
        for part in parts {
            let part_schema = match part {
                SchemaRef::Inline(s) => Some(*s),
                SchemaRef::Ref(r) => {
                    if !visited.insert((*r).to_owned()) {
                        continue;
                    }
                    self.resolve(r)
                }
            };
            // `{required: [a]}` beside an object: an object constraint.
            if let Some(Schema { schema_kind: SchemaKind::Any(any), .. }) = part_schema
                && !any.required.is_empty()
                && any.properties.is_empty()
                && any.typ.as_deref().is_none_or(|t| t == "object")
                && any.all_of.is_empty()
                && any.any_of.is_empty()
                && any.one_of.is_empty()
                && any.not.is_none()
                && any.enumeration.is_empty()
                && any.items.is_none()
            {
                objects.push(ObjectShape { properties: &any.properties, required: &any.required, additional: Additional::of(&any.additional_properties) });
                continue;
            }
            match part_schema.map(shape) {
                Some(Shape::Object(object)) => objects.push(object),
                Some(Shape::AllOf { parts: inner, siblings }) => {
                    if !self.object_parts(&inner, visited, objects, depth + 1) {
                        return false;
                    }
                    objects.extend(siblings);
                }
                _ => return false,
            }
        }
        true
    }

    fn operation(&mut self, at: crate::OperationAt<'a>) -> Operation {
        let (path, item, op) = (at.path, at.item, at.operation);
        let pointer = at.pointer();
        let id = op.operation_id.clone().unwrap_or_else(|| format!("{}_{path}", at.method.to_ascii_lowercase()));
        let prefix = type_ident(&id);
        let mut operation = Operation {
            ident: field_ident(&id),
            id,
            type_prefix: prefix.clone(),
            method: at.method.to_owned(),
            path: path.to_owned(),
            pointer: pointer.clone(),
            summary: op.summary.clone(),
            doc: op.description.as_deref().map(doc_lines).unwrap_or_default(),
            tags: op.tags.clone(),
            path_params: Vec::new(),
            params: None,
            param_fields: Vec::new(),
            body: None,
            responses: Vec::new(),
            pagination: None,
            security: Vec::new(),
        };
        operation.security = self.security(op, &pointer);
        // Operation-level parameters override path-level ones of the same name and place.
        let mut params: IndexMap<(String, &'static str), (String, Parameter)> = IndexMap::new();
        for (base, list) in [(format!("#/paths/{}", escape_segment(path)), &item.parameters), (pointer.clone(), &op.parameters)]
        {
            for (i, p) in list.iter().enumerate() {
                let Some(param) = self.doc.parameter(p) else { continue };
                let at = match p {
                    ReferenceOr::Reference { reference } => reference.clone(),
                    ReferenceOr::Item(_) => format!("{base}/parameters/{i}"),
                };
                let place = location_name(&param);
                params.insert((param.parameter_data_ref().name.clone(), place), (at, param));
            }
        }
        let mut fields = Vec::new();
        let mut idents = Namespace::snake(&["new"]);
        let mut path_idents = Namespace::snake(RESERVED_ARGUMENT_NAMES);
        for (at, param) in params.values() {
            let data = param.parameter_data_ref();
            let (schema, schema_at) = match &data.format {
                ParameterSchemaOrContent::Schema(s) => (SchemaRef::of(s), format!("{at}/schema")),
                ParameterSchemaOrContent::Content(content) => match content.iter().find_map(|(m, c)| Some((m, c.schema.as_ref()?))) {
                    Some((media, s)) => (SchemaRef::of(s), format!("{at}/content/{}/schema", escape_segment(media))),
                    None => continue,
                },
            };
            let hint = format!("{prefix}{}", type_ident(&data.name));
            let ctx = Ctx { pointer: schema_at, hint, fixed: None, depth: 0 };
            if let Parameter::Path { .. } = param {
                let mut doc = data.description.as_deref().map(doc_lines).unwrap_or_default();
                let conv = self.schema(schema, ctx);
                push_note(&mut doc, conv.note.as_deref());
                operation.path_params.push(PathParam {
                    wire: data.name.clone(),
                    ident: path_idents.claim(&field_ident(&data.name)),
                    ty: conv.ty,
                    doc,
                    constraints: conv.constraints,
                });
                continue;
            }
            // A header parameter named `Accept`, `Content-Type` or
            // `Authorization` "SHALL be ignored" (OpenAPI 3.0.3, Parameter
            // Object): the media types and the security schemes say those.
            if matches!(param, Parameter::Header { .. })
                && ["accept", "content-type", "authorization"].contains(&data.name.to_ascii_lowercase().as_str())
            {
                continue;
            }
            // An OpenAPI 3.2 `in: querystring` parameter (read as a query
            // parameter marked so, `crate::v32`): the whole query string.
            let whole_query = match (&param, &data.format) {
                (Parameter::Query { .. }, ParameterSchemaOrContent::Content(content)) if data.extensions.contains_key(crate::v32::QUERYSTRING) => {
                    content.keys().next().map(|media| MediaKind::of(media))
                }
                _ => None,
            };
            let (location, style, explode) = match param {
                Parameter::Query { .. } if let Some(kind) = whole_query => (Location::QueryString(kind), Style::Form, false),
                Parameter::Query { style, .. } => {
                    let style = match style {
                        QueryStyle::Form => Style::Form,
                        QueryStyle::DeepObject => Style::DeepObject,
                        QueryStyle::SpaceDelimited => Style::SpaceDelimited,
                        QueryStyle::PipeDelimited => Style::PipeDelimited,
                    };
                    (Location::Query, style, data.explode.unwrap_or(style == Style::Form || style == Style::DeepObject))
                }
                Parameter::Header { .. } => (Location::Header, Style::Simple, data.explode.unwrap_or(false)),
                Parameter::Cookie { .. } => (Location::Cookie, Style::Form, data.explode.unwrap_or(true)),
                Parameter::Path { .. } => unreachable!("path parameters are handled above"),
            };
            let ident = claim_field(&mut idents, &data.name, location);
            let field = self.field(ident.clone(), &data.name, schema, data.required, data.description.as_deref(), ctx);
            operation.param_fields.push(ParamField {
                ident,
                wire: data.name.clone(),
                key: data.name.clone(),
                location,
                style,
                explode,
                required: data.required,
            });
            fields.push(field);
        }
        // Path parameters in template order.
        let order = crate::validate::template_params(path);
        operation.path_params.sort_by_key(|p| order.iter().position(|n| *n == p.wire).unwrap_or(usize::MAX));
        self.request_body(op, &pointer, &prefix, &mut operation, &mut fields, &mut idents);
        distinct_keys(&mut operation.param_fields, &mut fields);
        if !fields.is_empty() {
            let name = self.names.claim(&format!("{prefix}Params"));
            let doc = vec![format!("Parameters of `{}` (`{} {}`).", operation.ident, operation.method, path)];
            let def = TypeDef {
                name: name.clone(),
                pointer: pointer.clone(),
                doc,
                kind: TypeKind::Struct(Struct { fields, extra: None, expandable: Vec::new() }),
                input: true,
            };
            self.types.insert(name.clone(), def);
            if let Some(body) = operation.body.as_mut().filter(|b| b.ty.is_none()) {
                body.ty = Some(TypeRef::Named(name.clone()));
            }
            operation.params = Some(name);
        }
        self.responses(op, &pointer, &prefix, &mut operation);
        operation
    }

    fn request_body(
        &mut self,
        op: &'a OaOperation,
        pointer: &str,
        prefix: &str,
        operation: &mut Operation,
        fields: &mut Vec<Field>,
        idents: &mut Namespace,
    ) {
        let Some(body) = &op.request_body else { return };
        let (body, at) = match body {
            ReferenceOr::Item(b) => (b.clone(), format!("{pointer}/requestBody")),
            ReferenceOr::Reference { reference } => {
                let Some(b) = self.doc.resolve_pointer(reference).and_then(|v| serde_json::from_value(v.clone()).ok())
                else {
                    return;
                };
                (b, reference.clone())
            }
        };
        let Some((media, content)) = BODY_MEDIA
            .iter()
            .find_map(|m| body.content.get_key_value(*m))
            .or_else(|| body.content.iter().next())
        else {
            return;
        };
        let kind = MediaKind::of(media);
        // The other media types the same body can be sent as: the params
        // forms among themselves, texts among themselves, bytes among
        // themselves.
        let family = |k: MediaKind| match k {
            MediaKind::Json | MediaKind::Form | MediaKind::Multipart => 0,
            MediaKind::Text => 1,
            MediaKind::JsonLines => 2,
            MediaKind::EventStream | MediaKind::Binary => 3,
        };
        let others: Vec<(String, MediaKind)> = body
            .content
            .keys()
            .filter(|m| *m != media && family(MediaKind::of(m)) == family(kind))
            .map(|m| (m.clone(), MediaKind::of(m)))
            .collect();
        let schema_at = format!("{at}/content/{}/schema", escape_segment(media));
        let finish = |ty: Option<TypeRef>, parts: Vec<Part>| Body {
            media: media.clone(),
            kind,
            others: others.clone(),
            parts,
            required: body.required,
            schema: schema_at.clone(),
            ty,
        };
        match kind {
            // Bytes and lines are streamed, beside the params: no field.
            MediaKind::Binary | MediaKind::EventStream => {
                operation.body = Some(finish(None, Vec::new()));
                return;
            }
            MediaKind::JsonLines => {
                let item = content.schema.as_ref().map(|schema| {
                    let ctx = Ctx { pointer: schema_at.clone(), hint: format!("{prefix}Item"), fixed: None, depth: 0 };
                    self.schema(SchemaRef::of(schema), ctx).ty
                });
                operation.body = Some(finish(Some(item.unwrap_or(TypeRef::Json)), Vec::new()));
                return;
            }
            MediaKind::Text => {
                let ident = idents.claim("body");
                let described = body.description.as_deref().map(doc_lines).unwrap_or_default();
                fields.push(Field {
                    ident: ident.clone(),
                    wire: "body".into(),
                    doc: described,
                    ty: TypeRef::String,
                    required: body.required,
                    nullable: false,
                    read_only: false,
                    write_only: false,
                    constraints: content.schema.as_ref().and_then(|s| self.inline_or_resolved(s)).map(constraints).unwrap_or_default(),
                });
                operation.param_fields.push(whole_body(ident, body.required));
                operation.body = Some(finish(Some(TypeRef::String), Vec::new()));
                return;
            }
            MediaKind::Json | MediaKind::Form | MediaKind::Multipart => {}
        }
        let Some(schema) = &content.schema else { return };
        // A multipart body's parts are its properties, whether the schema is
        // inline or a `$ref`.
        let object = match schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } if kind == MediaKind::Multipart => self.resolve(reference),
            ReferenceOr::Reference { .. } => None,
        }
        .and_then(|s| match shape(s) {
            Shape::Object(object) => Some(object),
            _ => None,
        });
        let encoding = |wire: &str| content.encoding.get(wire);
        let mut whole = None;
        let mut parts = Vec::new();
        match object {
            // An empty form body (some specs give one to every GET) carries
            // nothing, nor does an object that allows no property; a free-form
            // JSON object is a body of its own (below).
            Some(object)
                if object.properties.is_empty()
                    && (kind == MediaKind::Form || matches!(object.additional, Additional::Any(false))) =>
            {
                return;
            }
            Some(object) if !object.properties.is_empty() => {
                let properties_at = match schema {
                    ReferenceOr::Reference { reference } => reference.clone(),
                    ReferenceOr::Item(_) => schema_at.clone(),
                };
                for (wire, prop) in object.properties {
                    let ident = claim_field(idents, wire, Location::Body);
                    let required = body.required && object.required.contains(wire);
                    let ctx = Ctx {
                        pointer: format!("{properties_at}/properties/{}", escape_segment(wire)),
                        hint: format!("{prefix}{}", type_ident(wire)),
                        fixed: None,
                        depth: 0,
                    };
                    let mut field = self.field(ident.clone(), wire, SchemaRef::of_boxed(prop), required, None, ctx);
                    if kind == MediaKind::Multipart {
                        let file = self.file_property(prop);
                        if let Some(array) = file {
                            field.ty = if array { TypeRef::Vec(Box::new(TypeRef::File)) } else { TypeRef::File };
                            field.constraints = Constraints::default();
                        }
                        let content_type = encoding(wire).and_then(|e| e.content_type.clone());
                        parts.push(Part { wire: wire.clone(), file: file.is_some(), content_type });
                    }
                    fields.push(field);
                    let (style, explode) = match encoding(wire) {
                        Some(e) => (
                            match e.style {
                                Some(QueryStyle::DeepObject) => Style::DeepObject,
                                Some(QueryStyle::SpaceDelimited) => Style::SpaceDelimited,
                                Some(QueryStyle::PipeDelimited) => Style::PipeDelimited,
                                Some(QueryStyle::Form) | None => Style::Form,
                            },
                            e.explode,
                        ),
                        None => (Style::Form, true),
                    };
                    operation.param_fields.push(ParamField {
                        ident,
                        wire: wire.clone(),
                        key: wire.clone(),
                        location: Location::Body,
                        style,
                        explode,
                        required,
                    });
                }
            }
            _ => {
                let ident = idents.claim("body");
                let ctx = Ctx { pointer: schema_at.clone(), hint: format!("{prefix}Body"), fixed: None, depth: 0 };
                let described = body.description.as_deref();
                let field = self.field(ident.clone(), "body", SchemaRef::of(schema), body.required, described, ctx);
                whole = Some(field.ty.clone());
                fields.push(field);
                operation.param_fields.push(whole_body(ident, body.required));
            }
        }
        operation.body = Some(finish(whole, parts));
    }

    /// A schema, inline or through its `$ref`.
    fn inline_or_resolved(&self, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
        match schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => self.resolve(reference),
        }
    }

    /// Whether a multipart property is a file (`type: string, format:
    /// binary`): `Some(false)`; an array of files: `Some(true)`.
    fn file_property(&self, prop: &'a ReferenceOr<Box<Schema>>) -> Option<bool> {
        let schema = match prop {
            ReferenceOr::Item(s) => &**s,
            ReferenceOr::Reference { reference } => self.resolve(reference)?,
        };
        let binary = |s: &Schema| {
            matches!(&s.schema_kind, SchemaKind::Type(Type::String(t))
                if matches!(&t.format, openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)))
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Array(array)) => {
                let items = match array.items.as_ref()? {
                    ReferenceOr::Item(s) => &**s,
                    ReferenceOr::Reference { reference } => self.resolve(reference)?,
                };
                binary(items).then_some(true)
            }
            _ => binary(schema).then_some(false),
        }
    }

    /// The document's security schemes, each with its Rust constant.
    fn security_schemes(&mut self) -> Vec<SecurityScheme> {
        let mut idents = Namespace::snake(&[]);
        let mut out = Vec::new();
        let Some(components) = &self.doc.api.components else { return out };
        for (name, scheme) in &components.security_schemes {
            let scheme = match scheme {
                ReferenceOr::Item(s) => s.clone(),
                ReferenceOr::Reference { reference } => {
                    match self.doc.resolve_pointer(reference).and_then(|v| serde_json::from_value(v.clone()).ok()) {
                        Some(s) => s,
                        None => continue,
                    }
                }
            };
            let (kind, description, travels) = match scheme {
                SecuritySchemeObject::APIKey { location, name: key, description, .. } => {
                    let (place, how) = match location {
                        APIKeyLocation::Header => (KeyPlace::Header, format!("the header `{key}`")),
                        APIKeyLocation::Query => (KeyPlace::Query, format!("the query parameter `{key}`")),
                        APIKeyLocation::Cookie => (KeyPlace::Cookie, format!("the cookie `{key}`")),
                    };
                    (SchemeKind::ApiKey { place, name: key }, description, format!("An API key, sent as {how}."))
                }
                SecuritySchemeObject::HTTP { scheme, bearer_format, description, .. } => match scheme.to_ascii_lowercase().as_str() {
                    "basic" => (SchemeKind::Basic, description, "HTTP Basic: a user and a password, sent as `Authorization: Basic <base64 of user:password>`.".to_owned()),
                    "bearer" => {
                        let format = bearer_format.map(|f| format!(" ({f})")).unwrap_or_default();
                        (SchemeKind::Bearer, description, format!("A bearer token{format}, sent as `Authorization: Bearer <token>`."))
                    }
                    _ => {
                        let travels = format!("HTTP `{scheme}` authentication: credentials sent as `Authorization: {scheme} <credentials>`.");
                        (SchemeKind::Http(scheme), description, travels)
                    }
                },
                SecuritySchemeObject::OAuth2 { flows, description, .. } => {
                    let mut names = Vec::new();
                    for (flow, present) in [
                        ("implicit", flows.implicit.is_some()),
                        ("password", flows.password.is_some()),
                        ("clientCredentials", flows.client_credentials.is_some()),
                        ("authorizationCode", flows.authorization_code.is_some()),
                    ] {
                        if present {
                            names.push(format!("`{flow}`"));
                        }
                    }
                    let travels = format!("An OAuth 2.0 access token (flows: {}), sent as `Authorization: Bearer <token>`.", names.join(", "));
                    (SchemeKind::Bearer, description, travels)
                }
                SecuritySchemeObject::OpenIDConnect { open_id_connect_url, description, .. } => {
                    let travels = format!("An OpenID Connect access token (discovery: <{open_id_connect_url}>), sent as `Authorization: Bearer <token>`.");
                    (SchemeKind::Bearer, description, travels)
                }
            };
            let mut doc = description.as_deref().map(doc_lines).unwrap_or_default();
            if !doc.is_empty() {
                doc.push(String::new());
            }
            doc.push(travels);
            let ident = idents.claim(field_ident(name).trim_start_matches("r#")).to_ascii_uppercase();
            out.push(SecurityScheme { name: name.clone(), ident, doc, kind });
        }
        out
    }

    /// What an operation requires: its own `security`, or the document's.
    /// A requirement naming an undeclared scheme is reported (the
    /// document's once, by [`build`]).
    fn security(&mut self, op: &OaOperation, pointer: &str) -> Vec<Requirement> {
        match &op.security {
            Some(list) => self.requirements(list, &format!("{pointer}/security"), true),
            None => self.requirements(self.doc.api.security.as_deref().unwrap_or_default(), "#/security", false),
        }
    }

    fn requirements(&mut self, list: &[openapiv3::SecurityRequirement], at: &str, report: bool) -> Vec<Requirement> {
        let declared = |name: &str| self.doc.api.components.as_ref().is_some_and(|c| c.security_schemes.contains_key(name));
        let mut out = Vec::new();
        for (i, requirement) in list.iter().enumerate() {
            let mut schemes = Vec::new();
            for (name, scopes) in requirement {
                if declared(name) {
                    schemes.push((name.clone(), scopes.clone()));
                } else if report {
                    self.found.push(format!("{at}/{i}/{}", escape_segment(name)), ProblemKind::UnknownSecurityScheme(name.clone()));
                }
            }
            out.push(Requirement { schemes });
        }
        out
    }

    fn responses(&mut self, op: &'a OaOperation, pointer: &str, prefix: &str, operation: &mut Operation) {
        let mut declared: Vec<(Status, String, &ReferenceOr<openapiv3::Response>)> = op
            .responses
            .responses
            .iter()
            .map(|(code, r)| {
                let status = match code {
                    StatusCode::Code(c) => Status::Code(*c),
                    StatusCode::Range(r) => Status::Range(*r),
                };
                (status, code.to_string(), r)
            })
            .collect();
        if let Some(default) = &op.responses.default {
            declared.push((Status::Default, "default".into(), default));
        }
        let mut first_success = true;
        for (status, code, response) in declared {
            let (response, at) = match response {
                ReferenceOr::Item(r) => (r.clone(), format!("{pointer}/responses/{code}")),
                ReferenceOr::Reference { reference } => {
                    match self.doc.resolve_pointer(reference).and_then(|v| serde_json::from_value(v.clone()).ok()) {
                        Some(r) => (r, reference.clone()),
                        None => continue,
                    }
                }
            };
            let success = matches!(status, Status::Code(200..=299) | Status::Range(2));
            let hint = if success && first_success {
                format!("{prefix}Response")
            } else {
                // Status codes are digits and `X`s, or `default`.
                let status = if code == "default" { "Default".into() } else { code.to_ascii_uppercase() };
                format!("{prefix}Response{status}")
            };
            // JSON first; the others are alternatives.
            let mut entries: Vec<(&String, &openapiv3::MediaType)> = response.content.iter().collect();
            entries.sort_by_key(|(m, _)| MediaKind::of(m) != MediaKind::Json);
            // One reader per kind: the first media type of a kind stands for
            // the others of that kind, which it also accepts.
            let mut kinds: Vec<Alternative> = Vec::new();
            for (i, (media, content)) in entries.into_iter().enumerate() {
                let kind = MediaKind::of(media);
                if let Some(same) = kinds.iter_mut().find(|k| k.kind == kind) {
                    same.accept.push(media.clone());
                    continue;
                }
                let schema_at = content.schema.as_ref().map(|_| format!("{at}/content/{}/schema", escape_segment(media)));
                let hint = if i == 0 { hint.clone() } else { format!("{hint}{}", type_ident(kind_word(kind))) };
                // An event's own schema: its data's is the one that types it.
                let event_data = schema_at.as_deref().filter(|_| kind == MediaKind::EventStream).and_then(|at| self.event_data(at));
                let event_shaped = event_data.is_some();
                let schema_at = event_data.unwrap_or(schema_at);
                let ty = match kind {
                    MediaKind::Text => Some(TypeRef::String),
                    MediaKind::Binary | MediaKind::Form | MediaKind::Multipart => None,
                    MediaKind::EventStream if event_shaped => schema_at.clone().map(|data| {
                        let ctx = Ctx { pointer: data.clone(), hint, fixed: None, depth: 0 };
                        self.reference(&data, ctx).ty
                    }),
                    MediaKind::Json | MediaKind::EventStream | MediaKind::JsonLines => content.schema.as_ref().map(|schema| {
                        let ctx = Ctx { pointer: schema_at.clone().unwrap_or_default(), hint, fixed: None, depth: 0 };
                        self.schema(SchemaRef::of(schema), ctx).ty
                    }),
                };
                kinds.push(Alternative { media: media.clone(), kind, accept: vec![media.clone()], ty, schema: schema_at, method: String::new(), flag: None });
            }
            let mut kinds = kinds.into_iter();
            let primary = kinds.next();
            // A success's other media types get client methods of their own
            // (named once every operation has its name); another status's are
            // read by the content type the server sends.
            let flag = operation
                .param_fields
                .iter()
                .find(|f| f.wire == "stream" && f.location == Location::Body)
                .map(|f| f.ident.clone());
            let others = if success && first_success {
                kinds
                    .map(|mut alternative| {
                        if matches!(alternative.kind, MediaKind::EventStream | MediaKind::JsonLines) {
                            alternative.flag.clone_from(&flag);
                        }
                        alternative
                    })
                    .collect()
            } else {
                Vec::new()
            };
            if success {
                first_success = false;
            }
            let doc = doc_lines(&response.description);
            let response = match primary {
                Some(p) => Response { status, doc, ty: p.ty, media: Some(p.media), schema: p.schema, kind: Some(p.kind), accept: p.accept, others },
                None => Response { status, doc, ty: None, media: None, schema: None, kind: None, accept: Vec::new(), others },
            };
            operation.responses.push(response);
        }
    }

    /// Whether the schema at `at`, given for `text/event-stream`, describes
    /// the event itself (its fields `data`, `event`, `id`, `retry`, the way
    /// JSON Schema 2020-12 and OpenAPI 3.2 do) rather than one event's data
    /// (the convention of most specs): then the data's schema is `data`'s
    /// `contentSchema`, answered as a pointer, or none (raw text). An object
    /// whose only property is `data` stays data: nothing tells the two apart.
    fn event_data(&self, at: &str) -> Option<Option<String>> {
        let mut at = at.to_owned();
        let mut schema = self.doc.resolve_pointer(&at)?;
        // Follow a chain of references, as far as it is short.
        for _ in 0..8 {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(target) if target.starts_with('#') => {
                    at = target.to_owned();
                    schema = self.doc.resolve_pointer(target)?;
                }
                _ => break,
            }
        }
        let properties = schema.get("properties")?.as_object()?;
        let data = properties.get("data")?;
        let fields = ["data", "event", "id", "retry"];
        if !properties.keys().all(|k| fields.contains(&k.as_str())) {
            return None;
        }
        let described = data.get("contentMediaType").is_some() || data.get("contentSchema").is_some();
        if !described && properties.len() == 1 {
            return None;
        }
        Some(data.get("contentSchema").map(|_| format!("{at}/properties/data/contentSchema")))
    }

    fn event(&mut self, name: &str, item: &'a PathItem, variants: &mut Namespace) -> Option<Event> {
        let (method, op) = item.iter().next()?;
        let at = format!("#/x-webhooks/{}/{method}", escape_segment(name));
        let body = match op.request_body.as_ref()? {
            ReferenceOr::Item(b) => b,
            ReferenceOr::Reference { .. } => {
                self.found.push(at, ProblemKind::Unsupported("a webhook requestBody must be inline".into()));
                return None;
            }
        };
        let (media, content) = body.content.iter().find(|(m, _)| m.contains("json")).or_else(|| body.content.iter().next())?;
        let schema = content.schema.as_ref()?;
        let schema_at = format!("{at}/requestBody/content/{}/schema", escape_segment(media));
        let ctx = Ctx { pointer: schema_at.clone(), hint: format!("{}Event", type_ident(name)), fixed: None, depth: 0 };
        let envelope = self.schema(SchemaRef::of(schema), ctx).ty;
        self.drain();
        let (payload, payload_path) = match self.event_payload(&envelope) {
            Some((ty, path)) => (Some(ty), path),
            None => (None, Vec::new()),
        };
        let mut doc = op.summary.as_deref().map(doc_lines).unwrap_or_default();
        if let Some(description) = &op.description {
            if !doc.is_empty() {
                doc.push(String::new());
            }
            doc.extend(doc_lines(description));
        }
        let variant = variants.claim(&type_ident(name));
        Some(Event { name: name.to_owned(), variant, doc, envelope, schema: schema_at, payload, payload_path, payload_method: None })
    }

    /// The type of `data.object` in an event envelope, when both are
    /// required, not nullable, and named types, with the Rust fields that
    /// lead to it.
    fn event_payload(&self, envelope: &TypeRef) -> Option<(TypeRef, Vec<String>)> {
        let field = |ty: &TypeRef, wire: &str| -> Option<(TypeRef, String)> {
            let TypeRef::Named(name) = ty else { return None };
            let TypeKind::Struct(s) = &self.types.get(name)?.kind else { return None };
            let f = s.fields.iter().find(|f| f.wire == wire && f.presence() == Presence::Required)?;
            matches!(f.ty, TypeRef::Named(_)).then(|| (f.ty.clone(), f.ident.clone()))
        };
        let (data, data_field) = field(envelope, "data")?;
        let (object, object_field) = field(&data, "object")?;
        Some((object, vec![data_field, object_field]))
    }
}

impl Ctx {
    fn with_fixed(mut self, fixed: Option<String>) -> Ctx {
        self.fixed = fixed;
        self
    }
}

const KNOWN_STRING_FORMATS: &[&str] =
    &["date", "date-time", "password", "byte", "binary", "email", "uri", "url", "uuid", "decimal", "hostname", "ipv4", "ipv6"];

/// Body media types in order of preference.
const BODY_MEDIA: &[&str] = &["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];

/// A params field's name: its own, or, when a parameter of another
/// location took it first, with its location (`uris_body`).
fn claim_field(idents: &mut Namespace, wire: &str, location: Location) -> String {
    let ident = field_ident(wire);
    if idents.taken(&ident) {
        idents.claim(&format!("{}_{}", ident.trim_start_matches("r#"), location.as_str()))
    } else {
        idents.claim(&ident)
    }
}

/// Parameters of different locations are different values, whatever their
/// names: where a wire name is shared, every field but the body's gets a
/// key qualified by its location ([`ParamField::key`]), which is also the
/// name serde reads and writes it by.
fn distinct_keys(params: &mut [ParamField], fields: &mut [Field]) {
    let shared: BTreeSet<String> = params
        .iter()
        .enumerate()
        .filter(|(i, p)| params[..*i].iter().any(|q| q.wire == p.wire && q.location != p.location))
        .map(|(_, p)| p.wire.clone())
        .collect();
    for p in params.iter_mut().filter(|p| shared.contains(&p.wire) && p.location != Location::Body) {
        p.key = format!("{} ({})", p.wire, p.location.as_str());
        if let Some(field) = fields.iter_mut().find(|f| f.ident == p.ident) {
            field.wire = p.key.clone();
        }
    }
}

fn location_name(p: &Parameter) -> &'static str {
    match p {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}

fn idents_has(variants: &[Variant], ident: &str) -> bool {
    variants.iter().any(|v| v.ident == ident)
}

/// The last segment of a JSON pointer, unescaped.
fn last_segment(pointer: &str) -> String {
    pointer.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~")
}

fn docs_of(data: &SchemaData) -> Vec<String> {
    let mut doc = data.description.as_deref().map(doc_lines).unwrap_or_default();
    if data.deprecated {
        push_note(&mut doc, Some("Deprecated."));
    }
    doc
}

fn push_note(doc: &mut Vec<String>, note: Option<&str>) {
    if let Some(note) = note {
        if !doc.is_empty() {
            doc.push(String::new());
        }
        doc.extend(doc_lines(note));
    }
}

fn constraints(schema: &Schema) -> Constraints {
    let mut c = Constraints {
        default: schema.schema_data.default.as_ref().map(Value::to_string),
        ..Constraints::default()
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            c.min_length = s.min_length;
            c.max_length = s.max_length;
            c.pattern = s.pattern.clone();
            c.format = checked_format(crate::shape::format_of(&s.format));
        }
        SchemaKind::Type(Type::Integer(i)) => {
            c.one_of = finite(i.enumeration.iter().flatten().map(|&v| v as f64).collect());
            c.minimum = i.minimum.map(|v| v as f64);
            c.maximum = i.maximum.map(|v| v as f64);
            c.exclusive_minimum = i.exclusive_minimum;
            c.exclusive_maximum = i.exclusive_maximum;
        }
        SchemaKind::Type(Type::Number(n)) => {
            c.one_of = finite(n.enumeration.iter().flatten().copied().collect());
            c.minimum = n.minimum;
            c.maximum = n.maximum;
            c.exclusive_minimum = n.exclusive_minimum;
            c.exclusive_maximum = n.exclusive_maximum;
        }
        SchemaKind::Type(Type::Array(a)) => {
            c.min_items = a.min_items;
            c.max_items = a.max_items;
        }
        SchemaKind::Type(Type::Object(o)) => {
            c.min_items = o.min_properties;
            c.max_items = o.max_properties;
        }
        SchemaKind::Any(a) => {
            c.minimum = a.minimum;
            c.maximum = a.maximum;
            c.exclusive_minimum = a.exclusive_minimum.unwrap_or(false);
            c.exclusive_maximum = a.exclusive_maximum.unwrap_or(false);
            c.min_length = a.min_length;
            c.max_length = a.max_length;
            c.pattern = a.pattern.clone();
            c.format = checked_format(a.format.clone());
            // A number or integer schema the typed model could not hold
            // (an enum with values beyond i64): checked when every value is
            // a number.
            if matches!(a.typ.as_deref(), Some("integer" | "number")) {
                let numbers: Option<Vec<f64>> = a.enumeration.iter().filter(|v| !v.is_null()).map(Value::as_f64).collect();
                c.one_of = finite(numbers.unwrap_or_default());
            }
            c.min_items = a.min_items.or(a.min_properties);
            c.max_items = a.max_items.or(a.max_properties);
        }
        _ => {}
    }
    c
}

/// A string format the generated code checks, or none.
fn checked_format(format: Option<String>) -> Option<String> {
    format.filter(|name| crate::formats::accepts(name, "").is_some())
}

/// The values of a number `enum`, or none (no check) if one is not finite:
/// no Rust literal holds it.
fn finite(values: Vec<f64>) -> Vec<f64> {
    if values.iter().all(|v| v.is_finite()) { values } else { Vec::new() }
}

fn is_object_schema(schema: &Schema) -> bool {
    matches!(shape(schema), Shape::Object(_) | Shape::AllOf { .. })
}

/// A path glob: `*` matches within one segment, `**` across segments.
pub fn glob_match(glob: &str, path: &str) -> bool {
    fn go(g: &[u8], p: &[u8]) -> bool {
        match g {
            [] => p.is_empty(),
            [b'*', b'*', rest @ ..] => (0..=p.len()).any(|i| go(rest, &p[i..])),
            [b'*', rest @ ..] => {
                (0..=p.len()).take_while(|&i| i == 0 || p[i - 1] != b'/').any(|i| go(rest, &p[i..]))
            }
            [c, rest @ ..] => p.first() == Some(c) && go(rest, &p[1..]),
        }
    }
    go(glob.as_bytes(), path.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("/v1/checkout/**", "/v1/checkout/sessions/{session}/expire"));
        assert!(glob_match("/v1/checkout/sessions*", "/v1/checkout/sessions"));
        assert!(!glob_match("/v1/checkout/sessions*", "/v1/checkout/sessions/{session}"));
        assert!(glob_match("/v1/*/sessions", "/v1/checkout/sessions"));
        assert!(!glob_match("/v1/*", "/v1/a/b"));
        assert!(glob_match("**", "/anything/at/all"));
    }
}
