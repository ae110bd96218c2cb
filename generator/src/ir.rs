//! The intermediate representation: what the spec means, as plain data.
//!
//! Every emitter (types, client, server, webhooks) reads this and nothing
//! else. Names here are final Rust identifiers, unique in their scope, and
//! every collection is ordered deterministically.
//!
//! Architecture invariant: no tokens, no I/O, no knowledge of any
//! particular API.

use std::collections::BTreeMap;

/// One API: its types, operations and webhook events.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// Doc lines from `info.description`.
    pub doc: Vec<String>,
    /// Every named type, by Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// Operations, in document order.
    pub operations: Vec<Operation>,
    /// Webhook events (`x-webhooks`), in document order.
    pub events: Vec<Event>,
    /// The body type of error responses, when every operation that declares
    /// one (`default`, `4XX`, `5XX` or a 4xx/5xx code) declares the same.
    pub error: Option<TypeRef>,
    /// CamelCase name for the server trait (from `info.title`).
    pub service: String,
    /// The document's tags, in order, with their doc lines.
    pub tags: Vec<(String, Vec<String>)>,
    /// The security schemes (`components.securitySchemes`), in document order.
    pub security_schemes: Vec<SecurityScheme>,
}

/// A security scheme: how one kind of credential travels.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    /// Its name in `components.securitySchemes` (what requirements name).
    pub name: String,
    /// The Rust constant that describes it (`BEARER_AUTH`).
    pub ident: String,
    /// Doc lines: its description, and how the credential travels.
    pub doc: Vec<String>,
    /// How the credential travels.
    pub kind: SchemeKind,
}

/// How a security scheme's credential travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `apiKey`: a key in the header, query parameter or cookie `name`.
    ApiKey {
        /// Where it travels.
        place: KeyPlace,
        /// The header, query parameter or cookie that carries it.
        name: String,
    },
    /// `http` with `scheme: basic`: `Authorization: Basic <user:password in base64>`.
    Basic,
    /// `http` with `scheme: bearer`, and the access tokens of `oauth2` and
    /// `openIdConnect`: `Authorization: Bearer <token>`.
    Bearer,
    /// Another HTTP authentication scheme (`digest`, ...):
    /// `Authorization: <scheme> <credentials>`.
    Http(String),
}

/// Where an API key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPlace {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// One way to meet an operation's security: every scheme it names, each
/// with the OAuth2 scopes it needs. No scheme at all: credentials are
/// optional (the spec's `{}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// (scheme name, scopes), in the spec's order.
    pub schemes: Vec<(String, Vec<String>)>,
}

/// Levels of nesting a router allows beyond the deepest its parameters
/// can reach, so that a request just past the schema still gets the
/// precise error (an unknown parameter) rather than the depth limit.
pub const DEPTH_MARGIN: usize = 2;

/// The nesting a router allows where the schema sets no bound.
pub const MAX_DEPTH: usize = 32;

/// A named Rust type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The Rust name.
    pub name: String,
    /// JSON pointer of the schema it comes from.
    pub pointer: String,
    /// Doc lines.
    pub doc: Vec<String>,
    /// Its shape.
    pub kind: TypeKind,
    /// Part of a request (gets builder-style setters).
    pub input: bool,
}

/// The shapes a named type can have.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with named fields.
    Struct(Struct),
    /// A string enum with a fallback for values it does not know.
    Enum(StrEnum),
    /// An untagged union (`anyOf` / `oneOf`).
    Union(Union),
    /// Another name for a type (`pub type A = B;`).
    Alias(TypeRef),
    /// A transparent wrapper, for a recursive alias (`pub struct A(pub Vec<A>)`).
    Newtype(TypeRef),
}

/// An object schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Struct {
    /// Fields in spec order.
    pub fields: Vec<Field>,
    /// `additionalProperties` next to named properties: a flattened map.
    pub extra: Option<Extra>,
    /// Wire names listed in `x-expandableFields`.
    pub expandable: Vec<String>,
}

/// The flattened map of additional properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Extra {
    /// The Rust field name.
    pub ident: String,
    /// The type of each value.
    pub value: TypeRef,
}

/// A field of a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust identifier (may be raw, e.g. `r#type`).
    pub ident: String,
    /// The property name on the wire.
    pub wire: String,
    /// Doc lines.
    pub doc: Vec<String>,
    /// The value type, without the optional/nullable wrapper.
    pub ty: TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
    /// `readOnly`: only in responses.
    pub read_only: bool,
    /// `writeOnly`: only in requests.
    pub write_only: bool,
    /// Value constraints the server checks.
    pub constraints: Constraints,
}

