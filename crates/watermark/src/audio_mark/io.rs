//! Files in and out: marking a WAV file, and reading the mark from any
//! audio format tamga decodes, both within [`DecodeLimits`].

use std::io::{Read, Seek, Write};
use std::path::Path;

use symphonia::core::{
    audio::SampleBuffer,
    codecs::{DecoderOptions, CODEC_TYPE_NULL},
    errors::Error as SymphoniaError,
    formats::FormatOptions,
    io::{MediaSource, MediaSourceStream},
    meta::MetadataOptions,
    probe::Hint,
};
use tamga_media::{DecodeLimits, Exceeded};

use super::{AudioDetection, AudioDetector, AudioEmbedder, AudioPayload};

/// Why audio could not be marked or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AudioMarkError {
    /// The WAV file is malformed or in a form `hound` does not read (bad
    /// input).
    #[error("cannot read the WAV file: {0}")]
    Wav(#[source] hound::Error),
    /// Writing the marked WAV failed.
    #[error("cannot write the WAV file: {0}")]
    WavWrite(#[source] hound::Error),
    /// The audio could not be decoded (bad input).
    #[error("cannot decode the audio: {0}")]
    Decode(#[source] SymphoniaError),
    /// The stream's format is outside what the mark supports (bad input,
    /// or a caller's mistake for the streaming types).
    #[error("unsupported audio: {what}")]
    Unsupported {
        /// What is unsupported.
        what: String,
    },
    /// The audio would go past a decode limit.
    #[error("{0}")]
    Limit(#[from] Exceeded),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What [`embed_wav`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct EmbedSummary {
    /// Sample frames written.
    pub frames: u64,
    /// Samples that went past full scale with the mark added and were
    /// clipped (integer formats only).
    pub clipped: u64,
    /// The host-to-mark power ratio achieved, dB (`None` for silence).
    pub snr_db: Option<f64>,
}

/// Frames read and marked at a time.
const BLOCK_FRAMES: usize = 8192;

/// Reads a WAV file (8- to 32-bit integer PCM or 32-bit float) from
/// `reader`, marks it with `payload` and writes the same format to
/// `writer`. The length the header declares is checked against `limits`
/// before any sample is read.
pub fn embed_wav<R: Read, W: Write + Seek>(
    reader: R,
    writer: W,
    payload: AudioPayload,
    limits: &DecodeLimits,
) -> Result<EmbedSummary, AudioMarkError> {
    let mut reader = hound::WavReader::new(reader).map_err(AudioMarkError::Wav)?;
    let spec = reader.spec();
    limits.check_audio(u64::from(reader.duration()), spec.sample_rate)?;
    let channels = usize::from(spec.channels);
    let mut embedder = AudioEmbedder::new(spec.sample_rate, channels, payload)?;
    let mut writer = hound::WavWriter::new(writer, spec).map_err(AudioMarkError::WavWrite)?;
    let mut out = Output {
        spec,
        clipped: 0,
        frames: 0,
    };
    let mut block = Vec::with_capacity(BLOCK_FRAMES * channels);
    match spec.sample_format {
        hound::SampleFormat::Float => {
            let mut samples = reader.samples::<f32>();
            loop {
                block.clear();
                for s in samples.by_ref().take(BLOCK_FRAMES * channels) {
                    block.push(s.map_err(AudioMarkError::Wav)?);
                }
                if block.is_empty() {
                    break;
                }
                out.write(&mut writer, &embedder.push(&block))?;
            }
        }
        hound::SampleFormat::Int => {
            let bits = spec.bits_per_sample;
            if !(8..=32).contains(&bits) {
                return Err(AudioMarkError::Unsupported {
                    what: format!("{bits}-bit PCM"),
                });
            }
            let scale = 1.0 / (1u64 << (bits - 1)) as f64;
            let mut samples = reader.samples::<i32>();
            loop {
                block.clear();
                for s in samples.by_ref().take(BLOCK_FRAMES * channels) {
                    block.push((f64::from(s.map_err(AudioMarkError::Wav)?) * scale) as f32);
                }
                if block.is_empty() {
                    break;
                }
                out.write(&mut writer, &embedder.push(&block))?;
            }
        }
    }
    out.write(&mut writer, &embedder.finish())?;
    writer.finalize().map_err(AudioMarkError::WavWrite)?;
    Ok(EmbedSummary {
        frames: out.frames / channels as u64,
        clipped: out.clipped,
        snr_db: embedder.snr_db(),
    })
}

/// Converts marked `f32` samples to the file's sample format.
struct Output {
    spec: hound::WavSpec,
    clipped: u64,
    frames: u64,
}

impl Output {
    fn write<W: Write + Seek>(
        &mut self,
        writer: &mut hound::WavWriter<W>,
        samples: &[f32],
    ) -> Result<(), AudioMarkError> {
        self.frames += samples.len() as u64;
        match self.spec.sample_format {
            hound::SampleFormat::Float => {
                for &s in samples {
                    writer.write_sample(s).map_err(AudioMarkError::WavWrite)?;
                }
            }
            hound::SampleFormat::Int => {
                let full = (1u64 << (self.spec.bits_per_sample - 1)) as f64;
                for &s in samples {
                    let v = (f64::from(s) * full).round();
                    let c = v.clamp(-full, full - 1.0);
                    if c != v {
                        self.clipped += 1;
                    }
                    writer
                        .write_sample(c as i32)
                        .map_err(AudioMarkError::WavWrite)?;
                }
            }
        }
        Ok(())
    }
}

/// Decodes the audio file at `path` (WAV, FLAC, MP3, AAC/M4A; the
/// extension hints the container) and reads tamga's mark from it.
pub fn detect_file(
    path: &Path,
    limits: &DecodeLimits,
) -> Result<Option<AudioDetection>, AudioMarkError> {
    let file = std::fs::File::open(path)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    detect_source(Box::new(file), &ext, limits)
}

/// As [`detect_file`], from any media source; `ext` hints the container
/// ("wav", "flac", "mp3", "m4a", "aac").
pub fn detect_source(
    source: Box<dyn MediaSource>,
    ext: &str,
    limits: &DecodeLimits,
) -> Result<Option<AudioDetection>, AudioMarkError> {
    detect_start(source, ext, limits, None)
}

/// As [`detect_source`], reading at most the first `seconds` of the
/// recording (all of it with `None`). The mark repeats every
/// [`FRAME_SECONDS`](super::FRAME_SECONDS) s and any 10 s carry it, so a
/// search over many files can stop early and cost the same for an hour as
/// for a minute; more seconds average more repetitions (robustness).
pub fn detect_start(
    source: Box<dyn MediaSource>,
    ext: &str,
    limits: &DecodeLimits,
    seconds: Option<u32>,
) -> Result<Option<AudioDetection>, AudioMarkError> {
    let mss = MediaSourceStream::new(source, Default::default());
    let mut hint = Hint::new();
    hint.with_extension(ext);
    // Gapless: the encoder's delay is not content. (The detector finds
    // the frame alignment anyway; this only saves it a shift.)
    let options = FormatOptions {
        enable_gapless: true,
        ..Default::default()
    };
    let mut reader = symphonia::default::get_probe()
        .format(&hint, mss, &options, &MetadataOptions::default())
        .map_err(AudioMarkError::Decode)?
        .format;
    let track = reader
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| AudioMarkError::Unsupported {
            what: "no audio track".into(),
        })?;
    let params = track.codec_params.clone();
    let track_id = track.id;
    // The declared length first, then the counted one (headers can lie).
    if let (Some(n), Some(rate)) = (params.n_frames, params.sample_rate) {
        limits.check_audio(n, rate)?;
    }
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(AudioMarkError::Decode)?;
    let mut detector: Option<(AudioDetector, u32, usize)> = None;
    let mut frames = 0u64;
    let mut buf: Option<SampleBuffer<f32>> = None;
    loop {
        let packet = match reader.next_packet() {
            Ok(p) => p,
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break
            }
            Err(e) => return Err(AudioMarkError::Decode(e)),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            // A corrupt packet is skipped, as players do.
            Err(SymphoniaError::DecodeError(_)) => continue,
            Err(e) => return Err(AudioMarkError::Decode(e)),
        };
        let spec = *decoded.spec();
        let channels = spec.channels.count();
        match &detector {
            None => {
                detector = Some((
                    AudioDetector::new(spec.rate, channels)?,
                    spec.rate,
                    channels,
                ))
            }
            Some((_, rate, ch)) if (*rate, *ch) != (spec.rate, channels) => {
                return Err(AudioMarkError::Unsupported {
                    what: "a change of sample rate or channels midway".into(),
                })
            }
            Some(_) => {}
        }
        frames += decoded.frames() as u64;
        limits.check_audio(frames, spec.rate)?;
        let enough = seconds.is_some_and(|s| frames >= u64::from(s) * u64::from(spec.rate));
        let need = decoded.capacity() as u64 * channels as u64;
        if buf.as_ref().is_none_or(|b| (b.capacity() as u64) < need) {
            buf = Some(SampleBuffer::new(decoded.capacity() as u64, spec));
        }
        if let (Some(b), Some((d, _, _))) = (buf.as_mut(), detector.as_mut()) {
            b.copy_interleaved_ref(decoded);
            d.push(b.samples());
        }
        if enough {
            break;
        }
    }
    Ok(detector.and_then(|(d, _, _)| d.finish()))
}
