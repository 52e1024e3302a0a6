//! When a signing certificate stops being valid, in the forms reports need:
//! a date for people, days left for warnings.

use time::OffsetDateTime;
use x509_parser::{certificate::X509Certificate, pem::Pem, prelude::FromDer};

const DAY: i64 = 24 * 60 * 60;

/// A certificate's notAfter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expiry {
    /// notAfter, seconds since the Unix epoch.
    pub not_after: i64,
}

impl Expiry {
    /// The end-entity (first) certificate's expiry in a PEM chain, if it parses.
    pub fn of_leaf(pem: &str) -> Option<Self> {
        let first = Pem::iter_from_buffer(pem.as_bytes())
            .filter_map(Result::ok)
            .find(|p| p.label == "CERTIFICATE")?;
        let (_, cert) = X509Certificate::from_der(&first.contents).ok()?;
        Some(Self::of(&cert))
    }

    pub(crate) fn of(cert: &X509Certificate<'_>) -> Self {
        Self {
            not_after: cert.validity().not_after.timestamp(),
        }
    }

    /// The UTC date, `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        OffsetDateTime::from_unix_timestamp(self.not_after)
            .map(|t| t.date().to_string())
            .unwrap_or_else(|_| format!("{} s after 1970", self.not_after))
    }

    /// Whole days from `now` (Unix seconds) until expiry; negative once expired.
    pub fn days_left(&self, now: i64) -> i64 {
        (self.not_after - now).div_euclid(DAY)
    }

    /// Whole days left from the system clock.
    pub fn days_left_now(&self) -> i64 {
        self.days_left(OffsetDateTime::now_utc().unix_timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{init_dev_keys, DevKeyOptions, SigningIdentity};

    #[test]
    fn the_leaf_expiry_gives_a_date_and_days_left() {
        let d = tempfile::tempdir().unwrap();
        let mut options = DevKeyOptions::new("Expiry LLP");
        options.signing_days = 20;
        options.now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let k = init_dev_keys(d.path(), &options).unwrap();
        let chain = std::fs::read_to_string(&k.signing_chain).unwrap();
        let e = Expiry::of_leaf(&chain).unwrap();
        // The leaf, not the root (five years).
        assert_eq!(e.days_left(1_800_000_000), 20);
        assert_eq!(e.days_left(1_800_000_000 + 21 * DAY), -1);
        assert_eq!(e.date(), "2027-02-04");
        assert_eq!(Expiry::of_leaf("no pem"), None);
    }

    #[test]
    fn an_identity_knows_its_expiry() {
        let d = tempfile::tempdir().unwrap();
        let k = init_dev_keys(d.path(), &DevKeyOptions::new("Expiry LLP")).unwrap();
        let id = SigningIdentity::load(&k.signing_chain, &k.signing_key, None).unwrap();
        assert!((364..=365).contains(&id.expiry().days_left_now()));
    }
}
