//! Reading a file's manifest store: embedded, beside the file, in a text
//! wrapper or at a URL, streaming where c2pa would hold the file whole.

use super::*;

/// What reading a file's label gave.
pub(super) enum StoreRead {
    None,
    /// A label that cannot even be parsed (a damaged text wrapper).
    Broken {
        code: &'static str,
        explanation: String,
    },
    /// A remote label that was not fetched: its URL.
    Remote(String),
    Found(Box<Found>),
}

impl StoreRead {
    pub(super) fn found(self) -> Option<Found> {
        match self {
            Self::Found(f) => Some(*f),
            _ => None,
        }
    }

    pub(super) fn from_text(label: text_verify::TextLabel) -> Self {
        match label {
            text_verify::TextLabel::None => Self::None,
            text_verify::TextLabel::Broken { code, explanation } => {
                Self::Broken { code, explanation }
            }
            text_verify::TextLabel::Found {
                reader,
                check,
                diagnosis,
            } => Self::Found(Box::new(Found {
                reader: *reader,
                source: ManifestSource::Embedded,
                data_hash: Some(check),
                diagnosis,
                too_wide: None,
                remote_url: None,
            })),
        }
    }
}

/// A manifest store that was found, and how.
pub(super) struct Found {
    pub(super) reader: Reader,
    pub(super) source: ManifestSource,
    /// Set when tamga checked the data hash itself instead of c2pa.
    pub(super) data_hash: Option<HashCheck>,
    /// What broke the binding, in plain words, when tamga could tell.
    pub(super) diagnosis: Option<String>,
    /// Bytes the data hash skips that are not the store (C2PA §15.12).
    pub(super) too_wide: Option<crate::exclusion_check::TooWide>,
    /// Where a fetched remote store came from.
    pub(super) remote_url: Option<String>,
}

impl Found {
    pub(super) fn new(reader: Reader, source: ManifestSource) -> Self {
        Self {
            reader,
            source,
            data_hash: None,
            diagnosis: None,
            too_wide: None,
            remote_url: None,
        }
    }
}

/// What the watchdog job hands back: the manifest store, and the platform
/// metadata found in the file (None when there is none).
type StoreAndMetadata = (StoreRead, Option<tamga_meta::Found>);

/// What reading one file's store needs.
pub(super) struct Job<'a> {
    pub(super) context: &'a Arc<Context>,
    pub(super) path: &'a Path,
    pub(super) format: MediaFormat,
    pub(super) fetcher: Option<&'a dyn FetchManifest>,
}

/// Reads the platform metadata from `file`, then the manifest store from
/// the sidecar if there is one, else from the file.
pub(super) fn read_store(
    job: &Job<'_>,
    sidecar: Option<&Path>,
    mut file: Source,
) -> Result<StoreAndMetadata, LabelError> {
    let (context, path, format) = (job.context, job.path, job.format);
    if format.is_text() && sidecar.is_none() {
        // Text is read whole anyway (the wrapper is at its end and the hash
        // covers all of it); the metadata reader gets the same bytes.
        let mut text = Vec::new();
        file.rewind()
            .and_then(|()| file.read_to_end(&mut text))
            .map_err(|e| LabelError::io(path, e))?;
        let metadata = crate::xmp_aigc::read(format, &mut std::io::Cursor::new(&text));
        let read = StoreRead::from_text(text_verify::read(context, path, &text)?);
        return Ok((read, metadata));
    }
    let metadata = crate::xmp_aigc::read(format, &mut file);
    let read = read_media_store(job, sidecar, file)?;
    Ok((read, metadata))
}

