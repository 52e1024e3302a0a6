//! `tamga publish …`: the gate, then the distributor's stamp on what passed.

use std::{path::PathBuf, process::ExitCode};

use anyhow::{Context as _, Result};
use serde::Serialize;
use tamga_gate::{Declarations, FileCheck, GateVerdict, Policy, PublishRequest};
use tamga_label::{
    AppliedNotice, LabelOptions, Labeller, Lang, NoticeOptions, Propagation, PublishOutcome,
};

use crate::{
    args::PublishArgs,
    cmd_check,
    inputs::OutputPlan,
    key_source,
    out::{eoutln, outln},
};

/// Identifies the JSON schema of [`PublishReport`]; bump on breaking change.
const PUBLISH_SCHEMA: &str = "tamga.publish/1";

/// What happened to one file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileOutcome {
    #[serde(flatten, serialize_with = "tamga_label::path_json::fields_camel")]
    path: PathBuf,
    /// The gate's verdict on the file as received.
    verdict: GateVerdict,
    /// Whether a published copy was written.
    published: bool,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "tamga_label::path_json::lossy_opt"
    )]
    output: Option<PathBuf>,
    /// The notice `--fix` added.
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<AppliedNotice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    propagate_id: Option<String>,
    /// The stripped label `--reattach` re-attached as the parent, by id.
    #[serde(skip_serializing_if = "Option::is_none")]
    reattached: Option<String>,
    /// Where the publication was recorded (`--registry`).
    #[serde(skip_serializing_if = "Option::is_none")]
    registered: Option<tamga_label::Registered>,
    /// The personal data `--redact` took out.
    #[serde(skip_serializing_if = "Option::is_none")]
    redacted: Option<tamga_label::Redacted>,
    /// Why it was not published: `rejected`, `needs-fix`, or a labelling error kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
    /// The gate's full answer (`tamga check`'s entry).
    check: FileCheck,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PublishReport {
    schema: &'static str,
    policy: String,
    publisher: String,
    files: Vec<FileOutcome>,
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    published: usize,
    fixed: usize,
    #[serde(rename = "notPublished")]
    not_published: usize,
}

