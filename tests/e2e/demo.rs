//! The README's first command: `tamga demo` on the bundled samples.

use crate::util::{root, text, Sandbox};

#[test]
fn demo_labels_and_trusts_every_bundled_sample() {
    let sb = Sandbox::new();
    let out = sb.path("demo");
    let o = sb.run(&[
        "demo",
        "--samples",
        root().join("samples").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = text(&o.stdout);
    assert!(o.status.success(), "{stdout}\n{}", text(&o.stderr));
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("sample.") || l.starts_with("text/"))
        .collect();
    // 16 media samples and 5 texts, each labelled and verified as trusted.
    assert_eq!(rows.len(), 21, "{stdout}");
    for row in rows {
        assert!(row.contains(" trusted "), "{row}");
    }
    assert!(out.join("text/kk.md").is_file());
}
