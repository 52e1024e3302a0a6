//! End-to-end tests: the real `tamga` binary on real files.
//!
//! Each test gets its own temporary folder ([`util::Sandbox`]); the format
//! suites are tables, not copies.

// Test code: an unwrap that fails is a failing test, which is the point.
#![allow(clippy::unwrap_used)]
// A test binary has no public API; `pub` in its modules just means "shared".
#![allow(unreachable_pub)]

mod audio_notices;
mod bad_input;
mod bombs;
mod conformance;
mod demo;
mod formats;
mod gate;
mod hostile_tree;
mod interop;
mod keys;
mod metadata;
mod notice_gallery;
mod notice_keeps_format;
mod notices;
mod publish;
mod serve;
mod serve_http;
mod serve_slow;
mod text;
mod util;
