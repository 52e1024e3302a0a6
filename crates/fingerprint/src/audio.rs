//! The Audio-Code: Chromaprint's raw features of the whole recording, as
//! the ISCC reference takes them from `fpcalc -raw -signed -length 0`, then
//! iscc-lib's SimHash stages over them.
//!
//! Chromaprint's default algorithm (`fpcalc`'s, "test2") is used, and the
//! whole recording, not `fpcalc`'s default first two minutes. Chromaprint
//! mixes to mono and resamples to 11025 Hz itself, so samples go in at the
//! file's own rate and channels. The audio is decoded a packet at a time:
//! a day of audio needs the memory of a packet plus its features (about
//! eight 32-bit values a second).

use symphonia::core::{
    audio::SampleBuffer,
    codecs::{DecoderOptions, CODEC_TYPE_NULL},
    errors::Error,
    formats::FormatOptions,
    io::{MediaSource, MediaSourceStream},
    meta::MetadataOptions,
    probe::Hint,
};
use tamga_media::DecodeLimits;

use crate::{ContentCode, ContentKind, FingerprintError};

fn bad(e: Error) -> FingerprintError {
    FingerprintError::decode(ContentKind::Audio)(e.into())
}

/// Decodes the first audio track of `source` (`ext` hints the container:
/// "wav", "mp3", "flac", "m4a", "aac") and returns Chromaprint's raw
/// features, the values `fpcalc -raw -signed` prints.
pub fn chromaprint(
    source: Box<dyn MediaSource>,
    ext: &str,
    limits: &DecodeLimits,
) -> Result<Vec<i32>, FingerprintError> {
    let mss = MediaSourceStream::new(source, Default::default());
    let mut hint = Hint::new();
    hint.with_extension(ext);
    // Gapless: the encoder's delay and padding are not content, and an MP3
    // re-encode must not shift the features.
    let options = FormatOptions {
        enable_gapless: true,
        ..Default::default()
    };
    let mut reader = symphonia::default::get_probe()
        .format(&hint, mss, &options, &MetadataOptions::default())
        .map_err(bad)?
        .format;
    let track = reader
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or(FingerprintError::Empty {
            kind: ContentKind::Audio,
            what: "no audio track",
        })?;
    let params = track.codec_params.clone();
    let track_id = track.id;
    // The length a header declares is checked before anything is decoded,
    // and the counted length again while decoding (headers can lie).
    if let (Some(n), Some(rate)) = (params.n_frames, params.sample_rate) {
        limits.check_audio(n, rate)?;
    }
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(bad)?;
    let config = rusty_chromaprint::Configuration::preset_test2();
    let mut printer = rusty_chromaprint::Fingerprinter::new(&config);
    let mut format: Option<(u32, usize)> = None;
    let mut frames = 0u64;
    let mut buf: Option<SampleBuffer<i16>> = None;
    loop {
        let packet = match reader.next_packet() {
            Ok(p) => p,
            Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(bad(e)),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            // One corrupt packet is skipped, as fpcalc's decoder does.
            Err(Error::DecodeError(_)) => continue,
            Err(e) => return Err(bad(e)),
        };
        let spec = *decoded.spec();
        let channels = spec.channels.count();
        match format {
            None => {
                printer.start(spec.rate, channels as u32).map_err(|e| {
                    FingerprintError::decode(ContentKind::Audio)(e.to_string().into())
                })?;
                format = Some((spec.rate, channels));
            }
            Some(f) if f != (spec.rate, channels) => {
                return Err(FingerprintError::decode(ContentKind::Audio)(
                    "the audio changes its sample rate or channels midway".into(),
                ))
            }
            Some(_) => {}
        }
        frames += decoded.frames() as u64;
        limits.check_audio(frames, spec.rate)?;
        let need = decoded.capacity() as u64;
        if buf
            .as_ref()
            .is_none_or(|b| (b.capacity() as u64) < need * channels as u64)
        {
            buf = Some(SampleBuffer::new(need, spec));
        }
        if let Some(b) = buf.as_mut() {
            b.copy_interleaved_ref(decoded);
            printer.consume(b.samples());
        }
    }
    if format.is_none() || frames == 0 {
        return Err(FingerprintError::Empty {
            kind: ContentKind::Audio,
            what: "no samples",
        });
    }
    printer.finish();
    // Chromaprint's features are 32-bit patterns; the reference reads them
    // as signed (`-signed`), and the SimHash works on their bytes.
    Ok(printer
        .fingerprint()
        .iter()
        .map(|&v| i32::from_ne_bytes(v.to_ne_bytes()))
        .collect())
}

/// The Audio-Code of a recording (see [`chromaprint`] for the arguments).
pub fn audio(
    source: Box<dyn MediaSource>,
    ext: &str,
    limits: &DecodeLimits,
) -> Result<ContentCode, FingerprintError> {
    let features = chromaprint(source, ext, limits)?;
    let code = audio_code(&features)?;
    Ok(ContentCode {
        confirm: Some(
            features
                .iter()
                .take(CONFIRM_FEATURES)
                .flat_map(|f| f.to_be_bytes())
                .collect(),
        ),
        ..code
    })
}

/// How many Chromaprint frames a label keeps to confirm audio matches
/// with: about two minutes (4 KB), enough to tell recordings apart and
/// small enough to store with every label.
pub const CONFIRM_FEATURES: usize = 1024;

