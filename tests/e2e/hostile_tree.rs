//! Hostile trees and names: every entry of a walked tree is accounted for
//! (symbolic links, FIFOs, sockets, loops, dangling links, names that are
//! not UTF-8), a panic on one file never stops a batch, a FIFO never hangs
//! a run, a closed pipe is a quiet exit, names cannot drive the terminal,
//! and a killed writer's temporary files are cleaned up.

use std::{
    ffi::OsStr,
    os::unix::ffi::OsStrExt as _,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::{Duration, Instant, SystemTime},
};

use serde_json::Value;

use crate::util::{assert_ok, sample, text, Sandbox};

fn no_panic(out: &Output) {
    let err = text(&out.stderr);
    assert_ne!(out.status.code(), Some(101), "exit 101: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

/// Runs `cmd`, killing it if it has not finished within `limit` (a hang is
/// the failure some of these tests look for; they must not hang with it).
fn run_bounded(mut cmd: Command, limit: Duration) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tamga");
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.expect("tamga output"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            panic!("tamga did not finish within {limit:?}");
        }
    }
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(ok.success());
}

/// A name that is not valid UTF-8 (Latin-1 "é" and a stray 0xFF).
fn latin1_name(dir: &Path) -> PathBuf {
    dir.join(OsStr::from_bytes(b"caf\xe9-\xff.jpg"))
}

/// The files of a JSON report by their shown path.
fn by_name(files: &Value) -> Vec<(String, Value)> {
    files
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            let name = Path::new(path).file_name().unwrap().to_string_lossy();
            (name.into_owned(), f.clone())
        })
        .collect()
}

fn find<'a>(files: &'a [(String, Value)], name: &str) -> &'a Value {
    &files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} missing from {files:?}"))
        .1
}

/// A tree with one good file and one of everything that cannot be read as
/// a file, plus a link to a tampered file outside the tree.
struct HostileTree {
    dir: PathBuf,
    _socket: std::os::unix::net::UnixListener,
}

fn hostile_tree(sb: &Sandbox) -> HostileTree {
    let dir = sb.path("inbox");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    assert_ok(&sb.label(&sample("sample.jpg"), &dir.join("good.jpg"), &["--notice"]));
    // The tampered file lives outside the tree; only a link points at it.
    let tampered = sb.path("elsewhere.jpg");
    assert_ok(&sb.label(&sample("sample.jpg"), &tampered, &["--notice"]));
    crate::util::tamper_jpeg_image_data(&tampered);
    std::os::unix::fs::symlink(&tampered, dir.join("link-to-tampered.jpg")).unwrap();
    std::os::unix::fs::symlink(sb.path("nowhere.jpg"), dir.join("dangling.jpg")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("sub/loop")).unwrap();
    mkfifo(&dir.join("fifo.jpg"));
    let socket = std::os::unix::net::UnixListener::bind(dir.join("socket.jpg")).unwrap();
    std::fs::copy(dir.join("good.jpg"), latin1_name(&dir)).unwrap();
    HostileTree {
        dir,
        _socket: socket,
    }
}

#[test]
fn the_gate_accounts_for_every_entry_of_a_hostile_tree_in_every_report() {
    let sb = Sandbox::new();
    let tree = hostile_tree(&sb);
    let (junit, html) = (sb.path("report.xml"), sb.path("report.html"));
    let mut cmd = sb.cmd();
    cmd.args(["check", "--policy", "kz", "--json", "--trust"])
        .arg(sb.anchor())
        .arg("--junit")
        .arg(&junit)
        .arg("--html")
        .arg(&html)
        .arg(&tree.dir);
    let out = run_bounded(cmd, Duration::from_secs(120));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("check JSON");
    let files = by_name(&doc["files"]);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    // good, the non-UTF-8 copy, the link, the dangling link, the FIFO, the
    // socket and the loop: seven entries, none left out.
    assert_eq!(files.len(), 7, "{names:?}");
    assert_eq!(doc["summary"]["files"], 7);

    assert_eq!(find(&files, "good.jpg")["verdict"], "publish");
    let copy = find(&files, "caf\u{fffd}-\u{fffd}.jpg");
    assert_eq!(copy["verdict"], "publish");
    let exact = hex(copy["pathBytes"].as_str().expect("pathBytes"));
    assert!(exact.ends_with(b"/caf\xe9-\xff.jpg"), "{exact:?}");
    // Followed, and judged as the file it points to.
    assert_eq!(find(&files, "link-to-tampered.jpg")["verdict"], "reject");
    for (name, why) in [
        ("dangling.jpg", "dangling"),
        ("fifo.jpg", "FIFO"),
        ("socket.jpg", "socket"),
        ("loop", "loop"),
    ] {
        let f = find(&files, name);
        assert_eq!(f["verdict"], "reject", "{name}");
        let error = f["error"].as_str().unwrap_or_default();
        assert!(error.contains(why), "{name}: {error}");
    }

    let junit = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), 7, "{junit}");
    let html = std::fs::read_to_string(&html).unwrap();
    for name in [
        "good.jpg",
        "caf\u{fffd}-\u{fffd}.jpg",
        "link-to-tampered.jpg",
        "dangling.jpg",
        "fifo.jpg",
        "socket.jpg",
        "loop",
    ] {
        assert!(junit.contains(name), "JUnit lacks {name}");
        assert!(html.contains(name), "HTML lacks {name}");
    }

    // The terminal table counts them too, and says the link was followed.
    let mut cmd = sb.cmd();
    cmd.args(["check", "--policy", "kz", "--trust"])
        .arg(sb.anchor())
        .arg(&tree.dir);
    let out = run_bounded(cmd, Duration::from_secs(120));
    assert_eq!(out.status.code(), Some(1));
    let table = text(&out.stdout);
    assert!(
        table.contains("7 files: 2 publish, 0 fix, 5 reject"),
        "{table}"
    );
}

