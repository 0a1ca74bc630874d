//! Deploying from a flow file (SPEC rules 15 and 16): the checks (the file is this bot's,
//! the backup, `unchanged`, drift, the names it refers to), then an Architect import job
//! that makes the file a new version and publishes it, proven live, its identity checked,
//! smoke-tested, and rolled back by importing the backup again when anything fails.

use super::bounds::{Bounds, Raced};
use super::interruption::READ_AFTER_TIMEOUT;
use super::jobs::{JobEnd, message_lines};
use super::plan::Backup;
use super::release::Release;
use super::report::{Failure, ReleaseFacts};
use super::rules::identity::{Identity, compare};
use super::rules::versions;
use super::{Deployment, Interruption, Plan, Serving, Step, Verdict};
use crate::audit::{Entry, Event};
use crate::flowfile::is_secret_looking;
use crate::genesys::jobs::ImportJob;
use crate::genesys::models::Flow;
use crate::genesys::vocabulary::JobStatus;
use crate::ids::VersionId;
use serde_json::json;
use tokio::time::Instant;

/// What the checks decided.
enum Start {
    /// The live version already is this release: nothing to import (rule 16).
    Unchanged(Plan),
    /// Import: the flow as checked, and the backup when a version was live.
    Import(Prepared),
}

/// What an import starts from.
struct Prepared {
    /// The version live before the run.
    was_live: Option<VersionId>,
    /// `BOTFLOW` or `DIGITALBOTFLOW`.
    object_type: &'static str,
    /// The operation the flow showed before the import: never ours.
    stale_operation_id: Option<String>,
    /// The export of the live version.
    backup: Option<Backup>,
    /// A dry run only: how a real run would have ended at the checks (drift, a missing
    /// reference); the plan is written all the same.
    blocked: Option<Verdict>,
}

impl Prepared {
    /// The plan of rules 6–8 once the import made `target`.
    fn plan(&self, target: VersionId) -> Plan {
        Plan {
            target,
            previous: self.was_live.clone(),
            was_live: self.was_live.clone(),
            object_type: self.object_type,
            stale_operation_id: self.stale_operation_id.clone(),
            backup: self.backup.clone(),
        }
    }
}

