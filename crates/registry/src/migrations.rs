//! The schema, as numbered migrations. Each migration is one logical change
//! written once per back end: the tables, columns and indexes are the same,
//! only the type names differ (BLOB/BYTEA, INTEGER/BIGINT, identity columns)
//! and PostgreSQL's band indexes carry the code and row id as INCLUDE
//! columns where SQLite's take the code as a third key column (SQLite has no
//! INCLUDE, and its indexes hold the rowid anyway). Both make the band
//! probes index-only: at a million rows, fetching each candidate's row
//! instead made PostgreSQL's probes 25 times slower (80 ms against 3 ms for
//! 10,000 candidates).
//!
//! Never edit a released migration: add the next one.

use crate::{BackendError, RegistryError};

/// One schema change.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sqlite: &'static str,
    pub(crate) postgres: &'static str,
}

/// The bookkeeping table, created before any migration runs.
pub(crate) const SQLITE_MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS migrations (
    version INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    applied_ms INTEGER NOT NULL
)";
pub(crate) const POSTGRES_MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_ms BIGINT NOT NULL
)";

/// All migrations, in order; versions are 1, 2, 3, … without gaps.
pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "manifests and bindings",
    sqlite: "
CREATE TABLE manifests (
    id TEXT PRIMARY KEY NOT NULL,
    store BLOB NOT NULL,
    media_type TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    signer TEXT,
    ai TEXT,
    hard_hash BLOB
);
CREATE INDEX manifests_hard_hash ON manifests (hard_hash);
CREATE TABLE bindings (
    id INTEGER PRIMARY KEY,
    manifest_id TEXT NOT NULL REFERENCES manifests (id) ON DELETE CASCADE,
    alg TEXT NOT NULL,
    kind TEXT NOT NULL,
    value BLOB NOT NULL,
    code INTEGER,
    b0 INTEGER,
    b1 INTEGER,
    b2 INTEGER,
    b3 INTEGER
);
CREATE INDEX bindings_manifest ON bindings (manifest_id);
CREATE INDEX bindings_value ON bindings (value);
CREATE INDEX bindings_b0 ON bindings (kind, b0, code);
CREATE INDEX bindings_b1 ON bindings (kind, b1, code);
CREATE INDEX bindings_b2 ON bindings (kind, b2, code);
CREATE INDEX bindings_b3 ON bindings (kind, b3, code);
",
    postgres: "
CREATE TABLE manifests (
    id TEXT PRIMARY KEY,
    store BYTEA NOT NULL,
    media_type TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    signer TEXT,
    ai TEXT,
    hard_hash BYTEA
);
CREATE INDEX manifests_hard_hash ON manifests (hard_hash);
CREATE TABLE bindings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    manifest_id TEXT NOT NULL REFERENCES manifests (id) ON DELETE CASCADE,
    alg TEXT NOT NULL,
    kind TEXT NOT NULL,
    value BYTEA NOT NULL,
    code BIGINT,
    b0 INTEGER,
    b1 INTEGER,
    b2 INTEGER,
    b3 INTEGER
);
CREATE INDEX bindings_manifest ON bindings (manifest_id);
CREATE INDEX bindings_value ON bindings (value);
CREATE INDEX bindings_b0 ON bindings (kind, b0) INCLUDE (code, id);
CREATE INDEX bindings_b1 ON bindings (kind, b1) INCLUDE (code, id);
CREATE INDEX bindings_b2 ON bindings (kind, b2) INCLUDE (code, id);
CREATE INDEX bindings_b3 ON bindings (kind, b3) INCLUDE (code, id);
",
}];

/// The schema version this binary brings a database to.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A back end's migration transaction, open and holding whatever lock
/// keeps two processes from migrating at once.
pub(crate) trait MigrationTx {
    /// The database's error type.
    type Error: Into<BackendError>;
    /// The newest migration applied (0 for a new database).
    fn version(&mut self) -> Result<i64, RegistryError>;
    /// Runs `m` and records it in the bookkeeping table.
    fn apply(&mut self, m: &Migration, applied_ms: i64) -> Result<(), Self::Error>;
}

/// Applies, in order, the migrations newer than the database's version;
/// refuses a database a newer tamga has migrated. The caller commits.
pub(crate) fn run_pending(tx: &mut impl MigrationTx) -> Result<(), RegistryError> {
    let found = tx.version()?;
    if found > SCHEMA_VERSION {
        return Err(RegistryError::NewerSchema {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        let now = crate::to_ms(std::time::SystemTime::now());
        tx.apply(m, now).map_err(|e| RegistryError::Migration {
            version: m.version,
            source: e.into(),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
        }
    }
}
