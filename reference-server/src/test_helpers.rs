//! Routes that exist only on this test double, not in the API:
//!
//! `POST /v1/test_helpers/checkout/sessions/{session}/complete` completes an
//! open session as if the customer had paid (or saved a payment method, in
//! `setup` mode): status `complete`, `payment_status: paid`, and the
//! PaymentIntent, SetupIntent or Subscription the mode creates.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use checkout_sessions::http_server;
use checkout_sessions::server::{CheckoutSessionsApi, operations};

use crate::ReferenceServer;

/// The path of the completion route.
pub const COMPLETE: &str = "/v1/test_helpers/checkout/sessions/{session}/complete";

/// The test-helper routes.
pub fn router(server: Arc<ReferenceServer>) -> Router {
    Router::new().route(COMPLETE, axum::routing::post(complete)).with_state(server)
}

async fn complete(State(server): State<Arc<ReferenceServer>>, Path(session): Path<String>, headers: HeaderMap) -> Response {
    // The credentials every operation of the API takes.
    let security = checkout_sessions::security::requirements::EXPIRE_CHECKOUT_SESSION;
    if http_server::authorize(security, &headers, None, |c| server.authenticate("CompleteCheckoutSession", c)).is_none() {
        return http_server::unauthorized(security, operations::REALM, |r| server.rejection(r));
    }
    match server.complete(&session) {
        Ok(session) => http_server::respond(200, &session),
        Err(failure) => http_server::respond(failure.status, &failure.body),
    }
}
