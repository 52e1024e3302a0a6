//! `tamga serve` (issue 6): the real binary on a loopback port, spoken to
//! over raw HTTP/1.1 so malformed requests can be sent as they are.

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use crate::{
    serve_http::{get, multipart, post, raw, upload_folders, Server, TOKEN},
    util::{assert_ok, root, sample, text, Sandbox},
};

/// Labels every embeddable sample with the sandbox keys.
fn labelled_samples(sb: &Sandbox) -> Vec<PathBuf> {
    let names = [
        "sample.jpg",
        "sample.png",
        "sample.webp",
        "sample.gif",
        "sample.tif",
        "sample.avif",
        "sample.heic",
        "sample.jxl",
        "sample.svg",
        "sample.wav",
        "sample.mp3",
        "sample.flac",
        "sample.m4a",
        "text/en.md",
    ];
    names
        .iter()
        .map(|n| {
            let out = sb.path(&format!("l-{}", n.rsplit('/').next().unwrap()));
            assert_ok(&sb.label_plain(&sample(n), &out));
            out
        })
        .collect()
}

fn tampered(sb: &Sandbox) -> PathBuf {
    let p = sb.path("tampered.jpg");
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &p));
    crate::util::tamper_jpeg_image_data(&p);
    p
}

/// Request folders left in the upload folders (each server's lock file
/// aside).
fn uploads_left(sb: &Sandbox) -> usize {
    upload_folders(sb)
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != ".lock")
        .count()
}

#[test]
fn verify_answers_the_cli_report_for_every_format_and_the_gate_with_a_policy() {
    let sb = Sandbox::new();
    let files = labelled_samples(&sb);
    let bad = tampered(&sb);
    let server = Server::start(&sb, "");
    let a = &server.addr;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        // Text is recognised by its media type; media by their bytes.
        let ct = if f.extension().is_some_and(|e| e == "md") {
            "text/markdown"
        } else {
            "application/octet-stream"
        };
        let r = post(a, "/v1/verify", ct, &bytes, "");
        assert_eq!(r.status, 200, "{}: {}", f.display(), text(&r.body));
        let doc = r.json();
        assert_eq!(doc["schema"], "tamga.verify/1");
        let entry = &doc["files"][0];
        assert_eq!(entry["verdict"], "trusted", "{}: {entry:#}", f.display());
        assert_eq!(entry["disclosure"]["ai"], "generated");
        // The same JSON as the CLI's, but for the name.
        let (cli, _) = sb.verify(f, true);
        assert_eq!(entry["format"], cli["format"], "{}", f.display());
        assert_eq!(entry["active_manifest"], cli["active_manifest"]);
        assert_eq!(entry["signer"], cli["signer"]);
        assert!(
            entry["path"].as_str().unwrap().starts_with("upload"),
            "{entry:#}"
        );
    }
    let r = post(
        a,
        "/v1/verify",
        "image/png",
        &std::fs::read(sample("sample.png")).unwrap(),
        "",
    );
    assert_eq!(r.json()["files"][0]["verdict"], "unlabelled");

    // Several files in one multipart request, names kept (sanitized).
    let good = std::fs::read(&files[0]).unwrap();
    let broken = std::fs::read(&bad).unwrap();
    let (ct, body) = multipart(&[
        ("file", Some("../../etc/good.jpg"), &good),
        ("file", Some("bad.jpg"), &broken),
    ]);
    let doc = post(a, "/v1/verify", &ct, &body, "").json();
    assert_eq!(doc["summary"]["files"], 2);
    assert_eq!(doc["files"][0]["path"], "good.jpg");
    assert_eq!(doc["files"][0]["verdict"], "trusted");
    assert_eq!(doc["files"][1]["verdict"], "invalid");
    let codes = doc["files"][1]["failures"].to_string();
    assert!(codes.contains("assertion.dataHash.mismatch"), "{codes}");
    assert!(
        !text(&body).is_empty() && !doc.to_string().contains(&sb.path("").display().to_string()),
        "a server path leaked"
    );

    // With a policy: the gate's verdicts.
    let doc = post(a, "/v1/verify?policy=kz", &ct, &body, "").json();
    assert_eq!(doc["schema"], "tamga.check/1");
    assert_eq!(doc["policy"]["name"], "kz");
    assert_eq!(doc["files"][0]["verdict"], "fix", "no notice: {doc:#}");
    assert_eq!(doc["files"][1]["verdict"], "reject");
    let r = post(a, "/v1/verify?policy=mars", &ct, &body, "");
    assert_eq!((r.status, r.json()["kind"].as_str()), (400, Some("policy")));

    // Every upload folder is gone once its request is.
    assert_eq!(uploads_left(&sb), 0);
    // The metrics counted it.
    let m = text(&get(a, "/metrics").body);
    assert!(
        m.contains("tamga_verifications_total{verdict=\"trusted\"}"),
        "{m}"
    );
    assert!(m.contains("route=\"/v1/verify\",status=\"200\""), "{m}");
}

