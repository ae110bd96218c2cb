//! Check 4, the live scenario: it holds against the reference server and
//! fails, precisely, against servers broken on purpose.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use openapi_contract::Case;
use openapi_contract::checks::Spec;
use reference_server::{Config, DEFAULT_API_KEY, ReferenceServer};
use serde_json::Value;
use tokio::net::TcpListener;

/// How a broken server spoils each answer: (method and path, status, body).
type Spoil = fn(&str, &mut u16, &mut Option<String>, &mut Value);

/// The reference server, with `spoil` applied to every JSON answer.
async fn serve(spoil: Spoil) -> String {
    let server = Arc::new(ReferenceServer::new(Config::default()));
    let app = reference_server::router(server).layer(axum::middleware::from_fn(move |request: axum::extract::Request, next: axum::middleware::Next| async move {
        let route = format!("{} {}", request.method(), request.uri().path());
        let response = next.run(request).await;
        let (mut parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        let mut json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let mut status = parts.status.as_u16();
        let mut content_type = None;
        spoil(&route, &mut status, &mut content_type, &mut json);
        parts.status = StatusCode::from_u16(status).unwrap();
        parts.headers.remove(header::CONTENT_LENGTH);
        if let Some(content_type) = content_type {
            parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&content_type).unwrap());
        }
        Response::from_parts(parts, Body::from(serde_json::to_vec(&json).unwrap()))
    }));
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn scenario(url: String) -> Vec<Case> {
    tokio::task::spawn_blocking(move || {
        let mut spec = Spec::load(&contract_tests::root().join("spec/checkout_sessions.yaml")).unwrap();
        openapi_contract::live::scenario(&mut spec, &url, DEFAULT_API_KEY)
    })
    .await
    .unwrap()
}

fn failures(cases: &[Case]) -> Vec<String> {
    cases.iter().filter(|c| c.failed()).flat_map(|c| c.failures.iter().map(move |f| format!("{}: {f}", c.name))).collect()
}

fn is_session(route: &str) -> bool {
    route.starts_with("GET /v1/checkout/sessions/cs_") && !route.ends_with("/line_items")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reference_server_keeps_the_contract() {
    let cases = scenario(serve(|_, _, _, _| {}).await).await;
    assert!(cases.len() >= 20, "{cases:#?}");
    assert_eq!(failures(&cases), Vec::<String>::new());
    assert!(cases.iter().any(|c| c.name.contains("page 3 forwards")), "pagination crosses more than 2 pages");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_type_is_caught() {
    let cases = scenario(serve(|route, _, _, json| {
        if is_session(route) {
            json["amount_total"] = Value::String("4500".into());
        }
    }).await)
    .await;
    let found = failures(&cases);
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|f| f.contains("response 200 body: /amount_total: expected integer or null, found string \"4500\" (at #/components/schemas/checkout.session/properties/amount_total/type)")),
        "{found:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_required_field_is_caught() {
    let cases = scenario(serve(|route, _, _, json| {
        if route == "POST /v1/checkout/sessions" && json.get("id").is_some() {
            json.as_object_mut().unwrap().remove("livemode");
        }
    }).await)
    .await;
    let found = failures(&cases);
    assert_eq!(found.len(), 5, "five creates: {found:#?}");
    assert!(found.iter().all(|f| f.contains("response 200 body: (root): expected required property `livemode`, found nothing")), "{found:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_enum_value_outside_the_spec_is_caught() {
    let cases = scenario(serve(|route, _, _, json| {
        if route == "GET /v1/checkout/sessions" {
            for session in json["data"].as_array_mut().into_iter().flatten() {
                session["status"] = Value::String("paid".into());
            }
        }
    }).await)
    .await;
    let found = failures(&cases);
    assert!(!found.is_empty());
    assert!(found.iter().any(|f| f.contains("/data/0/status: expected one of \"complete\", \"expired\", \"open\", found string \"paid\"")), "{found:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_undeclared_status_and_a_wrong_content_type_are_caught() {
    let cases = scenario(serve(|route, status, content_type, _| {
        if route == "POST /v1/checkout/sessions" && *status == 200 {
            *status = 201;
        }
        if is_session(route) {
            *content_type = Some("text/plain".into());
        }
    }).await)
    .await;
    let found = failures(&cases);
    assert!(found.iter().any(|f| f.contains("(create with line items): response: status 201 is not declared (declared: 200, default; `default` covers errors only)")), "{found:#?}");
    assert!(found.iter().any(|f| f.contains("(retrieve): response 200: Content-Type `text/plain` is not declared for `200`")), "{found:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_accepts_what_the_spec_forbids_is_caught() {
    // Answers every refused request with the session it would have made.
    let cases = scenario(serve(|route, status, _, json| {
        if route == "GET /v1/checkout/sessions" && *status == 400 {
            *status = 200;
            *json = serde_json::json!({"object": "list", "data": [], "has_more": false, "url": "/v1/checkout/sessions"});
        }
    }).await)
    .await;
    let found = failures(&cases);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found.iter().all(|f| f.contains("(invalid: ") && f.contains("expected a 4xx error, got 200")), "{found:#?}");
}
