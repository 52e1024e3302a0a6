//! The SQLite back end: one file (or memory), WAL so readers never wait
//! for the writer, a busy timeout so concurrent writers queue instead of
//! failing, and foreign keys on so bindings never outlive their manifest.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use std::rc::Rc;

use rusqlite::types::Value;
use rusqlite::vtab::array::Array;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::migrations::{self, Migration, MigrationTx, SQLITE_MIGRATIONS_TABLE};
use crate::{
    bands, from_ms, to_ms, within, BindingRow, Match, MatchedBy, NewRecord, Recorded,
    RegistryError, StoredManifest,
};

/// How long a writer waits for another writer's transaction before giving
/// up with "database is locked": longer than any single record takes.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// One query per band (column names cannot be bound as parameters), the
/// band's probe list bound as one array. Each is answered from the band's
/// covering index alone.
const BAND_QUERIES: [&str; bands::BANDS] = [
    "SELECT id, code FROM bindings WHERE kind = ?1 AND b0 IN rarray(?2)",
    "SELECT id, code FROM bindings WHERE kind = ?1 AND b1 IN rarray(?2)",
    "SELECT id, code FROM bindings WHERE kind = ?1 AND b2 IN rarray(?2)",
    "SELECT id, code FROM bindings WHERE kind = ?1 AND b3 IN rarray(?2)",
];

pub(crate) struct Db {
    conn: Connection,
}

