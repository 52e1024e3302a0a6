//! The match thresholds hold: what platforms do to content keeps its code
//! within `*_MATCH_DISTANCE`, and unrelated content stays outside it. A
//! small, fast version of `examples/fp_measure.rs` (which measured the
//! thresholds on 1,000 images and 200 recordings; `docs/fingerprints.md`).

// Tests panic on what they do not expect, with the value in the message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Cursor;

use image::{codecs::jpeg::JpegEncoder, imageops::FilterType, DynamicImage, ImageFormat};
use tamga_fingerprint::{
    hamming, DecodeLimits, AUDIO_MATCH_DISTANCE, IMAGE_MATCH_DISTANCE, TEXT_MATCH_DISTANCE,
};

fn from_bytes(bytes: Vec<u8>) -> u64 {
    tamga_fingerprint::image(Cursor::new(bytes), &DecodeLimits::default())
        .unwrap()
        .bits
}

fn jpeg75(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 75)
        .encode_image(&img.to_rgb8())
        .unwrap();
    out
}

/// Pairs of distinct codes closer than `max`.
fn close_pairs(codes: &[u64], max: u32) -> Vec<(usize, usize, u32)> {
    let mut out = Vec::new();
    for i in 0..codes.len() {
        for j in i + 1..codes.len() {
            let d = hamming(codes[i], codes[j]);
            if d <= max {
                out.push((i, j, d));
            }
        }
    }
    out
}

#[test]
fn images_survive_reencoding_resizing_cropping_and_stay_apart() {
    let Some(ffmpeg) = common::tool("ffmpeg", "apt-get install ffmpeg") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut codes = Vec::new();
    for i in 0..18 {
        let file = dir.path().join(format!("{i}.png"));
        common::make_image(&ffmpeg, i, &file);
        let img = image::open(&file).unwrap();
        let code = tamga_fingerprint::image_code(&img).unwrap();
        if code.featureless {
            // Matches nothing, so there is nothing to keep within reach.
            continue;
        }
        let code = code.bits;
        let (w, h) = (img.width(), img.height());
        let half = img.resize_exact(w / 2, h / 2, FilterType::Triangle);
        let mut png = Cursor::new(Vec::new());
        img.write_to(&mut png, ImageFormat::Png).unwrap();
        for (what, moved) in [
            ("jpeg q75", from_bytes(jpeg75(&img))),
            (
                "resize 50 %",
                tamga_fingerprint::image_code(&half).unwrap().bits,
            ),
            (
                "crop 10 %",
                tamga_fingerprint::image_code(&img.crop_imm(
                    w / 20,
                    h / 20,
                    w - w / 10,
                    h - h / 10,
                ))
                .unwrap()
                .bits,
            ),
            ("png round trip", from_bytes(png.into_inner())),
            ("50 % + jpeg q75", from_bytes(jpeg75(&half))),
        ] {
            let d = hamming(code, moved);
            assert!(
                d <= IMAGE_MATCH_DISTANCE,
                "{what} moved {} by {d} bits",
                common::image_source(i)
            );
        }
        codes.push(code);
    }
    assert!(codes.len() >= 12, "too many featureless codes");
    let close = close_pairs(&codes, IMAGE_MATCH_DISTANCE);
    assert!(close.is_empty(), "unrelated images match: {close:?}");
}

#[test]
fn recordings_survive_mp3_and_resampling_and_stay_apart() {
    let Some(ffmpeg) = common::tool("ffmpeg", "apt-get install ffmpeg") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let code = |file: &std::path::Path| {
        let ext = file.extension().unwrap().to_str().unwrap().to_string();
        let source = Box::new(std::fs::File::open(file).unwrap());
        tamga_fingerprint::audio(source, &ext, &DecodeLimits::default()).unwrap()
    };
    let mut codes = Vec::new();
    for i in 0..10 {
        let wav = dir.path().join(format!("{i}.wav"));
        common::make_audio(&ffmpeg, i, 15, &wav);
        let original = code(&wav);
        if !original.featureless {
            codes.push(original.bits);
        }
        let original = original.bits;
        if i >= 5 {
            continue;
        }
        for (ext, args) in [
            ("mp3", &["-b:a", "128k"][..]),
            ("wav", &["-ar", "22050"][..]),
            ("flac", &["-ar", "48000"][..]),
        ] {
            let out = dir.path().join(format!("{i}-{}.{ext}", args[1]));
            let mut all = vec!["-i", common::path(&wav)];
            all.extend_from_slice(args);
            all.push(common::path(&out));
            common::ffmpeg(&ffmpeg, &all);
            let d = hamming(original, code(&out).bits);
            assert!(
                d <= AUDIO_MATCH_DISTANCE,
                "{ext} {args:?} moved {} by {d} bits",
                common::audio_source(i, 15)
            );
        }
    }
    assert!(codes.len() >= 4, "too many steady clips");
    let close = close_pairs(&codes, AUDIO_MATCH_DISTANCE);
    assert!(close.is_empty(), "unrelated recordings match: {close:?}");
}

#[test]
fn texts_survive_small_edits_and_stay_apart() {
    let samples = common::root().join("samples/text");
    let mut originals = Vec::new();
    for f in ["en.md", "ru.txt", "kk.md", "zh.txt"] {
        let text = std::fs::read_to_string(samples.join(f)).unwrap();
        let visible = String::from_utf8(tamga_text::strip(text.as_bytes())).unwrap();
        originals.push(visible);
    }
    let mut codes = Vec::new();
    for text in &originals {
        let code = tamga_fingerprint::text(text).bits;
        codes.push(code);
        // Edits by characters, so Chinese (no spaces) is edited as little
        // as the others: a typo, five characters cut, case, line ends, a
        // forwarding header.
        let chars: Vec<char> = text.chars().collect();
        let mid = chars.len() / 2;
        let mut typo = chars.clone();
        typo[mid] = if typo[mid] == 'x' { 'y' } else { 'x' };
        let mut cut = chars.clone();
        cut.drain(mid..mid + 5);
        let edits = [
            typo.into_iter().collect::<String>(),
            cut.into_iter().collect(),
            text.to_uppercase(),
            text.replace('\n', "\r\n"),
            format!("Forwarded:\n{text}"),
        ];
        for (k, edit) in edits.iter().enumerate() {
            let d = hamming(code, tamga_fingerprint::text(edit).bits);
            eprintln!("text {} edit {k}: {d} bits", codes.len());
            assert!(
                d <= TEXT_MATCH_DISTANCE,
                "edit {k} moved text {} by {d} bits",
                codes.len()
            );
        }
    }
    let close = close_pairs(&codes, TEXT_MATCH_DISTANCE);
    assert!(close.is_empty(), "unrelated texts match: {close:?}");
}
