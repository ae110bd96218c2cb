//! The `types` module: one Rust type per named IR type, serde-only.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{BoundsCheck, assemble, bounds_check, doc, format_items, format_parallel, ident, rust_type};
use crate::Error;
use crate::ir::{Api, Constant, Field, Presence, StrEnum, Struct, TypeDef, TypeKind, TypeRef, Union, UnionVariant};

/// Setter names that clippy would take for a standard trait's method.
const TRAIT_METHOD_NAMES: &[&str] = &[
    "add", "as_mut", "as_ref", "bitand", "bitor", "bitxor", "borrow", "borrow_mut", "clone", "cmp", "default",
    "deref", "deref_mut", "div", "drop", "eq", "from_iter", "from_str", "hash", "index", "index_mut", "into_iter",
    "mul", "neg", "next", "not", "partial_cmp", "rem", "shl", "shr", "sub",
];

/// Renders the `types` module.
pub(crate) fn types(api: &Api, header: &str) -> Result<String, Error> {
    let used = Used::of(api);
    let imports = used.imports();
    let module_doc = format!(" Types of {} {}.", api.title, api.version);
    let head = format_items("types", quote! {
        #![doc = #module_doc]
        #imports
    })?;
    let defs: Vec<&TypeDef> = api.types.values().collect();
    let body = format_parallel("types", &defs, |def| {
        let validate = def.input.then(|| validate_impl(api, def));
        let def = type_def(api, def);
        quote!(#def #validate)
    })?;
    Ok(assemble(header, &[head, body]))
}

/// What a module needs imported.
#[derive(Default)]
struct Used {
    any: bool,
    map: bool,
    expandable: bool,
    list: bool,
    nullable: bool,
    or_empty: bool,
    enums: bool,
    /// Any type that derives serde's traits.
    derives: bool,
    /// Request types, which implement `Validate`.
    inputs: bool,
    /// An enum among the request types.
    input_enums: bool,
    /// A field with bounds among the request types.
    bounds: bool,
    /// A file part among the request types.
    file: bool,
}

impl Used {
    fn of(api: &Api) -> Used {
        let mut used = Used { any: !api.types.is_empty(), ..Used::default() };
        for def in api.types.values() {
            used.derives |= matches!(def.kind, TypeKind::Struct(_) | TypeKind::Union(_) | TypeKind::Newtype(_));
            if def.input && !matches!(def.kind, TypeKind::Alias(_)) {
                used.inputs = true;
                used.input_enums |= matches!(def.kind, TypeKind::Enum(_));
                if let TypeKind::Struct(st) = &def.kind {
                    used.bounds |= st.fields.iter().any(|f| field_bounds(api, f).is_some());
                }
            }
            match &def.kind {
                TypeKind::Struct(s) => {
                    for f in &s.fields {
                        used.note(&f.ty);
                        used.nullable |= f.presence() == Presence::OptionalNullable;
                    }
                    if let Some(extra) = &s.extra {
                        used.map = true;
                        used.note(&extra.value);
                    }
                }
                TypeKind::Union(u) => u.variants.iter().for_each(|v| used.note(&v.ty)),
                TypeKind::Alias(t) | TypeKind::Newtype(t) => used.note(t),
                TypeKind::Enum(_) => used.enums = true,
            }
        }
        used
    }

    fn note(&mut self, t: &TypeRef) {
        match t {
            TypeRef::Map(i) => {
                self.map = true;
                self.note(i);
            }
            TypeRef::Expandable(i) => {
                self.expandable = true;
                self.note(i);
            }
            TypeRef::List(i) => {
                self.list = true;
                self.note(i);
            }
            TypeRef::OrEmpty(i) => {
                self.or_empty = true;
                self.note(i);
            }
            TypeRef::Vec(i) | TypeRef::Option(i) | TypeRef::Box(i) => self.note(i),
            TypeRef::Tuple(items) => items.iter().for_each(|i| self.note(i)),
            TypeRef::File => self.file = true,
            _ => {}
        }
    }

    fn imports(&self) -> TokenStream {
        if !self.any {
            return TokenStream::new();
        }
        let wanted = [
            self.expandable,
            self.list,
            self.nullable,
            self.or_empty,
            self.enums,
            self.enums,
            self.inputs,
            self.inputs,
            self.inputs,
            self.bounds,
            self.input_enums,
            self.file,
        ];
        let runtime: Vec<_> =
            RUNTIME_IMPORTS.iter().zip(wanted).filter(|(_, on)| *on).map(|(name, _)| format_ident!("{}", name)).collect();
        let [map, deserialize, serialize] = STD_IMPORTS.map(|name| format_ident!("{}", name));
        let map = self.map.then(|| quote!(use std::collections::#map;));
        let serde = self.derives.then(|| quote!(use serde::{#deserialize, #serialize};));
        let runtime = (!runtime.is_empty()).then(|| quote!(use super::runtime::{#(#runtime),*};));
        quote! {
            #map
            #serde
            #runtime
        }
    }
}

/// What the types module imports from `std` and `serde`.
const STD_IMPORTS: [&str; 3] = ["BTreeMap", "Deserialize", "Serialize"];

/// What the types module imports from the generated `runtime`, each when
/// a type needs it ([`Used::imports`], in this order).
const RUNTIME_IMPORTS: [&str; 12] = [
    "Expandable",
    "List",
    "Nullable",
    "OrEmpty",
    "StrEnumVisitor",
    "str_enum",
    "Validate",
    "ParamPath",
    "Invalid",
    "Bounds",
    "not_one_of",
    "File",
];

/// The type, trait and constructor names of the standard prelude (edition
/// 2024), which the types module's code and every `use types::*` of a
/// downstream crate rely on: a type of that name would shadow them.
const PRELUDE: [&str; 42] = [
    "AsMut", "AsRef", "Box", "Clone", "Copy", "Debug", "Default", "DoubleEndedIterator", "Drop", "Eq", "Err",
    "ExactSizeIterator", "Extend", "Fn", "FnMut", "FnOnce", "From", "FromIterator", "Future", "Hash", "Into",
    "IntoFuture", "IntoIterator", "Iterator", "None", "Ok", "Option", "Ord", "PartialEq", "PartialOrd", "Result",
    "Send", "Sized", "Some", "String", "Sync", "ToOwned", "ToString", "TryFrom", "TryInto", "Unpin", "Vec",
];

/// Every name in scope in the types module besides the types it defines:
/// what it imports and what it takes from the prelude. A schema may not
/// be named one of them (the IR builder gives it a suffix). Derived from
/// the lists the imports are written from, so it cannot go stale; a test
/// parses every generated types module for names it uses unqualified.
pub fn reserved_type_names() -> impl Iterator<Item = &'static str> {
    STD_IMPORTS.into_iter().chain(RUNTIME_IMPORTS).chain(PRELUDE)
}

/// What a value of `t` is, in the words of the wire (never Rust's), for a
/// request type's `#[serde(expecting = ...)]` and so for the errors a server
/// answers with: `an object with any of `price`, `quantity``.
fn describe(api: &Api, t: &TypeRef, outer: bool) -> String {
    match t {
        TypeRef::String => "a string".into(),
        TypeRef::Bool => "a boolean".into(),
        TypeRef::I32 | TypeRef::I64 => "an integer".into(),
        TypeRef::F64 => "a number".into(),
        TypeRef::Json => "any value".into(),
        TypeRef::File => "a file".into(),
        TypeRef::Vec(_) => "an array".into(),
        TypeRef::Tuple(items) => format!("an array of {} items", items.len()),
        TypeRef::Map(_) => "an object".into(),
        TypeRef::List(_) => "a list object".into(),
        TypeRef::Option(inner) | TypeRef::Box(inner) => describe(api, inner, outer),
        TypeRef::OrEmpty(inner) => format!("{} or an empty string", describe(api, inner, false)),
        TypeRef::Expandable(inner) => format!("an ID or {}", describe(api, inner, false)),
        TypeRef::Named(name) => match api.types.get(name).map(|d| &d.kind) {
            Some(TypeKind::Struct(s)) if outer => describe_struct(s),
            Some(TypeKind::Struct(_)) => "an object".into(),
            Some(TypeKind::Enum(e)) => {
                let values: Vec<String> = e.variants.iter().take(8).map(|v| format!("`{}`", v.wire)).collect();
                let more = if e.variants.len() > 8 { ", ..." } else { "" };
                format!("one of {}{more}", values.join(", "))
            }
            Some(TypeKind::Union(u)) if outer => {
                let forms: Vec<String> = u.variants.iter().map(|v| describe(api, &v.ty, false)).collect();
                forms.join(" or ")
            }
            Some(TypeKind::Union(_)) => "a value of one of several forms".into(),
            Some(TypeKind::Alias(inner) | TypeKind::Newtype(inner)) => describe(api, inner, outer),
            None => "a value".into(),
        },
    }
}

/// An object by its fields: the required ones, or (with none) the first
/// few it may have.
fn describe_struct(s: &Struct) -> String {
    let listed = |names: Vec<&str>| {
        let shown: Vec<String> = names.iter().take(8).map(|n| format!("`{n}`")).collect();
        let more = if names.len() > 8 { ", ..." } else { "" };
        format!("{}{more}", shown.join(", "))
    };
    let required: Vec<&str> = s.fields.iter().filter(|f| f.required).map(|f| f.wire.as_str()).collect();
    if !required.is_empty() {
        return format!("an object with {}", listed(required));
    }
    if s.fields.is_empty() {
        return "an object".into();
    }
    format!("an object with any of {}", listed(s.fields.iter().map(|f| f.wire.as_str()).collect()))
}

fn type_def(api: &Api, def: &TypeDef) -> TokenStream {
    match &def.kind {
        TypeKind::Struct(s) => struct_def(api, def, s),
        TypeKind::Enum(e) => enum_def(def, e),
        TypeKind::Union(u) => union_def(api, def, u),
        TypeKind::Alias(t) => {
            let docs = doc(&def.doc);
            let name = ident(&def.name);
            let t = rust_type(t);
            quote! {
                #docs
                pub type #name = #t;
            }
        }
        TypeKind::Newtype(t) => {
            let docs = doc(&def.doc);
            let name = ident(&def.name);
            let t = rust_type(t);
            quote! {
                #docs
                #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
                #[serde(transparent)]
                pub struct #name(pub #t);
            }
        }
    }
}

/// The field's full Rust type, with its optional/nullable wrapper.
fn field_type(f: &Field) -> TokenStream {
    let t = rust_type(&f.ty);
    match f.presence() {
        Presence::Required => t,
        Presence::RequiredNullable | Presence::Optional => quote!(Option<#t>),
        Presence::OptionalNullable => quote!(Nullable<#t>),
    }
}

fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

fn struct_def(api: &Api, def: &TypeDef, s: &Struct) -> TokenStream {
    let docs = doc(&def.doc);
    // What a request type says it expects is what a server's error says.
    let expecting = def.input.then(|| {
        let text = describe(api, &TypeRef::Named(def.name.clone()), true);
        quote!(#[serde(expecting = #text)])
    });
    let name = ident(&def.name);
    let no_required = s.fields.iter().all(|f| !f.required);
    let default = no_required.then(|| quote!(Default,));
    let fields = s.fields.iter().map(|f| {
        let docs = doc(&f.doc);
        let field = ident(&f.ident);
        let ty = field_type(f);
        let mut serde = Vec::new();
        if unraw(&f.ident) != f.wire {
            let wire = &f.wire;
            serde.push(quote!(rename = #wire));
        }
        match f.presence() {
            // A form's empty value must reach `OrEmpty`, not `Option`.
            Presence::Optional if matches!(f.ty, TypeRef::OrEmpty(_)) => serde.push(quote!(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "super::runtime::some_or_empty"
            )),
            // In a request, `null` is no value where the schema does not allow it.
            Presence::Optional if def.input && !matches!(f.ty, TypeRef::Json) => {
                serde.push(quote!(default, skip_serializing_if = "Option::is_none", deserialize_with = "super::runtime::present"))
            }
            Presence::Optional => serde.push(quote!(default, skip_serializing_if = "Option::is_none")),
            Presence::OptionalNullable => serde.push(quote!(default, skip_serializing_if = "Nullable::is_absent")),
            Presence::Required | Presence::RequiredNullable => {}
        }
        let serde = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
        quote! {
            #docs
            #serde
            pub #field: #ty,
        }
    });
    let extra = s.extra.as_ref().map(|e| {
        let field = ident(&e.ident);
        let value = rust_type(&e.value);
        quote! {
            /// Properties not named above.
            #[serde(flatten)]
            pub #field: BTreeMap<String, #value>,
        }
    });
    let builder = def.input.then(|| builder(def, s));
    // A request type is built with `new` and its setters, so it can be
    // `#[non_exhaustive]`: a property the spec adds is then a minor change
    // of the crate, not a major one (struct literals outside it would break).
    let non_exhaustive = def.input.then(|| quote!(#[non_exhaustive]));
    quote! {
        #docs
        #[derive(Clone, Debug, #default PartialEq, Serialize, Deserialize)]
        #expecting
        #non_exhaustive
        pub struct #name {
            #(#fields)*
            #extra
        }
        #builder
    }
}

/// `new(required...)` (when there are required fields) and a setter per
/// optional field.
fn builder(def: &TypeDef, s: &Struct) -> Option<TokenStream> {
    let name = ident(&def.name);
    let required: Vec<&Field> = s.fields.iter().filter(|f| f.required).collect();
    let constructor = (!required.is_empty()).then(|| {
        let args = required.iter().map(|f| {
            let arg = ident(&f.ident);
            let ty = match f.presence() {
                Presence::RequiredNullable => field_type(f),
                _ => setter_arg(f),
            };
            quote!(#arg: #ty)
        });
        let inits = s.fields.iter().map(|f| {
            let field = ident(&f.ident);
            if f.presence() == Presence::RequiredNullable {
                quote!(#field)
            } else if f.required {
                match &f.ty {
                    TypeRef::String | TypeRef::Box(_) => {
                        let value = setter_value(f, quote!(#field));
                        quote!(#field: #value)
                    }
                    _ => quote!(#field),
                }
            } else {
                quote!(#field: Default::default())
            }
        });
        let extra = s.extra.as_ref().map(|e| {
            let field = ident(&e.ident);
            quote!(#field: BTreeMap::new(),)
        });
        let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        quote! {
            /// Creates a value from its required fields; the optional ones start unset.
            #allow
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits,)* #extra }
            }
        }
    });
    let setters: Vec<TokenStream> = s
        .fields
        .iter()
        .filter(|f| !f.required)
        .map(|f| {
            let field = ident(&f.ident);
            let ty = setter_arg(f);
            let value = setter_value(f, quote!(value));
            let wrapped = match f.presence() {
                Presence::OptionalNullable => quote!(Nullable::Value(#value)),
                _ => quote!(Some(#value)),
            };
            let text = format!(" Sets `{}`.", f.wire);
            let allow = TRAIT_METHOD_NAMES
                .contains(&unraw(&f.ident))
                .then(|| quote!(#[allow(clippy::should_implement_trait)]));
            quote! {
                #[doc = #text]
                #allow
                pub fn #field(mut self, value: #ty) -> Self {
                    self.#field = #wrapped;
                    self
                }
            }
        })
        .collect();
    if constructor.is_none() && setters.is_empty() {
        return None;
    }
    Some(quote! {
        impl #name {
            #constructor
            #(#setters)*
        }
    })
}

/// Setters take `impl Into<String>` for strings and the unboxed type for boxes.
fn setter_arg(f: &Field) -> TokenStream {
    match &f.ty {
        TypeRef::String => quote!(impl Into<String>),
        TypeRef::Box(inner) => rust_type(inner),
        other => rust_type(other),
    }
}

fn setter_value(f: &Field, value: TokenStream) -> TokenStream {
    match &f.ty {
        TypeRef::String => quote!(#value.into()),
        TypeRef::Box(_) => quote!(Box::new(#value)),
        _ => value,
    }
}

fn enum_def(def: &TypeDef, e: &StrEnum) -> TokenStream {
    let docs = doc(&def.doc);
    let name = ident(&def.name);
    let unknown = ident(&e.unknown);
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.ident)).collect();
    let wires: Vec<&str> = e.variants.iter().map(|v| v.wire.as_str()).collect();
    let variant_docs = wires.iter().map(|w| if w.is_empty() { " The empty string.".to_owned() } else { format!(" `{w}`") });
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#[doc = #variant_docs] #variants,)*
            /// A value this version of the spec does not know.
            #unknown(String),
        }

        impl #name {
            /// The value as it is written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #wires,)*
                    Self::#unknown(value) => value,
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#variants,)*
                    other => Self::#unknown(other.to_owned()),
                }
            }
        }

        str_enum!(#name);
    }
}

/// The property names a union variant's struct knows; `None` when it is
/// not a struct, or keeps every property (a flattened map).
fn struct_keys<'a>(api: &'a Api, ty: &TypeRef) -> Option<Vec<&'a str>> {
    let mut ty = ty;
    for _ in 0..16 {
        match ty {
            TypeRef::Box(inner) => ty = inner,
            TypeRef::Named(name) => match &api.types.get(name)?.kind {
                TypeKind::Alias(inner) | TypeKind::Newtype(inner) => ty = inner,
                TypeKind::Struct(s) if s.extra.is_none() => return Some(s.fields.iter().map(|f| f.wire.as_str()).collect()),
                _ => return None,
            },
            _ => return None,
        }
    }
    None
}

fn union_def(api: &Api, def: &TypeDef, u: &Union) -> TokenStream {
    let docs = doc(&def.doc);
    let name = ident(&def.name);
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.ident);
        let ty = rust_type(&v.ty);
        quote!(#variant(#ty),)
    });
    // An object may fit several alternatives: those with constant
    // properties are read by them first, then the alternative that knows
    // most of its properties wins. Request types keep serde's untagged
    // reading (their forms deserialize field by field, not through JSON).
    let keys: Vec<Option<Vec<&str>>> = u.variants.iter().map(|v| struct_keys(api, &v.ty)).collect();
    let structs = keys.iter().filter(|k| k.is_some()).count();
    let ambiguous = structs >= 2 || u.variants.iter().any(|v| !v.constants.is_empty());
    if def.input || !ambiguous {
        // serde reports an untagged union that nothing matched with its
        // `expecting` text alone, so the text is the whole sentence.
        let expecting = def.input.then(|| {
            let text = format!("must be {}", describe(api, &TypeRef::Named(def.name.clone()), true));
            quote!(, expecting = #text)
        });
        return quote! {
            #docs
            #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
            #[serde(untagged #expecting)]
            pub enum #name {
                #(#variants)*
            }
        };
    }
    let mut by_constants: Vec<&UnionVariant> = u.variants.iter().filter(|v| !v.constants.is_empty()).collect();
    by_constants.sort_by_key(|v| std::cmp::Reverse(v.constants.len()));
    let first = by_constants.iter().map(|v| {
        let variant = ident(&v.ident);
        let ty = rust_type(&v.ty);
        let message = format!("as `{}`: {{e}}", v.ident);
        let holds = v.constants.iter().map(|(key, constant)| match constant {
            Constant::String(s) => quote!(value.get(#key).and_then(serde_json::Value::as_str) == Some(#s)),
            Constant::Bool(b) => quote!(value.get(#key).and_then(serde_json::Value::as_bool) == Some(#b)),
            Constant::Integer(i) => quote!(value.get(#key).and_then(serde_json::Value::as_i64) == Some(#i)),
        });
        quote! {
            if #(#holds)&&* {
                match <#ty as Deserialize>::deserialize(&value) {
                    Ok(v) => return Ok(#name::#variant(v)),
                    Err(e) => first_error = first_error.or(Some(format!(#message))),
                }
            }
        }
    });
    let rest = u.variants.iter().zip(&keys).map(|(v, keys)| {
        let variant = ident(&v.ident);
        let ty = rust_type(&v.ty);
        let unknown = match keys {
            Some(keys) => quote!(unknown(&[#(#keys),*])),
            None => quote!(0),
        };
        quote! {
            if let Ok(v) = <#ty as Deserialize>::deserialize(&value) {
                let unknown = #unknown;
                if unknown == 0 {
                    return Ok(#name::#variant(v));
                }
                if best.as_ref().is_none_or(|(fewest, _)| unknown < *fewest) {
                    best = Some((unknown, #name::#variant(v)));
                }
            }
        }
    });
    // Counting unknown keys needs a variant whose keys are all known.
    let counting = keys.iter().any(Option::is_some).then(|| {
        quote!(let unknown = |known: &[&str]| value.as_object().map_or(0, |m| m.keys().filter(|k| !known.contains(&k.as_str())).count());)
    });
    let none = format!("data did not match any variant of `{}`", def.name);
    let (errors, failure) = if by_constants.is_empty() {
        (quote!(), quote!(Err(serde::de::Error::custom(#none))))
    } else {
        (
            quote!(let mut first_error: Option<String> = None;),
            quote!(Err(serde::de::Error::custom(first_error.unwrap_or_else(|| #none.to_owned())))),
        )
    };
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
        }

        /// Reads an object as the alternative whose constant properties it
        /// carries (most constants first); otherwise as the first alternative
        /// that reads it and knows the most of its properties.
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                #errors
                #(#first)*
                #counting
                let mut best: Option<(usize, Self)> = None;
                #(#rest)*
                if let Some((_, v)) = best {
                    return Ok(v);
                }
                #failure
            }
        }
    }
}

/// The bounds check of a request field, if its schema bounds it.
fn field_bounds(api: &Api, f: &Field) -> Option<TokenStream> {
    let wire = &f.wire;
    let field = ident(&f.ident);
    Some(match bounds_check(api, &f.ty, &f.constraints, quote!(Bounds))? {
        BoundsCheck::Bounded(b) => quote!(at.bounded(#wire, &self.#field, #b, errors);),
        BoundsCheck::Counted(b) => quote!(at.counted(#wire, &self.#field, #b, errors);),
    })
}

/// Whether a value of this type can break a rule: it holds an enum, a
/// struct or a union (through aliases); plain scalars and JSON cannot.
fn needs_validation(api: &Api, t: &TypeRef) -> bool {
    match t {
        TypeRef::Named(name) => match api.types.get(name).map(|d| &d.kind) {
            Some(TypeKind::Alias(target)) => needs_validation(api, target),
            Some(_) => true,
            None => false,
        },
        TypeRef::Vec(i) | TypeRef::Map(i) | TypeRef::Option(i) | TypeRef::OrEmpty(i) | TypeRef::Box(i) | TypeRef::Expandable(i) => {
            needs_validation(api, i)
        }
        _ => false,
    }
}

/// `impl Validate` for a request type.
fn validate_impl(api: &Api, def: &TypeDef) -> TokenStream {
    let name = ident(&def.name);
    let body = match &def.kind {
        TypeKind::Struct(s) => {
            let checks = s.fields.iter().map(|f| {
                let field = ident(&f.ident);
                let wire = &f.wire;
                let nested = needs_validation(api, &f.ty).then(|| quote!(at.field(#wire, &self.#field, errors);));
                let bounds = field_bounds(api, f);
                quote!(#nested #bounds)
            });
            let extra = s.extra.as_ref().filter(|e| needs_validation(api, &e.value)).map(|e| {
                let field = ident(&e.ident);
                quote! {
                    for (key, value) in &self.#field {
                        at.at(key, |at| value.validate(at, errors));
                    }
                }
            });
            quote!(#(#checks)* #extra)
        }
        TypeKind::Enum(e) => {
            let unknown = ident(&e.unknown);
            let wires = e.variants.iter().map(|v| v.wire.as_str());
            quote! {
                if let Self::#unknown(value) = self {
                    not_one_of(value, &[#(#wires),*], at, errors);
                }
            }
        }
        TypeKind::Union(u) => {
            // Each alternative is checked where the union is: what it holds
            // (a struct, an enum), and its own bounds (a bare integer's
            // `minimum`, a string's `maxLength`).
            let checks: Vec<Option<TokenStream>> = u
                .variants
                .iter()
                .map(|v| {
                    let nested = needs_validation(api, &v.ty).then(|| quote!(value.validate(at, errors);));
                    let bounds = bounds_check(api, &v.ty, &v.constraints, quote!(Bounds)).map(|check| match check {
                        BoundsCheck::Bounded(b) => quote!(at.bounded_here(value, #b, errors);),
                        BoundsCheck::Counted(b) => quote!(at.counted_here(value, #b, errors);),
                    });
                    (nested.is_some() || bounds.is_some()).then(|| quote!(#nested #bounds))
                })
                .collect();
            // Alternatives that cannot break a rule (plain scalars) need no match.
            if checks.iter().all(Option::is_none) {
                TokenStream::new()
            } else {
                let arms = u.variants.iter().zip(checks).map(|(v, check)| {
                    let variant = ident(&v.ident);
                    match check {
                        Some(check) => quote!(Self::#variant(value) => { #check }),
                        None => quote!(Self::#variant(_) => {}),
                    }
                });
                quote!(match self { #(#arms)* })
            }
        }
        TypeKind::Newtype(t) => {
            if needs_validation(api, t) {
                quote!(self.0.validate(at, errors);)
            } else {
                TokenStream::new()
            }
        }
        TypeKind::Alias(_) => return TokenStream::new(),
    };
    let unused = body.is_empty().then(|| quote!(let _ = (at, errors);));
    quote! {
        impl Validate for #name {
            fn validate(&self, at: &mut ParamPath, errors: &mut Vec<Invalid>) {
                #unused
                #body
            }
        }
    }
}
