//! What a run ends with: a status, an exit code, and everything the summary, the outputs
//! and the metrics report.

use crate::genesys::{ApiError, RequestStats};
use serde::Serialize;

/// The `status` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The target is live.
    Published,
    /// The target was already live; nothing was published.
    Unchanged,
    /// Everything was checked; nothing was published.
    DryRun,
    /// The run failed.
    Failed,
    /// The run failed after the target went live, and the previous version is live again.
    RolledBack,
    /// The rollback did not bring the previous version back.
    RollbackFailed,
    /// The publish did not finish before the deadline.
    TimedOut,
    /// SIGINT/SIGTERM ended the run.
    Cancelled,
}

impl Status {
    /// The output's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Published => "published",
            Status::Unchanged => "unchanged",
            Status::DryRun => "dry-run",
            Status::Failed => "failed",
            Status::RolledBack => "rolled-back",
            Status::RollbackFailed => "rollback-failed",
            Status::TimedOut => "timed-out",
            Status::Cancelled => "cancelled",
        }
    }
}

/// Whether the bot serves what it served before the run (SPEC §2 exit codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveVersion {
    /// The run succeeded (or changed nothing): exit 0.
    AsIntended,
    /// Failed, but the bot serves the version it served before: exit 1.
    Unchanged,
    /// Failed, and the live version is another one or cannot be known: exit 2.
    ChangedOrUnknown,
}

impl LiveVersion {
    /// The process exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            LiveVersion::AsIntended => 0,
            LiveVersion::Unchanged => 1,
            LiveVersion::ChangedOrUnknown => 2,
        }
    }
}

/// Why a run failed, in the platform's words where it gave any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Failure {
    /// Annotation title, e.g. `Publish failed`.
    pub title: String,
    /// One-sentence explanation.
    pub message: String,
    /// The platform's error code.
    pub code: Option<String>,
    /// The platform's details, one line each.
    pub details: Vec<String>,
    /// `ININ-Correlation-Id`.
    pub correlation_id: Option<String>,
    /// What the user should do next.
    pub next_step: String,
}

impl Failure {
    /// A failure described by a platform error.
    pub fn from_api(
        title: &str,
        context: &str,
        error: &ApiError,
        fallback_next_step: &str,
    ) -> Self {
        Failure {
            title: title.to_string(),
            message: format!("{context}: {error}"),
            code: error.code().map(str::to_string),
            details: error.details().to_vec(),
            correlation_id: error.correlation_id().map(str::to_string),
            next_step: error
                .hint()
                .unwrap_or_else(|| fallback_next_step.to_string()),
        }
    }
}

/// The kind of a dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DependencyKind {
    /// An Architect flow.
    Flow,
    /// A routing skill.
    Skill,
}

/// The verdict on one dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyCheck {
    /// Its id.
    pub id: String,
    /// Its name, when found.
    pub name: Option<String>,
    /// Flow or skill.
    pub kind: DependencyKind,
    /// Its state as found (`active`, `published`, `inactive`, `deleted`, `missing`, …).
    pub state: String,
    /// `None` when usable, else why not.
    pub problem: Option<String>,
    /// Whether dependency tracking found it (rather than the workflow listing it).
    pub discovered: bool,
}

/// One phase of the run, for the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    /// Name, e.g. `publish`.
    pub name: &'static str,
    /// Milliseconds since the start.
    pub started_ms: u64,
    /// How long it took.
    pub duration_ms: u64,
    /// How it ended.
    pub result: String,
}

/// Counters of the wait.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WaitStats {
    /// Status reads while waiting.
    pub polls: u64,
    /// Time spent waiting for operations.
    pub wait_ms: u64,
    /// Flow events received on the notification socket.
    pub push_events: u64,
}

