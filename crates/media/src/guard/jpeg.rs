//! JPEG: marker segments, and the entropy-coded scans searched for the next marker.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

use super::{bad, Rule, Walk, WalkError, Walker};

impl<R: Read + Seek> Walker<'_, R> {
    pub(super) fn jpeg(&mut self) -> Walk {
        self.r.seek(SeekFrom::Start(0))?;
        let mut r = BufReader::with_capacity(64 * 1024, &mut *self.r);
        let mut pos = 0u64;
        let mut byte = [0u8; 1];
        let mut next =
            |r: &mut BufReader<&mut R>, pos: &mut u64| -> Result<Option<u8>, WalkError> {
                match r.read(&mut byte)? {
                    0 => Ok(None),
                    _ => {
                        *pos += 1;
                        Ok(Some(byte[0]))
                    }
                }
            };
        // SOI
        next(&mut r, &mut pos)?;
        next(&mut r, &mut pos)?;
        let mut elements = 0u64;
        loop {
            // Find the next marker: 0xFF followed by a non-fill, non-zero byte.
            let Some(b) = next(&mut r, &mut pos)? else {
                return Ok(());
            };
            if b != 0xFF {
                return bad(Some(pos - 1), Rule::JpegMarkerExpected);
            }
            let mut m = 0xFF;
            while m == 0xFF {
                match next(&mut r, &mut pos)? {
                    Some(x) => m = x,
                    None => return Ok(()),
                }
            }
            elements += 1;
            if elements > self.limits.max_elements {
                return bad(None, Rule::TooManyJpegSegments);
            }
            match m {
                0xD9 => return Ok(()),
                0x01 | 0xD0..=0xD7 => continue,
                _ => {}
            }
            let (Some(hi), Some(lo)) = (next(&mut r, &mut pos)?, next(&mut r, &mut pos)?) else {
                return bad(None, Rule::JpegHeaderTruncated);
            };
            let seg = u64::from(u16::from_be_bytes([hi, lo]));
            if seg < 2 {
                return bad(Some(pos - 4), Rule::JpegSegmentLength { length: seg });
            }
            if pos + seg - 2 > self.len {
                return bad(Some(pos - 4), Rule::JpegSegmentPastEnd { marker: m });
            }
            r.seek_relative((seg - 2) as i64)?;
            pos += seg - 2;
            if m == 0xDA {
                // Entropy-coded data: skip to the next real marker. The
                // scan is most of the file, so 0xFF is searched for a
                // buffer at a time (memchr) rather than byte by byte,
                // which took a fifth of `tamga check`'s time on JPEGs.
                loop {
                    let buf = r.fill_buf()?;
                    if buf.is_empty() {
                        return Ok(());
                    }
                    let Some(at) = memchr::memchr(0xFF, buf) else {
                        let skipped = buf.len();
                        r.consume(skipped);
                        pos += skipped as u64;
                        continue;
                    };
                    // Past the 0xFF.
                    r.consume(at + 1);
                    pos += at as u64 + 1;
                    let Some(n) = next(&mut r, &mut pos)? else {
                        return Ok(());
                    };
                    if n == 0x00 || (0xD0..=0xD7).contains(&n) || n == 0xFF {
                        if n == 0xFF {
                            r.seek_relative(-1)?;
                            pos -= 1;
                        }
                        continue;
                    }
                    r.seek_relative(-2)?;
                    pos -= 2;
                    break;
                }
            }
        }
    }
}
