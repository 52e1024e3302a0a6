//! ISO BMFF (HEIC, AVIF, M4A, MP4): boxes inside their parents, nested to a bounded depth.

use std::io::{Read, Seek};

use super::{bad, Rule, Walk, Walker};

impl<R: Read + Seek> Walker<'_, R> {
    pub(super) fn bmff(&mut self, mut off: u64, end: u64, depth: u32) -> Walk {
        if depth > self.limits.max_depth {
            return bad(None, Rule::TooDeep);
        }
        while off + 8 <= end {
            self.count()?;
            let hdr: [u8; 8] = self.read_at(off)?;
            let mut size = u64::from(u32::from_be_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]));
            let typ = [hdr[4], hdr[5], hdr[6], hdr[7]];
            let mut header = 8;
            if size == 1 {
                size = u64::from_be_bytes(self.read_at(off + 8)?);
                header = 16;
            } else if size == 0 {
                size = end - off;
            }
            if size < header || off.checked_add(size).is_none_or(|e| e > end) {
                return bad(
                    Some(off),
                    Rule::OutsideContainer {
                        name: String::from_utf8_lossy(&typ).into_owned(),
                        size,
                    },
                );
            }
            let body = off + header;
            match &typ {
                b"moov" | b"trak" | b"mdia" | b"minf" | b"stbl" | b"dinf" | b"edts" | b"udta"
                | b"mvex" | b"moof" | b"traf" | b"iprp" | b"ipco" | b"sinf" | b"schi" => {
                    self.bmff(body, off + size, depth + 1)?
                }
                // ISO's `meta` is a full box: 4 bytes of version and flags
                // first. Apple's QuickTime `meta` (`moov/meta`, with
                // `keys`, in every iPhone video) is not: its `hdlr` starts
                // right away.
                b"meta" if size >= header + 8 => {
                    let first: [u8; 8] = self.read_at(body)?;
                    let skip = if &first[4..8] == b"hdlr" { 0 } else { 4 };
                    self.bmff(body + skip, off + size, depth + 1)?
                }
                _ => {}
            }
            off += size;
        }
        Ok(())
    }
}
