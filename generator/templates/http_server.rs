//! The HTTP machinery under the generated server: from a request to typed
//! params (or a rejection with the parameter at fault), and from a typed
//! result to a JSON response. Nothing here knows any particular API.

use std::collections::BTreeMap;
use std::future::Future;

use axum::extract::{RawPathParams, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::runtime::{Bounds, Bounded, ParamPath, Validate};
use super::wire::{self, Credential, KeyPlace, Node, Scheme, SchemeKind, Security};

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 1 << 20;

/// Why the router refused a request before it reached the implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectionKind {
    /// No security requirement of the operation was met: credentials
    /// missing, or refused by the authentication hook (401).
    Unauthorized,
    /// No operation has this path (404).
    NotFound,
    /// The path exists, the method does not (405).
    MethodNotAllowed,
    /// A required parameter is missing (400).
    MissingParam,
    /// A parameter the operation does not take (400).
    UnknownParam,
    /// A parameter of the wrong type, outside its enum or its bounds (400).
    InvalidParam,
    /// A body that cannot be read as its media type (400).
    MalformedBody,
    /// A body of another media type than the operation takes (415).
    UnsupportedMediaType,
    /// A body larger than [`BODY_LIMIT`] (413).
    PayloadTooLarge,
    /// A request line longer than [`MAX_REQUEST_LINE`] (414).
    UriTooLong,
    /// A request head larger than [`MAX_HEAD`] or with more than
    /// [`MAX_HEADERS`] fields (431).
    HeadersTooLarge,
    /// A request that is not HTTP/1.x, or whose head, framing or body
    /// cannot be read (400).
    MalformedRequest,
}

/// A refused request: what was wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The kind of problem.
    pub kind: RejectionKind,
    /// The HTTP status the answer carries.
    pub status: u16,
    /// The parameter at fault, as the wire names it (`line_items[0][price]`).
    pub param: Option<String>,
    /// A sentence for a human.
    pub message: String,
}

impl Rejection {
    /// A rejection of `kind` with its usual status.
    pub fn new(kind: RejectionKind, param: Option<String>, message: impl Into<String>) -> Self {
        let status = match kind {
            RejectionKind::Unauthorized => 401,
            RejectionKind::NotFound => 404,
            RejectionKind::MethodNotAllowed => 405,
            RejectionKind::UnsupportedMediaType => 415,
            RejectionKind::PayloadTooLarge => 413,
            RejectionKind::UriTooLong => 414,
            RejectionKind::HeadersTooLarge => 431,
            RejectionKind::MissingParam
            | RejectionKind::MalformedRequest
            | RejectionKind::UnknownParam
            | RejectionKind::InvalidParam
            | RejectionKind::MalformedBody => 400,
        };
        Rejection { kind, status, param, message: message.into() }
    }
}

/// An answer other than success: a status and the API's error body.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure<E> {
    /// The HTTP status.
    pub status: u16,
    /// The API's error body, boxed so that a `Result<T, Failure<E>>` stays
    /// small however large the error object is.
    pub body: Box<E>,
}

impl<E> Failure<E> {
    /// A failure with `status`.
    pub fn new(status: u16, body: E) -> Self {
        Failure { status, body: Box::new(body) }
    }
}

/// What an operation learns of its request besides its params.
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    /// All request headers.
    pub headers: HeaderMap,
    /// The credentials the authentication hook accepted (empty for an
    /// operation that takes none, or a request that sent none where they
    /// are optional).
    pub credentials: Credentials,
    /// The `Idempotency-Key` header, if one was sent.
    pub idempotency_key: Option<String>,
}

/// A credential found in a request, with the scheme it was sent for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The scheme.
    pub scheme: &'static Scheme,
    /// The scopes the requirement being tried asks of it (OAuth2, OpenID
    /// Connect), for the hook to check against the token's.
    pub scopes: &'static [&'static str],
    /// The credential as sent (a Basic one decoded).
    pub credential: Credential,
}

/// Credentials found in a request: those of one security requirement, as
/// the authentication hook is asked about them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials(Vec<Found>);

impl Credentials {
    /// Each credential, in the order the requirement names its schemes.
    pub fn iter(&self) -> impl Iterator<Item = &Found> {
        self.0.iter()
    }

    /// The credential sent for the scheme of this name.
    pub fn get(&self, scheme: &str) -> Option<&Credential> {
        self.0.iter().find(|f| f.scheme.name == scheme).map(|f| &f.credential)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Where a params field travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum In {
    /// The query string.
    Query,
    /// The whole query string, one value (OpenAPI 3.2 `in: querystring`).
    QueryString(wire::QueryAs),
    /// A header.
    Header,
    /// A cookie (of the `Cookie` header).
    Cookie,
    /// A field of the body.
    Body,
    /// The whole body.
    WholeBody,
}

/// A params field: where it travels, by which name, and its key in the
/// params struct (the name, unless a parameter of another location shares
/// it: then `name (location)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamSpec {
    /// The name on the wire.
    pub name: &'static str,
    /// Where it travels.
    pub place: In,
    /// Its key in the params struct.
    pub key: &'static str,
}

impl ParamSpec {
    /// A parameter whose key is its name.
    pub const fn new(name: &'static str, place: In) -> Self {
        ParamSpec { name, place, key: name }
    }

    /// A parameter with a key of its own.
    pub const fn keyed(name: &'static str, place: In, key: &'static str) -> Self {
        ParamSpec { name, place, key }
    }
}

/// What the router must know of an operation to parse its requests.
#[derive(Clone, Copy, Debug)]
pub struct OperationSpec {
    /// The operation's name as the spec gives it (`operationId`), as the
    /// authentication hook is told.
    pub id: &'static str,
    /// What it takes to call (`security::requirements`).
    pub security: Security,
    /// The protection space named in `WWW-Authenticate` (the API's title).
    pub realm: &'static str,
    /// Each params field.
    pub params: &'static [ParamSpec],
    /// The media types the operation takes its body as, each with its
    /// kind (the first is the spec's first); none: it takes no body.
    pub body: &'static [(&'static str, BodyKind)],
    /// Whether a request must carry a body (`requestBody.required`).
    pub body_required: bool,
    /// The status of a successful answer.
    pub success: u16,
    /// Whether a successful answer has a body.
    pub success_body: bool,
    /// How deeply the operation's parameters can nest (brackets after the
    /// name in a form, arrays and objects in JSON), with a margin: deeper
    /// input is refused before it is read.
    pub depth: usize,
}

/// What a request body is on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `application/json` and `+json` types.
    Json,
    /// `multipart/form-data`: parts, files among them.
    Multipart,
    /// `text/*`: text, read whole.
    Text,
    /// Bytes, handed to the operation as they arrive ([`Upload`]).
    Binary,
    /// JSON lines, handed to the operation as they arrive ([`Lines`]).
    JsonLines,
}

impl BodyKind {
    /// Whether the body is handed over as it arrives, not read into the
    /// params.
    pub fn streamed(self) -> bool {
        matches!(self, BodyKind::Binary | BodyKind::JsonLines)
    }
}

/// The params of an operation that takes none (any parameter is unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct NoParams {}

impl Validate for NoParams {
    fn validate(&self, _: &mut ParamPath, _: &mut Vec<super::runtime::Invalid>) {}
}

/// The path parameters of a request, percent-decoded.
#[derive(Clone, Debug, Default)]
pub struct PathParams(Vec<(String, String)>);

impl PathParams {
    /// The parameter `name`, read as `T`.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<T, Rejection> {
        let value = self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default();
        T::deserialize(Node::Leaf(value))
            .map_err(|e| Rejection::new(RejectionKind::InvalidParam, Some(name.to_owned()), format!("Invalid {name}: {e}")))
    }

    /// The parameter `name`, read as `T` and checked against `bounds`.
    pub fn bounded<T: DeserializeOwned + Bounded>(&self, name: &str, bounds: Bounds) -> Result<T, Rejection> {
        let value: T = self.get(name)?;
        let mut errors = Vec::new();
        let mut at = ParamPath::new();
        at.bounded(name, &value, bounds, &mut errors);
        match errors.into_iter().next() {
            Some(problem) => Err(Rejection::new(RejectionKind::InvalidParam, Some(problem.param), problem.message)),
            None => Ok(value),
        }
    }
}

/// The body of an answer: JSON with a status.
pub fn respond<T: Serialize>(status: u16, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The cookies of a request (`Cookie: a=1; b=2`), in order, each value
/// percent-decoded. A pair without `=` is not a cookie and is skipped.
pub fn cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for header in headers.get_all(header::COOKIE) {
        let Ok(text) = header.to_str() else { continue };
        for pair in text.split(';') {
            if let Some((name, value)) = pair.trim().split_once('=') {
                let value = value.trim().trim_matches('"');
                let value = form_urlencoded::parse(format!("v={}", value.replace('+', "%2B")).as_bytes())
                    .next()
                    .map_or_else(String::new, |(_, v)| v.into_owned());
                out.push((name.trim().to_owned(), value));
            }
        }
    }
    out
}

