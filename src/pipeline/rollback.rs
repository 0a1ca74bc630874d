//! After a failure: roll back only what is really live (SPEC rule 8). The rollback
//! republishes the version recorded before publishing, waits for it like a publish, and is
//! confirmed only by reading it back live ([`super::rules::rollback`] decides).

use super::bounds::{Bounds, Raced};
use super::report::Failure;
use super::rules::content::first_difference;
use super::rules::rollback::{AfterFailure, RollbackCheck, after_failure, check};
use super::rules::versions::classify;
use super::rules::wait::Wanted;
use super::wait::Waited;
use super::{Deployment, Interruption, Plan, Serving, Verdict};
use crate::audit::{Entry, Event};
use crate::genesys::models::Flow;
use serde_json::json;
use std::time::Duration;
use tokio::time::Instant;

/// Why a rollback could not be confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RollbackFailure {
    /// In a clause: what went wrong.
    reason: String,
    /// The correlation id of the answer that said so, if one did.
    correlation_id: Option<String>,
}

impl RollbackFailure {
    fn new(reason: impl Into<String>, correlation_id: Option<&str>) -> Self {
        RollbackFailure {
            reason: reason.into(),
            correlation_id: correlation_id.map(str::to_string),
        }
    }
}

impl Deployment<'_> {
    /// Ends a failed run given the flow as last read: rolls back when the target is live,
    /// reports a third version untouched, and otherwise records that nothing needs undoing.
    /// `interruption` is how the run failed; a confirmed rollback turns it into `rolled-back`
    /// (a cancellation stays `cancelled`). The rollback runs within `bounds`.
    pub(super) async fn after_failure(
        &mut self,
        plan: &Plan,
        live: Option<&str>,
        stale_operation_id: Option<String>,
        interruption: Interruption,
        failure: Failure,
        bounds: &Bounds,
    ) -> Verdict {
        let decided = after_failure(
            classify(live, plan),
            self.config.rollback,
            plan.previous.as_deref(),
        );
        match decided {
            AfterFailure::NothingToUndo => {
                self.audit.record(Entry {
                    event: Event::RollbackNotNeeded,
                    version: plan.was_live.as_deref(),
                    status: "not_needed",
                    details: Some(json!({ "live_version": live, "reason": "the version live before the run is still live" })),
                    correlation_id: None,
                });
                Verdict::interrupted(interruption, Serving::AsBefore, failure)
            }
            AfterFailure::SomeoneElsePublished => Verdict::failed_unknown(Failure {
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
            }),
            AfterFailure::LeaveTargetLive => {
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
                Verdict::interrupted(interruption, Serving::ChangedOrUnknown, failure)
            }
            AfterFailure::NothingToRollBackTo => {
                self.audit.record(Entry {
                    event: Event::RollbackFailed,
                    version: None,
                    status: "failed",
                    details: Some(
                        json!({ "reason": "no previous version: the bot had never been published" }),
                    ),
                    correlation_id: None,
                });
                self.phase("rollback", Instant::now(), "impossible");
                Verdict::RollbackFailed {
                    why: Failure {
                        message: format!(
                            "{}; version {} is live and there is no earlier version to roll back to",
                            failure.message, plan.target
                        ),
                        next_step: "Deactivate or fix the bot in Architect.".into(),
                        ..failure
                    },
                }
            }
            AfterFailure::RollBackTo(previous) => {
                self.roll_back(plan, &previous, interruption, failure, stale_operation_id, bounds)
                    .await
            }
        }
    }

    async fn roll_back(
        &mut self,
        plan: &Plan,
        previous: &str,
        interruption: Interruption,
        failure: Failure,
        stale_operation_id: Option<String>,
        bounds: &Bounds,
    ) -> Verdict {
        let started = Instant::now();
        self.audit.record(Entry {
            event: Event::RollbackStarted,
            version: Some(previous),
            status: "started",
            details: Some(json!({ "from_version": plan.target, "reason": failure.message })),
            correlation_id: None,
        });
        match self
            .republish_and_read_back(previous, stale_operation_id, bounds)
            .await
        {
            Ok(republished_as) => {
                self.audit.record(Entry {
                    event: Event::RollbackCompleted,
                    version: Some(previous),
                    status: "completed",
                    details: Some(match &republished_as {
                        None => json!({ "live_version": previous }),
                        Some(copy) => json!({ "live_version": copy, "same_content_as": previous }),
                    }),
                    correlation_id: None,
                });
                self.phase("rollback", started, "completed");
                let how = match &republished_as {
                    None => format!("version {previous} was published again and is live"),
                    Some(copy) => format!(
                        "version {previous}'s content was published again as version {copy}, which is live"
                    ),
                };
                let failure = Failure {
                    message: format!("{}; {how}", failure.message),
                    ..failure
                };
                Verdict::rolled_back(interruption, failure)
            }
            Err(RollbackFailure {
                reason,
                correlation_id,
            }) => {
                self.audit.record(Entry {
                    event: Event::RollbackFailed,
                    version: Some(previous),
                    status: "failed",
                    details: Some(
                        json!({ "reason": reason, "live_version": self.facts.published_version }),
                    ),
                    correlation_id: correlation_id.as_deref(),
                });
                self.phase("rollback", started, "failed");
                Verdict::RollbackFailed {
                    why: Failure {
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
                    },
                }
            }
        }
    }

    /// Publishes `previous` and proves it is live by reading the flow back: `Ok(None)` when
    /// `previous` itself is live, `Ok(Some(v))` when its content went live as version `v`.
    /// The request is bounded by the deadline alone: once sent, its answer matters even
    /// after a signal.
    async fn republish_and_read_back(
        &mut self,
        previous: &str,
        stale_operation_id: Option<String>,
        bounds: &Bounds,
    ) -> Result<Option<String>, RollbackFailure> {
        let publish = self.client.publish(&self.config.bot_id, previous);
        let operation_id = match bounds.ignoring_cancel().race(publish).await {
            Raced::Done(Ok(answer)) => answer.body.and_then(|op| op.id),
            Raced::Done(Err(error)) if !error.is_ambiguous() => {
                return Err(RollbackFailure::new(
                    format!("the publish was refused: {error}"),
                    error.correlation_id(),
                ));
            }
            // Ambiguous or out of time: what the flow shows decides below.
            Raced::Done(Err(error)) => {
                tracing::warn!("rollback publish answer lost: {error}");
                None
            }
            Raced::TimedOut | Raced::Cancelled => None,
        };
        let live_before = self.facts.published_version.clone();
        let wanted = Wanted {
            version: previous,
            live_before: live_before.as_deref(),
            operation_id: operation_id.as_deref(),
            stale_operation_id: stale_operation_id.as_deref(),
            any_action: false,
        };
        let flow = match self.wait_for_operation(wanted, bounds).await {
            Ok(Waited::Finished(flow)) => *flow,
            // Out of time or interrupted: one last read, if any time is left.
            Ok(Waited::TimedOut | Waited::Cancelled) | Err(_) => self.last_read(bounds).await?,
        };
        self.observe_live(flow.published_id());
        let from = live_before.as_deref().unwrap_or_default();
        match check(&flow, previous, from, &self.config.client_id) {
            RollbackCheck::Confirmed => Ok(None),
            RollbackCheck::NewVersion { version } => self
                .same_content_as(previous, &version)
                .await
                .map(|()| Some(version)),
            unconfirmed => Err(RollbackFailure::new(unconfirmed.reason(), None)),
        }
    }

    /// Finding F: a republish numbered anew counts only when the new version's content is
    /// the previous version's (their configurations, volatile fields dropped).
    async fn same_content_as(
        &mut self,
        previous: &str,
        version: &str,
    ) -> Result<(), RollbackFailure> {
        let bot = self.config.bot_id.as_str();
        let (old, new) = tokio::join!(
            self.client.version_configuration(bot, previous),
            self.client.version_configuration(bot, version),
        );
        let (old, new) = match (old, new) {
            (Ok(old), Ok(new)) => (old.body, new.body),
            (Err(error), _) | (_, Err(error)) => {
                return Err(RollbackFailure::new(
                    format!(
                        "version {version} went live, but its content could not be compared with version {previous}'s: {error}"
                    ),
                    error.correlation_id(),
                ));
            }
        };
        match first_difference(&old, &new) {
            None => Ok(()),
            Some(path) => Err(RollbackFailure::new(
                format!(
                    "version {version} went live, but its content differs from version {previous}'s (first at {path})"
                ),
                None,
            )),
        }
    }

    /// The read after a rollback's wait ended early: at least half a second, even past the
    /// deadline, so a rollback that just finished is still seen.
    async fn last_read(&mut self, bounds: &Bounds) -> Result<Flow, RollbackFailure> {
        let floor = Instant::now() + Duration::from_millis(500);
        let limit = bounds.deadline().map_or(floor, |d| d.max(floor));
        let last = Bounds::deadline_only(limit);
        match last
            .race(self.client.get_flow(&self.config.bot_id, Some(limit)))
            .await
        {
            Raced::Done(Ok(answer)) => Ok(answer.body),
            Raced::Done(Err(error)) => Err(RollbackFailure::new(
                format!("the flow could not be read back: {error}"),
                error.correlation_id(),
            )),
            Raced::TimedOut | Raced::Cancelled => {
                Err(RollbackFailure::new("no time was left to confirm it", None))
            }
        }
    }
}
