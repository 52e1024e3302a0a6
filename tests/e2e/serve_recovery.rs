//! Recovery on the server: a server with a registry answers `/v1/verify`
//! (and its gates) for an upload with no label with the label the registry
//! holds for its content, as `tamga verify --registry` does.

use serde_json::Value;

use crate::{
    recovery::manifest_id,
    serve_http::{multipart, post, Server},
    serve_registry::{label_through, start, strip},
    util::{sample, text, Sandbox},
};

/// A photo labelled through `server` and stripped as a platform strips it,
/// and the manifest it must lead back to.
fn labelled_and_stripped(sb: &Sandbox, server: &Server) -> (Vec<u8>, String) {
    let photo = std::fs::read(sample("sample.jpg")).unwrap();
    let labelled = sb.path("labelled.jpg");
    std::fs::write(&labelled, label_through(server, &photo)).unwrap();
    let id = manifest_id(sb, &labelled);
    let stripped = strip(sb, &labelled, "stripped.jpg");
    (std::fs::read(stripped).unwrap(), id)
}

fn assert_recovered(entry: &Value, id: &str) {
    assert_eq!(entry["verdict"], "unlabelled", "{entry:#}");
    let r = &entry["recovered"];
    assert_eq!(r["manifest"], id, "{entry:#}");
    assert_eq!(r["how"], "fingerprint", "{entry:#}");
    assert!(r["distance"].as_u64().is_some(), "{entry:#}");
    assert_eq!(r["content_changed"], true, "{entry:#}");
    assert_eq!(r["verdict"], "trusted", "{entry:#}");
    assert_eq!(r["disclosure"]["ai"], "generated", "{entry:#}");
}

#[test]
fn the_server_recovers_the_label_of_a_stripped_upload() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    let server = start(&sb, &url);
    let (stripped, id) = labelled_and_stripped(&sb, &server);

    // Held in memory.
    let res = post(&server.addr, "/v1/verify", "image/jpeg", &stripped, "");
    assert_eq!(res.status, 200, "{}", text(&res.body));
    let doc = res.json();
    assert_recovered(&doc["files"][0], &id);

    // Streamed to disk: past the request's 4 MB held in memory, the
    // second file goes to the request's folder.
    let filler = vec![0u8; 4 << 20];
    let (ct, body) = multipart(&[
        ("file", Some("filler.bin"), &filler),
        ("file", Some("shared.jpg"), &stripped),
    ]);
    let res = post(&server.addr, "/v1/verify", &ct, &body, "");
    assert_eq!(res.status, 200, "{}", text(&res.body));
    let doc = res.json();
    assert_eq!(doc["files"][1]["path"], "shared.jpg", "{doc:#}");
    assert_recovered(&doc["files"][1], &id);

    // Through the gate: AI content whose label was stripped, to re-attach.
    for policy in ["kz", "eu"] {
        let res = post(
            &server.addr,
            &format!("/v1/verify?policy={policy}"),
            "image/jpeg",
            &stripped,
            "",
        );
        assert_eq!(res.status, 200, "{}", text(&res.body));
        let f = &res.json()["files"][0];
        assert_eq!(f["verdict"], "fix", "{policy}: {f:#}");
        let reason = &f["reasons"][0];
        assert_eq!(reason["rule"], "label", "{policy}: {f:#}");
        assert!(
            reason.to_string().contains("stripped in transit"),
            "{policy}: {reason:#}"
        );
        assert!(reason.to_string().contains(&id), "{policy}: {reason:#}");
    }
}

#[test]
fn a_server_without_a_registry_recovers_nothing() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    let (stripped, _) = labelled_and_stripped(&sb, &start(&sb, &url));
    let plain = Server::start(&sb, "");
    let res = post(&plain.addr, "/v1/verify", "image/jpeg", &stripped, "");
    let entry = &res.json()["files"][0];
    assert_eq!(entry["verdict"], "unlabelled", "{entry:#}");
    assert!(entry.get("recovered").is_none(), "{entry:#}");
    let res = post(
        &plain.addr,
        "/v1/verify?policy=kz",
        "image/jpeg",
        &stripped,
        "",
    );
    assert_ne!(res.json()["files"][0]["verdict"], "fix");
}

