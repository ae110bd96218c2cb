//! Nothing in the contract suite knows the Checkout Sessions API: a second
//! API (`tests/fixtures/pets.yaml`), served by an implementation of its
//! generated stubs, is checked live by a workflow file of its own.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use contract_tests::fixtures::pets::http_server::{Credentials, Rejection, RequestContext};
use contract_tests::fixtures::pets::wire::Credential;
use contract_tests::fixtures::pets::runtime::Nullable;
use contract_tests::fixtures::pets::server::{self, Failure, PetsApi};
use contract_tests::fixtures::pets::types::{CreatePetParams, ListPetsParams, ListPetsResponse, Pet, Problem};
use contract_tests::root;
use openapi_contract::arazzo::{self, run::Target};
use openapi_contract::client::{Client, Options};
use openapi_contract::checks::Spec;
use tokio::net::TcpListener;

const KEY: &str = "pets-key";

#[derive(Default)]
struct Pets {
    pets: Mutex<BTreeMap<i64, Pet>>,
    /// Breaks the contract: answers 200 where the spec says 201.
    misbehave: bool,
}

fn problem(status: u16, code: &str, message: &str) -> Failure {
    Failure::new(status, Problem { code: code.into(), message: message.into(), param: Nullable::Absent })
}

impl PetsApi for Pets {
    /// The router finds the key where the spec's `apiKey` scheme says
    /// (the header `X-Api-Key`) and asks this.
    fn authenticate(&self, _: &str, credentials: &Credentials) -> bool {
        credentials.get("apiKey") == Some(&Credential::secret(KEY))
    }

    fn rejection(&self, rejection: &Rejection) -> Problem {
        Problem { code: format!("{:?}", rejection.kind).to_lowercase(), message: rejection.message.clone(), param: rejection.param.clone().map_or(Nullable::Absent, Nullable::Value) }
    }

    async fn list_pets(&self, params: ListPetsParams, _: RequestContext) -> Result<ListPetsResponse, Failure> {
        let pets = self.pets.lock().unwrap();
        let tagged = |p: &&Pet| params.tag.is_none() || p.tag.as_option() == params.tag.as_ref();
        Ok(ListPetsResponse { pets: pets.values().filter(tagged).cloned().collect() })
    }

    async fn create_pet(&self, params: CreatePetParams, _: RequestContext) -> Result<Pet, Failure> {
        let mut pets = self.pets.lock().unwrap();
        let id = pets.keys().last().map_or(1, |last| last + 1);
        let pet = Pet { id, name: params.name, tag: params.tag.map_or(Nullable::Absent, Nullable::Value) };
        pets.insert(id, pet.clone());
        if self.misbehave {
            return Err(Failure::new(200, problem(200, "ok", "stored").body.as_ref().clone()));
        }
        Ok(pet)
    }

    async fn get_pet(&self, pet_id: i64, _: RequestContext) -> Result<Pet, Failure> {
        self.pets.lock().unwrap().get(&pet_id).cloned().ok_or_else(|| problem(404, "not_found", "No such pet"))
    }

    async fn delete_pet(&self, pet_id: i64, _: RequestContext) -> Result<(), Failure> {
        self.pets.lock().unwrap().remove(&pet_id).map(|_| ()).ok_or_else(|| problem(404, "not_found", "No such pet"))
    }
}

/// Serves a pets server on the generated `serve` and runs the workflows.
async fn check(misbehave: bool) -> Vec<openapi_contract::Case> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(server::serve(listener, Arc::new(Pets { misbehave, ..Pets::default() })));
    tokio::task::spawn_blocking(move || {
        let mut spec = Spec::load(&root().join("tests/fixtures/pets.yaml")).unwrap();
        let text = std::fs::read_to_string(root().join("tests/workflows/pets.arazzo.yaml")).unwrap();
        let doc = arazzo::Document::load("pets.arazzo.yaml", &text, &spec.doc).unwrap_or_else(|e| panic!("{e}"));
        let target = Target { base_url: url, headers: Vec::new(), client: Client::new(&Options::direct(std::time::Duration::from_secs(10))).unwrap() };
        arazzo::run::run_all(&doc, &mut spec, &target, &Default::default())
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_api_is_checked_live_by_its_own_workflows() {
    let cases = check(false).await;
    let failed: Vec<String> = cases.iter().filter(|c| c.failed()).map(|c| format!("{}: {:?}", c.name, c.failures)).collect();
    assert_eq!(failed, Vec::<String>::new());
    let steps: Vec<&str> = cases.iter().filter(|c| !c.name.starts_with("workflow ")).map(|c| c.name.split(' ').next().unwrap()).collect();
    assert_eq!(
        steps,
        [
            "lifecycle/create",
            "lifecycle/read",
            "lifecycle/list_by_tag",
            "lifecycle/delete",
            "lifecycle/read_deleted",
            "refuse_a_nameless_pet/empty_name",
            "refuse_without_a_key/no_key"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn and_its_broken_server_fails_it() {
    let cases = check(true).await;
    let create = cases.iter().find(|c| c.name.starts_with("lifecycle/create")).unwrap();
    assert!(create.failures.iter().any(|f| f.contains("response: status 200 is not declared")), "{create:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn its_generated_negative_requests_are_refused_too() {
    use openapi_contract::negative::{self, Settings};
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(server::serve(listener, Arc::new(Pets::default())));
    let cases = tokio::task::spawn_blocking(move || {
        let mut spec = Spec::load(&root().join("tests/fixtures/pets.yaml")).unwrap();
        let headers = vec![("X-Api-Key".to_owned(), KEY.to_owned())];
        let target = Target { base_url: url, headers, client: Client::new(&Options::direct(std::time::Duration::from_secs(10))).unwrap() };
        negative::run(&mut spec, &target, Settings::default())
    })
    .await
    .unwrap();
    let failed: Vec<String> = cases.iter().filter(|c| c.failed()).map(|c| format!("{}: {:?}", c.name, c.failures)).collect();
    assert_eq!(failed, Vec::<String>::new());
    let names: Vec<&str> = cases.iter().filter(|c| c.passed()).map(|c| c.name.as_str()).collect();
    assert!(names.iter().any(|n| n.contains("createPet") && n.contains("the JSON body is cut short")), "{names:#?}");
    assert!(names.iter().any(|n| n.contains("no credentials")), "{names:#?}");
    // An integer enum, checked by the generated router.
    assert!(names.iter().any(|n| n.contains("listPets") && n.contains("page_size") && n.contains("outside its enum")), "{names:#?}");
    // A string format, checked by the generated router.
    assert!(names.iter().any(|n| n.contains("listPets") && n.contains("born_after") && n.contains("not a valid date")), "{names:#?}");
    assert!(names.len() >= 10, "{names:#?}");
}
