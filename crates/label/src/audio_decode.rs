//! Decoding audio to interleaved PCM with symphonia: the spoken notice clips,
//! and the formats that a notice makes tamga re-encode (FLAC, MP3, M4A).

use symphonia::core::{
    audio::SampleBuffer,
    codecs::{DecoderOptions, CODEC_TYPE_NULL},
    conv::ConvertibleSample,
    errors::Error,
    formats::FormatOptions,
    io::{MediaSource, MediaSourceStream},
    meta::MetadataOptions,
    probe::Hint,
};

/// Decoded audio, interleaved.
#[derive(Debug, Clone)]
pub(crate) struct Pcm<S> {
    pub rate: u32,
    pub channels: usize,
    /// Bits per sample the stream declares (lossless formats).
    pub bits: Option<u32>,
    pub samples: Vec<S>,
}

/// Decodes the first audio track of `source`; `ext` is a hint for the
/// container probe. Integer samples come left-aligned in 32 bits (symphonia's
/// convention): shift right by `32 - bits` for the stored values. MP3
/// encoder delay and padding are trimmed (gapless), so the samples are the
/// ones the encoder was given.
pub(crate) fn decode<S>(source: Box<dyn MediaSource>, ext: &str) -> Result<Pcm<S>, String>
where
    S: symphonia::core::sample::Sample + ConvertibleSample,
{
    let err = |e: Error| format!("cannot decode the audio: {e}");
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
    let mut reader = probed.format;
    let track = reader
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or("the file has no audio track")?;
    let id = track.id;
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .map_err(err)?;
    let mut pcm = Pcm {
        rate: track.codec_params.sample_rate.unwrap_or(0),
        channels: track.codec_params.channels.map_or(0, |c| c.count()),
        bits: track.codec_params.bits_per_sample,
        samples: Vec::new(),
    };
    let mut buf: Option<SampleBuffer<S>> = None;
    loop {
        let packet = match reader.next_packet() {
            Ok(p) => p,
            Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(err(e)),
        };
        if packet.track_id() != id {
            continue;
        }
        let decoded = decoder.decode(&packet).map_err(err)?;
        let spec = *decoded.spec();
        pcm.rate = spec.rate;
        pcm.channels = spec.channels.count();
        let need = decoded.capacity() as u64;
        let b = match &mut buf {
            Some(b) if b.capacity() as u64 >= need * spec.channels.count() as u64 => b,
            _ => buf.insert(SampleBuffer::new(need, spec)),
        };
        b.copy_interleaved_ref(decoded);
        pcm.samples.extend_from_slice(b.samples());
    }
    if pcm.rate == 0 || pcm.channels == 0 {
        return Err("the audio has no sample rate or channels".into());
    }
    Ok(pcm)
}
