//! OpenAPI 3.2: the OAI's 3.2 fixtures (`tests/openapi32`): every document a
//! tool must accept generates, every document it must reject is refused
//! naming the pointer at fault; the 3.2 shapes read as their 3.1 and 3.0
//! equivalents; and the project's own spec written as 3.2 generates exactly
//! the same code as the 3.0 document.

use std::path::PathBuf;

use contract_tests::root;
use openapi_codegen::{Document, Generator};
use serde_json::{Value, json};

fn fixtures(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/openapi32").join(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Pass fixtures refused on purpose, each with where and why: a path
/// parameter the template does not name (the 3.2.0 text: its name "MUST
/// correspond to a single template expression"; openapi-spec-validator
/// refuses the 3.1 copy of the same fixture) and a reference to a URL (no
/// network; `--map` reads it from a local copy).
const REFUSED: [(&str, &str, &str); 2] = [
    ("operation-object-example.yaml", "#/paths/~1pets~1{id}/put", "`petId` is declared `in: path` but not in the path"),
    ("security-scheme-object-examples.yaml", "#/components/securitySchemes/external/$ref", "is a URL: references are read from files only (no network)"),
];

#[test]
fn every_pass_fixture_generates_or_is_refused_by_name() {
    let files = fixtures("oai-tests-pass");
    assert_eq!(files.len(), 37);
    let generator = Generator::new();
    let mut generated = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let result = generator.load(path).and_then(|doc| generator.build(&doc)).and_then(|api| generator.modules(&api));
        match (result, REFUSED.iter().find(|(n, ..)| *n == name)) {
            (Ok(modules), None) => {
                assert!(modules.iter().any(|(m, _)| *m == "types.rs"), "{name}");
                generated += 1;
            }
            (Err(e), Some((_, pointer, words))) => {
                let text = e.to_string();
                assert!(text.contains(pointer) && text.contains(words), "{name}: {text}");
            }
            (Ok(_), Some(_)) => panic!("{name} should be refused"),
            (Err(e), None) => panic!("{name}: {e}"),
        }
    }
    assert_eq!(generated, 35);
}

