//! Why a notice could not be applied: a decoding limit, or a reason in a
//! sentence.

use std::fmt;

use tamga_media::Exceeded;

/// Why a notice could not be applied, by cause where the cause is known;
/// what the format writers still say in a sentence is [`NoticeError::Other`].
#[derive(Debug)]
#[non_exhaustive]
pub enum NoticeError {
    /// Decoding the content would pass a [`tamga_media::DecodeLimits`] limit.
    Limit(Exceeded),
    /// The codec library the format needs is missing (libheif).
    Library(tamga_heif::LoadError),
    /// The style cannot be applied to the format (yet).
    StyleNotFor {
        /// The style asked for.
        style: crate::NoticeStyle,
        /// The content's format.
        format: tamga_media::MediaFormat,
    },
    /// A corner for a text or audio, or start/end for an image.
    PositionNotFor {
        /// The position asked for.
        position: crate::NoticePosition,
        /// The content's format.
        format: tamga_media::MediaFormat,
    },
    /// The options name no language to say the notice in.
    NoLanguage,
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
            _ => None,
        }
    }
}

impl fmt::Display for NoticeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Limit(e) => e.fmt(f),
            Self::Library(e) => e.fmt(f),
            Self::Svg(e) => e.fmt(f),
            Self::StyleNotFor { style, format } => write!(
                f,
                "a {style} notice cannot be added to {format} files yet (texts take `line`; \
                 JPEG, PNG, GIF, WebP, TIFF, BMP, SVG, JPEG XL, HEIC and AVIF take \
                 `badge` or `ai-icon`; WAV, FLAC, MP3 and M4A take `voice` or `tone`)"
            ),
            Self::PositionNotFor { position, format } => write!(
                f,
                "position {} does not apply to {format} files",
                position.word()
            ),
            Self::NoLanguage => f.write_str("a notice needs at least one language"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MediaFormat, NoticePosition, NoticeStyle};

    #[test]
    fn each_option_cause_names_what_does_not_fit() {
        let e = NoticeError::StyleNotFor {
            style: NoticeStyle::Voice,
            format: MediaFormat::Png,
        };
        let said = e.to_string();
        assert!(
            said.starts_with("a voice notice cannot be added to png files yet"),
            "{said}"
        );
        assert!(said.contains("take `badge` or `ai-icon`"), "{said}");
        let e = NoticeError::PositionNotFor {
            position: NoticePosition::TopLeft,
            format: MediaFormat::Wav,
        };
        assert_eq!(
            e.to_string(),
            "position top-left does not apply to wav files"
        );
        assert_eq!(
            NoticeError::NoLanguage.to_string(),
            "a notice needs at least one language"
        );
    }

    #[test]
    fn the_svg_cause_is_kept_as_the_source() {
        let e = NoticeError::from(crate::images::SvgError::NoViewBox);
        assert_eq!(e.to_string(), "the SVG has no viewBox");
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("the SVG has no viewBox"));
    }
}
