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

/// An identity aggregator: an Ed25519 key whose public half is its
/// `did:jwk` (resolved offline, so the test needs no network), signing
/// W3C credentials as CAWG identity §8.1 specifies.
struct Aggregator {
    /// The key that signs.
    key: ed25519_dalek::SigningKey,
    /// The key the credential's issuer DID names (another key: a forgery).
    issuer: ed25519_dalek::VerifyingKey,
}

impl Aggregator {
    fn honest(seed: u8) -> Self {
        let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
        let issuer = key.verifying_key();
        Self { key, issuer }
    }

    /// `did:jwk:` + base64url of the issuer key's JWK.
    fn did(&self) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let jwk = serde_json::json!({
            "alg": "EdDSA", "kty": "OKP", "crv": "Ed25519",
            "x": b64.encode(self.issuer.as_bytes()),
        });
        format!("did:jwk:{}", b64.encode(jwk.to_string()))
    }
}

impl c2pa::identity::builder::CredentialHolder for Aggregator {
    fn sig_type(&self) -> &'static str {
        "cawg.identity_claims_aggregation"
    }

    fn reserve_size(&self) -> usize {
        4096
    }

    /// The credential (§8.1.1): its subject holds the verified identities
    /// and the signer payload (`c2paAsset`); signed as a COSE_Sign1 with
    /// content type `application/vc` (§8.1.2).
    fn sign(
        &self,
        payload: &c2pa::identity::SignerPayload,
    ) -> Result<Vec<u8>, c2pa::identity::builder::IdentityBuilderError> {
        use base64::Engine as _;
        use coset::{iana, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable};
        use ed25519_dalek::Signer as _;
        let mut asset = serde_json::to_value(payload).unwrap();
        // c2pa's reader takes each hash as the bytes of its base64 text
        // (the JSON form of a CBOR hashed URI); write it that way.
        for a in asset["referenced_assertions"].as_array_mut().unwrap() {
            let raw: Vec<u8> = serde_json::from_value(a["hash"].clone()).unwrap();
            let text = base64::engine::general_purpose::STANDARD.encode(raw);
            a["hash"] = serde_json::json!(text.into_bytes());
        }
        let vc = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://cawg.io/identity/1.1/ica/context/"],
            "type": ["VerifiableCredential", "IdentityClaimsAggregationCredential"],
            "issuer": self.did(),
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {
                "verifiedIdentities": [{
                    "type": "cawg.social_media",
                    "name": "Aigerim Sadykova",
                    "username": "aigerim.photo",
                    "uri": "https://social.example/aigerim.photo",
                    "verifiedAt": "2026-01-01T00:00:00Z",
                    "provider": {"id": "https://social.example", "name": "Social Example"}
                }],
                "c2paAsset": asset,
            },
        });
        let protected = HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .content_type("application/vc".to_string())
            .build();
        let sign1 = CoseSign1Builder::new()
            .protected(protected)
            .payload(vc.to_string().into_bytes())
            .create_signature(b"", |tbs| self.key.sign(tbs).to_bytes().to_vec())
            .build();
        Ok(sign1.to_tagged_vec().unwrap())
    }
}

