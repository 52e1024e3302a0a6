//! Issue 15 §3: remote manifests. A file whose XMP `dcterms:provenance`
//! names a URL is the verdict `remote` (exit 1) until fetched; with
//! `--remote fetch` its store is fetched from the URL and verified against
//! the file. The files are signed here (c2pa's Builder with a remote URL and
//! no embedding) and their stores served by a small HTTP server on
//! 127.0.0.1 started by the test.

use std::{
    collections::HashMap,
    io::{BufRead, BufReader, Write},
    net::TcpListener,
    path::Path,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
};

use c2pa::Builder;
use serde_json::Value;

use crate::{
    interop::py_read,
    util::{codes, sample, text, Sandbox},
};

/// What the test server answers for a path: status, content type, body.
type Routes = Arc<Mutex<HashMap<String, (u16, &'static str, Vec<u8>)>>>;

/// A one-thread-per-connection HTTP/1.1 server on 127.0.0.1 serving
/// `routes`, counting requests.
struct Server {
    base: String,
    routes: Routes,
    hits: Arc<AtomicUsize>,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Routes = Arc::default();
        let hits = Arc::new(AtomicUsize::new(0));
        let (r, h) = (routes.clone(), hits.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let (r, h) = (r.clone(), h.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(conn.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                            break;
                        }
                    }
                    h.fetch_add(1, Ordering::SeqCst);
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let (status, mime, body) = r.lock().unwrap().get(&path).cloned().unwrap_or((
                        404,
                        "text/plain",
                        b"not found".to_vec(),
                    ));
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = conn.write_all(head.as_bytes());
                    let _ = conn.write_all(&body);
                });
            }
        });
        Self { base, routes, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn serve(&self, path: &str, status: u16, mime: &'static str, body: Vec<u8>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), (status, mime, body));
    }
}

/// Signs `src` (a JPEG) with the sandbox keys, its store not embedded but
/// referenced by `url`; returns the file and its store.
fn sign_remote(sb: &Sandbox, src: &[u8], url: &str) -> (Vec<u8>, Vec<u8>) {
    let signer = sb.c2pa_signer();
    let mut builder = Builder::from_context(c2pa::Context::new())
        .with_definition(crate::util::created_by(
            Some("cloud.jpg"),
            "cloud-editor",
            "trainedAlgorithmicMedia",
        ))
        .unwrap();
    builder.set_remote_url(url).set_no_embed(true);
    let mut out = std::io::Cursor::new(Vec::new());
    let store = builder
        .sign(
            signer.as_ref(),
            "image/jpeg",
            &mut std::io::Cursor::new(src),
            &mut out,
        )
        .unwrap();
    (out.into_inner(), store)
}

fn verify_json(sb: &Sandbox, files: &[&Path], extra: &[&str]) -> (Value, i32) {
    let anchor = sb.anchor();
    let mut args = vec!["verify", "--json", "--trust", anchor.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let out = sb.run(&args);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} {}", text(&out.stdout), text(&out.stderr)));
    (doc, out.status.code().unwrap_or(-1))
}