#[test]
fn every_fail_fixture_is_refused_naming_its_pointer_and_line() {
    // Each fixture, the pointer at fault and words of the refusal.
    let expected: [(&str, &str, &str); 29] = [
        ("encoding-enc-item-exclusion.yaml", "#/components/requestBodies/encoding-with-prefixEncoding-not-allowed/content/multipart~1mixed/prefixEncoding/0/prefixEncoding", "`encoding` and `prefixEncoding` are mutually exclusive"),
        ("encoding-enc-prefix-exclusion.yaml", "#/components/requestBodies/encoding-with-itemEncoding-not-allowed/content/multipart~1mixed/prefixEncoding/0/itemEncoding", "`encoding` and `itemEncoding` are mutually exclusive"),
        ("example-examples.yaml", "#/components/parameters/animal/example", "`example` and `examples` are mutually exclusive"),
        ("example-object-old-exclusions.yaml", "#/components/examples/CannotHaveBoth/externalValue", "`value` and `externalValue`"),
        ("example-object-old-vs-data.yaml", "#/components/examples/NoValueWithDataValue/dataValue", "`value` and `dataValue`"),
        ("example-object-old-vs-ser.yaml", "#/components/examples/CannotHaveBoth/serializedValue", "`value` and `serializedValue`"),
        ("example-object-ser-exclusions.yaml", "#/components/examples/CannotHaveBoth/externalValue", "`serializedValue` and `externalValue`"),
        ("header-object-allowReserved.yaml", "#/components/headers/Style/allowReserved", "does not apply to a header"),
        ("header-object-name.yaml", "#/paths/~1foo/get/responses/default/headers/Bad=Header", "is not a header name"),
        ("invalid_schema_types.yaml", "#/components/schemas/invalid_number", "a schema is an object or a boolean"),
        ("media-type-enc-item-exclusion.yaml", "#/components/requestBodies/encoding-with-itemEncoding-not-allowed/content/multipart~1mixed/itemEncoding", "mutually exclusive"),
        ("media-type-enc-prefix-exclusion.yaml", "#/components/requestBodies/encoding-with-prefixEncoding-not-allowed/content/multipart~1mixed/prefixEncoding", "mutually exclusive"),
        ("no_containers.yaml", "#:", "at least one of `paths`, `components` and `webhooks`"),
        ("operation-object-query-with-querystring.yaml", "#/components/pathItems/my-path-item/get/parameters/1", "cannot stand beside the `in: querystring` one"),
        ("operation-object-two-querystrings.yaml", "#/components/pathItems/my-path-item/get/parameters/1", "at most one `in: querystring` parameter"),
        ("parameter-object-content-not-with-style.yaml", "#/components/parameters/content-not-with-style/style", "`style` cannot be used with `in: querystring`"),
        ("parameter-object-cookie-allowReserved.yaml", "#/components/parameters/my_cookie/allowReserved", "not to `in: cookie` with `style: cookie`"),
        ("parameter-object-header-allowReserved.yaml", "#/components/parameters/header/allowReserved", "not to `in: header`"),
        ("parameter-object-header-name.yaml", "#/components/parameters/BadHeader/name", "`Bad[Header]` is not a header name"),
        ("parameter-object-path-name.yaml", "#/components/parameters/BadPath/name", "a path parameter's name has no `{` or `}`"),
        ("parameter-object-querystring-not-with-schema.yaml", "#/components/parameters/querystring-not-with-schema/schema", "`schema` cannot be used with `in: querystring`"),
        ("path-item-object-conflicting-additional-operation.yaml", "#/paths/~1pets~1{id}/additionalOperations/POST", "defined by the path item's `post` field"),
        ("path-item-object-query-with-querystring.yaml", "#/components/pathItems/my-path-item/parameters/1", "cannot stand beside the `in: querystring` one"),
        ("path-item-object-two-querystrings.yaml", "#/components/pathItems/my-path-item/parameters/1", "at most one `in: querystring` parameter"),
        ("server_enum_empty.yaml", "#/servers/0/variables/var/enum", "`enum` must not be empty"),
        ("servers.yaml", "#/servers", "must be a list of Server Objects"),
        ("unknown_container.yaml", "#/overlays", "`overlays` is not a field of an OpenAPI document"),
        ("xml-attr-exclusion.yaml", "#/components/schemas/Attr/xml/attribute", "cannot stand beside `nodeType`"),
        ("xml-wrapped-exclusion.yaml", "#/components/schemas/List/xml/wrapped", "cannot stand beside `nodeType`"),
    ];
    let files = fixtures("oai-tests-fail");
    assert_eq!(files.len(), expected.len());
    let generator = Generator::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (_, pointer, words) = expected.iter().find(|(n, ..)| *n == name).unwrap_or_else(|| panic!("{name} is not expected"));
        let text = match generator.load(path) {
            Ok(_) => panic!("{name} was accepted"),
            Err(e) => e.to_string(),
        };
        let line = text.lines().find(|l| l.contains(pointer)).unwrap_or_else(|| panic!("{name}: no {pointer} in {text}"));
        assert!(line.contains(words), "{name}: {line}");
        // With its line, where it has one (the root has none).
        if *pointer != "#:" {
            assert!(line.contains(&format!("{name}:")) && line.split(&format!("{name}:")).nth(1).is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit())), "{name}: no line in {line}");
        }
    }
}

// The 3.2 shapes on the wire: `tests/fixtures/openapi32.yaml`, generated
// client to generated server over loopback, and raw HTTP to the server.

mod live {
    use std::sync::Arc;

    use contract_tests::fixtures::openapi32::client::Client;
    use contract_tests::fixtures::openapi32::http_client::{Method, Request};
    use contract_tests::fixtures::openapi32::http_server::{Events, LineStream, Rejection, RequestContext};
    use contract_tests::fixtures::openapi32::server::{self, Failure, StockApi};
    use contract_tests::fixtures::openapi32::types::*;
    use contract_tests::fixtures::openapi32::wire::{Event, QueryAs};
    use futures_util::TryStreamExt;
    use serde_json::{Value, json};
    use tokio::net::TcpListener;

    struct Stock;

    fn stock() -> Vec<Item> {
        vec![
            Item { id: "i_1".into(), name: "bolt".into(), price: 3 },
            Item { id: "i_2".into(), name: "nut".into(), price: 1 },
            Item { id: "i_3".into(), name: "drill".into(), price: 90 },
        ]
    }

    fn matching(name: Option<&str>, max_price: Option<i64>) -> Found {
        let items = stock().into_iter().filter(|i| name.is_none_or(|n| i.name == n) && max_price.is_none_or(|m| i.price <= m)).collect();
        Found { items }
    }

