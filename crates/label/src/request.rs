//! A label request: everything a front end lets a user say about one
//! labelling run, in one type. The CLI's `tamga label` flags and the
//! server's `POST /v1/label` fields both become a [`LabelRequest`], and only
//! this module turns it into the [`AiDisclosure`] and the metadata and
//! notice options, so the two front ends cannot drift apart.
//!
//! It knows nothing of clap or HTTP: every field parses with `FromStr`
//! (see [`LabelRequest::set`]) and the whole request is serde.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{
    AiDisclosure, AiInvolvement, AigcOptions, Generator, HumanReview, LabelOptions, Lang,
    MetadataOptions, NoticeOptions, NoticePosition, NoticeSpan, NoticeStyle, Profile,
    TrainingMining, WatermarkMode,
};

/// What to disclose and how, as a user states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LabelRequest {
    /// How AI was involved.
    pub ai: AiInvolvement,
    /// The AI system and version, e.g. "Model 2.1".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    /// Who provides the AI system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The organisation responsible (default: the certificate's O=).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Who holds editorial responsibility after a human review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
    /// States that no person reviewed the content.
    #[serde(default)]
    pub not_reviewed: bool,
    /// The jurisdiction (default: Kazakhstan's).
    #[serde(default, with = "via_str", skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// The notice's languages (default: the profile's).
    #[serde(
        default,
        with = "via_str_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub notice_lang: Option<Vec<Lang>>,
    /// Whether to write the GB 45438 AIGC label (default: under `cn` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aigc: Option<bool>,
    /// The AIGC label's ContentProducer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aigc_producer: Option<String>,
    /// The AIGC label's ProduceID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aigc_id: Option<String>,
    /// Write the IPTC fields into XMP (default: yes).
    #[serde(default = "yes")]
    pub xmp: bool,
    /// Add a notice people can perceive.
    #[serde(default)]
    pub notice: bool,
    /// The notice's kind (implies `notice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_style: Option<NoticeStyle>,
    /// Where the notice goes (implies `notice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_position: Option<NoticePosition>,
    /// How long a video's badge stays: seconds, or "whole" (implies `notice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_span: Option<NoticeSpan>,
    /// The training and data-mining preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_mining: Option<TrainingMining>,
    /// tamga's invisible watermark (default: under `eu` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<bool>,
}

fn yes() -> bool {
    true
}

/// Why a request's fields do not make a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// `ai` was not given.
    #[error("ai is required: generated, edited, composite or algorithmic")]
    MissingAi,
    /// A field's value does not parse.
    #[error("{field}: {message}")]
    Invalid {
        /// The field, as named in [`LabelRequest::FIELDS`].
        field: String,
        /// What is wrong with its value.
        message: String,
    },
    /// Two fields say opposite things.
    #[error("{0} and {1} cannot both be given")]
    Conflict(&'static str, &'static str),
}

impl LabelRequest {
    /// The field names [`LabelRequest::set`] takes (the CLI's flags with
    /// `_` for `-`; `no_xmp` and `no_aigc` are the negative spellings).
    pub const FIELDS: [&'static str; 21] = [
        "ai",
        "generator",
        "provider",
        "org",
        "reviewed_by",
        "not_reviewed",
        "profile",
        "notice_lang",
        "aigc",
        "no_aigc",
        "aigc_producer",
        "aigc_id",
        "xmp",
        "no_xmp",
        "notice",
        "notice_style",
        "notice_position",
        "notice_span",
        "training_mining",
        "watermark",
        "no_watermark",
    ];

    /// A request with only `ai` stated; everything else takes its default.
    pub fn new(ai: AiInvolvement) -> Self {
        Self {
            ai,
            generator: None,
            provider: None,
            org: None,
            reviewed_by: None,
            not_reviewed: false,
            profile: None,
            notice_lang: None,
            aigc: None,
            aigc_producer: None,
            aigc_id: None,
            xmp: true,
            notice: false,
            notice_style: None,
            notice_position: None,
            notice_span: None,
            training_mining: None,
            watermark: None,
        }
    }