#[test]
fn labelling_needs_the_token_and_returns_a_file_that_verifies() {
    let sb = Sandbox::new();
    let server = Server::start(&sb, "");
    let a = &server.addr;
    let png = std::fs::read(sample("sample.png")).unwrap();
    let r = post(a, "/v1/label?ai=generated", "image/png", &png, "");
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Bearer")));
    let wrong = format!("\r\nAuthorization: Bearer {}x", TOKEN);
    assert_eq!(
        post(a, "/v1/label?ai=generated", "image/png", &png, &wrong).status,
        401
    );

    let auth = format!("\r\nAuthorization: Bearer {TOKEN}");
    let (ct, body) = multipart(&[
        ("ai", None, b"generated"),
        ("generator", None, b"CMS Model 3"),
        ("notice", None, b"true"),
        ("file", Some("poster.png"), &png),
    ]);
    let r = post(a, "/v1/label", &ct, &body, &auth);
    assert_eq!(r.status, 200, "{}", text(&r.body));
    assert_eq!(r.header("content-type"), Some("image/png"));
    let out = sb.path("from-server.png");
    std::fs::write(&out, &r.body).unwrap();
    let (v, _) = sb.verify(&out, true);
    assert_eq!(v["verdict"], "trusted", "{v:#}");
    assert_eq!(v["disclosure"]["generator"]["name"], "CMS Model");
    assert_eq!(v["disclosure"]["perceivableNotice"]["style"], "badge");

    let r = post(a, "/v1/label?ai=maybe", "image/png", &png, &auth);
    assert_eq!(
        (r.status, r.json()["kind"].as_str()),
        (400, Some("bad-field"))
    );
    let r = post(
        a,
        "/v1/label?ai=generated",
        "image/png",
        b"not an image",
        &auth,
    );
    assert_eq!(r.status, 422, "{}", text(&r.body));
}

#[test]
fn a_refused_upload_is_named_by_its_file_name_never_a_server_path_or_a_cli_flag() {
    let sb = Sandbox::new();
    let server = Server::start(&sb, "");
    let auth = format!("\r\nAuthorization: Bearer {TOKEN}");
    let bmp = std::fs::read(sample("sample.bmp")).unwrap();
    let png = std::fs::read(sample("sample.png")).unwrap();
    for (name, bytes, kind) in [
        ("holiday photo.bmp", &bmp[..], "not-embeddable"),
        ("poster.png", &png[..png.len() / 3], "malformed"),
    ] {
        let (ct, body) = multipart(&[("ai", None, b"generated"), ("file", Some(name), bytes)]);
        let r = post(&server.addr, "/v1/label", &ct, &body, &auth);
        assert_eq!(r.status, 422, "{}", text(&r.body));
        let doc = r.json();
        assert_eq!(doc["kind"], kind, "{doc}");
        let message = doc["error"].as_str().unwrap();
        assert!(message.starts_with(&format!("{name}: ")), "{message}");
        // The upload's temporary file lives under the server's folders.
        assert!(!message.contains('/'), "a server path: {message}");
        assert!(!message.contains("--"), "a CLI flag: {message}");
    }
}

#[test]
fn bad_requests_get_json_errors_and_the_server_stays_up() {
    let sb = Sandbox::new();
    let server = Server::start(&sb, "max_upload_mb = 1");
    let a = &server.addr;
    let big = vec![0u8; (1 << 20) + 10];
    let r = post(a, "/v1/verify", "application/octet-stream", &big, "");
    assert_eq!(
        (r.status, r.json()["kind"].as_str()),
        (413, Some("too-large"))
    );
    // Chunked, so no Content-Length to refuse it by: still 413.
    let mut chunked = format!("{:x}\r\n", big.len()).into_bytes();
    chunked.extend_from_slice(&big);
    chunked.extend_from_slice(b"\r\n0\r\n\r\n");
    let r = raw(
        a,
        "POST /v1/verify HTTP/1.1\r\nTransfer-Encoding: chunked",
        &chunked,
    );
    assert_eq!(r.status, 413);

    let r = post(a, "/v1/verify", "application/octet-stream", b"", "");
    assert_eq!((r.status, r.json()["kind"].as_str()), (400, Some("empty")));
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let r = post(a, "/v1/verify", "application/octet-stream", &junk, "");
    assert_eq!(
        r.status,
        200,
        "an unreadable file is a report entry: {}",
        text(&r.body)
    );
    assert_eq!(r.json()["files"][0]["verdict"], "error");
    let (ct, body) = multipart(&[("file", Some("x.jpg"), &junk)]);
    let truncated = &body[..body.len() / 2];
    let r = post(a, "/v1/verify", &ct, truncated, "");
    assert_eq!(
        (r.status, r.json()["kind"].as_str()),
        (400, Some("malformed"))
    );
    let r = post(a, "/v1/verify", "multipart/form-data", &body, "");
    assert_eq!(r.status, 400, "no boundary: {}", text(&r.body));
    let (ct, body) = multipart(&[("note", None, b"hello")]);
    assert_eq!(
        post(a, "/v1/verify", &ct, &body, "").json()["kind"],
        "no-file"
    );
    assert_eq!(get(a, "/v1/verify").status, 405);
    assert_eq!(get(a, "/nothing").json()["kind"], "not-found");
    assert!(get(a, "/nothing").header("x-content-type-options") == Some("nosniff"));
    // Still serving.
    assert_eq!(get(a, "/healthz").json()["status"], "ok");
    assert_eq!(uploads_left(&sb), 0);
}

