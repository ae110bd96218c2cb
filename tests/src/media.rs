//! An implementation of the `media` fixture's generated server
//! (`tests/fixtures/media.yaml`), for the round trips of `tests/media.rs`,
//! the schemathesis run of `.ci/run` and the streaming benchmark
//! (`examples/media_server.rs`, `examples/stream_bench.rs`).

use crate::fixtures::media::http_server::{self, Download, Events, LineStream, Lines, Rejection, RequestContext};
use crate::fixtures::media::server::{CompleteReply, Failure, MediaApi};
use crate::fixtures::media::runtime::Nullable;
use crate::fixtures::media::types::*;
use crate::fixtures::media::wire::Event;
use futures_util::{StreamExt, TryStreamExt};

/// The media server. With `check`, uploads must be [`pattern`] bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Media {
    /// Whether uploaded bytes must be the pattern (tests), or may be
    /// anything (a tester's random bytes).
    pub check: bool,
}

/// A failure with the API's error object.
fn failure(status: u16, message: impl Into<String>) -> Failure {
    Failure::new(status, Error { message: message.into(), param: Nullable::Absent, status: Some(i64::from(status)) })
}

/// Bytes `0, 1, ... 250, 0, 1...` of a length.
pub fn pattern(length: usize) -> Vec<u8> {
    (0..length).map(|i| (i % 251) as u8).collect()
}



impl MediaApi for Media {
    fn rejection(&self, rejection: &Rejection) -> Error {
        let param = rejection.param.clone().map_or(Nullable::Null, Nullable::Value);
        Error { message: rejection.message.clone(), param, status: Some(i64::from(rejection.status)) }
    }

    async fn upload_file(&self, params: UploadFileParams, _: RequestContext) -> Result<FileObject, Failure> {
        let bytes = params.file.as_bytes().unwrap_or_default();
        if self.check && bytes != pattern(bytes.len()) {
            return Err(failure(422, "the file's bytes are not the pattern sent"));
        }
        Ok(FileObject {
            name: params.file.name.clone().unwrap_or_default(),
            size: bytes.len() as i64,
            purpose: params.purpose.as_str().to_owned(),
            content_type: params.file.content_type.clone(),
            tags: params.tags,
            attachments: params.attachments.map(|a| a.len() as i64),
            source: params.meta.and_then(|m| m.source),
        })
    }

    async fn download_file(&self, id: String, _: RequestContext) -> Result<Download, Failure> {
        let length: usize = id.parse().unwrap_or(0);
        // In chunks of 64 KiB, each copied out of one block of the pattern
        // as it is sent (a GiB is never held).
        const CHUNK: usize = 64 << 10;
        static BLOCK: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let block = BLOCK.get_or_init(|| pattern(CHUNK + 251));
        let chunks = (0..length).step_by(CHUNK).map(move |start| {
            let (from, len) = (start % 251, CHUNK.min(length - start));
            Ok::<_, std::io::Error>(block[from..from + len].to_vec())
        });
        Ok(Download::stream(futures_util::stream::iter(chunks), Some(length as u64)))
    }

    async fn replace_file(&self, _: String, body: http_server::Upload, _: RequestContext) -> Result<Received, Failure> {
        let content_type = body.content_type().map(str::to_owned);
        let mut stream = std::pin::pin!(body.into_stream());
        let mut received = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|r| failure(400, r.message))?;
            if self.check && !chunk.iter().enumerate().all(|(i, b)| *b == ((received + i) % 251) as u8) {
                return Err(failure(422, "the bytes are not the pattern sent, in order"));
            }
            received += chunk.len();
        }
        Ok(Received { bytes: received as i64, content_type })
    }

    async fn render_pdf(&self, _: String, _: RequestContext) -> Result<Download, Failure> {
        Ok(Download::bytes(b"%PDF-1.7\n".to_vec()))
    }

    async fn upload_image(&self, body: http_server::Upload, _: RequestContext) -> Result<Download, Failure> {
        let content_type = body.content_type().unwrap_or("image/png").to_owned();
        let bytes = body.read(1 << 20).await.map_err(|r| failure(r.status, r.message))?;
        // Answers `text/html`, which the spec does not declare, when asked to.
        let answered = if bytes == b"html" { "text/html".to_owned() } else { content_type };
        Ok(Download::bytes(bytes).content_type(answered))
    }

    async fn shout(&self, params: ShoutParams, _: RequestContext) -> Result<String, Failure> {
        Ok(params.body.to_uppercase())
    }

    async fn complete(&self, params: CompleteParams, _: RequestContext) -> Result<CompleteReply, Failure> {
        let words: Vec<String> = params.prompt.split(' ').map(str::to_owned).collect();
        if params.stream == Some(true) {
            let events: Vec<Event<Chunk>> = words.into_iter().enumerate().map(|(i, w)| Event::new(Chunk { delta: w }).id(i.to_string())).collect();
            Ok(CompleteReply::Events(Events::from(events)))
        } else {
            Ok(CompleteReply::Json(Completion { text: words.join(" ") }))
        }
    }

    async fn ticks(&self, params: TicksParams, _: RequestContext) -> Result<Events<String>, Failure> {
        let count = params.count.unwrap_or(3);
        let events = (0..count).map(|i| Event::new(format!("tick {i}\nsecond line")).event("tick").id(i.to_string()));
        Ok(Events::new(futures_util::stream::iter(events.collect::<Vec<_>>())))
    }

    async fn import(&self, items: Lines<Record>, _: RequestContext) -> Result<LineStream<Record>, Failure> {
        // Every line is read before the answer starts, so a bad one is refused.
        let records: Vec<Record> = items.try_collect().await.map_err(|e| failure(400, e.to_string()))?;
        let numbered = records.into_iter().enumerate().map(|(i, r)| Record { id: i as i64, name: r.name }).collect::<Vec<_>>();
        Ok(LineStream::from(numbered))
    }

    async fn save_settings(&self, params: SaveSettingsParams, context: RequestContext) -> Result<Settings, Failure> {
        let via = context.headers.get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let mut settings = params.body;
        settings.via = via;
        Ok(settings)
    }
}

