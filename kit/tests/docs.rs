//! Every command a shell block of the README or of `docs/` names exists,
//! with every flag it is shown with: `openapi-kit <subcommand>` against the
//! binary's own `--help`, `cargo xtask <command>` against the xtask's usage
//! text (the one place its options are described). The Rust blocks are
//! compiled by the doctests of `tests/src/lib.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

/// The README and every page of `docs/`.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![workspace().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(workspace().join("docs")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "md")).collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The lines of every ```sh block, each with where it is.
fn shell_lines(page: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(page).unwrap();
    let mut out = Vec::new();
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            inside = !inside && trimmed.trim_start_matches('`').starts_with("sh");
            continue;
        }
        if inside {
            // A comment is not part of the command.
            let command = line.split(" #").next().unwrap_or_default().trim();
            if !command.is_empty() && !command.starts_with('#') {
                out.push((format!("{}:{}", page.display(), i + 1), command.to_owned()));
            }
        }
    }
    out
}

/// The xtask's usage text (`const USAGE` in `xtask/src/main.rs`).
fn xtask_usage() -> String {
    let source = std::fs::read_to_string(workspace().join("xtask/src/main.rs")).unwrap();
    let start = source.find("const USAGE: &str = \"").expect("the usage text") + "const USAGE: &str = \"".len();
    let end = start + source[start..].find("\";").unwrap();
    source[start..end].to_owned()
}

/// The part of the xtask's usage that describes `command`.
fn xtask_help(usage: &str, command: &str) -> Option<String> {
    let mut lines = usage.lines().skip_while(|l| l.strip_prefix("  ").and_then(|l| l.split_whitespace().next()) != Some(command));
    let first = lines.next()?;
    let rest: Vec<&str> = lines.take_while(|l| l.starts_with("      ")).collect();
    Some(std::iter::once(first).chain(rest).collect::<Vec<_>>().join("\n"))
}

fn kit_help(args: &[&str]) -> Option<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_openapi-kit")).args(args).arg("--help").output().unwrap();
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The `--flags` a command line uses.
fn flags(words: &[&str]) -> Vec<String> {
    words.iter().filter(|w| w.starts_with("--") && w.len() > 2).map(|w| w.split('=').next().unwrap().to_owned()).collect()
}

#[test]
fn every_command_in_the_docs_exists_with_its_flags() {
    let usage = xtask_usage();
    let (mut kit_lines, mut xtask_lines) = (0, 0);
    let mut wrong = Vec::new();
    for page in pages() {
        for (at, line) in shell_lines(&page) {
            let words: Vec<&str> = line.split_whitespace().collect();
            // `cargo xtask X ...` and `cargo run [--release] -p xtask -- X ...`.
            let xtask = match words.as_slice() {
                ["cargo", "xtask", rest @ ..] => Some(rest),
                ["cargo", "run", ..] if words.contains(&"xtask") => words.iter().position(|w| *w == "--").map(|i| &words[i + 1..]),
                _ => None,
            };
            if let Some(rest) = xtask {
                xtask_lines += 1;
                let Some(command) = rest.first() else { continue };
                if *command == "help" {
                    continue;
                }
                match xtask_help(&usage, command) {
                    None => wrong.push(format!("{at}: `cargo xtask {command}` is no command")),
                    Some(help) => {
                        for flag in flags(rest) {
                            if !help.contains(&flag) {
                                wrong.push(format!("{at}: `cargo xtask {command}` has no {flag}"));
                            }
                        }
                    }
                }
            } else if words.first() == Some(&"openapi-kit") {
                kit_lines += 1;
                let Some(command) = words.get(1) else { continue };
                match kit_help(&[command]) {
                    None => wrong.push(format!("{at}: `openapi-kit {command}` is no command")),
                    Some(help) => {
                        for flag in flags(&words[2..]) {
                            if !help.contains(&format!("{flag} ")) && !help.contains(&format!("{flag}\n")) {
                                wrong.push(format!("{at}: `openapi-kit {command}` has no {flag}"));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The check found the commands it is for.
    assert!(kit_lines >= 10 && xtask_lines >= 15, "{kit_lines} openapi-kit lines, {xtask_lines} xtask lines");
}

#[test]
fn the_readme_is_a_front_door() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    assert!(readme.lines().count() <= 250, "{} lines", readme.lines().count());
    // Every page of docs/ is on its map, and every link of the map is a page.
    for page in pages().iter().skip(1) {
        let name = page.file_name().unwrap().to_string_lossy();
        assert!(readme.contains(&format!("(docs/{name})")), "docs/{name} is not on the README's map");
    }
    for link in readme.split("](docs/").skip(1) {
        let target = link.split([')', '#']).next().unwrap();
        assert!(workspace().join("docs").join(target).exists(), "a link to docs/{target}, which is not there");
    }
}
