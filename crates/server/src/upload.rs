//! Receiving files: a raw body or a multipart form, streamed to a private
//! per-request folder under server-chosen names (`file-0.jpg`, …). Nothing
//! from the request names a path; the client's file name is only shown in
//! reports, reduced to a safe base name. The folder goes when the request
//! ends, whatever happened (RAII).

use std::{collections::BTreeMap, io::Write, path::PathBuf};

use axum::{
    body::Body,
    extract::{FromRequest, Multipart, Request},
    http::header,
};
use futures_util::StreamExt;

use crate::{error::ApiError, state::AppState};

/// One received file.
pub struct Upload {
    /// The name shown in reports: the client's base name, sanitized, or
    /// `upload`.
    pub name: String,
    /// Where it is on disk, inside [`Received::dir`].
    pub path: PathBuf,
}

/// What a request carried.
pub struct Received {
    /// The request's private folder; removed on drop.
    pub dir: tempfile::TempDir,
    /// The files, in order.
    pub files: Vec<Upload>,
    /// Text fields of a multipart form.
    pub fields: BTreeMap<String, String>,
}

/// Receives the request's files.
pub async fn receive(state: &AppState, req: Request) -> Result<Received, ApiError> {
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
    let dir = tempfile::Builder::new()
        .prefix("req-")
        .tempdir_in(state.uploads.path())
        .map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
    let mut received = Received {
        dir,
        files: Vec::new(),
        fields: BTreeMap::new(),
    };
    if content_type.starts_with("multipart/form-data") {
        receive_multipart(req, &mut received, limit).await?;
    } else {
        let name = format!("upload{}", extension_for_type(&content_type));
        let mut sink = Sink::new(&received, &name, limit, 0)?;
        let mut stream = req.into_body().into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::bad_request("malformed", format!("reading the body: {e}"))
            })?;
            sink.write(&chunk)?;
        }
        received.files.push(sink.finish()?);
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
        let mut sink = Sink::new(received, &sanitize(&client_name), limit, total)?;
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            sink.write(&chunk)?;
        }
        total = sink.total;
        received.files.push(sink.finish()?);
    }
    Ok(())
}

/// A file being written, counting against the request's limit.
struct Sink {
    /// Buffered: the body arrives in chunks of a few KB, and a write
    /// call per chunk was measurable under load.
    file: std::io::BufWriter<std::fs::File>,
    upload: Upload,
    limit: u64,
    total: u64,
    written: u64,
}

impl Sink {
    fn new(received: &Received, name: &str, limit: u64, total: u64) -> Result<Self, ApiError> {
        // The name on disk is ours; only the extension is the client's,
        // because text is recognised by it (.txt, .md).
        let path = received.dir.path().join(format!(
            "file-{}{}",
            received.files.len(),
            extension_of(name)
        ));
        let file = std::fs::File::create_new(&path)
            .map(|f| std::io::BufWriter::with_capacity(256 << 10, f))
            .map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
        Ok(Self {
            file,
            upload: Upload {
                name: name.to_string(),
                path,
            },
            limit,
            total,
            written: 0,
        })
    }

    fn write(&mut self, chunk: &[u8]) -> Result<(), ApiError> {
        self.total += chunk.len() as u64;
        self.written += chunk.len() as u64;
        if self.total > self.limit {
            return Err(ApiError::too_large(self.limit));
        }
        self.file
            .write_all(chunk)
            .map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))
    }

    fn finish(mut self) -> Result<Upload, ApiError> {
        self.file
            .flush()
            .map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
        if self.written == 0 {
            return Err(ApiError::bad_request(
                "empty",
                format!("{}: the file is empty (0 bytes)", self.upload.name),
            ));
        }
        Ok(self.upload)
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
    let clean = clean.trim_start_matches('.').trim().to_string();
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
fn extension_for_type(content_type: &str) -> &'static str {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    match essence {
        "text/markdown" => ".md",
        "text/plain" => ".txt",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names_never_become_paths() {
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("C:\\Users\\x\\photo.jpg"), "photo.jpg");
        assert_eq!(sanitize(".hidden"), "hidden");
        assert_eq!(sanitize("a\u{0}b<script>.png"), "ab_script_.png");
        assert_eq!(sanitize(""), "upload");
        assert_eq!(sanitize("/"), "upload");
        assert_eq!(extension_of("story.MD"), ".md");
        assert_eq!(extension_of("x.tar/../../y"), "");
        assert_eq!(extension_for_type("text/markdown; charset=utf-8"), ".md");
        assert_eq!(extension_for_type("image/jpeg"), "");
    }
}
