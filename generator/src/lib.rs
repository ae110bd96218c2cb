//! Generates Rust code from an OpenAPI 3.0 document.
//!
//! The data path is load → validate → IR → emit:
//!
//! - [`Document`] loads YAML or JSON and checks references, versions,
//!   operation ids and schema types, reporting every problem with its JSON
//!   pointer and line ([`Problems`]).
//! - [`Generator::build`] turns the document into the [`ir::Api`] model,
//!   where every name is decided.
//! - [`Generator::modules`] renders the model to formatted Rust modules.
//!
//! ```no_run
//! use openapi_codegen::Generator;
//! let generator = Generator::new().with_command("cargo xtask codegen");
//! let doc = generator.load("spec/api.yaml".as_ref())?;
//! let api = generator.build(&doc)?;
//! for (file, code) in generator.modules(&api)? {
//!     println!("{file}: {} bytes", code.len());
//! }
//! # Ok::<(), openapi_codegen::Error>(())
//! ```
//!
//! Architecture invariant: nothing here knows any particular API; every
//! decision is driven by the document.

mod build;
pub mod bundle;
pub mod cycles;
mod docs;
mod emit;
mod error;
pub mod ir;
mod load;
mod locate;
mod naming;
mod post;
mod structure;
pub mod shape;
pub mod v31;
pub mod v32;
mod validate;
pub mod walk;
mod yaml;

// `pub mod formats`: the string format checks, shared with every generated
// `runtime.rs` (which carries the same text).
include!("../templates/formats.rs");

use std::path::Path;

pub use build::{RESERVED_ARGUMENT_NAMES, RESERVED_METHOD_NAMES, Settings, glob_match};
pub use emit::reserved_type_names;
pub use error::{Error, Problem, ProblemKind, Problems};
pub use load::{Document, MoreOperation, OperationAt, Phases, escape_segment};
pub use locate::line_of;
pub use yaml::{YamlError, parse_yaml};

/// The stack [`with_stack`] gives: enough for the deepest document the
/// parsers accept (128 levels) through every recursive pass, in a debug
/// build. Only the pages touched are ever committed.
const STACK: usize = 256 << 20;

/// Runs `f` on a thread of its own with [`STACK`] bytes of stack. The
/// typed OpenAPI model's deserializer and the IR builder recurse once or
/// more per level of schema nesting, with large frames in debug builds: on
/// the caller's thread (2 MiB for a test or a tokio worker) a document
/// nested 55 levels deep, well within what the parsers accept, overflowed.
pub(crate) fn with_stack<T: Send>(f: impl FnOnce() -> Result<T, Error> + Send) -> Result<T, Error> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().stack_size(STACK).spawn_scoped(scope, f).map_err(Error::Thread)?;
        thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Generated modules, as `(file name, source)`.