/// The credentials of `Authorization: <scheme> <credentials>` when its
/// scheme is `scheme` (case-insensitive).
fn authorization<'h>(headers: &'h HeaderMap, scheme: &str) -> Option<&'h str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (name, rest) = value.trim().split_once(' ')?;
    name.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// What a request carries for one scheme, if anything: the key of an
/// `apiKey` scheme where it travels, the decoded user and password of
/// Basic, the token of Bearer (and OAuth2, OpenID Connect), another HTTP
/// scheme's credentials. A Basic credential that is not base64 of
/// `user:password` in UTF-8 is not one.
pub fn credential(scheme: &Scheme, headers: &HeaderMap, query: Option<&str>) -> Option<Credential> {
    use base64::Engine;
    let secret = match scheme.kind {
        SchemeKind::ApiKey { place: KeyPlace::Header, name } => headers.get(name)?.to_str().ok()?.to_owned(),
        SchemeKind::ApiKey { place: KeyPlace::Query, name } => {
            form_urlencoded::parse(query?.as_bytes()).find(|(k, _)| k == name)?.1.into_owned()
        }
        SchemeKind::ApiKey { place: KeyPlace::Cookie, name } => cookies(headers).into_iter().find(|(k, _)| k == name)?.1,
        SchemeKind::Basic => {
            let decoded = base64::engine::general_purpose::STANDARD.decode(authorization(headers, "basic")?).ok()?;
            let (user, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
            return Some(Credential::basic(user, password));
        }
        SchemeKind::Bearer => authorization(headers, "bearer")?.to_owned(),
        SchemeKind::Http(name) => authorization(headers, name)?.to_owned(),
    };
    (!secret.is_empty()).then_some(Credential::Secret(secret))
}

/// Whether a request may call an operation that takes `security`: its
/// credentials for the first requirement whose every scheme it sent one
/// for and that `authenticate` accepts; empty credentials where the
/// operation takes none, or where they are optional and none were sent.
/// `None`: 401.
pub fn authorize(
    security: Security,
    headers: &HeaderMap,
    query: Option<&str>,
    authenticate: impl Fn(&Credentials) -> bool,
) -> Option<Credentials> {
    if security.is_empty() {
        return Some(Credentials::default());
    }
    let mut tried = false;
    for requirement in security.iter().filter(|r| !r.is_empty()) {
        let found: Option<Vec<Found>> = requirement
            .iter()
            .map(|need| Some(Found { scheme: need.scheme, scopes: need.scopes, credential: credential(need.scheme, headers, query)? }))
            .collect();
        if let Some(found) = found {
            tried = true;
            let credentials = Credentials(found);
            if authenticate(&credentials) {
                return Some(credentials);
            }
        }
    }
    let optional = security.iter().any(|r| r.is_empty());
    (optional && !tried).then(Credentials::default)
}

/// The 401 an operation answers when no requirement is met: the error
/// object, saying what to send, and a `WWW-Authenticate` challenge per
/// scheme (RFC 9110): `Basic`, `Bearer` or the HTTP scheme named, with the
/// realm; `ApiKey` with where the key travels for an API key.
pub fn unauthorized<E: Serialize>(security: Security, realm: &str, reject: impl Fn(&Rejection) -> E) -> Response {
    let describe = |scheme: &Scheme| match scheme.kind {
        SchemeKind::ApiKey { place: KeyPlace::Header, name } => format!("the header `{name}`"),
        SchemeKind::ApiKey { place: KeyPlace::Query, name } => format!("the query parameter `{name}`"),
        SchemeKind::ApiKey { place: KeyPlace::Cookie, name } => format!("the cookie `{name}`"),
        SchemeKind::Basic => "`Authorization: Basic <user:password in base64>`".to_owned(),
        SchemeKind::Bearer => "`Authorization: Bearer <token>`".to_owned(),
        SchemeKind::Http(name) => format!("`Authorization: {name} <credentials>`"),
    };
    let ways: Vec<String> = security
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.iter().map(|need| format!("{} ({})", describe(need.scheme), need.scheme.name)).collect::<Vec<_>>().join(" and "))
        .collect();
    let message = format!("No valid credentials: send {}", ways.join(", or "));
    let rejection = Rejection::new(RejectionKind::Unauthorized, None, message);
    let mut response = respond(rejection.status, &reject(&rejection));
    let mut seen: Vec<&str> = Vec::new();
    for need in security.iter().flat_map(|r| r.iter()) {
        if seen.contains(&need.scheme.name) {
            continue;
        }
        seen.push(need.scheme.name);
        let realm = realm.replace(['"', '\\'], "'");
        let challenge = match need.scheme.kind {
            SchemeKind::Basic => format!("Basic realm=\"{realm}\", charset=\"UTF-8\""),
            SchemeKind::Bearer => format!("Bearer realm=\"{realm}\""),
            SchemeKind::Http(name) => format!("{name} realm=\"{realm}\""),
            SchemeKind::ApiKey { place, name } => {
                let place = match place {
                    KeyPlace::Header => "header",
                    KeyPlace::Query => "query",
                    KeyPlace::Cookie => "cookie",
                };
                format!("ApiKey realm=\"{realm}\", in=\"{place}\", name=\"{name}\"")
            }
        };
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.headers_mut().append(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}

/// Segments as the wire names them: `line_items[0][price_data][currency]`.
fn render(segments: &[String]) -> String {
    let mut out = String::new();
    for (i, segment) in segments.iter().enumerate() {
        if i == 0 {
            out.push_str(segment);
        } else {
            out.push('[');
            out.push_str(segment);
            out.push(']');
        }
    }
    out
}

fn param_of(path: &serde_path_to_error::Path) -> String {
    let segments: Vec<String> = path
        .iter()
        .filter_map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => None,
        })
        .collect();
    render(&segments)
}

fn ignored_param(path: &serde_ignored::Path) -> String {
    fn collect(path: &serde_ignored::Path, out: &mut Vec<String>) {
        match path {
            serde_ignored::Path::Root => {}
            serde_ignored::Path::Seq { parent, index } => {
                collect(parent, out);
                out.push(index.to_string());
            }
            serde_ignored::Path::Map { parent, key } => {
                collect(parent, out);
                out.push(key.clone());
            }
            serde_ignored::Path::Some { parent }
            | serde_ignored::Path::NewtypeStruct { parent }
            | serde_ignored::Path::NewtypeVariant { parent } => collect(parent, out),
        }
    }
    let mut segments = Vec::new();
    collect(path, &mut segments);
    render(&segments)
}

/// Reads the params of a request into `P`: query string, headers and
/// body, each field only where the operation says it travels; then checks
/// them. Refuses unknown parameters, missing required ones, values of the
/// wrong type, outside their enum or their bounds.
pub fn parse<P: DeserializeOwned + Serialize + Validate>(
    spec: &OperationSpec,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<P, Rejection> {
    parse_payload(spec, query, headers, Payload::Bytes(body))
}

/// A request body as the router reads it into the params.
#[derive(Debug)]
pub enum Payload<'a> {
    /// The bytes of a form, JSON or text body (none: empty).
    Bytes(&'a [u8]),
    /// The parts of a multipart body ([`read_parts`]).
    Parts(Vec<FormPart>),
}

/// A part of a multipart body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormPart {
    /// Its name (the property it is).
    pub name: String,
    /// Its file name: a file part has one.
    pub file_name: Option<String>,
    /// Its content type.
    pub content_type: Option<String>,
    /// Its bytes.
    pub data: Vec<u8>,
}

/// The kind of body a request carries: the first media type the operation
/// takes that its `Content-Type` is of (`image/png` of `image/*`). `None`
/// when it declares none, or one the operation does not take; a request
/// without a `Content-Type` is taken as the first, where that is
/// streamed (bytes are bytes).
pub fn body_kind(spec: &OperationSpec, headers: &HeaderMap) -> Option<BodyKind> {
    match headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        Some(content_type) => spec.body.iter().find(|(media, _)| wire::media_matches(media, content_type)).map(|(_, kind)| *kind),
        None => spec.body.first().map(|(_, kind)| *kind).filter(|kind| kind.streamed()),
    }
}

/// The 415 of a body of another media type than the operation takes.
fn unsupported(spec: &OperationSpec, headers: &HeaderMap) -> Rejection {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let declared: Vec<&str> = spec.body.iter().map(|(media, _)| *media).collect();
    let one_of = if declared.len() == 1 { declared[0].to_owned() } else { format!("one of {}", declared.join(", ")) };
    Rejection::new(
        RejectionKind::UnsupportedMediaType,
        None,
        format!("Content-Type must be {one_of}, not `{}`", wire::shorten(content_type)),
    )
}

