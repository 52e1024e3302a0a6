//! `tamga inspect --privacy FILE…`: what in each file could identify a
//! person, and where it sits, for review before publishing (Kazakhstan's
//! Personal Data Law). One file that cannot be read is one error line; the
//! others are still listed.

use std::{path::PathBuf, process::ExitCode};

use anyhow::Result;
use serde::Serialize;
use tamga_label::{privacy::PrivacyItem, Verifier};

use crate::out::outln;

#[derive(Serialize)]
struct FileJson<'a> {
    path: &'a std::path::Path,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    items: Vec<PrivacyItem>,
}

pub(crate) fn run(verifier: &Verifier, files: &[PathBuf], json: bool) -> Result<ExitCode> {
    let mut failed = false;
    let mut docs = Vec::new();
    for path in files {
        let (items, error) = match verifier.inspect(path) {
            Ok((report, _)) => (report.privacy, None),
            Err(e) => {
                failed = true;
                (Vec::new(), Some(e.to_string()))
            }
        };
        if json {
            docs.push(FileJson { path, error, items });
            continue;
        }
        let shown = crate::out::shown(path);
        match (&error, items.is_empty()) {
            (Some(e), _) => outln!("{:<16} {e}", "error")?,
            (None, true) => outln!(
                "{:<16} {shown}: nothing found that identifies a person",
                "clean"
            )?,
            (None, false) => {
                outln!("{:<16} {shown}: {} item(s)", "personal data", items.len())?;
                for i in &items {
                    let place = match (&i.manifest, &i.assertion) {
                        (Some(m), Some(a)) => format!("manifest {m}, {a}"),
                        _ => format!("file {}", i.place),
                    };
                    let value = i
                        .value
                        .as_deref()
                        .map(|v| format!(" = {v}"))
                        .unwrap_or_default();
                    let fixed = if i.redactable {
                        ""
                    } else {
                        " (cannot be redacted: it is part of the AI disclosure)"
                    };
                    outln!(
                        "{:<16} {}: {}{value} [{place}]{fixed}",
                        "",
                        i.kind.name(),
                        i.field
                    )?;
                }
            }
        }
    }
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "schema": "tamga.privacy/1",
                "files": docs,
            }))?
        )?;
    }
    Ok(ExitCode::from(u8::from(failed)))
}