#[test]
fn the_concurrency_bound_answers_429_never_an_error() {
    let sb = Sandbox::new();
    let jpg = std::fs::read(labelled_samples(&sb).remove(0)).unwrap();
    for (limit, expect_busy) in [("max_concurrent = 1", true), ("", false)] {
        let server = Server::start(&sb, limit);
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16)
                .map(|_| {
                    s.spawn(|| post(&server.addr, "/v1/verify", "image/jpeg", &jpg, "").status)
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 429),
            "{statuses:?}"
        );
        let busy = statuses.iter().filter(|s| **s == 429).count();
        if expect_busy {
            assert!(busy >= 1, "{statuses:?}");
            let m = text(&get(&server.addr, "/metrics").body);
            assert!(m.contains("tamga_busy_rejections_total"), "{m}");
        } else {
            assert!(busy < 16 && statuses.contains(&200), "{statuses:?}");
        }
    }
}

#[test]
fn every_endpoint_is_documented_and_the_page_is_served_safely() {
    let sb = Sandbox::new();
    let server = Server::start(&sb, "");
    let a = &server.addr;
    let doc = get(a, "/openapi.json").json();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // Every route the router serves (crates/server/src/lib.rs) is documented.
    let lib = std::fs::read_to_string(root().join("crates/server/src/lib.rs")).unwrap();
    // `.route(` then the path, on the same line or the next (rustfmt
    // breaks long ones).
    let served: Vec<&str> = lib
        .split(".route(")
        .skip(1)
        .filter_map(|rest| rest.trim_start().strip_prefix('"'))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert!(served.len() >= 9, "{served:?}");
    let mut a1 = served.clone();
    let mut b1 = documented.clone();
    a1.sort();
    b1.sort();
    assert_eq!(a1, b1);
    for path in &served {
        // These take uploads or parameters (and the soft-binding routes a
        // registry): soft_binding_api.rs and the tests above cover them.
        if *path == "/v1/verify"
            || *path == "/v1/label"
            || path.starts_with("/matches/")
            || path.starts_with("/manifests/")
        {
            continue;
        }
        let r = get(a, path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    let page = get(a, "/");
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert!(text(&page.body).contains("<script src=\"/app.js\""));
    // Request IDs: made when absent, kept when given.
    let r = get(a, "/healthz");
    assert!(r.header("x-request-id").is_some_and(|v| v.len() >= 32));
    let r = raw(a, "GET /healthz HTTP/1.1\r\nX-Request-Id: cms-42", b"");
    assert_eq!(r.header("x-request-id"), Some("cms-42"));
    // The trust list, for auditors.
    let t = get(a, "/v1/trust").json();
    assert_eq!(t["anchors"][0]["organisation"], "Tamga Test Newsroom");
    assert_eq!(t["anchors"][0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_then_exits_cleanly() {
    let sb = Sandbox::new();
    let labelled = sb.path("l.jpg");
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &labelled));
    let body = std::fs::read(&labelled).unwrap();
    let mut server = Server::start(&sb, "");
    // Half the upload is sent, then the signal: the request is in flight.
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body[..body.len() / 2]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let kill = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "exited with a request in flight"
    );
    s.write_all(&body[body.len() / 2..]).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let reply = text(&out);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("\"trusted\""), "{reply}");
    let started = Instant::now();
    let code = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(code.success(), "{code:?}");
    // No new connections once it has stopped.
    assert!(TcpStream::connect(&server.addr).is_err());
}

#[test]
fn the_page_shows_verdicts_and_the_notice_in_headless_chromium() {
    let sb = Sandbox::new();
    let labelled = sb.path("labelled.jpg");
    assert_ok(&sb.label(&sample("sample.jpg"), &labelled, &["--notice"]));
    let bad = tampered(&sb);
    let (identity, _) = crate::cawg::capture_with_identity(&sb);
    // VP9 in MP4: Debian's Chromium decodes it (not H.264).
    let clip = sb.path("clip.mp4");
    crate::video_util::clip(
        &clip,
        "320x240",
        2,
        &[
            "-c:v",
            "libvpx-vp9",
            "-b:v",
            "300k",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
        ],
        &[],
    );
    let video = sb.path("video.mp4");
    assert_ok(&sb.label(&clip, &video, &["--notice"]));
    let server = Server::start(&sb, "");
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-page.png");
    let _ = std::fs::remove_file(&shot);
    let o = Command::new("node")
        .arg(root().join("tests/browser/serve_page.mjs"))
        .arg(server.url("/"))
        .arg(&labelled)
        .arg(&bad)
        .arg(&shot)
        .arg(&identity)
        .arg(&video)
        .output()
        .expect("node (installed by .ci/run, with tests/browser's playwright-core)");
    assert!(
        o.status.success(),
        "browser test: {}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let seen = text(&o.stdout);
    assert!(
        seen.contains("\"ok\":true") && seen.contains("\"cards\":4"),
        "{seen}"
    );
    assert!(
        std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "screenshot kept"
    );
}

/// A 16-bit mono WAV of `seconds` of a 440 Hz tone at 48 kHz.
fn long_wav(path: &Path, seconds: u32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..48_000 * seconds {
        let t = f64::from(i) / 48_000.0;
        w.write_sample((f64::sin(t * 440.0 * std::f64::consts::TAU) * 8000.0) as i16)
            .unwrap();
    }
    w.finalize().unwrap();
}

#[test]
fn uploads_past_the_memory_budget_are_verified_from_disk_the_same_way() {
    // Small uploads are verified from memory, larger ones from the
    // request's private folder: both must give the same verdicts and
    // names, and the folder must go with the request.
    let sb = Sandbox::new();
    let raw_wav = sb.path("long.wav");
    long_wav(&raw_wav, 60); // ~5.8 MB, past the 4 MB in-memory budget
    let big = sb.path("big.wav");
    assert_ok(&sb.label_plain(&raw_wav, &big));
    let big_bytes = std::fs::read(&big).unwrap();
    assert!(big_bytes.len() > 4 << 20);
    // One audio sample changed, in the middle of the data chunk.
    let mut broken = big_bytes.clone();
    let i = broken.len() / 2;
    broken[i] ^= 0x55;
    let small = sb.path("small.jpg");
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &small));
    let small_bytes = std::fs::read(&small).unwrap();
    let server = Server::start(&sb, "");
    let a = &server.addr;

    // A raw body declared larger than the budget goes straight to disk.
    let doc = post(a, "/v1/verify", "audio/wav", &big_bytes, "").json();
    assert_eq!(doc["files"][0]["verdict"], "trusted", "{doc:#}");
    assert_eq!(doc["files"][0]["path"], "upload");
    // In a form, the first file stays in memory and the big ones spill.
    let (ct, body) = multipart(&[
        ("file", Some("small.jpg"), &small_bytes),
        ("file", Some("big.wav"), &big_bytes),
        ("file", Some("broken.wav"), &broken),
    ]);
    let doc = post(a, "/v1/verify", &ct, &body, "").json();
    let verdicts: Vec<_> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("small.jpg", "trusted"),
            ("big.wav", "trusted"),
            ("broken.wav", "invalid")
        ],
        "{doc:#}"
    );
    let codes = doc["files"][2]["failures"].to_string();
    assert!(codes.contains("assertion.dataHash.mismatch"), "{codes}");
    // The gate reads the same way.
    let doc = post(a, "/v1/verify?policy=eu", &ct, &body, "").json();
    assert_eq!(doc["files"][1]["path"], "big.wav");
    assert_eq!(doc["files"][2]["verdict"], "reject", "{doc:#}");
    assert!(
        !doc.to_string().contains(&sb.path("").display().to_string()),
        "a server path leaked: {doc:#}"
    );
    // A damaged big file is an error that names the upload, not the disk.
    let cut = &big_bytes[..44 + 4096];
    let mut junk = b"RIFF".to_vec();
    junk.extend_from_slice(&u32::MAX.to_le_bytes());
    junk.extend_from_slice(&big_bytes[8..]);
    for bytes in [cut, &junk[..]] {
        let (ct, body) = multipart(&[
            ("file", Some("filler.wav"), &big_bytes),
            ("file", Some("odd.wav"), bytes),
        ]);
        let doc = post(a, "/v1/verify", &ct, &body, "").json();
        let s = doc["files"][1].to_string();
        assert!(s.contains("odd.wav"), "{s}");
        assert!(!s.contains("file-1"), "the server's name leaked: {s}");
    }
    assert_eq!(uploads_left(&sb), 0);
}
