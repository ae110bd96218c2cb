//! Security schemes from the spec, both halves (`tests/fixtures/schemes.yaml`):
//! the generated client sends each credential only on the operations that
//! require it, where its scheme says it travels (a header, the query, a
//! cookie, HTTP Basic, a bearer token, OAuth2 and OpenID Connect tokens,
//! another HTTP scheme); the generated server finds it there, asks the
//! authentication hook once per requirement the request meets (OR of
//! ANDs), skips public operations, and answers 401 with the error object
//! and a `WWW-Authenticate` challenge otherwise. Over loopback, with
//! requests written by hand beside the client's.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use contract_tests::fixtures::schemes::client::{Client, Error};
use contract_tests::fixtures::schemes::http_client::ClientBuilder;
use contract_tests::fixtures::schemes::http_server::{Credentials, Rejection, RequestContext};
use contract_tests::fixtures::schemes::security::{self, requirements};
use contract_tests::fixtures::schemes::server::{self, Failure, SecurityApi};
use contract_tests::fixtures::schemes::types::{self, Who};
use contract_tests::fixtures::schemes::wire::Credential;
use tokio::net::TcpListener;

/// Accepts one value per scheme, and an OAuth2 token that has the `read`
/// scope only. Counts the hook's calls.
#[derive(Default)]
struct Guarded {
    calls: AtomicUsize,
}

const DIGEST: &str = r#"username="u", response="r""#;

fn who(context: &RequestContext) -> Result<Who, Failure> {
    let schemes = context.credentials.iter().map(|f| f.scheme.name.to_owned()).collect();
    let seen = ["authorization", "x-typesense-api-key", "cookie"]
        .into_iter()
        .filter(|h| context.headers.contains_key(*h))
        .map(str::to_owned)
        .collect();
    Ok(Who { schemes, seen: Some(seen) })
}

impl SecurityApi for Guarded {
    fn authenticate(&self, _operation: &str, credentials: &Credentials) -> bool {
        self.calls.fetch_add(1, Ordering::SeqCst);
        credentials.iter().all(|found| match (found.scheme.name, &found.credential) {
            ("headerKey", Credential::Secret(k)) => k == "hk",
            ("queryKey", Credential::Secret(k)) => k == "qk",
            ("cookieKey", Credential::Secret(k)) => k == "ck",
            ("basic", Credential::Basic { user, password }) => user == "u" && password == "p:w",
            ("bearer", Credential::Secret(t)) => t == "t",
            ("oauth", Credential::Secret(t)) => t == "o-read" && found.scopes.iter().all(|s| *s == "read"),
            ("oidc", Credential::Secret(t)) => t == "i" && found.scopes == ["profile"],
            ("digest", Credential::Secret(t)) => t == DIGEST,
            _ => false,
        })
    }

    fn rejection(&self, rejection: &Rejection) -> types::Error {
        types::Error { message: rejection.message.clone() }
    }

    async fn get_public(&self, context: RequestContext) -> Result<Who, Failure> {
        who(&context)
    }
    async fn get_header(&self, context: RequestContext) -> Result<Who, Failure> {
        who(&context)
    }
    async fn get_query(&self, params: types::GetQueryParams, context: RequestContext) -> Result<Who, Failure> {
        assert_eq!(params.q.as_deref(), Some("x"), "the declared parameter arrives beside the key");
        who(&context)
    }
    async fn get_cookie(&self, params: types::GetCookieParams, context: RequestContext) -> Result<Who, Failure> {
        assert_eq!(params.theme.as_deref(), Some("dark"), "the cookie parameter arrives beside the key");
        who(&context)
    }
    async fn get_basic(&self, context: RequestContext) -> Result<Who, Failure> {
        who(&context)
    }
    async fn get_bearer(&self, context: RequestContext) -> Result<Who, Failure> {
        who(&context)
    }
    async fn read_oauth(&self, context: RequestContext) -> Result<Who, Failure> {
        who(&context)
    }
    async fn write_oauth(&self, context: RequestContext) -> Result<Who, Failure> {
        who(&context)
    }
    async fn get_oidc(&self, context: RequestContext) -> Result<Who, Failure> {
        who(&context)
    }
    async fn get_digest(&self, context: RequestContext) -> Result<Who, Failure> {
        who(&context)
    }
    async fn get_either(&self, context: RequestContext) -> Result<Who, Failure> {
        who(&context)
    }
    async fn get_both(&self, context: RequestContext) -> Result<Who, Failure> {
        who(&context)
    }
    async fn get_optional(&self, context: RequestContext) -> Result<Who, Failure> {
        who(&context)
    }
}

async fn serve() -> (String, Arc<Guarded>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let service = Arc::new(Guarded::default());
    tokio::spawn(server::serve(listener, Arc::clone(&service)));
    (url, service)
}

