//! The form wire format, both ways.
//!
//! Encoding (client): a value becomes `(key, value)` pairs with bracket
//! nesting, as Stripe-style APIs read them: objects `a[b]=1`, arrays of
//! objects `line_items[0][price]=p`, arrays of scalars `expand[]=x`,
//! booleans `true`/`false`, `None` left out, `null` and `OrEmpty::Empty` as
//! the empty string (which such APIs read as "unset").
//!
//! Decoding (server): pairs become a [`Node`] tree, and `Node` is a serde
//! `Deserializer` that reads numbers and booleans out of their text, so the
//! generated params types deserialize from a form as they do from JSON.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize};

/// How an operation parameter is serialized (OpenAPI `style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `name=value`; arrays repeat the name (or join with commas unexploded).
    Form,
    /// `name[key]=value`, `name[]=item`.
    DeepObject,
    /// Arrays joined with spaces.
    SpaceDelimited,
    /// Arrays joined with `|`.
    PipeDelimited,
}

/// A value that cannot be put in a form (bytes, a non-finite number, a map
/// with non-string keys).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError(pub String);

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot form-encode: {}", self.0)
    }
}

impl std::error::Error for EncodeError {}

impl ser::Error for EncodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        EncodeError(msg.to_string())
    }
}

/// Appends `value` as bracket-nested pairs under `name`. A top-level
/// `None` adds nothing.
pub fn encode<T: Serialize + ?Sized>(name: &str, value: &T, out: &mut Vec<(String, String)>) -> Result<(), EncodeError> {
    value.serialize(PairSerializer { key: name.to_owned(), out, top: true })
}

/// A whole body's fields as pairs: `field=...`, `object[key]=...`, with no
/// outer name.
pub fn encode_fields<T: Serialize + ?Sized>(value: &T) -> Result<Vec<(String, String)>, EncodeError> {
    let mut pairs = Vec::new();
    encode("body", value, &mut pairs)?;
    Ok(pairs
        .into_iter()
        .map(|(k, v)| {
            let k = k.strip_prefix("body[").map(|rest| rest.replacen(']', "", 1)).unwrap_or(k);
            (k, v)
        })
        .collect())
}

/// `application/x-www-form-urlencoded` text of pairs.
pub fn encode_pairs(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(form_urlencoded::byte_serialize(k.as_bytes()));
        out.push('=');
        out.extend(form_urlencoded::byte_serialize(v.as_bytes()));
    }
    out
}

/// The tree of an `application/x-www-form-urlencoded` body.
pub fn decode_body(body: &[u8]) -> Result<Node, DecodeError> {
    decode(form_urlencoded::parse(body))
}

/// Appends a parameter in its OpenAPI style.
pub fn encode_param<T: Serialize + ?Sized>(
    name: &str,
    value: &T,
    style: Style,
    explode: bool,
    out: &mut Vec<(String, String)>,
) -> Result<(), EncodeError> {
    if style == Style::DeepObject {
        return encode(name, value, out);
    }
    let mut nested = Vec::new();
    encode(name, value, &mut nested)?;
    let scalar = nested.len() == 1 && nested[0].0 == name;
    if scalar || nested.is_empty() {
        out.extend(nested);
        return Ok(());
    }
    // An array: `name[]` keys; an object: `name[key]` keys.
    let array = nested.iter().all(|(k, _)| k == &format!("{name}[]"));
    if array {
        let items: Vec<String> = nested.into_iter().map(|(_, v)| v).collect();
        match (style, explode) {
            (Style::Form, true) => out.extend(items.into_iter().map(|v| (name.to_owned(), v))),
            (Style::SpaceDelimited, _) => out.push((name.to_owned(), items.join(" "))),
            (Style::PipeDelimited, _) => out.push((name.to_owned(), items.join("|"))),
            _ => out.push((name.to_owned(), items.join(","))),
        }
        return Ok(());
    }
    let prefix = format!("{name}[");
    let fields: Vec<(String, String)> = nested
        .into_iter()
        .map(|(k, v)| (k.strip_prefix(&prefix).and_then(|k| k.strip_suffix(']')).unwrap_or(&k).to_owned(), v))
        .collect();
    if explode {
        out.extend(fields);
    } else {
        let joined: Vec<String> = fields.into_iter().flat_map(|(k, v)| [k, v]).collect();
        out.push((name.to_owned(), joined.join(",")));
    }
    Ok(())
}

