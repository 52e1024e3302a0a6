//! `tamga disclose FILE…`: disclosure cards for consumers, from verified
//! labels (see `tamga_disclose`). One file that gets no card (an invalid
//! label, nothing declared, unreadable) is one error line; the others are
//! written.

use std::{path::PathBuf, process::ExitCode};

use anyhow::{Context, Result};
use tamga_disclose::{Card, Risks};

use crate::{
    args::DiscloseArgs,
    out::{eoutln, outln},
};

pub(crate) fn run(args: DiscloseArgs) -> Result<ExitCode> {
    let risks = match &args.risks {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("{}: cannot read the risks file", p.display()))?;
            Risks::from_toml(&text, &p.display().to_string())?
        }
        None => Risks::default(),
    };
    let verifier = crate::cmd_verify::verifier(&args.trust, None, None)?;
    let one = args.files.len() == 1 && args.output.extension().is_some();
    if !one {
        std::fs::create_dir_all(&args.output)
            .with_context(|| format!("{}: cannot create the folder", args.output.display()))?;
    }
    let declared = args.declare.as_ref().map(|d| d.0.as_ref());
    // Each card is a verification and a page: made on all cores, reported
    // in the order given.
    use rayon::prelude::*;
    let made: Vec<(PathBuf, Result<()>)> = args
        .files
        .par_iter()
        .map(|file| {
            let target: PathBuf = if one {
                args.output.clone()
            } else {
                let stem = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                args.output
                    .join(format!("{stem}.{}", args.format.extension()))
            };
            let result = verifier
                .verify(file)
                .map_err(anyhow::Error::from)
                .and_then(|report| {
                    Ok(Card::from_report(
                        &report,
                        declared,
                        args.verify_url.as_deref(),
                    )?)
                })
                .and_then(|card| {
                    Ok(tamga_disclose::render(
                        &card,
                        args.format,
                        &args.lang,
                        &risks,
                    )?)
                })
                .and_then(|bytes| {
                    tamga_label::write_bytes_atomically(
                        &target,
                        &bytes,
                        tamga_label::FileMode::Usual,
                    )
                    .with_context(|| format!("{}: cannot write the card", target.display()))
                });
            (target, result)
        })
        .collect();
    let mut failed = 0;
    for (file, (target, result)) in args.files.iter().zip(made) {
        match result {
            Ok(()) => outln!(
                "card      {} -> {}",
                crate::out::shown(file),
                crate::out::shown(&target)
            )?,
            Err(e) => {
                failed += 1;
                let advice = match e.downcast_ref::<tamga_disclose::DiscloseError>() {
                    Some(tamga_disclose::DiscloseError::Undeclared { .. }) => {
                        " (--declare ai=generated|edited|composite,system=NAME,org=NAME)"
                    }
                    _ => "",
                };
                eoutln!("tamga: error: {e:#}{advice}")?;
            }
        }
    }
    outln!("{} cards, {failed} failed", args.files.len() - failed)?;
    Ok(ExitCode::from(u8::from(failed > 0)))
}