    impl StockApi for Stock {
        fn rejection(&self, rejection: &Rejection) -> Value {
            json!({"error": {"message": rejection.message, "param": rejection.param}})
        }

        async fn search_items(&self, params: SearchItemsParams, _: RequestContext) -> Result<Found, Failure> {
            Ok(matching(params.body.name.as_deref(), params.body.max_price))
        }

        async fn get_item(&self, item: String, _: RequestContext) -> Result<Item, Failure> {
            stock().into_iter().find(|i| i.id == item).ok_or_else(|| Failure::new(404, json!({"error": {"message": "No such item"}})))
        }

        async fn copy_item(&self, item: String, params: CopyItemParams, _: RequestContext) -> Result<Item, Failure> {
            let found = stock().into_iter().find(|i| i.id == item).ok_or_else(|| Failure::new(404, json!({"error": {"message": "No such item"}})))?;
            Ok(Item { id: params.destination, ..found })
        }

        async fn filter_items(&self, params: FilterItemsParams, _: RequestContext) -> Result<Found, Failure> {
            let filter = params.filter.unwrap_or_default();
            let mut found = matching(filter.name.as_deref(), filter.max_price);
            if let Some(tags) = filter.tags {
                // The tags come back as items, to show the array arrived whole.
                found.items.extend(tags.into_iter().map(|t| Item { id: t.clone(), name: t, price: 0 }));
            }
            Ok(found)
        }

        async fn find_items(&self, params: FindItemsParams, _: RequestContext) -> Result<Found, Failure> {
            Ok(matching(params.selector.name.as_deref(), params.selector.max_price))
        }

        async fn feed(&self, _: RequestContext) -> Result<LineStream<Item>, Failure> {
            Ok(LineStream::from(stock()))
        }

        async fn changes(&self, _: RequestContext) -> Result<Events<Item>, Failure> {
            Ok(Events::from(stock().into_iter().map(|i| Event::new(i).event("changed")).collect::<Vec<_>>()))
        }
    }

    async fn serve() -> String {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(server::serve(listener, Arc::new(Stock)));
        url
    }

    fn client(url: &str) -> Client {
        Client::from_http(Client::builder(url).max_retries(0).build().unwrap())
    }

    async fn body(answer: reqwest::Response) -> Value {
        serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap()
    }

    fn names(found: &Found) -> Vec<&str> {
        found.items.iter().map(|i| i.name.as_str()).collect()
    }

    #[tokio::test]
    async fn query_and_additional_operations_go_by_their_own_methods() {
        let url = serve().await;
        let c = client(&url);
        let found = c.search_items(&SearchItemsParams::new(Search::default().max_price(5))).await.unwrap();
        assert_eq!(names(&found), ["bolt", "nut"]);
        let copy = c.copy_item("i_3", &CopyItemParams::new("i_9")).await.unwrap();
        assert_eq!(copy, Item { id: "i_9".into(), name: "drill".into(), price: 90 });
        assert_eq!(c.get_item("i_2").await.unwrap().name, "nut");

        // On the wire, from a client that is not ours: the method as written.
        let http = reqwest::Client::new();
        let query = http
            .request(reqwest::Method::from_bytes(b"QUERY").unwrap(), format!("{url}/items"))
            .header("content-type", "application/json")
            .body(json!({"name": "drill"}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(query.status(), 200);
        assert_eq!(body(query).await["items"][0]["id"], "i_3");
        let copy = http.request(reqwest::Method::from_bytes(b"COPY").unwrap(), format!("{url}/items/i_1")).header("Destination", "i_7").send().await.unwrap();
        assert_eq!(copy.status(), 201);
        // A method the path does not take, known to HTTP or not: the API's
        // error object, 405.
        for method in ["MOVE", "DELETE", "QUERY"] {
            let answer = http.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), format!("{url}/items/i_1")).send().await.unwrap();
            assert_eq!(answer.status(), 405, "{method}");
            let body: Value = body(answer).await;
            assert!(body["error"]["message"].as_str().unwrap().contains("method is not allowed"), "{method}: {body}");
        }
        // COPY without its required header: refused in the API's words.
        let answer = http.request(reqwest::Method::from_bytes(b"COPY").unwrap(), format!("{url}/items/i_1")).send().await.unwrap();
        assert_eq!(answer.status(), 400);
        assert_eq!(body(answer).await["error"]["param"], "Destination");
    }

