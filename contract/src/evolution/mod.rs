//! What a spec change does: on the wire, by direction and by the party it
//! breaks ([`wire`]), and to the generated Rust API, with the semver bump
//! the generated crate needs ([`rust`]); with evidence from the old spec's
//! examples read against the new spec.
//!
//! Finding ids follow oasdiff's where that tool has the same rule (so that
//! people who know it recognise them); rules it does not have get ids in
//! the same style.

pub mod rust;
pub mod wire;

use std::fmt::Write;

use serde_json::{Value, json};

use crate::checks::Spec;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Nothing that worked stops working.
    Info,
    /// May break someone, depending on what they do.
    Warning,
    /// Breaks someone who did nothing wrong.
    Breaking,
}

impl Level {
    /// `breaking`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Breaking => "breaking",
        }
    }
}

/// Who a wire change breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Party {
    /// Code that calls the API.
    Clients,
    /// Implementations of the API.
    Servers,
    /// Code that receives the API's webhook events.
    WebhookReceivers,
}

impl Party {
    /// `clients`, `servers`, `webhook receivers`.
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Clients => "clients",
            Party::Servers => "servers",
            Party::WebhookReceivers => "webhook receivers",
        }
    }
}

/// One wire-level change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable id (`request-parameter-removed`).
    pub id: String,
    /// How much it matters.
    pub level: Level,
    /// Who it breaks (empty for information).
    pub parties: Vec<Party>,
    /// Where, in the old spec.
    pub old: Option<String>,
    /// Where, in the new spec.
    pub new: Option<String>,
    /// One sentence.
    pub message: String,
}

/// The semver bump a change of the generated crate needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Documentation only.
    Patch,
    /// Additions only.
    Minor,
    /// Something a dependent crate may use changed or went away.
    Major,
}

impl Bump {
    /// `none`, `patch`, `minor`, `major`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// One change of the generated Rust API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustChange {
    /// What it needs.
    pub bump: Bump,
    /// The Rust item (`types::CheckoutSession::currency`).
    pub item: String,
    /// One sentence.
    pub message: String,
}

/// Everything a spec change does.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The old and the new spec, as named to the tool.
    pub sources: (String, String),
    /// `info.version` of each.
    pub versions: (String, String),
    /// Wire changes, breaking first.
    pub findings: Vec<Finding>,
    /// Generated-API changes, major first.
    pub rust: Vec<RustChange>,
    /// Old examples the new spec rejects, each with the finding that
    /// explains it when one does.
    pub evidence: Vec<String>,
}

impl Report {
    /// The bump the generated crate needs: the largest of its changes.
    pub fn verdict(&self) -> Bump {
        self.rust.iter().map(|c| c.bump).max().unwrap_or(Bump::None)
    }

    /// The parties some breaking finding breaks.
    pub fn broken(&self) -> Vec<Party> {
        let mut out: Vec<Party> = self.findings.iter().filter(|f| f.level == Level::Breaking).flat_map(|f| f.parties.clone()).collect();
        out.sort();
        out.dedup();
        out
    }

    /// How many findings have `level`.
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    /// One paragraph: counts by level, the verdict, the parties.
    pub fn summary(&self) -> String {
        let broken: Vec<&str> = self.broken().iter().map(|p| p.as_str()).collect();
        let mut out = format!(
            "{} breaking, {} warning, {} info; the generated crate needs a {} version",
            self.count(Level::Breaking),
            self.count(Level::Warning),
            self.count(Level::Info),
            self.verdict().as_str()
        );
        if self.verdict() == Bump::None {
            out = format!("{} breaking, {} warning, {} info; the generated crate does not change", self.count(Level::Breaking), self.count(Level::Warning), self.count(Level::Info));
        }
        if !broken.is_empty() {
            let _ = write!(out, "; breaks {}", broken.join(", "));
        }
        out
    }

