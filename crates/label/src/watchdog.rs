//! A deadline for work on untrusted files.
//!
//! The structural checks in [`crate::guard`] stop the crafted files we know
//! of; the watchdog bounds the ones we do not. The work runs on its own
//! thread; if it misses the deadline the caller gets [`LabelError::Timeout`]
//! and moves on. The stuck thread cannot be killed safely in Rust, so it is
//! left to finish or die with the process: a one-shot CLI exits soon after,
//! and a batch reports the file and continues.

use std::{path::Path, sync::mpsc, thread, time::Duration};

use crate::LabelError;

/// The deadline for a file of `len` bytes: a base plus time to hash it at a
/// pessimistic 20 MB/s, so large honest files are never cut off.
pub fn deadline_for(len: u64, base: Duration) -> Duration {
    base + Duration::from_secs(len / (20 << 20))
}

/// Runs `work` on a new thread and waits at most `deadline` for it.
pub(crate) fn run<T, F>(path: &Path, deadline: Duration, work: F) -> Result<T, LabelError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, LabelError> + Send + 'static,
{
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = thread::Builder::new()
        .name("tamga-worker".into())
        .spawn(move || {
            // A panic inside a dependency must not take the batch down: catch
            // it and report it against the file.
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            let _ = tx.send(out);
        })
        .map_err(|e| LabelError::io(path, e))?;
    match rx.recv_timeout(deadline) {
        Ok(Ok(result)) => {
            let _ = spawned.join();
            result
        }
        Ok(Err(_panic)) => Err(LabelError::C2pa {
            path: path.into(),
            message: "the C2PA parser failed on this file (internal panic caught)".into(),
        }),
        Err(_) => Err(LabelError::Timeout {
            path: path.into(),
            seconds: deadline.as_secs(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_past_the_deadline_is_abandoned_with_a_timeout() {
        let r: Result<(), _> = run(Path::new("slow.jpg"), Duration::from_millis(50), || {
            thread::sleep(Duration::from_secs(5));
            Ok(())
        });
        assert!(matches!(r, Err(LabelError::Timeout { .. })));
    }

    #[test]
    fn a_panicking_parser_becomes_an_error() {
        let r: Result<(), _> = run(Path::new("bad.png"), Duration::from_secs(5), || {
            panic!("parser bug")
        });
        let err = r.unwrap_err().to_string();
        assert!(err.contains("bad.png") && err.contains("panic"), "{err}");
    }

    #[test]
    fn deadlines_grow_with_size() {
        assert!(
            deadline_for(1 << 30, Duration::from_secs(8))
                > deadline_for(1 << 20, Duration::from_secs(8))
        );
    }
}
