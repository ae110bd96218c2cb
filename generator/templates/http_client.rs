//! The HTTP machinery under the generated client: configuration, request
//! building in the API's wire format, retries with backoff, errors, and
//! pagination. Nothing here knows any particular API.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::Stream;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use reqwest::Method;

use std::pin::Pin;

use super::runtime::{File, FileContent, List, Nullable};
use super::wire::{self, Credential, EncodeError, Event, EventParser, KeyPlace, LineSplitter, Scheme, SchemeKind, Security, StreamError, Style};

/// A secret (the API key) that `Debug` does not print.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How the client talks to the API.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the API is, e.g. `https://api.example.com` (no trailing slash needed).
    pub base_url: String,
    /// The credential of each security scheme, by its name in the spec.
    pub credentials: Vec<(&'static str, Credential)>,
    /// The credential of every scheme that takes one secret (a bearer,
    /// OAuth2 or OpenID Connect token, an API key) and has none of its own.
    pub api_key: Option<Secret>,
    /// Sent as the `api_version_header` on every request, when set.
    pub api_version: Option<String>,
    /// The header that carries `api_version`.
    pub api_version_header: String,
    /// `User-Agent`.
    pub user_agent: String,
    /// Limit on each attempt, from connecting to the end of the body.
    pub timeout: Option<Duration>,
    /// How many times a failed attempt is retried (so `max_retries + 1` attempts).
    pub max_retries: u32,
    /// The wait before the first retry; it doubles with every retry.
    pub initial_backoff: Duration,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
    /// The largest response body read; a larger one is an error
    /// ([`Error::TooLarge`]), not an allocation as large as the server likes.
    pub max_response_bytes: usize,
}

/// The largest response body a client reads unless told otherwise: 32 MiB.
pub const MAX_RESPONSE_BYTES: usize = 32 << 20;

/// Builds an [`HttpClient`].
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    config: Config,
}

impl ClientBuilder {
    /// Defaults: no key, 2 retries from 500 ms up to 8 s, no timeout.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientBuilder {
            config: Config {
                base_url: base_url.into().trim_end_matches('/').to_owned(),
                credentials: Vec::new(),
                api_key: None,
                api_version: None,
                api_version_header: "Api-Version".into(),
                user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).into(),
                timeout: None,
                max_retries: 2,
                initial_backoff: Duration::from_millis(500),
                max_backoff: Duration::from_secs(8),
                max_response_bytes: MAX_RESPONSE_BYTES,
            },
        }
    }

    /// The secret key: the credential of every scheme that takes one
    /// secret (a bearer, OAuth2 or OpenID Connect token, an API key in a
    /// header, query parameter or cookie) unless [`ClientBuilder::credential`]
    /// gives that scheme its own. HTTP Basic takes a user and a password:
    /// give it one with `credential`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_key = Some(Secret(key.into()));
        self
    }

    /// The credential of one security scheme (a constant of the generated
    /// `security` module): sent on every operation whose requirement it
    /// meets, where the scheme says it travels.
    pub fn credential(mut self, scheme: &Scheme, credential: Credential) -> Self {
        self.config.credentials.retain(|(name, _)| *name != scheme.name);
        self.config.credentials.push((scheme.name, credential));
        self
    }

    /// An API version to ask for on every request (header `Api-Version`
    /// unless [`ClientBuilder::api_version_header`] says otherwise).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.config.api_version = Some(version.into());
        self
    }

    /// The header that carries the API version.
    pub fn api_version_header(mut self, header: impl Into<String>) -> Self {
        self.config.api_version_header = header.into();
        self
    }

    /// `User-Agent`.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.config.user_agent = agent.into();
        self
    }

    /// A limit on each attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = Some(timeout);
        self
    }

    /// How many times to retry a failed attempt (0: never).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.config.max_retries = retries;
        self
    }

    /// The first wait between attempts and the longest one.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.config.initial_backoff = initial;
        self.config.max_backoff = max.max(initial);
        self
    }

    /// The largest response body to read ([`MAX_RESPONSE_BYTES`] by default).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.config.max_response_bytes = bytes;
        self
    }

    /// The client. Fails only if the HTTP stack cannot start (e.g. no TLS backend).
    pub fn build(self) -> Result<HttpClient, reqwest::Error> {
        let mut http = reqwest::Client::builder().user_agent(self.config.user_agent.clone());
        if let Some(timeout) = self.config.timeout {
            http = http.timeout(timeout);
        }
        Ok(HttpClient { http: http.build()?, config: Arc::new(self.config) })
    }
}

/// Sends requests with the configured retries. Cheap to clone.
#[derive(Clone, Debug)]
pub struct HttpClient {
    http: reqwest::Client,
    config: Arc<Config>,
}

/// Settings for one call, on top of the client's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// The `Idempotency-Key` (generated for a POST when not given). Retries
    /// of one call always send the same key.
    pub idempotency_key: Option<String>,
    /// An API version for this call only.
    pub api_version: Option<String>,
    /// Retries for this call only.
    pub max_retries: Option<u32>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The media type to send the body as, of those the operation takes
    /// (JSON or a form, say); unset: the first the spec gives.
    pub content_type: Option<String>,
    /// For an event stream: how many times to ask again, with
    /// `Last-Event-ID`, when the connection breaks.
    pub reconnect: Option<u32>,
    /// For an event stream: the `Last-Event-ID` to send.
    pub last_event_id: Option<String>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        RequestOptions::default()
    }

    /// With an idempotency key.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// With an API version.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// With a number of retries.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// With an extra header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends the body as `media`, one of the media types the operation
    /// takes.
    pub fn content_type(mut self, media: impl Into<String>) -> Self {
        self.content_type = Some(media.into());
        self
    }

    /// Asks an event stream again, at most `times`, with the last event's
    /// ID, when its connection breaks.
    pub fn reconnect(mut self, times: u32) -> Self {
        self.reconnect = Some(times);
        self
    }

    /// Resumes an event stream after this event ID.
    pub fn last_event_id(mut self, id: impl Into<String>) -> Self {
        self.last_event_id = Some(id.into());
        self
    }
}

