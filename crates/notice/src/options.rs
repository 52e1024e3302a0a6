//! The perceivable notice: the second layer the laws ask for beside the
//! machine-readable label (Kazakhstan AI Law art. 21 p.2, GB 45438 explicit
//! labels, the EU Code of Practice's visible mark).
//!
//! This module holds the options and the record of what was applied; the
//! record goes into the manifest as [`NOTICE_LABEL`] so a distributor can
//! check the notice without looking at the content.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{wording, Lang, MediaFormat, Wording};

/// Version of the [`AppliedNotice`] record's schema.
pub const NOTICE_SCHEMA: u32 = 1;

/// What kind of notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NoticeStyle {
    /// Text on the image in a box.
    Badge,
    /// The EU-style "AI" mark on the image.
    AiIcon,
    /// GB 45438's short-long-short-short tone ("AI" in Morse).
    Tone,
    /// A spoken notice.
    Voice,
    /// A line of text at the start or end of a text.
    Line,
}

impl NoticeStyle {
    /// The command-line word.
    pub fn word(self) -> &'static str {
        match self {
            Self::Badge => "badge",
            Self::AiIcon => "ai-icon",
            Self::Tone => "tone",
            Self::Voice => "voice",
            Self::Line => "line",
        }
    }

    /// The default style for a format: audio gets the spoken notice, which
    /// says what the tone only signals to those who know GB 45438.
    pub fn default_for(format: MediaFormat) -> Self {
        if format.is_text() {
            Self::Line
        } else if format.is_image() || is_video(format) {
            Self::Badge
        } else {
            Self::Voice
        }
    }

    /// Whether tamga can apply this style to `format` yet.
    pub fn supported_for(self, format: MediaFormat) -> bool {
        match self {
            Self::Line => format.is_text(),
            Self::Badge | Self::AiIcon => crate::images::supported(format) || is_video(format),
            // A video's sound takes them too (mixed in, video/sound.rs).
            Self::Tone | Self::Voice => crate::audio::supported(format) || is_video(format),
        }
    }
}

impl fmt::Display for NoticeStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl FromStr for NoticeStyle {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::Badge,
            Self::AiIcon,
            Self::Tone,
            Self::Voice,
            Self::Line,
        ]
        .into_iter()
        .find(|st| st.word() == s)
        .ok_or_else(|| format!("unknown notice style {s:?} (badge, ai-icon, tone, voice, line)"))
    }
}

/// Where the notice goes: start/end for texts and audio, a corner for images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NoticePosition {
    /// Before the content (texts, audio): seen or heard first.
    Start,
    /// After the content.
    End,
    /// Both before and after.
    Both,
    /// Image corner.
    TopLeft,
    /// Image corner (the EU Code of Practice's suggestion).
    TopRight,
    /// Image corner.
    BottomLeft,
    /// Image corner (tamga's default for images).
    BottomRight,
}

impl NoticePosition {
    /// The command-line word.
    pub fn word(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::End => "end",
            Self::Both => "both",
            Self::TopLeft => "top-left",
            Self::TopRight => "top-right",
            Self::BottomLeft => "bottom-left",
            Self::BottomRight => "bottom-right",
        }
    }

    /// The default position for a format: the first thing a reader sees or
    /// a listener hears (EU art. 50(5) "at first exposure"); a corner for
    /// images; for video the top right, where the EU Code of Practice
    /// suggests the mark (GB 45438 allows any place on the opening frames).
    pub fn default_for(format: MediaFormat) -> Self {
        if is_video(format) {
            Self::TopRight
        } else if format.is_image() {
            Self::BottomRight
        } else {
            Self::Start
        }
    }

    fn is_corner(self) -> bool {
        !matches!(self, Self::Start | Self::End | Self::Both)
    }
}