/// Everything a run reports.
#[derive(Debug, Clone)]
pub struct Report {
    /// The `status` output.
    pub status: Status,
    /// What the exit code says about the live version.
    pub live: LiveVersion,
    /// A UUID per run.
    pub deployment_id: String,
    /// The bot flow id.
    pub bot_id: String,
    /// The bot's name, when read.
    pub bot_name: Option<String>,
    /// The environment label.
    pub environment: String,
    /// The rollout percentage (recorded only).
    pub rollout_percentage: u8,
    /// The version meant to go live.
    pub target_version: Option<String>,
    /// The version live before the run (the rollback target).
    pub previous_version: Option<String>,
    /// The version live at the end, as last read.
    pub published_version: Option<String>,
    /// The publish operation's id.
    pub operation_id: Option<String>,
    /// The dependency verdicts.
    pub dependencies: Vec<DependencyCheck>,
    /// Errors that stopped the run before publishing (inputs, dependencies).
    pub validation_errors: Vec<String>,
    /// Why the run failed.
    pub failure: Option<Failure>,
    /// Warnings worth a line in the summary.
    pub warnings: Vec<String>,
    /// Phases in order.
    pub phases: Vec<Phase>,
    /// Request counters.
    pub requests: RequestStats,
    /// Wait counters.
    pub wait: WaitStats,
    /// Whole run, in milliseconds.
    pub duration_ms: u64,
    /// The audit-log input, as given.
    pub audit_log: Option<String>,
    /// What the dry run would do.
    pub plan: Vec<String>,
    /// Which mechanism saw the outcome of the last wait first: `push` (an event, confirmed
    /// by one read) or `poll`.
    pub decided_by: Option<&'static str>,
    /// How the Action waited: `push`, or `poll` with the reason push was not used.
    pub wait_channel: Option<String>,
    /// What the smoke test found, when it ran.
    pub smoke: Option<crate::smoke::SmokeReport>,
}

impl Report {
    /// A report with nothing done yet.
    pub fn new(deployment_id: String, bot_id: String, environment: String) -> Self {
        Report {
            status: Status::Failed,
            live: LiveVersion::Unchanged,
            deployment_id,
            bot_id,
            bot_name: None,
            environment,
            rollout_percentage: 100,
            target_version: None,
            previous_version: None,
            published_version: None,
            operation_id: None,
            dependencies: Vec::new(),
            validation_errors: Vec::new(),
            failure: None,
            warnings: Vec::new(),
            phases: Vec::new(),
            requests: RequestStats::default(),
            wait: WaitStats::default(),
            duration_ms: 0,
            audit_log: None,
            plan: Vec::new(),
            decided_by: None,
            wait_channel: None,
            smoke: None,
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        self.live.exit_code()
    }

    /// The step outputs, in action.yml's order.
    pub fn outputs(&self) -> Vec<(&'static str, String)> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            ("status", self.status.as_str().to_string()),
            ("published-version", opt(&self.published_version)),
            ("previous-version", opt(&self.previous_version)),
            ("target-version", opt(&self.target_version)),
            ("operation-id", opt(&self.operation_id)),
            ("deployment-id", self.deployment_id.clone()),
            ("duration-ms", self.duration_ms.to_string()),
            ("api-requests", self.requests.requests.to_string()),
            ("retries", self.requests.retries.to_string()),
            ("rate-limited", self.requests.rate_limited.to_string()),
            (
                "validation-errors",
                serde_json::to_string(&self.validation_errors).unwrap_or_else(|_| "[]".into()),
            ),
            ("audit-log", opt(&self.audit_log)),
        ]
    }
}

/// The names of every output the Action writes; `action.yml` must declare exactly these.
pub const OUTPUT_NAMES: &[&str] = &[
    "status",
    "published-version",
    "previous-version",
    "target-version",
    "operation-id",
    "deployment-id",
    "duration-ms",
    "api-requests",
    "retries",
    "rate-limited",
    "validation-errors",
    "audit-log",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_exactly_the_declared_names() {
        let report = Report::new("d".into(), "b".into(), "e".into());
        let names: Vec<&str> = report.outputs().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, OUTPUT_NAMES);
    }

    #[test]
    fn exit_codes_follow_the_spec() {
        assert_eq!(LiveVersion::AsIntended.exit_code(), 0);
        assert_eq!(LiveVersion::Unchanged.exit_code(), 1);
        assert_eq!(LiveVersion::ChangedOrUnknown.exit_code(), 2);
    }

    #[test]
    fn validation_errors_are_a_json_array() {
        let mut report = Report::new("d".into(), "b".into(), "e".into());
        report.validation_errors = vec!["skill \"x\" inactive".into()];
        let outputs = report.outputs();
        let value = &outputs
            .iter()
            .find(|(n, _)| *n == "validation-errors")
            .expect("present")
            .1;
        assert_eq!(value, "[\"skill \\\"x\\\" inactive\"]");
    }
}
