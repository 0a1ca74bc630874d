//! The deployment, step by step (SPEC §3): check inputs, token, bot and dependencies;
//! publish; wait; prove the target is live; roll back when anything fails. Each step is its
//! own module; this one holds the order and the decisions between steps.

pub mod dependencies;
mod finish;
pub mod outcome;
mod preflight;
pub mod publish;
mod push;
mod rollback;
mod smoke;
pub mod summary;
pub mod wait;

pub use finish::{KnownInputs, reject_inputs};
pub use outcome::{LiveVersion, Report, Status};

use crate::audit::{Auditor, Entry, event};
use crate::config::{Config, ConfigError, InputError, RawInputs};
use crate::genesys::notifications::FlowEvents;
use crate::genesys::{ApiError, GenesysClient};
use crate::github::Console;
use outcome::{Failure, Phase};
use secrecy::ExposeSecret;
use serde_json::json;
use std::path::PathBuf;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Where the run writes and what can stop it: the parts of the runner's environment the
/// pipeline needs, injectable for tests.
#[derive(Clone)]
pub struct RunContext {
    /// Stdout: workflow commands and audit lines.
    pub console: Console,
    /// `$GITHUB_OUTPUT`.
    pub output_file: Option<PathBuf>,
    /// `$GITHUB_STEP_SUMMARY`; without it the summary goes to stderr.
    pub summary_file: Option<PathBuf>,
    /// `$GITHUB_WORKSPACE`: relative paths in inputs are relative to it.
    pub workspace: PathBuf,
    /// Fired on SIGINT/SIGTERM.
    pub cancel: CancellationToken,
}

impl RunContext {
    /// The context from the process environment, as the runner sets it.
    pub fn from_env(console: Console, cancel: CancellationToken) -> Self {
        let path = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        RunContext {
            console,
            output_file: path("GITHUB_OUTPUT"),
            summary_file: path("GITHUB_STEP_SUMMARY"),
            workspace: path("GITHUB_WORKSPACE")
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_else(|| PathBuf::from(".")),
            cancel,
        }
    }
}

/// Reads the inputs from environment pairs, masks the client secret before anything else
/// happens, then runs the deployment — or, when an input is invalid, ends the run with one
/// annotation per bad input and no request sent.
pub async fn run_inputs<I>(vars: I, ctx: &RunContext) -> Report
where
    I: IntoIterator<Item = (String, String)>,
{
    let raw = match RawInputs::from_env_iter(vars) {
        Ok(raw) => raw,
        Err(e) => {
            let error = InputError {
                input: "inputs",
                value: None,
                allowed: format!("readable INPUT_* variables ({e})"),
            };
            return reject_inputs(&ConfigError(vec![error]), &KnownInputs::default(), ctx);
        }
    };
    if let Some(secret) = raw.client_secret.as_deref() {
        ctx.console.mask(secret.trim());
    }
    // Name the bot and environment in the audit line when those inputs at least are valid.
    let bot = raw
        .bot_id
        .as_deref()
        .and_then(|b| crate::config::parse::uuid(b).ok())
        .unwrap_or_default();
    let environment = raw
        .environment
        .as_deref()
        .and_then(|e| crate::config::parse::label(e).ok())
        .unwrap_or_else(|| "production".into());
    // The audit trail goes to its file even when other inputs are bad.
    let audit_log = raw
        .audit_log
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from);
    match Config::try_from(raw) {
        Ok(config) => run(&config, ctx).await,
        Err(errors) => {
            let known = KnownInputs {
                bot_id: &bot,
                environment: &environment,
                audit_log: audit_log.as_deref(),
            };
            reject_inputs(&errors, &known, ctx)
        }
    }
}

/// What the checks decided to do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The version to publish.
    pub target: String,
    /// The version to roll back to (the `previous-version` input, else `was_live`).
    pub previous: Option<String>,
    /// The version live before the run.
    pub was_live: Option<String>,
    /// `BOTFLOW` or `DIGITALBOTFLOW`, for dependency tracking.
    pub object_type: &'static str,
    /// The operation the flow showed before publishing: never ours.
    pub stale_operation_id: Option<String>,
}

/// The run has ended; the report holds the verdict.
#[derive(Debug)]
pub struct Ended;

/// A step that either goes on with a value or has ended the run.
pub type Step<T> = Result<T, Ended>;

