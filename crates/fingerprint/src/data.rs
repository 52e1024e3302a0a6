//! The Data-Code and Instance-Code of a file's bytes, streamed, and the
//! composite ISCC-CODE.
//!
//! The Data-Code is a similarity hash of the bytes (content-defined chunks,
//! MinHash): an edited copy of a file is near its original. The
//! Instance-Code is BLAKE3 of the bytes: equal only for the same file. Both
//! are computed in one pass with iscc-lib's streaming hashers, a block at a
//! time, so a file of any size costs one buffer.

use std::io::{ErrorKind, Read};

use crate::{ContentCode, FingerprintError, Fingerprints};

/// Bytes read per block (iscc-lib's own read size).
const BLOCK: usize = 1 << 20;

/// The Data-Code and Instance-Code of a byte stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataCodes {
    /// The 64-bit Data-Code body.
    pub data: u64,
    /// The Data-Code unit, "ISCC:GAA…".
    pub data_unit: String,
    /// BLAKE3 of the bytes: the 256-bit Instance-Code body.
    pub instance: [u8; 32],
    /// The 64-bit Instance-Code unit, "ISCC:IAA…".
    pub instance_unit: String,
    /// How many bytes were read.
    pub size: u64,
}

/// Reads `reader` to its end and hashes it.
pub fn data_codes(mut reader: impl Read) -> std::io::Result<DataCodes> {
    let mut data = iscc_lib::DataHasher::new();
    let mut instance = iscc_lib::InstanceHasher::new();
    let mut buf = vec![0u8; BLOCK];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let block = buf.get(..n).unwrap_or_default();
        data.update(block);
        instance.update(block);
        size += n as u64;
    }
    let invalid = |e: iscc_lib::IsccError| std::io::Error::other(e.to_string());
    let data_unit = data.finalize(64).map_err(invalid)?.iscc;
    let wide = instance.finalize(256).map_err(invalid)?;
    let (_, _, _, _, digest) = iscc_lib::iscc_decode(&wide.iscc).map_err(invalid)?;
    let mut hash = [0u8; 32];
    if digest.len() == 32 {
        hash.copy_from_slice(&digest);
    }
    // The 64-bit unit is the 256-bit one cut short (ISO 24138 units are
    // prefixes of their longer forms).
    let instance_unit = iscc_lib::encode_component(4, 0, 0, 64, &hash).map_err(invalid)?;
    Ok(DataCodes {
        data: crate::body(&data_unit).map_err(invalid)?,
        data_unit,
        instance: hash,
        instance_unit: format!("ISCC:{instance_unit}"),
        size,
    })
}

/// Joins a content code (if any) with the data codes into the composite
/// ISCC-CODE and the [`Fingerprints`] record.
pub fn compose(
    content: Option<ContentCode>,
    codes: DataCodes,
) -> Result<Fingerprints, FingerprintError> {
    let mut units: Vec<&str> = Vec::with_capacity(3);
    if let Some(c) = &content {
        units.push(&c.iscc);
    }
    units.push(&codes.data_unit);
    units.push(&codes.instance_unit);
    let iscc = iscc_lib::gen_iscc_code_v0(&units, false)?.iscc;
    Ok(Fingerprints {
        content,
        data: codes.data,
        instance: codes.instance,
        iscc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads in small uneven pieces, as a pipe or socket would.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(7_919);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn streaming_gives_the_one_shot_codes() {
        let bytes: Vec<u8> = (0..3_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let codes = data_codes(Trickle(&bytes)).unwrap();
        assert_eq!(codes.size, bytes.len() as u64);
        assert_eq!(
            codes.data_unit,
            iscc_lib::gen_data_code_v0(&bytes, 64).unwrap().iscc
        );
        assert_eq!(
            codes.instance_unit,
            iscc_lib::gen_instance_code_v0(&bytes, 64).unwrap().iscc
        );
        let wide = iscc_lib::gen_instance_code_v0(&bytes, 256).unwrap();
        assert_eq!(wide.datahash, format!("1e20{}", hex(&codes.instance)));
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn the_composite_has_the_content_unit_first() {
        let codes = data_codes(&b"hello world"[..]).unwrap();
        let text = crate::text("hello world");
        let f = compose(Some(text.clone()), codes.clone()).unwrap();
        let expected = iscc_lib::gen_iscc_code_v0(
            &[&text.iscc, &codes.data_unit, &codes.instance_unit],
            false,
        )
        .unwrap()
        .iscc;
        assert_eq!(f.iscc, expected);
        assert!(f.iscc.starts_with("ISCC:K"), "{}", f.iscc);
        let bare = compose(None, codes).unwrap();
        assert_ne!(bare.iscc, f.iscc);
    }
}
