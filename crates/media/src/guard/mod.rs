//! Structural pre-checks run before any untrusted file reaches c2pa's parsers.
//!
//! c2pa 0.90's container parsers trust length fields: a PNG chunk, RIFF
//! chunk, BMFF box, TIFF IFD or ID3 tag that claims more bytes than the file
//! holds, or that points back at itself, can make them over-allocate or
//! loop. Each walker here reads only headers, checks every length and offset
//! against its parent and the file, bounds nesting depth and element count,
//! and refuses the file with a one-line reason before c2pa sees it.
//! A watchdog ([`crate::watchdog`]) covers whatever slips past.

use std::io::{self, Read, Seek, SeekFrom};

use crate::{Container, MediaFormat};

mod bmff;
mod flac;
mod gif;
mod id3;
mod jpeg;
mod jxl;
mod png;
mod riff;
mod svg;
mod tiff;

/// Limits for the structural walk.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most structural elements (chunks, boxes, segments, IFD entries) in one file.
    pub max_elements: u64,
    /// Deepest nesting of boxes/chunks.
    pub max_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_elements: 1_000_000,
            max_depth: 32,
        }
    }
}

mod structure_error;

pub use structure_error::{Rule, StructureError};

/// Checks the structure of `r` (a whole file of `len` bytes) as `format`.
pub fn check<R: Read + Seek>(
    r: &mut R,
    len: u64,
    format: MediaFormat,
    limits: Limits,
) -> Result<(), StructureError> {
    let mut w = Walker {
        r,
        len,
        elements: 0,
        limits,
    };
    let result = match format.container() {
        Container::Png => w.png(),
        Container::Jpeg => w.jpeg(),
        Container::Riff => w.riff(),
        Container::Bmff => w.bmff(0, len, 0),
        Container::Jxl => w.jxl(),
        Container::Tiff => w.tiff(),
        Container::Gif => w.gif(),
        Container::Mpeg => w.id3(),
        Container::Flac => w.flac(),
        Container::Svg => w.svg(),
        // Text is checked as a whole (UTF-8, wrapper) when it is read.
        Container::Ogg
        | Container::Matroska
        | Container::Adts
        | Container::Bmp
        | Container::Text => Ok(()),
    };
    result.map_err(|e| {
        let (offset, rule) = match e {
            WalkError::Bad(offset, rule) => (offset, rule),
            WalkError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => (None, Rule::Truncated),
            WalkError::Io(e) => (None, Rule::Read(e)),
        };
        StructureError {
            format,
            offset,
            rule,
        }
    })
}

enum WalkError {
    Bad(Option<u64>, Rule),
    Io(io::Error),
}

impl From<io::Error> for WalkError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

type Walk = Result<(), WalkError>;

fn bad<T>(offset: Option<u64>, rule: Rule) -> Result<T, WalkError> {
    Err(WalkError::Bad(offset, rule))
}

struct Walker<'a, R> {
    r: &'a mut R,
    len: u64,
    elements: u64,
    limits: Limits,
}

