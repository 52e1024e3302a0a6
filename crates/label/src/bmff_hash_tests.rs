//! tamga's BMFF hash against c2pa's own (`BmffHash::gen_hash_from_stream`)
//! on the bundled BMFF samples and on many generated box layouts.

use std::io::{Cursor, Write};

use c2pa::assertions::BmffHash;

use super::*;

/// c2pa's hash of `bytes` with its default exclusions at `version`, and
/// tamga's with the same exclusions.
fn both(bytes: &[u8], version: usize) -> (Vec<u8>, Option<Vec<u8>>) {
    let mut bh = BmffHash::new("jumbf manifest", "sha256", None);
    bh.set_default_exclusions();
    bh.set_bmff_version(version);
    bh.gen_hash_from_stream(&mut Cursor::new(bytes)).unwrap();
    let ours = hash_file(
        &mut Cursor::new(bytes),
        &TopExclusion::from_maps(bh.exclusions()).unwrap(),
        version > 1,
        Alg::Sha256,
    )
    .unwrap();
    (bh.hash().unwrap().clone(), ours)
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn matches_c2pa_on_the_samples() {
    for name in ["sample.m4a", "sample.heic", "sample.avif"] {
        let bytes = sample(name);
        for version in [1, 2, 3] {
            let (theirs, ours) = both(&bytes, version);
            assert_eq!(Some(theirs), ours, "{name} v{version}");
        }
    }
}

/// A box of `kind` with `body`, in the header form `header` picks
/// (0: 32-bit size, 1: 64-bit largesize, 2: size 0 = to the end).
fn boxed(kind: &[u8; 4], body: &[u8], header: u8) -> Vec<u8> {
    let mut b = Vec::new();
    match header {
        1 => {
            b.extend_from_slice(&1u32.to_be_bytes());
            b.extend_from_slice(kind);
            b.extend_from_slice(&(16 + body.len() as u64).to_be_bytes());
        }
        2 => {
            b.extend_from_slice(&0u32.to_be_bytes());
            b.extend_from_slice(kind);
        }
        _ => {
            b.extend_from_slice(&(8 + body.len() as u32).to_be_bytes());
            b.extend_from_slice(kind);
        }
    }
    b.extend_from_slice(body);
    b
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A file c2pa can parse: an ftyp, then top-level boxes of the types its
/// default exclusions name and of others, in random order and sizes,
/// some with 64-bit sizes, the last sometimes sized "to the end".
fn random_file(rng: &mut Rng) -> Vec<u8> {
    let mut f = boxed(b"ftyp", b"isom\0\0\x02\0isomiso2mp41", 0);
    let boxes = 1 + rng.below(8);
    for i in 0..boxes {
        let mut body: Vec<u8> = (0..rng.below(300)).map(|_| rng.next() as u8).collect();
        let kind: [u8; 4] = match rng.below(8) {
            0 => *b"free",
            1 => *b"skip",
            2 => *b"mfra",
            3 => *b"uuid",
            4 => *b"mdat",
            5 => *b"wide",
            6 => *b"moov",
            _ => *b"ftyp",
        };
        match &kind {
            b"uuid" => {
                // Either C2PA's (a FullBox) or another vendor's.
                let mut u = if rng.below(2) == 0 {
                    C2PA_UUID.to_vec()
                } else {
                    vec![7; 16]
                };
                u.extend_from_slice(&[0, 0, 0, 0]);
                u.append(&mut body);
                body = u;
            }
            b"moov" => body = boxed(b"mvhd", &[0; 100], 0),
            b"mfra" => body = boxed(b"mfro", &[0; 8], 0),
            _ => {}
        }
        let header = match rng.below(6) {
            0 => 1,
            1 if i == boxes - 1 => 2,
            _ => 0,
        };
        f.write_all(&boxed(&kind, &body, header)).unwrap();
    }
    f
}

#[test]
fn matches_c2pa_on_generated_layouts() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for n in 0..400 {
        let bytes = random_file(&mut rng);
        let version = [1, 2, 3][n % 3];
        let (theirs, ours) = both(&bytes, version);
        assert_eq!(Some(theirs), ours, "layout {n} v{version}: {bytes:?}");
    }
}

#[test]
fn a_moved_box_changes_the_hash_from_version_2_on() {
    let ftyp = boxed(b"ftyp", b"isom\0\0\x02\0isom", 0);
    let a = [
        ftyp.clone(),
        boxed(b"free", &[1; 9], 0),
        boxed(b"mdat", b"pictures", 0),
    ]
    .concat();
    let b = [
        ftyp,
        boxed(b"free", &[1; 20], 0),
        boxed(b"mdat", b"pictures", 0),
    ]
    .concat();
    let (a1, b1) = (both(&a, 1).1, both(&b, 1).1);
    assert_eq!(a1, b1, "v1 hashes bytes only");
    assert_ne!(both(&a, 3).1, both(&b, 3).1, "v3 hashes where mdat is");
}

#[test]
fn unusual_files_are_left_to_c2pa() {
    let ex = TopExclusion::from_maps(BmffHash::new("m", "sha256", None).set_default_exclusions())
        .unwrap();
    let good = [
        boxed(b"ftyp", b"isom\0\0\x02\0", 0),
        boxed(b"mdat", b"x", 0),
    ]
    .concat();
    let hash = |b: &[u8]| hash_file(&mut Cursor::new(b), &ex, true, Alg::Sha256).unwrap();
    assert!(hash(&good).is_some());
    // Trailing bytes shorter than a box header.
    assert!(hash(&[good.as_slice(), b"abc"].concat()).is_none());
    // A box running past the end.
    assert!(hash(&good[..good.len() - 1]).is_none());
    // A size smaller than the header.
    assert!(hash(&[good.as_slice(), &[0, 0, 0, 4], b"free"].concat()).is_none());
    // Exclusions tamga does not recompute.
    let mut nested = c2pa::assertions::ExclusionsMap::new("/moov/trak".into());
    assert!(TopExclusion::from_maps(std::slice::from_ref(&nested)).is_none());
    nested.xpath = "/moov".into();
    nested.subset = Some(vec![c2pa::assertions::SubsetMap {
        offset: 16,
        length: 0,
    }]);
    assert!(TopExclusion::from_maps(&[nested]).is_none());
}

#[test]
fn the_assertion_version_comes_from_its_label() {
    assert_eq!(version_of("c2pa.hash.bmff"), 1);
    assert_eq!(version_of("c2pa.hash.bmff.v2"), 2);
    assert_eq!(version_of("c2pa.hash.bmff.v3"), 3);
}
