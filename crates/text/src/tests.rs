use super::*;

const KAZAKH: &str = "Жасанды интеллект әғқңөұүһі";
const PREFIXES: [&str; 6] = [
    "",
    "Hello, world. A plain ASCII answer.",
    KAZAKH,
    "人工智能生成的内容。",
    "Emoji 👩‍💻🇰🇿❤️ and a keycap 1️⃣.",
    "Mixed: Алматы 北京 🚀\r\nsecond line",
];
const SIZES: [usize; 7] = [0, 1, 15, 16, 255, 256, 65536];

/// Bytes covering both selector ranges, low values included.
fn manifest_of(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(37).wrapping_add(i / 256) % 256) as u8)
        .collect()
}

/// The annex's mapping written out independently of the crate's table, so
/// that a shared mistake cannot make encoder and decoder agree.
fn vs(b: u8) -> char {
    let code = if b < 0x10 {
        0xFE00 + u32::from(b)
    } else {
        0xE0100 + u32::from(b) - 0x10
    };
    char::from_u32(code).unwrap()
}

fn unvs(c: char) -> Option<u8> {
    match u32::from(c) {
        c @ 0xFE00..=0xFE0F => Some((c - 0xFE00) as u8),
        c @ 0xE0100..=0xE01EF => Some((c - 0xE0100 + 0x10) as u8),
        _ => None,
    }
}

/// U+FEFF followed by one selector per byte, nothing checked.
fn raw_wrapper(bytes: &[u8]) -> String {
    std::iter::once('\u{FEFF}')
        .chain(bytes.iter().map(|&b| vs(b)))
        .collect()
}

fn header(version: u8, declared: u32) -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.push(version);
    h.extend_from_slice(&declared.to_be_bytes());
    h
}

/// The bytes a wrapper string carries, decoded by the test-side mapping.
fn carried(wrapper: &str) -> Vec<u8> {
    let mut chars = wrapper.chars();
    assert_eq!(chars.next(), Some('\u{FEFF}'));
    chars.map(|c| unvs(c).unwrap()).collect()
}

#[test]
fn round_trips_after_any_text() {
    for size in SIZES {
        let manifest = manifest_of(size);
        let wrapper = encode(&manifest).unwrap();
        assert_eq!(wrapper.len(), wrapper_len(size), "M = {size}");
        let unpadded_len = encode_unpadded(&manifest).unwrap().len();
        let gap = wrapper_len(size) - unpadded_len;
        let padding = (gap - 4 * (gap % 3)) / 3 + gap % 3;

        for prefix in PREFIXES {
            let text = format!("{prefix}{wrapper}");
            let found = find(text.as_bytes()).unwrap().unwrap();
            assert_eq!(found.range, prefix.len()..text.len(), "M = {size}");
            assert_eq!(found.manifest, manifest, "M = {size}");
            assert_eq!(found.padding, padding, "M = {size}");
            assert_eq!(strip(text.as_bytes()), prefix.as_bytes());
        }
    }
}

#[test]
fn wrapper_len_follows_the_formula() {
    assert_eq!(wrapper_len(0), 3 + 13 * 4 + 6);
    assert_eq!(wrapper_len(16), 125);
    assert_eq!(wrapper_len(3526), 14165);
    assert_eq!(wrapper_len(usize::MAX), usize::MAX);
}

#[test]
fn worked_padding_example() {
    let manifest: Vec<u8> = (0x10..0x20).collect();
    let wrapper = encode(&manifest).unwrap();
    assert_eq!(wrapper.len(), 125);
    assert_eq!(encode_unpadded(&manifest).unwrap().len(), 114);

    let mut expected = header(1, 16);
    expected.extend_from_slice(&manifest);
    expected.extend_from_slice(&[0x00, 0x10, 0x10]);
    assert_eq!(carried(&wrapper), expected);
    assert_eq!(find(wrapper.as_bytes()).unwrap().unwrap().padding, 3);
}

