//! The `client` module: a `Client` with one async method per operation,
//! grouped by tag, plus a page-walking stream per list operation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Scope, assemble, doc, format_items, ident, type_in};
use crate::Error;
use crate::ir::{Api, Location, MediaKind, Operation, ParamField, Part, Presence, Style, TypeRef};

/// The `wire::Style` for an IR style.
pub(crate) fn style_tokens(style: Style) -> TokenStream {
    match style {
        Style::Form | Style::Simple => quote!(wire::Style::Form),
        Style::DeepObject => quote!(wire::Style::DeepObject),
        Style::SpaceDelimited => quote!(wire::Style::SpaceDelimited),
        Style::PipeDelimited => quote!(wire::Style::PipeDelimited),
    }
}

/// How an `in: querystring` parameter of `kind` is the query string
/// (`wire::QueryAs`).
pub(crate) fn query_as(kind: MediaKind) -> TokenStream {
    match kind {
        MediaKind::Form => quote!(wire::QueryAs::Form),
        MediaKind::Json => quote!(wire::QueryAs::Json),
        _ => quote!(wire::QueryAs::Text),
    }
}

/// The type of the API's error bodies, as named from a sibling module.
pub(crate) fn error_type(api: &Api) -> TokenStream {
    match &api.error {
        Some(t) => type_in(t, Scope::Sibling),
        None => quote!(serde_json::Value),
    }
}

/// Whether naming `t` from a sibling module mentions `runtime::`.
pub(crate) fn mentions_runtime(t: &TypeRef) -> bool {
    match t {
        TypeRef::Expandable(_) | TypeRef::OrEmpty(_) | TypeRef::List(_) => true,
        TypeRef::Vec(i) | TypeRef::Map(i) | TypeRef::Option(i) | TypeRef::Box(i) => mentions_runtime(i),
        _ => false,
    }
}