/// The Audio-Code of Chromaprint features computed elsewhere.
pub fn audio_code(features: &[i32]) -> Result<ContentCode, FingerprintError> {
    if features.is_empty() {
        // Too short for one Chromaprint frame: every such clip would get
        // the same code, which would match every other.
        return Err(FingerprintError::Empty {
            kind: ContentKind::Audio,
            what: "too short for a fingerprint",
        });
    }
    let unit = iscc_lib::gen_audio_code_v0(features, 64)?;
    ContentCode::from_unit(ContentKind::Audio, unit.iscc, is_steady(features))
}

/// Whether a recording's Chromaprint features mostly repeat: a steady
/// tone, hum or noise, whose chroma is the same frame after frame. Such
/// recordings share codes with any other of the same pitch classes (the
/// measurement in `docs/fingerprints.md` found them at distance 0 from
/// unrelated ones), so they are flagged featureless. Music and speech
/// change from frame to frame: nearly all their features are distinct.
pub fn is_steady(features: &[i32]) -> bool {
    let mut distinct = features.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() * 2 < features.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAV of `seconds` of a chord whose pitch depends on `seed`.
    pub(crate) fn wav(seconds: u32, rate: u32, seed: u32) -> Vec<u8> {
        let n = seconds * rate;
        let mut out = Vec::new();
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&(36 + n * 2).to_le_bytes());
        out.extend_from_slice(b"WAVEfmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&rate.to_le_bytes());
        out.extend_from_slice(&(rate * 2).to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&16u16.to_le_bytes());
        out.extend_from_slice(b"data");
        out.extend_from_slice(&(n * 2).to_le_bytes());
        for i in 0..n {
            let t = f64::from(i) / f64::from(rate);
            // A melody: the note changes every quarter second.
            let note = ((t * 4.0) as u32).wrapping_mul(seed.wrapping_add(7)) % 24;
            let f = 220.0 * 2f64.powf(f64::from(note) / 12.0);
            let v = (t * f * std::f64::consts::TAU).sin() * 0.5
                + (t * f * 1.5 * std::f64::consts::TAU).sin() * 0.25;
            out.extend_from_slice(&((v * 12_000.0) as i16).to_le_bytes());
        }
        out
    }

    fn code(bytes: Vec<u8>, limits: &DecodeLimits) -> Result<ContentCode, FingerprintError> {
        audio(Box::new(std::io::Cursor::new(bytes)), "wav", limits)
    }

    #[test]
    fn the_same_melody_at_another_rate_keeps_its_code_and_another_does_not() {
        let limits = DecodeLimits::default();
        let a = code(wav(8, 44_100, 1), &limits).unwrap();
        let b = code(wav(8, 22_050, 1), &limits).unwrap();
        let c = code(wav(8, 44_100, 2), &limits).unwrap();
        assert_eq!(a.kind, ContentKind::Audio);
        assert!(a.iscc.starts_with("ISCC:EI"), "{}", a.iscc);
        let near = crate::hamming(a.bits, b.bits);
        let far = crate::hamming(a.bits, c.bits);
        assert!(near < far, "resampled {near}, other melody {far}");
    }

    #[test]
    fn a_steady_tone_is_featureless_and_a_melody_is_not() {
        let limits = DecodeLimits::default();
        assert!(!code(wav(8, 44_100, 1), &limits).unwrap().featureless);
        // Seed 17: the note index is a multiple of 24, one note throughout.
        assert!(code(wav(8, 44_100, 17), &limits).unwrap().featureless);
    }

    #[test]
    fn the_length_is_checked_against_the_limit() {
        let mut limits = DecodeLimits::default();
        limits.max_audio_seconds = 2;
        let e = code(wav(3, 8_000, 1), &limits).unwrap_err();
        assert!(matches!(e, FingerprintError::LimitExceeded(_)), "{e:?}");
    }

    #[test]
    fn a_resampled_copy_is_confirmed_and_another_melody_is_not() {
        let limits = DecodeLimits::default();
        let a = code(wav(8, 44_100, 1), &limits).unwrap();
        let b = code(wav(8, 22_050, 1), &limits).unwrap();
        let c = code(wav(8, 44_100, 2), &limits).unwrap();
        let stored = a.confirm.clone().expect("audio has confirmation data");
        assert_eq!(stored.len() % 4, 0);
        assert!(b.confirms(&stored), "the same melody resampled");
        assert!(!c.confirms(&stored), "another melody");
        // A clip of a few seconds (fewer frames than the usual overlap)
        // is compared whole.
        let short = code(wav(4, 44_100, 1), &limits).unwrap();
        let short_resampled = code(wav(4, 22_050, 1), &limits).unwrap();
        let frames = short.confirm.as_ref().unwrap().len() / 4;
        assert!(frames < 16, "{frames} frames");
        assert!(short_resampled.confirms(short.confirm.as_ref().unwrap()));
        // A text code has nothing to confirm with: its match stands.
        assert!(crate::text("some words here and there").confirms(&stored));
    }

    #[test]
    fn garbage_is_an_error_value() {
        let e = code(
            b"RIFF\x10\0\0\0WAVEjunkjunk".to_vec(),
            &DecodeLimits::default(),
        );
        assert!(e.unwrap_err().is_bad_input());
        assert!(matches!(
            audio_code(&[]),
            Err(FingerprintError::Empty { .. })
        ));
    }
}
