//! The dry run's end: every read and check has run; the plan says what a real run would do.

use super::rules::versions::{Start, start};
use super::rules::wait::safety_net_interval;
use super::{Deployment, Plan, Verdict};
use crate::config::WaitMode;

impl Deployment<'_> {
    /// Writes the plan into the facts and ends the run as a dry run.
    pub(super) fn finish_dry_run(&mut self, plan: &Plan) -> Verdict {
        let mut steps = Vec::new();
        match start(plan, self.smoke.is_some()) {
            Start::Unchanged | Start::SmokeTestLive => {
                let headline = format!(
                    "Version {} is already live: nothing would be published",
                    plan.target
                );
                steps = self.already_live_steps(plan, &headline);
            }
            Start::Publish => {
                steps.push(format!(
                    "Publish version {} of bot {} (live now: {}).",
                    plan.target,
                    self.config.bot_id,
                    plan.was_live.as_deref().unwrap_or("none")
                ));
                steps.push(self.wait_plan_step("the publish"));
                steps.extend(self.smoke_plan_step());
                steps.push(match (&plan.previous, self.config.rollback) {
                    (Some(previous), true) => {
                        format!("On failure, roll back to version {previous}.")
                    }
                    (None, true) => {
                        "On failure there is no earlier version to roll back to.".to_string()
                    }
                    (_, false) => "On failure, do not roll back (rollback: false).".to_string(),
                });
            }
        }
        self.facts.plan = steps;
        Verdict::DryRun
    }

    /// The plan when the target is already live (rules 2 and 17): `headline` (without its
    /// full stop), then, with a smoke test, the conversations and what a failure puts back.
    pub(super) fn already_live_steps(&self, plan: &Plan, headline: &str) -> Vec<String> {
        if start(plan, self.smoke.is_some()) != Start::SmokeTestLive {
            return vec![format!("{headline}.")];
        }
        let mut steps = vec![format!(
            "{headline}, but the smoke test would be held with it."
        )];
        steps.extend(self.smoke_plan_step());
        steps.push(match &self.config.previous_version {
            Some(previous) => format!("If it fails, roll back to version {previous}."),
            None => "If it fails, roll back to the version most recently retired from being live."
                .to_string(),
        });
        steps
    }

    /// How the run would wait for `what`, as `wait-mode` says.
    pub(super) fn wait_plan_step(&self, what: &str) -> String {
        let timeout = self.config.timeout.as_secs();
        let (first, largest) = (
            self.config.poll_interval.as_secs_f64(),
            self.config.poll_max_interval.as_secs_f64(),
        );
        match self.config.wait_mode {
            WaitMode::Poll => format!(
                "Wait up to {timeout} s for {what}, reading its status every {first}–{largest} s."
            ),
            WaitMode::Push => format!(
                "Wait up to {timeout} s for {what} by push notifications on the flow's topic, reading its status only if they fail."
            ),
            WaitMode::Auto => format!(
                "Wait up to {timeout} s for {what} by push notifications on the flow's topic, with a status read every {} s as the safety net.",
                safety_net_interval(self.config.poll_max_interval).as_secs_f64()
            ),
        }
    }
}
