//! The form wire format, both ways.
//!
//! Encoding (client): a value becomes `(key, value)` pairs with bracket
//! nesting, as Stripe-style APIs read them: objects `a[b]=1`, arrays of
//! objects `line_items[0][price]=p`, arrays of scalars `expand[]=x`,
//! booleans `true`/`false`, `None` left out, `null` and `OrEmpty::Empty` as
//! the empty string (which such APIs read as "unset" where the spec allows
//! it).
//!
//! Decoding (server): pairs become a [`Node`] tree, and `Node` is a serde
//! `Deserializer` that reads numbers and booleans out of their text, so the
//! generated params types deserialize from a form as they do from JSON.
//!
//! Credentials: how each security scheme's credential travels ([`Scheme`]),
//! what an operation requires ([`Security`]), and the credentials
//! themselves ([`Credential`]). The client sends them
//! (`http_client`), the server finds them (`http_server`); the generated
//! `security` module describes the API's schemes with these types.

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

/// How an `in: querystring` parameter (OpenAPI 3.2) is the whole query
/// string, by its media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryAs {
    /// `application/x-www-form-urlencoded`: the value's fields, bracket-nested.
    Form,
    /// JSON (`application/json`, `+json`): the value's JSON text, percent-encoded.
    Json,
    /// Any other media type: the value's text (a string as it is),
    /// percent-encoded.
    Text,
}

/// Characters kept as they are in a percent-encoded query string or path
/// segment: the unreserved ones (RFC 3986).
const ENCODED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `text` with every character but the unreserved ones percent-encoded.
pub fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, ENCODED).to_string()
}

/// `text` percent-decoded; `None` when the bytes it stands for are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text).decode_utf8().ok().map(|t| t.into_owned())
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
    /// Bytes (a file part of a multipart body).
    Bytes(Vec<u8>),
}

/// A form that cannot be a tree (`a=1&a[b]=2`, an unclosed bracket), or one
/// past a limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The parameter at fault, as written.
    pub param: String,
    /// What is wrong.
    pub message: String,
}

/// The most parameters (`key=value` pairs) a request may hold, query string
/// and body together. Each array index must be below it too: an array
/// cannot have more items than the request has parameters.
pub const MAX_PARAMS: usize = 2_000;

/// The nesting depth [`decode_body`] and [`decode`] allow when no other is
/// given: brackets after the name (`a[b][0][c]` is 3 deep). A generated
/// server passes the depth its spec's parameters can reach instead.
pub const DEFAULT_DEPTH: usize = 32;

/// The tree of an `application/x-www-form-urlencoded` body, within
/// [`DEFAULT_DEPTH`] and [`MAX_PARAMS`].
pub fn decode_body(body: &[u8]) -> Result<Node, DecodeError> {
    decode(form_urlencoded::parse(body))
}

