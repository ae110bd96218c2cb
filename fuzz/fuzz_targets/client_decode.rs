//! The client's reading of a response, status × `Request-Id` × body: a
//! typed value for a success that fits, otherwise the error that says why
//! (`Decode`, `Api`, `UnexpectedStatus`); never a panic.

#![no_main]

use checkout_sessions::client::Error;
use checkout_sessions::http_client::decode;
use checkout_sessions::types::{CheckoutSession, CheckoutSessionList};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    fuzz::keep_input(data);
    if data.len() < 3 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let request_id = data[2].is_multiple_of(2).then(|| "req_fuzz".to_owned());
    let body = &data[3..];
    let session = decode::<CheckoutSession, checkout_sessions::types::Error>(status, request_id.clone(), body);
    let list = decode::<CheckoutSessionList, checkout_sessions::types::Error>(status, request_id, body);
    for outcome in [session.map(|_| ()), list.map(|_| ())] {
        match (outcome, (200..300).contains(&status)) {
            (Ok(()), true) | (Err(Error::Decode { .. }), true) => {}
            (Err(Error::Api { status: s, .. } | Error::UnexpectedStatus { status: s, .. }), false) => assert_eq!(s, status),
            (other, success) => panic!("{status} (success: {success}) gave {other:?}"),
        }
    }
});
