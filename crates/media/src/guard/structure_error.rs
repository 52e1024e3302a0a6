//! Why a file failed the structural check, by cause: the format, where in
//! the file, and which rule the walker applied (as image-png's
//! `FormatError` names the broken rule rather than carrying a sentence).

use std::{fmt, io};

use crate::MediaFormat;

/// A structural check that failed: which `rule`, at which byte `offset`
/// of a `format` file (`None` where the rule is about the whole file).
#[derive(Debug)]
#[non_exhaustive]
pub struct StructureError {
    /// The format the file was walked as.
    pub format: MediaFormat,
    /// The byte where the offending element starts, if one does.
    pub offset: Option<u64>,
    /// The rule the file broke.
    pub rule: Rule,
}

/// The rules the structural walk applies, one variant each.
#[derive(Debug)]
#[non_exhaustive]
pub enum Rule {
    /// The file ends in the middle of an element.
    Truncated,
    /// Reading the file failed.
    Read(io::Error),
    /// An element's header runs past the end of the file.
    HeaderPastEnd,
    /// More structural elements than the configured limit.
    TooManyElements {
        /// The limit.
        max: u64,
    },
    /// Boxes or chunks nested deeper than the configured limit.
    TooDeep,
    /// A BMFF box (or RIFF chunk) claims more bytes than its container.
    OutsideContainer {
        /// The box's or chunk's four-character type.
        name: String,
        /// The size it claims.
        size: u64,
    },
    /// A FLAC metadata block runs past the end of the file.
    FlacBlockPastEnd,
    /// A GIF block type that does not exist.
    UnknownGifBlock {
        /// The block's introducer byte.
        tag: u8,
    },
    /// A GIF data sub-block runs past the end of the file.
    GifDataPastEnd,
    /// An ID3 tag's size is not a valid synchsafe integer.
    Id3Size,
    /// An ID3 tag claims more bytes than the file holds.
    Id3TagPastEnd {
        /// The size it claims.
        size: u64,
    },
    /// An ID3 frame runs past the end of its tag.
    Id3FramePastTag {
        /// The frame's identifier.
        name: String,
    },
    /// No JPEG marker where one must be.
    JpegMarkerExpected,
    /// More JPEG segments than the configured limit.
    TooManyJpegSegments,
    /// The file ends inside a JPEG segment's header.
    JpegHeaderTruncated,
    /// A JPEG segment length below the two bytes of the length itself.
    JpegSegmentLength {
        /// The length it declares.
        length: u64,
    },
    /// A JPEG segment runs past the end of the file.
    JpegSegmentPastEnd {
        /// The segment's marker (the byte after 0xFF).
        marker: u8,
    },
    /// A PNG chunk length above 2³¹−1.
    PngLength,
    /// A PNG chunk claims more bytes than the file holds.
    PngChunkPastEnd {
        /// The chunk's type.
        name: String,
        /// The length it claims.
        length: u64,
    },
    /// An SVG that declares entities (refused: expansion attacks).
    SvgEntities,
    /// A TIFF directory reached twice: the chain loops.
    TiffLoop,
    /// More TIFF directories than any real file has.
    TooManyTiffDirectories,
    /// A TIFF directory runs past the end of the file.
    TiffDirectoryPastEnd,
    /// A TIFF tag's value points past the end of the file.
    TiffTagPastEnd {
        /// The tag number.
        tag: u16,
    },
}

