//! `tamga verify - --registry URL`: a text read from a pipe is looked up in
//! the registry like a file, from memory (nothing is spooled to disk).

use serde_json::Value;

use crate::{
    recovery::manifest_id,
    util::{assert_ok, piped, text, Sandbox},
};

const ARTICLE: &str = "The regional library reopened on Saturday after two years of \
    repairs. Visitors found a new reading hall under the old glass roof, a \
    children's corner with low shelves, and a workshop where volunteers teach \
    older readers to use tablets and to borrow electronic books from home.\n";

/// `tamga verify - --registry URL`: a text read from a pipe is looked up
/// like a file.
#[test]
fn a_text_verified_through_a_pipe_is_recovered_too() {
    let sb = Sandbox::new();
    let url = format!("sqlite:{}", sb.path("labels.sqlite").display());
    let article = sb.path("article.txt");
    std::fs::write(&article, ARTICLE).unwrap();
    let labelled = sb.path("labelled.txt");
    assert_ok(&sb.label(&article, &labelled, &["--registry", &url]));
    let id = manifest_id(&sb, &labelled);
    // Copied as a reader copies it: the visible text, one word changed.
    let bytes = std::fs::read(&labelled).unwrap();
    let visible = String::from_utf8(tamga_text::strip(&bytes)).unwrap();
    assert_ne!(visible.len(), bytes.len(), "the label wrapper was there");
    let copied = visible.replacen("the", "a", 1);

    let verify = |extra: &[&str]| {
        let anchor = sb.anchor();
        let out = piped(
            sb.cmd()
                .args(["verify", "-", "--json", "--trust", anchor.to_str().unwrap()])
                .args(extra),
            copied.as_bytes(),
        );
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("verify JSON: {e}: {}", text(&out.stderr)));
        doc["files"][0].clone()
    };
    let entry = verify(&["--registry", &url]);
    assert_eq!(entry["verdict"], "unlabelled", "{entry:#}");
    assert_eq!(entry["recovered"]["manifest"], id.as_str(), "{entry:#}");
    assert_eq!(entry["recovered"]["how"], "fingerprint", "{entry:#}");
    assert!(verify(&[]).get("recovered").is_none());
}