impl FromStr for NoticePosition {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::Start,
            Self::End,
            Self::Both,
            Self::TopLeft,
            Self::TopRight,
            Self::BottomLeft,
            Self::BottomRight,
        ]
        .into_iter()
        .find(|p| p.word() == s)
        .ok_or_else(|| {
            format!(
                "unknown notice position {s:?} (start, end, both, top-left, top-right, \
                 bottom-left, bottom-right)"
            )
        })
    }
}

/// Whether `format` is moving pictures (a badge goes on its frames).
fn is_video(format: MediaFormat) -> bool {
    format.family() == tamga_media::Family::Video
}

/// How long a video's badge stays on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum NoticeSpan {
    /// The opening milliseconds (GB 45438 asks for at least 2 s).
    Opening(u32),
    /// Every frame (the EU Code of Practice's advice for deep fakes).
    Whole,
}

impl Default for NoticeSpan {
    /// The first 2 seconds, GB 45438's least.
    fn default() -> Self {
        Self::Opening(2000)
    }
}

impl NoticeSpan {
    /// The opening span in seconds; `None` for the whole video.
    pub fn seconds(self) -> Option<f64> {
        match self {
            Self::Opening(ms) => Some(f64::from(ms) / 1000.0),
            Self::Whole => None,
        }
    }
}

impl FromStr for NoticeSpan {
    type Err = String;
    /// "whole", or seconds: "2", "2.5", "3s".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "whole" {
            return Ok(Self::Whole);
        }
        let n = s.strip_suffix('s').unwrap_or(s);
        match n.parse::<f64>() {
            // Whole milliseconds, up to a day: a longer span is the whole.
            Ok(v) if v.is_finite() && v >= 0.001 => {
                Ok(Self::Opening((v * 1000.0).round().min(86_400_000.0) as u32))
            }
            _ => Err(format!(
                "a notice span is \"whole\" or seconds above 0, such as 2 or 2.5s, not {s:?}"
            )),
        }
    }
}

impl TryFrom<String> for NoticeSpan {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<NoticeSpan> for String {
    fn from(span: NoticeSpan) -> Self {
        span.to_string()
    }
}

impl fmt::Display for NoticeSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Opening(ms) => write!(f, "{}s", f64::from(*ms) / 1000.0),
            Self::Whole => f.write_str("whole"),
        }
    }
}

/// What perceivable notice to add; `None` fields take the format's default.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NoticeOptions {
    /// The kind of notice.
    pub style: Option<NoticeStyle>,
    /// The languages, in order.
    pub langs: Vec<Lang>,
    /// Where it goes.
    pub position: Option<NoticePosition>,
    /// How long a video's badge stays on screen.
    pub span: NoticeSpan,
    /// The programs and libraries some notices need (ffmpeg, cjxl,
    /// libheif), as the caller found them.
    pub tools: crate::Tools,
}

impl Default for NoticeOptions {
    /// Kazakh, Russian and English, the format's default style and place.
    fn default() -> Self {
        Self {
            style: None,
            langs: vec![Lang::Kk, Lang::Ru, Lang::En],
            position: None,
            span: NoticeSpan::default(),
            tools: crate::Tools::default(),
        }
    }
}

impl NoticeOptions {
    /// The style and position for `format`, or why they do not fit it.
    pub fn resolve(
        &self,
        format: MediaFormat,
    ) -> Result<(NoticeStyle, NoticePosition), crate::NoticeError> {
        let style = self.style.unwrap_or(NoticeStyle::default_for(format));
        let position = self.position.unwrap_or(NoticePosition::default_for(format));
        if !style.supported_for(format) {
            return Err(crate::NoticeError::StyleNotFor { style, format });
        }
        // A badge goes in a corner; a sound at the start or end, also in a
        // video's soundtrack.
        let sound = matches!(style, NoticeStyle::Tone | NoticeStyle::Voice);
        let position = match self.position {
            None if sound && is_video(format) => NoticePosition::Start,
            _ => position,
        };
        let visual = !sound && (format.is_image() || is_video(format));
        if position.is_corner() != visual {
            return Err(crate::NoticeError::PositionNotFor { position, format });
        }
        if self.langs.is_empty() {
            return Err(crate::NoticeError::NoLanguage);
        }
        Ok((style, position))
    }

