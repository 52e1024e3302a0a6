//! The batch report: serde types with a versioned schema (documented in
//! `docs/json-schema.md`); the terminal table, JUnit and HTML are rendered
//! from the same values.

use std::path::Path;

use serde::Serialize;

use crate::{decide::FileCheck, GateError, GateVerdict, Policy};

/// Identifies the JSON schema of [`CheckReport`]; bump on breaking change.
pub const CHECK_SCHEMA: &str = "tamga.check/1";

/// Which policy was applied.
#[derive(Debug, Clone, Serialize)]
pub struct PolicySummary {
    pub name: String,
    pub title: String,
}

/// How many files got each verdict.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub publish: usize,
    pub fix: usize,
    pub reject: usize,
    /// Of the rejected, entries that could not be checked at all (a FIFO, a
    /// dangling link, a loop, an unreadable or unparsable file): counted,
    /// never skipped.
    pub unchecked: usize,
}

/// Everything `tamga check` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub schema: &'static str,
    pub policy: PolicySummary,
    pub files: Vec<FileCheck>,
    pub summary: Summary,
}

impl CheckReport {
    /// The report for `files` checked under `policy`.
    pub fn new(policy: &Policy, files: Vec<FileCheck>) -> Self {
        let mut summary = Summary {
            files: files.len(),
            ..Summary::default()
        };
        for f in &files {
            match f.verdict {
                GateVerdict::Publish => summary.publish += 1,
                GateVerdict::Fix => summary.fix += 1,
                GateVerdict::Reject => summary.reject += 1,
            }
            if f.error.is_some() {
                summary.unchecked += 1;
            }
        }
        Self {
            schema: CHECK_SCHEMA,
            policy: PolicySummary {
                name: policy.name.clone(),
                title: policy.title.clone(),
            },
            files,
            summary,
        }
    }

    /// Whether every file may be published as it is.
    pub fn all_publish(&self) -> bool {
        self.files.iter().all(|f| f.verdict == GateVerdict::Publish)
    }
}

/// Writes a rendered report (JUnit, HTML) to `path`, atomically, as every
/// output of tamga is written.
pub fn write(path: &Path, text: &str) -> Result<(), GateError> {
    tamga_label::write_bytes_atomically(path, text.as_bytes(), tamga_label::FileMode::Usual)
        .map_err(|source| GateError::ReportWrite {
            path: path.to_path_buf(),
            source,
        })
}
