//! Bad input gets an error, never a panic: the project's spec, mutated at
//! random in a reproducible way, goes through load, build and emit; every
//! outcome must be `Ok` or a reported problem.

use std::panic::{AssertUnwindSafe, catch_unwind};

use contract_tests::root;
use openapi_codegen::{Document, Generator};
use serde_json::{Value, json};

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Every node's pointer.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn mutate(doc: &mut Value, rng: &mut Rng, all: &[String]) -> String {
    let pointer = &all[rng.below(all.len())];
    let replacements = [
        json!(null),
        json!(7),
        json!("x"),
        json!({}),
        json!([]),
        json!({"$ref": "#/components/schemas/nowhere"}),
        json!({"type": "object", "required": ["loop"], "properties": {"loop": {"$ref": "#/components/schemas/checkout.session"}}}),
        json!({"type": "wat"}),
        json!({"anyOf": []}),
        json!({"allOf": [{"type": "string"}, {"$ref": "#/components/schemas/address"}]}),
    ];
    let choice = rng.below(replacements.len() + 1);
    if choice == replacements.len() {
        // Delete the node from its parent.
        if let Some((parent, key)) = pointer.rsplit_once('/')
            && let Some(parent) = doc.pointer_mut(parent)
        {
            match parent {
                Value::Object(map) => {
                    map.shift_remove(&key.replace("~1", "/").replace("~0", "~"));
                }
                Value::Array(items) => {
                    if let Ok(i) = key.parse::<usize>()
                        && i < items.len()
                    {
                        items.remove(i);
                    }
                }
                _ => {}
            }
        }
        return format!("delete {pointer}");
    }
    if let Some(node) = doc.pointer_mut(pointer) {
        *node = replacements[choice].clone();
    }
    format!("{pointer} = {}", replacements[choice])
}

#[test]
fn mutated_specs_never_panic() {
    let text = std::fs::read_to_string(root().join("spec/checkout_sessions.yaml")).unwrap();
    let original = openapi_codegen::parse_yaml(&text).unwrap();
    let mut all = Vec::new();
    pointers(&original, String::new(), &mut all);
    all.retain(|p| !p.is_empty() && !p.contains("/examples/"));
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let generator = Generator::new();
    let (mut ok, mut refused) = (0, 0);
    for case in 0..120 {
        let mut doc = original.clone();
        let changes: Vec<String> = (0..1 + rng.below(3)).map(|_| mutate(&mut doc, &mut rng, &all)).collect();
        let mutated = serde_json::to_string_pretty(&doc).unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let doc = Document::from_text("mutated.json", mutated)?;
            let api = generator.build(&doc)?;
            if case % 10 == 0 {
                generator.modules(&api)?;
            }
            Ok::<_, openapi_codegen::Error>(())
        }));
        match outcome {
            Ok(Ok(())) => ok += 1,
            Ok(Err(e)) => {
                refused += 1;
                let problems = e.problems().expect("a spec error, not another kind");
                assert!(!problems.problems.is_empty());
                assert!(problems.problems.iter().all(|p| p.pointer.starts_with('#')), "{e}");
            }
            Err(_) => panic!("case {case} panicked after: {changes:?}"),
        }
    }
    // Both outcomes happen, so the mutations are neither all harmless nor all fatal.
    assert!(ok > 0 && refused > 0, "ok {ok}, refused {refused}");
}
