//! Keeping the input's metadata through a notice. The notice re-encodes
//! the media, and encoders write back only part of what a file carried;
//! tamga-meta copies every other metadata block of the input into the
//! re-encoded file, so a label or a publication removes nothing but what
//! the notice had to change.

use std::{
    fs::File,
    io::{Seek, SeekFrom},
    path::Path,
};

use crate::{xmp_aigc, LabelError, MediaFormat};

fn fail(path: &Path, e: tamga_meta::MetaError) -> LabelError {
    match e {
        tamga_meta::MetaError::Io(e) => LabelError::io(path, e),
        other => LabelError::Metadata {
            path: path.into(),
            source: Box::new(crate::MetadataError::Keep(other)),
        },
    }
}

/// `edited` (the notice's re-encoding of `original`) with the metadata of
/// `original` it lost.
pub(crate) fn carry_over(
    format: MediaFormat,
    original: &[u8],
    edited: Vec<u8>,
    path: &Path,
) -> Result<Vec<u8>, LabelError> {
    match xmp_aigc::container(format) {
        Some(container) => {
            tamga_meta::carry_over(container, original, &edited).map_err(|e| fail(path, e))
        }
        None => Ok(edited),
    }
}

/// The streamed form for audio and video notices: the metadata boxes of an
/// ISO BMFF `original` (M4A, MP4) that `edited` lost are appended to it.
/// The other audio notices copy their tags themselves.
pub(crate) fn carry_over_file(
    format: MediaFormat,
    original: &mut File,
    edited: &mut File,
    path: &Path,
) -> Result<(), LabelError> {
    if !matches!(format, MediaFormat::M4a | MediaFormat::Mp4) {
        return Ok(());
    }
    let io = |e| LabelError::io(path, e);
    tamga_meta::carry_over_bmff(original, edited).map_err(|e| fail(path, e))?;
    original.seek(SeekFrom::Start(0)).map_err(io)?;
    edited.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(())
}

/// The media in `source` with its HEIF item locations rewritten so that
/// c2pa, inserting its manifest box, moves each of them once
/// ([`tamga_meta::rebase_item_locations`]): otherwise the EXIF and XMP
/// items exiftool and cameras write point past their data once signed.
/// None when nothing needs it (and then `source` is rewound).
pub(crate) fn rebase_item_locations(
    format: MediaFormat,
    source: &mut File,
    path: &Path,
) -> Result<Option<File>, LabelError> {
    if !format.is_bmff() {
        return Ok(None);
    }
    let io = |e| LabelError::io(path, e);
    let mut out = tempfile::tempfile().map_err(io)?;
    let changed = tamga_meta::rebase_item_locations(source, &mut out).map_err(|e| fail(path, e))?;
    source.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(changed.then_some(out))
}
