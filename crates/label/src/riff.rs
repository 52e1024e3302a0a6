//! The top-level chunks of a RIFF (WAV) file, for the two places tamga
//! edits WAV itself: the streamed C2PA chunk and the spliced audio notice.

use std::io::{Read, Seek, SeekFrom};

/// A top-level RIFF chunk: its id, where its body starts, its declared size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chunk {
    pub(crate) id: [u8; 4],
    pub(crate) body: u64,
    pub(crate) size: u64,
}

impl Chunk {
    /// Where the chunk's 8-byte header starts.
    pub(crate) fn header(&self) -> u64 {
        self.body - 8
    }

    /// Whether the declared size runs past `len`, the end of the file.
    pub(crate) fn overruns(&self, len: u64) -> bool {
        self.body + self.size > len
    }
}

/// The top-level chunks after the 12-byte RIFF header, in order. Sizes are
/// as declared; callers decide what an overrun means (the structural guard
/// has rejected them for files that got this far).
pub(crate) fn chunks<R: Read + Seek>(src: &mut R) -> std::io::Result<Vec<Chunk>> {
    let len = src.seek(SeekFrom::End(0))?;
    let mut out = Vec::new();
    let mut off = 12u64;
    let mut hdr = [0u8; 8];
    while off + 8 <= len {
        src.seek(SeekFrom::Start(off))?;
        src.read_exact(&mut hdr)?;
        let size = u64::from(u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]));
        out.push(Chunk {
            id: [hdr[0], hdr[1], hdr[2], hdr[3]],
            body: off + 8,
            size,
        });
        off += 8 + size + (size & 1);
    }
    Ok(out)
}
