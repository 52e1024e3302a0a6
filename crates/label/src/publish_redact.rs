//! Redaction on publish (issue 21): personal data out of what a
//! distributor publishes, the chain kept valid.
//!
//! - The file's own metadata (EXIF, XMP; an MP3's ID3 tag) loses the
//!   fields asked for; the pixels and samples are not touched
//!   (`tamga_meta::personal`). The publisher's
//!   manifest records it as `c2pa.edited.metadata`.
//! - Assertions in earlier manifests are redacted the C2PA way: listed in
//!   the new claim's `redacted_assertions` (c2pa then leaves them out of
//!   the parent's store), each with a `c2pa.redacted` action naming it, so
//!   the producer's signature still validates and the redaction shows.
//!   C2PA redacts whole assertions: `stds.exif` goes whole for its GPS.
//! - The AI disclosure is never redacted: a prompt inside `c2pa.actions`
//!   (the actions carry the digital source type) is refused with an error,
//!   and no action or hard-binding assertion is ever listed.

use std::{
    fs::File,
    io::{Read, Seek, SeekFrom, Write},
    path::Path,
};

use c2pa::Builder;
use serde::Serialize;
use serde_json::json;

use crate::{
    privacy::{PrivacyItem, PrivacyKind},
    LabelError, MediaFormat,
};

/// What a publication redacted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Redacted {
    /// Fields removed from the file's own metadata (EXIF, XMP, tags).
    pub file_fields: usize,
    /// The assertions of earlier manifests redacted, as JUMBF URIs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assertions: Vec<String>,
}

/// The assertions to redact from earlier manifests for `kinds`, as JUMBF
/// URIs, from the received file's privacy items. Refuses what would take
/// the AI disclosure with it.
pub(crate) fn assertion_uris(
    path: &Path,
    items: &[PrivacyItem],
    kinds: &[PrivacyKind],
) -> Result<Vec<String>, LabelError> {
    let mut uris: Vec<String> = Vec::new();
    for item in items.iter().filter(|i| kinds.contains(&i.kind)) {
        let (Some(assertion), Some(uri)) = (&item.assertion, item.assertion_uri()) else {
            continue;
        };
        if !item.redactable || protected(assertion) {
            return Err(LabelError::Redaction {
                path: path.into(),
                message: format!(
                    "{} in {assertion} of manifest {} cannot be redacted: that assertion \
                     carries the AI disclosure (C2PA forbids redacting actions and hard \
                     bindings); publish without redacting {}",
                    item.field,
                    item.manifest.as_deref().unwrap_or("?"),
                    item.kind.name()
                ),
            });
        }
        if !uris.contains(&uri) {
            uris.push(uri);
        }
    }
    Ok(uris)
}

/// Assertions C2PA never lets a later claim redact.
fn protected(assertion: &str) -> bool {
    assertion.starts_with("c2pa.actions") || assertion.starts_with("c2pa.hash.")
}

/// Lists `uris` in the claim's `redacted_assertions`, each with its
/// `c2pa.redacted` action, and records removed file metadata.
pub(crate) fn record(
    builder: &mut Builder,
    uris: &[String],
    file_fields: usize,
) -> c2pa::Result<()> {
    if !uris.is_empty() {
        builder.definition.redactions = Some(uris.to_vec());
        for uri in uris {
            builder.add_action(json!({
                "action": "c2pa.redacted",
                "reason": "c2pa.PII.present",
                "parameters": { "redacted": uri },
            }))?;
        }
    }
    if file_fields > 0 {
        builder.add_action(json!({
            "action": "c2pa.edited.metadata",
            "description": format!(
                "{file_fields} field(s) of personal data removed from the file's own metadata"
            ),
        }))?;
    }
    Ok(())
}

/// `source` without the personal fields of `kinds` in its own metadata,
/// as a new temporary file, and how many went; `None` when there were none
/// (or the format has no EXIF/XMP tamga edits).
pub(crate) fn strip_file(
    format: MediaFormat,
    source: &mut File,
    kinds: &[PrivacyKind],
    path: &Path,
) -> Result<Option<(File, usize)>, LabelError> {
    let file_kinds: Vec<_> = kinds.iter().filter_map(|k| k.file_kind()).collect();
    let Some(container) = crate::xmp_aigc::container(format) else {
        return Ok(None);
    };
    if file_kinds.is_empty() {
        return Ok(None);
    }
    let io = |e| LabelError::io(path, e);
    let meta_err = |e| LabelError::Metadata {
        path: path.into(),
        source: Box::new(crate::MetadataError::Write(e)),
    };
    // Streamed where the container allows (an MP3's tag rewritten, the
    // audio copied through; BMFF, WAV and the rest edited in place).
    source.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut file = tempfile::tempfile().map_err(io)?;
    if let Some(done) = tamga_meta::personal::redact_to(container, source, &mut file, &file_kinds) {
        let n = done.map_err(meta_err)?;
        source.seek(SeekFrom::Start(0)).map_err(io)?;
        if n == 0 {
            return Ok(None);
        }
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        return Ok(Some((file, n)));
    }
    // Images are edited in memory (see `tamga_meta::personal`); the
    // other formats carry no metadata tamga edits.
    if !tamga_meta::personal::edits(container) {
        return Ok(None);
    }
    let mut input = Vec::new();
    source.read_to_end(&mut input).map_err(io)?;
    source.seek(SeekFrom::Start(0)).map_err(io)?;
    let (out, n) =
        tamga_meta::personal::redact(container, &input, &file_kinds).map_err(meta_err)?;
    if n == 0 {
        return Ok(None);
    }
    file.write_all(&out).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(Some((file, n)))
}
