//! The `schemas` module: the Rust type of each schema, by its JSON pointer
//! in the spec, for code that knows a schema only by its place (contract
//! checks that round-trip the spec's examples through the types).

use std::collections::BTreeMap;

use quote::quote;

use super::{Scope, assemble, format_items, type_in};
use crate::Error;
use crate::ir::{Api, TypeRef};

/// Every schema pointer with a type: component schemas, response and
/// request bodies, and webhook event bodies, sorted by pointer.
fn entries(api: &Api) -> BTreeMap<String, TypeRef> {
    let mut out: BTreeMap<String, TypeRef> =
        api.component_types().map(|t| (t.pointer.clone(), TypeRef::Named(t.name.clone()))).collect();
    for op in &api.operations {
        for response in &op.responses {
            if let (Some(pointer), Some(ty)) = (&response.schema, &response.ty) {
                out.insert(pointer.clone(), ty.clone());
            }
        }
        if let Some(body) = &op.body
            && let Some(ty) = &body.ty
        {
            out.insert(body.schema.clone(), ty.clone());
        }
    }
    for event in &api.events {
        out.insert(event.schema.clone(), event.envelope.clone());
    }
    out
}

/// Renders the `schemas` module.
pub(crate) fn schemas(api: &Api, header: &str) -> Result<String, Error> {
    let entries = entries(api);
    let pointers = entries.keys();
    let arms = entries.iter().map(|(pointer, ty)| {
        let ty = type_in(ty, Scope::Sibling);
        quote!(#pointer => visitor.visit::<#ty>(),)
    });
    let uses = |wanted: fn(&TypeRef) -> bool| entries.values().any(|t| t.mentions(wanted));
    let imports = match (uses(|t| matches!(t, TypeRef::Named(_))), uses(|t| matches!(t, TypeRef::Expandable(_) | TypeRef::OrEmpty(_) | TypeRef::List(_)))) {
        (true, true) => quote!(use super::{runtime, types};),
        (true, false) => quote!(use super::types;),
        (false, true) => quote!(use super::runtime;),
        (false, false) => quote!(),
    };
    // A spec without a single schema has no arm: the match would diverge.
    let body = if entries.is_empty() {
        quote!(let _ = (pointer, visitor); None)
    } else {
        quote!(Some(match pointer {
            #(#arms)*
            _ => return None,
        }))
    };
    let module_doc = format!(" The Rust type of each schema of {} {}, by its JSON pointer in the spec.", api.title, api.version);
    let code = format_items(
        "schemas",
        quote! {
            #![doc = #module_doc]
            #![doc = ""]
            #![doc = " For code that knows a schema only by its place in the spec, such as"]
            #![doc = " contract checks that round-trip the spec's examples through the types:"]
            #![doc = " component schemas, response and request bodies, and webhook event bodies."]

            #imports

            /// What to do with the Rust type of a schema.
            pub trait Visitor {
                /// What [`visit`] answers.
                type Output;

                /// Called with `T`, the type generated for the schema.
                fn visit<T: serde::Serialize + serde::de::DeserializeOwned + 'static>(self) -> Self::Output;
            }

            /// Calls `visitor` with the type generated for the schema at `pointer`, as
            /// the spec writes it (a `$ref` is not followed). A request body reads as
            /// the operation's params struct when its properties are the params'
            /// fields. `None` when no type belongs to that pointer.
            pub fn visit<V: Visitor>(pointer: &str, visitor: V) -> Option<V::Output> {
                #body
            }

            /// Every pointer [`visit`] knows, sorted.
            pub const POINTERS: &[&str] = &[#(#pointers),*];
        },
    )?;
    Ok(assemble(header, &[code]))
}
