//! Disclosure cards for consumers (Kazakhstan's Consumer Protection Law
//! art. 27 p.6: the seller tells the consumer, in the accompanying
//! documents, on the packaging or labels, that goods or services contain AI
//! components, with the possible risks and conditions of safe use).
//!
//! A card is made from a verified label: that AI was used and how
//! (generated, edited, composite), by which system, for whom, when, whether
//! a person reviewed it; the seller's own risk and safe-use lines
//! ([`Risks`]); a QR code and link to where the label can be verified; and
//! schema.org JSON-LD with the IPTC `digitalSourceType`, so search engines
//! read the same fact. A file whose label is invalid gets no card; an
//! unlabelled one only with the facts declared by the seller.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod html;
mod png;
mod risks;
mod svg;
mod words;

use serde::Serialize;
use tamga_label::{AiInvolvement, FileReport, Verdict};

pub use risks::{RiskLines, Risks};
pub use words::Lang;

/// Why no card could be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscloseError {
    /// The file's label is broken: a card would vouch for a changed file.
    #[error("{path}: no card for a file whose label is invalid ({reason})")]
    Invalid {
        /// The file.
        path: String,
        /// Why the label is invalid.
        reason: String,
    },
    /// The file has no label saying AI was involved, and nothing was declared.
    #[error("{path}: no label says how AI was involved; declare the facts to make a card")]
    Undeclared {
        /// The file.
        path: String,
    },
    /// The risks file is not what the card needs.
    #[error("{origin}:{}:{}: {message}", at.0, at.1)]
    Risks {
        /// The file.
        origin: String,
        /// Line and column.
        at: (usize, usize),
        /// What is wrong.
        message: String,
    },
    /// The QR code cannot hold the link.
    #[error("the verify link is too long for a QR code")]
    LinkTooLong,
    /// The PNG label's text cannot be set: a character its bundled font
    /// lacks (a wording outside the font's coverage: never drawn as a gap).
    #[error("cannot set the PNG label's text")]
    Text(#[source] tamga_notice::images::badge::BadgeError),
    /// The PNG encoder failed.
    #[error("cannot encode the PNG label")]
    Png(#[source] ::png::EncodingError),
}

/// The facts a seller declares for content without a label.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    /// How AI was involved.
    pub ai: Option<AiInvolvement>,
    /// The AI system.
    pub system: Option<String>,
    /// On whose behalf.
    pub organisation: Option<String>,
    /// Whether a person reviewed it.
    pub reviewed: Option<bool>,
}

/// What a card says.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// The file's name.
    pub title: String,
    /// How AI was involved.
    pub ai: AiInvolvement,
    /// The IPTC digital source type URI.
    pub digital_source_type: String,
    /// The AI system, with its version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// On whose behalf.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// When it was signed (RFC 3339), if the label says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Whether a person reviewed it, if the label says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<bool>,
    /// Whether the facts come from a verified label (or were declared).
    pub verified: bool,
    /// Where the label can be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify_url: Option<String>,
}

impl Card {
    /// The card for `report`; `declared` fills in what an unlabelled file's
    /// seller states. A file whose label is invalid gets none.
    pub fn from_report(
        report: &FileReport,
        declared: Option<&Declared>,
        verify_url: Option<&str>,
    ) -> Result<Self, DiscloseError> {
        let path = report.path.display().to_string();
        let title = report
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.clone());
        if report.verdict == Verdict::Invalid {
            return Err(DiscloseError::Invalid {
                path,
                reason: report.reason.clone(),
            });
        }
        let found = report.disclosure.as_ref().filter(|d| d.ai.is_some());
        let (ai, verified) = match (found.and_then(|d| d.ai), declared.and_then(|d| d.ai)) {
            (Some(ai), _) => (ai, true),
            (None, Some(ai)) => (ai, false),
            (None, None) => return Err(DiscloseError::Undeclared { path }),
        };
        let system = found
            .and_then(|d| d.generator.as_ref())
            .map(|g| match &g.version {
                Some(v) => format!("{} {v}", g.name),
                None => g.name.clone(),
            })
            .or_else(|| declared.and_then(|d| d.system.clone()));
        Ok(Self {
            title,
            ai,
            digital_source_type: ai.iptc_uri(),
            system,
            organisation: found
                .and_then(|d| d.organisation.clone())
                .or_else(|| report.signer.as_ref().and_then(|s| s.organisation.clone()))
                .or_else(|| declared.and_then(|d| d.organisation.clone())),
            when: report.signer.as_ref().and_then(|s| s.time.clone()),
            reviewed: found
                .and_then(|d| d.human_review.as_ref())
                .map(|h| h.reviewed)
                .or_else(|| declared.and_then(|d| d.reviewed)),
            verified,
            verify_url: verify_url.map(str::to_string),
        })
    }

    /// schema.org JSON-LD: a CreativeWork with its `digitalSourceType`.
    pub fn json_ld(&self) -> serde_json::Value {
        let mut doc = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "CreativeWork",
            "name": self.title,
            "digitalSourceType": self.digital_source_type,
        });
        if let Some(s) = &self.system {
            doc["creator"] = serde_json::json!({ "@type": "SoftwareApplication", "name": s });
        }
        if let Some(o) = &self.organisation {
            doc["publisher"] = serde_json::json!({ "@type": "Organization", "name": o });
        }
        if let Some(u) = &self.verify_url {
            doc["url"] = serde_json::json!(u);
        }
        doc
    }

    /// The lines a card shows in `lang`: (label, value).
    pub(crate) fn lines(&self, lang: Lang) -> Vec<(&'static str, String)> {
        let w = words::words(lang);
        let mut lines = vec![(w.how, words::involvement(lang, self.ai).to_string())];
        if let Some(s) = &self.system {
            lines.push((w.system, s.clone()));
        }
        if let Some(o) = &self.organisation {
            lines.push((w.for_whom, o.clone()));
        }
        if let Some(t) = &self.when {
            lines.push((w.when, t.chars().take(10).collect()));
        }
        let reviewed = match self.reviewed {
            Some(true) => w.yes,
            Some(false) => w.no,
            None => w.unknown,
        };
        lines.push((w.reviewed, reviewed.to_string()));
        lines
    }
}

