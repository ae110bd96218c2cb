//! Shared by the HTTP tests: a reference server on 127.0.0.1 and a client
//! of it, and raw requests for what the typed client cannot send.

#![allow(dead_code)]

pub mod python;
pub mod wire;
pub mod types;
pub mod workflows;

use std::time::Duration;

use checkout_sessions::client::Client;
use checkout_sessions::http_client::HttpClient;
use checkout_sessions::types::*;
use reference_server::{Config, DEFAULT_API_KEY, Running};

/// A reference server and a client of it.
pub struct Harness {
    pub server: Running,
    pub client: Client,
}

pub async fn harness(config: Config) -> Harness {
    let server = reference_server::spawn(config).await.expect("the server starts");
    let http = HttpClient::builder(server.url())
        .api_key(DEFAULT_API_KEY)
        .max_retries(0)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("the client starts");
    Harness { client: Client::from_http(http), server }
}

/// Create params for one line of a catalog price.
pub fn one_shirt(quantity: i64) -> CreateCheckoutSessionParams {
    CreateCheckoutSessionParams::new(CheckoutSessionMode::Payment)
        .success_url("https://example.com/success")
        .line_items(vec![
            CreateCheckoutSessionLineItems::default().price("price_1MotwRLkdIwHu7ixYcPLm5uZ").quantity(quantity),
        ])
}

/// A raw request, for what the typed client cannot send.
pub async fn raw(
    method: reqwest::Method,
    url: &str,
    key: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type).body(body.to_owned());
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

/// What a progress display is told: each phase with its length, and the
/// steps begun in it.
#[derive(Default)]
pub struct Recorded(std::sync::Mutex<Vec<(String, u64, u64)>>);

impl openapi_contract::progress::Observer for Recorded {
    fn phase(&self, what: &str, total: u64) {
        self.0.lock().unwrap().push((what.to_owned(), total, 0));
    }

    fn step(&self) {
        let mut phases = self.0.lock().unwrap();
        let last = phases.last_mut().expect("a step outside any phase");
        last.2 += 1;
        assert!(last.2 <= last.1, "more steps than the phase announced: {last:?}");
    }
}

impl Recorded {
    /// The phases told so far: name, announced length, steps begun.
    pub fn phases(&self) -> Vec<(String, u64, u64)> {
        self.0.lock().unwrap().clone()
    }
}
