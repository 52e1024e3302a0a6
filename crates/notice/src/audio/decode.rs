//! Decoding audio to interleaved PCM with symphonia: the spoken notice clips,
//! and the formats that a notice makes tamga re-encode (FLAC, MP3, M4A).
//!
//! Content is decoded a packet at a time ([`Stream`]), so a notice needs
//! the same memory for ten hours as for ten seconds; only the short notice
//! clips are decoded whole ([`decode`]).

use symphonia::core::{
    audio::SampleBuffer,
    codecs::{Decoder, DecoderOptions, CODEC_TYPE_NULL},
    conv::ConvertibleSample,
    errors::Error,
    formats::{FormatOptions, FormatReader},
    io::{MediaSource, MediaSourceStream},
    meta::MetadataOptions,
    probe::Hint,
};

use crate::{error::NoticeError, DecodeLimits};

/// Decoded audio, interleaved.
#[derive(Debug, Clone)]
pub(crate) struct Pcm<S> {
    pub rate: u32,
    pub channels: usize,
    pub samples: Vec<S>,
}

fn err(e: Error) -> NoticeError {
    NoticeError::decode("cannot decode the audio")(e)
}

/// The first audio track of a source, decoded a packet at a time. Integer
/// samples come left-aligned in 32 bits (symphonia's convention): shift
/// right by `32 - bits` for the stored values. MP3 encoder delay and
/// padding are trimmed (gapless), so the samples are the ones the encoder
/// was given.
pub(crate) struct Stream<S: symphonia::core::sample::Sample> {
    reader: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track: u32,
    ext: String,
    limits: DecodeLimits,
    /// The sample rate and channel count, from the header or else the
    /// first packet; every packet must keep them.
    pub rate: u32,
    pub channels: usize,
    /// Bits per sample the stream declares (lossless formats).
    pub bits: Option<u32>,
    /// Sample frames decoded so far.
    pub frames: u64,
    buf: Option<SampleBuffer<S>>,
}

impl<S> Stream<S>
where
    S: symphonia::core::sample::Sample + ConvertibleSample,
{
    /// Opens `source` (`ext` hints the container) and checks the length its
    /// header declares, if any, against `limits`.
    pub(crate) fn open(
        source: Box<dyn MediaSource>,
        ext: &str,
        limits: &DecodeLimits,
    ) -> Result<Self, NoticeError> {
        let mss = MediaSourceStream::new(source, Default::default());
        let mut hint = Hint::new();
        hint.with_extension(ext);
        let format_options = FormatOptions {
            enable_gapless: true,
            ..Default::default()
        };
        let probed = symphonia::default::get_probe()
            .format(&hint, mss, &format_options, &MetadataOptions::default())
            .map_err(err)?;
        let reader = probed.format;
        let track = reader
            .tracks()
            .iter()
            .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
            .ok_or(NoticeError::Missing {
                whole: "file",
                part: "audio track",
            })?;
        let params = &track.codec_params;
        let rate = params.sample_rate.unwrap_or(0);
        // FLAC's STREAMINFO, an MP3's Xing/Info frame or an MP4's track
        // duration say how long the audio is before any of it is decoded.
        if let (Some(n), true) = (params.n_frames, rate > 0) {
            limits.check_audio(n, rate)?;
        }
        let decoder = symphonia::default::get_codecs()
            .make(params, &DecoderOptions::default())
            .map_err(err)?;
        Ok(Self {
            track: track.id,
            rate,
            channels: params.channels.map_or(0, |c| c.count()),
            bits: params.bits_per_sample,
            reader,
            decoder,
            ext: ext.to_string(),
            limits: *limits,
            frames: 0,
            buf: None,
        })
    }

    /// The next packet's samples, interleaved, or `None` at the end.
    pub(crate) fn next(&mut self) -> Result<Option<&[S]>, NoticeError> {
        loop {
            let packet = match self.reader.next_packet() {
                Ok(p) => p,
                Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    if self.rate == 0 || self.channels == 0 {
                        return Err(NoticeError::Missing {
                            whole: "audio",
                            part: "sample rate or channels",
                        });
                    }
                    return Ok(None);
                }
                Err(e) => return Err(err(e)),
            };
            if packet.track_id() != self.track {
                continue;
            }
            let decoded = self.decoder.decode(&packet).map_err(err)?;
            let spec = *decoded.spec();
            let channels = spec.channels.count();
            if self.frames == 0 {
                (self.rate, self.channels) = (spec.rate, channels);
            } else if (self.rate, self.channels) != (spec.rate, channels) {
                return Err(NoticeError::Inconsistent(
                    "the audio changes its sample rate or channels midway",
                ));
            }
            // Headers can lie, or say nothing: the length is counted too.
            self.frames += decoded.frames() as u64;
            self.limits.check_audio(self.frames, self.rate)?;
            let need = decoded.capacity() as u64;
            let fits = self
                .buf
                .as_ref()
                .is_some_and(|b| b.capacity() as u64 >= need * channels as u64);
            if !fits {
                self.buf = None;
            }
            let b = self
                .buf
                .get_or_insert_with(|| SampleBuffer::new(need, spec));
            b.copy_interleaved_ref(decoded);
            return Ok(Some(b.samples()));
        }
    }

    /// The same source from its start again, for a second pass.
    pub(crate) fn rewind(self) -> Result<Self, NoticeError> {
        // The reader's buffered stream is itself a seekable source.
        let mut source = self.reader.into_inner();
        std::io::Seek::seek(&mut source, std::io::SeekFrom::Start(0))
            .map_err(NoticeError::io("cannot read the audio again"))?;
        Self::open(Box::new(source), &self.ext, &self.limits)
    }
}

