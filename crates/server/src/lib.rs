//! `tamga serve`: verification and labelling over HTTP, and a page for
//! editors, as one more thin face over the same library calls as the CLI.
//!
//! Routes (documented in `openapi.json`, served at `/openapi.json`):
//! `POST /v1/verify` (the `tamga verify --json` report, or with
//! `?policy=` the `tamga check` one), `POST /v1/label` (bearer token),
//! `GET /v1/trust`, `GET /healthz`, `GET /metrics`, and the page at `/`.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod config;
pub mod error;
pub mod folder;
mod listen;
pub mod metrics;
pub mod pace;
pub mod remote_fetch;
pub mod routes;
pub mod soft_binding;
pub mod start_error;
pub use start_error::StartError;
pub mod state;
pub mod upload;
pub mod web;

use std::{future::Future, net::SocketAddr, sync::Arc, time::Instant};

use axum::{
    extract::{DefaultBodyLimit, MatchedPath, Request, State},
    http::{header, HeaderValue},
    middleware::{self, Next},
    response::Response,
    routing::{get, post},
    Router,
};
pub use config::{ConfigError, Env, LogFormat, ServerConfig};
pub use state::AppState;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
};

/// The OpenAPI 3.1 document of the API.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// The application: every route and layer over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = usize::try_from(state.config.max_upload_bytes).unwrap_or(usize::MAX);
    let timeout = state.config.request_timeout;
    Router::new()
        .route("/", get(web::index))
        .route("/app.js", get(web::script))
        .route("/app.css", get(web::style))
        .route("/openapi.json", get(routes::openapi))
        .route("/healthz", get(routes::health))
        .route("/metrics", get(routes::metrics))
        .route("/v1/trust", get(routes::trust))
        .route("/v1/verify", post(routes::verify))
        .route("/v1/label", post(routes::label))
        .route(
            "/matches/byBinding",
            get(soft_binding::by_binding_get).post(soft_binding::by_binding_post),
        )
        .route("/matches/byContent", post(soft_binding::by_content))
        .route("/manifests/{id}", get(soft_binding::manifest))
        .route(
            "/services/supportedAlgorithms",
            get(soft_binding::supported_algorithms),
        )
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::wrong_method)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(CatchPanicLayer::new())
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Logs one line per request and counts it, with its request ID.
async fn observe(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|r| r.header_value().to_str().ok())
        .unwrap_or("-")
        .to_string();
    let client = client_address(&state, &req);
    let method = req.method().clone();
    let res = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    state.metrics.request(&route, status, seconds);
    tracing::info!(
        request_id = %id,
        client = %client,
        method = %method,
        route = %route,
        status,
        ms = (seconds * 1000.0).round(),
        "request"
    );
    res
}

/// The client as logs should name it: the peer, or behind a trusted
/// TLS-terminating proxy the first `X-Forwarded-For` hop.
fn client_address(state: &AppState, req: &Request) -> String {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string())
        .unwrap_or_else(|| "-".into());
    if !state.config.trust_forwarded_headers {
        return peer;
    }
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let proto = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("http");
    match forwarded {
        Some(f) => format!("{f} ({proto} via {peer})"),
        None => peer,
    }
}

/// Sets up logging to stderr in the configured format.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TAMGA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.with_ansi(false).try_init(),
    };
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
/// Prints `listening on http://ADDR` on stdout once bound.
pub async fn serve(
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let listen = config.listen;
    let state = Arc::new(AppState::new(config)?);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| StartError::Listen {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: listen,
        source,
    })?;
    println!("listening on http://{addr}");
    tracing::info!(%addr, labelling = state.labelling_enabled(), "listening");
    let header_timeout = state.config.header_timeout;
    let metrics = state.metrics.clone();
    listen::serve(
        listener,
        router(state.clone()),
        header_timeout,
        metrics,
        shutdown,
    )
    .await;
    close(state).await;
    tracing::info!("stopped");
    Ok(())
}

/// Drops the state off the async threads once every request is done with
/// it: its registry connection, if PostgreSQL, closes by running the
/// client's own runtime, which panics inside this one. Work still running
/// on a worker holds the state; it is waited for up to the request
/// timeout, then left to the process's exit.
async fn close(mut state: Arc<AppState>) {
    let deadline = Instant::now() + state.config.request_timeout;
    loop {
        match Arc::try_unwrap(state) {
            Ok(state) => {
                let _ = tokio::task::spawn_blocking(move || drop(state)).await;
                return;
            }
            Err(shared) if Instant::now() < deadline => {
                state = shared;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(shared) => {
                tracing::warn!("work still running at shutdown; not waiting for it");
                std::mem::forget(shared);
                return;
            }
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
