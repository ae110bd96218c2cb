//! The `server` module: a trait with one method per operation, and an
//! axum `Router` that parses and checks requests before calling it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::client::{error_type, mentions_runtime, mentions_types};
use super::{BoundsCheck, Scope, assemble, bounds_check, format_items, ident, type_in};
use crate::Error;
use crate::ir::{Api, Location, MediaKind, Operation, TypeRef};

fn handler_name(op: &Operation) -> proc_macro2::Ident {
    format_ident!("handle_{}", op.ident.trim_start_matches("r#"))
}

/// The Rust type of a path parameter's owned value.
fn path_type(t: &TypeRef) -> TokenStream {
    type_in(t, Scope::Sibling)
}

/// Renders the `server` module.
pub(crate) fn server(api: &Api, header: &str) -> Result<String, Error> {
    let module_doc = format!(" Server stubs of {} {} (feature `server`).", api.title, api.version);
    let service = format_ident!("{}", api.service);
    let error = error_type(api);
    let runtime_used = api.error.iter().any(mentions_runtime)
        || api.operations.iter().any(|op| {
            op.success().and_then(|r| r.ty.as_ref()).is_some_and(mentions_runtime)
                || op.path_params.iter().any(|p| mentions_runtime(&p.ty) || path_bounds(api, p).is_some())
        });
    let any_op = !api.operations.is_empty();
    let mut modules = Vec::new();
    if runtime_used {
        modules.push(quote!(runtime));
    }
    if mentions_types(api) {
        modules.push(quote!(types));
    }
    let modules = (!modules.is_empty()).then(|| quote!(use super::{#(#modules),*};));
    let future = any_op.then(|| quote!(use std::future::Future;));
    let path_rejection = any_op.then(|| quote!(use axum::extract::rejection::RawPathParamsRejection;));
    let raw_path = any_op.then(|| quote!(RawPathParams,));
    let mut server_items = Vec::new();
    // What `operations` uses.
    let mut spec_items = vec![quote!(OperationSpec)];
    if api.operations.iter().any(|op| op.body.is_some()) {
        spec_items.push(quote!(BodyKind));
    }
    let replies = api.operations.iter().filter_map(reply_enum);
    if api.operations.iter().any(|op| !op.param_fields.is_empty()) {
        spec_items.push(quote!(In));
        spec_items.push(quote!(ParamSpec));
    }
    if any_op {
        server_items.push(quote!(PathParams));
    }
    server_items.extend([quote!(Rejection), quote!(RejectionKind)]);
    if any_op {
        server_items.push(quote!(RequestContext));
    }
    server_items.push(quote!(Credentials));
    let methods = api.operations.iter().map(|op| {
        let name = ident(&op.ident);
        let docs = super::operation_doc(op);
        let path_args = op.path_params.iter().map(|p| {
            let arg = ident(&p.ident);
            let t = path_type(&p.ty);
            quote!(#arg: #t,)
        });
        let params = op.params.as_ref().map(|p| {
            let p = ident(p);
            quote!(params: types::#p,)
        });
        let body = streamed_body(op).map(|(arg, ty, _)| quote!(#arg: #ty,));
        let success = answer_type(op);
        let allows = super::self_method_allows(&op.ident);
        quote! {
            #docs
            #allows
            fn #name(
                &self,
                #(#path_args)*
                #params
                #body
                context: RequestContext,
            ) -> impl Future<Output = Result<#success, Failure>> + Send;
        }
    });
    let trait_doc = format!(
        " The operations of {}: implement this trait and serve it with [`router`].",
        api.title
    );
    let head = format_items(
        "server",
        quote! {
            #![doc = #module_doc]
            #![doc = ""]
            #![doc = " [`router`] answers every request: it checks authentication with the"]
            #![doc = " implementation's hook, reads path, query, header and body parameters into"]
            #![doc = " the generated params types, refuses what the spec does not allow with the"]
            #![doc = " API's error object (400 for a missing, unknown or invalid parameter), and"]
            #![doc = " only then calls the implementation."]

            #future
            use std::sync::Arc;

            use axum::Router;
            #path_rejection
            use axum::extract::{#raw_path Request, State};
            use axum::response::Response;

            use super::http_server::{self, #(#server_items),*};
            #modules

            /// The API's error body.
            pub type ApiError = #error;

            /// An answer other than success: a status and the API's error body.
            pub type Failure = http_server::Failure<ApiError>;

            #[doc = #trait_doc]
            pub trait #service: Send + Sync + 'static {
                /// Whether `credentials` may call `operation` (its
                /// `operationId`). Asked only of operations that require
                /// credentials, once per security requirement the request
                /// carries every credential of (`credentials` holds those, each
                /// with its scheme and the scopes the requirement asks), in the
                /// spec's order, until one is accepted; when none is, the router
                /// answers 401 with a `WWW-Authenticate` challenge. Refuses
                /// everything unless implemented.
                fn authenticate(&self, operation: &str, credentials: &Credentials) -> bool {
                    let _ = (operation, credentials);
                    false
                }

                /// The API's error body for a request the router refused, before
                /// any operation ran: `rejection` says why, with which status and
                /// which parameter.
                fn rejection(&self, rejection: &Rejection) -> ApiError;

                #(#methods)*
            }
        },
    )?;
    // Routes: one per path, with a method router per operation on it.
    let mut paths: Vec<(&str, Vec<&Operation>)> = Vec::new();
    for op in &api.operations {
        match paths.iter_mut().find(|(p, _)| *p == op.path) {
            Some((_, ops)) => ops.push(op),
            None => paths.push((&op.path, vec![op])),
        }
    }
    // The methods axum routes by name; any other (OpenAPI 3.2 `query`,
    // `additionalOperations`) is told apart by the path's fallback.
    const ROUTED: [&str; 9] = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "CONNECT"];
    let mut dispatchers = Vec::new();
    let routes: Vec<TokenStream> = paths
        .iter()
        .enumerate()
        .map(|(n, (path, ops))| {
            let mut chain: Option<TokenStream> = None;
            for op in ops.iter().filter(|op| ROUTED.contains(&op.method.as_str())) {
                let method = format_ident!("{}", op.method.to_ascii_lowercase());
                let handler = handler_name(op);
                chain = Some(match chain {
                    None => quote!(axum::routing::#method(#handler::<S>)),
                    Some(chain) => quote!(#chain.#method(#handler::<S>)),
                });
            }
            let others: Vec<&&Operation> = ops.iter().filter(|op| !ROUTED.contains(&op.method.as_str())).collect();
            let mut chain = chain.unwrap_or_else(|| quote!(axum::routing::MethodRouter::new()));
            if !others.is_empty() {
                let dispatch = format_ident!("handle_other_methods_{}", n);
                let arms = others.iter().map(|op| {
                    let method = &op.method;
                    let handler = handler_name(op);
                    quote!(#method => #handler::<S>(state, path, request).await,)
                });
                let doc = format!(" The methods of `{path}` the router does not know by name.");
                dispatchers.push(quote! {
                    #[doc = #doc]
                    async fn #dispatch<S: #service>(
                        state: State<Arc<S>>,
                        path: Result<RawPathParams, RawPathParamsRejection>,
                        request: Request,
                    ) -> Response {
                        match request.method().as_str() {
                            #(#arms)*
                            _ => handle_wrong_method::<S>(state, request).await,
                        }
                    }
                });
                chain = quote!(#chain.fallback(#dispatch::<S>));
            }
            quote!(.route(#path, #chain))
        })
        .collect();
    let handlers = api.operations.iter().map(|op| handler(api, op));
    let specs = api.operations.iter().map(|op| operation_spec(api, op));
    let security_import = api.operations.iter().any(|op| !op.security.is_empty()).then(|| quote!(use super::super::security;));
    let title = &api.title;
    let operations = any_op.then(|| {
        quote! {
            /// What the router knows of each operation's requests: where each
            /// parameter travels, the body's media type, the success status and
            /// the nesting depth it allows. For code that reads requests as the
            /// router does ([`http_server::parse`]).
            pub mod operations {
                #security_import
                use super::super::http_server::{#(#spec_items),*};

                /// The protection space of every operation's `WWW-Authenticate`.
                pub const REALM: &str = #title;

                #(#specs)*
            }
        }
    });
    let body = format_items(
        "server",
        quote! {
            /// Serves `service` on `listener` until the listener fails: the
            /// [`router`], behind a guard that answers even the requests hyper
            /// cannot parse (a request line or head too large, a malformed head)
            /// with the API's error object ([`http_server::serve_connection`]).
            pub async fn serve<S: #service>(listener: tokio::net::TcpListener, service: Arc<S>) -> std::io::Result<()> {
                serve_router(listener, router(Arc::clone(&service)), service).await
            }

            /// Serves `app`, the [`router`] of `service` merged with routes of
            /// your own, as [`serve`] does.
            pub async fn serve_router<S: #service>(
                listener: tokio::net::TcpListener,
                app: Router,
                service: Arc<S>,
            ) -> std::io::Result<()> {
                http_server::serve(listener, app, move |r| service.rejection(r)).await
            }

            /// A router serving `service` (an axum `Router`). Served with
            /// `axum::serve`, requests whose head hyper cannot parse get hyper's
            /// empty answer; [`serve`] answers them with the API's error object.
            pub fn router<S: #service>(service: Arc<S>) -> Router {
                http_server::install_patterns();
                Router::new()
                    #(#routes)*
                    .fallback(handle_unknown_route::<S>)
                    .method_not_allowed_fallback(handle_wrong_method::<S>)
                    .with_state(service)
            }

            async fn handle_unknown_route<S: #service>(State(service): State<Arc<S>>, request: Request) -> Response {
                let message = format!("Unrecognized request URL (`{}`)", http_server::request_line(&request));
                http_server::refuse(RejectionKind::NotFound, message, |r| service.rejection(r))
            }

            async fn handle_wrong_method<S: #service>(State(service): State<Arc<S>>, request: Request) -> Response {
                let message = format!("The method is not allowed on this path (`{}`)", http_server::request_line(&request));
                http_server::refuse(RejectionKind::MethodNotAllowed, message, |r| service.rejection(r))
            }

            #(#dispatchers)*

            #(#replies)*

            #operations

            #(#handlers)*
        },
    )?;
    Ok(assemble(header, &[head, body]))
}

/// The bounds a path parameter is checked against, if any.
fn path_bounds(api: &Api, p: &crate::ir::PathParam) -> Option<TokenStream> {
    match bounds_check(api, &p.ty, &p.constraints, quote!(runtime::Bounds))? {
        BoundsCheck::Bounded(bounds) => Some(bounds),
        BoundsCheck::Counted(_) => None,
    }
}

/// The name of an operation's `OperationSpec` in `server::operations`.
fn spec_name(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}", op.ident.trim_start_matches("r#").to_ascii_uppercase())
}

/// `pub const <OPERATION>: OperationSpec`: what the router knows of an
/// operation's requests.
fn operation_spec(api: &Api, op: &Operation) -> TokenStream {
    let spec = spec_name(op);
    let doc = format!(" How the router reads the requests of `{}` (`{} {}`).", op.ident.trim_start_matches("r#"), op.method, op.path);
    let params_spec = op.param_fields.iter().map(|pf| {
        let wire = &pf.wire;
        let place = match pf.location {
            Location::Query => quote!(In::Query),
            Location::QueryString(kind) => {
                let how = super::client::query_as(kind);
                quote!(In::QueryString(super::super::#how))
            }
            Location::Header => quote!(In::Header),
            Location::Cookie => quote!(In::Cookie),
            Location::Body => quote!(In::Body),
            Location::WholeBody => quote!(In::WholeBody),
        };
        if pf.key == pf.wire {
            quote!(ParamSpec::new(#wire, #place))
        } else {
            let key = &pf.key;
            quote!(ParamSpec::keyed(#wire, #place, #key))
        }
    });
    let body = op.body.iter().flat_map(|b| b.media_types()).map(|(media, kind)| {
        let kind = match kind {
            MediaKind::Json => quote!(BodyKind::Json),
            MediaKind::Form => quote!(BodyKind::Form),
            MediaKind::Multipart => quote!(BodyKind::Multipart),
            MediaKind::Text => quote!(BodyKind::Text),
            MediaKind::JsonLines => quote!(BodyKind::JsonLines),
            MediaKind::Binary | MediaKind::EventStream => quote!(BodyKind::Binary),
        };
        quote!((#media, #kind))
    });
    let id = &op.id;
    let security = if op.security.is_empty() { quote!(&[]) } else { super::security::requirement_path(op) };
    let body_required = op.body.as_ref().is_some_and(|b| b.required);
    let success = proc_macro2::Literal::u16_unsuffixed(op.success_status());
    let success_body = op.success().and_then(|r| r.ty.as_ref()).is_some();
    let depth = proc_macro2::Literal::usize_unsuffixed(api.input_depth(op));
    quote! {
        #[doc = #doc]
        pub const #spec: OperationSpec = OperationSpec {
            id: #id,
            security: #security,
            realm: REALM,
            params: &[#(#params_spec),*],
            body: &[#(#body),*],
            body_required: #body_required,
            success: #success,
            success_body: #success_body,
            depth: #depth,
        };
    }
}

fn handler(api: &Api, op: &Operation) -> TokenStream {
    let service = format_ident!("{}", api.service);
    let name = ident(&op.ident);
    let handler = handler_name(op);
    let spec = spec_name(op);
    let params_type = match &op.params {
        Some(p) => {
            let p = ident(p);
            quote!(types::#p)
        }
        None => quote!(http_server::NoParams),
    };
    let read_path = op.path_params.iter().map(|p| {
        let arg = ident(&p.ident);
        let wire = &p.wire;
        let t = path_type(&p.ty);
        if let Some(bounds) = path_bounds(api, p) {
            quote!(let #arg: #t = path.bounded(#wire, #bounds)?;)
        } else {
            quote!(let #arg: #t = path.get(#wire)?;)
        }
    });
    let path_args = op.path_params.iter().map(|p| {
        let arg = ident(&p.ident);
        quote!(#arg,)
    });
    let (params_in, params_arg) = match op.params {
        Some(_) => (quote!(params), quote!(params,)),
        None => (quote!(_params), quote!()),
    };
    let path_in = if op.path_params.is_empty() { quote!(_path) } else { quote!(path) };
    let (upload_in, body_arg) = match streamed_body(op) {
        Some((_, _, make)) => (quote!(upload), quote!(#make,)),
        None => (quote!(_upload), quote!()),
    };
    let reply = reply_fn(op);
    quote! {
        async fn #handler<S: #service>(
            State(service): State<Arc<S>>,
            path: Result<RawPathParams, RawPathParamsRejection>,
            request: Request,
        ) -> Response {

            let service = &*service;
            http_server::handle(
                path,
                request,
                &operations::#spec,
                |r| service.rejection(r),
                |operation, credentials| service.authenticate(operation, credentials),
                |#params_in: #params_type, #path_in: &PathParams, context, #upload_in| {
                    #(#read_path)*
                    Ok(service.#name(#(#path_args)* #params_arg #body_arg context))
                },
                #reply,
            )
            .await
        }
    }
}

/// A body the operation is handed as it arrives: its argument, its type,
/// and the expression that makes it of the request's `upload`.
fn streamed_body(op: &Operation) -> Option<(TokenStream, TokenStream, TokenStream)> {
    let body = op.body.as_ref()?;
    match body.kind {
        MediaKind::Binary | MediaKind::EventStream => Some((quote!(body), quote!(http_server::Upload), quote!(upload))),
        MediaKind::JsonLines => {
            let item = type_in(body.ty.as_ref().unwrap_or(&TypeRef::Json), Scope::Sibling);
            Some((quote!(items), quote!(http_server::Lines<#item>), quote!(http_server::Lines::new(upload))))
        }
        _ => None,
    }
}

/// The Rust type of an answer of `kind` carrying `ty`.
fn kind_type(kind: Option<MediaKind>, ty: Option<&TypeRef>) -> TokenStream {
    let typed = |fallback: TypeRef| type_in(ty.unwrap_or(&fallback), Scope::Sibling);
    match kind {
        None => quote!(()),
        Some(MediaKind::Json) => typed(TypeRef::Json),
        Some(MediaKind::Text) => quote!(String),
        Some(MediaKind::EventStream) => {
            let t = typed(TypeRef::String);
            quote!(http_server::Events<#t>)
        }
        Some(MediaKind::JsonLines) => {
            let t = typed(TypeRef::Json);
            quote!(http_server::LineStream<#t>)
        }
        Some(MediaKind::Binary | MediaKind::Form | MediaKind::Multipart) => quote!(http_server::Download),
    }
}

/// The name of the enum an operation answers with when its success comes
/// in several kinds.
fn reply_name(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}Reply", op.type_prefix)
}

/// The variant of a reply enum for an answer of `kind` (`Json`, `Events`).
fn reply_variant(kind: MediaKind) -> proc_macro2::Ident {
    format_ident!("{}", crate::naming::type_ident(crate::build::kind_word(kind)))
}

/// What the implementation answers a success with: the type of its one
/// kind, or the operation's reply enum.
fn answer_type(op: &Operation) -> TokenStream {
    match op.success() {
        Some(success) if !success.others.is_empty() => {
            let name = reply_name(op);
            quote!(#name)
        }
        Some(success) => kind_type(success.kind, success.ty.as_ref()),
        None => quote!(()),
    }
}

/// The enum of an operation whose success comes in several kinds (JSON
/// or an event stream, say): a variant per kind.
fn reply_enum(op: &Operation) -> Option<TokenStream> {
    let success = op.success().filter(|s| !s.others.is_empty())?;
    let name = reply_name(op);
    let variants = success.kinds().map(|(kind, ty, media)| {
        let variant = reply_variant(kind);
        let t = kind_type(Some(kind), ty);
        let text = format!(" Answered as `{media}`.");
        quote!(#[doc = #text] #variant(#t),)
    });
    let text = format!(" What `{}` answers a success with: one of the media types the spec declares for it.", op.ident.trim_start_matches("r#"));
    Some(quote! {
        #[doc = #text]
        pub enum #name {
            #(#variants)*
        }
    })
}

/// The call of the runtime function that writes `value`, an answer of
/// `kind` carrying `ty`.
fn write_expr(kind: Option<MediaKind>, ty: Option<&TypeRef>, media: &str, status: &proc_macro2::Literal) -> TokenStream {
    match kind {
        None => quote!(http_server::empty(#status)),
        Some(MediaKind::Json) => quote!(http_server::json(#status, &value)),
        Some(MediaKind::Text) => quote!(http_server::text(#status, #media, value)),
        Some(MediaKind::EventStream) if ty.is_none() || ty == Some(&TypeRef::String) => {
            quote!(http_server::text_events(#status, value))
        }
        Some(MediaKind::EventStream) => quote!(http_server::events(#status, value)),
        Some(MediaKind::JsonLines) => quote!(http_server::lines(#status, #media, value)),
        Some(MediaKind::Binary | MediaKind::Form | MediaKind::Multipart) => quote!(http_server::download(#status, #media, value)),
    }
}

/// The closure that turns the implementation's success into the answer.
fn reply_fn(op: &Operation) -> TokenStream {
    let status = proc_macro2::Literal::u16_unsuffixed(op.success_status());
    let Some(success) = op.success().filter(|s| s.kind.is_some()) else { return quote!(|_: ()| http_server::empty(#status)) };
    if success.others.is_empty() {
        let media = success.media.as_deref().unwrap_or_default();
        let write = write_expr(success.kind, success.ty.as_ref(), media, &status);
        return quote!(|value| #write);
    }
    let name = reply_name(op);
    let arms = success.kinds().map(|(kind, ty, media)| {
        let variant = reply_variant(kind);
        let write = write_expr(Some(kind), ty, media, &status);
        quote!(#name::#variant(value) => #write,)
    });
    quote!(|reply: #name| match reply { #(#arms)* })
}
