//! Hostile and broken inputs: one-line errors naming the file, non-zero exit,
//! no panic, nothing written, and batches that go on.

use std::{path::PathBuf, time::Instant};

use crate::util::{assert_ok, text, Sandbox};

fn no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}

/// Files that must be refused, each with a word the error must contain.
fn bad_files(sb: &Sandbox) -> Vec<(PathBuf, &'static str)> {
    let jpg = std::fs::read(crate::util::sample("sample.jpg")).unwrap();
    let png = std::fs::read(crate::util::sample("sample.png")).unwrap();
    let wav = std::fs::read(crate::util::sample("sample.wav")).unwrap();
    let m4a = std::fs::read(crate::util::sample("sample.m4a")).unwrap();
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: &[u8], why: &'static str| {
        let p = sb.path(name);
        std::fs::write(&p, bytes).unwrap();
        files.push((p, why));
    };
    put("empty.jpg", b"", "empty");
    put(
        "random.jpg",
        &(0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect::<Vec<_>>(),
        "unrecognised",
    );
    put("truncated.png", &png[..png.len() / 3], "truncated");
    put(
        "text.mp3",
        b"this is not audio at all, just words",
        "unrecognised",
    );
    // A PNG chunk that claims 1.8 GB.
    let mut huge = png[..33].to_vec();
    huge.extend_from_slice(&0x7000_0000u32.to_be_bytes());
    huge.extend_from_slice(b"caBX");
    huge.extend_from_slice(&[0u8; 64]);
    put("huge-chunk.png", &huge, "past the end");
    // A RIFF chunk that claims 4 GB.
    let mut riff = wav[..12].to_vec();
    riff.extend_from_slice(b"data");
    riff.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    riff.extend_from_slice(&wav[44..2044]);
    put("huge-chunk.wav", &riff, "past the end");
    // A BMFF box nested inside itself until the depth limit.
    let ftyp = u32::from_be_bytes(m4a[..4].try_into().unwrap()) as usize;
    let mut nested = m4a[..ftyp].to_vec();
    let depth = 100u32;
    for i in 0..depth {
        nested.extend_from_slice(&(8 * (depth - i)).to_be_bytes());
        nested.extend_from_slice(b"moov");
    }
    put("nested.m4a", &nested, "nested too deeply");
    // A TIFF whose IFD chain loops.
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&[0x00, 0x01, 3, 0, 1, 0, 0, 0, 16, 0, 0, 0]);
    tiff.extend_from_slice(&8u32.to_le_bytes());
    put("loop.tif", &tiff, "loop");
    // A JPEG segment running past the end.
    let mut j = jpg[..20].to_vec();
    j.extend_from_slice(&[0xFF, 0xEB, 0xFF, 0xF0]);
    j.extend_from_slice(&[0u8; 32]);
    put("bad-segment.jpg", &j, "past the end");
    // An SVG entity bomb.
    put(
        "bomb.svg",
        b"<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><svg xmlns=\"http://www.w3.org/2000/svg\"><text>&b;</text></svg>",
        "entit",
    );
    files
}

#[test]
fn bad_files_fail_labelling_cleanly_and_leave_nothing_behind() {
    let sb = Sandbox::new();
    for (file, why) in bad_files(&sb) {
        let target = sb.path(&format!(
            "out-{}",
            file.file_name().unwrap().to_string_lossy()
        ));
        let start = Instant::now();
        let out = sb.label_plain(&file, &target);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", file.display());
        no_panic(&err);
        // The run's own notes (no time-stamp authority, say) come first.
        let first = err
            .lines()
            .find(|l| !l.starts_with("tamga: note:") && !l.starts_with("tamga: warning:"))
            .unwrap_or_default();
        assert!(
            first.contains(&*file.to_string_lossy()) && first.contains(why),
            "{}: {first}",
            file.display()
        );
        assert!(!target.exists(), "{}: output left behind", file.display());
        assert!(start.elapsed().as_secs() < 10);
    }
    // No temporary files either.
    let leftovers: Vec<_> = std::fs::read_dir(sb.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("tamga-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn bad_files_fail_verification_cleanly() {
    let sb = Sandbox::new();
    for (file, why) in bad_files(&sb) {
        let out = sb.run(&["verify", file.to_str().unwrap()]);
        let err = text(&out.stdout) + &text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", file.display());
        no_panic(&err);
        assert!(
            err.contains(&*file.to_string_lossy()) && err.contains(why),
            "{}: {err}",
            file.display()
        );
    }
}

#[test]
fn a_batch_goes_on_past_bad_files_and_reports_them_at_the_end() {
    let sb = Sandbox::new();
    let input = sb.path("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::copy(crate::util::sample("sample.jpg"), input.join("a.jpg")).unwrap();
    std::fs::copy(crate::util::sample("sample.wav"), input.join("sub/b.wav")).unwrap();
    std::fs::write(input.join("sub/broken.png"), b"\x89PNG\r\n\x1a\nshort").unwrap();
    let out_dir = sb.path("out");
    let out = sb.label_plain(&input, &out_dir);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("2 labelled, 1 failed"), "{stdout}");
    assert!(stdout.contains("broken.png"));
    assert!(out_dir.join("a.jpg").exists() && out_dir.join("sub/b.wav").exists());
    assert!(!out_dir.join("sub/broken.png").exists());

    let v = sb.run(&[
        "verify",
        "--trust",
        sb.anchor().to_str().unwrap(),
        out_dir.to_str().unwrap(),
    ]);
    assert_ok(&v);
    assert!(text(&v.stdout).contains("2 files: 2 trusted"));
}

#[test]
fn unreadable_and_missing_paths_are_reported() {
    let sb = Sandbox::new();
    let missing = sb.path("missing.jpg");
    let out = sb.run(&["verify", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("missing.jpg"));
    no_panic(&text(&out.stderr));
}

#[test]
fn in_place_replaces_only_on_success_and_plain_output_never_touches_input() {
    let sb = Sandbox::new();
    let keys = sb.keys();
    let file = sb.copy_sample("sample.flac");
    let before = std::fs::read(&file).unwrap();
    let out = sb.run(&[
        "label",
        file.to_str().unwrap(),
        "--ai",
        "edited",
        "--keys",
        keys.to_str().unwrap(),
        "--in-place",
    ]);
    assert_ok(&out);
    assert_ne!(std::fs::read(&file).unwrap(), before);
    let (entry, _) = sb.verify(&file, true);
    assert_eq!(entry["verdict"], "trusted");
    assert_eq!(entry["disclosure"]["ai"], "edited");
    assert_eq!(entry["disclosure"]["action"], "c2pa.edited");

    let out = sb.run(&[
        "label",
        file.to_str().unwrap(),
        "--ai",
        "generated",
        "--keys",
        keys.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no -o and no --in-place is a usage error"
    );
}

#[test]
fn output_keeps_the_input_permissions_and_never_silently_replaces_the_input() {
    let sb = Sandbox::new();
    let input = sb.copy_sample("sample.mp3");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&input, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = sb.path("o.mp3");
        assert_ok(&sb.label_plain(&input, &out));
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }
    let before = std::fs::read(&input).unwrap();
    let out = sb.label_plain(&input, &input);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("refusing to overwrite the input"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
}
