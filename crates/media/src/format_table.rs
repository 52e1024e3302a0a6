//! The one table of what tamga knows about each format.
//!
//! Every capability a format has is a field of its row in [`FORMATS`], so
//! adding a format means adding a row here and writing the code that is
//! genuinely its own (a sniffing rule, a guard walker, a notice writer).
//! Capabilities that belong to crates above this one (which notice writer,
//! which metadata slot) are data here that the crate above maps with one
//! `match` on the kind, never on the format.

use crate::MediaFormat;
use tamga_meta::Container as Meta;

/// What tamga knows about one format: one row of [`FORMATS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatSpec {
    /// The format this row describes.
    pub format: MediaFormat,
    /// Short lowercase name, as used on the command line and in reports.
    pub name: &'static str,
    /// The MIME type c2pa uses for this format.
    pub mime: &'static str,
    /// File name extensions, lowercase, the usual one first.
    pub extensions: &'static [&'static str],
    /// What kind of content it holds.
    pub family: Family,
    /// The byte structure the guard walks and the label is stored in.
    pub container: Container,
    /// Whether a C2PA manifest can be embedded in the file itself (the
    /// others need a sidecar `.c2pa` manifest).
    pub embeddable: bool,
    /// How a visible badge is drawn and written back in the same format,
    /// if one can be.
    pub badge: Option<BadgeWriter>,
    /// Whether a tone or voice notice can be put into the recording.
    pub sound: bool,
    /// Whether a JPEG thumbnail can be decoded from it for the manifest.
    pub thumbnail: bool,
    /// Where IPTC/XMP and AIGC platform metadata are written, if anywhere.
    pub metadata: Option<Meta>,
}

/// What kind of content a format holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Still (or animated) images and drawings.
    Image,
    /// Sound recordings.
    Audio,
    /// Moving pictures.
    Video,
    /// UTF-8 text.
    Text,
}

/// The byte structure of a file: what the structural guard walks and what
/// c2pa's store sits in. Several formats share one (ISO BMFF, RIFF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// JPEG markers and segments.
    Jpeg,
    /// PNG chunks.
    Png,
    /// GIF blocks.
    Gif,
    /// TIFF image file directories.
    Tiff,
    /// RIFF chunks (WebP, WAVE).
    Riff,
    /// ISO base media file format boxes (AVIF, HEIC, M4A, MP4).
    Bmff,
    /// JPEG XL boxes or a bare codestream.
    Jxl,
    /// SVG: XML text.
    Svg,
    /// MPEG audio frames after an optional ID3v2 tag.
    Mpeg,
    /// FLAC metadata blocks.
    Flac,
    /// Ogg pages.
    Ogg,
    /// Matroska / WebM EBML elements.
    Matroska,
    /// ADTS AAC frames.
    Adts,
    /// A Windows bitmap.
    Bmp,
    /// UTF-8 text, labelled with a C2PA text wrapper.
    Text,
}

/// How a visible badge is put on an image (the writers are in
/// `tamga-notice`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BadgeWriter {
    /// Decoded with the `image` crate, drawn on, encoded again in the same
    /// format.
    Raster,
    /// Frame by frame, keeping the animation.
    Gif,
    /// Edited as text, never rasterized.
    Svg,
    /// Through `cjxl`/`djxl`.
    Jxl,
    /// Through libheif, loaded at run time.
    Heif,
}

