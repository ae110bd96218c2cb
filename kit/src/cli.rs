//! The `openapi-kit` command line (clap, derive): one subcommand per
//! capability, each with its own `--help`, typed values, and errors that
//! name the flag. Exit codes: 0 pass, 1 findings (a stale file, a failed
//! check, a diff that `--fail-on` fails), 2 a usage or load error.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::codegen::{Destination, Request};
use crate::contract::TypesCrate;
use crate::diff::{FailOn, Format};

/// Generate a Rust crate from any OpenAPI 3.0, 3.1 or 3.2 spec, check a
/// server against its contract, and say what a spec change breaks.
#[derive(Debug, Parser)]
#[command(name = "openapi-kit", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a crate (types; a client, server stubs and webhooks behind
    /// features) from a spec, or check that one is up to date.
    Codegen(CodegenArgs),
    /// Check a spec's examples, round trips and generated values, and with
    /// --server a live server (Arazzo workflows and negative requests).
    Contract(ContractArgs),
    /// Run Arazzo workflows against a live server, every exchange checked
    /// against the spec (no crate is built).
    Workflows(WorkflowsArgs),
    /// What a spec change does: wire changes by level and party, the
    /// generated crate's semver bump, old examples the new spec rejects.
    Diff(DiffArgs),
    /// Write a spec split across files as one document (internal $refs only).
    Bundle(BundleArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// How a spec split across files is read.
#[derive(Debug, Clone, Args)]
pub struct TreeArgs {
    /// Let the spec's references reach files outside its root file's folder.
    #[arg(long)]
    pub allow_outside: bool,
    /// Read references under URL_PREFIX from the folder FOLDER (repeatable;
    /// there is no network).
    #[arg(long = "map", value_name = "URL_PREFIX=FOLDER", value_parser = parse_mapping)]
    pub mappings: Vec<(String, PathBuf)>,
}

impl TreeArgs {
    /// The bundler's options these flags give.
    pub fn options(&self) -> openapi_codegen::bundle::Options {
        openapi_codegen::bundle::Options { allow_outside: self.allow_outside, mappings: self.mappings.clone() }
    }

    /// The flags as written, for the command a generated header names.
    pub fn flags(&self) -> String {
        let mut out = String::new();
        if self.allow_outside {
            out.push_str(" --allow-outside");
        }
        for (prefix, folder) in &self.mappings {
            out.push_str(&format!(" --map {prefix}={}", folder.display()));
        }
        out
    }
}

/// `URL_PREFIX=FOLDER` (`--map`).
pub fn parse_mapping(text: &str) -> Result<(String, PathBuf), String> {
    let (prefix, folder) = text.split_once('=').ok_or_else(|| format!("expected URL_PREFIX=FOLDER, not `{text}`"))?;
    Ok((prefix.to_owned(), PathBuf::from(folder)))
}

/// `codegen`.
#[derive(Debug, Args)]
pub struct CodegenArgs {
    /// The spec (YAML or JSON; the root file of a tree).
    pub spec: PathBuf,
    /// The folder of the crate to write (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write the modules alone into --out (for a crate of your own around
    /// them), not a standalone crate.
    #[arg(long)]
    pub modules_only: bool,
    /// The crate's name (default: the folder's name).
    #[arg(long)]
    pub name: Option<String>,
    /// Exit 1, printing a diff, if the files on disk are not what the spec
    /// generates now; write nothing.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub tree: TreeArgs,
}

/// What is generated of a spec (shared with `cargo xtask codegen`).
#[derive(Debug, Clone, Args)]
pub struct SelectionArgs {
    /// Only the operations whose path matches (globs, comma-separated).
    #[arg(long, value_name = "GLOB,...", value_delimiter = ',')]
    pub paths: Vec<String>,
    /// Keep only the ID of expandable fields past this depth.
    #[arg(long, value_name = "N")]
    pub expand_depth: Option<usize>,
}

impl SelectionArgs {
    /// The flags as written, for the command a generated header names.
    pub fn flags(&self) -> String {
        let mut out = String::new();
        if !self.paths.is_empty() {
            out.push_str(&format!(" --paths {}", self.paths.join(",")));
        }
        if let Some(depth) = self.expand_depth {
            out.push_str(&format!(" --expand-depth {depth}"));
        }
        out
    }
}

/// What `contract` and `workflows` share: the server and how to reach it.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// An Arazzo document (repeatable; default: the *.arazzo.yaml files
    /// beside the spec).
    #[arg(long = "workflows", value_name = "FILE")]
    pub workflows: Vec<PathBuf>,
    /// A workflow input, NAME=VALUE (VALUE read as JSON, else as text; repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE", value_parser = parse_input)]
    pub inputs: Vec<(String, serde_json::Value)>,
    /// The server's Bearer key (default: sk_test_reference).
    #[arg(long)]
    pub api_key: Option<String>,
    /// An extra header on every request, 'Name: value' (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
    /// Also trust this PEM certificate (repeatable).
    #[arg(long = "ca-cert", value_name = "FILE")]
    pub ca_certs: Vec<PathBuf>,
    /// A proxy for every request, or `none` (default: from HTTPS_PROXY,
    /// HTTP_PROXY, ALL_PROXY, NO_PROXY).
    #[arg(long, value_name = "URL|none")]
    pub proxy: Option<String>,
    /// Per exchange, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_timeout)]
    pub timeout: f64,
    /// Generated requests that break one rule each, at most N per operation (0: none).
    #[arg(long, value_name = "N", default_value_t = 40)]
    pub negative: usize,
    /// Their seed.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// `NAME=VALUE` (`--input`): VALUE read as JSON, else as text.
pub fn parse_input(text: &str) -> Result<(String, serde_json::Value), String> {
    let (name, value) = text.split_once('=').ok_or_else(|| format!("expected NAME=VALUE, not `{text}`"))?;
    let value = serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
    Ok((name.to_owned(), value))
}

/// `Name: value` (`--header`).
pub fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text.split_once(':').ok_or_else(|| format!("expected 'Name: value', not `{text}`"))?;
    Ok((name.trim().to_owned(), value.trim().to_owned()))
}

