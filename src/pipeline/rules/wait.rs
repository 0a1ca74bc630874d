//! Waiting for an operation (rule 5, with `Retry-After` and jitter in `crate::retry`): which
//! operation is ours, when a read proves it finished, and how long to pause between reads.

use crate::genesys::models::{Flow, Operation};
use std::time::Duration;

/// The operation a wait is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted<'a> {
    /// The version the operation is about: the one a publish makes live.
    pub version: &'a str,
    /// The version live before the operation, if any.
    pub live_before: Option<&'a str>,
    /// The id the publish answer gave, if any.
    pub operation_id: Option<&'a str>,
    /// The operation the flow showed before we acted: never ours.
    pub stale_operation_id: Option<&'a str>,
    /// Wait for any operation (one already running before the publish) rather than our
    /// publish.
    pub any_action: bool,
}

/// Whether `op`, seen on the flow after our request, is the operation we wait for.
///
/// The publish answer's id and `currentOperation.id` are not documented to match, so an
/// operation counts as ours when its id is ours, or when it is a publish that is not the one
/// the flow showed before we published.
pub(crate) fn is_ours(op: &Operation, wanted: &Wanted<'_>) -> bool {
    if wanted.any_action {
        return true;
    }
    if !op.is_publish() {
        return false;
    }
    match (
        op.id.as_deref(),
        wanted.operation_id,
        wanted.stale_operation_id,
    ) {
        (Some(id), Some(ours), _) if id == ours => true,
        (Some(id), _, Some(stale)) if id == stale => false,
        _ => true,
    }
}

