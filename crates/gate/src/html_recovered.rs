//! A label recovered from the registry for a file that carries none, in
//! the HTML report's words: the file has no label, the registry holds one
//! for its content, what that label says about AI and who signed it, and
//! how it was found. Worded as `tamga verify` words it on the terminal.

use tamga_label::{Recovered, RecoveredBy};

use crate::html_text::{self, ReportLang};

/// "no label in the file; a label for this content was found in the
/// registry: made with AI (MODEL) by ORG; found by fingerprint, 3 bits
/// apart: urn:c2pa:… (trusted; content changed since signing)", in `lang`.
pub(crate) fn sentence(lang: ReportLang, found: &Recovered) -> String {
    let signer = found
        .signer
        .as_ref()
        .and_then(|s| s.organisation.as_deref().or(s.common_name.as_deref()))
        .or_else(|| found.disclosure.as_ref()?.organisation.as_deref())
        .unwrap_or(html_text::disclosure_words(lang).unnamed);
    let made = match &found.disclosure {
        Some(d) if d.is_ai() => {
            let model = d
                .generator
                .as_ref()
                .map(|g| format!(" ({g})"))
                .unwrap_or_default();
            match lang {
                ReportLang::Kk => format!("ЖИ арқылы жасалған{model}, қол қойған: {signer}"),
                ReportLang::Ru => format!("создано с помощью ИИ{model}, подписант: {signer}"),
                ReportLang::En => format!("made with AI{model} by {signer}"),
            }
        }
        Some(_) => match lang {
            ReportLang::Kk => format!("ЖИ қатысы мәлімделмеген, қол қойған: {signer}"),
            ReportLang::Ru => format!("участие ИИ не заявлено, подписант: {signer}"),
            ReportLang::En => format!("no AI involvement declared, signed by {signer}"),
        },
        None => match lang {
            ReportLang::Kk => format!("ЖИ туралы мәлімет жоқ, қол қойған: {signer}"),
            ReportLang::Ru => format!("сведений об ИИ нет, подписант: {signer}"),
            ReportLang::En => format!("no AI disclosure, signed by {signer}"),
        },
    };
    let how = match (found.how, found.distance, lang) {
        (RecoveredBy::Fingerprint, Some(d), ReportLang::Kk) => {
            format!("саусақ ізі (fingerprint) бойынша табылды, айырмашылығы {d} бит")
        }
        (RecoveredBy::Fingerprint, Some(d), ReportLang::Ru) => {
            format!("найдена по отпечатку (fingerprint), различие {d} бит")
        }
        (RecoveredBy::Fingerprint, Some(d), _) => {
            format!("found by fingerprint, {d} bits apart")
        }
        (RecoveredBy::Watermark, _, ReportLang::Kk) => {
            "tamga-ның көрінбейтін су белгісі (watermark) бойынша табылды".into()
        }
        (RecoveredBy::Watermark, _, ReportLang::Ru) => {
            "найдена по невидимому водяному знаку tamga (watermark)".into()
        }
        (RecoveredBy::Watermark, _, _) => "found by tamga's invisible watermark".into(),
        (_, _, ReportLang::Kk) => "файлдың дәл хэші бойынша табылды".into(),
        (_, _, ReportLang::Ru) => "найдена по точному хешу файла".into(),
        (_, _, _) => "found by exact hash".into(),
    };
    let (none_here, in_registry) = match lang {
        ReportLang::Kk => (
            "файлда белгі жоқ",
            "тізілімде осы мазмұн үшін белгі табылды",
        ),
        ReportLang::Ru => (
            "в файле метки нет",
            "в реестре найдена метка для этого содержимого",
        ),
        ReportLang::En => (
            "no label in the file",
            "a label for this content was found in the registry",
        ),
    };
    let mut state = html_text::label_verdict(lang, found.verdict).to_string();
    if found.content_changed {
        state.push_str(match lang {
            ReportLang::Kk => "; қол қойылғаннан кейін мазмұны өзгерген",
            ReportLang::Ru => "; содержимое изменено после подписания",
            ReportLang::En => "; content changed since signing",
        });
    }
    format!(
        "{none_here}; {in_registry}: {made}; {how}: {} ({state})",
        found.manifest
    )
}

/// The AI disclosure column for a file whose only AI evidence is the label
/// the registry holds for it: "AI generated (evidence: registry), by
/// MODEL". `None` when that label claims no AI. Without it the column said
/// "no AI evidence" beside the reason "AI label stripped in transit".
pub(crate) fn disclosure(lang: ReportLang, found: &Recovered) -> Option<String> {
    let d = found.disclosure.as_ref().filter(|d| d.is_ai())?;
    let w = html_text::disclosure_words(lang);
    let registry = match lang {
        ReportLang::Kk => "тізілім",
        ReportLang::Ru => "реестр",
        ReportLang::En => "registry",
    };
    let involvement = d.ai.map(|a| format!(" {a}")).unwrap_or_default();
    let mut out = format!("{}{involvement} ({} {registry})", w.is, w.evidence);
    if let Some(g) = &d.generator {
        out.push_str(&format!(", {} {g}", w.by));
    }
    Some(out)
}
