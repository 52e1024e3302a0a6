//! The in-process baseline for `bench/serve.sh`: one shared `Verifier`
//! verifying the same file over and over on T threads, the way the service
//! would with no HTTP in between.
//!
//!   cargo run --release --example verify_loop -- FILE ANCHORS.pem SECONDS THREADS
//!
//! Prints verifications per second.
#![allow(clippy::unwrap_used)]

use std::{
    path::PathBuf,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use tamga_label::{TrustConfig, Verdict, Verifier, VerifyOptions};

/// The tamga binary's allocator, so the baseline differs from the service
/// only by HTTP.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = PathBuf::from(&args[0]);
    let mut trust = TrustConfig::default();
    trust.anchors_pem = Some(std::fs::read_to_string(&args[1]).unwrap());
    let seconds: u64 = args[2].parse().unwrap();
    let threads: usize = args[3].parse().unwrap();
    let mut options = VerifyOptions::default();
    options.trust = trust;
    let verifier = Verifier::new(options).unwrap();
    let done = AtomicU64::new(0);
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while Instant::now() < until {
                    let r = verifier.verify(&file).unwrap();
                    assert_eq!(r.verdict, Verdict::Trusted);
                    // The service serializes each report; so does the baseline.
                    std::hint::black_box(serde_json::to_vec(&r).unwrap());
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let n = done.load(Ordering::Relaxed) as f64;
    println!("{:.1}", n / started.elapsed().as_secs_f64());
}
