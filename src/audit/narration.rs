//! What a person reads in the Actions log: one short line per step and outcome, told from the
//! audit events as they are recorded, with the long parts (dependency problems, failing
//! conversations, the dry run's plan) folded into a collapsed group under the line.

use super::{Entry, Event};
use serde_json::Value;

/// A line for the log, and what to fold under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narration {
    /// The line.
    pub line: String,
    /// A collapsed group: its title and lines.
    pub group: Option<(String, Vec<String>)>,
}

impl Narration {
    fn line(line: impl Into<String>) -> Option<Narration> {
        Some(Narration {
            line: line.into(),
            group: None,
        })
    }

    fn folded(
        line: impl Into<String>,
        title: impl Into<String>,
        lines: Vec<String>,
    ) -> Option<Narration> {
        let line = line.into();
        if lines.is_empty() {
            return Narration::line(line);
        }
        Some(Narration {
            line,
            group: Some((title.into(), lines)),
        })
    }
}

fn text(details: &Value, key: &str) -> Option<String> {
    match &details[key] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn strings(details: &Value, key: &str) -> Vec<String> {
    details[key]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn count(details: &Value, key: &str) -> u64 {
    details[key].as_u64().unwrap_or(0)
}

/// The log line of an event of the deployment of `bot_id` to `environment`, if it deserves
/// one. `publish_status` lines are indented under the publish; `deployment_success` and
/// `metrics` get none (the run's last line tells its end, from its verdict).
pub(crate) fn narrate(entry: &Entry<'_>, bot_id: &str, environment: &str) -> Option<Narration> {
    let none = Value::Null;
    let d = entry.details.as_ref().unwrap_or(&none);
    let version = entry.version.unwrap_or("?");
    match entry.event {
        Event::DeploymentStarted => Narration::line(format!(
            "Deploying bot {bot_id} to {environment}{}",
            if d["dry_run"] == Value::Bool(true) {
                " (dry run: nothing will be published)"
            } else {
                ""
            }
        )),
        Event::AuthFailed => Narration::line("✖ Genesys Cloud did not issue a token"),
        Event::DependencyValidationError => Narration::line(format!(
            "✖ Dependency check could not run ({})",
            text(d, "lookup").unwrap_or_else(|| "lookup failed".into())
        )),
        Event::DependencyValidationFailed => {
            let problems = strings(d, "problems");
            Narration::folded(
                format!("✖ Dependencies: {} cannot be used", problems.len()),
                "Dependencies that cannot be used",
                problems,
            )
        }
        Event::DependencyValidationPassed => {
            Narration::line(match count(d, "named_in_flow_file") {
                0 => format!(
                    "✔ Dependencies: {} flow(s) and {} skill(s) usable",
                    count(d, "flows"),
                    count(d, "skills")
                ),
                named => format!(
                    "✔ Dependencies: the {named} org object(s) the flow file names exist, {} flow(s) and {} skill(s) usable",
                    count(d, "flows"),
                    count(d, "skills")
                ),
            })
        }
        Event::DriftChecked
        | Event::ExportStatus
        | Event::BackupExported
        | Event::ImportStatus
        | Event::IdentityChecked => narrate_flow_file(entry, d, version),
        Event::PublishSkippedUnchanged => {
            Narration::line(format!("✔ {version} is already live: nothing to publish"))
        }
        Event::PublishTriggered => Narration::line(format!("→ Publishing {version}")),
        Event::PublishTriggerError => Narration::line(
            "? The publish request's answer was lost: reading the flow to decide (it is not sent again)",
        ),
        Event::PublishTriggerFailed => {
            Narration::line(format!("✖ Genesys Cloud refused to publish {version}"))
        }
        Event::PublishStatus if entry.status == "read_failed" => {
            Narration::line("  ✖ the flow could no longer be read")
        }
        Event::PublishStatus => Narration::line(format!(
            "  {} {}",
            entry.status,
            match text(d, "decided_by").as_deref() {
                Some("push") => "(push)",
                _ => "(read)",
            }
        )),
        // The run's last line tells the success, from its verdict.
        Event::DeploymentSuccess => None,
        Event::DeploymentFailed => Narration::line(format!(
            "✖ {}",
            text(d, "reason").unwrap_or_else(|| "the deployment failed".into())
        )),
        Event::DeploymentTimedOut | Event::DeploymentCancelled => {
            narrate_interruption(entry, d, version)
        }
        Event::RollbackStarted
        | Event::RollbackCompleted
        | Event::RollbackFailed
        | Event::RollbackNotNeeded => narrate_rollback(entry, d, version),
        Event::SmokeTestStarted | Event::SmokeTestPassed | Event::SmokeTestFailed => {
            narrate_smoke_test(entry, d)
        }
        Event::DryRunCompleted => {
            let plan = strings(d, "plan");
            Narration::folded(
                "✔ Dry run: every check passed, nothing was published",
                "What a real run would do",
                plan.iter()
                    .enumerate()
                    .map(|(i, step)| format!("{}. {step}", i + 1))
                    .collect(),
            )
        }
        Event::Metrics => None,
    }
}

/// The lines of the flow-file path's events (SPEC rules 15 and 16): drift, backup, import,
/// identity. Export job statuses get none (the backup's line tells the export's end).
fn narrate_flow_file(entry: &Entry<'_>, d: &Value, version: &str) -> Option<Narration> {
    match entry.event {
        Event::DriftChecked => Narration::line(match entry.status {
            "none" => match entry.version {
                Some(live) => format!("✔ No drift: {live} was made by this pipeline"),
                None => "✔ No drift: nothing is live yet".to_string(),
            },
            "detected" => format!(
                "✖ Drift: {}",
                text(d, "what")
                    .unwrap_or_else(|| "the live version was changed outside this pipeline".into())
            ),
            _ => format!(
                "? Drift unknown: {}",
                text(d, "why")
                    .unwrap_or_else(|| "who made the live version could not be read".into())
            ),
        }),
        Event::ExportStatus => None,
        Event::BackupExported => Narration::line(format!(
            "✔ Backup: version {version} exported to {}",
            text(d, "file").unwrap_or_else(|| "a file".into())
        )),
        Event::ImportStatus => Narration::line(match entry.status {
            "Registered" => format!(
                "→ Importing {} (job {})",
                text(d, "file").unwrap_or_else(|| "the flow file".into()),
                text(d, "job_id").unwrap_or_default()
            ),
            status => format!("  {status} (import job)"),
        }),
        Event::IdentityChecked => Narration::line(match entry.status {
            "verified" => format!("✔ Identity: the live {version} is what was imported"),
            "differs" => format!(
                "! Identity: the live {version} differs from what was imported at {}",
                text(d, "path").unwrap_or_default()
            ),
            _ => format!(
                "? Identity unverifiable: {}",
                text(d, "why").unwrap_or_default()
            ),
        }),
        _ => None,
    }
}

/// The line of a run stopped by its deadline or a signal: what it was waiting for, and
/// that a read of the flow decides what is live.
fn narrate_interruption(entry: &Entry<'_>, d: &Value, version: &str) -> Option<Narration> {
    match entry.event {
        Event::DeploymentTimedOut => Narration::line(format!(
            "⏱ {} within {} s: reading the flow once more",
            match text(d, "job_id") {
                Some(job) => format!("Import job {job} did not end"),
                None => format!("{version} was not confirmed live"),
            },
            text(d, "timeout_seconds").unwrap_or_default()
        )),
        Event::DeploymentCancelled => Narration::line(if d["published"] == Value::Bool(true) {
            "■ Cancelled after the publish was sent: reading the flow to make it safe"
        } else {
            "■ Cancelled before anything was published"
        }),
        _ => None,
    }
}

/// The lines of a rollback: its start and how it ended.
fn narrate_rollback(entry: &Entry<'_>, d: &Value, version: &str) -> Option<Narration> {
    match entry.event {
        Event::RollbackStarted => Narration::line(format!("↩ Rolling back to {version}")),
        Event::RollbackCompleted => Narration::line(format!(
            "✔ Rolled back: {} is live",
            text(d, "live_version").unwrap_or_else(|| version.into())
        )),
        Event::RollbackFailed => Narration::line(format!(
            "✖ Rollback failed: {}",
            text(d, "reason").unwrap_or_default()
        )),
        Event::RollbackNotNeeded => Narration::line(format!(
            "✔ {} is still live: nothing to roll back",
            text(d, "live_version").unwrap_or_else(|| version.into())
        )),
        _ => None,
    }
}

/// The lines of the smoke test: its start, and how it ended (failing conversations folded).
fn narrate_smoke_test(entry: &Entry<'_>, d: &Value) -> Option<Narration> {
    match entry.event {
        Event::SmokeTestStarted => Narration::line(format!(
            "→ Smoke test: {} conversation(s) from {}",
            d["conversations"].as_array().map_or(0, Vec::len),
            text(d, "file").unwrap_or_default()
        )),
        Event::SmokeTestPassed => Narration::line(format!(
            "✔ Smoke test passed: {} conversation(s)",
            d["conversations"].as_array().map_or(0, Vec::len)
        )),
        Event::SmokeTestFailed => {
            let failed = strings(d, "failed");
            let total = d["conversations"].as_array().map_or(0, Vec::len);
            Narration::folded(
                format!(
                    "✖ Smoke test failed: {} of {total} conversation(s)",
                    failed.len()
                ),
                "Failing conversations",
                failed,
            )
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(event: Event, version: Option<&str>, status: &str, details: Value) -> Entry<'static> {
        Entry {
            event,
            version: version.map(|v| -> &'static str { Box::leak(v.to_string().into_boxed_str()) }),
            status: Box::leak(status.to_string().into_boxed_str()),
            details: Some(details),
            correlation_id: None,
        }
    }

    #[test]
    fn each_step_is_one_short_line() {
        let cases = [
            (
                entry(
                    Event::DependencyValidationPassed,
                    Some("2.0"),
                    "passed",
                    json!({ "flows": 1, "skills": 2, "discovered": 3 }),
                ),
                "✔ Dependencies: 1 flow(s) and 2 skill(s) usable",
            ),
            (
                entry(Event::PublishTriggered, Some("2.0"), "STARTED", json!({})),
                "→ Publishing 2.0",
            ),
            (
                entry(
                    Event::PublishStatus,
                    Some("2.0"),
                    "PENDING_GENERATION",
                    json!({ "decided_by": "push" }),
                ),
                "  PENDING_GENERATION (push)",
            ),
            (
                entry(
                    Event::RollbackCompleted,
                    Some("1.0"),
                    "completed",
                    json!({ "live_version": "4.0" }),
                ),
                "✔ Rolled back: 4.0 is live",
            ),
            // A first deployment: nothing is live, so nothing could have drifted.
            (
                entry(Event::DriftChecked, None, "none", json!({ "what": null })),
                "✔ No drift: nothing is live yet",
            ),
            // An import interrupted: the job is named, never a "?" for a version.
            (
                entry(
                    Event::DeploymentTimedOut,
                    None,
                    "timed_out",
                    json!({ "job_id": "j-1", "timeout_seconds": 2 }),
                ),
                "⏱ Import job j-1 did not end within 2 s: reading the flow once more",
            ),
            (
                entry(
                    Event::DeploymentCancelled,
                    None,
                    "cancelled",
                    json!({ "job_id": "j-1", "published": true }),
                ),
                "■ Cancelled after the publish was sent: reading the flow to make it safe",
            ),
        ];
        for (entry, line) in cases {
            let told = narrate(&entry, "b", "e").expect("a line");
            assert_eq!(told.line, line);
            assert_eq!(told.group, None);
        }
        assert_eq!(
            narrate(
                &entry(Event::Metrics, None, "published", json!({})),
                "b",
                "e"
            ),
            None
        );
        let started = entry(
            Event::DeploymentStarted,
            None,
            "started",
            json!({ "dry_run": true }),
        );
        assert_eq!(
            narrate(&started, "b1", "prod").expect("a line").line,
            "Deploying bot b1 to prod (dry run: nothing will be published)"
        );
    }

    #[test]
    fn long_parts_are_folded_under_the_line() {
        let failed = entry(
            Event::SmokeTestFailed,
            Some("2.0"),
            "failed",
            json!({ "failed": ["conversation \"Pays\" failed at turn 2"], "conversations": [{}, {}] }),
        );
        let told = narrate(&failed, "b", "e").expect("a line");
        assert_eq!(told.line, "✖ Smoke test failed: 1 of 2 conversation(s)");
        assert_eq!(
            told.group,
            Some((
                "Failing conversations".to_string(),
                vec!["conversation \"Pays\" failed at turn 2".to_string()]
            ))
        );
    }
}
