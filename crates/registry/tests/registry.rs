//! The registry against real databases: every test body runs on a SQLite
//! file and on a throwaway PostgreSQL cluster (skipped with a message when
//! PostgreSQL is not installed, a failure in CI).
#![allow(clippy::unwrap_used)] // a panic is a test failure with a backtrace

use std::process::Command;
use std::time::{Duration, SystemTime};

use tamga_registry::test_support::TestPostgres;
use tamga_registry::{Binding, MatchedBy, NewRecord, Recorded, Registry, RegistryError};

const ALG: &str = "io.iscc.v0";

/// A SQLite file in its own folder, and a PostgreSQL cluster when there is
/// one; the folder and cluster live as long as the returned guard.
struct Backends {
    _sqlite_dir: tempfile::TempDir,
    pg: Option<TestPostgres>,
    urls: Vec<String>,
}

fn backends(test: &str) -> Backends {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!(
        "sqlite:{}",
        dir.path().join("reg.sqlite").display()
    )];
    let pg = TestPostgres::start_or_skip(test);
    if let Some(pg) = &pg {
        urls.push(pg.url());
    }
    Backends {
        _sqlite_dir: dir,
        pg,
        urls,
    }
}

fn record(id: &str, code: u64) -> NewRecord {
    NewRecord {
        manifest_id: id.to_owned(),
        store: format!("store of {id}").into_bytes(),
        media_type: "image/png".into(),
        hard_hash: Some(id.as_bytes().to_vec()),
        bindings: vec![
            Binding::new(ALG, "image", code.to_be_bytes().to_vec()),
            Binding::new(ALG, "instance", [id.as_bytes(), b"#instance"].concat()),
        ],
        signer: Some("Test Signer".into()),
        ai: Some("trainedAlgorithmicMedia".into()),
        created: SystemTime::UNIX_EPOCH + Duration::from_millis(1_733_500_000_123),
    }
}

/// xorshift64: reproducible codes without a dependency.
struct Codes(u64);
impl Codes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A code exactly `d` bits from `base`.
    fn at(&mut self, base: u64, d: u32) -> u64 {
        let mut flip = 0u64;
        while flip.count_ones() < d {
            flip |= 1 << (self.next() % 64);
        }
        base ^ flip
    }
}

#[test]
fn record_and_look_up_round_trip() {
    let b = backends("record_and_look_up_round_trip");
    for url in &b.urls {
        let mut reg = Registry::open(url).unwrap();
        let rec = record("urn:c2pa:one", 0x0123_4567_89ab_cdef);
        assert_eq!(reg.record(&rec).unwrap(), Recorded::New, "{url}");
        // The same id again, even with other content: one row, unchanged.
        let mut again = record("urn:c2pa:one", 42);
        again.store = b"other".to_vec();
        assert_eq!(reg.record(&again).unwrap(), Recorded::Existing, "{url}");
        assert_eq!(reg.count().unwrap(), 1);

        let stored = reg.manifest("urn:c2pa:one").unwrap().unwrap();
        assert_eq!(stored.store, rec.store);
        assert_eq!(stored.media_type, "image/png");
        assert_eq!(stored.hard_hash, rec.hard_hash);
        assert_eq!(stored.signer.as_deref(), Some("Test Signer"));
        assert_eq!(stored.ai.as_deref(), Some("trainedAlgorithmicMedia"));
        assert_eq!(stored.created, rec.created);
        assert_eq!(reg.manifest("urn:c2pa:none").unwrap(), None);

        let hard = reg.by_hash(b"urn:c2pa:one").unwrap();
        assert_eq!(hard.len(), 1, "{url}");
        assert_eq!(hard[0].by, MatchedBy::HardHash);
        let instance = reg.by_hash(b"urn:c2pa:one#instance").unwrap();
        assert_eq!(instance.len(), 1, "{url}");
        assert_eq!(
            instance[0].by,
            MatchedBy::Binding {
                alg: ALG.into(),
                kind: "instance".into()
            }
        );
        assert!(reg.by_hash(b"nothing").unwrap().is_empty());

        let value = 0x0123_4567_89ab_cdef_u64.to_be_bytes();
        let exact = reg.by_binding(ALG, &value).unwrap();
        assert_eq!(exact.len(), 1, "{url}");
        assert_eq!(exact[0].manifest_id, "urn:c2pa:one");
        assert!(reg.by_binding("com.other", &value).unwrap().is_empty());

        let near = reg.nearest(ALG, "image", 0x0123_4567_89ab_cdee, 4, 10);
        assert_eq!(near.unwrap()[0].distance, 1, "{url}");
        assert!(reg
            .nearest(ALG, "audio", 0x0123_4567_89ab_cdef, 4, 10)
            .unwrap()
            .is_empty());
        assert!(reg
            .nearest("com.other", "image", 0x0123_4567_89ab_cdef, 4, 10)
            .unwrap()
            .is_empty());

        assert_eq!(
            reg.bindings_of("urn:c2pa:one", ALG, "instance").unwrap(),
            vec![b"urn:c2pa:one#instance".to_vec()],
            "{url}"
        );
        assert!(reg
            .bindings_of("urn:c2pa:one", ALG, "audio-256")
            .unwrap()
            .is_empty());
        assert!(reg
            .bindings_of("urn:c2pa:none", ALG, "instance")
            .unwrap()
            .is_empty());
    }
}