// Rows in the order of `MediaFormat`'s variants: `MediaFormat::spec`
// indexes this by discriminant, and the tests check it.
/// Every format tamga recognises, one row each.
pub static FORMATS: &[FormatSpec] = &[
    FormatSpec {
        format: MediaFormat::Jpeg,
        name: "jpeg",
        mime: "image/jpeg",
        extensions: &["jpg", "jpeg", "jpe", "jfif"],
        family: Family::Image,
        container: Container::Jpeg,
        embeddable: true,
        badge: Some(BadgeWriter::Raster),
        sound: false,
        thumbnail: true,
        metadata: Some(Meta::Jpeg),
    },
    FormatSpec {
        format: MediaFormat::Png,
        name: "png",
        mime: "image/png",
        extensions: &["png"],
        family: Family::Image,
        container: Container::Png,
        embeddable: true,
        badge: Some(BadgeWriter::Raster),
        sound: false,
        thumbnail: true,
        metadata: Some(Meta::Png),
    },
    FormatSpec {
        format: MediaFormat::Webp,
        name: "webp",
        mime: "image/webp",
        extensions: &["webp"],
        family: Family::Image,
        container: Container::Riff,
        embeddable: true,
        badge: Some(BadgeWriter::Raster),
        sound: false,
        thumbnail: true,
        metadata: Some(Meta::Webp),
    },
    FormatSpec {
        format: MediaFormat::Gif,
        name: "gif",
        mime: "image/gif",
        extensions: &["gif"],
        family: Family::Image,
        container: Container::Gif,
        embeddable: true,
        badge: Some(BadgeWriter::Gif),
        sound: false,
        thumbnail: true,
        metadata: Some(Meta::Gif),
    },
    FormatSpec {
        format: MediaFormat::Tiff,
        name: "tiff",
        mime: "image/tiff",
        extensions: &["tif", "tiff"],
        family: Family::Image,
        container: Container::Tiff,
        embeddable: true,
        badge: Some(BadgeWriter::Raster),
        sound: false,
        thumbnail: true,
        metadata: Some(Meta::Tiff),
    },
    FormatSpec {
        format: MediaFormat::Avif,
        name: "avif",
        mime: "image/avif",
        extensions: &["avif"],
        family: Family::Image,
        container: Container::Bmff,
        embeddable: true,
        badge: Some(BadgeWriter::Heif),
        sound: false,
        thumbnail: false,
        metadata: Some(Meta::Bmff),
    },
    FormatSpec {
        format: MediaFormat::Heic,
        name: "heic",
        mime: "image/heic",
        extensions: &["heic", "heif", "hif"],
        family: Family::Image,
        container: Container::Bmff,
        embeddable: true,
        badge: Some(BadgeWriter::Heif),
        sound: false,
        thumbnail: false,
        metadata: Some(Meta::Bmff),
    },
    FormatSpec {
        format: MediaFormat::Jxl,
        name: "jxl",
        mime: "image/jxl",
        extensions: &["jxl"],
        family: Family::Image,
        container: Container::Jxl,
        embeddable: true,
        badge: Some(BadgeWriter::Jxl),
        sound: false,
        thumbnail: false,
        metadata: Some(Meta::Jxl),
    },
    FormatSpec {
        format: MediaFormat::Svg,
        name: "svg",
        mime: "image/svg+xml",
        extensions: &["svg"],
        family: Family::Image,
        container: Container::Svg,
        embeddable: true,
        badge: Some(BadgeWriter::Svg),
        sound: false,
        thumbnail: false,
        metadata: Some(Meta::Svg),
    },
    FormatSpec {
        format: MediaFormat::Wav,
        name: "wav",
        mime: "audio/wav",
        extensions: &["wav", "wave"],
        family: Family::Audio,
        container: Container::Riff,
        embeddable: true,
        badge: None,
        sound: true,
        thumbnail: false,
        metadata: Some(Meta::Wav),
    },
    FormatSpec {
        format: MediaFormat::Mp3,
        name: "mp3",
        mime: "audio/mpeg",
        extensions: &["mp3"],
        family: Family::Audio,
        container: Container::Mpeg,
        embeddable: true,
        badge: None,
        sound: true,
        thumbnail: false,
        metadata: Some(Meta::Mp3),
    },
    FormatSpec {
        format: MediaFormat::Flac,
        name: "flac",
        mime: "audio/flac",
        extensions: &["flac"],
        family: Family::Audio,
        container: Container::Flac,
        embeddable: true,
        badge: None,
        sound: true,
        thumbnail: false,
        metadata: Some(Meta::Flac),
    },
    FormatSpec {
        format: MediaFormat::M4a,
        name: "m4a",
        mime: "audio/mp4",
        extensions: &["m4a"],
        family: Family::Audio,
        container: Container::Bmff,
        embeddable: true,
        badge: None,
        sound: true,
        thumbnail: false,
        metadata: Some(Meta::Bmff),
    },
    FormatSpec {
        format: MediaFormat::Mp4,
        name: "mp4",
        mime: "video/mp4",
        extensions: &["mp4", "mov", "m4v"],
        family: Family::Video,
        container: Container::Bmff,
        embeddable: true,
        badge: None,
        sound: false,
        thumbnail: false,
        metadata: Some(Meta::Bmff),
    },
    FormatSpec {
        format: MediaFormat::Ogg,
        name: "ogg",
        mime: "audio/ogg",
        extensions: &["ogg", "oga", "opus"],
        family: Family::Audio,
        container: Container::Ogg,
        // c2pa 0.90 defines no embedding for Ogg.
        embeddable: false,
        badge: None,
        sound: false,
        thumbnail: false,
        // The AIGC label and people's names in its comment header.
        metadata: Some(Meta::Ogg),
    },
    FormatSpec {
        format: MediaFormat::Webm,
        name: "webm",
        mime: "video/webm",
        extensions: &["webm"],
        family: Family::Video,
        container: Container::Matroska,
        // c2pa 0.90 defines no embedding for Matroska: a sidecar.
        embeddable: false,
        badge: None,
        sound: false,
        thumbnail: false,
        metadata: None,
    },
    FormatSpec {
        format: MediaFormat::Mkv,
        name: "mkv",
        mime: "video/x-matroska",
        extensions: &["mkv"],
        family: Family::Video,
        container: Container::Matroska,
        embeddable: false,
        badge: None,
        sound: false,
        thumbnail: false,
        metadata: None,
    },
    FormatSpec {
        format: MediaFormat::Aac,
        name: "aac",
        mime: "audio/aac",
        extensions: &["aac"],
        family: Family::Audio,
        container: Container::Adts,
        // Raw ADTS frames: no container to embed into.
        embeddable: false,
        badge: None,
        sound: false,
        thumbnail: false,
        metadata: None,
    },
    FormatSpec {
        format: MediaFormat::Bmp,
        name: "bmp",
        mime: "image/bmp",
        extensions: &["bmp"],
        family: Family::Image,
        container: Container::Bmp,
        embeddable: false,
        badge: Some(BadgeWriter::Raster),
        sound: false,
        thumbnail: true,
        metadata: None,
    },
    FormatSpec {
        format: MediaFormat::Text,
        name: "text",
        mime: "text/plain",
        extensions: &["txt", "text"],
        family: Family::Text,
        container: Container::Text,
        embeddable: true,
        badge: None,
        sound: false,
        thumbnail: false,
        // Plain text has no field a platform reads.
        metadata: None,
    },
    FormatSpec {
        format: MediaFormat::Markdown,
        name: "markdown",
        mime: "text/markdown",
        extensions: &["md", "markdown"],
        family: Family::Text,
        container: Container::Text,
        embeddable: true,
        badge: None,
        sound: false,
        thumbnail: false,
        metadata: Some(Meta::Markdown),
    },
];