/// A camera capture signed by the sandbox's (trusted) keys, carrying a
/// CAWG identity assertion signed by `aggregator`.
fn capture_with_aggregated_identity(sb: &Sandbox, aggregator: Aggregator, name: &str) -> PathBuf {
    use c2pa::identity::builder::{IdentityAssertionBuilder, IdentityAssertionSigner};
    let keys = sb.keys();
    let chain = std::fs::read(keys.join("signing-chain.pem")).unwrap();
    let key = std::fs::read(keys.join("signing.key")).unwrap();
    let raw = c2pa::crypto::raw_signature::signer_from_cert_chain_and_private_key(
        &chain,
        &key,
        c2pa::SigningAlg::Ed25519,
        None,
    )
    .unwrap();
    let mut signer = IdentityAssertionSigner::new(raw);
    let mut iab = IdentityAssertionBuilder::for_credential_holder(aggregator);
    iab.add_referenced_assertions(&["c2pa.actions.v2"]);
    signer.add_identity_assertion(iab);
    let mut builder = c2pa::Builder::from_context(c2pa::Context::new())
        .with_definition(
            serde_json::json!({
                "title": "camera capture",
                "claim_generator_info": [{"name": "ica-test-camera", "version": "1.0"}],
                "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [{
                    "action": "c2pa.created",
                    "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
                }]}}]
            })
            .to_string(),
        )
        .unwrap();
    let src = std::fs::read(sample("sample.jpg")).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    builder
        .sign(
            &signer,
            "image/jpeg",
            &mut std::io::Cursor::new(src),
            &mut out,
        )
        .unwrap();
    let file = sb.path(name);
    std::fs::write(&file, out.into_inner()).unwrap();
    file
}

#[test]
fn an_identity_claims_aggregation_is_reported_valid_and_a_forged_one_invalid() {
    let sb = Sandbox::new();
    let aggregator = Aggregator::honest(7);
    let did = aggregator.did();
    let file = capture_with_aggregated_identity(&sb, aggregator, "ica.jpg");

    let (entry, code) = sb.verify(&file, true);
    assert_eq!(code, 0, "{entry:#}");
    assert_eq!(entry["verdict"], "trusted", "{entry:#}");
    let ids = entry["identities"].as_array().unwrap();
    assert_eq!(ids.len(), 1, "{entry:#}");
    let id = &ids[0];
    assert_eq!(id["sigType"], "cawg.identity_claims_aggregation", "{id}");
    assert_eq!(
        id["namedActor"], "Aigerim Sadykova (Social Example)",
        "{id}"
    );
    assert_eq!(id["vouchedBy"], did.as_str(), "{id}");
    // Signed and bound to the claim; a DID issuer's trust is not judged.
    assert_eq!(id["status"], "valid", "{id}");
    let codes: Vec<&str> = id["codes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(codes, ["cawg.ica.credential_valid"], "{id}");
    assert!(python_identity_failures(&file, &sb.anchor()).is_empty());
    let anchor = sb.anchor();
    let o = sb.run(&[
        "verify",
        "--trust",
        anchor.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    let out = text(&o.stdout);
    assert!(
        out.contains(&format!(
            "identity: Aigerim Sadykova (Social Example), vouched for by {did}: validly signed"
        )),
        "{out}"
    );

    // The same credential signed with a key other than the issuer's: the
    // label is intact, the identity is not.
    let forger = Aggregator {
        key: ed25519_dalek::SigningKey::from_bytes(&[9; 32]),
        issuer: Aggregator::honest(7).issuer,
    };
    let forged = capture_with_aggregated_identity(&sb, forger, "forged.jpg");
    let (entry, _) = sb.verify(&forged, true);
    assert_eq!(entry["verdict"], "trusted", "{entry:#}");
    let id = &entry["identities"][0];
    assert_eq!(id["status"], "invalid", "{id}");
    assert_eq!(
        id["codes"][0]["code"], "cawg.ica.signature_mismatch",
        "{id}"
    );
    assert_eq!(
        python_identity_failures(&forged, &sb.anchor()),
        ["cawg.ica.signature_mismatch"]
    );

    // The honest file with the credential's name edited in place: the
    // label's hash of the assertion breaks, and so does the credential.
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes
        .windows(b"Aigerim Sadykova".len())
        .position(|w| w == b"Aigerim Sadykova")
        .unwrap();
    bytes[at] = b'B';
    let edited = sb.path("edited.jpg");
    std::fs::write(&edited, bytes).unwrap();
    let (entry, code) = sb.verify(&edited, true);
    assert_eq!(code, 1, "{entry:#}");
    assert_eq!(entry["verdict"], "invalid", "{entry:#}");
    assert_eq!(entry["identities"][0]["status"], "invalid", "{entry:#}");
}
