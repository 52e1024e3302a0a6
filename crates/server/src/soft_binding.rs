//! The C2PA soft-binding resolution API over the registry: a client that
//! holds a file stripped of its label (or a fingerprint of it) asks which
//! manifests match, then fetches one. Routes and shapes follow the C2PA
//! Soft Binding API's OpenAPI document:
//!
//! - `GET /matches/byBinding?alg=&value=&maxResults=` and
//!   `POST /matches/byBinding` (`{"alg", "value"}`, for values too long for
//!   a URL): `value` is base64 of the algorithm's value. For `io.iscc.v0`
//!   that is an ISCC Content-Code unit (`ISCC:EEA…`, what tamga writes in
//!   its `c2pa.soft-binding` assertions) or its raw 8-byte body.
//!   For `org.tamga.image-mark.1` (tamga's invisible watermark) it is
//!   base64 of the 6-byte payload, as the label's assertion holds it.
//! - `POST /matches/byContent?alg=&maxResults=`: the asset itself as the
//!   body; the server looks its SHA-256 up exactly, reads tamga's
//!   watermark from an image's pixels and fingerprints it (`alg` narrows
//!   this to the watermark or to the fingerprint).
//! - `GET /manifests/{manifestId}`: the manifest store, `application/c2pa`.
//! - `GET /services/supportedAlgorithms`.
//!
//! Lookups are read-only and open to anyone, like `/v1/verify`; recording
//! happens only through `/v1/label`, behind its token.

use std::{collections::BTreeMap, sync::Arc};

