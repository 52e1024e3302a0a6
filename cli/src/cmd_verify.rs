//! `tamga verify …` and `tamga inspect …`

use std::{path::PathBuf, process::ExitCode, sync::Mutex};

use anyhow::Result;
use serde::Serialize;
use tamga_label::{
    verify_report::{VerifyEntry as Entry, VerifyReport},
    FileReport, MediaFormat, TrustConfig, Verdict, Verifier, VerifyOptions,
};

use crate::{
    args::{InspectArgs, RegistryArg, TrustArgs, VerifyArgs},
    cmd_pipe, inputs,
    out::outln,
    progress,
};

pub(crate) fn verifier(
    trust: &TrustArgs,
    format: Option<MediaFormat>,
    registry: Option<&RegistryArg>,
) -> Result<Verifier> {
    let mut options = verify_options(trust, registry)?;
    options.format = format;
    Ok(Verifier::new(options)?)
}

/// Verification options with the trust lists and the registry named on
/// the command line (the registry also from the config file).
pub(crate) fn verify_options(
    trust: &TrustArgs,
    registry: Option<&RegistryArg>,
) -> Result<VerifyOptions> {
    let mut options = VerifyOptions::default();
    if let Some(arg) = registry {
        let config = crate::key_source::env_config();
        options.registry = crate::key_source::registry(arg.registry.as_deref(), config.as_deref())?;
    }
    options.trust = TrustConfig::from_files(trust.trust.as_deref(), trust.allowed.as_deref())?;
    options.find_watermarks = trust.find_watermarks;
    if trust.remote == crate::args::RemoteMode::Fetch {
        options.remote = Some(tamga_server::remote_fetch::manifest_fetcher());
    }
    Ok(options)
}

/// Says, once on standard error, how to give a trust list when none was
/// given and a label was found intact (`signed`): without one no signer can
/// be trusted, and "not on your trust list" alone does not say what to do.
pub(crate) fn hint_without_trust(trust: &TrustConfig, signed: bool) -> std::io::Result<()> {
    if !signed || trust.anchors_pem.is_some() || trust.allowed_pem.is_some() {
        return Ok(());
    }
    crate::out::error_line(
        "tamga: no trust list was given, so no signer can be trusted; add --trust ANCHORS.pem \
         (the trust-anchor.pem a producer hands out, or a C2PA trust list) or set TAMGA_TRUST",
    )
}

