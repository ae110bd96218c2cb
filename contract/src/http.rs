//! Raw HTTP/1.1 on a byte stream, for what a client library will not do:
//! tests that send malformed requests byte for byte, and the load generator,
//! which pipelines pre-encoded requests so that it measures the server and
//! not a client. The contract checks talk to servers through
//! [`crate::client`] (hyper).

use std::io::Read;

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

/// The bytes of a request, for tools that write requests themselves (the
/// load generator pipelines pre-encoded requests; a client library would
/// measure itself rather than the server).
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
    use super::read_response;

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
}
