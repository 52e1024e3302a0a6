//! Entry points for the fuzz targets in `fuzz/` and their stable replay in
//! `tamga-fuzzing` (the rustls pattern): thin wrappers over parsers that
//! are internal to this crate, so the harness can reach them without the
//! internals becoming API. Not for other uses; hidden from the docs and
//! free to change with the parsers.

use std::io::{Read, Seek};

/// Where the WAV stream labeller finds an existing C2PA chunk.
pub fn wav_c2pa_chunk<R: Read + Seek>(src: &mut R) -> std::io::Result<Option<(u64, u64)>> {
    crate::wav_signer::find_chunk(src)
}

/// Where the MP3 stream verifier finds the C2PA store in the ID3v2 tag.
pub fn mp3_c2pa_store<R: Read + Seek>(src: &mut R) -> std::io::Result<Option<(u64, u64)>> {
    crate::mp3_signer::find_store(src)
}
