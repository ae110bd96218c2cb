//! Bad input on every media kind, both ways: the generated server answers
//! a 4xx with the API's error object (never a panic, a stall or memory
//! without bound), and the generated client gives a typed error.
//!
//! Server side, byte for byte over loopback: a multipart body with no
//! boundary, cut short, with a part too large, with 10,000 parts, with a
//! part header 1 MiB long, and bodies whose declared length lies. Client
//! side, against a server written here byte for byte (no generated code):
//! an event stream whose line never ends, one whose single event would be
//! 1 GiB, JSON lines whose line never ends, and a download whose declared
//! length lies.

use crate::common;

use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use contract_tests::fixtures::media::client::{Client, Error};
use contract_tests::fixtures::media::http_server::{MAX_PARTS, MULTIPART_LIMIT, PART_HEAD_LIMIT, PART_LIMIT};
use contract_tests::fixtures::media::server;
use contract_tests::fixtures::media::types::*;
use contract_tests::fixtures::media::wire::{MAX_EVENT, MAX_LINE, StreamError};
use contract_tests::media::Media;
use futures_util::TryStreamExt;
use openapi_contract::http::{Response, read_response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BOUNDARY: &str = "b0undary";

async fn serve() -> SocketAddr {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(server::serve(listener, Arc::new(Media { check: false })));
    addr
}

/// Sends a head and a body, then ends the sending half (so that a body
/// shorter than its declared length ends), and reads one answer.
async fn send(addr: SocketAddr, head: String, body: Vec<u8>) -> Response {
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        // The server may answer and close before it read everything.
        let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
        let _ = stream.shutdown(Shutdown::Write);
        read_response(&mut stream, &mut Vec::new(), false).unwrap_or_else(|e| panic!("no answer: {e}"))
    })
    .await
    .unwrap()
}

fn multipart_head(path: &str, content_type: &str, length: usize) -> String {
    format!("POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: {content_type}\r\ncontent-length: {length}\r\n\r\n")
}

fn part(name: &str, extra: &str, content: &[u8]) -> Vec<u8> {
    let mut out = format!("--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"{name}\"{extra}\r\n\r\n").into_bytes();
    out.extend_from_slice(content);
    out.extend_from_slice(b"\r\n");
    out
}