/// Codes at every distance 0..=20 from a query, among 2,000 random ones:
/// for each threshold the lookup returns exactly the codes a full scan
/// finds within it — nothing missed at `d <= threshold`, nothing beyond.
#[test]
fn nearest_finds_exactly_the_codes_within_the_distance() {
    let b = backends("nearest_finds_exactly_the_codes_within_the_distance");
    let mut codes = Codes(0x2545_f491_4f6c_dd1d);
    let query = codes.next();
    let mut all: Vec<(String, u64)> = (0..=20)
        .map(|d| (format!("urn:c2pa:d{d:02}"), codes.at(query, d)))
        .collect();
    all.extend((0..2000).map(|i| (format!("urn:c2pa:r{i:04}"), codes.next())));
    let records: Vec<NewRecord> = all.iter().map(|(id, c)| record(id, *c)).collect();
    for url in &b.urls {
        let mut reg = Registry::open(url).unwrap();
        assert_eq!(reg.record_many(&records).unwrap(), records.len() as u64);
        reg.analyze().unwrap();
        for threshold in [0, 1, 3, 4, 7, 8, 11, 12, 15] {
            let mut want: Vec<(u32, &str)> = all
                .iter()
                .map(|(id, c)| ((c ^ query).count_ones(), id.as_str()))
                .filter(|(d, _)| *d <= threshold)
                .collect();
            want.sort();
            let got = reg
                .nearest(ALG, "image", query, threshold, usize::MAX)
                .unwrap();
            let got: Vec<(u32, &str)> = got
                .iter()
                .map(|m| (m.distance, m.manifest_id.as_str()))
                .collect();
            assert_eq!(got, want, "{url} at {threshold}");
        }
        let limited = reg.nearest(ALG, "image", query, 15, 3).unwrap();
        assert_eq!(limited.len(), 3);
        assert_eq!(limited[0].manifest_id, "urn:c2pa:d00");
        let too_far = reg.nearest(ALG, "image", query, 16, 1).unwrap_err();
        assert_eq!(too_far.kind(), "invalid");
        // A second bulk load of the same ids adds nothing.
        assert_eq!(reg.record_many(&records[..10]).unwrap(), 0);
        assert_eq!(reg.count().unwrap(), records.len() as u64);
    }
}

#[test]
fn migrations_run_once_and_a_newer_schema_is_refused() {
    let b = backends("migrations_run_once_and_a_newer_schema_is_refused");
    for url in &b.urls {
        let mut reg = Registry::open(url).unwrap();
        assert_eq!(
            reg.schema_version().unwrap(),
            tamga_registry::SCHEMA_VERSION
        );
        reg.record(&record("urn:c2pa:kept", 1)).unwrap();
        drop(reg);
        let mut reg = Registry::open(url).unwrap();
        assert_eq!(
            reg.schema_version().unwrap(),
            tamga_registry::SCHEMA_VERSION
        );
        assert_eq!(reg.count().unwrap(), 1, "{url}: reopening keeps the data");
        drop(reg);

        pretend_newer_schema(url);
        let err = Registry::open(url).err().unwrap();
        assert!(
            matches!(err, RegistryError::NewerSchema { found: 999, known } if known == tamga_registry::SCHEMA_VERSION),
            "{url}: {err}"
        );
        assert!(err.to_string().contains("upgrade tamga"), "{err}");
    }
}

/// Writes a migration row from the future, as a newer tamga would.
fn pretend_newer_schema(url: &str) {
    let sql = "INSERT INTO migrations (version, name, applied_ms) VALUES (999, 'future', 0)";
    if let Some(path) = url.strip_prefix("sqlite:") {
        rusqlite_exec(path, sql);
    } else {
        let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
        c.batch_execute(sql).unwrap();
    }
}

fn rusqlite_exec(path: &str, sql: &str) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

#[test]
fn memory_registries_are_private_and_work() {
    let mut reg = Registry::open("sqlite::memory:").unwrap();
    assert_eq!(reg.record(&record("urn:c2pa:m", 7)).unwrap(), Recorded::New);
    assert_eq!(reg.nearest(ALG, "image", 7, 0, 1).unwrap().len(), 1);
    let mut other = Registry::open("sqlite::memory:").unwrap();
    assert_eq!(other.count().unwrap(), 0);
}