#[test]
fn verify_and_label_list_every_entry_of_a_hostile_tree() {
    let sb = Sandbox::new();
    let tree = hostile_tree(&sb);
    let mut cmd = sb.cmd();
    cmd.args(["verify", "--json", "--trust"])
        .arg(sb.anchor())
        .arg(&tree.dir);
    let out = run_bounded(cmd, Duration::from_secs(120));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "errors exit 2");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("verify JSON");
    let files = by_name(&doc["files"]);
    assert_eq!(files.len(), 7);
    assert_eq!(doc["summary"]["errors"], 4, "dangling, FIFO, socket, loop");
    assert_eq!(doc["summary"]["trusted"], 2);
    assert_eq!(
        doc["summary"]["invalid"], 1,
        "the link to the tampered file"
    );
    let copy = find(&files, "caf\u{fffd}-\u{fffd}.jpg");
    assert!(copy["path_bytes"].is_string(), "{copy}");

    let mut cmd = sb.cmd();
    cmd.args(["label", "--ai", "generated", "--json", "--keys"])
        .arg(sb.keys())
        .arg("-o")
        .arg(sb.path("out"))
        .arg(&tree.dir);
    let out = run_bounded(cmd, Duration::from_secs(120));
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("label JSON");
    let labelled = doc["labelled"].as_array().unwrap().len();
    let failed = doc["failed"].as_array().unwrap().len();
    // The tampered file behind the link may be labelled (its broken label
    // recorded as the parent's) or refused; everything else is fixed.
    assert_eq!(labelled + failed, 7, "{doc}");
    assert!(failed >= 4 && labelled >= 2, "{doc}");
    assert!(latin1_name(&sb.path("out")).exists());
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_truncated_ftyp_is_one_error_and_the_batch_goes_on() {
    let sb = Sandbox::new();
    let dir = sb.path("batch");
    std::fs::create_dir_all(&dir).unwrap();
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &dir.join("a.jpg")));
    // 8 to 15 bytes of an ISO BMFF `ftyp` box once panicked in sniffing.
    for (i, len) in [8usize, 12, 15].into_iter().enumerate() {
        let full = b"\0\0\0\x1cftypM4A \0\0\0\0M4A isom";
        std::fs::write(dir.join(format!("short{i}.m4a")), &full[..len]).unwrap();
    }
    let anchor = sb.anchor();
    let anchor = anchor.to_str().unwrap();
    let d = dir.to_str().unwrap();

    let out = sb.run(&["verify", "--json", "--trust", anchor, d]);
    no_panic(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("verify JSON");
    assert_eq!(doc["summary"]["files"], 4);
    assert_eq!(doc["summary"]["trusted"], 1);

    let out = sb.run(&["check", "--policy", "kz", "--json", "--trust", anchor, d]);
    no_panic(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("check JSON");
    assert_eq!(doc["summary"]["files"], 4);

    let out = sb.label_plain(&dir, &sb.path("out"));
    no_panic(&out);
    assert!(sb.path("out/a.jpg").exists());

    let out = sb.run(&["inspect", dir.join("short1.m4a").to_str().unwrap()]);
    no_panic(&out);
    assert_ne!(out.status.code(), Some(0));
}

#[test]
fn a_fifo_named_on_the_command_line_is_an_error_not_a_hang() {
    let sb = Sandbox::new();
    let fifo = sb.path("fifo.jpg");
    mkfifo(&fifo);
    let good = sb.path("good.jpg");
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &good));
    let f = fifo.to_str().unwrap();
    let keys = sb.keys();
    let labelled = sb.path("out.jpg");
    let runs: [Vec<&str>; 4] = [
        vec!["verify", f, good.to_str().unwrap()],
        vec!["check", "--policy", "kz", f, good.to_str().unwrap()],
        vec!["inspect", f],
        vec![
            "label",
            f,
            "--ai",
            "generated",
            "--keys",
            keys.to_str().unwrap(),
            "-o",
            labelled.to_str().unwrap(),
        ],
    ];
    for args in runs {
        let mut cmd = sb.cmd();
        cmd.args(&args);
        let started = Instant::now();
        let out = run_bounded(cmd, Duration::from_secs(60));
        no_panic(&out);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(all.contains("not a regular file"), "{args:?}: {all}");
        assert!(started.elapsed() < Duration::from_secs(60));
        assert!(!labelled.exists());
        if args[0] == "verify" {
            assert!(all.contains("trusted") || all.contains("valid-untrusted"));
        }
    }
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let sb = Sandbox::new();
    let file = sb.path("a.jpg");
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &file));
    let f = file.to_str().unwrap();
    for args in [vec!["verify", f, f], vec!["check", "--policy", "kz", f, f]] {
        let sub = args[0];
        let mut child = sb
            .cmd()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before tamga writes its first line, as
        // `| head -0` would.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        no_panic(&out);
        assert_eq!(out.status.code(), Some(0), "{sub}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{sub}: {}", text(&out.stderr));
    }
}

