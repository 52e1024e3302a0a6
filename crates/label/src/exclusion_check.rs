//! C2PA §15.12's rule for data hashes, which c2pa 0.90 does not apply: the
//! exclusion that holds the manifest store must hold only the store.
//!
//! A `c2pa.hash.data` hard binding hashes every byte of the file except its
//! exclusions. The exclusions exist so the store need not hash itself; any
//! other byte inside them (EXIF GPS and time, a whole segment) can be
//! changed without the signature noticing. Newer reference SDKs (c2pa-rs
//! 0.91+) reject such files with `assertion.dataHash.mismatch`; so does
//! tamga, for every format that uses a data hash. Box hashes (BMFF, JPEG
//! XL's box hash) stay as c2pa validates them. Text is checked by
//! `text_verify`, which requires its one exclusion to be the wrapper.

use std::io::{Read, Seek};

use c2pa::assertions::DataHash;
use tamga_media::Container;

use crate::{input::Source, store_span, verify_report::StatusCode, MediaFormat};

/// Bytes inside a data-hash exclusion that are not the manifest store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooWide {
    /// First such byte.
    pub(crate) start: u64,
    /// One past the last such byte of that run.
    pub(crate) end: u64,
}

impl TooWide {
    /// The failure a report lists, first: the code c2pa-rs 0.91+ gives it.
    pub(crate) fn failure(&self) -> StatusCode {
        StatusCode {
            code: "assertion.dataHash.mismatch".into(),
            url: None,
            ingredient: false,
            explanation: self.explanation(),
        }
    }

    /// The plain reason a report gives.
    pub(crate) fn explanation(&self) -> String {
        format!(
            "the label's hash skips bytes outside the label itself (bytes {}–{}), so they could be changed undetected",
            self.start,
            self.end.saturating_sub(1)
        )
    }
}

/// Whether `format` binds its content with a data hash this check covers.
/// That is every embedded, non-text label except ISO BMFF's, which c2pa
/// binds with a BMFF hash instead.
pub(crate) fn applies_to(format: MediaFormat) -> bool {
    format.embeddable() && !format.is_bmff() && !format.is_text()
}

/// [`check`] for the active manifest of a store c2pa read from `file`.
/// A file held in memory is checked in place, without a copy.
pub(crate) fn of_reader(
    format: MediaFormat,
    file: &mut Source,
    reader: &c2pa::Reader,
) -> std::io::Result<Option<TooWide>> {
    if !applies_to(format) {
        return Ok(None);
    }
    let exclusions = data_hash_exclusions(reader);
    if exclusions.iter().all(|&(_, len)| len == 0) {
        return Ok(None);
    }
    match file {
        Source::Memory(bytes) => Ok(check_bytes(format, bytes.get_ref(), &exclusions)),
        Source::File(f) => check(format, f, &exclusions),
    }
}

/// For a store that is not in the file (a sidecar, or fetched from a
/// remote URL): the file holds no store, so any non-empty exclusion skips
/// content.
pub(crate) fn detached(reader: &c2pa::Reader) -> Option<TooWide> {
    data_hash_exclusions(reader)
        .into_iter()
        .find(|&(_, len)| len > 0)
        .map(|(start, len)| TooWide {
            start,
            end: start.saturating_add(len),
        })
}

/// Checks data-hash `exclusions` against where the store sits in `file`
/// (read whole, as c2pa itself reads it to hash).
fn check<R: Read + Seek>(
    format: MediaFormat,
    file: &mut R,
    exclusions: &[(u64, u64)],
) -> std::io::Result<Option<TooWide>> {
    file.rewind()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(check_bytes(format, &bytes, exclusions))
}

/// `None` when the non-empty exclusions are exactly the store's span, or
/// when the store cannot be located in the file.
fn check_bytes(format: MediaFormat, bytes: &[u8], exclusions: &[(u64, u64)]) -> Option<TooWide> {
    let span = locate(format, bytes, exclusions)?;
    judge(&span, exclusions)
}

