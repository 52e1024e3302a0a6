//! The C2PA soft-binding resolution API of `tamga serve`, over a real
//! registry (SQLite, and PostgreSQL through a throwaway cluster): a copy of
//! a labelled photo that a platform re-encoded and shrank, with no label
//! left, leads back to its manifest, and unrelated content does not.

use std::{process::Command, time::SystemTime};

use base64::{engine::general_purpose::STANDARD, Engine};
use tamga_registry::{Binding, NewRecord, Registry};

use crate::{
    serve_http::{get, post, Server},
    serve_registry::{ids, start},
    util::{assert_ok, sample, urlencode, Sandbox},
};

/// A labelled photo recorded in a registry at `url`, as `tamga label`
/// records it: the manifest store, the file's hash and its Image-Code.
struct Registered {
    manifest_id: String,
    store: Vec<u8>,
    iscc: String,
}

fn register_labelled_photo(sb: &Sandbox, url: &str) -> Registered {
    let out = sb.path("photo.jpg");
    assert_ok(&sb.label(&sample("sample.jpg"), &out, &["--sidecar"]));
    let store = std::fs::read(sb.path("photo.jpg.c2pa")).expect("the sidecar holds the store");
    let file = std::fs::File::open(&out).unwrap();
    #[allow(deprecated)]
    let reader = c2pa::Reader::from_manifest_data_and_stream(&store, "image/jpeg", file)
        .expect("c2pa reads the store");
    let manifest_id = reader
        .active_label()
        .expect("an active manifest")
        .to_string();
    let code = tamga_fingerprint::content_of_file(
        &out,
        tamga_label::MediaFormat::Jpeg,
        &tamga_fingerprint::DecodeLimits::default(),
    )
    .expect("fingerprint")
    .expect("a JPEG has an Image-Code");
    let mut reg = Registry::open(url).expect("registry opens");
    reg.record(&NewRecord {
        manifest_id: manifest_id.clone(),
        store: store.clone(),
        media_type: "image/jpeg".into(),
        hard_hash: None,
        bindings: vec![Binding::new(
            "io.iscc.v0",
            code.kind.name(),
            code.bits.to_be_bytes().to_vec(),
        )],
        signer: Some("Test Org".into()),
        ai: Some("generated".into()),
        created: SystemTime::now(),
    })
    .expect("recorded");
    Registered {
        manifest_id,
        store,
        iscc: code.iscc,
    }
}

fn ffmpeg(args: &[&str]) {
    let ok = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y"])
        .args(args)
        .status()
        .expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(ok.success(), "ffmpeg {args:?}");
}

