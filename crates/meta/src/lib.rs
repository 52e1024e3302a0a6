//! Platform metadata outside C2PA: the IPTC digital source type in XMP and
//! the GB 45438 `AIGC` implicit label, written into media containers and
//! read back from them.
//!
//! Meta, Google and TikTok show their "AI info" labels from
//! `Iptc4xmpExt:DigitalSourceType`; Chinese platforms read the `AIGC` field.
//! Both are plain metadata: tamga writes them *before* signing so the C2PA
//! hard binding covers them, and reads them back from any file as (weaker,
//! unsigned) evidence. This crate knows nothing about signing: the `AIGC`
//! label's `ReservedCode1` is computed by the caller over
//! [`Aigc::signing_payload`].
//!
//! Each container is edited in one module; every writer emits exactly one
//! copy of each field, replacing earlier copies and keeping everything else.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod aigc;
mod boxes;
mod error;
mod flac;
mod gif;
mod iloc;
mod jpeg;
mod keep;
mod markdown;
mod mp3;
mod ogg;
pub mod personal;
mod png;
pub mod riff;
mod stream;
mod svg;
#[cfg(test)]
mod testing;
mod tiff;
mod vorbis_comment;
mod wav;
mod webp;
pub mod xmp;

use std::io::{Read, Seek, SeekFrom, Write};

use serde::Serialize;

pub use aigc::{sanitize_value, Aigc, AigcLabel, AigcParseError, ValueNotStorable};
pub use error::{MetaError, ParseSource, Role};
pub use iloc::rebase_item_locations;
pub use keep::{carry_over, carry_over_bmff};
pub use mp3::Id3v2Header;

/// A container tamga can write platform metadata into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Container {
    /// JPEG: XMP in APP1.
    Jpeg,
    /// PNG: XMP in iTXt `XML:com.adobe.xmp`, AIGC in tEXt `AIGC`.
    Png,
    /// WebP: XMP in the `XMP ` chunk.
    Webp,
    /// GIF: XMP in the `XMP DataXMP` application extension.
    Gif,
    /// TIFF (classic, not BigTIFF): XMP in tag 700.
    Tiff,
    /// SVG: XMP in `<metadata>`.
    Svg,
    /// ISO BMFF (MP4, M4A, AVIF, HEIC): XMP in a top-level `uuid` box.
    Bmff,
    /// JPEG XL: XMP in an `xml ` box (a bare codestream is boxed first).
    Jxl,
    /// WAV: XMP in `_PMX`, AIGC in an `AIGC` chunk.
    Wav,
    /// MP3: XMP in ID3v2 `PRIV:XMP`, AIGC in `TXXX:AIGC`.
    Mp3,
    /// FLAC: AIGC as a Vorbis comment (FLAC has no XMP).
    Flac,
    /// Ogg Vorbis and Opus: AIGC as a Vorbis comment (no XMP).
    Ogg,
    /// Markdown: AIGC in the YAML front matter (no XMP).
    Markdown,
}

impl std::fmt::Display for Container {
    /// The container's usual name ("JPEG XL", "ISO BMFF").
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Webp => "WebP",
            Self::Gif => "GIF",
            Self::Tiff => "TIFF",
            Self::Svg => "SVG",
            Self::Bmff => "ISO BMFF",
            Self::Jxl => "JPEG XL",
            Self::Wav => "WAV",
            Self::Mp3 => "MP3",
            Self::Flac => "FLAC",
            Self::Ogg => "Ogg",
            Self::Markdown => "Markdown",
        })
    }
}

impl Container {
    /// Whether the container carries XMP.
    pub fn carries_xmp(self) -> bool {
        !matches!(self, Self::Flac | Self::Ogg | Self::Markdown)
    }

    /// Where the `AIGC` label goes (the placements of the TC260 practice
    /// guides; GB 45438 itself only asks for "a field whose name contains AIGC").
    pub fn aigc_place(self) -> AigcPlace {
        match self {
            Self::Png => AigcPlace::PngText,
            Self::Wav => AigcPlace::RiffChunk,
            Self::Mp3 => AigcPlace::Id3Txxx,
            Self::Flac | Self::Ogg => AigcPlace::VorbisComment,
            Self::Markdown => AigcPlace::FrontMatter,
            _ => AigcPlace::Xmp,
        }
    }
}

/// Where an `AIGC` label sits in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AigcPlace {
    /// XMP property `TC260:AIGC`.
    Xmp,
    /// PNG `tEXt`/`iTXt` keyword `AIGC`.
    PngText,
    /// RIFF chunk `AIGC`.
    RiffChunk,
    /// ID3v2 `TXXX` with description `AIGC`.
    Id3Txxx,
    /// FLAC/Ogg Vorbis comment `AIGC`.
    VorbisComment,
    /// Markdown YAML front matter key `AIGC`.
    FrontMatter,
}

