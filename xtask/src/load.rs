//! `cargo xtask bench-server`: requests per second and latency of the
//! reference server on create and retrieve, over loopback.
//!
//! The server runs on its own multi-threaded runtime; the load generator
//! runs on a single-threaded one and keeps `--connections` keep-alive
//! HTTP/1.1 connections busy, one request in flight on each, for
//! `--seconds` per scenario. It measures, it asserts nothing.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reference_server::{Config, DEFAULT_API_KEY, ReferenceServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::take_value;

const CREATE_BODY: &str = "mode=payment&success_url=https%3A%2F%2Fexample.com%2Fok\
    &line_items[0][price]=price_1MotwRLkdIwHu7ixYcPLm5uZ&line_items[0][quantity]=2";

/// One request, as bytes, ready to send again and again.
fn request(method: &str, path: &str, body: &str) -> Vec<u8> {
    let mut text = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {DEFAULT_API_KEY}\r\n"
    );
    if !body.is_empty() {
        text.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text.into_bytes()
}

/// Reads one response; answers its status and body.
async fn response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> std::io::Result<(u16, Vec<u8>)> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_string();
            let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            let total = end + 4 + length;
            while buffer.len() < total {
                let mut chunk = [0u8; 16384];
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
            let body = buffer[end + 4..total].to_vec();
            buffer.drain(..total);
            return Ok((status, body));
        }
        let mut chunk = [0u8; 16384];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

struct Outcome {
    requests: usize,
    errors: usize,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

async fn scenario(addr: std::net::SocketAddr, connections: usize, seconds: u64, bytes: Arc<Vec<u8>>) -> Outcome {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let bytes = Arc::clone(&bytes);
            tokio::task::spawn_local(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let Ok(mut stream) = TcpStream::connect(addr).await else { return (latencies, 1) };
                let _ = stream.set_nodelay(true);
                let mut buffer = Vec::with_capacity(32 * 1024);
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    if stream.write_all(&bytes).await.is_err() {
                        errors += 1;
                        break;
                    }
                    match response(&mut stream, &mut buffer).await {
                        Ok((200, _)) => latencies.push(sent.elapsed()),
                        Ok(_) => errors += 1,
                        Err(_) => {
                            errors += 1;
                            break;
                        }
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut outcome = Outcome { requests: 0, errors: 0, latencies: Vec::new(), elapsed: Duration::ZERO };
    for task in tasks {
        if let Ok((latencies, errors)) = task.await {
            outcome.requests += latencies.len();
            outcome.errors += errors;
            outcome.latencies.extend(latencies);
        }
    }
    outcome.elapsed = started.elapsed();
    outcome.latencies.sort();
    outcome
}

fn report(name: &str, outcome: &Outcome) {
    let at = |q: f64| {
        let n = outcome.latencies.len();
        if n == 0 { Duration::ZERO } else { outcome.latencies[((n as f64 * q) as usize).min(n - 1)] }
    };
    println!(
        "  {name:<9} {:>8.0} req/s   p50 {:>8.1?}   p99 {:>8.1?}   ({} requests, {} errors, {:.1?})",
        outcome.requests as f64 / outcome.elapsed.as_secs_f64(),
        at(0.50),
        at(0.99),
        outcome.requests,
        outcome.errors,
        outcome.elapsed,
    );
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut args = args.to_vec();
    let seconds: u64 = take_value(&mut args, "--seconds")?.map_or(Ok(5), |v| v.parse().map_err(|_| "--seconds needs a number"))?;
    let connections: usize =
        take_value(&mut args, "--connections")?.map_or(Ok(32), |v| v.parse().map_err(|_| "--connections needs a number"))?;
    let workers: usize = take_value(&mut args, "--server-threads")?
        .map_or(Ok(2), |v| v.parse().map_err(|_| "--server-threads needs a number"))?;
    if let Some(extra) = args.first() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    // The server, on its own runtime.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let listener = server_runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = Arc::new(ReferenceServer::new(Config::default()));
    server_runtime.spawn(reference_server::serve(Arc::clone(&server), listener));

    let client_runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let local = tokio::task::LocalSet::new();
    let profile = if cfg!(debug_assertions) { "debug build: use --release for real figures" } else { "release build" };
    println!(
        "reference server on {addr}, {workers} server threads, {connections} connections, {seconds} s per scenario ({profile}):"
    );
    local.block_on(&client_runtime, async {
        let create = Arc::new(request("POST", "/v1/checkout/sessions", CREATE_BODY));
        report("create", &scenario(addr, connections, seconds, create).await);
        // One session to retrieve again and again.
        let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        stream.write_all(&request("POST", "/v1/checkout/sessions", CREATE_BODY)).await.map_err(|e| e.to_string())?;
        let (_, body) = response(&mut stream, &mut Vec::new()).await.map_err(|e| e.to_string())?;
        let session: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        let id = session["id"].as_str().ok_or("the create answered no id")?.to_owned();
        let retrieve = Arc::new(request("GET", &format!("/v1/checkout/sessions/{id}"), ""));
        report("retrieve", &scenario(addr, connections, seconds, retrieve).await);
        let list = Arc::new(request("GET", "/v1/checkout/sessions?limit=10", ""));
        report("list", &scenario(addr, connections, seconds, list).await);
        Ok::<(), String>(())
    })?;
    println!("  ({} sessions stored at the end)", server.session_count());
    Ok(ExitCode::SUCCESS)
}
