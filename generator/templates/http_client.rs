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

use super::runtime::{List, Nullable};
use super::wire::{self, Credential, EncodeError, KeyPlace, Scheme, SchemeKind, Security, Style};

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
}

impl<E> Error<E> {
    /// The HTTP status, if there was a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::Decode { status, .. }
            | Error::TooLarge { status, .. } => Some(*status),
            Error::Transport { .. } | Error::Encode(_) => None,
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
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Encode(e) => Some(e),
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
}

/// One request, built by the generated client methods.
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    cookies: Vec<(String, String)>,
    body: Body,
    security: Security,
}

/// Percent-encodes a path parameter (everything but unreserved characters).
pub fn path_param<T: Serialize + ?Sized>(value: &T) -> Result<String, EncodeError> {
    let mut pairs = Vec::new();
    wire::encode_param("", value, Style::Form, false, &mut pairs)?;
    let text = pairs.into_iter().map(|(_, v)| v).collect::<Vec<_>>().join(",");
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(out)
}

impl Request {
    /// A request to `path` (already holding its encoded path parameters).
    pub fn new(method: Method, path: String) -> Self {
        Request { method, path, query: Vec::new(), headers: Vec::new(), cookies: Vec::new(), body: Body::Empty, security: &[] }
    }

    /// What the operation takes to call: the client sends the credentials
    /// of the first requirement it has every credential for.
    pub fn security(&mut self, security: Security) {
        self.security = security;
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
        encode_pairs(&self.query)
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

    /// Sends `request` and decodes a success body as `T`, an error body as `E`.
    pub async fn send<T: DeserializeOwned, E: DeserializeOwned>(
        &self,
        request: Request,
        options: &RequestOptions,
    ) -> Result<T, Error<E>> {
        let (status, request_id, body) = self.execute(request, options).await?;
        decode(status, request_id, &body)
    }

    /// Sends `request` and expects a success without a body.
    pub async fn send_empty<E: DeserializeOwned>(&self, request: Request, options: &RequestOptions) -> Result<(), Error<E>> {
        let (status, request_id, body) = self.execute(request, options).await?;
        if (200..300).contains(&status) { Ok(()) } else { Err(error_of(status, request_id, &body)) }
    }

    /// Sends with retries; answers with the last response's status,
    /// `Request-Id` and body.
    async fn execute<E>(&self, mut request: Request, options: &RequestOptions) -> Result<(u16, Option<String>, Vec<u8>), Error<E>> {
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
        let url = if request.query.is_empty() {
            format!("{}{}", config.base_url, request.path)
        } else {
            format!("{}{}?{}", config.base_url, request.path, encode_pairs(&request.query))
        };
        let idempotency_key = match (&options.idempotency_key, request.method == Method::POST) {
            (Some(key), _) => Some(key.clone()),
            (None, true) => Some(new_idempotency_key()),
            (None, false) => None,
        };
        let (content_type, body) = match &request.body {
            Body::Empty => (None, Vec::new()),
            Body::Form(pairs) => (Some("application/x-www-form-urlencoded"), encode_pairs(pairs).into_bytes()),
            Body::Json(map) => (Some("application/json"), serde_json::to_vec(map).unwrap_or_default()),
            Body::RawJson(bytes) => (Some("application/json"), bytes.clone()),
        };
        let max_retries = options.max_retries.unwrap_or(config.max_retries);
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
            for (name, value) in request.headers.iter().chain(&options.headers) {
                builder = builder.header(name.as_str(), value.as_str());
            }
            if !request.cookies.is_empty() {
                builder = builder.header("Cookie", cookie_header(&request.cookies));
            }
            if let Some(content_type) = content_type {
                builder = builder.header("Content-Type", content_type).body(body.clone());
            }
            let last = attempt > max_retries;
            match builder.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get("Retry-After")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let request_id =
                        response.headers().get("Request-Id").and_then(|v| v.to_str().ok()).map(str::to_owned);
                    if retryable(status) && !last {
                        drop(response);
                        tokio::time::sleep(self.backoff(attempt, retry_after)).await;
                        continue;
                    }
                    return match read_limited(response, config.max_response_bytes).await {
                        Ok(Some(bytes)) => Ok((status, request_id, bytes)),
                        Ok(None) => Err(Error::TooLarge { status, limit: config.max_response_bytes }),
                        Err(source) if !last => {
                            let _ = source;
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
