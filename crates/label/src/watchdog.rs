//! A deadline for work on untrusted files.
//!
//! The structural checks in [`crate::guard`] stop the crafted files we know
//! of; the watchdog bounds the ones we do not. The work runs on a worker
//! thread; if it misses the deadline the caller gets [`LabelError::Timeout`]
//! and moves on. The stuck thread cannot be killed safely in Rust, so it is
//! left to finish or die with the process: a one-shot CLI exits soon after,
//! and a batch reports the file and continues.
//!
//! Each calling thread keeps one worker and reuses it from file to file, so
//! a batch of thousands of files does not create thousands of threads. A
//! worker that missed a deadline is abandoned (never handed more work: the
//! next call starts a fresh one), so one stuck file never delays another.

use std::{
    cell::{Cell, RefCell},
    path::Path,
    sync::mpsc::{self, Sender},
    thread,
    time::Duration,
};

use crate::LabelError;

/// The deadline for a file of `len` bytes: a base plus time to hash it at a
/// pessimistic 20 MB/s, so large honest files are never cut off.
pub fn deadline_for(len: u64, base: Duration) -> Duration {
    base + Duration::from_secs(len / (20 << 20))
}

/// A unit of work for a worker. It never unwinds: [`run`] wraps the
/// caller's work in `catch_unwind`, so a panic cannot kill the worker.
type Job = Box<dyn FnOnce() + Send + 'static>;

thread_local! {
    /// This thread's worker, if it has a healthy one.
    static WORKER: RefCell<Option<Sender<Job>>> = const { RefCell::new(None) };
    /// How deep this thread is inside [`guard`]: a panic here is caught
    /// and reported against a file, so panic hooks can stay quiet.
    static GUARDED: Cell<u32> = const { Cell::new(0) };
}

/// The name of the threads that run work under a deadline.
const WORKER_NAME: &str = "tamga-worker";

/// Whether a panic on the current thread will be caught and reported as a
/// file's error (inside a per-file guard or on a watchdog worker). A
/// program's panic hook uses it to keep backtraces for real bugs only.
pub fn panic_is_caught() -> bool {
    GUARDED.get() > 0 || thread::current().name() == Some(WORKER_NAME)
}

/// Runs the per-file `work` so that a panic anywhere in it, in tamga's own
/// code or a dependency's, becomes [`LabelError::Panicked`] for that file
/// instead of ending the batch, the gate or the server. Every public entry
/// point that touches a file's bytes goes through here: sniffing and the
/// structural checks run before the watchdog's deadline applies.
pub(crate) fn guard<T>(
    path: &Path,
    work: impl FnOnce() -> Result<T, LabelError>,
) -> Result<T, LabelError> {
    GUARDED.set(GUARDED.get() + 1);
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    GUARDED.set(GUARDED.get().saturating_sub(1));
    out.unwrap_or_else(|_| Err(LabelError::Panicked { path: path.into() }))
}

/// Hands `job` to this thread's worker, starting one if there is none or
/// the old one is gone.
fn submit(job: Job) -> std::io::Result<()> {
    WORKER.with(|cell| {
        let mut worker = cell.borrow_mut();
        let job = match worker.as_ref() {
            Some(tx) => match tx.send(job) {
                Ok(()) => return Ok(()),
                // The worker has exited; take the job back and start anew.
                Err(mpsc::SendError(job)) => job,
            },
            None => job,
        };
        let (tx, rx) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name(WORKER_NAME.into())
            .spawn(move || {
                // Ends when the sender is dropped: when the calling thread
                // ends, or abandons this worker after a missed deadline.
                for job in rx {
                    job();
                }
            })?;
        tx.send(job)
            .map_err(|_| std::io::Error::other("the worker thread exited at once"))?;
        *worker = Some(tx);
        Ok(())
    })
}

/// Stops giving work to this thread's worker: it is stuck on a file that
/// missed its deadline. Once that work ends, the worker exits.
fn abandon() {
    WORKER.with(|cell| cell.borrow_mut().take());
}

/// Runs `work` on this thread's worker and waits at most `deadline` for it.
pub(crate) fn run<T, F>(path: &Path, deadline: Duration, work: F) -> Result<T, LabelError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, LabelError> + Send + 'static,
{
    let (tx, rx) = mpsc::sync_channel(1);
    submit(Box::new(move || {
        // A panic inside a dependency must not take the batch down: catch
        // it and report it against the file.
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        let _ = tx.send(out);
    }))
    .map_err(|e| LabelError::io(path, e))?;
    match rx.recv_timeout(deadline) {
        Ok(Ok(result)) => result,
        Ok(Err(_panic)) => Err(LabelError::Panicked { path: path.into() }),
        Err(_) => {
            abandon();
            Err(LabelError::Timeout {
                path: path.into(),
                seconds: deadline.as_secs(),
            })
        }
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
    fn a_panic_outside_the_worker_is_caught_by_the_guard_too() {
        assert!(!panic_is_caught());
        let r: Result<(), _> = guard(Path::new("short.m4a"), || {
            assert!(panic_is_caught());
            let head: &[u8] = &[0; 8];
            let _ = 16usize.clamp(16, head.len());
            Ok(())
        });
        assert_eq!(r.unwrap_err().kind(), "panicked");
        assert!(!panic_is_caught(), "the guard is left after a panic");
        assert_eq!(guard(Path::new("ok.jpg"), || Ok(3)).unwrap(), 3);
    }

    #[test]
    fn deadlines_grow_with_size() {
        assert!(
            deadline_for(1 << 30, Duration::from_secs(8))
                > deadline_for(1 << 20, Duration::from_secs(8))
        );
    }

    #[test]
    fn one_worker_serves_many_files() {
        let first = run(Path::new("a.jpg"), Duration::from_secs(5), || {
            Ok(thread::current().id())
        })
        .unwrap();
        for _ in 0..100 {
            let id = run(Path::new("b.jpg"), Duration::from_secs(5), || {
                Ok(thread::current().id())
            })
            .unwrap();
            assert_eq!(id, first);
        }
        assert_ne!(first, thread::current().id());
    }

    #[test]
    fn after_a_timeout_or_a_panic_the_next_file_still_runs() {
        let _ = run(
            Path::new("bad.png"),
            Duration::from_secs(5),
            || -> Result<(), _> { panic!("parser bug") },
        );
        let slow = run(Path::new("slow.jpg"), Duration::from_millis(50), || {
            thread::sleep(Duration::from_secs(5));
            Ok(thread::current().id())
        });
        assert!(matches!(slow, Err(LabelError::Timeout { .. })));
        // Not queued behind the stuck worker: a fresh one answers at once.
        let start = std::time::Instant::now();
        let next = run(Path::new("next.jpg"), Duration::from_secs(2), || Ok(7));
        assert_eq!(next.unwrap(), 7);
        assert!(start.elapsed() < Duration::from_secs(1));
    }
}
