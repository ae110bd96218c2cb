//! Streams bytes through the generated client and server of the `media`
//! fixture, or through a plain reqwest client and axum server (the peer),
//! over loopback, and prints one JSON line: the bytes moved, the seconds
//! taken and the process's peak resident memory (`VmHWM`). One case per
//! process, so that each peak is its own; `cargo xtask bench-stream` runs
//! them all and compares.
//!
//! `stream_bench --case CASE --bytes N`, CASE one of `generated-up`
//! (PUT /files/{id}/content, a stream of N bytes), `generated-down`
//! (GET /files/{N}/content, read chunk by chunk), `plain-up`, `plain-down`
//! (the same exchanges by hand), `idle` (a server and a client, a few
//! bytes: the floor).

use std::sync::Arc;
use std::time::Instant;

use contract_tests::fixtures::media::client::Client;
use contract_tests::fixtures::media::http_client::Upload;
use contract_tests::fixtures::media::server;
use contract_tests::media::Media;
use futures_util::StreamExt;
use tokio::net::TcpListener;

/// The size of each chunk sent, by every case.
const CHUNK: usize = 64 << 10;

fn chunks(total: usize) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    futures_util::stream::iter((0..total).step_by(CHUNK).map(move |start| Ok(vec![7u8; CHUNK.min(total - start)])))
}

/// The peak resident set of this process, in bytes (Linux; 0 elsewhere).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap_or("VmHWM: 0 kB");
    line.split_whitespace().nth(1).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0) * 1024
}

async fn generated(up: bool, total: usize) -> Result<usize, String> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| e.to_string())?;
    let url = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
    tokio::spawn(server::serve(listener, Arc::new(Media { check: false })));
    let client = Client::from_http(Client::builder(&url).max_retries(0).build().map_err(|e| e.to_string())?);
    if up {
        let received = client.replace_file("f1", Upload::stream(chunks(total))).await.map_err(|e| e.to_string())?;
        Ok(received.bytes as usize)
    } else {
        let mut download = client.download_file(&total.to_string()).await.map_err(|e| e.to_string())?;
        let mut seen = 0;
        while let Some(chunk) = download.chunk().await.map_err(|e| e.to_string())? {
            seen += chunk.len();
        }
        Ok(seen)
    }
}

async fn plain(up: bool, total: usize) -> Result<usize, String> {
    use axum::body::Body;
    let app = axum::Router::new()
        .route(
            "/up",
            axum::routing::put(|body: Body| async move {
                let mut stream = body.into_data_stream();
                let mut seen = 0usize;
                while let Some(Ok(chunk)) = stream.next().await {
                    seen += chunk.len();
                }
                seen.to_string()
            }),
        )
        .route(
            "/down/{n}",
            axum::routing::get(|axum::extract::Path(n): axum::extract::Path<usize>| async move { Body::from_stream(chunks(n)) }),
        );
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| e.to_string())?;
    let url = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::new();
    if up {
        let answer = client.put(format!("{url}/up")).body(reqwest::Body::wrap_stream(chunks(total))).send().await;
        let text = answer.map_err(|e| e.to_string())?.text().await.map_err(|e| e.to_string())?;
        text.parse().map_err(|_| format!("answered {text:?}"))
    } else {
        let answer = client.get(format!("{url}/down/{total}")).send().await.map_err(|e| e.to_string())?;
        let mut stream = answer.bytes_stream();
        let mut seen = 0;
        while let Some(chunk) = stream.next().await {
            seen += chunk.map_err(|e| e.to_string())?.len();
        }
        Ok(seen)
    }
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let case = value("--case").ok_or("--case CASE is needed")?;
    let total: usize = value("--bytes").unwrap_or_else(|| (1usize << 30).to_string()).parse().map_err(|_| "--bytes takes a number")?;
    let started = Instant::now();
    let moved = match case.as_str() {
        "generated-up" => generated(true, total).await?,
        "generated-down" => generated(false, total).await?,
        "plain-up" => plain(true, total).await?,
        "plain-down" => plain(false, total).await?,
        "idle" => generated(false, 10).await?,
        other => return Err(format!("no case `{other}`")),
    };
    let seconds = started.elapsed().as_secs_f64();
    let expected = if case == "idle" { 10 } else { total };
    if moved != expected {
        return Err(format!("{case}: {moved} bytes arrived of {expected}"));
    }
    println!("{}", serde_json::json!({"case": case, "bytes": moved, "seconds": seconds, "peak_rss": peak_rss()}));
    Ok(())
}
