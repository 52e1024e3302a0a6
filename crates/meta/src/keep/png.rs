//! PNG: ancillary chunks (text, EXIF, colour space, physical size, time,
//! private chunks).

use img_parts::{
    png::{Png, PngChunk},
    Bytes,
};

use crate::{Container, MetaError, Role};

/// Ancillary chunks that describe the old encoding (they depend on its
/// colour type, bit depth or frames), hold offsets into it (`iDOT`), or
/// are the C2PA manifest store (`caBX`).
const NEVER: [&[u8; 4]; 9] = [
    b"tRNS", b"bKGD", b"sBIT", b"hIST", b"acTL", b"fcTL", b"fdAT", b"iDOT", b"caBX",
];
/// Chunks that together say what the colours mean: carried only when the
/// edited file has none of them, so two colour spaces never compete.
const COLOUR: [&[u8; 4]; 5] = [b"iCCP", b"sRGB", b"gAMA", b"cHRM", b"cICP"];
/// Text chunks, told apart by keyword: every keyword is its own block.
const TEXT: [&[u8; 4]; 3] = [b"tEXt", b"zTXt", b"iTXt"];

#[derive(PartialEq)]
enum Kind {
    Colour,
    Text(Vec<u8>),
    Other([u8; 4]),
}

fn kind(c: &PngChunk) -> Option<Kind> {
    let t = c.kind();
    // Critical chunks (upper-case first letter) are the image itself.
    if t[0].is_ascii_uppercase() || NEVER.contains(&&t) {
        return None;
    }
    Some(if COLOUR.contains(&&t) {
        Kind::Colour
    } else if TEXT.contains(&&t) {
        let keyword = c.contents().split(|&b| b == 0).next().unwrap_or_default();
        Kind::Text(keyword.to_vec())
    } else {
        Kind::Other(t)
    })
}

fn parse(bytes: &[u8], role: Role) -> Result<Png, MetaError> {
    Png::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|e| MetaError::Parse {
        container: Container::Png,
        role,
        source: e.into(),
    })
}

pub(super) fn carry(original: &[u8], edited: &[u8]) -> Result<Vec<u8>, MetaError> {
    let old = parse(original, Role::Original)?;
    let mut new = parse(edited, Role::Edited)?;
    let mut carried: Vec<PngChunk> = super::missing(old.chunks(), new.chunks(), kind)
        .into_iter()
        .cloned()
        .collect();
    if carried.is_empty() {
        return Ok(edited.to_vec());
    }
    // Right after the header, before the encoder's own chunks, the palette
    // and the image data: where the colour chunks must be and where readers
    // find text without reading the pixels. EXIF goes last: exiftool 12
    // misreads an `eXIf` that directly follows the C2PA `caBX` chunk, which
    // c2pa puts right after the header.
    carried.sort_by_key(|c| &c.kind() == b"eXIf");
    let chunks = new.chunks_mut();
    if chunks.first().map(PngChunk::kind) != Some(*b"IHDR") {
        return Err(MetaError::Invalid {
            container: Container::Png,
            what: "the edited file does not start with IHDR".into(),
        });
    }
    chunks.splice(1..1, carried);
    let mut out = Vec::with_capacity(edited.len() + original.len() / 8);
    new.encoder().write_to(&mut out).map_err(MetaError::Io)?;
    Ok(out)
}
