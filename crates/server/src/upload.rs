//! Receiving files: a raw body or a multipart form. Small uploads stay in
//! memory; larger ones are streamed to a private per-request folder under
//! server-chosen names (`file-0.jpg`, …). Nothing from the request names a
//! path; the client's file name is only shown in reports, reduced to a safe
//! base name. The folder, made only when needed, goes when the request
//! ends, whatever happened (RAII). The body must keep the server's pace
//! ([`crate::pace`]) or the request ends in 408.

use std::{
    collections::BTreeMap,
    io::Write,
    path::{Path, PathBuf},
    sync::{atomic::Ordering, Arc},
};

use axum::{
    body::Body,
    extract::{FromRequest, Multipart, Request},
    http::header,
};
use futures_util::StreamExt;
use tamga_label::MediaFormat;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{
    error::ApiError,
    pace::{self, Pace},
    state::AppState,
};

/// How many bytes of one request's files are held in memory; the rest go
/// to disk. A 300 KB photo verified from memory skips a mkdir, a create,
/// the writes, the verifier's reopen and a recursive removal, which cost
/// more than the HTTP itself. All uploads together hold at most
/// `max_concurrent` × this in memory (a server-wide budget); past it they
/// go to disk.
pub const MEMORY_BYTES_PER_REQUEST: u64 = 4 << 20;

/// Where a received file's bytes are.
pub enum Content {
    /// Held in memory.
    Memory(Vec<u8>),
    /// Stored at this path, inside the request's folder.
    Disk(PathBuf),
}

/// One received file.
pub struct Upload {
    /// The name shown in reports: the client's base name, sanitized, or
    /// `upload`.
    pub name: String,
    /// Its bytes.
    pub content: Content,
}

/// What a request carried.
pub struct Received {
    /// The request's private folder, made on first use; removed on drop.
    dir: Option<tempfile::TempDir>,
    root: PathBuf,
    /// The files, in order.
    pub files: Vec<Upload>,
    /// Text fields of a multipart form.
    pub fields: BTreeMap<String, String>,
    /// Bytes of files held in memory so far.
    in_memory: u64,
    /// Their share of the server-wide memory budget, given back on drop.
    budget: Budget,
}

/// A request's share of the server-wide memory budget for uploads.
struct Budget {
    pool: Arc<Semaphore>,
    held: Option<OwnedSemaphorePermit>,
}

impl Budget {
    /// Whether `bytes` more may be held in memory; if so they are counted.
    fn take(&mut self, bytes: usize) -> bool {
        let Ok(n) = u32::try_from(bytes) else {
            return false;
        };
        let Ok(permit) = self.pool.clone().try_acquire_many_owned(n) else {
            return false;
        };
        match &mut self.held {
            Some(held) => held.merge(permit),
            None => self.held = Some(permit),
        }
        true
    }
}

impl Received {
    /// The request's private folder.
    pub fn dir(&mut self) -> Result<&Path, ApiError> {
        if self.dir.is_none() {
            let dir = tempfile::Builder::new()
                .prefix("req-")
                .tempdir_in(&self.root)
                .map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
            self.dir = Some(dir);
        }
        match &self.dir {
            Some(d) => Ok(d.path()),
            None => Err(ApiError::internal("cannot store the upload")),
        }
    }

    /// The path of file `i`, writing it to the request's folder first if it
    /// is in memory (the labeller reads and writes files).
    pub fn path_of(&mut self, i: usize) -> Result<PathBuf, ApiError> {
        let ext = extension_of(
            &self
                .files
                .get(i)
                .map(|f| f.name.clone())
                .unwrap_or_default(),
        );
        let path = self.dir()?.join(format!("file-{i}{ext}"));
        let Some(file) = self.files.get_mut(i) else {
            return Err(ApiError::bad_request("no-file", "no file to label"));
        };
        if let Content::Memory(bytes) = &file.content {
            std::fs::write(&path, bytes)
                .map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
            file.content = Content::Disk(path);
        }
        match &file.content {
            Content::Disk(p) => Ok(p.clone()),
            Content::Memory(_) => Err(ApiError::internal("cannot store the upload")),
        }
    }
}