#[cfg(test)]
mod tests {
    use std::{collections::HashSet, path::Path};

    use super::*;

    #[test]
    fn every_format_has_exactly_one_row_at_its_index() {
        assert_eq!(FORMATS.len(), MediaFormat::ALL.len());
        for (i, format) in MediaFormat::ALL.into_iter().enumerate() {
            assert_eq!(format as usize, i, "ALL is in declaration order");
            assert_eq!(FORMATS[i].format, format, "row {i}");
            assert_eq!(
                FORMATS.iter().filter(|s| s.format == format).count(),
                1,
                "{format:?}"
            );
            assert!(std::ptr::eq(format.spec(), &FORMATS[i]));
        }
    }

    #[test]
    fn names_mimes_and_extensions_are_unique_and_round_trip() {
        let mut names = HashSet::new();
        let mut mimes = HashSet::new();
        let mut extensions = HashSet::new();
        for spec in FORMATS {
            let f = spec.format;
            assert!(names.insert(spec.name), "name {} twice", spec.name);
            assert!(mimes.insert(spec.mime), "mime {} twice", spec.mime);
            assert!(!spec.extensions.is_empty(), "{f} has no extension");
            for ext in spec.extensions {
                assert_eq!(*ext, ext.to_ascii_lowercase());
                assert!(extensions.insert(*ext), "extension {ext} twice");
                let path = format!("x.{ext}");
                assert_eq!(MediaFormat::from_extension(Path::new(&path)), Some(f));
                let upper = format!("X.{}", ext.to_ascii_uppercase());
                assert_eq!(MediaFormat::from_extension(Path::new(&upper)), Some(f));
                assert_eq!(MediaFormat::from_name(ext), Some(f));
            }
            assert_eq!(MediaFormat::from_name(spec.name), Some(f));
            assert_eq!(MediaFormat::from_mime(spec.mime), Some(f));
            assert_eq!(f.to_string(), spec.name);
            assert_eq!(f.mime(), spec.mime);
        }
        assert_eq!(MediaFormat::from_extension(Path::new("x.exe")), None);
        assert_eq!(MediaFormat::from_extension(Path::new("jpg")), None);
        assert_eq!(MediaFormat::from_name("exe"), None);
    }

