//! Why the gate cannot be set up or cannot finish: one variant per cause,
//! each naming the file it is about. The messages say what is wrong in the
//! gate's terms; advice about command-line flags is the CLI's, keyed by
//! [`GateError::kind`].

use std::path::PathBuf;

/// A gate that cannot be set up (policy, trust lists) or a report that
/// cannot be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GateError {
    /// The policy file exists but cannot be read.
    #[error("{path}: cannot read the policy: {source}")]
    PolicyUnreadable {
        /// The policy file as given.
        path: String,
        source: std::io::Error,
    },
    /// Not valid TOML, or a value of the wrong type; line and column are
    /// 1-based.
    #[error("{path}:{line}:{column}: {message}")]
    PolicySyntax {
        /// The policy file as given.
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A key the policy schema does not have (often a typo).
    #[error("{path}:{line}:{column}: {message}")]
    PolicyUnknownKey {
        /// The policy file as given.
        path: String,
        line: usize,
        column: usize,
        /// The key as written.
        key: String,
        message: String,
    },
    /// Valid TOML that makes no sense as a policy (an unsupported schema,
    /// a required label with no accepted kind, an unknown format).
    #[error("{path}: {message}")]
    PolicyInvalid {
        /// The policy file as given.
        path: String,
        message: String,
    },
    /// Neither a preset (a jurisdiction this build ships) nor a file.
    #[error("unknown policy `{name}`: not a preset (kz, eu, cn) and no such file")]
    UnknownPolicy {
        /// The name or path as given.
        name: String,
    },
    /// A trust list (the policy's or the command line's) that cannot be
    /// read; the label library's message names the file.
    #[error("{source}")]
    TrustList {
        /// The PEM file.
        path: PathBuf,
        source: tamga_label::LabelError,
    },
    /// The trust lists were read but the verifier refuses them (not PEM
    /// certificates).
    #[error("{}{source}", named(files))]
    TrustSettings {
        /// The PEM files in force (the policy's and the command line's).
        files: Vec<String>,
        source: tamga_label::LabelError,
    },
    /// A report (JUnit, HTML) that cannot be written; the message names
    /// the file.
    #[error("{source}")]
    ReportWrite {
        /// The report file.
        path: PathBuf,
        source: tamga_label::MediaError,
    },
}

/// `a.pem, b.pem: ` before a message, or nothing when no file is known.
fn named(files: &[String]) -> String {
    if files.is_empty() {
        String::new()
    } else {
        format!("{}: ", files.join(", "))
    }
}

impl GateError {
    /// A short, stable name for the cause, for callers that advise on it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PolicyUnreadable { .. } => "policy-unreadable",
            Self::PolicySyntax { .. } => "policy-syntax",
            Self::PolicyUnknownKey { .. } => "policy-unknown-key",
            Self::PolicyInvalid { .. } => "policy-invalid",
            Self::UnknownPolicy { .. } => "unknown-policy",
            Self::TrustList { .. } => "trust-list",
            Self::TrustSettings { .. } => "trust-settings",
            Self::ReportWrite { .. } => "report-write",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::GateError;
    use crate::{Declarations, Gate, Policy};

    fn errors(dir: &std::path::Path) -> Vec<(GateError, String)> {
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p.to_str().unwrap().to_string()
        };
        let mut out = Vec::new();
        let mut push = |e: GateError, file: String| out.push((e, file));

        // A folder where a file should be: exists, but cannot be read.
        let folder = dir.join("folder.toml");
        std::fs::create_dir(&folder).unwrap();
        let folder = folder.to_str().unwrap().to_string();
        push(Policy::load(&folder).unwrap_err(), folder);

        let bad = write("bad.toml", "schema = 1\nname = [\n");
        push(Policy::load(&bad).unwrap_err(), bad);

        let typo = write(
            "typo.toml",
            "schema = 1\nname = \"x\"\ntitle = \"t\"\nrequire_trust = true\n",
        );
        push(Policy::load(&typo).unwrap_err(), typo);

        let eu = crate::policy::PRESETS[1].1;
        let old = write("old.toml", &eu.replace("schema = 1", "schema = 9"));
        push(Policy::load(&old).unwrap_err(), old);

        let missing = dir.join("nowhere.toml").to_str().unwrap().to_string();
        push(Policy::load(&missing).unwrap_err(), missing);

        let mut p = Policy::load("kz").unwrap();
        let anchors = dir.join("anchors.pem");
        p.trust.anchors = Some(anchors.clone());
        push(
            Gate::new(p, Default::default(), Declarations::default())
                .err()
                .unwrap(),
            anchors.to_str().unwrap().to_string(),
        );

        let garbage = write("garbage.pem", "not a certificate\n");
        let mut p = Policy::load("kz").unwrap();
        p.trust.anchors = Some(garbage.clone().into());
        if let Err(e) = Gate::new(p, Default::default(), Declarations::default()) {
            push(e, garbage);
        }

        let report = dir.join("no-such-folder").join("report.html");
        push(
            crate::report::write(&report, "<html>").unwrap_err(),
            report.to_str().unwrap().to_string(),
        );
        out
    }

    #[test]
    fn every_gate_error_names_its_file_and_has_its_own_kind() {
        let dir = tempfile::tempdir().unwrap();
        let found = errors(dir.path());
        let mut kinds: Vec<&str> = found.iter().map(|(e, _)| e.kind()).collect();
        for (e, file) in &found {
            let text = e.to_string();
            assert!(text.contains(file.as_str()), "{}: {text}", e.kind());
            assert!(!text.contains('\n'), "{text}");
        }
        kinds.sort();
        kinds.dedup();
        for kind in [
            "policy-unreadable",
            "policy-syntax",
            "policy-unknown-key",
            "policy-invalid",
            "unknown-policy",
            "trust-list",
            "report-write",
        ] {
            assert!(kinds.contains(&kind), "{kind} not produced: {kinds:?}");
        }
        let typo = found
            .iter()
            .find_map(|(e, _)| match e {
                GateError::PolicyUnknownKey { key, line, .. } => Some((key.clone(), *line)),
                _ => None,
            })
            .unwrap();
        assert_eq!(typo, ("require_trust".to_string(), 4));
    }
}
