//! The audit trail: one JSON object per event, appended to its file (the `audit-log` input,
//! or one in the runner's temp directory). Field order is fixed so the lines read well. What
//! a person reads in the log is the event's [narration]; with step debug logging on, the
//! JSON line is printed too, as a `::debug::` line.

pub mod narration;

use crate::github::Console;
use serde::Serialize;
use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::SystemTime;
use tokio::time::Instant;

/// Every audit event of SPEC §2, in the order they can occur in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// The run began (always the first line).
    DeploymentStarted,
    /// The token request was refused.
    AuthFailed,
    /// A dependency lookup failed (the check could not run).
    DependencyValidationError,
    /// A dependency is missing, deleted, inactive or unpublished.
    DependencyValidationFailed,
    /// Every dependency is usable.
    DependencyValidationPassed,
    /// With a flow file: whether the live version was changed outside this pipeline
    /// (`none`, `detected`, `unknown`; SPEC rule 16).
    DriftChecked,
    /// An export job's status changed.
    ExportStatus,
    /// With a flow file: the live version is exported and kept as the backup.
    BackupExported,
    /// The target was already live; nothing was published.
    PublishSkippedUnchanged,
    /// An import job's status changed (its messages on `Failure`).
    ImportStatus,
    /// The publish was accepted.
    PublishTriggered,
    /// The publish's answer was lost; the flow decides.
    PublishTriggerError,
    /// The publish was refused.
    PublishTriggerFailed,
    /// The operation's status changed (or a status read failed).
    PublishStatus,
    /// With a flow file: whether the live version's export is what was imported
    /// (`verified`, `differs`, `unverifiable`).
    IdentityChecked,
    /// The target is live (and passed its smoke test).
    DeploymentSuccess,
    /// The run failed.
    DeploymentFailed,
    /// The publish outlived the deadline.
    DeploymentTimedOut,
    /// A rollback began.
    RollbackStarted,
    /// The previous version is confirmed live again.
    RollbackCompleted,
    /// The rollback did not bring the previous version back.
    RollbackFailed,
    /// The version live before is still live: nothing to undo.
    RollbackNotNeeded,
    /// The smoke test began.
    SmokeTestStarted,
    /// Every conversation passed.
    SmokeTestPassed,
    /// A conversation failed or could not be held.
    SmokeTestFailed,
    /// The dry run's plan is written.
    DryRunCompleted,
    /// SIGINT/SIGTERM ended the run.
    DeploymentCancelled,
    /// The run's counters (always the last line).
    Metrics,
}

impl Event {
    /// Every event, in SPEC §2's order.
    pub const ALL: [Event; 28] = [
        Event::DeploymentStarted,
        Event::AuthFailed,
        Event::DependencyValidationError,
        Event::DependencyValidationFailed,
        Event::DependencyValidationPassed,
        Event::DriftChecked,
        Event::ExportStatus,
        Event::BackupExported,
        Event::PublishSkippedUnchanged,
        Event::ImportStatus,
        Event::PublishTriggered,
        Event::PublishTriggerError,
        Event::PublishTriggerFailed,
        Event::PublishStatus,
        Event::IdentityChecked,
        Event::DeploymentSuccess,
        Event::DeploymentFailed,
        Event::DeploymentTimedOut,
        Event::RollbackStarted,
        Event::RollbackCompleted,
        Event::RollbackFailed,
        Event::RollbackNotNeeded,
        Event::SmokeTestStarted,
        Event::SmokeTestPassed,
        Event::SmokeTestFailed,
        Event::DryRunCompleted,
        Event::DeploymentCancelled,
        Event::Metrics,
    ];

