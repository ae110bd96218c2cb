//! Form bodies and query strings, as the generated router reads them: the
//! first byte picks an operation, the bytes up to the first newline are its
//! query string, the rest its form body. Anything is params or a refusal
//! with a 4xx, a parameter and a message in the API's words; never a panic.

#![no_main]

use checkout_sessions::http_server::{OperationSpec, Rejection, parse};
use checkout_sessions::server::operations;
use checkout_sessions::types;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn read<P: DeserializeOwned + Serialize + checkout_sessions::runtime::Validate>(
    spec: &OperationSpec,
    query: &str,
    body: &[u8],
) -> Result<P, Rejection> {
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("content-type", axum::http::HeaderValue::from_static("application/x-www-form-urlencoded"));
    parse::<P>(spec, Some(query), &headers, body)
}

fuzz_target!(|data: &[u8]| {
    fuzz::keep_input(data);
    let Some((&op, rest)) = data.split_first() else { return };
    let (query, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let query = String::from_utf8_lossy(query);
    let refused = match op % 5 {
        0 => read::<types::ListCheckoutSessionsParams>(&operations::LIST_CHECKOUT_SESSIONS, &query, body).err(),
        1 => read::<types::CreateCheckoutSessionParams>(&operations::CREATE_CHECKOUT_SESSION, &query, body).err(),
        2 => read::<types::RetrieveCheckoutSessionParams>(&operations::RETRIEVE_CHECKOUT_SESSION, &query, body).err(),
        3 => read::<types::ExpireCheckoutSessionParams>(&operations::EXPIRE_CHECKOUT_SESSION, &query, body).err(),
        _ => read::<types::ListCheckoutSessionLineItemsParams>(&operations::LIST_CHECKOUT_SESSION_LINE_ITEMS, &query, body).err(),
    };
    if let Some(rejection) = refused {
        assert!(matches!(rejection.status, 400 | 413 | 415), "{rejection:?}");
        fuzz::assert_wire_words(&rejection.message, rejection.param.as_deref());
        assert!(rejection.param.as_deref() != Some(""), "an empty param: {rejection:?}");
    }
    let _ = checkout_sessions::wire::decode_body(body);
});
