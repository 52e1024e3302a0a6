//! tamga's invisible watermark in a label: choosing the payload, putting
//! the mark into an image's pixels (after the notice, before signing, so
//! the signature covers the marked pixels) and recording it in the
//! manifest as a `c2pa.watermarked` action and a `c2pa.soft-binding`
//! assertion under tamga's own algorithm identifier.
//!
//! The payload is 48 bits: a 4-bit scheme version (1) and 44 random bits.
//! It carries no meaning of its own; the registry maps it to the label,
//! so a copy that lost its label (a screenshot, a re-encode) can be traced
//! back to it.

use serde::Serialize;
use tamga_notice::audio::ContentEdit;
use tamga_watermark::{
    audio_mark::AudioEmbedder,
    tamga_mark::{self, EmbedError, EmbedReport, MarkKey},
    AudioPayload,
};

use crate::MediaFormat;

/// tamga's soft-binding algorithm identifier for its image watermark. It is
/// not (yet) in C2PA's soft-binding algorithm list; readers that do not
/// know it skip the assertion.
pub const IMAGE_MARK_ALG: &str = "org.tamga.image-mark.1";

/// tamga's soft-binding algorithm identifier for its audio watermark (not
/// in C2PA's list either).
pub const AUDIO_MARK_ALG: &str = "org.tamga.audio-mark.1";

/// How much of a recording a watermark search reads: the mark repeats
/// every 3.84 s and any 10 s carry it (docs/watermark-audio.md), so a
/// minute averages ~15 repetitions, and an hour-long file costs no more to
/// search than a minute.
pub const AUDIO_SEARCH_SECONDS: u32 = 60;

/// The registry's kind for watermark payloads.
pub const WATERMARK_KIND: &str = "watermark";

/// Payload scheme version, in the top 4 of the 48 bits.
const PAYLOAD_VERSION: u64 = 1;

/// When labels get the invisible watermark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum WatermarkMode {
    /// No watermark.
    #[default]
    Off,
    /// Every file whose format can carry one (a profile's default); the
    /// others are labelled without, silently.
    WherePossible,
    /// Asked for: a file that cannot carry one is labelled with a warning
    /// that says why.
    Asked,
}

/// The watermark a label put into its content.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AppliedWatermark {
    /// The soft-binding algorithm: [`IMAGE_MARK_ALG`] or [`AUDIO_MARK_ALG`].
    pub alg: &'static str,
    /// The payload (48 bits in images, 32 in audio); JSON shows it in
    /// hexadecimal ([`AppliedWatermark::payload_hex`]).
    pub payload: u64,
    /// Images: PSNR of the marked pixels against the unmarked ones, dB.
    pub psnr_db: Option<f64>,
    /// Audio: the content's power over the mark's, dB.
    pub snr_db: Option<f64>,
}

impl Serialize for AppliedWatermark {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("alg", self.alg)?;
        m.serialize_entry("payload", &self.payload_hex())?;
        if let Some(p) = self.psnr_db {
            m.serialize_entry("psnr_db", &p)?;
        }
        if let Some(snr) = self.snr_db {
            m.serialize_entry("snr_db", &snr)?;
        }
        m.end()
    }
}

impl AppliedWatermark {
    /// The payload as the registry and the soft-binding assertion hold it:
    /// six bytes (image) or four (audio), most significant first.
    pub fn payload_bytes(&self) -> Vec<u8> {
        if self.alg == AUDIO_MARK_ALG {
            (self.payload as u32).to_be_bytes().to_vec()
        } else {
            payload_bytes(self.payload)
        }
    }

    /// The payload in hexadecimal, as reports show it.
    pub fn payload_hex(&self) -> String {
        if self.alg == AUDIO_MARK_ALG {
            format!("{:08x}", self.payload)
        } else {
            format!("{:012x}", self.payload)
        }
    }
}

/// One recording's marking: a fresh 32-bit payload, embedded into the
/// content as the notice's writer streams it (WAV spliced, FLAC, MP3 and
/// M4A re-encoded in the same pass as any notice), and what came of it.
pub(crate) struct AudioMarking {
    payload: u32,
    embedder: Option<AudioEmbedder>,
    /// Why the content went unmarked, once the writer asked.
    declined: Option<String>,
}