#[test]
fn a_remote_label_is_its_own_verdict_until_fetched_then_verified() {
    let sb = Sandbox::new();
    let server = Server::start();
    let url = server.url("/m/cloud.c2pa");
    let src = std::fs::read(sample("sample.jpg")).unwrap();
    let (file, store) = sign_remote(&sb, &src, &url);
    let path = sb.path("cloud.jpg");
    std::fs::write(&path, &file).unwrap();
    server.serve("/m/cloud.c2pa", 200, "application/c2pa", store.clone());

    // Not fetched: its own verdict, exit 1, nothing requested.
    let (doc, code) = verify_json(&sb, &[&path], &[]);
    let entry = &doc["files"][0];
    assert_eq!(entry["verdict"], "remote", "{entry}");
    assert_eq!(entry["remote_url"], url.as_str());
    assert!(entry["reason"].as_str().unwrap().contains("not fetched"));
    assert_eq!(doc["summary"]["remote"], 1);
    assert_eq!(code, 1);
    assert_eq!(server.hits.load(Ordering::SeqCst), 0);
    let human = sb.run(&["verify", path.to_str().unwrap()]);
    let said = text(&human.stdout);
    assert!(
        said.starts_with("remote") && said.contains("--remote fetch"),
        "{said}"
    );

    // c2pa-python, not fetching, refuses it the same way: a remote label.
    let py = std::process::Command::new(crate::util::python())
        .arg(crate::util::root().join("tests/interop/c2pa_read.py"))
        .arg(&path)
        .arg("image/jpeg")
        .output()
        .unwrap();
    let said = text(&py.stderr);
    assert!(
        !py.status.success() && said.contains("must fetch remote manifests") && said.contains(&url),
        "{said}"
    );

    // Every preset's gate rejects an unfetched remote label.
    for policy in ["kz", "eu", "cn"] {
        let out = sb.run(&[
            "check",
            "--json",
            "--policy",
            policy,
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{policy}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["files"][0]["verdict"], "reject", "{policy}: {doc}");
        assert!(doc.to_string().contains("\"rule\":\"remote\""), "{doc}");
    }

    // Fetched: verified against the file; two files naming one URL cost
    // one request (the run's cache).
    let copy = sb.path("cloud-copy.jpg");
    std::fs::write(&copy, &file).unwrap();
    let (doc, code) = verify_json(&sb, &[&path, &copy], &["--remote", "fetch"]);
    for entry in doc["files"].as_array().unwrap() {
        assert_eq!(entry["verdict"], "trusted", "{entry}");
        assert_eq!(entry["manifest_source"], "remote");
        assert_eq!(entry["remote_url"], url.as_str());
        assert_eq!(entry["disclosure"]["ai"], "generated");
    }
    assert_eq!(code, 0);
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);

    // The gate, fetching, publishes under cn (trust not required).
    let out = sb.run(&[
        "check",
        "--json",
        "--policy",
        "cn",
        "--remote",
        "fetch",
        path.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!doc.to_string().contains("\"rule\":\"remote\""), "{doc}");

    // c2pa-python agrees, given the same store.
    let store_file = sb.path("cloud.c2pa");
    std::fs::write(&store_file, &store).unwrap();
    let py = py_read(&path, "image/jpeg", Some(&sb.anchor()), Some(&store_file));
    assert_eq!(py["validation_state"], "Trusted", "{py}");
}

#[test]
fn a_fetched_store_for_another_file_is_invalid_and_fetch_failures_are_errors() {
    let sb = Sandbox::new();
    let server = Server::start();
    let src = std::fs::read(sample("sample.jpg")).unwrap();
    let url_a = server.url("/a.c2pa");
    let (file_a, store_a) = sign_remote(&sb, &src, &url_a);
    server.serve("/a.c2pa", 200, "application/c2pa", store_a.clone());
    // B: other content, its XMP pointing at A's store.
    let mut other = src.clone();
    let n = other.len();
    other[n - 100] ^= 0xFF;
    let (file_b, _) = sign_remote(&sb, &other, &url_a);
    let a = sb.path("a.jpg");
    let b = sb.path("b.jpg");
    std::fs::write(&a, &file_a).unwrap();
    std::fs::write(&b, &file_b).unwrap();

    let (doc, code) = verify_json(&sb, &[&b, &a], &["--remote", "fetch"]);
    let entry = &doc["files"][0];
    assert_eq!(entry["verdict"], "invalid", "{entry}");
    assert!(codes(entry).contains(&"assertion.dataHash.mismatch".to_string()));
    assert_eq!(doc["files"][1]["verdict"], "trusted");
    assert_eq!(code, 1);
    let store_file = sb.path("a.c2pa");
    std::fs::write(&store_file, &store_a).unwrap();
    let py = py_read(&b, "image/jpeg", Some(&sb.anchor()), Some(&store_file));
    assert_eq!(py["validation_state"], "Invalid", "{py}");

    // A 404, a store past the 16 MB cap, a server that is not there, an
    // HTML page: one error entry each, naming the cause; the batch goes on.
    server.serve(
        "/big.c2pa",
        200,
        "application/c2pa",
        vec![0u8; (16 << 20) + 1],
    );
    server.serve(
        "/page.c2pa",
        200,
        "text/html",
        b"<html>sign in</html>".to_vec(),
    );
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/gone.c2pa", l.local_addr().unwrap())
    };
    let cases = [
        (server.url("/missing.c2pa"), "answered HTTP 404"),
        (server.url("/big.c2pa"), "larger than"),
        (dead, "could not reach"),
        (server.url("/page.c2pa"), "content type `text/html`"),
    ];
    let mut files = Vec::new();
    for (i, (url, _)) in cases.iter().enumerate() {
        let (bytes, _) = sign_remote(&sb, &src, url);
        let p = sb.path(&format!("e{i}.jpg"));
        std::fs::write(&p, bytes).unwrap();
        files.push(p);
    }
    let mut all: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    all.push(&a);
    let (doc, code) = verify_json(&sb, &all, &["--remote", "fetch"]);
    for (i, (url, why)) in cases.iter().enumerate() {
        let entry = &doc["files"][i];
        assert_eq!(entry["verdict"], "error", "{entry}");
        assert_eq!(entry["kind"], "remote-manifest");
        let msg = entry["error"].as_str().unwrap();
        assert!(msg.contains(url.as_str()) && msg.contains(why), "{msg}");
    }
    assert_eq!(doc["files"][4]["verdict"], "trusted");
    assert_eq!(code, 2);
}

