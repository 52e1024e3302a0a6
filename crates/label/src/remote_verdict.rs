//! The two ways verification meets a remote label (see [`crate::remote`]):
//! left unfetched, it is the verdict `remote`; fetched, its store is read
//! against the file like an embedded one.

use std::{path::Path, sync::Arc};

use c2pa::{Context, Reader};

use crate::{
    input::Source,
    remote::FetchManifest,
    verify_report::{FileReport, Verdict},
    LabelError, MediaFormat,
};

/// `report` (an unlabelled one for the file) turned into the `remote`
/// verdict for a label stored at `url` and not fetched.
pub(crate) fn not_fetched(mut report: FileReport, url: &str) -> FileReport {
    report.verdict = Verdict::Remote;
    report.reason = format!(
        "the label is stored remotely at {url} and was not fetched, so nothing about it is verified"
    );
    report.remote_url = Some(url.to_string());
    report
}

/// Fetches the store at `url` and reads it against `file`. A failed fetch
/// is an error for this file (the batch goes on); a store that does not
/// fit the file is a verdict, as for an embedded one.
pub(crate) fn fetch_and_read(
    context: &Arc<Context>,
    path: &Path,
    format: MediaFormat,
    fetcher: &dyn FetchManifest,
    url: &str,
    file: Source,
) -> Result<Reader, LabelError> {
    let store = fetcher.fetch(url).map_err(|e| LabelError::RemoteManifest {
        path: path.to_path_buf(),
        url: url.to_string(),
        message: format!("it could not be fetched: {}", e.message),
    })?;
    Reader::from_shared_context(context)
        .with_manifest_data_and_stream(&store, format.mime(), file)
        .map_err(|e| LabelError::RemoteManifest {
            path: path.to_path_buf(),
            url: url.to_string(),
            message: format!(
                "what it answers is not a C2PA manifest store ({})",
                crate::explain::c2pa_error(&e)
            ),
        })
}
