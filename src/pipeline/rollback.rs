//! After a failure: roll back only what is really live (SPEC rule 8). The rollback
//! republishes the version recorded before publishing, waits for it like a publish, and is
//! confirmed only by reading `publishedVersion.id == previous` back.

use super::outcome::{Failure, LiveVersion, Status};
use super::publish::{Live, classify};
use super::wait::{WaitFor, Waited};
use super::{Deployment, Ended, Plan};
use crate::audit::{Entry, event};
use crate::genesys::models::Flow;
use serde_json::json;
use tokio::time::Instant;

impl Deployment<'_> {
    /// Ends a failed run given the flow as last read: rolls back when the target is live,
    /// reports a third version untouched, and otherwise records that nothing needs undoing.
    /// `status` is the run's status when no rollback happens or it is confirmed after a
    /// cancellation.
    pub(super) async fn after_failure(
        &mut self,
        plan: &Plan,
        flow: &Flow,
        status: Status,
        failure: Failure,
        rollback_deadline: Instant,
    ) -> Ended {
        let live = flow.published_id();
        match classify(live, plan) {
            Live::AsBefore => {
                self.audit.record(Entry {
                    event: event::ROLLBACK_NOT_NEEDED,
                    version: plan.was_live.as_deref(),
                    status: "not_needed",
                    details: Some(json!({ "live_version": live, "reason": "the version live before the run is still live" })),
                    correlation_id: None,
                });
                self.end(status, LiveVersion::Unchanged, failure)
            }
            Live::Other => {
                let failure = Failure {
                    title: "Another version is live".into(),
                    message: format!(
                        "{}; version {} is live, which is neither the target ({}) nor the version live before ({}): someone else published meanwhile, so nothing was touched",
                        failure.message,
                        live.unwrap_or("none"),
                        plan.target,
                        plan.was_live.as_deref().unwrap_or("none")
                    ),
                    next_step: "Find out who published (Architect > flow history) and decide which version should be live.".into(),
                    ..failure
                };
                self.end(Status::Failed, LiveVersion::ChangedOrUnknown, failure)
            }
            Live::Target if !self.config.rollback => {
                let failure = Failure {
                    message: format!(
                        "{}; version {} is live and rollback is off",
                        failure.message, plan.target
                    ),
                    next_step: format!(
                        "Publish version {} again by hand if version {} must not stay live.",
                        plan.previous.as_deref().unwrap_or("(none recorded)"),
                        plan.target
                    ),
                    ..failure
                };
                self.end(status, LiveVersion::ChangedOrUnknown, failure)
            }
            Live::Target => {
                let stale = flow.current_operation.as_ref().and_then(|op| op.id.clone());
                self.roll_back(plan, status, failure, stale, rollback_deadline)
                    .await
            }
        }
    }

    async fn roll_back(
        &mut self,
        plan: &Plan,
        status: Status,
        failure: Failure,
        stale_operation_id: Option<String>,
        deadline: Instant,
    ) -> Ended {
        let started = self.clock();
        let Some(previous) = plan.previous.clone() else {
            self.audit.record(Entry {
                event: event::ROLLBACK_FAILED,
                version: None,
                status: "failed",
                details: Some(
                    json!({ "reason": "no previous version: the bot had never been published" }),
                ),
                correlation_id: None,
            });
            self.phase("rollback", started, "impossible");
            let failure = Failure {
                message: format!(
                    "{}; version {} is live and there is no earlier version to roll back to",
                    failure.message, plan.target
                ),
                next_step: "Deactivate or fix the bot in Architect.".into(),
                ..failure
            };
            return self.end(
                Status::RollbackFailed,
                LiveVersion::ChangedOrUnknown,
                failure,
            );
        };
        self.audit.record(Entry {
            event: event::ROLLBACK_STARTED,
            version: Some(&previous),
            status: "started",
            details: Some(json!({ "from_version": plan.target, "reason": failure.message })),
            correlation_id: None,
        });
        let confirmed = self
            .republish_and_read_back(&previous, stale_operation_id, deadline)
            .await;
        match confirmed {
            Ok(()) => {
                self.audit.record(Entry {
                    event: event::ROLLBACK_COMPLETED,
                    version: Some(&previous),
                    status: "completed",
                    details: Some(json!({ "live_version": previous })),
                    correlation_id: None,
                });
                self.phase("rollback", started, "completed");
                let status = if status == Status::Cancelled {
                    Status::Cancelled
                } else {
                    Status::RolledBack
                };
                let failure = Failure {
                    message: format!(
                        "{}; version {previous} was published again and is live",
                        failure.message
                    ),
                    ..failure
                };
                self.end(status, LiveVersion::Unchanged, failure)
            }
            Err((reason, correlation_id)) => {
                self.audit.record(Entry {
                    event: event::ROLLBACK_FAILED,
                    version: Some(&previous),
                    status: "failed",
                    details: Some(
                        json!({ "reason": reason, "live_version": self.report.published_version }),
                    ),
                    correlation_id: correlation_id.as_deref(),
                });
                self.phase("rollback", started, "failed");
                let failure = Failure {
                    title: "Rollback failed".into(),
                    message: format!(
                        "{}; rolling back to version {previous} failed: {reason}",
                        failure.message
                    ),
                    next_step: format!(
                        "Publish version {previous} of bot {} by hand in Architect now; version {} may be live.",
                        self.config.bot_id, plan.target
                    ),
                    correlation_id: correlation_id.or(failure.correlation_id),
                    ..failure
                };
                self.end(
                    Status::RollbackFailed,
                    LiveVersion::ChangedOrUnknown,
                    failure,
                )
            }
        }
    }

    /// Publishes `previous` and proves it is live by reading the flow back.
    async fn republish_and_read_back(
        &mut self,
        previous: &str,
        stale_operation_id: Option<String>,
        deadline: Instant,
    ) -> Result<(), (String, Option<String>)> {
        let sent =
            tokio::time::timeout_at(deadline, self.client.publish(&self.config.bot_id, previous))
                .await;
        let operation_id = match sent {
            Ok(Ok(answer)) => answer.body.id,
            Ok(Err(error)) if !error.is_ambiguous() => {
                return Err((
                    format!("the publish was refused: {error}"),
                    error.correlation_id().map(str::to_string),
                ));
            }
            // Ambiguous or out of time: what the flow shows decides below.
            Ok(Err(error)) => {
                tracing::warn!("rollback publish answer lost: {error}");
                None
            }
            Err(_) => None,
        };
        let honour_cancel = !self.ctx.cancel.is_cancelled();
        let waited = self
            .wait_for_operation(WaitFor {
                version: previous,
                operation_id: operation_id.as_deref(),
                stale_operation_id: stale_operation_id.as_deref(),
                any_action: false,
                honour_cancel,
                deadline,
            })
            .await;
        let flow = match waited {
            Ok(Waited::Finished(flow)) => *flow,
            // Out of time or interrupted: one last read, if any time is left.
            Ok(Waited::TimedOut | Waited::Cancelled) | Err(_) => {
                let limit = deadline.max(Instant::now() + std::time::Duration::from_millis(500));
                match tokio::time::timeout_at(
                    limit,
                    self.client.get_flow(&self.config.bot_id, Some(limit)),
                )
                .await
                {
                    Ok(Ok(answer)) => answer.body,
                    Ok(Err(error)) => {
                        return Err((
                            format!("the flow could not be read back: {error}"),
                            error.correlation_id().map(str::to_string),
                        ));
                    }
                    Err(_) => return Err(("no time was left to confirm it".into(), None)),
                }
            }
        };
        let live = flow.published_id().map(str::to_string);
        self.report.published_version = live.clone();
        if live.as_deref() == Some(previous) {
            return Ok(());
        }
        let op = flow.current_operation.unwrap_or_default();
        let why = match (op.complete, op.error_message) {
            (true, Some(message)) => format!(
                "the rollback publish ended {}: {message}",
                op.action_status.as_deref().unwrap_or("?")
            ),
            (false, _) => format!(
                "the rollback publish is still {}",
                op.action_status.as_deref().unwrap_or("running")
            ),
            (true, None) => format!(
                "version {} is live instead",
                live.as_deref().unwrap_or("none")
            ),
        };
        Err((why, None))
    }
}
