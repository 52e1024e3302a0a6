//! A change to a recording's content on its way through a notice's
//! re-encode (or splice): tamga's audio watermark goes in here, in the
//! same pass as the notice, so a lossy file is re-encoded once, and only
//! the content is changed, never the notice around it.

use std::borrow::Cow;

/// An edit of the content's samples: interleaved full-scale fractions in,
/// the same number out, possibly later (an edit that works on frames
/// holds some back until [`ContentEdit::finish`]).
pub trait ContentEdit {
    /// Called once, before any sample, with the stream's format. `false`
    /// leaves the content as it is (the edit keeps why, for its caller).
    fn start(&mut self, rate: u32, channels: usize) -> bool;
    /// Takes samples and returns those ready.
    fn push(&mut self, samples: &[f32]) -> Vec<f32>;
    /// Returns the samples still held.
    fn finish(&mut self) -> Vec<f32>;
}

/// The writers' side of an optional edit: the content passes through
/// unchanged without one (or when it declined the format), and the count
/// of samples that leaves equals the count that came in whatever the edit
/// does, so a length written into a header beforehand stays true.
pub(crate) struct Edits<'a> {
    edit: Option<&'a mut dyn ContentEdit>,
    /// Samples in, and out so far.
    taken: u64,
    given: u64,
}

impl<'a> Edits<'a> {
    /// Starts `edit` for content of `rate` Hz and `channels` channels.
    pub(crate) fn start(edit: Option<&'a mut dyn ContentEdit>, rate: u32, channels: usize) -> Self {
        let edit = edit.and_then(|e| e.start(rate, channels).then_some(e));
        Self {
            edit,
            taken: 0,
            given: 0,
        }
    }

    /// Whether the content is being changed.
    pub(crate) fn active(&self) -> bool {
        self.edit.is_some()
    }

    /// The edited samples now ready (the same ones, borrowed, without an
    /// edit).
    pub(crate) fn push<'s>(&mut self, samples: &'s [f32]) -> Cow<'s, [f32]> {
        self.taken += samples.len() as u64;
        match self.edit.as_deref_mut() {
            None => {
                self.given += samples.len() as u64;
                Cow::Borrowed(samples)
            }
            Some(edit) => {
                let mut out = edit.push(samples);
                // Never ahead of the input.
                out.truncate((self.taken - self.given) as usize);
                self.given += out.len() as u64;
                Cow::Owned(out)
            }
        }
    }

    /// The rest: exactly as many samples as were taken and not yet given
    /// (padded with silence or cut should an edit miscount).
    pub(crate) fn finish(&mut self) -> Vec<f32> {
        let owed = (self.taken - self.given) as usize;
        let mut out = match self.edit.as_deref_mut() {
            Some(edit) => edit.finish(),
            None => Vec::new(),
        };
        out.resize(owed, 0.0);
        self.given = self.taken;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Halves every sample, holding back the last `lag` of each push.
    struct Halve {
        lag: usize,
        held: Vec<f32>,
    }

    impl ContentEdit for Halve {
        fn start(&mut self, rate: u32, _: usize) -> bool {
            rate >= 8000
        }
        fn push(&mut self, samples: &[f32]) -> Vec<f32> {
            self.held.extend(samples.iter().map(|s| s * 0.5));
            let ready = self.held.len().saturating_sub(self.lag);
            self.held.drain(..ready).collect()
        }
        fn finish(&mut self) -> Vec<f32> {
            std::mem::take(&mut self.held)
        }
    }

    #[test]
    fn the_count_out_equals_the_count_in_and_a_declined_format_passes_through() {
        let mut halve = Halve {
            lag: 5,
            held: Vec::new(),
        };
        let mut edits = Edits::start(Some(&mut halve), 48_000, 2);
        assert!(edits.active());
        let mut out = Vec::new();
        for chunk in [&[1.0f32; 3][..], &[2.0; 8][..]] {
            out.extend_from_slice(&edits.push(chunk));
        }
        out.extend(edits.finish());
        assert_eq!(out.len(), 11);
        assert_eq!((out[0], out[10]), (0.5, 1.0));

        let mut halve = Halve {
            lag: 0,
            held: Vec::new(),
        };
        let mut edits = Edits::start(Some(&mut halve), 4000, 1);
        assert!(!edits.active());
        assert_eq!(&*edits.push(&[1.0, 2.0]), &[1.0, 2.0]);
        assert!(edits.finish().is_empty());
    }
}
