//! Applying the perceivable notice to a labelling job's media, before
//! signing: a badge on an image, a tone or speech in audio, each within
//! the job's [`DecodeLimits`].

use std::{
    fs::File,
    io::{Read, Seek, SeekFrom, Write},
};

use tamga_notice::{audio::Sound, AppliedNotice, Length, NoticeError, NoticeOptions, NoticeStyle};

use tamga_notice::images::Edit;

use crate::{sign::Job, watermark::Marking, AiInvolvement, LabelError};

impl Job {
    /// Adds the perceivable notice to the media in `source` (a badge on an
    /// image, a tone or speech in audio); returns the new file (anonymous, deleted on
    /// drop), the record and a note for the user.
    /// `mark`, when given, is embedded into an image's pixels after the
    /// badge, in the same re-encode.
    pub(crate) fn add_notice(
        &self,
        source: &mut File,
        notice: &NoticeOptions,
        mark: Option<&mut Marking>,
    ) -> Result<(File, AppliedNotice, Option<String>), LabelError> {
        let path = self.input.as_path();
        let io = |e| LabelError::io(path, e);
        let fail = |e| self.notice_error(e);
        let (style, position) = notice.resolve(self.format).map_err(fail)?;
        let limits = &self.limits;
        let mut file = tempfile::tempfile().map_err(io)?;
        if let Some(sound) = audio_sound(style, notice, self.disclosure.ai) {
            // Audio goes file to file, in blocks.
            let applied = tamga_notice::audio::apply(
                &notice.tools,
                self.format,
                source,
                path,
                &mut file,
                &sound,
                position,
                limits,
            )
            .map_err(fail)?;
            let (seconds, note) = (applied.seconds, applied.note);
            crate::keep_metadata::carry_over_file(self.format, source, &mut file, path)?;
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            let (langs, text) = match sound {
                Sound::Tone => (&[][..], "AI in Morse (short-long-short-short)".to_string()),
                Sound::Voice { .. } => (
                    &notice.langs[..],
                    notice.words(self.disclosure.ai.wording(), Length::Short),
                ),
            };
            let mut record = AppliedNotice::new(style, position, langs, text);
            record.duration_seconds = Some((seconds * 1000.0).round() / 1000.0);
            return Ok((file, record, note));
        }
        let mut input = Vec::new();
        source.read_to_end(&mut input).map_err(io)?;
        let candidates = notice.badge_candidates(self.disclosure.ai.wording(), style);
        let mut embed = mark.map(|m| move |img: &mut image::DynamicImage| m.embed(img));
        let plan = Edit {
            badge: Some((&candidates, position)),
            then: embed
                .as_mut()
                .map(|f| f as &mut dyn FnMut(&mut image::DynamicImage)),
        };
        let badged = tamga_notice::images::edit(&notice.tools, &input, self.format, plan, limits)
            .map_err(fail)?;
        let badge = badged
            .badge
            .ok_or_else(|| fail(NoticeError::Inconsistent("the badge was not drawn")))?;
        let mut record =
            AppliedNotice::new(style, position, &notice.langs, badge.lines.join(" · "));
        record.size_share = Some(f64::from(badge.share));
        // The encoders keep only part of the file's metadata: the rest is
        // copied over from the input.
        let bytes = crate::keep_metadata::carry_over(self.format, &input, badged.bytes, path)?;
        file.write_all(&bytes).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok((file, record, badged.note))
    }
}

impl Job {
    /// Embeds `mark` alone into the image in `source` (one decode and
    /// re-encode, metadata carried over as for a badge). `None` when the
    /// image could not take it (too small, floating point): the reason is
    /// in `mark`, and the file is left as it was.
    pub(crate) fn add_watermark(
        &self,
        source: &mut File,
        mark: &mut Marking,
    ) -> Result<Option<(File, Option<String>)>, LabelError> {
        let path = self.input.as_path();
        let io = |e| LabelError::io(path, e);
        let mut input = Vec::new();
        source.read_to_end(&mut input).map_err(io)?;
        source.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut embed = |img: &mut image::DynamicImage| mark.embed(img);
        let plan = Edit {
            badge: None,
            then: Some(&mut embed),
        };
        let tools = tamga_notice::Tools::default();
        let edited = tamga_notice::images::edit(&tools, &input, self.format, plan, &self.limits)
            .map_err(|e| self.notice_error(e))?;
        if !matches!(mark.outcome, Some(Ok(_))) {
            return Ok(None);
        }
        let bytes = crate::keep_metadata::carry_over(self.format, &input, edited.bytes, path)?;
        let mut file = tempfile::tempfile().map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok(Some((file, edited.note)))
    }

    /// Marks the WAV in `source` with tamga's audio watermark, its other
    /// chunks (INFO, bext, iXML…) carried over from the input. The inner
    /// `Err` is why the file goes unmarked, for a warning.
    #[allow(clippy::type_complexity)] // a result and a reason
    pub(crate) fn mark_wav(
        &self,
        source: &mut File,
    ) -> Result<Result<(File, crate::AppliedWatermark), String>, LabelError> {
        /// Chunks are carried over in memory: larger files stay unmarked
        /// rather than lose them.
        const MAX_IN_MEMORY: u64 = 256 << 20;
        let path = self.input.as_path();
        let io = |e| LabelError::io(path, e);
        let len = source.metadata().map_err(io)?.len();
        if len > MAX_IN_MEMORY {
            return Ok(Err(format!(
                "no invisible watermark: WAV files over {} MB are not marked yet",
                MAX_IN_MEMORY >> 20
            )));
        }
        let (mut marked, applied) = match crate::watermark::mark_wav(source, &self.limits) {
            Ok(done) => done,
            Err(why) => return Ok(Err(why)),
        };
        let mut input = Vec::new();
        source.read_to_end(&mut input).map_err(io)?;
        source.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut edited = Vec::new();
        marked.read_to_end(&mut edited).map_err(io)?;
        let bytes = crate::keep_metadata::carry_over(self.format, &input, edited, path)?;
        let mut file = tempfile::tempfile().map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok(Ok((file, applied)))
    }

    /// A notice library's error as the label's, by cause.
    fn notice_error(&self, e: NoticeError) -> LabelError {
        let path = self.input.as_path();
        match e {
            NoticeError::Limit(x) => LabelError::Media(tamga_media::MediaError::LimitExceeded {
                path: path.into(),
                limit: x.limit,
                value: x.value,
                max: x.max,
            }),
            NoticeError::Library(source) => LabelError::NoticeLibrary {
                path: path.into(),
                source,
            },
            source => LabelError::Notice {
                path: path.into(),
                source,
            },
        }
    }
}

/// The sound of an audio notice style, or `None` for the visual styles.
fn audio_sound(style: NoticeStyle, notice: &NoticeOptions, ai: AiInvolvement) -> Option<Sound> {
    match style {
        NoticeStyle::Tone => Some(Sound::Tone),
        NoticeStyle::Voice => Some(Sound::Voice {
            langs: notice.langs.clone(),
            ai: ai.wording(),
        }),
        _ => None,
    }
}