/// Tests `text` against `pattern` with the `regex` crate, each pattern
/// compiled once and kept (the patterns are the spec's: a bounded set). A
/// pattern the crate cannot compile is not checked.
pub fn regex_matcher(pattern: &str, text: &str) -> bool {
    type Compiled = std::collections::HashMap<String, Option<regex::Regex>>;
    static COMPILED: std::sync::LazyLock<std::sync::RwLock<Compiled>> = std::sync::LazyLock::new(Default::default);
    let test = |re: &Option<regex::Regex>| re.as_ref().is_none_or(|re| re.is_match(text));
    if let Some(re) = COMPILED.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(pattern) {
        return test(re);
    }
    let re = regex::Regex::new(pattern).ok();
    let matches = test(&re);
    COMPILED.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(pattern.to_owned(), re);
    matches
}

/// Makes [`regex_matcher`] the test of every `pattern` the types check
/// (`runtime::install_pattern_matcher`), unless another is installed: the
/// router does it when it is made, and [`parse_payload`] before it reads.
pub fn install_patterns() {
    super::runtime::install_pattern_matcher(regex_matcher);
}

/// [`parse`], for a body of any kind the router reads into the params.
pub fn parse_payload<P: DeserializeOwned + Serialize + Validate>(
    spec: &OperationSpec,
    query: Option<&str>,
    headers: &HeaderMap,
    payload: Payload<'_>,
) -> Result<P, Rejection> {
    install_patterns();
    let find = |name: &str, place: In| spec.params.iter().find(|p| p.name == name && p.place == place);
    let located = |name: &str, place: In| find(name, place).is_some();
    let top = |key: &str| key.split('[').next().unwrap_or(key).to_owned();
    let too_many = |key: &str| {
        Rejection::new(
            RejectionKind::InvalidParam,
            Some(wire::shorten(key)),
            format!("A request may hold at most {} parameters", wire::MAX_PARAMS),
        )
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    // Values that are not text: JSON fields, files.
    let mut nodes: Vec<(String, Node)> = Vec::new();
    let whole_query = spec.params.iter().find_map(|p| match p.place {
        In::QueryString(how) => Some((p.key, how)),
        _ => None,
    });
    if let (Some(query), Some((key, how))) = (query.filter(|q| !q.is_empty()), whole_query) {
        match how {
            // The form's fields are the value's.
            wire::QueryAs::Form => {
                for (k, v) in form_urlencoded::parse(query.as_bytes()) {
                    if pairs.len() == wire::MAX_PARAMS {
                        return Err(too_many(&k));
                    }
                    if credential_in_query(spec, &k) {
                        continue;
                    }
                    let at = match k.split_once('[') {
                        Some((head, rest)) => format!("{key}[{head}][{rest}"),
                        None => format!("{key}[{k}]"),
                    };
                    pairs.push((at, v.into_owned()));
                }
            }
            wire::QueryAs::Json | wire::QueryAs::Text => {
                let invalid = |why: String| Rejection::new(RejectionKind::InvalidParam, Some(key.to_owned()), format!("Invalid {key}: {why}"));
                let text = wire::percent_decode(query).ok_or_else(|| invalid("the query string is not UTF-8 text".to_owned()))?;
                let value = if how == wire::QueryAs::Json {
                    wire::json_depth(text.as_bytes(), spec.depth).map_err(|limit| invalid(format!("nested more than {limit} levels deep")))?;
                    serde_json::from_str(&text).map_err(|e| invalid(format!("not JSON: {e}")))?
                } else {
                    serde_json::Value::String(text)
                };
                nodes.push((key.to_owned(), Node::Json(value)));
            }
        }
    } else if let Some(query) = query {
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            if pairs.len() == wire::MAX_PARAMS {
                return Err(too_many(&k));
            }
            let name = top(&k);
            let Some(param) = find(&name, In::Query) else {
                if credential_in_query(spec, &k) {
                    continue;
                }
                return Err(unknown(&k));
            };
            pairs.push((format!("{}{}", param.key, &k[name.len()..]), v.into_owned()));
        }
    }
    let cookies = cookies(headers);
    for param in spec.params {
        let value = match param.place {
            In::Header => match headers.get(param.name) {
                Some(value) => value.to_str().map_err(|_| {
                    Rejection::new(RejectionKind::InvalidParam, Some(param.key.to_owned()), format!("Invalid {}: not text", param.key))
                })?,
                None => continue,
            },
            In::Cookie => match cookies.iter().find(|(name, _)| name == param.name) {
                Some((_, value)) => value,
                None => continue,
            },
            In::Query | In::QueryString(_) | In::Body | In::WholeBody => continue,
        };
        pairs.push((param.key.to_owned(), value.to_owned()));
    }
    let whole = spec.params.iter().find(|p| p.place == In::WholeBody).map(|p| p.key);
    match payload {
        // An empty text body is the empty text, an empty form body the
        // empty object.
        Payload::Bytes([]) => match (body_kind(spec, headers), whole, headers.contains_key(header::CONTENT_TYPE)) {
            (Some(BodyKind::Text), Some(key), true) => nodes.push((key.to_owned(), Node::Json(serde_json::Value::String(String::new())))),
            (Some(BodyKind::Form), Some(key), true) => nodes.push((key.to_owned(), Node::Map(BTreeMap::new()))),
            _ => {}
        },
        Payload::Bytes(body) => match body_kind(spec, headers) {
            None if spec.body.is_empty() => {
                return Err(Rejection::new(RejectionKind::MalformedBody, None, "This operation takes no request body"));
            }
            None => return Err(unsupported(spec, headers)),
            Some(BodyKind::Form) => {
                for (k, v) in form_urlencoded::parse(body) {
                    if pairs.len() == wire::MAX_PARAMS {
                        return Err(too_many(&k));
                    }
                    let key = match whole {
                        Some(name) => match k.split_once('[') {
                            Some((head, rest)) => format!("{name}[{head}][{rest}"),
                            None => format!("{name}[{k}]"),
                        },
                        None if located(&top(&k), In::Body) => k.into_owned(),
                        None => return Err(unknown(&k)),
                    };
                    pairs.push((key, v.into_owned()));
                }
            }
            Some(BodyKind::Json) => {
                if let Err(limit) = wire::json_depth(body, spec.depth) {
                    return Err(Rejection::new(
                        RejectionKind::MalformedBody,
                        None,
                        format!("The JSON body is nested more than {limit} levels deep"),
                    ));
                }
                let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
                    Rejection::new(RejectionKind::MalformedBody, None, format!("Invalid JSON body: {e}"))
                })?;
                match whole {
                    Some(key) => nodes.push((key.to_owned(), Node::Json(value))),
                    None => match value {
                        serde_json::Value::Object(map) => {
                            for (k, v) in map {
                                if !located(&k, In::Body) {
                                    return Err(unknown(&k));
                                }
                                nodes.push((k, Node::Json(v)));
                            }
                        }
                        _ => return Err(Rejection::new(RejectionKind::MalformedBody, None, "The JSON body must be an object")),
                    },
                }
            }
            Some(BodyKind::Text) => {
                let text = std::str::from_utf8(body)
                    .map_err(|_| Rejection::new(RejectionKind::MalformedBody, None, "The text body is not UTF-8"))?;
                if let Some(key) = whole {
                    nodes.push((key.to_owned(), Node::Json(serde_json::Value::String(text.to_owned()))));
                }
            }
            Some(BodyKind::Multipart) => {
                return Err(Rejection::new(RejectionKind::MalformedBody, None, "A multipart body is read part by part"));
            }
            // Handed to the operation as it arrives, not read here.
            Some(BodyKind::Binary | BodyKind::JsonLines) => {}
        },
        Payload::Parts(parts) => {
            // A name given to several parts is an array; a file part is a
            // file (its name, content type and bytes).
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            for part in &parts {
                *seen.entry(part.name.clone()).or_default() += 1;
            }
            // Values that are not text, by name: files, JSON parts.
            let mut files: BTreeMap<String, Vec<Node>> = BTreeMap::new();
            let mut index: BTreeMap<String, usize> = BTreeMap::new();
            for part in parts {
                if !located(&part.name, In::Body) {
                    return Err(unknown(&part.name));
                }
                // A JSON part (an object's, by default) is a JSON value.
                if part.file_name.is_none() && part.content_type.as_deref().is_some_and(|ct| ct.contains("json")) {
                    let value: serde_json::Value = serde_json::from_slice(&part.data).map_err(|e| {
                        Rejection::new(RejectionKind::InvalidParam, Some(part.name.clone()), format!("Invalid {}: not JSON: {e}", part.name))
                    })?;
                    files.entry(part.name).or_default().push(Node::Json(value));
                    continue;
                }
                if part.file_name.is_some() {
                    let mut file = BTreeMap::new();
                    if let Some(name) = part.file_name {
                        file.insert("name".to_owned(), Node::Leaf(name));
                    }
                    if let Some(content_type) = part.content_type {
                        file.insert("content_type".to_owned(), Node::Leaf(content_type));
                    }
                    file.insert("content".to_owned(), Node::Bytes(part.data));
                    files.entry(part.name).or_default().push(Node::Map(file));
                    continue;
                }
                let text = String::from_utf8(part.data).map_err(|_| {
                    Rejection::new(RejectionKind::InvalidParam, Some(part.name.clone()), format!("Invalid {}: not UTF-8 text", part.name))
                })?;
                if pairs.len() == wire::MAX_PARAMS {
                    return Err(too_many(&part.name));
                }
                let key = if seen[&part.name] > 1 {
                    let i = index.entry(part.name.clone()).or_default();
                    *i += 1;
                    format!("{}[{}]", part.name, *i - 1)
                } else {
                    part.name
                };
                pairs.push((key, text));
            }
            for (name, mut list) in files {
                let node = if list.len() == 1 { list.remove(0) } else { Node::List(list) };
                nodes.push((name, node));
            }
        }
    }
    let mut tree =
        wire::decode_within(pairs, spec.depth).map_err(|e| Rejection::new(RejectionKind::InvalidParam, Some(e.param), e.message))?;
    if let Node::Map(map) = &mut tree {
        for (k, v) in nodes {
            map.insert(k, v);
        }
    }
    read_node(tree)
}

