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

/// A rayon pool with `jobs` threads (None = one per core).
pub(crate) fn pool(jobs: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(j) = jobs {
        b = b.num_threads(j.max(1));
    }
    Ok(b.build()?)
}
