//! `tamga label …`

use std::{process::ExitCode, sync::Mutex};

use anyhow::Result;
use serde::Serialize;
use tamga_label::{LabelOptions, LabelOutcome, LabelRequest, Labeller, Placement, Tool};

use crate::{
    args::LabelArgs,
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

impl LabelArgs {
    /// The request these flags make: the same type the server's label
    /// route builds from its fields, so both disclose alike.
    pub(crate) fn request(&self) -> LabelRequest {
        let mut r = LabelRequest::new(self.ai);
        r.generator = self.generator.clone();
        r.provider = self.provider.clone();
        r.org = self.org.clone();
        r.reviewed_by = self.reviewed_by.clone();
        r.not_reviewed = self.not_reviewed;
        r.profile = self.profile;
        r.notice_lang = self.notice_args.notice_lang.clone();
        // --no-aigc wins over --aigc and the profile.
        r.aigc = if self.no_aigc {
            Some(false)
        } else {
            self.aigc.then_some(true)
        };
        r.aigc_producer = self.aigc_producer.clone();
        r.aigc_id = self.aigc_id.clone();
        r.xmp = !self.no_xmp;
        r.notice = self.notice;
        r.notice_style = self.notice_args.notice_style;
        r.notice_position = self.notice_args.notice_position;
        r.notice_span = self.notice_args.notice_span;
        r.training_mining = self.training_mining;
        r.watermark = if self.no_watermark {
            Some(false)
        } else {
            self.watermark.then_some(true)
        };
        r
    }
}

pub(crate) fn run(args: LabelArgs) -> Result<ExitCode> {
    let request = args.request();
    request.check()?;
    let disclosure = request.disclosure();
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
    // Opened before anything is said or signed: a registry that cannot be
    // reached stops the run with nothing written.
    options.registry = key_source::registry(
        args.registry.registry.as_deref(),
        args.keys.config.as_deref(),
    )?;
    key_source::signing_notes(&identity, options.tsa_url.as_deref())?;
    options.format = args.format;
    request.apply_to(&mut options);
    if let Some(notice) = options.notice.as_mut() {
        notice.tools = tools();
    }
    options.limits.decode = key_source::decode_limits(&args.limits, args.keys.config.as_deref())?;
    if let Some(d) = key_source::deadline(&args.limits, args.keys.config.as_deref())? {
        options.deadline = d;
    }
    let labeller = Labeller::new(&identity, options)?;
    let Some(plan) = plan else {
        return cmd_pipe::label(
            &labeller,
            &disclosure,
            args.format,
            args.output.as_deref(),
            args.json.json,
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
    progress::for_each(args.jobs.jobs, &items, |_, item| {
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
    })?;
    bar.finish_and_clear();
    let mut labelled = labelled.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut failed = failed.into_inner().unwrap_or_else(|p| p.into_inner());
    labelled.sort_by(|a, b| a.input.cmp(&b.input));
    for o in &mut labelled {
        crate::advice::word_warnings(&mut o.warnings);
    }
    failed.sort_by(|a, b| a.path.cmp(&b.path));

    if args.json.json {
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
        if let Some(w) = &o.watermark {
            let quality = match (w.psnr_db, w.snr_db) {
                (Some(p), _) => format!(" (PSNR {p:.1} dB)"),
                (None, Some(s)) => format!(" (SNR {s:.1} dB)"),
                (None, None) => String::new(),
            };
            outln!("          invisible watermark {}{quality}", w.payload_hex())?;
        }
        if let Some(r) = &o.registered {
            outln!("{}", registered_line(r))?;
        }
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

/// The line that says where a label was recorded, for people: the id to
/// quote when looking it up, and the registry (password redacted).
pub(crate) fn registered_line(r: &tamga_label::Registered) -> String {
    format!("          registered {} in {}", r.manifest, r.registry)
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
/// TAMGA_FFMPEG, TAMGA_FFPROBE and TAMGA_CJXL (else `ffmpeg`, `ffprobe` and
/// `cjxl` on PATH), and
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
    tools.ffprobe = tool("ffprobe", "TAMGA_FFPROBE");
    tools.cjxl = tool("cjxl", "TAMGA_CJXL");
    tools.libheif = var("TAMGA_LIBHEIF").map(Into::into);
    tools
}