/// What a call can fail with. `E` is the API's error body.
#[derive(Debug)]
pub enum Error<E> {
    /// No response: connecting, sending or reading failed (after the retries).
    Transport {
        /// What went wrong last.
        source: reqwest::Error,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The API answered with an error status and its error object.
    Api {
        /// The HTTP status.
        status: u16,
        /// The API's error object.
        error: Box<E>,
        /// The `Request-Id` header, if the API sent one.
        request_id: Option<String>,
    },
    /// An error status whose body is not the API's error object.
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The body as received.
        body: String,
    },
    /// A success status whose body does not match the declared type.
    Decode {
        /// The HTTP status.
        status: u16,
        /// Where in the body it failed, e.g. `data[0].created`.
        path: String,
        /// What failed there.
        message: String,
        /// The body as received.
        body: String,
    },
    /// The parameters could not be put on the wire.
    Encode(EncodeError),
    /// A response body larger than [`Config::max_response_bytes`].
    TooLarge {
        /// The HTTP status.
        status: u16,
        /// The limit it passed.
        limit: usize,
    },
    /// A success of a media type the spec does not declare for it (or not
    /// the one the method reads).
    UnexpectedMedia {
        /// The HTTP status.
        status: u16,
        /// The `Content-Type` the server sent.
        got: String,
        /// The media types the spec declares (that the method reads).
        declared: Vec<String>,
    },
    /// An event stream or JSON-lines stream that broke its limits.
    Stream(StreamError),
}

impl<E> Error<E> {
    /// The HTTP status, if there was a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::Decode { status, .. }
            | Error::TooLarge { status, .. }
            | Error::UnexpectedMedia { status, .. } => Some(*status),
            Error::Transport { .. } | Error::Encode(_) | Error::Stream(_) => None,
        }
    }

    /// The API's error object, for an API error.
    pub fn api_error(&self) -> Option<&E> {
        match self {
            Error::Api { error, .. } => Some(&**error),
            _ => None,
        }
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport { source, attempts } => write!(f, "request failed after {attempts} attempt(s): {source}"),
            Error::Api { status, error, .. } => write!(f, "API error (HTTP {status}): {error:?}"),
            Error::UnexpectedStatus { status, body } => write!(f, "HTTP {status} with an unexpected body: {body}"),
            Error::Decode { status, path, message, .. } => {
                write!(f, "cannot decode the HTTP {status} body at `{path}`: {message}")
            }
            Error::Encode(e) => e.fmt(f),
            Error::TooLarge { status, limit } => write!(f, "the HTTP {status} body is larger than {limit} bytes"),
            Error::UnexpectedMedia { status, got, declared } => {
                write!(f, "the HTTP {status} body is `{got}`, which the spec does not declare here ({})", declared.join(", "))
            }
            Error::Stream(e) => e.fmt(f),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Encode(e) => Some(e),
            Error::Stream(e) => Some(e),
            _ => None,
        }
    }
}

impl<E> From<EncodeError> for Error<E> {
    fn from(e: EncodeError) -> Self {
        Error::Encode(e)
    }
}

enum Body {
    Empty,
    Form(Vec<(String, String)>),
    Json(serde_json::Map<String, serde_json::Value>),
    RawJson(Vec<u8>),
    /// A `text/*` body of this media type.
    Text(String, String),
    /// The parts of a `multipart/form-data` body.
    Multipart(Vec<(String, PartValue)>),
    /// Bytes of this media type.
    Upload(String, Upload),
    /// JSON lines of this media type, each item written as it comes.
    Lines(String, LineSource),
}

/// A part of a multipart body.
enum PartValue {
    /// Text, with the content type the spec's `encoding` gives it.
    Text(String, Option<&'static str>),
    /// A file, with the content type the spec gives it unless the file has
    /// its own.
    File(File, Option<&'static str>),
}

type LineSource = Pin<Box<dyn Stream<Item = Result<Vec<u8>, std::io::Error>> + Send>>;

/// One request, built by the generated client methods.
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    /// The whole query string of an `in: querystring` parameter that is not
    /// a form (before `query`'s pairs).
    raw_query: Option<String>,
    headers: Vec<(String, String)>,
    cookies: Vec<(String, String)>,
    body: Body,
    security: Security,
    /// The media types the answer may come as (for the `Accept` header
    /// and the check of what came); empty: any.
    accept: &'static [&'static str],
}

/// Percent-encodes a path parameter (everything but unreserved characters).
pub fn path_param<T: Serialize + ?Sized>(value: &T) -> Result<String, EncodeError> {
    let mut pairs = Vec::new();
    wire::encode_param("", value, Style::Form, false, &mut pairs)?;
    let text = pairs.into_iter().map(|(_, v)| v).collect::<Vec<_>>().join(",");
    Ok(wire::percent_encode(&text))
}

impl Request {
    /// A request to `path` (already holding its encoded path parameters).
    pub fn new(method: Method, path: String) -> Self {
        Request {
            method,
            path,
            query: Vec::new(),
            raw_query: None,
            headers: Vec::new(),
            cookies: Vec::new(),
            body: Body::Empty,
            security: &[],
            accept: &[],
        }
    }

