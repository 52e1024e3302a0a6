//! `tamga serve`: flags and environment in, the HTTP service until SIGTERM.

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use tamga_server::{Env, ServerConfig};

use crate::args::ServeArgs;

pub(crate) fn run(args: ServeArgs) -> Result<ExitCode> {
    let var = |k: &str| std::env::var(k).ok();
    let (listen, trust, keys, tokens, tsa, registry) = (
        var("TAMGA_LISTEN"),
        var("TAMGA_TRUST"),
        var("TAMGA_KEYS"),
        var("TAMGA_SERVE_TOKENS"),
        var("TAMGA_TSA"),
        var("TAMGA_REGISTRY"),
    );
    let env = Env {
        listen: listen.as_deref(),
        trust: trust.as_deref(),
        keys: keys.as_deref(),
        tokens: tokens.as_deref(),
        tsa: tsa.as_deref(),
        registry: registry.as_deref(),
    };
    let mut config = ServerConfig::load(args.config.as_deref(), &env)?;
    config.tools = crate::cmd_label::tools();
    tamga_server::init_logging(config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tamga-http")
        .build()?;
    runtime
        .block_on(tamga_server::serve(config, tamga_server::shutdown_signal()))
        .map_err(|e| anyhow!(e))?;
    Ok(ExitCode::SUCCESS)
}
