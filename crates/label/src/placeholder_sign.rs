//! The steps tamga's streaming signers (WAV, MP3) share: c2pa's data-hash
//! embeddable API with a placeholder. c2pa makes a placeholder store of the
//! signer's size; the format's writer puts it into the output and hashes
//! everything around it as it goes; c2pa signs the `c2pa.hash.data`
//! binding; the signed store overwrites the placeholder in place, so no
//! byte outside it moves and the hash stays true.

use std::{
    fs::File,
    io::{Seek, SeekFrom, Write},
    path::Path,
};

use c2pa::{assertions::DataHash, Builder, HashRange, Signer};

use crate::LabelError;

/// Where a writer put the placeholder, and the hash around it.
pub(crate) struct Placed {
    /// Where the placeholder's first byte is in the output.
    pub(crate) store_at: u64,
    /// The binding's single exclusion, (offset, length): the store, and
    /// whatever framing the format's own C2PA handler excludes with it.
    pub(crate) exclusion: (u64, u64),
    /// SHA-256 of every output byte outside the exclusion.
    pub(crate) sha256: Vec<u8>,
}

/// Signs `builder`'s manifest into `out`: `place` writes the media with
/// the placeholder store it is given and says where it put it.
pub(crate) fn sign(
    builder: &mut Builder,
    signer: &dyn Signer,
    path: &Path,
    out: &mut File,
    place: impl FnOnce(&[u8], &mut File) -> Result<Placed, LabelError>,
) -> Result<(), LabelError> {
    let c2pa_err = |e: c2pa::Error| LabelError::c2pa(path, &e);
    let io = |e: std::io::Error| LabelError::io(path, e);

    let placeholder = builder
        .data_hashed_placeholder(signer.reserve_size(), "application/c2pa")
        .map_err(c2pa_err)?;
    let placed = place(&placeholder, out)?;
    let mut dh = DataHash::new("jumbf manifest", "sha256");
    dh.add_exclusion(HashRange::new(placed.exclusion.0, placed.exclusion.1));
    dh.set_hash(placed.sha256);
    let signed = builder
        .sign_data_hashed_embeddable(signer, &dh, "application/c2pa")
        .map_err(c2pa_err)?;
    if signed.len() > placeholder.len() {
        return Err(LabelError::C2pa {
            path: path.into(),
            message: "the signed manifest outgrew its placeholder".into(),
        });
    }
    // The JUMBF superbox carries its own length; the zeros after it, still
    // inside the exclusion, are ignored by readers, as in c2pa's own
    // placeholder flow.
    out.seek(SeekFrom::Start(placed.store_at)).map_err(io)?;
    out.write_all(&signed).map_err(io)?;
    out.write_all(&vec![0; placeholder.len() - signed.len()])
        .map_err(io)?;
    Ok(())
}