#[test]
fn padding_matches_the_c2pa_rs_fixture() {
    // c2pa-rs 0.91.1 signed a 3,526-byte store into a 14,165-byte wrapper
    // with 489 × 0x00 and 2 × 0x10 of padding. Its unpadded size implies
    // 2,062 store bytes of 0x10 or more; any store with that mix must pad
    // the same way.
    let manifest: Vec<u8> = (0..3526)
        .map(|i| if i < 2062 { 0x80 } else { 0x05 })
        .collect();
    let wrapper = encode(&manifest).unwrap();
    assert_eq!(wrapper.len(), 14165);
    let bytes = carried(&wrapper);
    let padding = bytes.get(13 + 3526..).unwrap();
    assert_eq!(padding.len(), 491);
    assert!(padding[..489].iter().all(|&b| b == 0x00));
    assert_eq!(&padding[489..], &[0x10, 0x10]);
}

#[test]
fn encode_padded_to_hits_every_reachable_target() {
    let manifest = manifest_of(40);
    let unpadded = encode_unpadded(&manifest).unwrap();
    assert_eq!(
        encode_padded_to(&manifest, unpadded.len()).unwrap(),
        unpadded
    );

    for gap in 0..40 {
        let target = unpadded.len() + gap;
        let result = encode_padded_to(&manifest, target);
        if [1, 2, 5].contains(&gap) {
            assert_eq!(
                result,
                Err(EncodeError::UnreachableTarget {
                    target,
                    unpadded: unpadded.len()
                })
            );
            continue;
        }
        let wrapper = result.unwrap();
        assert_eq!(wrapper.len(), target, "gap {gap}");
        let found = find(wrapper.as_bytes()).unwrap().unwrap();
        assert_eq!(found.manifest, manifest);
        let padding = carried(&wrapper).split_off(13 + manifest.len());
        let (a, b) = ((gap - 4 * (gap % 3)) / 3, gap % 3);
        assert_eq!(padding.len(), a + b);
        assert!(padding[..a].iter().all(|&p| p == 0x00));
        assert!(padding[a..].iter().all(|&p| p == 0x10));
    }
}

#[test]
fn encode_padded_to_the_planned_size_of_a_larger_manifest() {
    let planned = wrapper_len(100);
    let signed = manifest_of(97);
    let wrapper = encode_padded_to(&signed, planned).unwrap();
    assert_eq!(wrapper.len(), planned);
    assert_eq!(find(wrapper.as_bytes()).unwrap().unwrap().manifest, signed);
}

#[test]
fn encode_padded_to_rejects_impossible_targets() {
    let manifest = manifest_of(10);
    let unpadded = encode_unpadded(&manifest).unwrap().len();
    assert_eq!(
        encode_padded_to(&manifest, unpadded - 1),
        Err(EncodeError::UnreachableTarget {
            target: unpadded - 1,
            unpadded
        })
    );
    assert_eq!(
        encode_padded_to(&manifest, 0),
        Err(EncodeError::UnreachableTarget {
            target: 0,
            unpadded
        })
    );
    // Far too large to allocate: an error, not an abort.
    assert!(matches!(
        encode_padded_to(&manifest, usize::MAX),
        Err(EncodeError::UnreachableTarget { .. })
    ));
}

#[test]
fn unpadded_wrappers_are_found() {
    for size in SIZES {
        let manifest = manifest_of(size);
        let text = format!("{KAZAKH}{}", encode_unpadded(&manifest).unwrap());
        let found = find(text.as_bytes()).unwrap().unwrap();
        assert_eq!(found.manifest, manifest);
        assert_eq!(found.padding, 0);
        assert_eq!(found.range, KAZAKH.len()..text.len());
    }
}

#[test]
fn header_is_magic_version_and_big_endian_length() {
    let manifest = manifest_of(0x0102);
    let bytes = carried(&encode_unpadded(&manifest).unwrap());
    assert_eq!(&bytes[..13], b"C2PATXT\0\x01\x00\x00\x01\x02");
}

