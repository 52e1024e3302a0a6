//! `/v1/label` records every label in the server's registry, as
//! `tamga label --registry` does, so a copy a platform stripped of its
//! label leads back to it through the soft-binding API — of the same
//! server (SQLite), or of another one sharing the registry (PostgreSQL).

use std::{path::Path, process::Command};

use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::Value;

use crate::{
    recovery::manifest_id,
    serve_http::{get, post, Server, TOKEN},
    util::{refuse_registry_writes, sample, text, urlencode, Sandbox},
};

/// A server with `[registry] url = URL`, the sandbox's keys and token.
pub fn start(sb: &Sandbox, url: &str) -> Server {
    Server::start(sb, &format!("\n[registry]\nurl = \"{url}\"\n"))
}

/// The `Authorization` header line `post` appends.
pub fn auth() -> String {
    format!("\r\nAuthorization: Bearer {TOKEN}")
}

/// Labels `bytes` (a JPEG) through `server`'s `/v1/label` as AI-generated.
pub fn label_through(server: &Server, bytes: &[u8]) -> Vec<u8> {
    let r = post(
        &server.addr,
        "/v1/label?ai=generated&generator=Studio%20Model",
        "image/jpeg",
        bytes,
        &auth(),
    );
    assert_eq!(r.status, 200, "{}", text(&r.body));
    r.body
}

/// `labelled` as a platform hands it on: re-encoded at about quality 75,
/// shrunk to half, metadata (and so the label) gone.
pub fn strip(sb: &Sandbox, labelled: &Path, name: &str) -> std::path::PathBuf {
    let out = sb.path(name);
    let ok = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-i"])
        .arg(labelled)
        .args(["-vf", "scale=iw/2:ih/2", "-q:v", "8", "-map_metadata", "-1"])
        .arg(&out)
        .status()
        .expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(ok.success());
    out
}

