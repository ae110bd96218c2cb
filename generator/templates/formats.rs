/// Checks of the string formats a schema's `format` names: the generated
/// router's (`Bounds::format`) and the contract validator's. One file
/// serves both: the generator compiles it as `openapi_codegen::formats` and
/// appends its text to every generated `runtime.rs`.
pub mod formats {
    /// Whether `text` has the string format `name`: `None` for a format
    /// that is not checked (`byte`, `password`, `unix-time`, ...).
    pub fn accepts(name: &str, text: &str) -> Option<bool> {
        Some(match name {
            "date-time" => date_time(text),
            "date" => date(text),
            "email" => email(text),
            "uuid" => uuid(text),
            "ipv4" => ipv4(text),
            "ipv6" => ipv6(text),
            "uri" => uri(text),
            _ => return None,
        })
    }

    /// An `@`: what a mail system decides beyond that is its own (the
    /// check Python's `jsonschema` makes, which the cross-check compares).
    pub fn email(s: &str) -> bool {
        s.contains('@')
    }

    /// An IPv6 address as the standard library reads one.
    pub fn ipv6(s: &str) -> bool {
        s.parse::<std::net::Ipv6Addr>().is_ok()
    }

    fn digits(s: &str) -> Option<u32> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    }

    /// `YYYY-MM-DD` with a real day of that month.
    pub fn date(s: &str) -> bool {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return false;
        }
        let (Some(year), Some(month), Some(day)) = (digits(&s[0..4]), digits(&s[5..7]), digits(&s[8..10])) else {
            return false;
        };
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&day)
    }

    /// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    pub fn date_time(s: &str) -> bool {
        let Some(split) = s.find(['T', 't']) else { return false };
        let (day, time) = (&s[..split], &s[split + 1..]);
        if !date(day) {
            return false;
        }
        let (clock, offset) = if let Some(rest) = time.strip_suffix(['Z', 'z']) {
            (rest, None)
        } else {
            let Some(at) = time.rfind(['+', '-']) else { return false };
            (&time[..at], Some(&time[at + 1..]))
        };
        if let Some(offset) = offset {
            let b = offset.as_bytes();
            if b.len() != 5 || b[2] != b':' {
                return false;
            }
            match (digits(&offset[..2]), digits(&offset[3..])) {
                (Some(h), Some(m)) if h < 24 && m < 60 => {}
                _ => return false,
            }
        }
        let (whole, fraction) = match clock.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (clock, None),
        };
        if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
            return false;
        }
        let b = whole.as_bytes();
        if b.len() != 8 || b[2] != b':' || b[5] != b':' {
            return false;
        }
        matches!(
            (digits(&whole[..2]), digits(&whole[3..5]), digits(&whole[6..])),
            (Some(h), Some(m), Some(sec)) if h < 24 && m < 60 && sec <= 60
        )
    }

    /// `8-4-4-4-12` hex digits.
    pub fn uuid(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
    }

    /// Four decimal octets, no leading zeros.
    pub fn ipv4(s: &str) -> bool {
        let parts: Vec<&str> = s.split('.').collect();
        parts.len() == 4
            && parts.iter().all(|p| {
                !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) && (p.len() == 1 || !p.starts_with('0'))
                    && p.parse::<u16>().is_ok_and(|n| n <= 255)
            })
    }

    /// A scheme, then no whitespace or characters URIs never hold.
    pub fn uri(s: &str) -> bool {
        let Some((scheme, _)) = s.split_once(':') else { return false };
        let mut chars = scheme.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`'))
    }
}