    /// A request from text fields (form fields, a query string). `ai` is
    /// required; names not in [`LabelRequest::FIELDS`] are left for the
    /// caller (an upload's `file` part, say) and ignored here.
    pub fn from_fields<'a>(
        fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, RequestError> {
        let fields: Vec<(&str, &str)> = fields.into_iter().collect();
        let ai = fields
            .iter()
            .find(|(k, _)| *k == "ai")
            .ok_or(RequestError::MissingAi)?
            .1;
        let mut request = Self::new(parse("ai", ai)?);
        for (key, value) in fields {
            if Self::FIELDS.contains(&key) {
                request.set(key, value)?;
            }
        }
        request.check()?;
        Ok(request)
    }

    /// Sets one field from its text, parsed with the field type's `FromStr`.
    /// Lists are comma-separated; booleans are true/false, yes/no, 1/0, on/off.
    pub fn set(&mut self, field: &str, value: &str) -> Result<(), RequestError> {
        let text = || (!value.is_empty()).then(|| value.to_string());
        match field {
            "ai" => self.ai = parse(field, value)?,
            "generator" => self.generator = text(),
            "provider" => self.provider = text(),
            "org" => self.org = text(),
            "reviewed_by" => self.reviewed_by = text(),
            "not_reviewed" => self.not_reviewed = flag(field, value)?,
            "profile" => self.profile = Some(parse(field, value)?),
            "notice_lang" => {
                self.notice_lang = Some(
                    value
                        .split(',')
                        .map(|l| parse(field, l))
                        .collect::<Result<_, _>>()?,
                )
            }
            "aigc" => self.aigc = Some(flag(field, value)?),
            "no_aigc" => self.aigc = Some(!flag(field, value)?),
            "aigc_producer" => self.aigc_producer = text(),
            "aigc_id" => self.aigc_id = text(),
            "xmp" => self.xmp = flag(field, value)?,
            "no_xmp" => self.xmp = !flag(field, value)?,
            "notice" => self.notice = flag(field, value)?,
            "notice_style" => self.notice_style = Some(parse(field, value)?),
            "notice_position" => self.notice_position = Some(parse(field, value)?),
            "notice_span" => self.notice_span = Some(parse(field, value)?),
            "training_mining" => self.training_mining = Some(parse(field, value)?),
            "watermark" => self.watermark = Some(flag(field, value)?),
            "no_watermark" => self.watermark = Some(!flag(field, value)?),
            other => {
                return Err(RequestError::Invalid {
                    field: other.to_string(),
                    message: format!("no such field; one of {}", Self::FIELDS.join(", ")),
                })
            }
        }
        Ok(())
    }

    /// Fields that contradict each other.
    pub fn check(&self) -> Result<(), RequestError> {
        if self.reviewed_by.is_some() && self.not_reviewed {
            return Err(RequestError::Conflict("reviewed_by", "not_reviewed"));
        }
        Ok(())
    }

    /// The jurisdiction's defaults in force (Kazakhstan's when none is given).
    pub fn profile(&self) -> Profile {
        self.profile.unwrap_or_default()
    }

    /// The notice's languages: as given, else the profile's.
    pub fn langs(&self) -> Vec<Lang> {
        self.notice_lang
            .clone()
            .unwrap_or_else(|| self.profile().notice_langs())
    }

    /// What the manifest discloses.
    pub fn disclosure(&self) -> AiDisclosure {
        let mut d = AiDisclosure::new(self.ai).with_notice_langs(&self.langs());
        d.generator = self.generator.as_deref().map(|g| {
            let mut g = Generator::parse(g);
            g.provider = self.provider.clone();
            g
        });
        d.organisation = self.org.clone();
        d.human_review = match (&self.reviewed_by, self.not_reviewed) {
            (Some(who), _) => Some(HumanReview {
                reviewed: true,
                editorial_responsibility: Some(who.clone()),
            }),
            (None, true) => Some(HumanReview {
                reviewed: false,
                editorial_responsibility: None,
            }),
            (None, false) => None,
        };
        d.training_mining = self.training_mining;
        d
    }

