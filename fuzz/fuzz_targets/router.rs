//! The generated router end to end, behind the generated `serve`: raw bytes
//! from a client (any number of requests, any framing) over one connection
//! to the reference server. Every answer has a status the router documents;
//! every error carries the API's error object as JSON; the connection ends
//! when the client's bytes do (no stall); nothing panics.

#![no_main]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use checkout_sessions::http_server::{self, Refuse};
use checkout_sessions::server::CheckoutSessionsApi;
use libfuzzer_sys::fuzz_target;
use reference_server::{Config, ReferenceServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DOCUMENTED: [u16; 10] = [100, 200, 400, 401, 404, 405, 413, 414, 415, 431];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime"))
}

fuzz_target!(|data: &[u8]| {
    fuzz::keep_input(data);
    let output = runtime().block_on(async {
        let server = Arc::new(ReferenceServer::new(Config::default()));
        let app = reference_server::router(Arc::clone(&server));
        let refuse: Refuse = Arc::new(move |r| http_server::respond(r.status, &server.rejection(r)));
        let (mut client, server_io) = tokio::io::duplex(1 << 16);
        let serving = tokio::spawn(http_server::serve_connection(server_io, app, refuse));
        let exchange = async {
            let (mut reader, mut writer) = tokio::io::split(&mut client);
            let write = async {
                let _ = writer.write_all(data).await;
                let _ = writer.shutdown().await;
            };
            let mut output = Vec::new();
            let read = reader.read_to_end(&mut output);
            let (_, _) = tokio::join!(write, read);
            output
        };
        let output = tokio::time::timeout(Duration::from_secs(10), exchange).await.expect("the server stalled");
        serving.abort();
        output
    });
    let shown = String::from_utf8_lossy(&output[..output.len().min(2_000)]).into_owned();
    for answer in fuzz::responses(&output).unwrap_or_else(|e| panic!("{e} in {shown:?}")) {
        assert!(DOCUMENTED.contains(&answer.status), "undocumented status {}", answer.status);
        if answer.status >= 400 && !answer.body.is_empty() {
            assert_eq!(answer.content_type.as_deref(), Some("application/json"), "{answer:?}");
            let body: serde_json::Value = serde_json::from_slice(&answer.body).expect("a JSON error body");
            let message = body["error"]["message"].as_str().expect("an error object with a message");
            assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
            fuzz::assert_wire_words(message, body["error"]["param"].as_str());
        } else if answer.status >= 400 {
            // The answer to a HEAD: the error object's length, not its bytes.
            assert_eq!(answer.content_type.as_deref(), Some("application/json"), "{answer:?}");
            assert!(answer.declared > 0, "an error without a body: {answer:?}");
        }
    }
});
