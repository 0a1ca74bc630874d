//! The end of every run, whatever happened: the closing audit event the verdict calls for,
//! the metrics event, the annotation, the outputs and the job summary. Also the end of a run
//! whose inputs were rejected.

use super::report::{Facts, Failure, Report};
use super::verdict::Verdict;
use super::{RunContext, summary};
use crate::audit::{Auditor, Entry, Event};
use crate::config::{Config, ConfigError, RawInputs};
use crate::genesys::GenesysClient;
use crate::github::{self, Level};
use serde_json::json;
use std::path::PathBuf;

/// Writes the closing audit lines, annotation, outputs and summary, and returns the report.
pub(super) fn finish(
    verdict: Verdict,
    mut facts: Facts,
    ctx: &RunContext,
    audit: &Auditor,
    client: Option<&GenesysClient>,
) -> Report {
    if let Some(client) = client {
        facts.requests = client.stats();
    }
    record_closing_event(&verdict, &facts, audit);
    facts.duration_ms = audit.started().elapsed().as_millis() as u64;
    let report = Report { verdict, facts };
    publish_report(&report, ctx, audit, true);
    report
}

/// The audit event that states a successful end. Failed ends were recorded as they
/// happened (`deployment_failed`, `rollback_completed`, …): their details are the moment's.
fn record_closing_event(verdict: &Verdict, facts: &Facts, audit: &Auditor) {
    let version = facts.target_version.as_deref();
    // With a flow file, the release that is live (or would be): what a later stage proves.
    let release_digest = facts.release.as_ref().map(|r| r.release_digest.as_str());
    let (event, status, mut details) = match verdict {
        Verdict::Published => (
            Event::DeploymentSuccess,
            "published",
            json!({
                "operation_id": facts.operation_id,
                "live_version": facts.published_version,
                "previous_version": facts.previous_version,
            }),
        ),
        Verdict::Unchanged => (
            Event::PublishSkippedUnchanged,
            "unchanged",
            json!({ "live_version": version }),
        ),
        Verdict::DryRun => (
            Event::DryRunCompleted,
            "dry-run",
            json!({ "plan": facts.plan, "dependencies": facts.dependencies.len() }),
        ),
        _ => return,
    };
    if let Some(digest) = release_digest {
        details["release_digest"] = json!(digest);
    }
    audit.record(Entry {
        event,
        version,
        status,
        details: Some(details),
        correlation_id: None,
    });
}

/// What is known of a run whose inputs were rejected: enough to label its audit lines and
/// write them where the user asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownInputs {
    /// The bot id, when that input was valid ("" otherwise).
    pub bot_id: String,
    /// The environment label.
    pub environment: String,
    /// The audit-log input, when given.
    pub audit_log: Option<PathBuf>,
}

impl Default for KnownInputs {
    fn default() -> Self {
        KnownInputs {
            bot_id: String::new(),
            environment: "production".into(),
            audit_log: None,
        }
    }
}

impl KnownInputs {
    /// What can be read from raw inputs that failed validation: the bot and environment
    /// when those inputs at least are valid, and where the audit trail goes.
    pub(crate) fn salvage(raw: &RawInputs) -> Self {
        let defaults = KnownInputs::default();
        KnownInputs {
            bot_id: raw
                .bot_id
                .as_deref()
                .and_then(|b| crate::config::parse::uuid(b).ok())
                .unwrap_or(defaults.bot_id),
            environment: raw
                .environment
                .as_deref()
                .and_then(|e| crate::config::parse::label(e).ok())
                .unwrap_or(defaults.environment),
            audit_log: raw
                .audit_log
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        }
    }

    /// What a valid configuration says.
    pub fn of(config: &Config) -> Self {
        KnownInputs {
            bot_id: config.bot_id.to_string(),
            environment: config.environment.clone(),
            audit_log: config.audit_log.clone(),
        }
    }
}

/// Ends a run that cannot write its outputs, summary or audit file (SPEC rule 12): nothing
/// was sent, and the annotation says which file and why.
pub(super) fn cannot_write(problems: &[String], known: &KnownInputs, ctx: &RunContext) -> Report {
    let failure = Failure {
        title: "Cannot write the run's files".into(),
        message: format!(
            "{}; nothing was sent to Genesys Cloud",
            problems.join("; ")
        ),
        next_step: "Point audit-log at a writable path in the workspace; the runner's $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY must not be changed by earlier steps.".into(),
        ..Failure::default()
    };
    end_before_start(failure, Vec::new(), known, ctx, true)
}

/// Ends a run whose inputs were rejected: nothing was sent. One annotation per bad input.
pub(crate) fn reject_inputs(errors: &ConfigError, known: &KnownInputs, ctx: &RunContext) -> Report {
    let validation_errors: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
    for error in &errors.0 {
        ctx.console.annotate(
            Level::Error,
            &format!("Invalid input '{}'", error.input),
            &error.to_string(),
        );
    }
    let failure = Failure {
        title: "Invalid inputs".into(),
        message: format!(
            "{} input(s) are invalid; nothing was sent to Genesys Cloud",
            errors.0.len()
        ),
        details: validation_errors.clone(),
        next_step: "Fix the inputs named above in the workflow's with: block.".into(),
        ..Failure::default()
    };
    // Each bad input already has its own annotation.
    end_before_start(failure, validation_errors, known, ctx, false)
}