#[test]
fn every_byte_value_round_trips_through_its_selector() {
    let manifest: Vec<u8> = (0..=255).collect();
    let wrapper = encode_unpadded(&manifest).unwrap();
    let mut expected = header(1, 256);
    expected.extend_from_slice(&manifest);
    assert_eq!(carried(&wrapper), expected);
    assert_eq!(
        find(wrapper.as_bytes()).unwrap().unwrap().manifest,
        manifest
    );
}

#[test]
fn a_run_stops_at_the_first_non_selector() {
    let manifest = manifest_of(5);
    let wrapper = encode(&manifest).unwrap();
    // U+E01F0 is just past the last selector, U+FE10 just past the first
    // block; a combining mark and a plain letter are ordinary text.
    for tail in ["\u{E01F0}", "\u{FE10}", "\u{0301}", "x", "\u{FEFF}"] {
        let text = format!("{wrapper}{tail}");
        let found = find(text.as_bytes()).unwrap().unwrap();
        assert_eq!(found.range, 0..wrapper.len(), "tail {tail:?}");
        assert_eq!(strip(text.as_bytes()), tail.as_bytes());
    }
}

#[test]
fn selectors_after_the_manifest_count_as_padding() {
    let manifest = manifest_of(8);
    let unpadded = encode_unpadded(&manifest).unwrap();
    let text = format!("{unpadded}{}{}{}after", vs(0xFF), vs(0x07), vs(0x42));
    let found = find(text.as_bytes()).unwrap().unwrap();
    assert_eq!(found.manifest, manifest);
    assert_eq!(found.padding, 3);
    assert_eq!(found.range, 0..text.len() - "after".len());
}

#[test]
fn a_run_without_the_magic_is_ordinary_text() {
    let mut not_magic = b"C2PATXX\0".to_vec();
    not_magic.extend_from_slice(&[1, 0, 0, 0, 1, 0x42]);
    let texts = [
        format!("Hello{}", raw_wrapper(&not_magic)),
        format!("Hello{}", raw_wrapper(&[0x0F])), // U+FEFF then VS16
        format!("Hello{}", raw_wrapper(b"X2PATXT\0")),
        format!("{}\u{FEFF}", raw_wrapper(&[0x00, 0x01])),
    ];
    for text in texts {
        assert_eq!(scan(text.as_bytes()), Scan::default());
        assert_eq!(find(text.as_bytes()), Ok(None));
        assert_eq!(strip(text.as_bytes()), text.as_bytes());
    }
}

#[test]
fn a_leading_byte_order_mark_is_ignored() {
    let text = format!("\u{FEFF}{KAZAKH}");
    assert_eq!(find(text.as_bytes()), Ok(None));
    assert_eq!(strip(text.as_bytes()), text.as_bytes());

    let manifest = manifest_of(20);
    let labelled = format!("{text}{}", encode(&manifest).unwrap());
    let found = find(labelled.as_bytes()).unwrap().unwrap();
    assert_eq!(found.range.start, text.len());
    assert_eq!(found.manifest, manifest);
    assert_eq!(strip(labelled.as_bytes()), text.as_bytes());
}

#[test]
fn a_wrapper_followed_by_more_text_is_found() {
    let manifest = manifest_of(300);
    let wrapper = encode(&manifest).unwrap();
    let text = format!("Before. {wrapper}After: {KAZAKH}");
    let found = find(text.as_bytes()).unwrap().unwrap();
    assert_eq!(found.range, 8..8 + wrapper.len());
    assert_eq!(found.manifest, manifest);
    assert_eq!(
        strip(text.as_bytes()),
        format!("Before. After: {KAZAKH}").as_bytes()
    );
}

