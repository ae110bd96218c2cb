//! The generated client against the reference server (itself built on the
//! generated server stubs), over real HTTP on 127.0.0.1.

use crate::common;

use std::collections::BTreeSet;

use checkout_sessions::client::Error as ClientError;
use checkout_sessions::http_client::{HttpClient, RequestOptions};
use checkout_sessions::runtime::Nullable;
use checkout_sessions::types::*;
use common::{harness, one_shirt, raw};
use futures_util::TryStreamExt;
use reference_server::{Clock, Config, DEFAULT_API_KEY};
use reqwest::Method;

fn api_error(e: &ClientError) -> (u16, &ApiError) {
    match e {
        ClientError::Api { status, error, .. } => (*status, &error.error),
        other => panic!("expected an API error, got {other}"),
    }
}

/// The status and the error object of a failed call.
fn failed<T: std::fmt::Debug>(result: Result<T, ClientError>) -> (u16, ApiError) {
    let e = result.unwrap_err();
    let (status, error) = api_error(&e);
    (status, error.clone())
}

#[tokio::test]
async fn create_retrieve_expire_and_line_items() {
    let h = harness(Config::default()).await;
    let params = one_shirt(2)
        .client_reference_id("order_42")
        .metadata([("order".to_owned(), "42".to_owned())].into())
        .expand(vec!["line_items".into()]);
    let created = h.client.create_checkout_session(&params).await.unwrap();
    assert!(created.id.starts_with("cs_test_") && created.id.len() == 66, "{}", created.id);
    assert_eq!(created.status, Some(CheckoutSessionStatus::Open));
    assert_eq!(created.payment_status, CheckoutSessionPaymentStatus::Unpaid);
    assert_eq!((created.amount_subtotal, created.amount_total), (Some(2198), Some(2198)));
    assert_eq!(created.currency.as_deref(), Some("usd"));
    assert_eq!(created.expires_at - created.created, 24 * 3600);
    assert!(!created.livemode);
    assert!(created.url.as_deref().is_some_and(|u| u.ends_with(&created.id)));
    let Nullable::Value(items) = &created.line_items else { panic!("line_items were expanded") };
    assert_eq!(items.data.len(), 1);
    assert_eq!(items.data[0].amount_total, 2198);

    let fetched = h
        .client
        .retrieve_checkout_session(&created.id, &RetrieveCheckoutSessionParams::default())
        .await
        .unwrap();
    assert!(fetched.line_items.is_absent(), "not expanded unless asked");
    assert_eq!(fetched.client_reference_id.as_deref(), Some("order_42"));
    assert_eq!(fetched.metadata.as_ref().and_then(|m| m.get("order")).map(String::as_str), Some("42"));

    let page = h
        .client
        .list_checkout_session_line_items(&created.id, &ListCheckoutSessionLineItemsParams::default())
        .await
        .unwrap();
    assert_eq!(page.data[0].quantity, Some(2));
    assert_eq!(page.data[0].price.as_ref().map(|p| p.id.as_str()), Some("price_1MotwRLkdIwHu7ixYcPLm5uZ"));

    let expired = h
        .client
        .expire_checkout_session(&created.id, &ExpireCheckoutSessionParams::default())
        .await
        .unwrap();
    assert_eq!(expired.status, Some(CheckoutSessionStatus::Expired));
    assert_eq!(expired.url, None);
    let again = h
        .client
        .expire_checkout_session(&created.id, &ExpireCheckoutSessionParams::default())
        .await
        .unwrap_err();
    let (status, error) = api_error(&again);
    assert_eq!((status, error.param.as_deref()), (400, Some("session")));
    assert_eq!(error.r#type, ApiErrorType::InvalidRequestError);
    assert!(error.message.as_deref().unwrap_or_default().contains("`expired`"));

    let missing = h
        .client
        .retrieve_checkout_session("cs_test_nope", &RetrieveCheckoutSessionParams::default())
        .await
        .unwrap_err();
    let (status, error) = api_error(&missing);
    assert_eq!((status, error.code.as_deref()), (404, Some("resource_missing")));
}

#[tokio::test]
async fn ad_hoc_prices_and_modes() {
    let h = harness(Config::default()).await;
    let data = CreateCheckoutSessionLineItemsPriceData::new("eur")
        .unit_amount(500)
        .product_data(CreateCheckoutSessionLineItemsPriceDataProductData::new("Mug"));
    let params = CreateCheckoutSessionParams::new(CheckoutSessionMode::Payment)
        .success_url("https://example.com/ok")
        .line_items(vec![
            CreateCheckoutSessionLineItems::default().price_data(data.clone()).quantity(3),
            CreateCheckoutSessionLineItems::default().price_data(data).quantity(1),
        ]);
    let session = h.client.create_checkout_session(&params).await.unwrap();
    assert_eq!((session.amount_total, session.currency.as_deref()), (Some(2000), Some("eur")));

    let setup = CreateCheckoutSessionParams::new(CheckoutSessionMode::Setup).success_url("https://example.com/ok");
    let session = h.client.create_checkout_session(&setup).await.unwrap();
    assert_eq!(session.payment_status, CheckoutSessionPaymentStatus::NoPaymentRequired);

    let subscription = CreateCheckoutSessionParams::new(CheckoutSessionMode::Subscription)
        .success_url("https://example.com/ok")
        .line_items(vec![CreateCheckoutSessionLineItems::default().price("price_monthly_support").quantity(1)]);
    assert!(h.client.create_checkout_session(&subscription).await.is_ok());
    // A one-time price cannot start a subscription.
    let mut wrong = one_shirt(1);
    wrong.mode = CheckoutSessionMode::Subscription;
    let (status, error) = failed(h.client.create_checkout_session(&wrong).await);
    assert_eq!((status, error.param.as_deref()), (400, Some("line_items")));
}

#[tokio::test]
async fn business_rules_name_the_parameter() {
    let h = harness(Config { clock: Clock::manual(1_700_000_000), ..Config::default() }).await;
    let cases: Vec<(CreateCheckoutSessionParams, &str)> = vec![
        (CreateCheckoutSessionParams::new(CheckoutSessionMode::Payment).success_url("https://e.x/ok"), "line_items"),
        ({
            let mut no_url = one_shirt(1);
            no_url.success_url = None;
            no_url
        }, "success_url"),
        (one_shirt(0), "line_items[0][quantity]"),
        (one_shirt(1).expires_at(1_700_000_000 + 60), "expires_at"),
        (one_shirt(1).expires_at(1_700_000_000 + 25 * 3600), "expires_at"),
        (
            CreateCheckoutSessionParams::new(CheckoutSessionMode::Payment)
                .success_url("https://e.x/ok")
                .line_items(vec![CreateCheckoutSessionLineItems::default().price("price_nope").quantity(1)]),
            "line_items[0][price]",
        ),
        (one_shirt(1).expand(vec!["customer".into()]), "expand[0]"),
        (one_shirt(1).ui_mode(CreateCheckoutSessionUiMode::Embedded), "success_url"),
    ];
    for (params, param) in cases {
        let e = h.client.create_checkout_session(&params).await.unwrap_err();
        let (status, error) = api_error(&e);
        assert_eq!((status, error.param.as_deref()), (400, Some(param)), "{:?}", error.message);
    }
    let ok = one_shirt(1).expires_at(1_700_000_000 + 3600);
    assert_eq!(h.client.create_checkout_session(&ok).await.unwrap().expires_at, 1_700_003_600);
}

#[tokio::test]
async fn list_filters() {
    let clock = Clock::manual(1_700_000_000);
    let h = harness(Config { clock: clock.clone(), ..Config::default() }).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        clock.set(1_700_000_000 + i * 100);
        let mut params = one_shirt(1);
        if i % 2 == 0 {
            params = params.customer("cus_even").customer_email("even@example.com");
        }
        ids.push(h.client.create_checkout_session(&params).await.unwrap().id);
    }
    clock.set(1_700_001_000);
    h.client.expire_checkout_session(&ids[1], &Default::default()).await.unwrap();
    let completed = h.server.server.complete(&ids[2]).unwrap();
    let pi = completed.payment_intent.as_ref().and_then(|p| p.id()).unwrap().to_owned();

    let list = |params: ListCheckoutSessionsParams| {
        let client = h.client.clone();
        async move {
            let page = client.list_checkout_sessions(&params).await.unwrap();
            page.data.into_iter().map(|s| s.id).collect::<Vec<_>>()
        }
    };
    let all = list(ListCheckoutSessionsParams::default()).await;
    assert_eq!(all, ids.iter().rev().cloned().collect::<Vec<_>>(), "newest first");
    let exactly = list(ListCheckoutSessionsParams::default().created(ListCheckoutSessionsCreated::Integer(1_700_000_300))).await;
    assert_eq!(exactly, [ids[3].clone()]);
    let range = RangeQuerySpecs::default().gt(1_700_000_100).lte(1_700_000_400);
    let ranged = list(ListCheckoutSessionsParams::default().created(ListCheckoutSessionsCreated::RangeQuerySpecs(Box::new(range)))).await;
    assert_eq!(ranged, [ids[4].clone(), ids[3].clone(), ids[2].clone()]);
    let by_customer = list(ListCheckoutSessionsParams::default().customer("cus_even")).await;
    assert_eq!(by_customer, [ids[4].clone(), ids[2].clone(), ids[0].clone()]);
    let by_email = list(ListCheckoutSessionsParams::default().customer_details(CustomerDetailsFilter::new("even@example.com"))).await;
    assert_eq!(by_email, by_customer);
    let expired = list(ListCheckoutSessionsParams::default().status(ListCheckoutSessionsStatus::Expired)).await;
    assert_eq!(expired, [ids[1].clone()]);
    let complete = list(ListCheckoutSessionsParams::default().status(ListCheckoutSessionsStatus::Complete)).await;
    assert_eq!(complete, [ids[2].clone()]);
    assert_eq!(list(ListCheckoutSessionsParams::default().payment_intent(pi)).await, [ids[2].clone()]);
    assert!(list(ListCheckoutSessionsParams::default().payment_intent("pi_other")).await.is_empty());
    assert!(list(ListCheckoutSessionsParams::default().payment_link("plink_none")).await.is_empty());
    assert!(list(ListCheckoutSessionsParams::default().subscription("sub_none")).await.is_empty());
    assert_eq!(list(ListCheckoutSessionsParams::default().limit(2)).await.len(), 2);

    // A subscription-mode session completes with a subscription to filter by.
    let subscription = CreateCheckoutSessionParams::new(CheckoutSessionMode::Subscription)
        .success_url("https://example.com/ok")
        .line_items(vec![CreateCheckoutSessionLineItems::default().price("price_monthly_support").quantity(1)]);
    let id = h.client.create_checkout_session(&subscription).await.unwrap().id;
    let sub = h.server.server.complete(&id).unwrap().subscription.and_then(|s| s.id().map(str::to_owned)).unwrap();
    assert_eq!(list(ListCheckoutSessionsParams::default().subscription(sub)).await, [id]);

    // `expand[]=data.line_items` on a list.
    let page = h
        .client
        .list_checkout_sessions(&ListCheckoutSessionsParams::default().limit(1).expand(vec!["data.line_items".into()]))
        .await
        .unwrap();
    assert!(matches!(&page.data[0].line_items, Nullable::Value(items) if items.data.len() == 1));
}

