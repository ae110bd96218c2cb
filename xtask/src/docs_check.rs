//! The README and `docs/` against the commands they show: every
//! `openapi-kit ...` and `cargo xtask ...` line of a shell block names a
//! subcommand that exists, with flags it has; a line written out in full
//! (no `[optional]` part, no `...`) parses as the command line it is. The
//! Rust blocks are compiled by the doctests of `tests/src/lib.rs`.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

fn workspace() -> PathBuf {
    crate::root()
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

/// The command a shell line runs, as its program name and words (up to a
/// redirection), when it is `openapi-kit` or the xtask (`cargo xtask X`,
/// `cargo run [--release] -p xtask -- X`).
fn command_of(line: &str) -> Option<(clap::Command, Vec<String>)> {
    let words: Vec<&str> = line.split_whitespace().take_while(|w| !matches!(*w, ">" | ">>" | "|" | "&&")).collect();
    let (command, rest) = match words.as_slice() {
        ["openapi-kit", rest @ ..] => (openapi_kit::cli::Cli::command(), rest),
        ["cargo", "xtask", rest @ ..] => (crate::Xtask::command(), rest),
        ["cargo", "run", ..] if words.contains(&"xtask") => (crate::Xtask::command(), &words[words.iter().position(|w| *w == "--")? + 1..]),
        _ => return None,
    };
    let name = command.get_name().to_owned();
    Some((command, std::iter::once(name).chain(rest.iter().map(|w| w.to_string())).collect()))
}

/// What is wrong with a shell line's command: a subcommand that does not
/// exist, a flag it does not have, or (a line written in full) a command
/// line that does not parse.
fn problems(line: &str) -> Vec<String> {
    let Some((mut command, words)) = command_of(line) else { return Vec::new() };
    let Some(sub) = words.get(1) else { return Vec::new() };
    if sub == "help" {
        return Vec::new();
    }
    let Some(found) = command.find_subcommand(sub) else { return vec![format!("no subcommand `{sub}`")] };
    let longs: Vec<String> = found.get_arguments().filter_map(|a| a.get_long()).map(|l| format!("--{l}")).chain(["--help".to_owned()]).collect();
    let mut out: Vec<String> = words[2..]
        .iter()
        .map(|w| w.trim_start_matches('[').trim_end_matches(']'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.split('=').next().unwrap_or(w))
        .filter(|flag| !longs.iter().any(|l| l == flag))
        .map(|flag| format!("`{sub}` has no {flag}"))
        .collect();
    let written_in_full = !words.iter().any(|w| w.contains('[') || w.contains("..."));
    if out.is_empty()
        && written_in_full
        && let Err(e) = command.try_get_matches_from_mut(&words)
    {
        out.push(format!("does not parse: {}", e.render().to_string().lines().next().unwrap_or_default()));
    }
    out
}

#[test]
fn every_command_in_the_docs_exists_with_its_flags() {
    let (mut checked, mut wrong) = (0, Vec::new());
    for page in pages() {
        for (at, line) in shell_lines(&page) {
            checked += usize::from(command_of(&line).is_some());
            wrong.extend(problems(&line).into_iter().map(|p| format!("{at}: {line}\n    {p}")));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The check found the commands it is for.
    assert!(checked >= 35, "{checked} command lines");
}

#[test]
fn every_task_ci_runs_exists_with_its_flags() {
    let script = std::fs::read_to_string(workspace().join(".ci/run")).unwrap().replace("\\\n", " ");
    let mut checked = 0;
    for (i, line) in script.lines().enumerate() {
        let Some(at) = line.find("cargo xtask ") else { continue };
        let command = line[at..].split(';').next().unwrap_or_default();
        checked += 1;
        assert_eq!(problems(command), Vec::<String>::new(), ".ci/run (logical line {}): {command}", i + 1);
    }
    assert!(checked >= 10, "{checked} xtask lines in .ci/run");
}

#[test]
fn a_wrong_command_line_in_the_docs_is_caught() {
    assert_eq!(problems("cargo xtask codegen --chek"), ["`codegen` has no --chek"]);
    assert_eq!(problems("cargo xtask codegen --spec PATH --out DIR [--nam NAME]"), ["`codegen` has no --nam"]);
    assert_eq!(problems("openapi-kit diff old.yaml new.yaml --fail-onn breaking"), ["`diff` has no --fail-onn"]);
    assert_eq!(problems("openapi-kit difff old.yaml new.yaml"), ["no subcommand `difff`"]);
    assert_eq!(problems("cargo run --release -p xtask -- benchh"), ["no subcommand `benchh`"]);
    // Written in full, a line must parse: a value clap refuses, a missing argument.
    let refused = problems("openapi-kit diff old.yaml new.yaml --fail-on everything");
    assert!(refused.len() == 1 && refused[0].starts_with("does not parse:") && refused[0].contains("everything"), "{refused:?}");
    assert_eq!(problems("openapi-kit codegen spec.yaml").len(), 1, "--out is required");
    // And lines that are right pass, with their redirections.
    assert_eq!(problems("openapi-kit completions zsh > ~/.zfunc/_openapi-kit"), Vec::<String>::new());
    assert_eq!(problems("cargo xtask fuzz [TARGET...] [--seconds N] [--jobs N]"), Vec::<String>::new());
    assert_eq!(problems("cargo xtask diff --base main"), Vec::<String>::new());
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
