//! A progress bar on a terminal, nothing otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over `n` files, drawn on stderr only when stderr is a terminal and
/// there is more than one file.
pub(crate) fn bar(n: usize, verb: &str) -> ProgressBar {
    if n < 2 || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(n as u64), ProgressDrawTarget::hidden());
    }
    let pb = ProgressBar::new(n as u64);
    let style = ProgressStyle::with_template(&format!(
        "{verb} {{bar:40}} {{pos}}/{{len}} {{elapsed}} {{msg}}"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    pb.set_style(style);
    pb
}

/// Calls `each(index, item)` for every item: on a rayon pool with `jobs`
/// threads (None = one per core) when there is more than one item, on this
/// thread otherwise. One file is the common call from a CMS or a shell loop,
/// and starting a pool for it cost more than verifying a small JPEG (its
/// idle workers spin in `sched_yield` before they sleep; BENCHMARKS.md).
pub(crate) fn for_each<T: Sync>(
    jobs: Option<usize>,
    items: &[T],
    each: impl Fn(usize, &T) + Sync,
) -> anyhow::Result<()> {
    if items.len() < 2 || jobs == Some(1) {
        items.iter().enumerate().for_each(|(i, item)| each(i, item));
        return Ok(());
    }
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(j) = jobs {
        b = b.num_threads(j.max(1));
    }
    b.build()?.install(|| {
        use rayon::prelude::*;
        items
            .par_iter()
            .enumerate()
            .for_each(|(i, item)| each(i, item))
    });
    Ok(())
}
