//! The `media` fixture's generated server (`tests/fixtures/media.yaml`),
//! served for tools that test it from outside (schemathesis, in `.ci/run`):
//! `cargo run -p contract-tests --example media_server -- --port 12115`
//! (`--port 0`: a port the system chooses). It says where it listens on
//! stderr.

use std::sync::Arc;

use contract_tests::fixtures::media::server;
use contract_tests::media::Media;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let port = match args.iter().position(|a| a == "--port").and_then(|i| args.get(i + 1)) {
        Some(port) => port.parse().map_err(|_| std::io::Error::other(format!("--port takes a number, not `{port}`")))?,
        None => 0u16,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    eprintln!("media server listening on http://{}", listener.local_addr()?);
    server::serve(listener, Arc::new(Media::default())).await
}