/// A key's segments: `a[b][0][]` → `a`, `b`, `0`, ``. `None` for a key
/// that is not bracket-nested text; `Err` past `depth` brackets.
fn segments(key: &str, depth: usize) -> Result<Option<Vec<&str>>, usize> {
    let (head, mut rest) = match key.find('[') {
        Some(at) => (&key[..at], &key[at..]),
        None => (key, ""),
    };
    let mut out = vec![head];
    while !rest.is_empty() {
        if out.len() > depth {
            return Err(depth);
        }
        let Some(inner) = rest.strip_prefix('[') else { return Ok(None) };
        let Some(close) = inner.find(']') else { return Ok(None) };
        out.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    Ok((!head.is_empty()).then_some(out))
}

/// Builds the tree of a form within [`DEFAULT_DEPTH`] and [`MAX_PARAMS`].
pub fn decode<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Node, DecodeError> {
    decode_within(pairs, DEFAULT_DEPTH)
}

/// Builds the tree of a form. `key[]` entries append to an array; `key[0]`
/// entries are object fields named by number, which read as an array in
/// index order where an array is expected; a plain key given twice becomes
/// an array. Refuses a key nested more than `depth` brackets deep and more
/// than [`MAX_PARAMS`] pairs, naming the key at fault.
pub fn decode_within<K: AsRef<str>, V: AsRef<str>>(
    pairs: impl IntoIterator<Item = (K, V)>,
    depth: usize,
) -> Result<Node, DecodeError> {
    let mut root = Node::Map(BTreeMap::new());
    for (count, (key, value)) in pairs.into_iter().enumerate() {
        let key = key.as_ref();
        let fail = |message: String| DecodeError { param: shorten(key), message };
        if count == MAX_PARAMS {
            return Err(fail(format!("A request may hold at most {MAX_PARAMS} parameters")));
        }
        let path = match segments(key, depth) {
            Ok(Some(path)) => path,
            Ok(None) => return Err(fail(format!("`{}` is not a valid parameter name", shorten(key)))),
            Err(depth) => {
                return Err(fail(format!("`{}` is nested more than {depth} levels deep", shorten(key))));
            }
        };
        insert(&mut root, &path, value.as_ref().to_owned())
            .map_err(|()| fail(format!("`{}` is given both as a value and as an object or array", shorten(key))))?;
    }
    Ok(root)
}

pub use super::runtime::shown as shorten;
use super::runtime::listed;

/// A node that has just been created and holds nothing yet.
fn fresh() -> Node {
    Node::Map(BTreeMap::new())
}

fn is_fresh(node: &Node) -> bool {
    matches!(node, Node::Map(m) if m.is_empty())
}

/// Puts `value` at `path` below `node`: a loop, one level per segment.
fn insert(mut node: &mut Node, path: &[&str], value: String) -> Result<(), ()> {
    for segment in path {
        if segment.is_empty() {
            if is_fresh(node) {
                *node = Node::List(Vec::new());
            }
            let Node::List(items) = node else { return Err(()) };
            items.push(fresh());
            node = items.last_mut().ok_or(())?;
        } else {
            let Node::Map(map) = node else { return Err(()) };
            node = map.entry((*segment).to_owned()).or_insert_with(fresh);
        }
    }
    match node {
        _ if is_fresh(node) => *node = Node::Leaf(value),
        Node::Leaf(previous) => {
            let previous = std::mem::take(previous);
            *node = Node::List(vec![Node::Leaf(previous), Node::Leaf(value)]);
        }
        Node::List(items) if items.iter().all(|i| matches!(i, Node::Leaf(_))) => items.push(Node::Leaf(value)),
        _ => return Err(()),
    }
    Ok(())
}

/// An array index as a form writes it: digits without a leading zero.
fn index(key: &str) -> Option<usize> {
    let canonical = !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) && (key == "0" || !key.starts_with('0'));
    if canonical { key.parse().ok() } else { None }
}

/// The values of a map whose keys are all array indices, in numeric order;
/// `Err` names an index at or past [`MAX_PARAMS`].
fn as_indexed(map: &BTreeMap<String, Node>) -> Result<Option<Vec<Node>>, NodeError> {
    if map.is_empty() {
        return Ok(None);
    }
    let Some(mut items) = map.iter().map(|(k, v)| index(k).map(|i| (i, v))).collect::<Option<Vec<_>>>() else {
        return Ok(None);
    };
    if let Some((i, _)) = items.iter().find(|(i, _)| *i >= MAX_PARAMS) {
        return Err(NodeError(format!("array index {i} is too large: indices must be below {MAX_PARAMS}")));
    }
    items.sort_by_key(|(i, _)| *i);
    Ok(Some(items.into_iter().map(|(_, v)| v.clone()).collect()))
}