/// The refusal of a parameter the operation does not take.
fn unknown(key: &str) -> Rejection {
    if key.is_empty() || key.starts_with('[') {
        return Rejection::new(RejectionKind::InvalidParam, None, "A parameter has no name");
    }
    let key = wire::shorten(key);
    Rejection::new(RejectionKind::UnknownParam, Some(key.clone()), format!("Received unknown parameter: {key}"))
}

/// A tree of parameters (a form, a JSON body, parts) read as `P`, as the
/// router reads every request: no key `P` does not read, the spec's rules
/// checked, every error in the API's words.
fn read_node<P: DeserializeOwned + Serialize + Validate>(tree: Node) -> Result<P, Rejection> {
    let input = tree.clone();
    let mut ignored = Vec::new();
    let mut track = |path: serde_ignored::Path| ignored.push(ignored_param(&path));
    let parsed: Result<P, _> = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(tree, &mut track));
    let params = match parsed {
        Ok(params) => params,
        Err(e) => {
            let at = param_of(e.path());
            let message = e.inner().to_string();
            if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
                let param = if at.is_empty() { field.to_owned() } else { format!("{at}[{field}]") };
                return Err(Rejection::new(
                    RejectionKind::MissingParam,
                    Some(param.clone()),
                    format!("Missing required param: {param}."),
                ));
            }
            let param = if at.is_empty() { None } else { Some(at.clone()) };
            let shown = if at.is_empty() { "The request".to_owned() } else { format!("Invalid {at}:") };
            return Err(Rejection::new(RejectionKind::InvalidParam, param, format!("{shown} {message}")));
        }
    };
    // Keys serde skipped in a struct are reported as they are skipped; keys
    // a union variant dropped (unions buffer their input, out of sight of
    // that) are the input keys the parsed value does not write back.
    if let Some(key) = ignored.first() {
        return Err(unknown(key));
    }
    if let Some(key) = dropped_key(&input, &params) {
        return Err(unknown(&key));
    }
    if let Some(problem) = params.problems().into_iter().next() {
        return Err(Rejection::new(RejectionKind::InvalidParam, Some(problem.param), problem.message));
    }
    Ok(params)
}

/// Whether `key` is the query parameter of an API key the operation's
/// security names: a credential, not a parameter.
fn credential_in_query(spec: &OperationSpec, key: &str) -> bool {
    spec.security.iter().flat_map(|r| r.iter()).any(|need| {
        matches!(need.scheme.kind, SchemeKind::ApiKey { place: KeyPlace::Query, name } if name == key)
    })
}

/// The first key of `input` (a form, not JSON) that `params`, written back
/// as a form, does not have. Empty values are "unset" and may vanish.
fn dropped_key<P: Serialize>(input: &Node, params: &P) -> Option<String> {
    let mut pairs = Vec::new();
    wire::encode("p", params, &mut pairs).ok()?;
    let pairs = pairs.into_iter().map(|(k, v)| {
        let k = k.strip_prefix("p[").map(|rest| rest.replacen(']', "", 1)).unwrap_or(k);
        (k, v)
    });
    let output = wire::decode(pairs).ok()?;
    fn walk(input: &Node, output: &Node, at: &mut Vec<String>) -> Option<String> {
        let child = |key: &str| -> Option<&Node> {
            match output {
                Node::Map(map) => map.get(key),
                Node::List(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            }
        };
        let entries: Vec<(String, &Node)> = match input {
            Node::Map(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Node::List(items) if matches!(output, Node::List(_)) => {
                items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect()
            }
            _ => return None,
        };
        for (key, value) in entries {
            at.push(key.clone());
            match child(&key) {
                Some(written) => {
                    if let Some(found) = walk(value, written, at) {
                        return Some(found);
                    }
                }
                None if matches!(value, Node::Leaf(v) if v.is_empty())
                    || matches!(value, Node::Map(m) if m.is_empty())
                    || matches!(value, Node::Json(_) | Node::Bytes(_)) => {}
                None if matches!(output, Node::Leaf(_)) => {}
                None => {
                    // Name the first key inside what was dropped.
                    let mut inner = value;
                    while let Node::Map(map) = inner {
                        let Some((k, v)) = map.iter().next() else { break };
                        at.push(k.clone());
                        inner = v;
                    }
                    return Some(render(at));
                }
            }
            at.pop();
        }
        None
    }
    walk(input, &output, &mut Vec::new())
}

/// Handles one request: authentication (skipped for an operation that
/// takes no credentials; [`authorize`]), path parameters, params, the
/// operation itself, and the answer. `call` reads the path parameters it
/// needs and starts the operation.
pub async fn handle<P, T, E, Fut>(
    path: Result<RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    request: Request,
    spec: &OperationSpec,
    reject: impl Fn(&Rejection) -> E,
    authenticate: impl Fn(&str, &Credentials) -> bool,
    call: impl FnOnce(P, &PathParams, RequestContext, Upload) -> Result<Fut, Rejection>,
    reply: impl FnOnce(T) -> Response,
) -> Response
where
    P: DeserializeOwned + Serialize + Validate,
    E: Serialize,
    Fut: Future<Output = Result<T, Failure<E>>>,
{
    let refuse = |rejection: Rejection| respond(rejection.status, &reject(&rejection));
    let (parts, body) = request.into_parts();
    let Some(credentials) = authorize(spec.security, &parts.headers, parts.uri.query(), |c| authenticate(spec.id, c)) else {
        return unauthorized(spec.security, spec.realm, &reject);
    };
    let path = match path {
        Ok(raw) => PathParams(raw.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()),
        Err(e) => return refuse(Rejection::new(RejectionKind::InvalidParam, None, format!("Invalid path: {e}"))),
    };
    let query = parts.uri.query();
    // A required body that is not there is refused whatever its kind (an
    // empty text may be there: its type says so).
    let announced = parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).map(str::trim);
    // A request says it carries a body, an empty one too, by its
    // `Content-Type`, or by a length or framing of one.
    let bodiless = announced.is_none_or(|n| n == "0")
        && !parts.headers.contains_key(header::TRANSFER_ENCODING)
        && !parts.headers.contains_key(header::CONTENT_TYPE);
    // Named fields missing say more: a body read into the params is refused
    // for its absence only when nothing else is wrong (below).
    let missing_body = spec.body_required && bodiless;
    let missing = || Rejection::new(RejectionKind::MissingParam, None, "Missing the required request body");
    let into_params = spec.body.first().is_some_and(|(_, kind)| !kind.streamed() && *kind != BodyKind::Text);
    if missing_body && !into_params {
        return refuse(missing());
    }
    // Bytes and lines go to the operation as they arrive; parts are read
    // one by one; the rest whole, within its limit.
    let (parsed, upload) = match body_kind(spec, &parts.headers) {
        Some(kind) if kind.streamed() => {
            (parse_payload::<P>(spec, query, &parts.headers, Payload::Bytes(&[])), Upload::of(body, &parts.headers))
        }
        Some(BodyKind::Multipart) => match read_parts(body, &parts.headers).await {
            Ok(form) => (parse_payload::<P>(spec, query, &parts.headers, Payload::Parts(form)), Upload::empty()),
            Err(rejection) => return refuse(rejection),
        },
        _ => match read_body(body, &parts.headers, BODY_LIMIT).await {
            Ok(bytes) => (parse::<P>(spec, query, &parts.headers, &bytes), Upload::empty()),
            Err(rejection) => return refuse(rejection),
        },
    };
    let params = match parsed {
        Ok(_) if missing_body => return refuse(missing()),
        Ok(params) => params,
        Err(rejection) => return refuse(rejection),
    };
    let idempotency_key = parts.headers.get("Idempotency-Key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let context = RequestContext { headers: parts.headers, credentials, idempotency_key };
    let future = match call(params, &path, context, upload) {
        Ok(future) => future,
        Err(rejection) => return refuse(rejection),
    };
    match future.await {
        Ok(value) => reply(value),
        Err(failure) => respond(failure.status, &failure.body),
    }
}

/// The most parts a multipart body may have: 1,000.
pub const MAX_PARTS: usize = 1_000;

/// The largest part of a multipart body: 16 MiB.
pub const PART_LIMIT: u64 = 16 << 20;

/// The most bytes the headers of one part may take (names and values):
/// 8 KiB.
pub const PART_HEAD_LIMIT: usize = 8 << 10;

/// The largest multipart body: 64 MiB (the parts are held in memory, for
/// the params).
pub const MULTIPART_LIMIT: u64 = 64 << 20;

/// The parts of a multipart body, read as they arrive (multer): at most
/// [`MAX_PARTS`] parts, each at most [`PART_LIMIT`] bytes with headers of at
/// most [`PART_HEAD_LIMIT`], all at most [`MULTIPART_LIMIT`] (a part or a
/// body too large is a 413); a body without a boundary, or one cut short
/// or malformed, is a 400.
pub async fn read_parts(body: axum::body::Body, headers: &HeaderMap) -> Result<Vec<FormPart>, Rejection> {
    let malformed = |message: String| Rejection::new(RejectionKind::MalformedBody, None, message);
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let boundary = multer::parse_boundary(content_type).map_err(|_| malformed("The multipart body has no boundary".into()))?;
    let announced = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > MULTIPART_LIMIT) {
        return Err(too_large("The request body", MULTIPART_LIMIT));
    }
    let mut stream = body.into_data_stream();
    let parts = parts_of(&mut stream, boundary).await;
    // What multer leaves unread (bytes after the closing boundary, or the
    // rest of a body refused part way) is read and dropped, within the
    // limit and a time: a body shorter than its declared length is refused
    // as such, and a client still sending when refused gets the answer (a
    // connection closed on unread bytes is reset, the answer with it).
    let rest = match tokio::time::timeout(DRAIN_TIME, drain(&mut stream, MULTIPART_LIMIT)).await {
        Ok(Err(rejection)) if parts.is_ok() => Err(rejection),
        _ => Ok(()),
    };
    let parts = parts?;
    rest.map(|()| parts)
}

/// How long a refused or finished multipart body is read on for: 5 s.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(5);

fn too_large(what: &str, limit: u64) -> Rejection {
    Rejection::new(RejectionKind::PayloadTooLarge, None, format!("{what} is larger than {limit} bytes"))
}

/// Reads `stream` to its end, dropping at most `limit` bytes.
async fn drain(stream: &mut axum::body::BodyDataStream, limit: u64) -> Result<(), Rejection> {
    use futures_util::StreamExt;
    let mut seen = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            Rejection::new(RejectionKind::MalformedBody, None, "The request body ends before its declared length")
        })?;
        seen += chunk.len() as u64;
        if seen > limit {
            return Err(too_large("The request body", limit));
        }
    }
    Ok(())
}

