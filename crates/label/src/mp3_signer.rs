//! Labelling MP3 files in constant memory.
//!
//! c2pa 0.90 embeds into MP3 by copying the whole file into memory to find
//! where the store will sit, then hashes each range through one buffer as
//! large as the range (up to 256 MB): labelling a 3-hour MP3 (173 MB)
//! peaked at 542 MB. An MP3's manifest store is one frame of the ID3v2 tag
//! in front of the audio, so tamga writes that tag itself and copies the
//! audio after it, hashing as it writes; c2pa does everything C2PA
//! ([`crate::placeholder_sign`]).
//!
//! The tag is the one c2pa's MP3 handler (`id3_helper.rs`) writes, so c2pa
//! and every reader built on it find what they expect: the old tag's frames
//! rewritten as ID3v2.4 by the same `id3` crate, minus earlier C2PA stores,
//! plus one `GEOB` frame with MIME type `application/c2pa`, file name
//! `c2pa`, description `c2pa manifest store` and the store as its data. The
//! binding's single exclusion is that data, the store's own bytes, exactly
//! where c2pa's handler puts its exclusion; the frame's header and the tag's
//! size stay hashed (a same-length store never changes them).

use std::{
    fs::File,
    io::{Cursor, Read, Seek, SeekFrom, Write},
    path::Path,
};

use c2pa::{Builder, Signer};
use id3::{
    frame::{Content, EncapsulatedObject},
    Frame, Tag, TagLike, Version,
};
use sha2::{Digest, Sha256};
use tamga_meta::Id3v2Header;

use crate::{
    error::Id3TagError,
    placeholder_sign::{self, Placed},
    LabelError,
};

/// The GEOB frame's fields, as c2pa's MP3 handler writes them.
const GEOB_MIME: &str = "application/c2pa";
const GEOB_FILE_NAME: &str = "c2pa";
const GEOB_DESCRIPTION: &str = "c2pa manifest store";
/// The MIME type of older stores, which c2pa still reads (and replaces).
const GEOB_MIME_OLD: &str = "application/x-c2pa-manifest-store";

/// An ID3v2 tag's body size is a 28-bit synchsafe integer.
const MAX_TAG_BODY: usize = (1 << 28) - 1;

const BLOCK: usize = 1 << 20;

/// Writes the MP3 `source` to `out` with a signed C2PA store in its ID3v2
/// tag. A store already in `source` is dropped (the caller makes it the
/// parent ingredient through c2pa instead when it should be kept).
pub(crate) fn label(
    builder: &mut Builder,
    signer: &dyn Signer,
    path: &Path,
    source: &mut File,
    out: &mut File,
) -> Result<(), LabelError> {
    placeholder_sign::sign(builder, signer, path, out, |placeholder, out| {
        write_tagged(path, source, placeholder, out)
    })
}

/// Writes `source` to `out` with `placeholder` as the store in its ID3v2
/// tag, hashing around the store as it writes.
fn write_tagged(
    path: &Path,
    source: &mut File,
    placeholder: &[u8],
    out: &mut File,
) -> Result<Placed, LabelError> {
    let io = |e: std::io::Error| LabelError::io(path, e);
    let (old_tag, audio_at) = read_tag(source).map_err(io)?;
    let tagged =
        tag_with_store(old_tag.as_deref(), placeholder).map_err(|source| LabelError::Id3Tag {
            path: path.into(),
            source: Box::new(source),
        })?;
    let store = tagged.store.clone();

    // Hashed as written: the tag around the store, then the audio.
    let mut hasher = Sha256::new();
    hasher.update(&tagged.bytes[..store.start]);
    hasher.update(&tagged.bytes[store.end..]);
    out.write_all(&tagged.bytes).map_err(io)?;
    source.seek(SeekFrom::Start(audio_at)).map_err(io)?;
    let mut buf = vec![0u8; BLOCK];
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(io)?;
    }
    let store_at = store.start as u64;
    Ok(Placed {
        store_at,
        exclusion: (store_at, store.len() as u64),
        sha256: hasher.finalize().to_vec(),
    })
}

