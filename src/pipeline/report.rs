//! What a run found out on its way (versions, dependencies, phases, counters, warnings) and,
//! with its [`Verdict`], everything the summary, the outputs and the metrics report.

use super::verdict::{Status, Verdict};
use crate::genesys::models::EntityRef;
use crate::genesys::{ApiError, RequestStats};
use serde::Serialize;

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
    /// The failure in one line, for the `error` output: title and message, newlines folded.
    pub(crate) fn one_line(&self) -> String {
        format!("{}: {}", self.title, self.message).replace(['\r', '\n'], " ")
    }

    /// A failure described by a platform error.
    pub(crate) fn from_api(
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
    /// A routing queue a flow file names.
    Queue,
    /// A data action a flow file names.
    DataAction,
    /// A knowledge base a flow file names.
    KnowledgeBase,
}

impl DependencyKind {
    /// How the summary and messages name it.
    pub fn as_str(self) -> &'static str {
        match self {
            DependencyKind::Flow => "flow",
            DependencyKind::Skill => "skill",
            DependencyKind::Queue => "queue",
            DependencyKind::DataAction => "data action",
            DependencyKind::KnowledgeBase => "knowledge base",
        }
    }
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
    /// Reads of import and export jobs.
    pub job_reads: u64,
}

/// What the run found out, filled in as it goes. The verdict is not here: a run's steps
/// return it, and [`Report`] pairs the two at the end.
#[derive(Debug, Clone)]
pub struct Facts {
    /// A UUID per run.
    pub deployment_id: String,
    /// The bot flow id.
    pub bot_id: String,
    /// The bot's name, when read.
    pub bot_name: Option<String>,
    /// The bot in Architect, once its type is known.
    pub flow_url: Option<String>,
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
    /// The org the token belongs to, when it was read.
    pub org: Option<OrgIdentity>,
    /// The OAuth client the token was issued to, when it was read.
    pub oauth_client: Option<EntityRef>,
    /// With a flow file: what was deployed from it, and what was found about it.
    pub release: Option<ReleaseFacts>,
}

/// What a run with a flow file found out (SPEC rules 15 and 16).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseFacts {
    /// The flow file, as the workspace names it.
    pub file: String,
    /// The digest of the file before substitution (`sha256:…`): the same in every
    /// environment.
    pub file_digest: String,
    /// With this environment's substitutions: the `release-digest` output.
    pub release_digest: String,
    /// The substitutions, values that look secret hidden: (key, value).
    pub substitutions: Vec<(String, String)>,
    /// The export of the version live before, kept as a file.
    pub backup: Option<BackupFacts>,
    /// The import job, once registered.
    pub import_job: Option<String>,
    /// What the import job said, verbatim, when it failed.
    pub import_messages: Vec<String>,
    /// Whether the live version's export is what was imported: `verified`, `differs` or
    /// `unverifiable`, with the path or the reason.
    pub identity: Option<(String, Option<String>)>,
    /// `none`, `detected` or `unknown`, with who or why.
    pub drift: Option<(String, Option<String>)>,
    /// What the file changes in the live bot, one line each (dry run).
    pub changes: Vec<String>,
    /// The flows that call the bot: (name, id, the version they call, when pinned).
    pub callers: Vec<Caller>,
    /// The plan as a Markdown file, the `plan-file` output.
    pub plan_file: Option<String>,
}

/// The export of the version live before the run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupFacts {
    /// The version exported.
    pub version: String,
    /// The file, as the job's next step opens it (the `backup-file` output).
    pub file: String,
    /// The export job.
    pub job_id: String,
}

/// A flow that calls the bot (dependency tracking's `consumingresources`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// Its name.
    pub name: String,
    /// Its id.
    pub id: String,
    /// Its type (`INBOUNDSHORTMESSAGE`, …).
    pub flow_type: String,
    /// The bot version it calls when it pins one; `None` when it takes the latest (it gets
    /// this publish). `Some("unknown")` when its configuration could not be read.
    pub pins: Option<String>,
}