#[tokio::test]
async fn pagination_across_pages_forwards_and_backwards() {
    let h = harness(Config::default()).await;
    let mut created = Vec::new();
    for _ in 0..25 {
        created.push(h.client.create_checkout_session(&one_shirt(1)).await.unwrap().id);
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    // Page by page, as a caller would: 7 + 7 + 7 + 4.
    let mut params = ListCheckoutSessionsParams::default().limit(7);
    let mut pages = Vec::new();
    loop {
        let page = h.client.list_checkout_sessions(&params).await.unwrap();
        pages.push(page.data.iter().map(|s| s.id.clone()).collect::<Vec<_>>());
        if !page.has_more {
            break;
        }
        params.starting_after = page.data.last().map(|s| s.id.clone());
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [7, 7, 7, 4]);
    assert_eq!(pages.concat(), newest_first);

    // The stream does the same.
    let streamed: Vec<String> = h
        .client
        .list_checkout_sessions_stream(&ListCheckoutSessionsParams::default().limit(7))
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, newest_first);

    // Backwards from the oldest: pages of newer sessions, each page newest first.
    let oldest = created[0].clone();
    let back = h
        .client
        .list_checkout_sessions(&ListCheckoutSessionsParams::default().limit(7).ending_before(oldest.clone()))
        .await
        .unwrap();
    assert_eq!(back.data.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), created[1..8].iter().rev().cloned().collect::<Vec<_>>());
    assert!(back.has_more);
    let streamed_back: Vec<String> = h
        .client
        .list_checkout_sessions_stream(&ListCheckoutSessionsParams::default().limit(7).ending_before(oldest))
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed_back.len(), 24);
    assert_eq!(streamed_back.iter().collect::<BTreeSet<_>>(), created[1..].iter().collect::<BTreeSet<_>>());
    assert_eq!(&streamed_back[..7], &created[1..8].iter().rev().cloned().collect::<Vec<_>>()[..]);

    // Line items paginate the same way.
    let many = CreateCheckoutSessionParams::new(CheckoutSessionMode::Payment)
        .success_url("https://example.com/ok")
        .line_items((1..=12).map(|q| CreateCheckoutSessionLineItems::default().price("price_1N4AEsLkdIwHu7ix7Ssho8Cl").quantity(q)).collect());
    let session = h.client.create_checkout_session(&many).await.unwrap();
    assert_eq!(session.amount_total, Some(4500 * 78));
    let items: Vec<i64> = h
        .client
        .list_checkout_session_line_items_stream(&session.id, &ListCheckoutSessionLineItemsParams::default().limit(5))
        .map_ok(|i| i.quantity.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, (1..=12).collect::<Vec<_>>());

    let both = ListCheckoutSessionsParams::default().starting_after(created[3].clone()).ending_before(created[9].clone());
    let (status, error) = failed(h.client.list_checkout_sessions(&both).await);
    assert_eq!((status, error.param.as_deref()), (400, Some("ending_before")));
    let unknown = ListCheckoutSessionsParams::default().starting_after("cs_test_unknown");
    let (status, error) = failed(h.client.list_checkout_sessions(&unknown).await);
    assert_eq!((status, error.param.as_deref(), error.code.as_deref()), (404, Some("starting_after"), Some("resource_missing")));
}

