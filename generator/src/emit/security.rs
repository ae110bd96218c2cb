//! The `security` module: a constant per security scheme (how its
//! credential travels) and, under `requirements`, what each operation
//! takes to call. The client sends credentials by these, the server finds
//! them by these; both read the one description.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{assemble, doc, format_items};
use crate::Error;
use crate::ir::{Api, KeyPlace, Operation, SchemeKind};

/// The name of an operation's requirement constant in `security::requirements`.
pub(crate) fn requirement_name(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}", op.ident.trim_start_matches("r#").to_ascii_uppercase())
}

/// `security::requirements::<OPERATION>`, as named from a sibling module.
pub(crate) fn requirement_path(op: &Operation) -> TokenStream {
    let name = requirement_name(op);
    quote!(security::requirements::#name)
}

/// What an operation takes, in words (`` `bearerAuth`, or `basicAuth` ``),
/// if anything.
pub(crate) fn requirement_text(op: &Operation) -> Option<String> {
    if op.security.is_empty() {
        return None;
    }
    let mut ways: Vec<String> = op
        .security
        .iter()
        .filter(|r| !r.schemes.is_empty())
        .map(|r| {
            let schemes: Vec<String> = r
                .schemes
                .iter()
                .map(|(name, scopes)| {
                    if scopes.is_empty() {
                        format!("`{name}`")
                    } else {
                        let scopes: Vec<String> = scopes.iter().map(|s| format!("`{s}`")).collect();
                        format!("`{name}` (scopes {})", scopes.join(", "))
                    }
                })
                .collect();
            schemes.join(" and ")
        })
        .collect();
    let optional = op.security.iter().any(|r| r.schemes.is_empty());
    if optional {
        ways.push("none".into());
    }
    Some(ways.join(", or "))
}

/// Renders the `security` module.
pub(crate) fn security(api: &Api, header: &str) -> Result<String, Error> {
    let module_doc = format!(" Security schemes of {} {} (feature `form`).", api.title, api.version);
    let schemes = api.security_schemes.iter().map(|s| {
        let ident = format_ident!("{}", s.ident);
        let name = &s.name;
        let kind = match &s.kind {
            SchemeKind::ApiKey { place, name } => {
                let place = match place {
                    KeyPlace::Header => quote!(KeyPlace::Header),
                    KeyPlace::Query => quote!(KeyPlace::Query),
                    KeyPlace::Cookie => quote!(KeyPlace::Cookie),
                };
                quote!(SchemeKind::ApiKey { place: #place, name: #name })
            }
            SchemeKind::Basic => quote!(SchemeKind::Basic),
            SchemeKind::Bearer => quote!(SchemeKind::Bearer),
            SchemeKind::Http(scheme) => quote!(SchemeKind::Http(#scheme)),
        };
        let mut lines = vec![format!("`{name}`."), String::new()];
        lines.extend(s.doc.iter().cloned());
        let docs = doc(&lines);
        quote! {
            #docs
            pub const #ident: Scheme = Scheme { name: #name, kind: #kind };
        }
    });
    let requirements = api.operations.iter().map(|op| {
        let name = requirement_name(op);
        let alternatives = op.security.iter().map(|r| {
            let needs = r.schemes.iter().filter_map(|(scheme, scopes)| {
                let ident = format_ident!("{}", api.scheme(scheme)?.ident);
                Some(if scopes.is_empty() {
                    quote!(Need::of(&#ident))
                } else {
                    quote!(Need { scheme: &#ident, scopes: &[#(#scopes),*] })
                })
            });
            quote!(&[#(#needs),*])
        });
        let text = format!(
            " `{}` (`{} {}`): {}",
            op.ident.trim_start_matches("r#"),
            op.method,
            op.path,
            requirement_text(op).map_or_else(|| "no credentials.".into(), |text| format!("{text}."))
        );
        quote! {
            #[doc = #text]
            pub const #name: Security = &[#(#alternatives),*];
        }
    });
    let any_scheme = !api.security_schemes.is_empty();
    let key_place = api.security_schemes.iter().any(|s| matches!(s.kind, SchemeKind::ApiKey { .. }));
    let mut imports = Vec::new();
    if key_place {
        imports.push(quote!(KeyPlace));
    }
    if any_scheme {
        imports.extend([quote!(Scheme), quote!(SchemeKind)]);
    }
    let imports = (!imports.is_empty()).then(|| quote!(use super::wire::{#(#imports),*};));
    let needs = api.operations.iter().any(|op| op.security.iter().any(|r| !r.schemes.is_empty()));
    let requirement_imports = if needs { quote!(use super::super::wire::{Need, Security};) } else { quote!(use super::super::wire::Security;) };
    let scheme_imports = needs.then(|| quote!(use super::*;));
    let requirements = (!api.operations.is_empty()).then(|| {
        quote! {
            /// What each operation takes to call, by the name of its method:
            /// any one of the requirements listed (each met when every scheme
            /// it names is). None: no credentials; an empty one: optional.
            pub mod requirements {
                #requirement_imports
                #scheme_imports

                #(#requirements)*
            }
        }
    });
    let module = format_items(
        "security",
        quote! {
            #![doc = #module_doc]
            #![doc = ""]
            #![doc = " How each scheme's credential travels, and what each operation takes. The"]
            #![doc = " client sends a credential set for a scheme (`ClientBuilder::credential`) on"]
            #![doc = " the operations that need it; the server finds each in a request and asks"]
            #![doc = " its `authenticate` hook."]

            #imports

            #(#schemes)*

            #requirements
        },
    )?;
    Ok(assemble(header, &[module]))
}
