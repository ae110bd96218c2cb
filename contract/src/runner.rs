//! The round-trip runner: a small binary built against a generated crate
//! and driven over pipes, so that a tool that does not link the generated
//! types (`cargo xtask contract`, for any spec) can still run values
//! through them.
//!
//! [`build`] writes the runner's crate (a `Cargo.toml` depending on the
//! generated crate with its `form` feature, and the sources in
//! `contract/runner/`) and compiles it; [`Runner`] starts the binary and
//! implements [`Types`] by sending one JSON line per value.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

use crate::checks::Types;

/// The runner's `main.rs`.
pub const MAIN: &str = include_str!("../runner/main.rs");
/// The round trips, shared with in-process users of a generated crate.
pub const ROUND_TRIP: &str = include_str!("../runner/round_trip.rs");

/// Writes `contents` to `path` unless it already holds exactly that, so
/// that cargo sees nothing new.
fn write_if_changed(path: &Path, contents: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes the runner crate into `work` for the generated crate `name` at
/// `crate_dir`, builds it (debug), and answers the binary's path.
/// `lockfile`, when given and `work` has none yet, pins the dependency
/// versions (and lets the build run offline).
pub fn build(crate_dir: &Path, name: &str, work: &Path, lockfile: Option<&Path>) -> Result<PathBuf, String> {
    let crate_dir = crate_dir.canonicalize().map_err(|e| format!("{}: {e}", crate_dir.display()))?;
    let manifest = format!(
        "# Written by the contract checks: a runner of values through `{name}`.\n\
         [package]\nname = \"contract-runner\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\napi = {{ package = \"{name}\", path = {:?}, features = [\"form\"] }}\n\
         serde = \"1\"\nserde_json = \"1\"\nserde_path_to_error = \"0.1\"\n\n[workspace]\n",
        crate_dir.display().to_string()
    );
    write_if_changed(&work.join("Cargo.toml"), &manifest)?;
    write_if_changed(&work.join("src/main.rs"), MAIN)?;
    write_if_changed(&work.join("src/round_trip.rs"), ROUND_TRIP)?;
    if let Some(lock) = lockfile
        && !work.join("Cargo.lock").exists()
    {
        let _ = std::fs::copy(lock, work.join("Cargo.lock"));
    }
    let status = crate::cargo()
        .args(["build", "--quiet", "--manifest-path"])
        .arg(work.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", work.join("target"))
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the round-trip runner for `{name}` did not build (see above)"));
    }
    Ok(work.join("target/debug/contract-runner"))
}

/// A started runner.
#[derive(Debug)]
pub struct Runner {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Runner {
    /// Starts the runner binary.
    pub fn start(binary: &Path) -> Result<Runner, String> {
        let mut child = Command::new(binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdin = child.stdin.take().ok_or("the runner has no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("the runner has no stdout")?);
        Ok(Runner { child, stdin, stdout })
    }

    fn call(&mut self, kind: &str, pointer: &str, value: &Value) -> Option<Result<Value, String>> {
        let request = json!({"kind": kind, "pointer": pointer, "value": value});
        let mut line = String::new();
        let sent = writeln!(self.stdin, "{request}").and_then(|()| self.stdin.flush());
        if sent.is_err() || self.stdout.read_line(&mut line).unwrap_or(0) == 0 {
            return Some(Err("the round-trip runner stopped answering".into()));
        }
        let answer: Value = match serde_json::from_str(&line) {
            Ok(answer) => answer,
            Err(e) => return Some(Err(format!("the round-trip runner answered `{}`: {e}", line.trim()))),
        };
        if answer.get("unknown").is_some() {
            return None;
        }
        match (answer.get("ok"), answer.get("error").and_then(Value::as_str)) {
            (Some(value), _) => Some(Ok(value.clone())),
            (None, Some(message)) => Some(Err(message.to_owned())),
            (None, None) => Some(Err(format!("the round-trip runner answered `{}`", line.trim()))),
        }
    }
}

impl Types for Runner {
    fn json(&mut self, pointer: &str, value: &Value) -> Option<Result<Value, String>> {
        self.call("json", pointer, value)
    }

    fn form(&mut self, pointer: &str, value: &Value) -> Option<Result<Value, String>> {
        self.call("form", pointer, value)
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
