//! The client's wire format, retries and errors, against small servers on
//! 127.0.0.1 that misbehave on purpose and record what they receive.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use checkout_sessions::client::{Client, Error};
use checkout_sessions::http_client::{HttpClient, Method, Request, RequestOptions};
use checkout_sessions::runtime::OrEmpty;
use checkout_sessions::types::*;
use common::one_shirt;
use tokio::net::TcpListener;

/// What a recording server saw of each request.
#[derive(Clone, Debug, Default)]
struct Seen {
    query: Option<String>,
    body: String,
    idempotency_key: Option<String>,
    authorization: Option<String>,
    api_version: Option<String>,
    user_agent: Option<String>,
}

type Log = Arc<Mutex<Vec<Seen>>>;
/// Status and body of each canned answer.
type Answers = Arc<Vec<(u16, String)>>;

/// A server that answers each request with the next of `answers` (the
/// last one repeats), recording the request.
async fn recording(answers: Vec<(u16, String)>) -> (String, Log) {
    let log: Log = Arc::default();
    let state = (Arc::clone(&log), Arc::new(answers));
    async fn answer(
        State((log, answers)): State<(Log, Answers)>,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let n = {
            let mut log = log.lock().unwrap();
            log.push(Seen {
                query: uri.query().map(str::to_owned),
                body: String::from_utf8_lossy(&body).into_owned(),
                idempotency_key: header("Idempotency-Key"),
                authorization: header("Authorization"),
                api_version: header("Api-Version"),
                user_agent: header("User-Agent"),
            });
            log.len()
        };
        let (status, body) = answers[(n - 1).min(answers.len() - 1)].clone();
        (StatusCode::from_u16(status).unwrap(), [("Content-Type", "application/json")], body).into_response()
    }
    let app = Router::new().fallback(answer).with_state(state);
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, log)
}

fn session_json() -> String {
    std::fs::read_to_string(contract_tests::root().join("generated/tests/data/session.json")).unwrap()
}

const ERROR_500: &str = r#"{"error":{"type":"api_error","message":"try later"}}"#;

fn client(url: &str, retries: u32) -> Client {
    let http = HttpClient::builder(url)
        .api_key("sk_test_key")
        .api_version("2024-06-20")
        .user_agent("contract-tests/1")
        .max_retries(retries)
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
        .build()
        .unwrap();
    Client::from_http(http)
}

#[tokio::test]
async fn failed_attempts_are_retried_with_one_idempotency_key() {
    for failure in [500, 409, 429, 503] {
        let (url, log) = recording(vec![(failure, ERROR_500.into()), (failure, ERROR_500.into()), (200, session_json())]).await;
        let session = client(&url, 2).create_checkout_session(&one_shirt(1)).await.unwrap();
        assert!(session.id.starts_with("cs_test_"));
        let seen = log.lock().unwrap().clone();
        assert_eq!(seen.len(), 3, "two failures with {failure}, then success");
        let keys: Vec<_> = seen.iter().map(|s| s.idempotency_key.clone()).collect();
        assert!(keys[0].as_ref().is_some_and(|k| k.len() == 32), "a key is generated: {keys:?}");
        assert!(keys.iter().all(|k| *k == keys[0]), "the same key on every attempt: {keys:?}");
        assert!(seen.iter().all(|s| s.body == seen[0].body), "the same body on every attempt");
    }
    // A key the caller gives is the one sent.
    let (url, log) = recording(vec![(500, ERROR_500.into()), (200, session_json())]).await;
    let keyed = client(&url, 2).with_options(RequestOptions::new().idempotency_key("order-9"));
    keyed.create_checkout_session(&one_shirt(1)).await.unwrap();
    assert!(log.lock().unwrap().iter().all(|s| s.idempotency_key.as_deref() == Some("order-9")));
}