    #[tokio::test]
    async fn a_querystring_parameter_is_the_whole_query_string() {
        let url = serve().await;
        let c = client(&url);
        // As a form: the value's fields are the query's.
        let filter = Filter::default().max_price(3).tags(vec!["a b".into(), "c&d".into()]);
        let found = c.filter_items(&FilterItemsParams::default().filter(filter.clone())).await.unwrap();
        assert_eq!(names(&found), ["bolt", "nut", "a b", "c&d"]);
        assert_eq!(names(&c.filter_items(&FilterItemsParams::default()).await.unwrap()), ["bolt", "nut", "drill"]);
        let mut request = Request::new(Method::GET, "/filter".into());
        request.query_string(&filter, QueryAs::Form).unwrap();
        assert_eq!(request.encoded_query(), "max_price=3&tags[]=a+b&tags[]=c%26d".replace('[', "%5B").replace(']', "%5D"));
        // As JSON: the value's JSON text, percent-encoded, which is what the
        // spec's example gives as its `serializedValue`.
        let found = c.find_items(&FindItemsParams::new(Search::default().max_price(10))).await.unwrap();
        assert_eq!(names(&found), ["bolt", "nut"]);
        let mut request = Request::new(Method::GET, "/find".into());
        request.query_string(&Search::default().max_price(10), QueryAs::Json).unwrap();
        assert_eq!(request.encoded_query(), "%7B%22max_price%22%3A10%7D");

        // From a client that is not ours.
        let http = reqwest::Client::new();
        let answer = http.get(format!("{url}/find?%7B%22name%22%3A%22drill%22%7D")).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(body(answer).await["items"][0]["name"], "drill");
        let answer = http.get(format!("{url}/filter?name=nut")).send().await.unwrap();
        assert_eq!(body(answer).await["items"][0]["name"], "nut");
        // Bad input, each refused in the API's words: not JSON, not UTF-8,
        // too deep, missing, a field the schema does not have, a wrong type.
        let deep = format!("{}1{}", "%5B".repeat(300), "%5D".repeat(300));
        for (query, status, param) in [
            ("?%7Bnot-json", 400, "selector"),
            ("?%FF%FE", 400, "selector"),
            (&format!("?{deep}")[..], 400, "selector"),
            ("", 400, "selector"),
            ("?%7B%22colour%22%3A1%7D", 400, "selector[colour]"),
            ("?%7B%22max_price%22%3A%22ten%22%7D", 400, "selector[max_price]"),
        ] {
            let answer = http.get(format!("{url}/find{query}")).send().await.unwrap();
            assert_eq!(answer.status(), status, "{query}");
            let body: Value = body(answer).await;
            assert_eq!(body["error"]["param"], param, "{query}: {body}");
        }
        let answer = http.get(format!("{url}/filter?colour=red")).send().await.unwrap();
        assert_eq!(answer.status(), 400);
        assert_eq!(body(answer).await["error"]["param"], "filter[colour]");
    }

    /// A workflow (Arazzo) over the 3.2 operations: found by their
    /// `operationId`, sent with their own methods, each exchange checked
    /// against the 3.2 document (the query string as its one parameter).
    #[tokio::test(flavor = "multi_thread")]
    async fn workflows_run_the_32_operations() {
        use openapi_contract::arazzo::{self, run::Target};
        use openapi_contract::client::{Client, Options};
        let url = serve().await;
        let workflow = r#"
arazzo: 1.0.1
info: {title: Stock, version: 1.0.0}
sourceDescriptions:
  - {name: stock, url: openapi32.yaml, type: openapi}
workflows:
  - workflowId: stock
    steps:
      - stepId: search
        operationId: search_items
        requestBody:
          contentType: application/json
          payload: {max_price: 5}
        successCriteria:
          - condition: $statusCode == 200 && $response.body#/items/1/name == 'nut'
        outputs:
          id: $response.body#/items/0/id
      - stepId: copy
        operationId: copy_item
        parameters:
          - {name: item, in: path, value: $steps.search.outputs.id}
          - {name: Destination, in: header, value: i_8}
        successCriteria:
          - condition: $statusCode == 201 && $response.body#/id == 'i_8'
      - stepId: filter
        operationId: filter_items
        parameters:
          - {name: name, in: query, value: drill}
        successCriteria:
          - condition: $statusCode == 200 && $response.body#/items/0/price == 90
"#;
        let cases = tokio::task::spawn_blocking(move || {
            let mut spec = openapi_contract::Spec::load(&contract_tests::root().join("tests/fixtures/openapi32.yaml")).unwrap();
            let doc = arazzo::Document::load("stock.arazzo.yaml", workflow, &spec.doc).unwrap_or_else(|e| panic!("{e}"));
            let target = Target { base_url: url, headers: Vec::new(), client: Client::new(&Options::direct(std::time::Duration::from_secs(30))).unwrap() };
            arazzo::run::run_all(&doc, &mut spec, &target, &Default::default())
        })
        .await
        .unwrap();
        let failed: Vec<String> = cases.iter().filter(|c| c.failed()).map(|c| format!("{}: {:?}", c.name, c.failures)).collect();
        assert_eq!(failed, Vec::<String>::new());
        assert_eq!(cases.iter().filter(|c| !c.name.starts_with("workflow ")).count(), 3, "{cases:?}");
    }