    /// The media types the answer may come as: sent as `Accept`, and an
    /// answer of another type is [`Error::UnexpectedMedia`].
    pub fn accept(&mut self, media: &'static [&'static str]) {
        self.accept = media;
    }

    /// Which of the media types an operation takes its body as the caller
    /// chose (`RequestOptions::content_type`): its index in `declared`, the
    /// first when the caller chose none.
    pub fn choose(&self, declared: &[&str], options: &RequestOptions) -> Result<usize, EncodeError> {
        let Some(wanted) = &options.content_type else { return Ok(0) };
        declared.iter().position(|m| m.eq_ignore_ascii_case(wanted)).ok_or_else(|| {
            EncodeError(format!("the operation takes its body as {}, not `{wanted}`", declared.join(", ")))
        })
    }

    /// Sets the body to `text`, of the `text/*` media type `media`.
    pub fn text_body(&mut self, media: &str, text: &str) {
        self.body = Body::Text(media.to_owned(), text.to_owned());
    }

    /// Sets the body to bytes of `media` (unless the upload says its own).
    pub fn upload(&mut self, media: &str, upload: Upload) {
        self.body = Body::Upload(media.to_owned(), upload);
    }

    /// Sets the body to `items` as JSON lines of `media`, each written as
    /// the stream gives it.
    pub fn lines<T: Serialize + Send + 'static>(&mut self, media: &str, items: impl Stream<Item = T> + Send + 'static) {
        use futures_util::StreamExt;
        let lines = items.map(|item| {
            let mut line = serde_json::to_vec(&item).map_err(std::io::Error::other)?;
            line.push(b'\n');
            Ok(line)
        });
        self.body = Body::Lines(media.to_owned(), Box::pin(lines));
    }

    fn parts(&mut self) -> &mut Vec<(String, PartValue)> {
        if !matches!(self.body, Body::Multipart(_)) {
            self.body = Body::Multipart(Vec::new());
        }
        let Body::Multipart(parts) = &mut self.body else { unreachable!("set above") };
        parts
    }

    /// Adds a text part of a multipart body (`None` and `null` add
    /// nothing): a string as it is, a number or a boolean as its JSON
    /// text, each item of an array as a part of its own, an object as JSON
    /// (`application/json` unless `content_type` says otherwise).
    pub fn part<T: Serialize + ?Sized>(&mut self, name: &str, value: &T, content_type: Option<&'static str>) -> Result<(), EncodeError> {
        let value = serde_json::to_value(value).map_err(|e| EncodeError(e.to_string()))?;
        let items = match value {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        };
        for item in items {
            let (text, default) = match item {
                serde_json::Value::Null => continue,
                serde_json::Value::String(text) => (text, None),
                object @ serde_json::Value::Object(_) => (object.to_string(), Some("application/json")),
                other => (other.to_string(), None),
            };
            self.parts().push((name.to_owned(), PartValue::Text(text, content_type.or(default))));
        }
        Ok(())
    }

    /// Adds the file parts of a multipart body: one per file (none for
    /// `None`), each with its name and content type (its own, else
    /// `content_type`, the spec's).
    pub fn files(&mut self, name: &str, files: &impl Files, content_type: Option<&'static str>) {
        for file in files.files() {
            self.parts().push((name.to_owned(), PartValue::File(file.clone(), content_type)));
        }
    }

    /// What the operation takes to call: the client sends the credentials
    /// of the first requirement it has every credential for.
    pub fn security(&mut self, security: Security) {
        self.security = security;
    }

    /// Sets the whole query string to `value` (an `in: querystring`
    /// parameter, OpenAPI 3.2): its fields as a form, or its JSON or text
    /// percent-encoded. `None` sets nothing.
    pub fn query_string<T: Serialize + ?Sized>(&mut self, value: &T, how: wire::QueryAs) -> Result<(), EncodeError> {
        let value = serde_json::to_value(value).map_err(|e| EncodeError(e.to_string()))?;
        let text = match (how, value) {
            (_, serde_json::Value::Null) => return Ok(()),
            (wire::QueryAs::Form, value) => {
                self.query.extend(wire::encode_fields(&value)?);
                return Ok(());
            }
            (wire::QueryAs::Text, serde_json::Value::String(text)) => text,
            (_, value) => value.to_string(),
        };
        self.raw_query = Some(wire::percent_encode(&text));
        Ok(())
    }

    /// Adds a query parameter in its style (`None` adds nothing).
    pub fn query<T: Serialize + ?Sized>(&mut self, name: &str, value: &T, style: Style, explode: bool) -> Result<(), EncodeError> {
        wire::encode_param(name, value, style, explode, &mut self.query)
    }

    /// Adds a header parameter (`None` adds nothing; arrays join with commas).
    pub fn header<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), EncodeError> {
        let mut pairs = Vec::new();
        wire::encode_param(name, value, Style::Form, false, &mut pairs)?;
        self.headers.extend(pairs);
        Ok(())
    }

    /// Adds a cookie parameter (`None` adds nothing; arrays join with
    /// commas), sent in the `Cookie` header with the others.
    pub fn cookie<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), EncodeError> {
        let mut pairs = Vec::new();
        wire::encode_param(name, value, Style::Form, false, &mut pairs)?;
        self.cookies.extend(pairs);
        Ok(())
    }

    /// Adds a form body field with bracket nesting (`None` adds nothing).
    pub fn form<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), EncodeError> {
        if !matches!(self.body, Body::Form(_)) {
            self.body = Body::Form(Vec::new());
        }
        let Body::Form(pairs) = &mut self.body else { unreachable!("set above") };
        wire::encode(name, value, pairs)
    }

    /// Adds a form body field that may be null: `null` is sent as the empty
    /// value, which the API reads as "unset".
    pub fn form_nullable<T: Serialize>(&mut self, name: &str, value: &Nullable<T>) -> Result<(), EncodeError> {
        match value {
            Nullable::Absent => Ok(()),
            Nullable::Null => self.form(name, ""),
            Nullable::Value(v) => self.form(name, v),
        }
    }

    fn json_map(&mut self) -> &mut serde_json::Map<String, serde_json::Value> {
        if !matches!(self.body, Body::Json(_)) {
            self.body = Body::Json(serde_json::Map::new());
        }
        let Body::Json(map) = &mut self.body else { unreachable!("set above") };
        map
    }

    /// Adds a field of a JSON object body (`None` adds nothing).
    pub fn json<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), EncodeError> {
        let value = serde_json::to_value(value).map_err(|e| EncodeError(e.to_string()))?;
        if !value.is_null() {
            self.json_map().insert(name.to_owned(), value);
        }
        Ok(())
    }

    /// Adds a field of a JSON object body that may be null.
    pub fn json_nullable<T: Serialize>(&mut self, name: &str, value: &Nullable<T>) -> Result<(), EncodeError> {
        match value {
            Nullable::Absent => Ok(()),
            Nullable::Null => {
                self.json_map().insert(name.to_owned(), serde_json::Value::Null);
                Ok(())
            }
            Nullable::Value(v) => self.json(name, v),
        }
    }

    /// Sets the whole body to `value` as JSON.
    pub fn json_body<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.body = Body::RawJson(serde_json::to_vec(value).map_err(|e| EncodeError(e.to_string()))?);
        Ok(())
    }

    /// Sets the whole body to `value`, form-encoded field by field.
    pub fn form_body<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.body = Body::Form(wire::encode_fields(value)?);
        Ok(())
    }

    /// The form body as sent (for tests of the wire format).
    pub fn encoded_form(&self) -> Option<String> {
        match &self.body {
            Body::Form(pairs) => Some(encode_pairs(pairs)),
            _ => None,
        }
    }

    /// The query string as sent.
    pub fn encoded_query(&self) -> String {
        let pairs = encode_pairs(&self.query);
        match &self.raw_query {
            Some(raw) if pairs.is_empty() => raw.clone(),
            Some(raw) => format!("{raw}&{pairs}"),
            None => pairs,
        }
    }
}

pub use wire::encode_pairs;