/// Which Genesys Cloud org a run talked to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrgIdentity {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: Option<String>,
    /// Its short name (`thirdPartyOrgName`), when it was read.
    pub short_name: Option<String>,
}

impl Facts {
    /// Nothing found out yet.
    pub fn new(deployment_id: String, bot_id: String, environment: String) -> Self {
        Facts {
            deployment_id,
            bot_id,
            bot_name: None,
            flow_url: None,
            environment,
            rollout_percentage: 100,
            target_version: None,
            previous_version: None,
            published_version: None,
            operation_id: None,
            dependencies: Vec::new(),
            validation_errors: Vec::new(),
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
            org: None,
            oauth_client: None,
            release: None,
        }
    }
}

/// Everything a run reports: how it ended and what it found out.
#[derive(Debug, Clone)]
pub struct Report {
    /// How the run ended.
    pub verdict: Verdict,
    /// What it found out.
    pub facts: Facts,
}

impl Report {
    /// The `status` output.
    pub fn status(&self) -> Status {
        self.verdict.status()
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        self.verdict.exit_code()
    }

    /// Why the run failed, if it did.
    pub fn failure(&self) -> Option<&Failure> {
        self.verdict.failure()
    }

    /// The step outputs, in action.yml's order.
    pub fn outputs(&self) -> Vec<(&'static str, String)> {
        let f = &self.facts;
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let release = |pick: fn(&ReleaseFacts) -> Option<String>| {
            f.release.as_ref().and_then(pick).unwrap_or_default()
        };
        vec![
            ("status", self.status().as_str().to_string()),
            ("published-version", opt(&f.published_version)),
            ("previous-version", opt(&f.previous_version)),
            ("target-version", opt(&f.target_version)),
            ("operation-id", opt(&f.operation_id)),
            ("deployment-id", f.deployment_id.clone()),
            ("duration-ms", f.duration_ms.to_string()),
            ("api-requests", f.requests.requests.to_string()),
            ("retries", f.requests.retries.to_string()),
            ("rate-limited", f.requests.rate_limited.to_string()),
            (
                "validation-errors",
                serde_json::to_string(&f.validation_errors).unwrap_or_else(|_| "[]".into()),
            ),
            ("audit-log", opt(&f.audit_log)),
            (
                "org-id",
                f.org.as_ref().map(|o| o.id.clone()).unwrap_or_default(),
            ),
            (
                "org-name",
                f.org
                    .as_ref()
                    .and_then(|o| o.name.clone())
                    .unwrap_or_default(),
            ),
            ("flow-url", opt(&f.flow_url)),
            ("bot-name", opt(&f.bot_name)),
            (
                "error",
                self.failure().map(Failure::one_line).unwrap_or_default(),
            ),
            (
                "error-code",
                self.failure()
                    .and_then(|f| f.code.clone())
                    .unwrap_or_default(),
            ),
            (
                "release-digest",
                release(|r| Some(r.release_digest.clone())),
            ),
            (
                "backup-file",
                release(|r| r.backup.as_ref().map(|b| b.file.clone())),
            ),
            ("drift", release(|r| r.drift.as_ref().map(|d| d.0.clone()))),
            ("plan-file", release(|r| r.plan_file.clone())),
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
    "org-id",
    "org-name",
    "flow-url",
    "bot-name",
    "error",
    "error-code",
    "release-digest",
    "backup-file",
    "drift",
    "plan-file",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn report(verdict: Verdict) -> Report {
        Report {
            verdict,
            facts: Facts::new("d".into(), "b".into(), "e".into()),
        }
    }

    #[test]
    fn outputs_are_exactly_the_declared_names() {
        let report = report(Verdict::Published);
        let names: Vec<&str> = report.outputs().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, OUTPUT_NAMES);
    }

    #[test]
    fn validation_errors_are_a_json_array() {
        let mut report = report(Verdict::Published);
        report.facts.validation_errors = vec!["skill \"x\" inactive".into()];
        let outputs = report.outputs();
        let value = &outputs
            .iter()
            .find(|(n, _)| *n == "validation-errors")
            .expect("present")
            .1;
        assert_eq!(value, "[\"skill \\\"x\\\" inactive\"]");
    }
}