impl AudioMarking {
    /// A marking with a fresh payload (never zero).
    pub(crate) fn new() -> Self {
        Self {
            payload: (uuid::Uuid::new_v4().as_u128() as u32).max(1),
            embedder: None,
            declined: None,
        }
    }

    /// What was applied, or the reason nothing was.
    pub(crate) fn applied(&self) -> Result<AppliedWatermark, String> {
        match (&self.embedder, &self.declined) {
            (Some(embedder), _) => Ok(AppliedWatermark {
                alg: AUDIO_MARK_ALG,
                payload: u64::from(self.payload),
                psnr_db: None,
                snr_db: embedder.snr_db().map(|s| (s * 10.0).round() / 10.0),
            }),
            (None, Some(why)) => Err(format!("no invisible watermark: {why}")),
            (None, None) => Err("no invisible watermark: the audio was not reached".into()),
        }
    }
}

impl ContentEdit for AudioMarking {
    fn start(&mut self, rate: u32, channels: usize) -> bool {
        // Marking costs more than the re-encode the budget counts on.
        tamga_media::watchdog::allow_audio_rate(
            tamga_media::time_budget::MARKED_AUDIO_SECONDS_PER_SECOND,
        );
        match AudioEmbedder::new(rate, channels, AudioPayload(self.payload)) {
            Ok(embedder) => self.embedder = Some(embedder),
            Err(e) => self.declined = Some(e.to_string()),
        }
        self.embedder.is_some()
    }

    fn push(&mut self, samples: &[f32]) -> Vec<f32> {
        match &mut self.embedder {
            Some(embedder) => embedder.push(samples),
            None => samples.to_vec(),
        }
    }

    fn finish(&mut self) -> Vec<f32> {
        self.embedder
            .as_mut()
            .map(AudioEmbedder::finish)
            .unwrap_or_default()
    }
}

/// A payload's six bytes, most significant first.
pub fn payload_bytes(payload: u64) -> Vec<u8> {
    payload.to_be_bytes()[2..].to_vec()
}

