//! Running a documented command leaves a clean checkout clean: in a fresh
//! clone of this repository's committed state, the cheap form of each
//! command runs, and `git status` shows nothing changed. Lock files that
//! only a later command reads (the fuzz targets', the validation
//! benchmark's) are checked with `cargo metadata --locked`, which fails
//! where cargo would rewrite them.
//!
//! Cargo runs offline, with a target folder of its own under this
//! workspace's (kept between runs; the first run builds the xtask).

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

fn run(dir: &Path, program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TARGET_DIR", workspace().join("target/clean-checkout"))
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn documented_commands_leave_a_clean_checkout_clean() {
    let clone = std::env::temp_dir().join(format!("openapi-kit-clean-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&clone);
    let (ok, out) = run(&workspace(), "git", &["clone", "--quiet", "--no-hardlinks", workspace().to_str().unwrap(), clone.to_str().unwrap()]);
    if !ok && out.contains("not a git repository") {
        // A source tree without its history (a crate package, an archive):
        // there is no committed state to compare with.
        eprintln!("skipped: {out}");
        return;
    }
    assert!(ok, "{out}");
    let cargo = env!("CARGO");
    // Output of its own goes where a user's would: an ignored folder.
    std::fs::create_dir_all(clone.join("target")).unwrap();
    let bundle = clone.join("target/bundle.json");
    let commands: Vec<Vec<&str>> = vec![
        vec!["xtask", "codegen"],
        vec!["xtask", "codegen", "--check"],
        vec!["xtask", "diff"],
        vec!["xtask", "bundle", "tests/trees/shop/openapi.yaml", "--out", bundle.to_str().unwrap()],
        vec!["xtask", "help"],
        vec!["run", "--quiet", "-p", "openapi-kit", "--", "diff", "spec/checkout_sessions.yaml", "spec/checkout_sessions.yaml", "--fail-on", "breaking"],
        vec!["run", "--quiet", "-p", "openapi-kit", "--", "bundle", "tests/trees/shop/openapi.yaml", "--out", bundle.to_str().unwrap()],
        vec!["metadata", "--locked", "--format-version", "1", "--manifest-path", "fuzz/Cargo.toml"],
        vec!["metadata", "--locked", "--format-version", "1", "--manifest-path", "contract/bench/Cargo.toml"],
    ];
    for args in &commands {
        let (ok, out) = run(&clone, cargo, args);
        assert!(ok, "cargo {}: {out}", args.join(" "));
    }
    let (ok, status) = run(&clone, "git", &["status", "--porcelain"]);
    assert!(ok, "{status}");
    assert!(status.trim().is_empty(), "the commands changed the checkout:\n{status}");
    let _ = std::fs::remove_dir_all(&clone);
}