impl Deployment<'_> {
    /// The deployment of `release`, to its verdict.
    pub(super) async fn deploy_release(&mut self, release: &Release) -> Verdict {
        // Values that look secret go into the imported file, never into the log.
        for entry in release.substitutions.entries() {
            if is_secret_looking(&entry.key) {
                self.ctx.console.mask(&entry.value);
            }
        }
        self.record_start();
        self.facts.release = Some(ReleaseFacts {
            file: release.file.shown.clone(),
            file_digest: release.file_digest.to_string(),
            release_digest: release.release_digest.to_string(),
            substitutions: release.substitutions.shown(),
            ..ReleaseFacts::default()
        });
        let checks = Bounds::cancel_only(&self.ctx.cancel);
        let prepared = match checks.race(self.check_release(release)).await {
            Raced::Done(Ok(Start::Import(prepared))) => prepared,
            Raced::Done(Ok(Start::Unchanged(plan))) => return self.release_unchanged(&plan).await,
            Raced::Done(Err(verdict)) => return verdict,
            Raced::Cancelled | Raced::TimedOut => return self.cancelled_before_publish(),
        };
        if self.config.dry_run {
            let Prepared {
                backup,
                object_type,
                blocked,
                ..
            } = prepared;
            return self
                .finish_release_dry_run(release, &backup, object_type, blocked)
                .await;
        }
        let (plan, confirmed) = match self.import_and_confirm(release, &prepared).await {
            Ok(done) => done,
            Err(verdict) => return verdict,
        };
        self.check_identity(release, &plan.target).await;
        match self.smoke_gate(&plan, &confirmed).await {
            Ok(()) => Verdict::Published,
            Err(verdict) => verdict,
        }
    }

    /// Everything before the import (rule 1, with rules 15 and 16).
    async fn check_release(&mut self, release: &Release) -> Step<Start> {
        let started = Instant::now();
        let authenticated = match self.authenticate().await {
            Ok(()) => self.check_org().await,
            failed => failed,
        };
        self.phase_result("authenticate", started, &authenticated);
        authenticated?;
        let started = Instant::now();
        let inspected = self.inspect_bot().await;
        self.phase_result("preflight", started, &inspected);
        let flow = inspected?;
        if let Some(failure) = self.not_the_bot(release, &flow) {
            return Err(self.fail_before_publish(failure));
        }
        let was_live = flow.published_id().map(VersionId::from_platform);
        self.facts.previous_version = was_live.as_deref().map(str::to_string);
        self.ctx.console.line(&format!(
            "✔ {}: {} live, {} to deploy (release {})",
            flow.name.as_deref().unwrap_or("the bot"),
            was_live
                .as_deref()
                .map_or("nothing".to_string(), |v| format!("version {v}")),
            release.file.shown,
            release.release_digest.short()
        ));
        let started = Instant::now();
        let backup = match &was_live {
            Some(live) => {
                let backup = self.back_up(live).await;
                self.phase_result("backup", started, &backup);
                Some(backup?)
            }
            None => None,
        };
        let mut prepared = Prepared {
            was_live: was_live.clone(),
            object_type: flow.object_type(),
            stale_operation_id: flow.current_operation.as_ref().and_then(|op| op.id.clone()),
            backup,
            blocked: None,
        };
        if let (Some(backup), Some(live)) = (&prepared.backup, &was_live)
            && self.is_this_release(backup, release)
        {
            self.facts.target_version = Some(live.to_string());
            if let Some(facts) = self.facts.release.as_mut() {
                facts.drift = Some(("none".into(), None));
            }
            return Ok(Start::Unchanged(prepared.plan(live.clone())));
        }
        // A dry run goes on past drift and missing references, to show the whole plan.
        if let Err(blocked) = self.check_drift(&flow).await {
            if !self.config.dry_run {
                return Err(blocked);
            }
            prepared.blocked = Some(blocked);
        }
        let started = Instant::now();
        let checked = self.check_release_dependencies(release).await;
        let checked = match checked {
            Ok(()) if was_live.is_some() => self.check_smoke_test_access(true).await,
            checked => checked,
        };
        self.phase_result("dependencies", started, &checked);
        match checked {
            Ok(()) => {}
            Err(blocked) if self.config.dry_run => {
                prepared.blocked.get_or_insert(blocked);
            }
            Err(blocked) => return Err(blocked),
        }
        Ok(Start::Import(prepared))
    }

    /// The names the file refers to, and the workflow's `flow-ids` and `skill-ids`.
    async fn check_release_dependencies(&mut self, release: &Release) -> Step<()> {
        let named = match self.check_references(release).await {
            Ok(named) => named,
            Err((what, error)) => {
                return Err(self.dependency_error("the flow file", &format!("{what}s"), &error));
            }
        };
        self.check_listed(&[], &[], named, "the flow file").await
    }

    /// Rule 16: the live version is this release. Rule 17 holds: with a smoke test, it
    /// runs against the live version.
    async fn release_unchanged(&mut self, plan: &Plan) -> Verdict {
        if self.config.dry_run {
            let headline = format!(
                "Version {} is live and is this release already: nothing would be imported or published",
                plan.target
            );
            self.facts.plan = self.already_live_steps(plan, &headline);
            return Verdict::DryRun;
        }
        // Rules 2 and 17, as in version mode (the target here is live by construction).
        match versions::start(plan, self.smoke.is_some()) {
            versions::Start::SmokeTestLive => self.smoke_test_live_target(plan).await,
            versions::Start::Unchanged | versions::Start::Publish => Verdict::Unchanged,
        }
    }

    /// Imports the file and proves its version live: by the import job's own publish, or
    /// by publishing the version the job checked in.
    async fn import_and_confirm(
        &mut self,
        release: &Release,
        prepared: &Prepared,
    ) -> Step<(Plan, Flow)> {
        // Subscribe before importing: the job's publish shows on the flow's topic.
        self.open_push().await;
        self.deadline = Instant::now() + self.config.timeout;
        let bounds = self.bounds();
        let started = Instant::now();
        let imported = self
            .run_import(&release.yaml, &release.file.shown, "import", &bounds)
            .await;
        let (job_id, end) = match imported {
            Ok(imported) => imported,
            Err(error) => {
                self.phase("import", started, "refused");
                return Err(self.fail_before_publish(Failure::from_api(
                    "Import failed",
                    &format!(
                        "the import job for {} could not be started",
                        release.file.shown
                    ),
                    &error,
                    "Retry the workflow; nothing was imported.",
                )));
            }
        };
        if let Some(facts) = self.facts.release.as_mut() {
            facts.import_job = Some(job_id.clone()).filter(|id| !id.is_empty());
        }
        let job = match end {
            JobEnd::Ended(job) => job,
            JobEnd::TimedOut => {
                self.phase("import", started, "timed out");
                return Err(self
                    .import_interrupted(prepared, &job_id, Interruption::TimedOut, "")
                    .await);
            }
            JobEnd::Cancelled => {
                self.phase("import", started, "cancelled");
                return Err(self
                    .import_interrupted(prepared, &job_id, Interruption::Cancelled, "")
                    .await);
            }
            JobEnd::Unreadable(error) => {
                self.phase("import", started, "unreadable");
                let why = format!(
                    "the file was uploaded to import job {job_id}, but reading the job was refused ({error})"
                );
                return Err(self
                    .import_interrupted(prepared, &job_id, Interruption::Failed, &why)
                    .await);
            }
        };
        self.phase("import", started, job.status.as_str());
        if job.status != JobStatus::Success {
            return Err(self.import_failed(prepared, &job, release).await);
        }
        if let Some(other) = job
            .flow
            .as_ref()
            .and_then(|f| f.id.as_deref())
            .filter(|id| !id.eq_ignore_ascii_case(&self.config.bot_id))
        {
            return Err(self.fail_before_publish(Failure {
                title: "Import landed on another flow".into(),
                message: format!(
                    "import job {job_id} imported {} into flow {other}, not bot {}",
                    release.file.shown, self.config.bot_id
                ),
                next_step: format!("Check flow {other} in Architect: the import changed it."),
                ..Failure::default()
            }));
        }
        self.confirm_imported_version(prepared, &job_id).await
    }

    /// After a successful import job: reads the bot and finds the version the job made. The
    /// job published it (command `Publish`): it is live. Or the job only checked it in: it is
    /// published and confirmed as any target.
    async fn confirm_imported_version(
        &mut self,
        prepared: &Prepared,
        job_id: &str,
    ) -> Step<(Plan, Flow)> {
        let flow = match self
            .client
            .get_flow(&self.config.bot_id, Some(self.deadline))
            .await
        {
            Ok(answer) => answer.body,
            Err(error) => {
                let why =
                    format!("import job {job_id} ended, but the bot could not be read afterwards");
                let verdict = self.import_interrupted(prepared, job_id, Interruption::Failed, &why);
                tracing::warn!("the flow could not be read after the import: {error}");
                return Err(verdict.await);
            }
        };
        self.observe_live(flow.published_id());
        let was_live = prepared.was_live.as_deref();
        if let Some(live) = flow.published_id().filter(|live| Some(*live) != was_live) {
            // The job published what it imported (command Publish).
            let target = VersionId::from_platform(live);
            self.facts.target_version = Some(target.to_string());
            self.audit.record(Entry {
                event: Event::PublishStatus,
                version: Some(&target),
                status: "SUCCESS",
                details: Some(json!({ "via": "import job", "job_id": job_id, "live_version": live, "decided_by": "poll" })),
                correlation_id: None,
            });
            return Ok((prepared.plan(target), flow));
        }
        // The job checked the file in without publishing it: publish that version.
        match flow
            .checked_in_version
            .as_ref()
            .map(|v| VersionId::from_platform(&v.id))
            .filter(|v| Some(v.as_str()) != was_live)
        {
            Some(target) => {
                self.facts.target_version = Some(target.to_string());
                let plan = prepared.plan(target);
                let confirmed = self.publish_and_confirm(&plan).await?;
                Ok((plan, confirmed))
            }
            None => Err(self.fail_before_publish(Failure {
                title: "Import made no new version".into(),
                message: format!(
                    "import job {job_id} succeeded, but bot {} shows no new version",
                    self.config.bot_id
                ),
                next_step: "Look at the bot's versions in Architect; run again.".into(),
                ..Failure::default()
            })),
        }
    }

    /// The job failed: its messages verbatim. Nothing it made is live unless the flow says
    /// otherwise, which a read decides.
    async fn import_failed(
        &mut self,
        prepared: &Prepared,
        job: &ImportJob,
        release: &Release,
    ) -> Verdict {
        let messages = message_lines(job.messages.as_deref());
        let (message, details) = if messages.is_empty() {
            (
                format!(
                    "import job {} for {} (flow \"{}\") failed and gave no message",
                    job.id,
                    release.file.shown,
                    release.document.name()
                ),
                vec![format!("job id {}", job.id)],
            )
        } else {
            (
                format!(
                    "import job {} for {} failed: {}",
                    job.id,
                    release.file.shown,
                    messages.join(" / ")
                ),
                messages.clone(),
            )
        };
        // The job's `Failure` status line (written by the wait) carries the messages.
        if let Some(facts) = self.facts.release.as_mut() {
            facts.import_messages = messages;
        }
        self.facts.validation_errors = details.clone();
        let failure = Failure {
            title: "Import failed".into(),
            message,
            details,
            correlation_id: job.correlation_id.clone(),
            next_step: "Fix the flow file as Archy's messages say (or its substitutions) and run again; an Archy version difference between orgs shows as a property that \"cannot be assigned a value\".".into(),
            ..Failure::default()
        };
        let read = self
            .client
            .get_flow(&self.config.bot_id, Some(self.deadline))
            .await;
        match read {
            Ok(answer) if answer.body.published_id() != prepared.was_live.as_deref() => {
                let flow = answer.body;
                self.observe_live(flow.published_id());
                let live = flow.published_id().map(VersionId::from_platform);
                let plan = prepared.plan(live.unwrap_or_else(|| VersionId::from_platform("none")));
                let rollback = Bounds::from_now(self.config.timeout, &self.ctx.cancel);
                self.after_failure(
                    &plan,
                    flow.published_id(),
                    None,
                    Interruption::Failed,
                    failure,
                    &rollback,
                )
                .await
            }
            // Rule 8: the import (and its publish) failed and left the version live before
            // the run live, as the read shows: nothing to roll back.
            Ok(answer) => {
                let verdict = self.fail_before_publish(failure);
                self.record_rollback_not_needed(
                    prepared.was_live.as_deref(),
                    answer.body.published_id(),
                );
                verdict
            }
            Err(_) => self.fail_before_publish(failure),
        }
    }

    /// The deadline or a signal came before the job ended (rules 7 and 11): one read of the
    /// flow decides. A job still running may yet publish: nobody can say what will be live.
    async fn import_interrupted(
        &mut self,
        prepared: &Prepared,
        job_id: &str,
        interruption: Interruption,
        failed_because: &str,
    ) -> Verdict {
        let (title, why) = match interruption {
            Interruption::TimedOut => (
                "Import timed out",
                format!(
                    "import job {job_id} did not end within {} s",
                    self.config.timeout.as_secs()
                ),
            ),
            Interruption::Cancelled => (
                "Deployment cancelled",
                format!("the run was cancelled while import job {job_id} ran"),
            ),
            Interruption::Failed => ("Import not confirmed", failed_because.to_string()),
        };
        // The run's outcome line, as a publish's deadline or signal records it (rules 7, 11).
        // An uploaded job may still publish the file: as good as a publish sent.
        let (event, status) = match interruption {
            Interruption::TimedOut => (Event::DeploymentTimedOut, "timed_out"),
            Interruption::Cancelled => (Event::DeploymentCancelled, "cancelled"),
            Interruption::Failed => (Event::DeploymentFailed, "failed"),
        };
        self.audit.record(Entry {
            event,
            version: None,
            status,
            details: Some(json!({
                "job_id": job_id,
                "reason": why,
                "published": !job_id.is_empty(),
                "timeout_seconds": self.config.timeout.as_secs(),
            })),
            correlation_id: None,
        });
        let failure = Failure {
            title: title.into(),
            message: why,
            next_step: "Raise timeout-seconds if imports of this bot are slow.".into(),
            ..Failure::default()
        };
        // As after an interrupted publish (`on_timeout`, `on_cancel`): after a signal,
        // everything fits the runner's grace; otherwise one bounded read, then a rollback
        // that a signal can still stop.
        let (read_bounds, rollback) = match interruption {
            Interruption::Cancelled => {
                let grace = Bounds::deadline_only(Instant::now() + self.config.tuning.cancel_grace);
                (grace.clone(), grace)
            }
            _ => (
                Bounds::deadline_only(Instant::now() + self.config.timeout.min(READ_AFTER_TIMEOUT)),
                Bounds::from_now(self.config.timeout, &self.ctx.cancel),
            ),
        };
        let read = read_bounds
            .race(
                self.client
                    .get_flow(&self.config.bot_id, read_bounds.deadline()),
            )
            .await;
        let Raced::Done(Ok(answer)) = read else {
            return Verdict::interrupted(
                interruption,
                Serving::ChangedOrUnknown,
                Failure {
                    message: format!(
                        "{}; the bot could not be read afterwards, so its live version is unknown",
                        failure.message
                    ),
                    ..failure
                },
            );
        };
        let flow = answer.body;
        self.observe_live(flow.published_id());
        match flow.published_id() {
            Some(live) if Some(live) != prepared.was_live.as_deref() => {
                let plan = prepared.plan(VersionId::from_platform(live));
                self.after_failure(&plan, Some(live), None, interruption, failure, &rollback)
                    .await
            }
            _ if job_id.is_empty() => {
                Verdict::interrupted(interruption, Serving::AsBefore, failure)
            }
            _ => Verdict::interrupted(
                interruption,
                Serving::ChangedOrUnknown,
                Failure {
                    message: format!(
                        "{}; the job may still publish the file (version {} is live for now)",
                        failure.message,
                        prepared.was_live.as_deref().unwrap_or("none")
                    ),
                    next_step: format!(
                        "Watch import job {job_id} and bot {} in Architect; if the file's version goes live and must not stay, import the backup again (the backup-file output).",
                        self.config.bot_id
                    ),
                    ..failure
                },
            ),
        }
    }

    /// Rule 16: exports the version now live and compares it with the file. A difference is
    /// worth a warning, not a rollback: which fields an export changes is partly unknown.
    async fn check_identity(&mut self, release: &Release, target: &VersionId) {
        // Cancellable: a signal here leaves identity unverified, and the steps after it
        // (the smoke test, the cancel's read and rollback) see the signal in time.
        let bounds = Bounds::from_now(self.config.timeout, &self.ctx.cancel);
        let identity = match self.export_version(target, &bounds).await {
            Ok(exported) => compare(
                &exported.yaml,
                &format!("the export of version {target}"),
                &release.document,
            ),
            Err(problem) => Identity::Unverifiable {
                why: format!("the live version could not be exported ({problem})"),
            },
        };
        let detail = match &identity {
            Identity::Verified => None,
            Identity::Differs { path } => Some(path.clone()),
            Identity::Unverifiable { why } => Some(why.clone()),
        };
        self.audit.record(Entry {
            event: Event::IdentityChecked,
            version: Some(target),
            status: identity.as_str(),
            details: Some(match &identity {
                Identity::Differs { path } => {
                    json!({ "path": path, "release_digest": release.release_digest.to_string() })
                }
                _ => json!({ "why": detail, "release_digest": release.release_digest.to_string() }),
            }),
            correlation_id: None,
        });
        match &identity {
            Identity::Verified => {}
            Identity::Differs { path } => self.warn(
                "Live version differs from the flow file",
                &format!("the export of version {target} differs from {} first at {path}: Genesys Cloud changed something on import (or the comparison does not know a field it changes)", release.file.shown),
            ),
            Identity::Unverifiable { why } => self.warn("Identity not verified", why),
        }
        if let Some(facts) = self.facts.release.as_mut() {
            facts.identity = Some((identity.as_str().to_string(), detail));
        }
    }
}