use axum::{
    extract::{Path, Query, Request, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tamga_fingerprint::{ContentCode, ContentKind};
use tamga_label::{content_match, MediaFormat, SharedRegistry, AUDIO_MARK_ALG, IMAGE_MARK_ALG};
use tamga_registry::{Match, MatchedBy};

use crate::{error::ApiError, state::AppState, upload};

type Shared = Arc<AppState>;

/// The fingerprint algorithm this registry resolves: ISO 24138 ISCC codes
/// (tamga's watermark, [`IMAGE_MARK_ALG`], is the other).
pub const ISCC_ALG: &str = "io.iscc.v0";

/// Results per query unless the client asks for fewer (or more, up to
/// [`MAX_RESULTS`]).
const DEFAULT_RESULTS: usize = 10;
/// The most matches one query returns.
const MAX_RESULTS: usize = 100;
/// Longest accepted `value` (base64 characters): an ISCC unit is ~30.
const MAX_VALUE_CHARS: usize = 1024;

/// `GET /services/supportedAlgorithms`.
pub async fn supported_algorithms() -> Json<Value> {
    Json(json!({
        "watermarks": [{ "alg": IMAGE_MARK_ALG }, { "alg": AUDIO_MARK_ALG }],
        "fingerprints": [{ "alg": ISCC_ALG }],
    }))
}

/// The body of `POST /matches/byBinding`.
#[derive(Debug, Deserialize)]
pub struct BindingQuery {
    alg: String,
    value: String,
}

/// `GET /matches/byBinding`.
pub async fn by_binding_get(
    State(state): State<Shared>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let alg = query
        .get("alg")
        .ok_or_else(|| ApiError::bad_request("soft-binding", "give alg (io.iscc.v0)"))?;
    let value = query.get("value").ok_or_else(|| {
        ApiError::bad_request("soft-binding", "give value (base64 of the binding value)")
    })?;
    by_binding(state, alg, value, max_results(&query)?).await
}

/// `POST /matches/byBinding`.
pub async fn by_binding_post(
    State(state): State<Shared>,
    Query(query): Query<BTreeMap<String, String>>,
    Json(body): Json<BindingQuery>,
) -> Result<Json<Value>, ApiError> {
    by_binding(state, &body.alg, &body.value, max_results(&query)?).await
}

async fn by_binding(
    state: Shared,
    alg: &str,
    value: &str,
    limit: usize,
) -> Result<Json<Value>, ApiError> {
    supported(alg)?;
    let registry = registry(&state)?;
    if let Some((alg, len)) = mark_alg(alg) {
        let payload = watermark_payload(alg, value, len)?;
        let slot = state.slot()?;
        let matches = state
            .run(slot, move || {
                registry
                    .with(|reg| reg.by_binding(alg, &payload))
                    .map_err(registry_error)
            })
            .await?;
        return Ok(Json(matches_doc(matches, limit)));
    }
    let code = binding_code(value)?;
    let slot = state.slot()?;
    let matches = state
        .run(slot, move || {
            registry.with(|reg| match code {
                // A unit names its kind: the same lookup as byContent's
                // (a unit has no features, so an audio match is not
                // confirmed further).
                BindingCode::Unit(code) => {
                    content_match::nearest(reg, &code, limit).map_err(registry_error)
                }
                BindingCode::Raw(bits) => {
                    let mut out = Vec::new();
                    for kind in [ContentKind::Image, ContentKind::Audio, ContentKind::Text] {
                        let found = reg
                            .nearest(ISCC_ALG, kind.name(), bits, kind.match_distance(), limit)
                            .map_err(registry_error)?;
                        out.extend(found);
                    }
                    Ok(out)
                }
            })
        })
        .await?;
    Ok(Json(matches_doc(matches, limit)))
}

/// `POST /matches/byContent`: the asset as a raw body (or one file of a
/// multipart form), within the upload limits of `/v1/verify`.
pub async fn by_content(
    State(state): State<Shared>,
    Query(query): Query<BTreeMap<String, String>>,
    req: Request,
) -> Result<Json<Value>, ApiError> {
    let alg = query.get("alg").cloned();
    if let Some(alg) = &alg {
        supported(alg)?;
    }
    // No alg: every way the registry can match (hash, watermark,
    // fingerprint); an alg: that one (the hash always).
    let (by_mark, by_code) = match alg.as_deref() {
        Some(IMAGE_MARK_ALG | AUDIO_MARK_ALG) => (true, false),
        Some(_) => (false, true),
        None => (true, true),
    };
    let limit = max_results(&query)?;
    let registry = registry(&state)?;
    let uploading = state.upload_slot()?;
    let mut received = upload::receive(&state, req).await?;
    drop(uploading);
    if received.files.len() != 1 {
        return Err(ApiError::bad_request(
            "soft-binding",
            "send exactly one asset to match",
        ));
    }
    let slot = state.slot()?;
    let matches = state
        .run(slot, move || {
            let name = received.files[0].name.clone();
            let path = received.path_of(0)?;
            let bytes_hash = sha256_of(&path)?;
            let mut out = registry
                .with(|reg| reg.by_hash(&bytes_hash))
                .map_err(registry_error)?;
            // Binary formats by their bytes; text is never sniffed (any
            // bytes may be text), so only a .txt/.md name makes it text.
            let format = sniff(&path).or_else(|| {
                MediaFormat::from_extension(std::path::Path::new(&name)).filter(|f| f.is_text())
            });
            let limits = tamga_fingerprint::DecodeLimits::default();
            let mark = format
                .filter(|_| by_mark)
                .and_then(|f| tamga_label::watermark::mark_in_file(&path, f, &limits))
                // An alg names the one mark asked for.
                .filter(|(found, _)| alg.as_deref().is_none_or(|a| a == *found));
            if let Some((found, bytes)) = mark {
                out.extend(
                    registry
                        .with(|reg| reg.by_binding(found, &bytes))
                        .map_err(registry_error)?,
                );
            }
            if let Some(format) = format.filter(|_| by_code) {
                let code = tamga_fingerprint::content_of_file(
                    &path,
                    format,
                    &tamga_fingerprint::DecodeLimits::default(),
                )
                .map_err(|e| ApiError::bad_request("fingerprint", format!("{name}: {e}")))?;
                if let Some(code) = code {
                    out.extend(
                        registry
                            .with(|reg| content_match::nearest(reg, &code, limit))
                            .map_err(registry_error)?,
                    );
                }
            }
            drop(received);
            Ok(out)
        })
        .await?;
    Ok(Json(matches_doc(matches, limit)))
}

/// `GET /manifests/{manifestId}`: the stored manifest store.
pub async fn manifest(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let registry = registry(&state)?;
    let slot = state.slot()?;
    let stored = state
        .run(slot, move || {
            registry
                .with(|reg| reg.manifest(&id))
                .map_err(registry_error)
        })
        .await?;
    match stored {
        Some(m) => Ok(([(header::CONTENT_TYPE, "application/c2pa")], m.store).into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "no manifest with that id in this registry",
        )),
    }
}

/// A binding value decoded.
enum BindingCode {
    /// An ISCC Content-Code unit, which names its kind.
    Unit(ContentCode),
    /// A raw 8-byte body, which could be of any kind: all are searched.
    Raw(u64),
}

/// Decodes `value` (base64): an ISCC Content-Code unit, or its raw 8-byte
/// body.
fn binding_code(value: &str) -> Result<BindingCode, ApiError> {
    let bad = |why: &str| ApiError::bad_request("soft-binding", format!("value: {why}"));
    if value.len() > MAX_VALUE_CHARS {
        return Err(bad("too long for an io.iscc.v0 value"));
    }
    let bytes = STANDARD
        .decode(value.trim())
        .map_err(|_| bad("not base64"))?;
    if let Ok(raw) = <[u8; 8]>::try_from(bytes.as_slice()) {
        return Ok(BindingCode::Raw(u64::from_be_bytes(raw)));
    }
    let unit = std::str::from_utf8(&bytes).map_err(|_| bad("neither an ISCC unit nor 8 bytes"))?;
    let code = ContentCode::parse(unit).map_err(|e| bad(&e.to_string()))?;
    Ok(BindingCode::Unit(code))
}

/// tamga's watermark algorithms and their payloads' length in bytes.
fn mark_alg(alg: &str) -> Option<(&'static str, usize)> {
    match alg {
        IMAGE_MARK_ALG => Some((IMAGE_MARK_ALG, 6)),
        AUDIO_MARK_ALG => Some((AUDIO_MARK_ALG, 4)),
        _ => None,
    }
}

/// Decodes a watermark `value`: base64 of the payload's `len` bytes (as
/// the label's soft-binding assertion holds it).
fn watermark_payload(alg: &str, value: &str, len: usize) -> Result<Vec<u8>, ApiError> {
    let bytes = STANDARD
        .decode(value.trim())
        .map_err(|_| ApiError::bad_request("soft-binding", "value: not base64"))?;
    if bytes.len() != len {
        return Err(ApiError::bad_request(
            "soft-binding",
            format!("value: a {alg} payload is {len} bytes, not {}", bytes.len()),
        ));
    }
    Ok(bytes)
}

fn supported(alg: &str) -> Result<(), ApiError> {
    if alg == ISCC_ALG || mark_alg(alg).is_some() {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "unsupported-algorithm",
            format!("alg {alg:?} is not supported here; GET /services/supportedAlgorithms lists what is"),
        ))
    }
}