/// `a=1; b=2`: cookies as the `Cookie` header carries them, each value
/// percent-encoded where a cookie value may not hold the character.
pub fn cookie_header(cookies: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in cookies {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(name);
        out.push('=');
        for byte in value.bytes() {
            // RFC 6265 cookie-octet, less `%` (the escape itself).
            if matches!(byte, 0x21 | 0x23..=0x24 | 0x26..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E) {
                out.push(byte as char);
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// A fresh idempotency key: 128 random-enough bits, as hex.
pub fn new_idempotency_key() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    let mut state = nanos ^ COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ (&nanos as *const u64 as u64);
    let mut next = || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    format!("{:016x}{:016x}", next(), next())
}

/// A number in `[0.5, 1)`, for jitter.
fn jitter() -> f64 {
    let bits = u64::from_str_radix(&new_idempotency_key()[..13], 16).unwrap_or(0);
    0.5 + (bits as f64 / (1u64 << 52) as f64) / 2.0
}

/// Whether an answer with this status is worth another attempt: a lock
/// conflict, rate limiting, or a server-side failure.
pub fn retryable(status: u16) -> bool {
    status == 409 || status == 429 || status >= 500
}

impl HttpClient {
    /// A builder for `base_url`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sends `request` and decodes a success body as `T` (JSON), an error
    /// body as `E`.
    pub async fn send<T: DeserializeOwned, E: DeserializeOwned>(
        &self,
        request: Request,
        options: &RequestOptions,
    ) -> Result<T, Error<E>> {
        let answer = self.exchange(request, options, true).await?;
        let (status, request_id, body) = answer.read(self.config.max_response_bytes).await?;
        decode(status, request_id, &body)
    }

    /// Sends `request` and expects a success without a body.
    pub async fn send_empty<E: DeserializeOwned>(&self, request: Request, options: &RequestOptions) -> Result<(), Error<E>> {
        let answer = self.exchange(request, options, true).await?;
        let (status, request_id, body) = answer.read(self.config.max_response_bytes).await?;
        if (200..300).contains(&status) { Ok(()) } else { Err(error_of(status, request_id, &body)) }
    }

    /// Sends `request` and reads a success body as text (UTF-8).
    pub async fn send_text<E: DeserializeOwned>(&self, request: Request, options: &RequestOptions) -> Result<String, Error<E>> {
        let answer = self.exchange(request, options, true).await?;
        let (status, request_id, body) = answer.read(self.config.max_response_bytes).await?;
        if !(200..300).contains(&status) {
            return Err(error_of(status, request_id, &body));
        }
        String::from_utf8(body).map_err(|e| Error::Decode {
            status,
            path: ".".into(),
            message: format!("the text is not UTF-8: {e}"),
            body: String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// Sends `request` and hands over a success body as it arrives, with
    /// its content type and length: nothing is buffered.
    pub async fn send_bytes<E: DeserializeOwned>(&self, request: Request, options: &RequestOptions) -> Result<Download, Error<E>> {
        let answer = self.exchange(request, options, false).await?;
        if !(200..300).contains(&answer.status) {
            let (status, request_id, body) = answer.read(self.config.max_response_bytes).await?;
            return Err(error_of(status, request_id, &body));
        }
        Ok(Download::of(answer))
    }

    /// Sends `request` and reads a success body as server-sent events,
    /// each event's data as a `T` (JSON; `String` takes the text as it
    /// is), as they arrive. With [`RequestOptions::reconnect`], a stream
    /// the connection breaks is asked for again with `Last-Event-ID`.
    pub async fn send_events<T: EventRead + Send + 'static, E: DeserializeOwned + Send + 'static>(
        &self,
        request: Request,
        options: &RequestOptions,
    ) -> Result<EventStream<T, E>, Error<E>> {
        let replay = options.reconnect.filter(|n| *n > 0).and(request.try_clone());
        let answer = self.exchange(request, options, false).await?;
        if !(200..300).contains(&answer.status) {
            let (status, request_id, body) = answer.read(self.config.max_response_bytes).await?;
            return Err(error_of(status, request_id, &body));
        }
        Ok(EventStream::new(self.clone(), options.clone(), replay, answer))
    }

    /// Sends `request` and reads a success body as JSON lines, each a `T`,
    /// as they arrive.
    pub async fn send_lines<T: DeserializeOwned + Send + 'static, E: DeserializeOwned + Send + 'static>(
        &self,
        request: Request,
        options: &RequestOptions,
    ) -> Result<JsonLines<T, E>, Error<E>> {
        let answer = self.exchange(request, options, false).await?;
        if !(200..300).contains(&answer.status) {
            let (status, request_id, body) = answer.read(self.config.max_response_bytes).await?;
            return Err(error_of(status, request_id, &body));
        }
        Ok(JsonLines::new(answer))
    }

    /// Sends with retries (none for a body that can be read only once: a
    /// stream, a reader); answers with the last response, its body read
    /// `whole` (a read that fails is retried too) or left to be streamed.
    /// A success of a media type the request does not accept is
    /// [`Error::UnexpectedMedia`].
    async fn exchange<E>(&self, mut request: Request, options: &RequestOptions, whole: bool) -> Result<Answer, Error<E>> {
        let config = &self.config;
        let mut authorization = None;
        for (scheme, credential) in self.credentials_for(request.security) {
            match (scheme.kind, credential) {
                (SchemeKind::ApiKey { place, name }, Credential::Secret(key)) => match place {
                    KeyPlace::Header => request.headers.push((name.to_owned(), key)),
                    KeyPlace::Query => request.query.push((name.to_owned(), key)),
                    KeyPlace::Cookie => request.cookies.push((name.to_owned(), key)),
                },
                (_, credential) => authorization = Some((scheme.kind, credential)),
            }
        }
        let url = if request.query.is_empty() && request.raw_query.is_none() {
            format!("{}{}", config.base_url, request.path)
        } else {
            format!("{}{}?{}", config.base_url, request.path, request.encoded_query())
        };
        let idempotency_key = match (&options.idempotency_key, request.method == Method::POST) {
            (Some(key), _) => Some(key.clone()),
            (None, true) => Some(new_idempotency_key()),
            (None, false) => None,
        };
        let mut body = Some(std::mem::replace(&mut request.body, Body::Empty));
        let replayable = body.as_ref().is_some_and(Body::replayable);
        let max_retries = if replayable { options.max_retries.unwrap_or(config.max_retries) } else { 0 };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut builder = self.http.request(request.method.clone(), &url);
            builder = match &authorization {
                Some((_, Credential::Basic { user, password })) => builder.basic_auth(user, Some(password)),
                Some((SchemeKind::Http(name), Credential::Secret(secret))) => builder.header("Authorization", format!("{name} {secret}")),
                Some((_, Credential::Secret(token))) => builder.bearer_auth(token),
                None => builder,
            };
            if let Some(version) = options.api_version.as_ref().or(config.api_version.as_ref()) {
                builder = builder.header(config.api_version_header.as_str(), version);
            }
            if let Some(key) = &idempotency_key {
                builder = builder.header("Idempotency-Key", key);
            }
            if !request.accept.is_empty() {
                builder = builder.header("Accept", request.accept.join(", "));
            }
            if let Some(id) = &options.last_event_id {
                builder = builder.header("Last-Event-ID", id);
            }
            for (name, value) in request.headers.iter().chain(&options.headers) {
                builder = builder.header(name.as_str(), value.as_str());
            }
            if !request.cookies.is_empty() {
                builder = builder.header("Cookie", cookie_header(&request.cookies));
            }
            let last = attempt > max_retries;
            // A body read once goes with this attempt, the last.
            let this = if replayable { body.as_ref().and_then(Body::replay) } else { body.take() };
            builder = match this {
                Some(this) => this.attach(builder).await.map_err(|e| Error::Encode(EncodeError(e.to_string())))?,
                None => builder,
            };
            match builder.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get("Retry-After")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    if retryable(status) && !last {
                        drop(response);
                        tokio::time::sleep(self.backoff(attempt, retry_after)).await;
                        continue;
                    }
                    let mut answer = Answer::of(response);
                    if (200..300).contains(&status)
                        && let Some(got) = &answer.content_type
                        && !request.accept.is_empty()
                        && !request.accept.iter().any(|m| media_matches(m, got))
                    {
                        return Err(Error::UnexpectedMedia {
                            status,
                            got: got.clone(),
                            declared: request.accept.iter().map(|m| (*m).to_owned()).collect(),
                        });
                    }
                    if !whole {
                        return Ok(answer);
                    }
                    let Some(response) = answer.response.take() else { return Ok(answer) };
                    return match read_limited(response, config.max_response_bytes).await {
                        Ok(Some(bytes)) => {
                            answer.body = bytes;
                            Ok(answer)
                        }
                        Ok(None) => Err(Error::TooLarge { status, limit: config.max_response_bytes }),
                        Err(_) if !last => {
                            tokio::time::sleep(self.backoff(attempt, None)).await;
                            continue;
                        }
                        Err(source) => Err(Error::Transport { source, attempts: attempt }),
                    };
                }
                Err(source) if !last && !source.is_builder() => {
                    tokio::time::sleep(self.backoff(attempt, None)).await;
                }
                Err(source) => return Err(Error::Transport { source, attempts: attempt }),
            }
        }
    }

    /// The credentials a request of `security` carries: those of its first
    /// requirement that every credential is configured for (a scheme's own,
    /// or the API key for a scheme that takes one secret). None when it
    /// requires nothing, or when no requirement can be met (the server
    /// then answers as it does to a request without credentials, or lets
    /// it in where credentials are optional).
    pub fn credentials_for(&self, security: Security) -> Vec<(&'static Scheme, Credential)> {
        let config = &self.config;
        let credential = |scheme: &Scheme| -> Option<Credential> {
            if let Some((_, own)) = config.credentials.iter().find(|(name, _)| *name == scheme.name) {
                return Some(own.clone());
            }
            let takes_a_secret = matches!(scheme.kind, SchemeKind::Bearer | SchemeKind::ApiKey { .. });
            config.api_key.as_ref().filter(|_| takes_a_secret).map(|key| Credential::Secret(key.expose().to_owned()))
        };
        // Where credentials are optional (an empty requirement), they are
        // still sent when a requirement can be met: they may unlock more.
        for requirement in security.iter().filter(|r| !r.is_empty()) {
            let found: Option<Vec<_>> = requirement.iter().map(|need| Some((need.scheme, credential(need.scheme)?))).collect();
            if let Some(found) = found {
                return found;
            }
        }
        Vec::new()
    }

    /// The wait after `attempt` failed attempts: doubling from the initial
    /// backoff, with jitter, capped; never shorter than `Retry-After` (capped too).
    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let base = self.config.initial_backoff.saturating_mul(1 << (attempt - 1).min(16));
        let wait = base.min(self.config.max_backoff).mul_f64(jitter());
        wait.max(retry_after.unwrap_or_default().min(self.config.max_backoff))
    }
}

/// A response body, read chunk by chunk: `None` once it passes `limit`.
async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Option<Vec<u8>>, reqwest::Error> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// What a response means: a success body read as `T` (or
/// [`Error::Decode`] naming the JSON path that failed), an error status
/// with the API's error object `E` ([`Error::Api`]) or with another body
/// ([`Error::UnexpectedStatus`]). Any bytes give one of these; JSON nested
/// deeper than 128 levels is refused by the parser, not followed.
pub fn decode<T: DeserializeOwned, E: DeserializeOwned>(
    status: u16,
    request_id: Option<String>,
    body: &[u8],
) -> Result<T, Error<E>> {
    if (200..300).contains(&status) {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        return serde_path_to_error::deserialize(&mut deserializer).map_err(|e| Error::Decode {
            status,
            path: e.path().to_string(),
            message: e.inner().to_string(),
            body: String::from_utf8_lossy(body).into_owned(),
        });
    }
    Err(error_of(status, request_id, body))
}

fn error_of<E: DeserializeOwned>(status: u16, request_id: Option<String>, body: &[u8]) -> Error<E> {
    match serde_json::from_slice(body) {
        Ok(error) => Error::Api { status, error: Box::new(error), request_id },
        Err(_) => Error::UnexpectedStatus { status, body: String::from_utf8_lossy(body).into_owned() },
    }
}

impl Request {
    /// The same request, when its body can be sent again (not a stream or
    /// a reader).
    pub fn try_clone(&self) -> Option<Request> {
        Some(Request {
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            raw_query: self.raw_query.clone(),
            headers: self.headers.clone(),
            cookies: self.cookies.clone(),
            body: self.body.replay()?,
            security: self.security,
            accept: self.accept,
        })
    }
}

impl Body {
    /// Whether it can be sent more than once.
    fn replayable(&self) -> bool {
        match self {
            Body::Empty | Body::Form(_) | Body::Json(_) | Body::RawJson(_) | Body::Text(..) => true,
            Body::Multipart(parts) => parts.iter().all(|(_, p)| !matches!(p, PartValue::File(File { content: FileContent::Reader(_), .. }, _))),
            Body::Upload(_, upload) => !matches!(upload.content, UploadContent::Stream(_)),
            Body::Lines(..) => false,
        }
    }

    /// Another copy of it to send, when it can be sent again.
    fn replay(&self) -> Option<Body> {
        if !self.replayable() {
            return None;
        }
        Some(match self {
            Body::Empty => Body::Empty,
            Body::Form(pairs) => Body::Form(pairs.clone()),
            Body::Json(map) => Body::Json(map.clone()),
            Body::RawJson(bytes) => Body::RawJson(bytes.clone()),
            Body::Text(media, text) => Body::Text(media.clone(), text.clone()),
            Body::Multipart(parts) => Body::Multipart(
                parts
                    .iter()
                    .map(|(name, part)| {
                        let part = match part {
                            PartValue::Text(text, ct) => PartValue::Text(text.clone(), *ct),
                            PartValue::File(file, ct) => PartValue::File(file.clone(), *ct),
                        };
                        (name.clone(), part)
                    })
                    .collect(),
            ),
            Body::Upload(media, upload) => Body::Upload(media.clone(), upload.try_clone()?),
            Body::Lines(..) => return None,
        })
    }

    /// Puts it on `builder`, with its `Content-Type`.
    async fn attach(self, builder: reqwest::RequestBuilder) -> Result<reqwest::RequestBuilder, std::io::Error> {
        let typed = |builder: reqwest::RequestBuilder, media: &str| builder.header("Content-Type", media);
        Ok(match self {
            Body::Empty => builder,
            Body::Form(pairs) => typed(builder, "application/x-www-form-urlencoded").body(encode_pairs(&pairs)),
            Body::Json(map) => typed(builder, "application/json").body(serde_json::to_vec(&map).unwrap_or_default()),
            Body::RawJson(bytes) => typed(builder, "application/json").body(bytes),
            Body::Text(media, text) => typed(builder, &media).body(text),
            Body::Multipart(parts) => {
                let mut form = reqwest::multipart::Form::new();
                for (name, part) in parts {
                    let part = match part {
                        PartValue::Text(text, content_type) => {
                            let part = reqwest::multipart::Part::text(text);
                            match content_type.map(first_media) {
                                Some(ct) => part.mime_str(ct).map_err(std::io::Error::other)?,
                                None => part,
                            }
                        }
                        PartValue::File(file, content_type) => {
                            let ct = file.content_type.as_deref().or(content_type.map(first_media)).unwrap_or("application/octet-stream").to_owned();
                            let part = match file.content {
                                FileContent::Bytes(bytes) => reqwest::multipart::Part::bytes(bytes),
                                FileContent::Path(path) => {
                                    let length = tokio::fs::metadata(&path).await?.len();
                                    reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(file_chunks(path)), length)
                                }
                                FileContent::Reader(reader) => {
                                    let reader = reader.take().ok_or_else(|| std::io::Error::other("the file's reader was read by an earlier request"))?;
                                    reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(reader_chunks(reader)))
                                }
                            };
                            let part = part.mime_str(&ct).map_err(std::io::Error::other)?;
                            match file.name {
                                Some(file_name) => part.file_name(file_name),
                                None => part.file_name(name.clone()),
                            }
                        }
                    };
                    form = form.part(name, part);
                }
                builder.multipart(form)
            }
            Body::Upload(media, upload) => {
                let media = upload.content_type.clone().unwrap_or(media);
                let builder = typed(builder, &media);
                match upload.content {
                    UploadContent::Bytes(bytes) => builder.body(bytes),
                    UploadContent::Path(path) => {
                        let length = tokio::fs::metadata(&path).await?.len();
                        builder.header("Content-Length", length).body(reqwest::Body::wrap_stream(file_chunks(path)))
                    }
                    UploadContent::Stream(stream) => builder.body(reqwest::Body::wrap_stream(stream)),
                }
            }
            Body::Lines(media, lines) => typed(builder, &media).body(reqwest::Body::wrap_stream(lines)),
        })
    }
}

