//! End-to-end tests: the real `tamga` binary on real files.
//!
//! Each test gets its own temporary folder ([`util::Sandbox`]); the format
//! suites are tables, not copies.

mod bad_input;
mod conformance;
mod formats;
mod interop;
mod keys;
mod util;