/// How a field is present on the wire, which decides its Rust type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Always present, never null: `T`.
    Required,
    /// Always present, may be null: `Option<T>`, written as `null`.
    RequiredNullable,
    /// May be absent, never null: `Option<T>`, skipped when `None`.
    Optional,
    /// May be absent or null: `Nullable<T>`, which keeps the difference.
    OptionalNullable,
}

impl Field {
    /// How this field is present on the wire.
    pub fn presence(&self) -> Presence {
        match (self.required, self.nullable) {
            (true, false) => Presence::Required,
            (true, true) => Presence::RequiredNullable,
            (false, false) => Presence::Optional,
            (false, true) => Presence::OptionalNullable,
        }
    }
}

/// Constraints on a scalar value (from the schema).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Constraints {
    /// `minimum` (inclusive unless `exclusive_minimum`).
    pub minimum: Option<f64>,
    /// `maximum` (inclusive unless `exclusive_maximum`).
    pub maximum: Option<f64>,
    /// `exclusiveMinimum`.
    pub exclusive_minimum: bool,
    /// `exclusiveMaximum`.
    pub exclusive_maximum: bool,
    /// `minLength`.
    pub min_length: Option<usize>,
    /// `maxLength`.
    pub max_length: Option<usize>,
    /// `pattern` (a regular expression, unanchored).
    pub pattern: Option<String>,
    /// `minItems` of an array, `minProperties` of an object.
    pub min_items: Option<usize>,
    /// `maxItems` of an array, `maxProperties` of an object.
    pub max_items: Option<usize>,
    /// The constraints of every item of an array, or value of an object.
    pub items: Option<Box<Constraints>>,
    /// `enum` of a number or an integer: the only values allowed (empty
    /// when any is).
    pub one_of: Vec<f64>,
    /// `format` of a string, when it is one [`crate::formats`] checks.
    pub format: Option<String>,
    /// `default`, as JSON text.
    pub default: Option<String>,
}

impl Constraints {
    /// The constraints of a container whose items have `items`.
    pub fn of_items(items: Constraints) -> Constraints {
        let items = (!items.is_empty()).then(|| Box::new(Constraints { default: None, ..items }));
        Constraints { items, ..Constraints::default() }
    }

    /// Whether it constrains nothing (a `default` constrains nothing).
    pub fn is_empty(&self) -> bool {
        self.minimum.is_none()
            && self.maximum.is_none()
            && self.min_length.is_none()
            && self.max_length.is_none()
            && self.pattern.is_none()
            && self.min_items.is_none()
            && self.max_items.is_none()
            && self.items.is_none()
            && self.one_of.is_empty()
            && self.format.is_none()
    }

    /// These constraints, with every one `outer` sets taken from `outer`
    /// (a schema's own keywords over those of what it wraps).
    pub fn overlaid(self, outer: Constraints) -> Constraints {
        let minimum_set = outer.minimum.is_some();
        let maximum_set = outer.maximum.is_some();
        Constraints {
            minimum: outer.minimum.or(self.minimum),
            maximum: outer.maximum.or(self.maximum),
            exclusive_minimum: if minimum_set { outer.exclusive_minimum } else { self.exclusive_minimum },
            exclusive_maximum: if maximum_set { outer.exclusive_maximum } else { self.exclusive_maximum },
            min_length: outer.min_length.or(self.min_length),
            max_length: outer.max_length.or(self.max_length),
            pattern: outer.pattern.or(self.pattern),
            min_items: outer.min_items.or(self.min_items),
            max_items: outer.max_items.or(self.max_items),
            items: outer.items.or(self.items),
            one_of: if outer.one_of.is_empty() { self.one_of } else { outer.one_of },
            format: outer.format.or(self.format),
            default: outer.default.or(self.default),
        }
    }
}

/// A string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct StrEnum {
    /// Known values, in spec order.
    pub variants: Vec<Variant>,
    /// The name of the variant that keeps unknown values (`Unknown`, unless taken).
    pub unknown: String,
}

/// A known enum value.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The Rust variant name.
    pub ident: String,
    /// The value on the wire.
    pub wire: String,
}

/// An untagged union.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// Alternatives, tried in this order when deserializing.
    pub variants: Vec<UnionVariant>,
}

