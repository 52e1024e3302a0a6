//! Personal data in a file's own metadata: where a photo was taken, the
//! serial numbers of the camera, the names of its owner and its author.
//! Kazakhstan's Personal Data Law covers them, and publishing a file
//! publishes them; so they are listed for review and can be removed before
//! publication without touching pixels.
//!
//! Looked at: EXIF and XMP in every container that carries them; an MP3's
//! ID3 names, the Vorbis comments of FLAC and Ogg, a WAV's `INFO` names, and the
//! QuickTime tags of MP4, M4A and MOV. Removal rebuilds the metadata
//! segments of JPEG, PNG and WebP (img-parts), rewrites an MP3's tag and
//! a FLAC's comment block, and edits every other container in place
//! ([`in_place`]); the image and audio data are copied as they were.

mod bmff;
mod exif;
mod id3_frames;
mod in_place;
mod xmp_fields;

pub(crate) use id3_frames::in_id3;

use img_parts::{jpeg::Jpeg, png::Png, webp::WebP, Bytes, ImageEXIF};
use serde::Serialize;

use crate::{Container, MetaError};

/// What a field reveals, in the words `--redact` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersonalKind {
    /// Where the content was made: GPS coordinates, a location.
    Gps,
    /// Which device made it: serial numbers, maker notes.
    Device,
    /// Who: owner, author and creator names.
    Identity,
}

impl PersonalKind {
    /// The name `--redact` and reports use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gps => "gps",
            Self::Device => "device",
            Self::Identity => "identity",
        }
    }
}

/// Which block of metadata a field is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Place {
    /// EXIF.
    #[serde(rename = "EXIF")]
    Exif,
    /// XMP.
    #[serde(rename = "XMP")]
    Xmp,
    /// An MP3's ID3v2 tag.
    #[serde(rename = "ID3")]
    Id3,
    /// The Vorbis comments of a FLAC or an Ogg.
    #[serde(rename = "Vorbis comment")]
    Vorbis,
    /// A QuickTime or 3GPP tag (MP4, M4A, MOV).
    #[serde(rename = "QuickTime")]
    QuickTime,
    /// A WAV's `LIST`/`INFO` chunk.
    #[serde(rename = "RIFF INFO")]
    RiffInfo,
}

impl Place {
    /// The name reports use ("EXIF", "QuickTime").
    pub fn name(self) -> &'static str {
        match self {
            Self::Exif => "EXIF",
            Self::Xmp => "XMP",
            Self::Id3 => "ID3",
            Self::Vorbis => "Vorbis comment",
            Self::QuickTime => "QuickTime",
            Self::RiffInfo => "RIFF INFO",
        }
    }
}

/// One field that can identify a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonalField {
    /// What it reveals.
    pub kind: PersonalKind,
    /// Where it is.
    pub place: Place,
    /// Its name ("GPSLatitude", "dc:creator").
    pub field: String,
    /// Its value, as text.
    pub value: String,
}

/// The EXIF block (TIFF structure) and the XMP packets of an image.
fn blocks(container: Container, input: &[u8]) -> (Option<Vec<u8>>, Vec<String>) {
    let bytes = || Bytes::copy_from_slice(input);
    match container {
        Container::Jpeg => match Jpeg::from_bytes(bytes()) {
            Ok(j) => (
                j.exif().map(|b| b.to_vec()),
                j.segments()
                    .iter()
                    .filter_map(crate::jpeg::xmp_packet)
                    .collect(),
            ),
            Err(_) => (None, Vec::new()),
        },
        Container::Png => match Png::from_bytes(bytes()) {
            Ok(p) => (
                p.exif().map(|b| b.to_vec()),
                p.chunks()
                    .iter()
                    .filter_map(crate::png::xmp_packet)
                    .collect(),
            ),
            Err(_) => (None, Vec::new()),
        },
        Container::Webp => match WebP::from_bytes(bytes()) {
            Ok(w) => (
                w.exif().map(|b| strip_exif_header(&b).to_vec()),
                crate::webp::xmp_packets(&w),
            ),
            Err(_) => (None, Vec::new()),
        },
        Container::Tiff => (
            Some(input.to_vec()),
            crate::tiff::xmp_packet(input).into_iter().collect(),
        ),
        // FLAC's names are Vorbis comments (no EXIF, no XMP): see `find`.
        _ => (None, Vec::new()),
    }
}

/// Some writers keep JPEG's `Exif\0\0` in front of a WebP's EXIF.
fn strip_exif_header(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"Exif\0\0").unwrap_or(b)
}

/// Whether `container`'s personal data are edited in place
/// ([`in_place`]).
fn in_place(container: Container) -> bool {
    matches!(
        container,
        Container::Bmff | Container::Wav | Container::Jxl | Container::Gif | Container::Svg
    )
}

/// The personal fields of the containers edited in place, read from `src`
/// (only metadata ranges are read).
pub(crate) fn find_in_place<R: std::io::Read + std::io::Seek>(
    container: Container,
    src: &mut R,
) -> Vec<PersonalField> {
    if in_place(container) {
        in_place::find(container, src)
    } else {
        Vec::new()
    }
}

/// The personal fields in `input`'s metadata.
pub fn find(container: Container, input: &[u8]) -> Vec<PersonalField> {
    if container == Container::Flac {
        return in_vorbis(crate::flac::people(input));
    }
    if container == Container::Ogg {
        return crate::read(container, input).personal;
    }
    if in_place(container) {
        return in_place::find(container, &mut std::io::Cursor::new(input));
    }
    let (exif, packets) = blocks(container, input);
    from_parts(exif.as_deref(), &packets)
}

