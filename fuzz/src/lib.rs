//! What the fuzz targets share: the checks every answer of the generated
//! server must pass, a tiny reader of HTTP/1.1 responses, and the input
//! kept for a crash libFuzzer cannot record.

use std::sync::OnceLock;

/// Keeps `data`, the input about to run, in the file `OPENAPI_FUZZ_LAST`
/// names (set by `cargo xtask fuzz`; nothing is written without it). A
/// stack overflow kills the process on a stack too exhausted for
/// libFuzzer's handler to write the input as a crash artifact: this file
/// then holds it. One write per run, a small part of a run's time.
pub fn keep_input(data: &[u8]) {
    static PATH: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    if let Some(path) = PATH.get_or_init(|| std::env::var_os("OPENAPI_FUZZ_LAST").map(Into::into)) {
        let _ = std::fs::write(path, data);
    }
}

/// Words that would leak Rust or serde to an API client.
const LEAKS: [&str; 6] = ["invalid type", "struct ", "sequence", "::", "untagged enum", "expected a map"];

/// Panics unless `message` is worded for the API's clients. What the
/// client sent comes back in it (the parameter at fault, values in
/// backticks) and is left out of the check.
pub fn assert_wire_words(message: &str, param: Option<&str>) {
    assert!(!message.is_empty(), "an empty message");
    let mut own = match param {
        Some(param) if !param.is_empty() => message.replace(param, ""),
        _ => message.to_owned(),
    };
    while let Some(start) = own.find('`') {
        match own[start + 1..].find('`') {
            Some(end) => own.replace_range(start..start + end + 2, ""),
            None => break,
        }
    }
    for leak in LEAKS {
        assert!(!own.contains(leak), "`{leak}` in {message:?}");
    }
}

/// One HTTP/1.1 response, as sent.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// The `Content-Length` sent (a `HEAD` answer's body is not).
    pub declared: usize,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Every whole response in `bytes`, in order, or what is wrong with them:
/// the generated server sends a `Content-Length` with every answer. The
/// answer to a `HEAD` has the length and no body: a response followed at
/// once by the next one (`HTTP/1.0` or `HTTP/1.1`), or by the end, has none.
pub fn responses(mut bytes: &[u8]) -> Result<Vec<Answer>, &'static str> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no whole response head")? + 4;
        let head = std::str::from_utf8(&bytes[..end]).map_err(|_| "a head that is not text")?;
        let mut lines = head.split("\r\n");
        let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).ok_or("no status")?;
        let (mut length, mut content_type) = (0usize, None);
        for line in lines {
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().map_err(|_| "a bad length")?;
                } else if name.eq_ignore_ascii_case("content-type") {
                    content_type = Some(value.trim().to_owned());
                }
            }
        }
        let declared = length;
        let rest = &bytes[end..];
        if rest.is_empty() || rest.starts_with(b"HTTP/1.") {
            length = 0;
        }
        if rest.len() < length {
            return Err("no whole body");
        }
        out.push(Answer { status, declared, content_type, body: rest[..length].to_vec() });
        bytes = &rest[length..];
    }
    Ok(out)
}