pub type Modules = Vec<(&'static str, String)>;

/// Generation settings and entry points.
#[derive(Debug, Clone)]
pub struct Generator {
    settings: Settings,
    command: String,
}

impl Default for Generator {
    fn default() -> Self {
        Self::new()
    }
}

impl Generator {
    /// Everything in the document; headers name `cargo xtask codegen`.
    pub fn new() -> Self {
        Generator { settings: Settings::default(), command: "cargo xtask codegen".into() }
    }

    /// Only operations whose path matches one of `globs`, and what they reach.
    pub fn with_paths(mut self, globs: Vec<String>) -> Self {
        self.settings.paths = globs;
        self
    }

    /// Keep only the ID of expandable fields past `depth` levels of expansion.
    pub fn with_expand_depth(mut self, depth: Option<usize>) -> Self {
        self.settings.expand_depth = depth;
        self
    }

    /// The command that regenerates the output, named in file headers.
    pub fn with_command(mut self, command: impl Into<String>) -> Self {
        self.command = command.into();
        self
    }

    /// Loads and validates a spec file.
    pub fn load(&self, path: &Path) -> Result<Document, Error> {
        Document::from_path(path)
    }

    /// Loads spec text, builds and renders it, and says how long each phase
    /// took: what `cargo xtask bench` reports.
    pub fn run_timed(&self, source: &str, text: String) -> Result<(Modules, Phases), Error> {
        let mut phases = Phases::default();
        let doc = Document::from_text_timed(source, text, &mut phases)?;
        let started = std::time::Instant::now();
        let api = self.build(&doc)?;
        phases.build = started.elapsed();
        let started = std::time::Instant::now();
        let format_before = emit::FORMAT_NANOS.load(std::sync::atomic::Ordering::Relaxed);
        let modules = self.modules(&api)?;
        phases.emit = started.elapsed();
        let formatted = emit::FORMAT_NANOS.load(std::sync::atomic::Ordering::Relaxed).saturating_sub(format_before);
        phases.format = std::time::Duration::from_nanos(formatted);
        Ok((modules, phases))
    }

    /// Builds the IR of a loaded document.
    pub fn build(&self, doc: &Document) -> Result<ir::Api, Error> {
        with_stack(|| build::build(doc, &self.settings))
    }

    /// The generated modules, as `(file name, source)`: `runtime.rs`,
    /// `types.rs` and `schemas.rs` (serde only), `wire.rs` and `security.rs`
    /// (client and server),
    /// `http_client.rs` and `client.rs` (client), `http_server.rs` and
    /// `server.rs` (server), `webhooks.rs` (serde only), `signature.rs`
    /// (webhooks) and `webhook_receiver.rs` (webhooks and server).
    pub fn modules(&self, api: &ir::Api) -> Result<Modules, Error> {
        let header = emit::header(&self.command);
        let verbatim = |text: &str| format!("{header}\n{text}");
        // The modules render independently: the server, client, schemas and
        // webhooks each on a thread of their own while this one renders the
        // types (which spread over all cores themselves), so that no module
        // waits for another.
        std::thread::scope(|scope| {
            let header = &header;
            let spawn = |emit: fn(&ir::Api, &str) -> Result<String, Error>| {
                std::thread::Builder::new().stack_size(STACK).spawn_scoped(scope, move || emit(api, header)).map_err(Error::Thread)
            };
            let (server, client, schemas, webhooks) =
                (spawn(emit::server)?, spawn(emit::client)?, spawn(emit::schemas)?, spawn(emit::webhooks)?);
            let types = emit::types(api, header);
            let security = emit::security(api, header);
            let join = |thread: std::thread::ScopedJoinHandle<'_, Result<String, Error>>| {
                thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            };
            let (server, client, schemas, webhooks) = (join(server), join(client), join(schemas), join(webhooks));
            Ok(vec![
                ("runtime.rs", verbatim(emit::RUNTIME)),
                ("types.rs", types?),
                ("schemas.rs", schemas?),
                ("wire.rs", verbatim(emit::WIRE)),
                ("security.rs", security?),
                ("http_client.rs", verbatim(emit::HTTP_CLIENT)),
                ("client.rs", client?),
                ("http_server.rs", verbatim(emit::HTTP_SERVER)),
                ("server.rs", server?),
                ("webhooks.rs", webhooks?),
                ("signature.rs", verbatim(emit::SIGNATURE)),
                ("webhook_receiver.rs", verbatim(emit::WEBHOOK_RECEIVER)),
            ])
        })
    }

    /// A standalone crate around the modules: `Cargo.toml`, `src/lib.rs`
    /// and `src/<module>.rs`, as `(relative path, contents)`. The types need
    /// only serde; the client and the server are behind features.
    pub fn standalone_crate(&self, api: &ir::Api, crate_name: &str) -> Result<Vec<(String, String)>, Error> {
        let header = emit::header(&self.command);
        let cargo = format!(
            r#"# @generated by `{command}`. Do not edit by hand.
[package]
name = "{crate_name}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
reqwest = {{ version = "0.13", default-features = false, features = ["stream", "multipart"], optional = true }}
futures-util = {{ version = "0.3", default-features = false, optional = true }}
tokio = {{ version = "1", default-features = false, features = ["time", "fs", "io-util", "rt"], optional = true }}
serde_path_to_error = {{ version = "0.1", optional = true }}
form_urlencoded = {{ version = "1", optional = true }}
percent-encoding = {{ version = "2", optional = true }}
axum = {{ version = "0.8", default-features = false, features = ["http1", "tokio"], optional = true }}
hyper = {{ version = "1", default-features = false, features = ["server", "http1"], optional = true }}
hyper-util = {{ version = "0.1", default-features = false, features = ["tokio"], optional = true }}
httparse = {{ version = "1", optional = true }}
tower-service = {{ version = "0.3", optional = true }}
serde_ignored = {{ version = "0.1", optional = true }}
base64 = {{ version = "0.23", default-features = false, features = ["alloc"], optional = true }}
multer = {{ version = "3", optional = true }}
regex = {{ version = "1", default-features = false, features = ["std", "perf", "unicode"], optional = true }}
hmac = {{ version = "0.12", optional = true }}
sha2 = {{ version = "0.10", optional = true }}

[features]
default = []
form = ["dep:form_urlencoded", "dep:percent-encoding"]
client = ["form", "dep:reqwest", "dep:futures-util", "dep:tokio", "dep:serde_path_to_error"]
rustls = ["client", "reqwest/rustls"]
server = ["form", "dep:axum", "dep:tokio", "dep:serde_path_to_error", "dep:serde_ignored", "dep:hyper", "dep:hyper-util", "dep:httparse", "dep:tower-service", "dep:base64", "dep:multer", "dep:futures-util", "dep:regex"]
webhooks = ["dep:hmac", "dep:sha2"]

[dev-dependencies]
serde_json = "1"

[workspace]
"#,
            command = self.command
        );
        let lib = format!(
            "{header}\n//! {} {}: generated types, and behind the features `client` and `server` a client and server stubs.\n\n\
             pub mod runtime;\npub mod schemas;\npub mod types;\npub mod webhooks;\n\n\
             #[cfg(feature = \"client\")]\npub mod client;\n#[cfg(feature = \"client\")]\npub mod http_client;\n\
             #[cfg(feature = \"server\")]\npub mod http_server;\n#[cfg(feature = \"server\")]\npub mod server;\n\
             #[cfg(feature = \"form\")]\npub mod security;\n#[cfg(feature = \"form\")]\npub mod wire;\n\
             #[cfg(feature = \"webhooks\")]\npub mod signature;\n\
             #[cfg(all(feature = \"webhooks\", feature = \"server\"))]\npub mod webhook_receiver;\n",
            api.title, api.version
        );
        let mut files = vec![("Cargo.toml".to_owned(), cargo), ("src/lib.rs".to_owned(), lib)];
        for (name, code) in self.modules(api)? {
            files.push((format!("src/{name}"), code));
        }
        Ok(files)
    }
}

