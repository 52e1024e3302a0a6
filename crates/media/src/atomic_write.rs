//! Writing an output so that no reader ever sees half of it, and cleaning
//! up after writers that were killed.
//!
//! Every output goes to a hidden temporary file beside its target
//! (`.NAME.XXXXXX.tamga-tmp`), is synced, then renamed over the target.
//! A process killed in between (`kill -9`, a power cut) leaves that file
//! behind, up to the full size of the output. The writer holds an
//! exclusive advisory lock (`flock`) on its temporary file for as long as
//! it lives, and the kernel drops it when the process dies, so the next
//! tamga run writing into the same folder can tell a dead writer's file
//! (lockable) from a live one's (locked) and remove only the former.

use std::{
    collections::HashSet,
    fs::File,
    path::{Path, PathBuf},
    sync::Mutex,
    time::{Duration, SystemTime},
};

use crate::MediaError;

/// The suffix of tamga's temporary files; nothing else is ever removed.
const SUFFIX: &str = ".tamga-tmp";

/// A temporary file this young is left alone even when unlocked: its
/// writer may have created it and not yet taken the lock.
const GRACE: Duration = Duration::from_secs(60);

/// Who may read an output tamga writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileMode {
    /// As any program's output: `0666` narrowed by the umask (`0644` under
    /// the usual `022`). Reports, labelled files.
    Usual,
    /// The owner only (`0600`), whatever the umask: secrets.
    Private,
}

impl FileMode {
    #[cfg(unix)]
    fn bits(self) -> u32 {
        match self {
            Self::Usual => 0o666,
            Self::Private => 0o600,
        }
    }
}

/// Writes `target` through a temporary file in the same directory: `fill`
/// writes it, then it is synced and renamed over `target`. On any error the
/// temporary file is removed and `target` is untouched. The file gets
/// `permissions` when given (a labelled file keeps its input's), else `mode`.
pub fn write_atomically<E: From<MediaError>>(
    target: &Path,
    permissions: Option<&std::fs::Permissions>,
    mode: FileMode,
    fill: impl FnOnce(&mut File) -> Result<(), E>,
) -> Result<(), E> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    sweep_once(dir);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(SUFFIX);
    // Created owner-only when the caller sets the final permissions (they
    // are applied before anyone can open the renamed file); else with the
    // mode the caller asks for, which the umask then narrows as for any
    // file a program creates.
    #[cfg(unix)]
    if permissions.is_none() {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(mode.bits()));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| MediaError::io(target, e))?;
    // Held until the file is renamed and closed (or this process dies).
    tmp.as_file()
        .lock()
        .map_err(|e| MediaError::io(target, e))?;
    fill(tmp.as_file_mut())?;
    if let Some(p) = permissions {
        tmp.as_file()
            .set_permissions(p.clone())
            .map_err(|e| MediaError::io(target, e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| MediaError::io(target, e))?;
    tmp.persist(target)
        .map_err(|e| MediaError::io(target, e.error))?;
    Ok(())
}

/// Writes `bytes` to `target` the same way, with `mode`: for what is not a
/// labelled file (a report, a labelled text read from a pipe), so that
/// every output of tamga is written, named and cleaned up alike.
pub fn write_bytes_atomically(
    target: &Path,
    bytes: &[u8],
    mode: FileMode,
) -> Result<(), MediaError> {
    use std::io::Write as _;
    write_atomically(target, None, mode, |f| {
        f.write_all(bytes).map_err(|e| MediaError::io(target, e))
    })
}

/// Sweeps `dir` for stale temporary files the first time this process
/// writes there (a batch writes thousands of files into one folder).
fn sweep_once(dir: &Path) {
    static SWEPT: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    {
        let mut swept = SWEPT.lock().unwrap_or_else(|p| p.into_inner());
        if !swept.get_or_insert_with(HashSet::new).insert(key) {
            return;
        }
    }
    // Best effort: a folder that cannot be listed is reported by the write.
    let _ = remove_stale(dir, SystemTime::now());
}

/// Removes the temporary files in `dir` that no live process holds and
/// that are older than [`GRACE`] at `now`; returns how many.
pub fn remove_stale(dir: &Path, now: SystemTime) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with('.') && name.ends_with(SUFFIX)) {
            continue;
        }
        // Never follow a link planted under our naming.
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let young = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_none_or(|age| age < GRACE);
        if young {
            continue;
        }
        let Ok(file) = File::open(entry.path()) else {
            continue;
        };
        // Locked: a live writer. Unlocked: its writer died.
        if file.try_lock().is_ok() && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_writers_file_is_removed_and_a_live_ones_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(".a.jpg.AbC123.tamga-tmp");
        std::fs::write(&dead, b"half a file").unwrap();
        let live = dir.path().join(".b.jpg.XyZ789.tamga-tmp");
        let held = File::create(&live).unwrap();
        held.lock().unwrap();
        let other = dir.path().join(".c.jpg.tmp");
        std::fs::write(&other, b"not ours").unwrap();

        let later = SystemTime::now() + GRACE * 2;
        // Within the grace period nothing is touched.
        assert_eq!(remove_stale(dir.path(), SystemTime::now()).unwrap(), 0);
        assert_eq!(remove_stale(dir.path(), later).unwrap(), 1);
        assert!(!dead.exists());
        assert!(live.exists(), "a live writer's file is kept");
        assert!(other.exists(), "only tamga's naming is touched");
        drop(held);
        assert_eq!(remove_stale(dir.path(), later).unwrap(), 1);
        assert!(!live.exists());
    }

    #[test]
    fn a_write_replaces_the_target_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jpg");
        write_atomically(&target, None, FileMode::Usual, |f| {
            use std::io::Write as _;
            f.write_all(b"labelled")
                .map_err(|e| MediaError::io("out.jpg", e))
        })
        .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"labelled");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn the_mode_is_the_callers_usual_narrowed_by_the_umask_private_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let mode = |name: &str, m: FileMode| {
            let target = dir.path().join(name);
            write_bytes_atomically(&target, b"x", m).unwrap();
            std::fs::metadata(&target).unwrap().permissions().mode() & 0o777
        };
        // The test process's umask is unknown here; a usual file gets at
        // least what the umask allows of 0644 and never more than 0666.
        let usual = mode("report.json", FileMode::Usual);
        assert_eq!(usual & 0o600, 0o600, "{usual:o}");
        assert_eq!(usual & !0o666, 0, "{usual:o}");
        assert_eq!(mode("secret", FileMode::Private), 0o600);
    }
}
