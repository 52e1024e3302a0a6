//! Every file of the shared conformance corpus gives the verdict and codes in
//! its expected.tsv (files signed by other tools, no trust anchors).

use crate::util::{codes, shared, Sandbox};

#[test]
fn conformance_corpus_matches_expected_tsv() {
    let dir = shared().join("conformance");
    let tsv = std::fs::read_to_string(dir.join("expected.tsv"))
        .expect("../shared/conformance/expected.tsv");
    let sb = Sandbox::new();
    let mut checked = 0;
    let mut problems = Vec::new();
    for line in tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut cols = line.split('\t');
        let file = cols.next().unwrap();
        let verdict = cols.next().unwrap_or_default();
        let want: Vec<&str> = cols
            .next()
            .unwrap_or_default()
            .split(',')
            .filter(|c| !c.is_empty())
            .collect();
        let path = dir.join(file);
        let (entry, _) = sb.verify(&path, false);
        let got = codes(&entry);
        if entry["verdict"] != verdict {
            problems.push(format!(
                "{file}: expected {verdict}, got {} {got:?}",
                entry["verdict"]
            ));
        }
        for w in &want {
            if !got.iter().any(|g| g == w) {
                problems.push(format!("{file}: missing code {w}; got {got:?}"));
            }
        }
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} conformance files");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn other_tools_ai_disclosure_is_reported() {
    // Adobe's test files declare no AI source type; the Nikon one is a camera
    // capture. Neither may be reported as AI.
    let sb = Sandbox::new();
    let dir = shared().join("conformance/c2pa-public-testfiles");
    let (entry, _) = sb.verify(&dir.join("adobe-20220124-CA.jpg"), false);
    assert_eq!(entry["verdict"], "valid-untrusted");
    assert!(entry["disclosure"]["ai"].is_null(), "{entry}");
    assert!(entry["claim_generator"].as_str().is_some());
}
