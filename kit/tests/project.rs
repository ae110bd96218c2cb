//! The kit as a new user meets it: the `openapi-kit` binary (the one
//! `cargo install --path kit` installs) in a project of their own, outside
//! this repository, with its own spec and its own server.
//!
//! The project (under the system's temporary folder) (a) generates a crate
//! from its spec with `openapi-kit codegen` and compiles it, (b) serves its
//! API from that crate's server stubs and checks it with `openapi-kit
//! contract --server`, and (c) generates types from a `build.rs` through
//! the library (`openapi_codegen::Generator`) into `OUT_DIR` and
//! `include!`s them, as progenitor and prost users do. Cargo runs offline
//! (`CARGO_NET_OFFLINE`), with this workspace's lock file for pinned
//! versions and a target folder under this workspace's, kept between runs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

fn kit() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_openapi-kit"));
    command.env("CARGO_NET_OFFLINE", "true");
    command
}

fn cargo(project: &Path) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(project)
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TARGET_DIR", workspace().join("target/kit-project/target"))
        .env_remove("RUSTFLAGS");
    command
}

fn output(command: &mut Command) -> (i32, String, String) {
    let out = command.output().expect("the command runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn every_subcommand_has_its_help_and_errors_name_the_flag() {
    for (command, flags) in [
        ("codegen", &["--out", "--check", "--modules-only", "--allow-outside", "--map"][..]),
        ("contract", &["--server", "--workflows", "--negative", "--junit", "--lockfile"][..]),
        ("workflows", &["--server", "--input", "--header"][..]),
        ("diff", &["--base", "--format", "--fail-on", "--unless-announced"][..]),
        ("bundle", &["--out", "--allow-outside"][..]),
        ("completions", &["<SHELL>"][..]),
    ] {
        let (code, help, _) = output(kit().args([command, "--help"]));
        assert_eq!(code, 0, "{command}");
        for flag in flags {
            assert!(help.contains(flag), "{command} --help lacks {flag}:\n{help}");
        }
    }
    // Usage errors: exit 2, the flag or value named.
    let (code, _, err) = output(kit().args(["codegen", "spec.yaml", "--outt", "x"]));
    assert_eq!(code, 2);
    assert!(err.contains("--outt"), "{err}");
    let (code, _, err) = output(kit().args(["diff", "a.yaml", "b.yaml", "--fail-on", "severe"]));
    assert_eq!(code, 2);
    assert!(err.contains("--fail-on") && err.contains("severe"), "{err}");
    let (code, _, err) = output(kit().args(["contract", "spec.yaml", "--timeout", "0"]));
    assert_eq!(code, 2);
    assert!(err.contains("--timeout"), "{err}");
    // A spec that does not load: exit 2, its problem named.
    let dir = std::env::temp_dir().join(format!("openapi-kit-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bad.yaml"), "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n").unwrap();
    let (code, _, err) = output(kit().arg("codegen").arg(dir.join("bad.yaml")).arg("--out").arg(dir.join("out")));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.yaml:6: #/paths/~1a/get/responses"), "{err}");
    // Findings: exit 1 (a breaking change with --fail-on breaking).
    let old = workspace().join("tests/fixtures/pets.yaml");
    let text = std::fs::read_to_string(&old).unwrap();
    let new = dir.join("pets-new.yaml");
    std::fs::write(&new, text.replacen("  /pets/{petId}:", "  /animals/{petId}:", 1)).unwrap();
    let (code, report, _) = output(kit().arg("diff").arg(&old).arg(&new).args(["--fail-on", "breaking"]));
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("breaking"), "{report}");
    let (code, _, _) = output(kit().arg("diff").arg(&old).arg(&old).args(["--fail-on", "breaking"]));
    assert_eq!(code, 0);
    // Completions for a shell.
    let (code, script, _) = output(kit().args(["completions", "bash"]));
    assert_eq!(code, 0);
    assert!(script.contains("openapi-kit") && script.contains("codegen"), "{script}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The project's server: the pets API on its generated stubs, printing
/// its URL first.
const MAIN: &str = r#"use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use api::http_server::{Credentials, Rejection, RequestContext};
use api::runtime::Nullable;
use api::server::{self, Failure, PetsApi};
use api::types::{CreatePetParams, ListPetsParams, ListPetsResponse, Pet, Problem};
use api::wire::Credential;

#[derive(Default)]
struct Pets(Mutex<BTreeMap<i64, Pet>>);

fn problem(status: u16, code: &str, message: &str) -> Failure {
    Failure::new(status, Problem { code: code.into(), message: message.into(), param: Nullable::Absent })
}

impl PetsApi for Pets {
    fn authenticate(&self, _: &str, credentials: &Credentials) -> bool {
        credentials.get("apiKey") == Some(&Credential::secret("pets-key"))
    }

    fn rejection(&self, rejection: &Rejection) -> Problem {
        Problem { code: format!("{:?}", rejection.kind).to_lowercase(), message: rejection.message.clone(), param: rejection.param.clone().map_or(Nullable::Absent, Nullable::Value) }
    }

    async fn list_pets(&self, params: ListPetsParams, _: RequestContext) -> Result<ListPetsResponse, Failure> {
        let pets = self.0.lock().unwrap();
        let tagged = |p: &&Pet| params.tag.is_none() || p.tag.as_option() == params.tag.as_ref();
        Ok(ListPetsResponse { pets: pets.values().filter(tagged).cloned().collect() })
    }

    async fn create_pet(&self, params: CreatePetParams, _: RequestContext) -> Result<Pet, Failure> {
        let mut pets = self.0.lock().unwrap();
        let id = pets.keys().last().map_or(1, |last| last + 1);
        let pet = Pet { id, name: params.name, tag: params.tag.map_or(Nullable::Absent, Nullable::Value) };
        pets.insert(id, pet.clone());
        Ok(pet)
    }

    async fn get_pet(&self, pet_id: i64, _: RequestContext) -> Result<Pet, Failure> {
        self.0.lock().unwrap().get(&pet_id).cloned().ok_or_else(|| problem(404, "not_found", "No such pet"))
    }

    async fn delete_pet(&self, pet_id: i64, _: RequestContext) -> Result<(), Failure> {
        self.0.lock().unwrap().remove(&pet_id).map(|_| ()).ok_or_else(|| problem(404, "not_found", "No such pet"))
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // The types the build script generated are there too.
    let _: Option<petshop::from_build::types::Pet> = None;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    println!("http://{}", listener.local_addr()?);
    server::serve(listener, Arc::new(Pets::default())).await
}
"#;

/// The project's build script: the spec's types through the library.
const BUILD: &str = r##"use std::fmt::Write;
use std::path::PathBuf;

fn main() {
    let spec = PathBuf::from("spec/pets.yaml");
    println!("cargo:rerun-if-changed={}", spec.display());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let generator = openapi_codegen::Generator::new().with_command("cargo build (build.rs)");
    let doc = generator.load(&spec).unwrap_or_else(|e| panic!("{e}"));
    let api = generator.build(&doc).unwrap_or_else(|e| panic!("{e}"));
    let mut mounts = String::new();
    for (module, code) in generator.modules(&api).unwrap_or_else(|e| panic!("{e}")) {
        std::fs::write(out.join(module), code).unwrap();
        // The types alone: they need only serde, serde_json and regex.
        let name = module.trim_end_matches(".rs");
        if ["runtime", "types", "schemas", "webhooks"].contains(&name) {
            writeln!(mounts, "#[path = {:?}]\npub mod {name};", out.join(module).display().to_string()).unwrap();
        }
    }
    std::fs::write(out.join("api.rs"), mounts).unwrap();
}
"##;

#[test]
fn a_project_outside_the_repository_generates_compiles_and_checks_its_own_server() {
    let project = std::env::temp_dir().join(format!("openapi-kit-project-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(project.join("spec")).unwrap();
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::copy(workspace().join("tests/fixtures/pets.yaml"), project.join("spec/pets.yaml")).unwrap();
    let workflows = std::fs::read_to_string(workspace().join("tests/workflows/pets.arazzo.yaml")).unwrap().replace("url: ../fixtures/pets.yaml", "url: pets.yaml");
    std::fs::write(project.join("spec/pets.arazzo.yaml"), workflows).unwrap();
    let generator = workspace().join("generator");
    std::fs::write(
        project.join("Cargo.toml"),
        format!(
            "[package]\nname = \"petshop\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\napi = {{ path = \"api\", features = [\"server\"] }}\n\
             tokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"net\", \"macros\"] }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\
             regex = {{ version = \"1\", default-features = false, features = [\"std\", \"perf\", \"unicode\"] }}\n\n\
             [build-dependencies]\nopenapi-codegen = {{ path = {:?} }}\n\n\
             # The generated crate is a workspace of its own (it builds anywhere).\n\
             [workspace]\nexclude = [\"api\"]\n",
            generator.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(project.join("build.rs"), BUILD).unwrap();
    std::fs::write(project.join("src/lib.rs"), "//! The pets shop.\n\n/// The spec's types, generated by `build.rs`.\npub mod from_build {\n    include!(concat!(env!(\"OUT_DIR\"), \"/api.rs\"));\n}\n").unwrap();
    std::fs::write(project.join("src/main.rs"), MAIN).unwrap();
    std::fs::copy(workspace().join("Cargo.lock"), project.join("Cargo.lock")).unwrap();

    // (a) The crate, by the installed command; then --check finds it current.
    let (code, out, err) = output(kit().current_dir(&project).args(["codegen", "spec/pets.yaml", "--out", "api"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(project.join("api/Cargo.toml").exists() && project.join("api/src/server.rs").exists());
    let (code, out, _) = output(kit().current_dir(&project).args(["codegen", "spec/pets.yaml", "--out", "api", "--check"]));
    assert_eq!(code, 0, "{out}");
    // The API crate compiles on its own with every feature, and the project
    // (with the build script's types) around it.
    let (code, _, err) = output(cargo(&project).args(["build", "--quiet", "--manifest-path", "api/Cargo.toml", "--all-features"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = output(cargo(&project).args(["build", "--quiet"]));
    assert_eq!(code, 0, "{err}");

    // (b) Its own server, checked live by the command.
    let binary = workspace().join("target/kit-project/target/debug/petshop");
    let mut server = Command::new(&binary).stdout(Stdio::piped()).spawn().expect("the server starts");
    let mut url = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut url).unwrap();
    let work = workspace().join("target/kit-project/work");
    let lockfile = workspace().join("Cargo.lock");
    let checked = output(
        kit()
            .current_dir(&project)
            .args(["contract", "spec/pets.yaml", "--server", url.trim(), "--negative", "5"])
            .arg("--work")
            .arg(&work)
            .arg("--lockfile")
            .arg(&lockfile),
    );
    let _ = server.kill();
    let _ = server.wait();
    let (code, report, err) = checked;
    assert_eq!(code, 0, "{report}{err}");
    // The workflows' steps and the negative requests, each checked live.
    let live = report.lines().find(|l| l.starts_with("live")).unwrap_or_default();
    assert!(report.contains("contract: ok") && live.contains("passed") && !live.contains(" 0 checks"), "{report}");

    // (c) The build script's types are in the project's library.
    let generated = std::fs::read_dir(workspace().join("target/kit-project/target/debug/build"))
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().starts_with("petshop-") && e.path().join("out/types.rs").exists());
    assert!(generated, "build.rs wrote no types.rs into OUT_DIR");
    let _ = std::fs::remove_dir_all(&project);
}