/// The first media type of an `encoding`'s `contentType`, which may list
/// several (`image/png, image/jpeg`).
fn first_media(list: &str) -> &str {
    list.split(',').next().unwrap_or(list).trim()
}

/// The size of the chunks a file or a reader is sent in.
const CHUNK: usize = 64 << 10;

/// A file's bytes, chunk by chunk, read as they are sent.
fn file_chunks(path: std::path::PathBuf) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    use tokio::io::AsyncReadExt;
    futures_util::stream::try_unfold((path, None::<tokio::fs::File>), |(path, file)| async move {
        let mut file = match file {
            Some(file) => file,
            None => tokio::fs::File::open(&path).await?,
        };
        let mut chunk = vec![0; CHUNK];
        let n = file.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        chunk.truncate(n);
        Ok(Some((chunk, (path, Some(file)))))
    })
}

/// A reader's bytes, chunk by chunk, each read off the async threads.
fn reader_chunks(reader: Box<dyn std::io::Read + Send>) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    futures_util::stream::try_unfold(Some(reader), |reader| async move {
        let Some(mut reader) = reader else { return Ok(None) };
        let (reader, chunk) = tokio::task::spawn_blocking(move || {
            let mut chunk = vec![0; CHUNK];
            let n = reader.read(&mut chunk);
            (reader, n.map(|n| {
                chunk.truncate(n);
                chunk
            }))
        })
        .await
        .map_err(std::io::Error::other)?;
        let chunk = chunk?;
        Ok(if chunk.is_empty() { None } else { Some((chunk, Some(reader))) })
    })
}

