//! The outcome of a contract run, as a human summary, JUnit XML and JSON.

use std::fmt::Write;
use std::time::Duration;

use serde_json::{Value, json};

use crate::client::Transcript;

/// How many skipped cases the human summary lists.
const SKIPPED_SHOWN: usize = 20;

/// How much of each direction of a failed exchange the human summary and
/// JUnit show (the JSON report holds all of it).
const WIRE_SHOWN: usize = 2048;

/// Bytes as text for a report: UTF-8 where they are, `\xNN` elsewhere; at
/// most `limit` bytes, with a note of how many more there were.
fn wire_text(bytes: &[u8], limit: usize) -> String {
    let shown = &bytes[..bytes.len().min(limit)];
    let mut out = String::new();
    for chunk in shown.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    if bytes.len() > limit {
        let _ = write!(out, "\n... {} more bytes", bytes.len() - limit);
    }
    out
}

/// A failed exchange, both directions, for people to read.
fn wire_shown(wire: &Transcript) -> String {
    let sent = wire_text(&wire.sent, WIRE_SHOWN);
    let received = wire_text(&wire.received, WIRE_SHOWN);
    format!("> {}\n< {}", sent.trim_end().replace("\r\n", "\n").replace('\n', "\n> "), received.trim_end().replace("\r\n", "\n").replace('\n', "\n< "))
}

/// One check of one thing (an example, a schema, an exchange).
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The kind of check: `examples`, `round-trip`, `generated`, `live`,
    /// `fixtures`.
    pub group: String,
    /// What was checked.
    pub name: String,
    /// Every way it failed; empty when it held.
    pub failures: Vec<String>,
    /// Why it was not checked, when it was not.
    pub skipped: Option<String>,
    /// How long it took.
    pub duration: Duration,
    /// For a live case: the bytes of its exchange.
    pub wire: Option<Transcript>,
}

impl Case {
    /// A case that held, or failed with `failures`.
    pub fn new(group: &str, name: impl Into<String>, failures: Vec<String>, duration: Duration) -> Case {
        Case { group: group.to_owned(), name: name.into(), failures, skipped: None, duration, wire: None }
    }

    /// The case with the bytes of its exchange.
    pub fn with_wire(self, wire: Transcript) -> Case {
        Case { wire: Some(wire), ..self }
    }

    /// A case that was not checked.
    pub fn skipped(group: &str, name: impl Into<String>, reason: impl Into<String>) -> Case {
        Case { group: group.to_owned(), name: name.into(), failures: Vec::new(), skipped: Some(reason.into()), duration: Duration::ZERO, wire: None }
    }

    /// Whether it held (a skipped case neither held nor failed).
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.skipped.is_none()
    }

    /// Whether it failed.
    pub fn failed(&self) -> bool {
        !self.failures.is_empty()
    }
}

/// Every case of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The cases, in the order they ran.
    pub cases: Vec<Case>,
    /// The whole run's wall time.
    pub duration: Duration,
}

impl Report {
    /// Whether every case that ran held.
    pub fn ok(&self) -> bool {
        !self.cases.iter().any(Case::failed)
    }

    /// The groups, in first-seen order.
    fn groups(&self) -> Vec<&str> {
        let mut groups: Vec<&str> = Vec::new();
        for case in &self.cases {
            if !groups.contains(&case.group.as_str()) {
                groups.push(&case.group);
            }
        }
        groups
    }

