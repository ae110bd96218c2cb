//! The contract checks' view of the generated crate, in process: the same
//! round-trip code the runner of `cargo xtask contract` compiles.

use openapi_contract::Types;
use serde_json::Value;

mod round_trip {
    use checkout_sessions as api;
    include!("../../../contract/runner/round_trip.rs");
}

/// The generated `checkout-sessions` types.
pub struct Generated;

impl Types for Generated {
    fn json(&mut self, pointer: &str, value: &Value) -> Option<Result<Value, String>> {
        round_trip::json(pointer, value.clone())
    }

    fn form(&mut self, pointer: &str, value: &Value) -> Option<Result<Value, String>> {
        round_trip::form(pointer, value.clone())
    }
}