/// Ends a run that stopped before sending anything: one audit line for the failure, then
/// the metrics, outputs and summary as for any run.
fn end_before_start(
    failure: Failure,
    validation_errors: Vec<String>,
    known: &KnownInputs,
    ctx: &RunContext,
    annotate_failure: bool,
) -> Report {
    let deployment_id = uuid::Uuid::new_v4().to_string();
    // An `audit-log` the job could not open is itself among the errors: the default file.
    let audit_input = known
        .audit_log
        .as_deref()
        .and_then(|path| ctx.input_file("audit-log", path).ok());
    let audit_file = ctx.audit_file(audit_input, &deployment_id);
    let audit = Auditor::new(
        ctx.console.clone(),
        &audit_file.path,
        &deployment_id,
        &known.bot_id,
        &known.environment,
    );
    let mut facts = Facts::new(
        deployment_id,
        known.bot_id.clone(),
        known.environment.clone(),
    );
    facts.audit_log = Some(audit_file.shown);
    let reason = if validation_errors.is_empty() {
        failure.message.clone()
    } else {
        "invalid inputs".to_string()
    };
    facts.validation_errors = validation_errors;
    audit.record(Entry {
        details: Some(
            json!({ "reason": reason, "errors": facts.validation_errors, "published": false }),
        ),
        ..Entry::new(Event::DeploymentFailed, "failed")
    });
    let verdict = Verdict::failed_before_publish(failure);
    facts.duration_ms = audit.started().elapsed().as_millis() as u64;
    let report = Report { verdict, facts };
    publish_report(&report, ctx, &audit, annotate_failure);
    report
}

fn publish_report(report: &Report, ctx: &RunContext, audit: &Auditor, annotate_failure: bool) {
    let facts = &report.facts;
    let durations: serde_json::Map<String, serde_json::Value> = facts
        .phases
        .iter()
        .map(|p| (p.name.to_string(), json!(p.duration_ms)))
        .collect();
    audit.record(Entry {
        event: Event::Metrics,
        version: facts.target_version.as_deref(),
        status: report.status().as_str(),
        details: Some(json!({
            "duration_ms": facts.duration_ms,
            "phases_ms": durations,
            "api_requests": facts.requests.requests,
            "retries": facts.requests.retries,
            "rate_limited": facts.requests.rate_limited,
            "token_fetches": facts.requests.token_fetches,
            "retry_wait_ms": facts.requests.retry_wait_ms,
            "wait_ms": facts.wait.wait_ms,
            "polls": facts.wait.polls,
            "job_reads": facts.wait.job_reads,
            "decided_by": facts.decided_by,
            "wait_channel": facts.wait_channel,
            "push_events": facts.wait.push_events,
            "org": facts.org,
            "oauth_client": facts.oauth_client,
            "exit_code": report.exit_code(),
        })),
        correlation_id: None,
    });
    ctx.console.line(&format!(
        "{} — {}, exit {}, {:.1} s, {} request(s); audit trail: {}",
        summary::headline(report),
        report.status().as_str(),
        report.exit_code(),
        facts.duration_ms as f64 / 1000.0,
        facts.requests.requests,
        facts.audit_log.as_deref().unwrap_or("-"),
    ));
    annotate(report, ctx, annotate_failure);
    let redactor = ctx.console.redactor();
    if let Some(path) = &ctx.output_file
        && let Err(e) = github::write_outputs(path, &report.outputs(), redactor)
    {
        tracing::error!("cannot write the step outputs: {e}");
    }
    let markdown = summary::render(report);
    match &ctx.summary_file {
        Some(path) => {
            if let Err(e) = github::write_summary(path, &markdown, redactor) {
                tracing::error!("cannot write the job summary: {e}");
            }
        }
        None => eprintln!("{}", github::neutralize(&redactor.redact(&markdown))),
    }
}

/// The run's one annotation: the failure with the platform's words, or a notice of success.
fn annotate(report: &Report, ctx: &RunContext, annotate_failure: bool) {
    let facts = &report.facts;
    match report.failure() {
        Some(failure) if annotate_failure => {
            let mut message = failure.message.clone();
            if !facts.validation_errors.is_empty() && failure.details.is_empty() {
                message.push_str(&format!(" ({})", facts.validation_errors.join("; ")));
            }
            if let Some(code) = &failure.code {
                message.push_str(&format!("\nError code: {code}"));
            }
            for detail in &failure.details {
                message.push_str(&format!("\n- {detail}"));
            }
            if let Some(id) = &failure.correlation_id {
                message.push_str(&format!("\nCorrelation id: {id}"));
            }
            message.push_str(&format!("\nNext: {}", failure.next_step));
            ctx.console.annotate(Level::Error, &failure.title, &message);
        }
        Some(_) => {}
        None => {
            let text = match report.verdict {
                Verdict::Published => format!(
                    "Bot {} version {} is live in {}",
                    facts.bot_name.as_deref().unwrap_or(&facts.bot_id),
                    facts.published_version.as_deref().unwrap_or("?"),
                    facts.environment
                ),
                Verdict::Unchanged => format!(
                    "Version {} was already live in {}; nothing was published",
                    facts.target_version.as_deref().unwrap_or("?"),
                    facts.environment
                ),
                _ => "Dry run: every check passed; nothing was published".to_string(),
            };
            ctx.console.annotate(Level::Notice, "Bot deployment", &text);
        }
    }
}