/// One alternative of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// The Rust variant name.
    pub ident: String,
    /// Its payload.
    pub ty: TypeRef,
    /// Required properties of this alternative that hold one value only
    /// (an `enum` of one), such as `object: "topup"` or `deleted: true`:
    /// an object is read as the alternative whose constants it carries
    /// before any other is tried.
    pub constants: Vec<(String, Constant)>,
    /// Value constraints of this alternative the server checks (a bare
    /// integer's `minimum`, a string's `maxLength`...).
    pub constraints: Constraints,
}

/// The one value a property may hold.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Constant {
    /// A string.
    String(String),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Integer(i64),
}

/// A reference to a type, as it appears in a field or variant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32` (`format: int32`).
    I32,
    /// `i64` (integers, `int64`, `unix-time`).
    I64,
    /// `f64`.
    F64,
    /// Any JSON value, where the schema allows anything or cannot be expressed.
    Json,
    /// A named type of this API.
    Named(String),
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// `Option<T>`: a nullable value outside a field (array item, map value).
    Option(Box<TypeRef>),
    /// `Expandable<T>`: an ID or the expanded object.
    Expandable(Box<TypeRef>),
    /// `OrEmpty<T>`: a value or `""` to unset.
    OrEmpty(Box<TypeRef>),
    /// `List<T>`: a cursor-paginated page.
    List(Box<TypeRef>),
    /// `Box<T>`: breaks a recursive type.
    Box(Box<TypeRef>),
    /// `(A, B, ...)`: an array of fixed length whose items have their own
    /// types (JSON Schema 2020-12 `prefixItems`).
    Tuple(Vec<TypeRef>),
    /// `File`: a file part of a multipart body (`format: binary`): its
    /// name, content type and content.
    File,
}

impl TypeRef {
    /// The named types this reference mentions, with whether each is held
    /// inline (so that a cycle through it needs a `Box`).
    pub fn visit_named(&self, inline: bool, f: &mut dyn FnMut(&str, bool)) {
        match self {
            TypeRef::Named(name) => f(name, inline),
            TypeRef::Option(inner) | TypeRef::OrEmpty(inner) => inner.visit_named(inline, f),
            TypeRef::Vec(inner)
            | TypeRef::Map(inner)
            | TypeRef::Expandable(inner)
            | TypeRef::List(inner)
            | TypeRef::Box(inner) => inner.visit_named(false, f),
            TypeRef::Tuple(items) => items.iter().for_each(|i| i.visit_named(inline, f)),
            TypeRef::String | TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F64 | TypeRef::Json | TypeRef::File => {}
        }
    }

    /// Whether it, or a type it wraps, satisfies `wanted`.
    pub fn mentions(&self, wanted: fn(&TypeRef) -> bool) -> bool {
        wanted(self)
            || match self {
                TypeRef::Vec(i)
                | TypeRef::Map(i)
                | TypeRef::Option(i)
                | TypeRef::Expandable(i)
                | TypeRef::OrEmpty(i)
                | TypeRef::List(i)
                | TypeRef::Box(i) => i.mentions(wanted),
                TypeRef::Tuple(items) => items.iter().any(|i| i.mentions(wanted)),
                _ => false,
            }
    }

    /// Whether `serde_json::Value` appears anywhere in it.
    pub fn uses_json(&self) -> bool {
        self.mentions(|t| matches!(t, TypeRef::Json))
    }
}

/// An HTTP operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId` (derived from method and path when absent).
    pub id: String,
    /// The Rust method name (snake_case).
    pub ident: String,
    /// CamelCase prefix of the types made for it.
    pub type_prefix: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template, e.g. `/v1/items/{item}`.
    pub path: String,
    /// JSON pointer of the operation.
    pub pointer: String,
    /// `summary`.
    pub summary: Option<String>,
    /// Doc lines from `description`.
    pub doc: Vec<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// Path parameters, in template order.
    pub path_params: Vec<PathParam>,
    /// The struct holding every non-path parameter and body field, if any.
    pub params: Option<String>,
    /// Where each field of `params` goes.
    pub param_fields: Vec<ParamField>,
    /// The request body, if the operation takes one.
    pub body: Option<Body>,
    /// Declared responses, in document order (`default` last).
    pub responses: Vec<Response>,
    /// How to walk the pages, for an operation that returns a `List<T>`.
    pub pagination: Option<Pagination>,
    /// What it takes to call it: any one of these requirements. Empty: no
    /// credentials (the operation's `security: []`, or none declared).
    pub security: Vec<Requirement>,
}