    /// For a terminal: grouped by level; `colour` adds ANSI colours.
    pub fn text(&self, colour: bool) -> String {
        let paint = |code: &str, text: &str| if colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() };
        let mut out = format!("diff {} ({}) -> {} ({})\n", self.sources.0, self.versions.0, self.sources.1, self.versions.1);
        for (level, code) in [(Level::Breaking, "31;1"), (Level::Warning, "33"), (Level::Info, "36")] {
            let found: Vec<&Finding> = self.findings.iter().filter(|f| f.level == level).collect();
            if found.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{}", paint(code, &format!("{} ({})", level.as_str().to_uppercase(), found.len())));
            for f in found {
                let parties: Vec<&str> = f.parties.iter().map(|p| p.as_str()).collect();
                let whom = if parties.is_empty() { String::new() } else { format!(" [{}]", parties.join(", ")) };
                let _ = writeln!(out, "  {}{whom}: {}", f.id, f.message);
                let _ = writeln!(out, "    at {}", place(f));
            }
        }
        if !self.rust.is_empty() {
            let _ = writeln!(out, "\n{}", paint("1", &format!("GENERATED CRATE: {}", self.verdict().as_str())));
            for c in &self.rust {
                let _ = writeln!(out, "  {:<5} {}: {}", c.bump.as_str(), c.item, c.message);
            }
        }
        if !self.evidence.is_empty() {
            let _ = writeln!(out, "\n{}", paint("1", &format!("OLD EXAMPLES THE NEW SPEC REJECTS ({})", self.evidence.len())));
            for e in &self.evidence {
                let _ = writeln!(out, "  {}", e.replace('\n', "\n    "));
            }
        }
        let _ = writeln!(out, "\n{}", self.summary());
        out
    }

    /// For a pull-request comment.
    pub fn markdown(&self) -> String {
        let mut out = format!("### Spec change: {}\n\n", self.summary());
        if !self.findings.is_empty() {
            out.push_str("| level | id | breaks | what | where |\n|---|---|---|---|---|\n");
            for f in &self.findings {
                let parties: Vec<&str> = f.parties.iter().map(|p| p.as_str()).collect();
                let _ = writeln!(out, "| {} | `{}` | {} | {} | `{}` |", f.level.as_str(), f.id, parties.join(", "), cell(&f.message), cell(&place(f)));
            }
        }
        if !self.rust.is_empty() {
            let _ = writeln!(out, "\n**Generated crate: {}**\n", self.verdict().as_str());
            for c in &self.rust {
                let _ = writeln!(out, "- {}: `{}`: {}", c.bump.as_str(), c.item, cell(&c.message));
            }
        }
        if !self.evidence.is_empty() {
            out.push_str("\n**Old examples the new spec rejects**\n\n");
            for e in &self.evidence {
                let _ = writeln!(out, "- {}", cell(e));
            }
        }
        out
    }

    /// JSON (schema in the README: stable).
    pub fn json(&self) -> Value {
        json!({
            "old": {"source": self.sources.0, "version": self.versions.0},
            "new": {"source": self.sources.1, "version": self.versions.1},
            "summary": {
                "breaking": self.count(Level::Breaking),
                "warning": self.count(Level::Warning),
                "info": self.count(Level::Info),
                "semver": self.verdict().as_str(),
                "breaks": self.broken().iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            },
            "findings": self.findings.iter().map(|f| json!({
                "id": f.id,
                "level": f.level.as_str(),
                "parties": f.parties.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
                "old": f.old,
                "new": f.new,
                "message": f.message,
            })).collect::<Vec<_>>(),
            "rust": self.rust.iter().map(|c| json!({"bump": c.bump.as_str(), "item": c.item, "message": c.message})).collect::<Vec<_>>(),
            "evidence": self.evidence,
        })
    }

    /// JUnit: a test case per finding, breaking ones failed.
    pub fn junit(&self) -> String {
        let esc = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
        let failures = self.count(Level::Breaking);
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"spec-diff\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"wire\" tests=\"{}\" failures=\"{failures}\">\n",
            self.findings.len(),
            self.findings.len()
        );
        for f in &self.findings {
            let _ = write!(out, "    <testcase classname=\"spec-diff.{}\" name=\"{}: {}\"", f.level.as_str(), f.id, esc(&place(f)));
            if f.level == Level::Breaking {
                let _ = writeln!(out, ">\n      <failure message=\"{}\" type=\"{}\"/>\n    </testcase>", esc(&f.message), f.id);
            } else {
                out.push_str("/>\n");
            }
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn place(f: &Finding) -> String {
    match (&f.old, &f.new) {
        (Some(o), Some(n)) if o == n => o.clone(),
        (Some(o), Some(n)) => format!("{o} -> {n}"),
        (Some(o), None) => format!("{o} (old)"),
        (None, Some(n)) => format!("{n} (new)"),
        (None, None) => String::new(),
    }
}

/// Compares two specs: the wire, the generated API, the old examples.
pub fn compare(old: &mut Spec, new: &mut Spec) -> Result<Report, String> {
    let mut findings = wire::compare(&old.doc, &new.doc);
    // What a lenient load repaired, so the report says the documents have
    // problems of their own.
    for (side, spec) in [("old", &*old), ("new", &*new)] {
        for problem in &spec.repaired {
            let place = Some(problem.pointer.clone());
            let (old_at, new_at) = if side == "old" { (place, None) } else { (None, place) };
            let line = problem.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            let file = problem.file.as_deref().map(|f| format!(", {f}")).unwrap_or_default();
            let message = format!("the {side} document{file}{line}: {}; compared as if repaired", problem.kind);
            findings.push(Finding { id: "document-problem".into(), level: Level::Warning, parties: Vec::new(), old: old_at, new: new_at, message });
        }
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.level));
    let generator = openapi_codegen::Generator::new();
    // A document the generator cannot build (types that contain each other
    // through required fields, say) is still compared on the wire; the
    // report says the Rust level is missing.
    let (old_api, new_api) = (generator.build(&old.doc), generator.build(&new.doc));
    let mut rust = Vec::new();
    let versions = match (&old_api, &new_api) {
        (Ok(a), Ok(b)) => {
            rust = rust::compare(a, b);
            (a.version.clone(), b.version.clone())
        }
        _ => {
            for (side, api) in [("old", &old_api), ("new", &new_api)] {
                if let Err(e) = api {
                    let message = format!("the {side} document generates no crate, so the generated API is not compared: {e}");
                    findings.push(Finding { id: "generated-api-not-compared".into(), level: Level::Warning, parties: Vec::new(), old: None, new: None, message });
                }
            }
            let version = |spec: &Spec| spec.doc.raw.pointer("/info/version").and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
            (version(old), version(new))
        }
    };
    findings.sort_by_key(|f| std::cmp::Reverse(f.level));
    rust.sort_by_key(|c| std::cmp::Reverse(c.bump));
    let evidence = evidence(old, new, &findings);
    // Each place named as it is written, once the evidence has been
    // matched to the findings by their pointers: in a 3.2 document, the
    // place its 3.1 form was made of (an `itemSchema`, a media type of
    // `components.mediaTypes`); in a spec split across files, the file
    // (`models/order.yaml#/properties/id`).
    for finding in &mut findings {
        for (doc, at) in [(&old.doc, &mut finding.old), (&new.doc, &mut finding.new)] {
            if let Some(at) = at {
                *at = doc.written_pointer(at);
                if let Some(tree) = &doc.tree {
                    *at = tree.reference(at);
                }
            }
        }
    }
    Ok(Report {
        sources: (old.doc.source.clone(), new.doc.source.clone()),
        versions,
        findings,
        rust,
        evidence,
    })
}

