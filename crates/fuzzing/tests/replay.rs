//! Replays every committed fuzz input on stable: the seed corpora
//! (`fuzz/corpus/<target>/`) and every crash a campaign found
//! (`fuzz/regressions/<target>/`), through the same target bodies that
//! cargo-fuzz runs. A regression that comes back fails here, in
//! `cargo test --workspace`, without nightly.

use std::path::{Path, PathBuf};

use tamga_fuzzing::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(kind: &str) -> usize {
    let mut replayed = 0;
    for (name, target) in TARGETS {
        for file in files(&fuzz_dir().join(kind).join(name)) {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            // A panic names the file, so the failing input is easy to find.
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name} fails on {}", file.display());
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn every_target_has_a_seed_corpus_and_a_fuzz_target() {
    for (name, _) in TARGETS {
        let corpus = fuzz_dir().join("corpus").join(name);
        assert!(
            !files(&corpus).is_empty(),
            "no seed corpus in {}",
            corpus.display()
        );
        let target = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        assert!(
            target.is_file(),
            "no cargo-fuzz target {}",
            target.display()
        );
    }
}

#[test]
fn the_seed_corpora_pass_every_property() {
    assert!(replay("corpus") >= TARGETS.len());
}

#[test]
fn every_crash_found_so_far_stays_fixed() {
    // Not every target has found a crash; the count is only reported.
    let n = replay("regressions");
    eprintln!("replayed {n} regression inputs");
}
