//! Webhook events: typed reading, signature verification and signing, the
//! axum extractor, bad input of every kind, and the reference server
//! sending events to a receiver, all on 127.0.0.1.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use checkout_sessions::signature::{self, SignatureError, SignatureHeader, Verifier};
use checkout_sessions::types::CheckoutSessionStatus;
use checkout_sessions::webhook_receiver::VerifiedEvent;
use checkout_sessions::webhooks::Event;
use common::{harness, one_shirt};
use reference_server::{Clock, Config, Retries, WebhookEndpoint};
use serde_json::{Value, json};
use tokio::net::TcpListener;

const SECRET: &str = "whsec_test_secret";
const NOW: i64 = 1_700_000_000;

/// The spec's example of a completed-session event.
fn completed() -> Value {
    let doc = openapi_codegen::Document::from_path(&contract_tests::root().join("spec/checkout_sessions.yaml")).unwrap();
    doc.resolve_pointer("#/components/examples/event_completed/value").unwrap().clone()
}

fn body_of(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

#[test]
fn events_read_by_type_and_unknown_types_are_kept() {
    let event = Event::from_slice(&body_of(&completed())).unwrap();
    assert!(matches!(event, Event::CheckoutSessionCompleted(_)), "{event:?}");
    assert_eq!(event.event_type(), "checkout.session.completed");
    let session = event.checkout_session().unwrap();
    assert!(session.id.starts_with("cs_"));
    assert_eq!(serde_json::to_value(&event).unwrap(), completed(), "an event writes back as it came");

    let mut other = completed();
    other["type"] = json!("invoice.paid");
    other["data"] = json!({"object": {"id": "in_1", "object": "invoice", "whatever": [1, 2]}});
    let event = Event::from_slice(&body_of(&other)).unwrap();
    assert!(matches!(event, Event::Unknown(_)));
    assert_eq!((event.event_type(), event.checkout_session()), ("invoice.paid", None));
    assert_eq!(serde_json::to_value(&event).unwrap(), other, "an unknown event is kept whole");

    let mut broken = completed();
    broken["data"]["object"]["amount_total"] = json!("lots");
    assert!(Event::from_slice(&body_of(&broken)).is_err(), "a known type must read as its envelope");
    assert!(Event::from_slice(br#"{"id": "evt_1"}"#).is_err(), "an event needs a type");
}

#[test]
fn signed_events_verify_and_read() {
    let (header, body) = signature::signed(&completed(), SECRET, NOW).unwrap();
    assert!(header.starts_with(&format!("t={NOW},v1=")) && header.len() == format!("t={NOW},v1=").len() + 64, "{header}");
    let verifier = Verifier::new(SECRET);
    let event: Event = verifier.event_at(Some(&header), &body, NOW + 10).unwrap();
    assert!(matches!(event, Event::CheckoutSessionCompleted(_)));
    // HMAC-SHA256 of "<t>.<body>" keyed with the whole secret, as hex
    // (the value Python's `hmac` gives for key `whsec_x` and `1.{}`).
    assert_eq!(signature::signature(b"{}", "whsec_x", 1), "36ee2f7498f0c1777d1312b2a7361947fe5ad31223be30d0c62421f4ca753401");
    assert_eq!(signature::sign(b"{}", "whsec_x", 1), "t=1,v1=36ee2f7498f0c1777d1312b2a7361947fe5ad31223be30d0c62421f4ca753401");
}

#[test]
fn each_kind_of_bad_input_has_its_own_error() {
    let (header, body) = signature::signed(&completed(), SECRET, NOW).unwrap();
    let verifier = Verifier::new(SECRET);
    let check = |header: Option<&str>, body: &[u8], now: i64| verifier.event_at::<Event>(header, body, now).map(|_| ());

    assert_eq!(check(None, &body, NOW), Err(SignatureError::MissingHeader));
    let mut tampered = body.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x01;
    assert_eq!(check(Some(&header), &tampered, NOW), Err(SignatureError::NoMatchingSignature), "tampered body");
    let retimed = header.replacen(&format!("t={NOW}"), &format!("t={}", NOW + 1), 1);
    assert_eq!(check(Some(&retimed), &body, NOW), Err(SignatureError::NoMatchingSignature), "tampered timestamp");
    let wrong = Verifier::new("whsec_other").event_at::<Event>(Some(&header), &body, NOW).map(|_| ());
    assert_eq!(wrong, Err(SignatureError::NoMatchingSignature), "wrong secret");
    assert_eq!(
        check(Some(&header), &body, NOW + 301),
        Err(SignatureError::TimestampOutsideTolerance { timestamp: NOW, now: NOW + 301, tolerance: 300 }),
        "a replay older than the tolerance"
    );
    assert_eq!(check(Some(&header), &body, NOW + 300), Ok(()), "at the edge of the tolerance");
    assert!(matches!(check(Some(&header), &body, NOW - 301), Err(SignatureError::TimestampOutsideTolerance { .. })), "from the future");
    let tight = Verifier::new(SECRET).tolerance(Duration::from_secs(5));
    assert!(matches!(tight.event_at::<Event>(Some(&header), &body, NOW + 6), Err(SignatureError::TimestampOutsideTolerance { .. })));

    for garbage in ["", "garbage", "t=abc,v1=00", "v1=00", &format!("t={NOW}"), &format!("t={NOW},v1=zz"), &format!("t={NOW},t={NOW},{}", &header[header.find("v1").unwrap()..]), "t=1,v1=", "=,=", "t=1;v1=ab"] {
        assert!(matches!(check(Some(garbage), &body, NOW), Err(SignatureError::MalformedHeader(_))), "`{garbage}`: {:?}", check(Some(garbage), &body, NOW));
    }
    let padded = format!("{header},v0=deadbeef,scheme=x");
    assert_eq!(check(Some(&padded), &body, NOW), Ok(()), "other schemes and fields are ignored");

    let huge = vec![b'x'; 10 << 20];
    let huge_header = signature::sign(&huge, SECRET, NOW);
    assert_eq!(check(Some(&huge_header), &huge, NOW), Err(SignatureError::BodyTooLarge { size: 10 << 20, limit: 1 << 20 }));

    let not_utf8 = vec![0xff, 0xfe, 0x00, 0x80];
    let signed = signature::sign(&not_utf8, SECRET, NOW);
    assert!(matches!(check(Some(&signed), &not_utf8, NOW), Err(SignatureError::InvalidEvent(_))), "signed, but not an event");
    let not_event = br#"{"hello": "world"}"#;
    assert!(matches!(check(Some(&signature::sign(not_event, SECRET, NOW)), not_event, NOW), Err(SignatureError::InvalidEvent(_))));
}

#[test]
fn during_a_rotation_any_matching_secret_will_do() {
    let body = body_of(&completed());
    let header = format!(
        "t={NOW},v1={},v1={}",
        signature::signature(&body, "whsec_old", NOW),
        signature::signature(&body, "whsec_new", NOW)
    );
    let parsed = SignatureHeader::parse(&header).unwrap();
    assert_eq!((parsed.timestamp, parsed.signatures.len()), (NOW, 2));
    for verifier in [Verifier::new("whsec_old"), Verifier::new("whsec_new"), Verifier::new("whsec_other").with_secret("whsec_new")] {
        assert!(verifier.verify_at(Some(&header), &body, NOW).is_ok(), "{verifier:?}");
    }
    assert_eq!(Verifier::new("whsec_other").verify_at(Some(&header), &body, NOW).unwrap_err(), SignatureError::NoMatchingSignature);
    assert!(!format!("{:?}", Verifier::new("whsec_old")).contains("whsec_old"), "Debug hides the secrets");
}

/// A small deterministic generator for the fuzz test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn random_headers_and_bodies_never_panic_and_never_pass_unsigned() {
    let verifier = Verifier::new(SECRET);
    let (header, body) = signature::signed(&completed(), SECRET, NOW).unwrap();
    let parts = ["t=", "v1=", "v0=", ",", "=", "1700000000", "-5", "99999999999999999999", "abc", "0123456789abcdef", "é", " ", "\u{0}", &header, "t=1700000000"];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rejected = 0;
    for case in 0..5_000 {
        let random_header: String = (0..rng.next() % 8).map(|_| rng.pick(&parts)).collect();
        let random_body: Vec<u8> = (0..rng.next() % 64).map(|_| rng.next() as u8).collect();
        let (h, b) = match case % 3 {
            0 => (random_header.clone(), body.clone()),
            1 => (header.clone(), random_body),
            _ => {
                // One byte of a valid pair changed.
                let (mut h, mut b) = (header.clone().into_bytes(), body.clone());
                if rng.next().is_multiple_of(2) {
                    let at = (rng.next() % h.len() as u64) as usize;
                    h[at] = b"0123456789abcdef=,tv"[(rng.next() % 20) as usize];
                } else {
                    let at = (rng.next() % b.len() as u64) as usize;
                    b[at] = rng.next() as u8;
                }
                (String::from_utf8_lossy(&h).into_owned(), b)
            }
        };
        match verifier.event_at::<Event>(Some(&h), &b, NOW) {
            // Accepted only when the header really carries the body's
            // signature (other fields may be anything: they are ignored).
            Ok(_) => {
                let parsed = SignatureHeader::parse(&h).unwrap();
                let expected = signature::signature(&b, SECRET, parsed.timestamp);
                let carried: Vec<String> = parsed.signatures.iter().map(|s| s.iter().map(|b| format!("{b:02x}")).collect()).collect();
                assert!(carried.contains(&expected), "accepted an unsigned pair: {h}");
            }
            Err(_) => rejected += 1,
        }
    }
    assert!(rejected > 4_500, "{rejected} of 5000 rejected");
}

type Received = Arc<Mutex<Vec<Event>>>;

/// A receiver on 127.0.0.1 that verifies with the extractor and records;
/// it answers 500 to the first `fail_first` deliveries.
async fn receiver(fail_first: usize) -> (String, Received, Arc<Mutex<usize>>) {
    #[derive(Clone)]
    struct App {
        verifier: Verifier,
        received: Received,
        calls: Arc<Mutex<usize>>,
        fail_first: usize,
    }
    impl axum::extract::FromRef<App> for Verifier {
        fn from_ref(app: &App) -> Verifier {
            app.verifier.clone()
        }
    }
    async fn receive(State(app): State<App>, VerifiedEvent(event): VerifiedEvent<Event>) -> StatusCode {
        let call = {
            let mut calls = app.calls.lock().unwrap();
            *calls += 1;
            *calls
        };
        if call <= app.fail_first {
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
        app.received.lock().unwrap().push(event);
        StatusCode::OK
    }
    let app = App { verifier: Verifier::new(SECRET), received: Received::default(), calls: Arc::default(), fail_first };
    let (received, calls) = (Arc::clone(&app.received), Arc::clone(&app.calls));
    let router = Router::new().route("/webhooks", post(receive)).with_state(app);
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, received, calls)
}

async fn post_raw(url: &str, header: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(url).header("Content-Type", "application/json").body(body);
    if let Some(header) = header {
        request = request.header(signature::HEADER, header);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_extractor_verifies_reads_and_refuses_with_reasons() {
    let (url, received, _) = receiver(0).await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (header, body) = signature::signed(&completed(), SECRET, now).unwrap();
    assert_eq!(post_raw(&url, Some(&header), body.clone()).await.0, 200);
    assert_eq!(received.lock().unwrap().len(), 1);

    let cases = [
        (None, body.clone(), 400, "signature_header_missing"),
        (Some("t=1"), body.clone(), 400, "signature_header_malformed"),
        (Some(header.as_str()), [body.as_slice(), b" "].concat(), 400, "signature_mismatch"),
        (Some(header.as_str()), vec![b' '; 2 << 20], 413, "body_too_large"),
    ];
    for (header, body, status, code) in cases {
        let (got, error) = post_raw(&url, header, body).await;
        assert_eq!((got, error["error"]["code"].as_str()), (status, Some(code)), "{error}");
        assert!(error["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // A body too large, announced or not.
    let (got, error) = post_raw(&url, Some(&header), vec![b' '; 3 << 20]).await;
    assert_eq!((got, error["error"]["message"].as_str()), (413, Some("the body (at least 3145728 bytes) is larger than 1048576 bytes")));
    // Chunked, with no length announced: 40 chunks of 64 KiB.
    let (host, path) = url.trim_start_matches("http://").split_once('/').map(|(h, p)| (h.to_owned(), format!("/{p}"))).unwrap();
    let signed_header = header.clone();
    let status = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        let mut writer = stream.try_clone().unwrap();
        let head = format!("POST {path} HTTP/1.1\r\nHost: {host}\r\n{}: {signed_header}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n", signature::HEADER);
        // Written from another thread while this one waits for the answer,
        // which comes (and must be read) before the server has read it all.
        std::thread::spawn(move || {
            writer.write_all(head.as_bytes())?;
            for _ in 0..40 {
                writer.write_all(format!("{:x}\r\n{}\r\n", 64 << 10, " ".repeat(64 << 10)).as_bytes())?;
            }
            writer.write_all(b"0\r\n\r\n")
        });
        openapi_contract::http::read_response(&mut stream, &mut Vec::new(), false).map(|r| r.status)
    })
    .await
    .unwrap();
    assert_eq!(status, Ok(413));
    let old = signature::signed(&completed(), SECRET, now - 3600).unwrap();
    assert_eq!(post_raw(&url, Some(&old.0), old.1).await.1["error"]["code"], "timestamp_outside_tolerance");
    assert_eq!(received.lock().unwrap().len(), 1, "nothing refused was recorded");
}

/// Waits until `done` holds: polled every 25 ms, for at most a minute (a
/// delivery with retries takes milliseconds; a loaded machine may take
/// seconds, and a stuck one fails the test rather than hangs it).
async fn until(mut done: impl FnMut() -> bool) {
    for _ in 0..2400 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out");
}

#[tokio::test]
async fn the_reference_server_sends_signed_events_that_a_receiver_verifies() {
    let (url, received, calls) = receiver(2).await;
    let clock = Clock::manual(NOW);
    let config = Config {
        clock: clock.clone(),
        webhooks: vec![WebhookEndpoint { url: url.clone(), secret: SECRET.into() }],
        retries: Retries { retries: 3, backoff: Duration::from_millis(20) },
        sweep_every: Duration::from_millis(50),
        ..Config::default()
    };
    let h = harness(config).await;

    // Expired by the operation: the receiver fails twice, the third try lands.
    let session = h.client.create_checkout_session(&one_shirt(1).expires_at(NOW + 3600)).await.unwrap();
    h.client.expire_checkout_session(&session.id, &Default::default()).await.unwrap();
    until(|| received.lock().unwrap().len() == 1).await;
    assert_eq!(*calls.lock().unwrap(), 3, "two failures, then delivered");
    let deliveries = h.server.server.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!((deliveries[0].attempts, deliveries[0].last_status, deliveries[0].delivered), (3, Some(200), true));
    let first = received.lock().unwrap()[0].clone();
    assert!(matches!(first, Event::CheckoutSessionExpired(_)), "{first:?}");
    assert_eq!(first.checkout_session().map(|s| (s.id.clone(), s.status.clone())), Some((session.id.clone(), Some(CheckoutSessionStatus::Expired))));

    // Completed through the test-helper route.
    let other = h.client.create_checkout_session(&one_shirt(2)).await.unwrap();
    let url = format!("{}/v1/test_helpers/checkout/sessions/{}/complete", h.server.url(), other.id);
    let (status, _) = common::raw(reqwest::Method::POST, &url, Some(reference_server::DEFAULT_API_KEY), None, "").await;
    assert_eq!(status, 200);
    until(|| received.lock().unwrap().len() == 2).await;
    let second = received.lock().unwrap()[1].clone();
    assert_eq!(second.event_type(), "checkout.session.completed");
    assert_eq!(second.checkout_session().unwrap().status, Some(CheckoutSessionStatus::Complete));

    // Expired by time: the sweeper notices without any request.
    let third = h.client.create_checkout_session(&one_shirt(1).expires_at(NOW + 1800)).await.unwrap();
    clock.set(NOW + 1800);
    until(|| received.lock().unwrap().len() == 3).await;
    let event = received.lock().unwrap()[2].clone();
    assert_eq!((event.event_type(), event.checkout_session().map(|s| s.id.as_str())), ("checkout.session.expired", Some(third.id.as_str())));
    assert_eq!(h.server.server.deliveries().iter().filter(|d| d.delivered).count(), 3);
}

const STRIPE_PYTHON: &str = r#"
import json, sys, time
import stripe
payload, header, secret = sys.argv[1], sys.argv[2], sys.argv[3]
event = stripe.Webhook.construct_event(payload, header, secret)
print(json.dumps({"id": event["id"], "type": event["type"],
                  "header": stripe.WebhookSignature.generate_signature_header(payload, secret, int(time.time()))}))
"#;

#[test]
fn signatures_interoperate_with_the_stripe_python_package() {
    let Some(python) = common::python::python_with(&["stripe"]) else { return };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (header, body) = signature::signed(&completed(), SECRET, now).unwrap();
    let payload = String::from_utf8(body.clone()).unwrap();
    let output = std::process::Command::new(python).args(["-c", STRIPE_PYTHON, &payload, &header, SECRET]).output().unwrap();
    assert!(output.status.success(), "stripe rejected our signature: {}", String::from_utf8_lossy(&output.stderr));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["type"], "checkout.session.completed");
    assert_eq!(answer["id"], completed()["id"]);
    // And ours accepts the header the stripe package computed.
    let theirs = answer["header"].as_str().unwrap();
    let event: Event = Verifier::new(SECRET).event(Some(theirs), &body).unwrap();
    assert_eq!(event.event_type(), "checkout.session.completed");
    let wrong = std::process::Command::new(python).args(["-c", STRIPE_PYTHON, &payload, &header, "whsec_other"]).output().unwrap();
    assert!(!wrong.status.success(), "the stripe package must refuse a wrong secret too");
}

#[test]
fn hex_signatures_are_read_in_either_case() {
    // Found by the webhook_signature fuzz target, whose first oracle wanted
    // the lowercase text: hex spells bytes, and the bytes are what is compared.
    let body = body_of(&completed());
    let header = signature::sign(&body, SECRET, NOW);
    let upper = header.replace("v1=", "V1=").to_ascii_uppercase().replace("T=", "t=").replace("V1=", "v1=");
    assert_ne!(header, upper);
    assert!(Verifier::new(SECRET).verify_at(Some(&upper), &body, NOW).is_ok(), "{upper}");
    let last = if upper.ends_with('0') { "1" } else { "0" };
    let flipped = format!("{}{last}", &upper[..upper.len() - 1]);
    assert!(Verifier::new(SECRET).verify_at(Some(&flipped), &body, NOW).is_err());
}