    /// IPTC XMP unless turned off; the AIGC label when asked for or under `cn`.
    pub fn metadata(&self) -> MetadataOptions {
        let aigc = self.aigc.unwrap_or_else(|| self.profile().writes_aigc());
        MetadataOptions {
            xmp: self.xmp,
            aigc: aigc.then(|| AigcOptions {
                producer: self.aigc_producer.clone(),
                produce_id: self.aigc_id.clone(),
            }),
        }
    }

    /// The perceivable notice, when asked for (a style or position asks
    /// too). Where libheif comes from is the caller's to fill in.
    pub fn notice_options(&self) -> Option<NoticeOptions> {
        let wanted = self.notice
            || self.notice_style.is_some()
            || self.notice_position.is_some()
            || self.notice_span.is_some();
        wanted.then(|| {
            let mut n = NoticeOptions::default();
            n.style = self.notice_style;
            n.position = self.notice_position;
            n.span = self.notice_span.unwrap_or_default();
            n.langs = self.langs();
            n
        })
    }

    /// The invisible watermark: asked for (a file that cannot carry it gets
    /// a warning), turned off, or the profile's default (EU's Code of
    /// Practice asks for a watermark beside signed metadata), applied where
    /// the format allows.
    pub fn watermark_mode(&self) -> WatermarkMode {
        match self.watermark {
            Some(true) => WatermarkMode::Asked,
            Some(false) => WatermarkMode::Off,
            None if self.profile().watermarks() => WatermarkMode::WherePossible,
            None => WatermarkMode::Off,
        }
    }

    /// Puts the request's metadata, notice and watermark into `options`;
    /// the rest of `options` (keys, limits, time-stamps) is the front end's.
    pub fn apply_to(&self, options: &mut LabelOptions) {
        options.metadata = self.metadata();
        options.notice = self.notice_options();
        options.watermark = self.watermark_mode();
    }
}

fn parse<T: FromStr<Err = String>>(field: &str, value: &str) -> Result<T, RequestError> {
    value.parse().map_err(|message| RequestError::Invalid {
        field: field.to_string(),
        message,
    })
}

fn flag(field: &str, value: &str) -> Result<bool, RequestError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Ok(true),
        "false" | "no" | "0" | "off" | "" => Ok(false),
        _ => Err(RequestError::Invalid {
            field: field.to_string(),
            message: format!("{value:?} is not true or false"),
        }),
    }
}

/// Serde through `Display`/`FromStr`, for types whose text is their words.
mod via_str {
    use super::*;