fn max_results(query: &BTreeMap<String, String>) -> Result<usize, ApiError> {
    match query.get("maxResults") {
        None => Ok(DEFAULT_RESULTS),
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .map(|n| n.min(MAX_RESULTS))
            .ok_or_else(|| {
                ApiError::bad_request("soft-binding", "maxResults must be a positive integer")
            }),
    }
}

fn registry(state: &AppState) -> Result<SharedRegistry, ApiError> {
    state.registry.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no-registry",
            "this server has no registry configured ([registry] url or TAMGA_REGISTRY)",
        )
    })
}

fn registry_error(e: tamga_registry::RegistryError) -> ApiError {
    tracing::warn!(error = %e, "registry lookup failed");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "registry",
        "the registry could not be queried",
    )
}

fn sha256_of(path: &std::path::Path) -> Result<Vec<u8>, ApiError> {
    let mut file = std::fs::File::open(path).map_err(|e| ApiError::internal(e.to_string()))?;
    let mut sha = Sha256::new();
    std::io::copy(&mut file, &mut sha).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(sha.finalize().to_vec())
}

fn sniff(path: &std::path::Path) -> Option<MediaFormat> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .ok()?
        .take(4096)
        .read_to_end(&mut head)
        .ok()?;
    MediaFormat::sniff(&head)
}

/// The response: each manifest once, nearest first, with a similarity
/// score (100 = identical code or exact bytes; minus the share of the 64
/// bits that differ).
fn matches_doc(mut matches: Vec<Match>, limit: usize) -> Value {
    matches.sort_by_key(|m| m.distance);
    let mut seen = std::collections::HashSet::new();
    let list: Vec<Value> = matches
        .into_iter()
        .filter(|m| seen.insert(m.manifest_id.clone()))
        .take(limit)
        .map(|m| {
            let score = match m.by {
                MatchedBy::HardHash => 100,
                _ => 100 - (m.distance * 100).div_ceil(64).min(100),
            };
            json!({ "manifestId": m.manifest_id, "similarityScore": score })
        })
        .collect();
    json!({ "matches": list })
}
