//! The generated client against an independent mock server: Prism
//! (`@stoplight/prism-cli` from npm, pinned at [`PACKAGE`]), which mocks a
//! spec and validates every request it receives against it.
//!
//! For each spec, a crate is generated from it, and one driver binary built
//! against all of them calls every operation with valid inputs (generated
//! from the schemas, as the negative requests' starting points are: every
//! parameter, optional ones too, and the body), with a credential for every
//! security scheme. The calls go through a recording proxy on loopback that
//! keeps Prism's verdict on each request (its `sl-violations` header). A
//! call passes when Prism finds nothing wrong with the request and the
//! client reads Prism's answer into the declared type.
//!
//! What Prism itself cannot do (a style it does not parse, a schema it
//! misreads) is a skip list the caller gives ([`Skip`]), one entry per
//! limitation with its reason; a call is skipped only when every problem
//! found in it is one of those.
//!
//! Bounded: Prism must say it listens within [`START_TIMEOUT`], each call
//! has [`CALL_TIMEOUT`], the proxy reads heads of at most 64 KiB and bodies
//! of at most 16 MiB.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use openapi_codegen::ir::{Api, Location, MediaKind, SchemeKind};
use serde_json::{Map, Value, json};

use crate::checks::Spec;
use crate::evolution::rust::shown;
use crate::report::Case;

/// The Prism release the project is checked against.
pub const PACKAGE: &str = "@stoplight/prism-cli@5.16.0";

/// How long Prism may take to read a spec and listen.
pub const START_TIMEOUT: Duration = Duration::from_secs(120);

/// How long one call may take, from the driver to Prism and back.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

const MAX_HEAD: usize = 64 << 10;
const MAX_BODY: usize = 16 << 20;

/// The header that carries a call's number through the proxy.
const CALL_HEADER: &str = "x-probe-call";

/// Prism's command: `PRISM` from the environment, or the one installed
/// under `dir` ([`crate::npm::install`]).
pub fn install(dir: &Path) -> Result<PathBuf, String> {
    crate::npm::install(dir, PACKAGE, "prism", "PRISM")
}

/// Prism mocking one spec on a port of 127.0.0.1 the system chose, with
/// request validation on (`--errors`). Stopped when dropped.
pub struct Mock {
    child: Child,
    /// Where it listens, e.g. `http://127.0.0.1:38485`.
    pub url: String,
}

impl Mock {
    /// Starts Prism on `spec`; fails with what Prism said when it cannot
    /// read the spec.
    pub fn start(prism: &Path, spec: &Path) -> Result<Mock, String> {
        let mut child = Command::new(prism)
            .args(["mock", "--host", "127.0.0.1", "--port", "0", "--errors"])
            .arg(spec)
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", prism.display()))?;
        let said = Arc::new(Mutex::new(Vec::<String>::new()));
        let (tx, rx) = mpsc::channel();
        for stream in [child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>), child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>)]
            .into_iter()
            .flatten()
        {
            let (tx, said) = (tx.clone(), Arc::clone(&said));
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let line = strip_ansi(&line);
                    if let Some(at) = line.find("Prism is listening on ") {
                        let _ = tx.send(line[at + "Prism is listening on ".len()..].trim().to_owned());
                    }
                    if let Ok(mut said) = said.lock()
                        && said.len() < 200
                    {
                        said.push(line);
                    }
                }
            });
        }
        drop(tx);
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(url) => Ok(Mock { child, url }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let said = said.lock().map(|s| s.join("\n")).unwrap_or_default();
                Err(format!("Prism did not start on {}:\n{said}", spec.display()))
            }
        }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// What the proxy saw of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The call it belongs to (the driver's `x-probe-call`).
    pub call: Option<usize>,
    /// `GET /pets?limit=1`.
    pub request: String,
    /// Prism's status.
    pub status: u16,
    /// Prism's findings about the request (`request.query.limit: ...`).
    pub violations: Vec<String>,
}

