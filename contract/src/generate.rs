//! Values generated from schemas, for property-based checks (`proptest`):
//! each compiled schema becomes a strategy whose values should satisfy
//! it, and which shrinks a failing value to a minimal one.
//!
//! Strategies are built once per schema and depth and shared, so a
//! document whose schemas reference each other in cycles (Stripe's) costs
//! no more than its number of schemas. Past [`SHALLOW`] levels optional
//! properties are left out and alternatives that are not objects are
//! preferred; past [`DEEPEST`] nullable schemas give `null` and arrays stay
//! empty where allowed; past [`LAST`] a schema gives its smallest value.
//!
//! What is generated: `enum` values; strings of the allowed lengths (any
//! printable characters), of a `pattern` (anchors stripped) or of a
//! checked `format`; integers and numbers within their bounds (multiples
//! of `multipleOf`); arrays within their sizes; objects with every
//! required property and a choice of the optional ones, plus a few
//! additional properties where `additionalProperties` is a schema; one
//! alternative of `anyOf` / `oneOf`; `allOf` parts merged. Properties the
//! direction forbids (`readOnly` in a request) are left out.

use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Just, Union};
use serde_json::{Map, Number, Value};

use crate::validator::{Additional, Checks, Format, Validator, ty};
use crate::{Direction, SchemaId};

/// Depth after which optional properties are left out, and an `anyOf` /
/// `oneOf` prefers its alternatives that are not objects (an expandable
/// field its ID).
pub const SHALLOW: usize = 2;
/// Depth after which a nullable schema gives `null` and an array stays
/// empty where it may.
pub const DEEPEST: usize = 6;
/// Depth after which a schema gives its smallest value, whatever it
/// requires: past it, required properties that recurse cannot be filled.
pub const LAST: usize = DEEPEST + 8;

/// Builds strategies for the schemas of one validator.
pub struct Generator<'a> {
    validator: &'a Validator,
    direction: Direction,
    form: bool,
    cache: HashMap<(usize, usize), BoxedStrategy<Value>>,
    /// Strategies being built: an `allOf` part is built at its parent's
    /// depth, so `S: {allOf: [{$ref: S}, ...]}` meets itself at the same
    /// depth. That part adds nothing, and gives `null`, which [`merge`]
    /// passes over.
    building: std::collections::HashSet<(usize, usize)>,
}

impl<'a> Generator<'a> {
    /// Strategies for values travelling in `direction`.
    pub fn new(validator: &'a Validator, direction: Direction) -> Generator<'a> {
        Generator { validator, direction, form: false, cache: HashMap::new(), building: Default::default() }
    }

    /// Values that travel as a form body. A form cannot carry an empty
    /// array or object, so a required one could not be sent at all: arrays
    /// get an item and objects with nothing required get all their
    /// properties.
    pub fn for_form(mut self) -> Generator<'a> {
        self.form = true;
        self
    }

    /// A strategy for values of the schema `id`.
    pub fn strategy(&mut self, id: SchemaId) -> BoxedStrategy<Value> {
        self.node(id.0, 0)
    }

    fn node(&mut self, id: usize, depth: usize) -> BoxedStrategy<Value> {
        let Some((id, checks)) = self.validator.checks(id) else { return Just(Value::Null).boxed() };
        if let Some(done) = self.cache.get(&(id, depth)) {
            return done.clone();
        }
        if !self.building.insert((id, depth)) {
            return Just(Value::Null).boxed();
        }
        let strategy = if depth > LAST || (depth > DEEPEST && checks.nullable) {
            smallest(checks).boxed()
        } else {
            self.build(checks, depth)
        };
        self.building.remove(&(id, depth));
        self.cache.insert((id, depth), strategy.clone());
        strategy
    }