async fn parts_of(stream: &mut axum::body::BodyDataStream, boundary: String) -> Result<Vec<FormPart>, Rejection> {
    let malformed = |message: String| Rejection::new(RejectionKind::MalformedBody, None, message);
    let limits = multer::SizeLimit::new().whole_stream(MULTIPART_LIMIT).per_field(PART_LIMIT);
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, multer::Constraints::new().size_limit(limits));
    let failed = |e: multer::Error| match e {
        multer::Error::StreamSizeExceeded { .. } => too_large("The request body", MULTIPART_LIMIT),
        multer::Error::FieldSizeExceeded { field_name, .. } => {
            too_large(&format!("The part `{}`", wire::shorten(field_name.as_deref().unwrap_or(""))), PART_LIMIT)
        }
        // multer's own messages quote what the client sent unmarked: each
        // is said again in the API's words.
        multer::Error::IncompleteFieldData { field_name } => {
            let name = wire::shorten(field_name.as_deref().unwrap_or_default());
            Rejection::new(RejectionKind::MalformedBody, Some(name.clone()), format!("The multipart body ends inside the part `{name}`"))
        }
        multer::Error::IncompleteHeaders => malformed("The multipart body ends inside the headers of a part".into()),
        multer::Error::IncompleteStream => malformed("The multipart body ends before its closing boundary".into()),
        multer::Error::ReadHeaderFailed(_) | multer::Error::DecodeHeaderName { .. } | multer::Error::DecodeHeaderValue { .. } => {
            malformed("The headers of a part of the multipart body cannot be read".into())
        }
        multer::Error::StreamReadFailed(_) => malformed("The request body could not be read".into()),
        _ => malformed("The multipart body cannot be read".into()),
    };
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(failed)? {
        if parts.len() == MAX_PARTS {
            return Err(Rejection::new(
                RejectionKind::InvalidParam,
                None,
                format!("A multipart body may hold at most {MAX_PARTS} parts"),
            ));
        }
        let head: usize = field.headers().iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
        if head > PART_HEAD_LIMIT {
            return Err(Rejection::new(
                RejectionKind::MalformedBody,
                None,
                format!("The headers of a part of the multipart body are longer than {PART_HEAD_LIMIT} bytes"),
            ));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(ToString::to_string);
        let data = field.bytes().await.map_err(failed)?.to_vec();
        parts.push(FormPart { name, file_name, content_type, data });
    }
    Ok(parts)
}

/// A request body of bytes as it arrives, with the content type and
/// length the client announced: what an operation that takes bytes or
/// JSON lines is handed. Nothing is buffered unless asked for.
#[derive(Debug)]
pub struct Upload {
    content_type: Option<String>,
    length: Option<u64>,
    body: axum::body::Body,
}

impl Upload {
    fn of(body: axum::body::Body, headers: &HeaderMap) -> Upload {
        let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
        Upload {
            content_type: header(header::CONTENT_TYPE).map(str::to_owned),
            length: header(header::CONTENT_LENGTH).and_then(|v| v.trim().parse().ok()),
            body,
        }
    }

    /// No body.
    pub fn empty() -> Upload {
        Upload { content_type: None, length: None, body: axum::body::Body::empty() }
    }

    /// Bytes, for tests.
    pub fn bytes(content_type: &str, bytes: impl Into<Vec<u8>>) -> Upload {
        let bytes = bytes.into();
        Upload { content_type: Some(content_type.to_owned()), length: Some(bytes.len() as u64), body: axum::body::Body::from(bytes) }
    }

    /// The `Content-Type` the client sent.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The length the client announced (`Content-Length`), if any.
    pub fn length(&self) -> Option<u64> {
        self.length
    }

    /// The next chunk; `None` at the end. A body the connection cuts short
    /// of its announced length is an error.
    pub async fn chunk(&mut self) -> Result<Option<axum::body::Bytes>, Rejection> {
        use axum::body::HttpBody;
        while let Some(frame) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut self.body).poll_frame(cx)).await {
            let frame = frame.map_err(|_| Rejection::new(RejectionKind::MalformedRequest, None, "The request body could not be read"))?;
            if let Ok(data) = frame.into_data() {
                return Ok(Some(data));
            }
        }
        Ok(None)
    }

    /// The whole body, at most `limit` bytes (more is a 413).
    pub async fn read(self, limit: usize) -> Result<Vec<u8>, Rejection> {
        let mut headers = HeaderMap::new();
        if let Some(length) = self.length.and_then(|n| HeaderValue::from_str(&n.to_string()).ok()) {
            headers.insert(header::CONTENT_LENGTH, length);
        }
        read_body(self.body, &headers, limit).await
    }

    /// The body as a stream of chunks.
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Result<axum::body::Bytes, Rejection>> + Send {
        futures_util::stream::try_unfold(self, |mut upload| async move { Ok(upload.chunk().await?.map(|chunk| (chunk, upload))) })
    }
}

/// A request body of JSON lines as it arrives, each line read as a `T`: a
/// line `T` cannot read is an error item and the stream goes on; a line
/// past the limit ends it with an error.
pub struct Lines<T> {
    inner: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<T, wire::StreamError>> + Send>>,
}

/// One line of JSON lines, read as a body is: its type, with no key it
/// does not read, then the spec's rules (bounds, patterns, enums).
fn read_line<T: DeserializeOwned + Serialize + Validate>(text: &[u8]) -> Result<T, String> {
    let value: serde_json::Value = serde_json::from_slice(text).map_err(|e| format!("Invalid JSON: {}", wire::shorten(&e.to_string())))?;
    read_node(Node::Json(value)).map_err(|rejection| rejection.message)
}