struct PairSerializer<'a> {
    key: String,
    out: &'a mut Vec<(String, String)>,
    /// The parameter itself, not a value inside it: `None` here adds nothing.
    top: bool,
}

impl PairSerializer<'_> {
    fn push(self, value: String) -> Result<(), EncodeError> {
        self.out.push((self.key, value));
        Ok(())
    }
}

macro_rules! display_scalars {
    ($($method:ident: $t:ty),*) => {
        $(fn $method(self, v: $t) -> Result<(), EncodeError> {
            self.push(v.to_string())
        })*
    };
}

impl<'a> ser::Serializer for PairSerializer<'a> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = SeqPairs<'a>;
    type SerializeTuple = SeqPairs<'a>;
    type SerializeTupleStruct = SeqPairs<'a>;
    type SerializeTupleVariant = ser::Impossible<(), EncodeError>;
    type SerializeMap = MapPairs<'a>;
    type SerializeStruct = MapPairs<'a>;
    type SerializeStructVariant = ser::Impossible<(), EncodeError>;

    display_scalars!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_u128: u128, serialize_char: char, serialize_str: &str);

    fn serialize_f32(self, v: f32) -> Result<(), EncodeError> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), EncodeError> {
        if !v.is_finite() {
            return Err(EncodeError(format!("`{}` is {v}", self.key)));
        }
        self.push(v.to_string())
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), EncodeError> {
        Err(EncodeError(format!("`{}` holds bytes", self.key)))
    }

    fn serialize_none(self) -> Result<(), EncodeError> {
        if self.top { Ok(()) } else { self.push(String::new()) }
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), EncodeError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), EncodeError> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), EncodeError> {
        self.serialize_none()
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), EncodeError> {
        self.push(variant.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), EncodeError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        value.serialize(PairSerializer { key: format!("{}[{variant}]", self.key), out: self.out, top: false })
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<SeqPairs<'a>, EncodeError> {
        Ok(SeqPairs { key: self.key, out: self.out, index: 0 })
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqPairs<'a>, EncodeError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<SeqPairs<'a>, EncodeError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, EncodeError> {
        Err(EncodeError(format!("`{}` holds a tuple variant", self.key)))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<MapPairs<'a>, EncodeError> {
        Ok(MapPairs { key: self.key, out: self.out, next_key: None })
    }

    fn serialize_struct(self, _: &'static str, len: usize) -> Result<MapPairs<'a>, EncodeError> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, EncodeError> {
        Err(EncodeError(format!("`{}` holds a struct variant", self.key)))
    }
}

/// Array elements: scalars as `key[]`, anything nested as `key[i]`.
#[doc(hidden)]
pub struct SeqPairs<'a> {
    key: String,
    out: &'a mut Vec<(String, String)>,
    index: usize,
}

impl ser::SerializeSeq for SeqPairs<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        let indexed = format!("{}[{}]", self.key, self.index);
        self.index += 1;
        let mut element = Vec::new();
        value.serialize(PairSerializer { key: indexed.clone(), out: &mut element, top: false })?;
        if element.len() == 1 && element[0].0 == indexed {
            let (_, v) = element.pop().expect("one pair");
            self.out.push((format!("{}[]", self.key), v));
        } else {
            self.out.extend(element);
        }
        Ok(())
    }

    fn end(self) -> Result<(), EncodeError> {
        Ok(())
    }
}

impl ser::SerializeTuple for SeqPairs<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), EncodeError> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for SeqPairs<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), EncodeError> {
        Ok(())
    }
}

/// Object fields as `key[field]`.
#[doc(hidden)]
pub struct MapPairs<'a> {
    key: String,
    out: &'a mut Vec<(String, String)>,
    next_key: Option<String>,
}

impl ser::SerializeMap for MapPairs<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), EncodeError> {
        let mut pairs = Vec::new();
        key.serialize(PairSerializer { key: String::new(), out: &mut pairs, top: false })?;
        match pairs.pop() {
            Some((k, v)) if k.is_empty() && pairs.is_empty() => {
                self.next_key = Some(v);
                Ok(())
            }
            _ => Err(EncodeError(format!("`{}` has a key that is not a string", self.key))),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        let field = self.next_key.take().unwrap_or_default();
        value.serialize(PairSerializer { key: format!("{}[{field}]", self.key), out: self.out, top: false })
    }

