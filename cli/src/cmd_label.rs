//! `tamga label …`

use std::{process::ExitCode, sync::Mutex};

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;
use tamga_label::{
    AiDisclosure, AiInvolvement, AigcOptions, Generator, HumanReview, LabelOptions, LabelOutcome,
    Labeller, Lang, MetadataOptions, NoticeOptions, Placement, Tool, TrainingMining,
};

use crate::{
    args::{Ai, LabelArgs, Profile, Tdm},
    cmd_pipe,
    inputs::{self, OutputPlan},
    key_source,
    out::{eoutln, outln},
    progress,
};

#[derive(Serialize)]
struct Failure {
    #[serde(flatten, serialize_with = "tamga_label::path_json::fields")]
    path: std::path::PathBuf,
    kind: &'static str,
    error: String,
}

#[derive(Serialize)]
struct LabelReport {
    schema: &'static str,
    labelled: Vec<LabelOutcome>,
    failed: Vec<Failure>,
}

pub(crate) fn disclosure(args: &LabelArgs) -> Result<AiDisclosure> {
    let ai = match args.ai {
        Ai::Generated => AiInvolvement::Generated,
        Ai::Edited => AiInvolvement::Edited,
        Ai::Composite => AiInvolvement::Composite,
        Ai::Algorithmic => AiInvolvement::Algorithmic,
    };
    let mut d = AiDisclosure::new(ai).with_notice_langs(&langs(args)?);
    d.generator = args.generator.as_deref().map(|g| {
        let mut g = Generator::parse(g);
        g.provider = args.provider.clone();
        g
    });
    d.organisation = args.org.clone();
    d.human_review = match (&args.reviewed_by, args.not_reviewed) {
        (Some(who), _) => Some(HumanReview {
            reviewed: true,
            editorial_responsibility: Some(who.clone()),
        }),
        (None, true) => Some(HumanReview {
            reviewed: false,
            editorial_responsibility: None,
        }),
        (None, false) => None,
    };
    d.training_mining = args.training_mining.map(|t| match t {
        Tdm::Allowed => TrainingMining::Allowed,
        Tdm::NotAllowed => TrainingMining::NotAllowed,
        Tdm::Constrained => TrainingMining::Constrained,
    });
    Ok(d)
}

fn langs(args: &LabelArgs) -> Result<Vec<Lang>> {
    match &args.notice_lang {
        Some(explicit) => explicit
            .iter()
            .map(|l| l.parse::<Lang>().map_err(anyhow::Error::msg))
            .collect(),
        None => Ok(profile(args).notice_langs()),
    }
}

/// The library's profile for `--profile` (Kazakhstan's when none is given).
fn profile(args: &LabelArgs) -> tamga_label::Profile {
    match args.profile {
        None | Some(Profile::Kz) => tamga_label::Profile::Kz,
        Some(Profile::Eu) => tamga_label::Profile::Eu,
        Some(Profile::Cn) => tamga_label::Profile::Cn,
    }
}

/// IPTC XMP always (unless --no-xmp); AIGC with --aigc or under the cn profile.
fn metadata(args: &LabelArgs) -> MetadataOptions {
    let aigc = !args.no_aigc && (args.aigc || profile(args).writes_aigc());
    MetadataOptions {
        xmp: !args.no_xmp,
        aigc: aigc.then(|| AigcOptions {
            producer: args.aigc_producer.clone(),
            produce_id: args.aigc_id.clone(),
        }),
    }
}