fn upload(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut body: Vec<u8> = parts.concat();
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The API's error object of `answer`, checked against its status.
fn error(answer: &Response) -> (u16, String) {
    let json = common::wire::json(answer);
    assert_eq!(json["status"], answer.status, "{answer:?}");
    let message = json["message"].as_str().unwrap_or_else(|| panic!("no error object: {answer:?}")).to_owned();
    (answer.status, message)
}

async fn post_multipart(addr: SocketAddr, body: Vec<u8>) -> (u16, String) {
    let head = multipart_head("/files", &format!("multipart/form-data; boundary={BOUNDARY}"), body.len());
    error(&send(addr, head, body).await)
}

#[tokio::test]
async fn a_good_upload_passes_so_the_bad_ones_below_fail_for_their_fault() {
    let addr = serve().await;
    let body = upload(&[part("file", "; filename=\"a.pdf\"", b"%PDF"), part("purpose", "", b"invoice")]);
    let head = multipart_head("/files", &format!("multipart/form-data; boundary={BOUNDARY}"), body.len());
    let answer = send(addr, head, body).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(common::wire::json(&answer)["size"], 4);
}

#[tokio::test]
async fn a_multipart_body_without_a_boundary_is_refused() {
    let addr = serve().await;
    let body = upload(&[part("file", "; filename=\"a.pdf\"", b"%PDF"), part("purpose", "", b"invoice")]);
    let answer = send(addr, multipart_head("/files", "multipart/form-data", body.len()), body).await;
    assert_eq!(error(&answer), (400, "The multipart body has no boundary".into()));
}

#[tokio::test]
async fn a_multipart_body_cut_short_is_refused_naming_the_part() {
    let addr = serve().await;
    let whole = upload(&[part("purpose", "", b"invoice"), part("file", "; filename=\"a.pdf\"", &[7; 4096])]);
    let cut = whole[..whole.len() - 2000].to_vec();
    assert_eq!(post_multipart(addr, cut).await, (400, "The multipart body ends inside the part `file`".into()));
    // Cut inside the headers of a part.
    let cut = format!("--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"purpose\"").into_bytes();
    assert_eq!(post_multipart(addr, cut).await, (400, "The multipart body ends before its closing boundary".into()));
}

#[tokio::test]
async fn a_part_too_large_is_413() {
    let addr = serve().await;
    let big = vec![b'x'; PART_LIMIT as usize + 1];
    let body = upload(&[part("purpose", "", b"invoice"), part("file", "; filename=\"a.bin\"", &big)]);
    assert_eq!(post_multipart(addr, body).await, (413, format!("The part `file` is larger than {PART_LIMIT} bytes")));
}

#[tokio::test]
async fn ten_thousand_parts_are_refused() {
    let addr = serve().await;
    let mut parts = vec![part("file", "; filename=\"a.pdf\"", b"%PDF"), part("purpose", "", b"invoice")];
    parts.extend((0..10_000).map(|i| part("tags", "", format!("t{i}").as_bytes())));
    assert_eq!(post_multipart(addr, upload(&parts)).await, (400, format!("A multipart body may hold at most {MAX_PARTS} parts")));
}

#[tokio::test]
async fn a_part_header_a_mebibyte_long_is_refused() {
    let addr = serve().await;
    let name = format!("; filename=\"{}.pdf\"", "n".repeat(1 << 20));
    let body = upload(&[part("file", &name, b"%PDF"), part("purpose", "", b"invoice")]);
    let expected = format!("The headers of a part of the multipart body are longer than {PART_HEAD_LIMIT} bytes");
    assert_eq!(post_multipart(addr, body).await, (400, expected));
}

#[tokio::test]
async fn a_declared_length_that_lies_is_refused_not_waited_for() {
    let addr = serve().await;
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    // Longer than what comes: the body ends where the client stops.
    let body = upload(&[part("file", "; filename=\"a.pdf\"", b"%PDF"), part("purpose", "", b"invoice")]);
    let answer = send(addr, multipart_head("/files", &content_type, body.len() + 100), body).await;
    assert_eq!(answer.status, 400, "{answer:?}");
    error(&answer);
    // Bytes, streamed to the operation: the same.
    let head = "PUT /files/f1/content HTTP/1.1\r\nhost: x\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\n";
    let answer = send(addr, head.into(), vec![1; 10]).await;
    assert_eq!(answer.status, 400, "{answer:?}");
    error(&answer);
    // More than a multipart body may hold: refused before a byte is read.
    let answer = send(addr, multipart_head("/files", &content_type, MULTIPART_LIMIT as usize + 1), Vec::new()).await;
    assert_eq!(error(&answer), (413, format!("The request body is larger than {MULTIPART_LIMIT} bytes")));
    // Shorter than what comes: the rest is the next request, refused as such.
    let body = upload(&[part("file", "; filename=\"a.pdf\"", b"%PDF"), part("purpose", "", b"invoice")]);
    let answer = send(addr, multipart_head("/files", &content_type, body.len() - 20), body).await;
    assert_eq!(answer.status, 400, "{answer:?}");
    error(&answer);
}

/// A server written here: answers the first connection with `head` and
/// `prefix`, then writes `chunk` again and again, up to `total` bytes,
/// until the client goes. Answers how many bytes of body it wrote.
async fn raw_server(head: &'static str, prefix: &'static [u8], chunk: Vec<u8>, total: usize) -> (String, tokio::task::JoinHandle<usize>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        // Read the request head (and whatever came with it).
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buffer).await {
                Ok(0) | Err(_) => return 0,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
        if socket.write_all(head.as_bytes()).await.is_err() || socket.write_all(prefix).await.is_err() {
            return 0;
        }
        let mut written = prefix.len();
        while written < total {
            if socket.write_all(&chunk).await.is_err() {
                break;
            }
            written += chunk.len();
        }
        let _ = socket.shutdown().await;
        written
    });
    (url, task)
}

fn client(url: &str) -> Client {
    Client::from_http(Client::builder(url).max_retries(0).build().unwrap())
}

const EVENTS: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
const GIB: usize = 1 << 30;

