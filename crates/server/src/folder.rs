//! The server's private upload folder, `tamga-serve-*` in the temp folder,
//! and the removal of those that killed servers left behind.
//!
//! A server removes its folder when it stops, but a killed one cannot. So
//! each server holds an exclusive lock on a `.lock` file inside its folder
//! for as long as it runs (the kernel releases it when the process ends,
//! however it ends), and every server, when it starts, removes the folders
//! whose lock it can take. A lock rather than a PID in the name: PIDs are
//! reused, and servers in different containers sharing one temp folder do
//! not see each other's PIDs.

use std::{
    fs::File,
    path::{Path, PathBuf},
};

/// What every upload folder's name starts with.
const PREFIX: &str = "tamga-serve-";
/// A folder is made under this name, locked, then renamed: a folder named
/// [`PREFIX`]… therefore always has its lock held while its server lives,
/// and no starting server can mistake one being made for a stale one.
const STAGING: &str = ".tamga-serve-new-";
/// The file each server keeps locked inside its folder.
const LOCK: &str = ".lock";

/// The upload folder of this server: private (0700), locked while the
/// server runs, removed with everything in it when dropped.
pub struct UploadRoot {
    path: PathBuf,
    /// Held open for the flock; closing it (or the process ending) frees it.
    _lock: File,
}

impl UploadRoot {
    /// Makes a new locked folder in `parent`.
    pub fn create_in(parent: &Path) -> std::io::Result<Self> {
        let staging = tempfile::Builder::new()
            .prefix(STAGING)
            .tempdir_in(parent)?;
        restrict(staging.path())?;
        let lock = File::create_new(staging.path().join(LOCK))?;
        // A file made just now: nobody else can hold its lock.
        lock.try_lock().map_err(std::io::Error::other)?;
        let path = parent.join(format!("{PREFIX}{}", uuid::Uuid::new_v4().simple()));
        let staging = staging.keep();
        if let Err(e) = std::fs::rename(&staging, &path) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        Ok(Self { path, _lock: lock })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes every upload folder in this one's parent that no live
    /// server holds and that belongs to this server's user; returns how
    /// many. Folders without a lock file (not made by this scheme) are
    /// left alone: nothing says whether their server still runs.
    pub fn remove_stale_siblings(&self) -> usize {
        let Some(parent) = self.path.parent() else {
            return 0;
        };
        let Ok(entries) = std::fs::read_dir(parent) else {
            return 0;
        };
        let owner = owner_of(&self.path);
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(PREFIX))
            .map(|e| e.path())
            .filter(|p| *p != self.path)
            .filter(|p| {
                // Never through a symbolic link, never someone else's.
                std::fs::symlink_metadata(p)
                    .is_ok_and(|m| m.is_dir() && owner.is_some() && owner_of_meta(&m) == owner)
            })
            .filter(|p| remove_if_stale(p))
            .count()
    }
}

impl Drop for UploadRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Removes `dir` if its lock can be taken, i.e. its server is gone. The
/// lock is held while removing, so two servers starting at once do not
/// both work on it.
fn remove_if_stale(dir: &Path) -> bool {
    let Ok(lock) = File::open(dir.join(LOCK)) else {
        return false;
    };
    if lock.try_lock().is_err() {
        return false;
    }
    std::fs::remove_dir_all(dir).is_ok()
}

#[cfg(unix)]
fn owner_of(path: &Path) -> Option<u32> {
    std::fs::symlink_metadata(path)
        .ok()
        .and_then(|m| owner_of_meta(&m))
}

#[cfg(unix)]
fn owner_of_meta(m: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    Some(m.uid())
}

#[cfg(not(unix))]
fn owner_of(_path: &Path) -> Option<u32> {
    Some(0)
}

#[cfg(not(unix))]
fn owner_of_meta(_m: &std::fs::Metadata) -> Option<u32> {
    Some(0)
}

#[cfg(unix)]
fn restrict(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn restrict(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_lock_marks_the_folder_stale_and_a_held_one_keeps_it() {
        let tmp = tempfile::tempdir().unwrap();
        let live = UploadRoot::create_in(tmp.path()).unwrap();
        std::fs::write(live.path().join("upload"), b"x").unwrap();
        // A killed server: its folder stays, its lock is gone.
        let dead = UploadRoot::create_in(tmp.path()).unwrap();
        let dead_path = dead.path().to_path_buf();
        std::fs::create_dir(dead_path.join("req-1")).unwrap();
        std::mem::forget(dead);
        // Not made by this scheme: left alone.
        std::fs::create_dir(tmp.path().join("tamga-serve-old")).unwrap();

        let me = UploadRoot::create_in(tmp.path()).unwrap();
        // The forgotten File still holds the lock in this process; a real
        // kill closes it. Closing is what the kernel does at exit.
        assert_eq!(me.remove_stale_siblings(), 0, "the lock is still held");
        drop_lock_of(&dead_path);
        assert_eq!(me.remove_stale_siblings(), 1);
        assert!(!dead_path.exists());
        assert!(live.path().join("upload").exists());
        assert!(me.path().exists());
        assert!(tmp.path().join("tamga-serve-old").exists());
        let path = me.path().to_path_buf();
        drop(me);
        assert!(!path.exists());
    }

    /// Frees the flock of a forgotten root by replacing its lock file: a
    /// new inode, unlocked, as after the holder died.
    fn drop_lock_of(dir: &Path) {
        std::fs::remove_file(dir.join(LOCK)).unwrap();
        File::create_new(dir.join(LOCK)).unwrap();
    }
}