/// An error while reading a form or a JSON body into a type, worded for the
/// API's clients: what the API expects there, and what it found, in the
/// terms of the wire (an object, an array, a string), never Rust's.
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
        let msg = msg.to_string();
        // serde's own wording for an untagged union names the Rust type;
        // generated types say what they accept with `expecting` instead.
        if msg.starts_with("data did not match any variant of untagged enum") {
            return NodeError("does not match any form the API accepts here".into());
        }
        NodeError(msg)
    }

    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        NodeError(format!("must be {}, not {}", wire_expected(&expected.to_string()), wire_found(&unexpected)))
    }

    fn invalid_value(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::invalid_type(unexpected, expected)
    }

    fn invalid_length(len: usize, expected: &dyn de::Expected) -> Self {
        NodeError(format!("must be {}, not {len} items", wire_expected(&expected.to_string())))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        NodeError(format!("must be one of {}, not `{}`", listed(expected), shorten(variant)))
    }
}

/// What serde says a primitive visitor expects, in the wire's words. The
/// generated types describe themselves (`#[serde(expecting = ...)]`); the
/// fallbacks hide the Rust type name of anything that does not.
fn wire_expected(expected: &str) -> String {
    let word = match expected {
        "a string" | "a borrowed string" | "a character" | "a char" | "string" | "char" => "a string",
        "a boolean" | "bool" => "a boolean",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => {
            "an integer"
        }
        "f32" | "f64" => "a number",
        "a sequence" => "an array",
        "a map" => "an object",
        "unit" => "empty",
        "option" => "a value",
        "any valid JSON value" | "any value" => "a JSON value",
        _ if expected.starts_with("struct ")
            || expected.starts_with("struct variant ")
            || expected.starts_with("tuple struct ")
            || expected.starts_with("newtype struct ") =>
        {
            "an object"
        }
        _ if expected.starts_with("enum ") || expected.ends_with(" identifier") => "a string",
        _ if expected.starts_with("a tuple") || expected.starts_with("tuple ") => "an array",
        other => return other.to_owned(),
    };
    word.to_owned()
}

/// What a request held where something else was expected.
fn wire_found(unexpected: &de::Unexpected<'_>) -> String {
    match unexpected {
        de::Unexpected::Str(s) => format!("`{}`", shorten(s)),
        de::Unexpected::Char(c) => format!("`{c}`"),
        de::Unexpected::Bool(b) => format!("`{b}`"),
        de::Unexpected::Signed(i) => format!("`{i}`"),
        de::Unexpected::Unsigned(u) => format!("`{u}`"),
        de::Unexpected::Float(f) => format!("`{f}`"),
        de::Unexpected::Map | de::Unexpected::StructVariant => "an object".into(),
        de::Unexpected::Seq | de::Unexpected::TupleVariant => "an array".into(),
        de::Unexpected::Unit | de::Unexpected::Option => "null".into(),
        de::Unexpected::Bytes(_) => "bytes".into(),
        _ => "another kind of value".into(),
    }
}

impl Node {
    fn leaf<T: std::str::FromStr>(&self, what: &str) -> Result<T, NodeError> {
        match self {
            Node::Leaf(text) => text.parse().map_err(|_| NodeError(format!("must be {what}, not `{}`", shorten(text)))),
            Node::Map(_) => Err(NodeError(format!("must be {what}, not an object"))),
            Node::List(_) => Err(NodeError(format!("must be {what}, not an array"))),
            Node::Json(_) => Err(NodeError(format!("must be {what}"))),
            Node::Bytes(_) => Err(NodeError(format!("must be {what}, not a file"))),
        }
    }
}

/// Whether `text` is written as an integer (an optional sign, then digits),
/// whatever its size.
fn integer_text(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// An integer of type `$t`: one written as an integer but beyond `$t`'s
/// range is refused with the range, not as "not an integer".
macro_rules! parse_int {
    ($($method:ident, $visit:ident, $t:ty);*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
            match self {
                Node::Json(v) => Json(v).$method(visitor),
                Node::Leaf(text) if integer_text(&text) && text.parse::<$t>().is_err() => Err(NodeError(format!(
                    "must be an integer from {} to {}, not `{}`",
                    <$t>::MIN,
                    <$t>::MAX,
                    shorten(&text)
                ))),
                other => visitor.$visit(other.leaf::<$t>("an integer")?),
            }
        })*
    };
}

