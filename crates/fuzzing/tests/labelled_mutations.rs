//! Labelled files of every format tamga labels, mutated at random: cut
//! short, a byte flipped, a length field rewritten. Verification must
//! return (a report or a typed error, within the watchdog's deadline: a
//! timeout is a failure), and a change outside the manifest store must
//! never leave the label trusted or valid: the C2PA hard binding covers
//! every byte but the store's own (and, in ISO BMFF, the `ftyp` box).
//!
//! Each format runs `PROPTEST_CASES` cases (32 by default, so the whole
//! file stays well under a minute on two cores).
#![allow(clippy::unwrap_used)]

use std::{
    ops::Range,
    path::{Path, PathBuf},
    sync::OnceLock,
};

use proptest::{prelude::*, test_runner::TestCaseError};
use tamga_keys::{init_dev_keys, DevKeyOptions, SigningIdentity};
use tamga_label::{
    AiDisclosure, AiInvolvement, LabelError, LabelOptions, Labeller, Placement, Verdict, Verifier,
    VerifyOptions,
};
use tamga_media::MediaFormat;

struct Fixture {
    verifier: Verifier,
    labeller: Labeller,
    dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let keys =
            init_dev_keys(&dir.path().join("keys"), &DevKeyOptions::new("Fuzz Org")).unwrap();
        let identity = SigningIdentity::from_dir(&keys.dir, None).unwrap();
        let labeller = Labeller::new(&identity, LabelOptions::default()).unwrap();
        let mut options = VerifyOptions::default();
        options.trust.anchors_pem = Some(std::fs::read_to_string(&keys.trust_anchor).unwrap());
        let verifier = Verifier::new(options).unwrap();
        Fixture {
            verifier,
            labeller,
            dir,
        }
    })
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

/// A labelled copy of `samples/<name>` and the byte ranges the hard binding
/// does not cover: the manifest store, widened by the container's framing
/// around it, and for ISO BMFF the `ftyp` box, which C2PA's BMFF hash always
/// excludes (with `mfra`, which these files lack).
fn labelled(name: &str) -> (Vec<u8>, Vec<Range<usize>>) {
    let f = fixture();
    let disclosure = AiDisclosure::new(AiInvolvement::Generated);
    let input = samples().join(name);
    let bytes = if name.ends_with(".txt") || name.ends_with(".md") {
        let text = std::fs::read(&input).unwrap();
        f.labeller
            .label_text(name, &text, MediaFormat::Text, &disclosure)
            .unwrap()
            .bytes
    } else {
        let out = f.dir.path().join(name.replace('/', "_"));
        f.labeller
            .label(&input, &out, &disclosure, Placement::Embedded)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        std::fs::read(&out).unwrap()
    };
    let store = store_range(&bytes).unwrap_or_else(|| panic!("{name}: no manifest store found"));
    let mut unbound = vec![store];
    if bytes.get(4..8) == Some(b"ftyp") && !name.ends_with(".jxl") {
        let ftyp = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        unbound.push(0..ftyp.min(bytes.len()));
    }
    (bytes, unbound)
}

/// Where the manifest store is: the text wrapper, the base64 `c2pa:manifest`
/// element of an SVG, or the JUMBF superbox whose description box is
/// labelled with the C2PA store UUID (`jumb`, then `jumd` and `c2pa`).
/// The range is widened by 64 bytes each side for the container's own
/// framing (chunk headers, CRCs, box headers), and by 1/200 of the store's
/// length for framing inside it (GIF sub-block and JPEG APP11 headers).
fn store_range(bytes: &[u8]) -> Option<Range<usize>> {
    if let Ok(Some(w)) = tamga_text::find(bytes) {
        return Some(w.range);
    }
    let find = |needle: &[u8]| bytes.windows(needle.len()).position(|w| w == needle);
    if let (Some(start), Some(end)) = (find(b"<c2pa:manifest>"), find(b"</c2pa:manifest>")) {
        return Some(start..end + b"</c2pa:manifest>".len());
    }
    let jumd = find(b"jumdc2pa")?;
    let start = jumd.checked_sub(12)?;
    let len = u32::from_be_bytes(bytes.get(start..start + 4)?.try_into().ok()?) as usize;
    let slack = 64 + len / 200;
    Some(start.saturating_sub(64)..(start + len + slack).min(bytes.len()))
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Keep this fraction (in 1/65536) of the file.
    Truncate(u16),
    /// XOR the byte at this fraction of the file with a non-zero mask.
    Flip(u16, u8),
    /// Rewrite the 4 bytes before or after a four-letter tag (where RIFF,
    /// PNG and BMFF keep their lengths) with a length-like value.
    Length(u16, bool, u32, bool),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let lengths = prop_oneof![
        Just(0u32),
        Just(1),
        Just(7),
        Just(u32::MAX),
        Just(0x7FFF_FFFF),
        Just(0x8000_0000),
        any::<u32>(),
    ];
    prop_oneof![
        any::<u16>().prop_map(Mutation::Truncate),
        (any::<u16>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip(at, mask)),
        (any::<u16>(), any::<bool>(), lengths, any::<bool>())
            .prop_map(|(at, before, v, be)| Mutation::Length(at, before, v, be)),
    ]
}

