//! Independent tools from npm (Prism, Redocly's CLI), pinned and installed
//! under a folder of their own when missing. npm installs into a staging
//! folder, which is moved into place whole and marked done: tests that
//! install at once (in one process or several) never run a tool that is
//! half there.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Redocly's CLI, for its Arazzo runner (`respect`) and its spec diff
/// (`diff`), both checked against this project's.
pub const REDOCLY: &str = "@redocly/cli@2.77.0";

/// The file that marks an install as whole.
const INSTALLED: &str = ".installed";

/// The command `bin` of `package` (`name@version`): the path in the
/// environment variable `env` when set, else the one installed under `dir`,
/// installed there with npm when it is missing.
pub fn install(dir: &Path, package: &str, bin: &str, env: &str) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(env) {
        return Ok(path.into());
    }
    let binary = dir.join("node_modules/.bin").join(bin);
    let done = |dir: &Path| dir.join(INSTALLED).exists() && dir.join("node_modules/.bin").join(bin).exists();
    if done(dir) {
        return Ok(binary);
    }
    let staging = dir.with_extension(format!("installing-{}-{:?}", std::process::id(), std::thread::current().id()).replace(['(', ')'], ""));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
    let output = Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
        .arg(&staging)
        .arg(package)
        .output()
        .map_err(|e| format!("cannot run npm to install {package}: {e}"))?;
    if !output.status.success() || !staging.join("node_modules/.bin").join(bin).exists() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(format!("npm could not install {package}: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    std::fs::write(staging.join(INSTALLED), package).map_err(|e| e.to_string())?;
    // Another install may have finished first: then its copy stays.
    if !done(dir) {
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::fs::rename(&staging, dir);
    }
    let _ = std::fs::remove_dir_all(&staging);
    if done(dir) { Ok(binary) } else { Err(format!("{package} could not be moved into {}", dir.display())) }
}
