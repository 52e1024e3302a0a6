//! Why a notice could not be applied, by cause: an option that does not
//! fit the content, a decoding limit, damaged or unsupported content, an
//! encoder's refusal, I/O.

use std::borrow::Cow;
use std::fmt;

use tamga_media::Exceeded;

/// A codec library's own error (symphonia, image, gif, libheif…), kept as
/// the source.
pub type CodecError = Box<dyn std::error::Error + Send + Sync>;

/// Why a notice could not be applied, by cause.
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
    /// The badge cannot be drawn on this image.
    Badge(crate::images::badge::BadgeError),
    /// Reading the content or writing the result failed.
    Io {
        /// What was being done ("cannot read the MP3"); empty when the
        /// error says enough.
        doing: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The content's decoder refused it: the file is damaged, or holds a
    /// codec the decoder does not read.
    Decode {
        /// What could not be read ("the GIF cannot be read").
        what: Cow<'static, str>,
        /// The decoder's error.
        source: CodecError,
    },
    /// The content lacks a part the notice is placed by.
    Missing {
        /// The content ("WAV", "audio", "GIF frame").
        whole: &'static str,
        /// The part ("data chunk", "audio track", "colour palette").
        part: &'static str,
    },
    /// The decoded content contradicts itself (a stream that changes its
    /// sample rate midway, pixels that do not fill the image).
    Inconsistent(&'static str),
    /// A kind of content the notice cannot be applied to yet.
    Unsupported(Unsupported),
    /// The result would be larger than its format (or a limit) allows.
    TooLarge {
        /// What would grow ("a WAV file").
        what: &'static str,
        /// What it cannot pass ("4 GiB").
        limit: &'static str,
    },
    /// Memory for the decoded content could not be had.
    OutOfMemory {
        /// For what ("the JPEG XL image").
        what: &'static str,
    },
    /// An encoder, or the tool that encodes, refused the result.
    Encode {
        /// What could not be done ("MP3 encoder settings").
        what: Cow<'static, str>,
        /// The encoder's error (for a tool, its own message).
        source: CodecError,
    },
    /// An external tool the notice needs is not installed.
    ToolMissing {
        /// The program ("ffmpeg").
        tool: &'static str,
        /// What needs it ("an audio notice in M4A needs ffmpeg (its AAC encoder)").
        needed_for: &'static str,
        /// The setting that points at another copy, if the caller named one.
        setting: Option<String>,
    },
    /// A library or tool did not do what it promises (a bug, here or
    /// there): the message says what.
    Unexpected(&'static str),
}

/// Content a notice cannot be applied to yet, by what is unsupported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsupported {
    /// A bit depth outside the range the writer handles.
    BitDepth {
        /// The content ("FLAC", "HEIC").
        format: &'static str,
        /// Its bits per sample.
        bits: u32,
        /// The bit depths that can take a notice, in words ("8 to 24").
        supported: &'static str,
    },
    /// More channels than the format can carry.
    Channels {
        /// The content.
        format: &'static str,
        /// How many it has.
        channels: usize,
    },
    /// An animation (only still images take a badge in this format).
    Animation {
        /// The content.
        format: &'static str,
    },
    /// A pixel or colour layout the writer cannot keep.
    Layout {
        /// The content.
        format: &'static str,
        /// The layout ("Rgba32F", "not plain sRGB").
        layout: String,
        /// What would be needed, or why it cannot be kept.
        why: &'static str,
    },
    /// A codec inside the container that the writer does not re-encode.
    Codec {
        /// The container ("M4A").
        format: &'static str,
        /// The codec the writer takes ("AAC-LC").
        wanted: &'static str,
        /// The codec found.
        found: String,
    },
    /// A video codec no notice is burnt into (no encoder for it).
    VideoCodec {
        /// ffmpeg's name of the codec found.
        found: String,
    },
    /// A format the kind of notice cannot go into.
    Format {
        /// The format.
        format: tamga_media::MediaFormat,
        /// The kind of notice ("badges", "an audio notice").
        notice: &'static str,
    },
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BitDepth {
                format,
                bits,
                supported,
            } => write!(
                f,
                "{bits}-bit {format} cannot take a notice yet ({supported} bits can)"
            ),
            Self::Channels { format, channels } => {
                write!(f, "{format} cannot carry {channels} channels")
            }
            Self::Animation { format } => {
                write!(
                    f,
                    "badges on animated {format} images are not supported yet"
                )
            }
            Self::Layout {
                format,
                layout,
                why,
            } => write!(
                f,
                "badges on {layout} {format} images are not supported yet ({why})"
            ),
            Self::Codec {
                format,
                wanted,
                found,
            } => write!(
                f,
                "only {wanted} {format} takes an audio notice; this one holds {found}"
            ),
            Self::VideoCodec { found } => write!(
                f,
                "a notice can be burnt into {} video; this one is {found}",
                crate::video::CODECS
            ),
            Self::Format { format, notice } => {
                write!(f, "{notice} cannot be added to {format} files yet")
            }
        }
    }
}

impl NoticeError {
    /// An I/O error while `doing` something ("" when the error says enough).
    pub(crate) fn io(doing: &'static str) -> impl Fn(std::io::Error) -> Self {
        move |source| Self::Io { doing, source }
    }

    /// A decoder's error, on reading `what`.
    pub(crate) fn decode<E: Into<CodecError>>(
        what: impl Into<Cow<'static, str>>,
    ) -> impl FnOnce(E) -> Self {
        let what = what.into();
        move |e| Self::Decode {
            what,
            source: e.into(),
        }
    }