/// Receives the request's files, at the server's pace.
pub async fn receive(state: &AppState, req: Request) -> Result<Received, ApiError> {
    let config = &state.config;
    let (parts, body) = req.into_parts();
    let (body, tripped) = pace::paced(body, Pace::starting_now(config));
    let result = receive_paced(state, Request::from_parts(parts, body)).await;
    // Whatever error reading the body ended in, a body cut off for its
    // pace is the client's slowness.
    if result.is_err() && tripped.load(Ordering::Relaxed) {
        state.metrics.slow_client("body");
        return Err(ApiError::slow_upload(
            config.body_timeout.as_secs(),
            config.body_min_bytes_per_sec,
        ));
    }
    result
}

async fn receive_paced(state: &AppState, req: Request) -> Result<Received, ApiError> {
    let limit = state.config.max_upload_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::too_large(limit));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut received = Received {
        dir: None,
        root: state.uploads.path().to_path_buf(),
        files: Vec::new(),
        fields: BTreeMap::new(),
        in_memory: 0,
        budget: Budget {
            pool: state.memory_pool(),
            held: None,
        },
    };
    if content_type.starts_with("multipart/form-data") {
        receive_multipart(req, &mut received, limit).await?;
    } else {
        let name = format!("upload{}", extension_for_type(&content_type));
        let mut sink = Sink::new(&name, limit, 0, declared);
        let mut stream = req.into_body().into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::bad_request("malformed", format!("reading the body: {e}"))
            })?;
            sink.write(&mut received, &chunk)?;
        }
        let upload = sink.finish(&mut received)?;
        received.files.push(upload);
    }
    if received.files.is_empty() {
        return Err(ApiError::bad_request(
            "no-file",
            "the request carries no file: send it as the body or as a multipart file part",
        ));
    }
    Ok(received)
}

async fn receive_multipart(
    req: Request<Body>,
    received: &mut Received,
    limit: u64,
) -> Result<(), ApiError> {
    let mut form = Multipart::from_request(req, &())
        .await
        .map_err(|e| ApiError::bad_request("malformed", e.body_text()))?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(limit)
        } else {
            ApiError::bad_request(
                "malformed",
                format!("malformed multipart body: {}", e.body_text()),
            )
        }
    };
    let mut total = 0u64;
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        let field_name = field.name().unwrap_or_default().to_string();
        let Some(client_name) = field.file_name().map(str::to_string) else {
            // A text field (the label endpoint's disclosure fields).
            let value = field.text().await.map_err(bad)?;
            total += value.len() as u64;
            if total > limit {
                return Err(ApiError::too_large(limit));
            }
            received.fields.insert(field_name, value);
            continue;
        };
        let mut sink = Sink::new(&sanitize(&client_name), limit, total, None);
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            sink.write(received, &chunk)?;
        }
        total = sink.total;
        let upload = sink.finish(received)?;
        received.files.push(upload);
    }
    Ok(())
}

/// A file being received, counting against the request's limit: in memory
/// while the request's memory budget lasts, then on disk.
struct Sink {
    name: String,
    memory: Vec<u8>,
    /// Buffered: the body arrives in chunks of a few KB, and a write
    /// call per chunk was measurable under load.
    file: Option<(std::io::BufWriter<std::fs::File>, PathBuf)>,
    /// Known from the start to be too large for memory.
    spill: bool,
    limit: u64,
    total: u64,
    written: u64,
}

impl Sink {
    /// `declared` is the body's Content-Length, if any: a body known to be
    /// too large for memory goes straight to disk, and one that fits gets
    /// its buffer at once.
    fn new(name: &str, limit: u64, total: u64, declared: Option<u64>) -> Self {
        let reserve = declared
            .filter(|n| *n <= MEMORY_BYTES_PER_REQUEST)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        Self {
            name: name.to_string(),
            memory: Vec::with_capacity(reserve),
            file: None,
            spill: declared.is_some_and(|n| n > MEMORY_BYTES_PER_REQUEST),
            limit,
            total,
            written: 0,
        }
    }

