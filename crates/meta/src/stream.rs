//! Walking a container's structure from a seekable source without loading
//! the file: headers and the small metadata bodies are read, pixel and
//! audio data are seeked past (or streamed through a checksum).

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

/// A buffered forward reader that knows how many bytes are left. Every read
/// is checked against that first, so a length field claiming more than the
/// file holds ends the walk (`None`) before anything is allocated for it.
/// `None` stands for every way a walk can end early — truncated, unreadable
/// — because the readers treat them all alike: no metadata from this file.
pub(crate) struct Walk<R> {
    r: BufReader<R>,
    left: u64,
}

impl<R: Read + Seek> Walk<R> {
    /// A walk over all of `src`, from its start, buffering `capacity` bytes.
    pub(crate) fn new(mut src: R, capacity: usize) -> Option<Self> {
        let len = src.seek(SeekFrom::End(0)).ok()?;
        src.seek(SeekFrom::Start(0)).ok()?;
        Some(Self {
            r: BufReader::with_capacity(capacity, src),
            left: len,
        })
    }

    /// Bytes not yet read.
    pub(crate) fn left(&self) -> u64 {
        self.left
    }

    fn claim(&mut self, n: u64) -> Option<()> {
        self.left = self.left.checked_sub(n)?;
        Some(())
    }

    /// The next `N` bytes.
    pub(crate) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.claim(N as u64)?;
        let mut buf = [0u8; N];
        self.r.read_exact(&mut buf).ok()?;
        Some(buf)
    }

    /// The next byte.
    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[b]| b)
    }

    /// The next `n` bytes, as a new buffer.
    pub(crate) fn take(&mut self, n: u64) -> Option<Vec<u8>> {
        self.claim(n)?;
        let mut buf = vec![0u8; usize::try_from(n).ok()?];
        self.r.read_exact(&mut buf).ok()?;
        Some(buf)
    }

    /// Steps over the next `n` bytes without reading them.
    pub(crate) fn skip(&mut self, n: u64) -> Option<()> {
        self.claim(n)?;
        self.r.seek_relative(i64::try_from(n).ok()?).ok()
    }

    /// Hands the next `n` bytes to `each` a buffer at a time, never holding
    /// more than the buffer (for checksums over image data).
    pub(crate) fn stream(&mut self, n: u64, mut each: impl FnMut(&[u8])) -> Option<()> {
        self.claim(n)?;
        let mut rest = n;
        while rest > 0 {
            let buf = self.r.fill_buf().ok()?;
            if buf.is_empty() {
                return None;
            }
            let k = usize::try_from(rest).map_or(buf.len(), |r| r.min(buf.len()));
            each(&buf[..k]);
            self.r.consume(k);
            rest -= k as u64;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    #[test]
    fn reads_are_checked_against_the_end() {
        let data = (0u8..100).collect::<Vec<_>>();
        let mut w = Walk::new(Cursor::new(&data), 16).unwrap();
        assert_eq!(w.array::<2>(), Some([0, 1]));
        w.skip(40).unwrap();
        assert_eq!(w.u8(), Some(42));
        let mut sum = 0u64;
        w.stream(50, |b| sum += b.iter().map(|&x| u64::from(x)).sum::<u64>())
            .unwrap();
        assert_eq!(sum, (43..93).sum::<u64>());
        assert_eq!(w.left(), 7);
        assert_eq!(w.take(8), None, "past the end");
        assert_eq!(w.take(7).unwrap(), (93..100).collect::<Vec<u8>>());
        assert_eq!(w.u8(), None);
        assert_eq!(w.skip(1), None);
        assert_eq!(w.stream(1, |_| {}), None);
    }

    #[test]
    fn huge_claims_allocate_nothing() {
        let mut w = Walk::new(Cursor::new(vec![0u8; 10]), 16).unwrap();
        assert_eq!(w.take(u64::MAX), None);
        assert_eq!(w.skip(u64::MAX), None);
        assert_eq!(w.left(), 10);
    }
}