#[test]
fn works_on_bytes_that_are_not_utf8() {
    let manifest = manifest_of(33);
    let mut text = vec![0xFF, 0xFE, 0xC3, b'a', 0xEF, 0xBB];
    let start = text.len();
    text.extend_from_slice(encode(&manifest).unwrap().as_bytes());
    let end = text.len();
    text.extend_from_slice(&[0xF3, 0xA0, 0x84]); // a selector cut short
    let found = find(&text).unwrap().unwrap();
    assert_eq!(found.range, start..end);
    assert_eq!(found.manifest, manifest);
    assert_eq!(
        strip(&text),
        [0xFF, 0xFE, 0xC3, b'a', 0xEF, 0xBB, 0xF3, 0xA0, 0x84]
    );
}

#[test]
fn bad_version_is_corrupted() {
    let mut bytes = header(2, 3);
    bytes.extend_from_slice(&[0x10, 0x20, 0x30]);
    let wrapper = raw_wrapper(&bytes);
    let text = format!("Hi {wrapper} there");
    let expected = Corrupted {
        range: 3..3 + wrapper.len(),
        reason: Corruption::BadVersion(2),
    };
    assert_eq!(scan(text.as_bytes()).corrupted, vec![expected.clone()]);
    let err = find(text.as_bytes()).unwrap_err();
    assert_eq!(err, WrapperError::Corrupted(expected));
    assert_eq!(err.code(), CORRUPTED_WRAPPER);
    assert_eq!(err.code(), "manifest.text.corruptedWrapper");
    assert_eq!(err.to_string(), "unsupported wrapper version 2 (at byte 3)");
    assert_eq!(strip(text.as_bytes()), b"Hi  there");
}

#[test]
fn length_past_the_run_is_corrupted() {
    let mut bytes = header(1, 4000);
    bytes.extend(manifest_of(120));
    let wrapper = raw_wrapper(&bytes);
    let text = format!("{KAZAKH}{wrapper}");
    let err = find(text.as_bytes()).unwrap_err();
    let WrapperError::Corrupted(corrupted) = &err else {
        panic!("expected corrupted, got {err:?}");
    };
    assert_eq!(corrupted.range, KAZAKH.len()..text.len());
    assert_eq!(
        corrupted.reason,
        Corruption::LengthOverrun {
            declared: 4000,
            available: 120
        }
    );
    assert_eq!(
        corrupted.reason.to_string(),
        "the label's wrapper declares 4000 bytes but only 120 follow (the text was cut off)"
    );
    assert_eq!(err.code(), CORRUPTED_WRAPPER);
}

#[test]
fn the_largest_declared_length_does_not_allocate_it() {
    let wrapper = raw_wrapper(&header(1, u32::MAX));
    assert_eq!(
        scan(wrapper.as_bytes()).corrupted[0].reason,
        Corruption::LengthOverrun {
            declared: u64::from(u32::MAX),
            available: 0
        }
    );
}

#[test]
fn a_short_header_is_truncated() {
    let text = format!("x{}", raw_wrapper(b"C2PA"));
    let err = find(text.as_bytes()).unwrap_err();
    assert_eq!(
        err,
        WrapperError::Corrupted(Corrupted {
            range: 1..text.len(),
            reason: Corruption::Truncated { have: 4 }
        })
    );
    assert_eq!(
        err.to_string(),
        "the label's wrapper stops after 4 of its 13 header bytes (the text was cut off) (at byte 1)"
    );
}

