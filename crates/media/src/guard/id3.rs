//! ID3v2 tags in front of MP3 (and FLAC): frames inside their tag.

use std::io::{Read, Seek};

use super::{bad, Rule, Walk, WalkError, Walker};

impl<R: Read + Seek> Walker<'_, R> {
    pub(super) fn id3(&mut self) -> Walk {
        self.id3_tags().map(|_| ())
    }

    /// Checks the ID3v2 tags at the start; returns where they end.
    pub(super) fn id3_tags(&mut self) -> Result<u64, WalkError> {
        let mut off = 0u64;
        // Several ID3v2 tags may be stacked at the start.
        loop {
            let h: [u8; 10] = match self.read_at(off) {
                Ok(h) => h,
                Err(_) => return Ok(off),
            };
            let Some(tag) = tamga_meta::Id3v2Header::parse(&h) else {
                return Ok(off);
            };
            self.count()?;
            if !tag.size_is_synchsafe {
                return bad(Some(off), Rule::Id3Size);
            }
            let size = tag.body_len;
            // Frames live in the body; the tag (with any footer) ends later.
            let end = off + 10 + size;
            let tag_end = off + tag.tag_len();
            if tag_end > self.len {
                return bad(Some(off), Rule::Id3TagPastEnd { size });
            }
            let major = tag.major;
            let mut f = off + 10;
            while f + 10 <= end && major >= 3 {
                self.count()?;
                let fh: [u8; 10] = self.read_at(f)?;
                if fh[0] == 0 {
                    break; // padding
                }
                let fs = if major == 4 {
                    fh[4..8]
                        .iter()
                        .fold(0u64, |a, b| (a << 7) | u64::from(b & 0x7F))
                } else {
                    u64::from(u32::from_be_bytes([fh[4], fh[5], fh[6], fh[7]]))
                };
                if f + 10 + fs > end {
                    return bad(
                        Some(f),
                        Rule::Id3FramePastTag {
                            name: String::from_utf8_lossy(&fh[0..4]).into_owned(),
                        },
                    );
                }
                f += 10 + fs;
            }
            off = tag_end;
        }
    }
}
