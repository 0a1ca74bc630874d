//! After a failure: roll back only what is really live (SPEC rule 8). The rollback
//! republishes the version recorded before publishing, waits for it like a publish, and is
//! confirmed only by reading it back live ([`super::rules::rollback`] decides).

use super::bounds::{Bounds, Raced};
use super::jobs::{JobEnd, message_lines};
use super::plan::Backup;
use super::report::Failure;
use super::rules::content::first_difference;
use super::rules::identity::{Identity, compare};
use super::rules::rollback::{AfterFailure, RollbackCheck, after_failure, check};
use super::rules::versions::classify;
use super::rules::wait::Wanted;
use super::wait::Waited;
use super::{Deployment, Interruption, Plan, Serving, Verdict};
use crate::audit::{Entry, Event};
use crate::flowfile::FlowDocument;
use crate::genesys::models::Flow;
use crate::genesys::vocabulary::JobStatus;
use crate::ids::VersionId;
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

/// How a rollback brought the previous version back: the summary says which.
#[derive(Debug, Clone, Copy)]
enum Route {
    /// The backup of a flow file's run, imported again.
    Backup,
    /// `actions/publish` of the previous version.
    Republish,
    /// The previous version exported and imported again, after a republish did not work.
    ExportAndImport,
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
                self.record_rollback_not_needed(plan.was_live.as_deref(), live);
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