impl Db {
    pub(crate) fn open(path: Option<PathBuf>) -> Result<Self, RegistryError> {
        let label = path.clone().unwrap_or_else(|| ":memory:".into());
        let open_err = |e: rusqlite::Error| RegistryError::Open {
            path: label.clone(),
            source: e.into(),
        };
        let conn = match &path {
            None => Connection::open_in_memory().map_err(open_err)?,
            Some(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| RegistryError::Io {
                        path: dir.to_owned(),
                        source,
                    })?;
                }
                let conn = Connection::open(path).map_err(open_err)?;
                // Before anything takes a lock: switching a new file to WAL
                // while another process does the same must wait, not fail.
                conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
                // The first statement that reads the file: a file that is not
                // a database fails here, as an `Open` error naming it.
                wal(&conn).map_err(open_err)?;
                // WAL makes NORMAL durable across application crashes; only
                // a power loss can drop the last commits.
                conn.pragma_update(None, "synchronous", "NORMAL")
                    .map_err(open_err)?;
                conn
            }
        };
        rusqlite::vtab::array::load_module(&conn).map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        let mut db = Self { conn };
        db.migrate()?;
        Ok(db)
    }

    /// Runs the pending migrations in one IMMEDIATE transaction: it takes
    /// the write lock first, so two processes opening a new file migrate
    /// one after the other and the second finds nothing to do.
    fn migrate(&mut self) -> Result<(), RegistryError> {
        let tx = self.write()?;
        tx.execute_batch(SQLITE_MIGRATIONS_TABLE)
            .map_err(RegistryError::query)?;
        migrations::run_pending(&mut Migrating(&tx))?;
        tx.commit().map_err(RegistryError::query)
    }

    /// A write transaction that takes the write lock at once (IMMEDIATE):
    /// a deferred one that reads first and then writes can fail with
    /// SQLITE_BUSY mid-way instead of waiting for the other writer.
    fn write(&mut self) -> Result<Transaction<'_>, RegistryError> {
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(RegistryError::query)
    }

    pub(crate) fn schema_version(&mut self) -> Result<i64, RegistryError> {
        let tx = self.conn.transaction().map_err(RegistryError::query)?;
        current_version(&tx)
    }

    pub(crate) fn record(&mut self, record: &NewRecord) -> Result<Recorded, RegistryError> {
        let tx = self.write()?;
        let new = insert(&tx, record)?;
        tx.commit().map_err(RegistryError::query)?;
        Ok(if new {
            Recorded::New
        } else {
            Recorded::Existing
        })
    }

    pub(crate) fn record_many(&mut self, records: &[NewRecord]) -> Result<u64, RegistryError> {
        let tx = self.write()?;
        let mut new = 0;
        for record in records {
            new += u64::from(insert(&tx, record)?);
        }
        tx.commit().map_err(RegistryError::query)?;
        Ok(new)
    }

    pub(crate) fn by_hash(&mut self, hash: &[u8]) -> Result<Vec<Match>, RegistryError> {
        let mut out = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM manifests WHERE hard_hash = ?1 ORDER BY id")
            .map_err(RegistryError::query)?;
        let ids = stmt
            .query_map([hash], |r| r.get::<_, String>(0))
            .map_err(RegistryError::query)?;
        for id in ids {
            out.push(Match {
                manifest_id: id.map_err(RegistryError::query)?,
                by: MatchedBy::HardHash,
                distance: 0,
            });
        }
        drop(stmt);
        out.extend(self.bindings_where("kind = 'instance' AND value = ?1", params![hash])?);
        Ok(out)
    }

    pub(crate) fn by_binding(
        &mut self,
        alg: &str,
        value: &[u8],
    ) -> Result<Vec<Match>, RegistryError> {
        self.bindings_where("value = ?1 AND alg = ?2", params![value, alg])
    }

    fn bindings_where(
        &self,
        filter: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Match>, RegistryError> {
        let sql = format!(
            "SELECT manifest_id, alg, kind FROM bindings WHERE {filter} ORDER BY manifest_id"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(RegistryError::query)?;
        let rows = stmt
            .query_map(params, |r| {
                Ok(Match {
                    manifest_id: r.get(0)?,
                    by: MatchedBy::Binding {
                        alg: r.get(1)?,
                        kind: r.get(2)?,
                    },
                    distance: 0,
                })
            })
            .map_err(RegistryError::query)?;
        rows.collect::<Result<_, _>>().map_err(RegistryError::query)
    }

    /// Probes each band's index with the query's probe list and checks the
    /// exact distance in Rust: SQLite has no popcount, and the candidates
    /// come from the covering indexes without touching the table.
    pub(crate) fn nearest(
        &mut self,
        alg: &str,
        kind: &str,
        code: u64,
        max: u32,
    ) -> Result<Vec<Match>, RegistryError> {
        let lists = bands::probe_lists(code, max);
        let mut hits: Vec<(i64, u32)> = Vec::new();
        let mut seen = HashSet::new();
        for (sql, list) in BAND_QUERIES.iter().zip(lists) {
            if list.is_empty() {
                continue;
            }
            let mut stmt = self
                .conn
                .prepare_cached(sql)
                .map_err(RegistryError::query)?;
            let list: Array = Rc::new(list.into_iter().map(Value::from).collect());
            let mut rows = stmt
                .query(params![kind, list])
                .map_err(RegistryError::query)?;
            while let Some(row) = rows.next().map_err(RegistryError::query)? {
                let id: i64 = row.get(0).map_err(RegistryError::query)?;
                let stored: Option<i64> = row.get(1).map_err(RegistryError::query)?;
                if let Some(d) = stored.and_then(|c| within(c, code, max)) {
                    if seen.insert(id) {
                        hits.push((id, d));
                    }
                }
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT manifest_id, alg, kind FROM bindings WHERE id = ?1")
            .map_err(RegistryError::query)?;
        let mut out = Vec::with_capacity(hits.len());
        for (id, distance) in hits {
            let (manifest_id, found_alg, kind): (String, String, String) = stmt
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(RegistryError::query)?;
            if found_alg == alg {
                out.push(Match {
                    manifest_id,
                    by: MatchedBy::Binding {
                        alg: found_alg,
                        kind,
                    },
                    distance,
                });
            }
        }
        Ok(out)
    }

    pub(crate) fn manifest(&mut self, id: &str) -> Result<Option<StoredManifest>, RegistryError> {
        self.conn
            .query_row(
                "SELECT id, store, media_type, hard_hash, signer, ai, created_ms
                 FROM manifests WHERE id = ?1",
                [id],
                |r| {
                    Ok(StoredManifest {
                        id: r.get(0)?,
                        store: r.get(1)?,
                        media_type: r.get(2)?,
                        hard_hash: r.get(3)?,
                        signer: r.get(4)?,
                        ai: r.get(5)?,
                        created: from_ms(r.get(6)?),
                    })
                },
            )
            .optional()
            .map_err(RegistryError::query)
    }

    pub(crate) fn bindings_of(
        &mut self,
        manifest_id: &str,
        alg: &str,
        kind: &str,
    ) -> Result<Vec<Vec<u8>>, RegistryError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT value FROM bindings WHERE manifest_id = ?1 AND alg = ?2 AND kind = ?3
                 ORDER BY id",
            )
            .map_err(RegistryError::query)?;
        let rows = stmt
            .query_map(params![manifest_id, alg, kind], |r| r.get(0))
            .map_err(RegistryError::query)?;
        rows.collect::<Result<_, _>>().map_err(RegistryError::query)
    }

    pub(crate) fn analyze(&mut self) -> Result<(), RegistryError> {
        self.conn
            .execute_batch("ANALYZE")
            .map_err(RegistryError::query)
    }

    pub(crate) fn count(&mut self) -> Result<u64, RegistryError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM manifests", [], |r| r.get(0))
            .map_err(RegistryError::query)?;
        u64::try_from(n).map_err(|_| RegistryError::Corrupt {
            what: format!("a count of {n} manifests"),
        })
    }
}

