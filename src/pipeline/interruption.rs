//! A publish interrupted by the deadline (SPEC rule 7) or by SIGINT/SIGTERM (rule 11): read
//! the flow once and decide ([`super::rules::interruption::settle`]); roll back only what is
//! live, within the time left.

use super::bounds::{Bounds, Raced};
use super::report::Failure;
use super::rules::interruption::{Settle, settle};
use super::{Deployment, Interruption, Plan, Serving, Verdict};
use crate::audit::{Entry, Event};
use serde_json::json;
use std::time::Duration;
use tokio::time::Instant;

/// The longest the read after a timeout may take.
pub(super) const READ_AFTER_TIMEOUT: Duration = Duration::from_secs(30);

impl Deployment<'_> {
    /// Rule 7: on the deadline, read the flow once and decide. The read gets up to 30 s and a
    /// rollback a fresh `timeout-seconds`.
    pub(super) async fn on_timeout(&mut self, plan: &Plan) -> Verdict {
        self.audit.record(Entry {
            event: Event::DeploymentTimedOut,
            version: Some(&plan.target),
            status: "timed_out",
            details: Some(json!({ "operation_id": self.facts.operation_id, "timeout_seconds": self.config.timeout.as_secs() })),
            correlation_id: None,
        });
        let failure = Failure {
            title: "Publish timed out".into(),
            message: format!(
                "version {} was not confirmed live within {} s",
                plan.target,
                self.config.timeout.as_secs()
            ),
            next_step: "Raise timeout-seconds if publishes of this bot are slow.".into(),
            ..Failure::default()
        };
        let read =
            Bounds::deadline_only(Instant::now() + self.config.timeout.min(READ_AFTER_TIMEOUT));
        let rollback = Bounds::from_now(self.config.timeout, &self.ctx.cancel);
        self.settle_interruption(plan, Interruption::TimedOut, failure, &read, &rollback)
            .await
    }

    /// Rule 11: after a cancellation, read the flow once and apply rules 7–8 within the
    /// runner's grace period; nothing after the signal may outlive it.
    pub(super) async fn on_cancel(&mut self, plan: &Plan) -> Verdict {
        self.audit.record(Entry {
            event: Event::DeploymentCancelled,
            version: Some(&plan.target),
            status: "cancelled",
            details: Some(json!({ "published": true, "operation_id": self.facts.operation_id })),
            correlation_id: None,
        });
        let failure = Failure {
            title: "Deployment cancelled".into(),
            message: format!(
                "the run was cancelled after version {} was sent to publish",
                plan.target
            ),
            next_step:
                "Check the bot's live version in Architect; run the deployment again when ready."
                    .into(),
            ..Failure::default()
        };
        let grace = Bounds::deadline_only(Instant::now() + self.config.tuning.cancel_grace);
        self.settle_interruption(plan, Interruption::Cancelled, failure, &grace, &grace)
            .await
    }

    /// Reads the flow once within `read` and ends the run: unknown when it cannot be read or
    /// the publish still runs, otherwise as rule 8 says, rolling back within `rollback`.
    async fn settle_interruption(
        &mut self,
        plan: &Plan,
        interruption: Interruption,
        failure: Failure,
        read: &Bounds,
        rollback: &Bounds,
    ) -> Verdict {
        let answer = read
            .race(self.client.get_flow(&self.config.bot_id, read.deadline()))
            .await;
        let flow = match answer {
            Raced::Done(Ok(answer)) => answer.body,
            Raced::Done(Err(error)) => {
                let failure = Failure {
                    message: format!(
                        "{}; the flow could not be read afterwards ({error}), so the live version is unknown",
                        failure.message
                    ),
                    correlation_id: error.correlation_id().map(str::to_string),
                    ..failure
                };
                return Verdict::interrupted(interruption, Serving::ChangedOrUnknown, failure);
            }
            Raced::TimedOut | Raced::Cancelled => {
                let failure = Failure {
                    message: format!(
                        "{}; there was no time left to read the flow, so the live version is unknown",
                        failure.message
                    ),
                    ..failure
                };
                return Verdict::interrupted(interruption, Serving::ChangedOrUnknown, failure);
            }
        };
        self.observe_live(flow.published_id());
        match settle(&flow, plan, self.facts.operation_id.as_deref()) {
            Settle::StillRunning {
                operation_id,
                status,
            } => {
                let op_id = operation_id.unwrap_or_else(|| "(no id)".into());
                let failure = Failure {
                    message: format!(
                        "{}; publish operation {op_id} is still {status} and may still put version {} live",
                        failure.message, plan.target
                    ),
                    next_step: format!(
                        "Watch operation {op_id} on bot {} in Architect. If version {} goes live and must not stay, publish version {} again.",
                        self.config.bot_id,
                        plan.target,
                        plan.previous.as_deref().unwrap_or("(none recorded)")
                    ),
                    ..failure
                };
                Verdict::interrupted(interruption, Serving::ChangedOrUnknown, failure)
            }
            Settle::Live(_) => {
                let stale = flow.current_operation.as_ref().and_then(|op| op.id.clone());
                self.after_failure(
                    plan,
                    flow.published_id(),
                    stale,
                    interruption,
                    failure,
                    rollback,
                )
                .await
            }
        }
    }
}