/// A proxy on loopback in front of Prism that records its verdicts.
pub struct Recorder {
    /// Where it listens.
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Recorder {
    /// A proxy to `upstream` (Prism's URL).
    pub fn start(upstream: &str) -> Result<Recorder, String> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
        let url = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (upstream, record) = (upstream.trim_end_matches('/').to_owned(), Arc::clone(&seen));
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (upstream, record) = (upstream.clone(), Arc::clone(&record));
                std::thread::spawn(move || {
                    let _ = relay(stream, &upstream, &record);
                });
            }
        });
        Ok(Recorder { url, seen })
    }

    /// What it saw so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// Relays the requests of one connection, keep-alive, until it closes.
fn relay(mut stream: TcpStream, upstream: &str, record: &Mutex<Vec<Seen>>) -> Result<(), String> {
    let client = crate::client::Client::new(&crate::client::Options::direct(CALL_TIMEOUT))?;
    stream.set_read_timeout(Some(CALL_TIMEOUT)).map_err(|e| e.to_string())?;
    let mut buffer = Vec::new();
    loop {
        let Some((method, target, headers, body)) = read_request(&mut stream, &mut buffer)? else { return Ok(()) };
        let close = headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close"));
        let call = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(CALL_HEADER)).and_then(|(_, v)| v.parse().ok());
        let forwarded: Vec<(String, String)> = headers
            .into_iter()
            .filter(|(n, _)| !["host", "connection", "content-length", "transfer-encoding", CALL_HEADER].contains(&n.to_ascii_lowercase().as_str()))
            .collect();
        let (response, _) = client.send(&method, &format!("{upstream}{target}"), &forwarded, &body)?;
        // Prism lists what it finds in `sl-violations`, or, answering 422
        // for lack of an error response in the spec, in its problem body.
        let listed = response.header("sl-violations").and_then(|v| serde_json::from_str::<Vec<Value>>(v).ok());
        let violations = listed
            .or_else(|| serde_json::from_slice::<Value>(&response.body).ok()?.get("validation")?.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter(|v| v["severity"] == "Error")
            .map(|v| {
                let at: Vec<String> = v["location"].as_array().into_iter().flatten().map(|s| s.as_str().map_or_else(|| s.to_string(), str::to_owned)).collect();
                format!("{}: {}", at.join("."), v["message"].as_str().unwrap_or_default())
            })
            .collect();
        if let Ok(mut record) = record.lock() {
            record.push(Seen { call, request: format!("{method} {target}"), status: response.status, violations });
        }
        let mut head = format!("HTTP/1.1 {} Relayed\r\n", response.status);
        for (name, value) in &response.headers {
            if !["content-length", "transfer-encoding", "connection"].contains(&name.as_str()) {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        head.push_str(&format!("content-length: {}\r\n\r\n", response.body.len()));
        stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&response.body)).map_err(|e| e.to_string())?;
        if close {
            return Ok(());
        }
    }
}

type RawRequest = (String, String, Vec<(String, String)>, Vec<u8>);

/// One request from `stream` (bytes left from the last in `buffer`):
/// `None` when the connection closes between requests.
fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<Option<RawRequest>, String> {
    let mut chunk = [0u8; 16 << 10];
    let end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if buffer.len() > MAX_HEAD {
            return Err("a request head over 64 KiB".into());
        }
        let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            return if buffer.is_empty() { Ok(None) } else { Err("the connection closed inside a request head".into()) };
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let mut fields = [httparse::EMPTY_HEADER; 128];
    let mut parsed = httparse::Request::new(&mut fields);
    parsed.parse(&buffer[..end]).map_err(|e| e.to_string())?;
    let method = parsed.method.unwrap_or("GET").to_owned();
    let target = parsed.path.unwrap_or("/").to_owned();
    let headers: Vec<(String, String)> =
        parsed.headers.iter().map(|h| (h.name.to_owned(), String::from_utf8_lossy(h.value).into_owned())).collect();
    buffer.drain(..end);
    let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned());
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let line_end = loop {
                if let Some(at) = buffer.windows(2).position(|w| w == b"\r\n") {
                    break at;
                }
                fill(stream, buffer, &mut chunk)?;
            };
            let size_text = String::from_utf8_lossy(&buffer[..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16).map_err(|_| "a bad chunk size".to_owned())?;
            buffer.drain(..line_end + 2);
            while buffer.len() < size + 2 {
                fill(stream, buffer, &mut chunk)?;
            }
            if body.len() + size > MAX_BODY {
                return Err("a request body over 16 MiB".into());
            }
            body.extend_from_slice(&buffer[..size]);
            buffer.drain(..size + 2);
            if size == 0 {
                break;
            }
        }
    } else if let Some(length) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        if length > MAX_BODY {
            return Err("a request body over 16 MiB".into());
        }
        while buffer.len() < length {
            fill(stream, buffer, &mut chunk)?;
        }
        body = buffer.drain(..length).collect();
    }
    Ok(Some((method, target, headers, body)))
}

fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>, chunk: &mut [u8]) -> Result<(), String> {
    let n = stream.read(chunk).map_err(|e| e.to_string())?;
    if n == 0 {
        return Err("the connection closed inside a request".into());
    }
    buffer.extend_from_slice(&chunk[..n]);
    Ok(())
}

/// One call of an operation: its inputs as the generated client takes
/// them.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The client method (without `r#`).
    pub operation: String,
    /// `METHOD /path` as the spec writes it.
    pub endpoint: String,
    /// Each path parameter's value, by its name in the template.
    pub path: Map<String, Value>,
    /// The params struct as JSON, keyed as serde reads it; `None` when
    /// the operation has none.
    pub params: Option<Value>,
    /// The items of a JSON-lines body.
    pub body: Option<Value>,
}

/// Valid inputs for every operation of `api` (built from `spec`): a value
/// for every path parameter, every query, header and cookie parameter
/// (optional ones too) and the body, from the spec's examples and
/// defaults or generated from the schemas with `seed`. An operation whose
/// inputs cannot be made is `Err` with the reason.
pub fn calls(spec: &mut Spec, api: &Api, seed: u64) -> Vec<(String, Result<Call, String>)> {
    let raw = crate::negative::operations(spec);
    let mut out = Vec::new();
    for op in &api.operations {
        let name = op.ident.trim_start_matches("r#").to_owned();
        let endpoint = format!("{} {}", op.method, op.path);
        let Some(source) = raw.iter().find(|r| r.method == op.method && r.path == op.path) else {
            out.push((name, Err(format!("{endpoint} is not in the document"))));
            continue;
        };
        let made = (|| -> Result<Call, String> {
            let mut value_of = |wire: &str, place: &str| -> Result<Value, String> {
                let (_, _, _, pointer, schema) = source
                    .params
                    .iter()
                    .find(|(n, p, ..)| n == wire && p == place)
                    .ok_or_else(|| format!("no {place} parameter `{wire}`"))?;
                // A path segment cannot be null.
                valid(spec, pointer, schema, true, seed, place == "path")
            };
            let mut path = Map::new();
            for p in &op.path_params {
                path.insert(p.wire.clone(), value_of(&p.wire, "path")?);
            }
            let mut params = Map::new();
            for field in &op.param_fields {
                let place = match field.location {
                    Location::Query | Location::QueryString(_) => "query",
                    Location::Header => "header",
                    Location::Cookie => "cookie",
                    Location::Body | Location::WholeBody => continue,
                };
                // `null` is no value: the parameter is left out, as is an
                // optional one no value can be made for (a pattern the
                // validator cannot compile).
                match value_of(&field.wire, place) {
                    Ok(Value::Null) => {}
                    Ok(value) => {
                        params.insert(field.key.clone(), value);
                    }
                    Err(_) if !field.required => {}
                    Err(e) => return Err(e),
                }
            }
            let mut lines = None;
            if let Some(body) = &op.body {
                let (_, pointer) = source.body.iter().find(|(m, _)| *m == body.media).ok_or_else(|| format!("no body of {}", body.media))?;
                if body.kind == MediaKind::JsonLines {
                    let schema = spec.doc.resolve_pointer(&spec.resolve(pointer)).cloned().unwrap_or(Value::Null);
                    lines = Some(Value::Array(vec![valid(spec, pointer, &schema, false, seed, false)?]));
                }
                let schema = spec.doc.resolve_pointer(&spec.resolve(pointer)).cloned().unwrap_or(Value::Null);
                let form = body.media == "application/x-www-form-urlencoded";
                // A binary or JSON-lines body is not a params field.
                if body.kind.into_params() {
                    let value = valid(spec, pointer, &schema, form, seed, false)?;
                    match op.param_fields.iter().find(|f| f.location == Location::WholeBody) {
                        // Text travels as its text.
                        Some(whole) if body.kind == MediaKind::Text => {
                            let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                            params.insert(whole.key.clone(), Value::String(text));
                        }
                        Some(whole) => {
                            params.insert(whole.key.clone(), value);
                        }
                        None => {
                            if let Value::Object(fields) = value {
                                params.extend(fields);
                            }
                        }
                    }
                    // A file part is a file: its name and its bytes.
                    for part in body.parts.iter().filter(|p| p.file) {
                        let file = |text: &Value| json!({"name": format!("{}.bin", part.wire), "content": text.as_str().unwrap_or("probe").as_bytes()});
                        if let Some(value) = params.get_mut(&part.wire) {
                            *value = match &*value {
                                Value::Array(items) => Value::Array(items.iter().map(file).collect()),
                                other => file(other),
                            };
                        }
                    }
                }
            }
            Ok(Call { operation: name.clone(), endpoint: endpoint.clone(), path, params: op.params.as_ref().map(|_| Value::Object(params)), body: lines })
        })();
        // The success's other media types: a method each, the same inputs.
        for alternative in op.success().into_iter().flat_map(|r| &r.others) {
            let method = alternative.method.trim_start_matches("r#").to_owned();
            let call = made.clone().map(|c| Call { operation: method.clone(), endpoint: format!("{endpoint} as {}", alternative.media), ..c });
            out.push((method, call));
        }
        out.push((name, made));
    }
    out
}

