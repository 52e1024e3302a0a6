//! Why the service could not start, by cause.

use std::net::SocketAddr;

use tamga_gate::{GateError, PolicyError};
use tamga_keys::KeyError;
use tamga_label::LabelError;

/// The service did not start. Every cause is a configuration or machine
/// problem found before the first request; the CLI prints it and exits.
/// The causes are boxed: they are large and this error is rare.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A trust list named in the configuration could not be read or parsed.
    #[error("trust list: {0}")]
    Trust(#[source] Box<LabelError>),
    /// The verifier could not be built from the options.
    #[error("verifier: {0}")]
    Verifier(#[source] Box<LabelError>),
    /// A bundled policy did not load (a build defect, not user input).
    #[error("policy {name}: {source}")]
    Policy {
        /// The preset's name.
        name: &'static str,
        /// Why it did not load.
        #[source]
        source: Box<PolicyError>,
    },
    /// A gate could not be built for a preset.
    #[error("gate {name}: {source}")]
    Gate {
        /// The preset's name.
        name: &'static str,
        /// Why it could not be built.
        #[source]
        source: Box<GateError>,
    },
    /// The signing keys named in the configuration did not load.
    /// Worded for the operator (the config file's keys), not the CLI.
    #[error("signing keys: {}", crate::error::key_error(.0))]
    Keys(#[source] Box<KeyError>),
    /// The label registry could not be opened (bad URL, server down, a
    /// newer schema than this tamga knows).
    #[error("registry: {0}")]
    Registry(#[source] Box<tamga_registry::RegistryError>),
    /// The folder for uploads could not be made.
    #[error("cannot make the upload folder: {0}")]
    Uploads(#[source] std::io::Error),
    /// The worker threads could not be started.
    #[error("cannot start the worker threads: {0}")]
    Workers(#[source] rayon::ThreadPoolBuildError),
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why binding failed.
        #[source]
        source: std::io::Error,
    },
}

impl StartError {
    /// A short, stable name of the cause, for the CLI's advice.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Trust(_) => "trust",
            Self::Verifier(_) => "verifier",
            Self::Policy { .. } | Self::Gate { .. } => "policy",
            Self::Keys(_) => "keys",
            Self::Registry(_) => "registry",
            Self::Uploads(_) => "io",
            Self::Workers(_) => "threads",
            Self::Listen { .. } => "listen",
        }
    }
}
