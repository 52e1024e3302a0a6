//! The HTML report's own words in Kazakh, Russian and English. The reasons
//! are worded in `reason_text`; the clauses come from the policy, in English.

use tamga_label::{TimeStampInfo, Verdict, VerdictDetail};

use crate::{policy::Policy, GateVerdict, RuleId};

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
            in_english: "Заң тармақтары ағылшын тілінде берілген.",
            more_previews: "Алдын ала қарау тек алғашқы файлдарға көрсетіледі.",
        },
        ReportLang::Ru => Words {
            title: "Проверка меток ИИ",
            files: "файлов",
            policy: "Политика",
            unchecked: "не удалось проверить",
            columns: ["Превью", "Файл", "Решение", "Об ИИ", "Метка", "Причины"],
            by_reason: "По причинам",
            in_english: "Статьи закона приведены на английском языке.",
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
pub(crate) fn rule(lang: ReportLang, rule: RuleId, verdict: GateVerdict) -> String {
    use RuleId as R;
    let passed = match (lang, rule) {
        (ReportLang::Kk, R::Label) => "белгіленген ЖИ контенті",
        (ReportLang::Kk, R::Trust) => "қол қоюшы белгісіз, ЖИ туралы айтылмаған",
        (ReportLang::Kk, R::Notice) => "редакция тексерген ЖИ мәтіні",
        (ReportLang::Ru, R::Label) => "помеченный ИИ-контент",
        (ReportLang::Ru, R::Trust) => "подписант неизвестен, ИИ не заявлен",
        (ReportLang::Ru, R::Notice) => "ИИ-текст, проверенный редакцией",
        (ReportLang::En, R::Label) => "labelled AI content",
        (ReportLang::En, R::Trust) => "unknown signer, no AI claimed",
        (ReportLang::En, R::Notice) => "AI text reviewed under editorial responsibility",
        _ => "",
    };
    if verdict == GateVerdict::Publish && !passed.is_empty() {
        return passed.to_string();
    }
    let known = match (lang, rule) {
        (ReportLang::Kk, R::Readable) => "файл оқылмайды",
        (ReportLang::Kk, R::Intact) => "белгі бүлінген немесе өзгертілген",
        (ReportLang::Kk, R::Trust) => "қол қоюшы сенім тізімінде жоқ",
        (ReportLang::Kk, R::Label) => "қабылданатын машинаоқитын белгі жоқ",
        (ReportLang::Kk, R::Notice) => "көрінетін ескерту жоқ",
        (ReportLang::Kk, R::Aigc) => "AIGC белгісі жалған",
        (ReportLang::Kk, R::Unlabelled) => "ЖИ белгілері жоқ",
        (ReportLang::Ru, R::Readable) => "файл не читается",
        (ReportLang::Ru, R::Intact) => "метка повреждена или изменена",
        (ReportLang::Ru, R::Trust) => "подписанта нет в списке доверия",
        (ReportLang::Ru, R::Label) => "нет принимаемой машиночитаемой метки",
        (ReportLang::Ru, R::Notice) => "нет видимого предупреждения",
        (ReportLang::Ru, R::Aigc) => "поддельная метка AIGC",
        (ReportLang::Ru, R::Unlabelled) => "нет признаков ИИ",
        (ReportLang::En, R::Readable) => "unreadable",
        (ReportLang::En, R::Intact) => "label broken or altered",
        (ReportLang::En, R::Trust) => "signer not on the trust list",
        (ReportLang::En, R::Label) => "no accepted machine-readable label",
        (ReportLang::En, R::Notice) => "no perceivable notice",
        (ReportLang::En, R::Aigc) => "forged AIGC label",
        (ReportLang::En, R::Unlabelled) => "no AI evidence",
        // `remote` has no heading of its own yet: its name stands.
        _ => "",
    };
    if known.is_empty() {
        rule.to_string()
    } else {
        known.to_string()
    }
}

/// The words of the AI disclosure column.
pub(crate) struct DisclosureWords {
    pub none: &'static str,
    pub is: &'static str,
    pub may_be: &'static str,
    pub suspected: &'static str,
    pub evidence: &'static str,
    pub by: &'static str,
    pub notice: &'static str,
    pub unnamed: &'static str,
}

pub(crate) fn disclosure_words(lang: ReportLang) -> DisclosureWords {
    match lang {
        ReportLang::Kk => DisclosureWords {
            none: "ЖИ дәлелі жоқ",
            is: "ЖИ",
            may_be: "ЖИ болуы мүмкін",
            suspected: "ЖИ деген күдік бар",
            evidence: "дәлел:",
            by: "генератор:",
            notice: "ескерту:",
            unnamed: "аты көрсетілмеген қол қоюшы",
        },
        ReportLang::Ru => DisclosureWords {
            none: "признаков ИИ нет",
            is: "ИИ",
            may_be: "возможно, ИИ",
            suspected: "предположительно ИИ",
            evidence: "доказательство:",
            by: "генератор:",
            notice: "предупреждение:",
            unnamed: "подписант без имени",
        },
        ReportLang::En => DisclosureWords {
            none: "no AI evidence",
            is: "AI",
            may_be: "may be AI",
            suspected: "suspected AI",
            evidence: "evidence:",
            by: "by",
            notice: "notice:",
            unnamed: "an unnamed signer",
        },
    }
}

/// `tamga verify`'s verdict on the label, in words.
pub(crate) fn label_verdict(lang: ReportLang, v: Verdict) -> &'static str {
    match (lang, v) {
        (ReportLang::Kk, Verdict::Unlabelled) => "белгі жоқ",
        (ReportLang::Kk, Verdict::Trusted) => "сенімді",
        (ReportLang::Kk, Verdict::ValidUntrusted) => "бүтін, қол қоюшы сенім тізімінде жоқ",
        (ReportLang::Kk, Verdict::Invalid) => "жарамсыз",
        (ReportLang::Kk, Verdict::Remote) => "қашықта сақталған, алынбаған",
        (ReportLang::Ru, Verdict::Unlabelled) => "метки нет",
        (ReportLang::Ru, Verdict::Trusted) => "доверенная",
        (ReportLang::Ru, Verdict::ValidUntrusted) => "цела, подписанта нет в списке доверия",
        (ReportLang::Ru, Verdict::Invalid) => "недействительна",
        (ReportLang::Ru, Verdict::Remote) => "хранится удалённо, не загружена",
        (ReportLang::En, v) => v.word(),
    }
}

