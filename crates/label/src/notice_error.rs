//! Why a notice could not be applied: a decoding limit, or a reason in a
//! sentence.

use std::fmt;

use tamga_media::Exceeded;

/// Why a notice could not be applied: a limit, or anything else (said in
/// a sentence that becomes [`crate::MediaError::Notice`]).
#[derive(Debug)]
pub(crate) enum NoticeError {
    Limit(Exceeded),
    Other(String),
}

impl fmt::Display for NoticeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Limit(e) => e.fmt(f),
            Self::Other(s) => f.write_str(s),
        }
    }
}

impl From<Exceeded> for NoticeError {
    fn from(e: Exceeded) -> Self {
        Self::Limit(e)
    }
}

impl From<String> for NoticeError {
    fn from(s: String) -> Self {
        Self::Other(s)
    }
}

impl From<&str> for NoticeError {
    fn from(s: &str) -> Self {
        Self::Other(s.to_string())
    }
}

