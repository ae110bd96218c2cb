// Round trips through a generated crate's types, by schema pointer.
//
// Not a module of `openapi-contract`: this file is compiled against a
// generated crate, named `api` where it is included (the runner that
// `cargo xtask contract` builds, and the tests of this workspace). It needs
// the crate's `form` feature, `serde`, `serde_json` and `serde_path_to_error`.

use api::schemas::{Visitor, visit};
use serde_json::Value;

/// Reads `value` as `T`, naming the path that failed.
fn read<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| format!("does not read as the generated type at `{}`: {}", e.path(), e.inner()))
}

struct Json(Value);

impl Visitor for Json {
    type Output = Result<Value, String>;

    fn visit<T: serde::Serialize + serde::de::DeserializeOwned + 'static>(self) -> Self::Output {
        let typed: T = read(self.0)?;
        serde_json::to_value(&typed).map_err(|e| format!("does not write back as JSON: {e}"))
    }
}

struct Form(Value);

impl Visitor for Form {
    type Output = Result<Value, String>;

    fn visit<T: serde::Serialize + serde::de::DeserializeOwned + 'static>(self) -> Self::Output {
        let typed: T = read(self.0)?;
        let fields = api::wire::encode_fields(&typed).map_err(|e| e.to_string())?;
        let body = api::wire::encode_pairs(&fields);
        let tree = api::wire::decode_body(body.as_bytes()).map_err(|e| format!("the form `{body}` does not decode: {}", e.message))?;
        let back: T = serde_path_to_error::deserialize(tree)
            .map_err(|e| format!("the form `{body}` does not read back at `{}`: {}", e.path(), e.inner()))?;
        serde_json::to_value(&back).map_err(|e| format!("does not write back as JSON: {e}"))
    }
}

/// JSON → the type of the schema at `pointer` → JSON. `None` when no type
/// belongs to that pointer.
pub fn json(pointer: &str, value: Value) -> Option<Result<Value, String>> {
    visit(pointer, Json(value))
}

/// JSON → the type → a form body → the type → JSON.
pub fn form(pointer: &str, value: Value) -> Option<Result<Value, String>> {
    visit(pointer, Form(value))
}