/// The files of a file field, however the field holds them: one, maybe
/// one, several.
pub trait Files {
    /// Each file.
    fn files(&self) -> Vec<&File>;
}

impl Files for File {
    fn files(&self) -> Vec<&File> {
        vec![self]
    }
}

impl<T: Files> Files for Option<T> {
    fn files(&self) -> Vec<&File> {
        self.as_ref().map(Files::files).unwrap_or_default()
    }
}

impl<T: Files> Files for Nullable<T> {
    fn files(&self) -> Vec<&File> {
        match self {
            Nullable::Value(v) => v.files(),
            Nullable::Absent | Nullable::Null => Vec::new(),
        }
    }
}

impl<T: Files> Files for Vec<T> {
    fn files(&self) -> Vec<&File> {
        self.iter().flat_map(Files::files).collect()
    }
}

/// A request body of bytes: in memory, a file (streamed from disk), or a
/// stream (sent once: a request that carries one is not retried).
pub struct Upload {
    content: UploadContent,
    content_type: Option<String>,
}

enum UploadContent {
    Bytes(Vec<u8>),
    Path(std::path::PathBuf),
    Stream(Pin<Box<dyn Stream<Item = Result<Vec<u8>, std::io::Error>> + Send>>),
}

impl Upload {
    /// These bytes.
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Upload { content: UploadContent::Bytes(bytes.into()), content_type: None }
    }

    /// The file at `path`, streamed from disk with its length.
    pub fn path(path: impl Into<std::path::PathBuf>) -> Self {
        Upload { content: UploadContent::Path(path.into()), content_type: None }
    }

    /// What `stream` gives, sent as it comes (chunked).
    pub fn stream<B: Into<Vec<u8>>>(stream: impl Stream<Item = Result<B, std::io::Error>> + Send + 'static) -> Self {
        use futures_util::StreamExt;
        Upload { content: UploadContent::Stream(Box::pin(stream.map(|chunk| chunk.map(Into::into)))), content_type: None }
    }

    /// Sent as this media type (one the operation declares: `image/png`
    /// of `image/*`, say), not the spec's first.
    pub fn content_type(mut self, media: impl Into<String>) -> Self {
        self.content_type = Some(media.into());
        self
    }

    fn try_clone(&self) -> Option<Upload> {
        let content = match &self.content {
            UploadContent::Bytes(bytes) => UploadContent::Bytes(bytes.clone()),
            UploadContent::Path(path) => UploadContent::Path(path.clone()),
            UploadContent::Stream(_) => return None,
        };
        Some(Upload { content, content_type: self.content_type.clone() })
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let content = match &self.content {
            UploadContent::Bytes(bytes) => format!("{} bytes", bytes.len()),
            UploadContent::Path(path) => format!("{}", path.display()),
            UploadContent::Stream(_) => "a stream".to_owned(),
        };
        f.debug_struct("Upload").field("content", &content).field("content_type", &self.content_type).finish()
    }
}

