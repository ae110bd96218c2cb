//! Wire types that generated code builds on.
//!
//! Every generated module reaches serde-level helpers through this module
//! only. It depends on `serde` and nothing else, so a crate that imports the
//! generated types compiles no HTTP stack.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field that is optional *and* nullable: the key may be absent, present
/// with `null`, or present with a value. The three cases serialize back
/// exactly as they arrived (use `#[serde(default, skip_serializing_if =
/// "Nullable::is_absent")]` on the field).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nullable<T> {
    /// The key is not present.
    #[default]
    Absent,
    /// The key is present with the value `null`.
    Null,
    /// The key is present with a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// `true` when the key is absent (used to skip it when serializing).
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// `true` when the key is present with `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// The value, if there is one; absent and `null` both give `None`.
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// Converts into an `Option`, forgetting whether the key was absent or `null`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => value.serialize(serializer),
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Nullable::Value(value),
            None => Nullable::Null,
        })
    }
}

/// A field that holds either the ID of a related object or, when the request
/// asked for it with `expand[]`, the object itself.
#[derive(Clone, Debug, PartialEq)]
pub enum Expandable<T> {
    /// The related object's ID (the default, unexpanded form).
    Id(String),
    /// The related object, expanded in place.
    Object(Box<T>),
}

impl<T> Expandable<T> {
    /// The ID when unexpanded; for an expanded object, use [`Expandable::as_object`].
    pub fn id(&self) -> Option<&str> {
        match self {
            Expandable::Id(id) => Some(id),
            Expandable::Object(_) => None,
        }
    }

    /// The expanded object, if the field was expanded.
    pub fn as_object(&self) -> Option<&T> {
        match self {
            Expandable::Id(_) => None,
            Expandable::Object(object) => Some(object),
        }
    }
}

impl<T: Serialize> Serialize for Expandable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Expandable::Id(id) => serializer.serialize_str(id),
            Expandable::Object(object) => object.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Expandable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExpandableVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ExpandableVisitor<T> {
            type Value = Expandable<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ID string or an expanded object")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(Expandable::Id(value.to_owned()))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
                Ok(Expandable::Id(value))
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|o| Expandable::Object(Box::new(o)))
            }
        }

        deserializer.deserialize_any(ExpandableVisitor(PhantomData))
    }
}

/// A request value that may also be the empty string, which the API reads as
/// "unset this field" (`anyOf: [X, enum: [""]]` in the spec).
#[derive(Clone, Debug, PartialEq)]
pub enum OrEmpty<T> {
    /// The empty string: unset the field.
    Empty,
    /// A value.
    Value(T),
}

impl<T> From<T> for OrEmpty<T> {
    fn from(value: T) -> Self {
        OrEmpty::Value(value)
    }
}

impl<T: Serialize> Serialize for OrEmpty<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OrEmpty::Empty => serializer.serialize_str(""),
            OrEmpty::Value(value) => value.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OrEmpty<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrEmptyVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for OrEmptyVisitor<T> {
            type Value = OrEmpty<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or the empty string")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                if value.is_empty() {
                    return Ok(OrEmpty::Empty);
                }
                T::deserialize(value.into_deserializer()).map(OrEmpty::Value)
            }

            // A form value such as `5` or `true` is offered as a number or a
            // boolean first; a `T` that is a string takes its text instead.
            fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
                T::deserialize(value.into_deserializer())
                    .or_else(|_: E| T::deserialize(value.to_string().into_deserializer()))
                    .map(OrEmpty::Value)
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
                T::deserialize(value.into_deserializer())
                    .or_else(|_: E| T::deserialize(value.to_string().into_deserializer()))
                    .map(OrEmpty::Value)
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
                T::deserialize(value.into_deserializer())
                    .or_else(|_: E| T::deserialize(value.to_string().into_deserializer()))
                    .map(OrEmpty::Value)
            }

            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
                T::deserialize(value.into_deserializer())
                    .or_else(|_: E| T::deserialize(value.to_string().into_deserializer()))
                    .map(OrEmpty::Value)
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                T::deserialize(SeqAccessDeserializer::new(seq)).map(OrEmpty::Value)
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(OrEmpty::Value)
            }
        }

        deserializer.deserialize_any(OrEmptyVisitor(PhantomData))
    }
}