pub(crate) fn run(args: LabelArgs) -> Result<ExitCode> {
    let disclosure = disclosure(&args)?;
    let stdin = cmd_pipe::wants_stdin(&args.paths)?;
    let plan = if stdin {
        None
    } else {
        Some(OutputPlan::new(
            args.output.as_deref(),
            args.in_place,
            &args.paths,
        )?)
    };
    let identity = key_source::load(&args.keys)?;
    let mut options = LabelOptions::default();
    options.thumbnail.enabled = args.thumbnail > 0;
    options.thumbnail.long_edge = args.thumbnail.max(16);
    options.tsa_url = key_source::tsa_url(args.tsa.as_deref(), args.keys.config.as_deref())?;
    key_source::signing_notes(&identity, options.tsa_url.as_deref())?;
    options.format = args.format;
    options.metadata = metadata(&args);
    options.limits.decode = key_source::decode_limits(&args.limits, args.keys.config.as_deref())?;
    if let Some(d) = key_source::deadline(&args.limits, args.keys.config.as_deref())? {
        options.deadline = d;
    }
    if args.notice || args.notice_style.is_some() || args.notice_position.is_some() {
        let mut notice = NoticeOptions::default();
        notice.style = args.notice_style;
        notice.position = args.notice_position;
        notice.langs = langs(&args)?;
        notice.tools = tools();
        options.notice = Some(notice);
    }
    let labeller = Labeller::new(&identity, options)?;
    let Some(plan) = plan else {
        return cmd_pipe::label(
            &labeller,
            &disclosure,
            args.format,
            args.output.as_deref(),
            args.json,
        );
    };
    let placement = if args.sidecar {
        Placement::Sidecar
    } else {
        Placement::Embedded
    };

    let items = inputs::expand(&args.paths);
    let failed = Mutex::new(Vec::new());
    let labelled = Mutex::new(Vec::new());
    let bar = progress::bar(items.len(), "labelling");
    progress::pool(args.jobs)?.install(|| {
        items.par_iter().for_each(|item| {
            let result = match item {
                Err((path, why)) => Err(Failure {
                    path: path.clone(),
                    kind: "io",
                    error: format!("{}: {why}", path.display()),
                }),
                Ok(item) => {
                    let target = plan.target(item);
                    let made = target.parent().map(std::fs::create_dir_all).transpose();
                    match made {
                        Err(e) => Err(Failure {
                            path: item.path.clone(),
                            kind: "io",
                            error: format!("{}: {e}", target.display()),
                        }),
                        Ok(_) => labeller
                            .label_with(&item.path, &target, &disclosure, placement, args.in_place)
                            .map_err(|e| Failure {
                                path: item.path.clone(),
                                kind: e.kind(),
                                error: crate::advice::label_error(&e),
                            }),
                    }
                }
            };
            match result {
                Ok(o) => labelled.lock().unwrap_or_else(|p| p.into_inner()).push(o),
                Err(f) => {
                    let _ = bar.suspend(|| eoutln!("tamga: {}", f.error));
                    failed.lock().unwrap_or_else(|p| p.into_inner()).push(f)
                }
            }
            bar.inc(1);
        })
    });
    bar.finish_and_clear();
    let mut labelled = labelled.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut failed = failed.into_inner().unwrap_or_else(|p| p.into_inner());
    labelled.sort_by(|a, b| a.input.cmp(&b.input));
    failed.sort_by(|a, b| a.path.cmp(&b.path));

    if args.json {
        let report = LabelReport {
            schema: "tamga.label/1",
            labelled,
            failed,
        };
        outln!("{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(exit(report.failed.is_empty(), &args.paths));
    }
    for o in &labelled {
        for w in &o.warnings {
            eoutln!("tamga: warning: {}: {w}", crate::out::shown(&o.input))?;
        }
        let extra = match (&o.sidecar, o.kept_previous_manifest) {
            (Some(s), _) => format!(" (manifest in {})", s.display()),
            (None, true) => " (earlier label kept as parent ingredient)".into(),
            (None, false) => String::new(),
        };
        outln!(
            "labelled  {} -> {}{extra}",
            crate::out::shown(&o.input),
            crate::out::shown(&o.output)
        )?;
    }
    outln!(
        "{} labelled, {} failed, signed as {:?}",
        labelled.len(),
        failed.len(),
        labeller.organisation()
    )?;
    if !failed.is_empty() {
        outln!("failed:")?;
        for f in &failed {
            outln!("  {}", f.error)?;
        }
    }
    Ok(exit(failed.is_empty(), &args.paths))
}

/// 0 when every file was labelled; 2 when an input does not exist (an I/O
/// error, as in every command); else 1.
fn exit(ok: bool, paths: &[std::path::PathBuf]) -> ExitCode {
    if crate::inputs::any_missing(paths) {
        ExitCode::from(2)
    } else if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The tools notices use, as this process's environment names them:
/// TAMGA_FFMPEG and TAMGA_CJXL (else `ffmpeg` and `cjxl` on PATH), and
/// TAMGA_LIBHEIF (a path or a library name; else the system's
/// libheif.so.1). The library reads no environment: the CLI says where.
pub(crate) fn tools() -> tamga_label::Tools {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    // Each names its variable, so "not found" tells the user what to set.
    let tool = |name: &str, env: &str| {
        var(env)
            .map_or_else(|| Tool::on_path(name), Tool::at)
            .set_by(env)
    };
    let mut tools = tamga_label::Tools::default();
    tools.ffmpeg = tool("ffmpeg", "TAMGA_FFMPEG");
    tools.cjxl = tool("cjxl", "TAMGA_CJXL");
    tools.libheif = var("TAMGA_LIBHEIF").map(Into::into);
    tools
}