    #[tokio::test]
    async fn item_schemas_are_the_items_of_streams() {
        let url = serve().await;
        let c = client(&url);
        let lines: Vec<Item> = c.feed().await.unwrap().try_collect().await.unwrap();
        assert_eq!(lines, stock());
        let events: Vec<Event<Item>> = c.changes().await.unwrap().try_collect().await.unwrap();
        assert_eq!(events.into_iter().map(|e| e.data).collect::<Vec<_>>(), stock());
    }
}

/// The project's spec written as 3.2 the way a 3.2 author would: examples
/// as `dataValue`, every response's media type a `$ref` to
/// `components.mediaTypes`, tags with a `summary`, `kind` and `parent`,
/// `$self`, responses without the (now optional) empty description.
fn as_32(raw: &Value) -> Value {
    fn examples(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Object(named)) = map.get_mut("examples") {
                    for e in named.values_mut().filter_map(Value::as_object_mut) {
                        if let Some(value) = e.remove("value") {
                            e.insert("dataValue".into(), value);
                        }
                    }
                }
                map.values_mut().for_each(examples);
            }
            Value::Array(items) => items.iter_mut().for_each(examples),
            _ => {}
        }
    }
    let mut doc = openapi_codegen::v31::from_30(raw);
    examples(&mut doc);
    let mut media_types = serde_json::Map::new();
    let mut moved = |response: &mut Value| {
        let Some(Value::Object(content)) = response.get_mut("content") else { return };
        for m in content.values_mut() {
            let name = format!("Media{}", media_types.len());
            media_types.insert(name.clone(), m.take());
            *m = json!({"$ref": format!("#/components/mediaTypes/{name}")});
        }
    };
    for item in doc["paths"].as_object_mut().unwrap().values_mut() {
        for op in item.as_object_mut().unwrap().values_mut().filter(|o| o.get("responses").is_some()) {
            op["responses"].as_object_mut().unwrap().values_mut().for_each(&mut moved);
        }
    }
    if let Some(Value::Object(responses)) = doc.pointer_mut("/components/responses") {
        responses.values_mut().for_each(&mut moved);
    }
    assert!(media_types.len() > 5, "the spec's responses moved");
    doc["components"]["mediaTypes"] = Value::Object(media_types);
    doc["openapi"] = json!("3.2.0");
    doc["$self"] = json!("https://example.com/checkout_sessions.yaml");
    let tags = doc["tags"].as_array_mut().unwrap();
    tags[0]["summary"] = json!("Checkout");
    tags[0]["kind"] = json!("nav");
    tags.push(json!({"name": "Payments", "parent": tags[0]["name"].clone()}));
    doc
}

