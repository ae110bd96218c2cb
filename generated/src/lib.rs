//! The Checkout Sessions API, typed.
//!
//! A Checkout Session is one attempt by a customer to pay on a hosted
//! checkout page: the shop's server creates it, sends the customer to its
//! `url`, and learns the outcome from the session or from webhook events.
//!
//! - [`types`]: every object, parameter set and enum of the API, with serde.
//!   This is all a crate that only reads or writes the JSON needs.
//! - [`schemas`]: the type of each schema by its JSON pointer in the spec,
//!   for code (such as contract checks) that knows a schema only by its place.
//! - [`runtime`]: the wire helpers the types are built from
//!   ([`Expandable`], [`Nullable`], [`OrEmpty`], [`List`]).
//! - `client` (feature `client`): a typed async client over reqwest, one
//!   method per operation, with retries, idempotency keys and a stream of
//!   every item of a list; `http_client` holds its configuration and error.
//! - `server` (feature `server`): a trait with one method per operation and
//!   a function that turns any implementation into an axum `Router` that
//!   refuses malformed requests with a 400 and the API's error object;
//!   `http_server` holds the request parsing it uses.
//! - [`webhooks`]: the webhook [`webhooks::Event`], one variant per event
//!   type with its typed envelope, `Unknown` for the others.
//! - `signature` (feature `webhooks`): verifying the `Stripe-Signature`
//!   header on the raw body (and signing, for tests); `webhook_receiver`
//!   (with `server` too): an axum extractor that verifies and reads in one step.
//! - `wire` (feature `form`, which `client` and `server` include): form and
//!   query encoding with bracket nesting, both ways.
//!
//! ```
//! use checkout_sessions::types::{CheckoutSession, CheckoutSessionStatus};
//!
//! # let json = include_str!("../tests/data/session.json");
//! let session: CheckoutSession = serde_json::from_str(json)?;
//! assert_eq!(session.status, Some(CheckoutSessionStatus::Open));
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Every module beside this file is generated from `spec/checkout_sessions.yaml`
//! by `cargo xtask codegen`; this file is written by hand.

pub mod runtime;
pub mod schemas;
pub mod types;
pub mod webhooks;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod http_client;
#[cfg(feature = "server")]
pub mod http_server;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "form")]
pub mod wire;
#[cfg(feature = "webhooks")]
pub mod signature;
#[cfg(all(feature = "webhooks", feature = "server"))]
pub mod webhook_receiver;

pub use runtime::{Expandable, List, Nullable, OrEmpty};