impl<R: Read + Seek> Walker<'_, R> {
    fn read_at<const N: usize>(&mut self, off: u64) -> Result<[u8; N], WalkError> {
        if off.checked_add(N as u64).is_none_or(|end| end > self.len) {
            return bad(Some(off), Rule::HeaderPastEnd);
        }
        self.r.seek(SeekFrom::Start(off))?;
        let mut buf = [0u8; N];
        self.r.read_exact(&mut buf)?;
        Ok(buf)
    }

    fn count(&mut self) -> Walk {
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return bad(
                None,
                Rule::TooManyElements {
                    max: self.limits.max_elements,
                },
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn run(bytes: &[u8], f: MediaFormat) -> Result<(), StructureError> {
        check(
            &mut Cursor::new(bytes),
            bytes.len() as u64,
            f,
            Limits::default(),
        )
    }

    #[test]
    fn png_chunk_past_end_is_refused() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&0x7000_0000u32.to_be_bytes());
        png.extend_from_slice(b"caBX");
        png.extend_from_slice(&[0; 16]);
        let err = run(&png, MediaFormat::Png).unwrap_err();
        assert!(
            matches!(&err.rule, Rule::PngChunkPastEnd { name, .. } if name == "caBX"),
            "{err:?}"
        );
        assert!(err.to_string().contains("past the end"), "{err}");
    }

    #[test]
    fn bmff_box_smaller_than_header_is_refused() {
        let mut f = vec![0, 0, 0, 4];
        f.extend_from_slice(b"ftyp");
        f.extend_from_slice(&[0; 8]);
        assert!(run(&f, MediaFormat::M4a).is_err());
    }

    #[test]
    fn tiff_ifd_loop_is_refused() {
        // II*\0, IFD at 8 with 0 entries whose next-IFD points back at 8.
        let mut t = b"II*\0\x08\0\0\0".to_vec();
        t.extend_from_slice(&[0, 0]);
        t.extend_from_slice(&8u32.to_le_bytes());
        let err = run(&t, MediaFormat::Tiff).unwrap_err();
        assert!(matches!(err.rule, Rule::TiffLoop), "{err:?}");
    }

    #[test]
    fn riff_chunk_past_end_is_refused() {
        let mut w = b"RIFF\x24\0\0\0WAVE".to_vec();
        w.extend_from_slice(b"data");
        w.extend_from_slice(&0xFFFF_FF00u32.to_le_bytes());
        w.extend_from_slice(&[0; 16]);
        assert!(run(&w, MediaFormat::Wav).is_err());
    }

    #[test]
    fn id3_frame_past_tag_is_refused() {
        let mut m = b"ID3\x03\0\0\0\0\0\x14".to_vec(); // tag size 20
        m.extend_from_slice(b"TXXX");
        m.extend_from_slice(&1000u32.to_be_bytes());
        m.extend_from_slice(&[0; 2]);
        m.extend_from_slice(&[0; 10]);
        assert!(run(&m, MediaFormat::Mp3).is_err());
    }

    /// SOI, a scan header, then `entropy`.
    fn jpeg_with_scan(entropy: &[u8]) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02];
        j.extend_from_slice(entropy);
        j
    }

    #[test]
    fn the_jpeg_scan_is_searched_for_the_next_marker_across_buffers() {
        // 100 KB of entropy data (more than the read buffer) with stuffed
        // bytes, a restart marker and fill bytes, then a comment segment
        // whose length runs past the end: it must be found and refused.
        let mut entropy = vec![0x11; 100_000];
        entropy.extend_from_slice(&[0xFF, 0x00, 0x22, 0xFF, 0xD3, 0x33, 0xFF, 0xFF]);
        entropy.extend_from_slice(&[0xFE, 0x00, 0x40, 0x44]);
        let err = run(&jpeg_with_scan(&entropy), MediaFormat::Jpeg).unwrap_err();
        assert!(
            matches!(err.rule, Rule::JpegSegmentPastEnd { marker: 0xFE }),
            "{err:?}"
        );
        assert!(err.to_string().contains("0xFFFE"), "{err}");
        // The same scan ended by EOI, or by the end of the file, is fine.
        entropy.truncate(100_008);
        entropy.extend_from_slice(&[0xD9]);
        assert!(run(&jpeg_with_scan(&entropy), MediaFormat::Jpeg).is_ok());
        entropy.truncate(100_000);
        entropy.push(0xFF);
        assert!(run(&jpeg_with_scan(&entropy), MediaFormat::Jpeg).is_ok());
    }

    #[test]
    fn a_cut_jpeg_is_judged_without_panicking() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/sample.jpg");
        let jpeg = std::fs::read(path).unwrap();
        assert!(run(&jpeg, MediaFormat::Jpeg).is_ok());
        for cut in (0..jpeg.len()).step_by(97) {
            let _ = run(&jpeg[..cut], MediaFormat::Jpeg);
        }
    }
}