macro_rules! parse_leaf {
    ($($method:ident, $visit:ident, $t:ty, $what:literal);*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
            if let Node::Json(v) = self {
                return Json(v).$method(visitor);
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
            Node::Map(map) => match as_indexed(&map)? {
                Some(items) => visitor.visit_seq(NodeSeq { iter: items.into_iter() }),
                None => visitor.visit_map(NodeMap { iter: map.into_iter(), value: None }),
            },
            Node::List(items) => visitor.visit_seq(NodeSeq { iter: items.into_iter() }),
            Node::Json(v) => Json(v).deserialize_any(visitor),
            Node::Bytes(bytes) => visitor.visit_byte_buf(bytes),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::Map(map) => visitor.visit_map(NodeMap { iter: map.into_iter(), value: None }),
            other => other.deserialize_any(visitor),
        }
    }

    /// An object, never an array: serde's derived structs would read an
    /// array's items as the fields in order (`customer_details[]=x` as an
    /// `email` of `x`).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, NodeError> {
        match self {
            Node::List(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &visitor)),
            Node::Json(v) => Json(v).deserialize_struct(name, fields, visitor),
            other => other.deserialize_map(visitor),
        }
    }

    parse_int!(deserialize_i8, visit_i8, i8;
        deserialize_i16, visit_i16, i16;
        deserialize_i32, visit_i32, i32;
        deserialize_i64, visit_i64, i64;
        deserialize_u8, visit_u8, u8;
        deserialize_u16, visit_u16, u16;
        deserialize_u32, visit_u32, u32;
        deserialize_u64, visit_u64, u64);

    parse_leaf!(deserialize_bool, visit_bool, bool, "a boolean";
        deserialize_f32, visit_f32, f32, "a number";
        deserialize_f64, visit_f64, f64, "a number");

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

    /// A value that is there is `Some`, the empty string too: the empty
    /// string unsets a field only where the spec says so (`OrEmpty`, read
    /// before it gets here), and is otherwise a value like any other, valid
    /// or not for its schema (an empty `status` is outside its enum).
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::Json(v) => Json(v).deserialize_option(visitor),
            other => visitor.visit_some(other),
        }
    }

    /// A single value where a list is expected is a list of one.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self {
            Node::List(items) => visitor.visit_seq(NodeSeq { iter: items.into_iter() }),
            Node::Json(v) => Json(v).deserialize_seq(visitor),
            Node::Map(map) if map.is_empty() => visitor.visit_seq(NodeSeq { iter: Vec::new().into_iter() }),
            // One file (a multipart file part) where a list is expected.
            Node::Map(map) if matches!(map.get("content"), Some(Node::Bytes(_))) => {
                visitor.visit_seq(NodeSeq { iter: vec![Node::Map(map)].into_iter() })
            }
            Node::Map(map) => match as_indexed(&map)? {
                Some(items) => visitor.visit_seq(NodeSeq { iter: items.into_iter() }),
                None => Err(NodeError("must be an array, not an object".into())),
            },
            one @ (Node::Leaf(_) | Node::Bytes(_)) => visitor.visit_seq(NodeSeq { iter: vec![one].into_iter() }),
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
            Node::Json(v) => Json(v).deserialize_enum(name, variants, visitor),
            _ => Err(NodeError(format!("must be one of {}", listed(variants)))),
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

/// A JSON value read with [`NodeError`]s, so that a JSON body's errors are
/// worded as a form's are (`serde_json`'s own name serde's terms: `map`,
/// `sequence`). The value's depth was bounded when it was parsed.
struct Json(serde_json::Value);

