//! A small blocking HTTP/1.1 client over `std::net`, enough to drive a
//! server on a plain `http://` address: requests with a body, responses
//! with `Content-Length` or chunked bodies, keep-alive.
//!
//! The contract checks use it rather than a full client so that what goes
//! on the wire is exactly what the check wrote, and what comes back is
//! seen before any client library interprets it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A response as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header names (lower-cased) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// `host:port` and the path prefix of an `http://` base URL.
pub fn split_url(base: &str) -> Result<(String, String), String> {
    let rest = base.strip_prefix("http://").ok_or_else(|| format!("`{base}`: only http:// URLs are supported"))?;
    let (host, prefix) = match rest.find('/') {
        Some(at) => (&rest[..at], rest[at..].trim_end_matches('/')),
        None => (rest, ""),
    };
    if host.is_empty() {
        return Err(format!("`{base}` names no host"));
    }
    let host = if host.contains(':') { host.to_owned() } else { format!("{host}:80") };
    Ok((host, prefix.to_owned()))
}

/// The bytes of a request.
pub fn request_bytes(method: &str, target: &str, host: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Sends one request on a new connection and reads the response.
pub fn send(host: &str, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8], timeout: Duration) -> Result<Response, String> {
    let mut stream = TcpStream::connect(host).map_err(|e| format!("cannot connect to {host}: {e}"))?;
    stream.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    let mut all = headers.to_vec();
    all.push(("Connection", "close"));
    stream.write_all(&request_bytes(method, target, host, &all, body)).map_err(|e| format!("cannot send to {host}: {e}"))?;
    read_response(&mut stream, &mut Vec::new(), method == "HEAD")
}

/// Reads one response from `stream`. Bytes read past it stay in `buffer`
/// for the next one (keep-alive). A body with neither `Content-Length` nor
/// chunking runs to the end of the connection.
pub fn read_response(stream: &mut impl Read, buffer: &mut Vec<u8>, head_only: bool) -> Result<Response, String> {
    let mut chunk = [0u8; 16 * 1024];
    let mut fill = |stream: &mut dyn Read, buffer: &mut Vec<u8>| -> Result<usize, String> {
        let n = stream.read(&mut chunk).map_err(|e| format!("reading the response: {e}"))?;
        buffer.extend_from_slice(&chunk[..n]);
        Ok(n)
    };
    let end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > 1 << 20 {
            return Err("the response head is over 1 MiB".into());
        }
        if fill(stream, buffer)? == 0 {
            return Err("the connection closed before a complete response head".into());
        }
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP status line: `{status_line}`"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    buffer.drain(..end + 4);
    let find = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let no_body = head_only || status == 204 || status == 304 || (100..200).contains(&status);
    let body = if no_body {
        Vec::new()
    } else if find("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(at) = buffer.windows(2).position(|w| w == b"\r\n") {
                    break at;
                }
                if fill(stream, buffer)? == 0 {
                    return Err("the connection closed inside a chunked body".into());
                }
            };
            let size_text = String::from_utf8_lossy(&buffer[..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or_default().trim(), 16)
                .map_err(|_| format!("bad chunk size `{size_text}`"))?;
            buffer.drain(..line_end + 2);
            while buffer.len() < size + 2 {
                if fill(stream, buffer)? == 0 {
                    return Err("the connection closed inside a chunk".into());
                }
            }
            body.extend_from_slice(&buffer[..size]);
            buffer.drain(..size + 2);
            if size == 0 {
                break;
            }
        }
        body
    } else if let Some(length) = find("content-length") {
        let length: usize = length.parse().map_err(|_| format!("bad Content-Length `{length}`"))?;
        while buffer.len() < length {
            if fill(stream, buffer)? == 0 {
                return Err("the connection closed inside the body".into());
            }
        }
        buffer.drain(..length).collect()
    } else {
        while fill(stream, buffer)? > 0 {}
        std::mem::take(buffer)
    };
    Ok(Response { status, headers, body })
}

#[cfg(test)]
mod tests {
    use super::{read_response, split_url};

    #[test]
    fn reads_sized_and_chunked_bodies_one_after_the_other() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}\
HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;x=y\r\n:1}\r\n0\r\n\r\n";
        let mut stream = &wire[..];
        let mut buffer = Vec::new();
        let first = read_response(&mut stream, &mut buffer, false).unwrap();
        assert_eq!((first.status, first.body.as_slice(), first.header("Content-Type")), (200, &b"{}"[..], Some("application/json")));
        let second = read_response(&mut stream, &mut buffer, false).unwrap();
        assert_eq!((second.status, second.body.as_slice()), (400, &b"{\"a\":1}"[..]));
        assert!(read_response(&mut stream, &mut buffer, false).is_err());
    }

    #[test]
    fn urls() {
        assert_eq!(split_url("http://127.0.0.1:12111").unwrap(), ("127.0.0.1:12111".into(), String::new()));
        assert_eq!(split_url("http://localhost/api/").unwrap(), ("localhost:80".into(), "/api".into()));
        assert!(split_url("https://api.example.com").is_err());
    }
}