impl Operation {
    /// The response a successful call returns: the first 2xx one.
    pub fn success(&self) -> Option<&Response> {
        self.responses.iter().find(|r| matches!(r.status, Status::Code(200..=299) | Status::Range(2)))
    }

    /// The status code a successful call answers with.
    pub fn success_status(&self) -> u16 {
        match self.success().map(|r| r.status) {
            Some(Status::Code(code)) => code,
            _ => 200,
        }
    }
}

/// Cursor pagination of a list operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// The item type of the pages.
    pub item: TypeRef,
    /// The params field holding the forward cursor (`starting_after`).
    pub starting_after: String,
    /// The params field holding the backward cursor (`ending_before`).
    pub ending_before: Option<String>,
    /// The item field whose value is a cursor (`id`).
    pub id_field: String,
    /// The name of the client method that streams every item
    /// (`<operation>_stream`, unless another method has that name).
    pub stream: String,
}

/// A path parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct PathParam {
    /// The name in the template.
    pub wire: String,
    /// The Rust argument name.
    pub ident: String,
    /// Its type.
    pub ty: TypeRef,
    /// Doc lines.
    pub doc: Vec<String>,
    /// Value constraints.
    pub constraints: Constraints,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// The query string.
    Query,
    /// The whole query string, one value written as its media type says
    /// (OpenAPI 3.2 `in: querystring`): a form (`Form`), JSON (`Json`), or
    /// text (any other kind).
    QueryString(MediaKind),
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
    /// A property of the request body.
    Body,
    /// The whole request body (its schema is not an inline object).
    WholeBody,
}

impl Location {
    /// The location as the spec spells it (`in`), `body` for the body.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Query => "query",
            Location::QueryString(_) => "querystring",
            Location::Header => "header",
            Location::Cookie => "cookie",
            Location::Body | Location::WholeBody => "body",
        }
    }
}

/// How an object or array parameter is serialized (OpenAPI `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Style {
    /// `form` (the query default).
    Form,
    /// `deepObject`: `name[key]=value`.
    DeepObject,
    /// `simple` (headers and paths).
    Simple,
    /// `spaceDelimited`.
    SpaceDelimited,
    /// `pipeDelimited`.
    PipeDelimited,
}

/// A field of an operation's params struct, and where it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamField {
    /// The field in the params struct.
    pub ident: String,
    /// The name on the wire.
    pub wire: String,
    /// The field's key in the params struct as serde reads and writes it:
    /// the wire name, unless parameters of other locations share it (a
    /// query parameter and a body property both named `uris`): then each
    /// but the body's is qualified by its location, `uris (query)`, so that
    /// every value keeps its own key. It names the parameter in errors.
    pub key: String,
    /// Where it goes.
    pub location: Location,
    /// Serialization style.
    pub style: Style,
    /// `explode`.
    pub explode: bool,
    /// Must be sent.
    pub required: bool,
}

/// What a body is on the wire, decided once from its media type: the
/// emitters choose the runtime function that reads or writes each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MediaKind {
    /// `application/json` and `+json` types: one JSON value.
    Json,
    /// `application/x-www-form-urlencoded`, with bracket nesting.
    Form,
    /// `multipart/form-data`: a part per property, files among them.
    Multipart,
    /// `text/*` but the event stream: text.
    Text,
    /// `text/event-stream`: server-sent events, each event's `data` one
    /// value of the schema.
    EventStream,
    /// `application/x-ndjson`, `application/jsonl`, `application/x-jsonlines`:
    /// one JSON value of the schema per line.
    JsonLines,
    /// Anything else (`application/octet-stream`, `application/pdf`,
    /// `image/*`, `audio/*`, a type the generator does not know): bytes.
    Binary,
}