/// What one look at the flow (a read, or a pushed event) says about the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'f> {
    /// Our operation, finished.
    Finished(&'f Operation),
    /// The version we publish became the published one, while `currentOperation` shows
    /// another operation (someone validated or opened the flow right after our publish,
    /// finding G): our publish is done.
    TargetLive(Option<&'f Operation>),
    /// Our operation, still running.
    Running(&'f Operation),
    /// Nothing of ours on the flow (yet).
    Unrelated,
}

impl Progress<'_> {
    /// Whether the wait is over.
    pub(crate) fn is_done(&self) -> bool {
        matches!(self, Progress::Finished(_) | Progress::TargetLive(_))
    }
}

/// Reads the flow for the wait: `currentOperation` first, then whether the version we
/// publish became the published one (a publish ends with that move, whatever operation the
/// flow shows by the time we look).
pub fn progress<'f>(flow: &'f Flow, wanted: &Wanted<'_>) -> Progress<'f> {
    let ours = flow
        .current_operation
        .as_ref()
        .filter(|op| is_ours(op, wanted));
    let moved_to_target = !wanted.any_action
        && flow.published_id() == Some(wanted.version)
        && wanted.live_before != Some(wanted.version);
    match ours {
        Some(op) if op.complete => Progress::Finished(op),
        _ if moved_to_target => Progress::TargetLive(flow.current_operation.as_ref()),
        Some(op) => Progress::Running(op),
        None => Progress::Unrelated,
    }
}

/// The next interval: ×1.5 each read, capped.
pub fn next_interval(current: Duration, max: Duration) -> Duration {
    current.mul_f64(1.5).min(max)
}

/// How often the safety-net poll reads the flow while push is live (`wait-mode: auto`):
/// twice the largest poll interval, 10 s with the defaults — slow enough to cost next to
/// nothing, quick enough that a missed event costs seconds, never the deadline.
pub(crate) fn safety_net_interval(poll_max_interval: Duration) -> Duration {
    poll_max_interval * 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: Option<&str>, action: &str, complete: bool) -> Operation {
        Operation {
            id: id.map(str::to_string),
            action_name: Some(action.into()),
            complete,
            ..Operation::default()
        }
    }

    fn wanted<'a>(ours: Option<&'a str>, stale: Option<&'a str>, any_action: bool) -> Wanted<'a> {
        Wanted {
            version: "3.0",
            live_before: Some("2.0"),
            operation_id: ours,
            stale_operation_id: stale,
            any_action,
        }
    }

    #[test]
    fn which_operation_is_ours() {
        let cases = [
            // Our id.
            (
                op(Some("a"), "PUBLISH", false),
                wanted(Some("a"), Some("old"), false),
                true,
            ),
            // The operation seen before publishing is never ours.
            (
                op(Some("old"), "PUBLISH", true),
                wanted(Some("a"), Some("old"), false),
                false,
            ),
            (
                op(Some("old"), "PUBLISH", true),
                wanted(None, Some("old"), false),
                false,
            ),
            // A new publish with another id counts as ours (ids are not documented to match).
            (
                op(Some("b"), "PUBLISH", false),
                wanted(Some("a"), Some("old"), false),
                true,
            ),
            (
                op(None, "PUBLISH", false),
                wanted(Some("a"), None, false),
                true,
            ),
            // Other actions are not a publish...
            (
                op(Some("a"), "CHECKIN", true),
                wanted(Some("a"), None, false),
                false,
            ),
            // ...unless any operation will do.
            (
                op(Some("x"), "CHECKIN", true),
                wanted(None, None, true),
                true,
            ),
        ];
        for (op, wanted, expected) in cases {
            assert_eq!(is_ours(&op, &wanted), expected, "{op:?} for {wanted:?}");
        }
    }

    #[test]
    fn a_look_at_the_flow_shows_finished_target_live_running_or_nothing_of_ours() {
        #[derive(Debug, PartialEq)]
        enum Seen {
            Finished,
            TargetLive,
            Running,
            Unrelated,
        }
        let flow = |live: &str, op: Option<Operation>| Flow {
            id: "bot".into(),
            published_version: Some(crate::genesys::models::VersionRef {
                id: live.into(),
                name: None,
                ..Default::default()
            }),
            current_operation: op,
            ..Flow::default()
        };
        let ours = wanted(Some("a"), Some("old"), false);
        let any = wanted(None, None, true);
        let mut target_was_live = ours;
        target_was_live.live_before = Some("3.0");
        let cases = [
            (
                flow("3.0", Some(op(Some("a"), "PUBLISH", true))),
                ours,
                Seen::Finished,
            ),
            (
                flow("2.0", Some(op(Some("a"), "PUBLISH", false))),
                ours,
                Seen::Running,
            ),
            (
                flow("2.0", Some(op(Some("old"), "PUBLISH", true))),
                ours,
                Seen::Unrelated,
            ),
            (flow("2.0", None), ours, Seen::Unrelated),
            // Finding G: someone validated the flow after our publish went live.
            (
                flow("3.0", Some(op(Some("v"), "VALIDATE", true))),
                ours,
                Seen::TargetLive,
            ),
            (
                flow("3.0", Some(op(Some("c"), "CHECKOUT", false))),
                ours,
                Seen::TargetLive,
            ),
            (flow("3.0", None), ours, Seen::TargetLive),
            // Not when the target was live before, nor when any operation will do.
            (
                flow("3.0", Some(op(Some("v"), "VALIDATE", true))),
                target_was_live,
                Seen::Unrelated,
            ),
            (
                flow("3.0", Some(op(Some("v"), "VALIDATE", false))),
                any,
                Seen::Running,
            ),
        ];
        for (flow, wanted, expected) in cases {
            let seen = match progress(&flow, &wanted) {
                Progress::Finished(_) => Seen::Finished,
                Progress::TargetLive(_) => Seen::TargetLive,
                Progress::Running(_) => Seen::Running,
                Progress::Unrelated => Seen::Unrelated,
            };
            assert_eq!(seen, expected, "{flow:?} for {wanted:?}");
        }
    }

    #[test]
    fn intervals_grow_by_half_and_cap() {
        let max = Duration::from_secs(5);
        let mut i = Duration::from_secs(1);
        let mut seen = Vec::new();
        for _ in 0..6 {
            seen.push(i.as_millis());
            i = next_interval(i, max);
        }
        assert_eq!(seen, [1000, 1500, 2250, 3375, 5000, 5000]);
        assert_eq!(safety_net_interval(max), Duration::from_secs(10));
    }
}
