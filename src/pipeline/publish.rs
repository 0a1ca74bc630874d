//! The publish: trigger it once, wait for it, and judge what the flow shows (SPEC rules 4
//! and 6; the decisions are [`super::rules::publish`]'s).

use super::bounds::{Bounds, Raced};
use super::report::Failure;
use super::rules::publish::{AfterLostAnswer, Judged, after_lost_answer, judge_finished};
use super::rules::wait::Wanted;
use super::wait::Waited;
use super::{Deployment, Interruption, Plan, Step, Verdict};
use crate::audit::{Entry, Event};
use crate::genesys::ApiError;
use crate::genesys::models::Flow;
use serde_json::json;
use tokio::time::Instant;

impl Deployment<'_> {
    /// Publishes the target and confirms it went live. `Ok` means the target is live and the
    /// publish succeeded, with the flow as read then; every other outcome ends the run (with
    /// a rollback where rule 8 asks for one).
    pub(super) async fn publish_and_confirm(&mut self, plan: &Plan) -> Step<Flow> {
        // Subscribe before publishing, or the first events could be missed.
        self.open_push().await;
        self.deadline = Instant::now() + self.config.timeout;
        let operation_id = self.trigger_publish(plan).await?;
        let started = Instant::now();
        let wanted = Wanted {
            version: &plan.target,
            live_before: plan.was_live.as_deref(),
            operation_id: operation_id.as_deref(),
            stale_operation_id: plan.stale_operation_id.as_deref(),
            any_action: false,
        };
        let waited = self.wait_for_operation(wanted, &self.bounds()).await;
        let result = match &waited {
            Ok(Waited::Finished(flow)) => flow
                .current_operation
                .as_ref()
                .map_or("finished", |op| op.status())
                .to_string(),
            Ok(Waited::TimedOut) => "timed out".into(),
            Ok(Waited::Cancelled) => "cancelled".into(),
            Err(_) => "unreadable".into(),
        };
        self.phase("wait", started, &result);
        match waited {
            Ok(Waited::Finished(flow)) => self.judge_finished_publish(plan, &flow).await,
            Ok(Waited::TimedOut) => Err(self.on_timeout(plan).await),
            Ok(Waited::Cancelled) => Err(self.on_cancel(plan).await),
            Err(error) => Err(self.on_unobservable(plan, &error)),
        }
    }

    /// Sends the publish once. An ambiguous failure (timeout, 5xx) is never re-sent: the
    /// flow is read again and decides (rule 4).
    async fn trigger_publish(&mut self, plan: &Plan) -> Step<Option<String>> {
        let started = Instant::now();
        let publish = self.client.publish(&self.config.bot_id, &plan.target);
        let sent = match self.bounds().ignoring_deadline().race(publish).await {
            Raced::Done(sent) => sent,
            Raced::Cancelled | Raced::TimedOut => {
                self.phase("publish", started, "cancelled");
                return Err(self.on_cancel(plan).await);
            }
        };
        match sent {
            Ok(answer) => {
                // A 202 has no body: the publish has begun, under an id we learn by reading.
                let (operation_id, status) = match &answer.body {
                    Some(op) => (op.id.clone(), op.status()),
                    None => (None, "ACCEPTED"),
                };
                self.facts.operation_id = operation_id.clone();
                self.audit.record(Entry {
                    event: Event::PublishTriggered,
                    version: Some(&plan.target),
                    status,
                    details: Some(
                        json!({ "operation_id": operation_id, "previous_version": plan.previous }),
                    ),
                    correlation_id: answer.correlation_id.as_deref(),
                });
                self.phase("publish", started, "triggered");
                Ok(operation_id)
            }
            Err(error) if error.is_ambiguous() => {
                self.audit.record(Entry {
                    event: Event::PublishTriggerError,
                    version: Some(&plan.target),
                    status: "unknown",
                    details: Some(json!({ "error": error.to_string(), "next": "re-reading the flow to decide; the publish is not re-sent" })),
                    correlation_id: error.correlation_id(),
                });
                let decided = self.decide_lost_answer(plan, &error).await;
                let result = if decided.is_ok() {
                    "started (answer lost)"
                } else {
                    "failed"
                };
                self.phase("publish", started, result);
                decided
            }
            Err(error) => {
                self.audit.record(Entry {
                    event: Event::PublishTriggerFailed,
                    version: Some(&plan.target),
                    status: "failed",
                    details: Some(json!({ "error": error.to_string(), "status": error.status() })),
                    correlation_id: error.correlation_id(),
                });
                self.phase("publish", started, "refused");
                self.facts.validation_errors = error.details().to_vec();
                Err(Verdict::failed_before_publish(Failure::from_api(
                    "Publish refused",
                    &format!("Genesys Cloud refused to publish version {}", plan.target),
                    &error,
                    "Check that the version exists and is checked in, then run again.",
                )))
            }
        }
    }

    /// Rule 4: after a lost publish answer, one read of the flow says whether it started.
    async fn decide_lost_answer(&mut self, plan: &Plan, error: &ApiError) -> Step<Option<String>> {
        let read = self
            .client
            .get_flow(&self.config.bot_id, Some(self.deadline))
            .await;
        let flow = match read {
            Ok(answer) => answer.body,
            Err(read_error) => {
                return Err(Verdict::failed_unknown(Failure::from_api(
                    "Publish outcome unknown",
                    &format!(
                        "the publish request failed ({error}) and the flow could not be read back"
                    ),
                    &read_error,
                    "Check the bot's published version in Architect before running again.",
                )));
            }
        };
        match after_lost_answer(&flow, plan) {
            AfterLostAnswer::Started { operation_id } => {
                self.warn(
                    "Publish answer lost",
                    &format!("the publish request failed ({error}), but the platform shows publish operation {operation_id} — waiting for it"),
                );
                self.facts.operation_id = Some(operation_id.clone());
                Ok(Some(operation_id))
            }
            AfterLostAnswer::AlreadyLive => Ok(None),
            AfterLostAnswer::NothingStarted => {
                self.observe_live(flow.published_id());
                Err(Verdict::failed_before_publish(Failure::from_api(
                    "Publish request failed",
                    &format!(
                        "publishing version {} failed and the flow shows no publish; nothing changed",
                        plan.target
                    ),
                    error,
                    "Retry the workflow.",
                )))
            }
        }
    }

    /// Rule 6: success is `SUCCESS` and the target live; anything else is a failure, after
    /// which rule 8 decides what to do about the live version.
    async fn judge_finished_publish(&mut self, plan: &Plan, flow: &Flow) -> Step<Flow> {
        let live = flow.published_id();
        self.observe_live(live);
        let op = flow.current_operation.clone().unwrap_or_default();
        let failure = match judge_finished(flow, plan) {
            Judged::TargetLive => return Ok(flow.clone()),
            Judged::PublishFailed => Failure {
                title: "Publish failed".into(),
                message: format!(
                    "Genesys Cloud could not publish version {}: {}",
                    plan.target,
                    op.error_message.as_deref().unwrap_or("no message given")
                ),
                code: op.error_code.clone(),
                details: op.error_details.iter().map(|d| d.describe()).collect(),
                correlation_id: None,
                next_step: "Fix what the details name (Architect > validate the flow), check in a new version and run again.".into(),
            },
            Judged::DidNotTakeEffect => Failure {
                title: "Publish did not take effect".into(),
                message: format!(
                    "the publish operation ended {} but version {} is live, not {}",
                    op.status(),
                    live.unwrap_or("none"),
                    plan.target
                ),
                next_step:
                    "Check the flow's history in Architect; someone may have published meanwhile."
                        .into(),
                ..Failure::default()
            },
        };
        // The platform's validation errors are the `validation-errors` output too.
        self.facts.validation_errors = failure.details.clone();
        self.audit.record(Entry {
            event: Event::DeploymentFailed,
            version: Some(&plan.target),
            status: "failed",
            details: Some(json!({
                "operation_id": op.id,
                "action_status": op.action_status,
                "error_code": op.error_code,
                "error_message": op.error_message,
                "error_details": failure.details,
                "live_version": live,
            })),
            correlation_id: None,
        });
        let rollback = Bounds::from_now(self.config.timeout, &self.ctx.cancel);
        Err(self
            .after_failure(
                plan,
                live,
                op.id.clone(),
                Interruption::Failed,
                failure,
                &rollback,
            )
            .await)
    }

    /// The wait could not observe the flow (401/403/404/410 on reads): the outcome is
    /// unknown, and a deleted flow serves nothing.
    fn on_unobservable(&mut self, plan: &Plan, error: &ApiError) -> Verdict {
        if error.status() == Some(410) {
            return Verdict::failed_unknown(Failure::from_api(
                "Bot flow deleted",
                &format!(
                    "version {} was sent to publish, but the flow has since been deleted",
                    plan.target
                ),
                error,
                "Find out who deleted the bot flow (Architect) and restore it.",
            ));
        }
        Verdict::failed_unknown(Failure::from_api(
            "Publish outcome unknown",
            &format!(
                "version {} was sent to publish, but the flow can no longer be read",
                plan.target
            ),
            error,
            "Check the bot's live version in Architect.",
        ))
    }
}
