//! Media format detection from content, and what tamga can do with each format.
//!
//! The extension is a hint a stranger controls; the bytes are what parsers see.
//! tamga decides from the bytes and reports when the extension disagrees.
//! What each format is and can do is its row of the format table
//! ([`crate::FORMATS`]); only sniffing, which reads bytes, is code here.

use std::{fmt, path::Path};

use serde::Serialize;

use crate::format_table::{Container, Family, FormatSpec, FORMATS};

/// A media format tamga recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
// A new variant needs its row in `FORMATS` (the table's tests fail until
// it is there); what the format can do is read from that row.
pub enum MediaFormat {
    /// JPEG / JFIF / EXIF.
    Jpeg,
    /// PNG.
    Png,
    /// WebP (RIFF).
    Webp,
    /// GIF 87a/89a.
    Gif,
    /// TIFF (little- or big-endian).
    Tiff,
    /// AVIF (ISO BMFF).
    Avif,
    /// HEIC / HEIF (ISO BMFF).
    Heic,
    /// JPEG XL (container or bare codestream).
    Jxl,
    /// SVG (XML text).
    Svg,
    /// WAV (RIFF).
    Wav,
    /// MP3 (MPEG-1/2 layer III, with or without ID3).
    Mp3,
    /// FLAC.
    Flac,
    /// M4A: AAC or ALAC in an MP4 container.
    M4a,
    /// MP4 / QuickTime video.
    Mp4,
    /// Ogg (Vorbis, Opus…): no C2PA embedding defined in c2pa 0.90.
    Ogg,
    /// WebM video (Matroska with VP8/VP9/AV1): no C2PA embedding defined
    /// in c2pa 0.90; labelled with a sidecar.
    Webm,
    /// Matroska video: as WebM.
    Mkv,
    /// Raw ADTS AAC: no container to embed into.
    Aac,
    /// Windows bitmap: no C2PA embedding defined.
    Bmp,
    /// Plain UTF-8 text; the label is a C2PA Annex A.8 wrapper at its end.
    Text,
    /// Markdown (UTF-8 text, labelled like [`MediaFormat::Text`]).
    Markdown,
}

impl MediaFormat {
    /// Every format, for tables and tests.
    pub const ALL: [MediaFormat; 21] = [
        Self::Jpeg,
        Self::Png,
        Self::Webp,
        Self::Gif,
        Self::Tiff,
        Self::Avif,
        Self::Heic,
        Self::Jxl,
        Self::Svg,
        Self::Wav,
        Self::Mp3,
        Self::Flac,
        Self::M4a,
        Self::Mp4,
        Self::Ogg,
        Self::Webm,
        Self::Mkv,
        Self::Aac,
        Self::Bmp,
        Self::Text,
        Self::Markdown,
    ];

    /// This format's row of the format table.
    pub const fn spec(self) -> &'static FormatSpec {
        // `FORMATS` is in declaration order (checked by the table's tests).
        &FORMATS[self as usize]
    }

    /// The MIME type c2pa uses for this format.
    pub fn mime(self) -> &'static str {
        self.spec().mime
    }

    /// A short lowercase name, as used on the command line and in reports.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// What kind of content the format holds.
    pub fn family(self) -> Family {
        self.spec().family
    }

    /// The byte structure the guard walks and the label is stored in.
    pub fn container(self) -> Container {
        self.spec().container
    }

    /// Whether a C2PA manifest can be embedded in the file itself. The others
    /// need a sidecar `.c2pa` manifest.
    pub fn embeddable(self) -> bool {
        self.spec().embeddable
    }

    /// Whether this is UTF-8 text, labelled with a C2PA text wrapper by tamga
    /// itself (c2pa 0.90 has no text support).
    pub fn is_text(self) -> bool {
        self.family() == Family::Text
    }

    /// The format named on the command line (`--format`): a name from
    /// [`MediaFormat::name`] or a common extension.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.to_ascii_lowercase();
        FORMATS
            .iter()
            .find(|s| s.name == name || s.extensions.contains(&name.as_str()))
            .map(|s| s.format)
    }

    /// The format of a MIME type (its essence, without parameters).
    pub fn from_mime(mime: &str) -> Option<Self> {
        FORMATS
            .iter()
            .find(|s| s.mime.eq_ignore_ascii_case(mime))
            .map(|s| s.format)
    }

    /// Whether the format is ISO BMFF, which c2pa hard-binds with a BMFF hash.
    pub fn is_bmff(self) -> bool {
        self.container() == Container::Bmff
    }

    /// Whether this is an image format (thumbnails apply).
    pub fn is_image(self) -> bool {
        self.family() == Family::Image
    }

    /// The format a file name's extension claims, if any.
    pub fn from_extension(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        FORMATS
            .iter()
            .find(|s| s.extensions.contains(&ext.as_str()))
            .map(|s| s.format)
    }

    /// Detects a binary format from the first bytes of a file (4 KiB is
    /// plenty). Text is never sniffed: any byte string may be "text", so text
    /// is what the extension (`.txt`, `.md`) or `--format text` says.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        let starts = |m: &[u8]| head.starts_with(m);
        let at = |off: usize, m: &[u8]| head.get(off..off + m.len()) == Some(m);
        if starts(&[0xFF, 0xD8, 0xFF]) {
            return Some(Self::Jpeg);
        }
        if starts(b"\x89PNG\r\n\x1a\n") {
            return Some(Self::Png);
        }
        if starts(b"GIF87a") || starts(b"GIF89a") {
            return Some(Self::Gif);
        }
        if starts(b"RIFF") && at(8, b"WEBP") {
            return Some(Self::Webp);
        }
        if starts(b"RIFF") && at(8, b"WAVE") {
            return Some(Self::Wav);
        }
        if starts(b"II*\0") || starts(b"MM\0*") {
            return Some(Self::Tiff);
        }
        if starts(&[0xFF, 0x0A]) || starts(b"\0\0\0\x0cJXL \r\n\x87\n") {
            return Some(Self::Jxl);
        }
        if starts(b"fLaC") {
            return Some(Self::Flac);
        }
        if starts(b"OggS") {
            return Some(Self::Ogg);
        }
        if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
            return Some(sniff_matroska(head));
        }
        if starts(b"ID3") {
            return Some(Self::Mp3);
        }
        if at(4, b"ftyp") {
            return sniff_bmff(head);
        }
        if starts(b"BM") && head.len() >= 14 {
            return Some(Self::Bmp);
        }
        if let [0xFF, b1, ..] = head {
            // MPEG audio frame sync: 11 set bits. The layer bits tell MP3
            // (layer III = 01) from ADTS AAC (layer always 00).
            if b1 & 0xE0 == 0xE0 {
                return match b1 & 0x06 {
                    0x00 if b1 & 0xF0 == 0xF0 => Some(Self::Aac),
                    0x02 => Some(Self::Mp3),
                    _ => None,
                };
            }
        }
        if looks_like_svg(head) {
            return Some(Self::Svg);
        }
        None
    }
}