#[cfg(test)]
mod format_tests {
    use crate::formats;

    #[test]
    fn dates_and_times_follow_rfc_3339() {
        for good in ["2024-02-29T00:00:00Z", "2023-12-31T23:59:60.5+01:00", "2000-01-01t10:00:00z", "2024-06-20T12:30:00.123456789-07:00"] {
            assert!(formats::date_time(good), "{good}");
        }
        for bad in ["2023-02-29T00:00:00Z", "2024-06-20 12:30:00Z", "2024-06-20T24:00:00Z", "2024-06-20T12:30:00", "2024-06-20T12:30:00+0100", "2024-06-20T12:30:00.Z"] {
            assert!(!formats::date_time(bad), "{bad}");
        }
        assert!(formats::date("2024-06-20") && !formats::date("2024-6-20") && !formats::date("2024-13-01"));
    }

    #[test]
    fn other_formats() {
        assert!(formats::uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!formats::uuid("123e4567e89b12d3a456426614174000"));
        assert!(formats::ipv4("192.168.0.1") && !formats::ipv4("192.168.0.01") && !formats::ipv4("256.1.1.1"));
        assert!(formats::uri("https://example.com/a?b=c") && formats::uri("mailto:a@b.c"));
        assert!(!formats::uri("example.com") && !formats::uri("https://exa mple.com") && !formats::uri("1http://x"));
    }

    #[test]
    fn emails_and_ipv6() {
        assert!(formats::email("a@b.c") && !formats::email("ab"));
        assert!(formats::ipv6("::1") && formats::ipv6("2001:db8::8a2e:370:7334") && !formats::ipv6("1.2.3.4"));
        assert_eq!(formats::accepts("date", "2024-02-30"), Some(false));
        assert_eq!(formats::accepts("unix-time", "x"), None);
    }
}
