//! The world of a deployment from a flow file (SPEC rules 15 and 16): the sandbox's
//! Appointment Bot as `BOT`, its `1.0` live (the demo's YAML, imported earlier by this
//! pipeline's client), the org objects the example file names, two callers (one pinned to
//! `1.0`, one taking the latest), and the example file with its per-environment
//! substitutions checked out in the workspace. Jobs, publishes and history are scaled down
//! so a run takes about two seconds.

use genesys_sandbox::{DEMO_YAML_BOT_YAML, JobKind, JobRecord, RequestRecord};
use serde_json::{Value, json};

use crate::ran::Ran;
use crate::world::{BOT, CLIENT, World};

/// The flow file, as the workflow names it.
pub const FLOW_FILE: &str = "flows/appointment-bot.yaml";
/// The example file: the Appointment Bot 2.0, with placeholders.
pub const FLOW_YAML: &str = include_str!("../../examples/flows/appointment-bot.yaml");
/// The substitutions of each environment, as the workflow names them.
pub const DEV: &str = "flows/substitutions/dev.yml";
pub const TEST: &str = "flows/substitutions/test.yml";
pub const PROD: &str = "flows/substitutions/prod.yml";
pub const DEV_YAML: &str = include_str!("../../examples/flows/substitutions/dev.yml");
const TEST_YAML: &str = include_str!("../../examples/flows/substitutions/test.yml");
const PROD_YAML: &str = include_str!("../../examples/flows/substitutions/prod.yml");

/// The bot's name, which the file must give.
pub const BOT_NAME: &str = "Appointment Bot";
/// The org objects the example file names.
pub const QUEUE: &str = "9e2e0000-0000-4000-8000-000000000011";
pub const DATA_ACTION: &str = "9e2e0000-0000-4000-8000-000000000021";
pub const KNOWLEDGE_BASE: &str = "9e2e0000-0000-4000-8000-000000000031";
/// The callers: one pinned to `1.0`, one taking the latest version.
pub const CALLER_PINNED: &str = "ca2e0000-0000-4000-8000-000000000001";
pub const CALLER_LATEST: &str = "ca2e0000-0000-4000-8000-000000000002";
/// The pipeline's client as the platform names it.
pub const CLIENT_NAME: &str = "e2e pipeline";

/// Import and export job paths.
pub const IMPORT_JOBS: &str = "/api/v2/flows/jobs";
pub const EXPORT_JOBS: &str = "/api/v2/flows/export/jobs";

/// Enough for every run here to end on its own; the runs that must time out set less.
pub const TIMEOUT: (&str, &str) = ("timeout-seconds", "10");

/// The audit events of a deployment that goes as planned (job statuses folded).
pub const CLEAN_DEPLOYMENT: &[&str] = &[
    "deployment_started",
    "export_status",
    "backup_exported",
    "drift_checked",
    "dependency_validation_passed",
    "import_status",
    "publish_status",
    "export_status",
    "identity_checked",
    "deployment_success",
    "metrics",
];

/// The scenario described at the top.
pub fn release_scenario() -> Value {
    json!({
        "publish_duration_ms": 200,
        "import_duration_ms": 300,
        "export_duration_ms": 100,
        "history_duration_ms": 100,
        "clients": [{ "id": CLIENT, "secret": crate::world::SECRET, "name": CLIENT_NAME }],
        "queues": [{ "id": QUEUE, "name": "Appointments" }],
        "data_actions": [{ "id": DATA_ACTION, "name": "Get Booking Slots", "integration": "Scheduling Lambda" }],
        "knowledge_bases": [{ "id": KNOWLEDGE_BASE, "name": "Clinic FAQ" }],
        "flows": [
            {
                "id": BOT, "name": BOT_NAME, "type": "DIGITALBOT",
                "published_version": "1.0", "checked_in_version": "1.0",
                "versions": [{
                    "id": "1.0", "yaml": DEMO_YAML_BOT_YAML,
                    "created_by_client": { "id": CLIENT, "name": CLIENT_NAME }
                }]
            },
            {
                "id": CALLER_PINNED, "name": "SMS Appointments", "type": "INBOUNDSHORTMESSAGE",
                "published_version": "1.0", "checked_in_version": "1.0",
                "calls": [{ "bot": BOT, "version": "1.0" }],
                "versions": [{ "id": "1.0" }]
            },
            {
                "id": CALLER_LATEST, "name": "Web Messaging Appointments", "type": "INBOUNDSHORTMESSAGE",
                "published_version": "1.0", "checked_in_version": "1.0",
                "calls": [{ "bot": BOT, "version": "latest" }],
                "versions": [{ "id": "1.0" }]
            }
        ],
        "faults": [],
        "job_faults": []
    })
}