    fn counts<'a>(cases: impl Iterator<Item = &'a Case>) -> (usize, usize, usize, usize) {
        cases.fold((0, 0, 0, 0), |(n, p, f, s), c| (n + 1, p + c.passed() as usize, f + c.failed() as usize, s + c.skipped.is_some() as usize))
    }

    /// A concise summary: a line per group, then every failure with its
    /// paths, then the totals.
    pub fn human(&self) -> String {
        let mut out = String::new();
        for group in self.groups() {
            let cases = self.cases.iter().filter(|c| c.group == group);
            let (n, passed, failed, skipped) = Self::counts(cases.clone());
            let time: Duration = cases.clone().map(|c| c.duration).sum();
            let _ = write!(out, "{group:<12} {n:>5} checks  {passed:>5} passed");
            if failed > 0 {
                let _ = write!(out, "  {failed} FAILED");
            }
            if skipped > 0 {
                let _ = write!(out, "  {skipped} skipped");
            }
            let _ = writeln!(out, "  ({time:.1?})");
        }
        for case in self.cases.iter().filter(|c| c.failed()) {
            let _ = writeln!(out, "\nFAILED {}: {}", case.group, case.name);
            for failure in &case.failures {
                let _ = writeln!(out, "  {}", failure.replace('\n', "\n  "));
            }
            if let Some(wire) = &case.wire {
                let _ = writeln!(out, "  {}", wire_shown(wire).replace('\n', "\n  "));
            }
        }
        let skipped: Vec<&Case> = self.cases.iter().filter(|c| c.skipped.is_some()).collect();
        if !skipped.is_empty() {
            let _ = writeln!(out);
            for case in skipped.iter().take(SKIPPED_SHOWN) {
                let _ = writeln!(out, "skipped {}: {}: {}", case.group, case.name, case.skipped.as_deref().unwrap_or_default());
            }
            if skipped.len() > SKIPPED_SHOWN {
                let _ = writeln!(out, "... and {} more skipped (the JSON and JUnit reports list them all)", skipped.len() - SKIPPED_SHOWN);
            }
        }
        let (n, passed, failed, skipped) = Self::counts(self.cases.iter());
        let verdict = if self.ok() { "ok" } else { "FAILED" };
        let _ = writeln!(out, "\ncontract: {verdict}: {n} checks, {passed} passed, {failed} failed, {skipped} skipped in {:.2?}", self.duration);
        out
    }

    /// JUnit XML: a test suite per group, a test case per case.
    pub fn junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let (n, _, failed, skipped) = Self::counts(self.cases.iter());
        let _ = writeln!(
            out,
            "<testsuites name=\"contract\" tests=\"{n}\" failures=\"{failed}\" skipped=\"{skipped}\" time=\"{:.3}\">",
            self.duration.as_secs_f64()
        );
        for group in self.groups() {
            let cases: Vec<&Case> = self.cases.iter().filter(|c| c.group == group).collect();
            let (n, _, failed, skipped) = Self::counts(cases.iter().copied());
            let time: Duration = cases.iter().map(|c| c.duration).sum();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{failed}\" skipped=\"{skipped}\" time=\"{:.3}\">",
                xml(group),
                time.as_secs_f64()
            );
            for case in cases {
                let _ = write!(
                    out,
                    "    <testcase classname=\"contract.{}\" name=\"{}\" time=\"{:.6}\"",
                    xml(group),
                    xml(&case.name),
                    case.duration.as_secs_f64()
                );
                if case.passed() {
                    out.push_str("/>\n");
                    continue;
                }
                out.push_str(">\n");
                if let Some(reason) = &case.skipped {
                    let _ = writeln!(out, "      <skipped message=\"{}\"/>", xml(reason));
                }
                if case.failed() {
                    let first = case.failures[0].lines().next().unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "      <failure message=\"{}\" type=\"contract\">{}</failure>",
                        xml(first),
                        xml(&case.failures.join("\n"))
                    );
                    if let Some(wire) = &case.wire {
                        let _ = writeln!(out, "      <system-out>{}</system-out>", xml(&wire_shown(wire)));
                    }
                }
                out.push_str("    </testcase>\n");
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }

    /// The report as JSON: totals and every case.
    pub fn json(&self) -> Value {
        let (n, passed, failed, skipped) = Self::counts(self.cases.iter());
        json!({
            "ok": self.ok(),
            "checks": n,
            "passed": passed,
            "failed": failed,
            "skipped": skipped,
            "seconds": self.duration.as_secs_f64(),
            "cases": self.cases.iter().map(|c| json!({
                "group": c.group,
                "name": c.name,
                "status": if c.failed() { "failed" } else if c.skipped.is_some() { "skipped" } else { "passed" },
                "failures": c.failures,
                "skipped": c.skipped,
                "seconds": c.duration.as_secs_f64(),
                "wire": c.wire.as_ref().map(|w| json!({
                    "sent": wire_text(&w.sent, usize::MAX),
                    "received": wire_text(&w.received, usize::MAX),
                })),
            })).collect::<Vec<_>>(),
        })
    }
}

