//! Rule 17: a re-run is never greener than the run it repeats. When the target is already
//! live and the run has a smoke test, the smoke test is held with the live version; a
//! failure puts back `previous-version` or the most recently retired published version, and
//! without either ends `failed`, exit 2: a version that fails its smoke test is live.

use super::bounds::Bounds;
use super::report::Failure;
use super::rules::versions::rerun_rollback_target;
use super::smoke::SmokeEnd;
use super::{Deployment, Interruption, Plan, Serving, Verdict};
use crate::audit::{Entry, Event};
use crate::ids::VersionId;
use serde_json::json;

impl Deployment<'_> {
    /// Smoke-tests the live target; ends `unchanged` when it passes.
    pub(super) async fn smoke_test_live_target(&mut self, plan: &Plan) -> Verdict {
        let failure = match self.hold_conversations(&plan.target).await {
            SmokeEnd::Passed => return Verdict::Unchanged,
            // Nothing was changed by this run: a cancellation leaves the bot as it was.
            SmokeEnd::Cancelled => return self.cancelled_before_publish(),
            SmokeEnd::Failed(failure) => failure,
        };
        let listed = match self.config.previous_version {
            Some(_) => Ok(Vec::new()),
            None => self.client.flow_versions(&self.config.bot_id).await,
        };
        let versions = match listed {
            Ok(versions) => versions,
            Err(error) => {
                return self.live_and_failing(
                    plan,
                    failure,
                    &format!("the versions could not be listed ({error}), so there is no version known to roll back to"),
                );
            }
        };
        let given = self.config.previous_version.as_deref();
        let Some(back_to) = rerun_rollback_target(given, &versions, &plan.target) else {
            return self.live_and_failing(
                plan,
                failure,
                "no previous-version was given and no earlier version was ever published, so there is nothing to roll back to",
            );
        };
        self.facts.previous_version = Some(back_to.clone());
        let rollback_plan = Plan {
            previous: Some(VersionId::from_platform(&back_to)),
            ..plan.clone()
        };
        let rollback = Bounds::from_now(self.config.timeout, &self.ctx.cancel);
        self.after_failure(
            &rollback_plan,
            Some(plan.target.as_str()),
            plan.stale_operation_id.clone(),
            Interruption::Failed,
            failure,
            &rollback,
        )
        .await
    }

    /// The live target failed its smoke test and cannot be rolled back: exit 2.
    fn live_and_failing(&mut self, plan: &Plan, failure: Failure, why: &str) -> Verdict {
        self.audit.record(Entry {
            event: Event::RollbackFailed,
            version: None,
            status: "failed",
            details: Some(json!({ "reason": why, "live_version": plan.target })),
            correlation_id: None,
        });
        Verdict::Failed {
            serving: Serving::ChangedOrUnknown,
            why: Failure {
                message: format!(
                    "{}; version {} was already live, and {why}",
                    failure.message, plan.target
                ),
                next_step: format!(
                    "Version {} of bot {} fails its smoke test and is live: publish a good version in Architect, or run again with previous-version set.",
                    plan.target, self.config.bot_id
                ),
                ..failure
            },
        }
    }
}