/// The payload of tamga's watermark in the image file at `path`, when
/// `format` can carry one and it is there. A file that does not decode
/// (or would pass `limits`) has none to give.
pub fn payload_in_file(
    path: &std::path::Path,
    format: MediaFormat,
    limits: &crate::DecodeLimits,
) -> Option<u64> {
    if !tamga_notice::images::editable(format) {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    tamga_watermark::read_tamga_mark(std::io::BufReader::new(file), limits)
        .ok()
        .flatten()
        .map(|d| d.payload)
}

/// tamga's watermark in the image or recording at `path` (a `format`
/// file), as its algorithm and the payload's bytes as the registry holds
/// them; `None` when there is none, or the file does not decode within
/// `limits`.
pub fn mark_in_file(
    path: &std::path::Path,
    format: MediaFormat,
    limits: &crate::DecodeLimits,
) -> Option<(&'static str, Vec<u8>)> {
    if tamga_notice::audio::supported(format) {
        let file = std::fs::File::open(path).ok()?;
        let found = tamga_watermark::audio_mark::detect_start(
            Box::new(file),
            format.name(),
            limits,
            Some(AUDIO_SEARCH_SECONDS),
        )
        .ok()??;
        return Some((AUDIO_MARK_ALG, found.payload.0.to_be_bytes().to_vec()));
    }
    payload_in_file(path, format, limits).map(|p| (IMAGE_MARK_ALG, payload_bytes(p)))
}

/// A fresh payload: version 1 and 44 random bits from the OS (a v4 UUID's
/// random bits).
pub(crate) fn new_payload() -> u64 {
    let random = uuid::Uuid::new_v4().as_u128() as u64;
    (PAYLOAD_VERSION << 44) | (random & ((1 << 44) - 1))
}

/// One image's marking: the payload, and what embedding it did once the
/// pixels were at hand.
pub(crate) struct Marking {
    pub(crate) payload: u64,
    pub(crate) outcome: Option<Result<EmbedReport, EmbedError>>,
    /// Whether the detector read the payload back from the marked pixels.
    read_back: bool,
}

impl Marking {
    /// A marking for `format`, or `None` when its pixels cannot carry the
    /// mark (with the reason, for a warning).
    pub(crate) fn for_format(format: MediaFormat) -> Result<Self, String> {
        if tamga_notice::images::editable(format) {
            Ok(Self {
                payload: new_payload(),
                outcome: None,
                read_back: false,
            })
        } else {
            Err(format!(
                "no invisible watermark: {} files cannot carry one yet (JPEG, PNG, WebP, TIFF and BMP images and WAV, FLAC, MP3 and M4A audio can)",
                format.name()
            ))
        }
    }

    /// Marks the upright pixels, then reads the mark back from them: a
    /// texture that hides it from the detector (noise-like across the
    /// mark's band, docs/watermark.md) gets no claim of a watermark in
    /// the label, rather than one nobody can ever read.
    pub(crate) fn embed(&mut self, img: &mut image::DynamicImage) {
        let outcome = tamga_mark::embed(img, self.payload, MarkKey::TAMGA);
        self.read_back = outcome.is_ok()
            && tamga_mark::detect(img, MarkKey::TAMGA).is_some_and(|d| d.payload == self.payload);
        self.outcome = Some(outcome);
    }

    /// What was applied, or the reason nothing was.
    pub(crate) fn applied(&self) -> Result<AppliedWatermark, String> {
        match &self.outcome {
            Some(Ok(_)) if !self.read_back => Err(
                "no invisible watermark: the image's texture hides it from the detector (it was \
                 embedded and could not be read back), so the label does not claim one"
                    .into(),
            ),
            Some(Ok(report)) => Ok(AppliedWatermark {
                alg: IMAGE_MARK_ALG,
                payload: self.payload,
                psnr_db: Some((report.psnr_db * 10.0).round() / 10.0),
                snr_db: None,
            }),
            Some(Err(e)) => Err(format!("no invisible watermark: {e}")),
            None => Err("no invisible watermark: the pixels were not reached".into()),
        }
    }
}

/// Records the mark in the manifest: the `c2pa.watermarked` action (the
/// content changed, invisibly) and the soft binding that names it.
pub(crate) fn add_to_manifest(
    builder: &mut c2pa::Builder,
    applied: &AppliedWatermark,
) -> c2pa::Result<()> {
    use base64::Engine;
    let quality = match (applied.psnr_db, applied.snr_db) {
        (Some(p), _) => format!(", PSNR {p:.1} dB"),
        (None, Some(s)) => format!(", SNR {s:.1} dB"),
        (None, None) => String::new(),
    };
    builder.add_action(serde_json::json!({
        "action": "c2pa.watermarked",
        "description": format!(
            "added tamga's invisible watermark (payload {}{quality})",
            applied.payload_hex()
        ),
    }))?;
    let name = if applied.alg == AUDIO_MARK_ALG {
        "tamga inaudible audio watermark"
    } else {
        "tamga invisible image watermark"
    };
    let binding: c2pa::assertions::SoftBinding = serde_json::from_value(serde_json::json!({
        "alg": applied.alg,
        "name": name,
        "blocks": [{
            "scope": {},
            "value": base64::engine::general_purpose::STANDARD.encode(applied.payload_bytes()),
        }],
        "pad": [],
    }))?;
    builder.add_assertion(c2pa::assertions::SoftBinding::LABEL, &binding)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_version_one_and_differ() {
        let (a, b) = (new_payload(), new_payload());
        assert_ne!(a, b);
        assert_eq!(a >> 44, 1);
        assert_eq!(
            payload_bytes(0x1234_5678_9ABC),
            [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC]
        );
    }

    #[test]
    fn only_pixel_formats_take_the_mark() {
        assert!(Marking::for_format(MediaFormat::Jpeg).is_ok());
        let why = Marking::for_format(MediaFormat::Gif).err().unwrap();
        assert!(why.contains("cannot carry"), "{why}");
    }
}
