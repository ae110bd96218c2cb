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

/// Runs `script` with `python`, its input as a JSON file (`sys.argv[1]`)
/// and `args` after it, and reads the JSON it prints.
pub fn json_out<T: serde::de::DeserializeOwned>(python: &str, script: &str, tag: &str, input: &impl serde::Serialize, args: &[&std::ffi::OsStr]) -> T {
    let file = std::env::temp_dir().join(format!("{tag}-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_vec(input).unwrap()).unwrap();
    let output = Command::new(python).arg("-c").arg(script).arg(&file).args(args).output().unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Runs the `filter_failure` hook of schemathesis's hooks file `hooks` over
/// `cases`, as the tool would: `build` is Python that, for each case `c`
/// (with `ns`, `types.SimpleNamespace`, at hand), sets `case`, `response`
/// and `failure`. Answers, per case, whether the hook kept the failure.
pub fn hook_keeps(python: &str, hooks: &std::path::Path, tag: &str, build: &str, cases: &[serde_json::Value]) -> Vec<bool> {
    let body: String = build.trim().lines().map(|line| format!("    {line}\n")).collect();
    let script = format!(
        "import json, sys, types\n\
         cases, path = json.load(open(sys.argv[1])), sys.argv[2]\n\
         hooks = {{\"__file__\": path}}\n\
         exec(compile(open(path).read(), path, \"exec\"), hooks)\n\
         ns = types.SimpleNamespace\n\
         kept = []\n\
         for c in cases:\n{body}    kept.append(bool(hooks[\"filter_failure\"](None, failure, case, response)))\n\
         print(json.dumps(kept))\n"
    );
    json_out(python, &script, tag, &cases, &[hooks.as_os_str()])
}
