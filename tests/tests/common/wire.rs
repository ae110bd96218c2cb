//! Raw HTTP/1.1 over TCP, for what no HTTP client sends: heads over the
//! limits, malformed heads and framing, pipelined requests. The responses
//! are read by the contract suite's own reader (`openapi_contract::http`).

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use openapi_contract::http::{Response, read_response};

/// One response as it came over the wire.
pub type Answer = Response;

/// Asserts that `answer` is the API's error object, as JSON, and returns it.
pub fn error_object(answer: &Answer) -> serde_json::Value {
    let shown = format!("{} {:?} {}", answer.status, answer.headers, String::from_utf8_lossy(&answer.body));
    assert_eq!(answer.header("content-type"), Some("application/json"), "{shown}");
    let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or(serde_json::Value::Null);
    let error = &json["error"];
    assert_eq!(error["type"], "invalid_request_error", "{shown}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{shown}");
    assert!(error["code"].as_str().is_some_and(|m| !m.is_empty()), "{shown}");
    error.clone()
}

/// The body of `answer` as JSON (`Null` when it is not JSON).
pub fn json(answer: &Answer) -> serde_json::Value {
    serde_json::from_slice(&answer.body).unwrap_or(serde_json::Value::Null)
}

/// Writes `request` (all of it, at once) and reads every answer until the
/// server closes the connection or `expected` answers came. Panics when the
/// server stalls (no answer and no close within 10 s).
pub async fn exchange(addr: SocketAddr, request: &[u8], expected: usize) -> Vec<Answer> {
    let request = request.to_vec();
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).expect("the server accepts");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a timeout");
        // A server may answer and close before it read everything: not an error.
        let _ = stream.write_all(&request);
        let (mut buffer, mut answers) = (Vec::new(), Vec::new());
        while answers.len() < expected {
            let started = Instant::now();
            match read_response(&mut stream, &mut buffer, false) {
                Ok(answer) => answers.push(answer),
                Err(e) => {
                    assert!(started.elapsed() < Duration::from_secs(9), "the server stalled: {e}; got {answers:?}");
                    break;
                }
            }
        }
        answers
    })
    .await
    .expect("the exchange runs")
}
