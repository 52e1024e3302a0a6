//! The PostgreSQL back end, for registries that several servers share.
//! Migrations serialise on an advisory lock; records rely on the primary
//! key (`ON CONFLICT DO NOTHING`), so concurrent writers of the same
//! manifest store it once. Requires PostgreSQL 14 or later (`bit_count`).

use std::collections::HashSet;

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Client, NoTls, Row, Transaction};

use crate::migrations::{self, Migration, MigrationTx, POSTGRES_MIGRATIONS_TABLE};
use crate::{
    bands, from_ms, to_ms, BindingRow, Match, MatchedBy, NewRecord, Recorded, RegistryError,
    StoredManifest,
};

/// The advisory lock migrations hold ("tamga" in ASCII): two servers
/// starting on an empty database must not both create the tables.
const MIGRATION_LOCK: i64 = 0x74_61_6d_67_61;

/// Candidates come from the four band indexes (index-only scans once the
/// table is vacuumed); the exact distance is computed in the server, so
/// only matches cross the wire. Bands not searched get an empty array.
const NEAREST: &str = "
WITH cand AS (
    SELECT id, code FROM bindings WHERE kind = $1 AND b0 = ANY($2)
    UNION ALL SELECT id, code FROM bindings WHERE kind = $1 AND b1 = ANY($3)
    UNION ALL SELECT id, code FROM bindings WHERE kind = $1 AND b2 = ANY($4)
    UNION ALL SELECT id, code FROM bindings WHERE kind = $1 AND b3 = ANY($5)
), hit AS (
    SELECT DISTINCT id, bit_count((code # $6)::bit(64))::INTEGER AS d
    FROM cand WHERE bit_count((code # $6)::bit(64)) <= $7
)
SELECT b.manifest_id, b.alg, b.kind, hit.d FROM hit JOIN bindings b ON b.id = hit.id
WHERE b.alg = $8";

pub(crate) struct Db {
    client: Client,
}

impl Db {
    pub(crate) fn open(config: &postgres::Config, url: &str) -> Result<Self, RegistryError> {
        let client = config.connect(NoTls).map_err(|e| {
            // SQLSTATE class 28: invalid authorization (bad user or password).
            let auth = e.code().is_some_and(|c| c.code().starts_with("28"));
            let url = url.to_owned();
            let source = e.into();
            if auth {
                RegistryError::Auth { url, source }
            } else {
                RegistryError::Unreachable { url, source }
            }
        })?;
        // A lookup is a few milliseconds of index probes: starting parallel
        // workers for it costs more than it saves (measured at a million
        // rows, 28 ms with two workers against 11 ms without) and takes
        // cores from the other sessions. Only this session is affected.
        let mut client = client;
        client
            .batch_execute("SET max_parallel_workers_per_gather = 0")
            .map_err(RegistryError::query)?;
        let mut db = Self { client };
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&mut self) -> Result<(), RegistryError> {
        let mut tx = self.tx()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(RegistryError::query)?;
        tx.batch_execute(POSTGRES_MIGRATIONS_TABLE)
            .map_err(RegistryError::query)?;
        migrations::run_pending(&mut Migrating(&mut tx))?;
        tx.commit().map_err(RegistryError::query)
    }

    fn tx(&mut self) -> Result<Transaction<'_>, RegistryError> {
        self.client.transaction().map_err(RegistryError::query)
    }

    pub(crate) fn schema_version(&mut self) -> Result<i64, RegistryError> {
        let mut tx = self.tx()?;
        current_version(&mut tx)
    }

    pub(crate) fn record(&mut self, record: &NewRecord) -> Result<Recorded, RegistryError> {
        let mut tx = self.tx()?;
        let added = tx
            .execute(
                "INSERT INTO manifests (id, store, media_type, created_ms, signer, ai, hard_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
                &[
                    &record.manifest_id,
                    &record.store,
                    &record.media_type,
                    &to_ms(record.created),
                    &record.signer,
                    &record.ai,
                    &record.hard_hash,
                ],
            )
            .map_err(RegistryError::query)?;
        if added == 0 {
            return Ok(Recorded::Existing);
        }
        let stmt = tx
            .prepare(
                "INSERT INTO bindings (manifest_id, alg, kind, value, code, b0, b1, b2, b3)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .map_err(RegistryError::query)?;
        for binding in &record.bindings {
            let row = BindingRow::new(binding);
            let [b0, b1, b2, b3] = row.bands;
            tx.execute(
                &stmt,
                &[
                    &record.manifest_id,
                    &binding.alg,
                    &binding.kind,
                    &binding.value,
                    &row.code,
                    &b0,
                    &b1,
                    &b2,
                    &b3,
                ],
            )
            .map_err(RegistryError::query)?;
        }
        tx.commit().map_err(RegistryError::query)?;
        Ok(Recorded::New)
    }

    /// COPY into temporary tables, then one INSERT … ON CONFLICT moves what
    /// is new: a million rows in seconds instead of a round trip each.
    pub(crate) fn record_many(&mut self, records: &[NewRecord]) -> Result<u64, RegistryError> {
        let q = RegistryError::query;
        let mut tx = self.tx()?;
        tx.batch_execute(
            "CREATE TEMP TABLE new_manifests (id TEXT, store BYTEA, media_type TEXT,
                 created_ms BIGINT, signer TEXT, ai TEXT, hard_hash BYTEA) ON COMMIT DROP;
             CREATE TEMP TABLE new_bindings (manifest_id TEXT, alg TEXT, kind TEXT,
                 value BYTEA, code BIGINT, b0 INTEGER, b1 INTEGER, b2 INTEGER, b3 INTEGER)
                 ON COMMIT DROP;",
        )
        .map_err(q)?;
        // The first of several records with one id wins, as in SQLite.
        let mut ids = HashSet::new();
        let unique: Vec<&NewRecord> = records
            .iter()
            .filter(|r| ids.insert(r.manifest_id.as_str()))
            .collect();
        copy_manifests(&mut tx, &unique)?;
        copy_bindings(&mut tx, &unique)?;
        let row = tx
            .query_one(
                "WITH ins AS (
                     INSERT INTO manifests (id, store, media_type, created_ms, signer, ai, hard_hash)
                     SELECT id, store, media_type, created_ms, signer, ai, hard_hash
                     FROM new_manifests ON CONFLICT (id) DO NOTHING RETURNING id
                 ), bind AS (
                     INSERT INTO bindings (manifest_id, alg, kind, value, code, b0, b1, b2, b3)
                     SELECT n.manifest_id, n.alg, n.kind, n.value, n.code, n.b0, n.b1, n.b2, n.b3
                     FROM new_bindings n JOIN ins ON ins.id = n.manifest_id
                 )
                 SELECT COUNT(*) FROM ins",
                &[],
            )
            .map_err(q)?;
        let new: i64 = row.try_get(0).map_err(q)?;
        tx.commit().map_err(q)?;
        count(new)
    }

    pub(crate) fn by_hash(&mut self, hash: &[u8]) -> Result<Vec<Match>, RegistryError> {
        let rows = self
            .client
            .query(
                "SELECT id FROM manifests WHERE hard_hash = $1 ORDER BY id",
                &[&hash],
            )
            .map_err(RegistryError::query)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(Match {
                manifest_id: row.try_get(0).map_err(RegistryError::query)?,
                by: MatchedBy::HardHash,
                distance: 0,
            });
        }
        out.extend(self.bindings_where("kind = 'instance' AND value = $1", &[&hash])?);
        Ok(out)
    }

    pub(crate) fn by_binding(
        &mut self,
        alg: &str,
        value: &[u8],
    ) -> Result<Vec<Match>, RegistryError> {
        self.bindings_where("value = $1 AND alg = $2", &[&value, &alg])
    }

    fn bindings_where(
        &mut self,
        filter: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Match>, RegistryError> {
        let sql = format!(
            "SELECT manifest_id, alg, kind, 0 FROM bindings WHERE {filter} ORDER BY manifest_id"
        );
        let rows = self
            .client
            .query(&sql, params)
            .map_err(RegistryError::query)?;
        rows.iter().map(binding_match).collect()
    }

    pub(crate) fn nearest(
        &mut self,
        alg: &str,
        kind: &str,
        code: u64,
        max: u32,
    ) -> Result<Vec<Match>, RegistryError> {
        let [p0, p1, p2, p3] = bands::probe_lists(code, max);
        // Same bits as stored: the column is a signed BIGINT.
        let code = code as i64;
        let max = i64::from(max);
        let rows = self
            .client
            .query(NEAREST, &[&kind, &p0, &p1, &p2, &p3, &code, &max, &alg])
            .map_err(RegistryError::query)?;
        rows.iter().map(binding_match).collect()
    }

    pub(crate) fn manifest(&mut self, id: &str) -> Result<Option<StoredManifest>, RegistryError> {
        let q = RegistryError::query;
        let Some(r) = self
            .client
            .query_opt(
                "SELECT id, store, media_type, hard_hash, signer, ai, created_ms
                 FROM manifests WHERE id = $1",
                &[&id],
            )
            .map_err(q)?
        else {
            return Ok(None);
        };
        Ok(Some(StoredManifest {
            id: r.try_get(0).map_err(q)?,
            store: r.try_get(1).map_err(q)?,
            media_type: r.try_get(2).map_err(q)?,
            hard_hash: r.try_get(3).map_err(q)?,
            signer: r.try_get(4).map_err(q)?,
            ai: r.try_get(5).map_err(q)?,
            created: from_ms(r.try_get(6).map_err(q)?),
        }))
    }

    pub(crate) fn bindings_of(
        &mut self,
        manifest_id: &str,
        alg: &str,
        kind: &str,
    ) -> Result<Vec<Vec<u8>>, RegistryError> {
        let q = RegistryError::query;
        self.client
            .query(
                "SELECT value FROM bindings WHERE manifest_id = $1 AND alg = $2 AND kind = $3
                 ORDER BY id",
                &[&manifest_id, &alg, &kind],
            )
            .map_err(q)?
            .iter()
            .map(|r| r.try_get(0).map_err(q))
            .collect()
    }

    pub(crate) fn count(&mut self) -> Result<u64, RegistryError> {
        let row = self
            .client
            .query_one("SELECT COUNT(*) FROM manifests", &[])
            .map_err(RegistryError::query)?;
        count(row.try_get(0).map_err(RegistryError::query)?)
    }

    /// Refreshes the planner's statistics and the visibility map (which
    /// index-only scans need) after a bulk import.
    pub(crate) fn analyze(&mut self) -> Result<(), RegistryError> {
        // One statement each: several in one batch form an implicit
        // transaction, and VACUUM cannot run inside one.
        for table in ["manifests", "bindings"] {
            self.client
                .batch_execute(&format!("VACUUM ANALYZE {table}"))
                .map_err(RegistryError::query)?;
        }
        Ok(())
    }
}

fn count(n: i64) -> Result<u64, RegistryError> {
    u64::try_from(n).map_err(|_| RegistryError::Corrupt {
        what: format!("a count of {n}"),
    })
}

/// The migration transaction, for [`migrations::run_pending`].
struct Migrating<'a, 'c>(&'a mut Transaction<'c>);

impl MigrationTx for Migrating<'_, '_> {
    type Error = postgres::Error;

    fn version(&mut self) -> Result<i64, RegistryError> {
        current_version(self.0)
    }

    fn apply(&mut self, m: &Migration, applied_ms: i64) -> Result<(), postgres::Error> {
        self.0.batch_execute(m.postgres)?;
        self.0.execute(
            "INSERT INTO migrations (version, name, applied_ms) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &applied_ms],
        )?;
        Ok(())
    }
}

fn current_version(tx: &mut Transaction<'_>) -> Result<i64, RegistryError> {
    tx.query_one(
        "SELECT COALESCE(MAX(version), 0)::BIGINT FROM migrations",
        &[],
    )
    .and_then(|r| r.try_get(0))
    .map_err(RegistryError::query)
}

/// A `(manifest_id, alg, kind, distance)` row.
fn binding_match(row: &Row) -> Result<Match, RegistryError> {
    let q = RegistryError::query;
    let d: i32 = row.try_get(3).map_err(q)?;
    Ok(Match {
        manifest_id: row.try_get(0).map_err(q)?,
        by: MatchedBy::Binding {
            alg: row.try_get(1).map_err(q)?,
            kind: row.try_get(2).map_err(q)?,
        },
        distance: u32::try_from(d).map_err(|_| RegistryError::Corrupt {
            what: format!("a distance of {d}"),
        })?,
    })
}

fn copy_manifests(tx: &mut Transaction<'_>, records: &[&NewRecord]) -> Result<(), RegistryError> {
    let q = RegistryError::query;
    let sink = tx
        .copy_in("COPY new_manifests FROM STDIN (FORMAT binary)")
        .map_err(q)?;
    let types = [
        Type::TEXT,
        Type::BYTEA,
        Type::TEXT,
        Type::INT8,
        Type::TEXT,
        Type::TEXT,
        Type::BYTEA,
    ];
    let mut w = BinaryCopyInWriter::new(sink, &types);
    for r in records {
        w.write(&[
            &r.manifest_id,
            &r.store,
            &r.media_type,
            &to_ms(r.created),
            &r.signer,
            &r.ai,
            &r.hard_hash,
        ])
        .map_err(q)?;
    }
    w.finish().map_err(q)?;
    Ok(())
}

fn copy_bindings(tx: &mut Transaction<'_>, records: &[&NewRecord]) -> Result<(), RegistryError> {
    let q = RegistryError::query;
    let sink = tx
        .copy_in("COPY new_bindings FROM STDIN (FORMAT binary)")
        .map_err(q)?;
    let types = [
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::BYTEA,
        Type::INT8,
        Type::INT4,
        Type::INT4,
        Type::INT4,
        Type::INT4,
    ];
    let mut w = BinaryCopyInWriter::new(sink, &types);
    for r in records {
        for binding in &r.bindings {
            let row = BindingRow::new(binding);
            let [b0, b1, b2, b3] = row.bands;
            w.write(&[
                &r.manifest_id,
                &binding.alg,
                &binding.kind,
                &binding.value,
                &row.code,
                &b0,
                &b1,
                &b2,
                &b3,
            ])
            .map_err(q)?;
        }
    }
    w.finish().map_err(q)?;
    Ok(())
}