/// How a card is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A page to print or put beside a product.
    Html,
    /// Markdown, for documentation.
    Markdown,
    /// The card's facts, for a shop's own templates.
    Json,
    /// A label for packaging, with the QR code.
    Svg,
    /// The same label as a 600 dpi raster, for printers and tools that
    /// take pictures.
    Png,
}

impl Format {
    /// The format named `name` (`html`, `md`, `json`, `svg`, `png`).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "html" => Self::Html,
            "md" | "markdown" => Self::Markdown,
            "json" => Self::Json,
            "svg" => Self::Svg,
            "png" => Self::Png,
            _ => return None,
        })
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Markdown => "md",
            Self::Json => "json",
            Self::Svg => "svg",
            Self::Png => "png",
        }
    }
}

/// `card` written as `format` in `langs`, with `risks`: the file's bytes
/// (UTF-8 text, or a PNG picture).
pub fn render(
    card: &Card,
    format: Format,
    langs: &[Lang],
    risks: &Risks,
) -> Result<Vec<u8>, DiscloseError> {
    Ok(match format {
        Format::Html => html::page(card, langs, risks)?.into_bytes(),
        Format::Svg => svg::label(card, langs)?.into_bytes(),
        Format::Png => png::label(card, langs)?,
        Format::Json => {
            let mut doc = serde_json::to_value(card).unwrap_or_default();
            doc["schema"] = serde_json::json!("tamga.disclose/1");
            doc["jsonLd"] = card.json_ld();
            let mut per_lang = serde_json::Map::new();
            for &lang in langs {
                let r = risks.get(lang).cloned().unwrap_or_default();
                per_lang.insert(
                    lang.tag().into(),
                    serde_json::json!({
                        "title": words::words(lang).title,
                        "lines": card.lines(lang),
                        "risks": r.risks,
                        "safeUse": r.safe_use,
                    }),
                );
            }
            doc["text"] = serde_json::Value::Object(per_lang);
            serde_json::to_string_pretty(&doc)
                .unwrap_or_default()
                .into_bytes()
        }
        Format::Markdown => {
            let mut md = String::new();
            for &lang in langs {
                let w = words::words(lang);
                md.push_str(&format!("## {} — {}\n\n", w.title, card.title));
                if !card.verified {
                    md.push_str(&format!("*{}*\n\n", w.declared));
                }
                for (k, v) in card.lines(lang) {
                    md.push_str(&format!("- **{k}:** {v}\n"));
                }
                if let Some(r) = risks.get(lang) {
                    for (head, items) in [(w.risks, &r.risks), (w.safe_use, &r.safe_use)] {
                        if !items.is_empty() {
                            md.push_str(&format!("\n**{head}:**\n\n"));
                            for i in items {
                                md.push_str(&format!("- {i}\n"));
                            }
                        }
                    }
                }
                if let Some(u) = &card.verify_url {
                    md.push_str(&format!("\n{}: <{u}>\n", w.verify));
                }
                md.push('\n');
            }
            md.into_bytes()
        }
    })
}

/// The QR code for `url`, as SVG elements in a `size`-unit square at
/// (`x`, `y`).
pub(crate) fn qr_svg(url: &str) -> Result<String, DiscloseError> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|_| DiscloseError::LinkTooLong)?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(160, 160)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// `s` escaped for HTML and XML text and attributes.
pub(crate) fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}
