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
    /// It ended, and another version is live.
    OtherLive {
        /// The live version, if any.
        live: Option<String>,
    },
}

/// Rule 8's proof: the rollback counts only when `previous` reads back as live.
pub fn check(flow: &Flow, previous: &str) -> RollbackCheck {
    if flow.published_id() == Some(previous) {
        return RollbackCheck::Confirmed;
    }
    let op = flow.current_operation.clone().unwrap_or_default();
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
            (
                read("4.0", true, "SUCCESS", None),
                RollbackCheck::OtherLive {
                    live: Some("4.0".into()),
                },
                "version 4.0 is live instead",
            ),
        ];
        for (flow, expected, reason) in cases {
            let checked = check(&flow, "2.0");
            assert_eq!(checked, expected);
            assert_eq!(checked.reason(), reason);
        }
    }
}
