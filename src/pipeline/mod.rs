//! The deployment, step by step (SPEC §3): check inputs, token, bot and dependencies;
//! publish; wait; prove the target is live; smoke-test it; roll back when anything fails.
//!
//! Every step returns `Step<T>`: `Ok` to go on, `Err(verdict)` when the run has ended there
//! (a failure, a cancellation). `Deployment::deploy` returns the run's one [`Verdict`]; the
//! decisions between steps are the pure functions of [`rules`], the deadlines and the
//! cancellation are [`bounds`], and `finish` turns the verdict and the facts into the
//! outputs, the summary, the annotation and the closing audit lines.

pub mod bounds;
mod context;
pub mod dependencies;
mod dry_run;
mod finish;
mod import;
mod interruption;
mod jobs;
mod org;
mod plan;
mod preflight;
mod publish;
mod push;
mod release;
mod release_checks;
mod release_plan;
pub mod report;
mod rerun;
mod rollback;
pub mod rules;
mod smoke;
pub mod summary;
pub mod verdict;
mod wait;

pub use context::{RunContext, RunFile};
pub use finish::KnownInputs;
pub(crate) use finish::reject_inputs;
pub use plan::Plan;
pub use report::{Facts, Failure, Report};
pub use verdict::{Interruption, Serving, Status, Verdict};

use crate::audit::{Auditor, Entry, Event};
use crate::config::{Config, ConfigError, InputError, RawInputs};
use crate::genesys::notifications::FlowEvents;
use crate::genesys::{ApiError, GenesysClient};
use bounds::Bounds;
use report::Phase;
use rules::versions::Start;
use secrecy::ExposeSecret;
use serde_json::json;
use tokio::time::Instant;

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
    let known = KnownInputs::salvage(&raw);
    match Config::try_from(raw) {
        Ok(config) => run(&config, ctx).await,
        Err(errors) => reject_inputs(&errors, &known, ctx),
    }
}

/// A step that either goes on with a value or has ended the run with its verdict.
pub type Step<T> = Result<T, Verdict>;

/// One deployment in progress.
pub(crate) struct Deployment<'a> {
    config: &'a Config,
    ctx: &'a RunContext,
    client: GenesysClient,
    audit: Auditor,
    facts: Facts,
    /// The current deadline: the run's start plus `timeout-seconds`, reset when the publish
    /// is sent.
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
    let deployment_id = uuid::Uuid::new_v4().to_string();
    let files = config
        .audit_log
        .as_deref()
        .map(|path| ctx.input_file("audit-log", path))
        .transpose()
        .and_then(|audit| {
            let smoke = config
                .smoke_test
                .as_deref()
                .map(|path| ctx.input_file("smoke-test", path))
                .transpose()?;
            Ok((audit, smoke))
        });
    let (audit_input, smoke_file) = match files {
        Ok(files) => files,
        Err(error) => {
            return reject_inputs(&ConfigError(vec![error]), &KnownInputs::of(config), ctx);
        }
    };
    let audit_file = ctx.audit_file(audit_input, &deployment_id);
    let unwritable = ctx.unwritable_files(&audit_file.path);
    if !unwritable.is_empty() {
        return finish::cannot_write(&unwritable, &KnownInputs::of(config), ctx);
    }
    // A malformed smoke-test file is a bad input: found before any request, like the others.
    let smoke = match load_smoke_test(smoke_file.as_ref()) {
        Ok(smoke) => smoke,
        Err(error) => return reject_inputs(&error, &KnownInputs::of(config), ctx),
    };
    // So is a flow file that does not parse, or does not fit its substitutions.
    let release = match release::load(config, ctx) {
        Ok(release) => release,
        Err(error) => return reject_inputs(&error, &KnownInputs::of(config), ctx),
    };
    let audit = Auditor::new(
        ctx.console.clone(),
        &audit_file.path,
        &deployment_id,
        &config.bot_id,
        &config.environment,
    );
    let mut facts = Facts::new(
        deployment_id,
        config.bot_id.to_string(),
        config.environment.clone(),
    );
    facts.rollout_percentage = config.rollout_percentage;
    facts.audit_log = Some(audit_file.shown);
    facts.target_version = config.target_version.as_deref().map(str::to_string);
    facts.previous_version = config.previous_version.as_deref().map(str::to_string);
    let client = match GenesysClient::new(config, ctx.console.clone()) {
        Ok(client) => client,
        Err(error) => {
            let verdict = Verdict::failed_before_publish(Failure::from_api(
                "Cannot start",
                "setting up the HTTP client failed",
                &error,
                "Report this as a bug.",
            ));
            return finish::finish(verdict, facts, ctx, &audit, None);
        }
    };
    let mut deployment = Deployment {
        config,
        ctx,
        client: client.clone(),
        audit,
        facts,
        deadline: Instant::now() + config.timeout,
        push: None,
        smoke,
    };
    let verdict = match &release {
        Some(release) => deployment.deploy_release(release).await,
        None => deployment.deploy().await,
    };
    let Deployment { facts, audit, .. } = deployment;
    finish::finish(verdict, facts, ctx, &audit, Some(&client))
}

