//! Rule 8: roll back only what is really live, and only count a rollback that reads back.

use super::versions::LiveVersion;
use crate::genesys::models::Flow;

/// What a failed run does about the live version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterFailure {
    /// The version live before is still live: nothing to undo.
    NothingToUndo,
    /// A third version is live: someone else published meanwhile. Touch nothing.
    SomeoneElsePublished,
    /// The target is live but `rollback: false`: report it and leave it.
    LeaveTargetLive,
    /// The target is live and nothing was live before it: there is nothing to go back to.
    NothingToRollBackTo,
    /// Publish this version again.
    RollBackTo(String),
}

/// Decides from what is live, whether rollback is on, and the recorded previous version.
pub fn after_failure(live: LiveVersion, rollback: bool, previous: Option<&str>) -> AfterFailure {
    match (live, rollback, previous) {
        (LiveVersion::AsBefore, _, _) => AfterFailure::NothingToUndo,
        (LiveVersion::Other, _, _) => AfterFailure::SomeoneElsePublished,
        (LiveVersion::Target, false, _) => AfterFailure::LeaveTargetLive,
        (LiveVersion::Target, true, None) => AfterFailure::NothingToRollBackTo,
        (LiveVersion::Target, true, Some(previous)) => AfterFailure::RollBackTo(previous.into()),
    }
}

/// What the read after a rollback's publish shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackCheck {
    /// The previous version is live again.
    Confirmed,
    /// The rollback's publish is still running.
    StillRunning {
        /// Its status.
        status: String,
    },
    /// It ended with an error message.
    Failed {
        /// Its status.
        status: String,
        /// The platform's message.
        message: String,
    },
    /// It ended `SUCCESS` with a version new to the run live, published by this client: a
    /// republish may number the old content anew (finding F). It counts once that version's
    /// content proves equal to the previous version's.
    NewVersion {
        /// The version live now.
        version: String,
    },
    /// It ended, and another version is live.
    OtherLive {
        /// The live version, if any.
        live: Option<String>,
    },
}

/// Rule 8's proof: the rollback counts only when `previous` reads back as live, or a new
/// version our republish made live (to be compared by content). `from` is the version the
/// rollback replaces; `client_id` this run's OAuth client.
pub fn check(flow: &Flow, previous: &str, from: &str, client_id: &str) -> RollbackCheck {
    let live = flow.published_id();
    if live == Some(previous) {
        return RollbackCheck::Confirmed;
    }
    let op = flow.current_operation.clone().unwrap_or_default();
    let by_us = op
        .client
        .as_ref()
        .and_then(|c| c.id.as_deref())
        .is_none_or(|id| id == client_id);
    if let Some(version) = live.filter(|v| *v != from && op.succeeded() && by_us) {
        return RollbackCheck::NewVersion {
            version: version.to_string(),
        };
    }
    match (op.complete, op.error_message) {
        (false, _) => RollbackCheck::StillRunning {
            status: op
                .action_status
                .map_or_else(|| "running".into(), |s| s.to_string()),
        },
        (true, Some(message)) => RollbackCheck::Failed {
            status: op
                .action_status
                .map_or_else(|| "?".into(), |s| s.to_string()),
            message,
        },
        (true, None) => RollbackCheck::OtherLive {
            live: flow.published_id().map(str::to_string),
        },
    }
}

impl RollbackCheck {
    /// Why an unconfirmed rollback failed, in a clause.
    pub fn reason(&self) -> String {
        match self {
            RollbackCheck::Confirmed => "it is confirmed".into(),
            RollbackCheck::StillRunning { status } => {
                format!("the rollback publish is still {status}")
            }
            RollbackCheck::Failed { status, message } => {
                format!("the rollback publish ended {status}: {message}")
            }
            RollbackCheck::NewVersion { version } => {
                format!("version {version} went live, whose content is not yet compared")
            }
            RollbackCheck::OtherLive { live } => {
                format!(
                    "version {} is live instead",
                    live.as_deref().unwrap_or("none")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::models::{Operation, VersionRef};

    #[test]
    fn only_a_live_target_is_rolled_back() {
        use LiveVersion::*;
        let cases = [
            (AsBefore, true, Some("2.0"), AfterFailure::NothingToUndo),
            (AsBefore, false, None, AfterFailure::NothingToUndo),
            (Other, true, Some("2.0"), AfterFailure::SomeoneElsePublished),
            (Target, false, Some("2.0"), AfterFailure::LeaveTargetLive),
            (Target, true, None, AfterFailure::NothingToRollBackTo),
            (
                Target,
                true,
                Some("2.0"),
                AfterFailure::RollBackTo("2.0".into()),
            ),
        ];
        for (live, rollback, previous, expected) in cases {
            assert_eq!(
                after_failure(live, rollback, previous),
                expected,
                "{live:?}, rollback {rollback}, previous {previous:?}"
            );
        }
    }

    fn read(live: &str, complete: bool, status: &str, message: Option<&str>) -> Flow {
        Flow {
            id: "bot".into(),
            published_version: Some(VersionRef {
                id: live.into(),
                name: None,
                ..Default::default()
            }),
            current_operation: Some(Operation {
                complete,
                action_name: Some("PUBLISH".into()),
                action_status: Some(status.into()),
                error_message: message.map(str::to_string),
                ..Operation::default()
            }),
            ..Flow::default()
        }
    }

    fn by(mut flow: Flow, client: &str) -> Flow {
        if let Some(op) = flow.current_operation.as_mut() {
            op.client = Some(crate::genesys::models::EntityRef {
                id: Some(client.into()),
                name: None,
            });
        }
        flow
    }

    #[test]
    fn a_rollback_counts_only_when_the_previous_version_reads_back() {
        let cases = [
            (
                read("2.0", true, "SUCCESS", None),
                RollbackCheck::Confirmed,
                "it is confirmed",
            ),
            (
                read("3.0", false, "PENDING_GENERATION", None),
                RollbackCheck::StillRunning {
                    status: "PENDING_GENERATION".into(),
                },
                "the rollback publish is still PENDING_GENERATION",
            ),
            (
                read("3.0", true, "FAILURE", Some("boom")),
                RollbackCheck::Failed {
                    status: "FAILURE".into(),
                    message: "boom".into(),
                },
                "the rollback publish ended FAILURE: boom",
            ),
            // A new version our republish made live: its content decides.
            (
                read("4.0", true, "SUCCESS", None),
                RollbackCheck::NewVersion {
                    version: "4.0".into(),
                },
                "version 4.0 went live, whose content is not yet compared",
            ),
            // The version the rollback replaces is still live: nothing new to compare.
            (
                read("3.0", true, "SUCCESS", None),
                RollbackCheck::OtherLive {
                    live: Some("3.0".into()),
                },
                "version 3.0 is live instead",
            ),
            // Published by another client: not our republish.
            (
                by(read("4.0", true, "SUCCESS", None), "someone-else"),
                RollbackCheck::OtherLive {
                    live: Some("4.0".into()),
                },
                "version 4.0 is live instead",
            ),
            (
                by(read("4.0", true, "SUCCESS", None), "ci"),
                RollbackCheck::NewVersion {
                    version: "4.0".into(),
                },
                "version 4.0 went live, whose content is not yet compared",
            ),
        ];
        for (flow, expected, reason) in cases {
            let checked = check(&flow, "2.0", "3.0", "ci");
            assert_eq!(checked, expected);
            assert_eq!(checked.reason(), reason);
        }
    }
}
