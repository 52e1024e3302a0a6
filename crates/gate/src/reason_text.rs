//! The gate's reasons in the HTML report's language. Each reason carries a
//! [`ReasonKind`]: which sentence it is, with the facts that fill it in, so
//! a report in Kazakh or Russian words it from this catalogue instead of
//! showing the English `message` (which JSON, JUnit and the terminal keep,
//! stable for scripts). Terms follow `crates/notice/notices/{kk,ru}.toml`
//! and docs/policy.md: ЖИ / ИИ for AI, белгі / метка for a label, уақыт
//! белгісі / метка времени for an RFC 3161 time-stamp.

use crate::{decide::Reason, evidence::Certainty, html_text::ReportLang, RuleId};

/// Which reason a [`Reason`] is, with what its sentence needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReasonKind {
    /// No catalogue entry: every language shows the English message.
    #[default]
    Other,
    /// The file could not be read; the error as the reader gave it.
    Unreadable {
        /// The reader's error (English: it names the file and the cause).
        error: String,
    },
    /// The C2PA label is broken (tampered with, or the signature fails).
    Broken {
        /// The C2PA failure codes.
        codes: Vec<String>,
    },
    /// The label is stored remotely and was not fetched.
    Remote {
        /// Where, when the file says.
        url: Option<String>,
    },
    /// The AIGC label's ReservedCode1 does not verify.
    AigcForged,
    /// The AIGC label's ReservedCode2 does not verify.
    AigcPropagationForged,
    /// AI content whose only label is of a kind the policy does not accept.
    LabelNotAccepted {
        /// The kinds it accepts, as codes.
        accept: String,
    },
    /// AI content with no machine-readable label.
    LabelMissing,
    /// AI text reviewed under editorial responsibility: no notice needed.
    NoticeExempt,
    /// AI content without a perceivable notice.
    NoticeMissing,
    /// AI content, labelled as the policy asks.
    Labelled {
        /// How certain.
        certainty: Certainty,
        /// The strongest evidence, as a code (`c2pa`, `iptc-xmp`, ...).
        basis: &'static str,
        /// Whether its label records a perceivable notice.
        notice: bool,
    },
    /// An intact label that does not say AI was involved.
    UnlabelledSigned,
    /// No AI evidence and no label.
    UnlabelledNone,
    /// No label in the file, but the registry holds an AI label for its
    /// content: the label was stripped on the way (a re-encode, a
    /// messenger) and is to be re-attached.
    LabelStripped {
        /// The recovered manifest's id.
        manifest: String,
    },
    /// An intact label from a signer not on the trust list.
    Untrusted {
        /// The signer's name.
        signer: String,
        /// Whether the label says AI was involved (a rejection) or not (a
        /// note).
        claims_ai: bool,
    },
    /// The file carries data that can identify a person.
    PersonalData {
        /// What kinds (`gps`, `identity`, ...).
        kinds: Vec<String>,
        /// How many items.
        count: usize,
    },
    /// An intact label whose certificate expired, with no trusted
    /// time-stamp.
    Expired {
        /// The certificate's expiry date, when known.
        date: Option<String>,
        /// Whether the label says AI was involved.
        claims_ai: bool,
    },
}

impl ReasonKind {
    /// The rule this reason is about; `None` for [`ReasonKind::Other`]. A
    /// [`Reason`]'s `rule` comes from here, so the id reports show and the
    /// sentence the HTML report words have one source.
    pub fn rule(&self) -> Option<RuleId> {
        Some(match self {
            Self::Other => return None,
            Self::Unreadable { .. } => RuleId::Readable,
            Self::Broken { .. } => RuleId::Intact,
            Self::Remote { .. } => RuleId::Remote,
            Self::AigcForged | Self::AigcPropagationForged => RuleId::Aigc,
            Self::LabelNotAccepted { .. }
            | Self::LabelMissing
            | Self::Labelled { .. }
            | Self::LabelStripped { .. } => RuleId::Label,
            Self::NoticeExempt | Self::NoticeMissing => RuleId::Notice,
            Self::UnlabelledSigned | Self::UnlabelledNone => RuleId::Unlabelled,
            Self::Untrusted { .. } | Self::Expired { .. } => RuleId::Trust,
            Self::PersonalData { .. } => RuleId::Privacy,
        })
    }
}

