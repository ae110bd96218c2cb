//! The HTTP client the live checks speak through: hyper's HTTP/1.1 client
//! connection over TCP, TLS (rustls) for `https://`, and a proxy from the
//! environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, read as
//! curl reads them). Redirects are never followed: a 3xx is an answer to be
//! checked like any other. Every exchange is bounded by one timeout
//! (connect, TLS, request and response together) and a response size.
//!
//! Below hyper, the connection is wrapped in a recorder, so the report
//! holds the exact bytes that went out and came in (after TLS, before
//! hyper interprets them).

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::{CONTENT_LENGTH, HOST, HeaderName, HeaderValue};
use http::{Method, Request, Uri};
use http_body_util::{BodyExt, Empty, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::http::Response;

/// The most a response body may hold.
pub const MAX_RESPONSE: usize = 32 << 20;

/// How a [`Client`] reaches servers.
#[derive(Debug, Clone)]
pub struct Options {
    /// For one whole exchange.
    pub timeout: Duration,
    /// PEM files of certificates to trust besides the system's (a private
    /// CA, a self-signed server).
    pub ca_certs: Vec<PathBuf>,
    /// Where proxies come from.
    pub proxy: Proxy,
}

impl Default for Options {
    fn default() -> Self {
        Options { timeout: Duration::from_secs(30), ca_certs: Vec::new(), proxy: Proxy::FromEnv }
    }
}

impl Options {
    /// No proxy, only the system's certificates: for servers on this machine.
    pub fn direct(timeout: Duration) -> Options {
        Options { timeout, ca_certs: Vec::new(), proxy: Proxy::None }
    }
}

/// Proxy settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proxy {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (either case).
    FromEnv,
    /// Every request through this proxy (`http://[user:password@]host:port`).
    All(String),
    /// No proxy.
    None,
}

/// The bytes of one exchange as they crossed the connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    /// What was written (the request head and body).
    pub sent: Vec<u8>,
    /// What was read (the response head and body, as framed).
    pub received: Vec<u8>,
}

/// Bytes recorded from one direction of a connection.
type Tape = Arc<Mutex<Vec<u8>>>;

/// A blocking client: one connection per exchange.
pub struct Client {
    runtime: tokio::runtime::Runtime,
    tls: tokio_rustls::TlsConnector,
    proxy: Matcher,
    timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

impl Client {
    /// A client trusting the system's certificates and `options.ca_certs`.
    pub fn new(options: &Options) -> Result<Client, String> {
        let mut roots = rustls::RootCertStore::empty();
        // A system without a certificate store can still reach servers whose
        // CA is given: the errors matter only if nothing at all is trusted.
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
        for path in &options.ca_certs {
            use rustls_pki_types::pem::PemObject;
            let certs = rustls_pki_types::CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("--ca-cert {}: {e}", path.display()))?;
            if certs.is_empty() {
                return Err(format!("--ca-cert {}: no PEM certificate in it", path.display()));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| format!("--ca-cert {}: {e}", path.display()))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let proxy = match &options.proxy {
            Proxy::FromEnv => Matcher::from_env(),
            Proxy::All(url) => Matcher::builder().all(url.clone()).build(),
            Proxy::None => Matcher::builder().build(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("cannot start the runtime: {e}"))?;
        Ok(Client { runtime, tls: tokio_rustls::TlsConnector::from(Arc::new(config)), proxy, timeout: options.timeout })
    }

    /// Sends one request to `url` (absolute, `http` or `https`) and reads
    /// the response. `headers` are sent in order after `Host`;
    /// `Content-Length` is added for a body or a method that has one.
    pub fn send(&self, method: &str, url: &str, headers: &[(String, String)], body: &[u8]) -> Result<(Response, Transcript), String> {
        let uri: Uri = url.parse().map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        let method = Method::from_bytes(method.as_bytes()).map_err(|_| format!("`{method}` is not an HTTP method"))?;
        let sent = Arc::new(Mutex::new(Vec::new()));
        let received = Arc::new(Mutex::new(Vec::new()));
        let recording = (Arc::clone(&sent), Arc::clone(&received));
        let work = async {
            match tokio::time::timeout(self.timeout, self.exchange(uri, method, headers, body, recording)).await {
                Ok(result) => result,
                Err(_) => Err(format!("no complete answer within {:?}", self.timeout)),
            }
        };
        // `block_on` cannot run inside another runtime: from within one (a
        // test's, say) the exchange runs on a thread of its own.
        let result = if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|scope| scope.spawn(|| self.runtime.block_on(work)).join()).unwrap_or_else(|_| Err("the client thread panicked".into()))
        } else {
            self.runtime.block_on(work)
        };
        let take = |bytes: &Tape| std::mem::take(&mut *bytes.lock().unwrap_or_else(|e| e.into_inner()));
        let transcript = Transcript { sent: take(&sent), received: take(&received) };
        result.map(|response| (response, transcript))
    }

