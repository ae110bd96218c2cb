//! Naming: turns spec names into legal, conventional Rust identifiers, and
//! hands out unique names within a scope. The IR builder calls this; no
//! emitter invents a name of its own.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;

/// Keywords that can be used as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static",
    "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where",
    "while", "yield",
];

/// Keywords that cannot be raw identifiers: they get a `_` suffix.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Splits a spec name into words: on anything that is not an ASCII letter
/// or digit, then on camel-case humps (by heck). Every word comes out in
/// lower case.
fn words(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in raw.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        // heck splits only where the case changes, so a part without a capital
        // (most spec names) is one word already: the fast path of a phase
        // that otherwise spent half its time in heck.
        if part.bytes().any(|b| b.is_ascii_uppercase()) {
            out.extend(part.to_snake_case().split('_').filter(|w| !w.is_empty()).map(str::to_owned));
        } else {
            out.push(part.to_owned());
        }
    }
    out
}

/// `payment` → `Payment`: what heck's upper camel case makes of a word
/// [`words`] gave (ASCII, lower case).
fn capitalized(word: &str) -> String {
    let mut word = word.to_owned();
    if let Some(first) = word.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    word
}

/// Joins words, keeping a `_` between two digits so `1.0.2` does not become `102`.
fn join(words: &[String], case: impl Fn(&str) -> String, sep: &str) -> String {
    let mut out = String::new();
    for word in words {
        let word = case(word);
        let digit_boundary = out.ends_with(|c: char| c.is_ascii_digit()) && word.starts_with(|c: char| c.is_ascii_digit());
        if !out.is_empty() && (digit_boundary || !sep.is_empty()) {
            out.push('_');
        }
        out.push_str(&word);
    }
    out
}