    /// What a badge may say, best first: every language on one line, then
    /// one line per language, then the bare "AI" mark for images too small
    /// for words. The short wording is used, as space on a badge is tight.
    pub fn badge_candidates(&self, ai: Wording, style: NoticeStyle) -> Vec<Vec<String>> {
        let ai_mark = vec!["AI".to_string()];
        if style == NoticeStyle::AiIcon {
            return vec![ai_mark];
        }
        let short: Vec<String> = self
            .langs
            .iter()
            .map(|l| wording::wording(ai, *l, wording::Length::Short).to_string())
            .collect();
        vec![vec![short.join(" · ")], short, ai_mark]
    }

    /// The notice's words: each language's wording joined with " · ".
    pub fn words(&self, ai: Wording, length: wording::Length) -> String {
        self.langs
            .iter()
            .map(|l| wording::wording(ai, *l, length))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// The record of an applied notice (kept in the label, so a distributor
/// can check the notice without looking at the content).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AppliedNotice {
    /// Schema version ([`NOTICE_SCHEMA`]).
    pub schema: u32,
    /// The kind.
    pub style: NoticeStyle,
    /// Language tags, in the order shown.
    pub languages: Vec<String>,
    /// Where it is.
    pub position: NoticePosition,
    /// The words shown or spoken.
    pub text: String,
    /// Text height as a share of the image's shorter side (images).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_share: Option<f64>,
    /// Length of the notice in seconds (audio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    /// Seconds from the start a video's badge is on screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span_seconds: Option<f64>,
    /// Whether every frame of a video carries the badge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whole_video: Option<bool>,
}

impl AppliedNotice {
    /// A record for a notice of `style` at `position` with `text`.
    pub fn new(style: NoticeStyle, position: NoticePosition, langs: &[Lang], text: String) -> Self {
        Self {
            schema: NOTICE_SCHEMA,
            style,
            languages: langs.iter().map(|l| l.tag().to_string()).collect(),
            position,
            text,
            size_share: None,
            duration_seconds: None,
            span_seconds: None,
            whole_video: None,
        }
    }

    /// One line for people: "line at start (kk, ru, en)", "tone at start (1.4 s)".
    pub fn summary(&self) -> String {
        let detail = match (&self.languages[..], self.duration_seconds) {
            ([], Some(s)) => format!("{s:.1} s"),
            ([], None) => self.text.clone(),
            (langs, _) => langs.join(", "),
        };
        format!("{} at {} ({detail})", self.style, self.position.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_formats_take_voice_by_default_or_tone_and_others_say_why_not() {
        for format in [
            MediaFormat::Wav,
            MediaFormat::Flac,
            MediaFormat::Mp3,
            MediaFormat::M4a,
        ] {
            assert_eq!(NoticeStyle::default_for(format), NoticeStyle::Voice);
            assert!(NoticeStyle::Voice.supported_for(format), "{format}");
            assert!(NoticeStyle::Tone.supported_for(format), "{format}");
            assert!(!NoticeStyle::Badge.supported_for(format), "{format}");
            let (style, position) = NoticeOptions::default().resolve(format).unwrap();
            assert_eq!(
                (style, position),
                (NoticeStyle::Voice, NoticePosition::Start)
            );
        }
        for format in [MediaFormat::Ogg, MediaFormat::Aac] {
            assert!(!NoticeStyle::Voice.supported_for(format), "{format}");
            assert!(!NoticeStyle::Tone.supported_for(format), "{format}");
        }
        let err = NoticeOptions::default()
            .resolve(MediaFormat::Ogg)
            .unwrap_err()
            .to_string();
        assert!(err.contains("MP3 and M4A take"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }
}