#[tokio::test]
async fn malformed_requests_get_400_with_the_parameter() {
    let h = harness(Config::default()).await;
    let url = format!("{}/v1/checkout/sessions", h.server.url());
    let key = Some(DEFAULT_API_KEY);
    let form = Some("application/x-www-form-urlencoded");
    let good = "mode=payment&success_url=https%3A%2F%2Fe.x&line_items[0][price]=price_1MotwRLkdIwHu7ixYcPLm5uZ&line_items[0][quantity]=1";
    let (status, _) = raw(Method::POST, &url, key, form, good).await;
    assert_eq!(status, 200, "the baseline request is valid");
    // (method, target, content type, body, status, param, code)
    type Case<'a> = (Method, String, Option<&'a str>, String, u16, Option<&'a str>, &'a str);
    let cases: Vec<Case> = vec![
        (Method::GET, format!("{url}?limit=ten"), None, String::new(), 400, Some("limit"), "parameter_invalid"),
        (Method::GET, format!("{url}?limit=0"), None, String::new(), 400, Some("limit"), "parameter_invalid"),
        (Method::GET, format!("{url}?limit=101"), None, String::new(), 400, Some("limit"), "parameter_invalid"),
        (Method::GET, format!("{url}?status=paid"), None, String::new(), 400, Some("status"), "parameter_invalid"),
        (Method::GET, format!("{url}?colour=red"), None, String::new(), 400, Some("colour"), "parameter_unknown"),
        (Method::GET, format!("{url}?created[between]=1"), None, String::new(), 400, Some("created[between]"), "parameter_unknown"),
        (Method::GET, format!("{url}?customer_details[phone]=1"), None, String::new(), 400, Some("customer_details[email]"), "parameter_missing"),
        (Method::GET, format!("{url}/cs_1?expand=a&expand[x]=b"), None, String::new(), 400, Some("expand[x]"), "parameter_invalid"),
        (Method::POST, url.clone(), form, "success_url=x".into(), 400, Some("mode"), "parameter_missing"),
        (Method::POST, url.clone(), form, format!("{good}&mode=bogus_mode"), 400, Some("mode"), "parameter_invalid"),
        (Method::POST, url.clone(), form, good.replace("mode=payment", "mode=refund"), 400, Some("mode"), "parameter_invalid"),
        (Method::POST, url.clone(), form, format!("{good}&line_items[0][price_data][unit_amount]=5"), 400, Some("line_items[0][price_data][currency]"), "parameter_missing"),
        (Method::POST, url.clone(), form, format!("{good}&line_items[0][colour]=red"), 400, Some("line_items[0][colour]"), "parameter_unknown"),
        (Method::POST, url.clone(), form, format!("{good}&line_items[0][quantity]=lots"), 400, Some("line_items[0][quantity]"), "parameter_invalid"),
        (Method::POST, url.clone(), form, format!("{good}&allow_promotion_codes=maybe"), 400, Some("allow_promotion_codes"), "parameter_invalid"),
        (Method::POST, url.clone(), form, format!("{good}&locale=xx-YY"), 400, Some("locale"), "parameter_invalid"),
        (Method::POST, url.clone(), form, format!("{good}&client_reference_id={}", "x".repeat(201)), 400, Some("client_reference_id"), "parameter_invalid"),
        (Method::POST, url.clone(), form, format!("{good}&limit=3"), 400, Some("limit"), "parameter_unknown"),
        (Method::POST, url.clone(), Some("application/json"), "{\"mode\":\"payment\"}".into(), 415, None, "content_type_unsupported"),
        (Method::POST, format!("{url}/{}/expire", "x".repeat(67)), None, String::new(), 400, Some("session"), "parameter_invalid"),
    ];
    for (method, target, content_type, body, want_status, want_param, want_code) in cases {
        let (status, error) = raw(method.clone(), &target, key, content_type, &body).await;
        let shown = format!("{method} {target} {body}: {error}");
        assert_eq!(status, want_status, "{shown}");
        assert_eq!(error["error"]["type"], "invalid_request_error", "{shown}");
        assert_eq!(error["error"]["param"].as_str(), want_param, "{shown}");
        assert_eq!(error["error"]["code"], want_code, "{shown}");
        assert!(error["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{shown}");
    }
    let huge = format!("{good}&metadata[big]={}", "x".repeat(2 << 20));
    let (status, error) = raw(Method::POST, &url, key, form, &huge).await;
    assert_eq!((status, error["error"]["code"].as_str()), (413, Some("body_too_large")));
    let (status, error) = raw(Method::PUT, &url, key, None, "").await;
    assert_eq!((status, error["error"]["code"].as_str()), (405, Some("method_not_allowed")));
    let (status, error) = raw(Method::GET, &format!("{}/v1/unknown", h.server.url()), key, None, "").await;
    assert_eq!((status, error["error"]["code"].as_str()), (404, Some("resource_missing")));
}