impl<'de> de::Deserializer<'de> for Json {
    type Error = NodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        use serde_json::Value;
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                (None, None, Some(f)) => visitor.visit_f64(f),
                (None, None, None) => Err(NodeError(format!("must be a number that fits, not `{n}`"))),
            },
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visitor.visit_seq(JsonSeq(items.into_iter())),
            Value::Object(map) => visitor.visit_map(JsonMap { iter: map.into_iter(), value: None }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NodeError> {
        match self.0 {
            serde_json::Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Json(other)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, NodeError> {
        match self.0 {
            serde_json::Value::String(s) => visitor.visit_enum(s.into_deserializer()),
            _ => Err(NodeError(format!("must be one of {}", listed(variants)))),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, NodeError> {
        visitor.visit_newtype_struct(self)
    }

    /// An object, never an array (see `Node::deserialize_struct`).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, NodeError> {
        match self.0 {
            serde_json::Value::Array(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &visitor)),
            other => Json(other).deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit unit_struct
        seq tuple tuple_struct map identifier ignored_any
    }
}

struct JsonSeq(std::vec::IntoIter<serde_json::Value>);

impl<'de> SeqAccess<'de> for JsonSeq {
    type Error = NodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, NodeError> {
        self.0.next().map(|value| seed.deserialize(Json(value))).transpose()
    }
}

struct JsonMap {
    iter: serde_json::map::IntoIter,
    value: Option<serde_json::Value>,
}

impl<'de> MapAccess<'de> for JsonMap {
    type Error = NodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, NodeError> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(Json(serde_json::Value::String(key))).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, NodeError> {
        seed.deserialize(Json(self.value.take().unwrap_or(serde_json::Value::Null)))
    }
}

/// The nesting depth of a JSON text (arrays and objects), counted without
/// parsing it, stopping as soon as it passes `limit`: `Err(limit)` then.
pub fn json_depth(text: &[u8], limit: usize) -> Result<usize, usize> {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &byte in text {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(limit);
                }
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(deepest)
}

/// Where an API key travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPlace {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// How a security scheme's credential travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// An API key in the header, query parameter or cookie `name`.
    ApiKey {
        /// Where it travels.
        place: KeyPlace,
        /// The header, query parameter or cookie that carries it.
        name: &'static str,
    },
    /// HTTP Basic: `Authorization: Basic <base64 of user:password>`.
    Basic,
    /// A bearer token (also OAuth2 and OpenID Connect access tokens):
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// Another HTTP authentication scheme: `Authorization: <scheme> <credentials>`.
    Http(&'static str),
}

/// A security scheme of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheme {
    /// Its name in the spec (`components.securitySchemes`).
    pub name: &'static str,
    /// How its credential travels.
    pub kind: SchemeKind,
}

impl Scheme {
    /// Whether a credential of this scheme travels in `Authorization`.
    pub fn in_authorization(&self) -> bool {
        !matches!(self.kind, SchemeKind::ApiKey { .. })
    }
}

/// One scheme a security requirement names, with the OAuth2 scopes it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Need {
    /// The scheme.
    pub scheme: &'static Scheme,
    /// The scopes (OAuth2, OpenID Connect); empty for other schemes.
    pub scopes: &'static [&'static str],
}

impl Need {
    /// The scheme, with no scopes.
    pub const fn of(scheme: &'static Scheme) -> Need {
        Need { scheme, scopes: &[] }
    }
}

/// What an operation takes to call: any one of these requirements (OR),
/// each met when every scheme it names is (AND). None at all: no
/// credentials; an empty requirement among them: credentials are optional.
pub type Security = &'static [&'static [Need]];

/// A credential: what a client sends for a scheme, what a server found.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A secret sent whole: an API key, a bearer, OAuth2 or OpenID
    /// Connect token, another HTTP scheme's credentials.
    Secret(String),
    /// A user and a password (HTTP Basic).
    Basic {
        /// The user.
        user: String,
        /// The password (often empty, when the user is an API key).
        password: String,
    },
}

impl Credential {
    /// A secret: an API key or a token.
    pub fn secret(secret: impl Into<String>) -> Self {
        Credential::Secret(secret.into())
    }

    /// A user and a password, for HTTP Basic.
    pub fn basic(user: impl Into<String>, password: impl Into<String>) -> Self {
        Credential::Basic { user: user.into(), password: password.into() }
    }
}