    /// The `event` field's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::DeploymentStarted => "deployment_started",
            Event::AuthFailed => "auth_failed",
            Event::DependencyValidationError => "dependency_validation_error",
            Event::DependencyValidationFailed => "dependency_validation_failed",
            Event::DependencyValidationPassed => "dependency_validation_passed",
            Event::DriftChecked => "drift_checked",
            Event::ExportStatus => "export_status",
            Event::BackupExported => "backup_exported",
            Event::PublishSkippedUnchanged => "publish_skipped_unchanged",
            Event::ImportStatus => "import_status",
            Event::PublishTriggered => "publish_triggered",
            Event::PublishTriggerError => "publish_trigger_error",
            Event::PublishTriggerFailed => "publish_trigger_failed",
            Event::PublishStatus => "publish_status",
            Event::IdentityChecked => "identity_checked",
            Event::DeploymentSuccess => "deployment_success",
            Event::DeploymentFailed => "deployment_failed",
            Event::DeploymentTimedOut => "deployment_timed_out",
            Event::RollbackStarted => "rollback_started",
            Event::RollbackCompleted => "rollback_completed",
            Event::RollbackFailed => "rollback_failed",
            Event::RollbackNotNeeded => "rollback_not_needed",
            Event::SmokeTestStarted => "smoke_test_started",
            Event::SmokeTestPassed => "smoke_test_passed",
            Event::SmokeTestFailed => "smoke_test_failed",
            Event::DryRunCompleted => "dry_run_completed",
            Event::DeploymentCancelled => "deployment_cancelled",
            Event::Metrics => "metrics",
        }
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit line.
#[derive(Debug, Serialize)]
struct Line<'a> {
    timestamp: String,
    event: &'a str,
    deployment_id: &'a str,
    bot_id: &'a str,
    version: Option<&'a str>,
    status: &'a str,
    environment: &'a str,
    /// Milliseconds since the deployment started.
    latency_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    correlation_id: Option<&'a str>,
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The event.
    pub event: Event,
    /// The version the event is about.
    pub version: Option<&'a str>,
    /// The status at this event (e.g. `started`, `SUCCESS`, `failed`).
    pub status: &'a str,
    /// Event-specific details.
    pub details: Option<Value>,
    /// `ININ-Correlation-Id`, when a platform answer is involved.
    pub correlation_id: Option<&'a str>,
}

/// Writes the audit trail of one deployment.
pub struct Auditor {
    console: Console,
    file: Option<Mutex<File>>,
    deployment_id: String,
    bot_id: String,
    environment: String,
    started: Instant,
}

impl<'a> Entry<'a> {
    /// An entry with only its event and status; set the other fields with struct update.
    pub fn new(event: Event, status: &'a str) -> Self {
        Entry {
            event,
            version: None,
            status,
            details: None,
            correlation_id: None,
        }
    }
}

