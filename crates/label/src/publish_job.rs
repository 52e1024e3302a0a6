//! The publish path of a labelling job: a distributor signs what it
//! received, as its parent, with a `c2pa.published` action and the
//! platform metadata handed on from the received file.

use crate::{
    manifest_map::Statement,
    sign_job::{Job, JobDone, PublishPlan},
    soft_binding, LabelError, Placement,
};

impl Job {
    pub(crate) fn run_publish(self, plan: PublishPlan) -> Result<JobDone, LabelError> {
        let publisher = Some(plan.organisation.as_str());
        if self.format.is_text() && self.placement == Placement::Embedded {
            return self.run_text(&plan.labels, publisher);
        }
        let mut staged = self.stage()?;
        if self.placement == Placement::Embedded {
            self.embed_metadata(&mut staged, &plan.labels)?;
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
        // A publisher's parent is always the file as received.
        let builder = self.manifest(statement, true, true, &mut staged)?;
        self.write(builder, staged, true)
    }
}