#[tokio::test]
async fn an_event_stream_whose_line_never_ends_is_an_error_at_the_line_limit() {
    let (url, server) = raw_server(EVENTS, b"data: ", vec![b'x'; 64 << 10], GIB).await;
    let mut events = client(&url).ticks(&TicksParams::default()).await.unwrap();
    match events.try_next().await {
        Err(Error::Stream(StreamError::LineTooLong { limit })) => assert_eq!(limit, MAX_LINE),
        other => panic!("{other:?}"),
    }
    drop(events);
    // The client stopped reading near the limit, not at the end.
    assert!(server.await.unwrap() < 64 * MAX_LINE);
}

#[tokio::test]
async fn an_event_of_a_gibibyte_is_an_error_at_the_event_limit() {
    let mut chunk = b"data: ".to_vec();
    chunk.resize(8 << 10, b'x');
    chunk.push(b'\n');
    let (url, server) = raw_server(EVENTS, b"", chunk, GIB).await;
    let mut events = client(&url).ticks(&TicksParams::default()).await.unwrap();
    match events.try_next().await {
        Err(Error::Stream(StreamError::EventTooLarge { limit })) => assert_eq!(limit, MAX_EVENT),
        other => panic!("{other:?}"),
    }
    drop(events);
    assert!(server.await.unwrap() < 8 * MAX_EVENT);
}

#[tokio::test]
async fn json_lines_whose_line_never_ends_are_an_error_at_the_line_limit() {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\nconnection: close\r\n\r\n";
    let (url, server) = raw_server(head, b"{\"id\": 1}\n{\"id\": 2, \"name\": \"", vec![b'y'; 64 << 10], GIB).await;
    let mut lines = client(&url).import(futures_util::stream::iter(vec![Record::new(1)])).await.unwrap();
    assert_eq!(lines.try_next().await.unwrap().map(|r| r.id), Some(1));
    match lines.try_next().await {
        Err(Error::Stream(StreamError::LineTooLong { limit })) => assert_eq!(limit, MAX_LINE),
        other => panic!("{other:?}"),
    }
    drop(lines);
    assert!(server.await.unwrap() < 64 * MAX_LINE);
}

#[tokio::test]
async fn a_download_shorter_than_its_declared_length_is_an_error() {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\n";
    let (url, _server) = raw_server(head, &[1; 10], Vec::new(), 0).await;
    let download = client(&url).download_file("f1").await.unwrap();
    assert_eq!(download.length(), Some(1000));
    assert!(download.bytes(1 << 20).await.is_err());
}

#[tokio::test]
async fn bodies_the_spec_does_not_allow_are_refused_in_the_apis_words() {
    let addr = serve().await;
    let post = |path: &str, content_type: &str, body: &str| {
        let head = format!("POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n", body.len());
        send(addr, head, body.as_bytes().to_vec())
    };
    // Each line of JSON lines is read as a body is, before the answer starts.
    let lines = "application/x-ndjson";
    assert_eq!(post("/records", lines, "{\"id\": 1}\n{\"id\": 2}\n").await.status, 200, "a good body passes");
    let cases = [
        ("{\"id\": 1}\n{\"id\": 2, \"zz\": 1}\n", "line 2 of the stream: Received unknown parameter: zz"),
        ("{\"id\": \"x\"}\n", "line 1 of the stream: Invalid id: must be an integer, not `x`"),
        ("{\"name\": \"a\"}\n", "line 1 of the stream: Missing required param: id."),
        ("{\"id\": \n", "line 1 of the stream: Invalid JSON: EOF while parsing a value at line 1 column 7"),
    ];
    for (body, message) in cases {
        assert_eq!(error(&post("/records", lines, body).await), (400, message.to_owned()), "{body:?}");
    }
    // A required body that is not there.
    let head = "PUT /files/f1/content HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n";
    assert_eq!(error(&send(addr, head.into(), Vec::new()).await), (400, "Missing the required request body".into()));
    // `null` where the schema does not allow it.
    let answer = post("/settings", "application/json", r#"{"theme": null}"#).await;
    assert_eq!(error(&answer), (400, "Invalid body[theme]: must be a string, not null".into()));
}