/// Decodes the first audio track of `source` whole: for short clips (the
/// spoken notices) and tests. Content goes through [`Stream`].
pub(crate) fn decode<S>(source: Box<dyn MediaSource>, ext: &str) -> Result<Pcm<S>, NoticeError>
where
    S: symphonia::core::sample::Sample + ConvertibleSample,
{
    let mut stream = Stream::<S>::open(source, ext, &DecodeLimits::default())?;
    let mut samples = Vec::new();
    while let Some(block) = stream.next()? {
        samples.extend_from_slice(block);
    }
    Ok(Pcm {
        rate: stream.rate,
        channels: stream.channels,
        samples,
    })
}

/// What a first pass over the content finds: its length and loudness.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Survey {
    pub rate: u32,
    pub channels: usize,
    /// Sample frames in all.
    pub frames: u64,
    /// RMS as a full-scale fraction.
    pub rms: f64,
}

/// Decodes `stream` to its end, without keeping the samples, for the
/// content's length and RMS (`scale` turns a sample into a full-scale
/// fraction); returns the stream rewound for the second pass.
pub(crate) fn survey<S>(
    mut stream: Stream<S>,
    scale: impl Fn(S) -> f64,
) -> Result<(Survey, Stream<S>), NoticeError>
where
    S: symphonia::core::sample::Sample + ConvertibleSample,
{
    let (mut sum, mut n) = (0f64, 0u64);
    while let Some(block) = stream.next()? {
        for &s in block {
            let v = scale(s);
            sum += v * v;
        }
        n += block.len() as u64;
    }
    let survey = Survey {
        rate: stream.rate,
        channels: stream.channels,
        frames: stream.frames,
        rms: if n == 0 { 0.0 } else { (sum / n as f64).sqrt() },
    };
    Ok((survey, stream.rewind()?))
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    /// A FLAC of `seconds` of 8 kHz mono silence.
    fn flac(seconds: usize) -> Vec<u8> {
        use flacenc::error::Verify;
        let config = flacenc::config::Encoder::default().into_verified().unwrap();
        let samples = vec![0i32; seconds * 8000];
        let src = flacenc::source::MemSource::from_samples(&samples, 1, 16, 8000);
        // Blocks that divide the length: a short last one would make flacenc
        // write a variable-block header.
        let stream = flacenc::encode_with_fixed_block_size(&config, src, 4000).unwrap();
        let mut sink = flacenc::bitsink::ByteSink::new();
        flacenc::component::BitRepr::write(&stream, &mut sink).unwrap();
        sink.as_slice().to_vec()
    }

    #[test]
    fn the_declared_length_is_checked_before_decoding_and_the_real_one_while() {
        let mut limits = DecodeLimits::default();
        limits.max_audio_seconds = 2;
        let ok = Stream::<i32>::open(Box::new(Cursor::new(flac(2))), "flac", &limits).unwrap();
        let (s, _) = survey(ok, f64::from).unwrap();
        assert_eq!((s.frames, s.rate, s.channels), (16_000, 8000, 1));

        let long = flac(3);
        let e = Stream::<i32>::open(Box::new(Cursor::new(long.clone())), "flac", &limits)
            .err()
            .unwrap();
        assert!(
            matches!(e, NoticeError::Limit(x) if x.value == 3 && x.max == 2),
            "{e}"
        );
        // STREAMINFO's total (the 36 bits ending at byte 26) lying, one
        // sample: the count while decoding stops it.
        let mut unknown = long;
        unknown[21] &= 0xF0;
        unknown[22..26].copy_from_slice(&1u32.to_be_bytes());
        let mut st = Stream::<i32>::open(Box::new(Cursor::new(unknown)), "flac", &limits).unwrap();
        let e = loop {
            match st.next() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("decoded past the limit"),
                Err(e) => break e,
            }
        };
        assert!(matches!(e, NoticeError::Limit(x) if x.max == 2), "{e}");
    }
}