    fn build(&mut self, checks: &Checks, depth: usize) -> BoxedStrategy<Value> {
        let mut options: Vec<BoxedStrategy<Value>> = Vec::new();
        if checks.nullable {
            options.push(Just(Value::Null).boxed());
        }
        if let Some(values) = &checks.enumeration {
            let values: Vec<Value> = values.clone();
            if !values.is_empty() {
                options.push(proptest::sample::select(values).boxed());
            }
            return one_of(options);
        }
        let alternatives = if checks.any_of.is_empty() { &checks.one_of } else { &checks.any_of };
        if !alternatives.is_empty() {
            let not_objects: Vec<usize> = alternatives.iter().copied().filter(|&p| !self.is_object(p)).collect();
            let chosen = if depth > SHALLOW && !not_objects.is_empty() { &not_objects } else { alternatives };
            for &part in chosen {
                options.push(self.node(part, depth + 1));
            }
            return one_of(options);
        }
        let merged = if checks.all_of.is_empty() {
            self.own(checks, depth)
        } else {
            let mut parts: Vec<BoxedStrategy<Value>> = checks.all_of.iter().map(|&p| self.node(p, depth)).collect();
            let constrained = checks.types != 0
                || checks.object.is_some()
                || checks.items.is_some()
                || checks.text.is_some()
                || checks.numeric.is_some();
            if constrained {
                parts.push(self.own(checks, depth));
            }
            parts.prop_map(merge).boxed()
        };
        options.push(merged);
        one_of(options)
    }

    /// Whether a schema's values are objects only.
    fn is_object(&self, id: usize) -> bool {
        self.validator.checks(id).is_some_and(|(_, c)| {
            c.types == ty::OBJECT || (c.types == 0 && c.object.is_some() && c.any_of.is_empty() && c.one_of.is_empty())
        })
    }

    /// Values of the schema's own type(s).
    fn own(&mut self, checks: &Checks, depth: usize) -> BoxedStrategy<Value> {
        let types = if checks.types != 0 {
            checks.types
        } else if checks.object.is_some() {
            ty::OBJECT
        } else if checks.items.is_some() {
            ty::ARRAY
        } else if checks.text.is_some() {
            ty::STRING
        } else if checks.numeric.is_some() {
            ty::NUMBER
        } else {
            // Anything: a few small values of each kind.
            ty::BOOLEAN | ty::INTEGER | ty::STRING
        };
        let mut options = Vec::new();
        if types & ty::BOOLEAN != 0 {
            options.push(any::<bool>().prop_map(Value::Bool).boxed());
        }
        if types & ty::INTEGER != 0 {
            options.push(integers(checks));
        } else if types & ty::NUMBER != 0 {
            options.push(numbers(checks));
        }
        if types & ty::STRING != 0 {
            options.push(strings(checks));
        }
        if types & ty::ARRAY != 0 {
            options.push(self.array(checks, depth));
        }
        if types & ty::OBJECT != 0 {
            options.push(self.object(checks, depth));
        }
        if types & ty::NULL != 0 {
            options.push(Just(Value::Null).boxed());
        }
        one_of(options)
    }

    fn array(&mut self, checks: &Checks, depth: usize) -> BoxedStrategy<Value> {
        let (mut min, max, item, unique) = match &checks.items {
            Some(items) => (items.min_items.unwrap_or(0), items.max_items, items.items, items.unique),
            None => (0, None, None, false),
        };
        if self.form && max.is_none_or(|m| m >= 1) {
            min = min.max(1);
        }
        let most = if depth > DEEPEST { min } else if depth > SHALLOW { max.unwrap_or(usize::MAX).min(min + 1) } else { max.unwrap_or(usize::MAX).min(min + 3) };
        let item = match item {
            Some(item) => self.node(item, depth + 1),
            None => Just(Value::Null).boxed(),
        };
        // `prefixItems` (2020-12): each leading position its own schema, all
        // of them given (as many as `maxItems` allows), then items to reach
        // `minItems`.
        let prefix: Vec<usize> = checks.modern.as_ref().map(|m| m.prefix_items.clone()).unwrap_or_default();
        if !prefix.is_empty() {
            let take = max.map_or(prefix.len(), |m| m.min(prefix.len()));
            let heads: Vec<BoxedStrategy<Value>> = prefix[..take].iter().map(|&node| self.node(node, depth + 1)).collect();
            let rest = min.saturating_sub(take);
            return (heads, proptest::collection::vec(item, rest..=rest))
                .prop_map(|(mut heads, rest)| {
                    heads.extend(rest);
                    Value::Array(heads)
                })
                .boxed();
        }
        proptest::collection::vec(item, min..=most.max(min))
            .prop_map(move |mut items| {
                if unique {
                    let mut kept: Vec<Value> = Vec::new();
                    for item in items.drain(..) {
                        if !kept.iter().any(|k| crate::validator::json_equal(k, &item)) {
                            kept.push(item);
                        }
                    }
                    items = kept;
                }
                Value::Array(items)
            })
            .boxed()
    }