/// `reason` in `lang`: the English message itself for English and for
/// reasons without a catalogue entry.
pub(crate) fn text(lang: ReportLang, reason: &Reason) -> String {
    let ru = match lang {
        ReportLang::Kk => false,
        ReportLang::Ru => true,
        _ => return reason.message.clone(),
    };
    let pick = |kk: &str, ru_text: &str| if ru { ru_text } else { kk }.to_string();
    match &reason.kind {
        ReasonKind::Other => reason.message.clone(),
        ReasonKind::Unreadable { error } => {
            pick("Файлды оқу мүмкін болмады", "Файл не удалось прочитать")
                + ": "
                + error
        }
        ReasonKind::Broken { codes } => {
            let mut s = pick(
                "C2PA белгісі бүлінген: файл қол қойылғаннан кейін өзгертілген немесе \
                 қолтаңба расталмайды",
                "Метка C2PA повреждена: файл изменён после подписания или подпись не \
                 проходит проверку",
            );
            if !codes.is_empty() {
                s += &format!(" ({})", codes.join(", "));
            }
            s
        }
        ReasonKind::Remote { url } => {
            let at = url
                .as_deref()
                .map(|u| format!(" ({u})"))
                .unwrap_or_default();
            if ru {
                format!(
                    "Метка хранится удалённо{at} и не была загружена; незагруженная удалённая \
                     метка не является проверенным доказательством"
                )
            } else {
                format!(
                    "Белгі қашықтағы мекенжайда сақталған{at} және жүктеп алынбаған; жүктеп \
                     алынбаған қашықтағы белгі расталған дәлел болып саналмайды"
                )
            }
        }
        ReasonKind::AigcForged => pick(
            "AIGC белгісінің ReservedCode1 өрісі C2PA қол қоюшысының кілтімен расталмайды: \
             белгінің өрістері өзгертілген немесе белгі жалған",
            "Поле ReservedCode1 метки AIGC не проходит проверку ключом подписанта C2PA: \
             поля метки изменены или метка подделана",
        ),
        ReasonKind::AigcPropagationForged => pick(
            "AIGC белгісінің ReservedCode2 өрісі жариялаушының C2PA кілтімен расталмайды: \
             таратуға қатысты өрістері өзгертілген немесе жалған",
            "Поле ReservedCode2 метки AIGC не проходит проверку ключом C2PA издателя: \
             поля распространения изменены или подделаны",
        ),
        ReasonKind::LabelNotAccepted { accept } => {
            if ru {
                format!(
                    "Единственная машиночитаемая метка ИИ-контента относится к виду, который \
                     эта политика не принимает (принимаются: {accept})"
                )
            } else {
                format!(
                    "ЖИ контентінің жалғыз машинаоқитын белгісі осы саясат қабылдамайтын \
                     түрге жатады (қабылданатын түрлері: {accept})"
                )
            }
        }
        ReasonKind::LabelMissing => pick(
            "ЖИ контентінде машинаоқитын белгі мүлдем жоқ",
            "У ИИ-контента нет никакой машиночитаемой метки",
        ),
        ReasonKind::NoticeExempt => pick(
            "Редакциялық жауапкершілікпен адам тексерген ЖИ мәтініне ескерту қажет емес",
            "ИИ-текст, проверенный человеком под редакционной ответственностью, не требует \
             предупреждения",
        ),
        ReasonKind::NoticeMissing => pick(
            "ЖИ контентінің белгісінде көрінетін ескерту жазылмаған",
            "В метке ИИ-контента не записано видимое предупреждение",
        ),
        ReasonKind::Labelled {
            certainty,
            basis,
            notice,
        } => {
            let what = match (certainty, ru) {
                (Certainty::Is, false) => "ЖИ контенті",
                (Certainty::MayBe, false) => "ЖИ контенті болуы мүмкін",
                (Certainty::Suspected, false) => "ЖИ контенті деген күдік бар",
                (Certainty::Is, true) => "ИИ-контент",
                (Certainty::MayBe, true) => "Возможно, ИИ-контент",
                (Certainty::Suspected, true) => "Предположительно ИИ-контент",
            };
            if ru {
                format!(
                    "{what} (доказательство: {basis}), помечен{}",
                    if *notice {
                        " и снабжён видимым предупреждением"
                    } else {
                        ""
                    }
                )
            } else {
                format!(
                    "{what} (дәлел: {basis}), белгіленген{}",
                    if *notice {
                        " және көрінетін ескертуі бар"
                    } else {
                        ""
                    }
                )
            }
        }
        ReasonKind::UnlabelledSigned => pick(
            "Белгі бүтін, бірақ онда ЖИ қатысқаны айтылмаған",
            "Метка цела, но участие ИИ в ней не указано",
        ),
        ReasonKind::LabelStripped { manifest } => {
            if ru {
                format!(
                    "Метка ИИ удалена при передаче: в файле её нет, но реестр хранит её для \
                     этого содержимого ({manifest}); прикрепите её снова"
                )
            } else {
                format!(
                    "ЖИ белгісі жіберу кезінде жойылған: файлда ол жоқ, бірақ тізілімде осы \
                     мазмұн үшін сақталған ({manifest}); оны қайта тіркеңіз"
                )
            }
        }
        ReasonKind::UnlabelledNone => pick(
            "ЖИ дәлелі де, белгі де жоқ",
            "Нет ни признаков ИИ, ни метки",
        ),
        ReasonKind::Untrusted { signer, claims_ai } => {
            let why = if ru {
                format!("подписанта «{signer}» нет в списке доверия")
            } else {
                format!("қол қоюшы «{signer}» сенім тізімінде жоқ")
            };
            if *claims_ai {
                if ru {
                    format!(
                        "Метка указывает на участие ИИ и цела, но {why}, поэтому эта политика \
                         не принимает такую метку"
                    )
                } else {
                    format!(
                        "Белгіде ЖИ қатысқаны айтылған және белгі бүтін, бірақ {why}, сондықтан \
                         бұл саясат мұндай белгіні қабылдамайды"
                    )
                }
            } else {
                note(ru, &why)
            }
        }
        ReasonKind::PersonalData { kinds, count } => pick(
            &format!(
                "Файлда адамды анықтауға болатын деректер бар ({}; {count}): жарияламас \
                 бұрын тексеріп, қажет болса жасырыңыз",
                kinds.join(", ")
            ),
            &format!(
                "Файл содержит данные, по которым можно установить личность ({}; {count}): \
                 проверьте и при необходимости скройте их до публикации",
                kinds.join(", ")
            ),
        ),
        ReasonKind::Expired { date, claims_ai } => {
            let why = expired(ru, date.as_deref());
            if *claims_ai {
                if ru {
                    format!(
                        "Метка указывает на участие ИИ и цела, но {why}; попросите её \
                         производителя пометить файл заново с меткой времени"
                    )
                } else {
                    format!(
                        "Белгіде ЖИ қатысқаны айтылған және белгі бүтін, бірақ {why}; файлды \
                         уақыт белгісімен қайта белгілеуді оның өндірушісінен сұраңыз"
                    )
                }
            } else {
                note(ru, &why)
            }
        }
    }
}