/// Deserializes an optional `OrEmpty<T>` field without going through
/// `Option`'s `deserialize_option`, so that a form's empty value stays
/// `Some(OrEmpty::Empty)` (used with `#[serde(deserialize_with = ...)]`).
pub fn some_or_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<OrEmpty<T>>, D::Error> {
    OrEmpty::deserialize(deserializer).map(Some)
}

/// Deserializes an optional field of a request that may not be null: a
/// value that is there is read as `T`, so `null` is refused as `T` refuses
/// it (`Option`'s own reading would take it for an absent value, which the
/// schema does not allow). Used with `#[serde(default, deserialize_with =
/// ...)]`, so an absent field is still `None`.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// One page of a cursor-paginated list: `{"object": "list", "data": [...],
/// "has_more": bool, "url": "..."}`.
///
/// `object` is always `"list"`: it is written when serializing and not stored.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct List<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Whether there are more items after this page.
    pub has_more: bool,
    /// The URL this list is served from.
    pub url: String,
}

impl<T: Serialize> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut page = serializer.serialize_struct("List", 4)?;
        page.serialize_field("object", "list")?;
        page.serialize_field("data", &self.data)?;
        page.serialize_field("has_more", &self.has_more)?;
        page.serialize_field("url", &self.url)?;
        page.end()
    }
}

/// A file, as a part of a multipart body carries it: a file name, a
/// content type and the content, in memory, on disk or from a reader. The
/// client streams it; the server hands it over in memory, within its
/// limits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    /// The name it is sent with (`filename=` of the part).
    pub name: Option<String>,
    /// Its content type; unset, the spec's `encoding` says, else
    /// `application/octet-stream`.
    pub content_type: Option<String>,
    /// Its bytes, or where to read them.
    pub content: FileContent,
}

/// Where a file's bytes are.
#[derive(Clone, Debug, PartialEq)]
pub enum FileContent {
    /// In memory.
    Bytes(Vec<u8>),
    /// On disk, read as the request is sent (on every attempt).
    Path(std::path::PathBuf),
    /// From a reader, read once as the request is sent: a request that
    /// carries one is not retried.
    Reader(SharedReader),
}

impl Default for FileContent {
    fn default() -> Self {
        FileContent::Bytes(Vec::new())
    }
}

/// A reader shared by the clones of a [`File`]: the first request that
/// sends it reads it.
#[derive(Clone)]
pub struct SharedReader(pub std::sync::Arc<std::sync::Mutex<Option<Box<dyn std::io::Read + Send>>>>);

impl SharedReader {
    /// The reader, taken out (`None` once taken).
    pub fn take(&self) -> Option<Box<dyn std::io::Read + Send>> {
        self.0.lock().ok()?.take()
    }
}

impl fmt::Debug for SharedReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedReader(..)")
    }
}

impl PartialEq for SharedReader {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl File {
    /// A file of these bytes, with this name.
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        File { name: Some(name.into()), content_type: None, content: FileContent::Bytes(bytes.into()) }
    }

    /// The file at `path`, named after it, read when sent.
    pub fn path(path: impl Into<std::path::PathBuf>) -> Self {
        let path = path.into();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        File { name, content_type: None, content: FileContent::Path(path) }
    }

    /// The bytes `reader` gives, with this name, read once when sent.
    pub fn reader(name: impl Into<String>, reader: impl std::io::Read + Send + 'static) -> Self {
        let shared = SharedReader(std::sync::Arc::new(std::sync::Mutex::new(Some(Box::new(reader)))));
        File { name: Some(name.into()), content_type: None, content: FileContent::Reader(shared) }
    }

    /// With a content type.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The bytes, when they are in memory.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.content {
            FileContent::Bytes(bytes) => Some(bytes),
            FileContent::Path(_) | FileContent::Reader(_) => None,
        }
    }
}

/// As `{"name", "content_type", "content"}`, the content as bytes (an
/// array of numbers in JSON); a file on disk or a reader has no bytes to
/// write and is an error.
impl Serialize for File {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeStruct};
        let Some(bytes) = self.as_bytes() else {
            return Err(S::Error::custom("a file on disk or from a reader is sent as a part, not serialized"));
        };
        let mut file = serializer.serialize_struct("File", 3)?;
        file.serialize_field("name", &self.name)?;
        file.serialize_field("content_type", &self.content_type)?;
        file.serialize_field("content", &Bytes(bytes))?;
        file.end()
    }
}

struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// From what [`Serialize`] writes, the content as bytes or an array of
/// numbers: how a server hands over a file part.
impl<'de> Deserialize<'de> for File {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            content_type: Option<String>,
            content: Content,
        }
        struct Content(Vec<u8>);
        impl<'de> Deserialize<'de> for Content {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Of;
                impl<'de> Visitor<'de> for Of {
                    type Value = Content;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a file")
                    }
                    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Content, E> {
                        Ok(Content(v.to_vec()))
                    }
                    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Content, E> {
                        Ok(Content(v))
                    }
                    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Content, A::Error> {
                        let mut out = Vec::new();
                        while let Some(byte) = seq.next_element::<u8>()? {
                            out.push(byte);
                        }
                        Ok(Content(out))
                    }
                }
                deserializer.deserialize_byte_buf(Of)
            }
        }
        let raw = Raw::deserialize(deserializer)?;
        Ok(File { name: raw.name, content_type: raw.content_type, content: FileContent::Bytes(raw.content.0) })
    }
}

/// Deserializes a string enum through `From<&str>`, so that generated enums
/// keep values they do not know in their `Unknown` variant.
pub struct StrEnumVisitor<T>(PhantomData<T>);

impl<T> StrEnumVisitor<T> {
    /// A visitor producing `T`.
    pub fn new() -> Self {
        StrEnumVisitor(PhantomData)
    }
}

impl<T> Default for StrEnumVisitor<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: for<'a> From<&'a str>> Visitor<'_> for StrEnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }
}

/// Implements `Display`, `Serialize` and `Deserialize` for a generated
/// string enum from its `as_str` and `From<&str>`; the invoking module
/// imports [`StrEnumVisitor`]. (Unused in an API without string enums.)
#[allow(unused_macros)]
macro_rules! str_enum {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                deserializer.deserialize_str(StrEnumVisitor::new())
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use str_enum;

/// A request value that breaks a rule of the spec: a value outside an enum,
/// a number out of range, a string too long or too short.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// The parameter, as the wire names it: `line_items[0][quantity]`.
    pub param: String,
    /// What is wrong, for a human.
    pub message: String,
}

/// Where in a request a value sits, rendered the way forms name it.
#[derive(Clone, Debug, Default)]
pub struct ParamPath {
    segments: Vec<String>,
}

impl ParamPath {
    /// The root.
    pub fn new() -> Self {
        ParamPath::default()
    }

    /// Runs `f` one level down, at `segment` (a field name or an index).
    pub fn at<R>(&mut self, segment: impl ToString, f: impl FnOnce(&mut ParamPath) -> R) -> R {
        self.segments.push(segment.to_string());
        let result = f(self);
        self.segments.pop();
        result
    }

    /// `a[b][0]`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (i, segment) in self.segments.iter().enumerate() {
            if i == 0 {
                out.push_str(segment);
            } else {
                out.push('[');
                out.push_str(segment);
                out.push(']');
            }
        }
        out
    }

    /// Records a problem at this path.
    pub fn invalid(&self, errors: &mut Vec<Invalid>, message: impl Into<String>) {
        errors.push(Invalid { param: self.render(), message: message.into() });
    }

    /// Validates the field `name`.
    pub fn field<T: Validate + ?Sized>(&mut self, name: &str, value: &T, errors: &mut Vec<Invalid>) {
        self.at(name, |at| value.validate(at, errors));
    }

    /// Checks the field `name` against `bounds`.
    pub fn bounded<T: Bounded + ?Sized>(&mut self, name: &str, value: &T, bounds: Bounds, errors: &mut Vec<Invalid>) {
        self.at(name, |at| value.check(&bounds, at, errors));
    }

    /// Checks the item count of the field `name` against `bounds` (for an
    /// array or a map whose items have no bounds of their own).
    pub fn counted<T: Counted + ?Sized>(&mut self, name: &str, value: &T, bounds: Bounds, errors: &mut Vec<Invalid>) {
        self.at(name, |at| value.check_count(&bounds, at, errors));
    }

    /// Checks `value`, here (an alternative of a union), against `bounds`.
    pub fn bounded_here<T: Bounded + ?Sized>(&mut self, value: &T, bounds: Bounds, errors: &mut Vec<Invalid>) {
        value.check(&bounds, self, errors);
    }

    /// Checks the item count of `value`, here, against `bounds`.
    pub fn counted_here<T: Counted + ?Sized>(&mut self, value: &T, bounds: Bounds, errors: &mut Vec<Invalid>) {
        value.check_count(&bounds, self, errors);
    }
}