    async fn exchange(
        &self,
        uri: Uri,
        method: Method,
        headers: &[(String, String)],
        body: &[u8],
        (sent, received): (Tape, Tape),
    ) -> Result<Response, String> {
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(format!("`{uri}`: only http:// and https:// URLs are supported")),
        };
        let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(|| format!("`{uri}` names no host"))?;
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let authority = uri.authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
        // An IPv6 literal is bracketed in a URL and bare everywhere else.
        let bare_host = host.trim_start_matches('[').trim_end_matches(']');
        let intercept = self.proxy.intercept(&uri);
        let mut absolute_form = false;
        let mut stream: Box<dyn Io> = match &intercept {
            None => Box::new(connect(bare_host, port).await?),
            Some(proxy) => {
                let proxy_uri = proxy.uri();
                if proxy_uri.scheme_str() != Some("http") {
                    return Err(format!("proxy `{proxy_uri}`: only http:// proxies are supported"));
                }
                let proxy_host = proxy_uri.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
                let tcp = connect(proxy_host, proxy_uri.port_u16().unwrap_or(80)).await?;
                if https {
                    Box::new(tunnel(tcp, &format!("{host}:{port}"), proxy.basic_auth()).await?)
                } else {
                    absolute_form = true;
                    Box::new(tcp)
                }
            }
        };
        if https {
            let name = rustls_pki_types::ServerName::try_from(bare_host.to_owned()).map_err(|e| format!("`{host}`: {e}"))?;
            let tls = self.tls.connect(name, stream).await.map_err(|e| format!("TLS with {host}:{port}: {e}"))?;
            stream = Box::new(tls);
        }
        let io = TokioIo::new(Recorder { inner: stream, sent, received });
        let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
            .title_case_headers(true)
            .handshake::<_, Full<Bytes>>(io)
            .await
            .map_err(|e| format!("HTTP with {authority}: {e}"))?;
        let driver = tokio::spawn(connection);
        let target = if absolute_form { uri.to_string() } else { uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into()) };
        let mut request = Request::builder().method(method.clone()).uri(target).header(HOST, &authority);
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| format!("`{name}` is not a header name"))?;
            let value = HeaderValue::from_str(value).map_err(|_| format!("the value of header `{name}` cannot be sent"))?;
            request = request.header(name, value);
        }
        if absolute_form && let Some(auth) = intercept.as_ref().and_then(|i| i.basic_auth()) {
            request = request.header(http::header::PROXY_AUTHORIZATION, auth.clone());
        }
        if !body.is_empty() || matches!(method, Method::POST | Method::PUT | Method::PATCH) {
            request = request.header(CONTENT_LENGTH, body.len());
        }
        let request = request.body(Full::new(Bytes::copy_from_slice(body))).map_err(|e| e.to_string())?;
        let response = sender.send_request(request).await.map_err(|e| format!("{method} {uri}: {e}"))?;
        let (parts, incoming) = response.into_parts();
        let body = Limited::new(incoming, MAX_RESPONSE)
            .collect()
            .await
            .map_err(|e| format!("reading the response body: {e} (at most {} MiB is read)", MAX_RESPONSE >> 20))?
            .to_bytes()
            .to_vec();
        drop(sender);
        let _ = driver.await;
        let headers = parts.headers.iter().map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect();
        Ok(Response { status: parts.status.as_u16(), headers, body })
    }
}

/// A connection of any kind: TCP, a tunnel, TLS over either.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

async fn connect(host: &str, port: u16) -> Result<TcpStream, String> {
    let stream = TcpStream::connect((host, port)).await.map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// A `CONNECT` tunnel through an HTTP proxy to `authority`.
async fn tunnel(proxy: TcpStream, authority: &str, auth: Option<&HeaderValue>) -> Result<TokioIo<hyper::upgrade::Upgraded>, String> {
    let (mut sender, connection) = hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(proxy)).await.map_err(|e| format!("the proxy: {e}"))?;
    tokio::spawn(connection.with_upgrades());
    let mut request = Request::builder().method(Method::CONNECT).uri(authority).header(HOST, authority);
    if let Some(auth) = auth {
        request = request.header(http::header::PROXY_AUTHORIZATION, auth.clone());
    }
    let request = request.body(Empty::new()).map_err(|e| e.to_string())?;
    let response = sender.send_request(request).await.map_err(|e| format!("CONNECT {authority} through the proxy: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("the proxy answered CONNECT {authority} with {}", response.status()));
    }
    let upgraded = hyper::upgrade::on(response).await.map_err(|e| format!("CONNECT {authority} through the proxy: {e}"))?;
    Ok(TokioIo::new(upgraded))
}

/// A connection that keeps a copy of every byte through it.
struct Recorder {
    inner: Box<dyn Io>,
    sent: Tape,
    received: Tape,
}

fn record(into: &Mutex<Vec<u8>>, bytes: &[u8]) {
    into.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(bytes);
}

impl AsyncRead for Recorder {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = poll {
            record(&self.received, &buf.filled()[before..]);
        }
        poll
    }
}

impl AsyncWrite for Recorder {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, bytes);
        if let Poll::Ready(Ok(n)) = poll {
            record(&self.sent, &bytes[..n]);
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