impl Deployment<'_> {
    /// The whole deployment of a version already in the flow, to its verdict.
    async fn deploy(&mut self) -> Verdict {
        self.record_start();
        let checks = Bounds::cancel_only(&self.ctx.cancel);
        let plan = match checks.race(self.check_everything()).await {
            bounds::Raced::Done(Ok(plan)) => plan,
            bounds::Raced::Done(Err(verdict)) => return verdict,
            bounds::Raced::Cancelled | bounds::Raced::TimedOut => {
                return self.cancelled_before_publish();
            }
        };
        if self.config.dry_run {
            return self.finish_dry_run(&plan);
        }
        match rules::versions::start(&plan, self.smoke.is_some()) {
            Start::Publish => {}
            Start::Unchanged => return Verdict::Unchanged,
            Start::SmokeTestLive => return self.smoke_test_live_target(&plan).await,
        }
        let confirmed = match self.publish_and_confirm(&plan).await {
            Ok(flow) => flow,
            Err(verdict) => return verdict,
        };
        match self.smoke_gate(&plan, &confirmed).await {
            Ok(()) => Verdict::Published,
            Err(verdict) => verdict,
        }
    }

    /// Everything before the publish (SPEC rule 1).
    async fn check_everything(&mut self) -> Step<Plan> {
        let started = Instant::now();
        let authenticated = self.authenticate().await;
        let authenticated = match authenticated {
            Ok(()) => self.check_org().await,
            failed => failed,
        };
        self.phase_result("authenticate", started, &authenticated);
        authenticated?;
        let started = Instant::now();
        let plan = self.preflight().await;
        self.phase_result("preflight", started, &plan);
        let plan = plan?;
        let started = Instant::now();
        let checked = match self.check_dependencies(&plan).await {
            Ok(()) => self.check_smoke_test_access(plan.was_live.is_some()).await,
            failed => failed,
        };
        self.phase_result("dependencies", started, &checked);
        checked?;
        Ok(plan)
    }

    /// The run's first audit line.
    fn record_start(&mut self) {
        self.audit.record(Entry {
            event: Event::DeploymentStarted,
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
                "flow_file": self.config.flow_file,
            })),
            correlation_id: None,
        });
        self.note_settings();
    }

    fn note_settings(&mut self) {
        for (title, message) in &self.config.input_warnings {
            self.warn(title, message);
        }
        if self.config.rollout_percentage < 100 {
            self.warn(
                "rollout-percentage is only a label",
                &format!(
                    "rollout-percentage is {}, but Genesys Cloud publishes a bot flow version to all of its traffic at once: this run changes the live version for every caller. To try a version on part of the traffic, split it in the calling flow - a Call Bot Flow action pinned to the current version on one path, one taking the latest published version on the other",
                    self.config.rollout_percentage
                ),
            );
        }
    }

    /// The current deadline, cancellable by SIGINT/SIGTERM.
    fn bounds(&self) -> Bounds {
        Bounds::new(self.deadline, &self.ctx.cancel)
    }

    /// Notes what the flow showed when read: the live version at the end is the last one seen.
    fn observe_live(&mut self, live: Option<&str>) {
        self.facts.published_version = live.map(str::to_string);
    }

    fn phase(&mut self, name: &'static str, started: Instant, result: &str) {
        self.facts.phases.push(Phase {
            name,
            started_ms: started
                .saturating_duration_since(self.audit.started())
                .as_millis() as u64,
            duration_ms: started.elapsed().as_millis() as u64,
            result: result.to_string(),
        });
    }

    fn phase_result<T>(&mut self, name: &'static str, started: Instant, result: &Step<T>) {
        let text = match result {
            Ok(_) => "ok",
            Err(verdict) => verdict.status().as_str(),
        };
        self.phase(name, started, text);
    }
}

/// Records a failed platform call in the audit trail.
fn audit_error(d: &Deployment<'_>, event: Event, version: &str, status: &str, error: &ApiError) {
    d.audit.record(Entry {
        event,
        version: Some(version),
        status,
        details: Some(json!({ "error": error.to_string() })),
        correlation_id: error.correlation_id(),
    });
}

/// Loads the `smoke-test` file, if the run has one; a bad file is an invalid input.
fn load_smoke_test(file: Option<&RunFile>) -> Result<Option<crate::smoke::Suite>, ConfigError> {
    let Some(file) = file else {
        return Ok(None);
    };
    crate::smoke::load(&file.path, &file.shown)
        .map(Some)
        .map_err(|error| {
            ConfigError(vec![InputError {
                input: "smoke-test",
                value: Some(file.shown.clone()),
                allowed: format!("a valid conversations file ({error})"),
            }])
        })
}
