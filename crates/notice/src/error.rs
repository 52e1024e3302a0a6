//! Why a notice could not be applied: a decoding limit, or a reason in a
//! sentence.

use std::fmt;

use tamga_media::Exceeded;

/// Why a notice could not be applied: a limit, or anything else, said in
/// a sentence.
#[derive(Debug)]
#[non_exhaustive]
pub enum NoticeError {
    /// Decoding the content would pass a [`tamga_media::DecodeLimits`] limit.
    Limit(Exceeded),
    /// The codec library the format needs is missing (libheif).
    Library(tamga_heif::LoadError),
    /// The SVG writer refused the drawing, for the reason given.
    Svg(crate::images::SvgError),
    /// Anything else, in a sentence.
    Other(String),
}

impl std::error::Error for NoticeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Limit(e) => Some(e),
            Self::Library(e) => Some(e),
            Self::Svg(e) => Some(e),
            Self::Other(_) => None,
        }
    }
}

impl fmt::Display for NoticeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Limit(e) => e.fmt(f),
            Self::Library(e) => e.fmt(f),
            Self::Svg(e) => e.fmt(f),
            Self::Other(s) => f.write_str(s),
        }
    }
}

impl From<tamga_heif::LoadError> for NoticeError {
    fn from(e: tamga_heif::LoadError) -> Self {
        Self::Library(e)
    }
}

impl From<crate::images::SvgError> for NoticeError {
    fn from(e: crate::images::SvgError) -> Self {
        Self::Svg(e)
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
