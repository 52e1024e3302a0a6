//! PNG: the signature, then chunks whose lengths stay inside the file.

use std::io::{Read, Seek};

use super::{bad, Rule, Walk, Walker};

impl<R: Read + Seek> Walker<'_, R> {
    pub(super) fn png(&mut self) -> Walk {
        let mut off = 8u64;
        loop {
            self.count()?;
            let hdr: [u8; 8] = self.read_at(off)?;
            let len = u64::from(u32::from_be_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]));
            if len > 0x7FFF_FFFF {
                return bad(Some(off), Rule::PngLength);
            }
            let end = off + 12 + len;
            if end > self.len {
                return bad(
                    Some(off),
                    Rule::PngChunkPastEnd {
                        name: String::from_utf8_lossy(&hdr[4..8]).into_owned(),
                        length: len,
                    },
                );
            }
            if &hdr[4..8] == b"IEND" {
                return Ok(());
            }
            off = end;
        }
    }
}