    fn object(&mut self, checks: &Checks, depth: usize) -> BoxedStrategy<Value> {
        let Some(object) = &checks.object else {
            return Just(Value::Object(Map::new())).boxed();
        };
        let direction = self.direction;
        let allowed = |p: &&crate::validator::Property| match direction {
            Direction::Request => !p.read_only,
            Direction::Response => !p.write_only,
            Direction::Neutral => true,
        };
        // In a form an object needs a property to exist at all.
        let fill = self.form && depth <= DEEPEST && !object.properties.iter().filter(allowed).any(|p| p.required);
        let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
        for property in object.properties.iter().filter(allowed) {
            let always = property.required || fill;
            if !always && depth > SHALLOW {
                continue;
            }
            let name = property.name.clone();
            let value = self.node(property.node, depth + 1).prop_map(move |v| (name.clone(), v));
            fields.push(if always { value.prop_map(Some).boxed() } else { proptest::option::of(value).boxed() });
        }
        for name in &object.required_elsewhere {
            fields.push(Just(Some((name.clone(), Value::String("x".into())))).boxed());
        }
        let extra = match object.additional {
            Additional::Schema(schema) if depth <= SHALLOW => {
                let declared: Arc<Vec<String>> = Arc::new(object.properties.iter().map(|p| p.name.clone()).collect());
                let values = self.node(schema, depth + 1);
                proptest::collection::btree_map("[a-z_]{1,8}", values, 0..3)
                    .prop_map(move |map| map.into_iter().filter(|(k, _)| !declared.contains(k)).collect::<Vec<_>>())
                    .boxed()
            }
            _ => Just(Vec::new()).boxed(),
        };
        (fields, extra)
            .prop_map(|(fields, extra)| {
                let mut map = Map::new();
                for (k, v) in fields.into_iter().flatten().chain(extra) {
                    map.insert(k, v);
                }
                Value::Object(map)
            })
            .boxed()
    }
}

/// One of `options`, or `null` when there are none.
fn one_of(mut options: Vec<BoxedStrategy<Value>>) -> BoxedStrategy<Value> {
    match options.len() {
        0 => Just(Value::Null).boxed(),
        1 => options.remove(0),
        _ => Union::new(options).boxed(),
    }
}

/// `allOf` parts: objects merge (later parts win); otherwise the last
/// part that is not `null`.
fn merge(parts: Vec<Value>) -> Value {
    let mut merged: Option<Value> = None;
    for part in parts {
        merged = Some(match (merged, part) {
            (Some(Value::Object(mut a)), Value::Object(b)) => {
                a.extend(b);
                Value::Object(a)
            }
            (Some(previous), Value::Null) => previous,
            (_, part) => part,
        });
    }
    merged.unwrap_or(Value::Null)
}

/// The smallest value of a schema, for depths past [`LAST`] (and
/// nullable ones past [`DEEPEST`]).
fn smallest(checks: &Checks) -> Just<Value> {
    if checks.nullable {
        return Just(Value::Null);
    }
    if let Some(first) = checks.enumeration.as_ref().and_then(|v| v.first()) {
        return Just(first.clone());
    }
    let value = match checks.types {
        t if t & ty::STRING != 0 => Value::String("x".repeat(checks.text.as_ref().and_then(|t| t.min_length).unwrap_or(0))),
        t if t & (ty::INTEGER | ty::NUMBER) != 0 => {
            let min = checks.numeric.as_ref().and_then(|n| n.minimum).map_or(0.0, |(m, _)| m.ceil().max(0.0));
            Value::Number(Number::from(min as i64))
        }
        t if t & ty::BOOLEAN != 0 => Value::Bool(false),
        t if t & ty::ARRAY != 0 => Value::Array(Vec::new()),
        t if t & ty::OBJECT != 0 => Value::Object(Map::new()),
        _ => Value::Null,
    };
    Just(value)
}

/// The integers every JSON implementation reads exactly: those an IEEE 754
/// double holds (RFC 8259 §6, I-JSON RFC 7493 §2.2). Generated integers
/// stay within them, `int64` ones too, as JavaScript validators read them.
pub const INTEROPERABLE: i64 = (1 << 53) - 1;

