//! Raw HTTP/1.1 over TCP, for what no HTTP client sends: heads over the
//! limits, malformed heads and framing, pipelined requests.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One response as it came over the wire.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// Asserts the answer is the API's error object, as JSON, and returns it.
    pub fn error_object(&self) -> serde_json::Value {
        let shown = format!("{} {:?} {}", self.status, self.headers, String::from_utf8_lossy(&self.body));
        assert_eq!(self.header("content-type"), Some("application/json"), "{shown}");
        let json = self.json();
        let error = &json["error"];
        assert_eq!(error["type"], "invalid_request_error", "{shown}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{shown}");
        assert!(error["code"].as_str().is_some_and(|m| !m.is_empty()), "{shown}");
        error.clone()
    }
}

/// Writes `request` (all of it, at once) and reads every answer until the
/// server closes the connection or `expected` answers came.
pub async fn exchange(addr: SocketAddr, request: &[u8], expected: usize) -> Vec<Answer> {
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    // A server may answer and close before it read everything: not an error.
    let _ = stream.write_all(request).await;
    let mut received = Vec::new();
    let mut answers = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        while let Some((answer, used)) = parse(&received) {
            answers.push(answer);
            received.drain(..used);
        }
        if answers.len() >= expected {
            return answers;
        }
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return answers,
            Ok(Ok(n)) => received.extend_from_slice(&chunk[..n]),
            Err(_) => panic!("no answer within 10 s; got {answers:?} and {:?}", String::from_utf8_lossy(&received)),
        }
    }
}

/// One whole response at the start of `bytes`, and its length.
fn parse(bytes: &[u8]) -> Option<(Answer, usize)> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&bytes[..end]).expect("a text head");
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().expect("a length"));
    if bytes.len() < end + length {
        return None;
    }
    let body = bytes[end..end + length].to_vec();
    Some((Answer { status, headers, body }, end + length))
}
