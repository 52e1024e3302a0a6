//! GIF: blocks and their sub-block chains.

use std::io::{Read, Seek};

use super::{bad, Rule, Walk, WalkError, Walker};

impl<R: Read + Seek> Walker<'_, R> {
    pub(super) fn gif(&mut self) -> Walk {
        let lsd: [u8; 13] = self.read_at(0)?;
        let mut off = 13u64;
        if lsd[10] & 0x80 != 0 {
            off += 3 << ((lsd[10] & 7) + 1);
        }
        loop {
            self.count()?;
            let [b]: [u8; 1] = self.read_at(off)?;
            match b {
                0x3B => return Ok(()),
                0x21 => off = self.gif_sub_blocks(off + 2)?,
                0x2C => {
                    let d: [u8; 10] = self.read_at(off)?;
                    off += 10;
                    if d[9] & 0x80 != 0 {
                        off += 3 << ((d[9] & 7) + 1);
                    }
                    off = self.gif_sub_blocks(off + 1)?;
                }
                other => return bad(Some(off), Rule::UnknownGifBlock { tag: other }),
            }
        }
    }

    pub(super) fn gif_sub_blocks(&mut self, mut off: u64) -> Result<u64, WalkError> {
        loop {
            self.count()?;
            let [n]: [u8; 1] = self.read_at(off)?;
            off += 1 + u64::from(n);
            if n == 0 {
                return Ok(off);
            }
            if off > self.len {
                return bad(None, Rule::GifDataPastEnd);
            }
        }
    }
}
