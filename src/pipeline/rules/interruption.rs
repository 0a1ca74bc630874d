//! After a timeout (rule 7) or a cancellation (rule 11) the flow is read once, and that read
//! decides: a publish still running means nobody can know yet; otherwise what is live does.

use super::versions::{LiveVersion, classify};
use crate::genesys::models::Flow;
use crate::pipeline::plan::Plan;

/// What the read after an interruption shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    /// Our publish is still running and the target is not live: it may still go live.
    StillRunning {
        /// The operation's id, when the flow or the publish answer gave one.
        operation_id: Option<String>,
        /// Its status now.
        status: String,
    },
    /// The operation has ended (or never started): what is live decides, as after any failure.
    Live(LiveVersion),
}

/// Rules 7 and 11: `flow` is the read after the deadline or the signal; `operation_id` the
/// publish answer's id, if any.
pub fn settle(flow: &Flow, plan: &Plan, operation_id: Option<&str>) -> Settle {
    let live = classify(flow.published_id(), plan);
    let running = flow
        .current_operation
        .as_ref()
        .filter(|op| op.is_publish() && !op.complete);
    match running {
        Some(op) if live != LiveVersion::Target => Settle::StillRunning {
            operation_id: op.id.clone().or_else(|| operation_id.map(str::to_string)),
            status: op.status().to_string(),
        },
        _ => Settle::Live(live),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::models::{Operation, VersionRef};
    use crate::pipeline::rules::versions::tests::plan;

    fn flow(live: &str, running: Option<&str>, action: &str) -> Flow {
        Flow {
            id: "bot".into(),
            published_version: Some(VersionRef {
                id: live.into(),
                name: None,
                ..Default::default()
            }),
            current_operation: Some(Operation {
                id: running.map(str::to_string),
                action_name: Some(action.into()),
                action_status: Some(
                    if running.is_some() {
                        "PENDING_GENERATION"
                    } else {
                        "SUCCESS"
                    }
                    .into(),
                ),
                complete: running.is_none(),
                ..Operation::default()
            }),
            ..Flow::default()
        }
    }

    #[test]
    fn one_read_settles_a_timeout_or_a_cancellation() {
        let plan = plan("3.0", Some("2.0"));
        let running = |id: Option<&str>| Settle::StillRunning {
            operation_id: id.map(str::to_string),
            status: "PENDING_GENERATION".into(),
        };
        let cases = [
            (
                flow("2.0", Some("op"), "PUBLISH"),
                None,
                running(Some("op")),
            ),
            (
                flow("2.0", Some("op"), "PUBLISH"),
                Some("mine"),
                running(Some("op")),
            ),
            (
                flow("3.0", Some("op"), "PUBLISH"),
                None,
                Settle::Live(LiveVersion::Target),
            ),
            (
                flow("2.0", None, "PUBLISH"),
                None,
                Settle::Live(LiveVersion::AsBefore),
            ),
            (
                flow("3.0", None, "PUBLISH"),
                None,
                Settle::Live(LiveVersion::Target),
            ),
            (
                flow("4.0", None, "PUBLISH"),
                None,
                Settle::Live(LiveVersion::Other),
            ),
            // Someone validating the flow is not our publish running.
            (
                flow("2.0", Some("op"), "VALIDATE"),
                None,
                Settle::Live(LiveVersion::AsBefore),
            ),
        ];
        for (flow, answered, expected) in cases {
            assert_eq!(settle(&flow, &plan, answered), expected, "{flow:?}");
        }
        let mut no_id = flow("2.0", Some("x"), "PUBLISH");
        if let Some(op) = no_id.current_operation.as_mut() {
            op.id = None;
        }
        assert_eq!(settle(&no_id, &plan, Some("mine")), running(Some("mine")));
    }
}
