//! `cargo xtask bench-server`: requests per second and latency of the
//! reference server on create, retrieve and list, over loopback.
//!
//! The server is the `reference-server` binary, built in release mode and
//! started as a child process (so `xtask` never links the generated crate:
//! it must be able to regenerate that crate even when it does not compile).
//! The load generator keeps `--connections` keep-alive HTTP/1.1
//! connections busy from as many threads, one request in flight on each,
//! for `--seconds` per scenario. It measures; it asserts nothing.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use openapi_contract::http;

use crate::root;

/// The key the reference server accepts unless told otherwise.
const API_KEY: &str = "sk_test_reference";

const CREATE_BODY: &str = "mode=payment&success_url=https%3A%2F%2Fexample.com%2Fok\
    &line_items[0][price]=price_1MotwRLkdIwHu7ixYcPLm5uZ&line_items[0][quantity]=2";

/// One request, as bytes, ready to send again and again.
fn request(method: &str, path: &str, body: &str) -> Vec<u8> {
    let authorization = format!("Bearer {API_KEY}");
    let mut headers = vec![("Authorization", authorization.as_str())];
    if !body.is_empty() {
        headers.push(("Content-Type", "application/x-www-form-urlencoded"));
    }
    http::request_bytes(method, path, "127.0.0.1", &headers, body.as_bytes())
}

struct Outcome {
    errors: usize,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

/// One connection: sends `bytes` until `deadline`, timing each answer.
fn connection(addr: SocketAddr, bytes: &[u8], deadline: Instant) -> (Vec<Duration>, usize) {
    let (mut latencies, mut errors) = (Vec::new(), 0);
    let Ok(mut stream) = TcpStream::connect(addr) else { return (latencies, 1) };
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::with_capacity(32 * 1024);
    while Instant::now() < deadline {
        let sent = Instant::now();
        if stream.write_all(bytes).is_err() {
            return (latencies, errors + 1);
        }
        match http::read_response(&mut stream, &mut buffer, false) {
            Ok(response) if response.status == 200 => latencies.push(sent.elapsed()),
            Ok(_) => errors += 1,
            Err(_) => return (latencies, errors + 1),
        }
    }
    (latencies, errors)
}

fn scenario(addr: SocketAddr, connections: usize, seconds: u64, bytes: &[u8]) -> Outcome {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut outcome = Outcome { errors: 0, latencies: Vec::new(), elapsed: Duration::ZERO };
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..connections).map(|_| scope.spawn(|| connection(addr, bytes, deadline))).collect();
        for thread in threads {
            let (latencies, errors) = thread.join().unwrap_or_default();
            outcome.errors += errors;
            outcome.latencies.extend(latencies);
        }
    });
    outcome.elapsed = started.elapsed();
    outcome.latencies.sort();
    outcome
}

fn report(name: &str, outcome: &Outcome) {
    let n = outcome.latencies.len();
    let at = |q: f64| if n == 0 { Duration::ZERO } else { outcome.latencies[((n as f64 * q) as usize).min(n - 1)] };
    println!(
        "  {name:<9} {:>8.0} req/s   p50 {:>8.1?}   p99 {:>8.1?}   ({n} requests, {} errors, {:.1?})",
        n as f64 / outcome.elapsed.as_secs_f64(),
        at(0.50),
        at(0.99),
        outcome.errors,
        outcome.elapsed,
    );
}

/// The running server; killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds the reference server in release mode and starts it on a free
/// port; answers the child and the address it printed.
fn start(threads: usize) -> Result<(Server, SocketAddr), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .current_dir(root())
        .args(["build", "--quiet", "--release", "-p", "reference-server"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building the reference server failed".into());
    }
    let binary = root().join("target/release/reference-server");
    let mut child = Command::new(&binary)
        .args(["--port", "0", "--threads", &threads.to_string()])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stderr).read_line(&mut line).map_err(|e| e.to_string())?;
    let addr = line
        .trim()
        .rsplit("http://")
        .next()
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| format!("the reference server said `{}`, not where it listens", line.trim()))?;
    Ok((server, addr))
}

/// `cargo xtask bench-server`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Seconds per scenario.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    seconds: u64,
    /// Keep-alive connections.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..))]
    connections: u32,
    /// The server's worker threads.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    server_threads: u32,
}

pub fn run(args: Args) -> Result<ExitCode, String> {
    let (seconds, connections, threads) = (args.seconds, args.connections as usize, args.server_threads as usize);
    let (_server, addr) = start(threads)?;
    println!("reference server (release) on {addr}, {threads} server threads, {connections} connections, {seconds} s per scenario:");

    report("create", &scenario(addr, connections, seconds, &request("POST", "/v1/checkout/sessions", CREATE_BODY)));
    // One session to retrieve again and again.
    let mut stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    stream.write_all(&request("POST", "/v1/checkout/sessions", CREATE_BODY)).map_err(|e| e.to_string())?;
    let answer = http::read_response(&mut stream, &mut Vec::new(), false)?;
    let body = String::from_utf8_lossy(&answer.body);
    let id = body
        .split("\"id\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("the create answered no id")?
        .to_owned();
    report("retrieve", &scenario(addr, connections, seconds, &request("GET", &format!("/v1/checkout/sessions/{id}"), "")));
    report("list", &scenario(addr, connections, seconds, &request("GET", "/v1/checkout/sessions?limit=10", "")));
    Ok(ExitCode::SUCCESS)
}
