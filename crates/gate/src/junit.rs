//! The batch as JUnit XML, which every CI system shows: one test case per
//! file, `fix` and `reject` as failures with their reasons and clauses.

use std::fmt::Write as _;

use crate::{report::CheckReport, GateVerdict};

/// The report as a JUnit XML document.
pub fn render(report: &CheckReport) -> String {
    let failures = report.summary.fix + report.summary.reject;
    let suite = format!("tamga check (policy {})", report.policy.name);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"tamga check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">",
        report.summary.files
    );
    let _ = writeln!(
        x,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        esc(&suite),
        report.summary.files
    );
    for f in &report.files {
        let _ = write!(
            x,
            "    <testcase classname=\"tamga.check.{}\" name=\"{}\"",
            esc(&report.policy.name),
            esc(&f.path.display().to_string())
        );
        if f.verdict == GateVerdict::Publish {
            x.push_str("/>\n");
            continue;
        }
        x.push_str(">\n");
        let first = f
            .reasons
            .iter()
            .find(|r| r.verdict == f.verdict)
            .map(|r| r.message.as_str())
            .unwrap_or("");
        let body: Vec<String> = f
            .reasons
            .iter()
            .filter(|r| r.verdict != GateVerdict::Publish)
            .map(|r| format!("{} {}: {} [{}]", r.verdict, r.rule, r.message, r.clause))
            .collect();
        let _ = writeln!(
            x,
            "      <failure type=\"{}\" message=\"{}: {}\">{}</failure>",
            f.verdict,
            f.verdict,
            esc(first),
            esc(&body.join("\n"))
        );
        x.push_str("    </testcase>\n");
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}

/// Escaped for XML text and attributes; characters XML 1.0 cannot hold
/// (controls from hostile file names) become U+FFFD.
pub(crate) fn esc(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\n' | '\t' | '\r') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}