impl MediaKind {
    /// The kind of a media type (`application/json; charset=utf-8`,
    /// `Text/Plain`...).
    pub fn of(media: &str) -> MediaKind {
        let essence = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/json" => MediaKind::Json,
            "application/x-www-form-urlencoded" => MediaKind::Form,
            "multipart/form-data" => MediaKind::Multipart,
            "text/event-stream" => MediaKind::EventStream,
            "application/x-ndjson" | "application/jsonl" | "application/x-jsonlines" | "application/jsonlines" => MediaKind::JsonLines,
            e if e.ends_with("+json") => MediaKind::Json,
            e if e.starts_with("text/") => MediaKind::Text,
            _ => MediaKind::Binary,
        }
    }

    /// Whether a body of this kind is read whole into the params struct
    /// (JSON, forms, multipart, text), rather than streamed.
    pub fn into_params(self) -> bool {
        matches!(self, MediaKind::Json | MediaKind::Form | MediaKind::Multipart | MediaKind::Text)
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The media type sent unless the caller chooses another, e.g.
    /// `application/x-www-form-urlencoded`.
    pub media: String,
    /// Its kind.
    pub kind: MediaKind,
    /// Every other media type the operation takes the same body as, in
    /// document order, which a caller may choose and the router reads.
    pub others: Vec<(String, MediaKind)>,
    /// For multipart: how each part travels (its content type, whether it
    /// is a file), by property.
    pub parts: Vec<Part>,
    /// `required`.
    pub required: bool,
    /// JSON pointer of the body's schema, as written (a `$ref` not followed).
    pub schema: String,
    /// The Rust type a body reads as: the params struct when the body's
    /// properties are its fields, or the type of the whole body.
    pub ty: Option<TypeRef>,
}

impl Body {
    /// Every media type the body may go as, with its kind: the default
    /// first, then the others in document order.
    pub fn media_types(&self) -> impl Iterator<Item = (&str, MediaKind)> {
        std::iter::once((self.media.as_str(), self.kind)).chain(self.others.iter().map(|(m, k)| (m.as_str(), *k)))
    }
}

/// A part of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The property (and part) name.
    pub wire: String,
    /// A file (`format: binary`, or `contentMediaType` in 3.1), sent with
    /// a file name; otherwise the value's text.
    pub file: bool,
    /// The content type the `encoding` object gives it.
    pub content_type: Option<String>,
}

/// A response status as declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// A single code, e.g. 200.
    Code(u16),
    /// A range, e.g. `4XX` is `Range(4)`.
    Range(u16),
    /// `default`: any other status.
    Default,
}

/// A declared response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The status it is declared for.
    pub status: Status,
    /// Doc lines from its description.
    pub doc: Vec<String>,
    /// The body type: of a JSON body, of each event's `data` or each line
    /// of a stream, `String` for text; none for bytes or no body.
    pub ty: Option<TypeRef>,
    /// The media type of the body (JSON first, when several are declared).
    pub media: Option<String>,
    /// JSON pointer of the body's schema, as written (a `$ref` not followed).
    pub schema: Option<String>,
    /// The kind of `media`.
    pub kind: Option<MediaKind>,
    /// Every media type declared for this status of that kind (`image/png`
    /// and `image/jpeg`): what the client accepts.
    pub accept: Vec<String>,
    /// The media types of other kinds declared for this status (an event
    /// stream beside JSON), each answered by a client method of its own.
    pub others: Vec<Alternative>,
}

impl Response {
    /// Every kind the response comes in, with its type and media type: its
    /// own first (when it has a body), then the alternatives.
    pub fn kinds(&self) -> impl Iterator<Item = (MediaKind, Option<&TypeRef>, &str)> {
        let own = self.kind.map(|kind| (kind, self.ty.as_ref(), self.media.as_deref().unwrap_or_default()));
        own.into_iter().chain(self.others.iter().map(|a| (a.kind, a.ty.as_ref(), a.media.as_str())))
    }
}

/// Another media type a response is declared with (a stream beside
/// JSON, say), and the client method that asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    /// The media type.
    pub media: String,
    /// Its kind.
    pub kind: MediaKind,
    /// Every media type declared of that kind: what the method accepts.
    pub accept: Vec<String>,
    /// The type of its body, of each event or line (as [`Response::ty`]).
    pub ty: Option<TypeRef>,
    /// JSON pointer of its schema.
    pub schema: Option<String>,
    /// The client method that asks for it (`<operation>_events`...).
    pub method: String,
    /// A boolean params field named `stream`, which the method sets: the
    /// convention by which an API answers a stream instead of JSON.
    pub flag: Option<String>,
}

/// A webhook event type.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event type on the wire, e.g. `order.created`.
    pub name: String,
    /// The Rust variant name.
    pub variant: String,
    /// Doc lines.
    pub doc: Vec<String>,
    /// The type of the whole event body.
    pub envelope: TypeRef,
    /// JSON pointer of the event body's schema, as written.
    pub schema: String,
    /// The type of `data.object` in the envelope, when it has one (a
    /// required field of a required field).
    pub payload: Option<TypeRef>,
    /// The Rust fields from the envelope to the payload (`data`, `object`).
    pub payload_path: Vec<String>,
    /// The name of the method that answers the payload of every event
    /// carrying this payload type (e.g. `checkout_session`).
    pub payload_method: Option<String>,
}

