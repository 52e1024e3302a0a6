//! Errors, sorted by who can fix them: the URL's author, the network or
//! server, the schema's owner, the file system, or the caller.

use std::path::PathBuf;

/// Why a registry operation failed.
///
/// URLs in these errors are always [redacted](redact): a password in a
/// PostgreSQL URL never reaches a log or a terminal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The registry URL cannot be understood (unknown scheme, empty path,
    /// malformed PostgreSQL parameters).
    #[error("registry URL {url}: {reason}")]
    BadUrl {
        /// The URL, redacted.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The PostgreSQL server could not be reached or did not accept the
    /// connection for a reason other than authentication (no server on that
    /// host or socket, no such database, timeout).
    #[error("registry {url} is unreachable: {source}")]
    Unreachable {
        /// The URL, redacted.
        url: String,
        /// The client's or server's reason.
        #[source]
        source: BackendError,
    },
    /// The PostgreSQL server refused the user name or password.
    #[error("registry {url} refused the credentials: {source}")]
    Auth {
        /// The URL, redacted.
        url: String,
        /// The server's reason.
        #[source]
        source: BackendError,
    },
    /// The database was migrated by a newer tamga: this binary does not know
    /// its schema and must not write to it.
    #[error(
        "registry schema version {found} is newer than this tamga knows ({known}); upgrade tamga"
    )]
    NewerSchema {
        /// The highest migration recorded in the database.
        found: i64,
        /// The highest migration this binary has.
        known: i64,
    },
    /// A migration failed; the transaction was rolled back, so the database
    /// is still at the previous version.
    #[error("registry migration {version} failed: {source}")]
    Migration {
        /// The migration that failed.
        version: i64,
        /// The database's reason.
        #[source]
        source: BackendError,
    },
    /// The SQLite file or its folder could not be created or opened.
    #[error("registry file {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The reason.
        #[source]
        source: std::io::Error,
    },
    /// SQLite refused the file (not a database, locked, read-only).
    #[error("registry file {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// SQLite's reason.
        #[source]
        source: BackendError,
    },
    /// A query failed after the registry was opened (lost connection, disk
    /// full, lock timeout).
    #[error("registry query failed: {source}")]
    Query {
        /// The database's reason.
        #[source]
        source: BackendError,
    },
    /// The caller asked for something the registry cannot do (a distance
    /// beyond [`MAX_DISTANCE`](crate::MAX_DISTANCE), an empty manifest id).
    #[error("invalid registry request: {reason}")]
    Invalid {
        /// What is wrong.
        reason: String,
    },
    /// The database holds a value this crate never writes (a code that is
    /// not 8 bytes, a negative length): someone else wrote to it.
    #[error("registry holds unexpected data: {what}")]
    Corrupt {
        /// What was found.
        what: String,
    },
}

impl RegistryError {
    /// A stable short name of the cause, for exit codes, HTTP statuses and
    /// the CLI's advice.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::BadUrl { .. } => "bad-url",
            Self::Unreachable { .. } => "unreachable",
            Self::Auth { .. } => "auth",
            Self::NewerSchema { .. } => "newer-schema",
            Self::Migration { .. } => "migration",
            Self::Io { .. } => "io",
            Self::Open { .. } => "open",
            Self::Query { .. } => "query",
            Self::Invalid { .. } => "invalid",
            Self::Corrupt { .. } => "corrupt",
        }
    }

    pub(crate) fn query(source: impl Into<BackendError>) -> Self {
        Self::Query {
            source: source.into(),
        }
    }
}

/// The underlying database client's error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// From SQLite.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// From PostgreSQL.
    #[error(transparent)]
    Postgres(#[from] postgres::Error),
}

/// `url` with any password replaced by `***`: the user-info of a
/// `scheme://user:password@host` URL and every `password=` parameter
/// (query string or key=value form).
pub fn redact(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(scheme_end) = out.find("://") {
        let rest = scheme_end + 3;
        let authority_end = out[rest..].find(['/', '?']).map_or(out.len(), |i| rest + i);
        if let Some(at) = out[rest..authority_end].rfind('@') {
            let at = rest + at;
            if let Some(colon) = out[rest..at].find(':') {
                out.replace_range(rest + colon + 1..at, "***");
            }
        }
    }
    let mut from = 0;
    while let Some(i) = out[from..].to_ascii_lowercase().find("password=") {
        let start = from + i + "password=".len();
        let end = out[start..]
            .find(['&', ' '])
            .map_or(out.len(), |j| start + j);
        out.replace_range(start..end, "***");
        from = start + 3;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_survive_redaction() {
        for (url, want) in [
            (
                "postgres://tamga:s3cret@db.example/reg",
                "postgres://tamga:***@db.example/reg",
            ),
            (
                "postgresql://u:p%40ss@h:5432/db?password=x&host=/run",
                "postgresql://u:***@h:5432/db?password=***&host=/run",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            (
                "host=/run/pg user=u PASSWORD=hunter2 dbname=d",
                "host=/run/pg user=u PASSWORD=*** dbname=d",
            ),
            ("sqlite:/a:b@c", "sqlite:/a:b@c"),
        ] {
            assert_eq!(redact(url), want, "{url}");
        }
    }
}
