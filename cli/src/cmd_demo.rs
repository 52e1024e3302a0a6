//! `tamga demo`: the whole journey on the bundled samples, in one command.

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use tamga_keys::{init_dev_keys, DevKeyOptions, SigningIdentity};
use tamga_label::{
    AiDisclosure, AiInvolvement, Generator, LabelOptions, Labeller, Placement, TrustConfig,
    Verdict, Verifier, VerifyOptions,
};

use crate::{args::DemoArgs, inputs, out::outln};

pub(crate) fn run(args: DemoArgs) -> Result<ExitCode> {
    if !args.samples.is_dir() {
        anyhow::bail!(
            "{}: samples folder not found (run from the repository root)",
            args.samples.display()
        );
    }
    std::fs::create_dir_all(&args.out).with_context(|| args.out.display().to_string())?;
    let keys = tempfile::Builder::new()
        .prefix("keys-")
        .tempdir_in(&args.out)?;
    let paths = init_dev_keys(keys.path(), &DevKeyOptions::new("tamga demo newsroom"))?;
    let identity = SigningIdentity::from_dir(keys.path(), None)?;
    let labeller = Labeller::new(&identity, LabelOptions::default())?;
    let mut trust = TrustConfig::default();
    trust.anchors_pem = Some(std::fs::read_to_string(&paths.trust_anchor)?);
    let mut vopts = VerifyOptions::default();
    vopts.trust = trust;
    let verifier = Verifier::new(vopts)?;

    let mut disclosure = AiDisclosure::new(AiInvolvement::Generated);
    disclosure.generator = Some(Generator::parse("tamga-demo-model 1.0"));

    outln!(
        "{:<16} {:<8} {:<9} {:<16} disclosure",
        "sample",
        "format",
        "label",
        "verdict"
    )?;
    let mut failures = 0;
    for item in inputs::expand(std::slice::from_ref(&args.samples))
        .into_iter()
        .flatten()
    {
        let name = item.relative.display().to_string();
        // The media samples and the texts; not the notes and scripts.
        if !(name.starts_with("sample.") || name.starts_with("text/")) {
            continue;
        }
        let target = args.out.join(&item.relative);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
        }
        let first = labeller.label(&item.path, &target, &disclosure, Placement::Embedded);
        let (how, result) = match first {
            Err(tamga_label::LabelError::NotEmbeddable { .. }) => (
                "sidecar",
                labeller.label(&item.path, &target, &disclosure, Placement::Sidecar),
            ),
            other => ("embedded", other),
        };
        match result.and_then(|o| verifier.verify(&o.output).map(|r| (o, r))) {
            Ok((o, r)) => {
                let d = r
                    .disclosure
                    .as_ref()
                    .and_then(|d| d.notice.get("kk").cloned())
                    .unwrap_or_default();
                outln!(
                    "{:<16} {:<8} {:<9} {:<16} {}",
                    name,
                    o.format.name(),
                    how,
                    r.verdict.word(),
                    d
                )?;
                if r.verdict != Verdict::Trusted {
                    failures += 1;
                }
            }
            Err(e) => {
                failures += 1;
                outln!("{:<16} {:<8} {:<9} {:<16} {}", name, "?", how, "error", e)?;
            }
        }
    }
    outln!()?;
    outln!(
        "Labelled copies are in {}; the samples were not changed.",
        args.out.display()
    )?;
    outln!(
        "The throwaway keys were deleted. Make your own with: tamga keys init --org \"Your Org\""
    )?;
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