impl From<Vec<u8>> for Upload {
    fn from(bytes: Vec<u8>) -> Self {
        Upload::bytes(bytes)
    }
}

impl From<&[u8]> for Upload {
    fn from(bytes: &[u8]) -> Self {
        Upload::bytes(bytes)
    }
}

impl From<String> for Upload {
    fn from(text: String) -> Self {
        Upload::bytes(text)
    }
}

impl From<&str> for Upload {
    fn from(text: &str) -> Self {
        Upload::bytes(text)
    }
}

pub use wire::media_matches;

/// An answer, its body unread or read whole.
struct Answer {
    status: u16,
    request_id: Option<String>,
    content_type: Option<String>,
    response: Option<reqwest::Response>,
    body: Vec<u8>,
}

impl Answer {
    fn of(response: reqwest::Response) -> Answer {
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Answer {
            status: response.status().as_u16(),
            request_id: header("Request-Id"),
            content_type: header("Content-Type"),
            body: Vec::new(),
            response: Some(response),
        }
    }

    /// Its status, `Request-Id` and body, read within `limit`.
    async fn read<E>(self, limit: usize) -> Result<(u16, Option<String>, Vec<u8>), Error<E>> {
        let Some(response) = self.response else { return Ok((self.status, self.request_id, self.body)) };
        match read_limited(response, limit).await {
            Ok(Some(bytes)) => Ok((self.status, self.request_id, bytes)),
            Ok(None) => Err(Error::TooLarge { status: self.status, limit }),
            Err(source) => Err(Error::Transport { source, attempts: 1 }),
        }
    }
}

/// A success body of bytes, as it arrives: nothing is buffered unless
/// asked for.
#[derive(Debug)]
pub struct Download {
    status: u16,
    content_type: Option<String>,
    length: Option<u64>,
    response: reqwest::Response,
}

impl Download {
    fn of(mut answer: Answer) -> Download {
        let response = answer.response.take().expect("a download is made of an unread answer");
        Download { status: answer.status, content_type: answer.content_type, length: response.content_length(), response }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `Content-Type` the server sent.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The length the server announced (`Content-Length`), if any.
    pub fn length(&self) -> Option<u64> {
        self.length
    }

    /// The next chunk; `None` at the end. A body shorter than its
    /// announced length is an error.
    pub async fn chunk(&mut self) -> Result<Option<Vec<u8>>, reqwest::Error> {
        Ok(self.response.chunk().await?.map(Vec::from))
    }

    /// The whole body, at most `limit` bytes (more is an error, not an
    /// allocation as large as the server likes).
    pub async fn bytes(self, limit: usize) -> Result<Vec<u8>, std::io::Error> {
        match read_limited(self.response, limit).await {
            Ok(Some(bytes)) => Ok(bytes),
            Ok(None) => Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("the body is larger than {limit} bytes"))),
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    /// Writes the body to the file at `path` as it arrives; answers the
    /// bytes written.
    pub async fn save(mut self, path: impl AsRef<std::path::Path>) -> Result<u64, std::io::Error> {
        use tokio::io::AsyncWriteExt;
        let mut file = tokio::fs::File::create(path).await?;
        let mut written = 0;
        while let Some(chunk) = self.chunk().await.map_err(std::io::Error::other)? {
            file.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        file.flush().await?;
        Ok(written)
    }

    /// The body as a stream of chunks.
    pub fn into_stream(self) -> impl Stream<Item = Result<Vec<u8>, reqwest::Error>> + Send {
        futures_util::stream::try_unfold(self, |mut download| async move {
            Ok(download.chunk().await?.map(|chunk| (chunk, download)))
        })
    }
}

/// An event's data read as JSON: how a typed event stream reads its events.
pub fn json_data<T: DeserializeOwned>(data: &str) -> Result<T, String> {
    serde_json::from_str(data).map_err(|e| e.to_string())
}

/// An event's data as it is: how an event stream without a schema reads
/// its events.
pub fn text_data(data: &str) -> Result<String, String> {
    Ok(data.to_owned())
}

/// The `data` by which many APIs end an event stream (`data: [DONE]`): the
/// stream ends there.
pub const DONE: &str = "[DONE]";

type Items<T, E> = Pin<Box<dyn Stream<Item = Result<T, Error<E>>> + Send>>;

/// Server-sent events as they arrive, each event's data read as `T`. A
/// data that `T` cannot read is an error item, and the stream goes on; a
/// stream that breaks its limits ([`EventParser`]) ends with an error.
/// `data: [DONE]` ends it.
pub struct EventStream<T, E> {
    inner: Items<Event<T>, E>,
    last_id: Arc<std::sync::Mutex<Option<String>>>,
}

impl<T, E> fmt::Debug for EventStream<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream").field("last_event_id", &self.last_event_id()).finish()
    }
}

struct EventState<T> {
    client: HttpClient,
    options: RequestOptions,
    replay: Option<Request>,
    response: Option<reqwest::Response>,
    parser: EventParser,
    queue: VecDeque<Event>,
    reconnects: u32,
    done: bool,
    read: fn(&str) -> Result<T, String>,
    last_id: Arc<std::sync::Mutex<Option<String>>>,
    status: u16,
}