    /// An encoder's error, on doing `what`.
    pub(crate) fn encode<E: Into<CodecError>>(
        what: impl Into<Cow<'static, str>>,
    ) -> impl FnOnce(E) -> Self {
        let what = what.into();
        move |e| Self::Encode {
            what,
            source: e.into(),
        }
    }
}

impl std::error::Error for NoticeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Limit(e) => Some(e),
            Self::Library(e) => Some(e),
            Self::Svg(e) => Some(e),
            Self::Badge(e) => Some(e),
            Self::Io { source, .. } => Some(source),
            Self::Decode { source, .. } | Self::Encode { source, .. } => Some(source.as_ref()),
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
            Self::Badge(e) => e.fmt(f),
            Self::Io { doing: "", source } => source.fmt(f),
            Self::Io { doing, source } => write!(f, "{doing}: {source}"),
            Self::Decode { what, source } | Self::Encode { what, source } => {
                write!(f, "{what}: {source}")
            }
            Self::Missing { whole, part } => write!(f, "the {whole} has no {part}"),
            Self::Inconsistent(what) | Self::Unexpected(what) => f.write_str(what),
            Self::Unsupported(u) => u.fmt(f),
            Self::ToolMissing {
                tool,
                needed_for,
                setting,
            } => {
                write!(f, "{needed_for}, which was not found: install {tool}")?;
                match setting {
                    Some(s) => write!(f, " or set {s}"),
                    None => Ok(()),
                }
            }
            Self::TooLarge { what, limit } => write!(f, "{what} cannot be larger than {limit}"),
            Self::OutOfMemory { what } => write!(f, "not enough memory for {what}"),
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

impl From<crate::images::badge::BadgeError> for NoticeError {
    fn from(e: crate::images::badge::BadgeError) -> Self {
        Self::Badge(e)
    }
}

impl From<Unsupported> for NoticeError {
    fn from(e: Unsupported) -> Self {
        Self::Unsupported(e)
    }
}

impl From<Exceeded> for NoticeError {
    fn from(e: Exceeded) -> Self {
        Self::Limit(e)
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

    /// Each new cause from a real malformed input, checked by variant.
    mod by_cause {
        use super::*;
        use crate::{images, DecodeLimits, NoticePosition, Tools};

        fn badge(input: &[u8], format: MediaFormat) -> NoticeError {
            let lines = vec![vec!["AI".to_string()]];
            match images::apply(
                &Tools::default(),
                input,
                format,
                &lines,
                NoticePosition::BottomRight,
                &DecodeLimits::default(),
            ) {
                Ok(_) => panic!("a badge on a bad {format} was made"),
                Err(e) => e,
            }
        }

        #[test]
        fn a_gif_too_small_for_a_badge_or_without_a_palette_says_which() {
            // A 1×1 screen and frame, neither with a colour table: one
            // pixel of LZW (clear, 0, end at 3 bits) and the trailer.
            let gif = |side: u8| {
                let mut gif = b"GIF89a".to_vec();
                gif.extend_from_slice(&[side, 0, side, 0, 0, 0, 0]);
                gif.extend_from_slice(b"\x2C\x00\x00\x00\x00\x01\x00\x01\x00\x00");
                gif.extend_from_slice(b"\x02\x02\x44\x01\x00\x3B");
                gif
            };
            // On a 1×1 screen no badge fits, before any frame is read.
            let e = badge(&gif(1), MediaFormat::Gif);
            assert!(
                matches!(
                    e,
                    NoticeError::Badge(images::badge::BadgeError::TooSmall(1, 1))
                ),
                "{e:?}"
            );
            // A frame with no colour table at all: the GIF decoder refuses it.
            let e = badge(&gif(200), MediaFormat::Gif);
            assert!(
                matches!(&e, NoticeError::Decode { what, .. } if what == "the GIF cannot be read"),
                "{e:?}"
            );
        }

        #[test]
        fn a_damaged_png_is_a_decode_error_with_its_source() {
            let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
            png.extend_from_slice(&[0, 0, 0, 13]);
            png.extend_from_slice(b"IHDR");
            png.extend_from_slice(&[0; 17]); // a zero-size image, bad CRC
            let e = badge(&png, MediaFormat::Png);
            assert!(matches!(e, NoticeError::Decode { .. }), "{e:?}");
            assert!(std::error::Error::source(&e).is_some());
        }

        #[test]
        fn audio_into_an_image_format_is_unsupported() {
            let mut src = tempfile::tempfile().unwrap();
            let mut out = tempfile::tempfile().unwrap();
            let e = match crate::audio::apply(
                &Tools::default(),
                MediaFormat::Png,
                &mut src,
                std::path::Path::new("x.png"),
                &mut out,
                crate::audio::AudioPlan {
                    sound: Some(&crate::audio::Sound::Tone),
                    position: NoticePosition::Start,
                    edit: None,
                },
                &DecodeLimits::default(),
            ) {
                Ok(_) => panic!("an audio notice went into a PNG"),
                Err(e) => e,
            };
            assert!(
                matches!(
                    e,
                    NoticeError::Unsupported(Unsupported::Format {
                        format: MediaFormat::Png,
                        ..
                    })
                ),
                "{e:?}"
            );
        }

        #[test]
        fn a_flac_block_past_the_end_is_inconsistent() {
            // fLaC, then a VORBIS_COMMENT block claiming 100 bytes, with 3.
            let mut flac = b"fLaC\x84\x00\x00\x64".to_vec();
            flac.extend_from_slice(b"abc");
            let e = crate::fuzzing::flac_kept_blocks(&mut std::io::Cursor::new(flac)).unwrap_err();
            assert!(matches!(e, NoticeError::Inconsistent(_)), "{e:?}");
        }
    }
}
