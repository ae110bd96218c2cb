//! Every media kind on the wire, generated client to generated server over
//! loopback (`tests/fixtures/media.yaml`): multipart uploads with text and
//! file parts (from bytes, a file on disk and a reader), bytes both ways
//! and streamed, text, a body the caller sends as JSON or as a form,
//! server-sent events (typed beside JSON, and raw), JSON lines both ways,
//! and an answer of a media type the spec does not declare.

use crate::common;

use std::sync::Arc;

use contract_tests::fixtures::media::client::{Client, Error};
use contract_tests::fixtures::media::http_client::{RequestOptions, Upload};

use contract_tests::fixtures::media::runtime::File;
use contract_tests::fixtures::media::server;
use contract_tests::media::{Media, pattern};
use contract_tests::fixtures::media::types::*;
use contract_tests::fixtures::media::wire::Event;
use futures_util::TryStreamExt;
use serde_json::json;
use tokio::net::TcpListener;

async fn serve() -> String {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(server::serve(listener, Arc::new(Media { check: true })));
    url
}

fn client(url: &str) -> Client {
    Client::from_http(Client::builder(url).max_retries(0).build().unwrap())
}

#[tokio::test]
async fn multipart_uploads_carry_text_and_file_parts_from_bytes_a_path_and_a_reader() {
    let url = serve().await;
    let c = client(&url);
    let file = File::bytes("scan.pdf", pattern(300_000));
    let params = UploadFileParams::new(file, UploadFilePurpose::Invoice)
        .tags(vec!["a".into(), "b".into()])
        .meta(UploadFileMeta::default().source("scanner"))
        .attachments(vec![File::bytes("1.txt", "one"), File::bytes("2.txt", "two").content_type("text/plain")]);
    let stored = c.upload_file(&params).await.unwrap();
    assert_eq!(
        stored,
        FileObject {
            name: "scan.pdf".into(),
            size: 300_000,
            purpose: "invoice".into(),
            // The spec's `encoding` names the part's content types: the first.
            content_type: Some("application/pdf".into()),
            tags: Some(vec!["a".into(), "b".into()]),
            attachments: Some(2),
            source: Some("scanner".into()),
        }
    );
    // A file on disk, streamed, named after itself; one tag only is still an array.
    let path = std::env::temp_dir().join(format!("upload-{}.bin", std::process::id()));
    std::fs::write(&path, pattern(100_000)).unwrap();
    let params = UploadFileParams::new(File::path(&path).content_type("application/octet-stream"), UploadFilePurpose::Avatar).tags(vec!["only".into()]);
    let stored = c.upload_file(&params).await.unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!((stored.name.as_str(), stored.size, stored.content_type.as_deref()), (path.file_name().unwrap().to_str().unwrap(), 100_000, Some("application/octet-stream")));
    assert_eq!(stored.tags, Some(vec!["only".into()]));
    // A reader, read once.
    let reader = std::io::Cursor::new(pattern(70_000));
    let stored = c.upload_file(&UploadFileParams::new(File::reader("r.bin", reader), UploadFilePurpose::Avatar)).await.unwrap();
    assert_eq!(stored.size, 70_000);
}

