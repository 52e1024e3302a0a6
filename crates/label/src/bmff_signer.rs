//! Labelling MP4, MOV and M4A in bounded memory.
//!
//! c2pa's `Builder::sign` hashes a BMFF file through two buffers of up to
//! 256 MB at a time, each freed on another thread; under mimalloc a 2 GB
//! MP4 peaked at 2.1 GB. c2pa's own placeholder workflow avoids that while
//! leaving every C2PA structure to c2pa:
//!
//! 1. `Builder::placeholder` makes the store with a zero BMFF hash;
//! 2. c2pa's BMFF writer (`jumbf_io::save_jumbf_to_stream`) puts it into
//!    a copy of the file after `ftyp`, shifting the chunk offsets;
//! 3. tamga hashes the copy streaming ([`crate::bmff_hash`]) with the
//!    placeholder's own exclusions;
//! 4. `Builder::sign_embeddable` signs a store of the same size, which
//!    overwrites the placeholder in place: no byte outside it moves.

use std::{
    fs::File,
    io::{Seek, SeekFrom, Write},
    path::Path,
};

use c2pa::{assertions::BmffHash, Builder, BuilderIntent};
use tamga_media::MediaFormat;

use crate::{
    bmff_hash::{self, TopExclusion},
    data_hash::Alg,
    LabelError,
};

/// The label prefix of every version of the BMFF hash assertion.
const BMFF_HASH: &str = "c2pa.hash.bmff";

/// Writes `source` with a signed C2PA box into `out`. The builder's
/// context must hold the signer (see [`crate::shared_signer`]). `source`
/// carries no manifest: a parent ingredient made from one would have c2pa
/// validate it through its own buffers.
pub(crate) fn label(
    builder: &mut Builder,
    path: &Path,
    format: MediaFormat,
    source: &mut File,
    out: &mut File,
) -> Result<(), LabelError> {
    let c2pa_err = |e: c2pa::Error| LabelError::c2pa(path, &e);
    let io = |e: std::io::Error| LabelError::io(path, e);
    let fail = |message: &str| LabelError::C2pa {
        path: path.into(),
        message: message.into(),
    };
    let mime = format.mime();

    // What `Builder::sign` does for an edit: the file is the parent.
    let edit = matches!(
        builder.intent(),
        Some(BuilderIntent::Edit | BuilderIntent::Update)
    );
    if edit && !builder.definition.ingredients.iter().any(|i| i.is_parent()) {
        source.seek(SeekFrom::Start(0)).map_err(io)?;
        builder
            .add_ingredient_from_stream(r#"{"relationship": "parentOf"}"#, mime, source)
            .map_err(c2pa_err)?;
    }

    let composed = builder.placeholder(mime).map_err(c2pa_err)?;
    let jumbf = jumbf_of(&composed).ok_or_else(|| fail("c2pa's placeholder is not a C2PA box"))?;
    source.seek(SeekFrom::Start(0)).map_err(io)?;
    c2pa::jumbf_io::save_jumbf_to_stream(mime, source, out, jumbf).map_err(c2pa_err)?;

    let (store_at, _) = bmff_hash::manifest_store(out)
        .map_err(io)?
        .filter(|&(_, len)| len == jumbf.len() as u64)
        .ok_or_else(|| fail("the placeholder was not found where c2pa put it"))?;
    let box_at = store_at - (composed.len() - jumbf.len()) as u64;

    // The placeholder's binding, with the hash filled in: the same
    // exclusions and version as c2pa's `Builder::placeholder` gave it.
    let label = builder
        .definition
        .assertions
        .iter()
        .find(|a| a.label.starts_with(BMFF_HASH))
        .map(|a| a.label.clone())
        .ok_or_else(|| fail("c2pa's placeholder has no BMFF hash"))?;
    let alg_name = builder.definition.hash_alg.as_deref().unwrap_or("sha256");
    let alg = Alg::parse(alg_name).ok_or_else(|| fail("unsupported hash algorithm"))?;
    let mut binding = BmffHash::new("jumbf manifest", alg_name, None);
    binding.set_default_exclusions();
    let version = bmff_hash::version_of(&label);
    binding.set_bmff_version(version);
    let exclusions = TopExclusion::from_maps(binding.exclusions())
        .ok_or_else(|| fail("c2pa's BMFF exclusions changed shape"))?;
    let hash = bmff_hash::hash_file(out, &exclusions, version > 1, alg)
        .map_err(io)?
        .ok_or_else(|| fail("the labelled file is not a clean run of BMFF boxes"))?;
    binding.set_hash(hash);
    builder
        .definition
        .assertions
        .retain(|a| !a.label.starts_with(BMFF_HASH));
    builder.add_assertion(&label, &binding).map_err(c2pa_err)?;

    let signed = builder.sign_embeddable(mime).map_err(c2pa_err)?;
    if signed.len() != composed.len() {
        return Err(fail("the signed manifest outgrew its placeholder"));
    }
    out.seek(SeekFrom::Start(box_at)).map_err(io)?;
    out.write_all(&signed).map_err(io)?;
    Ok(())
}

/// The JUMBF inside a composed C2PA `uuid` box (c2pa's writer wraps it
/// again): what follows the header, the C2PA UUID, version and flags, the
/// `manifest` purpose and the Merkle offset.
fn jumbf_of(composed: &[u8]) -> Option<&[u8]> {
    const AFTER_SIZE: usize = 4 + 16 + 4 + 9 + 8;
    let size = u32::from_be_bytes(composed.get(..4)?.try_into().ok()?);
    let body = composed.get(4..)?;
    (size as usize == composed.len()
        && body.starts_with(b"uuid")
        && body.get(4..20)? == bmff_hash::C2PA_UUID
        && body.get(24..33)? == b"manifest\0")
        .then(|| composed.get(4 + AFTER_SIZE..))
        .flatten()
}