fn integers(checks: &Checks) -> BoxedStrategy<Value> {
    let bounds = match checks.format {
        Some(Format::Int32) => (i32::MIN as i64, i32::MAX as i64),
        _ => (-INTEROPERABLE, INTEROPERABLE),
    };
    let (low, high) = bounds_of(checks, bounds);
    if low > high {
        return Just(Value::Number(Number::from(low))).boxed();
    }
    let step = checks.numeric.as_ref().and_then(|n| n.multiple_of).filter(|s| s.fract() == 0.0 && *s >= 1.0).map(|s| s as i64);
    let small_low = low.max(-1000).min(high);
    let small = small_low..=high.min(1000).max(small_low);
    let strategy = prop_oneof![4 => small, 1 => low..=high];
    match step {
        Some(step) => strategy
            .prop_map(move |n| {
                let k = n.div_euclid(step);
                Value::Number(Number::from(k.saturating_mul(step)))
            })
            .prop_filter("multiple within bounds", move |v| v.as_i64().is_some_and(|n| n >= low && n <= high))
            .boxed(),
        None => strategy.prop_map(|n| Value::Number(Number::from(n))).boxed(),
    }
}

/// Integer bounds from `minimum` / `maximum` inside `limits`.
fn bounds_of(checks: &Checks, limits: (i64, i64)) -> (i64, i64) {
    let mut low = limits.0;
    let mut high = limits.1;
    if let Some(numeric) = &checks.numeric {
        if let Some((min, exclusive)) = numeric.minimum {
            let m = if exclusive { min.floor() + 1.0 } else { min.ceil() };
            low = low.max(m.clamp(i64::MIN as f64, i64::MAX as f64) as i64);
        }
        if let Some((max, exclusive)) = numeric.maximum {
            let m = if exclusive { max.ceil() - 1.0 } else { max.floor() };
            high = high.min(m.clamp(i64::MIN as f64, i64::MAX as f64) as i64);
        }
    }
    (low, high)
}

fn numbers(checks: &Checks) -> BoxedStrategy<Value> {
    let numeric = checks.numeric.as_deref();
    let (min, min_exclusive) = numeric.and_then(|n| n.minimum).unwrap_or((-1e6, false));
    let (max, max_exclusive) = numeric.and_then(|n| n.maximum).unwrap_or((1e6, false));
    let step = numeric.and_then(|n| n.multiple_of);
    (0u32..=1000)
        .prop_map(move |i| {
            let x = min + (max - min) * f64::from(i) / 1000.0;
            let x = match step {
                Some(step) => (x / step).round() * step,
                None => (x * 100.0).round() / 100.0,
            };
            Number::from_f64(x).map_or(Value::Null, Value::Number)
        })
        .prop_filter("inside the bounds", move |v| {
            let x = v.as_f64().unwrap_or(f64::NAN);
            (if min_exclusive { x > min } else { x >= min }) && (if max_exclusive { x < max } else { x <= max })
        })
        .boxed()
}

/// How deep repetitions may nest in a pattern values are drawn from: each
/// level multiplies a value's length (proptest repeats an unbounded one up
/// to 32 times), so `((a*)*)*...` would ask for 32^depth characters.
const REPETITION_DEPTH: usize = 3;

/// Whether values can be drawn from `pattern` in bounded memory: it parses,
/// its repetitions nest at most [`REPETITION_DEPTH`] deep, and no class of
/// it is empty. A pattern that fails this gets plain strings.
fn generable(pattern: &str) -> bool {
    /// How deep repetitions nest; `None` for a class that matches nothing
    /// (`[a&&b]`), which proptest cannot draw from (it panics).
    fn depth(hir: &regex_syntax::hir::Hir) -> Option<usize> {
        use regex_syntax::hir::{Class, HirKind};
        match hir.kind() {
            HirKind::Class(Class::Unicode(c)) if c.ranges().is_empty() => None,
            HirKind::Class(Class::Bytes(c)) if c.ranges().is_empty() => None,
            HirKind::Repetition(r) => depth(&r.sub).map(|d| d + 1),
            HirKind::Capture(c) => depth(&c.sub),
            HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().map(depth).try_fold(0, |most, d| d.map(|d| most.max(d))),
            _ => Some(0),
        }
    }
    // The parser nests as deep as the pattern: refuse absurd ones first.
    pattern.len() <= 4096
        && regex_syntax::ParserBuilder::new().nest_limit(64).build().parse(pattern).is_ok_and(|hir| depth(&hir).is_some_and(|d| d <= REPETITION_DEPTH))
}

