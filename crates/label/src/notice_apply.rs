//! Applying the perceivable notice to a labelling job's media, before
//! signing: a badge on an image, a tone or speech in audio, each within
//! the job's [`DecodeLimits`].

use std::{
    fs::File,
    io::{Read, Seek, SeekFrom, Write},
};

use tamga_notice::{
    audio::{AudioPlan, ContentEdit, Sound},
    AppliedNotice, Length, NoticeError, NoticeOptions, NoticePosition, NoticeStyle,
};

use tamga_notice::images::Edit;

use crate::{
    sign::Job,
    watermark::{AudioMarking, Marking},
    AiInvolvement, LabelError,
};

/// What adding a notice made.
pub(crate) struct Noticed {
    /// The new file (anonymous, deleted on drop).
    pub(crate) file: File,
    /// The record that goes into the label.
    pub(crate) record: AppliedNotice,
    /// A note for the user.
    pub(crate) note: Option<String>,
    /// A video's poster frame, from the noticed copy.
    pub(crate) poster: Option<Vec<u8>>,
}

impl Noticed {
    fn new(file: File, record: AppliedNotice, note: Option<String>) -> Self {
        Self {
            file,
            record,
            note,
            poster: None,
        }
    }
}

impl Job {
    /// Adds the perceivable notice to the media in `source` (a badge on an
    /// image or a video, a tone or speech in audio or a video's sound).
    /// `mark`, when given, is embedded into an image's pixels after the
    /// badge, in the same re-encode; `audio_mark` into a recording's
    /// content (not into the notice), in the same pass.
    pub(crate) fn add_notice(
        &self,
        source: &mut File,
        notice: &NoticeOptions,
        mark: Option<&mut Marking>,
        audio_mark: Option<&mut AudioMarking>,
    ) -> Result<Noticed, LabelError> {
        let path = self.input.as_path();
        let io = |e| LabelError::io(path, e);
        let fail = |e| self.notice_error(e);
        let (style, position) = notice.resolve(self.format).map_err(fail)?;
        let limits = &self.limits;
        if self.format.family() == tamga_media::Family::Video {
            return self.add_video_notice(notice, style, position);
        }
        if let Some(sound) = audio_sound(style, notice, self.disclosure.ai) {
            let (file, applied) = self
                .edit_audio(&notice.tools, source, Some(&sound), position, audio_mark)
                .map_err(|e| e.either(fail))?;
            let (seconds, note) = (applied.seconds, applied.note);
            let record = self.sound_record(notice, style, position, &sound, seconds);
            return Ok(Noticed::new(file, record, note));
        }
        let mut file = tempfile::tempfile().map_err(io)?;
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
        Ok(Noticed::new(file, record, badged.note))
    }
}

impl Job {
    /// The record of a spoken or tone notice of `seconds`.
    fn sound_record(
        &self,
        notice: &NoticeOptions,
        style: NoticeStyle,
        position: NoticePosition,
        sound: &Sound,
        seconds: f64,
    ) -> AppliedNotice {
        let (langs, text) = match sound {
            Sound::Tone => (&[][..], "AI in Morse (short-long-short-short)".to_string()),
            Sound::Voice { .. } => (
                &notice.langs[..],
                notice.words(self.disclosure.ai.wording(), Length::Short),
            ),
        };
        let mut record = AppliedNotice::new(style, position, langs, text);
        record.duration_seconds = Some((seconds * 1000.0).round() / 1000.0);
        record
    }

    /// The badge burnt into the video's frames by ffmpeg (see
    /// `tamga_notice::video`), for the span asked for.
    fn add_video_notice(
        &self,
        notice: &NoticeOptions,
        style: NoticeStyle,
        position: NoticePosition,
    ) -> Result<Noticed, LabelError> {
        let path = self.input.as_path();
        let io = |e| LabelError::io(path, e);
        let dir = tempfile::tempdir().map_err(io)?;
        let poster = |out: &std::path::Path| {
            self.thumbnail
                .enabled
                .then(|| {
                    crate::thumbnail::video_preview(&notice.tools, out, self.thumbnail.long_edge)
                })
                .flatten()
        };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("mp4");
        let out = dir.path().join(format!("notice.{ext}"));
        if let Some(sound) = audio_sound(style, notice, self.disclosure.ai) {
            let applied = tamga_notice::video::apply_sound(
                &notice.tools,
                path,
                &out,
                &sound,
                position,
                &self.limits,
            )
            .map_err(|e| self.notice_error(e))?;
            let file = self.kept_metadata(&out)?;
            let record = self.sound_record(notice, style, position, &sound, applied.seconds);
            return Ok(Noticed {
                poster: poster(&out),
                ..Noticed::new(file, record, Some(applied.note))
            });
        }
        let candidates = notice.badge_candidates(self.disclosure.ai.wording(), style);
        let plan = tamga_notice::video::VideoPlan {
            candidates: &candidates,
            position,
            span: notice.span,
        };
        let applied = tamga_notice::video::apply(&notice.tools, path, &out, plan, &self.limits)
            .map_err(|e| self.notice_error(e))?;
        // Open before the directory goes: the file lives on, unnamed.
        let file = self.kept_metadata(&out)?;
        let mut record = AppliedNotice::new(
            style,
            position,
            &notice.langs,
            applied.badge.lines.join(" · "),
        );
        record.size_share = Some(f64::from(applied.badge.share));
        record.span_seconds = Some((applied.seconds * 1000.0).round() / 1000.0);
        record.whole_video = Some(applied.whole);
        Ok(Noticed {
            poster: poster(&out),
            ..Noticed::new(file, record, Some(applied.note))
        })
    }

