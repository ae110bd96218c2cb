//! A stateful, in-memory Checkout Sessions server, written against the
//! generated `CheckoutSessionsApi` trait: a local test double for crates
//! that call the API.
//!
//! It creates, stores, lists, paginates and expires sessions as the API
//! describes them, computes amounts from line items, checks the business
//! rules the spec cannot express (line items per mode, `expires_at` within
//! 30 minutes to 24 hours, one cursor at a time, ...), honours `expand[]`
//! and `Idempotency-Key`, and answers every error with the API's error
//! object. Everything the spec itself forbids is refused by the generated
//! router before it reaches this code.
//!
//! One route is not part of the API: `POST
//! /v1/test_helpers/checkout/sessions/{session}/complete` completes a
//! session as if the customer had paid (see [`test_helpers`]).
//!
//! With [`Config::webhooks`], the server sends signed `checkout.session.*`
//! events when a session expires or completes ([`webhooks`]).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let running = reference_server::spawn(reference_server::Config::default()).await?;
//! println!("serving on {}", running.url());
//! # Ok(()) }
//! ```

mod api;
mod create;
mod ids;
mod store;
pub mod test_helpers;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use api::ReferenceServer;
pub use webhooks::{Delivery, Retries, WebhookEndpoint};

/// The API version the server speaks, named in the events it sends.
pub const API_VERSION: &str = "2024-06-20";

/// The test prices every server knows, besides those made with `price_data`.
pub const CATALOG: &[CatalogPrice] = &[
    CatalogPrice {
        id: "price_1MotwRLkdIwHu7ixYcPLm5uZ",
        product: "prod_NWjs8kKbJWmuuc",
        name: "T-shirt",
        currency: "usd",
        unit_amount: 1099,
        recurring: None,
    },
    CatalogPrice {
        id: "price_1N4AEsLkdIwHu7ix7Ssho8Cl",
        product: "prod_NppuJWzzNnD5Ut",
        name: "Hoodie",
        currency: "usd",
        unit_amount: 4500,
        recurring: None,
    },
    CatalogPrice {
        id: "price_monthly_support",
        product: "prod_support_plan",
        name: "Support plan",
        currency: "usd",
        unit_amount: 2000,
        recurring: Some("month"),
    },
];

/// A stored price a line item can name with `price`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogPrice {
    /// `price_...`.
    pub id: &'static str,
    /// `prod_...`.
    pub product: &'static str,
    /// The product's name, which line items show as their description.
    pub name: &'static str,
    /// Lowercase ISO currency code.
    pub currency: &'static str,
    /// Minor units.
    pub unit_amount: i64,
    /// `day`, `week`, `month` or `year` for a recurring price.
    pub recurring: Option<&'static str>,
}

/// The current time in Unix seconds, replaceable in tests.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock { fixed: None }
    }

    /// A clock that stands at `now` until [`Clock::set`] moves it.
    pub fn manual(now: i64) -> Self {
        Clock { fixed: Some(Arc::new(AtomicI64::new(now))) }
    }

    /// Moves a manual clock (no effect on the system clock).
    pub fn set(&self, now: i64) {
        if let Some(fixed) = &self.fixed {
            fixed.store(now, Ordering::SeqCst);
        }
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        match &self.fixed {
            Some(fixed) => fixed.load(Ordering::SeqCst),
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        }
    }
}

/// How a server behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// The API keys accepted as Bearer tokens.
    pub api_keys: Vec<String>,
    /// The base of the checkout page URLs the sessions carry.
    pub checkout_url: String,
    /// The clock.
    pub clock: Clock,
    /// Where events are sent.
    pub webhooks: Vec<WebhookEndpoint>,
    /// How event deliveries are retried.
    pub retries: Retries,
    /// How often sessions are checked for a passed `expires_at`.
    pub sweep_every: std::time::Duration,
    /// Break the contract on purpose (`--misbehave`), for checking the
    /// checkers: see [`misbehave`].
    pub misbehave: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_keys: vec![DEFAULT_API_KEY.to_owned()],
            checkout_url: "https://checkout.example.com/c/pay".into(),
            clock: Clock::system(),
            webhooks: Vec::new(),
            retries: Retries::default(),
            sweep_every: std::time::Duration::from_secs(1),
            misbehave: false,
        }
    }
}

/// The key a server accepts unless configured otherwise.
pub const DEFAULT_API_KEY: &str = "sk_test_reference";

/// A server running on a port of 127.0.0.1.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state, for tests that look inside.
    pub server: Arc<ReferenceServer>,
    task: JoinHandle<()>,
}

