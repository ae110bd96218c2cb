//! The HTTP machinery under the generated server: from a request to typed
//! params (or a rejection with the parameter at fault), and from a typed
//! result to a JSON response. Nothing here knows any particular API.

use std::future::Future;

use axum::extract::{RawPathParams, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::runtime::{Bounds, Bounded, ParamPath, Validate};
use super::wire::{self, Node};

/// Request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 1 << 20;

/// Why the router refused a request before it reached the implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectionKind {
    /// The authentication hook said no (401).
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
            RejectionKind::MissingParam
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
    /// The Bearer token, if one was sent.
    pub bearer: Option<String>,
    /// The `Idempotency-Key` header, if one was sent.
    pub idempotency_key: Option<String>,
}

/// Where a params field travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum In {
    /// The query string.
    Query,
    /// A header.
    Header,
    /// A field of the body.
    Body,
    /// The whole body.
    WholeBody,
}

/// What the router must know of an operation to parse its requests.
#[derive(Clone, Copy, Debug)]
pub struct OperationSpec {
    /// Each params field: its wire name and where it travels.
    pub params: &'static [(&'static str, In)],
    /// The body media type, if the operation takes a body.
    pub body: Option<BodyKind>,
    /// The status of a successful answer.
    pub success: u16,
    /// Whether a successful answer has a body.
    pub success_body: bool,
}

/// The media type of a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `application/json`.
    Json,
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
        T::deserialize(Node::Leaf(value.clone())).map_err(|e| {
            Rejection::new(RejectionKind::InvalidParam, Some(name.to_owned()), format!("Invalid {name}: `{value}`: {e}"))
        })
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

/// The Bearer token of `Authorization: Bearer <token>`.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
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
    let located = |name: &str, place: In| spec.params.iter().any(|(n, p)| *n == name && *p == place);
    let top = |key: &str| key.split('[').next().unwrap_or(key).to_owned();
    let unknown = |key: &str| Rejection::new(RejectionKind::UnknownParam, Some(key.to_owned()), format!("Received unknown parameter: {key}"));
    let mut pairs: Vec<(String, String)> = Vec::new();
    if let Some(query) = query {
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            if !located(&top(&k), In::Query) {
                return Err(unknown(&k));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
    }
    for (name, place) in spec.params {
        if *place == In::Header
            && let Some(value) = headers.get(*name)
        {
            let value = value.to_str().map_err(|_| {
                Rejection::new(RejectionKind::InvalidParam, Some((*name).to_owned()), format!("Invalid {name}: not text"))
            })?;
            pairs.push(((*name).to_owned(), value.to_owned()));
        }
    }
    let mut json_fields: Vec<(String, serde_json::Value)> = Vec::new();
    if !body.is_empty() {
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match spec.body {
            None => {
                return Err(Rejection::new(RejectionKind::MalformedBody, None, "This operation takes no request body"));
            }
            Some(BodyKind::Form) if media != "application/x-www-form-urlencoded" => {
                return Err(Rejection::new(
                    RejectionKind::UnsupportedMediaType,
                    None,
                    format!("Content-Type must be application/x-www-form-urlencoded, not `{content_type}`"),
                ));
            }
            Some(BodyKind::Json) if media != "application/json" && !media.ends_with("+json") => {
                return Err(Rejection::new(
                    RejectionKind::UnsupportedMediaType,
                    None,
                    format!("Content-Type must be application/json, not `{content_type}`"),
                ));
            }
            Some(BodyKind::Form) => {
                let whole = spec.params.iter().find(|(_, p)| *p == In::WholeBody).map(|(n, _)| *n);
                for (k, v) in form_urlencoded::parse(body) {
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
                let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
                    Rejection::new(RejectionKind::MalformedBody, None, format!("Invalid JSON body: {e}"))
                })?;
                match spec.params.iter().find(|(_, p)| *p == In::WholeBody) {
                    Some((name, _)) => json_fields.push(((*name).to_owned(), value)),
                    None => match value {
                        serde_json::Value::Object(map) => {
                            for (k, v) in map {
                                if !located(&k, In::Body) {
                                    return Err(unknown(&k));
                                }
                                json_fields.push((k, v));
                            }
                        }
                        _ => return Err(Rejection::new(RejectionKind::MalformedBody, None, "The JSON body must be an object")),
                    },
                }
            }
        }
    }
    let mut tree = wire::decode(pairs).map_err(|e| Rejection::new(RejectionKind::InvalidParam, Some(e.param), e.message))?;
    if let Node::Map(map) = &mut tree {
        for (k, v) in json_fields {
            map.insert(k, Node::Json(v));
        }
    }
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
            let shown = if at.is_empty() { "request".to_owned() } else { at };
            return Err(Rejection::new(RejectionKind::InvalidParam, param, format!("Invalid {shown}: {message}")));
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
                None if matches!(value, Node::Leaf(v) if v.is_empty()) || matches!(value, Node::Json(_)) => {}
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

/// Handles one request: authentication, path parameters, params, the
/// operation itself, and the answer. `call` reads the path parameters it
/// needs and starts the operation.
pub async fn handle<P, T, E, Fut>(
    path: Result<RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    request: Request,
    spec: &OperationSpec,
    reject: impl Fn(&Rejection) -> E,
    authenticate: impl Fn(Option<&str>) -> bool,
    call: impl FnOnce(P, &PathParams, RequestContext) -> Result<Fut, Rejection>,
) -> Response
where
    P: DeserializeOwned + Serialize + Validate,
    T: Serialize,
    E: Serialize,
    Fut: Future<Output = Result<T, Failure<E>>>,
{
    let refuse = |rejection: Rejection| respond(rejection.status, &reject(&rejection));
    let (parts, body) = request.into_parts();
    let bearer = bearer(&parts.headers);
    if !authenticate(bearer.as_deref()) {
        return refuse(Rejection::new(
            RejectionKind::Unauthorized,
            None,
            "Invalid API key: send a valid key as `Authorization: Bearer <key>`",
        ));
    }
    let path = match path {
        Ok(raw) => PathParams(raw.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()),
        Err(e) => return refuse(Rejection::new(RejectionKind::InvalidParam, None, format!("Invalid path: {e}"))),
    };
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return refuse(Rejection::new(
                RejectionKind::PayloadTooLarge,
                None,
                format!("The request body is larger than {BODY_LIMIT} bytes"),
            ));
        }
    };
    let params = match parse::<P>(spec, parts.uri.query(), &parts.headers, &body) {
        Ok(params) => params,
        Err(rejection) => return refuse(rejection),
    };
    let idempotency_key = parts.headers.get("Idempotency-Key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let context = RequestContext { headers: parts.headers, bearer, idempotency_key };
    let future = match call(params, &path, context) {
        Ok(future) => future,
        Err(rejection) => return refuse(rejection),
    };
    match future.await {
        Ok(_) if !spec.success_body => StatusCode::from_u16(spec.success).unwrap_or(StatusCode::OK).into_response(),
        Ok(value) => respond(spec.success, &value),
        Err(failure) => respond(failure.status, &failure.body),
    }
}

/// The answer to a request no route matches.
pub fn refuse<E: Serialize>(kind: RejectionKind, message: impl Into<String>, reject: impl Fn(&Rejection) -> E) -> Response {
    let rejection = Rejection::new(kind, None, message);
    respond(rejection.status, &reject(&rejection))
}