#[test]
fn bad_and_unreachable_registries_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("ftp://x/y".to_owned(), "bad-url"),
        ("sqlite:".to_owned(), "bad-url"),
        // Port 1 on loopback: nothing listens, the connection is refused.
        (
            "postgres://tamga:hunter2@127.0.0.1:1/reg".to_owned(),
            "unreachable",
        ),
        // A socket folder with no server in it.
        (
            format!(
                "postgres://tamga:hunter2@/reg?host={}",
                dir.path().display()
            ),
            "unreachable",
        ),
    ];
    for (url, kind) in cases {
        let err = Registry::open(&url).err().unwrap();
        assert_eq!(err.kind(), kind, "{url}: {err}");
        let text = format!("{err} {err:?}");
        assert!(!text.contains("hunter2"), "password printed: {text}");
    }

    // A file that is not a database, and a folder that cannot be made.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, vec![b'x'; 4096]).unwrap();
    let err = Registry::open(&format!("sqlite:{}", junk.display()))
        .err()
        .unwrap();
    assert_eq!(err.kind(), "open", "{err}");
    assert!(err.to_string().contains("junk.sqlite"), "{err}");
    let blocked = dir
        .path()
        .join("junk.sqlite")
        .join("sub")
        .join("reg.sqlite");
    let err = Registry::open(&format!("sqlite:{}", blocked.display()))
        .err()
        .unwrap();
    assert_eq!(err.kind(), "io", "{err}");
}

#[test]
fn a_missing_postgres_database_is_unreachable_not_a_crash() {
    let Some(pg) = TestPostgres::start_or_skip("a_missing_postgres_database") else {
        return;
    };
    let err = Registry::open(&pg.url_for("no_such_db")).err().unwrap();
    assert_eq!(err.kind(), "unreachable", "{err}");
    assert!(err.to_string().contains("no_such_db"), "{err}");
    // Once created (empty), the same database is migrated on first open.
    let url = pg.create_database("no_such_db").unwrap();
    let mut reg = Registry::open(&url).unwrap();
    assert_eq!(
        reg.schema_version().unwrap(),
        tamga_registry::SCHEMA_VERSION
    );

    // An unknown role is refused at authentication (SQLSTATE 28000), even
    // with trust authentication; a wrong password is the same class.
    let url = format!(
        "postgres://intruder:hunter2@/postgres?host={}",
        pg.socket_dir().display()
    );
    let err = Registry::open(&url).err().unwrap();
    assert_eq!(err.kind(), "auth", "{err}");
    let text = format!("{err} {err:?}");
    assert!(text.contains("intruder:***@"), "{text}");
    assert!(!text.contains("hunter2"), "password printed: {text}");
}

#[test]
fn registries_can_move_between_threads() {
    fn send<T: Send>() {}
    send::<Registry>();
    let path = Registry::default_sqlite_path().unwrap();
    assert!(
        path.ends_with("tamga/registry.sqlite"),
        "{}",
        path.display()
    );
}

/// The child half of the two-process test: writes its share of records
/// (half of them shared with the other child), then reads them all back.
#[test]
fn child_writer() {
    let (Ok(url), Ok(who)) = (
        std::env::var("TAMGA_REGISTRY_CHILD_URL"),
        std::env::var("TAMGA_REGISTRY_CHILD"),
    ) else {
        return; // not spawned by two_processes_share_one_registry
    };
    let mut reg = Registry::open(&url).unwrap();
    for i in 0..40 {
        // Even ids are written by both children, odd ones by one only.
        let id = if i % 2 == 0 {
            format!("urn:c2pa:shared-{i}")
        } else {
            format!("urn:c2pa:{who}-{i}")
        };
        reg.record(&record(&id, i)).unwrap();
    }
}

/// Two processes open one registry at once (both run the migrations on an
/// empty database), record concurrently, and one reads what the other
/// wrote; shared ids are stored once.
#[test]
fn two_processes_share_one_registry() {
    let b = backends("two_processes_share_one_registry");
    let exe = std::env::current_exe().unwrap();
    for url in &b.urls {
        let children: Vec<_> = ["a", "b"]
            .iter()
            .map(|who| {
                Command::new(&exe)
                    .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
                    .env("TAMGA_REGISTRY_CHILD_URL", url)
                    .env("TAMGA_REGISTRY_CHILD", who)
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{url}: a child failed");
        }
        let mut reg = Registry::open(url).unwrap();
        // 20 shared + 20 odd ids from each child.
        assert_eq!(reg.count().unwrap(), 60, "{url}");
        assert!(reg.manifest("urn:c2pa:a-1").unwrap().is_some());
        assert!(reg.manifest("urn:c2pa:b-39").unwrap().is_some());
        assert_eq!(reg.nearest(ALG, "image", 4, 0, 10).unwrap().len(), 1);
    }
    drop(b.pg);
}
