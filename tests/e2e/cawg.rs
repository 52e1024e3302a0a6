//! Everything the label says is reported (issue 15 §4): a CAWG X.509
//! identity assertion — the named actor, who vouches for it and whether it
//! holds — in `verify` text and JSON, the gate's HTML report and the
//! server's answer; c2pa-python agrees on its status. An unknown identity
//! does not make a trusted signer unknown.

use std::{path::PathBuf, process::Command};

use serde_json::Value;

use crate::{
    serve_http::{post, Server},
    util::{assert_ok, python, root, sample, text, Sandbox},
};

/// A camera capture signed by the sandbox's (trusted) keys, with a CAWG
/// X.509 identity from a photographer's own keys (not trusted).
pub fn capture_with_identity(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let keys = sb.keys();
    let person = sb.path("photographer");
    assert_ok(&sb.run(&[
        "keys",
        "init",
        "--org",
        "Aigerim Photo",
        "--dir",
        person.to_str().unwrap(),
    ]));
    let out = sb.path("capture.jpg");
    let o = Command::new(python())
        .arg(root().join("tests/interop/c2pa_sign_capture.py"))
        .arg(sample("sample.jpg"))
        .arg(&out)
        .arg("image/jpeg")
        .arg(keys.join("signing-chain.pem"))
        .arg(keys.join("signing.key"))
        .arg("digitalCapture")
        .arg(person.join("signing-chain.pem"))
        .arg(person.join("signing.key"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    (out, person.join("trust-anchor.pem"))
}

/// c2pa-python's failure codes under the identity assertion's URI.
fn python_identity_failures(file: &std::path::Path, anchors: &std::path::Path) -> Vec<String> {
    let o = Command::new(python())
        .arg("-c")
        .arg(
            "import c2pa,json,sys\n\
             ctx=c2pa.Context.from_dict({'verify':{'verify_trust':True,'remote_manifest_fetch':False},\
             'trust':{'trust_anchors':open(sys.argv[2]).read()},\
             'cawg_trust':{'trust_anchors':open(sys.argv[2]).read()}})\n\
             r=c2pa.Reader('image/jpeg',open(sys.argv[1],'rb'),context=ctx)\n\
             a=(r.get_validation_results() or {}).get('activeManifest') or {}\n\
             print(json.dumps([s['code'] for s in a.get('failure',[]) if s.get('url','').endswith('/cawg.identity')]))",
        )
        .arg(file)
        .arg(anchors)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn a_cawg_identity_is_reported_with_who_vouches_and_its_status() {
    let sb = Sandbox::new();
    let (file, person_anchor) = capture_with_identity(&sb);

    let (entry, code) = sb.verify(&file, true);
    assert_eq!(code, 0);
    // The signer is on the list: the unknown identity does not change that.
    assert_eq!(entry["verdict"], "trusted", "{entry:#}");
    assert!(
        entry["failures"].as_array().unwrap().is_empty(),
        "{entry:#}"
    );
    let ids = entry["identities"].as_array().unwrap();
    assert_eq!(ids.len(), 1, "{entry:#}");
    let id = &ids[0];
    assert_eq!(id["sigType"], "cawg.x509.cose");
    assert!(
        id["namedActor"].as_str().unwrap().contains("Aigerim Photo"),
        "{id}"
    );
    assert!(
        id["vouchedBy"]
            .as_str()
            .unwrap()
            .contains("Aigerim Photo tamga development root CA"),
        "{id}"
    );
    assert_eq!(id["status"], "untrusted", "{id}");
    // The reference SDK says the same of the identity.
    assert_eq!(
        python_identity_failures(&file, &sb.anchor()),
        ["cawg.x509.credential.untrusted"]
    );

    // In the text report.
    let anchor = sb.anchor();
    let o = sb.run(&[
        "verify",
        "--trust",
        anchor.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    let out = text(&o.stdout);
    assert!(
        out.contains("identity: Aigerim Photo")
            && out.contains("vouched for by Aigerim Photo tamga development root CA")
            && out.contains("not on your trust list"),
        "{out}"
    );

    // Trusting the photographer's CA too makes the identity trusted.
    let both = sb.path("both.pem");
    let pems = [
        std::fs::read_to_string(&anchor).unwrap(),
        std::fs::read_to_string(&person_anchor).unwrap(),
    ];
    std::fs::write(&both, pems.join("\n")).unwrap();
    let o = sb.run(&[
        "verify",
        "--json",
        "--trust",
        both.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["files"][0]["identities"][0]["status"], "trusted");
    // (c2pa-python 0.38 keeps reporting this identity untrusted whatever
    // its cawg_trust anchors; only the untrusted case is compared.)

    // In the gate's HTML report.
    let html = sb.path("report.html");
    let o = sb.run(&[
        "check",
        "--policy",
        "kz",
        "--trust",
        anchor.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("identity: Aigerim Photo"), "{page}");

    // And in the server's answer, which the page shows.
    let server = Server::start(&sb, "");
    let bytes = std::fs::read(&file).unwrap();
    let r = post(&server.addr, "/v1/verify", "image/jpeg", &bytes, "");
    assert_eq!(r.status, 200, "{}", text(&r.body));
    let served = r.json();
    assert_eq!(served["files"][0]["identities"], entry["identities"]);
}
