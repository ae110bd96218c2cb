//! What the fuzz targets share: the checks every answer of the generated
//! server must pass, a tiny reader of HTTP/1.1 responses, and the input
//! kept for a crash libFuzzer cannot record.

use std::sync::{Mutex, OnceLock};

/// How many bytes of an input [`keep_input`] keeps (libFuzzer's inputs are
/// far smaller; the file is sparse, so only what is written takes disk).
const KEPT: usize = 16 << 20;

/// Keeps `data`, the input about to run, in the file `OPENAPI_FUZZ_LAST`
/// names (set by `cargo xtask fuzz`; nothing is kept without it): its
/// length as 8 little-endian bytes, then the bytes. A stack overflow kills
/// the process on a stack too exhausted for libFuzzer's handler to write
/// the input as a crash artifact; this file then holds it. The file is
/// mapped into memory (memmap2), so keeping an input is a copy, with no
/// system call, and what was copied outlives the process. (A write of the
/// file per run made the fastest targets seven times slower.)
pub fn keep_input(data: &[u8]) {
    static MAP: OnceLock<Option<Mutex<memmap2::MmapMut>>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let path = std::env::var_os("OPENAPI_FUZZ_LAST")?;
        let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(path).ok()?;
        file.set_len((8 + KEPT) as u64).ok()?;
        // SAFETY: the file is this process's own (the xtask names one per
        // target and reads it only after the process has ended), so
        // nothing else changes it while it is mapped.
        unsafe { memmap2::MmapMut::map_mut(&file) }.ok().map(Mutex::new)
    });
    if let Some(map) = map {
        let mut map = map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let kept = data.len().min(KEPT);
        map[8..8 + kept].copy_from_slice(&data[..kept]);
        map[..8].copy_from_slice(&(kept as u64).to_le_bytes());
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