/// Verifies every file under `paths` in parallel; results in path order.
pub(crate) fn verify_all(
    verifier: &Verifier,
    paths: &[PathBuf],
    jobs: Option<usize>,
) -> Result<Vec<Entry>> {
    let items = inputs::expand(paths);
    let out = Mutex::new(Vec::with_capacity(items.len()));
    let bar = progress::bar(items.len(), "verifying");
    progress::for_each(jobs, &items, |i, item| {
        let entry = match item {
            Err((path, why)) => {
                Entry::error(path.clone(), "io", format!("{}: {why}", path.display()))
            }
            Ok(item) => crate::advice::entry(Entry::from_result(
                item.path.clone(),
                verifier.verify(&item.path),
            )),
        };
        out.lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((i, entry));
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let mut v = out.into_inner().unwrap_or_else(|p| p.into_inner());
    v.sort_by_key(|(i, _)| *i);
    Ok(v.into_iter().map(|(_, e)| e).collect())
}

pub(crate) fn run_verify(args: VerifyArgs) -> Result<ExitCode> {
    let verifier = verifier(&args.trust, args.format, Some(&args.registry))?;
    let entries = if cmd_pipe::wants_stdin(&args.paths)? {
        vec![cmd_pipe::verify(&verifier, args.format)?]
    } else {
        verify_all(&verifier, &args.paths, args.jobs.jobs)?
    };
    let doc = VerifyReport::new(entries);
    let summary = &doc.summary;
    let code = if summary.errors > 0 {
        2
    } else if summary.invalid > 0 || summary.remote > 0 {
        1
    } else {
        0
    };
    if args.json.json {
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        for e in &doc.files {
            print_entry(e)?;
        }
        outln!(
            "{} files: {} trusted, {} valid-untrusted, {} invalid, {} unlabelled, {} remote, {} errors",
            summary.files,
            summary.trusted,
            summary.valid_untrusted,
            summary.invalid,
            summary.unlabelled,
            summary.remote,
            summary.errors
        )?;
    }
    // After the report: a reader that went away has ended the run quietly.
    hint_without_trust(verifier.trust_config(), summary.valid_untrusted > 0)?;
    Ok(ExitCode::from(code))
}

pub(crate) fn print_entry(e: &Entry) -> std::io::Result<()> {
    match e {
        Entry::Error { error, .. } => outln!("{:<16} {error}", "error")?,
        Entry::Checked(r) => {
            outln!("{:<16} {}", r.verdict.word(), crate::out::shown(&r.path))?;
            outln!("{:<16} {}", "", r.reason)?;
            let codes = tamga_label::explain::invalid_codes(&r.failures);
            if !codes.is_empty() && r.verdict == Verdict::Invalid {
                outln!("{:<16} codes: {}", "", codes.join(", "))?;
            }
            if r.verdict == Verdict::Remote {
                outln!("{:<16} to verify it, fetch it: --remote fetch", "")?;
            }
            if let Some(s) = &r.signer {
                outln!(
                    "{:<16} signed by {} ({})",
                    "",
                    s.organisation.as_deref().unwrap_or("unknown organisation"),
                    r.claim_generator.as_deref().unwrap_or("unknown tool")
                )?;
            }
            if let Some(t) = &r.time_stamp {
                outln!(
                    "{:<16} time-stamped {} by {} ({})",
                    "",
                    t.time.as_deref().unwrap_or("at an unreadable time"),
                    match t.trusted {
                        Some(true) => "an authority on your trust list",
                        Some(false) => "an authority NOT on your trust list",
                        None => "an authority (no trust list given)",
                    },
                    t.code
                )?;
            }
            for identity in &r.identities {
                outln!("{:<16} {}", "", identity.sentence())?;
            }
            if r.history.len() > 1 {
                // Newest first, as a distributor reads it: who published,
                // then who made it.
                for (i, link) in r.history.iter().enumerate() {
                    let who = link
                        .signer
                        .as_ref()
                        .and_then(|s| s.organisation.as_deref())
                        .unwrap_or("unknown organisation");
                    let trust = match link.trusted {
                        Some(true) => ", trusted",
                        Some(false) => ", NOT on the trust list",
                        None => "",
                    };
                    outln!(
                        "{:<16} history {}: {who}: {}{trust}",
                        "",
                        i + 1,
                        link.actions.join(", ")
                    )?;
                }
            }
            if let Some(d) = &r.disclosure {
                let how = match (d.ai, &d.digital_source_type) {
                    (Some(ai), _) => format!("AI {ai}"),
                    (None, Some(dst)) => {
                        format!("not AI ({})", dst.rsplit('/').next().unwrap_or(dst))
                    }
                    (None, None) => "no source type".into(),
                };
                let by = d
                    .generator
                    .as_ref()
                    .map(|g| format!(" by {g}"))
                    .unwrap_or_default();
                let org = d
                    .organisation
                    .as_ref()
                    .map(|o| format!(" for {o}"))
                    .unwrap_or_default();
                outln!("{:<16} {how}{by}{org}", "")?;
                if let Some(hr) = &d.human_review {
                    let who = hr.editorial_responsibility.as_deref().unwrap_or("");
                    outln!(
                        "{:<16} human review: {}{}",
                        "",
                        if hr.reviewed { "yes" } else { "no" },
                        if who.is_empty() {
                            String::new()
                        } else {
                            format!(" ({who})")
                        }
                    )?;
                }
                match &d.perceivable_notice {
                    Some(n) => outln!("{:<16} perceivable notice: {}", "", n.summary())?,
                    None if d.is_ai() => outln!("{:<16} perceivable notice: none recorded", "")?,
                    None => {}
                }
                if !d.notice.is_empty() {
                    let n: Vec<String> =
                        d.notice.iter().map(|(l, t)| format!("[{l}] {t}")).collect();
                    outln!("{:<16} notice: {}", "", n.join(" · "))?;
                }
            }
            for line in r.platform_metadata.iter().flat_map(|m| m.summary_lines()) {
                outln!("{:<16} {line}", "")?;
            }
            if let Some(w) = &r.watermark {
                let (what, scale) = match w.scale {
                    Some(scale) => ("pixels", format!(", scale {scale}")),
                    None => ("sound", String::new()),
                };
                outln!(
                    "{:<16} tamga watermark {} in the {what} ({:.1} % of its bits intact{scale}): a tamga label was made for this content",
                    "",
                    w.payload,
                    100.0 * w.confidence,
                )?;
            }
            if let Some(found) = &r.recovered {
                print_recovered(found)?;
            }
            for w in &r.warnings {
                outln!("{:<16} warning: {w}", "")?;
            }
        }
    }
    Ok(())
}

/// The label the registry holds for a file that carries none, in words.
fn print_recovered(found: &tamga_label::Recovered) -> std::io::Result<()> {
    let how = match (found.how, found.distance) {
        (tamga_label::RecoveredBy::Fingerprint, Some(d)) => {
            format!("by fingerprint, {d} bits apart")
        }
        (tamga_label::RecoveredBy::Watermark, _) => "by tamga's invisible watermark".to_string(),
        _ => "by exact hash".to_string(),
    };
    let made = match &found.disclosure {
        Some(d) if d.is_ai() => {
            let by = d
                .generator
                .as_ref()
                .map(|g| format!(" ({g})"))
                .unwrap_or_default();
            let org = found
                .signer
                .as_ref()
                .and_then(|s| s.organisation.as_deref())
                .or(d.organisation.as_deref())
                .unwrap_or("an unnamed signer");
            format!("made with AI{by} by {org}")
        }
        Some(_) => "no AI involvement declared".to_string(),
        None => "no AI disclosure".to_string(),
    };
    outln!(
        "{:<16} no label in the file; a label for this content was found in the registry: {made}",
        ""
    )?;
    outln!(
        "{:<16} recovered {how}: {} ({}): {}",
        "",
        found.manifest,
        found.verdict.word(),
        found.reason
    )
}

#[derive(Serialize)]
struct InspectJson {
    schema: &'static str,
    report: FileReport,
    manifest_store: Option<serde_json::Value>,
}

pub(crate) fn run_inspect(args: InspectArgs) -> Result<ExitCode> {
    let verifier = verifier(&args.trust, None, None)?;
    if args.privacy {
        return crate::cmd_privacy::run(&verifier, &args.files, args.json.json);
    }
    let [file] = args.files.as_slice() else {
        anyhow::bail!(
            "inspect shows one file's manifest store; give one file (or --privacy for several)"
        );
    };
    let (report, store) = verifier.inspect(file)?;
    let code = if report.verdict == Verdict::Invalid {
        1
    } else {
        0
    };
    if args.json.json {
        let doc = InspectJson {
            schema: "tamga.inspect/1",
            report,
            manifest_store: store,
        };
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        print_entry(&Entry::Checked(Box::new(report)))?;
        match store {
            Some(s) => outln!("{}", serde_json::to_string_pretty(&s)?)?,
            None => outln!("(no manifest store)")?,
        }
    }
    Ok(ExitCode::from(code))
}