#[tokio::test]
async fn authentication_is_checked() {
    let h = harness(Config::default()).await;
    let url = format!("{}/v1/checkout/sessions", h.server.url());
    for key in [None, Some("sk_test_wrong")] {
        let (status, error) = raw(Method::GET, &url, key, None, "").await;
        assert_eq!(status, 401);
        assert_eq!(error["error"]["type"], "invalid_request_error");
        assert_eq!(error["error"]["code"], "api_key_invalid");
    }
    let wrong = HttpClient::builder(h.server.url()).api_key("sk_test_wrong").max_retries(0).build().unwrap();
    let client = checkout_sessions::client::Client::from_http(wrong);
    let e = client.list_checkout_sessions(&Default::default()).await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert!(e.api_error().is_some());
    // The key never shows in debug output.
    let debug = format!("{:?}", client);
    assert!(!debug.contains("sk_test_wrong") && debug.contains("Secret(***)"), "{debug}");
}

/// As Stripe's own documentation does, `curl -u sk_test_...:`: the key as
/// the user of HTTP Basic, with an empty password (the spec's `basicAuth`).
#[tokio::test]
async fn the_key_as_the_basic_user_authenticates_too() {
    let h = harness(Config::default()).await;
    let url = format!("{}/v1/checkout/sessions", h.server.url());
    let basic = |user: &str, password: &str| reqwest::Client::new().get(&url).basic_auth(user, Some(password));
    let response = basic(reference_server::DEFAULT_API_KEY, "").send().await.unwrap();
    assert_eq!(response.status(), 200);
    for (user, password) in [(reference_server::DEFAULT_API_KEY, "x"), ("sk_test_wrong", "")] {
        let response = basic(user, password).send().await.unwrap();
        assert_eq!(response.status(), 401, "{user}:{password}");
        let challenges: Vec<&str> = response.headers().get_all("www-authenticate").iter().map(|v| v.to_str().unwrap()).collect();
        assert_eq!(
            challenges,
            [r#"Bearer realm="Checkout Sessions API""#, r#"Basic realm="Checkout Sessions API", charset="UTF-8""#]
        );
    }
    // An independent client: Python's urllib sends Basic credentials only
    // once a 401 challenges it for them, so the challenge must be one it
    // reads (`WWW-Authenticate: Basic realm=...` beside Bearer's).
    if let Some(python) = common::python::python_with(&[]) {
        let script = r#"
import json, sys, urllib.request
url = json.load(open(sys.argv[1]))["url"]
passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
passwords.add_password(None, url, sys.argv[2], "")
opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords))
with opener.open(url, timeout=60) as response:
    print(json.dumps({"status": response.status, "body": json.load(response)}))
"#;
        let input = serde_json::json!({"url": url});
        // Off the runtime that serves the request.
        let out: serde_json::Value = tokio::task::spawn_blocking(move || {
            common::python::json_out(python, script, "basic", &input, &[reference_server::DEFAULT_API_KEY.as_ref()])
        })
        .await
        .unwrap();
        assert_eq!(out["status"], 200, "{out}");
        assert_eq!(out["body"]["object"], "list", "{out}");
    }
    // The generated client, given the Basic credential alone.
    let credential = checkout_sessions::wire::Credential::basic(reference_server::DEFAULT_API_KEY, "");
    let http = HttpClient::builder(h.server.url()).credential(&checkout_sessions::security::BASIC_AUTH, credential).build().unwrap();
    let client = checkout_sessions::client::Client::from_http(http);
    assert_eq!(client.list_checkout_sessions(&Default::default()).await.unwrap().data.len(), 0);
}

