//! Webhook signature verification, header × body: the first byte picks a
//! header made by signing the body (which must verify) or the bytes up to
//! the first newline as the header. Nothing that is not signed with the
//! secret is accepted; nothing panics.

#![no_main]

use checkout_sessions::signature::{Verifier, sign, signature};
use checkout_sessions::webhooks::Event;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "whsec_fuzz";
const NOW: i64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    fuzz::keep_input(data);
    let Some((&mode, rest)) = data.split_first() else { return };
    let verifier = Verifier::new(SECRET);
    if mode % 2 == 0 {
        let header = sign(rest, SECRET, NOW);
        let verified = verifier.verify_at(Some(&header), rest, NOW);
        assert!(verified.is_ok(), "a signed body is refused: {verified:?}");
        let _ = verifier.event_at::<Event>(Some(&header), rest, NOW);
        return;
    }
    let (header, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let header = String::from_utf8_lossy(header);
    if let Ok(parsed) = verifier.verify_at(Some(&header), body, NOW) {
        // Hex is read in either case, as the bytes it spells.
        let expected = signature(body, SECRET, parsed.timestamp);
        assert!(header.to_ascii_lowercase().contains(&expected), "accepted without the signature: {header}");
        assert!((parsed.timestamp - NOW).abs() <= 300, "accepted outside the tolerance: {header}");
    }
    let _ = verifier.event_at::<Event>(Some(&header), body, NOW);
});
