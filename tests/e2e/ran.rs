//! What one run of the binary left behind, and readers for it: exit code, audit lines,
//! outputs (parsed with the runner's rules), summary, audit-log file, and the leak check.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use crate::runner::Workspace;

/// Everything a run wrote.
pub struct Ran {
    /// `None` when a signal killed it.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub outputs_raw: String,
    pub outputs: HashMap<String, String>,
    pub summary: String,
    /// The `audit-log` file, relative to the workspace, when the tests asked for one.
    pub audit_file: String,
    /// Kept so the files the run left for the job's next steps (a backup, a plan) can be
    /// read while the test holds this value.
    workspace: Workspace,
}

/// Where the tests ask the Action to write its audit log.
pub const AUDIT_LOG: &str = "audit/trail.jsonl";

impl Ran {
    pub(crate) fn new(code: Option<i32>, stdout: String, stderr: String, ws: Workspace) -> Ran {
        let outputs_raw = ws.outputs_raw();
        Ran {
            code,
            stdout,
            stderr,
            outputs: parse_outputs(&outputs_raw),
            outputs_raw,
            summary: ws.summary(),
            audit_file: ws.file(AUDIT_LOG),
            workspace: ws,
        }
    }

    /// A file the run left at `path` (an output names it: `backup-file`, `plan-file`);
    /// `None` when there is none. Only inside the run's own directories.
    pub fn left_file(&self, path: &str) -> Option<String> {
        let path = std::path::Path::new(path);
        assert!(
            path.starts_with(self.workspace.base()),
            "{} is outside the run's directories",
            path.display()
        );
        std::fs::read_to_string(path).ok()
    }

    /// The audit trail's lines (its file), parsed.
    pub fn audit(&self) -> Vec<Value> {
        self.audit_file
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    /// Event names in order, with repeats of `publish_status` folded into one: how many
    /// status changes a poll sees depends on timing, their order does not.
    pub fn events(&self) -> Vec<String> {
        let mut events: Vec<String> = Vec::new();
        for line in self.audit() {
            let event = line["event"].as_str().expect("event").to_string();
            if event == "publish_status" && events.last() == Some(&event) {
                continue;
            }
            events.push(event);
        }
        events
    }

    pub fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no output {name}\n{self}"))
    }

    /// Asserts the exit code, the `status` output and the audit events, and that nothing
    /// secret or panicky was printed; shows the whole run when one fails.
    pub fn assert_outcome(&self, code: i32, status: &str, events: &[&str], secrets: &[String]) {
        assert_eq!(self.code, Some(code), "exit code\n{self}");
        assert_eq!(self.output("status"), status, "status output\n{self}");
        assert_eq!(self.events(), events, "audit events\n{self}");
        self.assert_sane(secrets);
    }

    /// No panic, the final audit lines and the summary written, and no secret anywhere.
    pub fn assert_sane(&self, secrets: &[String]) {
        assert_ne!(self.code, Some(101), "panicked\n{self}");
        assert!(!self.stderr.contains("panicked"), "panicked\n{self}");
        assert!(
            self.events().last().map(String::as_str) == Some("metrics"),
            "the metrics line ends the trail\n{self}"
        );
        assert!(!self.summary.trim().is_empty(), "empty summary\n{self}");
        assert!(
            !self.stdout.lines().any(|l| l.starts_with('{')),
            "the log is for people, not a wall of JSON\n{self}"
        );
        if let Some(leak) = self.leak(secrets) {
            panic!("{leak}\n{self}");
        }
    }

    /// Where a secret showed up, if anywhere. Stdout's `::add-mask::` lines are the one
    /// place a secret must appear (for the runner to hide it).
    pub fn leak(&self, secrets: &[String]) -> Option<String> {
        let stdout = crate::shared::without_masks(&self.stdout);
        let places = [
            ("stdout", stdout.as_str()),
            ("stderr", self.stderr.as_str()),
            ("outputs", self.outputs_raw.as_str()),
            ("summary", self.summary.as_str()),
            ("audit-log file", self.audit_file.as_str()),
        ];
        crate::shared::leak(&places, secrets)
    }
}

impl fmt::Display for Ran {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--- exit {:?}\n--- stdout\n{}\n--- stderr\n{}\n--- outputs\n{}\n--- summary\n{}",
            self.code, self.stdout, self.stderr, self.outputs_raw, self.summary
        )
    }
}

pub use crate::shared::parse_outputs;
