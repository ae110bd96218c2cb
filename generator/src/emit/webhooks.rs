//! The `webhooks` module: an `Event` enum with a variant per event type
//! the spec declares (`x-webhooks`), each holding its typed envelope, and
//! `Unknown` holding the JSON of any other type.

use quote::{format_ident, quote};

use super::{Scope, assemble, doc, format_items, ident, type_in};
use crate::Error;
use crate::ir::Api;

/// Renders the `webhooks` module.
pub(crate) fn webhooks(api: &Api, header: &str) -> Result<String, Error> {
    let module_doc = format!(" Webhook events of {} {}.", api.title, api.version);
    let variants = api.events.iter().map(|e| {
        let mut lines = vec![format!("`{}`", e.name)];
        if !e.doc.is_empty() {
            lines.push(String::new());
            lines.extend(e.doc.iter().cloned());
        }
        let docs = doc(&lines);
        let variant = ident(&e.variant);
        let ty = type_in(&e.envelope, Scope::Sibling);
        quote!(#docs #variant(Box<#ty>),)
    });
    let names = api.events.iter().map(|e| e.name.as_str());
    let type_arms = api.events.iter().map(|e| {
        let variant = ident(&e.variant);
        let name = &e.name;
        quote!(Event::#variant(_) => #name,)
    });
    let read_arms = api.events.iter().map(|e| {
        let variant = ident(&e.variant);
        let name = &e.name;
        quote! {
            Some(#name) => serde_json::from_value(value).map(|e| Event::#variant(Box::new(e))).map_err(serde::de::Error::custom),
        }
    });
    let write_arms = api.events.iter().map(|e| {
        let variant = ident(&e.variant);
        quote!(Event::#variant(e) => e.serialize(serializer),)
    });
    // A method per payload type, answering it for every event that carries it.
    let mut methods = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for event in &api.events {
        let (Some(method), Some(payload)) = (&event.payload_method, &event.payload) else { continue };
        if done.contains(&method.as_str()) {
            continue;
        }
        done.push(method);
        let carriers: Vec<_> = api.events.iter().filter(|e| e.payload_method.as_deref() == Some(method.as_str())).collect();
        let path: Vec<_> = event.payload_path.iter().map(|f| ident(f)).collect();
        let variants = carriers.iter().map(|e| ident(&e.variant));
        let method_ident = format_ident!("{}", method);
        let ty = type_in(payload, Scope::Sibling);
        let field_path = event.payload_path.join(".");
        let mut lines = vec![format!("The object the event is about (`{field_path}`), for events of type:")];
        lines.extend(carriers.iter().map(|e| format!("- `{}`", e.name)));
        let docs = doc(&lines);
        methods.push(quote! {
            #docs
            pub fn #method_ident(&self) -> Option<&#ty> {
                match self {
                    #(Event::#variants(e))|* => Some(&e.#(#path).*),
                    _ => None,
                }
            }
        });
    }
    let uses_types = api.events.iter().any(|e| e.envelope.mentions(|t| matches!(t, crate::ir::TypeRef::Named(_))));
    let imports = uses_types.then(|| quote!(use super::types;));
    let code = format_items(
        "webhooks",
        quote! {
            #![doc = #module_doc]
            #![doc = ""]
            #![doc = " [`Event`] reads an event body by its `type`: a type the spec declares"]
            #![doc = " (`x-webhooks`) into its typed envelope, any other into `Unknown`, so that"]
            #![doc = " a new event type never breaks an old receiver. Verify the signature"]
            #![doc = " first (feature `webhooks`, module `signature`)."]

            use serde::{Deserialize, Serialize};

            #imports

            /// A webhook event, by its `type`.
            #[derive(Clone, Debug, PartialEq)]
            pub enum Event {
                #(#variants)*
                /// An event of a type this version of the spec does not know, as received.
                Unknown(serde_json::Value),
            }

            impl Event {
                /// Every event type this version knows, as sent in `type`.
                pub const TYPES: &'static [&'static str] = &[#(#names),*];

                /// The event's `type`.
                pub fn event_type(&self) -> &str {
                    match self {
                        #(#type_arms)*
                        Event::Unknown(value) => value.get("type").and_then(serde_json::Value::as_str).unwrap_or_default(),
                    }
                }

                /// Reads an event from its JSON body.
                pub fn from_slice(body: &[u8]) -> Result<Event, serde_json::Error> {
                    serde_json::from_slice(body)
                }

                #(#methods)*
            }

            impl Serialize for Event {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#write_arms)*
                        Event::Unknown(value) => value.serialize(serializer),
                    }
                }
            }

            /// A known `type` must read as its envelope; any other `type` is kept.
            impl<'de> Deserialize<'de> for Event {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = serde_json::Value::deserialize(deserializer)?;
                    let kind = value.get("type").and_then(serde_json::Value::as_str).map(str::to_owned);
                    match kind.as_deref() {
                        #(#read_arms)*
                        Some(_) => Ok(Event::Unknown(value)),
                        None => Err(serde::de::Error::custom("an event needs a string `type`")),
                    }
                }
            }
        },
    )?;
    Ok(assemble(header, &[code]))
}