/// Cuts a wrapper at every byte, mid-character included, and checks the
/// result against what the cut leaves: nothing, a short header, a short
/// manifest, or a whole manifest with less padding.
#[test]
fn truncation_at_every_length() {
    for (manifest, wrapper) in [16, 0, 3, 70].into_iter().flat_map(|size| {
        let manifest = manifest_of(size);
        let padded = encode(&manifest).unwrap();
        let unpadded = encode_unpadded(&manifest).unwrap();
        [(manifest.clone(), padded), (manifest, unpadded)]
    }) {
        // Byte offsets where each selector of the run ends.
        let ends: Vec<usize> = wrapper
            .char_indices()
            .skip(1)
            .map(|(i, c)| i + c.len_utf8())
            .collect();
        let m = manifest.len();
        let full = ends.len() - 13 - m;
        for cut in 1..wrapper.len() {
            for tail in ["", " tail", "\u{FEFF}"] {
                let prefix = "Prefix ";
                let mut text = prefix.as_bytes().to_vec();
                text.extend_from_slice(&wrapper.as_bytes()[..cut]);
                text.extend_from_slice(tail.as_bytes());
                let found = scan(&text);

                let k = ends.iter().filter(|&&e| e <= cut).count();
                let run_end = prefix.len() + if k == 0 { 3 } else { ends[k - 1] };
                let range = prefix.len()..run_end;
                if cut < 3 || k == 0 {
                    assert_eq!(found, Scan::default(), "cut {cut}");
                    continue;
                }
                if k == 13 + m + full {
                    unreachable!("cut {cut} keeps the whole wrapper");
                }
                if k >= 13 + m {
                    assert!(found.corrupted.is_empty(), "cut {cut}");
                    assert_eq!(
                        found.wrappers,
                        vec![Wrapper {
                            range,
                            manifest: manifest.clone(),
                            padding: k - 13 - m
                        }],
                        "cut {cut}"
                    );
                    continue;
                }
                let reason = if k < 13 {
                    Corruption::Truncated { have: k }
                } else {
                    Corruption::LengthOverrun {
                        declared: m as u64,
                        available: k - 13,
                    }
                };
                assert!(found.wrappers.is_empty(), "cut {cut}");
                assert_eq!(
                    found.corrupted,
                    vec![Corrupted { range, reason }],
                    "cut {cut}"
                );
                let err = find(&text).unwrap_err();
                assert_eq!(err.code(), CORRUPTED_WRAPPER);
            }
        }
    }
}

#[test]
fn two_wrappers_are_multiple() {
    let first = encode(&manifest_of(10)).unwrap();
    let second = encode_unpadded(&manifest_of(20)).unwrap();
    let text = format!("A{first}B{second}C");
    let err = find(text.as_bytes()).unwrap_err();
    let a = 1..1 + first.len();
    let b = a.end + 1..a.end + 1 + second.len();
    assert_eq!(err, WrapperError::Multiple { ranges: vec![a, b] });
    assert_eq!(err.code(), MULTIPLE_WRAPPERS);
    assert_eq!(err.code(), "manifest.text.multipleWrappers");
    assert_eq!(err.to_string(), "two or more labels in one text (2 found)");
    assert_eq!(scan(text.as_bytes()).wrappers.len(), 2);
    assert_eq!(strip(text.as_bytes()), b"ABC");
}

#[test]
fn back_to_back_wrappers_are_separate() {
    let first = encode_unpadded(&manifest_of(4)).unwrap();
    let second = encode(&manifest_of(5)).unwrap();
    let text = format!("{first}{second}");
    let found = scan(text.as_bytes());
    assert_eq!(found.wrappers.len(), 2);
    assert_eq!(found.wrappers[0].range, 0..first.len());
    assert_eq!(found.wrappers[1].range, first.len()..text.len());
}

#[test]
fn corruption_is_reported_before_multiplicity() {
    let good = encode(&manifest_of(10)).unwrap();
    let bad = raw_wrapper(&header(7, 0));
    let text = format!("{good}{good} {bad}");
    let err = find(text.as_bytes()).unwrap_err();
    assert_eq!(err.code(), CORRUPTED_WRAPPER);
    assert_eq!(
        err,
        WrapperError::Corrupted(Corrupted {
            range: 2 * good.len() + 1..text.len(),
            reason: Corruption::BadVersion(7)
        })
    );
    assert_eq!(strip(text.as_bytes()), b" ");
}