/// The migration transaction, for [`migrations::run_pending`].
struct Migrating<'a, 'c>(&'a Transaction<'c>);

impl MigrationTx for Migrating<'_, '_> {
    type Error = rusqlite::Error;

    fn version(&mut self) -> Result<i64, RegistryError> {
        current_version(self.0)
    }

    fn apply(&mut self, m: &Migration, applied_ms: i64) -> Result<(), rusqlite::Error> {
        self.0.execute_batch(m.sqlite)?;
        self.0.execute(
            "INSERT INTO migrations (version, name, applied_ms) VALUES (?1, ?2, ?3)",
            params![m.version, m.name, applied_ms],
        )?;
        Ok(())
    }
}

fn current_version(tx: &Transaction<'_>) -> Result<i64, RegistryError> {
    tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM migrations",
        [],
        |r| r.get(0),
    )
    .map_err(RegistryError::query)
}

/// Inserts the manifest and its bindings unless the id is already stored;
/// true when it was new.
fn insert(tx: &Transaction<'_>, record: &NewRecord) -> Result<bool, RegistryError> {
    let added = tx
        .prepare_cached(
            "INSERT INTO manifests (id, store, media_type, created_ms, signer, ai, hard_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
        )
        .and_then(|mut s| {
            s.execute(params![
                record.manifest_id,
                record.store,
                record.media_type,
                to_ms(record.created),
                record.signer,
                record.ai,
                record.hard_hash,
            ])
        })
        .map_err(RegistryError::query)?;
    if added == 0 {
        return Ok(false);
    }
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO bindings (manifest_id, alg, kind, value, code, b0, b1, b2, b3)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .map_err(RegistryError::query)?;
    for binding in &record.bindings {
        let row = BindingRow::new(binding);
        let [b0, b1, b2, b3] = row.bands;
        stmt.execute(params![
            record.manifest_id,
            binding.alg,
            binding.kind,
            binding.value,
            row.code,
            b0,
            b1,
            b2,
            b3,
        ])
        .map_err(RegistryError::query)?;
    }
    Ok(true)
}

/// Switches the file to WAL. The switch needs the file to itself for a
/// moment, and SQLite answers `SQLITE_BUSY` at once (without the busy
/// handler) while another process opens or switches the same new file:
/// two writers starting together saw "database is locked" under load. So
/// the switch is retried, within the same budget as the busy timeout.
fn wal(conn: &Connection) -> Result<(), rusqlite::Error> {
    let start = std::time::Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && start.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.map(drop),
        }
    }
}
