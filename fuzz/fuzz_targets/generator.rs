//! The generator on any spec text, YAML or JSON: code or the problems it
//! collected, never a panic, a stack overflow or a stall (libFuzzer's
//! `-timeout` catches a slow input).

#![no_main]

use libfuzzer_sys::fuzz_target;
use openapi_codegen::{Document, Generator};

fuzz_target!(|data: &[u8]| {
    fuzz::keep_input(data);
    let text = String::from_utf8_lossy(data).into_owned();
    let Ok(doc) = Document::from_text("fuzz.yaml", text) else { return };
    let generator = Generator::new();
    let Ok(api) = generator.build(&doc) else { return };
    let _ = generator.modules(&api);
});
