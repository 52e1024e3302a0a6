//! The publish path of a labelling job: a distributor signs what it
//! received, as its parent, with a `c2pa.published` action and the
//! platform metadata handed on from the received file.

use crate::{
    manifest_map::Statement,
    reattach,
    sign_job::{Job, JobDone, PublishPlan},
    soft_binding, LabelError, Placement,
};

impl Job {
    pub(crate) fn run_publish(self, plan: PublishPlan) -> Result<JobDone, LabelError> {
        let publisher = Some(plan.organisation.as_str());
        let path = self.input.as_path();
        if plan.reattach.is_some() && self.format.is_text() {
            // A text's label lives in its wrapper, which the text signer
            // builds from the text alone: it has no place for a parent
            // recovered from elsewhere yet.
            return Err(LabelError::C2pa {
                path: path.into(),
                message: "re-attaching a stripped label to a text is not supported".into(),
            });
        }
        if self.format.is_text() && self.placement == Placement::Embedded {
            return self.run_text(&plan.labels, publisher);
        }
        let mut staged = self.stage()?;
        if self.placement == Placement::Embedded {
            self.embed_metadata(&mut staged, &plan.labels)?;
        }
        // Personal data out of the file's own metadata, before the
        // fingerprint and the signature cover it.
        let mut file_fields = 0;
        if let Some((stripped, n)) =
            crate::publish_redact::strip_file(self.format, &mut staged.source, &plan.redact, path)?
        {
            let before = std::mem::replace(&mut staged.source, stripped);
            staged.original.get_or_insert(before);
            file_fields = n;
        }
        // A publication recorded in a registry gets its own soft binding,
        // as a label does: a stripped copy of the published file then
        // leads back to it. Without a registry the manifest stays as it
        // always was.
        if self.registry.is_some() {
            staged.content = soft_binding::media_code_or_warn(
                &mut staged.source,
                self.format,
                &self.limits,
                &mut staged.warnings,
            );
        }
        let statement = Statement::Publish {
            organisation: &plan.organisation,
        };
        // A publisher's parent is the file as received; when its label was
        // stripped on the way, the label the registry holds instead.
        let mut builder = self.manifest(statement, true, plan.reattach.is_none(), &mut staged)?;
        crate::publish_redact::record(&mut builder, &plan.redactions, file_fields)
            .map_err(|e| LabelError::c2pa(path, &e))?;
        if let Some(label) = &plan.reattach {
            let title = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut received = std::fs::File::open(path).map_err(|e| LabelError::io(path, e))?;
            reattach::add_parent(
                &mut builder,
                &self.context,
                label,
                &mut received,
                self.format,
                &title,
                path,
            )?;
        }
        let mut done = self.write(builder, staged, true)?;
        if !plan.redact.is_empty() {
            done.redacted = Some(crate::Redacted {
                file_fields,
                assertions: plan.redactions,
            });
        }
        Ok(done)
    }
}
