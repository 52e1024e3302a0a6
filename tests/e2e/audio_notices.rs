//! Audio notices (issue 4) in every format that takes one: the spoken notice
//! (the default) and the GB 45438 tone, at the start, the end or both. For
//! each: the file grows by the notice's length, keeps its sample rate and
//! channels, the notice is sound, the content follows intact (sample-exact
//! where the format is lossless) and the label verifies as trusted.

use std::path::Path;

use serde_json::Value;
use symphonia::core::{
    audio::SampleBuffer, codecs::DecoderOptions, conv::ConvertibleSample, errors::Error,
    formats::FormatOptions, io::MediaSourceStream, meta::MetadataOptions, probe::Hint,
    sample::Sample,
};

use crate::util::{assert_ok, ffmpeg, Sandbox};

/// Decoded audio: rate, channels, interleaved samples (integers left-aligned
/// in 32 bits, symphonia's convention, so WAV and FLAC compare directly).
struct Audio<S> {
    rate: u32,
    channels: usize,
    samples: Vec<S>,
}

fn decode<S: Sample + ConvertibleSample>(path: &Path) -> Audio<S> {
    let file = std::fs::File::open(path).unwrap();
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let opts = FormatOptions {
        enable_gapless: true,
        ..Default::default()
    };
    let mut reader = symphonia::default::get_probe()
        .format(&hint, mss, &opts, &MetadataOptions::default())
        .unwrap()
        .format;
    let track = reader.default_track().unwrap();
    let id = track.id;
    let mut dec = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .unwrap();
    let (mut rate, mut channels, mut samples) = (0, 0, Vec::new());
    loop {
        let packet = match reader.next_packet() {
            Ok(p) => p,
            Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        if packet.track_id() != id {
            continue;
        }
        let buf = dec.decode(&packet).unwrap();
        rate = buf.spec().rate;
        channels = buf.spec().channels.count();
        let mut sb = SampleBuffer::<S>::new(buf.capacity() as u64, *buf.spec());
        sb.copy_interleaved_ref(buf);
        samples.extend_from_slice(sb.samples());
    }
    Audio {
        rate,
        channels,
        samples,
    }
}

fn rms(s: &[f32]) -> f64 {
    (s.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / s.len().max(1) as f64).sqrt()
}

/// Labels `name` with `args`; checks the record and returns the output,
/// the notice's seconds and how many copies of it there are.
fn label(
    sb: &Sandbox,
    name: &str,
    style: &str,
    position: &str,
    extra: &[&str],
) -> (std::path::PathBuf, f64, usize, Value) {
    let input = sb.copy_sample(name);
    let out = sb.path(&format!("{style}-{position}-{}-{name}", extra.join("")));
    let mut args = vec!["--notice-position", position];
    if style != "default" {
        args.extend(["--notice-style", style]);
    }
    args.extend_from_slice(extra);
    assert_ok(&sb.label(&input, &out, &args));
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(
        entry["verdict"], "trusted",
        "{name} {style} {position}: {entry}"
    );
    let n = entry["disclosure"]["perceivableNotice"].clone();
    let want_style = if style == "default" { "voice" } else { style };
    assert_eq!(n["style"], want_style, "{n}");
    assert_eq!(n["position"], position, "{n}");
    let secs = n["durationSeconds"].as_f64().unwrap();
    assert!((0.8..12.0).contains(&secs), "{name}: {secs}");
    let copies = if position == "both" { 2 } else { 1 };
    (out, secs, copies, n)
}

/// Lossless formats: the content follows bit for bit; the notice is sound.
fn check_lossless(name: &str) {
    let sb = Sandbox::new();
    let before = decode::<i32>(&sb.copy_sample(name));
    for (style, position) in [
        ("default", "start"),
        ("voice", "end"),
        ("voice", "both"),
        ("tone", "start"),
        ("tone", "both"),
    ] {
        let what = format!("{name} {style} {position}");
        let (out, secs, copies, n) = label(&sb, name, style, position, &[]);
        if style != "tone" {
            assert_eq!(n["languages"], serde_json::json!(["kk", "ru", "en"]), "{n}");
            assert_eq!(n["text"], "ЖИ жасаған · Создано ИИ · AI-generated", "{n}");
        }
        let after = decode::<i32>(&out);
        assert_eq!(
            (after.rate, after.channels),
            (before.rate, before.channels),
            "{what}"
        );
        let ch = before.channels;
        let grown = (after.samples.len() - before.samples.len()) / ch;
        let per = grown / copies;
        let want = secs * f64::from(before.rate);
        assert!(
            (per as f64 - want).abs() <= f64::from(before.rate) / 500.0,
            "{what}: {per} frames, {want}"
        );
        let (head, tail) = match position {
            "start" => (per * ch, 0),
            "end" => (0, per * ch),
            _ => (per * ch, per * ch),
        };
        assert!(
            after.samples[head..after.samples.len() - tail] == before.samples[..],
            "{what}: the content changed"
        );
        let notice: Vec<f32> = if head > 0 {
            &after.samples[..head]
        } else {
            &after.samples[after.samples.len() - tail..]
        }
        .iter()
        .map(|&s| s as f32 / 2_147_483_648.0)
        .collect();
        let content: Vec<f32> = before
            .samples
            .iter()
            .map(|&s| s as f32 / 2_147_483_648.0)
            .collect();
        let (nr, cr) = (rms(&notice), rms(&content));
        assert!(
            nr > cr / 4.0 && nr < cr * 4.0 + 0.05,
            "{what}: notice RMS {nr}, content {cr}"
        );
    }
}

#[test]
fn wav_gets_a_spoken_or_tone_notice_and_keeps_every_sample() {
    check_lossless("sample.wav");
}

#[test]
fn the_spoken_notice_speaks_the_chosen_languages_and_kind() {
    let sb = Sandbox::new();
    let (_, zh, _, n) = label(
        &sb,
        "sample.wav",
        "voice",
        "start",
        &["--notice-lang", "zh"],
    );
    assert_eq!(n["languages"], serde_json::json!(["zh"]), "{n}");
    assert_eq!(n["text"], "AI生成", "{n}");
    let (_, all, _, n) = label(
        &sb,
        "sample.wav",
        "voice",
        "start",
        &["--notice-lang", "kk,ru,en,zh"],
    );
    assert_eq!(
        n["languages"],
        serde_json::json!(["kk", "ru", "en", "zh"]),
        "{n}"
    );
    assert!(all > zh + 2.0, "{all} vs {zh}");
}

#[test]
fn flac_gets_a_spoken_or_tone_notice_and_keeps_every_sample() {
    check_lossless("sample.flac");
}

/// Normalised cross-correlation of `a` with `b` shifted by `lag` samples.
fn correlation(a: &[f32], b: &[f32], lag: isize) -> f64 {
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for (i, &x) in a.iter().enumerate() {
        let Some(&y) = b.get((i as isize + lag) as usize) else {
            continue;
        };
        let (x, y) = (f64::from(x), f64::from(y));
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    ab / (aa.sqrt() * bb.sqrt()).max(1e-12)
}

/// Lossy formats: the notice is re-encoded with the content at a bitrate
/// near the source's (`said` is in the output), the length grows by the
/// notice to within `tolerance` seconds, and the content follows, aligned
/// and recognisably the same. `decode` is a gapless decoder for the format.
fn check_lossy(name: &str, said: &str, tolerance: f64, decode: fn(&Path) -> Audio<f32>) {
    let sb = Sandbox::new();
    let ext = Path::new(name).extension().unwrap().to_str().unwrap();
    let before = decode(&sb.copy_sample(name));
    for (style, position) in [("default", "start"), ("voice", "end"), ("tone", "both")] {
        let what = format!("{name} {style} {position}");
        let input = sb.copy_sample(name);
        let out = sb.path(&format!("{style}-{position}.{ext}"));
        let mut args = vec!["--notice-position", position];
        if style != "default" {
            args.extend(["--notice-style", style]);
        }
        let o = sb.label(&input, &out, &args);
        assert_ok(&o);
        let output = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(output.contains(said), "{what}: {output}");
        let (entry, _) = sb.verify(&out, true);
        assert_eq!(entry["verdict"], "trusted", "{what}: {entry}");
        let n = &entry["disclosure"]["perceivableNotice"];
        let secs = n["durationSeconds"].as_f64().unwrap();
        let copies = if position == "both" { 2 } else { 1 };

        let after = decode(&out);
        assert_eq!(
            (after.rate, after.channels),
            (before.rate, before.channels),
            "{what}"
        );
        let ch = before.channels;
        let rate = f64::from(before.rate);
        // Gapless decoding gives the encoder's input back: the length grows
        // by the notice, to within the tolerance.
        let grown = (after.samples.len() as f64 - before.samples.len() as f64) / ch as f64 / rate;
        assert!(
            (grown - copies as f64 * secs).abs() < tolerance,
            "{what}: grew {grown:.3} s for {copies} x {secs} s"
        );
        // One notice's samples, from the growth (durationSeconds is rounded).
        let per = after.samples.len().saturating_sub(before.samples.len()) / copies / ch * ch;
        let head = if position == "end" { 0 } else { per };
        let notice = if position == "end" {
            &after.samples[after.samples.len() - per..]
        } else {
            &after.samples[..per]
        };
        let (nr, cr) = (rms(notice), rms(&before.samples));
        assert!(
            nr > cr / 4.0 && nr < cr * 4.0 + 0.05,
            "{what}: notice RMS {nr}, content {cr}"
        );
        // The content follows where it should, recognisably the same.
        let body = &after.samples[head..head + before.samples.len()];
        let best = (-64..=64)
            .map(|lag| correlation(&before.samples, body, lag))
            .fold(f64::MIN, f64::max);
        assert!(best > 0.9, "{what}: correlation {best}");
        assert!(
            correlation(&before.samples, body, 0) > 0.9,
            "{what}: content shifted"
        );
    }
}

#[test]
fn mp3_gets_a_notice_at_a_bitrate_near_the_source_and_keeps_its_content() {
    // sample.mp3 is 64 kbit/s; LAME's gapless header is exact to a frame.
    check_lossy("sample.mp3", "re-encoded at 64 kbit/s", 0.06, decode::<f32>);
}

/// Audio decoded by ffmpeg, an independent decoder for what tamga wrote,
/// cut to the length the MP4 edit list plays: ffmpeg drops the encoder's
/// priming itself but decodes the last frame's padding, and ffprobe's
/// stream duration is the edit list's.
fn ffmpeg_decode(path: &Path) -> Audio<f32> {
    let probe = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a:0", "-show_entries"])
        .args(["stream=sample_rate,channels,duration", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe (ffmpeg) is installed by .ci/run");
    let text = String::from_utf8_lossy(&probe.stdout);
    let mut fields = text.trim().split(',');
    let rate: u32 = fields.next().unwrap().parse().unwrap();
    let channels: usize = fields.next().unwrap().parse().unwrap();
    let seconds: f64 = fields.next().unwrap().parse().unwrap();
    let pcm = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:a:0", "-f", "f32le", "-"])
        .output()
        .unwrap();
    assert!(
        pcm.status.success(),
        "{}",
        String::from_utf8_lossy(&pcm.stderr)
    );
    let mut samples: Vec<f32> = pcm
        .stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let played = (seconds * f64::from(rate)).round() as usize * channels;
    assert!(played <= samples.len(), "{}", path.display());
    samples.truncate(played);
    Audio {
        rate,
        channels,
        samples,
    }
}

#[test]
fn m4a_gets_a_notice_in_aac_at_the_source_bitrate_and_keeps_its_content() {
    // sample.m4a is AAC-LC at 64 kbit/s; with the edit list the lengths are
    // exact but for durationSeconds' rounding.
    check_lossy("sample.m4a", "AAC-LC at 64 kbit/s", 0.002, ffmpeg_decode);
}

#[test]
fn an_m4a_keeps_its_tags_and_cover_art_and_other_codecs_fail_clearly() {
    let sb = Sandbox::new();
    let m4a = sb.copy_sample("sample.m4a");
    let jpg = sb.copy_sample("sample.jpg");
    let tagged = sb.path("tagged.m4a");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    ffmpeg(&[
        "-i",
        &s(&m4a),
        "-i",
        &s(&jpg),
        "-map",
        "0:a",
        "-map",
        "1:v",
        "-c",
        "copy",
        "-disposition:v",
        "attached_pic",
        "-metadata",
        "title=Қазақ әні",
        "-metadata",
        "artist=Tamga",
        &s(&tagged),
    ]);
    let out = sb.path("tagged-out.m4a");
    assert_ok(&sb.label(&tagged, &out, &["--notice-style", "tone"]));
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "trusted", "{entry}");
    let probe = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_entries"])
        .args(["stream=codec_name:stream_disposition=attached_pic:format_tags=title,artist"])
        .args(["-of", "json"])
        .arg(&out)
        .output()
        .unwrap();
    let probe: Value = serde_json::from_slice(&probe.stdout).unwrap();
    assert_eq!(probe["format"]["tags"]["title"], "Қазақ әні", "{probe}");
    assert_eq!(probe["format"]["tags"]["artist"], "Tamga", "{probe}");
    let streams = probe["streams"].as_array().unwrap();
    assert!(
        streams
            .iter()
            .any(|st| st["codec_name"] == "mjpeg" && st["disposition"]["attached_pic"] == 1),
        "the cover art is kept: {probe}"
    );

    // ALAC in M4A: not AAC-LC, refused in one line, nothing written.
    let alac = sb.path("alac.m4a");
    ffmpeg(&[
        "-i",
        &s(&sb.copy_sample("sample.wav")),
        "-c:a",
        "alac",
        &s(&alac),
    ]);
    let out = sb.path("alac-out.m4a");
    let o = sb.label(&alac, &out, &["--notice-style", "tone"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("alac.m4a") && err.contains("only AAC-LC"),
        "{err}"
    );
    assert!(!out.exists());

    // No ffmpeg: one clear line naming the file and what to install.
    let o = sb
        .cmd()
        .env("TAMGA_FFMPEG", sb.path("no-such-ffmpeg"))
        .args(["label", "--ai", "generated", "--notice", "--keys"])
        .arg(sb.keys())
        .arg(&m4a)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("sample.m4a") && err.contains("install ffmpeg"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn a_48_khz_stereo_24_bit_wav_gets_speech_at_its_own_rate_and_channels() {
    let sb = Sandbox::new();
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let input = sb.path("stereo.wav");
    let mut w = hound::WavWriter::create(&input, spec).unwrap();
    for i in 0..96_000 {
        let v = (f64::from(i) * 0.03).sin() * 2_000_000.0;
        w.write_sample(v as i32).unwrap();
        w.write_sample(-v as i32).unwrap();
    }
    w.finalize().unwrap();
    let before = decode::<i32>(&input);
    let out = sb.path("stereo-out.wav");
    assert_ok(&sb.label(&input, &out, &["--notice-position", "both"]));
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "trusted", "{entry}");
    assert_eq!(hound::WavReader::open(&out).unwrap().spec(), spec);
    let after = decode::<i32>(&out);
    let per = (after.samples.len() - before.samples.len()) / 2;
    let secs = entry["disclosure"]["perceivableNotice"]["durationSeconds"]
        .as_f64()
        .unwrap();
    assert!(
        (per as f64 / 2.0 / 48_000.0 - secs).abs() < 0.002,
        "{per} {secs}"
    );
    assert!(after.samples[per..after.samples.len() - per] == before.samples[..]);
    // The same speech on both channels.
    assert!(after.samples[..per].chunks(2).all(|f| f[0] == f[1]));
    assert!(after.samples[..per]
        .iter()
        .any(|&s| s.unsigned_abs() > 1 << 26));
}
