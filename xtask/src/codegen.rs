//! `cargo xtask codegen`: regenerate, or check that the committed output
//! is what the generator makes now: `openapi_kit::codegen` (the
//! `openapi-kit codegen` command), with this repository's defaults (the
//! project's spec into `generated/src`) and its `--bump`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::{root, take_flag, take_value};

/// The spec the project is generated from, relative to the root.
pub const DEFAULT_SPEC: &str = "spec/checkout_sessions.yaml";
/// Where its modules go, relative to the root.
pub const DEFAULT_OUT: &str = "generated/src";

pub use openapi_kit::codegen::{Destination, Request, write};

/// Reads `codegen`'s flags: the request, and whether to `--check`.
struct Parsed;

impl Parsed {
    fn parse(mut args: Vec<String>) -> Result<(Request, bool), String> {
        let check = take_flag(&mut args, "--check");
        let spec = take_value(&mut args, "--spec")?;
        let out = take_value(&mut args, "--out")?;
        let name = take_value(&mut args, "--name")?;
        let paths = take_value(&mut args, "--paths")?;
        let depth = take_value(&mut args, "--expand-depth")?;
        let tree = crate::tree_options(&mut args)?;
        if let Some(extra) = args.first() {
            return Err(format!("unexpected argument `{extra}`"));
        }
        if spec.is_some() != out.is_some() {
            return Err("--spec and --out go together (the default spec generates into generated/src)".into());
        }
        let expand_depth = depth
            .as_deref()
            .map(|d| d.parse::<usize>().map_err(|_| format!("--expand-depth needs a number, not `{d}`")))
            .transpose()?;
        // The header names the command that regenerates the output.
        let mut command = String::from("cargo xtask codegen");
        for (flag, value) in [("--spec", &spec), ("--out", &out), ("--name", &name), ("--paths", &paths), ("--expand-depth", &depth)] {
            if let Some(value) = value {
                command.push_str(&format!(" {flag} {value}"));
            }
        }
        if tree.allow_outside {
            command.push_str(" --allow-outside");
        }
        for (prefix, folder) in &tree.mappings {
            command.push_str(&format!(" --map {prefix}={}", folder.display()));
        }
        let destination = match out {
            Some(dir) => Destination::Crate(PathBuf::from(dir)),
            None => Destination::Modules(root().join(DEFAULT_OUT)),
        };
        let request = Request {
            spec: spec.map(PathBuf::from).unwrap_or_else(|| root().join(DEFAULT_SPEC)),
            destination,
            name,
            paths: paths.map(|p| p.split(',').map(str::to_owned).collect()).unwrap_or_default(),
            expand_depth,
            command,
            verbose: true,
            tree,
        };
        Ok((request, check))
    }

}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut args = args.to_vec();
    let bump = take_flag(&mut args, "--bump");
    let (request, check) = Parsed::parse(args)?;
    let code = request.execute(check, &root())?;
    if check {
        return Ok(code);
    }
    // The default spec changed since the last commit: say what that does.
    if matches!(request.destination, Destination::Modules(_))
        && let Some(report) = crate::spec_diff::since_head()
    {
        println!("\nspec change since HEAD: {}.\nDetails: `cargo xtask diff`.", report.summary());
        let manifest = root().join("generated/Cargo.toml");
        if bump {
            let (old, new) = crate::spec_diff::apply_bump(&manifest, &crate::spec_diff::lock_files(), report.verdict())?;
            println!("--bump: generated/Cargo.toml version {old} -> {new} (and in every lock file that names it)");
        } else if report.verdict() > openapi_contract::evolution::Bump::None {
            println!("The crate's version in generated/Cargo.toml is unchanged: `cargo xtask codegen --bump` sets it.");
        }
    } else if bump {
        println!("--bump: the spec did not change since HEAD; the version stays");
    }
    Ok(code)
}
