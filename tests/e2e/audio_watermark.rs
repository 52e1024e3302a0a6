//! tamga's audio watermark through the real binary: `label --watermark`
//! marks WAV, FLAC, MP3 and M4A, alone or in the same pass as a tone or
//! voice notice; the label stays trusted in tamga and c2pa-python; a copy
//! with its metadata gone (re-encoded by ffmpeg) still carries the payload,
//! and `verify` recovers the label through the registry by it.

use std::{path::Path, process::Command};

use serde_json::Value;

use base64::{engine::general_purpose::STANDARD, Engine};

use crate::{
    serve_http::{get, post},
    serve_registry::{ids, start},
    util::{text, urlencode, Sandbox},
};

const ALG: &str = "org.tamga.audio-mark.1";

/// `seconds` of a chord over a little noise, 48 kHz stereo, encoded by
/// ffmpeg with `codec` into `name`.
fn music(sb: &Sandbox, name: &str, seconds: u32, codec: &[&str]) -> std::path::PathBuf {
    let path = sb.path(name);
    let d = seconds.to_string();
    let made = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("sine=f=220:d={d},volume=0.3"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!("sine=f=277:d={d},volume=0.2"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!("anoisesrc=d={d}:a=0.02:seed=4"))
        .args([
            "-filter_complex",
            "[0][1][2]amix=inputs=3,aformat=sample_rates=48000:channel_layouts=stereo",
        ])
        .args(codec)
        .arg(&path)
        .status()
        .expect("ffmpeg runs");
    assert!(made.success());
    path
}

/// The JSON a command printed, after checking it succeeded.
fn json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Labels `input` with the watermark (and `extra`), checks what the
/// label says of it, and returns the output, payload and manifest id.
fn label_marked(
    sb: &Sandbox,
    registry: &str,
    input: &Path,
    out: &Path,
    extra: &[&str],
) -> (String, String, Value) {
    let mut args = vec!["--watermark", "--registry", registry, "--json"];
    args.extend(extra);
    let doc = json(&sb.label(input, out, &args));
    let l = doc["labelled"][0].clone();
    assert_eq!(l["watermark"]["alg"], ALG, "{l}");
    assert!(l["watermark"]["snr_db"].as_f64().unwrap() >= 25.0, "{l}");
    let payload = l["watermark"]["payload"].as_str().unwrap().to_string();
    assert_eq!(payload.len(), 8, "{l}");
    let manifest = l["registered"]["manifest"].as_str().unwrap().to_string();
    (payload, manifest, l)
}

/// The copy a platform would pass on: decoded by ffmpeg and re-encoded
/// with `codec`, every tag and the label gone.
fn stripped(sb: &Sandbox, from: &Path, name: &str, codec: &[&str]) -> std::path::PathBuf {
    let copy = sb.path(name);
    let ok = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-i"])
        .arg(from)
        .args(["-map", "0:a", "-map_metadata", "-1"])
        .args(codec)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(ok.success());
    copy
}

/// Checks that a stripped copy of `marked` carries `payload` and leads
/// back to `manifest`.
fn recovered(sb: &Sandbox, registry: &str, copy: &Path, payload: &str, manifest: &str) {
    let f = &sb.verify_registry(registry, copy)["files"][0];
    assert_eq!(f["verdict"], "unlabelled", "{f}");
    assert_eq!(f["watermark"]["alg"], ALG, "{f}");
    assert_eq!(f["watermark"]["payload"], payload, "{f}");
    assert_eq!(f["recovered"]["how"], "watermark", "{f}");
    assert_eq!(f["recovered"]["manifest"], manifest, "{f}");
}

#[test]
fn a_marked_wav_leads_back_to_its_label_from_an_mp3_copy() {
    let sb = Sandbox::new();
    let registry = format!("sqlite://{}", sb.path("reg.db").display());
    let wav = music(&sb, "music.wav", 20, &["-c:a", "pcm_s16le"]);
    let out = sb.path("marked.wav");
    let (payload, manifest, _) = label_marked(&sb, &registry, &wav, &out, &[]);
    // An MP3 at 128 kbit/s with no metadata: no label, the mark intact.
    let mp3 = stripped(&sb, &out, "copy.mp3", &["-b:a", "128k"]);
    recovered(&sb, &registry, &mp3, &payload, &manifest);
    // The unmarked original carries none.
    let doc = json(&sb.run(&[
        "verify",
        "--json",
        "--find-watermarks",
        wav.to_str().unwrap(),
    ]));
    assert!(doc["files"][0].get("watermark").is_none(), "{doc}");

    // The resolution API: by the payload, and by the copy itself.
    let server = start(&sb, &registry);
    let bytes: Vec<u8> = (0..4)
        .map(|i| u8::from_str_radix(&payload[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let value = urlencode(&STANDARD.encode(&bytes));
    let r = get(
        &server.addr,
        &format!("/matches/byBinding?alg={ALG}&value={value}"),
    );
    assert_eq!(r.status, 200, "{}", text(&r.body));
    assert_eq!(
        ids(&serde_json::from_slice(&r.body).unwrap()),
        std::slice::from_ref(&manifest)
    );
    let copy = std::fs::read(&mp3).unwrap();
    for alg in [format!("?alg={ALG}"), String::new()] {
        let r = post(
            &server.addr,
            &format!("/matches/byContent{alg}"),
            "audio/mpeg",
            &copy,
            "",
        );
        assert_eq!(r.status, 200, "{alg}: {}", text(&r.body));
        let found = ids(&serde_json::from_slice(&r.body).unwrap());
        assert!(found.contains(&manifest), "{alg}: {found:?}");
    }
    // Asking for the image mark finds nothing in a recording.
    let r = post(
        &server.addr,
        "/matches/byContent?alg=org.tamga.image-mark.1",
        "audio/mpeg",
        &copy,
        "",
    );
    assert!(ids(&serde_json::from_slice(&r.body).unwrap()).is_empty());
}

#[test]
fn flac_mp3_and_m4a_are_marked_alone_or_with_their_notice_and_stay_trusted() {
    let sb = Sandbox::new();
    let registry = format!("sqlite://{}", sb.path("reg.db").display());
    let cases: [(&str, &str, &[&str], &[&str]); 4] = [
        ("flac", "audio/flac", &["-c:a", "flac"], &[]),
        (
            "flac",
            "audio/flac",
            &["-c:a", "flac"],
            &["--notice", "--notice-style", "voice"],
        ),
        (
            "mp3",
            "audio/mpeg",
            &["-c:a", "libmp3lame", "-b:a", "192k"],
            &[],
        ),
        (
            "m4a",
            "audio/mp4",
            &["-c:a", "aac", "-b:a", "160k"],
            &["--notice", "--notice-style", "tone"],
        ),
    ];
    for (i, (ext, mime, codec, notice)) in cases.into_iter().enumerate() {
        let what = format!("{ext} {notice:?}");
        let input = music(&sb, &format!("in{i}.{ext}"), 15, codec);
        let out = sb.path(&format!("marked{i}.{ext}"));
        let (payload, manifest, _) = label_marked(&sb, &registry, &input, &out, notice);

        let (f, _) = sb.verify(&out, true);
        assert_eq!(f["verdict"], "trusted", "{what}: {f}");
        let heard = &f["disclosure"]["perceivableNotice"]["style"];
        match notice.last() {
            Some(style) => assert_eq!(heard, style, "{what}: {f}"),
            None => assert!(heard.is_null(), "{what}: {f}"),
        }

        // The reference SDK: trusted, and the action that says so.
        let r = sb.c2pa_read(&out, mime);
        assert_eq!(r["validation_state"], "Trusted", "{what}: {r}");
        let actions = r["actions"].as_array().unwrap();
        assert!(
            actions.iter().any(|a| a == "c2pa.watermarked"),
            "{what}: {r}"
        );

        // Decoded to WAV by ffmpeg, the label gone: the mark leads back.
        let copy = stripped(&sb, &out, &format!("copy{i}.wav"), &["-c:a", "pcm_s16le"]);
        recovered(&sb, &registry, &copy, &payload, &manifest);
    }
}
