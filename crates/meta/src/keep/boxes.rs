//! ISO BMFF (HEIF, AVIF, MP4, M4A) and JPEG XL: metadata boxes.

use std::io::{Read, Seek, SeekFrom, Write};

use crate::{
    boxes::{body, put_box, top_level, BoxAt, JXL_CODESTREAM, JXL_SIGNATURE},
    Container, MetaError, Role,
};

/// C2PA's manifest store box UUID, `D8FEC3D6-1B0E-483C-9297-5828877EC481`.
const C2PA_UUID: [u8; 16] = [
    0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81,
];

/// The UUID of a top-level `uuid` box (XMP's and any private one), but not
/// C2PA's: those are the metadata a BMFF file keeps at the top level.
fn uuid_of<R: Read + Seek>(src: &mut R, b: &BoxAt) -> Option<[u8; 16]> {
    if &b.kind != b"uuid" || b.end - b.body < 16 {
        return None;
    }
    let mut id = [0u8; 16];
    src.seek(SeekFrom::Start(b.body)).ok()?;
    src.read_exact(&mut id).ok()?;
    (id != C2PA_UUID).then_some(id)
}

/// Appends to `edited` every top-level `uuid` box of `original` whose UUID
/// it lacks. Appending moves nothing, so every absolute offset (`stco`,
/// `iloc`) in the edited file stays valid.
pub fn carry_over_bmff<R: Read + Seek, F: Read + Write + Seek>(
    original: &mut R,
    edited: &mut F,
) -> Result<(), MetaError> {
    let old = top_level(original)?;
    let new = top_level(edited)?;
    let present: Vec<[u8; 16]> = new.iter().filter_map(|b| uuid_of(edited, b)).collect();
    let carried: Vec<BoxAt> = old
        .into_iter()
        .filter(|b| uuid_of(original, b).is_some_and(|id| !present.contains(&id)))
        .collect();
    if carried.is_empty() {
        return Ok(());
    }
    close_last_box(edited, &new)?;
    super::end(edited)?;
    for b in carried {
        original.seek(SeekFrom::Start(b.start))?;
        super::copy_exact(original, edited, b.end - b.start)?;
    }
    Ok(())
}

/// A last box "to the end of the file" would swallow what is appended:
/// give it its real size, in the same four bytes.
fn close_last_box<F: Write + Seek>(f: &mut F, boxes: &[BoxAt]) -> Result<(), MetaError> {
    let Some(last) = boxes.last().filter(|b| b.to_end) else {
        return Ok(());
    };
    let size = u32::try_from(last.end - last.start).map_err(|_| {
        MetaError::too_large(
            "the last box, running to the end of the file (no box can be appended \
             after it unless its size fits 4 bytes),",
            last.end - last.start,
            u32::MAX.into(),
        )
    })?;
    f.seek(SeekFrom::Start(last.start))?;
    f.write_all(&size.to_be_bytes())?;
    Ok(())
}

/// A JPEG XL box worth carrying: EXIF, XMP, or either Brotli-compressed.
fn jxl_kind(src: &mut std::io::Cursor<&[u8]>, b: &BoxAt) -> Option<[u8; 4]> {
    match &b.kind {
        b"Exif" | b"xml " => Some(b.kind),
        b"brob" => {
            let inner: [u8; 4] = body(src, b).ok()?.get(..4)?.try_into().ok()?;
            matches!(&inner, b"Exif" | b"xml ").then_some(inner)
        }
        _ => None,
    }
}

/// `edited` with the EXIF and XMP boxes of `original` it lacks appended; a
/// bare codestream is first put in the container format, the only one
/// that carries metadata.
pub(super) fn carry_jxl(original: &[u8], edited: &[u8]) -> Result<Vec<u8>, MetaError> {
    if !original.starts_with(&JXL_SIGNATURE) {
        return Ok(edited.to_vec());
    }
    let mut src = std::io::Cursor::new(original);
    let old = top_level(&mut src)?;
    let mut out = Vec::with_capacity(edited.len() + 4096);
    let present: Vec<[u8; 4]> = if edited.starts_with(&JXL_CODESTREAM) {
        out.extend_from_slice(&JXL_SIGNATURE);
        put_box(&mut out, b"ftyp", &[b"jxl ", &[0, 0, 0, 0], b"jxl "])?;
        put_box(&mut out, b"jxlc", &[edited])?;
        Vec::new()
    } else if edited.starts_with(&JXL_SIGNATURE) {
        let mut cursor = std::io::Cursor::new(edited);
        let new = top_level(&mut cursor)?;
        let present = new
            .iter()
            .filter_map(|b| jxl_kind(&mut cursor, b))
            .collect();
        let mut body = std::io::Cursor::new(edited.to_vec());
        close_last_box(&mut body, &new)?;
        out = body.into_inner();
        present
    } else {
        return Err(MetaError::NotContainer {
            container: Container::Jxl,
            role: Role::Edited,
        });
    };
    for b in &old {
        if jxl_kind(&mut src, b).is_some_and(|k| !present.contains(&k)) {
            let (s, e) = (usize_of(b.start)?, usize_of(b.end)?);
            out.extend_from_slice(original.get(s..e).unwrap_or_default());
        }
    }
    Ok(out)
}

fn usize_of(x: u64) -> Result<usize, MetaError> {
    usize::try_from(x).map_err(|_| MetaError::too_large("a box's offset", x, usize::MAX as u64))
}
