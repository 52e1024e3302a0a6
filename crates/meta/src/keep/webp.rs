//! WebP: the `ICCP`, `EXIF` and `XMP ` chunks and unknown chunks of the
//! extended format.

use img_parts::{
    riff::{RiffChunk, RiffContent},
    webp::WebP,
    Bytes,
};

use crate::{Container, MetaError, Role};

/// The chunks that are the image (or its frames and canvas), and C2PA's
/// manifest store: never carried.
const IMAGE: [&[u8; 4]; 7] = [
    b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"C2PA",
];

const ICC_FLAG: u8 = 0x20;
const ALPHA_FLAG: u8 = 0x10;
const EXIF_FLAG: u8 = 0x08;
const XMP_FLAG: u8 = 0x04;
const ANIMATION_FLAG: u8 = 0x02;

fn kind(c: &RiffChunk) -> Option<[u8; 4]> {
    let id = c.id();
    (!IMAGE.contains(&&id)).then_some(id)
}

fn parse(bytes: &[u8], role: Role) -> Result<WebP, MetaError> {
    WebP::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|e| MetaError::Parse {
        container: Container::Webp,
        role,
        source: e.into(),
    })
}

fn data(c: &RiffChunk) -> &[u8] {
    c.content().data().map_or(&[][..], |d| &d[..])
}

pub(super) fn carry(original: &[u8], edited: &[u8]) -> Result<Vec<u8>, MetaError> {
    let old = parse(original, Role::Original)?;
    let mut new = parse(edited, Role::Edited)?;
    let carried: Vec<RiffChunk> = super::missing(old.chunks(), new.chunks(), kind)
        .into_iter()
        .cloned()
        .collect();
    if carried.is_empty() {
        return Ok(edited.to_vec());
    }
    let (width, height) = new.dimensions().ok_or(MetaError::Missing {
        container: Container::Webp,
        what: "readable canvas size in the edited file",
    })?;
    let chunks = new.chunks_mut();
    // Metadata needs the extended format: a simple file gets its VP8X.
    if !chunks.iter().any(|c| &c.id() == b"VP8X") {
        let mut vp8x = vec![0u8; 10];
        vp8x[4..7].copy_from_slice(&width.saturating_sub(1).to_le_bytes()[..3]);
        vp8x[7..10].copy_from_slice(&height.saturating_sub(1).to_le_bytes()[..3]);
        chunks.insert(0, RiffChunk::new(*b"VP8X", data_content(vp8x)));
    }
    // The extended format's order: VP8X, ICCP, the image, EXIF, XMP, then
    // anything else.
    for c in carried {
        let at = match &c.id() {
            b"ICCP" => 1,
            b"EXIF" => chunks
                .iter()
                .position(|c| &c.id() == b"XMP " || kind(c).is_some() && &c.id() != b"ICCP")
                .unwrap_or(chunks.len()),
            b"XMP " => chunks
                .iter()
                .position(|c| kind(c).is_some() && !matches!(&c.id(), b"ICCP" | b"EXIF"))
                .unwrap_or(chunks.len()),
            _ => chunks.len(),
        };
        chunks.insert(at, c);
    }
    set_flags(chunks)?;
    let mut out = Vec::with_capacity(edited.len() + original.len() / 8);
    new.encoder().write_to(&mut out).map_err(MetaError::Io)?;
    Ok(out)
}

fn data_content(bytes: Vec<u8>) -> RiffContent {
    RiffContent::Data(Bytes::from(bytes))
}

/// Sets VP8X's feature flags to the chunks the file now has; the alpha
/// flag is kept, or read from the image data when VP8X is new.
fn set_flags(chunks: &mut [RiffChunk]) -> Result<(), MetaError> {
    let has = |id: &[u8; 4]| chunks.iter().any(|c| &c.id() == id);
    let lossless_alpha = chunks
        .iter()
        .find(|c| &c.id() == b"VP8L")
        .and_then(|c| data(c).get(1..5).map(|h| h[3] & 0x10 != 0))
        .unwrap_or(false);
    let mut flags = 0;
    for (present, flag) in [
        (has(b"ICCP"), ICC_FLAG),
        (has(b"EXIF"), EXIF_FLAG),
        (has(b"XMP "), XMP_FLAG),
        (has(b"ANIM"), ANIMATION_FLAG),
        (has(b"ALPH") || lossless_alpha, ALPHA_FLAG),
    ] {
        if present {
            flags |= flag;
        }
    }
    let vp8x = chunks
        .iter_mut()
        .find(|c| &c.id() == b"VP8X")
        .ok_or(MetaError::Missing {
            container: Container::Webp,
            what: "VP8X chunk",
        })?;
    let mut body = data(vp8x).to_vec();
    let first = body
        .first_mut()
        .ok_or(MetaError::invalid(Container::Webp, "an empty VP8X chunk"))?;
    *first = (*first & ALPHA_FLAG) | flags;
    *vp8x = RiffChunk::new(*b"VP8X", data_content(body));
    Ok(())
}