#[test]
fn the_page_says_a_stripped_upload_has_a_label_in_the_registry() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    let server = start(&sb, &url);
    let (_, id) = labelled_and_stripped(&sb, &server);
    let o = std::process::Command::new("node")
        .arg(crate::util::root().join("tests/browser/serve_recovered.mjs"))
        .arg(server.url("/"))
        .arg(sb.path("stripped.jpg"))
        .arg(&id)
        .output()
        .expect("node (installed by .ci/run, with tests/browser's playwright-core)");
    assert!(
        o.status.success(),
        "browser test: {}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).contains("\"ok\":true"),
        "{}",
        text(&o.stdout)
    );
}

/// `/v1/verify` and its gate for an unlabelled photo on a server whose
/// registry fails every lookup: each file is an error of kind `registry`
/// with a generic message, and no word of the database's own error
/// (`leaks`) reaches the client.
fn lookups_fail_without_naming_the_database(server: &Server, leaks: &[&str]) {
    let photo = std::fs::read(sample("sample.jpg")).unwrap();
    let res = post(&server.addr, "/v1/verify", "image/jpeg", &photo, "");
    assert_eq!(res.status, 200, "{}", text(&res.body));
    let body = text(&res.body);
    let entry = &res.json()["files"][0];
    assert_eq!(entry["verdict"], "error", "{entry:#}");
    assert_eq!(entry["kind"], "registry", "{entry:#}");
    assert_eq!(
        entry["error"], "the registry could not be queried",
        "{entry:#}"
    );
    for leak in leaks {
        assert!(!body.contains(leak), "{leak:?} in {body}");
    }

    let res = post(
        &server.addr,
        "/v1/verify?policy=kz",
        "image/jpeg",
        &photo,
        "",
    );
    assert_eq!(res.status, 200, "{}", text(&res.body));
    let body = text(&res.body);
    let check = &res.json()["files"][0];
    assert_eq!(check["verdict"], "reject", "{check:#}");
    assert_eq!(
        check["error"], "the registry could not be queried",
        "{check:#}"
    );
    for leak in leaks {
        assert!(!body.contains(leak), "{leak:?} in {body}");
    }
}

#[test]
fn a_registry_that_fails_lookups_is_not_named_to_clients() {
    let sb = Sandbox::new();
    let db = sb.path("private-registry.sqlite");
    let server = start(&sb, &format!("sqlite:{}", db.display()));
    // The registry opened, so the server started; now its tables are gone,
    // as after a botched migration: every lookup fails.
    let out = std::process::Command::new(crate::util::python())
        .arg("-c")
        .arg(
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); \
             c.execute('DROP TABLE bindings'); c.execute('DROP TABLE manifests'); c.commit()",
        )
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    lookups_fail_without_naming_the_database(
        &server,
        &["private-registry", "no such table", "bindings", "sqlite"],
    );
}

#[test]
fn a_postgresql_registry_gone_after_start_is_not_named_to_clients() {
    let Some(pg) = tamga_registry::test_support::TestPostgres::start_or_skip(
        "a_postgresql_registry_gone_after_start_is_not_named_to_clients",
    ) else {
        return;
    };
    let url = pg.create_database("gone_later").expect("database");
    let sb = Sandbox::new();
    let server = start(&sb, &url);
    let socket = pg.socket_dir().display().to_string();
    // The cluster stops (dropped), as a database server going down would.
    drop(pg);
    lookups_fail_without_naming_the_database(
        &server,
        &[&socket, "gone_later", "postgres", "connection", "db error"],
    );
}
