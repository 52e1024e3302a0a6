//! Re-attaching a label stripped in transit: a distributor publishes the
//! file it received with the label a registry holds for it as the parent
//! ingredient, so the chain "made by X with AI → published by Y" is whole
//! again (see `docs/registry.md`).
//!
//! The ingredient is recorded as c2pa records any ingredient whose
//! manifest comes from outside the asset (`Ingredient`'s "manifest and
//! asset" constructors): the stored manifest store is validated against
//! the file as received, and the results go into the ingredient as they
//! are. Its signature and trust validate; its hard binding does not match
//! the re-encoded file, and the ingredient says so
//! (`assertion.dataHash.mismatch`) rather than claim a match nobody saw.

use std::{
    fs::File,
    io::{Seek, SeekFrom},
    path::Path,
    sync::Arc,
};

use c2pa::{Builder, Context, Ingredient, Reader};
use serde_json::Value;

use crate::{LabelError, MediaFormat, SharedRegistry};

/// A label a registry holds for a file that arrived without it, to publish
/// as that file's parent ingredient ([`crate::PublishOptions::reattach`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReattachedLabel {
    /// The stored manifest's label (`urn:c2pa:…`).
    pub manifest: String,
    /// Its manifest store, as the registry holds it.
    pub store: Vec<u8>,
    /// The media type of the file it was made for.
    pub media_type: String,
}

impl ReattachedLabel {
    /// A label to re-attach.
    pub fn new(manifest: String, store: Vec<u8>, media_type: String) -> Self {
        Self {
            manifest,
            store,
            media_type,
        }
    }

    /// The label `manifest` from `registry`, for the file at `path` (which
    /// errors name); `None` when the registry no longer holds it.
    pub fn fetch(
        registry: &SharedRegistry,
        manifest: &str,
        path: &Path,
    ) -> Result<Option<Self>, LabelError> {
        let stored =
            registry
                .with(|r| r.manifest(manifest))
                .map_err(|source| LabelError::Registry {
                    path: path.into(),
                    source: Box::new(source),
                })?;
        Ok(stored.map(|s| Self::new(s.id, s.store, s.media_type)))
    }
}

/// Adds `label` to `builder` as the parent ingredient of the file whose
/// bytes, as received, `received` holds.
pub(crate) fn add_parent(
    builder: &mut Builder,
    context: &Arc<Context>,
    label: &ReattachedLabel,
    received: &mut File,
    format: MediaFormat,
    title: &str,
    path: &Path,
) -> Result<(), LabelError> {
    let c2pa_err = |e: c2pa::Error| LabelError::c2pa(path, &e);
    let io = |e| LabelError::io(path, e);
    let mime = format.mime();
    received.seek(SeekFrom::Start(0)).map_err(io)?;
    // The stored store judged against the file as received: signature,
    // certificate, trust, and a hard binding that does not match.
    let reader = Reader::from_shared_context(context)
        .with_manifest_data_and_stream(&label.store, mime, &mut *received)
        .map_err(c2pa_err)?;
    if reader.active_label() != Some(label.manifest.as_str()) {
        return Err(LabelError::C2pa {
            path: path.into(),
            message: format!(
                "the registry's store for {} has another active manifest ({})",
                label.manifest,
                reader.active_label().unwrap_or("none")
            ),
        });
    }
    received.seek(SeekFrom::Start(0)).map_err(io)?;
    let info = Ingredient::from_stream_info(&mut *received, mime, title);
    // c2pa's setters cannot record validation results: they go in through
    // the ingredient's own JSON form, as c2pa writes them.
    let mut json = serde_json::to_value(&info).map_err(|e| LabelError::C2pa {
        path: path.into(),
        message: format!("ingredient: {e}"),
    })?;
    if let (Value::Object(fields), Some(results)) = (&mut json, reader.validation_results()) {
        let results = serde_json::to_value(results).map_err(|e| LabelError::C2pa {
            path: path.into(),
            message: format!("validation results: {e}"),
        })?;
        fields.insert("validation_results".into(), results);
        // The failures alone, as c2pa's older ingredient field holds them.
        if let Some(errors) = reader.validation_status().filter(|e| !e.is_empty()) {
            let errors = serde_json::to_value(errors).map_err(|e| LabelError::C2pa {
                path: path.into(),
                message: format!("validation status: {e}"),
            })?;
            fields.insert("validation_status".into(), errors);
        }
    }
    let mut ingredient = Ingredient::from_json(&json.to_string()).map_err(c2pa_err)?;
    ingredient
        .set_manifest_data(label.store.clone())
        .map_err(c2pa_err)?;
    ingredient
        .set_active_manifest(label.manifest.clone())
        .set_is_parent()
        .set_description(
            "the label this content lost in transit, recovered from a registry by its \
             soft binding",
        );
    builder.add_ingredient(ingredient);
    Ok(())
}
