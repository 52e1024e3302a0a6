//! Turning what c2pa read into a [`FileReport`]: the verdict, its codes in
//! plain words, the disclosure and the history.

use super::*;

pub(super) fn unlabelled(path: &Path, format: MediaFormat) -> FileReport {
    FileReport {
        path: path.to_path_buf(),
        format,
        verdict: Verdict::Unlabelled,
        reason: "no C2PA label in or beside this file".into(),
        detail: None,
        time_stamp: None,
        failures: Vec::new(),
        manifest_source: None,
        remote_url: None,
        sidecar: None,
        active_manifest: None,
        signer: None,
        claim_generator: None,
        disclosure: None,
        manifests: 0,
        history: Vec::new(),
        published_by: None,
        identities: Vec::new(),
        platform_metadata: None,
        warnings: Vec::new(),
        recovered: None,
        watermark: None,
        sd_watermark: None,
        privacy: Vec::new(),
    }
}

pub(super) fn from_reader(
    path: &Path,
    format: MediaFormat,
    found: &Found,
    trust: Option<&TrustList>,
) -> FileReport {
    let (reader, source) = (&found.reader, found.source);
    let mut failures = failures(reader, format);
    // c2pa's trust pass is off (signer_trust.rs): the signer is judged here
    // and an untrusted one reported as c2pa would have reported it.
    // (With c2pa's pass on, as for `inspect`, both judge alike and its
    // code is not repeated.)
    let trusted = signer_trust::active_signer_trusted(reader, trust);
    let has = |failures: &[StatusCode], ingredient: bool| {
        failures
            .iter()
            .any(|f| f.ingredient == ingredient && f.code == signer_trust::UNTRUSTED)
    };
    if !trusted && !has(&failures, false) {
        // First, where c2pa puts it: it judges trust before the signature
        // and the bindings.
        failures.insert(0, signer_trust::untrusted_failure(format, false));
    }
    if !has(&failures, true) && signer_trust::an_ingredient_untrusted(reader, trust) {
        failures.push(signer_trust::untrusted_failure(format, true));
    }
    let history = history::chain(reader, trust);
    let identities = identity::read(reader, format);
    let verdict = match found.data_hash {
        // c2pa's state counts an identity's statuses as the claim's (an
        // unknown identity certificate would make a trusted signer look
        // unknown): judged from the claim's own codes instead.
        None if identity::has_identity_status(reader) => verdict_from(reader, &failures, trusted),
        // c2pa's state, with trust judged above: `Valid` means no failure
        // at all, so the signer's trust alone decides.
        None => match reader.validation_state() {
            ValidationState::Invalid => Verdict::Invalid,
            ValidationState::Trusted | ValidationState::Valid if trusted => Verdict::Trusted,
            ValidationState::Trusted | ValidationState::Valid => Verdict::ValidUntrusted,
        },
        Some(check) => {
            // c2pa saw an empty stand-in asset, so its verdict on the
            // hard binding is meaningless; ours replaces it.
            failures.retain(|f| {
                f.ingredient
                    || !(f.code == DATA_HASH_MISMATCH
                        || f.code == DATA_HASH_MALFORMED
                        || f.code.starts_with(BMFF_HASH))
            });
            let mismatch = if format.is_bmff() {
                BMFF_HASH_MISMATCH
            } else {
                DATA_HASH_MISMATCH
            };
            let code = match check {
                HashCheck::Match => None,
                HashCheck::Mismatch => Some(mismatch),
                HashCheck::Misplaced => Some(DATA_HASH_MALFORMED),
            };
            if let Some(code) = code {
                // The binding failure is the headline: it goes first.
                failures.insert(
                    0,
                    StatusCode {
                        code: code.into(),
                        url: None,
                        ingredient: false,
                        explanation: found
                            .diagnosis
                            .clone()
                            .unwrap_or_else(|| explain::status_code(code, format)),
                    },
                );
            }
            verdict_from(reader, &failures, trusted)
        }
    };
    let verdict = match found.too_wide {
        Some(wide) => {
            failures.insert(0, wide.failure());
            Verdict::Invalid
        }
        None => verdict,
    };
    let active = reader.active_manifest();
    // c2pa judges the active signer; an earlier signer in the chain (the
    // producer of a published file) must be on the list too, or "trusted"
    // would vouch for content nobody on the list made. c2pa alone can miss
    // it: it drops an ingredient's "untrusted" that the publisher recorded.
    let untrusted_earlier = history
        .iter()
        .skip(1)
        .find(|l| l.trusted == Some(false))
        .map(|l| {
            l.signer
                .as_ref()
                .and_then(|s| s.organisation.clone().or(s.common_name.clone()))
                .unwrap_or_else(|| "an unnamed signer".into())
        });
    let verdict = match (verdict, &untrusted_earlier) {
        (Verdict::Trusted, Some(_)) => Verdict::ValidUntrusted,
        (v, _) => v,
    };
    // The disclosure comes from the newest manifest that states the source;
    // a publisher's says nothing about it, so the producer's shows through.
    let disclosure = history::disclosure(reader);
    let published_by = history
        .iter()
        .find(|l| l.is_publication())
        .and_then(|l| l.signer.as_ref())
        .and_then(|s| s.organisation.clone());
    let reason = match verdict {
        Verdict::Trusted if history.len() > 1 => {
            "intact, and every signer in its history is on your trust list".to_string()
        }
        Verdict::Trusted => "intact, and signed by a signer on your trust list".to_string(),
        Verdict::ValidUntrusted if untrusted_earlier.is_some() => format!(
            "intact and validly signed, but an earlier signer in its history ({}) is not on your trust list",
            untrusted_earlier.as_deref().unwrap_or_default()
        ),
        Verdict::ValidUntrusted => {
            "intact and validly signed, but the signer is not on your trust list".into()
        }
        Verdict::Invalid => failures
            .iter()
            .find(|f| f.code != "signingCredential.untrusted")
            .or(failures.first())
            .map(|f| f.explanation.clone())
            .unwrap_or_else(|| "the label failed validation".into()),
        Verdict::Unlabelled | Verdict::Remote => "no C2PA label".into(),
    };
    let mut report = FileReport {
        path: path.to_path_buf(),
        format,
        verdict,
        reason,
        detail: None,
        time_stamp: None,
        failures,
        manifest_source: Some(source),
        remote_url: None,
        sidecar: None::<PathBuf>,
        active_manifest: reader.active_label().map(str::to_string),
        signer: active.and_then(history::signer),
        claim_generator: active.and_then(history::claim_generator_name),
        disclosure,
        manifests: reader.manifests().len(),
        history,
        published_by,
        identities,
        platform_metadata: None,
        warnings: Vec::new(),
        recovered: None,
        watermark: None,
        sd_watermark: None,
        privacy: Vec::new(),
    };
    signing_time::apply(&mut report, reader, trust.is_some());
    report
}

