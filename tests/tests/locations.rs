//! Parameters of different locations are different values, whatever their
//! names (`tests/fixtures/locations.yaml`): a query parameter, a header, a
//! cookie and a body property all named `uris` travel each where it is
//! declared, from the generated client to the generated server over
//! loopback, and a request written by hand reads the same.

use std::sync::Arc;

use contract_tests::fixtures::locations::client::Client;
use contract_tests::fixtures::locations::http_server::{Rejection, RequestContext};
use contract_tests::fixtures::locations::server::{self, Failure, LocationsApi};
use contract_tests::fixtures::locations::types::{CreateFormLookupParams, CreateLookupParams, Seen};
use tokio::net::TcpListener;

struct Echo;

impl LocationsApi for Echo {
    fn rejection(&self, rejection: &Rejection) -> serde_json::Value {
        serde_json::json!({"param": rejection.param, "message": rejection.message})
    }

    async fn create_lookup(&self, params: CreateLookupParams, _: RequestContext) -> Result<Seen, Failure> {
        Ok(Seen {
            query: params.uris,
            header: params.uris_header,
            cookie: params.uris_cookie,
            session: Some(params.session),
            body: Some(params.uris_body),
        })
    }

    async fn create_form_lookup(&self, params: CreateFormLookupParams, _: RequestContext) -> Result<Seen, Failure> {
        Ok(Seen { query: params.uris, body: params.uris_body, ..Seen::default() })
    }
}

async fn serve() -> String {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(server::serve(listener, Arc::new(Echo)));
    url
}

#[tokio::test]
async fn a_query_parameter_header_cookie_and_body_property_of_one_name_stay_apart() {
    let url = serve().await;
    let client = Client::new(&url, "unused").unwrap();
    let params = CreateLookupParams::new("s; p=1 %", vec!["a".into(), "b".into()]).uris("q").uris_header("h").uris_cookie("c");
    let seen = client.create_lookup(&params).await.unwrap();
    let expected = Seen {
        query: Some("q".into()),
        header: Some("h".into()),
        cookie: Some("c".into()),
        session: Some("s; p=1 %".into()),
        body: Some(vec!["a".into(), "b".into()]),
    };
    assert_eq!(seen, expected);
    // Only the body property is in the body: the request as written.
    let wire = serde_json::to_value(&params).unwrap();
    assert_eq!(wire["uris"], serde_json::json!(["a", "b"]));
    // Form bodies too.
    let form = CreateFormLookupParams::default().uris("q").uris_body(vec!["x".into()]);
    let seen = client.create_form_lookup(&form).await.unwrap();
    assert_eq!((seen.query.as_deref(), seen.body), (Some("q"), Some(vec!["x".into()])));
}

#[tokio::test]
async fn a_request_written_by_hand_is_read_by_location() {
    let url = serve().await;
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{url}/lookups?uris=q"))
        .header("uris", "h")
        .header("Cookie", "session=s%3B%20x; uris=c")
        .header("Authorization", "whatever")
        .header("Content-Type", "application/json")
        .body(r#"{"uris": ["a"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let seen: Seen = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!((seen.query, seen.header, seen.cookie, seen.session), (Some("q".into()), Some("h".into()), Some("c".into()), Some("s; x".into())));
    assert_eq!(seen.body, Some(vec!["a".into()]));
    // A value of the wrong type is named by its location, not confused with the others.
    let response = http
        .post(format!("{url}/lookups?uris=longer-than-eight"))
        .header("Cookie", "session=s")
        .header("Content-Type", "application/json")
        .body(r#"{"uris": ["a"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(error["param"], "uris (query)", "{error}");
    // A required cookie is required.
    let response = http.post(format!("{url}/lookups")).header("Content-Type", "application/json").body(r#"{"uris": []}"#).send().await.unwrap();
    let error: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(error["param"], "session", "{error}");
}