#[tokio::test]
async fn retries_stop_at_the_maximum_and_other_errors_are_not_retried() {
    let (url, log) = recording(vec![(500, ERROR_500.into())]).await;
    let e = client(&url, 2).create_checkout_session(&one_shirt(1)).await.unwrap_err();
    assert_eq!(log.lock().unwrap().len(), 3);
    assert!(matches!(e, Error::Api { status: 500, .. }), "{e}");

    let (url, log) = recording(vec![(400, r#"{"error":{"type":"invalid_request_error","param":"mode"}}"#.into())]).await;
    let e = client(&url, 2).create_checkout_session(&one_shirt(1)).await.unwrap_err();
    assert_eq!(log.lock().unwrap().len(), 1, "a 400 is final");
    assert_eq!(e.api_error().and_then(|e| e.error.param.as_deref()), Some("mode"));

    // GETs carry no idempotency key.
    let (url, log) = recording(vec![(200, session_json())]).await;
    let params = RetrieveCheckoutSessionParams::default().expand(vec!["line_items".into(), "customer".into()]);
    client(&url, 0).retrieve_checkout_session("cs_1", &params).await.unwrap();
    let seen = log.lock().unwrap()[0].clone();
    assert_eq!(seen.idempotency_key, None);
    assert_eq!(seen.query.as_deref(), Some("expand%5B%5D=line_items&expand%5B%5D=customer"));
    assert_eq!(seen.body, "", "a GET has no body");
}

#[tokio::test]
async fn connection_failures_are_retried() {
    // The first two connections are closed without an answer.
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (url, log) = recording(vec![(200, session_json())]).await;
    let forward = url.clone();
    tokio::spawn(async move {
        for _ in 0..2 {
            let (socket, _) = listener.accept().await.unwrap();
            drop(socket);
        }
        // Then hand every connection to the recording server.
        loop {
            let (mut inbound, _) = listener.accept().await.unwrap();
            let target = forward.trim_start_matches("http://").to_owned();
            tokio::spawn(async move {
                let mut outbound = tokio::net::TcpStream::connect(target).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            });
        }
    });
    let session = client(&format!("http://{addr}"), 3).create_checkout_session(&one_shirt(1)).await.unwrap();
    assert!(session.id.starts_with("cs_test_"));
    assert_eq!(log.lock().unwrap().len(), 1);

    // Nothing listening at all: a transport error after every attempt.
    let closed = TcpListener::bind(("127.0.0.1", 0)).await.unwrap().local_addr().unwrap();
    let e = client(&format!("http://{closed}"), 2).create_checkout_session(&one_shirt(1)).await.unwrap_err();
    assert!(matches!(e, Error::Transport { attempts: 3, .. }), "{e}");
}

#[tokio::test]
async fn configuration_goes_on_the_wire() {
    let (url, log) = recording(vec![(200, session_json())]).await;
    client(&url, 0).create_checkout_session(&one_shirt(1)).await.unwrap();
    let seen = log.lock().unwrap()[0].clone();
    assert_eq!(seen.authorization.as_deref(), Some("Bearer sk_test_key"));
    assert_eq!(seen.api_version.as_deref(), Some("2024-06-20"));
    assert_eq!(seen.user_agent.as_deref(), Some("contract-tests/1"));
    let per_call = client(&url, 0).with_options(RequestOptions::new().api_version("2025-01-01"));
    per_call.create_checkout_session(&one_shirt(1)).await.unwrap();
    assert_eq!(log.lock().unwrap()[1].api_version.as_deref(), Some("2025-01-01"));
}

#[tokio::test]
async fn decoding_failures_name_the_json_path_and_keep_the_body() {
    let broken = session_json().replace("\"created\": 1679600215", "\"created\": \"yesterday\"");
    let (url, _) = recording(vec![(200, broken.clone())]).await;
    let e = client(&url, 0).retrieve_checkout_session("cs_1", &Default::default()).await.unwrap_err();
    match e {
        Error::Decode { status, path, body, .. } => {
            assert_eq!((status, path.as_str()), (200, "created"));
            assert_eq!(body, broken);
        }
        other => panic!("{other}"),
    }
    let (url, _) = recording(vec![(502, "<html>bad gateway</html>".into())]).await;
    let e = client(&url, 0).retrieve_checkout_session("cs_1", &Default::default()).await.unwrap_err();
    assert!(matches!(e, Error::UnexpectedStatus { status: 502, ref body } if body.contains("bad gateway")), "{e}");
}

#[tokio::test]
async fn timeouts_are_transport_errors() {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            held.push(socket); // never answers
        }
    });
    let http = HttpClient::builder(format!("http://{addr}"))
        .timeout(Duration::from_millis(100))
        .max_retries(1)
        .backoff(Duration::from_millis(1), Duration::from_millis(1))
        .build()
        .unwrap();
    let e = Client::from_http(http).retrieve_checkout_session("cs_1", &Default::default()).await.unwrap_err();
    assert!(matches!(e, Error::Transport { attempts: 2, ref source } if source.is_timeout()), "{e}");
}

/// The exact bytes the client sends for one call.
async fn sent_form(params: &CreateCheckoutSessionParams) -> String {
    let (url, log) = recording(vec![(200, session_json())]).await;
    client(&url, 0).create_checkout_session(params).await.unwrap();
    log.lock().unwrap()[0].body.clone()
}

fn decoded(form: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(form.as_bytes()).into_owned().collect()
}

