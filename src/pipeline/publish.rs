//! The publish and what its outcome means: trigger it once, wait, and decide from what the
//! flow shows (SPEC rules 4, 6, 7, 11).

use super::outcome::{Failure, LiveVersion, Status};
use super::wait::{WaitFor, Waited};
use super::{Deployment, Ended, Plan, Step};
use crate::audit::{Entry, event};
use crate::genesys::ApiError;
use crate::genesys::models::Flow;
use serde_json::json;
use tokio::time::Instant;

/// How the live version relates to the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Live {
    /// The target is live.
    Target,
    /// What was live before the run is still live.
    AsBefore,
    /// Neither: someone else published meanwhile.
    Other,
}

/// Classifies the live version. The target wins when the target was already live before.
pub fn classify(live: Option<&str>, plan: &Plan) -> Live {
    if live == Some(plan.target.as_str()) {
        Live::Target
    } else if live == plan.was_live.as_deref() {
        Live::AsBefore
    } else {
        Live::Other
    }
}

impl Deployment<'_> {
    /// Publishes the target and confirms it went live. `Ok` means the target is live and the
    /// publish succeeded, with the flow as read then; every other outcome ends the run (with a rollback where rule 8
    /// asks for one).
    pub(super) async fn publish_and_confirm(&mut self, plan: &Plan) -> Step<Flow> {
        // Subscribe before publishing, or the first events could be missed.
        self.open_push().await;
        self.deadline = Instant::now() + self.config.timeout;
        let operation_id = self.trigger_publish(plan).await?;
        let started = self.clock();
        let waited = self
            .wait_for_operation(WaitFor {
                version: &plan.target,
                operation_id: operation_id.as_deref(),
                stale_operation_id: plan.stale_operation_id.as_deref(),
                any_action: false,
                honour_cancel: true,
                deadline: self.deadline,
            })
            .await;
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
    /// flow is read again and decides.
    async fn trigger_publish(&mut self, plan: &Plan) -> Step<Option<String>> {
        let started = self.clock();
        let cancel = self.ctx.cancel.clone();
        let sent = tokio::select! {
            sent = self.client.publish(&self.config.bot_id, &plan.target) => Some(sent),
            _ = cancel.cancelled() => None,
        };
        let Some(sent) = sent else {
            self.phase("publish", started, "cancelled");
            return Err(self.on_cancel(plan).await);
        };
        match sent {
            Ok(answer) => {
                let op = answer.body;
                self.report.operation_id = op.id.clone();
                self.audit.record(Entry {
                    event: event::PUBLISH_TRIGGERED,
                    version: Some(&plan.target),
                    status: op.status(),
                    details: Some(
                        json!({ "operation_id": op.id, "previous_version": plan.previous }),
                    ),
                    correlation_id: answer.correlation_id.as_deref(),
                });
                self.phase("publish", started, "triggered");
                Ok(op.id)
            }
            Err(error) if error.is_ambiguous() => {
                self.audit.record(Entry {
                    event: event::PUBLISH_TRIGGER_ERROR,
                    version: Some(&plan.target),
                    status: "unknown",
                    details: Some(json!({ "error": error.to_string(), "next": "re-reading the flow to decide; the publish is not re-sent" })),
                    correlation_id: error.correlation_id(),
                });
                let decided = self.decide_ambiguous_publish(plan, &error).await;
                self.phase(
                    "publish",
                    started,
                    if decided.is_ok() {
                        "started (answer lost)"
                    } else {
                        "failed"
                    },
                );
                decided
            }
            Err(error) => {
                self.audit.record(Entry {
                    event: event::PUBLISH_TRIGGER_FAILED,
                    version: Some(&plan.target),
                    status: "failed",
                    details: Some(json!({ "error": error.to_string(), "status": error.status() })),
                    correlation_id: error.correlation_id(),
                });
                self.phase("publish", started, "refused");
                let failure = Failure::from_api(
                    "Publish refused",
                    &format!("Genesys Cloud refused to publish version {}", plan.target),
                    &error,
                    "Check that the version exists and is checked in, then run again.",
                );
                Err(self.end(Status::Failed, LiveVersion::Unchanged, failure))
            }
        }
    }

    async fn decide_ambiguous_publish(
        &mut self,
        plan: &Plan,
        error: &ApiError,
    ) -> Step<Option<String>> {
        match self
            .client
            .get_flow(&self.config.bot_id, Some(self.deadline))
            .await
        {
            Ok(answer) => {
                let flow = answer.body;
                let started_op = flow.current_operation.as_ref().filter(|op| {
                    op.is_publish() && op.id.is_some() && op.id != plan.stale_operation_id
                });
                if let Some(op) = started_op {
                    self.warn(
                        "Publish answer lost",
                        &format!("the publish request failed ({error}), but the platform shows publish operation {} — waiting for it", op.id.as_deref().unwrap_or("?")),
                    );
                    self.report.operation_id = op.id.clone();
                    return Ok(op.id.clone());
                }
                if classify(flow.published_id(), plan) == Live::Target {
                    return Ok(None);
                }
                self.report.published_version = flow.published_id().map(str::to_string);
                let failure = Failure::from_api(
                    "Publish request failed",
                    &format!(
                        "publishing version {} failed and the flow shows no publish; nothing changed",
                        plan.target
                    ),
                    error,
                    "Retry the workflow.",
                );
                Err(self.end(Status::Failed, LiveVersion::Unchanged, failure))
            }
            Err(read_error) => {
                let failure = Failure::from_api(
                    "Publish outcome unknown",
                    &format!(
                        "the publish request failed ({error}) and the flow could not be read back"
                    ),
                    &read_error,
                    "Check the bot's published version in Architect before running again.",
                );
                Err(self.end(Status::Failed, LiveVersion::ChangedOrUnknown, failure))
            }
        }
    }

    /// SPEC rule 6: success is `SUCCESS` and the target live; anything else is a failure.
    async fn judge_finished_publish(&mut self, plan: &Plan, flow: &Flow) -> Step<Flow> {
        let live = flow.published_id();
        self.report.published_version = live.map(str::to_string);
        let op = flow.current_operation.clone().unwrap_or_default();
        if op.succeeded() && classify(live, plan) == Live::Target {
            return Ok(flow.clone());
        }
        let failure = if op.status().eq_ignore_ascii_case("FAILURE") {
            Failure {
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
            }
        } else {
            Failure {
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
            }
        };
        self.audit.record(Entry {
            event: event::DEPLOYMENT_FAILED,
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
        let deadline = Instant::now() + self.config.timeout;
        Err(self
            .after_failure(plan, flow, Status::Failed, failure, deadline)
            .await)
    }

    /// SPEC rule 7: on the deadline, read the flow once and decide.
    async fn on_timeout(&mut self, plan: &Plan) -> Ended {
        self.audit.record(Entry {
            event: event::DEPLOYMENT_TIMED_OUT,
            version: Some(&plan.target),
            status: "timed_out",
            details: Some(json!({ "operation_id": self.report.operation_id, "timeout_seconds": self.config.timeout.as_secs() })),
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
        self.settle_after_interruption(plan, Status::TimedOut, failure, None)
            .await
    }

    /// SPEC rule 11: after a cancellation, read the flow once and apply rules 7–8 within the
    /// runner's grace period.
    pub(super) async fn on_cancel(&mut self, plan: &Plan) -> Ended {
        self.audit.record(Entry {
            event: event::DEPLOYMENT_CANCELLED,
            version: Some(&plan.target),
            status: "cancelled",
            details: Some(json!({ "published": true, "operation_id": self.report.operation_id })),
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
        let grace = Instant::now() + self.config.tuning.cancel_grace;
        self.settle_after_interruption(plan, Status::Cancelled, failure, Some(grace))
            .await
    }

    /// Reads the flow once after a timeout or a cancellation and ends the run accordingly.
    /// `grace` is the cancellation's hard limit for the read and any rollback; after a
    /// timeout the read gets up to 30 s and a rollback a fresh `timeout-seconds`.
    async fn settle_after_interruption(
        &mut self,
        plan: &Plan,
        status: Status,
        failure: Failure,
        grace: Option<Instant>,
    ) -> Ended {
        let deadline = grace.unwrap_or_else(|| {
            Instant::now() + self.config.timeout.min(std::time::Duration::from_secs(30))
        });
        let read = tokio::time::timeout_at(
            deadline,
            self.client.get_flow(&self.config.bot_id, Some(deadline)),
        )
        .await;
        let flow = match read {
            Ok(Ok(answer)) => answer.body,
            Ok(Err(error)) => {
                let failure = Failure {
                    message: format!(
                        "{}; the flow could not be read afterwards ({error}), so the live version is unknown",
                        failure.message
                    ),
                    correlation_id: error.correlation_id().map(str::to_string),
                    ..failure
                };
                return self.end(status, LiveVersion::ChangedOrUnknown, failure);
            }
            Err(_) => {
                let failure = Failure {
                    message: format!(
                        "{}; there was no time left to read the flow, so the live version is unknown",
                        failure.message
                    ),
                    ..failure
                };
                return self.end(status, LiveVersion::ChangedOrUnknown, failure);
            }
        };
        let live = flow.published_id();
        self.report.published_version = live.map(str::to_string);
        let running = flow
            .current_operation
            .as_ref()
            .filter(|op| op.is_publish() && !op.complete);
        if classify(live, plan) != Live::Target
            && let Some(op) = running
        {
            let op_id = op
                .id
                .clone()
                .or_else(|| self.report.operation_id.clone())
                .unwrap_or_else(|| "(no id)".into());
            let failure = Failure {
                message: format!(
                    "{}; publish operation {op_id} is still {} and may still put version {} live",
                    failure.message,
                    op.status(),
                    plan.target
                ),
                next_step: format!(
                    "Watch operation {op_id} on bot {} in Architect. If version {} goes live and must not stay, publish version {} again.",
                    self.config.bot_id,
                    plan.target,
                    plan.previous.as_deref().unwrap_or("(none recorded)")
                ),
                ..failure
            };
            return self.end(status, LiveVersion::ChangedOrUnknown, failure);
        }
        let rollback_deadline = grace.unwrap_or_else(|| Instant::now() + self.config.timeout);
        self.after_failure(plan, &flow, status, failure, rollback_deadline)
            .await
    }

    /// The wait could not observe the flow (401/403/404 on reads): the outcome is unknown.
    fn on_unobservable(&mut self, plan: &Plan, error: &ApiError) -> Ended {
        let failure = Failure::from_api(
            "Publish outcome unknown",
            &format!(
                "version {} was sent to publish, but the flow can no longer be read",
                plan.target
            ),
            error,
            "Check the bot's live version in Architect.",
        );
        self.end(Status::Failed, LiveVersion::ChangedOrUnknown, failure)
    }
}