impl<T: Send + 'static, E: DeserializeOwned + Send + 'static> EventStream<T, E> {
    fn new(client: HttpClient, options: RequestOptions, replay: Option<Request>, mut answer: Answer) -> Self
    where
        T: EventRead,
    {
        let last_id = Arc::new(std::sync::Mutex::new(options.last_event_id.clone()));
        let state = EventState {
            reconnects: options.reconnect.unwrap_or(0),
            client,
            options,
            replay,
            response: answer.response.take(),
            parser: EventParser::default(),
            queue: VecDeque::new(),
            done: false,
            read: T::read,
            last_id: Arc::clone(&last_id),
            status: answer.status,
        };
        let inner = futures_util::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(event) = state.queue.pop_front() {
                    if let Ok(mut last) = state.last_id.lock() {
                        last.clone_from(&event.id);
                    }
                    if event.data == DONE {
                        return None;
                    }
                    let status = state.status;
                    let item = match (state.read)(&event.data) {
                        Ok(data) => Ok(event.map(|_| data)),
                        Err(message) => Err(Error::Decode { status, path: "data".into(), message, body: event.data }),
                    };
                    return Some((item, state));
                }
                if state.done {
                    return None;
                }
                let response = state.response.as_mut()?;
                match response.chunk().await {
                    Ok(Some(bytes)) => {
                        let mut events = Vec::new();
                        let pushed = state.parser.push(&bytes, &mut events);
                        state.queue.extend(events);
                        if let Err(e) = pushed {
                            state.done = true;
                            state.queue.clear();
                            return Some((Err(Error::Stream(e)), state));
                        }
                    }
                    Ok(None) => state.done = true,
                    Err(source) => {
                        let again = state.reconnects > 0 && state.replay.is_some();
                        if !again {
                            state.done = true;
                            return Some((Err(Error::Transport { source, attempts: 1 }), state));
                        }
                        state.reconnects -= 1;
                        let wait = state.parser.retry().map_or(Duration::from_secs(1), Duration::from_millis);
                        tokio::time::sleep(wait.min(state.client.config.max_backoff)).await;
                        let mut options = state.options.clone();
                        options.last_event_id = state.parser.last_event_id().map(str::to_owned).or(options.last_event_id);
                        let request = state.replay.as_ref().and_then(Request::try_clone)?;
                        match state.client.exchange::<E>(request, &options, false).await {
                            Ok(mut answer) if (200..300).contains(&answer.status) => {
                                state.response = answer.response.take();
                                state.parser = EventParser::default();
                            }
                            Ok(answer) => {
                                state.done = true;
                                let limit = state.client.config.max_response_bytes;
                                let error = match answer.read::<E>(limit).await {
                                    Ok((status, request_id, body)) => error_of(status, request_id, &body),
                                    Err(e) => e,
                                };
                                return Some((Err(error), state));
                            }
                            Err(e) => {
                                state.done = true;
                                return Some((Err(e), state));
                            }
                        }
                    }
                }
            }
        });
        EventStream { inner: Box::pin(inner), last_id }
    }
}

impl<T, E> EventStream<T, E> {
    /// The ID of the last event read: what a caller that asks for the
    /// stream again sends ([`RequestOptions::last_event_id`]).
    pub fn last_event_id(&self) -> Option<String> {
        self.last_id.lock().ok().and_then(|id| id.clone())
    }
}

impl<T, E> Stream for EventStream<T, E> {
    type Item = Result<Event<T>, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// How an event's data is read: as JSON into a type, or as text.
pub trait EventRead: Sized {
    /// Reads one event's data.
    fn read(data: &str) -> Result<Self, String>;
}

impl EventRead for String {
    fn read(data: &str) -> Result<Self, String> {
        text_data(data)
    }
}

impl EventRead for serde_json::Value {
    fn read(data: &str) -> Result<Self, String> {
        json_data(data)
    }
}

/// JSON lines as they arrive, each read as `T`. A line `T` cannot read is
/// an error item, and the stream goes on; a line past the limit ends it
/// with an error.
pub struct JsonLines<T, E> {
    inner: Items<T, E>,
}

impl<T, E> fmt::Debug for JsonLines<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsonLines")
    }
}

impl<T: DeserializeOwned + Send + 'static, E: Send + 'static> JsonLines<T, E> {
    fn new(mut answer: Answer) -> Self {
        let state = (answer.response.take(), LineSplitter::default(), VecDeque::<Vec<u8>>::new(), 0usize, false, answer.status);
        let inner = futures_util::stream::unfold(state, |(mut response, mut splitter, mut queue, mut line, mut done, status)| async move {
            loop {
                if let Some(text) = queue.pop_front() {
                    line += 1;
                    let item = serde_json::from_slice::<T>(&text).map_err(|e| Error::Decode {
                        status,
                        path: format!("line {line}"),
                        message: e.to_string(),
                        body: String::from_utf8_lossy(&text).into_owned(),
                    });
                    return Some((item, (response, splitter, queue, line, done, status)));
                }
                if done {
                    return None;
                }
                let chunk = match response.as_mut() {
                    Some(r) => r.chunk().await,
                    None => Ok(None),
                };
                match chunk {
                    Ok(Some(bytes)) => {
                        let mut lines = Vec::new();
                        let pushed = splitter.push(&bytes, &mut lines);
                        queue.extend(lines);
                        if let Err(e) = pushed {
                            done = true;
                            queue.clear();
                            return Some((Err(Error::Stream(e)), (response, splitter, queue, line, done, status)));
                        }
                    }
                    Ok(None) => {
                        done = true;
                        queue.extend(splitter.finish());
                    }
                    Err(source) => {
                        done = true;
                        return Some((Err(Error::Transport { source, attempts: 1 }), (response, splitter, queue, line, done, status)));
                    }
                }
            }
        });
        JsonLines { inner: Box::pin(inner) }
    }
}

impl<T, E> Stream for JsonLines<T, E> {
    type Item = Result<T, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

struct PageState<T, P, F> {
    params: P,
    buffer: VecDeque<T>,
    done: bool,
    fetch: F,
}

/// Every item of a paginated list operation, fetching pages as needed.
///
/// Forwards, each next page starts after the last item of the previous one;
/// with `backwards`, each next page ends before the first item of the
/// previous one. Items come in the order the pages list them. The stream
/// ends after a page with `has_more: false`, or after an error.
pub fn paginate<'a, T, E, P, F, Fut>(
    params: P,
    backwards: bool,
    fetch: F,
    set_cursor: impl Fn(&mut P, String) + 'a,
    cursor_of: impl Fn(&T) -> String + 'a,
) -> impl Stream<Item = Result<T, Error<E>>> + 'a
where
    T: 'a,
    E: 'a,
    P: Clone + 'a,
    F: Fn(P) -> Fut + 'a,
    Fut: Future<Output = Result<List<T>, Error<E>>> + 'a,
{
    let state = PageState { params, buffer: VecDeque::new(), done: false, fetch };
    let set_cursor = Arc::new(set_cursor);
    let cursor_of = Arc::new(cursor_of);
    futures_util::stream::unfold(state, move |mut state| {
        let set_cursor = Arc::clone(&set_cursor);
        let cursor_of = Arc::clone(&cursor_of);
        async move {
            loop {
                if let Some(item) = state.buffer.pop_front() {
                    return Some((Ok(item), state));
                }
                if state.done {
                    return None;
                }
                match (state.fetch)(state.params.clone()).await {
                    Ok(page) => {
                        state.done = !page.has_more || page.data.is_empty();
                        let edge = if backwards { page.data.first() } else { page.data.last() };
                        if let Some(edge) = edge {
                            set_cursor(&mut state.params, cursor_of(edge));
                        }
                        state.buffer.extend(page.data);
                    }
                    Err(e) => {
                        state.done = true;
                        return Some((Err(e), state));
                    }
                }
            }
        }
    })
}