pub(super) const DATA_HASH_MISMATCH: &str = "assertion.dataHash.mismatch";
pub(super) const DATA_HASH_MALFORMED: &str = "assertion.dataHash.malformed";
/// The start of every BMFF-hash status code.
const BMFF_HASH: &str = "assertion.bmffHash.";
const BMFF_HASH_MISMATCH: &str = "assertion.bmffHash.mismatch";

/// A label that is there but cannot be read: invalid, with its one code.
pub(super) fn broken(
    path: &Path,
    format: MediaFormat,
    code: &str,
    explanation: &str,
) -> FileReport {
    let mut report = unlabelled(path, format);
    report.verdict = Verdict::Invalid;
    report.reason = explanation.to_string();
    report.manifest_source = Some(ManifestSource::Embedded);
    report.failures = vec![StatusCode {
        code: code.to_string(),
        url: None,
        ingredient: false,
        explanation: explanation.to_string(),
    }];
    report
}

/// C2PA's validation states (§15.3) from success codes and a failure list,
/// the same rules c2pa's `ValidationResults::validation_state` applies.
///
/// `trusted` is the active signer's trust as [`signer_trust`] judged it.
pub(super) fn verdict_from(reader: &Reader, failures: &[StatusCode], trusted: bool) -> Verdict {
    let signed = has_success(reader, "claimSignature.validated")
        && has_success(reader, "claimSignature.insideValidity");
    let only_untrusted = failures.iter().all(|f| f.code == signer_trust::UNTRUSTED);
    if !signed || !only_untrusted {
        Verdict::Invalid
    } else if failures.is_empty() && trusted {
        Verdict::Trusted
    } else {
        Verdict::ValidUntrusted
    }
}

/// Whether the active manifest's results hold `code` as a success of the
/// claim (not of an identity assertion).
pub(super) fn has_success(reader: &Reader, code: &str) -> bool {
    reader
        .validation_results()
        .and_then(|r| r.active_manifest())
        .is_some_and(|a| {
            a.success()
                .iter()
                .any(|s| s.code() == code && !identity::is_identity_status(s.code(), s.url()))
        })
}

/// Every failure code c2pa reported, active manifest first, then ingredients.
pub(super) fn failures(reader: &Reader, format: MediaFormat) -> Vec<StatusCode> {
    let mut out: Vec<StatusCode> = Vec::new();
    let mut push = |code: &str, url: Option<&str>, ingredient: bool| {
        // An identity's statuses are reported with the identity.
        if identity::is_identity_status(code, url) {
            return;
        }
        if out
            .iter()
            .any(|s| s.code == code && s.ingredient == ingredient)
        {
            return;
        }
        out.push(StatusCode {
            code: code.to_string(),
            url: url.map(str::to_string),
            ingredient,
            explanation: if ingredient {
                explain::ingredient_status_code(code, format)
            } else {
                explain::status_code(code, format)
            },
        });
    };
    if let Some(results) = reader.validation_results() {
        if let Some(active) = results.active_manifest() {
            for s in active.failure() {
                push(s.code(), s.url(), false);
            }
        }
        for delta in results.ingredient_deltas().into_iter().flatten() {
            for s in delta.validation_deltas().failure() {
                push(s.code(), s.url(), true);
            }
        }
    } else if let Some(statuses) = reader.validation_status() {
        for s in statuses {
            if !c2pa::validation_results::validation_codes::is_success(s.code()) {
                push(s.code(), s.url(), false);
            }
        }
    }
    out
}