/// Checks a request value against the rules of its schema that its type
/// does not already enforce. Generated for every request type.
pub trait Validate {
    /// Records every problem, with the path it is at.
    fn validate(&self, at: &mut ParamPath, errors: &mut Vec<Invalid>);

    /// Every problem, from the root.
    fn problems(&self) -> Vec<Invalid> {
        let mut errors = Vec::new();
        self.validate(&mut ParamPath::new(), &mut errors);
        errors
    }
}

macro_rules! always_valid {
    ($($t:ty),*) => {
        $(impl Validate for $t {
            fn validate(&self, _: &mut ParamPath, _: &mut Vec<Invalid>) {}
        })*
    };
}

always_valid!(String, bool, i32, i64, f64);

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        if let Some(value) = self {
            value.validate(at, errors);
        }
    }
}

impl<T: Validate> Validate for Nullable<T> {
    fn validate(&self, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        if let Nullable::Value(value) = self {
            value.validate(at, errors);
        }
    }
}

impl<T: Validate> Validate for OrEmpty<T> {
    fn validate(&self, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        if let OrEmpty::Value(value) = self {
            value.validate(at, errors);
        }
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        (**self).validate(at, errors);
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        for (i, value) in self.iter().enumerate() {
            at.at(i, |at| value.validate(at, errors));
        }
    }
}

impl<T: Validate> Validate for std::collections::BTreeMap<String, T> {
    fn validate(&self, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        for (key, value) in self {
            at.at(key, |at| value.validate(at, errors));
        }
    }
}

impl<T: Validate> Validate for Expandable<T> {
    fn validate(&self, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        if let Expandable::Object(object) = self {
            object.validate(at, errors);
        }
    }
}