/// The example file and all three substitutions files, as a repository holds them.
pub fn repository() -> Vec<(&'static str, &'static str)> {
    vec![
        (FLOW_FILE, FLOW_YAML),
        (DEV, DEV_YAML),
        (TEST, TEST_YAML),
        (PROD, PROD_YAML),
    ]
}

/// The inputs of a deployment of the example file with `substitutions`.
pub fn deploy<'a>(substitutions: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut inputs = vec![
        ("flow-file", FLOW_FILE),
        ("substitutions", substitutions),
        ("environment", "dev"),
        TIMEOUT,
    ];
    inputs.extend_from_slice(extra);
    inputs
}

impl World {
    /// Runs the Action on the example repository with `inputs`.
    pub async fn run_release(&self, inputs: &[(&str, &str)]) -> Ran {
        self.run_with_files(inputs, &repository()).await
    }

    /// Every job, in registration order.
    pub fn jobs(&self) -> Vec<JobRecord> {
        self.sandbox.jobs()
    }

    /// The jobs of one kind.
    pub fn jobs_of(&self, kind: JobKind) -> Vec<JobRecord> {
        self.jobs().into_iter().filter(|j| j.kind == kind).collect()
    }

    /// Requests that could change something in the org: every `POST` and `PUT` but the
    /// token's, the export jobs' and the history's (which only read).
    pub fn writes(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| matches!(r.method.as_str(), "POST" | "PUT"))
            .filter(|r| r.path != "/oauth/token" && r.path != EXPORT_JOBS)
            .filter(|r| !r.path.ends_with("/history"))
            .collect()
    }
}

/// The audit line of the first `event`.
pub fn audit_line(ran: &Ran, event: &str) -> Value {
    ran.audit()
        .into_iter()
        .find(|l| l["event"] == event)
        .unwrap_or_else(|| panic!("no {event} line\n{ran}"))
}

/// Every audit line of `event`.
pub fn audit_lines(ran: &Ran, event: &str) -> Vec<Value> {
    ran.audit()
        .into_iter()
        .filter(|l| l["event"] == event)
        .collect()
}

/// The `::error` annotations a run printed.
pub fn errors(ran: &Ran) -> Vec<&str> {
    ran.stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect()
}

/// The `::warning` annotations a run printed.
pub fn warnings(ran: &Ran) -> Vec<&str> {
    ran.stdout
        .lines()
        .filter(|l| l.starts_with("::warning"))
        .collect()
}

/// The digest the summary shows after `label` (`file digest`, `release digest`).
pub fn shown_digest<'a>(ran: &'a Ran, label: &str) -> &'a str {
    let after = ran
        .summary
        .split_once(&format!("{label} `"))
        .unwrap_or_else(|| panic!("no {label} in the summary\n{ran}"))
        .1;
    after.split('`').next().expect("a closing backtick")
}

/// Event names in order, with consecutive repeats of the job and publish status lines
/// folded into one: how many status changes a read sees depends on timing, their order
/// does not (the statuses themselves are checked with [`statuses`]).
pub fn folded_events(ran: &Ran) -> Vec<String> {
    let mut events: Vec<String> = Vec::new();
    for line in ran.audit() {
        let event = line["event"].as_str().expect("event").to_string();
        let folds = matches!(
            event.as_str(),
            "publish_status" | "import_status" | "export_status"
        );
        if folds && events.last() == Some(&event) {
            continue;
        }
        events.push(event);
    }
    events
}

/// The `status` of every audit line of `event`, in order.
pub fn statuses(ran: &Ran, event: &str) -> Vec<String> {
    audit_lines(ran, event)
        .iter()
        .map(|l| l["status"].as_str().expect("status").to_string())
        .collect()
}

/// Like `Ran::assert_outcome`, with the job status lines folded ([`folded_events`]).
pub fn assert_release_outcome(ran: &Ran, world: &World, code: i32, status: &str, events: &[&str]) {
    assert_eq!(ran.code, Some(code), "exit code\n{ran}\n{}", world.log());
    assert_eq!(ran.output("status"), status, "status output\n{ran}");
    assert_eq!(folded_events(ran), events, "audit events\n{ran}");
    ran.assert_sane(&world.secrets());
}

/// Asserts one import job's statuses: registered at the upload, then (when a read caught
/// it working) started, then `end`.
pub fn assert_import_statuses(ran: &Ran, end: &str) {
    let seen = statuses(ran, "import_status");
    let with_start = ["Registered", "Started", end];
    let without = ["Registered", end];
    assert!(
        seen == with_start || seen == without,
        "import statuses {seen:?}\n{ran}"
    );
}