fn leading_digit(mut name: String) -> String {
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// `checkout.session` → `CheckoutSession`, `es-419` → `Es419`, `1.0.2` → `_1_0_2`.
/// `Self` stays `Self`, a stem a longer name may start with (`SelfKind`);
/// claimed alone, a CamelCase scope makes it `Self_` ([`Namespace::claim`]).
pub fn type_ident(raw: &str) -> String {
    let name = join(&words(raw), capitalized, "");
    if name.is_empty() {
        return "Unnamed".into();
    }
    leading_digit(name)
}

/// An enum variant for a wire value: like a type name; `""` becomes `Empty`.
pub fn variant_ident(raw: &str) -> String {
    if words(raw).is_empty() {
        return if raw.is_empty() { "Empty".into() } else { "Symbol".into() };
    }
    type_ident(raw)
}

/// `amountTotal` → `amount_total`, `type` → `r#type`, `self` → `self_`,
/// `3d_secure` → `_3d_secure`.
pub fn field_ident(raw: &str) -> String {
    let name = join(&words(raw), str::to_owned, "_");
    let name = if name.is_empty() { "field".to_owned() } else { leading_digit(name) };
    escape_keyword(name)
}

/// Makes a snake_case name legal: raw identifier or `_` suffix for keywords.
pub fn escape_keyword(name: String) -> String {
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else if RAW_KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// Unique names within one scope (a module's types, a struct's fields, an
/// enum's variants). The first claimant of a name keeps it; later ones get
/// a numeric suffix, so the result depends only on claim order.
#[derive(Debug, Clone, Default)]
pub struct Namespace {
    used: BTreeSet<String>,
    snake: bool,
    /// The suffix to try first for a stem: those below it were taken when
    /// it was last claimed, and taken names stay taken, so many claims of
    /// one name cost one step each.
    next: BTreeMap<String, usize>,
}

impl Namespace {
    /// A scope for CamelCase names with some names already taken.
    pub fn camel(reserved: &[&str]) -> Self {
        Namespace { used: reserved.iter().map(|s| s.to_string()).collect(), snake: false, next: BTreeMap::new() }
    }

    /// A scope for snake_case names with some names already taken.
    pub fn snake(reserved: &[&str]) -> Self {
        Namespace { used: reserved.iter().map(|s| s.to_string()).collect(), snake: true, next: BTreeMap::new() }
    }

    /// Whether `name` is taken.
    pub fn taken(&self, name: &str) -> bool {
        self.used.contains(name.trim_start_matches("r#"))
    }

    /// Claims `base`, or `base2`, `base3`, ... (`base_2` for snake case).
    /// `Self`, a keyword no identifier may be, is claimed as `Self_`.
    pub fn claim(&mut self, base: &str) -> String {
        let base = if !self.snake && base == "Self" { "Self_" } else { base };
        let plain = base.trim_start_matches("r#").to_owned();
        if self.used.insert(plain.clone()) {
            return base.to_owned();
        }
        let stem = plain.trim_end_matches('_').to_owned();
        let mut n = self.next.get(&stem).copied().unwrap_or(2);
        loop {
            let candidate = if self.snake { format!("{stem}_{n}") } else { format!("{stem}{n}") };
            n += 1;
            if self.used.insert(candidate.clone()) {
                self.next.insert(stem, n);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names as heck alone made them, before the fast path.
    fn heck_names(raw: &str) -> (String, String) {
        use heck::ToUpperCamelCase;
        let words: Vec<String> = raw
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .flat_map(|w| w.to_snake_case().split('_').map(str::to_owned).collect::<Vec<_>>())
            .filter(|w| !w.is_empty())
            .collect();
        (join(&words, |w| w.to_upper_camel_case(), ""), join(&words, |w| w.to_snake_case(), "_"))
    }

    #[test]
    fn the_fast_path_names_everything_as_heck_does() {
        // Every string of up to 5 characters over an alphabet with both
        // cases, digits and separators: 19,607 names.
        let alphabet = ['a', 'B', '1', '_', '-', 'c', 'D'];
        let mut names = vec![String::new()];
        let mut last = names.clone();
        for _ in 0..5 {
            last = last.iter().flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}"))).collect();
            names.extend(last.iter().cloned());
        }
        names.extend(["HTTPServer", "getURLForID", "payment_intent.succeeded", "es-419", "ABCdefGHI9jKL"].map(String::from));
        for name in &names {
            let (camel, snake) = heck_names(name);
            assert_eq!(join(&words(name), capitalized, ""), camel, "{name:?}");
            assert_eq!(join(&words(name), str::to_owned, "_"), snake, "{name:?}");
        }
    }

    #[test]
    fn type_names() {
        assert_eq!(type_ident("checkout.session"), "CheckoutSession");
        assert_eq!(type_ident("payment_pages_checkout_session_after_expiration"), "PaymentPagesCheckoutSessionAfterExpiration");
        assert_eq!(type_ident("en-GB"), "EnGb");
        assert_eq!(type_ident("es-419"), "Es419");
        assert_eq!(type_ident("1.0.2"), "_1_0_2");
        assert_eq!(type_ident("Self"), "Self");
        let mut scope = Namespace::camel(&[]);
        assert_eq!(scope.claim(&type_ident("Self")), "Self_");
        assert_eq!(scope.claim(&type_ident("Self")), "Self2");
        assert_eq!(format!("{}Kind", type_ident("Self")), "SelfKind");
        assert_eq!(type_ident("--"), "Unnamed");
        assert_eq!(type_ident("café_menu"), "CafMenu");
    }

    #[test]
    fn variant_names() {
        assert_eq!(variant_ident(""), "Empty");
        assert_eq!(variant_ident("*"), "Symbol");
        assert_eq!(variant_ident("if_required"), "IfRequired");
        assert_eq!(variant_ident("zh-HK"), "ZhHk");
    }

    #[test]
    fn field_names() {
        assert_eq!(field_ident("amountTotal"), "amount_total");
        assert_eq!(field_ident("customer_details[email]"), "customer_details_email");
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("super"), "super_");
        assert_eq!(field_ident("crate"), "crate_");
        assert_eq!(field_ident("Self"), "self_");
        assert_eq!(field_ident("3d_secure"), "_3d_secure");
        assert_eq!(field_ident("8"), "_8");
        assert_eq!(field_ident("async"), "r#async");
        assert_eq!(field_ident(""), "field");
    }

    #[test]
    fn namespace_suffixes_in_claim_order() {
        let mut ns = Namespace::camel(&["String"]);
        assert_eq!(ns.claim("Foo"), "Foo");
        assert_eq!(ns.claim("Foo"), "Foo2");
        assert_eq!(ns.claim("Foo"), "Foo3");
        assert_eq!(ns.claim("String"), "String2");
        let mut fields = Namespace::snake(&[]);
        assert_eq!(fields.claim("r#type"), "r#type");
        assert_eq!(fields.claim("type"), "type_2");
        assert_eq!(fields.claim("a_b"), "a_b");
        assert_eq!(fields.claim("a_b"), "a_b_2");
    }
}