impl Api {
    /// The security scheme of this name.
    pub fn scheme(&self, name: &str) -> Option<&SecurityScheme> {
        self.security_schemes.iter().find(|s| s.name == name)
    }

    /// The struct definition of a named type, if it is a struct.
    pub fn struct_def(&self, name: &str) -> Option<&Struct> {
        match &self.types.get(name)?.kind {
            TypeKind::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// The component schemas (`#/components/schemas/<name>`) that became types.
    pub fn component_types(&self) -> impl Iterator<Item = &TypeDef> {
        self.types.values().filter(|t| {
            t.pointer.strip_prefix("#/components/schemas/").is_some_and(|rest| !rest.contains('/'))
        })
    }

    /// How deeply the parameters of `op` can nest, as the router bounds
    /// its input: the brackets after a form key's name (`a[b][0]` is 2), or
    /// the arrays and objects of a JSON body, that the deepest parameter
    /// can reach, plus [`DEPTH_MARGIN`]; [`MAX_DEPTH`] where no depth bounds
    /// them (a recursive schema, or free-form JSON).
    pub fn input_depth(&self, op: &Operation) -> usize {
        let mut memo = BTreeMap::new();
        let deepest = match &op.params {
            Some(params) => self.depth_of(&TypeRef::Named(params.clone()), &mut memo).map(|d| d.saturating_sub(1)),
            None => Some(0),
        };
        deepest.map_or(MAX_DEPTH, |d| (d + DEPTH_MARGIN).min(MAX_DEPTH))
    }

    /// The levels of objects and arrays a value of `t` holds: `None` when
    /// unbounded. `memo` holds what is known, and `None` for the types being
    /// walked, so that a cycle is unbounded.
    fn depth_of(&self, t: &TypeRef, memo: &mut BTreeMap<String, Option<usize>>) -> Option<usize> {
        match t {
            TypeRef::String | TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F64 => Some(0),
            // A file part's name, content type and content.
            TypeRef::File => Some(1),
            TypeRef::Json => None,
            TypeRef::Vec(inner) | TypeRef::Map(inner) => self.depth_of(inner, memo).map(|d| d + 1),
            TypeRef::Tuple(items) => items.iter().try_fold(0, |deepest, i| self.depth_of(i, memo).map(|d| deepest.max(d))).map(|d| d + 1),
            // A page: `data[i]` holds the items.
            TypeRef::List(inner) => self.depth_of(inner, memo).map(|d| d + 2),
            TypeRef::Option(inner) | TypeRef::Expandable(inner) | TypeRef::OrEmpty(inner) | TypeRef::Box(inner) => {
                self.depth_of(inner, memo)
            }
            TypeRef::Named(name) => {
                if let Some(known) = memo.get(name) {
                    return *known;
                }
                memo.insert(name.clone(), None);
                let depth = match self.types.get(name).map(|d| &d.kind) {
                    Some(TypeKind::Struct(s)) => {
                        let mut deepest = Some(0);
                        let extra = s.extra.as_ref().map(|e| &e.value);
                        for ty in s.fields.iter().map(|f| &f.ty).chain(extra) {
                            deepest = deepest.zip(self.depth_of(ty, memo)).map(|(a, b)| a.max(b));
                        }
                        deepest.map(|d| d + 1)
                    }
                    Some(TypeKind::Union(u)) => {
                        let mut deepest = Some(0);
                        for v in &u.variants {
                            deepest = deepest.zip(self.depth_of(&v.ty, memo)).map(|(a, b)| a.max(b));
                        }
                        deepest
                    }
                    Some(TypeKind::Alias(inner) | TypeKind::Newtype(inner)) => self.depth_of(inner, memo),
                    Some(TypeKind::Enum(_)) | None => Some(0),
                };
                memo.insert(name.clone(), depth);
                depth
            }
        }
    }

    /// Whether any type uses `serde_json::Value`.
    pub fn uses_json(&self) -> bool {
        self.types.values().any(|t| match &t.kind {
            TypeKind::Struct(s) => {
                s.fields.iter().any(|f| f.ty.uses_json()) || s.extra.as_ref().is_some_and(|e| e.value.uses_json())
            }
            TypeKind::Union(u) => u.variants.iter().any(|v| v.ty.uses_json()),
            TypeKind::Alias(t) | TypeKind::Newtype(t) => t.uses_json(),
            TypeKind::Enum(_) => false,
        })
    }
}