#[test]
fn plain_http_to_another_host_is_refused_before_connecting() {
    let sb = Sandbox::new();
    let src = std::fs::read(sample("sample.jpg")).unwrap();
    let (bytes, _) = sign_remote(&sb, &src, "http://manifests.example/x.c2pa");
    let p = sb.path("insecure.jpg");
    std::fs::write(&p, bytes).unwrap();
    let (doc, code) = verify_json(&sb, &[&p], &["--remote", "fetch"]);
    let entry = &doc["files"][0];
    assert_eq!(entry["kind"], "remote-manifest", "{entry}");
    assert!(entry["error"].as_str().unwrap().contains("not https"));
    assert_eq!(code, 2);
}

#[test]
fn tamga_serve_fetches_remote_labels_when_its_config_says_so() {
    use crate::serve_http::{post, Server as Serve};
    let sb = Sandbox::new();
    let server = Server::start();
    let url = server.url("/s.c2pa");
    let src = std::fs::read(sample("sample.jpg")).unwrap();
    let (file, store) = sign_remote(&sb, &src, &url);
    server.serve("/s.c2pa", 200, "application/c2pa", store);

    let plain = Serve::start(&sb, "");
    let doc = post(&plain.addr, "/v1/verify", "image/jpeg", &file, "").json();
    assert_eq!(doc["files"][0]["verdict"], "remote", "{doc}");
    assert_eq!(server.hits.load(Ordering::SeqCst), 0);
    drop(plain);

    let fetching = Serve::start(&sb, "\n[verify]\nremote = \"fetch\"");
    for _ in 0..2 {
        let doc = post(&fetching.addr, "/v1/verify", "image/jpeg", &file, "").json();
        assert_eq!(doc["files"][0]["verdict"], "trusted", "{doc}");
        assert_eq!(doc["files"][0]["manifest_source"], "remote");
    }
    // The server process keeps one cache: one request for two uploads.
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
}

#[test]
fn publish_refuses_to_drop_a_fetched_remote_label() {
    let sb = Sandbox::new();
    let server = Server::start();
    let url = server.url("/p.c2pa");
    let src = std::fs::read(sample("sample.jpg")).unwrap();
    let (file, store) = sign_remote(&sb, &src, &url);
    server.serve("/p.c2pa", 200, "application/c2pa", store);
    let path = sb.path("cloud.jpg");
    std::fs::write(&path, &file).unwrap();
    let keys = sb.keys();
    let out_dir = sb.path("out");
    let out = sb.run(&[
        "publish",
        "--policy",
        "cn",
        "--remote",
        "fetch",
        "--fix",
        "--keys",
        keys.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        said.contains("a remote label cannot be carried into a published file"),
        "{said}"
    );
    assert!(!out_dir.join("cloud.jpg").exists());
}
