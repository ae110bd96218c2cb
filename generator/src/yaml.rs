//! The one place that parses YAML.
//!
//! `serde_yaml` is deprecated upstream; everything else in the generator sees
//! only `serde_json::Value`, so replacing the parser means replacing this file.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// A YAML syntax error with the 1-based line and column it was found at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// What the parser reported.
    pub message: String,
    /// 1-based line, when the parser knows it.
    pub line: Option<usize>,
    /// 1-based column, when the parser knows it.
    pub column: Option<usize>,
}

/// Parses a YAML document into a JSON value. Mapping keys that YAML reads as
/// numbers or booleans (`200:`) become strings, as OpenAPI expects. Any
/// number loads: an integer beyond 64 bits becomes the nearest `f64`, and
/// `.inf` the largest finite `f64` of its sign (JSON has no infinity);
/// `.nan` becomes `null`. (The parser itself reads a plain scalar such as
/// `1e400`, beyond `f64`, as the string `"1e400"`.)
pub fn parse_yaml(text: &str) -> Result<Value, YamlError> {
    serde_yaml::from_str::<Loose>(text).map(|loose| loose.0).map_err(|err| {
        let location = err.location();
        YamlError {
            message: err.to_string(),
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
        }
    })
}

/// A JSON value read from any self-describing format, whatever the size of
/// its numbers.
struct Loose(Value);

/// The JSON number nearest to `value`.
fn number(value: f64) -> Value {
    if value.is_nan() {
        return Value::Null;
    }
    let finite = value.clamp(f64::MIN, f64::MAX);
    Number::from_f64(finite).map_or(Value::Null, Value::Number)
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseVisitor).map(Loose)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| number(v as f64), |v| Value::Number(v.into())))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v).map_or_else(|_| number(v as f64), |v| Value::Number(v.into())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(number(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Loose::deserialize(deserializer).map(|loose| loose.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Loose(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(Key(key)) = map.next_key()? {
            let Loose(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// A mapping key as text, whatever scalar YAML read it as.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeyVisitor).map(Key)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scalar mapping key")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("null".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_number_loads() {
        let value = parse_yaml("a: 18446744073709552000\nb: -99999999999999999999999\nc: .inf\nd: -.inf\ne: .nan\nf: 7\ng: 1e400\n200: x\ntrue: y\n")
            .unwrap();
        assert_eq!(value["a"].as_f64(), Some(18446744073709552000.0));
        assert_eq!(value["b"].as_f64(), Some(-99999999999999999999999.0));
        assert_eq!(value["c"].as_f64(), Some(f64::MAX));
        assert_eq!(value["d"].as_f64(), Some(f64::MIN));
        assert_eq!(value["e"], Value::Null);
        assert_eq!(value["f"].as_i64(), Some(7));
        assert_eq!(value["g"], "1e400");
        assert_eq!((&value["200"], &value["true"]), (&Value::from("x"), &Value::from("y")));
    }
}