/// The platform metadata to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    /// The IPTC digital source type, a full URI.
    pub digital_source_type: Option<String>,
    /// IPTC 2025.1 "AI System Used".
    pub ai_system: Option<String>,
    /// IPTC 2025.1 "AI System Version Used".
    pub ai_system_version: Option<String>,
    /// The GB 45438 implicit label.
    pub aigc: Option<Aigc>,
}

impl Labels {
    /// The XMP properties for `container`: IPTC always, `TC260:AIGC` only
    /// where XMP is the container's AIGC place (exactly one copy per file).
    fn xmp_props(&self, container: Container) -> Vec<xmp::Prop> {
        let mut props = Vec::new();
        let mut push = |prop: xmp::Property, value: &Option<String>| {
            if let Some(v) = value {
                props.push(xmp::Prop::new(prop, v.clone()));
            }
        };
        push(xmp::Property::DigitalSourceType, &self.digital_source_type);
        push(xmp::Property::AiSystemUsed, &self.ai_system);
        push(xmp::Property::AiSystemVersionUsed, &self.ai_system_version);
        if container.aigc_place() == AigcPlace::Xmp {
            push(xmp::Property::Aigc, &self.aigc.as_ref().map(Aigc::to_json));
        }
        props
    }

    /// The AIGC JSON, when it goes outside XMP in `container`.
    fn aigc_outside_xmp(&self, container: Container) -> Option<String> {
        match container.aigc_place() {
            AigcPlace::Xmp => None,
            _ => self.aigc.as_ref().map(Aigc::to_json),
        }
    }
}

/// The IPTC fields of an XMP packet that say how AI was involved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IptcFields {
    /// Every `Iptc4xmpExt:DigitalSourceType` value, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub digital_source_types: Vec<String>,
    /// IPTC 2025.1 "AI System Used".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai_system: Option<String>,
    /// IPTC 2025.1 "AI System Version Used".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai_system_version: Option<String>,
}

impl IptcFields {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.digital_source_types.is_empty()
            && self.ai_system.is_none()
            && self.ai_system_version.is_none()
    }

    /// Adds what `other` found; the first value of a single field wins.
    fn extend(&mut self, other: Self) {
        self.digital_source_types.extend(other.digital_source_types);
        self.ai_system = self.ai_system.take().or(other.ai_system);
        self.ai_system_version = self.ai_system_version.take().or(other.ai_system_version);
    }
}

/// Platform metadata found in a file. Every copy is kept, because duplicates
/// are themselves worth reporting.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Found {
    /// The IPTC fields from every XMP packet.
    #[serde(flatten)]
    pub iptc: IptcFields,
    /// `AIGC` labels, in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aigc: Vec<FoundAigc>,
    /// Fields in the file's own metadata that can identify a person
    /// (reported apart, so not serialised here).
    #[serde(skip)]
    pub personal: Vec<personal::PersonalField>,
}

impl Found {
    /// Whether no platform metadata was found (personal fields aside).
    pub fn is_empty(&self) -> bool {
        self.iptc.is_empty() && self.aigc.is_empty()
    }

    fn add_xmp(&mut self, packet: &str) {
        let x = xmp::read(packet);
        self.iptc.extend(x.iptc);
        for raw in x.aigc {
            self.add_aigc(AigcPlace::Xmp, raw);
        }
    }

    fn add_aigc(&mut self, place: AigcPlace, raw: String) {
        let parsed = Aigc::parse(&raw);
        self.aigc.push(FoundAigc { place, raw, parsed });
    }
}

/// One `AIGC` label found in a file.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundAigc {
    /// Where it was.
    pub place: AigcPlace,
    /// The value as stored (after the container's own unescaping).
    pub raw: String,
    /// The label, or why it could not be read.
    #[serde(serialize_with = "aigc::serialize_parsed")]
    pub parsed: Result<Aigc, AigcParseError>,
}

/// Writes `src` to `out` with `labels` added, replacing earlier copies of
/// the same fields and keeping everything else. Large audio and video
/// containers (WAV, MP3, ISO BMFF) are streamed; the others are edited in
/// memory.
pub fn write_to<R: Read + Seek, W: Write + Seek>(
    container: Container,
    src: &mut R,
    out: &mut W,
    labels: &Labels,
) -> Result<(), MetaError> {
    src.seek(SeekFrom::Start(0))?;
    let props = labels.xmp_props(container);
    let aigc = labels.aigc_outside_xmp(container);
    match container {
        Container::Wav => return wav::write(src, out, &props, aigc.as_deref()),
        Container::Bmff => return boxes::write_bmff(src, out, &props),
        Container::Mp3 => return mp3::write_to(src, out, &props, aigc.as_deref()),
        Container::Ogg => return ogg::write_to(src, out, aigc.as_deref()),
        _ => {}
    }
    let mut input = Vec::new();
    src.read_to_end(&mut input)?;
    let bytes = write(container, &input, labels)?;
    out.write_all(&bytes)?;
    Ok(())
}