#[test]
fn a_corrupted_wrapper_hides_a_valid_one() {
    let good = encode(&manifest_of(10)).unwrap();
    let bad = raw_wrapper(b"C2PATX");
    let text = format!("{bad}text{good}");
    assert_eq!(find(text.as_bytes()).unwrap_err().code(), CORRUPTED_WRAPPER);
    let found = scan(text.as_bytes());
    assert_eq!(found.wrappers.len(), 1);
    assert_eq!(found.corrupted.len(), 1);
    assert_eq!(strip(text.as_bytes()), b"text");
}

#[test]
fn a_large_text_scans() {
    let manifest = manifest_of(13_000);
    let body = "Жасанды интеллект. AI text. ".repeat(10 * 1024 * 1024 / 40);
    let text = format!("{body}{}", encode(&manifest).unwrap());
    let found = find(text.as_bytes()).unwrap().unwrap();
    assert_eq!(found.range.start, body.len());
    assert_eq!(found.manifest, manifest);
}

/// xorshift64: deterministic, no dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What every scan must satisfy whatever the input.
fn check_invariants(text: &[u8]) {
    let found = scan(text);
    let mut ranges: Vec<_> = found
        .wrappers
        .iter()
        .map(|w| w.range.clone())
        .chain(found.corrupted.iter().map(|c| c.range.clone()))
        .collect();
    ranges.sort_by_key(|r| r.start);
    for pair in ranges.windows(2) {
        assert!(pair[0].end <= pair[1].start, "overlap in {text:?}");
    }
    for range in &ranges {
        assert!(range.start + 3 < range.end && range.end <= text.len());
        assert_eq!(&text[range.start..range.start + 3], &[0xEF, 0xBB, 0xBF]);
    }
    for wrapper in &found.wrappers {
        // Every carried byte is one selector of 3 or 4 UTF-8 bytes.
        let carried = 13 + wrapper.manifest.len() + wrapper.padding;
        let run = wrapper.range.len() - 3;
        assert!(run >= 3 * carried && run <= 4 * carried);
    }
    let removed: usize = ranges.iter().map(|r| r.len()).sum();
    assert_eq!(strip(text).len(), text.len() - removed);
    let _ = find(text);
}

#[test]
fn fuzzed_wrappers_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let interesting = [
        0x00, 0x10, 0x43, 0x80, 0x84, 0x87, 0x8F, 0xA0, 0xAF, 0xB0, 0xB8, 0xBB, 0xBF, 0xEF, 0xF3,
        0xFF,
    ];
    let seeds: Vec<Vec<u8>> = [0, 1, 16, 40]
        .iter()
        .flat_map(|&size| {
            let manifest = manifest_of(size);
            [
                format!("ab{}cd", encode(&manifest).unwrap()).into_bytes(),
                encode_unpadded(&manifest).unwrap().into_bytes(),
                raw_wrapper(&header(1, 1000)).into_bytes(),
            ]
        })
        .collect();

    for round in 0..20_000 {
        let mut text = seeds[round % seeds.len()].clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(text.len() + 1);
            match rng.below(7) {
                0 if !text.is_empty() => {
                    let i = rng.below(text.len());
                    text[i] ^= 1 << rng.below(8);
                }
                1 if !text.is_empty() => {
                    let i = rng.below(text.len());
                    text[i] = interesting[rng.below(interesting.len())];
                }
                2 => text.truncate(at),
                3 => {
                    let end = (at + rng.below(16)).min(text.len());
                    text.drain(at..end);
                }
                4 => {
                    let insert = [0xEF, 0xBB, 0xBF];
                    text.splice(at..at, insert);
                }
                5 => {
                    let insert: Vec<u8> = vs(rng.below(256) as u8).to_string().into_bytes();
                    text.splice(at..at, insert);
                }
                _ => {
                    let end = (at + rng.below(64)).min(text.len());
                    let copy = text[at..end].to_vec();
                    text.extend_from_slice(&copy);
                }
            }
        }
        check_invariants(&text);
    }
}