/// The base URL of a server (`--server`): `http://` or `https://`, then a
/// host; no query or fragment, which the paths of the spec are put after.
pub fn parse_server(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"))
        .ok_or_else(|| format!("`{text}`: a server's URL starts with http:// or https://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("`{text}`: no host"));
    }
    if rest.contains(['?', '#']) || rest.contains(char::is_whitespace) {
        return Err(format!("`{text}`: a base URL has no query, fragment or space"));
    }
    Ok(text.to_owned())
}

/// Seconds, over 0 and at most 3600 (`--timeout`).
pub fn parse_timeout(text: &str) -> Result<f64, String> {
    text.parse::<f64>().ok().filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0).ok_or_else(|| format!("`{text}`: seconds, over 0 and at most 3600"))
}

/// `contract`.
#[derive(Debug, Args)]
pub struct ContractArgs {
    /// The spec.
    pub spec: PathBuf,
    /// Also check this live server (http:// or https://).
    #[arg(long, value_name = "URL", value_parser = parse_server)]
    pub server: Option<String>,
    #[command(flatten)]
    pub live: LiveArgs,
    /// Also check every object of a fixtures file.
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
    /// Generated values per schema.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub cases: u32,
    /// Where the spec's crate and the round-trip runner are built.
    #[arg(long, value_name = "DIR", default_value = "target/openapi-kit")]
    pub work: PathBuf,
    /// A Cargo.lock to build them with (pinned versions).
    #[arg(long, value_name = "FILE")]
    pub lockfile: Option<PathBuf>,
}

/// `workflows`.
#[derive(Debug, Args)]
pub struct WorkflowsArgs {
    /// The spec the workflows name operations of.
    pub spec: PathBuf,
    /// The server (http:// or https://).
    #[arg(long, value_name = "URL", value_parser = parse_server)]
    pub server: String,
    #[command(flatten)]
    pub live: LiveArgs,
}

/// How `diff` reports and when it fails (shared with `cargo xtask diff`).
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The report's format: text, markdown, json or junit.
    #[arg(long, default_value = "text")]
    pub format: Format,
    /// Write the report there instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 1 on: breaking, warning, major or minor.
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// ... unless info.version changed (a breaking change on purpose).
    #[arg(long, requires = "fail_on")]
    pub unless_announced: bool,
    /// Also validate a fixtures file's objects against the new spec.
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
}

impl ReportArgs {
    /// The diff's settings, with `types`: where to build the new spec's
    /// types to read the old examples with, and its lock file.
    pub fn settings(self, types: Option<(PathBuf, Option<PathBuf>)>) -> crate::diff::Settings {
        crate::diff::Settings { format: self.format, out: self.out, fail_on: self.fail_on, unless_announced: self.unless_announced, fixtures: self.fixtures, types }
    }
}

/// `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old spec, then the new one; with --base, the new one alone.
    #[arg(value_name = "SPEC", num_args = 1..=2, required = true)]
    pub specs: Vec<PathBuf>,
    /// Compare the spec as it is at this git revision with the file now.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Also read the old examples with the types generated from the new
    /// spec (builds them under this folder).
    #[arg(long, value_name = "DIR")]
    pub types: Option<PathBuf>,
    #[command(flatten)]
    pub tree: TreeArgs,
}