#[test]
fn the_project_spec_as_32_generates_the_same_code() {
    let text = std::fs::read_to_string(root().join("spec/checkout_sessions.yaml")).unwrap();
    let doc30 = Document::from_text("spec", text).unwrap();
    let text32 = serde_json::to_string_pretty(&as_32(&doc30.raw)).unwrap();
    assert!(text32.contains("\"dataValue\"") && text32.contains("#/components/mediaTypes/"), "the converter wrote 3.2");
    let doc32 = Document::from_text("spec", text32).unwrap_or_else(|e| panic!("{e}"));
    let generator = Generator::new();
    let modules = |doc: &Document| generator.modules(&generator.build(doc).unwrap()).unwrap();
    let (a, b) = (modules(&doc30), modules(&doc32));
    assert_eq!(a.len(), b.len());
    for ((name, code30), (_, code32)) in a.iter().zip(&b) {
        if code30 != code32 {
            let first = code30.lines().zip(code32.lines()).enumerate().find(|(_, (x, y))| x != y);
            panic!("{name} differs, first at line {:?}", first.map(|(i, (x, y))| (i + 1, x.to_owned(), y.to_owned())));
        }
    }
    // The contract suite reads it: its examples (as `dataValue`) validate as
    // the 3.0 document's do.
    let (mut spec30, mut spec32) = (openapi_contract::Spec::new(doc30), openapi_contract::Spec::new(doc32));
    let (r30, r32) = (openapi_contract::checks::examples(&mut spec30), openapi_contract::checks::examples(&mut spec32));
    let held = |cases: &[openapi_contract::Case]| cases.iter().filter(|c| c.failures.is_empty() && c.skipped.is_none()).count();
    assert!(r30.len() > 10 && r30.len() == r32.len(), "{} and {}", r30.len(), r32.len());
    assert_eq!(held(&r30), held(&r32));
    assert_eq!(held(&r32), r32.len(), "{:?}", r32.iter().filter(|c| !c.failures.is_empty()).collect::<Vec<_>>());
}

fn spec_of(label: &str, doc: &Value) -> openapi_contract::Spec {
    openapi_contract::Spec::new(Document::from_text(label, serde_json::to_string_pretty(doc).unwrap()).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn the_diff_reads_32_documents() {
    use openapi_contract::evolution::{Bump, Level, compare};
    // The project's spec and itself written as 3.2: the same API.
    let text = std::fs::read_to_string(root().join("spec/checkout_sessions.yaml")).unwrap();
    let raw30 = Document::from_text("spec", text).unwrap().raw;
    let report = compare(&mut spec_of("3.0.json", &raw30), &mut spec_of("3.2.json", &as_32(&raw30))).unwrap();
    let loud: Vec<_> = report.findings.iter().filter(|f| f.level != Level::Info).collect();
    assert!(loud.is_empty(), "{loud:#?}");
    assert_eq!(report.verdict(), Bump::None, "{:#?}", report.rust);

    // The 3.2 shapes, changed: each change found, at its place.
    let fixture: Value = openapi_codegen::parse_yaml(&std::fs::read_to_string(root().join("tests/fixtures/openapi32.yaml")).unwrap()).unwrap();
    let changed = |edit: &dyn Fn(&mut Value)| {
        let mut new = fixture.clone();
        edit(&mut new);
        compare(&mut spec_of("old.yaml", &fixture), &mut spec_of("new.yaml", &new)).unwrap()
    };
    let has = |report: &openapi_contract::evolution::Report, id: &str, level: Level, at: &str| {
        assert!(
            report.findings.iter().any(|f| f.id == id && f.level == level && f.old.iter().chain(&f.new).any(|p| p.contains(at))),
            "{id} at {at}: {:#?}",
            report.findings
        );
    };
    // A QUERY operation and a custom method removed.
    let report = changed(&|d| {
        d["paths"]["/items"].as_object_mut().unwrap().remove("query");
    });
    has(&report, "api-removed-without-deprecation", Level::Breaking, "#/paths/~1items/query");
    let report = changed(&|d| {
        d["paths"]["/items/{item}"].as_object_mut().unwrap().remove("additionalOperations");
    });
    has(&report, "api-removed-without-deprecation", Level::Breaking, "additionalOperations/COPY");
    assert_eq!(report.verdict(), Bump::Major);
    // A querystring's schema narrowed (through its component) and a field
    // required of it.
    let report = changed(&|d| {
        d["components"]["schemas"]["Search"]["required"] = json!(["name"]);
    });
    assert!(report.findings.iter().any(|f| f.level == Level::Breaking && f.message.contains("name")), "{:#?}", report.findings);
    // An item of a stream (`itemSchema`, through `components.mediaTypes`)
    // that loses a field.
    let report = changed(&|d| {
        d["components"]["mediaTypes"]["ItemLines"]["itemSchema"] = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}});
    });
    has(&report, "response-required-property-removed", Level::Breaking, "#/components/schemas/Item/properties/price");
    // A finding in a place the 3.1 form writes otherwise is named where the
    // document has it: the item of a media type from `components.mediaTypes`.
    let report = changed(&|d| {
        d["components"]["mediaTypes"]["ItemLines"]["itemSchema"] = json!({"type": "string"});
    });
    has(&report, "response-property-type-changed", Level::Breaking, "#/components/mediaTypes/ItemLines/itemSchema");
    assert!(report.findings.iter().flat_map(|f| f.old.iter().chain(&f.new)).all(|at| !at.contains("/content/application~1jsonl")), "{:#?}", report.findings);
    // A discriminator's `defaultMapping` that changes reads a value of no
    // mapped kind as another schema.
    let pets = |default: &str| {
        json!({
            "openapi": "3.2.0",
            "info": {"title": "Pets", "version": "1"},
            "paths": {"/pet": {"get": {"operationId": "pet", "responses": {"200": {"description": "a pet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}}}},
            "components": {"schemas": {
                "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}], "discriminator": {"propertyName": "kind", "defaultMapping": default}},
                "Cat": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}, "purrs": {"type": "boolean"}}},
                "Dog": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}, "barks": {"type": "boolean"}}},
            }},
        })
    };
    let report = compare(&mut spec_of("old.json", &pets("#/components/schemas/Cat")), &mut spec_of("new.json", &pets("#/components/schemas/Dog"))).unwrap();
    let found: Vec<_> = report.findings.iter().filter(|f| f.id.ends_with("discriminator-changed")).collect();
    assert!(!found.is_empty() && found.iter().all(|f| f.level == Level::Breaking && f.new.as_deref() == Some("#/components/schemas/Pet")), "{:#?}", report.findings);
    let same = compare(&mut spec_of("old.json", &pets("#/components/schemas/Cat")), &mut spec_of("new.json", &pets("#/components/schemas/Cat"))).unwrap();
    assert!(same.findings.iter().all(|f| !f.id.ends_with("discriminator-changed")), "{:#?}", same.findings);
}