/// [`read_store`] for media files.
pub(super) fn read_media_store(
    job: &Job<'_>,
    sidecar: Option<&Path>,
    mut file: Source,
) -> Result<StoreRead, LabelError> {
    let (context, path, format) = (job.context, job.path, job.format);
    let found = |f| Ok(StoreRead::Found(Box::new(f)));
    file.rewind().map_err(|e| LabelError::io(path, e))?;
    if let Some(sc) = sidecar {
        let data = std::fs::read(sc).map_err(|e| LabelError::io(sc, e))?;
        if let Some(f) = read_streaming_detached(context, path, format, &data, &mut file)? {
            return found(f);
        }
        file.rewind().map_err(|e| LabelError::io(path, e))?;
        let reader = Reader::from_shared_context(context)
            .with_manifest_data_and_stream(&data, format.mime(), file)
            .map_err(|e| LabelError::c2pa(sc, &e))?;
        return found(Found {
            too_wide: crate::exclusion_check::detached(&reader),
            ..Found::new(reader, ManifestSource::Sidecar)
        });
    }
    if !format.embeddable() {
        return Ok(StoreRead::None);
    }
    if matches!(format, MediaFormat::Wav | MediaFormat::Mp3) {
        if let Some(f) = read_streaming(context, path, format, &mut file)? {
            return found(f);
        }
        file.rewind().map_err(|e| LabelError::io(path, e))?;
    }
    if matches!(format, MediaFormat::Mp4 | MediaFormat::M4a) {
        if let Some(f) = read_streaming_bmff(context, path, format, &mut file)? {
            return found(f);
        }
        file.rewind().map_err(|e| LabelError::io(path, e))?;
    }
    match Reader::from_shared_context(context).with_stream(format.mime(), &mut file) {
        Ok(reader) => {
            let too_wide = crate::exclusion_check::of_reader(format, &mut file, &reader)
                .map_err(|e| LabelError::io(path, e))?;
            found(Found {
                too_wide,
                ..Found::new(reader, ManifestSource::Embedded)
            })
        }
        Err(c2pa::Error::JumbfNotFound) | Err(c2pa::Error::ProvenanceMissing) => {
            Ok(StoreRead::None)
        }
        Err(c2pa::Error::RemoteManifestUrl(url)) => match job.fetcher {
            None => Ok(StoreRead::Remote(url)),
            Some(fetcher) => {
                let reader = crate::remote_verdict::fetch_and_read(
                    context, path, format, fetcher, &url, file,
                )?;
                found(Found {
                    too_wide: crate::exclusion_check::detached(&reader),
                    remote_url: Some(url),
                    ..Found::new(reader, ManifestSource::Remote)
                })
            }
        },
        Err(e) => match damaged_label(&e) {
            Some((code, why)) => Ok(StoreRead::Broken {
                code,
                explanation: format!("{why} ({})", crate::explain::c2pa_error(&e)),
            }),
            None => Err(LabelError::c2pa(path, &e)),
        },
    }
}

/// Whether c2pa refused to read a label because the label itself is
/// damaged — then the file is not unreadable but tampered with (verdict
/// `invalid`, as c2pa's own validation would say had it got that far):
/// the C2PA failure code to report and why, in plain words. Errors about
/// the file or the system stay errors.
pub(super) fn damaged_label(err: &c2pa::Error) -> Option<(&'static str, &'static str)> {
    use c2pa::Error as E;
    match err {
        // c2pa reports unparseable COSE (CBOR) as CoseTimeStampGeneration.
        E::CoseSignature
        | E::CoseTimeStampGeneration
        | E::CoseNoCerts
        | E::ClaimUnsigned
        | E::ClaimMissingSignatureBox => Some((
            "claimSignature.mismatch",
            "the label's signature is damaged and cannot be checked",
        )),
        E::ClaimDecoding(_)
        | E::ClaimMissing { .. }
        | E::ClaimInvalidContent
        | E::InvalidClaim(_)
        | E::JumbfParseError(_)
        | E::JumbfBoxNotFound
        | E::MissingDataBox
        | E::JumbfCreationError
        | E::CborError(_) => Some(("claim.malformed", "the label is damaged and cannot be read")),
        E::CoseSignatureAlgorithmNotSupported => Some((
            "algorithm.unsupported",
            "the label is signed with an algorithm C2PA does not allow, so its signature cannot be checked",
        )),
        E::PrereleaseError => Some((
            explain::PRERELEASE,
            "the label was made by a pre-release C2PA tool (before C2PA 1.0) and cannot be validated",
        )),
        E::CoseInvalidCert => Some((
            "signingCredential.invalid",
            "the signing certificate in the label is damaged or does not meet C2PA rules",
        )),
        E::AssertionMissing { .. } => Some((
            "assertion.missing",
            "a statement the label refers to is missing or was altered",
        )),
        E::AssertionDecoding(_) => Some((
            "assertion.cbor.invalid",
            "a statement in the label is damaged and cannot be read",
        )),
        _ => None,
    }
}

/// WAV and MP3 verification in constant memory (see [`crate::wav_signer`],
/// [`crate::mp3_signer`]): c2pa validates the manifest store (claim,
/// signature, certificate and trust, assertion hashes, ingredients) against
/// an empty stand-in asset, and tamga recomputes the one check that needs
/// the asset — the data hash — streaming. Anything unusual (several hard
/// bindings, other exclusions, unknown algorithm) falls back to c2pa
/// reading the whole file.
pub(super) fn read_streaming(
    context: &Arc<Context>,
    path: &Path,
    format: MediaFormat,
    file: &mut Source,
) -> Result<Option<Found>, LabelError> {
    let io = |e| LabelError::io(path, e);
    // (where the store is, what the hard binding must exclude): the WAV
    // chunk's body and the whole chunk; the MP3 GEOB frame's data for both.
    let span = match format {
        MediaFormat::Wav => crate::wav_signer::find_chunk(file)
            .map_err(io)?
            .map(|(at, len)| ((at + 8, len.saturating_sub(8)), (at, len))),
        _ => crate::mp3_signer::find_store(file)
            .map_err(io)?
            .map(|store| (store, store)),
    };
    let Some(((store_at, store_len), chunk)) = span else {
        return Ok(None);
    };
    let Some((reader, detailed, active)) =
        stand_in_reader(context, format, file, store_at, store_len).map_err(io)?
    else {
        return Ok(None);
    };
    match crate::wav_signer::check_data_hash(&detailed, &active, file, chunk).map_err(io)? {
        None => Ok(None),
        Some(check) => Ok(Some(Found {
            reader,
            source: ManifestSource::Embedded,
            data_hash: Some(check),
            diagnosis: None,
            too_wide: None,
            remote_url: None,
        })),
    }
}

