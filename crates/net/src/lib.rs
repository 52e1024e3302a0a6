//! tamga's HTTP client.
//!
//! c2pa 0.90 is built here without an HTTP client, so the two network calls
//! tamga makes go through this crate: posting an RFC 3161 time-stamp request
//! to an authority, and fetching a remote manifest store. Both are bounded:
//! a timeout for the whole exchange, a cap on the body read, and a scheme
//! policy ([`Scheme`]) checked before any connection is made and again on
//! every redirect.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod client;
mod error;
mod url_policy;

pub use client::{Fetched, HttpClient, RequestLimits};
pub use error::NetError;
pub use url_policy::{check_url, Scheme};