/// Never prints a secret, a user or a password (a Basic user is often an
/// API key, as with `curl -u sk_test_...:`).
impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Secret(_) => f.write_str("Secret(***)"),
            Credential::Basic { .. } => f.write_str("Basic(***)"),
        }
    }
}

/// The longest line an event stream or a JSON-lines stream may have
/// unless told otherwise: 1 MiB. A line that never ends is an error once
/// it passes the limit, not an allocation as large as the peer likes.
pub const MAX_LINE: usize = 1 << 20;

/// The most data one server-sent event may hold unless told otherwise:
/// 16 MiB.
pub const MAX_EVENT: usize = 16 << 20;

/// A stream that breaks its limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamError {
    /// A line longer than the limit.
    LineTooLong {
        /// The limit.
        limit: usize,
    },
    /// An event whose data is larger than the limit.
    EventTooLarge {
        /// The limit.
        limit: usize,
    },
    /// A line of a JSON-lines stream that is not one value of its type.
    BadLine {
        /// Which line (from 1).
        line: usize,
        /// What is wrong with it.
        message: String,
    },
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::LineTooLong { limit } => write!(f, "a line of the stream is longer than {limit} bytes"),
            StreamError::EventTooLarge { limit } => write!(f, "an event of the stream holds more than {limit} bytes of data"),
            StreamError::BadLine { line, message } => write!(f, "line {line} of the stream: {message}"),
        }
    }
}

impl std::error::Error for StreamError {}

/// One server-sent event (the WHATWG HTML standard's event stream).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event<T = String> {
    /// `event:`; none is the default type, `message`.
    pub event: Option<String>,
    /// The last event ID in effect when it was sent (`id:`), which a
    /// client that reconnects sends as `Last-Event-ID`.
    pub id: Option<String>,
    /// `retry:`, the reconnection time the server asks for, in milliseconds.
    pub retry: Option<u64>,
    /// `data:`, its lines joined with `\n`: the text, or a value read from
    /// it.
    pub data: T,
}

impl<T> Event<T> {
    /// An event of this data, of the default type.
    pub fn new(data: T) -> Self {
        Event { event: None, id: None, retry: None, data }
    }

    /// With an event type.
    pub fn event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(event.into());
        self
    }

    /// With an ID.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The same event with its data turned into something else.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Event<U> {
        Event { event: self.event, id: self.id, retry: self.retry, data: f(self.data) }
    }
}

/// The event-stream text of one event: its fields, a `data:` line per line
/// of its data, and the blank line that ends it. A line break inside the
/// type or the ID (which no field may hold) is left out.
pub fn write_event(event: &Event<String>) -> String {
    let clean = |text: &str| text.replace(['\r', '\n'], "");
    let mut out = String::new();
    if let Some(kind) = &event.event {
        out.push_str(&format!("event: {}\n", clean(kind)));
    }
    if let Some(id) = &event.id {
        out.push_str(&format!("id: {}\n", clean(id).replace('\0', "")));
    }
    if let Some(retry) = event.retry {
        out.push_str(&format!("retry: {retry}\n"));
    }
    for line in event.data.split('\n') {
        out.push_str("data: ");
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
        out.push('\n');
    }
    out.push('\n');
    out
}

/// Reads an event stream as it arrives, in chunks of any size, into
/// events, as the WHATWG HTML standard says (lines ending in CRLF, LF or
/// CR; `:` comments; `event`, `data`, `id`, `retry`; an event dispatched at
/// a blank line; one that the stream cuts short dropped). Bounded: a line
/// longer than `max_line` bytes, or an event of more than `max_event`
/// bytes of data, is an error.
///
/// Written here rather than taken from a crate: the event-stream parsers
/// on crates.io buffer a line, or an event, however long it grows.
#[derive(Debug)]
pub struct EventParser {
    line: Vec<u8>,
    /// A CR ended the last line: a LF right after it ends nothing more.
    after_cr: bool,
    started: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
    last_id: Option<String>,
    retry: Option<u64>,
    max_line: usize,
    max_event: usize,
}

impl Default for EventParser {
    fn default() -> Self {
        EventParser::new(MAX_LINE, MAX_EVENT)
    }
}

