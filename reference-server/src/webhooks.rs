//! Events the server sends. When a session expires (by the expire
//! operation, or by its `expires_at` passing) or is completed (through the
//! test-helper route), a `checkout.session.*` event is signed with each
//! endpoint's secret and POSTed to every endpoint configured, in the
//! background, retried with exponential backoff until it is answered with a
//! 2xx or the attempts run out. Every delivery is recorded.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use checkout_sessions::signature;
use checkout_sessions::types::{
    CheckoutSession, CheckoutSessionEvent, CheckoutSessionEventData, CheckoutSessionEventObject, CheckoutSessionEventType,
    EventRequest,
};

use crate::ids;

/// Where events go.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// An `http://` URL.
    pub url: String,
    /// The endpoint's signing secret (`whsec_...`).
    pub secret: String,
}

impl fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookEndpoint").field("url", &self.url).field("secret", &"***").finish()
    }
}

/// How deliveries are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retries {
    /// Attempts after the first.
    pub retries: u32,
    /// The wait before the first retry; each next wait doubles.
    pub backoff: Duration,
}

impl Default for Retries {
    fn default() -> Self {
        Retries { retries: 5, backoff: Duration::from_millis(500) }
    }
}

/// One event's delivery to one endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// `evt_...`.
    pub event: String,
    /// `checkout.session.expired`, ...
    pub event_type: String,
    /// The endpoint.
    pub url: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// The last status the endpoint answered, if it answered.
    pub last_status: Option<u16>,
    /// Whether an attempt was answered with a 2xx.
    pub delivered: bool,
}

/// What is sent, to whom, and what came of it.
#[derive(Debug)]
pub(crate) struct Outbox {
    endpoints: Vec<WebhookEndpoint>,
    retries: Retries,
    client: reqwest::Client,
    log: Arc<Mutex<Vec<Delivery>>>,
}

impl Outbox {
    pub(crate) fn new(endpoints: Vec<WebhookEndpoint>, retries: Retries) -> Outbox {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        Outbox { endpoints, retries, client, log: Arc::default() }
    }

    /// Every delivery so far.
    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Sends an event about `session` to every endpoint, in the background.
    /// `request` names the API request that caused it, with its
    /// idempotency key. Without a Tokio runtime there is nothing to send
    /// with, and nothing is sent.
    pub(crate) fn emit(&self, kind: CheckoutSessionEventType, session: &CheckoutSession, request: Option<Option<String>>, now: i64) {
        if self.endpoints.is_empty() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let event = CheckoutSessionEvent {
            id: ids::new_id("evt_", 24),
            object: CheckoutSessionEventObject::Event,
            api_version: Some(crate::API_VERSION.to_owned()),
            created: now,
            data: CheckoutSessionEventData { object: session.clone(), previous_attributes: None },
            livemode: false,
            pending_webhooks: self.endpoints.len() as i64,
            request: request.map(|idempotency_key| EventRequest { id: Some(ids::new_id("req_", 14)), idempotency_key }),
            r#type: kind,
        };
        let Ok(body) = serde_json::to_vec(&event) else { return };
        for endpoint in &self.endpoints {
            let delivery = Delivery {
                event: event.id.clone(),
                event_type: event.r#type.as_str().to_owned(),
                url: endpoint.url.clone(),
                attempts: 0,
                last_status: None,
                delivered: false,
            };
            let at = {
                let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
                log.push(delivery);
                log.len() - 1
            };
            let (client, log, endpoint, body, retries) = (self.client.clone(), Arc::clone(&self.log), endpoint.clone(), body.clone(), self.retries);
            runtime.spawn(async move { deliver(client, endpoint, body, retries, log, at).await });
        }
    }
}

async fn deliver(client: reqwest::Client, endpoint: WebhookEndpoint, body: Vec<u8>, retries: Retries, log: Arc<Mutex<Vec<Delivery>>>, at: usize) {
    let mut wait = retries.backoff;
    for attempt in 1..=retries.retries + 1 {
        // Signed at the moment of sending, by the real clock, as receivers check.
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let header = signature::sign(&body, &endpoint.secret, now);
        let answer = client
            .post(&endpoint.url)
            .header("Content-Type", "application/json")
            .header(signature::HEADER, header)
            .body(body.clone())
            .send()
            .await;
        let status = answer.as_ref().ok().map(|r| r.status().as_u16());
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        if let Some(record) = log.lock().unwrap_or_else(|p| p.into_inner()).get_mut(at) {
            record.attempts = attempt;
            record.last_status = status;
            record.delivered = delivered;
        }
        if delivered {
            return;
        }
        if attempt <= retries.retries {
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
        }
    }
}