    pub(super) fn serialize<T: fmt::Display, S: serde::Serializer>(
        v: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr<Err = String>,
        D: serde::Deserializer<'de>,
    {
        Option::<String>::deserialize(d)?
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// A list through `Display`/`FromStr`, as JSON strings.
mod via_str_list {
    use super::*;

    pub(super) fn serialize<T: fmt::Display, S: serde::Serializer>(
        v: &Option<Vec<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let words: Option<Vec<String>> = v
            .as_ref()
            .map(|l| l.iter().map(|x| x.to_string()).collect());
        words.serialize(s)
    }

    pub(super) fn deserialize<'de, T, D>(d: D) -> Result<Option<Vec<T>>, D::Error>
    where
        T: FromStr<Err = String>,
        D: serde::Deserializer<'de>,
    {
        Option::<Vec<String>>::deserialize(d)?
            .map(|l| {
                l.iter()
                    .map(|s| s.parse().map_err(serde::de::Error::custom))
                    .collect()
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<LabelRequest, RequestError> {
        LabelRequest::from_fields(pairs.iter().copied())
    }

    #[test]
    fn fields_follow_the_profile() {
        let r = from(&[("ai", "edited"), ("profile", "cn")]).unwrap();
        assert_eq!(r.disclosure().ai, AiInvolvement::Edited);
        assert!(r.metadata().aigc.is_some(), "cn writes the AIGC label");
        let langs: Vec<String> = r.disclosure().notice.into_keys().collect();
        assert_eq!(langs, ["zh"]);
        let r = from(&[("ai", "generated"), ("notice", "yes")]).unwrap();
        assert!(r.metadata().aigc.is_none());
        assert_eq!(
            r.notice_options().map(|n| n.langs),
            Some(Profile::Kz.notice_langs())
        );
        let r = from(&[("ai", "generated"), ("profile", "cn"), ("no_aigc", "1")]).unwrap();
        assert!(r.metadata().aigc.is_none(), "no_aigc wins over the profile");
    }

    #[test]
    fn every_field_reaches_the_disclosure_or_the_options() {
        let r = from(&[
            ("ai", "composite"),
            ("generator", "Model 2.1"),
            ("provider", "Lab"),
            ("org", "Desk"),
            ("not_reviewed", "true"),
            ("notice_lang", "en,ru"),
            ("training_mining", "not-allowed"),
            ("no_xmp", "yes"),
            ("notice_position", "top-left"),
            ("aigc_producer", "P1"),
            ("aigc", "on"),
        ])
        .unwrap();
        let d = r.disclosure();
        let g = d.generator.as_ref().unwrap();
        assert_eq!(
            (g.name.as_str(), g.version.as_deref()),
            ("Model", Some("2.1"))
        );
        assert_eq!(g.provider.as_deref(), Some("Lab"));
        assert_eq!(d.organisation.as_deref(), Some("Desk"));
        assert_eq!(d.human_review.as_ref().map(|h| h.reviewed), Some(false));
        assert_eq!(d.training_mining, Some(TrainingMining::NotAllowed));
        assert_eq!(d.notice.keys().collect::<Vec<_>>(), ["en", "ru"]);
        let m = r.metadata();
        assert!(!m.xmp);
        assert_eq!(m.aigc.and_then(|a| a.producer).as_deref(), Some("P1"));
        let n = r.notice_options().unwrap();
        assert_eq!(n.position, Some(NoticePosition::TopLeft));
        assert_eq!(n.langs, [Lang::En, Lang::Ru]);
    }

    #[test]
    fn bad_fields_say_which_field() {
        assert_eq!(from(&[]), Err(RequestError::MissingAi));
        for (pairs, field) in [
            (&[("ai", "imagined")][..], "ai"),
            (&[("ai", "generated"), ("profile", "mars")][..], "profile"),
            (
                &[("ai", "generated"), ("notice_lang", "kk,xx")][..],
                "notice_lang",
            ),
            (&[("ai", "generated"), ("notice", "maybe")][..], "notice"),
        ] {
            match from(pairs) {
                Err(RequestError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{pairs:?}: {other:?}"),
            }
        }
        assert_eq!(
            from(&[
                ("ai", "generated"),
                ("reviewed_by", "A"),
                ("not_reviewed", "1")
            ]),
            Err(RequestError::Conflict("reviewed_by", "not_reviewed"))
        );
        // Names that are not the request's (an upload's parts) are left alone.
        assert!(from(&[("ai", "generated"), ("file", "x")]).is_ok());
    }

    #[test]
    fn serde_round_trips_through_the_words() {
        let r = from(&[
            ("ai", "edited"),
            ("profile", "eu"),
            ("notice_lang", "kk,zh"),
        ])
        .unwrap();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["profile"], "eu");
        assert_eq!(json["notice_lang"], serde_json::json!(["kk", "zh"]));
        let back: LabelRequest = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
        let min: LabelRequest = serde_json::from_str(r#"{"ai":"generated"}"#).unwrap();
        assert_eq!(min, LabelRequest::new(AiInvolvement::Generated));
    }
}