impl EventParser {
    /// A parser with these limits.
    pub fn new(max_line: usize, max_event: usize) -> Self {
        EventParser {
            line: Vec::new(),
            after_cr: false,
            started: false,
            event: None,
            data: String::new(),
            has_data: false,
            last_id: None,
            retry: None,
            max_line,
            max_event,
        }
    }

    /// The ID a client that reconnects sends as `Last-Event-ID`.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The reconnection time the stream last asked for (`retry:`), in
    /// milliseconds.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }

    /// Reads `bytes`, appending every event they complete to `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<Event>) -> Result<(), StreamError> {
        let rest = bytes;
        for &byte in rest {
            match byte {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.line);
                    self.line_done(&line, out)?;
                }
                _ => {
                    self.after_cr = false;
                    if self.line.len() == self.max_line {
                        self.line = Vec::new();
                        return Err(StreamError::LineTooLong { limit: self.max_line });
                    }
                    self.line.push(byte);
                }
            }
        }
        Ok(())
    }

    fn line_done(&mut self, line: &[u8], out: &mut Vec<Event>) -> Result<(), StreamError> {
        // A byte order mark may open the stream, so the first line.
        let line = if self.started { line } else { line.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(line) };
        self.started = true;
        if line.is_empty() {
            if self.has_data {
                let mut data = std::mem::take(&mut self.data);
                if data.ends_with('\n') {
                    data.pop();
                }
                out.push(Event { event: self.event.take(), id: self.last_id.clone(), retry: self.retry, data });
            }
            self.event = None;
            self.has_data = false;
            self.data.clear();
            return Ok(());
        }
        let line = String::from_utf8_lossy(line);
        if line.starts_with(':') {
            return Ok(());
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (&line[..], ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => {
                if self.data.len() + value.len() + 1 > self.max_event {
                    self.data.clear();
                    self.has_data = false;
                    return Err(StreamError::EventTooLarge { limit: self.max_event });
                }
                self.data.push_str(value);
                self.data.push('\n');
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => self.retry = value.parse().ok(),
            _ => {}
        }
        Ok(())
    }
}

/// Splits a JSON-lines stream (`application/x-ndjson`, `application/jsonl`)
/// as it arrives into its lines: LF ends a line (a CR before it is
/// dropped), blank lines are skipped, and a line longer than `max_line`
/// bytes is an error.
#[derive(Debug)]
pub struct LineSplitter {
    line: Vec<u8>,
    max_line: usize,
}

impl Default for LineSplitter {
    fn default() -> Self {
        LineSplitter::new(MAX_LINE)
    }
}

impl LineSplitter {
    /// A splitter with this limit.
    pub fn new(max_line: usize) -> Self {
        LineSplitter { line: Vec::new(), max_line }
    }

    /// Reads `bytes`, appending every line they complete to `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), StreamError> {
        for &byte in bytes {
            if byte == b'\n' {
                let mut line = std::mem::take(&mut self.line);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if !line.iter().all(u8::is_ascii_whitespace) {
                    out.push(line);
                }
            } else if self.line.len() == self.max_line {
                self.line = Vec::new();
                return Err(StreamError::LineTooLong { limit: self.max_line });
            } else {
                self.line.push(byte);
            }
        }
        Ok(())
    }

    /// The last line, when the stream ends without a LF after it.
    pub fn finish(&mut self) -> Option<Vec<u8>> {
        let line = std::mem::take(&mut self.line);
        (!line.iter().all(u8::is_ascii_whitespace)).then_some(line)
    }
}

/// Whether `got` (a `Content-Type`) is of the media type `declared`
/// (`image/png`, `image/*` or `*/*`), parameters aside.
pub fn media_matches(declared: &str, got: &str) -> bool {
    let essence = |m: &str| m.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let (declared, got) = (essence(declared), essence(got));
    declared == "*/*"
        || declared == got
        || declared.strip_suffix("/*").is_some_and(|kind| got.split('/').next() == Some(kind))
}
