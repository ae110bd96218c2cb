//! Webhook signatures (feature `webhooks`), in the scheme of the
//! `Stripe-Signature` header: `t=<unix time>,v1=<hex HMAC-SHA256>`, the
//! HMAC keyed with the endpoint secret over `"<t>.<raw body>"`. During a
//! secret rotation a header carries one `v1` per secret; any one that
//! matches will do. Other schemes (`v0`) and unknown fields are ignored.
//!
//! [`Verifier`] checks the raw bytes, before any parsing: the header's
//! shape, the signature (compared in constant time), the timestamp's age,
//! and the body's size; [`Verifier::event`] then reads the event. Each
//! failure is its own [`SignatureError`]. [`sign`] and [`signed`] make
//! signed payloads, for tests of a receiver.

use std::fmt;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub const HEADER: &str = "Stripe-Signature";

/// How old (or how far in the future) a timestamp may be, by default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The largest body accepted, by default.
pub const DEFAULT_MAX_BODY: usize = 1 << 20;

/// Why a webhook was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// No signature header came with the body.
    MissingHeader,
    /// The header is not `t=<unix time>,v1=<hex>[,...]`; says what is wrong.
    MalformedHeader(String),
    /// No `v1` signature matches any of the secrets.
    NoMatchingSignature,
    /// The signature matches, but its timestamp is too far from now.
    TimestampOutsideTolerance {
        /// The header's `t`.
        timestamp: i64,
        /// Now, in Unix seconds.
        now: i64,
        /// The tolerance, in seconds.
        tolerance: u64,
    },
    /// The body is larger than the verifier accepts.
    BodyTooLarge {
        /// The body's size (at least), in bytes.
        size: usize,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The signature holds, but the body is not an event this crate reads.
    InvalidEvent(String),
}

impl SignatureError {
    /// A short code for the error, for logs and error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::MissingHeader => "signature_header_missing",
            SignatureError::MalformedHeader(_) => "signature_header_malformed",
            SignatureError::NoMatchingSignature => "signature_mismatch",
            SignatureError::TimestampOutsideTolerance { .. } => "timestamp_outside_tolerance",
            SignatureError::BodyTooLarge { .. } => "body_too_large",
            SignatureError::InvalidEvent(_) => "event_invalid",
        }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::MissingHeader => write!(f, "no `{HEADER}` header"),
            SignatureError::MalformedHeader(why) => write!(f, "malformed `{HEADER}` header: {why}"),
            SignatureError::NoMatchingSignature => {
                write!(f, "no signature matches the body: wrong secret, or the body or timestamp was changed")
            }
            SignatureError::TimestampOutsideTolerance { timestamp, now, tolerance } => write!(
                f,
                "the signature's timestamp {timestamp} is {}s from now ({now}), beyond the tolerance of {tolerance}s",
                (now - timestamp).abs()
            ),
            SignatureError::BodyTooLarge { size, limit } => write!(f, "the body (at least {size} bytes) is larger than {limit} bytes"),
            SignatureError::InvalidEvent(why) => write!(f, "the signed body is not a valid event: {why}"),
        }
    }
}

impl std::error::Error for SignatureError {}

/// A parsed signature header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHeader {
    /// `t`.
    pub timestamp: i64,
    /// Every `v1`, decoded.
    pub signatures: Vec<Vec<u8>>,
}

impl SignatureHeader {
    /// Parses `t=...,v1=...[,v1=...]`. Fields other than `t` and `v1` are
    /// ignored; `t` must appear once, as an integer; at least one `v1` must
    /// be 64 hex digits.
    pub fn parse(header: &str) -> Result<SignatureHeader, SignatureError> {
        let malformed = |why: String| SignatureError::MalformedHeader(why);
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for item in header.split(',') {
            let Some((key, value)) = item.trim().split_once('=') else {
                return Err(malformed(format!("`{}` is not a key=value pair", shown(item))));
            };
            match key {
                "t" => {
                    if timestamp.is_some() {
                        return Err(malformed("`t` is given twice".into()));
                    }
                    let t = value.parse::<i64>().map_err(|_| malformed(format!("`t={}` is not a Unix time", shown(value))))?;
                    timestamp = Some(t);
                }
                "v1" => match decode_hex(value) {
                    Some(bytes) if bytes.len() == 32 => signatures.push(bytes),
                    _ => return Err(malformed(format!("`v1={}` is not 64 hex digits", shown(value)))),
                },
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or_else(|| malformed("no `t=` timestamp".into()))?;
        if signatures.is_empty() {
            return Err(malformed("no `v1=` signature".into()));
        }
        Ok(SignatureHeader { timestamp, signatures })
    }
}

/// At most 40 characters of untrusted text, for messages.
fn shown(text: &str) -> String {
    let short: String = text.chars().take(40).collect();
    if short.len() < text.len() { format!("{short}...") } else { short }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16);
    text.as_bytes().chunks(2).map(|pair| Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8)).collect()
}

fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// HMAC-SHA256 of `"<timestamp>.<body>"` with `secret`. (HMAC takes a key
/// of any length, so there is always one; `None` cannot happen.)
fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Option<[u8; 32]> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac.finalize().into_bytes().into())
}

/// Equality whose time does not depend on where the inputs differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// The hex `v1` signature of a body at a timestamp.
pub fn signature(body: &[u8], secret: &str, timestamp: i64) -> String {
    mac(secret, timestamp, body).map(|m| encode_hex(&m)).unwrap_or_default()
}

/// The header value that signs `body` with `secret` at `timestamp`.
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    format!("t={timestamp},v1={}", signature(body, secret, timestamp))
}

/// An event as JSON bytes and the header that signs them: what an API
/// sends. For tests of a receiver.
pub fn signed<E: serde::Serialize>(event: &E, secret: &str, timestamp: i64) -> Result<(String, Vec<u8>), serde_json::Error> {
    let body = serde_json::to_vec(event)?;
    Ok((sign(&body, secret, timestamp), body))
}

/// Now, in Unix seconds.
fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Checks webhook signatures for one endpoint.
#[derive(Clone)]
pub struct Verifier {
    secrets: Vec<String>,
    tolerance: Duration,
    max_body: usize,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &format_args!("[{} hidden]", self.secrets.len()))
            .field("tolerance", &self.tolerance)
            .field("max_body", &self.max_body)
            .finish()
    }
}

impl Verifier {
    /// A verifier for the endpoint secret `secret` (`whsec_...`), with the
    /// default tolerance and body limit.
    pub fn new(secret: impl Into<String>) -> Verifier {
        Verifier { secrets: vec![secret.into()], tolerance: DEFAULT_TOLERANCE, max_body: DEFAULT_MAX_BODY }
    }

    /// Also accepts signatures made with `secret` (while a secret rotates).
    pub fn with_secret(mut self, secret: impl Into<String>) -> Verifier {
        self.secrets.push(secret.into());
        self
    }

    /// How far a timestamp may be from now.
    pub fn tolerance(mut self, tolerance: Duration) -> Verifier {
        self.tolerance = tolerance;
        self
    }

    /// The largest body accepted, in bytes.
    pub fn max_body(mut self, bytes: usize) -> Verifier {
        self.max_body = bytes;
        self
    }

    /// The largest body accepted, in bytes.
    pub fn body_limit(&self) -> usize {
        self.max_body
    }

    /// Checks `body` against the signature `header` (`None` when the request
    /// had none), now.
    pub fn verify(&self, header: Option<&str>, body: &[u8]) -> Result<SignatureHeader, SignatureError> {
        self.verify_at(header, body, unix_now())
    }

    /// Checks `body` against `header` as if it were `now` (Unix seconds).
    pub fn verify_at(&self, header: Option<&str>, body: &[u8], now: i64) -> Result<SignatureHeader, SignatureError> {
        if body.len() > self.max_body {
            return Err(SignatureError::BodyTooLarge { size: body.len(), limit: self.max_body });
        }
        let header = SignatureHeader::parse(header.ok_or(SignatureError::MissingHeader)?)?;
        let matches = self.secrets.iter().any(|secret| {
            let Some(expected) = mac(secret, header.timestamp, body) else { return false };
            // Every candidate is compared, so the time does not say which matched.
            header.signatures.iter().fold(false, |found, candidate| constant_time_eq(&expected, candidate) | found)
        });
        if !matches {
            return Err(SignatureError::NoMatchingSignature);
        }
        let tolerance = self.tolerance.as_secs();
        if now.abs_diff(header.timestamp) > tolerance {
            return Err(SignatureError::TimestampOutsideTolerance { timestamp: header.timestamp, now, tolerance });
        }
        Ok(header)
    }

    /// Verifies, then reads the body as an event `E` (the generated
    /// `webhooks::Event`, say).
    pub fn event<E: serde::de::DeserializeOwned>(&self, header: Option<&str>, body: &[u8]) -> Result<E, SignatureError> {
        self.event_at(header, body, unix_now())
    }

    /// [`Verifier::event`] as if it were `now`.
    pub fn event_at<E: serde::de::DeserializeOwned>(&self, header: Option<&str>, body: &[u8], now: i64) -> Result<E, SignatureError> {
        self.verify_at(header, body, now)?;
        serde_json::from_slice(body).map_err(|e| SignatureError::InvalidEvent(e.to_string()))
    }
}
