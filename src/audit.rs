//! The audit trail: one JSON object per event on stdout and, when `audit-log` is set,
//! appended to that file. Field order is fixed so the lines read well in a log.

use crate::github::Console;
use serde::Serialize;
use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::SystemTime;
use tokio::time::Instant;

/// Every event name of SPEC §2, in the order they can occur in a run.
pub mod event {
    #![allow(missing_docs)]
    pub const DEPLOYMENT_STARTED: &str = "deployment_started";
    pub const AUTH_FAILED: &str = "auth_failed";
    pub const DEPENDENCY_VALIDATION_ERROR: &str = "dependency_validation_error";
    pub const DEPENDENCY_VALIDATION_FAILED: &str = "dependency_validation_failed";
    pub const DEPENDENCY_VALIDATION_PASSED: &str = "dependency_validation_passed";
    pub const PUBLISH_SKIPPED_UNCHANGED: &str = "publish_skipped_unchanged";
    pub const PUBLISH_TRIGGERED: &str = "publish_triggered";
    pub const PUBLISH_TRIGGER_ERROR: &str = "publish_trigger_error";
    pub const PUBLISH_TRIGGER_FAILED: &str = "publish_trigger_failed";
    pub const PUBLISH_STATUS: &str = "publish_status";
    pub const DEPLOYMENT_SUCCESS: &str = "deployment_success";
    pub const DEPLOYMENT_FAILED: &str = "deployment_failed";
    pub const DEPLOYMENT_TIMED_OUT: &str = "deployment_timed_out";
    pub const ROLLBACK_STARTED: &str = "rollback_started";
    pub const ROLLBACK_COMPLETED: &str = "rollback_completed";
    pub const ROLLBACK_FAILED: &str = "rollback_failed";
    pub const ROLLBACK_NOT_NEEDED: &str = "rollback_not_needed";
    pub const SMOKE_TEST_STARTED: &str = "smoke_test_started";
    pub const SMOKE_TEST_PASSED: &str = "smoke_test_passed";
    pub const SMOKE_TEST_FAILED: &str = "smoke_test_failed";
    pub const DRY_RUN_COMPLETED: &str = "dry_run_completed";
    pub const DEPLOYMENT_CANCELLED: &str = "deployment_cancelled";
    pub const METRICS: &str = "metrics";
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
#[derive(Debug, Clone, Default)]
pub struct Entry<'a> {
    /// Event name (see [`event`]).
    pub event: &'a str,
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

impl Auditor {
    /// An auditor writing to `console` and, if given, appending to `file`. A file that
    /// cannot be opened is reported and skipped: the deployment matters more than its copy
    /// of the log.
    pub fn new(
        console: Console,
        file: Option<&Path>,
        deployment_id: &str,
        bot_id: &str,
        environment: &str,
    ) -> Self {
        let file = file.and_then(|path| {
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
        });
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
            event: entry.event,
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
                entry.event
            ),
        };
        self.console.line(&json);
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
    fn writes_one_json_line_with_the_fixed_fields() {
        let buffer = Buffer::default();
        let console = Console::new(buffer.writer(), Redactor::new());
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("logs/audit.jsonl");
        let auditor = Auditor::new(console, Some(&path), "dep-1", "bot-1", "staging");
        auditor.record(Entry {
            event: event::PUBLISH_TRIGGERED,
            version: Some("3.0"),
            status: "triggered",
            details: Some(serde_json::json!({"operation_id": "op-1"})),
            correlation_id: Some("corr-9"),
        });
        let out = buffer.contents();
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
        assert_eq!(std::fs::read_to_string(&path).expect("file"), out);
    }

    #[test]
    fn omits_absent_details_and_correlation() {
        let buffer = Buffer::default();
        let auditor = Auditor::new(
            Console::new(buffer.writer(), Redactor::new()),
            None,
            "d",
            "b",
            "e",
        );
        auditor.record(Entry {
            event: event::DEPLOYMENT_STARTED,
            status: "started",
            ..Entry::default()
        });
        let out = buffer.contents();
        assert!(
            !out.contains("details") && !out.contains("correlation_id"),
            "{out}"
        );
        assert!(out.contains("\"version\":null"));
    }
}
