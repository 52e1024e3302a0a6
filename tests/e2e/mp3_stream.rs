//! MP3 labelled streaming (issue 14): tamga writes the ID3v2 tag with the
//! C2PA store and hashes the audio in blocks itself. The result must be
//! what c2pa's own MP3 embedding gives: trusted by the reference SDK,
//! every ID3 frame kept, and memory that does not grow with the file, when
//! labelling and when verifying (the data hash is checked streaming too).

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::{
    interop::py_read,
    util::{assert_ok, python, text, Sandbox},
};

/// ffmpeg's answer to `args`, which must succeed.
fn ffmpeg(args: &[&str]) {
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is installed by .ci/run");
    assert!(o.status.success(), "{}", text(&o.stderr));
}

/// An MP3 of `seconds` of a tone, tagged by ffmpeg as a music tagger would
/// (ID3v2.3: title, artist and a custom TXXX field).
fn tagged_mp3(sb: &Sandbox, name: &str, seconds: u32) -> std::path::PathBuf {
    let out = sb.path(name);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("sine=frequency=440:sample_rate=44100:duration={seconds}"),
        "-ac",
        "2",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "128k",
        "-id3v2_version",
        "3",
        "-metadata",
        "title=Қазақ әні",
        "-metadata",
        "artist=Tamga Test",
        "-metadata",
        "CATALOGUE=TMG-0042",
        out.to_str().unwrap(),
    ]);
    out
}

/// ffprobe's format tags.
fn tags(file: &Path) -> Value {
    let o = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format_tags", "-of", "json"])
        .arg(file)
        .output()
        .expect("ffprobe is installed by .ci/run");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    doc["format"]["tags"].clone()
}

#[test]
fn a_streamed_mp3_label_keeps_its_id3_tags_and_is_trusted_by_c2pa_python() {
    let sb = Sandbox::new();
    let input = tagged_mp3(&sb, "tagged.mp3", 3);
    let before = tags(&input);
    assert_eq!(
        before["CATALOGUE"], "TMG-0042",
        "ffmpeg wrote a TXXX: {before}"
    );
    for (name, extra) in [
        ("plain.mp3", &[][..]),
        ("noticed.mp3", &["--notice-style", "tone"][..]),
    ] {
        let out = sb.path(name);
        assert_ok(&sb.label(&input, &out, extra));
        let (entry, code) = sb.verify(&out, true);
        assert_eq!(entry["verdict"], "trusted", "{name}: {entry}");
        assert_eq!(code, 0);
        let r = py_read(&out, "audio/mpeg", Some(&sb.anchor()), None);
        assert_eq!(
            r["validation_state"], "Trusted",
            "{name}: c2pa-python says {}",
            r["failures"]
        );
        let after = tags(&out);
        for key in ["title", "artist", "CATALOGUE"] {
            assert_eq!(after[key], before[key], "{name}: {key}: {after}");
        }
    }
}

/// The peak resident memory of `tamga args`, in KiB: measured by Python's
/// `resource` around just this child (this test binary runs other tests'
/// children at the same time).
fn peak_kib(args: &[&str]) -> u64 {
    let script = "import resource, subprocess, sys\n\
                  r = subprocess.run(sys.argv[1:], capture_output=True)\n\
                  sys.stderr.buffer.write(r.stderr)\n\
                  print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n\
                  sys.exit(r.returncode)";
    let o = Command::new(python())
        .args(["-c", script, env!("CARGO_BIN_EXE_tamga")])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout).trim().parse().unwrap()
}

#[test]
fn labelling_and_verifying_an_mp3_do_not_hold_the_file_in_memory() {
    let sb = Sandbox::new();
    // 20 minutes at 128 kbit/s: 19 MB. c2pa's own MP3 embedding holds it
    // three times over; streamed, the peak is the program's own.
    let long = tagged_mp3(&sb, "long.mp3", 1200);
    let size_kib = std::fs::metadata(&long).unwrap().len() / 1024;
    let keys = sb.keys();
    let out = sb.path("long-out.mp3");
    let small = tagged_mp3(&sb, "short.mp3", 2);
    let small_out = sb.path("short-out.mp3");
    let label = |input: &Path, output: &Path| {
        peak_kib(&[
            "label",
            input.to_str().unwrap(),
            "--ai",
            "generated",
            "--keys",
            keys.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ])
    };
    let baseline = label(&small, &small_out);
    let peak = label(&long, &out);
    assert!(
        peak < baseline + size_kib / 2,
        "labelling a {size_kib} KiB MP3 peaked at {peak} KiB, a 2-second one at {baseline} KiB"
    );

    let anchor = sb.anchor();
    let verify = |file: &Path| {
        peak_kib(&[
            "verify",
            file.to_str().unwrap(),
            "--trust",
            anchor.to_str().unwrap(),
        ])
    };
    let baseline = verify(&small_out);
    let peak = verify(&out);
    assert!(
        peak < baseline + size_kib / 2,
        "verifying a {size_kib} KiB MP3 peaked at {peak} KiB, a 2-second one at {baseline} KiB"
    );
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "trusted", "{entry}");
    // The streamed check is a real one: one bit of audio changed.
    let mut b = std::fs::read(&out).unwrap();
    let at = b.len() / 2;
    b[at] ^= 0x01;
    std::fs::write(&out, b).unwrap();
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(entry["verdict"], "invalid", "{entry}");
    assert!(
        crate::util::codes(&entry).contains(&"assertion.dataHash.mismatch".to_string()),
        "{entry}"
    );
}