#[tokio::test]
async fn idempotent_creates_are_replayed() {
    let h = harness(Config::default()).await;
    let keyed = h.client.with_options(RequestOptions::new().idempotency_key("order-7"));
    let first = keyed.create_checkout_session(&one_shirt(1)).await.unwrap();
    let replay = keyed.create_checkout_session(&one_shirt(1)).await.unwrap();
    assert_eq!(first.id, replay.id);
    assert_eq!(h.server.server.session_count(), 1);
    let misuse = keyed.create_checkout_session(&one_shirt(2)).await.unwrap_err();
    let (status, error) = api_error(&misuse);
    assert_eq!((status, &error.r#type), (400, &ApiErrorType::IdempotencyError));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_are_all_kept() {
    let h = harness(Config::default()).await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = h.client.clone();
            tokio::spawn(async move {
                let mut ids = Vec::with_capacity(250);
                for _ in 0..250 {
                    ids.push(client.create_checkout_session(&one_shirt(1)).await.unwrap().id);
                }
                ids
            })
        })
        .collect();
    let mut created = BTreeSet::new();
    for task in tasks {
        created.extend(task.await.unwrap());
    }
    assert_eq!(created.len(), 2000, "every create returned a distinct ID");
    let listed: Vec<String> = h
        .client
        .list_checkout_sessions_stream(&ListCheckoutSessionsParams::default().limit(100))
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2000);
    assert_eq!(listed.iter().cloned().collect::<BTreeSet<_>>(), created, "exactly the created sessions");
}

#[tokio::test]
async fn expired_by_time() {
    let clock = Clock::manual(1_700_000_000);
    let h = harness(Config { clock: clock.clone(), ..Config::default() }).await;
    let session = h.client.create_checkout_session(&one_shirt(1).expires_at(1_700_003_600)).await.unwrap();
    clock.set(1_700_003_600);
    let later = h.client.retrieve_checkout_session(&session.id, &Default::default()).await.unwrap();
    assert_eq!(later.status, Some(CheckoutSessionStatus::Expired));
    assert!(later.customer.is_none());
}
