//! `cargo run -p reference-server -- --port 12111`: serves the reference
//! Checkout Sessions server until interrupted.

use std::process::ExitCode;
use std::sync::Arc;

use reference_server::{Config, DEFAULT_API_KEY, ReferenceServer, WebhookEndpoint, serve_with, tls_config};

const USAGE: &str = "\
usage: reference-server [--host 127.0.0.1] [--port 12111] [--api-key KEY]... [--threads N]
                        [--webhook URL --webhook-secret SECRET]...

  --host HOST     address to listen on (default 127.0.0.1)
  --port PORT     port to listen on (default 12111; 0 picks a free one)
  --api-key KEY   a Bearer key to accept; repeat for several (default sk_test_reference)
  --threads N     worker threads (default: one per core)
  --webhook URL   send signed checkout.session.* events to this http:// URL;
                  repeat for several endpoints
  --webhook-secret SECRET
                  the signing secret (whsec_...) of the --webhook before it
  --misbehave     break the contract on purpose, for checking contract checkers
  --tls-cert FILE serve HTTPS with this PEM certificate chain ...
  --tls-key FILE  ... and this PEM private key (both or neither)
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut host, mut port, mut keys, mut threads) = ("127.0.0.1".to_owned(), 12111u16, Vec::new(), None);
    let mut webhooks: Vec<(String, Option<String>)> = Vec::new();
    let mut misbehave = false;
    let (mut tls_cert, mut tls_key) = (None, None);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let parsed = match arg.as_str() {
            "--host" => value("--host").map(|v| host = v),
            "--port" => value("--port").and_then(|v| v.parse().map(|p| port = p).map_err(|_| format!("bad port `{v}`"))),
            "--api-key" => value("--api-key").map(|v| keys.push(v)),
            "--webhook" => value("--webhook").and_then(|v| {
                if !v.starts_with("http://") {
                    return Err(format!("`{v}`: a webhook URL must be http://"));
                }
                webhooks.push((v, None));
                Ok(())
            }),
            "--webhook-secret" => value("--webhook-secret").and_then(|v| match webhooks.last_mut() {
                Some((_, secret @ None)) => {
                    *secret = Some(v);
                    Ok(())
                }
                _ => Err("--webhook-secret follows the --webhook it signs for".into()),
            }),
            "--threads" => value("--threads")
                .and_then(|v| v.parse().ok().filter(|&n: &usize| n > 0).map(|n| threads = Some(n)).ok_or(format!("bad thread count `{v}`"))),
            "--tls-cert" => value("--tls-cert").map(|v| tls_cert = Some(std::path::PathBuf::from(v))),
            "--tls-key" => value("--tls-key").map(|v| tls_key = Some(std::path::PathBuf::from(v))),
            "--misbehave" => {
                misbehave = true;
                Ok(())
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument `{other}`")),
        };
        if let Err(message) = parsed {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::FAILURE;
        }
    }
    if keys.is_empty() {
        keys.push(DEFAULT_API_KEY.to_owned());
    }
    let mut endpoints = Vec::new();
    for (url, secret) in webhooks {
        match secret {
            Some(secret) => endpoints.push(WebhookEndpoint { url, secret }),
            None => {
                eprintln!("error: --webhook {url} needs a --webhook-secret\n\n{USAGE}");
                return ExitCode::FAILURE;
            }
        }
    }
    let tls = match (&tls_cert, &tls_key) {
        (Some(cert), Some(key)) => match tls_config(cert, key) {
            Ok(tls) => Some(tls),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::FAILURE;
            }
        },
        (None, None) => None,
        _ => {
            eprintln!("error: --tls-cert and --tls-key go together\n\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let config = Config { api_keys: keys, webhooks: endpoints, misbehave, ..Config::default() };
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = threads {
        builder.worker_threads(threads);
    }
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result: std::io::Result<()> = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((host.as_str(), port)).await?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        eprintln!("reference-server listening on {scheme}://{}", listener.local_addr()?);
        serve_with(Arc::new(ReferenceServer::new(config)), listener, tls).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