/// Vorbis comments naming people, as personal fields.
pub(crate) fn in_vorbis(people: Vec<(String, String)>) -> Vec<PersonalField> {
    people
        .into_iter()
        .map(|(field, value)| PersonalField {
            kind: PersonalKind::Identity,
            place: Place::Vorbis,
            field,
            value,
        })
        .collect()
}

/// The personal fields in an EXIF block and XMP packets already read.
pub(crate) fn from_parts(exif: Option<&[u8]>, packets: &[String]) -> Vec<PersonalField> {
    let mut found = exif.map(exif::fields).unwrap_or_default();
    for p in packets {
        found.extend(xmp_fields::fields(p));
    }
    found
}

/// Whether [`find`] and [`redact`] look into `container` (MP3: see
/// [`redact_to`]).
pub fn edits(container: Container) -> bool {
    matches!(
        container,
        Container::Jpeg | Container::Png | Container::Webp | Container::Tiff | Container::Flac
    )
}

/// A streamed [`redact`] for containers too large to hold (MP3: its ID3v2
/// tag is rewritten, the audio copied through; ISO BMFF, WAV, JPEG XL, GIF
/// and SVG: edited in place while copied, and nothing written when nothing
/// is to go); `None` for the others.
pub fn redact_to<R: std::io::Read + std::io::Seek, W: std::io::Write>(
    container: Container,
    src: &mut R,
    out: &mut W,
    kinds: &[PersonalKind],
) -> Option<Result<usize, MetaError>> {
    match container {
        Container::Mp3 => Some(crate::mp3::edit_tag_to(src, out, &|tag| {
            id3_frames::redact(tag, kinds)
        })),
        c if in_place(c) => Some(in_place::redact_to(c, src, out, kinds)),
        // An Ogg's comment header names people only.
        Container::Ogg if kinds.contains(&PersonalKind::Identity) => {
            Some(crate::ogg::without_people(src, out))
        }
        Container::Ogg => Some(Ok(0)),
        _ => None,
    }
}

/// An EXIF block without the fields of `kinds`, and how many went.
fn redact_exif(exif: Option<Bytes>, kinds: &[PersonalKind]) -> (Option<Bytes>, usize) {
    match exif {
        Some(b) => {
            let mut t = strip_exif_header(&b).to_vec();
            let n = exif::redact(&mut t, kinds);
            (Some(Bytes::from(t)), n)
        }
        None => (None, 0),
    }
}

/// `input` without the personal fields of `kinds`, and how many went.
/// The image data is not touched.
pub fn redact(
    container: Container,
    input: &[u8],
    kinds: &[PersonalKind],
) -> Result<(Vec<u8>, usize), MetaError> {
    let parse = |e| MetaError::parse(container, e);
    let mut removed = 0;
    let mut out = Vec::with_capacity(input.len());
    match container {
        Container::Jpeg => {
            let mut j = Jpeg::from_bytes(Bytes::copy_from_slice(input)).map_err(parse)?;
            let (exif, n) = redact_exif(j.exif(), kinds);
            removed += n;
            if n > 0 {
                j.set_exif(exif);
            }
            for s in j.segments_mut() {
                let Some(packet) = crate::jpeg::xmp_packet(s) else {
                    continue;
                };
                if let Some((text, n)) = xmp_fields::without(&packet, kinds) {
                    removed += n;
                    *s = crate::jpeg::xmp_segment(&text);
                }
            }
            j.encoder().write_to(&mut out).map_err(MetaError::Io)?;
        }
        Container::Png => {
            let mut p = Png::from_bytes(Bytes::copy_from_slice(input)).map_err(parse)?;
            let (exif, n) = redact_exif(p.exif(), kinds);
            removed += n;
            if n > 0 {
                p.set_exif(exif);
            }
            for c in p.chunks_mut() {
                let Some(packet) = crate::png::xmp_packet(c) else {
                    continue;
                };
                if let Some((text, n)) = xmp_fields::without(&packet, kinds) {
                    removed += n;
                    *c = crate::png::xmp_chunk(&text);
                }
            }
            p.encoder().write_to(&mut out).map_err(MetaError::Io)?;
        }
        Container::Webp => {
            let mut w = WebP::from_bytes(Bytes::copy_from_slice(input)).map_err(parse)?;
            let (exif, n) = redact_exif(w.exif(), kinds);
            removed += n;
            if n > 0 {
                w.set_exif(exif);
            }
            removed += crate::webp::edit_xmp(&mut w, &|x| xmp_fields::without(x, kinds));
            w.encoder().write_to(&mut out).map_err(MetaError::Io)?;
        }
        Container::Tiff => {
            // The file is the EXIF structure: edited in place, so every
            // strip offset stays right.
            out = input.to_vec();
            removed += exif::redact(&mut out, kinds);
            removed += crate::tiff::edit_xmp_in_place(&mut out, &|x| xmp_fields::without(x, kinds));
        }
        Container::Ogg => {
            removed += redact_to(container, &mut std::io::Cursor::new(input), &mut out, kinds)
                .unwrap_or(Ok(0))?;
        }
        Container::Flac if kinds.contains(&PersonalKind::Identity) => {
            let (edited, n) = crate::flac::without_people(input)?;
            out = edited;
            removed += n;
        }
        c if in_place(c) => {
            removed += in_place::redact_to(c, &mut std::io::Cursor::new(input), &mut out, kinds)?;
        }
        _ => {}
    }
    // Nothing taken: the input as it was (a rebuilt container may differ
    // in bytes that mean nothing, such as what trails a JPEG).
    if removed == 0 {
        return Ok((input.to_vec(), 0));
    }
    Ok((out, removed))
}
