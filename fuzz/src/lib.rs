//! What the fuzz targets share: the checks every answer of the generated
//! server must pass, and a tiny reader of HTTP/1.1 responses.

/// Words that would leak Rust or serde to an API client.
const LEAKS: [&str; 6] = ["invalid type", "struct ", "sequence", "::", "untagged enum", "expected a map"];

/// Panics unless `message` is worded for the API's clients.
pub fn assert_wire_words(message: &str) {
    assert!(!message.is_empty(), "an empty message");
    for leak in LEAKS {
        assert!(!message.contains(leak), "`{leak}` in {message:?}");
    }
}

/// One HTTP/1.1 response, as sent.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Every whole response in `bytes`, in order. Panics on bytes that are not
/// responses with a `Content-Length` (what the generated server sends).
/// With `bodies` false (the requests had a `HEAD`, whose answer has a length
/// and no body), a response ends where the next one starts.
pub fn responses(mut bytes: &[u8], bodies: bool) -> Vec<Answer> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        if !bodies {
            let next = bytes.windows(9).skip(1).position(|w| w == b"HTTP/1.1 ").map_or(bytes.len(), |at| at + 1);
            let head = &bytes[..next];
            let end = head.windows(4).position(|w| w == b"\r\n\r\n").expect("a whole response head") + 4;
            let text = std::str::from_utf8(&head[..end]).expect("a text head");
            let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status");
            let content_type = text
                .split("\r\n")
                .find_map(|l| l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.trim().to_owned()));
            out.push(Answer { status, content_type, body: head[end..].to_vec() });
            bytes = &bytes[next..];
            continue;
        }
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a whole response head") + 4;
        let head = std::str::from_utf8(&bytes[..end]).expect("a text head");
        let mut lines = head.split("\r\n");
        let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("a status");
        let (mut length, mut content_type) = (0usize, None);
        for line in lines {
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().expect("a length");
                } else if name.eq_ignore_ascii_case("content-type") {
                    content_type = Some(value.trim().to_owned());
                }
            }
        }
        assert!(bytes.len() >= end + length, "a whole body");
        out.push(Answer { status, content_type, body: bytes[end..end + length].to_vec() });
        bytes = &bytes[end + length..];
    }
    out
}
