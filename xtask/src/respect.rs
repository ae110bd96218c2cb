//! `cargo xtask respect`: the Arazzo runner checked against an independent
//! one. The spec's workflows run under this project's runner and under
//! Redocly's (`redocly respect`, from npm, installed here under
//! `target/redocly` when missing), each against a fresh reference server,
//! first a faithful one, then one that breaks the contract on purpose
//! (`reference-server --misbehave`). Both must give every step the same
//! verdict; against the faithful server every step passes, against the
//! misbehaving one the same steps fail under both.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Duration;

use openapi_contract::arazzo::{self, run::Target};
use openapi_contract::checks::Spec;
use openapi_contract::client;
use openapi_contract::npm::REDOCLY;
use serde_json::Value;

use crate::root;

/// Step verdicts: `workflowId/stepId` → passed.
type Verdicts = BTreeMap<String, bool>;

/// A reference server started for one run, stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(binary: &Path, misbehave: bool) -> Result<Server, String> {
    let mut command = Command::new(binary);
    command.args(["--port", "0"]).stdout(Stdio::null()).stderr(Stdio::piped());
    if misbehave {
        command.arg("--misbehave");
    }
    let mut child = command.spawn().map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let mut line = String::new();
    BufReader::new(stderr).read_line(&mut line).map_err(|e| e.to_string())?;
    let url = line.trim().rsplit(' ').next().unwrap_or_default().to_owned();
    if !url.starts_with("http://") {
        let _ = child.kill();
        return Err(format!("the reference server said `{}`", line.trim()));
    }
    Ok(Server { child, url })
}

fn redocly() -> Result<PathBuf, String> {
    openapi_contract::npm::install(&root().join("target/redocly"), REDOCLY, "redocly", "REDOCLY")
}

/// This project's verdicts.
fn ours(spec_path: &Path, workflows: &Path, url: &str) -> Result<Verdicts, String> {
    let mut spec = Spec::load(spec_path).map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(workflows).map_err(|e| e.to_string())?;
    let doc = arazzo::Document::load(&workflows.display().to_string(), &text, &spec.doc).map_err(|e| e.to_string())?;
    let target = Target { base_url: url.to_owned(), headers: Vec::new(), client: client::Client::new(&client::Options::direct(Duration::from_secs(10)))? };
    let cases = arazzo::run::run_all(&doc, &mut spec, &target, &Default::default());
    Ok(cases
        .iter()
        .filter(|c| !c.name.starts_with("workflow "))
        .filter_map(|c| c.name.split(' ').next().map(|step| (step.to_owned(), c.passed())))
        .collect())
}

/// Redocly's verdicts, from its JSON report.
fn theirs(binary: &Path, workflows: &Path, url: &str) -> Result<Verdicts, String> {
    let source = arazzo_source_name(workflows)?;
    let report = root().join("target/redocly/respect.json");
    let _ = std::fs::remove_file(&report);
    let output = Command::new(binary)
        .current_dir(workflows.parent().unwrap_or(Path::new(".")))
        .arg("respect")
        .arg(workflows.file_name().ok_or("no file name")?)
        .args(["-S", &format!("{source}={url}"), "-J"])
        .arg(&report)
        .output()
        .map_err(|e| format!("cannot run redocly: {e}"))?;
    let text = std::fs::read_to_string(&report)
        .map_err(|_| format!("redocly wrote no report: {}", String::from_utf8_lossy(&output.stderr)))?;
    let json: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let mut verdicts = Verdicts::new();
    for file in json["files"].as_object().into_iter().flat_map(|f| f.values()) {
        for workflow in file["executedWorkflows"].as_array().into_iter().flatten() {
            for step in workflow["executedSteps"].as_array().into_iter().flatten() {
                let passed = step["checks"].as_array().is_some_and(|checks| checks.iter().all(|c| c["passed"] == Value::Bool(true)));
                let name = format!("{}/{}", workflow["workflowId"].as_str().unwrap_or("?"), step["stepId"].as_str().unwrap_or("?"));
                verdicts.insert(name, passed);
            }
        }
    }
    Ok(verdicts)
}

/// The name of the document's OpenAPI source description.
fn arazzo_source_name(workflows: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(workflows).map_err(|e| e.to_string())?;
    let raw = openapi_codegen::Document::parse(&text).map_err(|e| e.to_string())?;
    raw["sourceDescriptions"][0]["name"].as_str().map(str::to_owned).ok_or_else(|| "no sourceDescriptions[0].name".into())
}

/// `cargo xtask respect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Arazzo document (default: spec/checkout_sessions.arazzo.yaml).
    #[arg(long, value_name = "FILE")]
    workflows: Option<PathBuf>,
    /// The spec it names (default: spec/checkout_sessions.yaml).
    #[arg(long, value_name = "PATH")]
    spec: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode, String> {
    let spec = args.spec.unwrap_or_else(|| root().join(crate::codegen::DEFAULT_SPEC));
    let workflows = args.workflows.unwrap_or_else(|| root().join("spec/checkout_sessions.arazzo.yaml"));
    let redocly = redocly()?;
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--quiet", "-p", "reference-server"])
        .current_dir(root())
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("building the reference server failed".into());
    }
    let server = root().join("target/debug/reference-server");
    let mut agree = true;
    for misbehave in [false, true] {
        let label = if misbehave { "misbehaving server" } else { "faithful server" };
        let mine = ours(&spec, &workflows, &start_server(&server, misbehave)?.url)?;
        let redocly = theirs(&redocly, &workflows, &start_server(&server, misbehave)?.url)?;
        let steps: std::collections::BTreeSet<&String> = mine.keys().chain(redocly.keys()).collect();
        println!("respect: {label}: {} steps", steps.len());
        let shown = |v: Option<&bool>| match v {
            Some(true) => "pass",
            Some(false) => "FAIL",
            None => "not run",
        };
        for step in steps {
            let (a, b) = (mine.get(step), redocly.get(step));
            let same = a == b;
            agree &= same;
            println!("  {:<32} ours {:<7} redocly {:<7} {}", step, shown(a), shown(b), if same { "" } else { "<- differ" });
        }
        let failures = mine.values().filter(|p| !**p).count();
        if misbehave && failures == 0 {
            println!("respect: the misbehaving server passed every step: the check cannot fail");
            agree = false;
        }
        if !misbehave && failures > 0 {
            println!("respect: the faithful server failed {failures} step(s)");
            agree = false;
        }
    }
    println!("respect: {}", if agree { "every step has the same verdict under both runners" } else { "the runners disagree" });
    Ok(if agree { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
