//! Labels that survive re-sharing (issue 17): `label --registry` records
//! each label, platforms strip it (re-encode, resize, PNG round trip, MP3
//! at 128 kbit/s, text copied without its wrapper), and `verify --registry`
//! finds the right manifest again; unrelated content finds nothing; a bad
//! registry is a clear error with nothing written.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::Value;

use crate::util::{assert_ok, piped, refuse_registry_writes, text, Sandbox};

/// Runs ffmpeg quietly, as a platform would process an upload.
pub fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is installed by .ci/run");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        text(&out.stderr)
    );
}

/// A picture of its own: ffmpeg's generated test sources differ from each
/// other and from the sample photo.
fn generated(sb: &Sandbox, name: &str, source: &str) -> PathBuf {
    let path = sb.path(name);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        source,
        "-frames:v",
        "1",
        path.to_str().unwrap(),
    ]);
    path
}

/// The active manifest of a labelled file, as `verify` reports it.
pub fn manifest_id(sb: &Sandbox, file: &Path) -> String {
    let (entry, _) = sb.verify(file, true);
    entry["active_manifest"]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no active manifest: {entry}", file.display()))
        .to_string()
}

/// `verify --json --registry URL --trust <anchor> FILE…`: the entries.
pub fn verify_with(sb: &Sandbox, url: &str, files: &[&Path]) -> Vec<Value> {
    let anchor = sb.anchor();
    let mut args = vec![
        "verify",
        "--json",
        "--registry",
        url,
        "--trust",
        anchor.to_str().unwrap(),
    ];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let out = sb.run(&args);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("verify JSON: {e}: {}", text(&out.stderr)));
    doc["files"].as_array().unwrap().clone()
}

/// Labels `inputs` into `<sandbox>/labelled` with the registry at `url`
/// and returns each output with its manifest id.
fn label_all(sb: &Sandbox, url: &str, inputs: &[&Path]) -> Vec<(PathBuf, String)> {
    let out_dir = sb.path("labelled");
    let keys = sb.keys();
    let mut args = vec![
        "label",
        "--ai",
        "generated",
        "--generator",
        "Test Model 2.1",
        "--keys",
        keys.to_str().unwrap(),
        "--registry",
        url,
        "-o",
        out_dir.to_str().unwrap(),
    ];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    assert_ok(&sb.run(&args));
    inputs
        .iter()
        .map(|input| {
            let out = out_dir.join(input.file_name().unwrap());
            let id = manifest_id(sb, &out);
            (out, id)
        })
        .collect()
}

/// A labelled text copied as a reader copies it: the visible text only,
/// the invisible wrapper left behind, and one word changed.
fn copy_text(labelled: &Path, to: &Path) {
    let bytes = std::fs::read(labelled).unwrap();
    let visible = String::from_utf8(tamga_text::strip(&bytes)).unwrap();
    assert_ne!(visible.len(), bytes.len(), "the label wrapper was there");
    std::fs::write(to, visible.replacen("the", "a", 1)).unwrap();
}

const ARTICLE: &str = "The city council met on Tuesday evening to discuss the new \
    budget for public transport. After a long debate, the members agreed to fund \
    two new bus lines and to extend the tram network towards the river district, \
    where thousands of families have moved in the last five years.\n";

const UNRELATED: &str = "Baking bread at home needs only flour, water, salt and \
    patience. Knead the dough for ten minutes, let it rise overnight in a cool \
    place, then bake it in a very hot oven until the crust sings when tapped.\n";