/// The contract check of a real exchange reads a 3.2 operation: its method,
/// and its query string as the one parameter it is; each broken request is
/// caught, and so is a response of the wrong shape.
#[test]
fn exchanges_are_checked_against_32_operations() {
    use openapi_contract::http::Response;
    use openapi_contract::live::{Exchange, validate_exchange};
    let mut spec = openapi_contract::Spec::load(&root().join("tests/fixtures/openapi32.yaml")).unwrap();
    let found = br#"{"items": [{"id": "i_1", "name": "bolt", "price": 3}]}"#.to_vec();
    let exchange = |method: &str, path: &str, query: &str, body: &[u8]| Exchange {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        body: None,
        response: Response { status: 200, headers: vec![("content-type".into(), "application/json".into())], body: body.to_vec() },
        transcript: Default::default(),
    };
    let good = [
        exchange("GET", "/find", "%7B%22max_price%22%3A10%7D", &found),
        exchange("GET", "/filter", "name=bolt&tags%5B%5D=x", &found),
        exchange("GET", "/filter", "", &found),
    ];
    for e in &good {
        let v = validate_exchange(&mut spec, e);
        assert!(v.request.is_empty() && v.response.is_empty(), "{} {}: {v:?}", e.path, e.query);
    }
    let bad = [
        (exchange("GET", "/find", "%7B%22max_price%22%3A%22ten%22%7D", &found), "request query string `selector`"),
        (exchange("GET", "/find", "%7Bnot", &found), "is not JSON"),
        (exchange("GET", "/find", "", &found), "the required query string `selector` is missing"),
        (exchange("GET", "/filter", "max_price=cheap", &found), "request query string `filter`"),
        (exchange("GET", "/find", "%7B%7D", br#"{"items": [{"id": 1}]}"#), "response"),
        (exchange("MOVE", "/items/i_1", "", &found), "is not an operation of the spec"),
    ];
    for (e, words) in &bad {
        let v = validate_exchange(&mut spec, e);
        let all: Vec<&String> = v.request.iter().chain(&v.response).collect();
        assert!(all.iter().any(|m| m.contains(words)), "{} {} {}: {all:?}", e.method, e.path, e.query);
    }
    // The custom method is found, and its response checked.
    let copy = Exchange { method: "COPY".into(), ..exchange("COPY", "/items/i_1", "", br#"{"id": "i_2"}"#) };
    let v = validate_exchange(&mut spec, &copy);
    assert!(!v.response.is_empty() && v.request.iter().all(|m| !m.contains("not an operation")), "{v:?}");
}

/// A problem inside a place the 3.1 form writes otherwise is named where
/// the 3.2 document has it: an `itemSchema` (of a sequence, and of a JSON
/// body, which the 3.1 form wraps in an array), a media type from
/// `components.mediaTypes`, and (for the contract checks) a `dataValue`.
#[test]
fn problems_in_lowered_places_name_the_place_as_written() {
    let text = r##"openapi: 3.2.0
info: {title: Lowered, version: "1"}
paths:
  /ticks:
    get:
      operationId: ticks
      responses:
        "200":
          description: a stream
          content:
            application/jsonl:
              itemSchema:
                type: object
                properties:
                  n: {$ref: "#/components/schemas/Missing"}
  /batch:
    post:
      operationId: batch
      requestBody:
        content:
          application/json:
            itemSchema:
              properties:
                m: {$ref: "#/components/schemas/AlsoMissing"}
      responses:
        "204": {description: done}
  /shared:
    get:
      operationId: shared
      responses:
        "200":
          description: shared
          content:
            application/json:
              $ref: "#/components/mediaTypes/Shared"
components:
  mediaTypes:
    Shared:
      schema:
        $ref: "#/components/schemas/Gone"
  schemas:
    Kept: {type: object}
"##;
    let error = Document::from_text("lowered.yaml", text.to_owned()).unwrap_err();
    let problems = error.problems().expect("problems").problems.clone();
    let found: Vec<(String, Option<usize>)> = problems.iter().map(|p| (p.pointer.clone(), p.line)).collect();
    assert_eq!(
        found,
        [
            ("#/paths/~1ticks/get/responses/200/content/application~1jsonl/itemSchema/properties/n/$ref".to_owned(), Some(15)),
            ("#/paths/~1batch/post/requestBody/content/application~1json/itemSchema/properties/m/$ref".to_owned(), Some(24)),
            ("#/components/mediaTypes/Shared/schema/$ref".to_owned(), Some(40)),
        ],
        "{error}"
    );

    // The pointers themselves, one shape at a time, against the 3.1 form.
    let written: Value = Document::parse(text).unwrap();
    let lowered = openapi_codegen::v32::lower(&written);
    let at = |pointer: &str| openapi_codegen::v32::written_pointer(&written, &lowered, pointer);
    let batch = "#/paths/~1batch/post/requestBody/content/application~1json";
    assert_eq!(at(&format!("{batch}/schema")), format!("{batch}/itemSchema"), "the array around the item has no place but the item");
    assert_eq!(at(&format!("{batch}/schema/type")), format!("{batch}/itemSchema"));
    assert_eq!(at(&format!("{batch}/schema/items/properties/m")), format!("{batch}/itemSchema/properties/m"));
    assert_eq!(at("#/paths/~1shared/get/responses/200/content/application~1json/schema"), "#/components/mediaTypes/Shared/schema");
    // Places the 3.1 form adds, or that are written alike, keep their pointer.
    assert_eq!(at("#/paths/~1batch/post/responses/204/description"), "#/paths/~1batch/post/responses/204/description");
    assert_eq!(at("#/components/schemas/Kept/type"), "#/components/schemas/Kept/type");
    assert_eq!(at("#/nowhere/at/all"), "#/nowhere/at/all");
}

/// An example written as a `dataValue` that breaks its schema is reported
/// at the line of that `dataValue`.
#[test]
fn a_data_value_that_breaks_its_schema_is_reported_at_its_line() {
    let text = r##"openapi: 3.2.0
info: {title: Examples, version: "1"}
paths:
  /items:
    get:
      operationId: items
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [count]
                properties:
                  count: {type: integer}
              examples:
                broken:
                  summary: a count that is text
                  dataValue:
                    count: "three"
"##;
    let mut spec = openapi_contract::Spec::new(Document::from_text("examples.yaml", text.to_owned()).unwrap());
    let cases = openapi_contract::checks::examples(&mut spec);
    let failures: Vec<&String> = cases.iter().flat_map(|c| &c.failures).collect();
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert!(failures[0].starts_with("examples.yaml:21: ") && failures[0].contains("expected integer"), "{failures:#?}");
}
