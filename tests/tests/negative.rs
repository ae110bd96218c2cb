//! Generated negative requests against real servers on 127.0.0.1: the
//! reference server and a second API refuse every one with their error
//! response; a server that accepts anything fails every one; the choice is
//! seeded and the run bounded.

use crate::common;

use std::time::Duration;

use openapi_contract::arazzo::run::Target;
use openapi_contract::checks::Spec;
use openapi_contract::client::{Client, Options};
use openapi_contract::negative::{self, Settings};
use openapi_contract::progress::Progress;
use openapi_contract::Case;
use reference_server::{Config, DEFAULT_API_KEY};
use tokio::net::TcpListener;

fn target(url: String, headers: Vec<(String, String)>) -> Target {
    Target { base_url: url, headers, client: Client::new(&Options::direct(Duration::from_secs(10))).unwrap() }
}

async fn run(spec: &str, url: String, headers: Vec<(String, String)>, settings: Settings) -> Vec<Case> {
    observed(spec, url, headers, settings, Default::default()).await
}

/// [`run`], telling `progress` how far it has gone.
async fn observed(spec: &str, url: String, headers: Vec<(String, String)>, settings: Settings, progress: Progress) -> Vec<Case> {
    let spec = contract_tests::root().join(spec);
    tokio::task::spawn_blocking(move || {
        let mut spec = Spec::load(&spec).unwrap();
        spec.progress = progress;
        negative::run(&mut spec, &target(url, headers), settings)
    })
    .await
    .unwrap()
}

fn bearer() -> Vec<(String, String)> {
    vec![("Authorization".to_owned(), format!("Bearer {DEFAULT_API_KEY}"))]
}

fn failed(cases: &[Case]) -> Vec<String> {
    cases.iter().filter(|c| c.failed()).map(|c| format!("{}: {:?}", c.name, c.failures)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reference_server_refuses_every_broken_request_with_its_error() {
    let h = common::harness(Config::default()).await;
    let settings = Settings { per_operation: 1000, ..Settings::default() };
    let cases = run("spec/checkout_sessions.yaml", h.server.url(), bearer(), settings).await;
    assert_eq!(failed(&cases), Vec::<String>::new());
    let sent: Vec<&Case> = cases.iter().filter(|c| c.passed()).collect();
    assert!(sent.len() > 60, "{} sent", sent.len());
    for operation in ["ListCheckoutSessions", "CreateCheckoutSession", "RetrieveCheckoutSession", "ListCheckoutSessionLineItems", "ExpireCheckoutSession"] {
        assert!(sent.iter().any(|c| c.name.starts_with(&format!("{operation} "))), "{operation}");
    }
    for rule in [
        "the required body property `mode` is missing",
        "query parameter `limit` above its maximum 100",
        "query parameter `status` outside its enum",
        "query parameter `expand` more than its maxItems 10",
        "body property `currency` not matching its pattern",
        "body property `line_items` more than its maxItems 100",
        "body property `line_items[0][quantity]` above its maximum 999999",
        "the body is sent as text/plain",
        "no credentials",
    ] {
        assert!(sent.iter().any(|c| c.name.contains(rule)), "no case {rule:?} among {:#?}", sent.iter().map(|c| &c.name).collect::<Vec<_>>());
    }
    // What was skipped says why, and no more than a few are.
    let skipped: Vec<String> = cases.iter().filter_map(|c| c.skipped.as_ref().map(|why| format!("{}: {why}", c.name))).collect();
    assert!(skipped.len() * 10 < cases.len(), "{skipped:#?}");
    // The exchanges are in the report.
    let wire = sent[0].wire.as_ref().unwrap();
    assert!(String::from_utf8_lossy(&wire.received).starts_with("HTTP/1.1 4"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_accepts_anything_fails_every_case() {
    let app = axum::Router::new().fallback(|| async { ([("content-type", "application/json")], "{}") });
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let recorded = std::sync::Arc::new(common::Recorded::default());
    let settings = Settings { per_operation: 1000, ..Settings::default() };
    let cases = observed("spec/checkout_sessions.yaml", url, bearer(), settings, Progress::to(recorded.clone())).await;
    // A progress display is told of one phase, a step per operation.
    assert_eq!(recorded.phases(), [("negative requests, by operation".to_owned(), 5, 5)]);
    let sent: Vec<&Case> = cases.iter().filter(|c| c.skipped.is_none()).collect();
    assert!(sent.len() > 60, "{} sent", sent.len());
    for case in sent {
        assert!(case.failures.iter().any(|f| f.contains("got 200, not a 4xx")), "{case:#?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_choice_is_seeded_and_the_run_bounded() {
    let h = common::harness(Config::default()).await;
    let names = |cases: Vec<Case>| cases.into_iter().map(|c| c.name).collect::<Vec<_>>();
    let few = |seed| Settings { per_operation: 3, seed, ..Settings::default() };
    let first = names(run("spec/checkout_sessions.yaml", h.server.url(), bearer(), few(7)).await);
    let again = names(run("spec/checkout_sessions.yaml", h.server.url(), bearer(), few(7)).await);
    let other = names(run("spec/checkout_sessions.yaml", h.server.url(), bearer(), few(8)).await);
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert_eq!(first.len(), 15, "3 for each of 5 operations: {first:#?}");
    // Past the budget, what is left is skipped, saying why.
    let none = Settings { per_operation: 3, seed: 7, budget: Duration::ZERO };
    let cases = run("spec/checkout_sessions.yaml", h.server.url(), bearer(), none).await;
    assert!(cases.iter().all(|c| c.skipped.as_deref().is_some_and(|why| why.contains("budget"))), "{cases:#?}");
}