/// [`write_to`] for a file in memory.
pub fn write(container: Container, input: &[u8], labels: &Labels) -> Result<Vec<u8>, MetaError> {
    let props = labels.xmp_props(container);
    let aigc = labels.aigc_outside_xmp(container);
    match container {
        Container::Jpeg => jpeg::write(input, &props),
        Container::Png => png::write(input, &props, aigc.as_deref()),
        Container::Webp => webp::write(input, &props),
        Container::Gif => gif::write(input, &props),
        Container::Tiff => tiff::write(input, &props),
        Container::Svg => svg::write(input, &props),
        Container::Jxl => boxes::write_jxl(input, &props),
        Container::Mp3 => mp3::write(input, &props, aigc.as_deref()),
        Container::Flac => flac::write(input, aigc.as_deref()),
        Container::Markdown => markdown::write(input, aigc.as_deref()),
        Container::Wav | Container::Bmff | Container::Ogg => {
            let mut out = std::io::Cursor::new(Vec::new());
            write_to(
                container,
                &mut std::io::Cursor::new(input),
                &mut out,
                labels,
            )?;
            Ok(out.into_inner())
        }
    }
}

/// Reads the platform metadata in `src`. Reading is forgiving: a damaged
/// container yields what could be found, never an error, because this is
/// evidence gathering, not validation.
///
/// JPEG, PNG, MP3, FLAC, Ogg, JPEG XL, WAV and ISO BMFF are walked in place:
/// headers and metadata bodies are read, image and audio data are seeked
/// past (PNG's are streamed through the CRC check), so reading costs little
/// whatever the file's size. WebP, GIF, TIFF, SVG and Markdown are read
/// whole and parsed in memory.
pub fn read_from<R: Read + Seek>(container: Container, src: &mut R) -> Found {
    let mut found = Found::default();
    if src.seek(SeekFrom::Start(0)).is_err() {
        return found;
    }
    match container {
        Container::Wav => wav::read(src, &mut found),
        Container::Bmff => boxes::read_bmff(src, &mut found),
        Container::Jpeg => jpeg::read(src, &mut found),
        Container::Png => png::read(src, &mut found),
        Container::Mp3 => mp3::read(src, &mut found),
        Container::Flac => flac::read(src, &mut found),
        Container::Ogg => ogg::read(src, &mut found),
        Container::Jxl => boxes::read_jxl(src, &mut found),
        Container::Webp
        | Container::Gif
        | Container::Tiff
        | Container::Svg
        | Container::Markdown => {
            let mut input = Vec::new();
            if src.read_to_end(&mut input).is_ok() {
                found = read(container, &input);
            }
        }
    }
    // Containers edited in place: their metadata ranges are read again
    // (headers and metadata only, never media).
    found
        .personal
        .extend(personal::find_in_place(container, src));
    // (JPEG's and FLAC's come from what their walks read anyway.)
    if matches!(
        container,
        Container::Png | Container::Webp | Container::Tiff
    ) {
        // Camera metadata is in the first segments, but EXIF is parsed
        // from the whole container; images past this size are not looked at.
        const MAX: u64 = 64 << 20;
        let mut input = Vec::new();
        if src.seek(SeekFrom::Start(0)).is_ok()
            && src.by_ref().take(MAX + 1).read_to_end(&mut input).is_ok()
            && input.len() as u64 <= MAX
        {
            found.personal = personal::find(container, &input);
        }
    }
    found
}

/// [`read_from`] for a file in memory.
pub fn read(container: Container, input: &[u8]) -> Found {
    let mut found = Found::default();
    match container {
        Container::Webp => webp::read(input, &mut found),
        Container::Gif => gif::read(input, &mut found),
        Container::Tiff => tiff::read(input, &mut found),
        Container::Svg => svg::read(input, &mut found),
        Container::Markdown => markdown::read(input, &mut found),
        Container::Jpeg
        | Container::Png
        | Container::Mp3
        | Container::Flac
        | Container::Ogg
        | Container::Jxl
        | Container::Wav
        | Container::Bmff => {
            return read_from(container, &mut std::io::Cursor::new(input));
        }
    }
    found
}
