//! What tamga says (issue 15 §8): trust files, errors said once, the hint
//! to give a trust list, help that states real defaults, labelled texts
//! under any name, trimmed line ends, and the mode reports are written with.

use std::path::Path;

use crate::util::{assert_ok, sample, text, Sandbox};

/// A lines-with-Markdown-breaks text, labelled with the sandbox keys.
fn labelled_poem(sb: &Sandbox) -> std::path::PathBuf {
    let poem = sb.path("poem.md");
    std::fs::write(
        &poem,
        "Roses are red,  \nviolets are blue,  \na model wrote this  \nfor you.\n\nThe end.\n",
    )
    .unwrap();
    let out = sb.path("poem-labelled.md");
    assert_ok(&sb.label_plain(&poem, &out));
    out
}

#[test]
fn a_trust_file_without_certificates_is_an_error_naming_it_said_once() {
    let sb = Sandbox::new();
    let photo = sb.path("photo.jpg");
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &photo));
    // A private key where the anchor should be: no certificate in it.
    let wrong = sb.keys().join("signing.key");
    for cmd in [vec!["verify"], vec!["check", "--policy", "kz"]] {
        let mut args = cmd.clone();
        args.extend(["--trust", wrong.to_str().unwrap(), photo.to_str().unwrap()]);
        let o = sb.run(&args);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {}", text(&o.stdout));
        let err = text(&o.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{cmd:?}: {err}");
        assert!(
            err.contains("signing.key") && err.contains("holds no certificate"),
            "{cmd:?}: {err}"
        );
    }
    // A missing one: named, and the reason said once.
    let missing = sb.path("nowhere.pem");
    let o = sb.run(&[
        "verify",
        "--trust",
        missing.to_str().unwrap(),
        photo.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("nowhere.pem"), "{err}");
    assert_eq!(
        err.matches("cannot read the trust list").count(),
        1,
        "{err}"
    );
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
}

#[test]
fn without_a_trust_list_verify_and_check_say_how_to_give_one() {
    let sb = Sandbox::new();
    let photo = sb.path("photo.jpg");
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &photo));
    for cmd in [vec!["verify"], vec!["check", "--policy", "kz"]] {
        let mut args = cmd.clone();
        args.push(photo.to_str().unwrap());
        let err = text(&sb.run(&args).stderr);
        let hints: Vec<&str> = err.lines().filter(|l| l.contains("--trust")).collect();
        assert_eq!(hints.len(), 1, "{cmd:?}: {err}");
        assert!(hints[0].contains("no trust list"), "{}", hints[0]);
        // With one, nothing is said.
        let anchor = sb.anchor();
        let mut args = cmd.clone();
        args.extend(["--trust", anchor.to_str().unwrap(), photo.to_str().unwrap()]);
        let err = text(&sb.run(&args).stderr);
        assert!(!err.contains("--trust"), "{cmd:?}: {err}");
    }
}

#[test]
fn label_help_states_the_default_notice_position_for_each_kind_of_media() {
    let sb = Sandbox::new();
    let o = sb.run(&["label", "--help"]);
    assert_ok(&o);
    let help = text(&o.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let at = help.find("--notice-position").unwrap();
    let entry = &help[at..help[at..].find("--training").map_or(help.len(), |e| at + e)];
    assert!(
        entry.contains(
            "[default: bottom-right for images; start for texts and audio; top-right for video;"
        ),
        "{entry}"
    );
    // And it is what labelling does: an image gets its badge bottom right.
    let out = sb.path("badged.png");
    assert_ok(&sb.label(&sample("sample.png"), &out, &["--notice"]));
    let (entry, _) = sb.verify(&out, true);
    assert_eq!(
        entry["disclosure"]["perceivableNotice"]["position"], "bottom-right",
        "{entry:#}"
    );
}

#[test]
fn a_labelled_text_is_recognised_by_its_label_whatever_its_name() {
    let sb = Sandbox::new();
    let labelled = labelled_poem(&sb);
    for name in ["story.html", "post", "notes.dat"] {
        let renamed = sb.path(name);
        std::fs::copy(&labelled, &renamed).unwrap();
        let (entry, code) = sb.verify(&renamed, true);
        assert_eq!(code, 0, "{name}: {entry:#}");
        assert_eq!(entry["verdict"], "trusted", "{name}: {entry:#}");
        assert_eq!(entry["format"], "text", "{name}");
    }
    // Words without a label stay unrecognised under such a name.
    let plain = sb.path("plain.dat");
    std::fs::write(&plain, "just words\n").unwrap();
    let (entry, code) = sb.verify(&plain, true);
    assert_eq!((entry["verdict"].as_str(), code), (Some("error"), 2));
}

#[test]
fn removing_trailing_spaces_is_diagnosed_as_such() {
    let sb = Sandbox::new();
    let labelled = labelled_poem(&sb);
    let trimmed = sb.path("trimmed.md");
    let body = std::fs::read_to_string(&labelled).unwrap();
    let cut: String = body
        .split_inclusive('\n')
        .map(|l| match l.strip_suffix('\n') {
            Some(line) => format!("{}\n", line.trim_end_matches(' ')),
            None => l.to_string(),
        })
        .collect();
    assert_ne!(cut, body);
    std::fs::write(&trimmed, cut).unwrap();
    let (entry, code) = sb.verify(&trimmed, true);
    assert_eq!((entry["verdict"].as_str(), code), (Some("invalid"), 1));
    let reason = entry["reason"].as_str().unwrap();
    assert!(
        reason.contains("spaces at line ends were removed") && reason.contains("3 lines"),
        "{reason}"
    );
    assert!(!reason.contains("only part"), "{reason}");
}

#[cfg(unix)]
#[test]
fn reports_are_written_with_the_usual_mode_and_keys_stay_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let sb = Sandbox::new();
    let photo = sb.path("photo.jpg");
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &photo));
    let (json, html) = (sb.path("r.xml"), sb.path("r.html"));
    // The test harness's umask is whatever launched it: set the usual one.
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_tamga"))
        .args(["check", "--policy", "kz", "--trust"])
        .arg(sb.anchor())
        .arg("--junit")
        .arg(&json)
        .arg("--html")
        .arg(&html)
        .arg(&photo)
        .env("XDG_CONFIG_HOME", sb.path("config"))
        .output()
        .unwrap();
    assert!(o.status.code().is_some(), "{}", text(&o.stderr));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&json), 0o644);
    assert_eq!(mode(&html), 0o644);
    assert_eq!(mode(&sb.keys().join("signing.key")), 0o600);
}
