//! One view of a schema whatever way `openapiv3` parsed it: its irregular
//! `AnySchema` (keywords mixed across types) is read into the same shapes
//! as the regular ones.

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty};

use crate::walk::SchemaRef;

/// What a schema describes.
#[derive(Debug, Clone)]
pub enum Shape<'a> {
    /// `type: string`.
    String {
        /// `enum`, when given (`None` entries stand for `null`).
        values: Option<Vec<Option<String>>>,
        /// `format`, when given.
        format: Option<String>,
    },
    /// `type: integer`.
    Integer {
        /// `format`, when given.
        format: Option<String>,
        /// `enum`, when given.
        values: Option<Vec<serde_json::Value>>,
    },
    /// `type: number`.
    Number,
    /// `type: boolean`.
    Boolean,
    /// `type: object` (or properties without a type).
    Object(ObjectShape<'a>),
    /// `type: array`.
    Array {
        /// `items`, when given.
        items: Option<SchemaRef<'a>>,
    },
    /// `anyOf` or `oneOf`: the alternatives, and which keyword holds them.
    Union(Vec<SchemaRef<'a>>, &'static str),
    /// `allOf`, plus sibling properties when the schema has them too.
    AllOf {
        /// The parts.
        parts: Vec<SchemaRef<'a>>,
        /// `properties` written next to `allOf`.
        siblings: Option<ObjectShape<'a>>,
    },
    /// `not`: not expressible as a Rust type.
    Not,
    /// No constraint on the value (`{}` or no `type`).
    Free,
    /// A `type` OpenAPI 3.0 does not define.
    Unknown(String),
}

/// The parts of an object schema.
#[derive(Debug, Clone)]
pub struct ObjectShape<'a> {
    /// `properties`, in spec order.
    pub properties: &'a IndexMap<String, ReferenceOr<Box<Schema>>>,
    /// `required`.
    pub required: &'a [String],
    /// `additionalProperties`.
    pub additional: Additional<'a>,
}

/// `additionalProperties`.
#[derive(Debug, Clone, Copy)]
pub enum Additional<'a> {
    /// Not written (any extra property is allowed).
    Absent,
    /// `true` or `false`.
    Any(bool),
    /// A schema for every extra property's value.
    Schema(SchemaRef<'a>),
}

impl<'a> Additional<'a> {
    pub(crate) fn of(ap: &'a Option<AdditionalProperties>) -> Self {
        match ap {
            None => Additional::Absent,
            Some(AdditionalProperties::Any(b)) => Additional::Any(*b),
            Some(AdditionalProperties::Schema(s)) => Additional::Schema(SchemaRef::of(s)),
        }
    }
}

pub(crate) fn format_of<T: std::fmt::Debug>(f: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match f {
        VariantOrUnknownOrEmpty::Item(item) => Some(kebab_format(&format!("{item:?}"))),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

/// `DateTime` → `date-time`, `Int64` → `int64`.
fn kebab_format(debug: &str) -> String {
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn refs(list: &[ReferenceOr<Schema>]) -> Vec<SchemaRef<'_>> {
    list.iter().map(SchemaRef::of).collect()
}

/// Reads a schema's shape.
pub fn shape(schema: &Schema) -> Shape<'_> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => Shape::String {
            values: (!s.enumeration.is_empty()).then(|| s.enumeration.clone()),
            format: format_of(&s.format),
        },
        SchemaKind::Type(Type::Integer(i)) => Shape::Integer {
            format: format_of(&i.format),
            values: (!i.enumeration.is_empty())
                .then(|| i.enumeration.iter().map(|v| v.map_or(serde_json::Value::Null, Into::into)).collect()),
        },
        SchemaKind::Type(Type::Number(_)) => Shape::Number,
        SchemaKind::Type(Type::Boolean(_)) => Shape::Boolean,
        SchemaKind::Type(Type::Object(o)) => Shape::Object(ObjectShape {
            properties: &o.properties,
            required: &o.required,
            additional: Additional::of(&o.additional_properties),
        }),
        SchemaKind::Type(Type::Array(a)) => Shape::Array { items: a.items.as_ref().map(SchemaRef::of_boxed) },
        SchemaKind::OneOf { one_of } => Shape::Union(refs(one_of), "oneOf"),
        SchemaKind::AnyOf { any_of } => Shape::Union(refs(any_of), "anyOf"),
        SchemaKind::AllOf { all_of } => Shape::AllOf { parts: refs(all_of), siblings: None },
        SchemaKind::Not { .. } => Shape::Not,
        SchemaKind::Any(any) => {
            let object = || ObjectShape {
                properties: &any.properties,
                required: &any.required,
                additional: Additional::of(&any.additional_properties),
            };
            let has_object = !any.properties.is_empty() || any.additional_properties.is_some();
            if !any.all_of.is_empty() {
                return Shape::AllOf { parts: refs(&any.all_of), siblings: has_object.then(object) };
            }
            if !any.any_of.is_empty() {
                return Shape::Union(refs(&any.any_of), "anyOf");
            }
            if !any.one_of.is_empty() {
                return Shape::Union(refs(&any.one_of), "oneOf");
            }
            if any.not.is_some() {
                return Shape::Not;
            }
            let strings = || -> Option<Vec<Option<String>>> {
                if any.enumeration.is_empty() {
                    return None;
                }
                any.enumeration
                    .iter()
                    .map(|v| match v {
                        serde_json::Value::String(s) => Some(Some(s.clone())),
                        serde_json::Value::Null => Some(None),
                        _ => None,
                    })
                    .collect()
            };
            match any.typ.as_deref() {
                Some("string") => Shape::String { values: strings(), format: any.format.clone() },
                Some("integer") => Shape::Integer {
                    format: any.format.clone(),
                    values: (!any.enumeration.is_empty()).then(|| any.enumeration.clone()),
                },
                Some("number") => Shape::Number,
                Some("boolean") => Shape::Boolean,
                Some("object") => Shape::Object(object()),
                Some("array") => Shape::Array { items: any.items.as_ref().map(SchemaRef::of_boxed) },
                Some(other) => Shape::Unknown(other.to_owned()),
                None if has_object => Shape::Object(object()),
                None if any.items.is_some() => Shape::Array { items: any.items.as_ref().map(SchemaRef::of_boxed) },
                None => match strings() {
                    Some(values) => Shape::String { values: Some(values), format: None },
                    None => Shape::Free,
                },
            }
        }
    }
}

/// `enum: [""]` with `type: string`: the "empty string unsets" marker.
pub fn is_empty_string_marker(schema: &Schema) -> bool {
    matches!(shape(schema), Shape::String { values: Some(v), .. } if v == [Some(String::new())])
}

/// `type: string` without an enum: the ID half of an expandable field.
pub fn is_plain_string(schema: &Schema) -> bool {
    matches!(shape(schema), Shape::String { values: None, .. })
}