/// c2pa's validation of the store at `store_at` (`store_len` bytes) against
/// an empty stand-in asset: the reader, its detailed JSON and the active
/// manifest's label. `None` when c2pa cannot read the store that way
/// (the caller falls back to c2pa reading the whole file).
fn stand_in_reader(
    context: &Arc<Context>,
    format: MediaFormat,
    file: &mut Source,
    store_at: u64,
    store_len: u64,
) -> std::io::Result<Option<(Reader, serde_json::Value, String)>> {
    if store_len > 64 << 20 {
        return Ok(None);
    }
    let mut jumbf = vec![0u8; store_len as usize];
    file.seek(SeekFrom::Start(store_at))?;
    file.read_exact(&mut jumbf)?;
    Ok(stand_in(context, format, &jumbf))
}

/// c2pa's validation of `store` against an empty stand-in asset: the
/// reader, its detailed JSON and the active manifest's label.
fn stand_in(
    context: &Arc<Context>,
    format: MediaFormat,
    store: &[u8],
) -> Option<(Reader, serde_json::Value, String)> {
    let reader = Reader::from_shared_context(context)
        .with_manifest_data_and_stream(store, format.mime(), std::io::Cursor::new(Vec::new()))
        .ok()?;
    let detailed: serde_json::Value =
        serde_json::from_str(&reader.detailed_json()).unwrap_or_default();
    let active = reader.active_label()?.to_string();
    Some((reader, detailed, active))
}

/// MP4 and M4A verification in constant memory (see [`crate::bmff_hash`]):
/// c2pa validates the store in the file's C2PA `uuid` box against a
/// stand-in, and tamga recomputes the BMFF hash streaming. A file with
/// more than one C2PA box (an update manifest), a Merkle tree or
/// exclusions of another shape falls back to c2pa reading the file.
pub(super) fn read_streaming_bmff(
    context: &Arc<Context>,
    path: &Path,
    format: MediaFormat,
    file: &mut Source,
) -> Result<Option<Found>, LabelError> {
    let io = |e| LabelError::io(path, e);
    let Some((store_at, store_len)) = crate::bmff_hash::manifest_store(file).map_err(io)? else {
        return Ok(None);
    };
    let Some((reader, detailed, active)) =
        stand_in_reader(context, format, file, store_at, store_len).map_err(io)?
    else {
        return Ok(None);
    };
    let Some(binding) = crate::bmff_hash::BmffBinding::of_active(&detailed, &active) else {
        return Ok(None);
    };
    match binding.check(file).map_err(io)? {
        None => Ok(None),
        Some(check) => Ok(Some(Found {
            data_hash: Some(check),
            ..Found::new(reader, ManifestSource::Embedded)
        })),
    }
}

/// A sidecar store checked in constant memory: c2pa validates it against a
/// stand-in, and tamga hashes the whole file streaming when the binding is
/// a data hash without exclusions (as tamga and c2patool write for a
/// sidecar). c2pa would read a 2 GB WebM through 256 MB buffers.
fn read_streaming_detached(
    context: &Arc<Context>,
    path: &Path,
    format: MediaFormat,
    store: &[u8],
    file: &mut Source,
) -> Result<Option<Found>, LabelError> {
    let Some((reader, detailed, active)) = stand_in(context, format, store) else {
        return Ok(None);
    };
    let Some(binding) = crate::data_hash::Binding::of_active(&detailed, &active) else {
        return Ok(None);
    };
    if !binding.exclusions.is_empty() {
        return Ok(None);
    }
    file.rewind().map_err(|e| LabelError::io(path, e))?;
    let hash =
        crate::data_hash::hash_reader(binding.alg, file).map_err(|e| LabelError::io(path, e))?;
    let check = if hash == binding.hash {
        HashCheck::Match
    } else {
        HashCheck::Mismatch
    };
    Ok(Some(Found {
        too_wide: crate::exclusion_check::detached(&reader),
        data_hash: Some(check),
        ..Found::new(reader, ManifestSource::Sidecar)
    }))
}
