//! Running an outside tool (ffmpeg, ffprobe, cjxl) for a file under that
//! file's deadline.
//!
//! The watchdog gives up on a file whose work outlives its budget, but it
//! cannot stop a thread, and a tool the thread started would run on: an
//! ffmpeg stuck on a crafted video, or re-encoding hours of it, would hold
//! a core long after the batch moved on. So a tool started for a file is
//! watched from a thread of its own, which kills it once the file's budget
//! has run out ([`crate::watchdog::Deadline`]) and reaps it: no zombie, and
//! a caller blocked writing to the tool's stdin gets a broken pipe. The
//! watchdog also kills a file's tools itself as it gives up on the file,
//! so none outlives a CLI that exits right after.

use std::{
    io::Read,
    process::{Child, Command, ExitStatus, Output, Stdio},
    sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError},
    thread,
    time::Duration,
};

use crate::watchdog::Deadline;

/// How often a running tool is checked: first soon (most runs are short
/// probes), then less often.
const FIRST_POLL: Duration = Duration::from_millis(2);
const LONGEST_POLL: Duration = Duration::from_millis(100);

/// [`Command::output`] under the current file's deadline: the tool's
/// stdout and stderr, or `ErrorKind::TimedOut` when it was killed because
/// the file's budget ran out. Its stdin is empty.
pub fn output(cmd: &mut Command) -> std::io::Result<Output> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Both pipes are read while the tool runs, so a chatty one never
    // blocks on a full pipe.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = watch(child).wait()?;
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// A tool being watched: take its pipes before [`watch`], then [`Watched::wait`].
pub struct Watched {
    done: mpsc::Receiver<std::io::Result<ExitStatus>>,
}

/// Tools running for files under a deadline, so that the watchdog can
/// stop a file's tools the moment it gives up on the file (before a
/// one-shot CLI exits and leaves them running).
static RUNNING: Mutex<Vec<(Deadline, Arc<Mutex<Child>>)>> = Mutex::new(Vec::new());

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Kills every tool whose file's budget has run out; the watchdog calls
/// it when it gives up on a file. Each is reaped by its watching thread.
pub(crate) fn stop_expired() {
    for (deadline, child) in lock(&RUNNING).iter() {
        if deadline.expired() {
            let _ = lock(child).kill();
        }
    }
}

/// Watches `child` against the current file's deadline (outside the
/// watchdog, it simply runs to the end).
pub fn watch(child: Child) -> Watched {
    let deadline = crate::watchdog::current();
    let child = Arc::new(Mutex::new(child));
    if let Some(d) = &deadline {
        lock(&RUNNING).push((d.clone(), child.clone()));
    }
    let (tx, done) = mpsc::channel();
    thread::spawn(move || {
        let mut pause = FIRST_POLL;
        let status = loop {
            let mut c = lock(&child);
            match c.try_wait() {
                Ok(Some(status)) if !deadline.as_ref().is_some_and(|d| d.expired()) => {
                    break Ok(status)
                }
                Ok(Some(_)) => break Err(timed_out()),
                Ok(None) => {}
                Err(e) => break Err(e),
            }
            if deadline.as_ref().is_some_and(|d| d.expired()) {
                // Already gone is fine: it is reaped below either way.
                let _ = c.kill();
                let _ = c.wait();
                break Err(timed_out());
            }
            drop(c);
            thread::sleep(pause);
            pause = (pause * 2).min(LONGEST_POLL);
        };
        lock(&RUNNING).retain(|(_, c)| !Arc::ptr_eq(c, &child));
        let _ = tx.send(status);
    });
    Watched { done }
}

fn timed_out() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "stopped: the file's time budget ran out",
    )
}

impl Watched {
    /// The tool's exit status once it ends, or `ErrorKind::TimedOut` when
    /// it was killed at the deadline.
    pub fn wait(self) -> std::io::Result<ExitStatus> {
        self.done
            .recv()
            .map_err(|_| std::io::Error::other("the thread watching a tool died"))?
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        bytes
    })
}

