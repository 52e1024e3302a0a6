//! The batch as one self-contained HTML page for a news editor: no scripts,
//! no external assets, so it opens offline and from an e-mail attachment.
//! Each file gets its verdict, what it says about AI, who signed it, the
//! notice, and the reasons with their clauses.

use std::fmt::Write as _;

use crate::{
    decide::{kind_word, FileCheck},
    evidence::Certainty,
    html_recovered,
    html_text::{self, ReportLang},
    junit::esc,
    reason_text,
    report::CheckReport,
    GateVerdict, Reason, RuleId,
};

/// Files beyond this many get no preview: at ten thousand files, inline
/// previews would make the page hundreds of megabytes. Rejects come first,
/// so the files an editor must look at keep theirs.
const MAX_PREVIEWS: usize = 300;

// Words never break inside (the verdict column once read "rej/ec/t" at
// 1280 px); only a path, which has no spaces to break at, may break
// anywhere. Rows off screen are not laid out until scrolled to, so ten
// thousand of them open quickly.
const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2rem;color:#1a1a1a;background:#fff}\
h1{font-size:1.4rem;margin:0 0 .25rem}p.sub{margin:0 0 1rem;color:#444}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.5rem .6rem;border-bottom:1px solid #ccc;overflow-wrap:break-word;hyphens:manual}\
th{background:#f2f2f2}.v{font-weight:700;padding:.1rem .5rem;border-radius:.3rem;display:inline-block;white-space:nowrap}\
td.verdict{white-space:nowrap}td.path{overflow-wrap:anywhere;min-width:8rem}\
tr.group th{background:#e8e8ef;font-size:1rem}tbody tr{content-visibility:auto;contain-intrinsic-size:auto 5rem}\
.publish{background:#d7f5dd;color:#0b5a1c}.fix{background:#fff0c2;color:#6b4b00}.reject{background:#fdd;color:#8a1010}\
ul{margin:0;padding-left:1.1rem}.clause{color:#555;font-size:.9em}.thumb{max-width:120px;max-height:120px}\
.summary span{margin-right:1rem}ul.groups{margin:0 0 1.5rem}ul.groups li{margin:.15rem 0}";

/// One group of files: the same verdict for the same main reason.
struct Group<'a> {
    verdict: GateVerdict,
    rule: RuleId,
    files: Vec<&'a FileCheck>,
}

/// The files grouped by verdict and main reason: rejects first, then
/// fixes, then publishes; within each, the biggest group first.
fn groups(report: &CheckReport) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for f in &report.files {
        let rule = f
            .reasons
            .iter()
            .find(|r| r.verdict == f.verdict)
            .map_or(RuleId::Readable, |r| r.rule);
        match out
            .iter_mut()
            .find(|g| g.verdict == f.verdict && g.rule == rule)
        {
            Some(g) => g.files.push(f),
            None => out.push(Group {
                verdict: f.verdict,
                rule,
                files: vec![f],
            }),
        }
    }
    out.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then(b.files.len().cmp(&a.files.len()))
            // By name, as the headings read.
            .then(a.rule.as_str().cmp(b.rule.as_str()))
    });
    out
}

/// The report as an HTML document in `lang`; `thumbnail` gives a data URI
/// for a file's preview, when there is one, and `advice` what the reader
/// can do about a reason, in `lang` and in the caller's terms (the gate
/// does not know which command or request fixes it).
pub fn render_with(
    report: &CheckReport,
    lang: ReportLang,
    thumbnail: &dyn Fn(&FileCheck) -> Option<String>,
    advice: &dyn Fn(ReportLang, &Reason) -> Option<String>,
) -> String {
    let s = &report.summary;
    let w = html_text::words(lang);
    let verdict = |v| html_text::verdict(lang, v);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\
         <title>tamga: {title}: {n} {files}, {policy_word} {name}</title><style>{STYLE}</style></head><body>\n\
         <h1>{title}: {n} {files}</h1>\n<p class=\"sub\">{policy_word} <b>{name}</b>: {ptitle}</p>\n\
         <p class=\"summary\"><span class=\"v publish\">{} {}</span><span class=\"v fix\">{} {}</span>\
         <span class=\"v reject\">{} {}</span>{}</p>\n",
        s.publish,
        verdict(GateVerdict::Publish),
        s.fix,
        verdict(GateVerdict::Fix),
        s.reject,
        verdict(GateVerdict::Reject),
        if s.unchecked > 0 {
            format!("<span>({} {})</span>", s.unchecked, w.unchecked)
        } else {
            String::new()
        },
        code = lang.code(),
        title = w.title,
        n = s.files,
        files = w.files,
        policy_word = w.policy,
        name = esc(&report.policy.name),
        ptitle = esc(&report.policy.title),
    );
    let groups = groups(report);
    let _ = write!(h, "<h2>{}</h2>\n<ul class=\"groups\">", w.by_reason);
    for (i, g) in groups.iter().enumerate() {
        let _ = write!(
            h,
            "<li><a href=\"#g{i}\"><span class=\"v {v}\">{}</span></a> {}: <b>{}</b></li>",
            verdict(g.verdict),
            esc(&html_text::rule(lang, g.rule, g.verdict)),
            g.files.len(),
            v = g.verdict.word(),
        );
    }
    h.push_str("</ul>\n");
    if !w.in_english.is_empty() {
        let _ = writeln!(h, "<p class=\"sub\">{}</p>", w.in_english);
    }
    if report.files.len() > MAX_PREVIEWS {
        let _ = writeln!(h, "<p class=\"sub\">{}</p>", w.more_previews);
    }
    let c = w.columns;
    let _ = write!(
        h,
        "<table>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n",
        c[0], c[1], c[2], c[3], c[4], c[5]
    );
    let mut row = 0;
    for (i, g) in groups.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tbody id=\"g{i}\"><tr class=\"group\"><th colspan=\"6\" scope=\"rowgroup\">\
             <span class=\"v {v}\">{}</span> {}: {}</th></tr>",
            verdict(g.verdict),
            esc(&html_text::rule(lang, g.rule, g.verdict)),
            g.files.len(),
            v = g.verdict.word(),
        );
        for f in &g.files {
            let preview = (row < MAX_PREVIEWS)
                .then(|| thumbnail(f))
                .flatten()
                .map(|uri| {
                    format!(
                        "<img class=\"thumb\" src=\"{}\" alt=\"{}\">",
                        esc(&uri),
                        esc(&file_name(f))
                    )
                })
                .unwrap_or_default();
            row += 1;
            let _ = write!(
                h,
                "<tr><td>{preview}</td><td class=\"path\">{}</td><td class=\"verdict\"><span class=\"v {v}\">{}</span></td><td>{}</td><td>{}</td><td><ul>",
                esc(&f.path.display().to_string()),
                verdict(f.verdict),
                esc(&disclosure(f, lang)),
                esc(&label(f, lang)),
                v = f.verdict.word(),
            );
            for r in &f.reasons {
                if f.verdict != GateVerdict::Publish && r.verdict == GateVerdict::Publish {
                    continue;
                }
                let mut text = reason_text::text(lang, r);
                if let Some(a) = advice(lang, r) {
                    text = format!("{text} {a}");
                }
                let _ = write!(
                    h,
                    "<li>{}<br><span class=\"clause\">{}</span></li>",
                    esc(&text),
                    esc(&r.clause)
                );
            }
            h.push_str("</ul></td></tr>\n");
        }
        h.push_str("</tbody>\n");
    }
    h.push_str("</table>\n</body></html>\n");
    h
}