/// `bundle`.
#[derive(Debug, Args)]
pub struct BundleArgs {
    /// The root file of the tree.
    pub spec: PathBuf,
    /// Where to write the bundle, as JSON (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub tree: TreeArgs,
}

/// Runs the command line `args` (the program's name first) and answers
/// its exit code.
pub fn main_with(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are not errors.
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

impl LiveArgs {
    /// The contract run's settings these flags give, checking `server`.
    pub fn settings(self, server: Option<String>) -> crate::contract::Settings {
        let mut settings = crate::contract::Settings { server, api_key: self.api_key, workflows: self.workflows, headers: self.headers, junit: self.junit, json: self.json, ..Default::default() };
        settings.inputs = self.inputs.into_iter().collect();
        settings.client.timeout = Duration::from_secs_f64(self.timeout);
        settings.client.ca_certs = self.ca_certs;
        if let Some(proxy) = self.proxy {
            settings.client.proxy = if proxy == "none" { openapi_contract::client::Proxy::None } else { openapi_contract::client::Proxy::All(proxy) };
        }
        settings.negative.per_operation = self.negative;
        settings.negative.seed = self.seed;
        settings
    }
}

/// Runs one subcommand.
pub fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Codegen(args) => {
            let mut line = format!("openapi-kit codegen {} --out {}", args.spec.display(), args.out.display());
            if args.modules_only {
                line.push_str(" --modules-only");
            }
            if let Some(name) = &args.name {
                line.push_str(&format!(" --name {name}"));
            }
            line.push_str(&args.selection.flags());
            line.push_str(&args.tree.flags());
            let destination = if args.modules_only { Destination::Modules(args.out.clone()) } else { Destination::Crate(args.out.clone()) };
            let request = Request {
                spec: args.spec,
                destination,
                name: args.name,
                paths: args.selection.paths,
                expand_depth: args.selection.expand_depth,
                command: line,
                verbose: true,
                tree: args.tree.options(),
            };
            let base = std::env::current_dir().unwrap_or_default();
            request.execute(args.check, &base)
        }
        Command::Contract(args) => {
            let settings = crate::contract::Settings { fixtures: args.fixtures, cases: args.cases, ..args.live.settings(args.server) };
            let types = TypesCrate::Generate(args.spec.clone());
            crate::contract::execute(&args.spec, &types, &args.work, args.lockfile.as_deref(), settings)
        }
        Command::Workflows(args) => {
            let settings = crate::contract::Settings { live_only: true, ..args.live.settings(Some(args.server)) };
            let types = TypesCrate::Generate(args.spec.clone());
            crate::contract::execute(&args.spec, &types, std::path::Path::new("target/openapi-kit"), None, settings)
        }
        Command::Diff(args) => {
            let tree = args.tree.options();
            let (old, new) = match (&args.base, args.specs.as_slice()) {
                (None, [old, new]) => (crate::diff::load_file(old, &tree)?, crate::diff::load_file(new, &tree)?),
                (Some(revision), [new]) => {
                    let (repo, relative) = crate::diff::in_repository(new)?;
                    let scratch = std::env::temp_dir().join(format!("openapi-kit-diff-{}", std::process::id()));
                    let old = crate::diff::load_at(&repo, revision, &relative, &tree, &scratch);
                    let _ = std::fs::remove_dir_all(&scratch);
                    (old?, crate::diff::load_file(new, &tree)?)
                }
                (Some(_), _) => return Err("with --base REV, give the one spec to compare with itself at REV".into()),
                (None, _) => return Err("give two specs, OLD and NEW (or --base REV and one)".into()),
            };
            crate::diff::execute(old, new, &args.report.settings(args.types.map(|dir| (dir, None))))
        }
        Command::Bundle(args) => {
            let doc = openapi_codegen::bundle::bundle(&args.spec, &args.tree.options()).map_err(|e| e.to_string())?;
            let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
            match args.out {
                Some(path) => {
                    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    eprintln!("bundle: wrote {}", path.display());
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut out = std::io::stdout();
            clap_complete::generate(shell, &mut Cli::command(), "openapi-kit", &mut out);
            out.flush().map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_server_is_an_http_or_https_base_url() {
        for good in ["http://127.0.0.1:8080", "https://api.example.com/v2", "http://[::1]:3000/"] {
            assert_eq!(super::parse_server(good).as_deref(), Ok(good));
        }
        for (bad, says) in [
            ("ftp://x", "starts with http:// or https://"),
            ("127.0.0.1:8080", "starts with http:// or https://"),
            ("http://", "no host"),
            ("https://:443", "no host"),
            ("http://x/?a=1", "no query"),
            ("http://x/#top", "no query"),
        ] {
            let error = super::parse_server(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