/// "signed by NAME".
pub(crate) fn signed_by(lang: ReportLang, name: &str) -> String {
    match lang {
        ReportLang::Kk => format!("қол қойған: {name}"),
        ReportLang::Ru => format!("подписант: {name}"),
        ReportLang::En => format!("signed by {name}"),
    }
}

/// The label's RFC 3161 time-stamp: when, and whether its authority is
/// trusted, with the C2PA code.
pub(crate) fn time_stamp(lang: ReportLang, ts: &TimeStampInfo) -> String {
    let at = ts
        .time
        .as_deref()
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    let whose = match (lang, ts.trusted) {
        (ReportLang::Kk, Some(true)) => "сенімді уақыт белгісі қызметі берген",
        (ReportLang::Kk, Some(false)) => "сенім тізімінде жоқ қызмет берген",
        (ReportLang::Kk, None) => "сенім тізімі берілмегендіктен, қызметі тексерілмеді",
        (ReportLang::Ru, Some(true)) => "от доверенной службы меток времени",
        (ReportLang::Ru, Some(false)) => "от службы, которой нет в списке доверия",
        (ReportLang::Ru, None) => "служба не проверена: список доверия не задан",
        (ReportLang::En, Some(true)) => "from a trusted time-stamp authority",
        (ReportLang::En, Some(false)) => "from an authority not on the trust list",
        (ReportLang::En, None) => "authority not checked: no trust list",
    };
    let what = match lang {
        ReportLang::Kk => "уақыт белгісі",
        ReportLang::Ru => "метка времени",
        ReportLang::En => "time-stamped",
    };
    format!("{what}{at}, {whose} ({})", ts.code)
}

/// Why the verdict is what it is, where the codes alone would mislead.
pub(crate) fn detail(lang: ReportLang, d: VerdictDetail) -> String {
    let words = match (lang, d) {
        (ReportLang::Kk, VerdictDetail::ExpiredWithoutTimestamp) => {
            "сертификаттың мерзімі өткен, сенімді уақыт белгісі жоқ; мазмұны мен қолтаңбасы бүтін"
        }
        (ReportLang::Ru, VerdictDetail::ExpiredWithoutTimestamp) => {
            "срок сертификата истёк, доверенной метки времени нет; содержимое и подпись целы"
        }
        (ReportLang::En, VerdictDetail::ExpiredWithoutTimestamp) => {
            "certificate expired, no trusted time-stamp; content and signature intact"
        }
        _ => "",
    };
    format!("{words} ({})", d.word())
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