/// Every example of the old spec, validated against the schema at the
/// same place in the new spec, in its direction.
fn evidence(old: &Spec, new: &mut Spec, findings: &[Finding]) -> Vec<String> {
    let mut out = Vec::new();
    for example in &old.examples.examples {
        if new.doc.resolve_pointer(&example.used_at).is_none() {
            continue;
        }
        let Ok(id) = new.validator.compile(&example.schema) else { continue };
        let Err(errors) = new.validator.validate(id, &example.value, example.direction) else { continue };
        let first = errors.first().map(ToString::to_string).unwrap_or_default();
        // The finding at the schema keyword that failed, else one in the
        // same operation or component.
        let failed_at = errors.first().map(|e| e.schema_path.clone()).unwrap_or_default();
        let at_keyword = findings.iter().find(|f| f.new.as_deref().is_some_and(|p| failed_at.starts_with(p)));
        let near = at_keyword.or_else(|| findings.iter().filter(|f| f.level >= Level::Warning).find(|f| f.new.as_deref().or(f.old.as_deref()).is_some_and(|p| related(p, &example.used_at))));
        let why = near.map(|f| format!(" (explained by {}: {})", f.id, f.message)).unwrap_or_default();
        out.push(format!("{}: {first}{why}", example.label()));
    }
    out
}

