//! Entry points for the fuzz targets in `fuzz/` and their stable replay in
//! `tamga-fuzzing` (the rustls pattern): thin wrappers over parsers that
//! are internal to this crate, so the harness can reach them without the
//! internals becoming API. Not for other uses; hidden from the docs and
//! free to change with the parsers.

use std::io::{Read, Seek};

use crate::{
    images::{svg_writer, SvgError},
    NoticePosition,
};

/// What the SVG badge inserter made of `input`: the badged file or why it
/// refused. Uses the default kk/ru/en notice wording.
pub fn svg_badge(input: &[u8]) -> Result<Vec<u8>, SvgError> {
    let words = ["ЖИ жасаған", "Создано ИИ", "AI-generated"];
    let candidates = vec![
        vec![words.join(" · ")],
        words.iter().map(|s| s.to_string()).collect(),
        vec!["AI".into()],
    ];
    svg_writer::apply(input, &candidates, NoticePosition::BottomRight).map(|b| b.bytes)
}

/// The SVG root parser alone: the root's qualified name, its viewBox, and
/// the byte range of its closing tag.
pub fn svg_root(input: &[u8]) -> Result<SvgRoot, SvgError> {
    svg_writer::parse_root(input).map(|r| SvgRoot {
        name: r.name,
        view_box: r.view_box,
        close: r.close,
    })
}

/// What [`svg_root`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct SvgRoot {
    /// `svg` or `prefix:svg`.
    pub name: String,
    /// The parsed `viewBox`, if any.
    pub view_box: Option<[f64; 4]>,
    /// Byte range of the closing tag (or of a self-closing root's `/>`).
    pub close: (usize, usize),
}

/// The FLAC metadata blocks the FLAC notice keeps, as (type, body).
pub fn flac_kept_blocks<R: Read + Seek>(
    src: &mut R,
) -> Result<Vec<(u8, Vec<u8>)>, crate::NoticeError> {
    crate::audio::flac::metadata_blocks(src)
}