/// The manifest ids of a soft-binding API answer, in order.
pub fn ids(doc: &Value) -> Vec<String> {
    doc["matches"]
        .as_array()
        .unwrap_or_else(|| panic!("no matches list in {doc}"))
        .iter()
        .map(|m| m["manifestId"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Labels through `labeller`, strips the result, and finds the label again
/// through `finder`: by content, by the exact binding, and the manifest.
fn labelled_here_found_there(sb: &Sandbox, labeller: &Server, finder: &Server) {
    let photo = std::fs::read(sample("sample.jpg")).unwrap();
    let labelled = sb.path("labelled.jpg");
    std::fs::write(&labelled, label_through(labeller, &photo)).unwrap();
    let id = manifest_id(sb, &labelled);
    let shared = strip(sb, &labelled, "shared.jpg");

    let body = std::fs::read(&shared).unwrap();
    let res = post(
        &finder.addr,
        "/matches/byContent?alg=io.iscc.v0",
        "image/jpeg",
        &body,
        "",
    );
    assert_eq!(res.status, 200, "{}", text(&res.body));
    assert_eq!(ids(&res.json()), vec![id.clone()], "{}", res.json());

    // The exact binding: the Image-Code of the file as labelled, which is
    // what its soft-binding assertion carries.
    let code = tamga_fingerprint::content_of_file(
        &labelled,
        tamga_label::MediaFormat::Jpeg,
        &tamga_fingerprint::DecodeLimits::default(),
    )
    .unwrap()
    .expect("a JPEG has an Image-Code");
    let q = format!(
        "/matches/byBinding?alg=io.iscc.v0&value={}",
        urlencode(&STANDARD.encode(&code.iscc))
    );
    let res = get(&finder.addr, &q);
    assert_eq!(res.status, 200, "{}", text(&res.body));
    let doc = res.json();
    assert_eq!(ids(&doc), vec![id.clone()], "{doc}");
    assert_eq!(doc["matches"][0]["similarityScore"], 100, "{doc}");

    // The manifest store itself: c2pa reads it, and it is the one signed.
    let res = get(&finder.addr, &format!("/manifests/{}", urlencode(&id)));
    assert_eq!(res.status, 200, "{}", text(&res.body));
    assert_eq!(res.header("content-type"), Some("application/c2pa"));
    #[allow(deprecated)]
    let reader = c2pa::Reader::from_manifest_data_and_stream(
        &res.body,
        "image/jpeg",
        std::fs::File::open(&labelled).unwrap(),
    )
    .expect("c2pa reads the served store");
    assert_eq!(reader.active_label(), Some(id.as_str()));
}

#[test]
fn a_label_made_by_one_server_is_found_through_another_sharing_postgresql() {
    let Some(pg) = tamga_registry::test_support::TestPostgres::start_or_skip(
        "a_label_made_by_one_server_is_found_through_another_sharing_postgresql",
    ) else {
        return;
    };
    let url = pg.create_database("shared_by_two").expect("database");
    let (sa, sb_) = (Sandbox::new(), Sandbox::new());
    let a = start(&sa, &url);
    let b = start(&sb_, &url);
    labelled_here_found_there(&sa, &a, &b);
    // B's /v1/verify and its gate look the stripped copy up in PostgreSQL
    // too (on its workers: the sync client panics on an async thread).
    let shared = std::fs::read(sa.path("shared.jpg")).unwrap();
    let res = post(&b.addr, "/v1/verify", "image/jpeg", &shared, "");
    assert_eq!(res.status, 200, "{}", text(&res.body));
    let entry = &res.json()["files"][0];
    assert_eq!(entry["recovered"]["how"], "fingerprint", "{entry:#}");
    let res = post(&b.addr, "/v1/verify?policy=kz", "image/jpeg", &shared, "");
    assert_eq!(res.json()["files"][0]["verdict"], "fix", "{}", res.json());

    // A server stops cleanly on SIGTERM with a PostgreSQL connection open:
    // closing the synchronous client must not run inside the server's
    // async runtime (tokio refuses to nest runtimes, and would panic).
    let mut a = a;
    let ok = Command::new("kill")
        .args(["-TERM", &a.pid().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let status = a.child.wait().unwrap();
    assert!(status.success(), "the server stopped with {status}");
}

#[test]
fn a_label_made_by_a_server_is_found_through_its_own_sqlite_registry() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    let server = start(&sb, &url);
    labelled_here_found_there(&sb, &server, &server);
}

#[test]
fn registration_stays_behind_the_label_token() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    let server = start(&sb, &url);
    let photo = std::fs::read(sample("sample.jpg")).unwrap();
    let wrong = format!("\r\nAuthorization: Bearer {TOKEN}x");
    let r = post(
        &server.addr,
        "/v1/label?ai=generated",
        "image/jpeg",
        &photo,
        &wrong,
    );
    assert_eq!(r.status, 401);
    let mut reg = tamga_registry::Registry::open(&url).unwrap();
    assert_eq!(
        reg.count().unwrap(),
        0,
        "a refused request recorded a label"
    );
    label_through(&server, &photo);
    assert_eq!(reg.count().unwrap(), 1);
}

#[test]
fn a_label_the_registry_refuses_is_a_503_and_is_not_returned() {
    let sb = Sandbox::new();
    let db = sb.path("refusing.sqlite");
    let url = format!("sqlite:{}", db.display());
    let server = start(&sb, &url);
    // The registry opened (so the server started) but now refuses every
    // record, as a full disk or a revoked grant would.
    refuse_registry_writes(&db);
    let photo = std::fs::read(sample("sample.jpg")).unwrap();
    let r = post(
        &server.addr,
        "/v1/label?ai=generated",
        "image/jpeg",
        &photo,
        &auth(),
    );
    assert_eq!(r.status, 503, "{}", text(&r.body));
    let doc = r.json();
    assert_eq!(doc["kind"], "registry", "{doc}");
    // The database's location is the operator's business, not the client's.
    let message = doc["error"].as_str().unwrap();
    assert!(!message.contains("refusing.sqlite"), "{message}");
    assert_eq!(get(&server.addr, "/healthz").status, 200, "still serving");
}