/// Every body example of the old spec (responses, request bodies, events)
/// read by the types generated from the new spec, at the same place; what
/// they cannot read is added to the evidence.
pub fn read_by_types(old: &Spec, new: &Spec, types: &mut dyn crate::checks::Types, report: &mut Report) {
    use crate::examples::Kind;
    for example in &old.examples.examples {
        if matches!(example.kind, Kind::Schema | Kind::Parameter { .. }) || new.doc.resolve_pointer(&example.used_at).is_none() {
            continue;
        }
        let form = example.media.as_deref() == Some("application/x-www-form-urlencoded");
        let mut run = |pointer: &str| if form { types.form(pointer, &example.value) } else { types.json(pointer, &example.value) };
        if let Some(Err(message)) = run(&example.schema).or_else(|| run(&new.resolve(&example.schema))) {
            report.evidence.push(format!("{}: the new generated types cannot read it: {message}", example.label()));
        }
    }
}

/// Every object of a fixtures file (Stripe's `fixtures3.json`, say) that
/// names a schema of the new spec by its `object` field, validated against
/// that schema as a response; what it rejects is added to the evidence,
/// with the finding at the failing keyword when there is one.
pub fn fixtures_evidence(new: &mut Spec, fixtures: &Value, source: &str, report: &mut Report) {
    let schemas = crate::checks::ObjectSchemas::new(new);
    let mut found = Vec::new();
    crate::checks::collect_objects(fixtures, String::new(), &schemas, &mut found);
    for (at, schema) in found {
        let value = fixtures.pointer(&at).cloned().unwrap_or(Value::Null);
        let Ok(id) = new.validator.compile(&schema) else { continue };
        let Err(errors) = new.validator.validate(id, &value, crate::Direction::Response) else { continue };
        let failed_at = errors.first().map(|e| e.schema_path.clone()).unwrap_or_default();
        let why = report
            .findings
            .iter()
            .find(|f| f.new.as_deref().is_some_and(|p| failed_at.starts_with(p)))
            .map(|f| format!(" (explained by {}: {})", f.id, f.message))
            .unwrap_or_default();
        let first = errors.first().map(ToString::to_string).unwrap_or_default();
        report.evidence.push(format!("fixture {source}#{at} ({}): {first}{why}", schema.rsplit('/').next().unwrap_or_default()));
    }
}

/// Whether two pointers are in the same operation or component.
fn related(a: &str, b: &str) -> bool {
    let root = |p: &str| p.split('/').take(4).collect::<Vec<_>>().join("/");
    root(a) == root(b)
}
