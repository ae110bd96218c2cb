//! What a spec change does to the generated Rust API, by the rules of
//! Rust's semver (the Cargo book's "SemVer compatibility" chapter):
//!
//! - a public item removed or renamed, a field's type changed, a variant
//!   removed: major;
//! - a field added to a struct whose fields are all public: major (struct
//!   literals outside the crate stop compiling); an optional field added to
//!   a request type, which is `#[non_exhaustive]` and built with `new` and
//!   setters: minor;
//! - a variant added to an enum that is not `#[non_exhaustive]`: major
//!   (matches without a wildcard stop compiling);
//! - a method added to the server trait: major (every implementation must
//!   add it); a client method or a type added: minor;
//! - a security scheme's constant removed: major; added: minor; how its
//!   credential travels, or what an operation requires: patch (the
//!   constants keep their names and types; the wire diff reports the rest);
//! - documentation or the checks a router makes (bounds, patterns): patch.
//!
//! Response types are exhaustive (servers and test doubles build them with
//! struct literals), so a property added to a response is major for the
//! crate; the README says why.

use std::collections::BTreeMap;

use openapi_codegen::ir::{Api, Field, MediaKind, Operation, Presence, TypeDef, TypeKind, TypeRef};

use super::{Bump, RustChange};

/// A Rust type as the generated code writes it.
pub fn shown(t: &TypeRef) -> String {
    match t {
        TypeRef::String => "String".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::Json => "serde_json::Value".into(),
        TypeRef::File => "File".into(),
        TypeRef::Named(n) => n.clone(),
        TypeRef::Vec(i) => format!("Vec<{}>", shown(i)),
        TypeRef::Map(i) => format!("BTreeMap<String, {}>", shown(i)),
        TypeRef::Option(i) => format!("Option<{}>", shown(i)),
        TypeRef::Expandable(i) => format!("Expandable<{}>", shown(i)),
        TypeRef::OrEmpty(i) => format!("OrEmpty<{}>", shown(i)),
        TypeRef::List(i) => format!("List<{}>", shown(i)),
        TypeRef::Box(i) => format!("Box<{}>", shown(i)),
        TypeRef::Tuple(items) => format!("({},)", items.iter().map(shown).collect::<Vec<_>>().join(", ")),
    }
}

/// A field's Rust type, with its presence.
fn field_type(f: &Field) -> String {
    let inner = shown(&f.ty);
    match f.presence() {
        Presence::Required => inner,
        Presence::RequiredNullable | Presence::Optional => format!("Option<{inner}>"),
        Presence::OptionalNullable => format!("Nullable<{inner}>"),
    }
}

/// The shape of a type, names and docs aside: equal shapes under different
/// names are a rename.
fn shape(t: &TypeDef) -> String {
    match &t.kind {
        TypeKind::Struct(s) => {
            let fields: Vec<String> = s.fields.iter().map(|f| format!("{}:{}", f.wire, field_type(f))).collect();
            format!("struct {{{}}}", fields.join(","))
        }
        TypeKind::Enum(e) => format!("enum {:?}", e.variants.iter().map(|v| &v.wire).collect::<Vec<_>>()),
        TypeKind::Union(u) => format!("union {:?}", u.variants.iter().map(|v| shown(&v.ty)).collect::<Vec<_>>()),
        TypeKind::Alias(r) => format!("alias {}", shown(r)),
        TypeKind::Newtype(r) => format!("newtype {}", shown(r)),
    }
}

fn change(out: &mut Vec<RustChange>, bump: Bump, item: String, message: impl Into<String>) {
    out.push(RustChange { bump, item, message: message.into() });
}

/// Every change of the generated API from `old` to `new`.
pub fn compare(old: &Api, new: &Api) -> Vec<RustChange> {
    let mut out = Vec::new();
    types(old, new, &mut out);
    operations(old, new, &mut out);
    security(old, new, &mut out);
    let events = |api: &Api| api.events.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
    let (oe, ne) = (events(old), events(new));
    for gone in oe.iter().filter(|e| !ne.contains(e)) {
        change(&mut out, Bump::Major, format!("webhooks::Event::{gone}"), "the event is removed");
    }
    for added in ne.iter().filter(|e| !oe.contains(e)) {
        change(&mut out, Bump::Major, format!("webhooks::Event::{added}"), "a variant added to the event enum, which is exhaustive");
    }
    if (old.title != new.title || old.version != new.version || old.doc != new.doc) && out.is_empty() {
        change(&mut out, Bump::Patch, "crate".into(), "the API's title, version or description changes (documentation)");
    }
    out
}