/// The report as an HTML document in English, without previews or advice.
pub fn render(report: &CheckReport) -> String {
    render_with(report, ReportLang::En, &|_| None, &|_, _| None)
}

fn file_name(f: &FileCheck) -> String {
    f.path.file_name().map_or_else(
        || f.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// "AI generated (evidence: c2pa), by Model 2.1", or "no AI evidence", in
/// `lang`; the involvement and evidence kinds stay codes.
fn disclosure(f: &FileCheck, lang: ReportLang) -> String {
    let w = html_text::disclosure_words(lang);
    let Some(c) = f.ai.certainty else {
        return f
            .verification
            .as_ref()
            .and_then(|v| v.recovered.as_ref())
            .and_then(|found| html_recovered::disclosure(lang, found))
            .unwrap_or_else(|| w.none.into());
    };
    let how = match c {
        Certainty::Is => w.is,
        Certainty::MayBe => w.may_be,
        Certainty::Suspected => w.suspected,
    };
    let mut out = format!(
        "{how}{} ({} {})",
        f.ai.involvement
            .as_deref()
            .map(|i| format!(" {i}"))
            .unwrap_or_default(),
        w.evidence,
        f.ai.basis.map(kind_word).unwrap_or("-")
    );
    if let Some(g) = f
        .verification
        .as_ref()
        .and_then(|v| v.disclosure.as_ref())
        .and_then(|d| d.generator.as_ref())
    {
        let _ = write!(out, ", {} {g}", w.by);
    }
    if let Some(n) = f
        .verification
        .as_ref()
        .and_then(|v| v.disclosure.as_ref())
        .and_then(|d| d.perceivable_notice.as_ref())
    {
        let _ = write!(out, "; {} {}", w.notice, n.summary());
    }
    out
}

/// "trusted, signed by Example AI LLP; time-stamped ...", or the error.
fn label(f: &FileCheck, lang: ReportLang) -> String {
    let Some(v) = &f.verification else {
        return f.error.clone().unwrap_or_else(|| "unreadable".into());
    };
    let mut out = match &v.recovered {
        // No label in the file, one in the registry: the sentence says
        // both, and what the registry's label says.
        Some(found) => html_recovered::sentence(lang, found),
        None => html_text::label_verdict(lang, v.verdict).to_string(),
    };
    if let Some(s) = &v.signer {
        let name = s
            .organisation
            .as_deref()
            .or(s.common_name.as_deref())
            .unwrap_or(html_text::disclosure_words(lang).unnamed);
        let _ = write!(out, ", {}", html_text::signed_by(lang, name));
    }
    if let Some(d) = v.detail {
        let _ = write!(out, "; {}", html_text::detail(lang, d));
    }
    if let Some(ts) = &v.time_stamp {
        let _ = write!(out, "; {}", html_text::time_stamp(lang, ts));
    }
    for identity in &v.identities {
        let _ = write!(out, "; {}", identity.sentence());
    }
    out
}
