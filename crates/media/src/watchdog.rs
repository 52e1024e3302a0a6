//! A deadline for work on untrusted files.
//!
//! The structural checks in [`crate::guard`] stop the crafted files we know
//! of; the watchdog bounds the ones we do not. The work runs on a worker
//! thread; if it misses the deadline the caller gets [`MediaError::Timeout`]
//! and moves on. The stuck thread cannot be killed safely in Rust, so it is
//! left to finish or die with the process: a one-shot CLI exits soon after,
//! and a batch reports the file and continues.
//!
//! Each calling thread keeps one worker and reuses it from file to file, so
//! a batch of thousands of files does not create thousands of threads. A
//! worker that missed a deadline is abandoned (never handed more work: the
//! next call starts a fresh one), so one stuck file never delays another.
//!
//! The deadline is a [`TimeBudget`] that the work itself can raise as it
//! learns what the file holds (its pixels, its audio's length), within the
//! decoding limits: see [`allow_pixels`] and [`allow_audio`].

use std::{
    cell::{Cell, RefCell},
    path::Path,
    sync::{
        mpsc::{self, RecvTimeoutError, Sender},
        Arc, Mutex, PoisonError,
    },
    thread,
    time::{Duration, Instant},
};

use crate::{time_budget::TimeBudget, MediaError};

/// The budget for a file of `len` bytes: a base plus time to hash it at a
/// pessimistic 20 MB/s, so large honest files are never cut off. The work
/// adds time for pixels and audio as it finds them.
pub fn deadline_for(len: u64, base: Duration) -> TimeBudget {
    TimeBudget::new(base, len)
}

/// The running budget of the work on this (worker) thread, if any.
type Shared = Arc<Mutex<TimeBudget>>;

fn lock(b: &Shared) -> std::sync::MutexGuard<'_, TimeBudget> {
    b.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Grants the current file time for decoding and re-encoding an image of
/// `pixels` at `ms_per_megapixel` (see [`crate::time_budget`]). Called once
/// the size is known and within the limits; outside [`run`] it does nothing.
pub fn allow_pixels(pixels: u64, ms_per_megapixel: u64) {
    BUDGET.with(|b| {
        if let Some(b) = b.borrow().as_ref() {
            lock(b).allow_pixels(pixels, ms_per_megapixel);
        }
    });
}

/// Grants the current file time for `seconds` of audio; as [`allow_pixels`].
pub fn allow_audio(seconds: u64) {
    BUDGET.with(|b| {
        if let Some(b) = b.borrow().as_ref() {
            lock(b).allow_audio(seconds);
        }
    });
}

/// Grants the current file time for re-encoding video; as [`allow_pixels`]
/// (see [`TimeBudget::allow_video`]).
pub fn allow_video(seconds: u64, frames: u64, pixels: u64, ms_per_megapixel_frame: u64) {
    BUDGET.with(|b| {
        if let Some(b) = b.borrow().as_ref() {
            lock(b).allow_video(seconds, frames, pixels, ms_per_megapixel_frame);
        }
    });
}

/// The current file's deadline, to watch from another thread (a tool run
/// for the file, see [`crate::child_process`]); `None` outside [`run`].
pub fn current() -> Option<Deadline> {
    let started = STARTED.get()?;
    BUDGET.with(|b| {
        b.borrow().as_ref().map(|budget| Deadline {
            budget: budget.clone(),
            started,
        })
    })
}

/// A file's running budget, seen from any thread.
#[derive(Clone)]
pub struct Deadline {
    budget: Shared,
    started: Instant,
}

impl Deadline {
    /// Whether the budget has run out: the caller of [`run`] has given up
    /// on the file, so work still done for it should stop. The budget may
    /// still grow before then.
    pub fn expired(&self) -> bool {
        self.started.elapsed() >= lock(&self.budget).total()
    }
}

