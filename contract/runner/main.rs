// The round-trip runner `cargo xtask contract` builds against a generated
// crate. One request per line on stdin, `{"kind": "json" | "form",
// "pointer": "...", "value": ...}`; one answer per line on stdout,
// `{"ok": value}`, `{"error": "..."}` or `{"unknown": true}` when no type
// belongs to the pointer.

use std::io::{BufRead, Write};

use serde_json::{Value, json};

mod round_trip;

fn answer(line: &str) -> Value {
    let request: Value = match serde_json::from_str(line) {
        Ok(request) => request,
        Err(e) => return json!({"error": format!("bad request line: {e}")}),
    };
    let pointer = request["pointer"].as_str().unwrap_or_default();
    let value = request["value"].clone();
    let result = match request["kind"].as_str() {
        Some("form") => round_trip::form(pointer, value),
        _ => round_trip::json(pointer, value),
    };
    match result {
        None => json!({"unknown": true}),
        Some(Ok(value)) => json!({"ok": value}),
        Some(Err(message)) => json!({"error": message}),
    }
}

fn main() {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let answer = answer(&line);
        if writeln!(stdout, "{answer}").and_then(|()| stdout.flush()).is_err() {
            break;
        }
    }
}
