//! The API's handlers: each receives files (holding an upload slot), then
//! takes a work slot, runs the library on a worker thread and answers JSON
//! (or the labelled file). Work slots are taken only once the files are
//! all here, so clients still uploading never keep others from working.

use std::{collections::BTreeMap, sync::Arc};

use axum::{
    extract::{Query, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};
use tamga_gate::{CheckReport, FileCheck};
use tamga_label::{
    verify_report::{VerifyEntry, VerifyReport},
    FileReport, LabelError, LabelOptions, LabelRequest, Labeller, MediaFormat, Placement, Verifier,
};

use crate::{
    error::ApiError,
    state::AppState,
    upload::{self, Content},
};

type Shared = Arc<AppState>;

/// `POST /v1/verify[?policy=kz|eu|cn]`.
pub async fn verify(
    State(state): State<Shared>,
    Query(query): Query<BTreeMap<String, String>>,
    req: Request,
) -> Result<Response, ApiError> {
    let gate = match query.get("policy").map(String::as_str) {
        None => None,
        Some(p) => Some(*state.gates.keys().find(|k| **k == p).ok_or_else(|| {
            ApiError::bad_request("policy", format!("unknown policy {p:?}; one of kz, eu, cn"))
        })?),
    };
    let uploading = state.upload_slot()?;
    let received = upload::receive(&state, req).await?;
    drop(uploading);
    let slot = state.slot()?;
    let work = state.clone();
    let doc = state
        .run(slot, move || {
            let state = work;
            state.metrics.in_flight(1);
            let mut received = received;
            let files = std::mem::take(&mut received.files);
            let doc = match gate {
                None => {
                    let entries: Vec<VerifyEntry> = files
                        .into_iter()
                        .map(|f| {
                            let entry = match verify_one(&state.verifier, &f.name, f.content) {
                                Ok(result) => VerifyEntry::from_result(f.name.into(), result),
                                Err(RegistryDown) => VerifyEntry::error(
                                    f.name.into(),
                                    "registry",
                                    REGISTRY_DOWN.into(),
                                ),
                            };
                            state.metrics.verdict(entry_verdict(&entry));
                            entry
                        })
                        .collect();
                    // Straight to bytes on the worker: no intermediate Value.
                    serde_json::to_vec(&VerifyReport::new(entries))
                }
                Some(name) => {
                    let gate = &state.gates[name];
                    let checks: Vec<FileCheck> = files
                        .into_iter()
                        .map(|f| {
                            let check = match f.content {
                                Content::Memory(bytes) => {
                                    gate.check_bytes_worded(&f.name, bytes, hide_registry)
                                }
                                Content::Disk(path) => {
                                    gate.check_file_as_worded(&path, &f.name, hide_registry)
                                }
                            };
                            state.metrics.verdict(check.verdict.word());
                            check
                        })
                        .collect();
                    serde_json::to_vec(&CheckReport::new(gate.policy(), checks))
                }
            };
            state.metrics.in_flight(-1);
            // `received` (and its folder, if any) is dropped here, on this thread.
            drop(received);
            doc.map_err(|e| ApiError::internal(e.to_string()))
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], doc).into_response())
}

/// What a client is told when the registry lookup of a file failed: the
/// registry's own error names the database (its host, file or query),
/// which is the operator's business, as on the soft-binding routes.
const REGISTRY_DOWN: &str = "the registry could not be queried";

/// A failed registry lookup: its cause is logged for the operator and the
/// client is told [`REGISTRY_DOWN`].
struct RegistryDown;

/// Verifies one received file, from memory or from the request's folder;
/// a failed registry lookup is set apart from the other errors.
/// A gate's reason for an unreadable file: a failed registry lookup is
/// logged and said without the database's own words.
fn hide_registry(e: &LabelError) -> String {
    match e {
        LabelError::Registry { .. } => {
            tracing::warn!(error = %e, "registry lookup failed while checking");
            REGISTRY_DOWN.into()
        }
        e => e.to_string(),
    }
}

