//! Spoken notices: the short wording of each language, recorded once with
//! espeak-ng (`crates/notice/voices/`, CC0) and embedded, decoded, resampled
//! to the content's rate with a band-limited resampler, leveled to the
//! content's loudness and spread over its channels.

use rubato::{FftFixedIn, Resampler};

use crate::{audio::decode, Lang, NoticeError, Wording};

/// Silence between two languages' clips.
const LANG_GAP_S: f64 = 0.25;
/// Speech peaks are far above its RMS: never scale a clip past this peak
/// (−1 dBFS), even if that leaves it a little quieter than the content.
const MAX_PEAK: f64 = 0.89;

/// The recording of `lang`'s short wording for `ai` (see voices/make.sh).
fn clip(lang: Lang, ai: Wording) -> &'static [u8] {
    use Wording as A;
    macro_rules! voice {
        ($file:literal) => {
            include_bytes!(concat!("../../voices/", $file, ".flac")).as_slice()
        };
    }
    match (lang, ai) {
        (Lang::Kk, A::Edited) => voice!("kk-edited"),
        (Lang::Kk, A::Composite) => voice!("kk-composite"),
        (Lang::Kk, _) => voice!("kk-generated"),
        (Lang::Ru, A::Edited) => voice!("ru-edited"),
        (Lang::Ru, A::Composite) => voice!("ru-composite"),
        (Lang::Ru, _) => voice!("ru-generated"),
        (Lang::En, A::Edited) => voice!("en-edited"),
        (Lang::En, A::Composite) => voice!("en-composite"),
        (Lang::En, _) => voice!("en-generated"),
        // Chinese uses 合成 for both edited and composite content.
        (Lang::Zh, A::Edited | A::Composite) => voice!("zh-edited"),
        (Lang::Zh, _) => voice!("zh-generated"),
    }
}

/// The clips of `langs`, in order with short gaps, at `rate`, interleaved
/// over `channels` (the same speech in each), with RMS `level`.
pub(crate) fn render(
    langs: &[Lang],
    ai: Wording,
    rate: u32,
    channels: usize,
    level: f64,
) -> Result<Vec<f64>, NoticeError> {
    let mut mono = Vec::new();
    for (i, lang) in langs.iter().enumerate() {
        let pcm = decode::decode::<f32>(Box::new(std::io::Cursor::new(clip(*lang, ai))), "flac")?;
        if i > 0 {
            mono.resize(mono.len() + (LANG_GAP_S * f64::from(rate)) as usize, 0.0);
        }
        // The clips are mono; should one ever not be, take its first channel.
        let clip: Vec<f64> = pcm
            .samples
            .iter()
            .step_by(pcm.channels.max(1))
            .map(|&s| f64::from(s))
            .collect();
        mono.extend(resample(&clip, pcm.rate, rate)?);
    }
    let rms = crate::audio::rms(mono.iter().copied());
    let peak = mono.iter().fold(0f64, |m, s| m.max(s.abs()));
    let gain = if rms > 0.0 { level / rms } else { 0.0 };
    let gain = if peak * gain > MAX_PEAK {
        MAX_PEAK / peak
    } else {
        gain
    };
    Ok(mono
        .iter()
        .flat_map(|&s| std::iter::repeat_n(s * gain, channels))
        .collect())
}

/// `input` at `from` Hz resampled to `to` Hz, the same duration: an FFT
/// resampler (exact ratio, for fixed rates), its delay cut off the front.
fn resample(input: &[f64], from: u32, to: u32) -> Result<Vec<f64>, NoticeError> {
    if from == to {
        return Ok(input.to_vec());
    }
    fn err<E: Into<crate::CodecError>>(e: E) -> NoticeError {
        NoticeError::encode("cannot resample the spoken notice")(e)
    }
    let mut r = FftFixedIn::<f64>::new(from as usize, to as usize, 1024, 2, 1).map_err(err)?;
    let want = (input.len() as u64 * u64::from(to)).div_ceil(u64::from(from)) as usize;
    let delay = r.output_delay();
    let mut out = Vec::with_capacity(want + delay);
    let mut rest = input;
    while rest.len() >= r.input_frames_next() {
        let (chunk, more) = rest.split_at(r.input_frames_next());
        out.extend(&r.process(&[chunk], None).map_err(err)?[0]);
        rest = more;
    }
    out.extend(&r.process_partial(Some(&[rest]), None).map_err(err)?[0]);
    while out.len() < want + delay {
        out.extend(&r.process_partial::<&[f64]>(None, None).map_err(err)?[0]);
    }
    Ok(out[delay..delay + want].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clip_decodes_and_is_speech_length() {
        for lang in [Lang::Kk, Lang::Ru, Lang::En, Lang::Zh] {
            for ai in Wording::ALL {
                let v = render(&[lang], ai, 16000, 1, 0.1).unwrap();
                let secs = v.len() as f64 / 16000.0;
                assert!((0.3..3.0).contains(&secs), "{lang} {ai:?}: {secs}");
            }
        }
    }

    #[test]
    fn resampling_keeps_duration_and_a_tone_s_pitch() {
        // 440 Hz at 16 kHz to 44.1 kHz: same length, same zero-crossing rate.
        let tone: Vec<f64> = (0..16000)
            .map(|i| (2.0 * std::f64::consts::PI * 440.0 * f64::from(i) / 16000.0).sin() * 0.5)
            .collect();
        let out = resample(&tone, 16000, 44100).unwrap();
        assert_eq!(out.len(), 44100);
        let crossings = out[1000..43100]
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count();
        // 42100 samples = 0.9546 s of 440 Hz: ~840 crossings.
        assert!((830..=850).contains(&crossings), "{crossings}");
        let rms_in = crate::audio::rms(tone.iter().copied());
        let rms_out = crate::audio::rms(out[1000..43100].iter().copied());
        assert!((rms_in - rms_out).abs() < 0.01, "{rms_in} {rms_out}");
    }

    #[test]
    fn languages_follow_in_order_leveled_and_on_every_channel() {
        let one = render(&[Lang::En], Wording::Generated, 48000, 2, 0.1).unwrap();
        let three = render(
            &[Lang::Kk, Lang::Ru, Lang::En],
            Wording::Generated,
            48000,
            2,
            0.1,
        )
        .unwrap();
        assert!(three.len() > 2 * one.len());
        assert!(one.chunks(2).all(|f| f[0] == f[1]));
        let rms = crate::audio::rms(three.iter().copied());
        assert!(rms > 0.05 && rms <= 0.1001, "{rms}");
        assert!(three.iter().all(|s| s.abs() <= MAX_PEAK + 1e-9));
    }
}
