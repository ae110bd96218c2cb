//! `contract`: the contract checks of a spec, and of a live server.
//!
//! 1. every example of the spec satisfies its schema;
//! 2. body and event examples round-trip through the generated types;
//! 3. generated values satisfy their schemas and round-trip;
//! 4. with a server, the spec's Arazzo workflows (by default the
//!    `*.arazzo.yaml` files beside the spec) against it, every request and
//!    response validated;
//! 5. with a server, generated requests that break one rule each, each
//!    expected to be refused with the spec's error response;
//!
//! and with a fixtures file, every fixture object validates and
//! round-trips. The generated types are reached through a small runner
//! binary (`openapi_contract::runner`) built against the crate generated
//! from the spec (or an existing one).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use openapi_contract::arazzo::{self, run::Target};
use openapi_contract::checks::{self, Spec};
use openapi_contract::client;
use openapi_contract::runner::{self, Runner};
use openapi_contract::{Case, Report};

use crate::codegen::Request;

/// The crate whose types the round trips go through.
pub enum TypesCrate {
    /// Generated from this spec (into the work folder).
    Generate(PathBuf),
    /// A crate already generated: its folder and package name.
    Existing(PathBuf, String),
}

/// Builds the runner for the crate `types` names, under `work`, with the
/// lock file `lockfile` when one is given (pinned versions); what it does
/// is said on standard error, above `progress`.
pub fn runner(types: &TypesCrate, work: &Path, lockfile: Option<&Path>, progress: &crate::progress::Progress) -> Result<Runner, String> {
    let (crate_dir, name) = match types {
        TypesCrate::Existing(dir, name) => (dir.clone(), name.clone()),
        TypesCrate::Generate(spec) => {
            let stem = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("spec").replace(|c: char| !c.is_ascii_alphanumeric(), "-");
            let dir = work.join(format!("crates/{stem}"));
            let command = format!("openapi-kit contract {}", spec.display());
            let request = Request::standalone(spec, &dir, "api-under-contract", command, false);
            crate::codegen::write(&request.generate()?)?;
            (dir, "api-under-contract".to_owned())
        }
    };
    progress.note(&format!("contract: building the round-trip runner against {} ...", crate_dir.display()));
    let started = Instant::now();
    let runner_dir = work.join(format!("runner-{name}"));
    let binary = runner::build(&crate_dir, &name, &runner_dir, lockfile)?;
    progress.note(&format!("contract: runner ready in {:.1?}", started.elapsed()));
    Runner::start(&binary)
}

/// The Arazzo documents beside a spec: `<dir>/*.arazzo.yaml` (or `.json`), sorted.
pub fn beside(spec: &Path) -> Vec<PathBuf> {
    let dir = spec.parent().unwrap_or(Path::new("."));
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".arazzo.yaml") || n.ends_with(".arazzo.json")))
        .collect();
    found.sort();
    found
}

/// What a contract run checks, and how.
pub struct Settings {
    /// The server to check live, if any.
    pub server: Option<String>,
    /// Its Bearer key (given to workflows as the input `token` too).
    pub api_key: Option<String>,
    /// Arazzo documents (default: those beside the spec).
    pub workflows: Vec<PathBuf>,
    /// Workflow inputs.
    pub inputs: serde_json::Map<String, serde_json::Value>,
    /// Extra headers on every request.
    pub headers: Vec<(String, String)>,
    /// How the client connects (timeout, certificates, proxy).
    pub client: client::Options,
    /// Generated requests that break one rule each.
    pub negative: openapi_contract::negative::Settings,
    /// A fixtures file whose objects must validate and round-trip.
    pub fixtures: Option<PathBuf>,
    /// Generated values per schema.
    pub cases: u32,
    /// Where to write a JUnit XML report.
    pub junit: Option<PathBuf>,
    /// Where to write a JSON report.
    pub json: Option<PathBuf>,
    /// Only the live part (workflows, negative requests): no examples,
    /// round trips or generated values, so no crate is built.
    pub live_only: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            server: None,
            api_key: None,
            workflows: Vec::new(),
            inputs: serde_json::Map::new(),
            headers: Vec::new(),
            client: client::Options { timeout: Duration::from_secs(10), ..client::Options::default() },
            negative: openapi_contract::negative::Settings::default(),
            fixtures: None,
            cases: 64,
            junit: None,
            json: None,
            live_only: false,
        }
    }
}

/// Runs the checks of `spec` (its types from `types`, built under `work`
/// with `lockfile`), prints the report, writes the files asked for, and
/// answers 0 when every check held, 1 otherwise.
pub fn execute(spec_path: &Path, types: &TypesCrate, work: &Path, lockfile: Option<&Path>, settings: Settings) -> Result<ExitCode, String> {
    let started = Instant::now();
    let mut spec = Spec::load(spec_path).map_err(|e| e.to_string())?;
    let mut report = Report::default();
    let Settings { server, api_key, mut workflows, mut inputs, mut headers, client: client_options, negative, fixtures, cases, junit, json, live_only } = settings;
    let progress = crate::progress::Progress::start("loading the examples");
    spec.progress = progress.observer();
    if !live_only {
        report.cases.extend(checks::examples(&mut spec));
        progress.set("building the round-trip runner");
        let mut types = runner(types, work, lockfile, &progress)?;
        report.cases.extend(checks::round_trips(&spec, &mut types));
        let targets = checks::targets(&spec);
        report.cases.extend(checks::generated(&mut spec, &mut types, &targets, cases));
        if let Some(file) = &fixtures {
            let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            report.cases.extend(checks::fixtures(&mut spec, &mut types, &value, &file.display().to_string()));
        }
    }
    if workflows.is_empty() {
        workflows = beside(spec_path);
    }
    match &server {
        Some(_) if workflows.is_empty() && negative.per_operation == 0 => {
            report.cases.push(Case::skipped("live", "workflows", "no Arazzo workflows: pass --workflows FILE"));
        }
        Some(url) => {
            // The key goes to workflows as the input `token`, and as an
            // `Authorization` header to steps that say nothing of security.
            let key = api_key.unwrap_or_else(|| "sk_test_reference".into());
            inputs.entry("token").or_insert_with(|| serde_json::Value::String(key.clone()));
            if !headers.iter().any(|(n, _): &(String, String)| n.eq_ignore_ascii_case("authorization")) {
                headers.push(("Authorization".into(), format!("Bearer {key}")));
            }
            let target = Target { base_url: url.clone(), headers, client: client::Client::new(&client_options)? };
            for file in &workflows {
                let shown = file.display().to_string();
                let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {shown}: {e}"))?;
                match arazzo::Document::load(&shown, &text, &spec.doc) {
                    Ok(doc) => report.cases.extend(arazzo::run::run_all(&doc, &mut spec, &target, &inputs)),
                    Err(problems) => {
                        let failures = problems.problems.iter().map(|p| format!("{shown}:{p}")).collect();
                        report.cases.push(Case::new("live", format!("workflows {shown}"), failures, Duration::ZERO));
                    }
                }
            }
            if negative.per_operation > 0 {
                report.cases.extend(openapi_contract::negative::run(&mut spec, &target, negative));
            }
        }
        None => report.cases.push(Case::skipped("live", "workflows", "no server given")),
    }
    drop(progress);
    report.duration = started.elapsed();

    print!("{}", report.human());
    if let Some(file) = &junit {
        std::fs::write(file, report.junit()).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    }
    if let Some(file) = &json {
        let text = serde_json::to_string_pretty(&report.json()).unwrap_or_default();
        std::fs::write(file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    }
    Ok(if report.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