impl<T: DeserializeOwned + Serialize + Validate + Send + 'static> Lines<T> {
    /// The lines of `upload`.
    pub fn new(upload: Upload) -> Self {
        use std::collections::VecDeque;
        let state = (upload, wire::LineSplitter::default(), VecDeque::<Vec<u8>>::new(), 0usize, false);
        let inner = futures_util::stream::unfold(state, |(mut upload, mut splitter, mut queue, mut line, mut done)| async move {
            loop {
                if let Some(text) = queue.pop_front() {
                    line += 1;
                    // A line is read as a body is: its type, then the
                    // spec's rules (bounds, patterns, enums).
                    let item = read_line::<T>(&text).map_err(|message| wire::StreamError::BadLine { line, message });
                    return Some((item, (upload, splitter, queue, line, done)));
                }
                if done {
                    return None;
                }
                match upload.chunk().await {
                    Ok(Some(bytes)) => {
                        let mut lines = Vec::new();
                        let pushed = splitter.push(&bytes, &mut lines);
                        queue.extend(lines);
                        if let Err(e) = pushed {
                            queue.clear();
                            return Some((Err(e), (upload, splitter, queue, line, true)));
                        }
                    }
                    Ok(None) => {
                        done = true;
                        queue.extend(splitter.finish());
                    }
                    Err(rejection) => {
                        let e = wire::StreamError::BadLine { line: line + 1, message: rejection.message };
                        return Some((Err(e), (upload, splitter, queue, line, true)));
                    }
                }
            }
        });
        Lines { inner: Box::pin(inner) }
    }
}

impl<T> futures_util::Stream for Lines<T> {
    type Item = Result<T, wire::StreamError>;

    fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> std::fmt::Debug for Lines<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lines")
    }
}

type Chunks = std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send>>;

/// An answer of bytes: in memory or a stream, sent as it comes, with a
/// content type (unset: the spec's) and a length when known.
pub struct Download {
    content_type: Option<String>,
    length: Option<u64>,
    chunks: Chunks,
}

impl Download {
    /// These bytes.
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        let bytes = bytes.into();
        let length = Some(bytes.len() as u64);
        Download { content_type: None, length, chunks: Box::pin(futures_util::stream::once(async move { Ok(bytes) })) }
    }

    /// What `stream` gives, sent as it comes; `length`, when known, is
    /// announced (the stream must give exactly that many bytes).
    pub fn stream<B: Into<Vec<u8>>>(
        stream: impl futures_util::Stream<Item = Result<B, std::io::Error>> + Send + 'static,
        length: Option<u64>,
    ) -> Self {
        use futures_util::StreamExt;
        Download { content_type: None, length, chunks: Box::pin(stream.map(|chunk| chunk.map(Into::into))) }
    }

    /// Sent as this media type (one the spec declares for the answer).
    pub fn content_type(mut self, media: impl Into<String>) -> Self {
        self.content_type = Some(media.into());
        self
    }
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download").field("content_type", &self.content_type).field("length", &self.length).finish()
    }
}

/// How often an idle event stream sends a comment, so that proxies keep
/// the connection: 15 s.
pub const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(15);

/// An answer of server-sent events: each event as the stream gives it,
/// with a keep-alive comment whenever it is idle for [`KEEP_ALIVE`].
pub struct Events<T> {
    stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = wire::Event<T>> + Send>>,
    keep_alive: std::time::Duration,
}

impl<T: Send + 'static> Events<T> {
    /// The events `stream` gives.
    pub fn new(stream: impl futures_util::Stream<Item = wire::Event<T>> + Send + 'static) -> Self {
        Events { stream: Box::pin(stream), keep_alive: KEEP_ALIVE }
    }

    /// With another keep-alive period.
    pub fn keep_alive(mut self, every: std::time::Duration) -> Self {
        self.keep_alive = every;
        self
    }
}

impl<T: Send + 'static> From<Vec<wire::Event<T>>> for Events<T> {
    fn from(events: Vec<wire::Event<T>>) -> Self {
        Events::new(futures_util::stream::iter(events))
    }
}

impl<T> std::fmt::Debug for Events<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events").field("keep_alive", &self.keep_alive).finish()
    }
}

/// An answer of JSON lines: each item as the stream gives it.
pub struct LineStream<T> {
    stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = T> + Send>>,
}

impl<T: Send + 'static> LineStream<T> {
    /// The items `stream` gives.
    pub fn new(stream: impl futures_util::Stream<Item = T> + Send + 'static) -> Self {
        LineStream { stream: Box::pin(stream) }
    }
}

impl<T: Send + 'static> From<Vec<T>> for LineStream<T> {
    fn from(items: Vec<T>) -> Self {
        LineStream::new(futures_util::stream::iter(items))
    }
}

impl<T> std::fmt::Debug for LineStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LineStream")
    }
}

/// The answer of a success with a JSON body.
pub fn json<T: Serialize>(status: u16, body: &T) -> Response {
    respond(status, body)
}

/// The answer of a success without a body.
pub fn empty(status: u16) -> Response {
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK).into_response()
}

fn streamed(status: u16, media: &str, length: Option<u64>, body: axum::body::Body) -> Response {
    let mut response = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
    if let Ok(value) = HeaderValue::from_str(media) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    if let Some(length) = length.and_then(|n| HeaderValue::from_str(&n.to_string()).ok()) {
        response.headers_mut().insert(header::CONTENT_LENGTH, length);
    }
    response
}

/// The answer of a success with a text body of `media`.
pub fn text(status: u16, media: &str, text: String) -> Response {
    let length = Some(text.len() as u64);
    streamed(status, media, length, axum::body::Body::from(text))
}

/// The answer of a success of bytes, sent as they come (`media` unless the
/// download says its own).
pub fn download(status: u16, media: &str, download: Download) -> Response {
    let media = download.content_type.as_deref().filter(|m| !m.is_empty()).unwrap_or(media).to_owned();
    streamed(status, &media, download.length, axum::body::Body::from_stream(download.chunks))
}

/// The answer of a success of server-sent events, each event's data
/// written by `data` (JSON, or the text itself), with keep-alive comments.
fn event_stream<T: Send + 'static>(status: u16, events: Events<T>, data: fn(&T) -> String) -> Response {
    use futures_util::StreamExt;
    let every = events.keep_alive;
    let chunks = futures_util::stream::unfold(Some(events.stream), move |stream| async move {
        let mut stream = stream?;
        match tokio::time::timeout(every, stream.next()).await {
            Ok(Some(event)) => {
                let text = wire::write_event(&event.map(|d| data(&d)));
                Some((Ok::<_, std::io::Error>(text.into_bytes()), Some(stream)))
            }
            Ok(None) => None,
            Err(_) => Some((Ok(b": keep-alive\n\n".to_vec()), Some(stream))),
        }
    });
    let mut response = streamed(status, "text/event-stream", None, axum::body::Body::from_stream(chunks));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The answer of a success of server-sent events whose data is a value
/// of the spec's schema, written as JSON.
pub fn events<T: Serialize + Send + 'static>(status: u16, events: Events<T>) -> Response {
    event_stream(status, events, |data| serde_json::to_string(data).unwrap_or_default())
}

/// The answer of a success of server-sent events whose data is text.
pub fn text_events(status: u16, events: Events<String>) -> Response {
    event_stream(status, events, String::clone)
}

/// The answer of a success of JSON lines of `media`, each item written as
/// the stream gives it.
pub fn lines<T: Serialize + Send + 'static>(status: u16, media: &str, lines: LineStream<T>) -> Response {
    use futures_util::StreamExt;
    let chunks = lines.stream.map(|item| {
        let mut line = serde_json::to_vec(&item).map_err(std::io::Error::other)?;
        line.push(b'\n');
        Ok::<_, std::io::Error>(line)
    });
    streamed(status, media, None, axum::body::Body::from_stream(chunks))
}

/// The body of a request, at most `limit` bytes: larger (as announced by
/// `Content-Length`, or as found while reading) is a 413; a body that
/// cannot be read (a broken chunked encoding, say) is a 400.
pub async fn read_body(mut body: axum::body::Body, headers: &HeaderMap, limit: usize) -> Result<Vec<u8>, Rejection> {
    use axum::body::HttpBody;
    let too_large = || {
        Rejection::new(RejectionKind::PayloadTooLarge, None, format!("The request body is larger than {limit} bytes"))
    };
    let announced = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|_| {
            Rejection::new(RejectionKind::MalformedRequest, None, "The request body could not be read")
        })?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

/// `<method> <path>` of a request, as a message shows what a client sent.
pub fn request_line(request: &Request) -> String {
    wire::shorten(&format!("{} {}", request.method(), request.uri().path()))
}

/// The answer to a request no route matches.
pub fn refuse<E: Serialize>(kind: RejectionKind, message: impl Into<String>, reject: impl Fn(&Rejection) -> E) -> Response {
    let rejection = Rejection::new(kind, None, message);
    respond(rejection.status, &reject(&rejection))
}

// Serving. The router answers every request that reaches it, but hyper
// answers a request whose head it cannot parse (a request line over 64 KiB,
// too many or too large headers, a malformed method, target or header)
// itself, with an empty body. To answer those with the API's error object
// too, each connection's bytes pass a guard that reads every request head
// first, with hyper's own parser (httparse) and stricter limits, and hands
// hyper only heads it will accept; in place of a head it refuses, hyper
// gets a stand-in request that closes the connection, and the stand-in is
// answered with the refusal. The guard follows each body's framing
// (Content-Length or chunked) so that it knows where the next head starts.

