//! Registry URLs: the scheme chooses the back end.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::{redact, RegistryError};

pub(crate) enum Target {
    /// A SQLite file, or `None` for an in-memory database.
    Sqlite(Option<PathBuf>),
    // Boxed: the config is ~400 bytes, the SQLite path 24.
    Postgres(Box<postgres::Config>),
}

/// How long a PostgreSQL connection attempt may take when the URL does not
/// say: without a limit an unreachable host hangs `tamga label` for minutes.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) fn parse(url: &str) -> Result<Target, RegistryError> {
    let bad = |reason: &str| RegistryError::BadUrl {
        url: redact(url),
        reason: reason.to_owned(),
    };
    if let Some(rest) = url.strip_prefix("sqlite:") {
        if rest == ":memory:" {
            return Ok(Target::Sqlite(None));
        }
        // `sqlite:///abs/path` and `sqlite://rel` as other tools write them.
        let path = rest.strip_prefix("//").unwrap_or(rest);
        if path.is_empty() {
            return Err(bad("no file path after `sqlite:`"));
        }
        return Ok(Target::Sqlite(Some(PathBuf::from(path))));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut config = postgres::Config::from_str(url).map_err(|e| bad(&e.to_string()))?;
        if config.get_hosts().is_empty() {
            return Err(bad("no host (a name, an address or ?host=/socket/folder)"));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        return Ok(Target::Postgres(Box::new(config)));
    }
    Err(bad(
        "unknown scheme; expected sqlite:PATH, sqlite::memory: or postgres://…",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(url: &str) -> Option<PathBuf> {
        match parse(url) {
            Ok(Target::Sqlite(p)) => p,
            _ => panic!("{url} is not sqlite"),
        }
    }

    #[test]
    fn sqlite_urls() {
        assert_eq!(path("sqlite::memory:"), None);
        assert_eq!(path("sqlite:reg.db"), Some("reg.db".into()));
        assert_eq!(path("sqlite:/var/reg.db"), Some("/var/reg.db".into()));
        assert_eq!(path("sqlite:///var/reg.db"), Some("/var/reg.db".into()));
    }

    #[test]
    fn postgres_urls_with_sockets() {
        for url in [
            "postgres://u@localhost/db",
            "postgresql://u:pw@127.0.0.1:5433/db",
            "postgres://u@/db?host=/run/postgresql",
            "postgres://u@%2Frun%2Fpostgresql/db",
        ] {
            assert!(matches!(parse(url), Ok(Target::Postgres(_))), "{url}");
        }
    }

    #[test]
    fn bad_urls_say_why_without_the_password() {
        for url in [
            "sqlite:",
            "mysql://u:hunter2@h/db",
            "postgres://u:hunter2@h:notaport/db",
            "/var/reg.db",
        ] {
            let Err(e) = parse(url) else {
                panic!("{url} accepted")
            };
            assert_eq!(e.kind(), "bad-url", "{url}");
            let text = e.to_string();
            assert!(!text.contains("hunter2"), "{text}");
        }
    }
}
