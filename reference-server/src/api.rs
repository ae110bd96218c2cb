//! The generated server trait, implemented over the in-memory store.

use std::sync::RwLock;

use checkout_sessions::runtime::shown;
use checkout_sessions::http_server::{Credentials, Rejection, RejectionKind, RequestContext};
use checkout_sessions::wire::Credential;
use checkout_sessions::runtime::{List, Nullable};
use checkout_sessions::server::{ApiError, CheckoutSessionsApi, Failure};
use checkout_sessions::types::*;

use checkout_sessions::Expandable;

use crate::webhooks::{Delivery, Outbox};
use crate::{Config, ids};
use crate::create::{self, error, invalid, no_such};
use crate::store::{Cursor, Remembered, Store, Stored, paginate};

/// How many line items an expanded session shows.
const EXPANDED_LINE_ITEMS: usize = 10;

/// The server: configuration and state. Thread-safe.
#[derive(Debug)]
pub struct ReferenceServer {
    config: Config,
    store: RwLock<Store>,
    outbox: Outbox,
}

impl ReferenceServer {
    /// An empty server.
    pub fn new(config: Config) -> Self {
        let outbox = Outbox::new(config.webhooks.clone(), config.retries);
        ReferenceServer { config, store: RwLock::new(Store::default()), outbox }
    }