/// The longest request line (method, target and version) accepted: longer
/// is refused with 414.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;

/// The largest request head (request line and header fields): larger is
/// refused with 431.
pub const MAX_HEAD: usize = 16 * 1024;

/// The most header fields a request may have: more is refused with 431.
/// It is hyper's own default, so hyper never refuses a head the guard lets
/// through.
pub const MAX_HEADERS: usize = 100;

/// How long a client may take to send a request head before the connection
/// is closed.
pub const HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Turns a refusal into the response that carries the API's error object.
pub type Refuse = std::sync::Arc<dyn Fn(&Rejection) -> Response + Send + Sync>;

/// Serves `app` on `listener`, one task per connection, until the listener
/// fails. Requests refused before they reach `app` (see [`serve_connection`])
/// are answered with `reject`'s error object.
pub async fn serve<E: Serialize>(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    reject: impl Fn(&Rejection) -> E + Send + Sync + 'static,
) -> std::io::Result<()> {
    let refuse: Refuse = std::sync::Arc::new(move |rejection: &Rejection| respond(rejection.status, &reject(rejection)));
    loop {
        let stream = accept(&listener).await?;
        tokio::spawn(serve_connection(stream, app.clone(), std::sync::Arc::clone(&refuse)));
    }
}

/// The next connection of `listener`, with `TCP_NODELAY` set. A passing
/// failure (out of file descriptors and the like) is waited out; an error
/// only when the listener itself cannot go on. For servers that wrap the
/// stream (TLS) before [`serve_connection`].
pub async fn accept(listener: &tokio::net::TcpListener) -> std::io::Result<tokio::net::TcpStream> {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) if !matches!(e.kind(), std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Serves one HTTP/1.1 connection (any byte stream) until it closes. Every
/// request head is checked before hyper parses it: a request line over
/// [`MAX_REQUEST_LINE`] is answered 414, a head over [`MAX_HEAD`] or with
/// more than [`MAX_HEADERS`] fields 431, a head hyper would refuse 400, each
/// with `refuse`'s error object, and the connection is closed after the
/// answer. A client that takes longer than [`HEAD_TIMEOUT`] to send a head
/// is disconnected; one that ends its sending half gets its answers.
pub async fn serve_connection<I>(io: I, app: axum::Router, refuse: Refuse)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let refused = std::sync::Arc::new(std::sync::Mutex::new(None::<Rejection>));
    let guard = HeadGuard::new(io, std::sync::Arc::clone(&refused));
    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
        // The guard leaves its refusal here just before it hands hyper the
        // stand-in request, so the stand-in is the request that finds it.
        let rejection = refused.lock().ok().and_then(|mut slot| slot.take());
        let mut app = app.clone();
        let refuse = std::sync::Arc::clone(&refuse);
        async move {
            let response = match rejection {
                Some(rejection) => refuse(&rejection),
                None => match tower_service::Service::call(&mut app, request.map(axum::body::Body::new)).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                },
            };
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // A client that ends its sending half after its request still gets
    // the answer (hyper would drop it when the request takes a while).
    builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(HEAD_TIMEOUT).max_headers(MAX_HEADERS).half_close(true);
    let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(guard), service);
    let _ = connection.await;
}

/// What the guard expects next on a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    /// A request head.
    Head,
    /// This many more bytes of a body.
    Fixed(u64),
    /// A chunked body, at this point of its syntax.
    Chunked(Chunk),
    /// Bytes the guard cannot frame (a chunked body it cannot follow):
    /// hyper reads the rest of the connection as it is.
    Through,
    /// A head was refused: nothing more is read.
    Refused,
}

/// Where a chunked body is (RFC 9112, section 7.1), step for step as
/// hyper's decoder reads it, so that both find the same end: where hyper
/// would refuse the body, it closes the connection after its answer, and
/// the guard lets the rest through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk {
    /// The first hex digit of a chunk size.
    SizeStart,
    /// More hex digits, so far this size.
    Size(u64),
    /// Spaces or tabs after the size.
    SizeSpace(u64),
    /// An extension after the size, up to the carriage return.
    Extension(u64),
    /// The line feed after a size line.
    SizeLf(u64),
    /// This many bytes of chunk data.
    Data(u64),
    /// The carriage return after chunk data.
    DataCr,
    /// The line feed after chunk data.
    DataLf,
    /// After the last chunk or a trailer line: the final carriage return,
    /// or a trailer.
    EndCr,
    /// Inside a trailer line (a line feed alone does not end it).
    Trailer,
    /// The line feed of a trailer line.
    TrailerLf,
    /// The final line feed.
    EndLf,
}

/// The stand-in request hyper reads in place of a refused head.
const STAND_IN: &[u8] = b"GET / HTTP/1.1\r\nhost: refused\r\nconnection: close\r\n\r\n";

/// The byte stream of a connection, with every request head checked before
/// hyper sees it.
struct HeadGuard<I> {
    io: I,
    refused: std::sync::Arc<std::sync::Mutex<Option<Rejection>>>,
    framing: Framing,
    /// Read from the client, not yet looked at (from `raw_at`).
    raw: Vec<u8>,
    raw_at: usize,
    /// Looked at, for hyper (from `ready_at`).
    ready: Vec<u8>,
    ready_at: usize,
    /// The request head read so far.
    head: Vec<u8>,
}

impl<I> HeadGuard<I> {
    fn new(io: I, refused: std::sync::Arc<std::sync::Mutex<Option<Rejection>>>) -> Self {
        HeadGuard {
            io,
            refused,
            framing: Framing::Head,
            raw: Vec::new(),
            raw_at: 0,
            ready: Vec::new(),
            ready_at: 0,
            head: Vec::new(),
        }
    }

    /// Moves what can be moved from `raw` to `ready`.
    fn advance(&mut self) {
        while self.raw_at < self.raw.len() && self.ready_at == self.ready.len() {
            let available = &self.raw[self.raw_at..];
            match self.framing {
                Framing::Head => {
                    let fresh_line = available.contains(&b'\n');
                    self.head.extend_from_slice(available);
                    self.raw_at = self.raw.len();
                    self.ready.clear();
                    self.ready_at = 0;
                    match check_head(&self.head, fresh_line) {
                        HeadCheck::Partial => {}
                        HeadCheck::Complete(length, framing) => {
                            let rest = self.head.split_off(length);
                            self.ready = std::mem::take(&mut self.head);
                            self.raw = rest;
                            self.raw_at = 0;
                            self.framing = framing;
                        }
                        HeadCheck::Refused(rejection) => self.refuse(rejection),
                    }
                }
                Framing::Fixed(left) => {
                    let take = available.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    self.pass(take);
                    let left = left - take as u64;
                    self.framing = if left == 0 { Framing::Head } else { Framing::Fixed(left) };
                }
                Framing::Chunked(chunk) => {
                    let (taken, next) = follow_chunks(chunk, available);
                    self.pass(taken);
                    self.framing = next;
                }
                Framing::Through => self.pass(available.len()),
                Framing::Refused => {
                    self.raw_at = self.raw.len();
                }
            }
        }
    }

    /// Reads body bytes straight into hyper's buffer, with no copy: a
    /// large body goes through at the speed of the socket. What follows
    /// the end of a chunked body (the next request's head) is kept back
    /// for [`HeadGuard::advance`]. `false`: nothing of the body came, only
    /// what follows it (read it from there).
    fn read_body(&mut self, cx: &mut std::task::Context<'_>, out: &mut tokio::io::ReadBuf<'_>) -> std::task::Poll<std::io::Result<bool>>
    where
        I: tokio::io::AsyncRead + Unpin,
    {
        use std::task::Poll;
        let limit = match self.framing {
            Framing::Fixed(left) => out.remaining().min(usize::try_from(left).unwrap_or(usize::MAX)),
            _ => out.remaining(),
        };
        let before = out.filled().len();
        let mut buf = tokio::io::ReadBuf::new(&mut out.initialize_unfilled_to(limit)[..limit]);
        match std::pin::Pin::new(&mut self.io).poll_read(cx, &mut buf) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Ready(Ok(())) => {}
        }
        let read = buf.filled().len();
        out.advance(read);
        match self.framing {
            Framing::Fixed(left) => {
                let left = left - read as u64;
                self.framing = if left == 0 { Framing::Head } else { Framing::Fixed(left) };
            }
            Framing::Chunked(chunk) => {
                let (taken, next) = follow_chunks(chunk, &out.filled()[before..]);
                self.raw = out.filled()[before + taken..].to_vec();
                self.raw_at = 0;
                out.set_filled(before + taken);
                self.framing = next;
                if taken == 0 && read > 0 {
                    return Poll::Ready(Ok(false));
                }
            }
            _ => {}
        }
        Poll::Ready(Ok(true))
    }

    /// Hands the next `n` raw bytes to hyper as they are.
    fn pass(&mut self, n: usize) {
        self.ready.clear();
        self.ready_at = 0;
        self.ready.extend_from_slice(&self.raw[self.raw_at..self.raw_at + n]);
        self.raw_at += n;
    }

    fn refuse(&mut self, rejection: Rejection) {
        if let Ok(mut slot) = self.refused.lock() {
            *slot = Some(rejection);
        }
        self.head.clear();
        self.ready = STAND_IN.to_vec();
        self.ready_at = 0;
        self.framing = Framing::Refused;
    }
}