    /// Rule 8: a failure that left the version live before the run live needs no rollback.
    pub(super) fn record_rollback_not_needed(
        &mut self,
        was_live: Option<&str>,
        live: Option<&str>,
    ) {
        self.audit.record(Entry {
            event: Event::RollbackNotNeeded,
            version: was_live,
            status: "not_needed",
            details: Some(
                json!({ "live_version": live, "reason": "the version live before the run is still live" }),
            ),
            correlation_id: None,
        });
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
        // The backup restores only the version it was taken of: a re-run that finds the
        // release live has a backup of that release, and goes back to an older version.
        let backup = plan
            .backup
            .as_ref()
            .filter(|backup| backup.version.as_str() == previous);
        let restored = match backup {
            Some(backup) => self
                .import_again(backup, bounds)
                .await
                .map(|copy| (copy, Route::Backup)),
            None => match self
                .republish_and_read_back(previous, stale_operation_id, bounds)
                .await
            {
                Ok(restored) => Ok((restored, Route::Republish)),
                Err(failed) => self
                    .import_export_instead(previous, failed, bounds)
                    .await
                    .map(|copy| (copy, Route::ExportAndImport)),
            },
        };
        match restored {
            Ok((republished_as, route)) => {
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
                let how = match (&republished_as, route) {
                    (None, _) => format!("version {previous} was published again and is live"),
                    (Some(copy), Route::Backup) => format!(
                        "the backup of version {previous} was imported again as version {copy}, which is live"
                    ),
                    (Some(copy), Route::ExportAndImport) => format!(
                        "version {previous} was exported and imported again as version {copy}, which is live"
                    ),
                    (Some(copy), Route::Republish) => format!(
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
                        next_step: match backup {
                            Some(_) => format!(
                                "Import the backup of version {previous} (the backup-file output) into bot {} by hand in Architect now; version {} may be live.",
                                self.config.bot_id, plan.target
                            ),
                            None => format!(
                                "Publish version {previous} of bot {} by hand in Architect now; version {} may be live.",
                                self.config.bot_id, plan.target
                            ),
                        },
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

    /// Rule 8 by re-import, as Architect itself republishes an earlier version (help
    /// ?p=2620, flow-artifacts.md §1): imports `backup` again, makes the new version live,
    /// and proves by its export that the content is the backup's. `Ok(Some(v))`: live as
    /// version `v`.
    async fn import_again(
        &mut self,
        backup: &Backup,
        bounds: &Bounds,
    ) -> Result<Option<String>, RollbackFailure> {
        let shown = format!("the backup of version {}", backup.version);
        let (job_id, end) = self
            .run_import(&backup.yaml, &shown, &backup.version, bounds)
            .await
            .map_err(|error| {
                RollbackFailure::new(
                    format!("the import of {shown} could not be started: {error}"),
                    error.correlation_id(),
                )
            })?;
        match end {
            JobEnd::Ended(job) if job.status == JobStatus::Success => {}
            JobEnd::Ended(job) => {
                let messages = message_lines(job.messages.as_deref());
                return Err(RollbackFailure::new(
                    format!(
                        "import job {job_id} of {shown} failed: {}",
                        if messages.is_empty() {
                            "no message".to_string()
                        } else {
                            messages.join(" / ")
                        }
                    ),
                    None,
                ));
            }
            JobEnd::TimedOut | JobEnd::Cancelled => {
                return Err(RollbackFailure::new(
                    format!("import job {job_id} of {shown} did not end in time"),
                    None,
                ));
            }
            JobEnd::Unreadable(error) => {
                return Err(RollbackFailure::new(
                    format!("import job {job_id} of {shown} could not be read: {error}"),
                    error.correlation_id(),
                ));
            }
        }
        let flow = self.last_read(bounds).await?;
        self.observe_live(flow.published_id());
        let failing = self.facts.target_version.clone();
        let live = match flow.published_id() {
            Some(live) if Some(live) != failing.as_deref() => live.to_string(),
            // The job checked the backup in without publishing it: publish that version.
            _ => {
                let Some(checked_in) = flow.checked_in_version.as_ref().map(|v| v.id.clone())
                else {
                    return Err(RollbackFailure::new(
                        format!("import job {job_id} of {shown} made no version"),
                        None,
                    ));
                };
                self.republish_and_read_back(&checked_in, None, bounds)
                    .await?;
                checked_in
            }
        };
        let Some(document) = &backup.document else {
            self.warn(
                "Rollback not proven by content",
                &format!("version {live} is live, imported from {shown}, whose export could not be read to compare"),
            );
            return Ok(Some(live));
        };
        let version = VersionId::from_platform(&live);
        let exported = self
            .export_version(&version, bounds)
            .await
            .map_err(|problem| {
                RollbackFailure::new(
                    format!("version {live} went live, but its export could not be read to prove its content: {problem}"),
                    None,
                )
            })?;
        match compare(
            &exported.yaml,
            &format!("the export of version {live}"),
            document,
        ) {
            Identity::Verified => Ok(Some(live)),
            Identity::Differs { path } => Err(RollbackFailure::new(
                format!(
                    "version {live} went live, but its content differs from {shown} (first at {path})"
                ),
                None,
            )),
            Identity::Unverifiable { why } => Err(RollbackFailure::new(
                format!("version {live} went live, but its content could not be proven: {why}"),
                None,
            )),
        }
    }

    /// When a republish of `previous` did not bring it back (finding F: the platform may
    /// not republish an older version as such), its export is imported instead, the way
    /// Architect republishes an earlier version.
    async fn import_export_instead(
        &mut self,
        previous: &str,
        failed: RollbackFailure,
        bounds: &Bounds,
    ) -> Result<Option<String>, RollbackFailure> {
        self.warn(
            "Republishing did not roll back",
            &format!(
                "{}; importing the export of version {previous} instead",
                failed.reason
            ),
        );
        // A second route gets its own time, unless the run was cancelled: then the runner's
        // grace bounds everything.
        let fresh;
        let bounds = if self.ctx.cancel.is_cancelled() {
            bounds
        } else {
            fresh = Bounds::from_now(self.config.timeout, &self.ctx.cancel);
            &fresh
        };
        let version = VersionId::from_platform(previous);
        let exported = match self.export_version(&version, bounds).await {
            Ok(exported) => exported,
            Err(problem) => {
                return Err(RollbackFailure::new(
                    format!(
                        "{}; exporting version {previous} to import it again failed too ({problem})",
                        failed.reason
                    ),
                    failed.correlation_id.as_deref(),
                ));
            }
        };
        let document =
            FlowDocument::parse(&exported.yaml, &format!("the export of version {previous}")).ok();
        let backup = Backup {
            version,
            yaml: exported.yaml,
            document,
        };
        self.import_again(&backup, bounds).await.map_err(|again| {
            RollbackFailure::new(
                format!(
                    "{}; importing its export failed too: {}",
                    failed.reason, again.reason
                ),
                again
                    .correlation_id
                    .as_deref()
                    .or(failed.correlation_id.as_deref()),
            )
        })
    }
}