    fn end(self) -> Result<(), EncodeError> {
        Ok(())
    }
}

impl ser::SerializeStruct for MapPairs<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, field: &'static str, value: &T) -> Result<(), EncodeError> {
        value.serialize(PairSerializer { key: format!("{}[{field}]", self.key), out: self.out, top: false })
    }

    fn end(self) -> Result<(), EncodeError> {
        Ok(())
    }
}

/// A decoded form: text leaves, objects and arrays, or (for a JSON body)
/// JSON values.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// `key=text`.
    Leaf(String),
    /// `key[field]=...`.
    Map(BTreeMap<String, Node>),
    /// `key[]=...` or `key[0]=...`, in index order.
    List(Vec<Node>),
    /// A JSON value (from a JSON body).
    Json(serde_json::Value),
}

/// A form that cannot be a tree: `a=1&a[b]=2`, or an unclosed bracket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The parameter at fault, as written.
    pub param: String,
    /// What is wrong.
    pub message: String,
}

/// A key's segments: `a[b][0][]` → `a`, `b`, `0`, ``.
fn segments(key: &str) -> Option<Vec<&str>> {
    let (head, mut rest) = match key.find('[') {
        Some(at) => (&key[..at], &key[at..]),
        None => (key, ""),
    };
    let mut out = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        out.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    (!head.is_empty()).then_some(out)
}

/// Builds the tree of a form. `key[]` entries append to an array; `key[0]`
/// entries are object fields named by number, which read as an array in
/// index order where an array is expected; a plain key given twice becomes
/// an array.
pub fn decode<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Node, DecodeError> {
    let mut root = Node::Map(BTreeMap::new());
    for (key, value) in pairs {
        let key = key.as_ref();
        let path = segments(key).ok_or_else(|| DecodeError {
            param: key.to_owned(),
            message: format!("`{key}` is not a valid parameter name"),
        })?;
        insert(&mut root, &path, value.as_ref().to_owned()).map_err(|()| DecodeError {
            param: key.to_owned(),
            message: format!("`{key}` is given both as a value and as an object or array"),
        })?;
    }
    Ok(root)
}

/// A node that has just been created and holds nothing yet.
fn fresh() -> Node {
    Node::Map(BTreeMap::new())
}

fn is_fresh(node: &Node) -> bool {
    matches!(node, Node::Map(m) if m.is_empty())
}

fn insert(node: &mut Node, path: &[&str], value: String) -> Result<(), ()> {
    let Some((first, rest)) = path.split_first() else {
        return match node {
            _ if is_fresh(node) => {
                *node = Node::Leaf(value);
                Ok(())
            }
            Node::Leaf(previous) => {
                let previous = std::mem::take(previous);
                *node = Node::List(vec![Node::Leaf(previous), Node::Leaf(value)]);
                Ok(())
            }
            Node::List(items) if items.iter().all(|i| matches!(i, Node::Leaf(_))) => {
                items.push(Node::Leaf(value));
                Ok(())
            }
            _ => Err(()),
        };
    };
    if first.is_empty() {
        if is_fresh(node) {
            *node = Node::List(Vec::new());
        }
        let Node::List(items) = node else { return Err(()) };
        let mut child = fresh();
        insert(&mut child, rest, value)?;
        items.push(child);
        return Ok(());
    }
    let Node::Map(map) = node else { return Err(()) };
    let child = map.entry((*first).to_owned()).or_insert_with(fresh);
    insert(child, rest, value)
}

/// The values of a map whose keys are all numbers, in numeric order.
fn as_indexed(map: &BTreeMap<String, Node>) -> Option<Vec<Node>> {
    if map.is_empty() {
        return None;
    }
    let mut items: Vec<(usize, &Node)> =
        map.iter().map(|(k, v)| k.parse::<usize>().ok().map(|i| (i, v))).collect::<Option<_>>()?;
    items.sort_by_key(|(i, _)| *i);
    Some(items.into_iter().map(|(_, v)| v.clone()).collect())
}

/// An error while reading a form into a type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeError(pub String);

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NodeError {}

impl de::Error for NodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        NodeError(msg.to_string())
    }
}

