//! `tamga check …`: the distributor's gate over a batch.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
    sync::Mutex,
};

use anyhow::Result;
use tamga_gate::{
    decide::kind_word, CheckReport, Declarations, FileCheck, Gate, GateError, GateVerdict, Policy,
};

use crate::{
    args::CheckArgs,
    inputs::{self, Item},
    out::outln,
    progress,
};

pub(crate) fn run(args: CheckArgs) -> Result<ExitCode> {
    let policy = Policy::load(&args.policy).map_err(advise)?;
    let declarations = match &args.declarations {
        Some(p) => Declarations::load(p)?,
        None => Declarations::default(),
    };
    let gate = gate(policy, &args.trust, Some(&args.registry), declarations)?;
    let checks = check_all(
        &gate,
        &args.paths,
        args.declarations.as_deref(),
        args.jobs.jobs,
        "checking",
        |_, check| check,
    )?;
    let report = CheckReport::new(gate.policy(), checks);

    if let Some(path) = &args.junit {
        tamga_gate::report::write(path, &tamga_gate::junit::render(&report)).map_err(advise)?;
    }
    if let Some(path) = &args.html {
        let lang = args
            .lang
            .unwrap_or_else(|| tamga_gate::ReportLang::for_policy(gate.policy()));
        let tools = crate::cmd_label::tools();
        let thumbnail = |f: &FileCheck| {
            use base64::Engine as _;
            let format = f.format?;
            // A video's poster frame, by ffmpeg; an image's own preview.
            let jpeg = if format.family() == tamga_label::Family::Video {
                tamga_label::video_preview(&tools, &f.path, 160)?
            } else if format.is_image() {
                tamga_label::preview(&f.path, format, 160)?
            } else {
                return None;
            };
            Some(format!(
                "data:image/jpeg;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(jpeg)
            ))
        };
        let advice = |lang, r: &_| crate::advice::reason(lang, r).map(str::to_string);
        let page = tamga_gate::html::render_with(&report, lang, &thumbnail, &advice);
        tamga_gate::report::write(path, &page).map_err(advise)?;
    }
    if args.json.json {
        outln!("{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        print_table(&report)?;
    }
    // After the report: a reader that went away has ended the run quietly.
    crate::cmd_verify::hint_without_trust(
        gate.trust_config(),
        report.files.iter().any(|f| {
            f.verification
                .as_ref()
                .is_some_and(|v| v.verdict == tamga_label::Verdict::ValidUntrusted)
        }),
    )?;
    Ok(if inputs::any_missing(&args.paths) {
        ExitCode::from(2)
    } else if report.all_publish() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Checks every file under `paths` on all cores, handing each verdict to
/// `then` on the worker thread (publishing stamps it there); the results
/// come back in input order. The declarations file often sits in the batch
/// it describes; it is not content to publish, so it is skipped.
pub(crate) fn check_all<T: Send>(
    gate: &Gate,
    paths: &[PathBuf],
    declarations: Option<&Path>,
    jobs: Option<usize>,
    verb: &str,
    then: impl Fn(&Item, FileCheck) -> T + Sync,
) -> Result<Vec<T>> {
    let skip = declarations.and_then(|p| std::fs::canonicalize(p).ok());
    let items: Vec<_> = inputs::expand_for_check(paths)
        .into_iter()
        .filter(|item| match (item, &skip) {
            (Ok(i), Some(s)) => std::fs::canonicalize(&i.path).ok().as_ref() != Some(s),
            _ => true,
        })
        .collect();
    let out = Mutex::new(Vec::with_capacity(items.len()));
    let bar = progress::bar(items.len(), verb);
    progress::for_each(jobs, &items, |i, item| {
        let done = match item {
            Ok(item) => then(item, gate.check(&item.path)),
            Err((path, why)) => {
                let item = Item::named(path);
                let check =
                    FileCheck::unreadable(path.clone(), format!("{}: {why}", path.display()));
                then(&item, check)
            }
        };
        out.lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((i, done));
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let mut done = out.into_inner().unwrap_or_else(|p| p.into_inner());
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, d)| d).collect())
}

/// The gate for `policy`, with the trust lists given on the command line.
pub(crate) fn gate(
    policy: Policy,
    trust: &crate::args::TrustArgs,
    registry: Option<&crate::args::RegistryArg>,
    declarations: Declarations,
) -> Result<Gate> {
    let options = crate::cmd_verify::verify_options(trust, registry)?;
    Gate::new(policy, options, declarations).map_err(advise)
}

/// The gate for `policy` with a registry already opened (publishing
/// records its stamps in the same one, through one connection).
pub(crate) fn gate_with_registry(
    policy: Policy,
    trust: &crate::args::TrustArgs,
    registry: Option<tamga_label::SharedRegistry>,
    declarations: Declarations,
) -> Result<Gate> {
    let mut options = crate::cmd_verify::verify_options(trust, None)?;
    options.registry = registry;
    Gate::new(policy, options, declarations).map_err(advise)
}

/// The gate's error, with the command line's advice for its kind (the
/// library names no flags).
pub(crate) fn advise(e: GateError) -> anyhow::Error {
    let advice = match e.kind() {
        "unknown-policy" => "; give --policy kz, eu, cn or the path of a TOML policy file",
        "policy-unknown-key" => "; docs/policy.md lists the keys a policy may have",
        _ => "",
    };
    anyhow::anyhow!("{e}{advice}")
}

/// One block per file, the verdict first, then each reason with its clause.
pub(crate) fn print_table(report: &CheckReport) -> std::io::Result<()> {
    for f in &report.files {
        let ai = match (f.ai.certainty, f.ai.basis) {
            (Some(c), Some(b)) => format!(
                "AI {} ({})",
                serde_json::to_value(c)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                kind_word(b)
            ),
            _ => "no AI evidence".into(),
        };
        let label = f
            .verification
            .as_ref()
            .map_or("unreadable", |v| v.verdict.word());
        outln!(
            "{:<8} {:<22} {:<16} {}",
            f.verdict.word(),
            ai,
            label,
            crate::out::shown(&f.path)
        )?;
        for r in &f.reasons {
            // A file held back shows what holds it back, and the personal
            // data it carries (a warning whatever the verdict).
            let shown = f.verdict == GateVerdict::Publish
                || r.verdict != GateVerdict::Publish
                || r.rule == tamga_gate::RuleId::Privacy;
            if shown {
                let message = crate::advice::reason_line(r);
                outln!("{:<8} {}: {message} [{}]", "", r.rule, r.clause)?;
            }
        }
    }
    let s = &report.summary;
    let unchecked = if s.unchecked > 0 {
        format!(", {} of them could not be checked", s.unchecked)
    } else {
        String::new()
    };
    outln!(
        "{} files: {} publish, {} fix, {} reject{unchecked} (policy {}: {})",
        s.files,
        s.publish,
        s.fix,
        s.reject,
        report.policy.name,
        report.policy.title
    )?;
    Ok(())
}
