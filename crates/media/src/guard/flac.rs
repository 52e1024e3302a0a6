//! FLAC: metadata blocks after any ID3 tags.

use std::io::{Read, Seek};

use super::{bad, Rule, Walk, Walker};

impl<R: Read + Seek> Walker<'_, R> {
    pub(super) fn flac(&mut self) -> Walk {
        // c2pa puts its manifest in an ID3v2 tag before `fLaC`.
        let mut off = self.id3_tags()? + 4;
        loop {
            self.count()?;
            let h: [u8; 4] = self.read_at(off)?;
            let len = u64::from(u32::from_be_bytes([0, h[1], h[2], h[3]]));
            if off + 4 + len > self.len {
                return bad(Some(off), Rule::FlacBlockPastEnd);
            }
            off += 4 + len;
            if h[0] & 0x80 != 0 {
                return Ok(());
            }
        }
    }
}