#[tokio::test]
async fn form_bodies_use_bracket_nesting() {
    let params = CreateCheckoutSessionParams::new(CheckoutSessionMode::Payment)
        .success_url("https://example.com/ok?a=1&b=2")
        .line_items(vec![CreateCheckoutSessionLineItems::default()
            .price_data(
                CreateCheckoutSessionLineItemsPriceData::new("usd")
                    .unit_amount(1099)
                    .product_data(CreateCheckoutSessionLineItemsPriceDataProductData::new("T-shirt")),
            )
            .quantity(2)
            .tax_rates(vec!["txr_1".into(), "txr_2".into()])])
        .metadata([("order_id".to_owned(), "6735".to_owned()), ("note".to_owned(), "größe M ✓".to_owned())].into())
        .allow_promotion_codes(false)
        .expand(vec!["line_items".into()]);
    let body = sent_form(&params).await;
    assert_eq!(
        body,
        "allow_promotion_codes=false\
         &expand%5B%5D=line_items\
         &line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=usd\
         &line_items%5B0%5D%5Bprice_data%5D%5Bproduct_data%5D%5Bname%5D=T-shirt\
         &line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=1099\
         &line_items%5B0%5D%5Bquantity%5D=2\
         &line_items%5B0%5D%5Btax_rates%5D%5B%5D=txr_1\
         &line_items%5B0%5D%5Btax_rates%5D%5B%5D=txr_2\
         &metadata%5Bnote%5D=gr%C3%B6%C3%9Fe+M+%E2%9C%93\
         &metadata%5Border_id%5D=6735\
         &mode=payment\
         &success_url=https%3A%2F%2Fexample.com%2Fok%3Fa%3D1%26b%3D2"
    );
    assert_eq!(
        decoded(&body)[..3],
        [
            ("allow_promotion_codes".to_owned(), "false".to_owned()),
            ("expand[]".to_owned(), "line_items".to_owned()),
            ("line_items[0][price_data][currency]".to_owned(), "usd".to_owned()),
        ]
    );
}

#[tokio::test]
async fn empty_strings_unset() {
    let text = CreateCheckoutSessionCustomText::default()
        .submit(OrEmpty::Empty)
        .shipping_address(OrEmpty::Value(CustomTextPositionParams::new("Ships in 2 days")));
    let invoice = CreateCheckoutSessionInvoiceCreation::new(true).invoice_data(
        CreateCheckoutSessionInvoiceCreationInvoiceData::default().account_tax_ids(OrEmpty::Empty),
    );
    let params = CreateCheckoutSessionParams::new(CheckoutSessionMode::Payment).custom_text(text).invoice_creation(invoice);
    let pairs = decoded(&sent_form(&params).await);
    assert_eq!(
        pairs,
        [
            ("custom_text[shipping_address][message]", "Ships in 2 days"),
            ("custom_text[submit]", ""),
            ("invoice_creation[enabled]", "true"),
            ("invoice_creation[invoice_data][account_tax_ids]", ""),
            ("mode", "payment"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
}

#[test]
fn query_strings_follow_each_parameter_style() {
    let params = ListCheckoutSessionsParams::default()
        .created(ListCheckoutSessionsCreated::RangeQuerySpecs(Box::new(RangeQuerySpecs::default().gte(1_679_600_215).lt(1_679_700_000))))
        .customer_details(CustomerDetailsFilter::new("jenny+test@example.com"))
        .expand(vec!["data.line_items".into()])
        .status(ListCheckoutSessionsStatus::Open)
        .limit(3);
    let mut request = Request::new(Method::GET, "/v1/checkout/sessions".into());
    use checkout_sessions::wire::Style;
    request.query("created", &params.created, Style::DeepObject, true).unwrap();
    request.query("customer_details", &params.customer_details, Style::DeepObject, true).unwrap();
    request.query("expand", &params.expand, Style::DeepObject, true).unwrap();
    request.query("limit", &params.limit, Style::Form, true).unwrap();
    request.query("status", &params.status, Style::Form, true).unwrap();
    request.query("customer", &params.customer, Style::Form, true).unwrap();
    assert_eq!(
        request.encoded_query(),
        "created%5Bgte%5D=1679600215&created%5Blt%5D=1679700000&customer_details%5Bemail%5D=jenny%2Btest%40example.com\
         &expand%5B%5D=data.line_items&limit=3&status=open"
    );
    // An exact time instead of a range, and form-style arrays.
    let mut request = Request::new(Method::GET, "/".into());
    request.query("created", &ListCheckoutSessionsCreated::Integer(5), Style::DeepObject, true).unwrap();
    request.query("tags", &vec!["a", "b"], Style::Form, true).unwrap();
    request.query("ids", &vec!["x", "y"], Style::Form, false).unwrap();
    request.query("piped", &vec!["x", "y"], Style::PipeDelimited, false).unwrap();
    assert_eq!(request.encoded_query(), "created=5&tags=a&tags=b&ids=x%2Cy&piped=x%7Cy");
}

#[test]
fn path_parameters_are_percent_encoded() {
    use checkout_sessions::http_client::path_param;
    assert_eq!(path_param("cs_test_a1").unwrap(), "cs_test_a1");
    assert_eq!(path_param("a/b c?d#é").unwrap(), "a%2Fb%20c%3Fd%23%C3%A9");
}

#[tokio::test]
async fn the_decoded_form_reads_back_into_the_params() {
    // What the client encodes, the server-side decoder reads back to the same value.
    let params = one_shirt(3)
        .metadata([("k".to_owned(), "v w".to_owned())].into())
        .custom_text(CreateCheckoutSessionCustomText::default().submit(OrEmpty::Empty))
        .expand(vec!["line_items".into()]);
    let pairs = decoded(&sent_form(&params).await);
    let tree = checkout_sessions::wire::decode(pairs).unwrap();
    let back: CreateCheckoutSessionParams = serde::Deserialize::deserialize(tree).unwrap();
    assert_eq!(back, params);
}