    /// A file made of each binary format's magic sniffs as that format:
    /// the sniffing rules and the table agree.
    #[test]
    fn sniffing_agrees_with_the_table() {
        let samples: &[(&[u8], MediaFormat)] = &[
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF", MediaFormat::Jpeg),
            (b"\x89PNG\r\n\x1a\n\0\0", MediaFormat::Png),
            (b"RIFF\0\0\0\0WEBPVP8 ", MediaFormat::Webp),
            (b"GIF89a\x01\0\x01\0", MediaFormat::Gif),
            (b"II*\0\x08\0\0\0", MediaFormat::Tiff),
            (b"\0\0\0\x1cftypmif1\0\0\0\0mif1avif", MediaFormat::Avif),
            (b"\0\0\0\x18ftypheic\0\0\0\0mif1", MediaFormat::Heic),
            (b"\xFF\x0A\xFA\x7F", MediaFormat::Jxl),
            (
                b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                MediaFormat::Svg,
            ),
            (b"RIFF\0\0\0\0WAVEfmt ", MediaFormat::Wav),
            (b"ID3\x04\0\0\0\0\0\0", MediaFormat::Mp3),
            (b"fLaC\0\0\0\x22", MediaFormat::Flac),
            (b"\0\0\0\x1cftypM4A \0\0\0\0M4A isom", MediaFormat::M4a),
            (b"\0\0\0\x18ftypisom\0\0\0\0mp41", MediaFormat::Mp4),
            (b"OggS\0\x02\0\0", MediaFormat::Ogg),
            (
                b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm",
                MediaFormat::Webm,
            ),
            (
                b"\x1a\x45\xdf\xa3\xa3\x42\x82\x88matroska",
                MediaFormat::Mkv,
            ),
            (b"\xFF\xF1\x50\x80", MediaFormat::Aac),
            (b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0", MediaFormat::Bmp),
        ];
        let mut seen: HashSet<MediaFormat> = HashSet::new();
        for (bytes, want) in samples {
            assert_eq!(MediaFormat::sniff(bytes), Some(*want), "{want}");
            seen.insert(*want);
        }
        for spec in FORMATS {
            // Text is never sniffed: any bytes may be text.
            let sniffable = spec.family != Family::Text;
            assert_eq!(seen.contains(&spec.format), sniffable, "{}", spec.name);
        }
    }

    /// The capabilities are consistent with each other.
    #[test]
    fn capabilities_fit_the_family() {
        for spec in FORMATS {
            let f = spec.format;
            if spec.badge.is_some() || spec.thumbnail {
                assert_eq!(spec.family, Family::Image, "{f}");
            }
            if spec.sound {
                assert_eq!(spec.family, Family::Audio, "{f}");
            }
            assert_eq!(
                spec.family == Family::Text,
                spec.container == Container::Text
            );
            assert_eq!(f.is_text(), spec.family == Family::Text);
            assert_eq!(f.is_image(), spec.family == Family::Image);
            assert_eq!(f.is_bmff(), spec.container == Container::Bmff);
            let family_in_mime = match spec.family {
                Family::Image => "image/",
                Family::Audio => "audio/",
                Family::Video => "video/",
                Family::Text => "text/",
            };
            assert!(spec.mime.starts_with(family_in_mime), "{f}");
        }
    }
}