/// Every data-hash exclusion of the active manifest, `(start, length)`.
///
/// Read straight from the assertions c2pa parsed: its manifest's resource
/// store resolves an assertion's JUMBF URI to the assertion's CBOR, which
/// decodes as c2pa's own [`DataHash`]. (The detailed JSON report has the
/// same values but re-verifies every manifest's time-stamp to build; that
/// was 5-9 % of `tamga check`.) An assertion that cannot be read adds no
/// exclusion; c2pa has already failed its hash.
fn data_hash_exclusions(reader: &c2pa::Reader) -> Vec<(u64, u64)> {
    let Some(manifest) = reader.active_manifest() else {
        return Vec::new();
    };
    let Some(label) = manifest.label() else {
        return Vec::new();
    };
    manifest
        .assertion_references()
        .filter_map(|r| {
            let url = r.url();
            let relative = url.rsplit_once("c2pa.assertions/")?.1;
            relative
                .starts_with("c2pa.hash.data")
                .then(|| format!("self#jumbf=/c2pa/{label}/c2pa.assertions/{relative}"))
        })
        .filter_map(|uri| manifest.resources().get(&uri).ok())
        .filter_map(|cbor| c2pa_cbor::from_slice::<DataHash>(&cbor).ok())
        .flat_map(|dh| dh.exclusions.unwrap_or_default())
        .map(|range| (range.start(), range.length()))
        .collect()
}

/// The store's span in `bytes`, by format.
fn locate(
    format: MediaFormat,
    bytes: &[u8],
    exclusions: &[(u64, u64)],
) -> Option<store_span::StoreSpan> {
    // The store as c2pa reads it, to find where its bytes sit.
    let store = || c2pa::jumbf_io::load_jumbf_from_memory(format.mime(), bytes).ok();
    match format.container() {
        Container::Jpeg => store_span::jpeg(bytes),
        Container::Png => store_span::png(bytes),
        Container::Riff => store_span::riff(bytes),
        Container::Gif => store_span::gif(bytes),
        Container::Tiff => store_span::tiff(bytes, &store()?, exclusions),
        Container::Svg => store_span::svg(bytes, &store()?),
        Container::Mpeg | Container::Flac | Container::Jxl => store_span::raw(bytes, &store()?),
        Container::Bmff
        | Container::Ogg
        | Container::Matroska
        | Container::Adts
        | Container::Bmp
        | Container::Text => None,
    }
}

/// The first excluded run that is not the store, if any. Every non-empty
/// exclusion must be the store's span or one the embedding itself defines;
/// one exclusion must be the store's span exactly.
fn judge(span: &store_span::StoreSpan, exclusions: &[(u64, u64)]) -> Option<TooWide> {
    let (s, l) = span.range;
    let store_end = s + l;
    let mut found = false;
    for &(start, len) in exclusions.iter().filter(|e| e.1 > 0) {
        if (start, len) == span.range {
            found = true;
            continue;
        }
        if span.also.contains(&(start, len)) {
            continue;
        }
        let end = start.saturating_add(len);
        return Some(if start < s {
            TooWide {
                start,
                end: end.min(s).max(start.saturating_add(1)),
            }
        } else if end > store_end {
            TooWide {
                start: start.max(store_end),
                end,
            }
        } else {
            TooWide { start, end }
        });
    }
    (!found).then_some(TooWide {
        start: s,
        end: store_end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use store_span::StoreSpan;

    fn span(start: u64, len: u64) -> StoreSpan {
        StoreSpan {
            range: (start, len),
            also: vec![(4, 4)],
        }
    }

    #[test]
    fn exactly_the_store_passes() {
        assert_eq!(judge(&span(100, 50), &[(100, 50)]), None);
        assert_eq!(judge(&span(100, 50), &[(100, 50), (4, 4), (0, 0)]), None);
    }

    #[test]
    fn a_range_reaching_before_the_store_names_the_bytes_before_it() {
        assert_eq!(
            judge(&span(100, 50), &[(0, 150)]),
            Some(TooWide { start: 0, end: 100 })
        );
        assert!(TooWide { start: 0, end: 100 }
            .explanation()
            .contains("bytes 0–99"));
    }

    #[test]
    fn a_range_past_the_store_or_an_extra_one_fails() {
        assert_eq!(
            judge(&span(100, 50), &[(100, 60)]),
            Some(TooWide {
                start: 150,
                end: 160
            })
        );
        assert_eq!(
            judge(&span(100, 50), &[(100, 50), (20, 10)]),
            Some(TooWide { start: 20, end: 30 })
        );
    }

    #[test]
    fn exclusions_that_miss_the_store_fail() {
        assert_eq!(
            judge(&span(100, 50), &[(110, 10)]),
            Some(TooWide {
                start: 110,
                end: 120
            })
        );
    }
}