/// Limits from a schema: `minimum`, `maximum` (maybe exclusive),
/// `minLength`, `maxLength`; `minItems` and `maxItems` of an array (or
/// `minProperties` and `maxProperties` of an object), and the bounds of each
/// of its items (or values).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bounds {
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMinimum`.
    pub exclusive_minimum: bool,
    /// `exclusiveMaximum`.
    pub exclusive_maximum: bool,
    /// `minLength`, in characters.
    pub min_length: Option<usize>,
    /// `maxLength`, in characters.
    pub max_length: Option<usize>,
    /// `pattern`.
    pub pattern: Option<Pattern>,
    /// `minItems`, or `minProperties`.
    pub min_items: Option<usize>,
    /// `maxItems`, or `maxProperties`.
    pub max_items: Option<usize>,
    /// The bounds of every item of an array, or value of an object.
    pub items: Option<&'static Bounds>,
    /// `enum` of a number or an integer: the only values allowed.
    pub one_of: Option<&'static [f64]>,
    /// `format` of a string, one that [`formats::accepts`] checks.
    pub format: Option<&'static str>,
}

impl Bounds {
    /// No limits.
    pub const fn new() -> Self {
        Bounds {
            minimum: None,
            maximum: None,
            exclusive_minimum: false,
            exclusive_maximum: false,
            min_length: None,
            max_length: None,
            pattern: None,
            min_items: None,
            max_items: None,
            items: None,
            one_of: None,
            format: None,
        }
    }

    /// With `minimum` (exclusive or not).
    pub const fn minimum(mut self, value: f64, exclusive: bool) -> Self {
        self.minimum = Some(value);
        self.exclusive_minimum = exclusive;
        self
    }

    /// With `maximum` (exclusive or not).
    pub const fn maximum(mut self, value: f64, exclusive: bool) -> Self {
        self.maximum = Some(value);
        self.exclusive_maximum = exclusive;
        self
    }

    /// With `minLength`.
    pub const fn min_length(mut self, value: usize) -> Self {
        self.min_length = Some(value);
        self
    }

    /// With `maxLength`.
    pub const fn max_length(mut self, value: usize) -> Self {
        self.max_length = Some(value);
        self
    }

    /// With `pattern`: the regular expression as the spec writes it
    /// (tested by the matcher installed with [`install_pattern_matcher`]).
    pub const fn pattern(mut self, source: &'static str) -> Self {
        self.pattern = Some(Pattern { source });
        self
    }

    /// With `minItems` (or `minProperties`).
    pub const fn min_items(mut self, value: usize) -> Self {
        self.min_items = Some(value);
        self
    }

    /// With `maxItems` (or `maxProperties`).
    pub const fn max_items(mut self, value: usize) -> Self {
        self.max_items = Some(value);
        self
    }

    /// With bounds for every item (or value).
    pub const fn items(mut self, items: &'static Bounds) -> Self {
        self.items = Some(items);
        self
    }

    /// With a string `format` (`date-time`, `uuid`, ...).
    pub const fn format(mut self, name: &'static str) -> Self {
        self.format = Some(name);
        self
    }

    /// With the values an `enum` allows a number.
    pub const fn one_of(mut self, values: &'static [f64]) -> Self {
        self.one_of = Some(values);
        self
    }
}

/// A schema's `pattern`: the regular expression as the spec writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// The regular expression.
    pub source: &'static str,
}

/// How `pattern`s are tested: `(pattern, text) -> matches`.
pub type PatternMatcher = fn(&str, &str) -> bool;

static PATTERN_MATCHER: std::sync::OnceLock<PatternMatcher> = std::sync::OnceLock::new();

/// Sets how [`Validate`] tests a value against a schema's `pattern`, once
/// per process (the first call wins). The server stubs install the `regex`
/// crate's (`http_server::regex_matcher`) when a router is made, so that
/// the types themselves need no regular expression engine; until one is
/// installed, `pattern` is not checked. Answers whether this call set it.
pub fn install_pattern_matcher(matcher: PatternMatcher) -> bool {
    PATTERN_MATCHER.set(matcher).is_ok()
}

/// Whether `text` matches `pattern` by the installed matcher (`true` when
/// none is installed).
pub fn pattern_matches(pattern: &str, text: &str) -> bool {
    PATTERN_MATCHER.get().is_none_or(|matcher| matcher(pattern, text))
}

/// A value `Bounds` apply to.
pub trait Bounded {
    /// Records a problem if the value is outside `bounds`.
    fn check(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>);
}

fn check_number(value: f64, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
    let shown = |v: f64| if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { v.to_string() };
    if let Some(allowed) = bounds.one_of
        && !allowed.contains(&value)
    {
        at.invalid(errors, format!("Invalid {}: must be one of {}", at.render(), listed(allowed)));
    }
    if let Some(min) = bounds.minimum
        && (value < min || (bounds.exclusive_minimum && value == min))
    {
        let relation = if bounds.exclusive_minimum { "greater than" } else { "at least" };
        at.invalid(errors, format!("Invalid {}: must be {relation} {}", at.render(), shown(min)));
    }
    if let Some(max) = bounds.maximum
        && (value > max || (bounds.exclusive_maximum && value == max))
    {
        let relation = if bounds.exclusive_maximum { "less than" } else { "at most" };
        at.invalid(errors, format!("Invalid {}: must be {relation} {}", at.render(), shown(max)));
    }
}

macro_rules! bounded_number {
    ($($t:ty),*) => {
        $(impl Bounded for $t {
            fn check(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
                check_number(*self as f64, bounds, at, errors);
            }
        })*
    };
}

bounded_number!(i32, i64, f64);

impl Bounded for String {
    fn check(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        let length = self.chars().count();
        if let Some(max) = bounds.max_length
            && length > max
        {
            at.invalid(errors, format!("Invalid {}: must be at most {max} characters", at.render()));
        }
        if let Some(min) = bounds.min_length
            && length < min
        {
            at.invalid(errors, format!("Invalid {}: must be at least {min} characters", at.render()));
        }
        if let Some(name) = bounds.format
            && formats::accepts(name, self) == Some(false)
        {
            at.invalid(errors, format!("Invalid {}: must be a valid {name}", at.render()));
        }
        if let Some(pattern) = bounds.pattern
            && !pattern_matches(pattern.source, self)
        {
            at.invalid(errors, format!("Invalid {}: must match the pattern `{}`", at.render(), pattern.source));
        }
    }
}

impl Bounded for bool {
    fn check(&self, _: &Bounds, _: &mut ParamPath, _: &mut Vec<Invalid>) {}
}

impl<T: Bounded> Bounded for Vec<T> {
    fn check(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        self.check_count(bounds, at, errors);
        if let Some(items) = bounds.items {
            for (i, item) in self.iter().enumerate() {
                at.at(i, |at| item.check(items, at, errors));
            }
        }
    }
}

impl<T: Bounded> Bounded for std::collections::BTreeMap<String, T> {
    fn check(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        self.check_count(bounds, at, errors);
        if let Some(items) = bounds.items {
            for (key, value) in self {
                at.at(key, |at| value.check(items, at, errors));
            }
        }
    }
}

impl<T: Bounded> Bounded for Box<T> {
    fn check(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        (**self).check(bounds, at, errors);
    }
}

/// An array or an object whose item count `minItems`/`maxItems` (or
/// `minProperties`/`maxProperties`) limit, whatever its items are.
pub trait Counted {
    /// Records a problem if the count is outside `bounds`.
    fn check_count(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>);
}

fn check_count(count: usize, noun: &str, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
    if let Some(max) = bounds.max_items
        && count > max
    {
        at.invalid(errors, format!("Invalid {}: must have at most {max} {noun}", at.render()));
    }
    if let Some(min) = bounds.min_items
        && count < min
    {
        at.invalid(errors, format!("Invalid {}: must have at least {min} {noun}", at.render()));
    }
}

impl<T> Counted for Vec<T> {
    fn check_count(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        check_count(self.len(), "items", bounds, at, errors);
    }
}

impl<T> Counted for std::collections::BTreeMap<String, T> {
    fn check_count(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        check_count(self.len(), "keys", bounds, at, errors);
    }
}

impl<T: Counted> Counted for Option<T> {
    fn check_count(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        if let Some(value) = self {
            value.check_count(bounds, at, errors);
        }
    }
}

impl<T: Counted> Counted for Nullable<T> {
    fn check_count(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        if let Nullable::Value(value) = self {
            value.check_count(bounds, at, errors);
        }
    }
}

impl<T: Counted> Counted for OrEmpty<T> {
    fn check_count(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        if let OrEmpty::Value(value) = self {
            value.check_count(bounds, at, errors);
        }
    }
}

impl<T: Counted> Counted for Box<T> {
    fn check_count(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        (**self).check_count(bounds, at, errors);
    }
}

impl<T: Bounded> Bounded for Option<T> {
    fn check(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        if let Some(value) = self {
            value.check(bounds, at, errors);
        }
    }
}

impl<T: Bounded> Bounded for Nullable<T> {
    fn check(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        if let Nullable::Value(value) = self {
            value.check(bounds, at, errors);
        }
    }
}

impl<T: Bounded> Bounded for OrEmpty<T> {
    fn check(&self, bounds: &Bounds, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
        if let OrEmpty::Value(value) = self {
            value.check(bounds, at, errors);
        }
    }
}

/// `a`, `b`, `c` as an error message lists allowed values, each in
/// backticks (a number as Rust writes it: `1`, `0.5`); the first twelve of
/// a long list.
pub fn listed<T: fmt::Display>(values: &[T]) -> String {
    let shown: Vec<String> = values.iter().take(12).map(|v| format!("`{v}`")).collect();
    let more = values.len().saturating_sub(12);
    if more > 0 { format!("{}, and {more} more", shown.join(", ")) } else { shown.join(", ") }
}

/// Text a client sent, as an error message shows it between backticks: at
/// most 200 characters, a backtick as `'` and control characters as `?`, so
/// that the message stays one readable line whose quotes hold.
pub fn shown(text: &str) -> String {
    const SHOWN: usize = 200;
    let mut out: String =
        text.chars().take(SHOWN).map(|c| if c == '`' { '\'' } else if c.is_control() { '?' } else { c }).collect();
    if text.chars().nth(SHOWN).is_some() {
        out.push_str("...");
    }
    out
}

/// Records that `value` is not one of `allowed` (for an enum's `Unknown`).
pub fn not_one_of(value: &str, allowed: &[&str], at: &mut ParamPath, errors: &mut Vec<Invalid>) {
    let listed = if allowed.len() <= 12 {
        allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
    } else {
        format!("one of {} values", allowed.len())
    };
    at.invalid(errors, format!("Invalid {}: `{}` is not one of {listed}", at.render(), shown(value)));
}
