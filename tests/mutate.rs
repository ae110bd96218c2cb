//! Reproducible mutations of a spec, shared by the robustness test
//! (`tests/robustness.rs`: no mutant panics the generator) and the build
//! script (`build.rs`: every mutant of a fixture that generates compiles
//! without a warning).

use serde_json::{Value, json};

/// xorshift64*: reproducible without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Every node's pointer.
pub fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
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

pub fn mutate(doc: &mut Value, rng: &mut Rng, all: &[String]) -> String {
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

/// The mutants of `original` for `seed`: one to three changes each.
pub fn mutant(original: &Value, seed: u64) -> (Value, Vec<String>) {
    let mut all = Vec::new();
    pointers(original, String::new(), &mut all);
    all.retain(|p| !p.is_empty() && !p.contains("/examples/"));
    let mut rng = Rng(0x5eed_cafe_f00d_d00d ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut doc = original.clone();
    let changes = (0..1 + rng.below(3)).map(|_| mutate(&mut doc, &mut rng, &all)).collect();
    (doc, changes)
}
