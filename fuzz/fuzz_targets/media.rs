//! Bodies that are not forms or JSON, read by the functions the generated
//! code uses: multipart bodies (the server's `read_parts`, in chunks of any
//! size), server-sent events (`EventParser`, the client's reader) and JSON
//! lines (`LineSplitter`, both sides). Every outcome is bounded (parts,
//! lines and events within their limits), an error is a 4xx worded for the
//! API's clients, and reading in chunks gives what reading at once does.

#![no_main]

use std::sync::OnceLock;

use checkout_sessions::http_server::{MAX_PARTS, PART_LIMIT, read_parts};
use checkout_sessions::wire::{Event, EventParser, LineSplitter, StreamError};
use fuzz::assert_wire_words;
use libfuzzer_sys::fuzz_target;

/// Small limits, so that inputs a fuzzer makes reach them.
const MAX_LINE: usize = 64;
const MAX_EVENT: usize = 256;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime"))
}

/// `bytes` in chunks of `size` (at least 1).
fn chunks(bytes: &[u8], size: u8) -> impl Iterator<Item = &[u8]> {
    bytes.chunks(usize::from(size % 17) + 1)
}

fn multipart(size: u8, data: &[u8]) {
    let (content_type, body) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b"multipart/form-data; boundary=b"[..], data),
    };
    let mut headers = axum::http::HeaderMap::new();
    if let Ok(value) = axum::http::HeaderValue::from_bytes(content_type) {
        headers.insert(axum::http::header::CONTENT_TYPE, value);
    }
    let pieces: Vec<Result<Vec<u8>, std::io::Error>> = chunks(body, size).map(|c| Ok(c.to_vec())).collect();
    let body = axum::body::Body::from_stream(futures_util::stream::iter(pieces));
    match runtime().block_on(read_parts(body, &headers)) {
        Ok(parts) => {
            assert!(parts.len() <= MAX_PARTS, "{} parts", parts.len());
            for part in parts {
                assert!(part.data.len() as u64 <= PART_LIMIT);
            }
        }
        Err(rejection) => {
            assert!((400..500).contains(&rejection.status), "{rejection:?}");
            assert_wire_words(&rejection.message, rejection.param.as_deref());
        }
    }
}

/// The events of `pieces`, up to the first error and that error.
fn events<'a>(pieces: impl Iterator<Item = &'a [u8]>) -> (Vec<Event>, Option<StreamError>) {
    let mut parser = EventParser::new(MAX_LINE, MAX_EVENT);
    let mut out = Vec::new();
    for piece in pieces {
        if let Err(e) = parser.push(piece, &mut out) {
            return (out, Some(e));
        }
    }
    (out, None)
}

/// The lines of `pieces`, up to the first error and that error.
fn lines<'a>(pieces: impl Iterator<Item = &'a [u8]>) -> (Vec<Vec<u8>>, Option<StreamError>) {
    let mut splitter = LineSplitter::new(MAX_LINE);
    let mut out = Vec::new();
    for piece in pieces {
        if let Err(e) = splitter.push(piece, &mut out) {
            return (out, Some(e));
        }
    }
    out.extend(splitter.finish());
    (out, None)
}

fuzz_target!(|data: &[u8]| {
    fuzz::keep_input(data);
    let [mode, size, rest @ ..] = data else { return };
    match mode % 3 {
        0 => multipart(*size, rest),
        1 => {
            let (chunked, error) = events(chunks(rest, *size));
            assert_eq!((chunked.clone(), error), events(std::iter::once(rest)), "chunks of {}", size % 17 + 1);
            for event in chunked {
                assert!(event.data.len() <= MAX_EVENT);
            }
        }
        _ => {
            let (chunked, error) = lines(chunks(rest, *size));
            assert_eq!((chunked.clone(), error), lines(std::iter::once(rest)), "chunks of {}", size % 17 + 1);
            for line in chunked {
                assert!(line.len() <= MAX_LINE && !line.iter().all(u8::is_ascii_whitespace));
            }
        }
    }
});