#[tokio::test]
async fn bytes_go_both_ways_as_streams_with_their_type_and_length() {
    let url = serve().await;
    let c = client(&url);
    // Down: chunk by chunk, with the announced length.
    let mut download = c.download_file("250000").await.unwrap();
    assert_eq!((download.content_type(), download.length()), (Some("application/octet-stream"), Some(250_000)));
    let mut received = Vec::new();
    while let Some(chunk) = download.chunk().await.unwrap() {
        received.extend(chunk);
    }
    assert_eq!(received, pattern(250_000));
    // Whole, within a limit; past it, an error, not an allocation.
    assert_eq!(c.download_file("1000").await.unwrap().bytes(1000).await.unwrap(), pattern(1000));
    assert!(c.download_file("1001").await.unwrap().bytes(1000).await.is_err());
    let pdf = c.render_pdf("x").await.unwrap();
    assert_eq!(pdf.content_type(), Some("application/pdf"));
    // Up: bytes, a stream (sent chunked), a file on disk.
    let received = c.replace_file("x", pattern(123_456)).await.unwrap();
    assert_eq!((received.bytes, received.content_type.as_deref()), (123_456, Some("application/octet-stream")));
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = pattern(200_000).chunks(7_000).map(|c| Ok(c.to_vec())).collect();
    assert_eq!(c.replace_file("x", Upload::stream(futures_util::stream::iter(chunks))).await.unwrap().bytes, 200_000);
    let path = std::env::temp_dir().join(format!("replace-{}.bin", std::process::id()));
    std::fs::write(&path, pattern(99_999)).unwrap();
    assert_eq!(c.replace_file("x", Upload::path(&path)).await.unwrap().bytes, 99_999);
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_body_of_one_of_several_types_goes_as_the_caller_says_and_comes_back_as_the_server_says() {
    let url = serve().await;
    let c = client(&url);
    let jpeg = c.upload_image(Upload::bytes("JFIF").content_type("image/jpeg")).await.unwrap();
    assert_eq!(jpeg.content_type(), Some("image/jpeg"));
    assert_eq!(jpeg.bytes(100).await.unwrap(), b"JFIF");
    // Unsaid, the spec's first type.
    assert_eq!(c.upload_image(b"PNG".as_slice()).await.unwrap().content_type(), Some("image/png"));
    // A type the operation does not take is refused by the router.
    match c.upload_image(Upload::bytes("GIF").content_type("image/gif")).await {
        Err(Error::UnexpectedStatus { status: 415, .. } | Error::Api { status: 415, .. }) => {}
        other => panic!("{other:?}"),
    }
    // An answer of a type the spec does not declare is a typed error naming both.
    match c.upload_image(Upload::bytes("html").content_type("image/png")).await {
        Err(Error::UnexpectedMedia { status: 200, got, declared }) => {
            assert_eq!((got.as_str(), declared), ("text/html", vec!["image/png".to_owned(), "image/jpeg".to_owned()]));
        }
        other => panic!("{other:?}"),
    }
    // Text.
    assert_eq!(c.shout(&ShoutParams::new("hello, world")).await.unwrap(), "HELLO, WORLD");
    // JSON, or a form when the caller says so.
    let settings = Settings::default().theme("dark").size(3);
    let saved = c.save_settings(&SaveSettingsParams::new(settings.clone())).await.unwrap();
    assert_eq!((saved.theme.as_deref(), saved.size, saved.via.as_deref()), (Some("dark"), Some(3), Some("application/json")));
    let form = c.with_options(RequestOptions::new().content_type("application/x-www-form-urlencoded"));
    let saved = form.save_settings(&SaveSettingsParams::new(settings)).await.unwrap();
    assert_eq!((saved.theme.as_deref(), saved.size, saved.via.as_deref()), (Some("dark"), Some(3), Some("application/x-www-form-urlencoded")));
    let other = c.with_options(RequestOptions::new().content_type("text/csv"));
    assert!(matches!(other.save_settings(&SaveSettingsParams::new(Settings::default())).await, Err(Error::Encode(_))));
}

#[tokio::test]
async fn events_arrive_in_order_typed_beside_json_and_raw_without_a_schema() {
    let url = serve().await;
    let c = client(&url);
    let whole = c.complete(&CompleteParams::new("to be or not")).await.unwrap();
    assert_eq!(whole.text, "to be or not");
    // The events method sets `stream` itself.
    let mut events = c.complete_events(&CompleteParams::new("to be or not")).await.unwrap();
    let mut deltas = Vec::new();
    while let Some(event) = events.try_next().await.unwrap() {
        deltas.push((event.id.clone().unwrap(), event.data.delta));
    }
    assert_eq!(deltas, [("0".into(), "to".into()), ("1".into(), "be".into()), ("2".into(), "or".into()), ("3".into(), "not".into())]);
    assert_eq!(events.last_event_id().as_deref(), Some("3"));
    let ticks: Vec<Event<String>> = c.ticks(&TicksParams::default().count(5)).await.unwrap().try_collect().await.unwrap();
    assert_eq!(ticks.len(), 5);
    assert_eq!((ticks[4].event.as_deref(), ticks[4].id.as_deref(), ticks[4].data.as_str()), (Some("tick"), Some("4"), "tick 4\nsecond line"));
    // Parameters are checked as for any operation.
    assert!(matches!(c.ticks(&TicksParams::default().count(1001)).await, Err(Error::Api { status: 400, .. })));
}

#[tokio::test]
async fn json_lines_go_both_ways_as_streams() {
    let url = serve().await;
    let c = client(&url);
    let records: Vec<Record> = (0..1000).map(|i| Record::new(1000 + i).name(format!("r{i}"))).collect();
    let back: Vec<Record> = c.import(futures_util::stream::iter(records)).await.unwrap().try_collect().await.unwrap();
    assert_eq!(back.len(), 1000);
    assert_eq!((back[999].id, back[999].name.as_deref()), (999, Some("r999")));
}

/// How `the_schemathesis_hook_drops_only_what_the_wire_shows_is_right`
/// hands each exchange to the hook.
const MEDIA_HOOK_CASE: &str = r#"
case = ns(operation=ns(label=c["label"]), media_type=c.get("media_type"))
request = ns(headers={"Content-Type": c.get("request_type", "")}, body=c.get("sent", "").encode("latin-1"))
response = ns(status_code=200, headers={"Content-Type": [c.get("answer_type", "")]}, content=c.get("answer", "").encode(), request=request)
failure = ns(code=c["failure"], message="m")
"#;

/// The hook of the schemathesis run over the media server
/// (`tests/schemathesis/media_hooks.py`) drops a failure only where the
/// exchange itself shows it is not one: events whose every data the schema
/// allows (the tool reads that schema as the event's own), and multipart
/// bodies that went on the wire valid (a value meant as an object, sent as
/// text). An event or a body that breaks the schema keeps its failure.
#[test]
fn the_schemathesis_hook_drops_only_what_the_wire_shows_is_right() {
    let Some(python) = common::python::python_with(&["schemathesis", "jsonschema", "yaml"]) else { return };
    let boundary = "XyZ";
    let multipart = |parts: &[(&str, Option<&str>, &str)]| {
        let mut body = String::new();
        for (name, file, content) in parts {
            let filename = file.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
            let kind = if name == &"meta" { "Content-Type: application/json\r\n" } else { "" };
            body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n{kind}\r\n{content}\r\n"));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        body
    };
    let file = ("file", Some("a.pdf"), "%PDF-1.4");
    let upload = |what: &str, parts: &[(&str, Option<&str>, &str)]| {
        (what.to_owned(), json!({"label": "POST /files", "media_type": "multipart/form-data", "failure": "ST201",
            "request_type": format!("multipart/form-data; boundary={boundary}"), "sent": multipart(parts)}))
    };
    let stream = |what: &str, answer: &str| {
        (what.to_owned(), json!({"label": "POST /completions", "media_type": "application/json", "failure": "ST108",
            "answer_type": "text/event-stream", "answer": answer}))
    };
    // (what, the exchange, dropped)
    let cases = [
        (upload("an object sent as text", &[file, ("purpose", None, "avatar"), ("tags", None, "{}")]), true),
        (upload("null sent as nothing", &[file, ("purpose", None, "invoice")]), true),
        (upload("a JSON part as JSON", &[file, ("purpose", None, "invoice"), ("meta", None, r#"{"source": "x"}"#)]), true),
        (upload("a value outside the enum", &[file, ("purpose", None, "other")]), false),
        (upload("a required part missing", &[file, ("tags", None, "a")]), false),
        (upload("a part the schema does not name", &[file, ("purpose", None, "avatar"), ("zz", None, "1")]), false),
        (upload("a JSON part with a key it does not name", &[file, ("purpose", None, "avatar"), ("meta", None, r#"{"zz": 1}"#)]), false),
        (upload("a JSON part that is not JSON", &[file, ("purpose", None, "avatar"), ("meta", None, "{")]), false),
        (stream("events whose data the schema allows", "id: 0\ndata: {\"delta\":\"\"}\n\n: keep-alive\n\ndata: {\"delta\":\ndata: \"b\"}\n\n"), true),
        (stream("an event whose data breaks the schema", "data: {\"delta\":\"a\"}\n\ndata: {\"delta\":1}\n\n"), false),
        (stream("an event whose data is not JSON", "data: hello\n\n"), false),
    ];
    let mut input: Vec<serde_json::Value> = cases.iter().map(|((_, c), _)| c.clone()).collect();
    let mut expected: Vec<(String, bool)> = cases.iter().map(|((what, _), dropped)| (what.clone(), !dropped)).collect();
    // The same failures elsewhere are kept: an answer that is not an event
    // stream, and another check's failure of a valid upload.
    input.push(json!({"label": "POST /completions", "failure": "ST108", "answer_type": "application/json", "answer": "{}"}));
    expected.push(("not an event stream".into(), true));
    let mut other = cases[0].0.1.clone();
    other["failure"] = json!("ST202");
    input.push(other);
    expected.push(("another check".into(), true));
    let hooks = contract_tests::root().join("tests/schemathesis/media_hooks.py");
    let kept = common::python::hook_keeps(python, &hooks, "media-hook", MEDIA_HOOK_CASE, &input);
    let got: Vec<(String, bool)> = expected.iter().map(|e| e.0.clone()).zip(kept).collect();
    assert_eq!(got, expected);
}

/// curl, a client this project did not write, uploads a file to the
/// generated server as the README shows (`curl -F file=@... -F purpose=...`),
/// streams bytes up, and reads the events of a completion as they come.
#[tokio::test]
async fn curl_uploads_a_file_streams_bytes_and_reads_events() {
    let found = std::process::Command::new("curl").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "curl is missing: .ci/run installs it");
        eprintln!("SKIPPED: curl is not installed");
        return;
    }
    let url = serve().await;
    let dir = std::env::temp_dir().join(format!("media-curl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("invoice.pdf");
    std::fs::write(&file, pattern(100_000)).unwrap();
    let curl = move |args: Vec<String>| async move {
        let output = tokio::task::spawn_blocking(move || std::process::Command::new("curl").args(["-sS", "--fail-with-body"]).args(args).output())
            .await
            .unwrap()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let answer = curl(vec![
        "-F".into(),
        format!("file=@{};type=application/pdf", file.display()),
        "-F".into(),
        "purpose=invoice".into(),
        "-F".into(),
        "tags=a".into(),
        "-F".into(),
        "tags=b".into(),
        format!("{url}/files"),
    ])
    .await;
    let stored: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(
        stored,
        json!({"name": "invoice.pdf", "size": 100_000, "purpose": "invoice", "content_type": "application/pdf", "tags": ["a", "b"]})
    );
    // Bytes streamed up (`-T` sends the file as it reads it).
    let answer = curl(vec!["-T".into(), file.display().to_string(), "-H".into(), "content-type: application/octet-stream".into(), format!("{url}/files/f1/content")]).await;
    assert_eq!(serde_json::from_str::<serde_json::Value>(&answer).unwrap()["bytes"], 100_000);
    // Events, as `curl -N` prints them.
    let events = curl(vec!["-N".into(), "-H".into(), "content-type: application/json".into(), "-d".into(), r#"{"prompt": "to be", "stream": true}"#.into(), format!("{url}/completions")]).await;
    assert_eq!(events, "id: 0\ndata: {\"delta\":\"to\"}\n\nid: 1\ndata: {\"delta\":\"be\"}\n\n");
    let _ = std::fs::remove_dir_all(&dir);
}
