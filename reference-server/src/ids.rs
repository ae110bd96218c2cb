//! Object IDs: a prefix, then base-62 text that is unique in the process
//! (a counter) and unpredictable between processes (a random seed).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        (nanos as u64) ^ ((nanos >> 64) as u64) ^ u64::from(std::process::id()).rotate_left(32)
    })
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn base62(mut n: u64, out: &mut String) {
    for _ in 0..11 {
        out.push(ALPHABET[(n % 62) as usize] as char);
        n /= 62;
    }
}

/// A new ID such as `cs_test_…`: `len` characters after the prefix.
pub fn new_id(prefix: &str, len: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut out = String::with_capacity(prefix.len() + len + 11);
    out.push_str(prefix);
    // `mix` is a bijection, so distinct counts give distinct first digits;
    // the rest only makes the ID look random.
    base62(mix(count ^ seed()), &mut out);
    let mut state = seed() ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    while out.len() < prefix.len() + len {
        state = mix(state.wrapping_add(0x9E37_79B9_7F4A_7C15));
        base62(state, &mut out);
    }
    out.truncate(prefix.len() + len);
    out
}

#[cfg(test)]
mod tests {
    use super::new_id;

    #[test]
    fn ids_are_unique_and_shaped() {
        let a = new_id("cs_test_", 58);
        let b = new_id("cs_test_", 58);
        assert_ne!(a, b);
        assert_eq!(a.len(), 66);
        assert!(a.starts_with("cs_test_") && a[8..].chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