/// Each sample stripped as a platform strips it — JPEG at about quality
/// 75, a crop of 10 % of the area, a 50 % resize, a PNG round trip through
/// JPEG, MP3 at 128 kbit/s, resampling, a text copied without its wrapper
/// with a word changed — and the manifest it must lead back to.
fn strip_and_recover(sb: &Sandbox, url: &str) {
    let photo = sb.copy_sample("sample.jpg");
    let pattern = generated(sb, "pattern.png", "testsrc2=s=800x600");
    let fractal = generated(sb, "fractal.png", "mandelbrot=s=640x480");
    let song = sb.copy_sample("sample.mp3");
    let article = sb.path("article.txt");
    std::fs::write(&article, ARTICLE).unwrap();
    let labelled = label_all(sb, url, &[&photo, &pattern, &fractal, &song, &article]);
    let [(photo, photo_id), (pattern, pattern_id), (fractal, fractal_id), (song, song_id), (article, article_id)] =
        labelled.as_slice()
    else {
        unreachable!()
    };

    let s = |name: &str| sb.path(name);
    let (q75, half, round_trip, mp3, copied) = (
        s("photo-q75.jpg"),
        s("pattern-half.png"),
        s("fractal-roundtrip.png"),
        s("song-128k.mp3"),
        s("article-copied.txt"),
    );
    let (cropped, resampled) = (s("photo-cropped.jpg"), s("song-44k.wav"));
    // A crop of 10 % of the area (2.5 % off each side), re-encoded.
    ffmpeg(&[
        "-i",
        photo.to_str().unwrap(),
        "-vf",
        "crop=trunc(iw*0.95/2)*2:trunc(ih*0.95/2)*2",
        "-q:v",
        "3",
        cropped.to_str().unwrap(),
    ]);
    // Resampled from 22.05 to 44.1 kHz and decoded to WAV.
    ffmpeg(&[
        "-i",
        song.to_str().unwrap(),
        "-ar",
        "44100",
        resampled.to_str().unwrap(),
    ]);
    // JPEG re-encode at about quality 75 (ffmpeg's -q:v 8).
    ffmpeg(&[
        "-i",
        photo.to_str().unwrap(),
        "-q:v",
        "8",
        q75.to_str().unwrap(),
    ]);
    ffmpeg(&[
        "-i",
        pattern.to_str().unwrap(),
        "-vf",
        "scale=iw/2:ih/2",
        half.to_str().unwrap(),
    ]);
    // To JPEG and back to PNG, as a screenshot pipeline might.
    let via = s("fractal-via.jpg");
    ffmpeg(&["-i", fractal.to_str().unwrap(), via.to_str().unwrap()]);
    ffmpeg(&["-i", via.to_str().unwrap(), round_trip.to_str().unwrap()]);
    ffmpeg(&[
        "-i",
        song.to_str().unwrap(),
        "-map_metadata",
        "-1",
        "-b:a",
        "128k",
        mp3.to_str().unwrap(),
    ]);
    copy_text(article, &copied);

    let expected = [
        (&q75, photo_id, "image"),
        (&cropped, photo_id, "image"),
        (&half, pattern_id, "image"),
        (&round_trip, fractal_id, "image"),
        (&mp3, song_id, "audio"),
        (&resampled, song_id, "audio"),
        (&copied, article_id, "text"),
    ];
    let files: Vec<&Path> = expected.iter().map(|(p, _, _)| p.as_path()).collect();
    let entries = verify_with(sb, url, &files);
    let mut problems = Vec::new();
    for ((file, id, kind), entry) in expected.iter().zip(&entries) {
        let r = &entry["recovered"];
        let ok = entry["verdict"] == "unlabelled"
            && r["manifest"] == id.as_str()
            && r["how"] == "fingerprint"
            && r["kind"] == *kind
            && r["verdict"] == "trusted"
            && r["content_changed"] == true
            && r["disclosure"]["ai"] == "generated"
            && r["signer"]["organisation"] == "Tamga Test Newsroom";
        if !ok {
            problems.push(format!("{}: expected {id}: {entry:#}", file.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Content nobody labelled finds nothing.
    let noise = generated(sb, "noise.png", "cellauto=s=640x480:rule=30");
    let other = sb.path("other.txt");
    std::fs::write(&other, UNRELATED).unwrap();
    for entry in verify_with(sb, url, &[&noise, &other]) {
        assert_eq!(entry["verdict"], "unlabelled", "{entry}");
        assert!(entry.get("recovered").is_none(), "false match: {entry:#}");
    }
}

#[test]
fn stripped_labels_are_recovered_from_a_sqlite_registry() {
    let sb = Sandbox::new();
    let db = sb.path("registry/labels.sqlite");
    strip_and_recover(&sb, &format!("sqlite:{}", db.display()));

    // The plain-text report says it in words.
    let copied = sb.path("article-copied.txt");
    let out = sb.run(&[
        "verify",
        "--registry",
        &format!("sqlite:{}", db.display()),
        copied.to_str().unwrap(),
    ]);
    let said = text(&out.stdout);
    assert!(
        said.contains(
            "no label in the file; a label for this content was found in the registry: \
             made with AI (Test Model 2.1) by Tamga Test Newsroom"
        ),
        "{said}"
    );
}

#[test]
fn stripped_labels_are_recovered_from_a_postgresql_registry() {
    let Some(pg) = tamga_registry::test_support::TestPostgres::start_or_skip(
        "e2e recovery through PostgreSQL",
    ) else {
        return;
    };
    let sb = Sandbox::new();
    strip_and_recover(&sb, &pg.url());
}

#[test]
fn the_registry_comes_from_the_environment_and_the_config_file() {
    let sb = Sandbox::new();
    let photo = sb.copy_sample("sample.jpg");
    let keys = sb.keys();
    let by_env = sb.path("env.sqlite");
    let out = sb
        .cmd()
        .args(["label", photo.to_str().unwrap(), "--ai", "generated"])
        .args(["--keys", keys.to_str().unwrap(), "-o"])
        .arg(sb.path("env.jpg"))
        .env("TAMGA_REGISTRY", format!("sqlite:{}", by_env.display()))
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(by_env.is_file(), "TAMGA_REGISTRY was not used");

    let by_config = sb.path("config.sqlite");
    let config = sb.path("config/tamga/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!("[registry]\nurl = \"sqlite:{}\"\n", by_config.display()),
    )
    .unwrap();
    assert_ok(&sb.label(&photo, &sb.path("config.jpg"), &[]));
    assert!(by_config.is_file(), "[registry] url was not used");
    // verify reads the same table.
    let copy = sb.path("copy.jpg");
    ffmpeg(&[
        "-i",
        sb.path("config.jpg").to_str().unwrap(),
        "-q:v",
        "8",
        copy.to_str().unwrap(),
    ]);
    let (entry, _) = sb.verify(&copy, true);
    assert_eq!(
        entry["recovered"]["manifest"],
        manifest_id(&sb, &sb.path("config.jpg")).as_str(),
        "{entry:#}"
    );
}

#[test]
fn a_bad_registry_stops_labelling_before_anything_is_written() {
    let sb = Sandbox::new();
    let photo = sb.copy_sample("sample.jpg");
    for (url, says) in [
        ("mysql://db/labels", "unknown scheme"),
        ("postgres://nobody@127.0.0.1:1/labels", "unreachable"),
    ] {
        let out_file = sb.path("out.jpg");
        let out = sb.label(&photo, &out_file, &["--registry", url]);
        assert_eq!(out.status.code(), Some(2), "{url}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains(says) && err.contains("--registry"),
            "{url}: {err}"
        );
        assert!(!out_file.exists(), "{url}: a file was written");
    }
}

#[test]
fn a_failed_registration_fails_the_file_and_writes_nothing() {
    let sb = Sandbox::new();
    let db = sb.path("refusing.sqlite");
    let url = format!("sqlite:{}", db.display());
    // A registry that opens (so the run starts) but refuses every record,
    // as a full disk or a revoked grant would.
    let photo = sb.copy_sample("sample.jpg");
    assert_ok(&sb.label(&photo, &sb.path("first.jpg"), &["--registry", &url]));
    refuse_registry_writes(&db);

    let png = sb.copy_sample("sample.png");
    let dir = sb.path("out");
    let keys = sb.keys();
    let out = sb.run(&[
        "label",
        "--json",
        "--ai",
        "generated",
        "--keys",
        keys.to_str().unwrap(),
        "--registry",
        &url,
        "-o",
        dir.to_str().unwrap(),
        photo.to_str().unwrap(),
        png.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("label JSON: {e}: {}", text(&out.stderr)));
    let failed = doc["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2, "{doc:#}");
    for f in failed {
        assert_eq!(f["kind"], "registry", "{f}");
        assert!(
            f["error"].as_str().unwrap().contains("disk quota exceeded"),
            "{f}"
        );
    }
    assert!(!dir.join("sample.jpg").exists() && !dir.join("sample.png").exists());
}

#[test]
fn c2pa_python_reads_the_soft_binding() {
    let sb = Sandbox::new();
    for (file, mime, prefix) in [
        ("sample.jpg", "image/jpeg", "ISCC:EEA"),
        ("sample.mp3", "audio/mpeg", "ISCC:EIA"),
    ] {
        let out = sb.path(&format!("labelled-{file}"));
        assert_ok(&sb.label(&sb.copy_sample(file), &out, &[]));
        let r = sb.c2pa_read(&out, mime);
        assert_eq!(r["validation_state"], "Trusted", "{file}: {r}");
        let sb0 = &r["soft_bindings"][0];
        assert_eq!(sb0["alg"], "io.iscc.v0", "{file}: {r}");
        let value = sb0["values"][0].as_str().unwrap_or_default();
        assert!(value.starts_with(prefix), "{file}: {value}");
    }
}

#[test]
fn check_treats_a_recovered_ai_label_as_ai_evidence() {
    let sb = Sandbox::new();
    let db = sb.path("labels.sqlite");
    let url = format!("sqlite:{}", db.display());
    let photo = sb.copy_sample("sample.jpg");
    let labelled = sb.path("labelled.jpg");
    assert_ok(&sb.label(&photo, &labelled, &["--registry", &url]));
    let stripped = sb.path("stripped.jpg");
    ffmpeg(&[
        "-i",
        labelled.to_str().unwrap(),
        "-q:v",
        "8",
        stripped.to_str().unwrap(),
    ]);
    let anchor = sb.anchor();
    for (policy, lang_word) in [("kz", "stripped in transit"), ("eu", "stripped in transit")] {
        let out = sb.run(&[
            "check",
            "--policy",
            policy,
            "--trust",
            anchor.to_str().unwrap(),
            "--registry",
            &url,
            "--json",
            stripped.to_str().unwrap(),
        ]);
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("check JSON: {e}: {}", text(&out.stderr)));
        let f = &doc["files"][0];
        assert_eq!(f["verdict"], "fix", "{policy}: {f:#}");
        let reason = &f["reasons"][0];
        assert_eq!(reason["rule"], "label", "{policy}: {f:#}");
        assert!(
            reason.to_string().contains(lang_word),
            "{policy}: {reason:#}"
        );
        assert!(
            !reason["clause"].as_str().unwrap_or_default().is_empty(),
            "{policy}: no clause: {reason:#}"
        );
    }
    // Without the registry the same file has no AI evidence at all.
    let out = sb.run(&[
        "check",
        "--policy",
        "kz",
        "--json",
        stripped.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["files"][0]["verdict"], "publish", "{doc:#}");
}

#[test]
fn a_file_whose_sidecar_went_missing_is_found_by_its_exact_hash() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    let wav = sb.copy_sample("sample.wav");
    let out = sb.path("out.wav");
    assert_ok(&sb.label(&wav, &out, &["--sidecar", "--registry", &url]));
    let sidecar = sb.path("out.wav.c2pa");
    assert!(sidecar.is_file());
    std::fs::remove_file(&sidecar).unwrap();
    let entry = &verify_with(&sb, &url, &[&out])[0];
    let r = &entry["recovered"];
    assert_eq!(entry["verdict"], "unlabelled", "{entry:#}");
    assert_eq!(r["how"], "exact", "{entry:#}");
    assert!(r.get("distance").is_none(), "{entry:#}");
    // The very file that was signed: its binding holds, nothing changed.
    assert_eq!(r["content_changed"], false, "{entry:#}");
    assert_eq!(r["verdict"], "trusted", "{entry:#}");
}

#[test]
fn a_text_labelled_through_a_pipe_is_registered_too() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    let keys = sb.keys();
    let out = piped(
        sb.cmd()
            .args(["label", "-", "--ai", "generated", "--registry", &url])
            .args(["--keys", keys.to_str().unwrap()]),
        ARTICLE.as_bytes(),
    );
    assert_ok(&out);
    let labelled = sb.path("piped.txt");
    std::fs::write(&labelled, &out.stdout).unwrap();
    let copied = sb.path("copied.txt");
    copy_text(&labelled, &copied);
    let entry = &verify_with(&sb, &url, &[&copied])[0];
    assert_eq!(
        entry["recovered"]["manifest"],
        manifest_id(&sb, &labelled).as_str(),
        "{entry:#}"
    );
}

#[test]
fn label_reports_the_id_it_registered_and_recovery_finds_that_id() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    let photo = sb.copy_sample("sample.jpg");
    let keys = sb.keys();
    let labelled = sb.path("labelled.jpg");
    let label = |json: bool, out: &Path| {
        let mut args = vec!["label", "--ai", "generated", "--registry", &url];
        if json {
            args.push("--json");
        }
        args.extend([
            "--keys",
            keys.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            photo.to_str().unwrap(),
        ]);
        sb.run(&args)
    };
    let out = label(true, &labelled);
    assert_ok(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let registered = &doc["labelled"][0]["registered"];
    let id = registered["manifest"].as_str().unwrap_or_default();
    assert!(id.starts_with("urn:c2pa:"), "{doc:#}");
    assert_eq!(registered["registry"], url.as_str(), "{doc:#}");
    assert_eq!(id, manifest_id(&sb, &labelled));

    let stripped = sb.path("stripped.jpg");
    ffmpeg(&[
        "-i",
        labelled.to_str().unwrap(),
        "-q:v",
        "5",
        stripped.to_str().unwrap(),
    ]);
    let entry = &verify_with(&sb, &url, &[&stripped])[0];
    assert_eq!(entry["recovered"]["manifest"], id, "{entry:#}");

    // Plain text says it in one line, with the same id.
    let again = sb.path("again.jpg");
    let out = label(false, &again);
    assert_ok(&out);
    let said = text(&out.stdout);
    let line = said
        .lines()
        .find(|l| l.trim_start().starts_with("registered "))
        .unwrap_or_else(|| panic!("no registered line: {said}"));
    assert_eq!(
        line.trim(),
        format!("registered {} in {url}", manifest_id(&sb, &again)),
        "{said}"
    );
    // Without a registry nothing is said about one.
    let out = sb.label(&photo, &sb.path("plain.jpg"), &["--json"]);
    assert_ok(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["labelled"][0].get("registered").is_none(), "{doc:#}");
}