fn client(url: &str, configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Client {
    Client::from_http(configure(Client::builder(url).max_retries(0)).build().unwrap())
}

/// Every credential the fixture's schemes take, right.
fn all_right(builder: ClientBuilder) -> ClientBuilder {
    builder
        .credential(&security::HEADER_KEY, Credential::secret("hk"))
        .credential(&security::QUERY_KEY, Credential::secret("qk"))
        .credential(&security::COOKIE_KEY, Credential::secret("ck"))
        .credential(&security::BASIC, Credential::basic("u", "p:w"))
        .credential(&security::BEARER, Credential::secret("t"))
        .credential(&security::OAUTH, Credential::secret("o-read"))
        .credential(&security::OIDC, Credential::secret("i"))
        .credential(&security::DIGEST, Credential::secret(DIGEST))
}

/// The status of a call that failed, or 200.
fn status<T>(result: Result<T, Error>) -> u16 {
    match result {
        Ok(_) => 200,
        Err(e) => e.status().unwrap_or_else(|| panic!("{e}")),
    }
}

fn schemes(who: Who) -> (Vec<String>, Vec<String>) {
    (who.schemes, who.seen.unwrap())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn each_credential_travels_where_its_scheme_says_and_only_where_required() {
    let (url, service) = serve().await;
    let c = client(&url, all_right);
    let calls = || service.calls.load(Ordering::SeqCst);

    // Public: nothing is sent, and the hook is not asked.
    let before = calls();
    assert_eq!(schemes(c.get_public().await.unwrap()), (vec![], vec![]));
    assert_eq!(calls(), before, "a public operation skips the hook");

    assert_eq!(schemes(c.get_header().await.unwrap()), (strings(&["headerKey"]), strings(&["x-typesense-api-key"])));
    let query = types::GetQueryParams::default().q("x");
    assert_eq!(schemes(c.get_query(&query).await.unwrap()), (strings(&["queryKey"]), vec![]));
    let cookie = types::GetCookieParams::default().theme("dark");
    assert_eq!(schemes(c.get_cookie(&cookie).await.unwrap()), (strings(&["cookieKey"]), strings(&["cookie"])));
    for (result, scheme) in [
        (c.get_basic().await, "basic"),
        (c.get_bearer().await, "bearer"),
        (c.read_oauth().await, "oauth"),
        (c.get_oidc().await, "oidc"),
        (c.get_digest().await, "digest"),
    ] {
        assert_eq!(schemes(result.unwrap()), (strings(&[scheme]), strings(&["authorization"])), "{scheme}");
    }
    // OR: the first requirement the client has every credential for.
    assert_eq!(c.get_either().await.unwrap().schemes, ["basic"]);
    // AND: both keys, in their own places.
    assert_eq!(schemes(c.get_both().await.unwrap()), (strings(&["headerKey", "queryKey"]), strings(&["x-typesense-api-key"])));
    // Optional credentials are sent when the client has them.
    assert_eq!(c.get_optional().await.unwrap().schemes, ["bearer"]);
    // The token has the `read` scope, not `write`: the hook sees the scopes asked.
    assert_eq!(status(c.write_oauth().await), 401);
}

#[tokio::test]
async fn missing_or_wrong_credentials_are_refused_with_401_and_public_operations_are_not() {
    let (url, service) = serve().await;
    let none = client(&url, |b| b);
    let wrong = client(&url, |b| {
        b.credential(&security::HEADER_KEY, Credential::secret("x"))
            .credential(&security::QUERY_KEY, Credential::secret("x"))
            .credential(&security::COOKIE_KEY, Credential::secret("x"))
            .credential(&security::BASIC, Credential::basic("u", "p"))
            .credential(&security::BEARER, Credential::secret("x"))
            .credential(&security::OAUTH, Credential::secret("x"))
            .credential(&security::OIDC, Credential::secret("x"))
            .credential(&security::DIGEST, Credential::secret("x"))
    });
    for c in [&none, &wrong] {
        assert_eq!(status(c.get_public().await), 200);
        for code in [
            status(c.get_header().await),
            status(c.get_query(&Default::default()).await),
            status(c.get_cookie(&Default::default()).await),
            status(c.get_basic().await),
            status(c.get_bearer().await),
            status(c.read_oauth().await),
            status(c.write_oauth().await),
            status(c.get_oidc().await),
            status(c.get_digest().await),
            status(c.get_either().await),
            status(c.get_both().await),
        ] {
            assert_eq!(code, 401);
        }
    }
    // Optional: nothing is let in anonymously, a wrong token is not.
    assert_eq!(none.get_optional().await.unwrap().schemes, Vec::<String>::new());
    assert_eq!(status(wrong.get_optional().await), 401);
    // The error object says what to send.
    match none.get_either().await {
        Err(Error::Api { status: 401, error, .. }) => assert_eq!(
            error.message,
            "No valid credentials: send `Authorization: Basic <user:password in base64>` (basic), or `Authorization: Bearer <token>` (bearer)"
        ),
        other => panic!("{other:?}"),
    }
    // AND: one of two keys is not enough, and the hook is not asked.
    let before = service.calls.load(Ordering::SeqCst);
    let half = client(&url, |b| b.credential(&security::HEADER_KEY, Credential::secret("hk")));
    assert_eq!(status(half.get_both().await), 401);
    assert_eq!(service.calls.load(Ordering::SeqCst), before);
    // OR: whichever alternative the client has.
    let bearer_only = client(&url, |b| b.credential(&security::BEARER, Credential::secret("t")));
    assert_eq!(bearer_only.get_either().await.unwrap().schemes, ["bearer"]);
}

#[tokio::test]
async fn the_api_key_is_the_credential_of_every_scheme_that_takes_one_secret() {
    let (url, _) = serve().await;
    let c = Client::new(&url, "t").unwrap();
    assert_eq!(c.get_bearer().await.unwrap().schemes, ["bearer"]);
    assert_eq!(c.get_either().await.unwrap().schemes, ["bearer"], "Basic takes a user and a password, not the key");
    // Sent as the header key too, which the server refuses.
    assert_eq!(status(c.get_header().await), 401);
    assert_eq!(status(c.get_basic().await), 401);
    // A scheme's own credential wins over the key.
    let c = client(&url, |b| b.api_key("x").credential(&security::BEARER, Credential::secret("t")));
    assert_eq!(c.get_bearer().await.unwrap().schemes, ["bearer"]);
    // What the client would send, without sending it.
    let c = client(&url, all_right);
    let chosen: Vec<&str> = c.http().credentials_for(requirements::GET_BOTH).iter().map(|(s, _)| s.name).collect();
    assert_eq!(chosen, ["headerKey", "queryKey"]);
    assert!(c.http().credentials_for(requirements::GET_PUBLIC).is_empty());
    // Secrets never print.
    assert_eq!(format!("{:?}", Credential::basic("sk_test_1", "pw")), "Basic(***)");
    assert_eq!(format!("{:?}", Credential::secret("sk_test_1")), "Secret(***)");
}

#[tokio::test]
async fn requests_written_by_hand_are_read_as_the_schemes_say() {
    let (url, _) = serve().await;
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{url}{path}"));
    let status = |r: reqwest::Response| r.status().as_u16();
    // Basic, as `curl -u u:p:w` sends it: the password may hold a colon.
    assert_eq!(status(get("/basic").basic_auth("u", Some("p:w")).send().await.unwrap()), 200);
    assert_eq!(status(get("/basic").header("Authorization", "Basic not-base64!").send().await.unwrap()), 401);
    assert_eq!(status(get("/basic").header("Authorization", "basic dTpwOnc=").send().await.unwrap()), 200, "the scheme is case-insensitive");
    assert_eq!(status(get("/bearer").header("Authorization", "Bearer t").send().await.unwrap()), 200);
    assert_eq!(status(get("/digest").header("Authorization", format!("Digest {DIGEST}")).send().await.unwrap()), 200);
    // A key in the query is a credential, not an unknown parameter; other
    // unknown parameters still are, and so is the key where no scheme takes it.
    assert_eq!(status(get("/query?api_key=qk&q=x").send().await.unwrap()), 200);
    assert_eq!(status(get("/query?api_key=qk&zz=1").send().await.unwrap()), 400);
    assert_eq!(status(get("/public?api_key=qk").send().await.unwrap()), 400);
    assert_eq!(status(get("/cookie").header("Cookie", "theme=dark; session_token=ck").send().await.unwrap()), 200);
    assert_eq!(status(get("/header").header("x-typesense-api-key", "hk").send().await.unwrap()), 200);
    // 401 carries the error object and a challenge per scheme.
    let refused = get("/either").send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let challenges: Vec<String> =
        refused.headers().get_all("www-authenticate").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert_eq!(challenges, [r#"Basic realm="Security", charset="UTF-8""#, r#"Bearer realm="Security""#]);
    let body: serde_json::Value = serde_json::from_slice(&refused.bytes().await.unwrap()).unwrap();
    assert!(body["message"].as_str().unwrap().starts_with("No valid credentials"), "{body}");
    let refused = get("/both").send().await.unwrap();
    let challenges: Vec<String> =
        refused.headers().get_all("www-authenticate").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert_eq!(
        challenges,
        [
            r#"ApiKey realm="Security", in="header", name="X-TYPESENSE-API-KEY""#,
            r#"ApiKey realm="Security", in="query", name="api_key""#
        ]
    );
}