/// One deployment in progress.
pub(crate) struct Deployment<'a> {
    config: &'a Config,
    ctx: &'a RunContext,
    client: GenesysClient,
    audit: Auditor,
    report: Report,
    /// The current deadline: the run's start plus `timeout-seconds`, reset at the publish.
    deadline: Instant,
    /// The flow's notification socket, while push is live.
    push: Option<FlowEvents>,
    /// The `smoke-test` conversations, loaded before anything was sent.
    smoke: Option<crate::smoke::Suite>,
}

/// Runs one deployment and writes everything it reports (audit trail, metrics, outputs,
/// summary, annotations), whatever the outcome. Never panics on platform behaviour; the
/// exit code is [`Report::exit_code`].
pub async fn run(config: &Config, ctx: &RunContext) -> Report {
    ctx.console.mask(config.client_secret.expose_secret());
    // A malformed smoke-test file is a bad input: found before any request, like the others.
    let smoke = match load_smoke_test(config, ctx) {
        Ok(smoke) => smoke,
        Err(error) => {
            let known = KnownInputs {
                bot_id: &config.bot_id,
                environment: &config.environment,
                audit_log: config.audit_log.as_deref(),
            };
            return reject_inputs(&error, &known, ctx);
        }
    };
    let deployment_id = uuid::Uuid::new_v4().to_string();
    let audit_path = config.audit_log.as_ref().map(|p| ctx.workspace.join(p));
    let audit = Auditor::new(
        ctx.console.clone(),
        audit_path.as_deref(),
        &deployment_id,
        &config.bot_id,
        &config.environment,
    );
    let mut report = Report::new(
        deployment_id,
        config.bot_id.clone(),
        config.environment.clone(),
    );
    report.rollout_percentage = config.rollout_percentage;
    report.audit_log = config.audit_log.as_ref().map(|p| p.display().to_string());
    report.target_version = config.target_version.clone();
    report.previous_version = config.previous_version.clone();
    let client = match GenesysClient::new(config, ctx.console.clone()) {
        Ok(client) => client,
        Err(error) => {
            report.failure = Some(Failure::from_api(
                "Cannot start",
                "setting up the HTTP client failed",
                &error,
                "Report this as a bug.",
            ));
            return finish::finish(report, ctx, &audit, None);
        }
    };
    let mut deployment = Deployment {
        config,
        ctx,
        client: client.clone(),
        audit,
        report,
        deadline: Instant::now() + config.timeout,
        push: None,
        smoke,
    };
    let _ = deployment.execute().await;
    let Deployment { report, audit, .. } = deployment;
    finish::finish(report, ctx, &audit, Some(&client))
}