fn strings(checks: &Checks) -> BoxedStrategy<Value> {
    let text = checks.text.as_deref();
    if let Some(strategy) = checks.format.and_then(formatted) {
        return strategy;
    }
    if let Some((regex, source)) = text.and_then(|t| t.pattern.as_ref()) {
        let inner = source.strip_prefix('^').unwrap_or(source);
        let inner = inner.strip_suffix('$').unwrap_or(inner);
        let regex = regex.clone();
        if generable(inner)
            && let Ok(strategy) = proptest::string::string_regex(inner)
        {
            return strategy.prop_filter("matches the pattern", move |s| regex.is_match(s)).prop_map(Value::String).boxed();
        }
    }
    let min = text.and_then(|t| t.min_length).unwrap_or(0);
    let max = text.and_then(|t| t.max_length).unwrap_or(usize::MAX).min(min + 16).max(min);
    proptest::string::string_regex(&format!("\\PC{{{min},{max}}}"))
        .map(|s| s.prop_map(Value::String).boxed())
        .unwrap_or_else(|_| Just(Value::String("x".repeat(min))).boxed())
}

/// Strings of a checked format.
fn formatted(format: Format) -> Option<BoxedStrategy<Value>> {
    let text = Value::String;
    Some(match format {
        Format::DateTime => (0i64..4_102_444_800).prop_map(move |t| text(date_time(t))).boxed(),
        Format::Date => (0i64..4_102_444_800).prop_map(move |t| text(date_time(t)[..10].to_owned())).boxed(),
        // A dot-atom local part: no dot first, last or twice (RFC 5322 3.2.3).
        Format::Email => "[a-z0-9+_]{1,8}(\\.[a-z0-9+_]{1,4})?@[a-z]{1,8}\\.(com|org|io)".prop_map(text).boxed(),
        Format::Uuid => "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}".prop_map(text).boxed(),
        Format::Ipv4 => any::<[u8; 4]>().prop_map(move |b| text(std::net::Ipv4Addr::from(b).to_string())).boxed(),
        Format::Ipv6 => any::<[u16; 8]>().prop_map(move |b| text(std::net::Ipv6Addr::from(b).to_string())).boxed(),
        Format::Uri => "https://example\\.com/[a-z0-9/]{0,12}".prop_map(text).boxed(),
        Format::Int32 | Format::Int64 => return None,
    })
}

/// RFC 3339 UTC time of a Unix time.
fn date_time(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::{date_time, generable};

    #[test]
    fn patterns_with_deeply_nested_repetitions_are_not_drawn_from() {
        assert!(generable("^[a-z]+(-[a-z0-9]+)*$"));
        assert!(!generable("4*****************************[(a-z]+"));
        assert!(!generable("((((a*)*)*)*)"));
        assert!(!generable("(unclosed"));
        // A class that matches nothing: proptest panics on it.
        assert!(!generable("x[a&&b]"));
    }

    #[test]
    fn values_come_from_schemas_whose_patterns_proptest_cannot_draw_from() {
        // Fuzzing found both: drawn from the pattern, a value asked for
        // 32^32 characters (out of memory); a class that matches nothing
        // (`&&` intersects) made proptest panic.
        use proptest::strategy::{Strategy, ValueTree};
        let empty_class = "&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&*[(a^H***********&-&&&posta&&&&&&&;z&&&&&&&https://json-schema.org/draft/2020-12/meta/meta-data(a-z]!$";
        for pattern in ["^4********************************[(a-z]+$", empty_class] {
            let schema = serde_json::json!({"type": "string", "maxLength": 3, "pattern": pattern});
            let mut validator = crate::Validator::from_value(serde_json::json!({"openapi": "3.0.3", "components": {"schemas": {"s": schema}}}));
            let id = validator.compile("#/components/schemas/s").unwrap();
            let strategy = super::Generator::new(&validator, crate::Direction::Response).strategy(id);
            let mut runner = proptest::test_runner::TestRunner::deterministic();
            for _ in 0..16 {
                let value = strategy.new_tree(&mut runner).unwrap().current();
                // Plain strings within the length, as the pattern cannot be drawn from.
                assert!(value.as_str().is_some_and(|s| s.chars().count() <= 3), "{pattern}: {value}");
            }
        }
    }

    #[test]
    fn unix_times_become_rfc_3339() {
        assert_eq!(date_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(date_time(1_679_600_215), "2023-03-23T19:36:55Z");
        assert_eq!(date_time(951_782_400), "2000-02-29T00:00:00Z");
    }
}
