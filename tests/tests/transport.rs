//! The live checks' transport end to end on 127.0.0.1: the spec's Arazzo
//! workflows over HTTPS against the reference server (a certificate made
//! here, trusted through `ca_certs`), through an HTTP proxy (plain and
//! `CONNECT`), and the client's refusals: an untrusted certificate, a
//! redirect not followed, a server that never answers.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openapi_contract::client::{Client, Options, Proxy};
use openapi_contract::Case;
use reference_server::{Config, ReferenceServer, serve_with, tls_config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A self-signed certificate for `localhost` and 127.0.0.1, written as PEM
/// files into a directory of this test's own.
fn certificate(name: &str) -> (PathBuf, PathBuf) {
    let dir = contract_tests::root().join("target/tmp/transport").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    (cert, key)
}

/// The reference server over TLS; its address.
async fn tls_server(cert: &Path, key: &Path) -> std::net::SocketAddr {
    let tls = tls_config(cert, key).unwrap();
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve_with(Arc::new(ReferenceServer::new(Config::default())), listener, Some(tls)));
    addr
}


fn assert_all_pass(cases: &[Case]) {
    let failed: Vec<String> = cases.iter().filter(|c| !c.passed()).map(|c| format!("{}: {:?} {:?}", c.name, c.failures, c.skipped)).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(cases.len() > 20, "{} cases", cases.len());
}

fn options(ca_certs: Vec<PathBuf>, proxy: Proxy) -> Options {
    Options { timeout: Duration::from_secs(10), ca_certs, proxy }
}

#[tokio::test(flavor = "multi_thread")]
async fn workflows_pass_over_https_with_the_certificate_trusted() {
    let (cert, key) = certificate("https");
    let addr = tls_server(&cert, &key).await;
    let client = Client::new(&options(vec![cert], Proxy::None)).unwrap();
    let cases = common::workflows::checkout(format!("https://{addr}"), client).await;
    assert_all_pass(&cases);
    // The transcript is what went through TLS, in the clear.
    let wire = cases.iter().find_map(|c| c.wire.clone()).unwrap();
    let sent = String::from_utf8_lossy(&wire.sent);
    assert!(sent.starts_with("POST /v1/checkout/sessions HTTP/1.1\r\nHost: "), "{sent}");
    assert!(sent.contains("\r\nContent-Type: application/x-www-form-urlencoded\r\n"), "{sent}");
    let received = String::from_utf8_lossy(&wire.received);
    assert!(received.starts_with("HTTP/1.1 200 OK\r\n"), "{received}");
    assert!(received.ends_with('}'), "{received}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_certificate_or_plain_http_to_tls_fails_by_name() {
    let (cert, key) = certificate("untrusted");
    let addr = tls_server(&cert, &key).await;
    let client = Client::new(&options(Vec::new(), Proxy::None)).unwrap();
    let error = tokio::task::spawn_blocking(move || client.send("GET", &format!("https://{addr}/v1/checkout/sessions"), &[], b"").unwrap_err()).await.unwrap();
    assert!(error.contains("TLS with 127.0.0.1") && error.contains("certificate"), "{error}");
    // The same server spoken to in the clear: an error, not a hang.
    let client = Client::new(&Options { timeout: Duration::from_secs(5), ..options(Vec::new(), Proxy::None) }).unwrap();
    let answer = tokio::task::spawn_blocking(move || client.send("GET", &format!("http://{addr}/v1/checkout/sessions"), &[], b"")).await.unwrap();
    assert!(answer.is_err(), "{answer:?}");
    // A file with no certificate in it is refused when the client is made.
    let (_, key) = certificate("not-a-cert");
    let error = Client::new(&options(vec![key.clone()], Proxy::None)).unwrap_err();
    assert!(error.contains(&key.display().to_string()) && error.contains("no PEM certificate"), "{error}");
}

/// A listener that reads one request head, remembers it, and answers with
/// `answer`; the address and the heads it saw.
async fn canned(answer: &'static [u8]) -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let heads = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let head = read_head(&mut stream).await;
            heads.lock().unwrap().push(head);
            let _ = stream.write_all(answer).await;
        }
    });
    (addr, seen)
}

async fn read_head(stream: &mut tokio::net::TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).await.is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_are_answers_not_followed() {
    let (addr, seen) = canned(b"HTTP/1.1 302 Found\r\nLocation: /v1/elsewhere\r\nContent-Length: 0\r\n\r\n").await;
    let client = Client::new(&options(Vec::new(), Proxy::None)).unwrap();
    let (response, wire) =
        tokio::task::spawn_blocking(move || client.send("GET", &format!("http://{addr}/v1/checkout/sessions"), &[], b"").unwrap()).await.unwrap();
    assert_eq!((response.status, response.header("location")), (302, Some("/v1/elsewhere")));
    assert!(wire.received.starts_with(b"HTTP/1.1 302 Found\r\n"));
    assert_eq!(seen.lock().unwrap().len(), 1, "one request, no second to the Location");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let client = Client::new(&Options { timeout: Duration::from_millis(300), ..options(Vec::new(), Proxy::None) }).unwrap();
    let started = std::time::Instant::now();
    let error = tokio::task::spawn_blocking(move || client.send("GET", &format!("http://{addr}/"), &[], b"").unwrap_err()).await.unwrap();
    assert!(error.contains("no complete answer within 300ms"), "{error}");
    // Bounded: the 300 ms timeout, and generous room for a loaded machine.
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_goes_to_the_proxy_in_absolute_form_with_its_credentials() {
    let (proxy, seen) = canned(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}").await;
    let client = Client::new(&options(Vec::new(), Proxy::All(format!("http://user:secret@{proxy}")))).unwrap();
    let (response, _) = tokio::task::spawn_blocking(move || client.send("GET", "http://api.example.test:8080/v1/checkout/sessions?limit=1", &[], b"").unwrap())
        .await
        .unwrap();
    assert_eq!(response.body, b"{}");
    let head = seen.lock().unwrap()[0].clone();
    assert!(head.starts_with("GET http://api.example.test:8080/v1/checkout/sessions?limit=1 HTTP/1.1\r\n"), "{head}");
    assert!(head.contains("\r\nHost: api.example.test:8080\r\n"), "{head}");
    // "user:secret" in base64.
    assert!(head.contains("\r\nProxy-Authorization: Basic dXNlcjpzZWNyZXQ=\r\n"), "{head}");
}

#[tokio::test(flavor = "multi_thread")]
async fn https_tunnels_through_the_proxy_with_connect() {
    let (cert, key) = certificate("tunnel");
    let server = tls_server(&cert, &key).await;
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let proxy = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let heads = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let heads = Arc::clone(&heads);
            tokio::spawn(async move {
                let head = read_head(&mut stream).await;
                heads.lock().unwrap().push(head.lines().next().unwrap_or_default().to_owned());
                let mut upstream = tokio::net::TcpStream::connect(server).await.unwrap();
                stream.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut stream, &mut upstream).await;
            });
        }
    });
    let client = Client::new(&options(vec![cert], Proxy::All(format!("http://{proxy}")))).unwrap();
    let cases = common::workflows::checkout(format!("https://{server}"), client).await;
    assert_all_pass(&cases);
    let heads = seen.lock().unwrap().clone();
    assert!(!heads.is_empty() && heads.iter().all(|h| h == &format!("CONNECT {server} HTTP/1.1")), "{heads:?}");
}
