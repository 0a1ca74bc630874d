//! Before anything is published: the token, the bot (exists, not deleted, its type, its
//! lock, a running operation) and the versions involved.

use super::bounds::Bounds;
use super::report::Failure;
use super::rules::unlock::{AfterUnlock, after_unlock};
use super::rules::wait::Wanted;
use super::wait::Waited;
use super::{Deployment, Plan, Step, Verdict};
use crate::audit::{Entry, Event};
use crate::genesys::ApiError;
use crate::genesys::models::Flow;
use crate::genesys::regions::architect_url;
use crate::github::Level;
use crate::ids::VersionId;
use serde_json::json;

impl Deployment<'_> {
    /// Gets the token; bad credentials end the run here.
    pub(super) async fn authenticate(&mut self) -> Step<()> {
        let Err(error) = self.client.authenticate().await else {
            return Ok(());
        };
        self.audit.record(Entry {
            details: Some(json!({ "error": error.to_string() })),
            correlation_id: error.correlation_id(),
            ..Entry::new(Event::AuthFailed, "failed")
        });
        // Name what really happened: refused credentials, an unreachable host, or a login
        // service that kept failing are three different things to fix.
        let login = self.config.endpoints.login.as_str().trim_end_matches('/');
        let failure = match &error {
            ApiError::Auth { .. } => Failure::from_api(
                "Authentication failed",
                "Genesys Cloud refused the OAuth client credentials",
                &error,
                "Check the client-id and client-secret secrets and the region.",
            ),
            ApiError::Transport { .. } => Failure::from_api(
                "Cannot reach Genesys Cloud",
                &format!("the login host {login} could not be reached"),
                &error,
                "Check region/login-url and the runner's network.",
            ),
            _ => Failure::from_api(
                "Genesys Cloud login failed",
                &format!("the login service at {login} did not issue a token"),
                &error,
                "Retry the workflow.",
            ),
        };
        Err(Verdict::failed_before_publish(failure))
    }

    /// Reads the bot and decides what to publish and what to roll back to.
    pub(super) async fn preflight(&mut self) -> Step<Plan> {
        let flow = self.inspect_bot().await?;
        self.choose_versions(&flow).await
    }

    /// Reads the bot and clears the way: its lock (rule 3) and an operation already running
    /// on it, waited for. The flow as it is then.
    pub(super) async fn inspect_bot(&mut self) -> Step<Flow> {
        let mut flow = self.read_bot().await?;
        if !flow.is_bot() {
            self.warn(
                "Not a bot flow",
                &format!(
                    "flow {} is of type {}, not BOT or DIGITALBOT; publishing it anyway",
                    self.config.bot_id,
                    flow.flow_type.as_ref().map_or("unknown", |t| t.as_str())
                ),
            );
        }
        if let Some(holder) = self.check_lock(&flow).await? {
            flow = self.after_force_unlock(&flow, &holder).await?;
        }
        if let Some(running) = flow.current_operation.as_ref().filter(|op| !op.complete) {
            flow = self
                .wait_for_running_operation(&flow, running.id.clone())
                .await?;
        }
        Ok(flow)
    }

    /// The version to publish and the one to roll back to, checked.
    async fn choose_versions(&mut self, flow: &Flow) -> Step<Plan> {
        let target = match (&self.config.target_version, &flow.checked_in_version) {
            (Some(target), _) => target.clone(),
            (None, Some(checked_in)) => VersionId::from_platform(&checked_in.id),
            (None, None) => {
                return Err(self.fail_before_publish(Failure {
                    title: "No version to publish".into(),
                    message: "the flow has no checked-in version and no target-version was given"
                        .into(),
                    next_step: "Check in the bot flow in Architect, or set target-version.".into(),
                    ..Failure::default()
                }));
            }
        };
        let was_live = flow.published_id().map(VersionId::from_platform);
        let previous = self
            .config
            .previous_version
            .clone()
            .or_else(|| was_live.clone());
        // Versions the flow itself names exist; ones the workflow names are checked, so a
        // typo fails here rather than as a publish that silently does nothing.
        for (input, version) in [
            ("target-version", self.config.target_version.as_deref()),
            ("previous-version", self.config.previous_version.as_deref()),
        ] {
            if let Some(version) = version {
                self.check_version_exists(input, version).await?;
            }
        }
        if let (Some(given), Some(live)) = (&self.config.previous_version, &was_live)
            && given != live
        {
            self.warn(
                "previous-version is not the live version",
                &format!("version {live} is live, but previous-version says {given}: a rollback would publish {given}"),
            );
        }
        self.facts.target_version = Some(target.to_string());
        self.facts.previous_version = previous.as_deref().map(str::to_string);
        self.observe_live(was_live.as_deref());
        self.ctx.console.line(&format!(
            "✔ {}: {} live, {target} to deploy",
            flow.name.as_deref().unwrap_or("the bot"),
            was_live
                .as_deref()
                .map_or("nothing".to_string(), |v| format!("version {v}"))
        ));
        Ok(Plan {
            target,
            previous,
            was_live,
            object_type: flow.object_type(),
            stale_operation_id: flow.current_operation.as_ref().and_then(|op| op.id.clone()),
            backup: None,
        })
    }

    /// SPEC rule 3: an operation in progress is waited for, within the deadline. The checks
    /// run inside the run's cancellation race, so only the deadline bounds this wait.
    async fn wait_for_running_operation(
        &mut self,
        flow: &Flow,
        running: Option<String>,
    ) -> Step<Flow> {
        self.ctx.console.line(&format!(
            "… operation {} is running on the flow: waiting for it first",
            running.as_deref().unwrap_or("(no id)")
        ));
        let bounds = Bounds::deadline_only(self.deadline);
        let wanted = Wanted {
            version: flow.published_id().unwrap_or("none"),
            live_before: flow.published_id(),
            operation_id: running.as_deref(),
            stale_operation_id: None,
            any_action: true,
        };
        match self.wait_for_operation(wanted, &bounds).await {
            Ok(Waited::Finished(after)) => Ok(*after),
            Ok(Waited::Cancelled) => Err(self.cancelled_before_publish()),
            Ok(Waited::TimedOut) => Err(self.fail_before_publish(Failure {
                title: "Another operation is still running".into(),
                message: format!(
                    "operation {} on the flow did not finish within timeout-seconds; nothing was published",
                    running.as_deref().unwrap_or("(no id)")
                ),
                next_step: "Wait for the running operation (see Architect), then run the deployment again.".into(),
                ..Failure::default()
            })),
            Err(error) => Err(self.cannot_read_bot(&error)),
        }
    }

    async fn check_version_exists(&mut self, input: &str, version: &str) -> Step<()> {
        let Err(error) = self
            .client
            .get_flow_version(&self.config.bot_id, version)
            .await
        else {
            return Ok(());
        };
        let not_found = error.status() == Some(404);
        let failure = Failure::from_api(
            if not_found {
                "Version not found"
            } else {
                "Cannot read the version"
            },
            &format!("{input} {version} of bot {}", self.config.bot_id),
            &error,
            "Retry the workflow.",
        );
        let failure = if not_found {
            Failure {
                next_step: format!(
                    "Check {input}: the bot has no version {version} (Architect > the flow's version history)."
                ),
                ..failure
            }
        } else {
            failure
        };
        Err(self.fail_before_publish(failure))
    }

    async fn read_bot(&mut self) -> Step<Flow> {
        match self
            .client
            .get_flow(&self.config.bot_id, Some(self.deadline))
            .await
        {
            Ok(answer) if answer.body.deleted => Err(self.fail_before_publish(Failure {
                title: "Bot flow deleted".into(),
                message: format!("flow {} is deleted", self.config.bot_id),
                correlation_id: answer.correlation_id,
                next_step: "Check bot-id: it names a deleted flow.".into(),
                ..Failure::default()
            })),
            Ok(answer) => {
                let flow = answer.body;
                // Whatever happens next, the outputs say what is live and where the bot is.
                self.observe_live(flow.published_id());
                self.facts.bot_name = flow.name.clone();
                self.facts.flow_url = Some(architect_url(
                    &self.config.endpoints.api,
                    flow.object_type() == "DIGITALBOTFLOW",
                    &self.config.bot_id,
                ));
                Ok(flow)
            }
            // The platform answers a deleted flow with 410 `architect.flow.deleted`.
            Err(error) if error.status() == Some(410) => {
                let failure = Failure::from_api(
                    "Bot flow deleted",
                    &format!("flow {} is deleted", self.config.bot_id),
                    &error,
                    "",
                );
                Err(self.fail_before_publish(Failure {
                    next_step: "Check bot-id: it names a deleted flow (restore it in Architect, or deploy another bot).".into(),
                    ..failure
                }))
            }
            Err(error) if error.status() == Some(404) => {
                let failure = Failure::from_api(
                    "Bot flow not found",
                    &format!("no flow {} in this org", self.config.bot_id),
                    &error,
                    "Check bot-id and that region/api-url point at the org that holds the bot.",
                );
                Err(self.fail_before_publish(failure))
            }
            Err(error) => Err(self.cannot_read_bot(&error)),
        }
    }

    fn cannot_read_bot(&mut self, error: &ApiError) -> Verdict {
        let failure = Failure::from_api(
            "Cannot read the bot",
            "reading the bot failed",
            error,
            "Retry the workflow.",
        );
        self.fail_before_publish(failure)
    }

    /// SPEC rule 3: a lock by someone else stops the run unless `force-unlock`. Names the
    /// holder when the flow was unlocked (and must be read again).
    async fn check_lock(&mut self, flow: &Flow) -> Step<Option<String>> {
        let ours = flow.locked_user.is_none()
            && flow
                .locked_client
                .as_ref()
                .is_some_and(|c| c.id.as_deref() == Some(self.config.client_id.as_str()));
        let Some(holder) = flow.lock_holder().filter(|_| !ours) else {
            return Ok(None);
        };
        if !self.config.force_unlock {
            return Err(self.fail_before_publish(Failure {
                title: "Bot flow is locked".into(),
                message: format!("flow {} is locked by {holder}", self.config.bot_id),
                next_step: format!(
                    "Ask {holder} to check in or discard the draft in Architect, or set force-unlock: true (unlocking checks their saved draft in as a new version; the run then stops unless target-version names the version to publish)."
                ),
                ..Failure::default()
            }));
        }
        if self.config.dry_run {
            self.warn(
                "Bot flow is locked",
                &format!("locked by {holder}; a real run would unlock it (force-unlock), which checks their saved draft in as a new version"),
            );
            return Ok(None);
        }
        self.warn(
            "Unlocking the bot flow",
            &format!("force-unlock: taking the lock from {holder}; their saved draft is checked in as a new version"),
        );
        match self.client.unlock(&self.config.bot_id).await {
            Ok(_) => Ok(Some(holder)),
            Err(error) => {
                let failure = Failure::from_api(
                    "Cannot unlock the bot flow",
                    &format!("unlocking the flow locked by {holder} failed"),
                    &error,
                    "Give the OAuth client's role architect:flow:unlock, or unlock the flow in Architect.",
                );
                Err(self.fail_before_publish(failure))
            }
        }
    }

    /// Reads the flow again after a force-unlock and stops the run when the unlock changed
    /// what it would publish: a draft checked in is never published unless target-version
    /// names it, and a version chosen before the unlock is never published without a word.
    async fn after_force_unlock(&mut self, before: &Flow, holder: &str) -> Step<Flow> {
        let after = self.read_bot().await?;
        match after_unlock(before, &after) {
            AfterUnlock::Unchanged => Ok(after),
            AfterUnlock::LiveVersionMoved { before, now } => {
                let (before, now) = (
                    before.unwrap_or_else(|| "none".into()),
                    now.unwrap_or_else(|| "none".into()),
                );
                self.observe_live(Some(&now));
                let failure = Failure {
                    title: "The unlock changed the live version".into(),
                    message: format!(
                        "force-unlock took the lock from {holder}, and version {now} is live now instead of {before}; nothing was published by this run"
                    ),
                    next_step: format!(
                        "Check version {now} of bot {} in Architect; publish version {before} again if it must not stay live.",
                        self.config.bot_id
                    ),
                    ..Failure::default()
                };
                self.audit.record(Entry {
                    details: Some(json!({ "reason": failure.message, "published": false, "live_version": now })),
                    ..Entry::new(Event::DeploymentFailed, "failed")
                });
                Err(Verdict::failed_unknown(failure))
            }
            AfterUnlock::DraftCheckedIn { before, now } => {
                let before = before.unwrap_or_else(|| "none".into());
                match &self.config.target_version {
                    // The import makes a newer version of its own: the draft stays checked in.
                    None if self.config.flow_file.is_some() => {
                        self.warn(
                            "The unlock checked in a draft",
                            &format!("force-unlock checked in the saved draft of {holder} as version {now}; the flow file's import makes a newer version, so version {now} is checked in, not published"),
                        );
                        Ok(after)
                    }
                    Some(target) => {
                        self.warn(
                            "The unlock checked in a draft",
                            &format!("force-unlock checked in the saved draft of {holder} as version {now}; publishing target-version {target} as asked, so version {now} is checked in, not published"),
                        );
                        Ok(after)
                    }
                    None => Err(self.fail_before_publish(Failure {
                        title: "The unlock checked in a draft".into(),
                        message: format!(
                            "force-unlock checked in the saved draft of {holder} as version {now}; version {before} was the checked-in version before the unlock. Nothing was published: this run does not publish a draft nobody reviewed, nor a version chosen before the unlock"
                        ),
                        next_step: format!(
                            "Review version {now} in Architect. Run again to publish it, or set target-version: {before} to publish the version that was checked in before."
                        ),
                        ..Failure::default()
                    })),
                }
            }
        }
    }

    /// Records a warning: annotation, log line, summary line.
    pub(super) fn warn(&mut self, title: &str, message: &str) {
        self.ctx.console.annotate(Level::Warning, title, message);
        self.facts.warnings.push(format!("{title}: {message}"));
    }

    /// Ends a run that published nothing: the previous version is still live.
    pub(super) fn fail_before_publish(&mut self, failure: Failure) -> Verdict {
        self.audit.record(Entry {
            event: Event::DeploymentFailed,
            version: self.facts.target_version.as_deref(),
            status: "failed",
            details: Some(json!({ "reason": failure.message, "published": false })),
            correlation_id: failure.correlation_id.as_deref(),
        });
        Verdict::failed_before_publish(failure)
    }

    /// Ends a run cancelled before anything was published.
    pub(super) fn cancelled_before_publish(&mut self) -> Verdict {
        self.audit.record(Entry {
            event: Event::DeploymentCancelled,
            version: self.facts.target_version.as_deref(),
            status: "cancelled",
            details: Some(json!({ "published": false })),
            correlation_id: None,
        });
        Verdict::Cancelled {
            serving: super::Serving::AsBefore,
            why: Failure {
                title: "Deployment cancelled".into(),
                message: "the run was cancelled before anything was published".into(),
                next_step: "Nothing changed; run the deployment again when ready.".into(),
                ..Failure::default()
            },
        }
    }
}