/// The ID3v2 tag at the start of `f` (header, body, footer, capped at the
/// end of the file) and where the audio after it starts; `None` and 0 when
/// the file starts with audio.
fn read_tag(f: &mut File) -> std::io::Result<(Option<Vec<u8>>, u64)> {
    let len = f.seek(SeekFrom::End(0))?;
    f.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 10];
    if len < 10 {
        return Ok((None, 0));
    }
    f.read_exact(&mut head)?;
    let Some(header) = Id3v2Header::parse(&head) else {
        return Ok((None, 0));
    };
    let tag_len = header.tag_len().min(len);
    f.seek(SeekFrom::Start(0))?;
    let mut tag = Vec::new();
    f.take(tag_len).read_to_end(&mut tag)?;
    Ok((Some(tag), tag_len))
}

/// Where an MP3's C2PA store is, as c2pa finds it: the data of the one
/// C2PA GEOB frame in the ID3v2 tag at the start, (offset, length). `None`
/// when there is none, several, the tag cannot be read or is over 64 MB:
/// the verifier then leaves the file to c2pa.
pub(crate) fn find_store<R: Read + Seek>(f: &mut R) -> std::io::Result<Option<(u64, u64)>> {
    let len = f.seek(SeekFrom::End(0))?;
    if len < 10 {
        return Ok(None);
    }
    f.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 10];
    f.read_exact(&mut head)?;
    let Some(header) = Id3v2Header::parse(&head) else {
        return Ok(None);
    };
    let tag_len = header.tag_len().min(len);
    if tag_len > 64 << 20 {
        return Ok(None);
    }
    f.seek(SeekFrom::Start(0))?;
    let mut bytes = Vec::new();
    f.take(tag_len).read_to_end(&mut bytes)?;
    let Ok(tag) = Tag::read_from2(Cursor::new(&bytes)) else {
        return Ok(None);
    };
    let stores: Vec<&EncapsulatedObject> = tag
        .encapsulated_objects()
        .filter(|eo| eo.mime_type == GEOB_MIME || eo.mime_type == GEOB_MIME_OLD)
        .collect();
    let [store] = stores[..] else {
        return Ok(None);
    };
    Ok(memchr::memmem::find(&bytes, &store.data).map(|at| (at as u64, store.data.len() as u64)))
}

/// A new ID3v2 tag holding a C2PA store.
#[derive(Debug)]
struct Tagged {
    /// The whole tag.
    bytes: Vec<u8>,
    /// The store's place in it: the GEOB frame's data.
    store: std::ops::Range<usize>,
}

/// Whether `frame` holds a C2PA manifest store, by c2pa's rule: a GEOB
/// frame of either C2PA MIME type.
fn is_store(frame: &Frame) -> bool {
    matches!(frame.content(), Content::EncapsulatedObject(eo)
        if eo.mime_type == GEOB_MIME || eo.mime_type == GEOB_MIME_OLD)
}

/// `old`'s frames (earlier C2PA stores left out) and a GEOB frame holding
/// `store`, as ID3v2.4. An `old` tag the `id3` crate cannot read is an
/// error rather than, as in c2pa, silently dropped with every frame in it.
fn tag_with_store(old: Option<&[u8]>, store: &[u8]) -> Result<Tagged, Id3TagError> {
    let mut tag = Tag::new();
    if let Some(old) = old {
        let old = Tag::read_from2(Cursor::new(old)).map_err(Id3TagError::Unreadable)?;
        for frame in old.frames().filter(|f| !is_store(f)) {
            tag.add_frame(frame.clone());
        }
    }
    tag.add_frame(Frame::with_content(
        "GEOB",
        Content::EncapsulatedObject(EncapsulatedObject {
            mime_type: GEOB_MIME.into(),
            filename: GEOB_FILE_NAME.into(),
            description: GEOB_DESCRIPTION.into(),
            data: store.to_vec(),
        }),
    ));
    let mut bytes = Vec::new();
    tag.write_to(&mut bytes, Version::Id3v24)
        .map_err(Id3TagError::Unwritable)?;
    if bytes.len().saturating_sub(10) > MAX_TAG_BODY {
        return Err(Id3TagError::TooLarge {
            max_mb: (MAX_TAG_BODY + 1) >> 20,
        });
    }
    // The store is the GEOB frame's last field, written verbatim (no
    // unsynchronisation, no compression); c2pa finds it the same way.
    let at = memchr::memmem::find(&bytes, store).ok_or(Id3TagError::StoreMissing)?;
    Ok(Tagged {
        bytes,
        store: at..at + store.len(),
    })
}

#[cfg(test)]
#[path = "mp3_signer_tests.rs"]
mod tests;