    fn write(&mut self, received: &mut Received, chunk: &[u8]) -> Result<(), ApiError> {
        self.total += chunk.len() as u64;
        self.written += chunk.len() as u64;
        if self.total > self.limit {
            return Err(ApiError::too_large(self.limit));
        }
        let store = |e: std::io::Error| ApiError::internal(format!("cannot store the upload: {e}"));
        if self.file.is_none() {
            if !self.spill
                && received.in_memory + self.written <= MEMORY_BYTES_PER_REQUEST
                && received.budget.take(chunk.len())
            {
                self.memory.extend_from_slice(chunk);
                return Ok(());
            }
            // Over the request's or the server's memory budget: this file
            // goes to disk, with what was held so far. The name on disk is ours; only the
            // extension is the client's, because text is recognised by it.
            let index = received.files.len();
            let path = received
                .dir()?
                .join(format!("file-{index}{}", extension_of(&self.name)));
            let mut file = std::fs::File::create_new(&path)
                .map(|f| std::io::BufWriter::with_capacity(256 << 10, f))
                .map_err(store)?;
            file.write_all(&self.memory).map_err(store)?;
            self.memory = Vec::new();
            self.file = Some((file, path));
        }
        match &mut self.file {
            Some((file, _)) => file.write_all(chunk).map_err(store),
            None => Ok(()),
        }
    }

    fn finish(self, received: &mut Received) -> Result<Upload, ApiError> {
        if self.written == 0 {
            return Err(ApiError::bad_request(
                "empty",
                format!("{}: the file is empty (0 bytes)", self.name),
            ));
        }
        let content = match self.file {
            None => {
                received.in_memory += self.written;
                Content::Memory(self.memory)
            }
            Some((mut file, path)) => {
                file.flush()
                    .map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
                Content::Disk(path)
            }
        };
        Ok(Upload {
            name: self.name,
            content,
        })
    }
}

/// The client's file name reduced to a base name of safe characters, for
/// reports only.
pub fn sanitize(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if c.is_alphanumeric() || "._- ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    // Dots and spaces together: " .x" trimmed of dots first and then of
    // spaces would still come out hidden.
    let clean = clean.trim_start_matches(['.', ' ']).trim_end().to_string();
    if clean.is_empty() {
        "upload".into()
    } else {
        clean
    }
}

/// `.ext` of a (sanitized) name, when it is a short alphanumeric one.
fn extension_of(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((_, ext))
            if !ext.is_empty()
                && ext.len() <= 8
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            format!(".{}", ext.to_ascii_lowercase())
        }
        _ => String::new(),
    }
}

/// A raw body's extension from its media type: only text needs one, as
/// media formats are recognised from their bytes.
fn extension_for_type(content_type: &str) -> String {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    MediaFormat::from_mime(essence)
        .filter(|f| f.is_text())
        .and_then(|f| f.spec().extensions.first())
        .map_or_else(String::new, |ext| format!(".{ext}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names_never_become_paths() {
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("C:\\Users\\x\\photo.jpg"), "photo.jpg");
        assert_eq!(sanitize(".hidden"), "hidden");
        assert_eq!(sanitize(" . .hidden "), "hidden");
        assert_eq!(sanitize("a\u{0}b<script>.png"), "ab_script_.png");
        assert_eq!(sanitize(""), "upload");
        assert_eq!(sanitize("/"), "upload");
        assert_eq!(extension_of("story.MD"), ".md");
        assert_eq!(extension_of("x.tar/../../y"), "");
        assert_eq!(extension_for_type("text/plain"), ".txt");
        assert_eq!(extension_for_type("image/jpeg"), "");
        assert_eq!(extension_for_type("image/jpeg"), "");
    }
}
