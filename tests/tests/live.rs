//! Check 4, the live workflows (`spec/checkout_sessions.arazzo.yaml`, run
//! by the Arazzo runner): they hold against the reference server and fail,
//! precisely, against servers broken on purpose.

use crate::common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use openapi_contract::Case;
use openapi_contract::arazzo::{self, run::Target};
use openapi_contract::client::{Client, Options};
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
    common::workflows::checkout(url, Client::new(&Options::direct(std::time::Duration::from_secs(10))).unwrap()).await
}

/// The failures of the steps (a workflow's own case only says it failed).
fn failures(cases: &[Case]) -> Vec<String> {
    cases
        .iter()
        .filter(|c| c.failed() && !c.name.starts_with("workflow "))
        .flat_map(|c| c.failures.iter().map(move |f| format!("{}: {f}", c.name)))
        .collect()
}

/// The workflows that failed.
fn failed_workflows(cases: &[Case]) -> Vec<&str> {
    cases.iter().filter(|c| c.failed() && c.name.starts_with("workflow ")).map(|c| c.name.as_str()).collect()
}

fn is_session(route: &str) -> bool {
    route.starts_with("GET /v1/checkout/sessions/cs_") && !route.ends_with("/line_items")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reference_server_keeps_the_contract() {
    let cases = scenario(serve(|_, _, _, _| {}).await).await;
    assert!(cases.len() >= 20, "{cases:#?}");
    assert_eq!(failures(&cases), Vec::<String>::new());
    assert_eq!(failed_workflows(&cases), Vec::<&str>::new());
    assert!(cases.iter().any(|c| c.name.starts_with("checkout/page_3")), "pagination crosses more than 2 pages");
    assert_eq!(cases.iter().filter(|c| c.name.starts_with("refuse_")).count(), 6, "every refusal ran");
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
    // The first create fails, and with it the workflow: no step after it runs.
    let found = failures(&cases);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with("checkout/create ") && found[0].contains("response 200 body: (root): expected required property `livemode`, found nothing"), "{found:#?}");
    assert_eq!(failed_workflows(&cases), ["workflow checkout"]);
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
    assert!(found.iter().any(|f| f.contains("/data/0/status: expected one of \"complete\", \"expired\", \"open\", null, found string \"paid\"")), "{found:#?}");
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
    assert!(found.iter().any(|f| f.starts_with("checkout/create ") && f.contains("response: status 201 is not declared (declared: 200, default; `default` covers errors only)")), "{found:#?}");
    assert!(found.iter().any(|f| f.starts_with("refuse_unknown_session/unknown_session ") && f.contains("response 404: Content-Type `text/plain` is not declared")), "{found:#?}");
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
    let failed: Vec<&Case> = cases.iter().filter(|c| c.failed() && !c.name.starts_with("workflow ")).collect();
    let names: Vec<&str> = failed.iter().map(|c| c.name.split(' ').next().unwrap()).collect();
    assert_eq!(names, ["refuse_limit_0/limit_0", "refuse_limit_101/limit_101", "refuse_unknown_status/unknown_status"], "{failed:#?}");
    assert!(failed.iter().all(|c| c.failures.iter().any(|f| f.contains("a request that breaks the spec got 200, not a 4xx"))), "{failed:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn criteria_beyond_the_contract_are_checked() {
    // Answers within the contract, but not what the workflow expects.
    let cases = scenario(serve(|route, _, _, json| {
        if route.ends_with("/line_items") {
            for item in json["data"].as_array_mut().into_iter().flatten() {
                item["quantity"] = Value::from(3);
            }
        }
        if route.ends_with("/expire") && json["error"]["code"] == "checkout_session_not_open" {
            json["error"]["code"] = Value::String("not_open".into());
        }
    }).await)
    .await;
    let found = failures(&cases);
    assert_eq!(found.len(), 1, "the workflow ends at the first: {found:#?}");
    assert!(found[0].starts_with("checkout/line_items ") && found[0].contains("successCriteria/1 does not hold"), "{found:#?}");
}

#[test]
fn a_broken_workflow_document_is_refused_by_pointer_and_line() {
    let spec = Spec::load(&contract_tests::root().join("spec/checkout_sessions.yaml")).unwrap();
    let text = r#"arazzo: 1.0.1
info: {title: Broken, version: "1"}
sourceDescriptions: [{name: api, url: ./checkout_sessions.yaml, type: openapi}]
workflows:
  - workflowId: broken
    steps:
      - stepId: first
        operationId: NoSuchOperation
        successCriteria:
          - condition: $statusCode = 200
      - stepId: second
        operationId: RetrieveCheckoutSession
        parameters:
          - {name: session, in: path, value: $steps.first.outputs.id}
          - {name: x, in: body, value: 1}
        successCriteria:
          - {condition: "//a", context: $response.body, type: xpath}
        onSuccess:
          - {name: loop, type: goto, stepId: nowhere}
      - stepId: third
        operationPath: "{$sourceDescriptions.api.url}#/paths/~1v1~1checkout~1sessions/get"
"#;
    let problems = arazzo::Document::load("broken.arazzo.yaml", text, &spec.doc).unwrap_err();
    let shown: Vec<String> = problems.problems.iter().map(|p| format!("{}: {}", p.line.unwrap_or(0), p.pointer)).collect();
    assert_eq!(
        shown,
        [
            "8: #/workflows/0/steps/0/operationId",
            "10: #/workflows/0/steps/0/successCriteria/0/condition",
            "15: #/workflows/0/steps/1/parameters/1/in",
            "17: #/workflows/0/steps/1/successCriteria/0/type",
            "21: #/workflows/0/steps/2/operationPath",
            "19: #/workflows/0/steps/1/onSuccess/0/stepId",
            "11: #/workflows/0/steps/1",
        ],
        "{problems}"
    );
    let text = problems.to_string();
    assert!(text.contains("no operation `NoSuchOperation`") && text.contains("`xpath` criteria are not supported"), "{text}");
    assert!(text.contains("step `first` has no output `id`"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dependencies_replacements_and_actions_run_as_written() {
    let url = serve(|_, _, _, _| {}).await;
    let recorded = std::sync::Arc::new(common::Recorded::default());
    let progress = openapi_contract::progress::Progress::to(recorded.clone());
    let cases = tokio::task::spawn_blocking(move || {
        let mut spec = Spec::load(&contract_tests::root().join("spec/checkout_sessions.yaml")).unwrap();
        spec.progress = progress;
        let text = r#"arazzo: 1.0.1
info: {title: Actions, version: "1"}
sourceDescriptions: [{name: api, url: ./checkout_sessions.yaml, type: openapi}]
workflows:
  - workflowId: make
    inputs:
      type: object
      properties:
        order: {type: string, default: "41"}
    steps:
      - stepId: create
        operationId: CreateCheckoutSession
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload:
            mode: payment
            success_url: https://example.com/done
            line_items: [{price: price_1MotwRLkdIwHu7ixYcPLm5uZ, quantity: 1}]
            metadata: {order: placeholder}
          replacements:
            - {target: /metadata/order, value: "order-{$inputs.order}"}
        successCriteria:
          - condition: $statusCode == 200 && $response.header.Content-Type == 'application/json'
        outputs:
          id: $response.body#/id
    outputs:
      session: $steps.create.outputs.id
  - workflowId: use
    dependsOn: [make]
    steps:
      - stepId: read
        operationId: RetrieveCheckoutSession
        parameters:
          - {name: session, in: path, value: $workflows.make.outputs.session}
        successCriteria:
          - condition: $response.body#/metadata/order == 'order-42'
        onSuccess:
          - {name: skip the poll, type: goto, stepId: expire}
      - stepId: never
        operationId: RetrieveCheckoutSession
        parameters:
          - {name: session, in: path, value: does_not_matter}
      - stepId: expire
        operationId: ExpireCheckoutSession
        parameters:
          - {name: session, in: path, value: $workflows.make.outputs.session}
        successCriteria:
          - condition: $response.body#/status == 'expired'
        onSuccess:
          - name: done
            type: end
            criteria: [{condition: $statusCode == 200}]
      - stepId: after_end
        operationId: RetrieveCheckoutSession
        parameters:
          - {name: session, in: path, value: $workflows.make.outputs.session}
  - workflowId: poll
    dependsOn: [make]
    steps:
      - stepId: until_complete
        operationId: RetrieveCheckoutSession
        parameters:
          - {name: session, in: path, value: $workflows.make.outputs.session}
        successCriteria:
          - condition: $response.body#/status == 'complete'
        onFailure:
          - {name: again, type: retry, retryAfter: 0, retryLimit: 2}
"#;
        let doc = arazzo::Document::load("actions.arazzo.yaml", text, &spec.doc).unwrap_or_else(|e| panic!("{e}"));
        let headers = vec![("Authorization".to_owned(), format!("Bearer {DEFAULT_API_KEY}"))];
        let target = Target { base_url: url, headers, client: Client::new(&Options::direct(std::time::Duration::from_secs(10))).unwrap() };
        let inputs = serde_json::json!({"order": "42"}).as_object().unwrap().clone();
        arazzo::run::run_all(&doc, &mut spec, &target, &inputs)
    })
    .await
    .unwrap();
    let ran: Vec<String> = cases.iter().map(|c| format!("{} {}", c.name.split(' ').next().unwrap(), if c.passed() { "ok" } else { "FAILED" })).collect();
    assert_eq!(
        ran,
        [
            "make/create ok",
            "workflow ok",
            "use/read ok",
            "use/expire ok",
            "workflow ok",
            // A retry runs the step again, up to its limit, then fails the workflow.
            "poll/until_complete FAILED",
            "poll/until_complete FAILED",
            "poll/until_complete FAILED",
            "workflow FAILED",
        ],
        "{cases:#?}"
    );
    // A progress display counts the workflows, dependencies run first included.
    assert_eq!(recorded.phases(), [("workflows".to_owned(), 3, 3)]);
}