    /// The video ffmpeg wrote at `out`, opened, with the input's top-level
    /// metadata boxes it lost (XMP, private `uuid` boxes) appended: ffmpeg
    /// keeps tags, not those.
    fn kept_metadata(&self, out: &std::path::Path) -> Result<File, LabelError> {
        let path = self.input.as_path();
        let io = |e| LabelError::io(path, e);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(out)
            .map_err(io)?;
        let mut original = File::open(path).map_err(io)?;
        crate::keep_metadata::carry_over_file(self.format, &mut original, &mut file, path)?;
        Ok(file)
    }

    /// Embeds `mark` alone into the image in `source` (one decode and
    /// re-encode, metadata carried over as for a badge). `None` when the
    /// image could not take it (too small, floating point, a texture that
    /// hides it): the reason is in `mark`, and the file is left as it was.
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
        // Not marked, or not readable: the file is left as it was.
        if mark.applied().is_err() {
            return Ok(None);
        }
        let bytes = crate::keep_metadata::carry_over(self.format, &input, edited.bytes, path)?;
        let mut file = tempfile::tempfile().map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok(Some((file, edited.note)))
    }

    /// Marks the recording in `source` with tamga's audio watermark, alone
    /// (a WAV spliced, the others re-encoded once). The inner `Err` is why
    /// the file goes unmarked, for a warning: ffmpeg missing for an M4A.
    pub(crate) fn add_audio_watermark(
        &self,
        source: &mut File,
        mark: &mut AudioMarking,
    ) -> Result<Result<(File, Option<String>), String>, LabelError> {
        let tools = tamga_notice::Tools::default();
        let position = NoticePosition::Start;
        match self.edit_audio(&tools, source, None, position, Some(mark)) {
            Ok((file, applied)) => Ok(Ok((file, applied.note))),
            Err(AudioFailure::Notice(e @ NoticeError::ToolMissing { .. })) => {
                Ok(Err(format!("no invisible watermark: {e}")))
            }
            Err(e) => Err(e.either(|e| self.notice_error(e))),
        }
    }

    /// Writes the recording in `source` to a new file with the notice
    /// `sound` and/or `mark` in its content, its container's other
    /// metadata carried over.
    fn edit_audio(
        &self,
        tools: &tamga_notice::Tools,
        source: &mut File,
        sound: Option<&Sound>,
        position: NoticePosition,
        mark: Option<&mut AudioMarking>,
    ) -> Result<(File, tamga_notice::audio::Applied), AudioFailure> {
        let path = self.input.as_path();
        let io = |e| AudioFailure::Label(LabelError::io(path, e));
        let mut file = tempfile::tempfile().map_err(io)?;
        let plan = AudioPlan {
            sound,
            position,
            edit: mark.map(|m| m as &mut dyn ContentEdit),
        };
        // Audio goes file to file, in blocks.
        let applied = tamga_notice::audio::apply(
            tools,
            self.format,
            source,
            path,
            &mut file,
            plan,
            &self.limits,
        )
        .map_err(AudioFailure::Notice)?;
        crate::keep_metadata::carry_over_file(self.format, source, &mut file, path)
            .map_err(AudioFailure::Label)?;
        source.seek(SeekFrom::Start(0)).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok((file, applied))
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

/// Why an audio edit failed: in the notice library, or around it.
enum AudioFailure {
    Notice(NoticeError),
    Label(LabelError),
}

impl AudioFailure {
    /// As the label's error, with `notice` turning the library's.
    fn either(self, notice: impl FnOnce(NoticeError) -> LabelError) -> LabelError {
        match self {
            Self::Notice(e) => notice(e),
            Self::Label(e) => e,
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