impl Deployment<'_> {
    async fn execute(&mut self) -> Step<()> {
        self.audit.record(Entry {
            event: event::DEPLOYMENT_STARTED,
            version: self.config.target_version.as_deref(),
            status: "started",
            details: Some(json!({
                "target_version": self.config.target_version,
                "previous_version": self.config.previous_version,
                "rollout_percentage": self.config.rollout_percentage,
                "dry_run": self.config.dry_run,
                "wait_mode": self.config.wait_mode.as_str(),
                "timeout_seconds": self.config.timeout.as_secs(),
                "api_host": self.config.endpoints.api.host_str(),
            })),
            correlation_id: None,
        });
        self.note_settings();
        let cancel = self.ctx.cancel.clone();
        let checked = tokio::select! {
            checked = self.check_everything() => Some(checked),
            _ = cancel.cancelled() => None,
        };
        let plan = match checked {
            Some(checked) => checked?,
            None => return Err(self.cancelled_before_publish()),
        };
        if self.config.dry_run {
            return Err(self.finish_dry_run(&plan));
        }
        if plan.was_live.as_deref() == Some(plan.target.as_str()) {
            self.audit.record(Entry {
                event: event::PUBLISH_SKIPPED_UNCHANGED,
                version: Some(&plan.target),
                status: "unchanged",
                details: Some(json!({ "live_version": plan.target })),
                correlation_id: None,
            });
            return Err(self.end_ok(Status::Unchanged));
        }
        let confirmed = self.publish_and_confirm(&plan).await?;
        self.smoke_gate(&plan, &confirmed).await?;
        self.audit.record(Entry {
            event: event::DEPLOYMENT_SUCCESS,
            version: Some(&plan.target),
            status: "published",
            details: Some(json!({
                "operation_id": self.report.operation_id,
                "live_version": self.report.published_version,
                "previous_version": plan.previous,
            })),
            correlation_id: None,
        });
        Err(self.end_ok(Status::Published))
    }

    /// Everything before the publish (SPEC rule 1).
    async fn check_everything(&mut self) -> Step<Plan> {
        let started = self.clock();
        let authenticated = self.authenticate().await;
        self.phase_result("authenticate", started, &authenticated);
        authenticated?;
        let started = self.clock();
        let plan = self.preflight().await;
        self.phase_result("preflight", started, &plan);
        let plan = plan?;
        let started = self.clock();
        let checked = self.check_dependencies(&plan).await;
        self.phase_result("dependencies", started, &checked);
        checked?;
        Ok(plan)
    }

    fn note_settings(&mut self) {
        if self.config.rollout_percentage < 100 {
            self.warn(
                "Rollout percentage not applied",
                &format!(
                    "rollout-percentage is {}, but Genesys Cloud publishes a flow version to all traffic at once; it is recorded only",
                    self.config.rollout_percentage
                ),
            );
        }
    }

    fn finish_dry_run(&mut self, plan: &Plan) -> Ended {
        let mut steps = Vec::new();
        if plan.was_live.as_deref() == Some(plan.target.as_str()) {
            steps.push(format!(
                "Version {} is already live: nothing would be published.",
                plan.target
            ));
        } else {
            steps.push(format!(
                "Publish version {} of bot {} (live now: {}).",
                plan.target,
                self.config.bot_id,
                plan.was_live.as_deref().unwrap_or("none")
            ));
            steps.push(format!(
                "Wait up to {} s for the publish, reading its status every {}–{} s.",
                self.config.timeout.as_secs(),
                self.config.poll_interval.as_secs_f64(),
                self.config.poll_max_interval.as_secs_f64()
            ));
            steps.extend(self.smoke_plan_step());
            steps.push(match (&plan.previous, self.config.rollback) {
                (Some(previous), true) => format!("On failure, roll back to version {previous}."),
                (None, true) => {
                    "On failure there is no earlier version to roll back to.".to_string()
                }
                (_, false) => "On failure, do not roll back (rollback: false).".to_string(),
            });
        }
        self.audit.record(Entry {
            event: event::DRY_RUN_COMPLETED,
            version: Some(&plan.target),
            status: "dry-run",
            details: Some(json!({ "plan": steps, "dependencies": self.report.dependencies.len() })),
            correlation_id: None,
        });
        self.report.plan = steps;
        self.end_ok(Status::DryRun)
    }

    /// Records the verdict of a failed run.
    fn end(&mut self, status: Status, live: LiveVersion, failure: Failure) -> Ended {
        self.report.status = status;
        self.report.live = live;
        self.report.failure = Some(failure);
        Ended
    }

    /// Records the verdict of a successful run.
    fn end_ok(&mut self, status: Status) -> Ended {
        self.report.status = status;
        self.report.live = LiveVersion::AsIntended;
        self.report.failure = None;
        Ended
    }

    fn clock(&self) -> Instant {
        Instant::now()
    }

    fn phase(&mut self, name: &'static str, started: Instant, result: &str) {
        self.report.phases.push(Phase {
            name,
            started_ms: started
                .saturating_duration_since(self.audit.started())
                .as_millis() as u64,
            duration_ms: started.elapsed().as_millis() as u64,
            result: result.to_string(),
        });
    }

    fn phase_result<T>(&mut self, name: &'static str, started: Instant, result: &Step<T>) {
        let text = if result.is_ok() {
            "ok".to_string()
        } else {
            self.report.status.as_str().to_string()
        };
        self.phase(name, started, &text);
    }
}

/// Records a failed platform call in the audit trail.
fn audit_error(d: &Deployment<'_>, event: &str, version: &str, status: &str, error: &ApiError) {
    d.audit.record(Entry {
        event,
        version: Some(version),
        status,
        details: Some(json!({ "error": error.to_string() })),
        correlation_id: error.correlation_id(),
    });
}

/// Loads the `smoke-test` file, if the run has one; a bad file is an invalid input.
fn load_smoke_test(
    config: &Config,
    ctx: &RunContext,
) -> Result<Option<crate::smoke::Suite>, ConfigError> {
    let Some(path) = &config.smoke_test else {
        return Ok(None);
    };
    let shown = path.display().to_string();
    crate::smoke::load(&ctx.workspace.join(path), &shown)
        .map(Some)
        .map_err(|error| {
            ConfigError(vec![InputError {
                input: "smoke-test",
                value: Some(shown.clone()),
                allowed: format!("a valid conversations file ({error})"),
            }])
        })
}
