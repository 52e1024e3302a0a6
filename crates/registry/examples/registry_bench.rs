//! Nearest-fingerprint lookups among many registered items, in SQLite and
//! PostgreSQL: fills each back end with random 64-bit image codes (bulk
//! loads of 50,000 per transaction; COPY for PostgreSQL), then times
//! `Registry::nearest` at several distances and prints median and p95.
//!
//! ```text
//! cargo run --release -p tamga-registry --example registry_bench -- \
//!     [--rows 1000000] [--queries 200] [--distances 4,8,12,15]
//!     [--backend sqlite|postgres|both] [--postgres-url URL] [--sqlite-path PATH]
//! ```
//!
//! Without `--postgres-url` a throwaway cluster is started (as the tests
//! do). Half the queries are stored codes with `d` random bits flipped
//! (found), half are fresh random codes (typically not found): a registry
//! answers both.
#![allow(clippy::unwrap_used)] // a benchmark; a panic is a failed run

use std::time::{Duration, Instant, SystemTime};

use tamga_registry::test_support::TestPostgres;
use tamga_registry::{Binding, NewRecord, Registry};

const ALG: &str = "io.iscc.v0";
const BATCH: usize = 50_000;

struct Args {
    rows: usize,
    queries: usize,
    distances: Vec<u32>,
    backend: String,
    postgres_url: Option<String>,
    sqlite_path: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        rows: 1_000_000,
        queries: 200,
        distances: vec![4, 8, 12, 15],
        backend: "both".into(),
        postgres_url: None,
        sqlite_path: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => a.rows = value.parse().unwrap(),
            "--queries" => a.queries = value.parse().unwrap(),
            "--distances" => {
                a.distances = value.split(',').map(|d| d.parse().unwrap()).collect();
            }
            "--backend" => a.backend = value,
            "--postgres-url" => a.postgres_url = Some(value),
            "--sqlite-path" => a.sqlite_path = Some(value),
            _ => panic!("unknown flag {flag}"),
        }
    }
    a
}

/// xorshift64*: the same codes on every run, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn main() {
    let args = args();
    println!(
        "rows {}, queries {} per distance, build {}",
        args.rows,
        args.queries,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let dir = tempfile::tempdir().unwrap();
    if matches!(args.backend.as_str(), "sqlite" | "both") {
        let url = match &args.sqlite_path {
            Some(p) => format!("sqlite:{p}"),
            None => format!("sqlite:{}", dir.path().join("bench.sqlite").display()),
        };
        run("sqlite", &url, &args);
    }
    if matches!(args.backend.as_str(), "postgres" | "both") {
        let cluster;
        let url = match &args.postgres_url {
            Some(u) => u.clone(),
            None => {
                cluster = TestPostgres::start().unwrap();
                cluster.url()
            }
        };
        run("postgres", &url, &args);
    }
}

fn run(name: &str, url: &str, args: &Args) {
    let mut reg = Registry::open(url).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let have = usize::try_from(reg.count().unwrap()).unwrap();
    let start = Instant::now();
    // A registry filled by an earlier run with the same seed is reused.
    let mut codes = Vec::with_capacity(args.rows);
    for i in 0..args.rows {
        codes.push(rng.next());
        if codes.len() % BATCH == 0 || i + 1 == args.rows {
            let first = i + 1 - codes.len();
            if first >= have {
                reg.record_many(&batch(first, &codes)).unwrap();
            }
            codes.clear();
        }
    }
    reg.analyze().unwrap();
    println!(
        "{name}: {} rows ready in {:.1} s",
        reg.count().unwrap(),
        start.elapsed().as_secs_f64()
    );
    // Regenerate the stored codes to make near queries from.
    let mut stored = Rng(0x9e37_79b9_7f4a_7c15);
    let stored: Vec<u64> = (0..args.rows.min(100_000)).map(|_| stored.next()).collect();
    let mut q = Rng(0x1234_5678_9abc_def1);
    for &d in &args.distances {
        let mut times = Vec::with_capacity(args.queries);
        let mut found = 0;
        for i in 0..args.queries {
            let query = if i % 2 == 0 && !stored.is_empty() {
                let base = stored[usize::try_from(q.next()).unwrap() % stored.len()];
                flip(base, d, &mut q)
            } else {
                q.next()
            };
            let t = Instant::now();
            let m = reg.nearest(ALG, "image", query, d, 10).unwrap();
            times.push(t.elapsed());
            found += m.len();
        }
        times.sort();
        println!(
            "{name}: d <= {d:2}: median {:7.2} ms, p95 {:7.2} ms, max {:7.2} ms ({found} matches)",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 95 / 100]),
            ms(times[times.len() - 1]),
        );
    }
}

fn batch(first: usize, codes: &[u64]) -> Vec<NewRecord> {
    codes
        .iter()
        .enumerate()
        .map(|(i, code)| NewRecord {
            manifest_id: format!("urn:c2pa:bench-{:08}", first + i),
            store: Vec::new(),
            media_type: "image/jpeg".into(),
            hard_hash: None,
            bindings: vec![Binding::new(ALG, "image", code.to_be_bytes().to_vec())],
            signer: None,
            ai: None,
            created: SystemTime::UNIX_EPOCH,
        })
        .collect()
}

/// `code` with exactly `d` random bits flipped.
fn flip(code: u64, d: u32, rng: &mut Rng) -> u64 {
    let mut mask = 0u64;
    while mask.count_ones() < d {
        mask |= 1 << (rng.next() % 64);
    }
    code ^ mask
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