#[test]
fn control_characters_in_names_never_reach_the_terminal_raw() {
    let sb = Sandbox::new();
    let name = sb.path("red\x1b[31m\nfake trusted.jpg");
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &name));
    let out = sb.cmd().args(["verify"]).arg(&name).output().unwrap();
    let shown = text(&out.stdout);
    assert!(!shown.contains('\x1b'), "{shown:?}");
    assert!(
        shown.contains("red\\x1b[31m\\x0afake trusted.jpg"),
        "{shown}"
    );
    let out = sb
        .cmd()
        .args(["check", "--policy", "kz"])
        .arg(&name)
        .output()
        .unwrap();
    assert!(!out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b));
    let out = sb
        .cmd()
        .args(["inspect"])
        .arg(sb.path("\x1b[2Jgone.jpg"))
        .output()
        .unwrap();
    assert!(!out.stderr.contains(&0x1b), "{}", text(&out.stderr));
}

#[test]
fn a_killed_writers_temporary_files_are_removed_on_the_next_run_there() {
    let sb = Sandbox::new();
    let out_dir = sb.path("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    // What `kill -9` during labelling leaves: a hidden, half-written output.
    let stale = out_dir.join(".a.jpg.Xy12Zq.tamga-tmp");
    std::fs::write(&stale, vec![0u8; 100_000]).unwrap();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    // One a live writer holds (locked) is left alone, however old.
    let live = out_dir.join(".b.jpg.Ab34Cd.tamga-tmp");
    std::fs::write(&live, b"in progress").unwrap();
    let held = std::fs::File::options().write(true).open(&live).unwrap();
    held.set_modified(hour_ago).unwrap();
    held.lock().unwrap();
    // Not ours: never touched.
    let foreign = out_dir.join(".c.jpg.tmp");
    std::fs::write(&foreign, b"someone else's").unwrap();

    assert_ok(&sb.label_plain(&sample("sample.jpg"), &out_dir.join("a.jpg")));
    assert!(!stale.exists(), "the dead writer's file is removed");
    assert!(live.exists(), "the live writer's file is kept");
    assert!(foreign.exists());
    drop(held);
}

#[test]
fn over_http_a_panicking_part_is_one_error_entry_beside_the_good_ones() {
    use crate::serve_http::{multipart, post, Server, TOKEN};
    let sb = Sandbox::new();
    let good = sb.path("good.jpg");
    assert_ok(&sb.label_plain(&sample("sample.jpg"), &good));
    let good = std::fs::read(&good).unwrap();
    let short: &[u8] = b"\0\0\0\x1cftypM4A ";
    let server = Server::start(&sb, "");
    let a = &server.addr;
    let (ct, body) = multipart(&[
        ("file", Some("good.jpg"), &good),
        ("file", Some("short.m4a"), short),
        ("file", Some("again.jpg"), &good),
    ]);
    for route in ["/v1/verify", "/v1/verify?policy=kz"] {
        let r = post(a, route, &ct, &body, "");
        assert_eq!(r.status, 200, "{route}");
        let doc = r.json();
        assert_eq!(doc["summary"]["files"], 3, "{route}: {doc}");
        assert_eq!(doc["files"][1]["path"], "short.m4a");
    }
    let doc = post(a, "/v1/verify", &ct, &body, "").json();
    assert_eq!(doc["files"][0]["verdict"], "trusted");
    assert_eq!(doc["files"][2]["verdict"], "trusted");
    // Labelling it is refused with a reason, and the server goes on.
    let auth = format!("Authorization: Bearer {TOKEN}\r\n");
    let r = post(a, "/v1/label?ai=generated", "audio/mp4", short, &auth);
    assert!((400..500).contains(&r.status), "{}", r.status);
    let r = post(a, "/v1/verify", "image/jpeg", &good, "");
    assert_eq!(r.status, 200);
}