fn types(old: &Api, new: &Api, out: &mut Vec<RustChange>) {
    let added: Vec<&TypeDef> = new.types.values().filter(|t| !old.types.contains_key(&t.name)).collect();
    let mut renamed_to: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, def) in &old.types {
        let Some(now) = new.types.get(name) else {
            let target = added.iter().find(|a| shape(a) == shape(def) && !renamed_to.values().any(|v| *v == a.name));
            match target {
                Some(to) => {
                    renamed_to.insert(name, &to.name);
                    change(out, Bump::Major, format!("types::{name}"), format!("renamed to `{}` (same shape)", to.name));
                }
                None => change(out, Bump::Major, format!("types::{name}"), "the type is removed"),
            }
            continue;
        };
        type_def(def, now, out);
    }
    for def in added {
        if !renamed_to.values().any(|v| *v == def.name) {
            change(out, Bump::Minor, format!("types::{}", def.name), "a new type");
        }
    }
}

fn type_def(old: &TypeDef, new: &TypeDef, out: &mut Vec<RustChange>) {
    let name = &old.name;
    let before = out.len();
    match (&old.kind, &new.kind) {
        (TypeKind::Struct(o), TypeKind::Struct(n)) => {
            for f in &o.fields {
                match n.fields.iter().find(|g| g.ident == f.ident) {
                    None => change(out, Bump::Major, format!("types::{name}::{}", f.ident), "the field is removed"),
                    Some(g) if field_type(f) != field_type(g) => {
                        change(out, Bump::Major, format!("types::{name}::{}", f.ident), format!("the field's type changes from `{}` to `{}`", field_type(f), field_type(g)))
                    }
                    Some(g) if f.constraints != g.constraints => {
                        change(out, Bump::Patch, format!("types::{name}::{}", f.ident), "the checks of the field change (bounds, pattern)")
                    }
                    Some(g) if f.doc != g.doc => change(out, Bump::Patch, format!("types::{name}::{}", f.ident), "documentation"),
                    Some(_) => {}
                }
            }
            for g in n.fields.iter().filter(|g| !o.fields.iter().any(|f| f.ident == g.ident)) {
                // A request type is `#[non_exhaustive]` (built with `new` and
                // setters): an optional field is an addition; a required one
                // changes `new`.
                let (bump, why) = match (new.input, g.required) {
                    (true, false) => (Bump::Minor, "the struct is `#[non_exhaustive]`, built with `new` and setters"),
                    (true, true) => (Bump::Major, "a required field: `new` takes it"),
                    (false, _) => (Bump::Major, "the struct's fields are all public, so struct literals outside the crate must name it"),
                };
                change(out, bump, format!("types::{name}::{}", g.ident), format!("a field added (`{}`): {why}", field_type(g)));
            }
            if old.input != new.input {
                change(out, Bump::Major, format!("types::{name}"), "the type moves between request and response use (`#[non_exhaustive]` and its setters change)");
            }
            if o.extra.is_some() != n.extra.is_some() {
                change(out, Bump::Major, format!("types::{name}"), "the map of additional properties is added or removed");
            }
        }
        (TypeKind::Enum(o), TypeKind::Enum(n)) => {
            for v in &o.variants {
                if !n.variants.iter().any(|w| w.ident == v.ident) {
                    change(out, Bump::Major, format!("types::{name}::{}", v.ident), format!("the variant for `{}` is removed", v.wire));
                }
            }
            for w in n.variants.iter().filter(|w| !o.variants.iter().any(|v| v.ident == w.ident)) {
                change(
                    out,
                    Bump::Major,
                    format!("types::{name}::{}", w.ident),
                    format!("a variant added for `{}`: the enum is exhaustive, so matches without a wildcard must name it (until then the value reads as `{}`)", w.wire, n.unknown),
                );
            }
        }
        (TypeKind::Union(o), TypeKind::Union(n)) => {
            let (ov, nv): (Vec<String>, Vec<String>) = (o.variants.iter().map(|v| format!("{}({})", v.ident, shown(&v.ty))).collect(), n.variants.iter().map(|v| format!("{}({})", v.ident, shown(&v.ty))).collect());
            if ov != nv {
                change(out, Bump::Major, format!("types::{name}"), format!("the union's variants change from {ov:?} to {nv:?}"));
            }
        }
        (TypeKind::Alias(o), TypeKind::Alias(n)) | (TypeKind::Newtype(o), TypeKind::Newtype(n)) => {
            if o != n {
                change(out, Bump::Major, format!("types::{name}"), format!("now stands for `{}`, not `{}`", shown(n), shown(o)));
            }
        }
        _ => change(out, Bump::Major, format!("types::{name}"), format!("changes kind: {} becomes {}", kind(&old.kind), kind(&new.kind))),
    }
    if out.len() == before && old.doc != new.doc {
        change(out, Bump::Patch, format!("types::{name}"), "documentation");
    }
}

fn kind(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct(_) => "a struct",
        TypeKind::Enum(_) => "an enum",
        TypeKind::Union(_) => "a union",
        TypeKind::Alias(_) => "an alias",
        TypeKind::Newtype(_) => "a newtype",
    }
}