/// Every route, against the registry at `url`.
fn the_api_resolves_a_stripped_copy(sb: &Sandbox, url: &str) {
    let reg = register_labelled_photo(sb, url);
    let server = start(sb, url);

    let algs = get(&server.addr, "/services/supportedAlgorithms");
    assert_eq!(algs.status, 200);
    assert_eq!(algs.json()["fingerprints"][0]["alg"], "io.iscc.v0");

    // As a platform would hand it on: re-encoded at about quality 75,
    // shrunk to half, metadata (and so the label) gone.
    let shared = sb.path("shared.jpg");
    ffmpeg(&[
        "-i",
        sb.path("photo.jpg").to_str().unwrap(),
        "-vf",
        "scale=iw/2:ih/2",
        "-q:v",
        "8",
        "-map_metadata",
        "-1",
        shared.to_str().unwrap(),
    ]);
    let body = std::fs::read(&shared).unwrap();
    let res = post(
        &server.addr,
        "/matches/byContent?alg=io.iscc.v0",
        "image/jpeg",
        &body,
        "",
    );
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let doc = res.json();
    assert_eq!(ids(&doc), vec![reg.manifest_id.clone()], "{doc}");
    let score = doc["matches"][0]["similarityScore"].as_u64().unwrap();
    assert!((80..=100).contains(&score), "{doc}");

    // The binding value itself, as a reader of the soft-binding assertion
    // has it: by GET, and by POST for values too long for a URL.
    let value = STANDARD.encode(&reg.iscc);
    let q = format!(
        "/matches/byBinding?alg=io.iscc.v0&value={}",
        urlencode(&value)
    );
    let res = get(&server.addr, &q);
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let doc = res.json();
    assert_eq!(ids(&doc), vec![reg.manifest_id.clone()]);
    assert_eq!(doc["matches"][0]["similarityScore"], 100);
    let json = format!("{{\"alg\":\"io.iscc.v0\",\"value\":\"{value}\"}}");
    let res = post(
        &server.addr,
        "/matches/byBinding",
        "application/json",
        json.as_bytes(),
        "",
    );
    assert_eq!(ids(&res.json()), vec![reg.manifest_id.clone()]);

    // The manifest store, byte for byte, as C2PA's repository route serves it.
    let res = get(
        &server.addr,
        &format!("/manifests/{}", urlencode(&reg.manifest_id)),
    );
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/c2pa"));
    assert_eq!(res.body, reg.store);

    // Unrelated content finds nothing.
    let other = sb.path("other.jpg");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "mandelbrot=size=640x480",
        "-frames:v",
        "1",
        other.to_str().unwrap(),
    ]);
    let body = std::fs::read(&other).unwrap();
    let res = post(&server.addr, "/matches/byContent", "image/jpeg", &body, "");
    assert_eq!(res.status, 200);
    assert!(ids(&res.json()).is_empty(), "{}", res.json());

    // Bad queries are 4xx with a kind, never a crash.
    let bad = get(
        &server.addr,
        "/matches/byBinding?alg=com.example.wm&value=AAAA",
    );
    assert_eq!(
        (bad.status, bad.json()["kind"].clone()),
        (400, "unsupported-algorithm".into())
    );
    let bad = get(
        &server.addr,
        "/matches/byBinding?alg=io.iscc.v0&value=%21%21%21",
    );
    assert_eq!(bad.status, 400);
    let bad = get(
        &server.addr,
        &format!(
            "/matches/byBinding?alg=io.iscc.v0&value={}&maxResults=0",
            urlencode(&value)
        ),
    );
    assert_eq!(bad.status, 400);
    let missing = get(
        &server.addr,
        "/manifests/urn:c2pa:00000000-0000-0000-0000-000000000000",
    );
    assert_eq!(missing.status, 404);
    assert_eq!(get(&server.addr, "/healthz").status, 200, "still serving");
}

#[test]
fn a_stripped_copy_is_resolved_through_a_sqlite_registry() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("registry.sqlite").display());
    the_api_resolves_a_stripped_copy(&sb, &url);
}

#[test]
fn a_stripped_copy_is_resolved_through_a_postgres_registry() {
    let Some(pg) = tamga_registry::test_support::TestPostgres::start_or_skip(
        "a_stripped_copy_is_resolved_through_a_postgres_registry",
    ) else {
        return;
    };
    let sb = Sandbox::new();
    let url = pg.create_database("softbinding").expect("database");
    the_api_resolves_a_stripped_copy(&sb, &url);
}

#[test]
fn without_a_registry_the_routes_say_so() {
    let sb = Sandbox::new();
    let server = Server::start(&sb, "");
    let res = get(
        &server.addr,
        "/matches/byBinding?alg=io.iscc.v0&value=AAAAAAAAAAA%3D",
    );
    assert_eq!(res.status, 503);
    assert_eq!(res.json()["kind"], "no-registry");
    // The algorithms are listed all the same: they say what the API speaks.
    assert_eq!(
        get(&server.addr, "/services/supportedAlgorithms").status,
        200
    );
}

#[test]
fn a_registry_that_cannot_be_opened_stops_the_start_with_its_cause() {
    let sb = Sandbox::new();
    let config = sb.path("serve.toml");
    std::fs::write(
        &config,
        "[server]\nlisten = \"127.0.0.1:0\"\n[registry]\nurl = \"mysql://db/tamga\"\n",
    )
    .unwrap();
    let out = sb.run(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("registry"), "{err}");
}
