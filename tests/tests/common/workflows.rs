//! The spec's Arazzo workflows run against a server, as `cargo xtask
//! contract --server` runs them.

use openapi_contract::Case;
use openapi_contract::arazzo::{self, run::Target};
use openapi_contract::checks::Spec;
use openapi_contract::client::Client;
use reference_server::DEFAULT_API_KEY;

/// `spec/checkout_sessions.arazzo.yaml` against `url`, through `client`,
/// with the reference server's key.
pub async fn checkout(url: String, client: Client) -> Vec<Case> {
    tokio::task::spawn_blocking(move || {
        let root = contract_tests::root();
        let mut spec = Spec::load(&root.join("spec/checkout_sessions.yaml")).unwrap();
        let text = std::fs::read_to_string(root.join("spec/checkout_sessions.arazzo.yaml")).unwrap();
        let doc = arazzo::Document::load("checkout_sessions.arazzo.yaml", &text, &spec.doc).unwrap_or_else(|e| panic!("{e}"));
        let headers = vec![("Authorization".to_owned(), format!("Bearer {DEFAULT_API_KEY}"))];
        let target = Target { base_url: url, headers, client };
        arazzo::run::run_all(&doc, &mut spec, &target, &Default::default())
    })
    .await
    .unwrap()
}