/// What a client method reads a success as, by its media kind.
fn reads(kind: Option<MediaKind>, ty: Option<&TypeRef>) -> String {
    let of = |fallback: &str| ty.map(shown).unwrap_or_else(|| fallback.to_owned());
    match kind {
        None => "()".into(),
        Some(MediaKind::Json) => of("serde_json::Value"),
        Some(MediaKind::Text) => "String".into(),
        Some(MediaKind::EventStream) => format!("EventStream<{}>", of("String")),
        Some(MediaKind::JsonLines) => format!("JsonLines<{}>", of("serde_json::Value")),
        Some(MediaKind::Binary | MediaKind::Form | MediaKind::Multipart) => "Download".into(),
    }
}

fn signature(op: &Operation) -> String {
    // Argument names are not part of a Rust API: only their types.
    let path: Vec<String> = op.path_params.iter().map(|p| shown(&p.ty)).collect();
    let success = op.success().map_or_else(|| "()".into(), |r| reads(r.kind, r.ty.as_ref()));
    let mut args = path;
    if let Some(params) = &op.params {
        args.push(params.clone());
    }
    match &op.body {
        Some(body) if matches!(body.kind, MediaKind::Binary | MediaKind::EventStream) => args.push("Upload".into()),
        Some(body) if body.kind == MediaKind::JsonLines => {
            args.push(format!("Stream<{}>", body.ty.as_ref().map(shown).unwrap_or_else(|| "serde_json::Value".into())));
        }
        Some(body) if op.params.is_none() => args.push(body.ty.as_ref().map(shown).unwrap_or_else(|| "serde_json::Value".into())),
        _ => {}
    }
    format!("({}) -> {success}", args.join(", "))
}

/// Whether a parameter both operations have goes differently on the wire
/// (its name there, its place, its style).
fn wire_form_changed(old: &Operation, new: &Operation) -> bool {
    let form = |f: &openapi_codegen::ir::ParamField| format!("{}:{:?}:{:?}:{}", f.wire, f.location, f.style, f.explode);
    old.param_fields.iter().any(|f| new.param_fields.iter().find(|g| g.ident == f.ident).is_some_and(|g| form(f) != form(g)))
}

fn operations(old: &Api, new: &Api, out: &mut Vec<RustChange>) {
    for op in &old.operations {
        match new.operations.iter().find(|o| o.ident == op.ident) {
            None => {
                change(out, Bump::Major, format!("client::Client::{}", op.ident), "the method is removed");
                change(out, Bump::Major, format!("server::{}::{}", old.service, op.ident), "the trait method is removed (implementations still define it)");
            }
            Some(now) => {
                let (a, b) = (signature(op), signature(now));
                if a != b {
                    change(out, Bump::Major, format!("client::Client::{}", op.ident), format!("the signature changes from `{a}` to `{b}`"));
                    change(out, Bump::Major, format!("server::{}::{}", old.service, op.ident), "the trait method's signature changes, as the client's");
                } else if wire_form_changed(op, now) {
                    change(out, Bump::Patch, format!("client::Client::{}", op.ident), "the client writes the request differently (a parameter's place, style or name on the wire): no API change");
                } else if op.doc != now.doc || op.summary != now.summary {
                    change(out, Bump::Patch, format!("client::Client::{}", op.ident), "documentation");
                }
            }
        }
    }
    for op in new.operations.iter().filter(|o| !old.operations.iter().any(|p| p.ident == o.ident)) {
        change(out, Bump::Minor, format!("client::Client::{}", op.ident), "a new method");
        change(out, Bump::Major, format!("server::{}::{}", new.service, op.ident), "a new trait method: every implementation must add it");
    }
}

fn security(old: &Api, new: &Api, out: &mut Vec<RustChange>) {
    for scheme in &old.security_schemes {
        let item = format!("security::{}", scheme.ident);
        match new.security_schemes.iter().find(|s| s.ident == scheme.ident) {
            None => change(out, Bump::Major, item, format!("the constant of the scheme `{}` is removed", scheme.name)),
            Some(now) if now.kind != scheme.kind => {
                change(out, Bump::Patch, item, "the scheme's credential travels differently: the constant keeps its name and type")
            }
            Some(now) if now.doc != scheme.doc => change(out, Bump::Patch, item, "documentation"),
            Some(_) => {}
        }
    }
    for scheme in new.security_schemes.iter().filter(|s| !old.security_schemes.iter().any(|o| o.ident == s.ident)) {
        change(out, Bump::Minor, format!("security::{}", scheme.ident), format!("a new constant, for the scheme `{}`", scheme.name));
    }
    for op in &old.operations {
        if let Some(now) = new.operations.iter().find(|o| o.ident == op.ident)
            && now.security != op.security
        {
            let item = format!("security::requirements::{}", op.ident.trim_start_matches("r#").to_ascii_uppercase());
            change(out, Bump::Patch, item, "what the operation requires changes: the client sends and the router asks differently, the API stays");
        }
    }
}