impl Running {
    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The API's routes (the generated router) and the test helpers.
pub fn router(server: Arc<ReferenceServer>) -> axum::Router {
    test_helpers::router(Arc::clone(&server)).merge(checkout_sessions::server::router(server))
}

/// Serves `server` on `listener` until the task is dropped, expiring
/// sessions whose `expires_at` passes (and sending their events) as time
/// goes on.
pub async fn serve(server: Arc<ReferenceServer>, listener: TcpListener) -> std::io::Result<()> {
    serve_with(server, listener, None).await
}

/// [`serve`], over TLS when `tls` is given (see [`tls_config`]).
pub async fn serve_with(server: Arc<ReferenceServer>, listener: TcpListener, tls: Option<Arc<rustls::ServerConfig>>) -> std::io::Result<()> {
    let sweeper = {
        let server = Arc::clone(&server);
        async move {
            let mut ticks = tokio::time::interval(server.config().sweep_every);
            loop {
                ticks.tick().await;
                server.sweep();
            }
        }
    };
    let app = router(Arc::clone(&server));
    let app = if server.config().misbehave { misbehave(app) } else { app };
    let served = async move {
        match tls {
            None => checkout_sessions::server::serve_router(listener, app, server).await,
            Some(tls) => serve_tls(listener, app, server, tokio_rustls::TlsAcceptor::from(tls)).await,
        }
    };
    tokio::select! {
        served = served => served,
        () = sweeper => Ok(()),
    }
}

/// How long a client may take over the TLS handshake.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The generated server's connection handling (and its guard) over TLS: the
/// generated `serve_connection` takes any byte stream.
async fn serve_tls(listener: TcpListener, app: axum::Router, server: Arc<ReferenceServer>, acceptor: tokio_rustls::TlsAcceptor) -> std::io::Result<()> {
    use checkout_sessions::server::CheckoutSessionsApi;
    use checkout_sessions::http_server::{Refuse, accept, respond, serve_connection};
    let refuse: Refuse = Arc::new(move |rejection| respond(rejection.status, &server.rejection(rejection)));
    loop {
        let stream = accept(&listener).await?;
        let (acceptor, app, refuse) = (acceptor.clone(), app.clone(), Arc::clone(&refuse));
        tokio::spawn(async move {
            // A failed or stalled handshake just ends the connection: there
            // is no channel yet to answer on.
            if let Ok(Ok(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                serve_connection(tls, app, refuse).await;
            }
        });
    }
}

/// A TLS configuration from a PEM certificate chain and a PEM private key
/// (PKCS#8, PKCS#1 or SEC1), offering HTTP/1.1.
pub fn tls_config(cert: &std::path::Path, key: &std::path::Path) -> Result<Arc<rustls::ServerConfig>, String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("--tls-cert {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("--tls-cert {}: no PEM certificate in it", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("--tls-key {}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("--tls-cert/--tls-key: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The API's routes, breaking the contract in two ways that any contract
/// checker must catch: a retrieved session's `amount_total` is a string,
/// and a list request the spec forbids is answered 200 with an empty page.
/// Not for integrations: for checking the checkers (`cargo xtask respect`).
pub fn misbehave(app: axum::Router) -> axum::Router {
    app.layer(axum::middleware::from_fn(|request: axum::extract::Request, next: axum::middleware::Next| async move {
        let path = request.uri().path().to_owned();
        let method = request.method().clone();
        let response = next.run(request).await;
        let (mut parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        let retrieve = method == axum::http::Method::GET && path.starts_with("/v1/checkout/sessions/cs_") && path.matches('/').count() == 4;
        if retrieve && json.get("amount_total").is_some() {
            json["amount_total"] = serde_json::Value::String(json["amount_total"].to_string());
        }
        if method == axum::http::Method::GET && path == "/v1/checkout/sessions" && parts.status == axum::http::StatusCode::BAD_REQUEST {
            parts.status = axum::http::StatusCode::OK;
            json = serde_json::json!({"object": "list", "data": [], "has_more": false, "url": "/v1/checkout/sessions"});
        }
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        axum::response::Response::from_parts(parts, axum::body::Body::from(serde_json::to_vec(&json).unwrap_or_default()))
    }))
}

/// Starts a server on an ephemeral port of 127.0.0.1.
pub async fn spawn(config: Config) -> std::io::Result<Running> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let server = Arc::new(ReferenceServer::new(config));
    let task = tokio::spawn({
        let server = Arc::clone(&server);
        async move {
            let _ = serve(server, listener).await;
        }
    });
    Ok(Running { addr, server, task })
}