pub(crate) fn run(args: PublishArgs) -> Result<ExitCode> {
    let policy = Policy::load(&args.policy).map_err(crate::cmd_check::advise)?;
    let fix = args
        .fix
        .then(|| notice_options(&args, &policy))
        .transpose()?;
    let declarations = match &args.declarations {
        Some(p) => Declarations::load(p)?,
        None => Declarations::default(),
    };
    let plan = OutputPlan::new(Some(&args.output), false, &args.paths)?;
    // Opened once, before anything is checked or signed: the gate looks
    // stripped labels up in it and every publication is recorded in it.
    let registry = key_source::registry(
        args.registry.registry.as_deref(),
        args.keys.config.as_deref(),
    )?;
    if args.reattach && registry.is_none() {
        anyhow::bail!(
            "--reattach needs the registry the stripped labels are in: give --registry URL \
             (or TAMGA_REGISTRY, or [registry] url in the config file)"
        );
    }
    let gate = cmd_check::gate_with_registry(policy, &args.trust, registry.clone(), declarations)?;
    let identity = key_source::load(&args.keys)?;
    let mut options = LabelOptions::default();
    options.registry = registry;
    options.thumbnail.enabled = args.thumbnail > 0;
    options.thumbnail.long_edge = args.thumbnail.max(16);
    // The producers' manifests become parent ingredients, validated
    // against the same anchors the gate used.
    options.trust = gate.trust_config().clone();
    options.limits.decode = key_source::decode_limits(&args.limits, args.keys.config.as_deref())?;
    if let Some(d) = key_source::deadline(&args.limits, args.keys.config.as_deref())? {
        options.deadline = d;
    }
    options.tsa_url = key_source::tsa_url(args.tsa.as_deref(), args.keys.config.as_deref())?;
    key_source::signing_notes(&identity, options.tsa_url.as_deref())?;
    let labeller = Labeller::new(&identity, options)?;
    let mut request = PublishRequest::default();
    request.fix = fix;
    request.reattach = args.reattach;
    request.redact = match &args.redact {
        Some(kinds) => kinds.concat(),
        None => gate
            .policy()
            .privacy
            .redact
            .iter()
            .map(|w| crate::args::parse_redact(w))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("the policy's [privacy] redact: {e}"))?
            .concat(),
    };
    request.redact.sort_by_key(|k| k.name());
    request.redact.dedup();
    let mut propagation = Propagation::new();
    propagation.propagator = args.aigc_propagator.clone();
    propagation.propagate_id = args.aigc_propagate_id.clone();
    request.propagation = propagation;

    let files = cmd_check::check_all(
        &gate,
        &args.paths,
        args.declarations.as_deref(),
        args.jobs.jobs,
        "publishing",
        |item, check| {
            let target = plan.target(item);
            let result = gate
                .admit(&check, &request)
                .map_err(|e| (e.kind(), crate::advice::publish_error(&e)))
                .and_then(|_| {
                    target
                        .parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .map(std::fs::create_dir_all)
                        .transpose()
                        .with_context(|| format!("{}: cannot create the folder", target.display()))
                        .map_err(|e| ("io", format!("{e:#}")))
                })
                .and_then(|_| {
                    gate.publish(&labeller, &check, &target, &request)
                        .map_err(|e| (e.kind(), crate::advice::publish_error(&e)))
                });
            outcome(check, result)
        },
    )?;

    let summary = Summary {
        files: files.len(),
        published: files.iter().filter(|f| f.published).count(),
        fixed: files.iter().filter(|f| f.notice.is_some()).count(),
        not_published: files.iter().filter(|f| !f.published).count(),
    };
    let all = summary.not_published == 0;
    let report = PublishReport {
        schema: PUBLISH_SCHEMA,
        policy: gate.policy().name.clone(),
        publisher: labeller.organisation().to_string(),
        files,
        summary,
    };
    if args.json.json {
        outln!("{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        print_table(&report)?;
    }
    Ok(if crate::inputs::any_missing(&args.paths) {
        ExitCode::from(2)
    } else if all {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn outcome(
    check: FileCheck,
    result: Result<PublishOutcome, (&'static str, String)>,
) -> FileOutcome {
    let mut out = FileOutcome {
        path: check.path.clone(),
        verdict: check.verdict,
        published: false,
        output: None,
        notice: None,
        propagate_id: None,
        reattached: None,
        registered: None,
        redacted: None,
        kind: None,
        error: None,
        warnings: Vec::new(),
        check,
    };
    match result {
        Ok(done) => {
            out.published = true;
            out.output = Some(done.output);
            out.notice = done.notice;
            out.propagate_id = done.propagate_id;
            out.registered = done.registered;
            out.reattached = done.reattached;
            out.redacted = done.redacted;
            out.warnings = done.warnings.iter().map(crate::advice::warning).collect();
        }
        Err((kind, error)) => {
            out.kind = Some(kind);
            out.error = Some(error);
        }
    }
    out
}

/// The notice `--fix` adds: the flags, else the policy's languages.
fn notice_options(args: &PublishArgs, policy: &Policy) -> Result<NoticeOptions> {
    let mut notice = NoticeOptions::default();
    notice.langs = match (&args.notice.notice_lang, policy.notice.languages.is_empty()) {
        (Some(explicit), _) => explicit.clone(),
        (None, false) => policy
            .notice
            .languages
            .iter()
            .map(|l| l.parse::<Lang>().map_err(anyhow::Error::msg))
            .collect::<Result<_>>()?,
        (None, true) => vec![Lang::Kk, Lang::Ru, Lang::En],
    };
    notice.style = args.notice.notice_style;
    notice.position = args.notice.notice_position;
    notice.span = args.notice.notice_span.unwrap_or_default();
    notice.tools = crate::cmd_label::tools();
    Ok(notice)
}

fn print_table(report: &PublishReport) -> std::io::Result<()> {
    for f in &report.files {
        match (&f.output, &f.error) {
            (Some(out), _) => {
                let mut fixed = f
                    .notice
                    .as_ref()
                    .map(|n| format!(" (added the notice: {})", n.summary()))
                    .unwrap_or_default();
                if let Some(id) = &f.reattached {
                    fixed.push_str(&format!(" (re-attached the stripped label {id})"));
                }
                if let Some(r) = &f.redacted {
                    fixed.push_str(&format!(
                        " (redacted {} field(s) of its metadata and {} assertion(s) of earlier manifests)",
                        r.file_fields,
                        r.assertions.len()
                    ));
                }
                outln!(
                    "published {} -> {}{fixed}",
                    crate::out::shown(&f.path),
                    crate::out::shown(out)
                )?;
                if let Some(r) = &f.registered {
                    outln!("{}", crate::cmd_label::registered_line(r))?;
                }
                for w in &f.warnings {
                    eoutln!("tamga: warning: {}: {w}", crate::out::shown(&f.path))?;
                }
            }
            (None, error) => {
                outln!(
                    "{:<9} {}: {}",
                    f.verdict.word(),
                    crate::out::shown(&f.path),
                    error.as_deref().unwrap_or_default()
                )?;
            }
        }
    }
    let s = &report.summary;
    outln!(
        "{} files: {} published ({} with the notice added), {} not published (policy {}, signed as {:?})",
        s.files, s.published, s.fixed, s.not_published, report.policy, report.publisher
    )?;
    Ok(())
}
