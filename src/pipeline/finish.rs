//! The end of every run, whatever happened: the metrics event, annotations, outputs and the
//! job summary. Also the end of a run whose inputs were rejected.

use super::outcome::{Failure, LiveVersion, Report, Status};
use super::{RunContext, summary};
use crate::audit::{Auditor, Entry, event};
use crate::config::ConfigError;
use crate::genesys::GenesysClient;
use crate::github::{self, Level};
use serde_json::json;

/// Writes the metrics event, annotations, outputs and summary, and returns the report.
pub(super) fn finish(
    mut report: Report,
    ctx: &RunContext,
    audit: &Auditor,
    client: Option<&GenesysClient>,
) -> Report {
    if let Some(client) = client {
        report.requests = client.stats();
    }
    report.duration_ms = audit.started().elapsed().as_millis() as u64;
    publish_report(&report, ctx, audit, true);
    report
}

/// What is known of a run whose inputs were rejected: enough to label its audit lines and
/// write them where the user asked.
#[derive(Debug, Clone, Copy)]
pub struct KnownInputs<'a> {
    /// The bot id, when that input was valid ("" otherwise).
    pub bot_id: &'a str,
    /// The environment label.
    pub environment: &'a str,
    /// The audit-log input, when given.
    pub audit_log: Option<&'a std::path::Path>,
}

impl Default for KnownInputs<'_> {
    fn default() -> Self {
        KnownInputs {
            bot_id: "",
            environment: "production",
            audit_log: None,
        }
    }
}

/// Ends a run whose inputs were rejected: nothing was sent. One annotation per bad input.
pub fn reject_inputs(errors: &ConfigError, known: &KnownInputs<'_>, ctx: &RunContext) -> Report {
    let deployment_id = uuid::Uuid::new_v4().to_string();
    let audit_path = known.audit_log.map(|p| ctx.workspace.join(p));
    let (bot_id, environment) = (known.bot_id, known.environment);
    let audit = Auditor::new(
        ctx.console.clone(),
        audit_path.as_deref(),
        &deployment_id,
        bot_id,
        environment,
    );
    let mut report = Report::new(deployment_id, bot_id.to_string(), environment.to_string());
    report.audit_log = known.audit_log.map(|p| p.display().to_string());
    report.validation_errors = errors.0.iter().map(ToString::to_string).collect();
    for error in &errors.0 {
        ctx.console.annotate(
            Level::Error,
            &format!("Invalid input '{}'", error.input),
            &error.to_string(),
        );
    }
    audit.record(Entry {
        event: event::DEPLOYMENT_FAILED,
        status: "failed",
        details: Some(json!({ "reason": "invalid inputs", "errors": report.validation_errors, "published": false })),
        ..Entry::default()
    });
    report.status = Status::Failed;
    report.live = LiveVersion::Unchanged;
    report.failure = Some(Failure {
        title: "Invalid inputs".into(),
        message: format!(
            "{} input(s) are invalid; nothing was sent to Genesys Cloud",
            errors.0.len()
        ),
        details: report.validation_errors.clone(),
        next_step: "Fix the inputs named above in the workflow's `with:` block.".into(),
        ..Failure::default()
    });
    report.duration_ms = audit.started().elapsed().as_millis() as u64;
    // Each bad input already has its own annotation.
    publish_report(&report, ctx, &audit, false);
    report
}

fn publish_report(report: &Report, ctx: &RunContext, audit: &Auditor, annotate_failure: bool) {
    let durations: serde_json::Map<String, serde_json::Value> = report
        .phases
        .iter()
        .map(|p| (p.name.to_string(), json!(p.duration_ms)))
        .collect();
    audit.record(Entry {
        event: event::METRICS,
        version: report.target_version.as_deref(),
        status: report.status.as_str(),
        details: Some(json!({
            "duration_ms": report.duration_ms,
            "phases_ms": durations,
            "api_requests": report.requests.requests,
            "retries": report.requests.retries,
            "rate_limited": report.requests.rate_limited,
            "token_fetches": report.requests.token_fetches,
            "retry_wait_ms": report.requests.retry_wait_ms,
            "wait_ms": report.wait.wait_ms,
            "polls": report.wait.polls,
            "decided_by": report.decided_by,
            "wait_channel": report.wait_channel,
            "push_events": report.wait.push_events,
            "exit_code": report.exit_code(),
        })),
        correlation_id: None,
    });
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
        None => eprintln!("{}", redactor.redact(&markdown)),
    }
}

fn annotate(report: &Report, ctx: &RunContext, annotate_failure: bool) {
    match (&report.failure, annotate_failure) {
        (Some(failure), true) => {
            let mut message = failure.message.clone();
            if !report.validation_errors.is_empty() && failure.details.is_empty() {
                message.push_str(&format!(" ({})", report.validation_errors.join("; ")));
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
            let level = if report.exit_code() == 0 {
                Level::Warning
            } else {
                Level::Error
            };
            ctx.console.annotate(level, &failure.title, &message);
        }
        (None, _) => {
            let text = match report.status {
                Status::Published => format!(
                    "Bot {} version {} is live in {}",
                    report.bot_name.as_deref().unwrap_or(&report.bot_id),
                    report.published_version.as_deref().unwrap_or("?"),
                    report.environment
                ),
                Status::Unchanged => format!(
                    "Version {} was already live in {}; nothing was published",
                    report.target_version.as_deref().unwrap_or("?"),
                    report.environment
                ),
                Status::DryRun => "Dry run: every check passed; nothing was published".to_string(),
                _ => return,
            };
            ctx.console.annotate(Level::Notice, "Bot deployment", &text);
        }
        _ => {}
    }
}