/// Follows a chunked body through `bytes`: how many of them belong to it,
/// and the framing after them.
fn follow_chunks(mut chunk: Chunk, bytes: &[u8]) -> (usize, Framing) {
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let hex = (byte as char).to_digit(16).map(u64::from);
        let grow = |size: u64, digit: u64| size.checked_mul(16).and_then(|s| s.checked_add(digit));
        chunk = match (chunk, hex, byte) {
            // Data is taken in one step (`left` is at least 1, and so is
            // what is available): all but its last byte here, that one below.
            (Chunk::Data(left), _, _) => {
                let take = (bytes.len() - at).min(usize::try_from(left).unwrap_or(usize::MAX));
                at += take - 1;
                let left = left - take as u64;
                if left == 0 { Chunk::DataCr } else { Chunk::Data(left) }
            }
            (Chunk::SizeStart, Some(d), _) => Chunk::Size(d),
            (Chunk::Size(size), Some(d), _) => match grow(size, d) {
                Some(size) => Chunk::Size(size),
                None => return (at, Framing::Through),
            },
            (Chunk::Size(size) | Chunk::SizeSpace(size), None, b' ' | b'\t') => Chunk::SizeSpace(size),
            (Chunk::Size(size) | Chunk::SizeSpace(size), None, b';') => Chunk::Extension(size),
            (Chunk::Size(size) | Chunk::SizeSpace(size) | Chunk::Extension(size), _, b'\r') => Chunk::SizeLf(size),
            (Chunk::Extension(_), _, b'\n') => return (at, Framing::Through),
            (Chunk::Extension(size), _, _) => Chunk::Extension(size),
            (Chunk::SizeLf(0), _, b'\n') => Chunk::EndCr,
            (Chunk::SizeLf(size), _, b'\n') => Chunk::Data(size),
            (Chunk::DataCr, _, b'\r') => Chunk::DataLf,
            (Chunk::DataLf, _, b'\n') => Chunk::SizeStart,
            (Chunk::EndCr, _, b'\r') => Chunk::EndLf,
            (Chunk::Trailer, _, b'\r') => Chunk::TrailerLf,
            (Chunk::EndCr | Chunk::Trailer, _, _) => Chunk::Trailer,
            (Chunk::TrailerLf, _, b'\n') => Chunk::EndCr,
            (Chunk::EndLf, _, b'\n') => return (at + 1, Framing::Head),
            _ => return (at, Framing::Through),
        };
        at += 1;
    }
    (at, Framing::Chunked(chunk))
}

/// What a request head read so far amounts to.
enum HeadCheck {
    /// Not complete yet, and within the limits.
    Partial,
    /// A head of this many bytes that hyper will accept, and its body's framing.
    Complete(usize, Framing),
    /// A head to refuse.
    Refused(Rejection),
}

/// Checks a request head as hyper will parse it (httparse, then the target
/// as a URI, the header names, `Content-Length` and `Transfer-Encoding`),
/// within the guard's limits. `fresh_line` says whether a line ended since
/// the last check (only then can the head have become complete).
fn check_head(head: &[u8], fresh_line: bool) -> HeadCheck {
    let refused = |kind: RejectionKind, message: String| HeadCheck::Refused(Rejection::new(kind, None, message));
    let too_long_line = || {
        refused(RejectionKind::UriTooLong, format!("The request line is longer than {MAX_REQUEST_LINE} bytes"))
    };
    let too_large = || refused(RejectionKind::HeadersTooLarge, format!("The request head is larger than {MAX_HEAD} bytes"));
    // httparse skips empty lines before a request line, and so does this.
    let start = head.iter().position(|b| !matches!(b, b'\r' | b'\n')).unwrap_or(head.len());
    let line_end = head[start..].iter().position(|&b| b == b'\n');
    if line_end.map_or(head.len() - start, |end| end) > MAX_REQUEST_LINE {
        return too_long_line();
    }
    if !fresh_line {
        return if head.len() > MAX_HEAD { too_large() } else { HeadCheck::Partial };
    }
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut fields);
    let length = match request.parse(head) {
        Ok(httparse::Status::Partial) if head.len() > MAX_HEAD => return too_large(),
        Ok(httparse::Status::Partial) => return HeadCheck::Partial,
        Ok(httparse::Status::Complete(length)) => length,
        Err(httparse::Error::TooManyHeaders) => {
            return refused(RejectionKind::HeadersTooLarge, format!("A request may have at most {MAX_HEADERS} header fields"));
        }
        Err(httparse::Error::Version) => {
            return refused(RejectionKind::MalformedRequest, "This server speaks HTTP/1.0 and HTTP/1.1 only".into());
        }
        Err(e) => return refused(RejectionKind::MalformedRequest, format!("The request head is malformed ({e})")),
    };
    if length > MAX_HEAD {
        return too_large();
    }
    let target = request.path.unwrap_or_default();
    if target.parse::<axum::http::Uri>().is_err() {
        return refused(RejectionKind::MalformedRequest, "The request target is not a valid URI".into());
    }
    let http11 = request.version == Some(1);
    let (mut length_field, mut chunked, mut transfer_encoding) = (None::<u64>, false, false);
    for field in request.headers.iter() {
        if axum::http::HeaderName::from_bytes(field.name.as_bytes()).is_err() {
            return refused(RejectionKind::MalformedRequest, "A header field name is malformed".into());
        }
        if field.name.eq_ignore_ascii_case("transfer-encoding") {
            if !http11 {
                return refused(RejectionKind::MalformedRequest, "HTTP/1.0 requests cannot use Transfer-Encoding".into());
            }
            transfer_encoding = true;
            let last = field.value.rsplit(|&b| b == b',').next().unwrap_or_default();
            chunked = last.trim_ascii().eq_ignore_ascii_case(b"chunked");
        } else if field.name.eq_ignore_ascii_case("content-length") && !transfer_encoding {
            let digits = !field.value.is_empty() && field.value.iter().all(u8::is_ascii_digit);
            let value = std::str::from_utf8(field.value).ok().filter(|_| digits).and_then(|v| v.parse::<u64>().ok());
            match value {
                Some(n) if length_field.is_none_or(|previous| previous == n) => length_field = Some(n),
                _ => return refused(RejectionKind::MalformedRequest, "Content-Length is not one valid length".into()),
            }
        }
    }
    if transfer_encoding && !chunked {
        return refused(RejectionKind::MalformedRequest, "Transfer-Encoding must end with chunked".into());
    }
    let framing = match (chunked, length_field) {
        (true, _) => Framing::Chunked(Chunk::SizeStart),
        (false, Some(n)) if n > u64::MAX - 2 => {
            return refused(RejectionKind::PayloadTooLarge, format!("The request body is larger than {BODY_LIMIT} bytes"));
        }
        (false, Some(0) | None) => Framing::Head,
        (false, Some(n)) => Framing::Fixed(n),
    };
    HeadCheck::Complete(length, framing)
}

impl<I: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for HeadGuard<I> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        out: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        let this = &mut *self;
        loop {
            if this.ready_at < this.ready.len() {
                let n = out.remaining().min(this.ready.len() - this.ready_at);
                out.put_slice(&this.ready[this.ready_at..this.ready_at + n]);
                this.ready_at += n;
                return Poll::Ready(Ok(()));
            }
            if this.framing == Framing::Refused {
                // hyper answers the stand-in and closes the connection.
                return Poll::Pending;
            }
            if this.raw_at == this.raw.len() && matches!(this.framing, Framing::Fixed(_) | Framing::Chunked(_) | Framing::Through) {
                match this.read_body(cx, out) {
                    Poll::Ready(Ok(false)) => continue,
                    polled => return polled.map_ok(|_| ()),
                }
            }
            if this.raw_at == this.raw.len() {
                this.raw.resize(16 * 1024, 0);
                let mut buf = tokio::io::ReadBuf::new(&mut this.raw);
                let polled = std::pin::Pin::new(&mut this.io).poll_read(cx, &mut buf);
                let read = buf.filled().len();
                this.raw.truncate(read);
                this.raw_at = 0;
                match polled {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Ready(Ok(())) if read == 0 => return Poll::Ready(Ok(())),
                    Poll::Ready(Ok(())) => {}
                }
            }
            this.advance();
        }
    }
}

impl<I: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for HeadGuard<I> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bytes: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.io).poll_write(cx, bytes)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