/// Why an expired label cannot be vouched for.
fn expired(ru: bool, date: Option<&str>) -> String {
    if ru {
        let on = date.map(|d| format!(" {d}")).unwrap_or_default();
        format!(
            "срок действия сертификата подписанта истёк{on}, а доверенной метки времени нет, \
             поэтому нельзя доказать, что метка подписана в период действия сертификата"
        )
    } else {
        let on = date.map(|d| format!(" {d} күні")).unwrap_or_default();
        format!(
            "қол қоюшы сертификатының қолданылу мерзімі{on} аяқталған, ал сенімді уақыт \
             белгісі жоқ, сондықтан белгінің сертификат жарамды кезде қойылғанын дәлелдеу \
             мүмкін емес"
        )
    }
}

/// The note for an untrusted label that claims no AI.
fn note(ru: bool, why: &str) -> String {
    if ru {
        format!(
            "Примечание: метка цела, но {why}; участие ИИ в ней не указано, поэтому она не \
             является признаком ИИ, и файл оценивается как файл без признаков ИИ"
        )
    } else {
        format!(
            "Ескерту: белгі бүтін, бірақ {why}; онда ЖИ қатысқаны айтылмаған, сондықтан ол ЖИ \
             дәлелі болып саналмайды және файл ЖИ дәлелі жоқ файл ретінде бағаланады"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GateVerdict;

    /// What to run to fix a file is the caller's to say (the CLI names
    /// `tamga publish --fix`; a server cannot): the catalogue says what is
    /// wrong, in every language.
    #[test]
    fn a_missing_notice_names_no_command_in_any_language() {
        let reason = Reason {
            rule: RuleId::Notice,
            verdict: GateVerdict::Fix,
            message: "AI content without a perceivable notice recorded in its label".into(),
            clause: "test".into(),
            kind: ReasonKind::NoticeMissing,
        };
        for (_, lang) in ReportLang::ALL {
            let t = text(lang, &reason);
            assert!(!t.contains("--") && !t.contains("tamga"), "{t}");
        }
    }

    /// A sentence split over source lines keeps one space at the split
    /// (the stripped-label sentence once carried a run of them).
    #[test]
    fn the_stripped_label_sentence_has_no_runs_of_spaces() {
        let reason = Reason {
            rule: RuleId::Label,
            verdict: GateVerdict::Fix,
            message: "AI label stripped in transit (urn:c2pa:x); re-attach it".into(),
            clause: "test".into(),
            kind: ReasonKind::LabelStripped {
                manifest: "urn:c2pa:x".into(),
            },
        };
        for (_, lang) in ReportLang::ALL {
            let t = text(lang, &reason);
            assert!(!t.contains("  ") && t.contains("urn:c2pa:x"), "{t}");
        }
    }
}