fn at(fraction: u16, len: usize) -> usize {
    (len as u64 * u64::from(fraction) / 65536) as usize
}

/// Offsets of 4-byte fields next to four-letter ASCII tags.
fn length_fields(bytes: &[u8]) -> Vec<(usize, usize)> {
    let tag = |w: &[u8]| w.iter().all(|b| b.is_ascii_alphanumeric() || *b == b' ');
    (4..bytes.len().saturating_sub(8))
        .filter(|&i| tag(&bytes[i..i + 4]) && !tag(&bytes[i - 1..i]))
        .map(|i| (i - 4, i + 4))
        .collect()
}

/// The mutated file, and whether a byte the hard binding covers changed.
fn apply(m: &Mutation, bytes: &[u8], unbound: &[Range<usize>]) -> (Vec<u8>, bool) {
    let outside = |i: usize| !unbound.iter().any(|r| r.contains(&i));
    let store = &unbound[0];
    match *m {
        Mutation::Truncate(f) => {
            let keep = at(f, bytes.len());
            // Cutting anything but the store's own tail loses hashed bytes.
            (
                bytes[..keep].to_vec(),
                keep < store.start || store.end < bytes.len(),
            )
        }
        Mutation::Flip(f, mask) => {
            let i = at(f, bytes.len());
            let mut out = bytes.to_vec();
            out[i] ^= mask;
            (out, outside(i))
        }
        Mutation::Length(f, before, v, be) => {
            let fields = length_fields(bytes);
            let Some(&(b, a)) = fields.get(at(f, fields.len())) else {
                return (bytes.to_vec(), false);
            };
            let i = if before { b } else { a };
            let mut out = bytes.to_vec();
            let value = if be { v.to_be_bytes() } else { v.to_le_bytes() };
            out[i..i + 4].copy_from_slice(&value);
            let changed = (i..i + 4).any(|j| out[j] != bytes[j] && outside(j));
            (out, changed)
        }
    }
}

fn verify(name: &str, bytes: Vec<u8>) -> Result<Verdict, LabelError> {
    let f = fixture();
    if name.ends_with(".txt") || name.ends_with(".md") {
        f.verifier
            .verify_text(name, &bytes, MediaFormat::Text)
            .map(|r| r.verdict)
    } else {
        f.verifier.verify_bytes(name, bytes).map(|r| r.verdict)
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

fn run(name: &str) {
    let (bytes, unbound) = labelled(name);
    // The unmutated label is trusted, or the property below proves nothing.
    assert_eq!(
        verify(name, bytes.clone()).unwrap(),
        Verdict::Trusted,
        "{name}"
    );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let tally = std::sync::Mutex::new(std::collections::BTreeMap::<String, u32>::new());
    let result = runner.run(&mutation(), |m| {
        let (mutated, outside) = apply(&m, &bytes, &unbound);
        let verdict = verify(name, mutated);
        let word = match &verdict {
            Ok(v) => v.word(),
            Err(e) => e.kind(),
        };
        let key = format!("{} {word}", if outside { "bound" } else { "unbound" });
        *tally.lock().unwrap().entry(key).or_default() += 1;
        if let Err(LabelError::Media(tamga_label::MediaError::Timeout { .. })) = verdict {
            return Err(TestCaseError::fail(format!(
                "{m:?}: missed the watchdog deadline"
            )));
        }
        if outside {
            if let Ok(v @ (Verdict::Trusted | Verdict::ValidUntrusted)) = verdict {
                return Err(TestCaseError::fail(format!(
                    "{m:?} outside the unbound ranges {unbound:?} of {} bytes left the label {v}",
                    bytes.len()
                )));
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    let tally = tally.into_inner().unwrap();
    eprintln!("{name}: {tally:?}");
    // Most mutations land on bound bytes; none doing so would mean the
    // store range swallowed the file and the property was never tested.
    assert!(
        tally.keys().any(|k| k.starts_with("bound")),
        "{name}: {tally:?}"
    );
}

macro_rules! formats {
    ($($test:ident => $file:expr,)*) => {$(
        #[test]
        fn $test() {
            run($file);
        }
    )*};
}

formats! {
    jpeg => "sample.jpg",
    png => "sample.png",
    webp => "sample.webp",
    gif => "sample.gif",
    tiff => "sample.tif",
    avif => "sample.avif",
    heic => "sample.heic",
    jxl => "sample.jxl",
    svg => "sample.svg",
    wav => "sample.wav",
    mp3 => "sample.mp3",
    flac => "sample.flac",
    m4a => "sample.m4a",
    text => "text/en.md",
}
