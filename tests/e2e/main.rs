//! End-to-end tests: the real `tamga` binary on real files.
//!
//! Each test gets its own temporary folder ([`util::Sandbox`]); the format
//! suites are tables, not copies.

// Test code: an unwrap that fails is a failing test, which is the point.
#![allow(clippy::unwrap_used)]
// A test binary has no public API; `pub` in its modules just means "shared".
#![allow(unreachable_pub)]

mod audio_notices;
mod audio_watermark;
mod bad_input;
mod bombs;
mod cawg;
mod cli_once;
mod conformance;
mod demo;
mod disclose;
mod exclusions;
mod exclusions_more;
mod formats;
mod gate;
mod gate_unknown_signer;
mod heif_runtime;
mod hostile_tree;
mod html_report;
mod html_report_recovered;
mod html_report_words;
mod interop;
mod invalid_codes;
mod keys;
mod messages;
mod metadata;
mod mp3_stream;
mod notice_gallery;
mod notice_keeps_format;
mod notices;
mod privacy;
mod privacy_containers;
mod publish;
mod publish_keeps_metadata;
mod publish_registry;
mod reattach;
mod recovery;
mod remote;
mod sd_watermark;
mod serve;
mod serve_http;
mod serve_recovery;
mod serve_registry;
mod serve_slow;
mod soft_binding_api;
mod text;
mod timestamps;
mod tsa;
mod unsupported_labels;
mod util;
mod verify_stdin_recovery;
mod video_label;
mod video_large;
mod video_notice;
mod video_sound;
mod video_util;
mod watermark;
