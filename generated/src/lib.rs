//! The Checkout Sessions API, typed.
//!
//! A Checkout Session is one attempt by a customer to pay on a hosted
//! checkout page: the shop's server creates it, sends the customer to its
//! `url`, and learns the outcome from the session or from webhook events.
//!
//! - [`types`]: every object, parameter set and enum of the API, with serde.
//!   This is all a crate that only reads or writes the JSON needs.
//! - [`runtime`]: the wire helpers the types are built from
//!   ([`Expandable`], [`Nullable`], [`OrEmpty`], [`List`]).
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
//! `types.rs` and `runtime.rs` are generated from `spec/checkout_sessions.yaml`
//! by `cargo xtask codegen`; this file is written by hand.

pub mod runtime;
pub mod types;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod http_client;
#[cfg(feature = "server")]
pub mod http_server;
#[cfg(feature = "server")]
pub mod server;
#[cfg(any(feature = "client", feature = "server"))]
pub mod wire;

pub use runtime::{Expandable, List, Nullable, OrEmpty};