impl fmt::Display for MediaFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// WebM or other Matroska, by the EBML header's DocType (element 0x4282):
/// "webm" is WebM, anything else Matroska.
fn sniff_matroska(head: &[u8]) -> MediaFormat {
    let header = &head[..head.len().min(64)];
    match header.windows(3).position(|w| w == [0x42, 0x82, 0x84]) {
        Some(at) if header.get(at + 3..at + 7) == Some(b"webm") => MediaFormat::Webm,
        _ => MediaFormat::Mkv,
    }
}

fn sniff_bmff(head: &[u8]) -> Option<MediaFormat> {
    let size = u32::from_be_bytes(head.get(0..4)?.try_into().ok()?) as usize;
    let major = head.get(8..12)?;
    // The box may claim more than was read, or less than its own header
    // (a truncated or crafted `ftyp`): read the brands that are there.
    let end = size.min(head.len());
    // The major brand first, then the compatible brands: a HEIF file may
    // declare `mif1` as major and `avif` as compatible.
    let compatible = head.get(16..end).unwrap_or(&[]);
    let brands = std::iter::once(major).chain(compatible.chunks_exact(4));
    let mut fallback = None;
    for brand in brands {
        match brand {
            b"avif" | b"avis" => return Some(MediaFormat::Avif),
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => {
                return Some(MediaFormat::Heic)
            }
            b"M4A " | b"M4B " | b"M4P " => return Some(MediaFormat::M4a),
            b"mif1" | b"msf1" => fallback = fallback.or(Some(MediaFormat::Heic)),
            b"isom" | b"iso2" | b"mp41" | b"mp42" | b"qt  " | b"M4V " | b"dash" => {
                fallback = fallback.or(Some(MediaFormat::Mp4))
            }
            _ => {}
        }
    }
    fallback.or(Some(MediaFormat::Mp4))
}

fn looks_like_svg(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if !(text.starts_with('<')) {
        return false;
    }
    text.contains("<svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_numbers() {
        let cases: &[(&[u8], MediaFormat)] = &[
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF", MediaFormat::Jpeg),
            (b"\x89PNG\r\n\x1a\n\0\0", MediaFormat::Png),
            (b"RIFF\0\0\0\0WEBPVP8 ", MediaFormat::Webp),
            (b"RIFF\0\0\0\0WAVEfmt ", MediaFormat::Wav),
            (b"\0\0\0\x1cftypM4A \0\0\0\0M4A isom", MediaFormat::M4a),
            (b"\0\0\0\x1cftypmif1\0\0\0\0mif1avif", MediaFormat::Avif),
            (b"\0\0\0\x18ftypheic\0\0\0\0mif1", MediaFormat::Heic),
            (b"\xFF\xFB\x90\x64", MediaFormat::Mp3),
            (b"\xFF\xF1\x50\x80", MediaFormat::Aac),
            (b"<?xml version=\"1.0\"?>\n<svg xmlns=", MediaFormat::Svg),
            (
                b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm",
                MediaFormat::Webm,
            ),
            (
                b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska",
                MediaFormat::Mkv,
            ),
        ];
        for (bytes, want) in cases {
            assert_eq!(MediaFormat::sniff(bytes), Some(*want), "{want}");
        }
        assert_eq!(MediaFormat::sniff(b"hello world"), None);
        // Truncated `ftyp` boxes (8 to 15 bytes) once panicked here, and
        // so did boxes claiming a size below their own header.
        let full = b"\0\0\0\x1cftypM4A \0\0\0\0M4A isom";
        for len in 0..=full.len() {
            let _ = MediaFormat::sniff(&full[..len]);
        }
        assert_eq!(
            MediaFormat::sniff(b"\0\0\0\x04ftypM4A \0\0\0\0"),
            Some(MediaFormat::M4a)
        );
        assert_eq!(MediaFormat::sniff(b""), None);
    }
}
