//! Carrying a file's metadata over to a re-encoded copy of it.
//!
//! A notice re-encodes the pixels, and encoders write back only what they
//! understand (at best EXIF and the ICC profile): XMP, IPTC-IIM, Photoshop
//! resources, comments, text chunks and private blocks would be lost. Here
//! every metadata block of the original whose kind the edited file lacks is
//! copied over byte for byte, so the encoder's own blocks (which describe
//! the new encoding) win, and nothing the producer wrote disappears.
//!
//! What is never carried: blocks that describe the old encoding (JFIF,
//! Adobe's colour transform, PNG's transparency and significant bits, WebP's
//! frame chunks), blocks holding offsets into the old file (the JPEG
//! multi-picture index, Apple's `iDOT`), and the C2PA manifest store, which
//! the new manifest replaces and keeps as its parent ingredient.

mod boxes;
mod gif;
mod jpeg;
mod png;
mod tiff;
mod webp;

use std::io::{Read, Seek, Write};

use crate::{Container, MetaError};

pub use boxes::carry_over_bmff;

/// `edited` (a re-encoding of `original`) with every metadata block of
/// `original` it lacks copied over. Containers whose editors keep metadata
/// themselves (SVG, Markdown, the audio formats) come back unchanged; ISO
/// BMFF files are edited in memory here, [`carry_over_bmff`] streams them.
pub fn carry_over(
    container: Container,
    original: &[u8],
    edited: &[u8],
) -> Result<Vec<u8>, MetaError> {
    match container {
        Container::Jpeg => jpeg::carry(original, edited),
        Container::Png => png::carry(original, edited),
        Container::Webp => webp::carry(original, edited),
        Container::Gif => gif::carry(original, edited),
        Container::Tiff => tiff::carry(original, edited),
        Container::Jxl => boxes::carry_jxl(original, edited),
        Container::Bmff => {
            let mut out = std::io::Cursor::new(edited.to_vec());
            carry_over_bmff(&mut std::io::Cursor::new(original), &mut out)?;
            Ok(out.into_inner())
        }
        Container::Svg
        | Container::Wav
        | Container::Mp3
        | Container::Flac
        | Container::Ogg
        | Container::Markdown => Ok(edited.to_vec()),
    }
}

/// Kinds already present in the edited file, and a filter for the blocks
/// of the original to carry: those of a kind the edited file lacks.
fn missing<'a, T, K: PartialEq>(
    original: &'a [T],
    edited: &[T],
    kind: impl Fn(&T) -> Option<K>,
) -> Vec<&'a T> {
    let present: Vec<K> = edited.iter().filter_map(&kind).collect();
    original
        .iter()
        .filter(|b| kind(b).is_some_and(|k| !present.contains(&k)))
        .collect()
}

/// Copies `len` bytes from `src` at its position to `out`.
fn copy_exact<R: Read, W: Write>(src: &mut R, out: &mut W, len: u64) -> Result<(), MetaError> {
    let copied = std::io::copy(&mut src.take(len), out)?;
    if copied != len {
        return Err(MetaError::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the original file ended early",
        )));
    }
    Ok(())
}

/// Seeks `f` to its end; returns that offset.
fn end<S: Seek>(f: &mut S) -> Result<u64, MetaError> {
    Ok(f.seek(std::io::SeekFrom::End(0))?)
}

#[cfg(test)]
mod tests;