fn verify_one(
    verifier: &Verifier,
    name: &str,
    content: Content,
) -> Result<Result<FileReport, LabelError>, RegistryDown> {
    let result = match content {
        Content::Memory(bytes) => verifier.verify_bytes(name, bytes),
        Content::Disk(path) => verifier.verify_file_as(&path, name),
    };
    match result {
        Err(e @ LabelError::Registry { .. }) => {
            tracing::warn!(error = %e, "registry lookup failed while verifying");
            Err(RegistryDown)
        }
        result => Ok(result),
    }
}

/// `POST /v1/label`: the labelled file, signed with the service's key.
pub async fn label(
    State(state): State<Shared>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    req: Request,
) -> Result<Response, ApiError> {
    if !state.labelling_enabled() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "labelling-disabled",
            "labelling is not configured on this server (no [label] key or tokens)",
        ));
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !state.token_ok(token) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required to label",
        ));
    }
    let uploading = state.upload_slot()?;
    let mut received = upload::receive(&state, req).await?;
    drop(uploading);
    let slot = state.slot()?;
    // Form fields win over the query string.
    let mut fields = query;
    fields.extend(std::mem::take(&mut received.fields));
    // The same request type `tamga label`'s flags become: one set of
    // fields, one way to turn them into a disclosure.
    let request = LabelRequest::from_fields(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| ApiError::bad_request("bad-field", e.to_string()))?;
    let disclosure = request.disclosure();
    let work = state.clone();
    state
        .run(slot, move || {
            let state = work;
            let Some(identity) = state.identity.as_ref() else {
                return Err(ApiError::internal("no signing key"));
            };
            let Some(name) = received.files.first().map(|f| f.name.clone()) else {
                return Err(ApiError::bad_request("no-file", "no file to label"));
            };
            // The labeller reads and writes files: the upload goes to the
            // request's private folder, under the server's names.
            let input = received.path_of(0)?;
            let out = received.dir()?.join(format!(
                "labelled-{}",
                input
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ));
            state.metrics.in_flight(1);
            let mut options = LabelOptions::default();
            request.apply_to(&mut options);
            options.limits.decode = state.config.decode_limits;
            options.tsa_url = state.config.tsa_url.clone();
            if let Some(notice) = options.notice.as_mut() {
                notice.tools = state.config.tools.clone();
            }
            options.token_sizes = state.token_sizes.clone();
            // Every label this server signs is recorded, as with
            // `tamga label --registry`: the labeller records it before the
            // labelled file is in place, so a label that could not be
            // recorded is never returned.
            options.registry = state.registry.clone();
            if let Some(d) = state.config.label_deadline {
                options.deadline = d;
            }
            let result = Labeller::new(identity, options)
                .map_err(|e| ApiError::internal(e.to_string()))
                .and_then(|l| {
                    l.label_as(&input, &name, &out, &disclosure, Placement::Embedded)
                        .map_err(ApiError::label)
                });
            state.metrics.in_flight(-1);
            let outcome = result?;
            let bytes = std::fs::read(&out).map_err(|e| ApiError::internal(e.to_string()))?;
            let mut res = bytes.into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, mime_value(outcome.format));
            if let Ok(v) = HeaderValue::from_str(&format!(
                "attachment; filename=\"{}\"",
                name.replace('"', "_")
            )) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            drop(received);
            Ok(res)
        })
        .await
}

/// `GET /v1/trust`.
pub async fn trust(State(state): State<Shared>) -> Json<Value> {
    Json(state.trust_document.clone())
}

/// `GET /healthz`.
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<Shared>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// `GET /openapi.json`.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::OPENAPI).into_response()
}

/// Anything else.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "no such endpoint; see /openapi.json",
    )
}

/// A known path with the wrong method.
pub async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this endpoint does not take that method; see /openapi.json",
    )
}

fn mime_value(format: MediaFormat) -> HeaderValue {
    HeaderValue::from_static(format.mime())
}

fn entry_verdict(e: &VerifyEntry) -> &'static str {
    match e {
        VerifyEntry::Checked(r) => r.verdict.word(),
        VerifyEntry::Error { .. } => "error",
    }
}
