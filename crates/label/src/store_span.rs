//! Where a file's manifest store sits, byte for byte, as each format's C2PA
//! embedding defines it: the range a `c2pa.hash.data` exclusion must equal.
//!
//! c2pa 0.90 writes these ranges when it signs but keeps its locators
//! private, so the few lines each format needs are here. Each locator
//! returns the same range c2pa's own writer excludes (its
//! `HashBlockObjectType::Cai` span), so tamga's labels and every other
//! c2pa-based tool's pass unchanged.

use memchr::memmem;

/// The store's place in a file: the range to exclude, and any other small
/// range the format's embedding also excludes (TIFF's entry count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoreSpan {
    /// (start, length) of the store with its format framing.
    pub(crate) range: (u64, u64),
    /// Other ranges the embedding itself excludes.
    pub(crate) also: Vec<(u64, u64)>,
}

impl StoreSpan {
    fn only(start: usize, len: usize) -> Self {
        Self {
            range: (start as u64, len as u64),
            also: Vec::new(),
        }
    }
}

/// JPEG: every APP11 segment of the C2PA JUMBF box, from the first one's
/// marker to the end of the last one (C2PA §A.3.1; the box may span many
/// segments, each repeating the box header).
pub(crate) fn jpeg(bytes: &[u8]) -> Option<StoreSpan> {
    let mut off = 2usize;
    let mut instance: Option<[u8; 2]> = None;
    let (mut first, mut end) = (None, 0usize);
    while off + 4 <= bytes.len() && bytes.get(off) == Some(&0xFF) {
        let marker = bytes[off + 1];
        if marker == 0xFF {
            off += 1; // fill byte
            continue;
        }
        if marker == 0xD8 || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            off += 2;
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            break; // entropy-coded data: no more metadata segments
        }
        let len = usize::from(u16::from_be_bytes([bytes[off + 2], bytes[off + 3]]));
        let seg_end = off + 2 + len;
        let payload = bytes.get(off + 4..seg_end.min(bytes.len()))?;
        if marker == 0xEB && payload.starts_with(b"JP") && payload.len() >= 16 {
            let en = [payload[2], payload[3]];
            let is_c2pa_start = &payload[12..16] == b"jumb" && jumd_label_is_c2pa(&payload[8..]);
            match instance {
                None if is_c2pa_start => {
                    instance = Some(en);
                    first = Some(off);
                    end = seg_end;
                }
                Some(i) if i == en => end = seg_end,
                _ => {}
            }
        }
        off = seg_end;
    }
    first.map(|f| StoreSpan::only(f, end - f))
}

/// Whether a JUMBF superbox (starting at its LBox) is the C2PA store: its
/// description box's label is `c2pa`.
fn jumd_label_is_c2pa(jumb: &[u8]) -> bool {
    // LBox TBox("jumb") | LBox TBox("jumd") UUID(16) toggles(1) label…
    jumb.get(12..16) == Some(b"jumd") && jumb.get(33..38) == Some(b"c2pa\0")
}

/// PNG: the whole `caBX` chunk, length, type, data and CRC (§A.3.3).
pub(crate) fn png(bytes: &[u8]) -> Option<StoreSpan> {
    let mut off = 8usize;
    while off + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[off..off + 4].try_into().ok()?) as usize;
        let kind = &bytes[off + 4..off + 8];
        let total = 12usize.checked_add(len)?;
        if kind == b"caBX" {
            return Some(StoreSpan::only(off, total));
        }
        if kind == b"IEND" {
            return None;
        }
        off = off.checked_add(total)?;
    }
    None
}

/// RIFF (WebP, WAV): the top-level `C2PA` chunk with its 8-byte header,
/// without a pad byte (§A.3.6; what c2pa excludes).
pub(crate) fn riff(bytes: &[u8]) -> Option<StoreSpan> {
    let chunks = tamga_meta::riff::chunks(&mut std::io::Cursor::new(bytes)).ok()?;
    let c = chunks.into_iter().find(|c| &c.id == b"C2PA")?;
    Some(StoreSpan {
        range: (c.header(), 8 + c.size),
        also: Vec::new(),
    })
}

/// GIF: the `C2PA_GIF` application extension, from its introducer to its
/// block terminator (§A.3.5).
pub(crate) fn gif(bytes: &[u8]) -> Option<StoreSpan> {
    let start = memmem::find(bytes, b"\x21\xFF\x0BC2PA_GIF")?;
    // introducer, label, block size 11, identifier (8) and code (3)
    let mut off = start + 14;
    loop {
        let n = usize::from(*bytes.get(off)?);
        off += 1 + n;
        if n == 0 {
            break;
        }
    }
    (off <= bytes.len()).then(|| StoreSpan::only(start, off - start))
}

