//! Python, for tests that compare with an independent implementation.

use std::process::Command;

/// `python3`, when it can import every module of `modules`. Without them a
/// CI run (`CI` set, as `.ci/run` does after installing them) fails; a
/// local run says what is missing and answers `None`.
pub fn python_with(modules: &[&str]) -> Option<&'static str> {
    let imports = modules.iter().map(|m| format!("import {m}")).collect::<Vec<_>>().join("; ");
    let ok = Command::new("python3").args(["-c", &imports]).output().is_ok_and(|o| o.status.success());
    if ok {
        return Some("python3");
    }
    let message = format!("python3 cannot import {modules:?}: .ci/run installs them (pip install ...)");
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    None
}
