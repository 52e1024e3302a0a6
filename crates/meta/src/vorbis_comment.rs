//! Vorbis comments (`KEY=value` lists with a vendor string), as FLAC's
//! comment block and Ogg's comment header carry them: parsed with every
//! length checked, written back, and the keys that name a person or hold
//! the AIGC label.

/// A Vorbis comment block's vendor string and comments (`KEY=value`), or
/// None when a length runs past the block.
pub(crate) fn comments(body: &[u8]) -> Option<(&[u8], Vec<&[u8]>)> {
    fn take<'a>(r: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (r.get(..n)?, r.get(n..)?);
        *r = rest;
        Some(head)
    }
    fn len(r: &mut &[u8]) -> Option<usize> {
        let b = take(r, 4)?;
        usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
    }
    let mut r = body;
    let n = len(&mut r)?;
    let vendor = take(&mut r, n)?;
    let count = len(&mut r)?;
    // Each comment takes at least its 4-byte length.
    if count > r.len() / 4 {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let n = len(&mut r)?;
        out.push(take(&mut r, n)?);
    }
    Some((vendor, out))
}

/// Whether a `KEY=value` comment is an AIGC one (keys are ASCII and
/// case-insensitive), and its value.
pub(crate) fn aigc_value(comment: &[u8]) -> Option<&[u8]> {
    let eq = comment.iter().position(|b| *b == b'=')?;
    comment[..eq]
        .eq_ignore_ascii_case(b"AIGC")
        .then(|| &comment[eq + 1..])
}

/// The AIGC values of a Vorbis comment block body.
pub(crate) fn aigc_values(body: &[u8]) -> Vec<String> {
    comments(body)
        .map(|(_, c)| {
            c.into_iter()
                .filter_map(aigc_value)
                .filter_map(|v| std::str::from_utf8(v).ok().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A comment list's bytes: vendor, count, each comment with its length
/// (32-bit little-endian; every piece came from a bounded block or is
/// tamga's own, so none overflows).
pub(crate) fn encode(vendor: &[u8], comments: &[Vec<u8>]) -> Vec<u8> {
    let le = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
    let mut body = Vec::new();
    body.extend_from_slice(&le(vendor.len()));
    body.extend_from_slice(vendor);
    body.extend_from_slice(&le(comments.len()));
    for c in comments {
        body.extend_from_slice(&le(c.len()));
        body.extend_from_slice(c);
    }
    body
}

/// How many bytes the comment list at the start of `body` takes (the rest
/// is a Vorbis framing bit or Opus's binary extra data).
pub(crate) fn list_len(body: &[u8]) -> Option<usize> {
    let (vendor, list) = comments(body)?;
    Some(8 + vendor.len() + list.iter().map(|c| 4 + c.len()).sum::<usize>())
}

/// The Vorbis comment keys that name a person.
pub(crate) const PEOPLE: &[&str] = &[
    "ARTIST",
    "ALBUMARTIST",
    "PERFORMER",
    "COMPOSER",
    "LYRICIST",
    "CONDUCTOR",
    "ARRANGER",
    "CONTACT",
];

/// A comment's key, if it names a person.
pub(crate) fn person_key(comment: &[u8]) -> Option<String> {
    let eq = comment.iter().position(|b| *b == b'=')?;
    let key = String::from_utf8_lossy(&comment[..eq]).to_ascii_uppercase();
    PEOPLE.contains(&key.as_str()).then_some(key)
}

/// The comments of a Vorbis comment block body that name a person:
/// (key, value).
pub(crate) fn people_in(body: &[u8]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for c in comments(body).map(|(_, c)| c).unwrap_or_default() {
        if let Some(key) = person_key(c) {
            let value = String::from_utf8_lossy(&c[key.len() + 1..]).into_owned();
            found.push((key, value));
        }
    }
    found
}