/// A value the validator accepts for the schema at `pointer`: the spec's
/// example or default, else generated with `seed`, or the seeds after it
/// (a generator that does not know a keyword, `if`/`then` say, may need a
/// few tries); not `null` when `present`.
fn valid(spec: &mut Spec, pointer: &str, schema: &Value, form: bool, seed: u64, present: bool) -> Result<Value, String> {
    let mut last = String::new();
    for seed in seed..seed + 32 {
        let value = crate::negative::valid_value(spec, pointer, schema, form, seed)?;
        if present && value.is_null() {
            last = "null".into();
            continue;
        }
        let id = spec.validator.compile(pointer).map_err(|e| e.to_string())?;
        match spec.validator.validate(id, &value, crate::Direction::Request) {
            Ok(()) => return Ok(value),
            Err(errors) => last = format!("{value}: {}", errors.first().map(ToString::to_string).unwrap_or_default()),
        }
    }
    Err(format!("no value of 32 generated satisfies the schema at {pointer}; the last: {last}"))
}

/// The Rust name of a spec's module in the driver, and of its crate.
fn module_name(spec: &str) -> String {
    let name: String = spec.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    format!("spec_{name}")
}

/// The driver's `main.rs`: for each spec a module whose `run` makes every
/// call it is given with the generated client, one request each (no
/// retries), and answers each outcome.
pub fn driver_source(apis: &[(String, Api)]) -> String {
    let mut out = String::from(
        "//! Calls operations of the generated clients as a JSON file says; written by `openapi_contract::prism`.\n\
         #![allow(unused_imports, unused_variables, unused_mut, clippy::all)]\n\n\
         fn decode<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T, String> {\n    \
         serde_json::from_value(value.clone()).map_err(|e| format!(\"the generated type cannot hold the value: {e}: {value}\"))\n}\n\n\
         #[tokio::main(flavor = \"current_thread\")]\nasync fn main() {\n    \
         let args: Vec<String> = std::env::args().collect();\n    \
         let calls: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&args[3]).expect(\"the calls\")).expect(\"JSON\");\n    \
         let out = match args[1].as_str() {\n",
    );
    for (spec, _) in apis {
        let module = module_name(spec);
        out.push_str(&format!("        {spec:?} => {module}::run(&args[2], &calls).await,\n"));
    }
    out.push_str("        other => panic!(\"no spec {other}\"),\n    };\n    println!(\"{}\", serde_json::Value::Array(out));\n}\n");
    for (spec, api) in apis {
        let module = module_name(spec);
        let krate = format!("probe_{}", &module["spec_".len()..]);
        let mut credentials = String::new();
        for scheme in &api.security_schemes {
            let credential = match scheme.kind {
                SchemeKind::Basic => "api::wire::Credential::basic(\"probe\", \"probe\")",
                _ => "api::wire::Credential::secret(\"probe-token\")",
            };
            credentials.push_str(&format!("\n            .credential(&api::security::{}, {credential})", scheme.ident));
        }
        let mut arms = String::new();
        for op in &api.operations {
            let mut decoded = Vec::new();
            let mut args = Vec::new();
            for (i, p) in op.path_params.iter().enumerate() {
                decoded.push(format!("super::decode::<{}>(&call[\"path\"][{:?}])?", shown(&p.ty), p.wire));
                args.push(format!("&inputs.{i}"));
            }
            if let Some(params) = &op.params {
                decoded.push(format!("super::decode::<{params}>(&call[\"params\"])?"));
                args.push(format!("&inputs.{}", decoded.len() - 1));
            }
            // A streamed body: bytes of the spec's type, or the lines given.
            match op.body.as_ref().map(|b| (b.kind, b)) {
                Some((MediaKind::Binary | MediaKind::EventStream, body)) => {
                    args.push(format!("api::http_client::Upload::bytes(b\"probe\".to_vec()).content_type({:?})", body.media));
                }
                Some((MediaKind::JsonLines, body)) => {
                    let item = body.ty.as_ref().map_or_else(|| "serde_json::Value".to_owned(), shown);
                    decoded.push(format!("super::decode::<Vec<{item}>>(&call[\"body\"])?"));
                    args.push(format!("futures_util::stream::iter(inputs.{})", decoded.len() - 1));
                }
                _ => {}
            }
            // The method of the success, and one per other media type of it.
            let success = op.success();
            let methods = std::iter::once((op.ident.clone(), success.and_then(|r| r.kind)))
                .chain(success.into_iter().flat_map(|r| &r.others).map(|a| (a.method.clone(), Some(a.kind))));
            for (method, kind) in methods {
                let name = method.trim_start_matches("r#");
                let read = match kind {
                    Some(MediaKind::EventStream) => "events",
                    Some(MediaKind::JsonLines) => "lines",
                    Some(MediaKind::Binary | MediaKind::Form | MediaKind::Multipart) => "download",
                    _ => "done",
                };
                if decoded.is_empty() {
                    arms.push_str(&format!("                {name:?} => {read}(client.{method}({}).await).await,\n", args.join(", ")));
                    continue;
                }
                arms.push_str(&format!(
                    "                {name:?} => match (|| -> Result<_, String> {{ Ok(({},)) }})() {{\n                    \
                     Ok(inputs) => {read}(client.{method}({}).await).await,\n                    Err(e) => Err(e),\n                }},\n",
                    decoded.join(", "),
                    args.join(", ")
                ));
            }
        }
        out.push_str(&format!(
            "\nmod {module} {{\n    use {krate} as api;\n    use api::runtime::*;\n    use api::types::*;\n\n    \
             fn failed(e: api::client::Error) -> String {{\n        \
             match e.status() {{ Some(status) => format!(\"HTTP {{status}}: {{e}}\"), None => e.to_string() }}\n    }}\n\n    \
             async fn done<T>(result: Result<T, api::client::Error>) -> Result<(), String> {{\n        \
             result.map(|_| ()).map_err(failed)\n    }}\n\n    \
             async fn download(result: Result<api::http_client::Download, api::client::Error>) -> Result<(), String> {{\n        \
             result.map_err(failed)?.bytes(16 << 20).await.map(|_| ()).map_err(|e| e.to_string())\n    }}\n\n    \
             async fn events<T>(result: Result<api::http_client::EventStream<T, api::client::ApiError>, api::client::Error>) -> Result<(), String> {{\n        \
             use futures_util::TryStreamExt;\n        \
             result.map_err(failed)?.try_collect::<Vec<_>>().await.map(|_| ()).map_err(failed)\n    }}\n\n    \
             async fn lines<T>(result: Result<api::http_client::JsonLines<T, api::client::ApiError>, api::client::Error>) -> Result<(), String> {{\n        \
             use futures_util::TryStreamExt;\n        \
             result.map_err(failed)?.try_collect::<Vec<_>>().await.map(|_| ()).map_err(failed)\n    }}\n\n    \
             pub async fn run(url: &str, calls: &[serde_json::Value]) -> Vec<serde_json::Value> {{\n        \
             let http = api::http_client::HttpClient::builder(url)\n            .max_retries(0)\n            .timeout(std::time::Duration::from_secs({timeout})){credentials}\n            \
             .build()\n            .expect(\"a client\");\n        let base = api::client::Client::from_http(http);\n        \
             let mut out = Vec::new();\n        for (n, call) in calls.iter().enumerate() {{\n            \
             let client = base.with_options(api::http_client::RequestOptions::new().header({CALL_HEADER:?}, n.to_string()));\n            \
             let outcome: Result<(), String> = match call[\"operation\"].as_str().unwrap_or_default() {{\n{arms}                \
             other => Err(format!(\"no operation {{other}}\")),\n            }};\n            \
             out.push(serde_json::json!({{\"call\": n, \"error\": outcome.err()}}));\n        }}\n        out\n    }}\n}}\n",
            timeout = CALL_TIMEOUT.as_secs(),
        ));
    }
    out
}