/// `use super::{runtime, types, wire};`, with only the modules the client uses.
fn sibling_imports(api: &Api) -> TokenStream {
    let runtime = api.error.iter().chain(api.operations.iter().flat_map(|op| {
        op.success().and_then(|r| r.ty.as_ref()).into_iter().chain(op.path_params.iter().map(|p| &p.ty))
    }))
    .any(mentions_runtime)
        || api.operations.iter().filter_map(|op| op.pagination.as_ref()).any(|p| mentions_runtime(&p.item));
    let wire = api.operations.iter().any(|op| op.param_fields.iter().any(|p| matches!(p.location, Location::Query | Location::QueryString(_))));
    let security = api.operations.iter().any(|op| !op.security.is_empty());
    let mut modules = Vec::new();
    if runtime {
        modules.push(quote!(runtime));
    }
    if security {
        modules.push(quote!(security));
    }
    if mentions_types(api) {
        modules.push(quote!(types));
    }
    if wire {
        modules.push(quote!(wire));
    }
    let requests = (!api.operations.is_empty()).then(|| quote!(Method, Request,));
    let modules = (!modules.is_empty()).then(|| quote!(use super::{#(#modules),*};));
    quote! {
        use super::http_client::{self, HttpClient, #requests RequestOptions};
        #modules
    }
}

/// Whether the operations name any generated type (params, bodies, path parameters).
pub(crate) fn mentions_types(api: &Api) -> bool {
    fn named(t: &TypeRef) -> bool {
        t.mentions(|t| matches!(t, TypeRef::Named(_)))
    }
    api.error.as_ref().is_some_and(named)
        || api.operations.iter().any(|op| {
            op.params.is_some()
                || op.success().and_then(|r| r.ty.as_ref()).is_some_and(named)
                || op.path_params.iter().any(|p| named(&p.ty))
        })
}

/// Statements binding each path parameter to its encoded form, and the
/// expression of the path.
pub(crate) fn path_expr(op: &Operation) -> (TokenStream, TokenStream) {
    let mut template = String::new();
    let mut bindings = Vec::new();
    let mut positional = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        template.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
        let name = &rest[open + 1..open + close];
        match op.path_params.iter().find(|p| p.wire == name) {
            Some(p) => {
                let arg = ident(&p.ident);
                bindings.push(quote!(let #arg = http_client::path_param(#arg)?;));
                if p.ident.starts_with("r#") {
                    template.push_str("{}");
                    positional.push(quote!(#arg));
                } else {
                    template.push_str(&format!("{{{}}}", p.ident));
                }
            }
            None => template.push_str(&rest[open..open + close + 1].replace('{', "{{").replace('}', "}}")),
        }
        rest = &rest[open + close + 1..];
    }
    template.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    let path = if bindings.is_empty() {
        quote!(#template.to_owned())
    } else {
        quote!(format!(#template #(, #positional)*))
    };
    (quote!(#(#bindings)*), path)
}

/// The argument type of a path parameter (borrowed for `'a` in streams).
fn path_arg(t: &TypeRef, lifetime: bool) -> TokenStream {
    let lifetime = lifetime.then(|| quote!('a));
    match t {
        TypeRef::String => quote!(&#lifetime str),
        other => {
            let t = type_in(other, Scope::Sibling);
            quote!(&#lifetime #t)
        }
    }
}

/// Renders the `client` module.
pub(crate) fn client(api: &Api, header: &str) -> Result<String, Error> {
    let module_doc = format!(" A typed async client of {} {} (feature `client`).", api.title, api.version);
    let error = error_type(api);
    let imports = sibling_imports(api);
    let head = format_items(
        "client",
        quote! {
            #![doc = #module_doc]
            #![doc = ""]
            #![doc = " Every method sends one request (retried as the client is configured) and"]
            #![doc = " decodes the declared success body; any other answer is an [`Error`]."]

            #imports

            /// The API's error body.
            pub type ApiError = #error;

            /// What a call can fail with.
            pub type Error = http_client::Error<ApiError>;

            /// A client of the API. Cheap to clone: clones share connections.
            #[derive(Clone, Debug)]
            pub struct Client {
                http: HttpClient,
                options: RequestOptions,
            }

            impl Client {
                /// A client of the API at `base_url` with the default retries,
                /// sending `api_key` for every security scheme that takes one
                /// secret (a bearer token, an API key). For HTTP Basic, or a
                /// credential per scheme, use [`Client::builder`] and
                /// `credential`.
                pub fn new(base_url: impl Into<String>, api_key: impl Into<String>) -> Result<Self, Error> {
                    let http = HttpClient::builder(base_url)
                        .api_key(api_key)
                        .build()
                        .map_err(|source| Error::Transport { source, attempts: 0 })?;
                    Ok(Client::from_http(http))
                }

                /// A builder for every setting: credentials, API version, timeout,
                /// retries, user agent. Finish with `Client::from_http(builder.build()?)`.
                pub fn builder(base_url: impl Into<String>) -> http_client::ClientBuilder {
                    HttpClient::builder(base_url)
                }

                /// A client over a configured [`HttpClient`].
                pub fn from_http(http: HttpClient) -> Self {
                    Client { http, options: RequestOptions::default() }
                }

                /// The same client, sending `options` (an idempotency key, say)
                /// with its calls.
                pub fn with_options(&self, options: RequestOptions) -> Self {
                    Client { http: self.http.clone(), options }
                }

                /// The underlying HTTP client.
                pub fn http(&self) -> &HttpClient {
                    &self.http
                }

                /// The options sent with every call of this client.
                pub fn options(&self) -> &RequestOptions {
                    &self.options
                }
            }
        },
    )?;
    // Group operations by their first tag, tags in document order.
    let mut groups: Vec<(String, Vec<String>, Vec<&Operation>)> =
        api.tags.iter().map(|(name, doc)| (name.clone(), doc.clone(), Vec::new())).collect();
    for op in &api.operations {
        let tag = op.tags.first().cloned().unwrap_or_default();
        match groups.iter_mut().find(|(name, _, _)| *name == tag) {
            Some(group) => group.2.push(op),
            None => groups.push((tag, Vec::new(), vec![op])),
        }
    }
    let mut items = Vec::new();
    for (tag, tag_doc, ops) in groups.iter().filter(|g| !g.2.is_empty()) {
        let mut lines = if tag.is_empty() { vec!["Operations without a tag.".to_owned()] } else { vec![format!("{tag}.")] };
        if !tag_doc.is_empty() {
            lines.push(String::new());
            lines.extend(tag_doc.iter().cloned());
        }
        let group_doc = doc(&lines);
        let methods = ops.iter().map(|op| method(api, op));
        items.push(quote! {
            #group_doc
            impl Client {
                #(#methods)*
            }
        });
    }
    // Event data of a schema's type is read as JSON.
    let mut event_types: Vec<&TypeRef> = Vec::new();
    for op in &api.operations {
        let Some(success) = op.success() else { continue };
        for (kind, ty, _) in success.kinds() {
            if let (MediaKind::EventStream, Some(ty)) = (kind, ty)
                && !matches!(ty, TypeRef::String | TypeRef::Json)
                && !event_types.contains(&ty)
            {
                event_types.push(ty);
            }
        }
    }
    for ty in event_types {
        let t = type_in(ty, Scope::Sibling);
        items.push(quote! {
            impl http_client::EventRead for #t {
                fn read(data: &str) -> Result<Self, String> {
                    http_client::json_data(data)
                }
            }
        });
    }
    let body = format_items("client", quote!(#(#items)*))?;
    Ok(assemble(header, &[head, body]))
}

/// The `Method` an operation is sent with: a constant for the methods HTTP
/// defines, else one made of its name (OpenAPI 3.2 `query` and
/// `additionalOperations`; the loader has checked it is a token, so that
/// `from_bytes` cannot fail).
fn method_expr(method: &str) -> TokenStream {
    const KNOWN: [&str; 9] = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "CONNECT"];
    if KNOWN.contains(&method) {
        let constant = format_ident!("{}", method);
        quote!(Method::#constant)
    } else {
        let bytes = proc_macro2::Literal::byte_string(method.as_bytes());
        quote!(Method::from_bytes(#bytes).expect("an HTTP method token, checked by the generator"))
    }
}

fn method(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.ident);
    let docs = super::operation_doc(op);
    let method = method_expr(&op.method);
    let (bindings, path) = path_expr(op);
    let args = |lifetime: bool| -> Vec<TokenStream> {
        op.path_params
            .iter()
            .map(|p| {
                let arg = ident(&p.ident);
                let ty = path_arg(&p.ty, lifetime);
                quote!(#arg: #ty)
            })
            .collect()
    };
    let path_args = args(false);
    let stream_args = args(true);
    let params_arg = op.params.as_ref().map(|p| {
        let p = ident(p);
        quote!(params: &types::#p)
    });
    let fields = api.struct_def(op.params.as_deref().unwrap_or_default());
    let nullable = |pf: &ParamField| {
        fields
            .and_then(|s| s.fields.iter().find(|f| f.ident == pf.ident))
            .is_some_and(|f| f.presence() == Presence::OptionalNullable)
    };
    // Parameters outside the body, then the body in the media type chosen.
    let mut encode: Vec<TokenStream> = op
        .param_fields
        .iter()
        .filter_map(|pf| {
            let field = ident(&pf.ident);
            let wire = &pf.wire;
            Some(match pf.location {
                Location::Query => {
                    let style = style_tokens(pf.style);
                    let explode = pf.explode;
                    quote!(request.query(#wire, &params.#field, #style, #explode)?;)
                }
                Location::QueryString(kind) => {
                    let how = query_as(kind);
                    quote!(request.query_string(&params.#field, #how)?;)
                }
                Location::Header => quote!(request.header(#wire, &params.#field)?;),
                Location::Cookie => quote!(request.cookie(#wire, &params.#field)?;),
                Location::Body | Location::WholeBody => return None,
            })
        })
        .collect();
    let body_fields: Vec<&ParamField> =
        op.param_fields.iter().filter(|pf| matches!(pf.location, Location::Body | Location::WholeBody)).collect();
    let body_encode = |media: &str, kind: MediaKind, parts: &[Part]| -> Vec<TokenStream> {
        body_fields
            .iter()
            .map(|pf| {
                let field = ident(&pf.ident);
                let wire = &pf.wire;
                let whole = pf.location == Location::WholeBody;
                match kind {
                    MediaKind::Json if whole => quote!(request.json_body(&params.#field)?;),
                    MediaKind::Json if nullable(pf) => quote!(request.json_nullable(#wire, &params.#field)?;),
                    MediaKind::Json => quote!(request.json(#wire, &params.#field)?;),
                    MediaKind::Text => quote!(request.text_body(#media, &params.#field);),
                    MediaKind::Multipart => {
                        let part = parts.iter().find(|p| p.wire == pf.wire);
                        let content_type = match part.and_then(|p| p.content_type.as_deref()) {
                            Some(ct) => quote!(Some(#ct)),
                            None => quote!(None),
                        };
                        if part.is_some_and(|p| p.file) {
                            quote!(request.files(#wire, &params.#field, #content_type);)
                        } else {
                            quote!(request.part(#wire, &params.#field, #content_type)?;)
                        }
                    }
                    _ if whole => quote!(request.form_body(&params.#field)?;),
                    _ if nullable(pf) => quote!(request.form_nullable(#wire, &params.#field)?;),
                    _ => quote!(request.form(#wire, &params.#field)?;),
                }
            })
            .collect()
    };
    let mut body_arg = None;
    if let Some(body) = &op.body {
        let media = body.media.as_str();
        match body.kind {
            MediaKind::Binary | MediaKind::EventStream => {
                body_arg = Some(quote!(body: impl Into<http_client::Upload>));
                encode.push(quote!(request.upload(#media, body.into());));
            }
            MediaKind::JsonLines => {
                let item = type_in(body.ty.as_ref().unwrap_or(&TypeRef::Json), Scope::Sibling);
                body_arg = Some(quote!(items: impl futures_util::Stream<Item = #item> + Send + 'static));
                encode.push(quote!(request.lines(#media, items);));
            }
            _ if body.others.is_empty() => encode.extend(body_encode(media, body.kind, &body.parts)),
            _ => {
                // The caller may choose another media type the operation takes.
                let declared: Vec<&str> = body.media_types().map(|(m, _)| m).collect();
                let arms = body.media_types().enumerate().map(
                    |(i, (media, kind))| {
                        let statements = body_encode(media, kind, &body.parts);
                        let i = proc_macro2::Literal::usize_unsuffixed(i);
                        quote!(#i => { #(#statements)* })
                    },
                );
                encode.push(quote! {
                    match request.choose(&[#(#declared),*], &self.options)? {
                        #(#arms)*
                        _ => {}
                    }
                });
            }
        }
    }
    let secured = (!op.security.is_empty()).then(|| {
        let requirement = super::security::requirement_path(op);
        quote!(request.security(#requirement);)
    });
    let success = op.success();
    let primary = Reading {
        kind: success.and_then(|r| r.kind),
        ty: success.and_then(|r| r.ty.as_ref()),
        accept: success.map(|r| r.accept.as_slice()).unwrap_or_default(),
    };
    let (returns, send, accept) = reading(&primary);
    let mutable = if encode.is_empty() && secured.is_none() && accept.is_none() { quote!() } else { quote!(mut) };
    let args_of = |path_args: &[TokenStream]| -> Vec<TokenStream> {
        path_args.iter().cloned().chain(params_arg.clone()).chain(body_arg.clone()).collect()
    };
    let all_args = args_of(&path_args);
    // An alternative media type of the success: a method of its own, which
    // sets the `stream` flag where the params have one.
    let alternatives = success.into_iter().flat_map(|r| &r.others).map(|alternative| {
        let name = ident(&alternative.method);
        let (returns, send, accept) =
            reading(&Reading { kind: Some(alternative.kind), ty: alternative.ty.as_ref(), accept: &alternative.accept });
        let flag = alternative.flag.as_ref().map(|flag| {
            let field = ident(flag);
            let required = fields.and_then(|s| s.fields.iter().find(|f| f.ident == *flag)).is_some_and(|f| f.required);
            let value = if required { quote!(true) } else { quote!(Some(true)) };
            quote! {
                let mut params = params.clone();
                params.#field = #value;
                let params = &params;
            }
        });
        let base = op.ident.trim_start_matches("r#");
        let what = crate::build::kind_word(alternative.kind);
        let lines = vec![
            format!("[`Client::{base}`], answered as `{}` ({what}).", alternative.media),
            String::new(),
            format!("`{} {}`", op.method, op.path),
        ];
        let text = super::doc(&lines);
        let allows = super::self_method_allows(&alternative.method);
        quote! {
            #text
            #allows
            pub async fn #name(&self, #(#all_args,)*) -> Result<#returns, Error> {
                #flag
                #bindings
                let mut request = Request::new(#method, #path);
                #secured
                #accept
                #(#encode)*
                #send
            }
        }
    });
    let stream = op.pagination.as_ref().zip(op.params.as_ref()).map(|(pagination, params_type)| {
        let stream_name = ident(&pagination.stream);
        let item = type_in(&pagination.item, Scope::Sibling);
        let params_type = ident(params_type);
        let forward = ident(&pagination.starting_after);
        let id = ident(&pagination.id_field);
        let path_names: Vec<TokenStream> = op.path_params.iter().map(|p| {
            let arg = ident(&p.ident);
            quote!(#arg)
        }).collect();
        let (backwards, set_cursor) = match &pagination.ending_before {
            Some(backward) => {
                let backward = ident(backward);
                (
                    quote!(params.#backward.is_some()),
                    quote!(move |p: &mut types::#params_type, cursor| {
                        if backwards {
                            p.#backward = Some(cursor);
                        } else {
                            p.#forward = Some(cursor);
                        }
                    }),
                )
            }
            None => (quote!(false), quote!(move |p: &mut types::#params_type, cursor| {
                let _ = backwards;
                p.#forward = Some(cursor);
            })),
        };
        let method = op.ident.trim_start_matches("r#");
        let mut lines = vec![format!("Every item of [`Client::{method}`], fetching page after page:")];
        match pagination.ending_before.as_deref() {
            Some(backward) => {
                lines.push(format!("forwards after the last item of each page (`{}`), or", pagination.starting_after));
                lines.push(format!("backwards before the first when `{backward}` is set."));
            }
            None => lines.push(format!("after the last item of each page (`{}`).", pagination.starting_after)),
        }
        let text = super::doc(&lines);
        let allows = super::self_method_allows(&pagination.stream);
        quote! {
            #text
            #allows
            pub fn #stream_name<'a>(
                &'a self,
                #(#stream_args,)*
                params: &types::#params_type,
            ) -> impl futures_util::Stream<Item = Result<#item, Error>> + 'a {
                let backwards = #backwards;
                http_client::paginate(
                    params.clone(),
                    backwards,
                    move |page: types::#params_type| async move { self.#name(#(#path_names,)* &page).await },
                    #set_cursor,
                    |item: &#item| item.#id.clone(),
                )
            }
        }
    });
    let allows = super::self_method_allows(&op.ident);
    quote! {
        #docs
        #allows
        pub async fn #name(&self, #(#all_args,)*) -> Result<#returns, Error> {
            #bindings
            let #mutable request = Request::new(#method, #path);
            #secured
            #accept
            #(#encode)*
            #send
        }

        #(#alternatives)*

        #stream
    }
}

/// How a method reads the success it asks for.
struct Reading<'a> {
    kind: Option<MediaKind>,
    ty: Option<&'a TypeRef>,
    accept: &'a [String],
}

/// What a method answers, the call that sends its request and reads the
/// answer, and the media types it accepts.
fn reading(reading: &Reading<'_>) -> (TokenStream, TokenStream, Option<TokenStream>) {
    let accept = &reading.accept;
    let accept = (!accept.is_empty()).then(|| quote!(request.accept(&[#(#accept),*]);));
    let typed = |fallback: TypeRef| type_in(reading.ty.unwrap_or(&fallback), Scope::Sibling);
    let (returns, send) = match reading.kind {
        None => (quote!(()), quote!(self.http.send_empty(request, &self.options).await)),
        Some(MediaKind::Json) => (typed(TypeRef::Json), quote!(self.http.send(request, &self.options).await)),
        Some(MediaKind::Text) => (quote!(String), quote!(self.http.send_text(request, &self.options).await)),
        Some(MediaKind::EventStream) => {
            let t = typed(TypeRef::String);
            (quote!(http_client::EventStream<#t, ApiError>), quote!(self.http.send_events(request, &self.options).await))
        }
        Some(MediaKind::JsonLines) => {
            let t = typed(TypeRef::Json);
            (quote!(http_client::JsonLines<#t, ApiError>), quote!(self.http.send_lines(request, &self.options).await))
        }
        Some(MediaKind::Binary | MediaKind::Form | MediaKind::Multipart) => {
            (quote!(http_client::Download), quote!(self.http.send_bytes(request, &self.options).await))
        }
    };
    (returns, send, accept)
}