/// Formats where the store's bytes sit in the file as one run: ID3 GEOB
/// frame data (MP3, and FLAC as c2pa 0.90 writes it), a JPEG XL `jumb`
/// box, a TIFF tag's value. The run itself is what is excluded.
pub(crate) fn raw(bytes: &[u8], store: &[u8]) -> Option<StoreSpan> {
    let at = memmem::find(bytes, store)?;
    Some(StoreSpan::only(at, store.len()))
}

/// TIFF: the tag's value (the store) and, separately, the tag entry's
/// count field (§A.3.4), a 4-byte (8 in BigTIFF) integer equal to the
/// store's length; `exclusions` are searched for it because its place
/// depends on the IFD layout.
pub(crate) fn tiff(bytes: &[u8], store: &[u8], exclusions: &[(u64, u64)]) -> Option<StoreSpan> {
    let mut span = raw(bytes, store)?;
    let little = bytes.starts_with(b"II");
    for &(start, len) in exclusions {
        let Some(field) = usize::try_from(start)
            .ok()
            .and_then(|s| bytes.get(s..s.checked_add(len as usize)?))
        else {
            continue;
        };
        let value = match (field.len(), little) {
            (4, true) => field.try_into().map(u32::from_le_bytes).map(u64::from).ok(),
            (4, false) => field.try_into().map(u32::from_be_bytes).map(u64::from).ok(),
            (8, true) => field.try_into().map(u64::from_le_bytes).ok(),
            (8, false) => field.try_into().map(u64::from_be_bytes).ok(),
            _ => None,
        };
        if value == Some(store.len() as u64) {
            span.also.push((start, len));
        }
    }
    Some(span)
}

/// SVG: the store's base64 text inside its `c2pa:manifest` element.
pub(crate) fn svg(bytes: &[u8], store: &[u8]) -> Option<StoreSpan> {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(store);
    raw(bytes, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app11(en: u8, seq: u8, body: &[u8]) -> Vec<u8> {
        let mut p = b"JP".to_vec();
        p.extend([0, en, 0, 0, 0, seq]);
        p.extend(body);
        let mut s = vec![0xFF, 0xEB];
        s.extend(((p.len() + 2) as u16).to_be_bytes());
        s.extend(p);
        s
    }

    fn jumb_head() -> Vec<u8> {
        let mut b = vec![0, 0, 0, 100];
        b.extend(b"jumb");
        b.extend([0, 0, 0, 30]);
        b.extend(b"jumd");
        b.extend([0u8; 16]);
        b.push(3);
        b.extend(b"c2pa\0");
        b
    }

    #[test]
    fn jpeg_span_runs_from_the_first_c2pa_segment_to_the_last() {
        let exif = [0xFF, 0xE1, 0, 6, b'E', b'x', b'i', b'f'];
        let mut f = vec![0xFF, 0xD8];
        f.extend(exif);
        let start = f.len();
        f.extend(app11(1, 1, &jumb_head()));
        f.extend(app11(1, 2, &[0, 0, 0, 100, b'j', b'u', b'm', b'b', 7, 7]));
        let end = f.len();
        f.extend(app11(2, 1, b"other JPEG XT data"));
        f.extend([0xFF, 0xDA, 0, 2, 0xFF, 0xD9]);
        let span = jpeg(&f).unwrap();
        assert_eq!(span.range, (start as u64, (end - start) as u64));
    }

    #[test]
    fn png_span_is_the_whole_cabx_chunk() {
        let mut f = b"\x89PNG\r\n\x1a\n".to_vec();
        f.extend([0, 0, 0, 1]);
        f.extend(b"IHDRx\0\0\0\0");
        let start = f.len();
        f.extend([0, 0, 0, 3]);
        f.extend(b"caBXabc\0\0\0\0");
        f.extend([0, 0, 0, 0]);
        f.extend(b"IEND\0\0\0\0");
        assert_eq!(png(&f).unwrap().range, (start as u64, 15));
    }

    #[test]
    fn gif_span_includes_introducer_and_terminator() {
        let mut f = b"GIF89a".to_vec();
        let start = f.len();
        f.extend(b"\x21\xFF\x0BC2PA_GIF\x01\x00\x00");
        f.extend([3, 1, 2, 3, 0]);
        let end = f.len();
        f.push(0x3B);
        assert_eq!(gif(&f).unwrap().range, (start as u64, (end - start) as u64));
    }

    #[test]
    fn tiff_accepts_only_a_count_field_equal_to_the_store_length() {
        let store = b"STORE-BYTES";
        let mut f = b"II*\0".to_vec();
        let count_at = f.len() as u64;
        f.extend((store.len() as u32).to_le_bytes());
        f.extend([9, 9, 9, 9]);
        let store_at = f.len() as u64;
        f.extend(store);
        let span = tiff(&f, store, &[(count_at, 4), (count_at + 4, 4)]).unwrap();
        assert_eq!(span.range, (store_at, store.len() as u64));
        assert_eq!(span.also, vec![(count_at, 4)]);
    }
}