#[cfg(test)]
mod tests {
    use std::{io::Write, path::Path};

    use super::*;
    use crate::MediaError;

    /// Runs `work` for a file with a 300 ms budget; what the watchdog's
    /// caller got, and what `work` itself ended with (it runs on after).
    fn past_the_deadline(
        work: impl FnOnce() -> std::io::Result<()> + Send + 'static,
    ) -> (Result<(), MediaError>, std::io::ErrorKind) {
        let (tx, rx) = mpsc::channel();
        let got = crate::watchdog::run(
            Path::new("slow.mp4"),
            Duration::from_millis(300),
            move || {
                let out = work();
                let _ = tx.send(out.as_ref().map_err(|e| e.kind()).err());
                out.map_err(|e| MediaError::io(Path::new("slow.mp4"), e))
            },
        );
        // The work, still waiting on its tool, ends soon after.
        let kind = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        (got, kind.expect("the tool was stopped"))
    }

    fn gone(pid_file: &Path) -> bool {
        let pid = std::fs::read_to_string(pid_file).unwrap();
        !Path::new(&format!("/proc/{}", pid.trim())).exists()
    }

    #[test]
    fn a_tool_is_killed_and_reaped_when_the_files_budget_runs_out() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let script = format!("echo $$ > '{}'; exec sleep 60", pid_file.display());
        let (got, kind) =
            past_the_deadline(move || output(Command::new("sh").args(["-c", &script])).map(|_| ()));
        assert!(matches!(got, Err(MediaError::Timeout { .. })), "{got:?}");
        assert_eq!(kind, std::io::ErrorKind::TimedOut);
        assert!(gone(&pid_file), "the tool is still there");
    }

    #[test]
    fn the_tool_is_already_killed_when_the_watchdog_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let script = format!("echo $$ > '{}'; exec sleep 60", pid_file.display());
        let got: Result<(), MediaError> = crate::watchdog::run(
            Path::new("slow.mp4"),
            Duration::from_millis(300),
            move || {
                output(Command::new("sh").args(["-c", &script]))
                    .map(|_| ())
                    .map_err(|e| MediaError::io(Path::new("slow.mp4"), e))
            },
        );
        assert!(matches!(got, Err(MediaError::Timeout { .. })), "{got:?}");
        // Killed (a zombie until its watcher reaps it, but not sleeping).
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let status = std::fs::read_to_string(format!("/proc/{}/status", pid.trim()));
        assert!(
            status.as_deref().map_or(true, |s| !s.contains("State:\tS")),
            "{status:?}"
        );
    }

    #[test]
    fn a_tool_that_stops_reading_its_input_is_killed_and_the_writer_freed() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let script = format!("echo $$ > '{}'; exec sleep 60", pid_file.display());
        let (got, kind) = past_the_deadline(move || {
            let mut child = Command::new("sh")
                .args(["-c", &script])
                .stdin(Stdio::piped())
                .spawn()?;
            let mut stdin = child.stdin.take().unwrap();
            let watched = watch(child);
            // More than a pipe holds: blocks until the tool is killed.
            let fed = stdin.write_all(&vec![0u8; 16 << 20]);
            assert_eq!(fed.unwrap_err().kind(), std::io::ErrorKind::BrokenPipe);
            drop(stdin);
            watched.wait().map(|_| ())
        });
        assert!(matches!(got, Err(MediaError::Timeout { .. })), "{got:?}");
        assert_eq!(kind, std::io::ErrorKind::TimedOut);
        assert!(gone(&pid_file), "the tool is still there");
    }

    #[test]
    fn outside_a_deadline_a_tool_runs_to_the_end_with_its_output() {
        let out =
            output(Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"])).unwrap();
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
        assert_eq!(out.status.code(), Some(3));
    }
}
