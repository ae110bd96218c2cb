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

            fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
                T::deserialize(value.into_deserializer()).map(OrEmpty::Value)
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
                T::deserialize(value.into_deserializer()).map(OrEmpty::Value)
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
                T::deserialize(value.into_deserializer()).map(OrEmpty::Value)
            }

            fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
                T::deserialize(value.into_deserializer()).map(OrEmpty::Value)
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
