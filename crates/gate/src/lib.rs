//! The distributor's gate: is each file AI-made, is its label there,
//! intact and signed by someone trusted, and does it meet the law where it
//! will be published. Policies are data ([`Policy`]); evidence is weighed
//! strongest first ([`evidence`]); each file gets publish, fix or reject
//! with the clauses behind it ([`decide`]); reports render from one
//! [`CheckReport`].
//!
//! The gate knows nothing about how files are parsed: it reads
//! `tamga_label`'s verification reports.

#![forbid(unsafe_code)]
// In tests an unwrap that fails is a failing test.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod decide;
pub mod declarations;
mod error;
pub mod evidence;
pub mod html;
mod html_recovered;
pub mod html_text;
pub mod junit;
pub mod policy;
pub mod publish;
pub mod reason_text;
pub mod report;
mod rule_id;
mod rules;
mod trust;

use std::path::Path;

pub use decide::{decide, FileCheck, GateVerdict, Reason};
pub use declarations::{Declaration, Declarations, DeclarationsCause, DeclarationsError};
pub use error::GateError;
pub use html_text::ReportLang;
pub use policy::{Policy, PolicyError};
pub use publish::{Admission, PublishError, PublishRequest};
pub use reason_text::ReasonKind;
pub use report::{CheckReport, CHECK_SCHEMA};
pub use rule_id::{RuleId, UnknownRule};
use tamga_label::{LabelError, Verifier, VerifyOptions};

/// A policy, a verifier and the batch's declarations: built once, shared by
/// every thread checking files.
pub struct Gate {
    policy: Policy,
    verifier: Verifier,
    declarations: Declarations,
    /// Where stripped labels are looked up: publishing re-attaches them
    /// from it.
    registry: Option<tamga_label::SharedRegistry>,
}

impl Gate {
    /// A gate for `policy`. `options.trust` gets the policy's own anchors
    /// and allowed signers added to any given.
    pub fn new(
        policy: Policy,
        mut options: VerifyOptions,
        declarations: Declarations,
    ) -> Result<Self, GateError> {
        // One list at a time, so the error names the file that failed.
        if let Some(path) = &policy.trust.anchors {
            options
                .trust
                .add_files(Some(path), None)
                .map_err(|source| GateError::TrustList {
                    path: path.clone(),
                    source,
                })?;
        }
        if let Some(path) = &policy.trust.allowed {
            options
                .trust
                .add_files(None, Some(path))
                .map_err(|source| GateError::TrustList {
                    path: path.clone(),
                    source,
                })?;
        }
        let files = [&policy.trust.anchors, &policy.trust.allowed]
            .into_iter()
            .flatten()
            .map(|p| p.display().to_string())
            .collect();
        let registry = options.registry.clone();
        let verifier =
            Verifier::new(options).map_err(|source| GateError::TrustSettings { files, source })?;
        Ok(Self {
            policy,
            verifier,
            declarations,
            registry,
        })
    }

    /// The policy applied.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The trust anchors and allowed signers in force: the command line's
    /// and the policy's own.
    pub fn trust_config(&self) -> &tamga_label::TrustConfig {
        self.verifier.trust_config()
    }

    /// The verdict for one file; never fails: an unreadable file is
    /// rejected with the reason.
    pub fn check(&self, path: &Path) -> FileCheck {
        self.decide(path, self.verifier.verify(path), LabelError::to_string)
    }

    /// [`Gate::check`] for the file at `path`, called `name` in the verdict
    /// (as in [`Verifier::verify_file_as`]).
    pub fn check_file_as(&self, path: &Path, name: &str) -> FileCheck {
        self.check_file_as_worded(path, name, LabelError::to_string)
    }

    /// [`Gate::check_file_as`], with the reason an unreadable file is
    /// rejected for worded by `word`: for callers that must not pass some
    /// errors on as they are (a server hides its registry's errors, which
    /// name the database, from its clients).
    pub fn check_file_as_worded(
        &self,
        path: &Path,
        name: &str,
        word: impl FnOnce(&LabelError) -> String,
    ) -> FileCheck {
        self.decide(
            Path::new(name),
            self.verifier.verify_file_as(path, name),
            word,
        )
    }

    /// [`Gate::check`] for a file held in memory (an upload); `name` stands
    /// for it as in [`Verifier::verify_bytes`].
    pub fn check_bytes(&self, name: &str, bytes: Vec<u8>) -> FileCheck {
        self.check_bytes_worded(name, bytes, LabelError::to_string)
    }

    /// [`Gate::check_bytes`], with errors worded by `word` (see
    /// [`Gate::check_file_as_worded`]).
    pub fn check_bytes_worded(
        &self,
        name: &str,
        bytes: Vec<u8>,
        word: impl FnOnce(&LabelError) -> String,
    ) -> FileCheck {
        let verified = self.verifier.verify_bytes(name, bytes);
        self.decide(Path::new(name), verified, word)
    }

    /// The verdict on one verification of the file shown as `shown`.
    fn decide(
        &self,
        shown: &Path,
        verified: Result<tamga_label::FileReport, LabelError>,
        word: impl FnOnce(&LabelError) -> String,
    ) -> FileCheck {
        match verified {
            // The verifier looked for watermarks in an unlabelled image's
            // pixels, under its per-file deadline.
            Ok(report) => decide(&self.policy, report, self.declarations.get(shown)),
            Err(e) => FileCheck::unreadable(shown.to_path_buf(), word(&e)),
        }
    }
}

/// Entry points for the fuzz targets in `fuzz/` (the rustls pattern): thin
/// wrappers over parsers internal to this crate. Not API; hidden from the
/// docs and free to change with the parsers.
#[doc(hidden)]
pub mod fuzzing {
    use std::path::Path;

    /// Parses a declarations file's text (JSON when `json`, else CSV) as
    /// [`crate::Declarations::load`] does, relative to `/declared`.
    pub fn declarations(
        text: &str,
        json: bool,
    ) -> Result<crate::Declarations, crate::DeclarationsCause> {
        crate::Declarations::parse(text, json, Path::new("/declared"))
    }
}