impl std::error::Error for StructureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.rule {
            Rule::Read(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for StructureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.offset.unwrap_or_default();
        match &self.rule {
            Rule::Truncated => f.write_str("the file is truncated"),
            Rule::Read(e) => write!(f, "read failed: {e}"),
            Rule::HeaderPastEnd => {
                write!(f, "a header at byte {at} runs past the end of the file")
            }
            Rule::TooManyElements { max } => write!(f, "more than {max} structural elements"),
            Rule::TooDeep if self.is_riff() => f.write_str("RIFF chunks nested too deeply"),
            Rule::TooDeep => f.write_str("BMFF boxes nested too deeply"),
            Rule::OutsideContainer { name, size } if self.is_riff() => write!(
                f,
                "RIFF chunk {name:?} at byte {at} claims {size} bytes, past the end of its \
                 container"
            ),
            Rule::OutsideContainer { name, size } => write!(
                f,
                "BMFF box {name:?} at byte {at} claims {size} bytes, outside its container"
            ),
            Rule::FlacBlockPastEnd => write!(
                f,
                "FLAC metadata block at byte {at} runs past the end of the file"
            ),
            Rule::UnknownGifBlock { tag } => {
                write!(f, "unknown GIF block 0x{tag:02X} at byte {at}")
            }
            Rule::GifDataPastEnd => f.write_str("a GIF data block runs past the end of the file"),
            Rule::Id3Size => write!(f, "ID3 tag at byte {at} has a malformed size"),
            Rule::Id3TagPastEnd { size } => write!(
                f,
                "ID3 tag at byte {at} claims {size} bytes, past the end of the file"
            ),
            Rule::Id3FramePastTag { name } => write!(
                f,
                "ID3 frame {name:?} at byte {at} runs past the end of its tag"
            ),
            Rule::JpegMarkerExpected => write!(f, "expected a JPEG marker at byte {at}"),
            Rule::TooManyJpegSegments => f.write_str("too many JPEG segments"),
            Rule::JpegHeaderTruncated => {
                f.write_str("the file is truncated inside a JPEG segment header")
            }
            Rule::JpegSegmentLength { length } => {
                write!(f, "JPEG segment at byte {at} has length {length}")
            }
            Rule::JpegSegmentPastEnd { marker } => write!(
                f,
                "JPEG segment 0xFF{marker:02X} at byte {at} runs past the end of the file"
            ),
            Rule::PngLength => write!(f, "PNG chunk at byte {at} declares an impossible length"),
            Rule::PngChunkPastEnd { name, length } => write!(
                f,
                "PNG chunk {name:?} at byte {at} claims {length} bytes, past the end of the file"
            ),
            Rule::SvgEntities => {
                f.write_str("SVG declares XML entities (refused: entity expansion attacks)")
            }
            Rule::TiffLoop => write!(
                f,
                "TIFF directory at byte {at} is referenced twice (a loop)"
            ),
            Rule::TooManyTiffDirectories => f.write_str("more than 10000 TIFF directories"),
            Rule::TiffDirectoryPastEnd => write!(
                f,
                "TIFF directory at byte {at} runs past the end of the file"
            ),
            Rule::TiffTagPastEnd { tag } => write!(
                f,
                "TIFF tag {tag} in the directory at byte {at} points past the end of the file"
            ),
        }
    }
}

impl StructureError {
    /// WAV and WebP are RIFF; the other nested formats are BMFF.
    fn is_riff(&self) -> bool {
        matches!(self.format, MediaFormat::Wav | MediaFormat::Webp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(format: MediaFormat, offset: Option<u64>, rule: Rule) -> String {
        StructureError {
            format,
            offset,
            rule,
        }
        .to_string()
    }

    #[test]
    fn each_rule_names_the_element_and_where_it_is() {
        use MediaFormat as F;
        let name = || "moov".to_string();
        for (got, want) in [
            (said(F::Png, None, Rule::Truncated), "the file is truncated"),
            (
                said(
                    F::M4a,
                    Some(8),
                    Rule::OutsideContainer {
                        name: name(),
                        size: 9,
                    },
                ),
                "BMFF box \"moov\" at byte 8 claims 9 bytes, outside its container",
            ),
            (
                said(
                    F::Wav,
                    Some(12),
                    Rule::OutsideContainer {
                        name: "LIST".into(),
                        size: 1,
                    },
                ),
                "RIFF chunk \"LIST\" at byte 12 claims 1 bytes, past the end of its container",
            ),
            (
                said(F::Webp, None, Rule::TooDeep),
                "RIFF chunks nested too deeply",
            ),
            (
                said(F::Heic, None, Rule::TooDeep),
                "BMFF boxes nested too deeply",
            ),
            (
                said(F::Jpeg, Some(2), Rule::JpegSegmentPastEnd { marker: 0xE1 }),
                "JPEG segment 0xFFE1 at byte 2 runs past the end of the file",
            ),
            (
                said(F::Gif, Some(30), Rule::UnknownGifBlock { tag: 0x7 }),
                "unknown GIF block 0x07 at byte 30",
            ),
            (
                said(F::Tiff, Some(8), Rule::TiffTagPastEnd { tag: 273 }),
                "TIFF tag 273 in the directory at byte 8 points past the end of the file",
            ),
            (
                said(
                    F::Png,
                    Some(33),
                    Rule::PngChunkPastEnd {
                        name: "caBX".into(),
                        length: 7,
                    },
                ),
                "PNG chunk \"caBX\" at byte 33 claims 7 bytes, past the end of the file",
            ),
            (
                said(F::Mp3, Some(0), Rule::Id3TagPastEnd { size: 99 }),
                "ID3 tag at byte 0 claims 99 bytes, past the end of the file",
            ),
            (
                said(F::Svg, None, Rule::SvgEntities),
                "SVG declares XML entities (refused: entity expansion attacks)",
            ),
        ] {
            assert_eq!(got, want);
        }
    }
}