impl Node {
    fn leaf<T: std::str::FromStr>(&self, what: &str) -> Result<T, NodeError> {
        match self {
            Node::Leaf(text) => text.parse().map_err(|_| NodeError(format!("invalid {what}: `{text}`"))),
            Node::Map(_) => Err(NodeError(format!("expected {what}, found an object"))),
            Node::List(_) => Err(NodeError(format!("expected {what}, found an array"))),
            Node::Json(v) => Err(NodeError(format!("expected {what}, found {v}"))),
        }
    }
}

macro_rules! parse_leaf {
    ($($method:ident, $visit:ident, $t:ty, $what:literal);*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
            if let Node::Json(v) = self {
                return v.$method(visitor).map_err(|e| NodeError(e.to_string()));
            }
            visitor.$visit(self.leaf::<$t>($what)?)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Node {
    type Error = NodeError;

    /// Without a type to go by (unions, `OrEmpty`, JSON fields), text that
    /// reads as a boolean or an integer is offered as one.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::Leaf(text) => {
                if let Ok(b) = text.parse::<bool>() {
                    visitor.visit_bool(b)
                } else if let Ok(i) = text.parse::<i64>()
                    && i.to_string() == text
                {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_string(text)
                }
            }
            Node::Map(map) => match as_indexed(&map) {
                Some(items) => visitor.visit_seq(NodeSeq { iter: items.into_iter() }),
                None => visitor.visit_map(NodeMap { iter: map.into_iter(), value: None }),
            },
            Node::List(items) => visitor.visit_seq(NodeSeq { iter: items.into_iter() }),
            Node::Json(v) => v.deserialize_any(visitor).map_err(|e| NodeError(e.to_string())),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::Map(map) => visitor.visit_map(NodeMap { iter: map.into_iter(), value: None }),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, NodeError> {
        self.deserialize_map(visitor)
    }

    parse_leaf!(deserialize_bool, visit_bool, bool, "boolean";
        deserialize_i8, visit_i8, i8, "integer";
        deserialize_i16, visit_i16, i16, "integer";
        deserialize_i32, visit_i32, i32, "integer";
        deserialize_i64, visit_i64, i64, "integer";
        deserialize_u8, visit_u8, u8, "integer";
        deserialize_u16, visit_u16, u16, "integer";
        deserialize_u32, visit_u32, u32, "integer";
        deserialize_u64, visit_u64, u64, "integer";
        deserialize_f32, visit_f32, f32, "number";
        deserialize_f64, visit_f64, f64, "number");

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::Leaf(text) => visitor.visit_string(text),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        self.deserialize_str(visitor)
    }

    /// The empty string is "unset": `None`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::Leaf(text) if text.is_empty() => visitor.visit_none(),
            Node::Json(serde_json::Value::Null) => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    /// A single value where a list is expected is a list of one.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::List(items) => visitor.visit_seq(NodeSeq { iter: items.into_iter() }),
            Node::Json(v) => v.deserialize_seq(visitor).map_err(|e| NodeError(e.to_string())),
            Node::Map(map) if map.is_empty() => visitor.visit_seq(NodeSeq { iter: Vec::new().into_iter() }),
            Node::Map(map) => match as_indexed(&map) {
                Some(items) => visitor.visit_seq(NodeSeq { iter: items.into_iter() }),
                None => Err(NodeError("expected an array, found an object".into())),
            },
            leaf @ Node::Leaf(_) => visitor.visit_seq(NodeSeq { iter: vec![leaf].into_iter() }),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, NodeError> {
        match self {
            Node::Leaf(text) => visitor.visit_enum(text.into_deserializer()),
            Node::Json(v) => v.deserialize_enum(name, variants, visitor).map_err(|e| NodeError(e.to_string())),
            _ => Err(NodeError("expected a string".into())),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, NodeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 bytes byte_buf unit unit_struct tuple tuple_struct ignored_any
    }
}

struct NodeMap {
    iter: std::collections::btree_map::IntoIter<String, Node>,
    value: Option<Node>,
}

impl<'de> MapAccess<'de> for NodeMap {
    type Error = NodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, NodeError> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(Node::Leaf(key)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, NodeError> {
        seed.deserialize(self.value.take().unwrap_or(Node::Leaf(String::new())))
    }
}

struct NodeSeq {
    iter: std::vec::IntoIter<Node>,
}

impl<'de> SeqAccess<'de> for NodeSeq {
    type Error = NodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, NodeError> {
        self.iter.next().map(|node| seed.deserialize(node)).transpose()
    }
}
