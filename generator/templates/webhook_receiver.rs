//! Receiving webhooks with axum (features `webhooks` and `server`): the
//! [`VerifiedEvent`] extractor reads the raw body, verifies its signature
//! and reads the event in one step, and answers a failure itself: 400 (413
//! for a body over the limit) with `{"error": {"type", "code", "message"}}`.
//!
//! ```ignore
//! async fn receive(VerifiedEvent(event): VerifiedEvent<Event>) -> StatusCode { ... }
//! let app = Router::new().route("/webhooks", post(receive)).with_state(Verifier::new("whsec_..."));
//! ```
//! The state gives the [`Verifier`]: the verifier itself, or any state
//! from which `Verifier: FromRef` takes it.

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::signature::{HEADER, SignatureError, Verifier};

/// An event whose signature held, read into `E`.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedEvent<E>(pub E);

/// Why a webhook request was refused, as a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub SignatureError);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let status = match self.0 {
            SignatureError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        let body = serde_json::json!({"error": {
            "type": "invalid_request_error",
            "code": self.0.code(),
            "message": self.0.to_string(),
        }});
        (status, [("Content-Type", "application/json")], body.to_string()).into_response()
    }
}

impl<S, E> FromRequest<S> for VerifiedEvent<E>
where
    S: Send + Sync,
    Verifier: FromRef<S>,
    E: serde::de::DeserializeOwned,
{
    type Rejection = Refused;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Verifier::from_ref(state);
        let header = request.headers().get(HEADER).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let limit = verifier.body_limit();
        let declared = request.headers().get("content-length").and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        if let Some(size) = declared.filter(|size| *size > limit) {
            return Err(Refused(SignatureError::BodyTooLarge { size, limit }));
        }
        let body = axum::body::to_bytes(request.into_body(), limit).await.map_err(|e| {
            // A body without a length announced stops at the limit.
            if e.to_string().contains("length limit") {
                Refused(SignatureError::BodyTooLarge { size: limit + 1, limit })
            } else {
                Refused(SignatureError::InvalidEvent(format!("the body could not be read: {e}")))
            }
        })?;
        verifier.event(header.as_deref(), &body).map(VerifiedEvent).map_err(Refused)
    }
}
