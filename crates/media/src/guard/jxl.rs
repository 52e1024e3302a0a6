//! JPEG XL: a bare codestream, or ISO BMFF boxes.

use std::io::{Read, Seek};

use super::{Walk, Walker};

impl<R: Read + Seek> Walker<'_, R> {
    pub(super) fn jxl(&mut self) -> Walk {
        let head: [u8; 2] = self.read_at(0)?;
        if head == [0xFF, 0x0A] {
            return Ok(()); // bare codestream: no boxes to walk
        }
        self.bmff(0, self.len, 0)
    }
}
