//! A camera-like EXIF block built here byte by byte (both byte orders):
//! its personal fields are found, and removed in place without moving or
//! breaking anything else.

use super::*;

/// IFD0 {Make, Artist, ExifIFD, GPS}, Exif IFD {BodySerialNumber,
/// CameraOwnerName, ExposureTime}, GPS IFD {LatitudeRef, Latitude}.
pub(crate) fn camera_exif(little: bool) -> Vec<u8> {
    let o = Order(little);
    let mut b = Vec::new();
    b.extend_from_slice(if little { b"II" } else { b"MM" });
    b.extend_from_slice(&o.put16(42));
    b.extend_from_slice(&o.put32(8));
    let entry = |b: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        b.extend_from_slice(&o.put16(tag));
        b.extend_from_slice(&o.put16(kind));
        b.extend_from_slice(&o.put32(count));
        b.extend_from_slice(&o.put32(value));
    };
    // IFD0 at 8: 4 entries -> 2 + 48 + 4 = 54 bytes, data from 62.
    let (exif_at, gps_at, artist_at) = (200u32, 300u32, 62u32);
    b.extend_from_slice(&o.put16(4));
    entry(&mut b, 0x010F, 2, 4, u32::from_be_bytes(*b"Cam\0").to_be()); // inline "Cam"
    entry(&mut b, 0x013B, 2, 8, artist_at);
    entry(&mut b, TAG_EXIF_IFD, 4, 1, exif_at);
    entry(&mut b, TAG_GPS_IFD, 4, 1, gps_at);
    b.extend_from_slice(&o.put32(0));
    b.resize(artist_at as usize, 0);
    b.extend_from_slice(b"Aigerim\0");
    b.resize(exif_at as usize, 0);
    b.extend_from_slice(&o.put16(3));
    entry(&mut b, 0x829A, 5, 1, 400); // ExposureTime
    entry(&mut b, 0xA430, 2, 8, 420);
    entry(&mut b, 0xA431, 2, 8, 428);
    b.extend_from_slice(&o.put32(0));
    b.resize(gps_at as usize, 0);
    b.extend_from_slice(&o.put16(2));
    entry(&mut b, 1, 2, 2, u32::from_be_bytes(*b"N\0\0\0").to_be());
    entry(&mut b, 2, 5, 3, 350);
    b.extend_from_slice(&o.put32(0));
    b.resize(350, 0);
    for (n, d) in [(43u32, 1u32), (14, 1), (2400, 100)] {
        b.extend_from_slice(&o.put32(n));
        b.extend_from_slice(&o.put32(d));
    }
    b.resize(400, 0);
    b.extend_from_slice(&o.put32(1));
    b.extend_from_slice(&o.put32(125));
    b.resize(420, 0);
    b.extend_from_slice(b"Aigerim\0SN-1234\0");
    b
}

fn names(found: &[PersonalField]) -> Vec<&str> {
    found.iter().map(|f| f.field.as_str()).collect()
}

#[test]
fn a_cameras_personal_fields_are_found_with_their_values() {
    for little in [true, false] {
        let found = fields(&camera_exif(little));
        assert_eq!(
            names(&found),
            [
                "Artist",
                "GPSLatitudeRef",
                "GPSLatitude",
                "CameraOwnerName",
                "BodySerialNumber",
            ],
            "little-endian {little}"
        );
        let value = |n: &str| found.iter().find(|f| f.field == n).unwrap().value.clone();
        assert_eq!(value("GPSLatitude"), "43 14 24");
        assert_eq!(value("BodySerialNumber"), "SN-1234");
        assert_eq!(value("Artist"), "Aigerim");
    }
}

#[test]
fn removal_takes_only_the_kinds_asked_for_and_moves_nothing() {
    for little in [true, false] {
        let before = camera_exif(little);
        let mut gps_only = before.clone();
        assert_eq!(
            redact(&mut gps_only, &[PersonalKind::Gps]),
            2,
            "2 GPS entries (their pointer goes too, uncounted)"
        );
        assert_eq!(gps_only.len(), before.len());
        assert_eq!(
            names(&fields(&gps_only)),
            ["Artist", "CameraOwnerName", "BodySerialNumber"]
        );
        let mut all = before.clone();
        let kinds = [
            PersonalKind::Gps,
            PersonalKind::Device,
            PersonalKind::Identity,
        ];
        assert_eq!(redact(&mut all, &kinds), 5);
        assert!(fields(&all).is_empty());
        // What is left still parses, with the other fields where they were.
        let ifds = parse(&all).unwrap();
        let tags: Vec<Vec<u16>> = ifds
            .ifds
            .iter()
            .map(|(_, _, e)| e.iter().map(|e| e.tag).collect())
            .collect();
        assert!(tags.contains(&vec![0x010F, TAG_EXIF_IFD]), "{tags:?}");
        assert!(tags.contains(&vec![0x829A]), "{tags:?}");
        assert_eq!(
            &all[400..408],
            &before[400..408],
            "ExposureTime's value kept"
        );
        assert!(!all.windows(7).any(|w| w == b"Aigerim"), "names zeroed");
        assert!(!all.windows(7).any(|w| w == b"SN-1234"), "serials zeroed");
    }
}

#[test]
fn crafted_blocks_are_not_a_problem() {
    let good = camera_exif(true);
    for cut in [0, 3, 8, 20, 60, 210, 310, 360] {
        let mut b = good[..cut].to_vec();
        let _ = fields(&b);
        let _ = redact(&mut b, &[PersonalKind::Gps, PersonalKind::Device]);
    }
    // An IFD pointing at itself.
    let mut looped = good.clone();
    let o = Order(true);
    looped[200 + 2 + 36..200 + 2 + 40].copy_from_slice(&o.put32(200));
    let _ = fields(&looped);
}
