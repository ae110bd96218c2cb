//! Validations per second of the spec's `checkout.session` example against
//! its schema: this project's validator, the `jsonschema` crate (on the
//! schema translated to JSON Schema) and Python's `jsonschema` (the same
//! translation), on one core, in one run. It measures; it asserts only
//! that the three agree on the verdicts.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use openapi_contract::json_schema::translate;
use openapi_contract::{Direction, Validator};
use serde_json::Value;

/// Runs `f` for about `budget`; answers calls per second and the time of one.
fn rate(budget: Duration, mut f: impl FnMut() -> bool) -> (f64, Duration) {
    // Warm up, then find a batch that takes about 10 ms.
    let mut batch = 1u64;
    loop {
        let started = Instant::now();
        for _ in 0..batch {
            black_box(f());
        }
        if started.elapsed() > Duration::from_millis(10) {
            break;
        }
        batch *= 2;
    }
    let mut best = f64::MAX;
    let started = Instant::now();
    while started.elapsed() < budget {
        let t = Instant::now();
        for _ in 0..batch {
            black_box(f());
        }
        best = best.min(t.elapsed().as_secs_f64() / batch as f64);
    }
    (1.0 / best, Duration::from_secs_f64(best))
}

const PYTHON: &str = r#"
import json, sys, timeit
from jsonschema import Draft202012Validator
data = json.load(open(sys.argv[1]))
validator = Draft202012Validator(data["schema"])
instance, broken = data["instance"], data["broken"]
assert validator.is_valid(instance) and not validator.is_valid(broken)
number = 200
best = min(timeit.repeat(lambda: validator.is_valid(instance), number=number, repeat=15)) / number
print(json.dumps({"seconds": best}))
"#;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let budget = Duration::from_millis(std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(2000));
    // `profile` as the argument: 10,000 validations of ours only.
    let doc = openapi_codegen::Document::from_path(&root.join("spec/checkout_sessions.yaml")).expect("the spec loads");
    let instance = doc.resolve_pointer("#/components/examples/session/value").expect("the session example").clone();
    let mut broken = instance.clone();
    broken["status"] = Value::String("paid".into());
    broken["amount_total"] = Value::String("2198".into());
    let pointer = "#/components/schemas/checkout.session";

    let mut ours = Validator::new(&doc);
    let id = ours.compile(pointer).expect("compiles");
    assert!(ours.is_valid(id, &instance, Direction::Response) && !ours.is_valid(id, &broken, Direction::Response));
    let schema = translate(&doc.raw, pointer, Direction::Response).expect("translates");
    let theirs = jsonschema::validator_for(&schema).expect("the jsonschema crate compiles the translation");
    assert!(theirs.is_valid(&instance) && !theirs.is_valid(&broken));

    if std::env::args().nth(1).as_deref() == Some("profile") {
        // A fixed amount of work, for instruction counts (valgrind --tool=callgrind).
        let valid = (0..10_000).filter(|_| ours.is_valid(id, &instance, Direction::Response)).count();
        println!("{valid} of 10000 valid");
        return;
    }
    let size = serde_json::to_string(&instance).map_or(0, |s| s.len());
    println!("checkout.session example ({size} bytes of JSON) against its schema, one core, best of {budget:?} each:");
    let (ours_rate, ours_each) = rate(budget, || ours.is_valid(id, &instance, Direction::Response));
    println!("  this validator, is_valid          {ours_rate:>12.0}/s  {ours_each:>9.2?} each");
    let (full_rate, full_each) = rate(budget, || ours.validate(id, &instance, Direction::Response).is_ok());
    println!("  this validator, validate          {full_rate:>12.0}/s  {full_each:>9.2?} each");
    let (errors_rate, errors_each) = rate(budget, || ours.validate(id, &broken, Direction::Response).is_err());
    println!("  this validator, all errors (2)    {errors_rate:>12.0}/s  {errors_each:>9.2?} each");
    let (crate_rate, crate_each) = rate(budget, || theirs.is_valid(&instance));
    println!("  jsonschema crate, is_valid        {crate_rate:>12.0}/s  {crate_each:>9.2?} each");

    let file = std::env::temp_dir().join(format!("validate-bench-{}.json", std::process::id()));
    let data = serde_json::json!({"schema": schema, "instance": instance, "broken": broken});
    std::fs::write(&file, serde_json::to_vec(&data).unwrap()).expect("temp file");
    let output = std::process::Command::new("python3").arg("-c").arg(PYTHON).arg(&file).output();
    let _ = std::fs::remove_file(&file);
    let python = output.ok().filter(|o| o.status.success()).and_then(|o| serde_json::from_slice::<Value>(&o.stdout).ok());
    let python_each = python.as_ref().and_then(|v| v["seconds"].as_f64());
    match python_each {
        Some(seconds) => println!("  python jsonschema, is_valid       {:>12.0}/s  {:>9.2?} each", 1.0 / seconds, Duration::from_secs_f64(seconds)),
        None => println!("  python jsonschema: not measured (pip install jsonschema)"),
    }
    println!("ratios: this validator is {:.1}x the jsonschema crate{}", ours_rate / crate_rate,
        python_each.map_or(String::new(), |s| format!(" and {:.0}x python jsonschema", ours_rate * s)));
}
