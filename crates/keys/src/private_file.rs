use std::{fs, io::Write, path::Path};

use crate::KeyError;

/// Writes `contents` to `path` so that only the owner can read it (mode 0600
/// on Unix), atomically: a temporary file beside the target, synced, then
/// renamed. The file is created with the restrictive mode from the start, so
/// there is no window in which the key is world-readable.
pub fn write_private_file(path: &Path, contents: &[u8]) -> Result<(), KeyError> {
    write_file(path, contents, true)
}

pub(crate) fn write_public_file(path: &Path, contents: &[u8]) -> Result<(), KeyError> {
    write_file(path, contents, false)
}

fn write_file(path: &Path, contents: &[u8], private: bool) -> Result<(), KeyError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tamga-key-").suffix(".tmp");
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| KeyError::io(path, e))?;
    tmp.write_all(contents).map_err(|e| KeyError::io(path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| KeyError::io(path, e))?;
    #[cfg(unix)]
    if !private {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o644))
            .map_err(|e| KeyError::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| KeyError::io(path, e.error))?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn private_files_are_owner_only() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let p = dir.path().join("k.pem");
        write_private_file(&p, b"secret")?;
        assert_eq!(fs::metadata(&p)?.permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::read(&p)?, b"secret");
        Ok(())
    }
}
