//! `openapi-kit`: see [`openapi_kit::cli`].

// Emitting and formatting a large crate is allocation-bound: mimalloc
// takes about a third off codegen of a spec as large as Stripe's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    openapi_kit::cli::main_with(std::env::args_os())
}
