//! The publish itself: what a lost answer means (rule 4) and what a finished operation
//! proves (rule 6).

use super::versions::{LiveVersion, classify};
use crate::genesys::models::Flow;
use crate::pipeline::plan::Plan;

/// What the flow shows after a publish request whose answer was lost (timeout, 5xx, a
/// broken connection): the publish is never sent again, the read decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterLostAnswer {
    /// A publish operation that is not the one seen before is on the flow: ours. Wait for it.
    Started {
        /// Its id.
        operation_id: String,
    },
    /// No new operation, but the target is live already: wait to confirm it.
    AlreadyLive,
    /// Nothing started and nothing changed.
    NothingStarted,
}

/// Rule 4: decides from the flow as read after the lost answer.
pub fn after_lost_answer(flow: &Flow, plan: &Plan) -> AfterLostAnswer {
    let started = flow
        .current_operation
        .as_ref()
        .filter(|op| op.is_publish() && op.id.is_some() && op.id != plan.stale_operation_id);
    if let Some(operation_id) = started.and_then(|op| op.id.clone()) {
        return AfterLostAnswer::Started { operation_id };
    }
    if classify(flow.published_id(), plan) == LiveVersion::Target {
        AfterLostAnswer::AlreadyLive
    } else {
        AfterLostAnswer::NothingStarted
    }
}

/// What a finished publish operation proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// `SUCCESS` and the target is the published version.
    TargetLive,
    /// The operation ended `FAILURE`.
    PublishFailed,
    /// It ended otherwise (or `SUCCESS`) without the target live.
    DidNotTakeEffect,
}

/// Rule 6: success is the target live after a publish that did not fail. The target becomes
/// the published version only when its publish succeeds, so it proves `SUCCESS` even when
/// the flow already shows someone else's operation instead of ours (finding G); a `FAILURE`
/// on the flow, or another version live, is a failure.
pub fn judge_finished(flow: &Flow, plan: &Plan) -> Judged {
    let op = flow.current_operation.clone().unwrap_or_default();
    if classify(flow.published_id(), plan) == LiveVersion::Target && !op.failed() {
        Judged::TargetLive
    } else if op.failed() {
        Judged::PublishFailed
    } else {
        Judged::DidNotTakeEffect
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::models::{Operation, VersionRef};
    use crate::pipeline::rules::versions::tests::plan;

    fn flow(live: Option<&str>, op: Option<(&str, &str, &str, bool)>) -> Flow {
        Flow {
            id: "bot".into(),
            published_version: live.map(|v| VersionRef {
                id: v.into(),
                name: None,
                ..Default::default()
            }),
            current_operation: op.map(|(id, action, status, complete)| Operation {
                id: Some(id.into()),
                action_name: Some(action.into()),
                action_status: Some(status.into()),
                complete,
                ..Operation::default()
            }),
            ..Flow::default()
        }
    }

    #[test]
    fn a_lost_answer_is_decided_by_what_the_flow_shows() {
        let mut stale = plan("3.0", Some("2.0"));
        stale.stale_operation_id = Some("old".into());
        let cases = [
            (
                flow(Some("2.0"), Some(("new", "PUBLISH", "STARTED", false))),
                AfterLostAnswer::Started {
                    operation_id: "new".into(),
                },
            ),
            (
                flow(Some("2.0"), Some(("old", "PUBLISH", "SUCCESS", true))),
                AfterLostAnswer::NothingStarted,
            ),
            (
                flow(Some("2.0"), Some(("new", "CHECKIN", "SUCCESS", true))),
                AfterLostAnswer::NothingStarted,
            ),
            (flow(Some("3.0"), None), AfterLostAnswer::AlreadyLive),
            (flow(Some("2.0"), None), AfterLostAnswer::NothingStarted),
        ];
        for (flow, expected) in cases {
            assert_eq!(after_lost_answer(&flow, &stale), expected, "{flow:?}");
        }
    }

    #[test]
    fn success_needs_the_target_live_too() {
        let plan = plan("3.0", Some("2.0"));
        let cases = [
            (
                flow(Some("3.0"), Some(("op", "PUBLISH", "SUCCESS", true))),
                Judged::TargetLive,
            ),
            (
                flow(Some("2.0"), Some(("op", "PUBLISH", "SUCCESS", true))),
                Judged::DidNotTakeEffect,
            ),
            (
                flow(Some("4.0"), Some(("op", "PUBLISH", "SUCCESS", true))),
                Judged::DidNotTakeEffect,
            ),
            (
                flow(Some("2.0"), Some(("op", "PUBLISH", "FAILURE", true))),
                Judged::PublishFailed,
            ),
            (
                flow(Some("3.0"), Some(("op", "PUBLISH", "failure", true))),
                Judged::PublishFailed,
            ),
            // Someone else's operation replaced ours after the target went live.
            (
                flow(Some("3.0"), Some(("v", "VALIDATE", "SUCCESS", true))),
                Judged::TargetLive,
            ),
            (
                flow(Some("3.0"), Some(("c", "CHECKOUT", "STARTED", false))),
                Judged::TargetLive,
            ),
            (flow(Some("3.0"), None), Judged::TargetLive),
            (flow(Some("2.0"), None), Judged::DidNotTakeEffect),
        ];
        for (flow, expected) in cases {
            assert_eq!(judge_finished(&flow, &plan), expected, "{flow:?}");
        }
    }
}
