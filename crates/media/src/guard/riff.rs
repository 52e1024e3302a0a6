//! RIFF (WAV, WebP): chunks inside their parents, nested to a bounded depth.

use std::io::{Read, Seek};

use super::{bad, Rule, Walk, Walker};

impl<R: Read + Seek> Walker<'_, R> {
    pub(super) fn riff(&mut self) -> Walk {
        let hdr: [u8; 12] = self.read_at(0)?;
        let size = u64::from(u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]));
        // Some writers leave the RIFF size short or long; c2pa walks the
        // chunks up to the real end, so check against the file.
        let end = (8 + size).min(self.len);
        self.riff_chunks(12, end, 0)
    }

    pub(super) fn riff_chunks(&mut self, mut off: u64, end: u64, depth: u32) -> Walk {
        if depth > self.limits.max_depth {
            return bad(None, Rule::TooDeep);
        }
        while off + 8 <= end {
            self.count()?;
            let hdr: [u8; 8] = self.read_at(off)?;
            let size = u64::from(u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]));
            let body = off + 8;
            if body + size > end {
                return bad(
                    Some(off),
                    Rule::OutsideContainer {
                        name: String::from_utf8_lossy(&hdr[0..4]).into_owned(),
                        size,
                    },
                );
            }
            if &hdr[0..4] == b"LIST" && size >= 4 {
                self.riff_chunks(body + 4, body + size, depth + 1)?;
            }
            off = body + size + (size & 1);
        }
        Ok(())
    }
}
