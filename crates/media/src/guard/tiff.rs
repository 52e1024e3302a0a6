//! TIFF: IFD chains with loops and out-of-file offsets refused.

use std::io::{Read, Seek};

use super::{bad, Rule, Walk, Walker};

impl<R: Read + Seek> Walker<'_, R> {
    pub(super) fn tiff(&mut self) -> Walk {
        let hdr: [u8; 8] = self.read_at(0)?;
        let le = &hdr[0..2] == b"II";
        let u16_ = |b: [u8; 2]| {
            if le {
                u16::from_le_bytes(b)
            } else {
                u16::from_be_bytes(b)
            }
        };
        let u32_ = |b: [u8; 4]| {
            if le {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            }
        };
        let mut pending = vec![u64::from(u32_([hdr[4], hdr[5], hdr[6], hdr[7]]))];
        let mut seen = std::collections::HashSet::new();
        while let Some(ifd) = pending.pop() {
            if ifd == 0 {
                continue;
            }
            if !seen.insert(ifd) {
                return bad(Some(ifd), Rule::TiffLoop);
            }
            if seen.len() > 10_000 {
                return bad(None, Rule::TooManyTiffDirectories);
            }
            let n = u64::from(u16_(self.read_at(ifd)?));
            if ifd + 2 + n * 12 + 4 > self.len {
                return bad(Some(ifd), Rule::TiffDirectoryPastEnd);
            }
            for i in 0..n {
                self.count()?;
                let e: [u8; 12] = self.read_at(ifd + 2 + i * 12)?;
                let tag = u16_([e[0], e[1]]);
                let typ = u16_([e[2], e[3]]);
                let count = u64::from(u32_([e[4], e[5], e[6], e[7]]));
                let value = u64::from(u32_([e[8], e[9], e[10], e[11]]));
                let unit: u64 = match typ {
                    1 | 2 | 6 | 7 => 1,
                    3 | 8 => 2,
                    4 | 9 | 11 | 13 => 4,
                    5 | 10 | 12 => 8,
                    _ => 1,
                };
                let bytes = unit.saturating_mul(count);
                if bytes > 4 && value.saturating_add(bytes) > self.len {
                    return bad(Some(ifd), Rule::TiffTagPastEnd { tag });
                }
                // Sub-IFDs and the EXIF / GPS / interop directories.
                if matches!(tag, 330 | 34665 | 34853 | 40965) && bytes <= 4 {
                    pending.push(value);
                }
            }
            let next: [u8; 4] = self.read_at(ifd + 2 + n * 12)?;
            pending.push(u64::from(u32_(next)));
        }
        Ok(())
    }
}
