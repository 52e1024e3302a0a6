//! Non-fatal notes on a labelled or published file.
//!
//! Most are worded once, here, for anyone; a note whose advice depends on
//! how the caller asked (the CLI's flags, a server's fields) gets its own
//! variant, so the caller can word it in its own terms.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::MediaFormat;

/// A non-fatal note on a file that was labelled or published anyway.
///
/// Serialized as its text, so JSON reports keep a list of strings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The GB 45438 AIGC label was asked for, but the manifest goes to a
    /// sidecar, which leaves the media file (where the label would go)
    /// unchanged.
    AigcNotInSidecar,
    /// The GB 45438 AIGC label was asked for, but the format has no
    /// metadata field to carry it.
    AigcNoField {
        /// The file's format.
        format: MediaFormat,
    },
    /// Any other note, worded for people (an extension that does not match
    /// the content, a damaged old label removed, …).
    Note(String),
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AigcNotInSidecar => {
                f.write_str("no AIGC label: a detached manifest leaves the media file unchanged")
            }
            Self::AigcNoField { format } => {
                write!(
                    f,
                    "no AIGC label: {format} has no metadata field to carry it"
                )
            }
            Self::Note(text) => f.write_str(text),
        }
    }
}

impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl From<String> for Warning {
    fn from(text: String) -> Self {
        Self::Note(text)
    }
}

impl From<&str> for Warning {
    fn from(text: &str) -> Self {
        Self::Note(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_serializes_as_its_text_and_names_no_flag() {
        let w = Warning::AigcNotInSidecar;
        assert_eq!(
            serde_json::to_value(&w).unwrap(),
            serde_json::Value::String(w.to_string())
        );
        assert!(!w.to_string().contains("--"), "{w}");
        let w = Warning::from("an extension that lies");
        assert_eq!(w.to_string(), "an extension that lies");
    }
}
