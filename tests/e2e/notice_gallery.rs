//! Renders labelled results to PNG for a person to look at (issue 4 asks
//! for it): badges in each style and language, and the waveform of an
//! audio notice. They land in `<target>/tmp/notice-gallery/`; the test
//! checks each rendering is the labelled file's real content.

use std::path::{Path, PathBuf};

use image::{GenericImageView, Rgb, RgbImage};

use crate::util::{assert_ok, sample, Sandbox};

fn gallery() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("notice-gallery");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn badges_are_rendered_for_review() {
    let sb = Sandbox::new();
    let dir = gallery();
    for (name, extra) in [
        ("badge-kk-ru-en", vec!["--notice"]),
        ("badge-zh", vec!["--notice", "--notice-lang", "zh"]),
        (
            "ai-icon-top-right",
            vec![
                "--notice-style",
                "ai-icon",
                "--notice-position",
                "top-right",
            ],
        ),
    ] {
        let out = sb.path(&format!("{name}.jpg"));
        assert_ok(&sb.label(&sample("sample.jpg"), &out, &extra));
        let img = image::open(&out).unwrap();
        let original = image::open(sample("sample.jpg")).unwrap();
        assert_eq!(img.dimensions(), original.dimensions());
        let png = dir.join(format!("{name}.png"));
        img.save(&png).unwrap();
        assert!(std::fs::metadata(&png).unwrap().len() > 1000, "{name}");
    }
}

#[test]
fn an_audio_notice_waveform_is_rendered_for_review() {
    let sb = Sandbox::new();
    let out = sb.path("tone.wav");
    assert_ok(&sb.label(&sample("sample.wav"), &out, &["--notice-style", "tone"]));
    let mut reader = hound::WavReader::open(&out).unwrap();
    let spec = reader.spec();
    let peak = f64::from(1u32 << (spec.bits_per_sample - 1));
    let samples: Vec<f64> = match spec.sample_format {
        hound::SampleFormat::Int => reader
            .samples::<i32>()
            .map(|s| f64::from(s.unwrap()) / peak)
            .collect(),
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .map(|s| f64::from(s.unwrap()))
            .collect(),
    };
    let (w, h) = (1000u32, 200u32);
    let mut img = RgbImage::from_pixel(w, h, Rgb([255, 255, 255]));
    let per = samples.len().div_ceil(w as usize).max(1);
    let mut drawn = 0;
    for (x, chunk) in samples.chunks(per).enumerate() {
        let (lo, hi) = chunk
            .iter()
            .fold((0f64, 0f64), |(l, u), &s| (l.min(s), u.max(s)));
        let y = |v: f64| ((1.0 - v.clamp(-1.0, 1.0)) / 2.0 * f64::from(h - 1)) as u32;
        for py in y(hi)..=y(lo) {
            img.put_pixel(x as u32, py, Rgb([20, 60, 160]));
            drawn += 1;
        }
    }
    assert!(drawn > w as usize, "the waveform has signal");
    img.save(gallery().join("tone-start.png")).unwrap();
}