/// Escapes text for an XML attribute or element; drops characters XML 1.0
/// cannot carry.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Case, Report, wire_text};
    use crate::client::Transcript;
    use std::time::Duration;

    fn report() -> Report {
        Report {
            cases: vec![
                Case::new("examples", "create request <one>", Vec::new(), Duration::from_millis(1)),
                Case::new("examples", "retrieve response 200", vec!["/status: expected one of \"open\", found \"paid\" & more".into()], Duration::ZERO),
                Case::skipped("live", "scenario", "no --server given"),
                Case::new("live", "checkout/retrieve", vec!["status 500 is not declared".into()], Duration::ZERO).with_wire(Transcript {
                    sent: b"GET /v1/x HTTP/1.1\r\nHost: a\r\n\r\n".to_vec(),
                    received: b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 2\r\n\r\n\xff!".to_vec(),
                }),
            ],
            duration: Duration::from_millis(12),
        }
    }

    #[test]
    fn human_report_names_failures_and_totals() {
        let text = report().human();
        assert!(text.contains("examples         2 checks      1 passed  1 FAILED"), "{text}");
        assert!(text.contains("FAILED examples: retrieve response 200\n  /status: expected"), "{text}");
        assert!(text.contains("skipped live: scenario: no --server given"), "{text}");
        assert!(text.contains("contract: FAILED: 4 checks, 1 passed, 2 failed, 1 skipped"), "{text}");
        assert!(text.contains("  > GET /v1/x HTTP/1.1\n  > Host: a\n  < HTTP/1.1 500 Internal Server Error\n  < content-length: 2\n  < \n  < \\xff!"), "{text}");
    }

    #[test]
    fn junit_is_escaped_and_counts() {
        let xml = report().junit();
        assert!(xml.contains("<testsuites name=\"contract\" tests=\"4\" failures=\"2\" skipped=\"1\""), "{xml}");
        assert!(xml.contains("<system-out>&gt; GET /v1/x HTTP/1.1\n&gt; Host: a\n&lt; HTTP/1.1 500"), "{xml}");
        assert!(xml.contains("name=\"create request &lt;one&gt;\""), "{xml}");
        assert!(xml.contains("<failure message=\"/status: expected one of &quot;open&quot;, found &quot;paid&quot; &amp; more\""), "{xml}");
        assert!(xml.contains("<skipped message=\"no --server given\"/>"), "{xml}");
        assert_eq!(xml.matches("<testsuite ").count(), 2);
    }

    #[test]
    fn json_report_has_statuses() {
        let json = report().json();
        assert_eq!(json["ok"], false);
        assert_eq!((json["passed"].as_u64(), json["failed"].as_u64()), (Some(1), Some(2)));
        assert_eq!(json["cases"][1]["status"], "failed");
        assert_eq!(json["cases"][2]["status"], "skipped");
        assert_eq!(json["cases"][3]["wire"]["received"], "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 2\r\n\r\n\\xff!");
        assert_eq!(json["cases"][0]["wire"], serde_json::Value::Null);
    }

    #[test]
    fn wire_text_is_bounded() {
        assert_eq!(wire_text(b"abcdef", 4), "abcd\n... 2 more bytes");
        assert_eq!(wire_text("é".as_bytes(), 1), "\\xc3\n... 1 more bytes");
    }
}