/// Grants the current file's audio time at `per_second` seconds of audio
/// per second of budget, if slower than granted (a watermark goes in).
pub fn allow_audio_rate(per_second: u64) {
    BUDGET.with(|b| {
        if let Some(b) = b.borrow().as_ref() {
            lock(b).allow_audio_rate(per_second);
        }
    });
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
    /// On a worker: the budget of the file it is working on.
    static BUDGET: RefCell<Option<Shared>> = const { RefCell::new(None) };
    /// On a worker: when the caller started waiting for that file.
    static STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
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
/// code or a dependency's, becomes [`MediaError::Panicked`] for that file
/// instead of ending the batch, the gate or the server. Every public entry
/// point that touches a file's bytes goes through here: sniffing and the
/// structural checks run before the watchdog's deadline applies.
pub fn guard<T, E: From<MediaError>>(
    path: &Path,
    work: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    GUARDED.set(GUARDED.get() + 1);
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    GUARDED.set(GUARDED.get().saturating_sub(1));
    out.unwrap_or_else(|_| Err(MediaError::Panicked { path: path.into() }.into()))
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

/// Runs `work` on this thread's worker and waits for it as long as its
/// budget allows, the budget growing with what the work grants itself.
pub fn run<T, E, F>(path: &Path, budget: impl Into<TimeBudget>, work: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<MediaError> + Send + 'static,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    let start = Instant::now();
    let shared: Shared = Arc::new(Mutex::new(budget.into()));
    let for_worker = shared.clone();
    let (tx, rx) = mpsc::sync_channel(1);
    submit(Box::new(move || {
        BUDGET.with(|b| *b.borrow_mut() = Some(for_worker));
        STARTED.set(Some(start));
        // A panic inside a dependency must not take the batch down: catch
        // it and report it against the file.
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        BUDGET.with(|b| b.borrow_mut().take());
        STARTED.set(None);
        let _ = tx.send(out);
    }))
    .map_err(|e| MediaError::io(path, e))?;
    loop {
        let allowed = lock(&shared).total();
        match rx.recv_timeout(allowed.saturating_sub(start.elapsed())) {
            Ok(Ok(result)) => return result,
            Ok(Err(_panic)) => return Err(MediaError::Panicked { path: path.into() }.into()),
            // The work granted itself more time while we waited.
            Err(RecvTimeoutError::Timeout) if lock(&shared).total() > allowed => continue,
            Err(RecvTimeoutError::Timeout) => {
                abandon();
                // Tools still working for the file stop now, not at their
                // watcher's next look (the CLI may be about to exit).
                crate::child_process::stop_expired();
                return Err(MediaError::Timeout {
                    path: path.into(),
                    budget: Box::new(*lock(&shared)),
                }
                .into());
            }
            // The job was dropped unrun: its worker died under it.
            Err(RecvTimeoutError::Disconnected) => {
                return Err(MediaError::Panicked { path: path.into() }.into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_past_the_deadline_is_abandoned_with_a_timeout() {
        let r: Result<(), MediaError> =
            run(Path::new("slow.jpg"), Duration::from_millis(50), || {
                thread::sleep(Duration::from_secs(5));
                Ok(())
            });
        assert!(matches!(r, Err(MediaError::Timeout { .. })));
    }

    #[test]
    fn a_panicking_parser_becomes_an_error() {
        let r: Result<(), MediaError> = run(Path::new("bad.png"), Duration::from_secs(5), || {
            panic!("parser bug")
        });
        let err = r.unwrap_err().to_string();
        assert!(err.contains("bad.png") && err.contains("panic"), "{err}");
    }

    #[test]
    fn a_panic_outside_the_worker_is_caught_by_the_guard_too() {
        assert!(!panic_is_caught());
        let r: Result<(), MediaError> = guard(Path::new("short.m4a"), || {
            assert!(panic_is_caught());
            let head: &[u8] = &[0; 8];
            let _ = 16usize.clamp(16, head.len());
            Ok(())
        });
        assert_eq!(r.unwrap_err().kind(), "panicked");
        assert!(!panic_is_caught(), "the guard is left after a panic");
        assert_eq!(
            guard(Path::new("ok.jpg"), || Ok::<_, MediaError>(3)).unwrap(),
            3
        );
    }

    #[test]
    fn deadlines_grow_with_size() {
        assert!(
            deadline_for(1 << 30, Duration::from_secs(8)).total()
                > deadline_for(1 << 20, Duration::from_secs(8)).total()
        );
    }

    #[test]
    fn work_that_grants_itself_time_for_its_pixels_is_not_cut_off() {
        // A 100 ms base; the work learns it has 1 MP at 1 s per MP (a
        // second more) and takes 300 ms.
        let r: Result<_, MediaError> =
            run(Path::new("big.heic"), Duration::from_millis(100), || {
                allow_pixels(1_000_000, 1000);
                thread::sleep(Duration::from_millis(300));
                Ok(5)
            });
        assert_eq!(r.unwrap(), 5);
        // Outside a worker, a grant is a no-op rather than a panic.
        allow_pixels(1, 1);
        allow_audio(1);
    }

    #[test]
    fn the_timeout_names_the_budget_that_ran_out() {
        let r: Result<(), MediaError> =
            run(Path::new("song.mp3"), Duration::from_millis(50), || {
                allow_audio(1);
                thread::sleep(Duration::from_secs(5));
                Ok(())
            });
        let e = r.unwrap_err();
        let MediaError::Timeout { budget, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(budget.audio_seconds, 1);
        assert_eq!(
            e.to_string(),
            "song.mp3: the notice on 1 s of audio took longer than its 1 s budget \
             (0 s base + 1 s for 1 s of audio at 1 s per 30 s)"
        );
    }

    #[test]
    fn one_worker_serves_many_files() {
        let first = run(Path::new("a.jpg"), Duration::from_secs(5), || {
            Ok::<_, MediaError>(thread::current().id())
        })
        .unwrap();
        for _ in 0..100 {
            let id = run(Path::new("b.jpg"), Duration::from_secs(5), || {
                Ok::<_, MediaError>(thread::current().id())
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
            || -> Result<(), MediaError> { panic!("parser bug") },
        );
        let slow: Result<_, MediaError> =
            run(Path::new("slow.jpg"), Duration::from_millis(50), || {
                thread::sleep(Duration::from_secs(5));
                Ok(thread::current().id())
            });
        assert!(matches!(slow, Err(MediaError::Timeout { .. })));
        // Not queued behind the stuck worker: a fresh one answers at once.
        let start = std::time::Instant::now();
        let next: Result<_, MediaError> =
            run(Path::new("next.jpg"), Duration::from_secs(2), || Ok(7));
        assert_eq!(next.unwrap(), 7);
        assert!(start.elapsed() < Duration::from_secs(1));
    }
}
