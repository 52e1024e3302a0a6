//! A 2 GB MP4 (issue 20) is labelled and verified in bounded memory: the
//! BMFF hash is computed streaming by tamga (`bmff_hash.rs`), not through
//! c2pa's 256 MB buffers. Speed and the memory figures are in the
//! benchmark (bench/video-large.sh); this checks that it works and that
//! memory stays far below the file's size.

use std::{io::Write, path::Path, process::Command};

use crate::util::{assert_ok, text, Sandbox};
use crate::video_util::clip;

const GIB: u64 = 1 << 30;

/// Peak memory of `tamga ARGS` in MB (GNU time's max RSS), and its output.
fn peak_mb(sb: &Sandbox, args: &[&str]) -> (u64, std::process::Output) {
    let rss = sb.path("rss");
    let tamga = sb.cmd();
    let mut c = Command::new("/usr/bin/time");
    c.args(["-f", "%M", "-o", rss.to_str().unwrap()]);
    c.arg(tamga.get_program()).args(args);
    for (k, v) in tamga.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    let out = c
        .output()
        .expect("GNU time at /usr/bin/time (apt-get install time)");
    let kb: u64 = std::fs::read_to_string(&rss)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (kb / 1024, out)
}

/// A playable clip followed by a second, unreferenced `mdat` of 2 GiB of
/// zeros with a 64-bit size, written sparse: no disk used, every byte
/// still read and hashed.
fn two_gib_mp4(sb: &Sandbox, out: &Path) {
    let small = sb.path("small.mp4");
    clip(
        &small,
        "320x240",
        2,
        &["-c:v", "libx264", "-b:v", "300k"],
        &["-movflags", "+faststart"],
    );
    std::fs::copy(&small, out).unwrap();
    let mut f = std::fs::OpenOptions::new().append(true).open(out).unwrap();
    let start = f.metadata().unwrap().len();
    f.write_all(&1u32.to_be_bytes()).unwrap();
    f.write_all(b"mdat").unwrap();
    f.write_all(&(2 * GIB).to_be_bytes()).unwrap();
    f.set_len(start + 2 * GIB).unwrap();
}

#[test]
fn a_2_gib_mp4_is_labelled_and_verified_in_bounded_memory() {
    let sb = Sandbox::new();
    let big = sb.path("big.mp4");
    two_gib_mp4(&sb, &big);
    let labelled = sb.path("labelled.mp4");
    let keys = sb.keys();
    let (label_mb, o) = peak_mb(
        &sb,
        &[
            "label",
            big.to_str().unwrap(),
            "--ai",
            "generated",
            "--keys",
            keys.to_str().unwrap(),
            "-o",
            labelled.to_str().unwrap(),
        ],
    );
    assert_ok(&o);
    std::fs::remove_file(&big).unwrap();
    let anchor = sb.anchor();
    let (verify_mb, o) = peak_mb(
        &sb,
        &[
            "verify",
            "--json",
            "--trust",
            anchor.to_str().unwrap(),
            labelled.to_str().unwrap(),
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        report["files"][0]["verdict"],
        "trusted",
        "{}",
        text(&o.stderr)
    );
    // c2pa's own path peaked at the file's size (2 GB): the goal is
    // 150 MB for a release build; a debug build's code is larger.
    assert!(label_mb < 200, "labelling peaked at {label_mb} MB");
    assert!(verify_mb < 200, "verifying peaked at {verify_mb} MB");

    // A changed byte deep in the big mdat is found.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(&labelled)
        .unwrap();
    let len = f.metadata().unwrap().len();
    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(len - GIB)).unwrap();
    f.write_all(&[1]).unwrap();
    drop(f);
    let (entry, _) = sb.verify(&labelled, true);
    assert_eq!(entry["verdict"], "invalid", "{entry}");
    assert!(
        crate::util::codes(&entry).contains(&"assertion.bmffHash.mismatch".to_string()),
        "{entry}"
    );
}
