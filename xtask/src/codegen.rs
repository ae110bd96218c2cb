//! `cargo xtask codegen`: regenerate, or check that the committed output
//! is what the generator makes now: `openapi_kit::codegen` (the
//! `openapi-kit codegen` command), with this repository's defaults (the
//! project's spec into `generated/src`) and its `--bump`.

use std::path::PathBuf;
use std::process::ExitCode;

use openapi_kit::cli::{SelectionArgs, TreeArgs};

use crate::root;

/// The spec the project is generated from, relative to the root.
pub const DEFAULT_SPEC: &str = "spec/checkout_sessions.yaml";
/// Where its modules go, relative to the root.
pub const DEFAULT_OUT: &str = "generated/src";

pub use openapi_kit::codegen::{Destination, Request, write};

/// `cargo xtask codegen`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exit 1 with a diff if the committed code is stale; write nothing.
    #[arg(long)]
    check: bool,
    /// Generate from another spec (with --out) ...
    #[arg(long, value_name = "PATH", requires = "out")]
    spec: Option<PathBuf>,
    /// ... into a standalone crate at DIR.
    #[arg(long, value_name = "DIR", requires = "spec")]
    out: Option<PathBuf>,
    /// The crate name for --out (default: the folder's name).
    #[arg(long, requires = "out")]
    name: Option<String>,
    #[command(flatten)]
    selection: SelectionArgs,
    #[command(flatten)]
    tree: TreeArgs,
    /// Set generated/Cargo.toml's version (and every lock file's) to what
    /// the spec change since HEAD needs (see `diff`).
    #[arg(long, conflicts_with_all = ["check", "out"])]
    bump: bool,
}

impl Args {
    /// What to generate, and where; the header names the command that
    /// regenerates it.
    fn request(&self) -> Request {
        let mut command = String::from("cargo xtask codegen");
        if let (Some(spec), Some(out)) = (&self.spec, &self.out) {
            command.push_str(&format!(" --spec {} --out {}", spec.display(), out.display()));
        }
        if let Some(name) = &self.name {
            command.push_str(&format!(" --name {name}"));
        }
        command.push_str(&self.selection.flags());
        command.push_str(&self.tree.flags());
        let destination = match &self.out {
            Some(dir) => Destination::Crate(dir.clone()),
            None => Destination::Modules(root().join(DEFAULT_OUT)),
        };
        Request {
            spec: self.spec.clone().unwrap_or_else(|| root().join(DEFAULT_SPEC)),
            destination,
            name: self.name.clone(),
            paths: self.selection.paths.clone(),
            expand_depth: self.selection.expand_depth,
            command,
            verbose: true,
            tree: self.tree.options(),
        }
    }
}

pub fn run(args: Args) -> Result<ExitCode, String> {
    let (request, check, bump) = (args.request(), args.check, args.bump);
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