impl Auditor {
    /// An auditor appending to `file` and narrating on `console`. A file that cannot be
    /// opened (checked before the run starts, so only a race) is reported and skipped: the
    /// deployment matters more than its copy of the log.
    pub fn new(
        console: Console,
        path: &Path,
        deployment_id: &str,
        bot_id: &str,
        environment: &str,
    ) -> Self {
        let file = {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                let _ = std::fs::create_dir_all(dir);
            }
            match OpenOptions::new().create(true).append(true).open(path) {
                Ok(f) => Some(Mutex::new(f)),
                Err(e) => {
                    console.annotate(
                        crate::github::Level::Warning,
                        "Audit log not written",
                        &format!("cannot open audit-log {}: {e}", path.display()),
                    );
                    None
                }
            }
        };
        Auditor {
            console,
            file,
            deployment_id: deployment_id.to_string(),
            bot_id: bot_id.to_string(),
            environment: environment.to_string(),
            started: Instant::now(),
        }
    }

    /// When the deployment started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The deployment id.
    pub fn deployment_id(&self) -> &str {
        &self.deployment_id
    }

    /// Records an event.
    pub fn record(&self, entry: Entry<'_>) {
        let line = Line {
            timestamp: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            event: entry.event.as_str(),
            deployment_id: &self.deployment_id,
            bot_id: &self.bot_id,
            version: entry.version,
            status: entry.status,
            environment: &self.environment,
            latency_ms: self.started.elapsed().as_millis() as u64,
            details: entry.details.as_ref(),
            correlation_id: entry.correlation_id,
        };
        let json = match serde_json::to_string(&line) {
            Ok(json) => json,
            Err(e) => format!(
                "{{\"event\":\"{}\",\"error\":\"unserialisable audit line: {e}\"}}",
                entry.event.as_str()
            ),
        };
        if let Some(told) = narration::narrate(&entry, &self.bot_id, &self.environment) {
            self.console.line(&told.line);
            if let Some((title, lines)) = told.group {
                self.console.group(&title);
                for line in lines {
                    self.console.line(&line);
                }
                self.console.endgroup();
            }
        }
        self.console.debug_line(&format!("audit {json}"));
        if let Some(file) = &self.file {
            let redacted = self.console.redactor().redact(&json);
            let mut f = file.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(f, "{redacted}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::Buffer;
    use crate::redact::Redactor;

    #[test]
    fn writes_one_json_line_with_the_fixed_fields_to_the_file_and_a_line_to_the_log() {
        let buffer = Buffer::default();
        let console = Console::new(buffer.writer(), Redactor::new());
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("logs/audit.jsonl");
        let auditor = Auditor::new(console, &path, "dep-1", "bot-1", "staging");
        auditor.record(Entry {
            event: Event::PublishTriggered,
            version: Some("3.0"),
            status: "triggered",
            details: Some(serde_json::json!({"operation_id": "op-1"})),
            correlation_id: Some("corr-9"),
        });
        assert_eq!(
            buffer.contents(),
            "→ Publishing 3.0\n",
            "the log tells, the file keeps"
        );
        let out = std::fs::read_to_string(&path).expect("file");
        let value: Value = serde_json::from_str(out.trim()).expect("json");
        assert_eq!(value["event"], "publish_triggered");
        assert_eq!(value["deployment_id"], "dep-1");
        assert_eq!(value["bot_id"], "bot-1");
        assert_eq!(value["version"], "3.0");
        assert_eq!(value["status"], "triggered");
        assert_eq!(value["environment"], "staging");
        assert_eq!(value["details"]["operation_id"], "op-1");
        assert_eq!(value["correlation_id"], "corr-9");
        assert!(value["latency_ms"].is_u64());
        let ts = value["timestamp"].as_str().expect("timestamp");
        assert!(
            ts.ends_with('Z') && ts.len() == "2026-11-27T00:00:00.000Z".len(),
            "{ts}"
        );
        let keys: Vec<&str> = out
            .split("\":")
            .filter_map(|s| s.rsplit('"').next())
            .collect();
        assert_eq!(
            &keys[..8],
            [
                "timestamp",
                "event",
                "deployment_id",
                "bot_id",
                "version",
                "status",
                "environment",
                "latency_ms"
            ]
        );
    }

    #[test]
    fn with_step_debug_logging_the_json_line_is_printed_too() {
        let buffer = Buffer::default();
        let console = Console::new(buffer.writer(), Redactor::new()).debug(true);
        let dir = tempfile::tempdir().expect("tempdir");
        let auditor = Auditor::new(console, &dir.path().join("a.jsonl"), "d", "b", "e");
        auditor.record(Entry::new(Event::DeploymentSuccess, "published"));
        let out = buffer.contents();
        let debug = out
            .lines()
            .find_map(|l| l.strip_prefix("::debug::audit "))
            .expect("a debug audit line");
        let value: Value = serde_json::from_str(debug).expect("json");
        assert_eq!(value["event"], "deployment_success");
    }

    #[test]
    fn event_names_are_the_spec_list_in_order() {
        let names: Vec<&str> = Event::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(
            names,
            [
                "deployment_started",
                "auth_failed",
                "dependency_validation_error",
                "dependency_validation_failed",
                "dependency_validation_passed",
                "drift_checked",
                "export_status",
                "backup_exported",
                "publish_skipped_unchanged",
                "import_status",
                "publish_triggered",
                "publish_trigger_error",
                "publish_trigger_failed",
                "publish_status",
                "identity_checked",
                "deployment_success",
                "deployment_failed",
                "deployment_timed_out",
                "rollback_started",
                "rollback_completed",
                "rollback_failed",
                "rollback_not_needed",
                "smoke_test_started",
                "smoke_test_passed",
                "smoke_test_failed",
                "dry_run_completed",
                "deployment_cancelled",
                "metrics",
            ]
        );
    }

    #[test]
    fn omits_absent_details_and_correlation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.jsonl");
        let auditor = Auditor::new(
            Console::new(Buffer::default().writer(), Redactor::new()),
            &path,
            "d",
            "b",
            "e",
        );
        auditor.record(Entry::new(Event::DeploymentStarted, "started"));
        let out = std::fs::read_to_string(&path).expect("file");
        assert!(
            !out.contains("details") && !out.contains("correlation_id"),
            "{out}"
        );
        assert!(out.contains("\"version\":null"));
    }
}