/// Generates a crate from each spec under `dir/crates` and builds the
/// driver (`dir/driver`) against them all (`dir/target`, offline, versions
/// pinned by `lock`): its binary, and each spec's model by name.
pub fn build_driver(dir: &Path, specs: &[(String, PathBuf)], lock: &Path) -> Result<(PathBuf, Vec<(String, Api)>), String> {
    let generator = openapi_codegen::Generator::new().with_command("openapi_contract::prism");
    let mut apis = Vec::new();
    let mut dependencies = String::new();
    for (name, path) in specs {
        let doc = generator.load(path).map_err(|e| e.to_string())?;
        let api = generator.build(&doc).map_err(|e| e.to_string())?;
        let module = module_name(name);
        let package = format!("probe-{}", module["spec_".len()..].replace('_', "-"));
        let files = generator.standalone_crate(&api, &package).map_err(|e| e.to_string())?;
        write_files(&dir.join("crates").join(name), files)?;
        dependencies.push_str(&format!(
            "probe_{} = {{ package = {package:?}, path = \"../crates/{name}\", features = [\"client\"] }}\n",
            &module["spec_".len()..]
        ));
        apis.push((name.clone(), api));
    }
    let manifest = format!(
        "[package]\nname = \"prism-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n\
         serde = \"1\"\nserde_json = \"1\"\nfutures-util = \"0.3\"\ntokio = {{ version = \"1\", features = [\"rt\", \"macros\"] }}\n{dependencies}\n[workspace]\n"
    );
    let driver = dir.join("driver");
    write_files(&driver, vec![("Cargo.toml".into(), manifest), ("src/main.rs".into(), driver_source(&apis))])?;
    if !driver.join("Cargo.lock").exists() {
        std::fs::copy(lock, driver.join("Cargo.lock")).map_err(|e| format!("cannot copy {}: {e}", lock.display()))?;
    }
    let output = crate::cargo()
        .args(["build", "--quiet", "--offline", "--manifest-path"])
        .arg(driver.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("the driver does not build:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    Ok((dir.join("target/debug/prism-probe"), apis))
}

fn write_files(dir: &Path, files: Vec<(String, String)>) -> Result<(), String> {
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// A known limitation, of Prism's or of the generated client's, which
/// excuses the problems it explains: a call whose every problem is
/// excused is skipped with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The spec's name (`*`: any).
    pub spec: String,
    /// The client method (`*`: any; also a spec Prism cannot read).
    pub operation: String,
    /// Text every problem it excuses contains.
    pub contains: String,
    /// Why: what Prism cannot do, or what the client does not do yet.
    pub reason: String,
}

impl Skip {
    /// Whether it excuses `problem`, found in `operation` of `spec`.
    pub fn excuses(&self, spec: &str, operation: &str, problem: &str) -> bool {
        (self.spec == "*" || self.spec == spec) && (self.operation == "*" || self.operation == operation) && problem.contains(&self.contains)
    }
}

/// Runs every call of one spec (named `name`, at `path`) through the
/// driver against Prism, one case per operation.
pub fn check(prism: &Path, driver: &Path, name: &str, path: &Path, calls: &[(String, Result<Call, String>)], skips: &[Skip]) -> Vec<Case> {
    let group = "prism";
    let label = |call: &str, endpoint: &str| format!("{name}: {call} ({endpoint})");
    let mock = match Mock::start(prism, path) {
        Ok(mock) => mock,
        Err(e) => {
            // Prism cannot read the spec: every operation is skipped if a
            // limitation of Prism's says why, else that fails.
            return match skips.iter().find(|s| s.excuses(name, "*", &e)) {
                Some(skip) => calls
                    .iter()
                    .map(|(operation, _)| Case::skipped(group, format!("{name}: {operation}"), skip.reason.clone()))
                    .collect(),
                None => vec![Case::new(group, format!("{name}: Prism mocks the spec"), vec![e], Duration::ZERO)],
            };
        }
    };
    let recorder = match Recorder::start(&mock.url) {
        Ok(recorder) => recorder,
        Err(e) => return vec![Case::new(group, format!("{name}: the recording proxy starts"), vec![e], Duration::ZERO)],
    };
    let made: Vec<&Call> = calls.iter().filter_map(|(_, c)| c.as_ref().ok()).collect();
    let plan: Vec<Value> = made.iter().map(|c| json!({"operation": c.operation, "path": c.path, "params": c.params, "body": c.body})).collect();
    let file = std::env::temp_dir().join(format!("prism-calls-{}-{name}.json", std::process::id()));
    let started = Instant::now();
    let outcomes = std::fs::write(&file, serde_json::to_vec(&plan).unwrap_or_default())
        .map_err(|e| e.to_string())
        .and_then(|()| Command::new(driver).arg(name).arg(&recorder.url).arg(&file).output().map_err(|e| e.to_string()))
        .and_then(|output| {
            if output.status.success() {
                serde_json::from_slice::<Vec<Value>>(&output.stdout).map_err(|e| e.to_string())
            } else {
                Err(format!("the driver failed: {}", String::from_utf8_lossy(&output.stderr)))
            }
        });
    let _ = std::fs::remove_file(&file);
    let outcomes = match outcomes {
        Ok(outcomes) => outcomes,
        Err(e) => return vec![Case::new(group, format!("{name}: the driver runs"), vec![e], started.elapsed())],
    };
    let seen = recorder.seen();
    let mut cases = Vec::new();
    let mut n = 0;
    for (operation, call) in calls {
        let call = match call {
            Ok(call) => call,
            Err(why) => {
                cases.push(Case::new(group, format!("{name}: {operation}"), vec![format!("no valid inputs: {why}")], Duration::ZERO));
                continue;
            }
        };
        let mut problems = Vec::new();
        let requests: Vec<&Seen> = seen.iter().filter(|s| s.call == Some(n)).collect();
        for request in &requests {
            problems.extend(request.violations.iter().map(|v| format!("Prism finds the request `{}` wrong: {v}", request.request)));
        }
        let error = outcomes.get(n).and_then(|o| o["error"].as_str()).map(str::to_owned);
        match (&error, requests.is_empty()) {
            (Some(error), _) if problems.is_empty() => problems.push(format!("the client: {error}")),
            (None, true) => problems.push("the client sent nothing".into()),
            _ => {}
        }
        n += 1;
        let case = label(&call.operation, &call.endpoint);
        let excused = |p: &String| skips.iter().any(|s| s.excuses(name, &call.operation, p));
        let unexcused: Vec<String> = problems.iter().filter(|p| !excused(p)).cloned().collect();
        let reasons: Vec<&str> =
            skips.iter().filter(|s| problems.iter().any(|p| s.excuses(name, &call.operation, p))).map(|s| s.reason.as_str()).collect();
        if unexcused.is_empty() && !problems.is_empty() {
            cases.push(Case::skipped(group, case, reasons.join("; ")));
        } else {
            cases.push(Case::new(group, case, unexcused, Duration::ZERO));
        }
    }
    cases
}