    /// Every event delivery so far, in the order the events happened.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.outbox.deliveries()
    }

    /// Expires the open sessions whose `expires_at` has passed, sending
    /// their events. The server does it before every request and, while it
    /// serves, every [`Config::sweep_every`].
    pub fn sweep(&self) {
        self.expire_due();
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// How many sessions exist.
    pub fn session_count(&self) -> usize {
        self.read().len()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Expires open sessions whose `expires_at` has passed.
    fn expire_due(&self) {
        let now = self.config.clock.now();
        if !self.read().deadline_passed(now) {
            return;
        }
        let mut expired = Vec::new();
        self.write().take_due(now, |stored| {
            if stored.session.status == Some(CheckoutSessionStatus::Open) {
                expire(&mut stored.session);
                expired.push(stored.session.clone());
            }
        });
        // Events go out after the store is released.
        for session in expired {
            self.outbox.emit(CheckoutSessionEventType::CheckoutSessionExpired, &session, None, now);
        }
    }

    /// The session as answered: with line items when `expand[]` asks.
    fn render(stored: &Stored, expand_line_items: bool) -> CheckoutSession {
        let mut session = stored.session.clone();
        if expand_line_items {
            let page = paginate(&stored.items, Cursor::Start, EXPANDED_LINE_ITEMS);
            session.line_items = Nullable::Value(List {
                data: page.data,
                has_more: page.has_more,
                url: format!("/v1/checkout/sessions/{}/line_items", session.id),
            });
        }
        session
    }

    /// Completes an open session as if the customer had paid: what the
    /// test-only completion route does.
    pub fn complete(&self, id: &str) -> Result<CheckoutSession, Failure> {
        self.expire_due();
        let mut store = self.write();
        let stored = store.get_mut(id).ok_or_else(|| no_such("checkout.session", id, "session"))?;
        let session = &mut stored.session;
        if session.status != Some(CheckoutSessionStatus::Open) {
            return Err(invalid(
                "checkout_session_not_open",
                Some("session"),
                "Only a Checkout Session in status `open` can be completed.",
            ));
        }
        session.status = Some(CheckoutSessionStatus::Complete);
        session.url = None;
        session.payment_status = match session.mode {
            CheckoutSessionMode::Setup => CheckoutSessionPaymentStatus::NoPaymentRequired,
            _ => CheckoutSessionPaymentStatus::Paid,
        };
        match session.mode {
            CheckoutSessionMode::Payment => session.payment_intent = Some(Expandable::Id(ids::new_id("pi_", 24))),
            CheckoutSessionMode::Setup => session.setup_intent = Some(Expandable::Id(ids::new_id("seti_", 24))),
            CheckoutSessionMode::Subscription => session.subscription = Some(Expandable::Id(ids::new_id("sub_", 24))),
            CheckoutSessionMode::Unknown(_) => {}
        }
        if session.customer.is_none() {
            session.customer = Some(Expandable::Id(ids::new_id("cus_", 14)));
        }
        session.customer_details = Some(CheckoutSessionCustomerDetails {
            address: None,
            email: Some(session.customer_email.clone().unwrap_or_else(|| "customer@example.com".into())),
            name: None,
            phone: None,
            tax_exempt: Some(CheckoutSessionCustomerDetailsTaxExempt::None),
            tax_ids: Some(Vec::new()),
        });
        let completed = stored.session.clone();
        drop(store);
        let now = self.config.clock.now();
        self.outbox.emit(CheckoutSessionEventType::CheckoutSessionCompleted, &completed, Some(None), now);
        Ok(completed)
    }

    /// Runs `create` once per idempotency key: a replay gets the first
    /// answer; the same key with other params is an error.
    fn idempotent(
        &self,
        operation: &str,
        context: &RequestContext,
        fingerprint: String,
        run: impl FnOnce() -> Result<CheckoutSession, Failure>,
    ) -> Result<CheckoutSession, Failure> {
        let Some(key) = &context.idempotency_key else { return run() };
        if let Some(answer) = self.read().remembered(operation, key) {
            return replay(answer, &fingerprint);
        }
        let result = run();
        let (status, body) = match &result {
            Ok(session) => (200, serde_json::to_string(session).unwrap_or_default()),
            Err(failure) => (failure.status, serde_json::to_string(&failure.body).unwrap_or_default()),
        };
        let mut store = self.write();
        // Another request with the same key may have won the race.
        if let Some(answer) = store.remembered(operation, key) {
            return replay(answer, &fingerprint);
        }
        store.remember(operation, key, Remembered { fingerprint, status, body });
        result
    }
}

fn replay(answer: &Remembered, fingerprint: &str) -> Result<CheckoutSession, Failure> {
    if answer.fingerprint != fingerprint {
        return Err(error(
            400,
            ApiErrorType::IdempotencyError,
            "idempotency_key_in_use",
            None,
            "Keys for idempotent requests can only be used with the same parameters they were first used with.",
        ));
    }
    if answer.status == 200 {
        serde_json::from_str(&answer.body).map_err(|e| invalid("internal", None, e.to_string()))
    } else {
        let body: Error = serde_json::from_str(&answer.body).map_err(|e| invalid("internal", None, e.to_string()))?;
        Err(Failure::new(answer.status, body))
    }
}

fn expire(session: &mut CheckoutSession) {
    session.status = Some(CheckoutSessionStatus::Expired);
    session.url = None;
}

/// Checks `expand[]` against what can be expanded here; answers whether
/// line items are asked for.
fn expansions<T: std::fmt::Display>(expand: &Option<Vec<T>>, prefix: &str) -> Result<bool, Failure> {
    let mut line_items = false;
    for (i, path) in expand.iter().flatten().map(T::to_string).enumerate() {
        if path == format!("{prefix}line_items") {
            line_items = true;
        } else {
            return Err(invalid(
                "parameter_invalid",
                Some(&format!("expand[{i}]")),
                format!("This property cannot be expanded (`{}`).", shown(&path)),
            ));
        }
    }
    Ok(line_items)
}

/// Where a cursor pair points in a list, given each ID's position.
fn cursor(
    starting_after: &Option<String>,
    ending_before: &Option<String>,
    position_of: impl Fn(&str) -> Option<usize>,
) -> Result<Cursor, Failure> {
    match (starting_after, ending_before) {
        (Some(_), Some(_)) => Err(both_cursors()),
        (Some(id), None) => position_of(id).map(Cursor::After).ok_or_else(|| no_such_cursor(id, "starting_after")),
        (None, Some(id)) => position_of(id).map(Cursor::Before).ok_or_else(|| no_such_cursor(id, "ending_before")),
        (None, None) => Ok(Cursor::Start),
    }
}

fn both_cursors() -> Failure {
    invalid(
        "parameter_invalid",
        Some("ending_before"),
        "You may only specify one of these parameters: starting_after, ending_before.",
    )
}

/// A cursor naming nothing: 404 with `resource_missing`, as every other
/// reference to a missing object here (schemathesis found it answered
/// 400, a status for requests the spec forbids, though this one is valid).
fn no_such_cursor(id: &str, param: &str) -> Failure {
    crate::create::no_such("object", id, param)
}

fn matches(session: &CheckoutSession, params: &ListCheckoutSessionsParams) -> bool {
    let created = match &params.created {
        None => true,
        Some(ListCheckoutSessionsCreated::Integer(at)) => session.created == *at,
        Some(ListCheckoutSessionsCreated::RangeQuerySpecs(range)) => {
            range.gt.is_none_or(|v| session.created > v)
                && range.gte.is_none_or(|v| session.created >= v)
                && range.lt.is_none_or(|v| session.created < v)
                && range.lte.is_none_or(|v| session.created <= v)
        }
    };
    created
        && same_id(&params.customer, &session.customer)
        && same_id(&params.payment_intent, &session.payment_intent)
        && same_id(&params.payment_link, &session.payment_link)
        && same_id(&params.subscription, &session.subscription)
        && params.status.as_ref().is_none_or(|s| session.status.as_ref().map(|x| x.as_str()) == Some(s.as_str()))
        && params.customer_details.as_ref().is_none_or(|d| {
            let email = session.customer_details.as_ref().and_then(|c| c.email.as_deref());
            email.or(session.customer_email.as_deref()) == Some(d.email.as_str())
        })
}

/// No filter, or a filter naming the ID the field holds.
fn same_id<T>(filter: &Option<String>, field: &Option<checkout_sessions::Expandable<T>>) -> bool {
    filter.as_ref().is_none_or(|wanted| field.as_ref().and_then(|e| e.id()) == Some(wanted.as_str()))
}

fn limit(limit: Option<i64>) -> usize {
    limit.map_or(10, |l| l.clamp(1, 100) as usize)
}

impl CheckoutSessionsApi for ReferenceServer {
    /// A secret key of the server's, as a Bearer token or as the user of
    /// HTTP Basic with an empty password (`curl -u sk_test_...:`).
    fn authenticate(&self, _operation: &str, credentials: &Credentials) -> bool {
        let known = |key: &str| self.config.api_keys.iter().any(|k| k == key);
        credentials.iter().all(|found| match &found.credential {
            Credential::Secret(key) => known(key),
            Credential::Basic { user, password } => password.is_empty() && known(user),
        })
    }

    fn rejection(&self, rejection: &Rejection) -> ApiError {
        let code = match rejection.kind {
            RejectionKind::Unauthorized => "api_key_invalid",
            RejectionKind::NotFound => "resource_missing",
            RejectionKind::MethodNotAllowed => "method_not_allowed",
            RejectionKind::MissingParam => "parameter_missing",
            RejectionKind::UnknownParam => "parameter_unknown",
            RejectionKind::InvalidParam => "parameter_invalid",
            RejectionKind::MalformedBody => "body_malformed",
            RejectionKind::UnsupportedMediaType => "content_type_unsupported",
            RejectionKind::PayloadTooLarge => "body_too_large",
            RejectionKind::UriTooLong => "uri_too_long",
            RejectionKind::HeadersTooLarge => "headers_too_large",
            RejectionKind::MalformedRequest => "request_malformed",
        };
        create::invalid(code, rejection.param.as_deref(), rejection.message.clone()).body.as_ref().clone()
    }

    async fn list_checkout_sessions(
        &self,
        params: ListCheckoutSessionsParams,
        _context: RequestContext,
    ) -> Result<CheckoutSessionList, Failure> {
        let expand = expansions(&params.expand, "data.")?;
        self.expire_due();
        let store = self.read();
        // A cursor marks a place in the newest-first order, so it may name
        // a session the filters leave out.
        let position = |id: &str, param: &str| store.position(id).ok_or_else(|| no_such_cursor(id, param));
        let cursor = match (&params.starting_after, &params.ending_before) {
            (Some(_), Some(_)) => return Err(both_cursors()),
            (Some(id), None) => Cursor::After(position(id, "starting_after")?),
            (None, Some(id)) => Cursor::Before(position(id, "ending_before")?),
            (None, None) => Cursor::Start,
        };
        let page = store.page(cursor, limit(params.limit), |s| matches(&s.session, &params));
        Ok(List {
            data: page.data.into_iter().map(|s| Self::render(s, expand)).collect(),
            has_more: page.has_more,
            url: "/v1/checkout/sessions".into(),
        })
    }

    async fn create_checkout_session(
        &self,
        params: CreateCheckoutSessionParams,
        context: RequestContext,
    ) -> Result<CheckoutSession, Failure> {
        let expand = expansions(&params.expand, "")?;
        let fingerprint = serde_json::to_string(&params).unwrap_or_default();
        self.idempotent("create_checkout_session", &context, fingerprint, || {
            let (session, items) = create::build(&params, &self.config)?;
            let mut store = self.write();
            let stored = store.insert(session, items);
            Ok(Self::render(stored, expand))
        })
    }

    async fn retrieve_checkout_session(
        &self,
        session: String,
        params: RetrieveCheckoutSessionParams,
        _context: RequestContext,
    ) -> Result<CheckoutSession, Failure> {
        let expand = expansions(&params.expand, "")?;
        self.expire_due();
        let store = self.read();
        let stored = store.get(&session).ok_or_else(|| no_such("checkout.session", &session, "session"))?;
        Ok(Self::render(stored, expand))
    }

    async fn expire_checkout_session(
        &self,
        session: String,
        params: ExpireCheckoutSessionParams,
        context: RequestContext,
    ) -> Result<CheckoutSession, Failure> {
        let expand = expansions(&params.expand, "")?;
        self.expire_due();
        let mut store = self.write();
        let stored = store.get_mut(&session).ok_or_else(|| no_such("checkout.session", &session, "session"))?;
        if stored.session.status != Some(CheckoutSessionStatus::Open) {
            let status = stored.session.status.as_ref().map_or("unknown", |s| s.as_str()).to_owned();
            return Err(invalid(
                "checkout_session_not_open",
                Some("session"),
                format!("Only a Checkout Session in status `open` can be expired; this one is `{status}`."),
            ));
        }
        expire(&mut stored.session);
        let answer = Self::render(stored, expand);
        let expired = stored.session.clone();
        drop(store);
        let now = self.config.clock.now();
        self.outbox.emit(CheckoutSessionEventType::CheckoutSessionExpired, &expired, Some(context.idempotency_key.clone()), now);
        Ok(answer)
    }

    async fn list_checkout_session_line_items(
        &self,
        session: String,
        params: ListCheckoutSessionLineItemsParams,
        _context: RequestContext,
    ) -> Result<LineItemList, Failure> {
        let store = self.read();
        let stored = store.get(&session).ok_or_else(|| no_such("checkout.session", &session, "session"))?;
        let cursor = cursor(&params.starting_after, &params.ending_before, |id| stored.items.iter().position(|i| i.id == id))?;
        let page = paginate(&stored.items, cursor, limit(params.limit));
        Ok(List { data: page.data, has_more: page.has_more, url: format!("/v1/checkout/sessions/{session}/line_items") })
    }
}
