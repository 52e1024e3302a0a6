//! The batch as one self-contained HTML page for a news editor: no scripts,
//! no external assets, so it opens offline and from an e-mail attachment.
//! Each file gets its verdict, what it says about AI, who signed it, the
//! notice, and the reasons with their clauses.

use std::fmt::Write as _;

use crate::{
    decide::{kind_word, FileCheck},
    evidence::Certainty,
    junit::esc,
    report::CheckReport,
    GateVerdict,
};

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2rem;color:#1a1a1a;background:#fff}\
h1{font-size:1.4rem;margin:0 0 .25rem}p.sub{margin:0 0 1.5rem;color:#444}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.5rem .6rem;border-bottom:1px solid #ccc;overflow-wrap:anywhere}\
th{background:#f2f2f2}.v{font-weight:700;padding:.1rem .5rem;border-radius:.3rem;display:inline-block}\
.publish{background:#d7f5dd;color:#0b5a1c}.fix{background:#fff0c2;color:#6b4b00}.reject{background:#fdd;color:#8a1010}\
ul{margin:0;padding-left:1.1rem}.clause{color:#555;font-size:.9em}.thumb{max-width:120px;max-height:120px}\
.summary span{margin-right:1rem}";

/// The report as an HTML document; `thumbnail` gives a data URI for a
/// file's preview, when there is one.
pub fn render_with(
    report: &CheckReport,
    thumbnail: &dyn Fn(&FileCheck) -> Option<String>,
) -> String {
    let s = &report.summary;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\
         <title>tamga check: {} files, policy {}</title><style>{STYLE}</style></head><body>\n\
         <h1>AI label check: {} files</h1>\n<p class=\"sub\">Policy <b>{}</b>: {}</p>\n\
         <p class=\"summary\"><span class=\"v publish\">{} publish</span><span class=\"v fix\">{} fix</span>\
         <span class=\"v reject\">{} reject</span>{}</p>\n",
        s.files,
        esc(&report.policy.name),
        s.files,
        esc(&report.policy.name),
        esc(&report.policy.title),
        s.publish,
        s.fix,
        s.reject,
        if s.unchecked > 0 {
            format!("<span>({} could not be checked)</span>", s.unchecked)
        } else {
            String::new()
        }
    );
    h.push_str(
        "<table>\n<thead><tr><th scope=\"col\">Preview</th><th scope=\"col\">File</th>\
         <th scope=\"col\">Verdict</th><th scope=\"col\">AI disclosure</th>\
         <th scope=\"col\">Label</th><th scope=\"col\">Why</th></tr></thead>\n<tbody>\n",
    );
    for f in &report.files {
        let preview = thumbnail(f)
            .map(|uri| {
                format!(
                    "<img class=\"thumb\" src=\"{}\" alt=\"preview of {}\">",
                    esc(&uri),
                    esc(&file_name(f))
                )
            })
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr><td>{preview}</td><td>{}</td><td><span class=\"v {v}\">{v}</span></td><td>{}</td><td>{}</td><td><ul>",
            esc(&f.path.display().to_string()),
            esc(&disclosure(f)),
            esc(&label(f)),
            v = f.verdict.word(),
        );
        for r in &f.reasons {
            if f.verdict != GateVerdict::Publish && r.verdict == GateVerdict::Publish {
                continue;
            }
            let _ = write!(
                h,
                "<li>{}<br><span class=\"clause\">{}</span></li>",
                esc(&r.message),
                esc(&r.clause)
            );
        }
        h.push_str("</ul></td></tr>\n");
    }
    h.push_str("</tbody></table>\n</body></html>\n");
    h
}

/// The report as an HTML document, without previews.
pub fn render(report: &CheckReport) -> String {
    render_with(report, &|_| None)
}

fn file_name(f: &FileCheck) -> String {
    f.path.file_name().map_or_else(
        || f.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// "AI-generated (C2PA), by Model 2.1", or "no AI evidence".
fn disclosure(f: &FileCheck) -> String {
    let Some(c) = f.ai.certainty else {
        return "no AI evidence".into();
    };
    let how = match c {
        Certainty::Is => "AI",
        Certainty::MayBe => "may be AI",
        Certainty::Suspected => "suspected AI",
    };
    let mut out = format!(
        "{how}{} (evidence: {})",
        f.ai.involvement
            .as_deref()
            .map(|i| format!(" {i}"))
            .unwrap_or_default(),
        f.ai.basis.map(kind_word).unwrap_or("none")
    );
    if let Some(g) = f
        .verification
        .as_ref()
        .and_then(|v| v.disclosure.as_ref())
        .and_then(|d| d.generator.as_ref())
    {
        let _ = write!(out, ", by {g}");
    }
    if let Some(n) = f
        .verification
        .as_ref()
        .and_then(|v| v.disclosure.as_ref())
        .and_then(|d| d.perceivable_notice.as_ref())
    {
        let _ = write!(out, "; notice: {}", n.summary());
    }
    out
}

/// "trusted, signed by Example AI LLP", or the error.
fn label(f: &FileCheck) -> String {
    let Some(v) = &f.verification else {
        return f.error.clone().unwrap_or_else(|| "unreadable".into());
    };
    let mut out = match &v.signer {
        Some(s) => format!(
            "{}, signed by {}",
            v.verdict,
            s.organisation
                .as_deref()
                .or(s.common_name.as_deref())
                .unwrap_or("an unnamed signer")
        ),
        None => v.verdict.to_string(),
    };
    for identity in &v.identities {
        let _ = write!(out, "; {}", identity.sentence());
    }
    out
}
