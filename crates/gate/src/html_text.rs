//! The HTML report's own words in Kazakh, Russian and English. The reasons
//! and clauses inside it come from the policy and the verifier, in English.

use crate::{policy::Policy, GateVerdict};

/// The language of the HTML report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportLang {
    /// Kazakh.
    Kk,
    /// Russian.
    Ru,
    /// English.
    En,
}

impl ReportLang {
    /// Every language, by code.
    pub const ALL: [(&'static str, Self); 3] =
        [("kk", Self::Kk), ("ru", Self::Ru), ("en", Self::En)];

    /// The language for a code (`kk`, `ru`, `en`).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|(_, l)| *l)
    }

    /// The BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Kk => "kk",
            Self::Ru => "ru",
            Self::En => "en",
        }
    }

    /// The policy's language: the first of its notice languages that the
    /// report speaks (`kz`: Kazakh; `eu`: English), else English.
    pub fn for_policy(policy: &Policy) -> Self {
        policy
            .notice
            .languages
            .iter()
            .find_map(|l| Self::from_code(l))
            .unwrap_or(Self::En)
    }
}

/// The words of one language.
pub(crate) struct Words {
    pub title: &'static str,
    pub files: &'static str,
    pub policy: &'static str,
    pub unchecked: &'static str,
    pub columns: [&'static str; 6],
    pub by_reason: &'static str,
    pub in_english: &'static str,
    pub more_previews: &'static str,
}

pub(crate) fn words(lang: ReportLang) -> Words {
    match lang {
        ReportLang::Kk => Words {
            title: "ЖИ белгісін тексеру",
            files: "файл",
            policy: "Саясат",
            unchecked: "тексерілмеді",
            columns: [
                "Алдын ала қарау",
                "Файл",
                "Шешім",
                "ЖИ туралы",
                "Белгі",
                "Себебі",
            ],
            by_reason: "Себептер бойынша",
            in_english: "Себептер мен заң тармақтары ағылшын тілінде берілген.",
            more_previews: "Алдын ала қарау тек алғашқы файлдарға көрсетіледі.",
        },
        ReportLang::Ru => Words {
            title: "Проверка меток ИИ",
            files: "файлов",
            policy: "Политика",
            unchecked: "не удалось проверить",
            columns: ["Превью", "Файл", "Решение", "Об ИИ", "Метка", "Причины"],
            by_reason: "По причинам",
            in_english: "Причины и статьи закона приведены на английском.",
            more_previews: "Превью показаны только для первых файлов.",
        },
        ReportLang::En => Words {
            title: "AI label check",
            files: "files",
            policy: "Policy",
            unchecked: "could not be checked",
            columns: [
                "Preview",
                "File",
                "Verdict",
                "AI disclosure",
                "Label",
                "Why",
            ],
            by_reason: "By reason",
            in_english: "",
            more_previews: "Previews are shown for the first files only.",
        },
    }
}

/// The verdict in words.
pub(crate) fn verdict(lang: ReportLang, v: GateVerdict) -> &'static str {
    match (lang, v) {
        (ReportLang::Kk, GateVerdict::Publish) => "жариялау",
        (ReportLang::Kk, GateVerdict::Fix) => "түзету",
        (ReportLang::Kk, GateVerdict::Reject) => "қабылданбады",
        (ReportLang::Ru, GateVerdict::Publish) => "опубликовать",
        (ReportLang::Ru, GateVerdict::Fix) => "исправить",
        (ReportLang::Ru, GateVerdict::Reject) => "отклонить",
        (ReportLang::En, v) => v.word(),
    }
}

/// A rule, as the heading of a group of files with `verdict`: a rule that
/// lets a file through reads differently from one that stops it.
pub(crate) fn rule(lang: ReportLang, rule: &str, verdict: GateVerdict) -> String {
    let passed = match (lang, rule) {
        (ReportLang::Kk, "label") => "белгіленген ЖИ контенті",
        (ReportLang::Kk, "trust") => "қол қоюшы белгісіз, ЖИ туралы айтылмаған",
        (ReportLang::Kk, "notice") => "редакция тексерген ЖИ мәтіні",
        (ReportLang::Ru, "label") => "помеченный ИИ-контент",
        (ReportLang::Ru, "trust") => "подписант неизвестен, ИИ не заявлен",
        (ReportLang::Ru, "notice") => "ИИ-текст, проверенный редакцией",
        (ReportLang::En, "label") => "labelled AI content",
        (ReportLang::En, "trust") => "unknown signer, no AI claimed",
        (ReportLang::En, "notice") => "AI text reviewed under editorial responsibility",
        _ => "",
    };
    if verdict == GateVerdict::Publish && !passed.is_empty() {
        return passed.to_string();
    }
    let known = match (lang, rule) {
        (ReportLang::Kk, "readable") => "файл оқылмайды",
        (ReportLang::Kk, "intact") => "белгі бүлінген немесе өзгертілген",
        (ReportLang::Kk, "trust") => "қол қоюшы сенім тізімінде жоқ",
        (ReportLang::Kk, "label") => "қабылданатын машинаоқитын белгі жоқ",
        (ReportLang::Kk, "notice") => "көрінетін ескерту жоқ",
        (ReportLang::Kk, "aigc") => "AIGC белгісі жалған",
        (ReportLang::Kk, "unlabelled") => "ЖИ белгілері жоқ",
        (ReportLang::Ru, "readable") => "файл не читается",
        (ReportLang::Ru, "intact") => "метка повреждена или изменена",
        (ReportLang::Ru, "trust") => "подписанта нет в списке доверия",
        (ReportLang::Ru, "label") => "нет принимаемой машиночитаемой метки",
        (ReportLang::Ru, "notice") => "нет видимого предупреждения",
        (ReportLang::Ru, "aigc") => "поддельная метка AIGC",
        (ReportLang::Ru, "unlabelled") => "нет признаков ИИ",
        (ReportLang::En, "readable") => "unreadable",
        (ReportLang::En, "intact") => "label broken or altered",
        (ReportLang::En, "trust") => "signer not on the trust list",
        (ReportLang::En, "label") => "no accepted machine-readable label",
        (ReportLang::En, "notice") => "no perceivable notice",
        (ReportLang::En, "aigc") => "forged AIGC label",
        (ReportLang::En, "unlabelled") => "no AI evidence",
        _ => "",
    };
    if known.is_empty() {
        rule.to_string()
    } else {
        known.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_presets_pick_their_language() {
        let lang = |p: &str| ReportLang::for_policy(&Policy::load(p).unwrap());
        assert_eq!(lang("kz"), ReportLang::Kk);
        assert_eq!(lang("eu"), ReportLang::En);
        // cn's notices are Chinese, which the report does not speak.
        assert_eq!(lang("cn"), ReportLang::En);
        assert_eq!(ReportLang::from_code("RU"), Some(ReportLang::Ru));
        assert_eq!(ReportLang::from_code("zh"), None);
    }
}
