//! Waiting for an Architect operation to finish: reads with growing intervals, never past
//! the deadline, one audit line per status change, cancellable at any point.

use super::{Deployment, audit_error};
use crate::audit::{Entry, event};
use crate::config::WaitMode;
use crate::genesys::ApiError;
use crate::genesys::models::{Flow, Operation};
use crate::genesys::notifications::{FlowEvents, Signal};
use serde_json::json;
use std::time::Duration;
use tokio::time::Instant;

/// How a wait ended.
#[derive(Debug)]
pub enum Waited {
    /// The operation finished; the flow as read then.
    Finished(Box<Flow>),
    /// The deadline passed first.
    TimedOut,
    /// SIGINT/SIGTERM arrived.
    Cancelled,
}

/// What to wait for.
#[derive(Debug, Clone, Copy)]
pub struct WaitFor<'a> {
    /// The version the operation is about (for the audit trail).
    pub version: &'a str,
    /// The id the publish answer gave, if any.
    pub operation_id: Option<&'a str>,
    /// The operation the flow showed before we acted: never ours.
    pub stale_operation_id: Option<&'a str>,
    /// Wait for any operation (an operation already running before the publish) rather
    /// than our publish.
    pub any_action: bool,
    /// Stop at SIGINT/SIGTERM. A rollback that runs because of a cancellation must not stop
    /// at the signal that started it; it is bounded by its deadline instead.
    pub honour_cancel: bool,
    /// Give up at this instant.
    pub deadline: Instant,
}

/// Whether `op`, seen on the flow after our request, is the operation we wait for.
///
/// The publish answer's id and `currentOperation.id` are not documented to match
/// (genesys-api.md, open question 2 marked VERIFY), so an operation counts as ours when its id is ours,
/// or when it is a publish that is not the one the flow showed before we published.
pub fn is_ours(op: &Operation, wanted: &WaitFor<'_>) -> bool {
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

/// The next interval: ×1.5 each read, capped, and never past the deadline.
pub fn next_interval(current: Duration, max: Duration) -> Duration {
    current.mul_f64(1.5).min(max)
}

/// How often the safety-net poll reads the flow while push is live (`wait-mode: auto`):
/// twice the largest poll interval, 10 s with the defaults — slow enough to cost next to
/// nothing, quick enough that a missed event costs seconds, never the deadline.
pub fn safety_net_interval(poll_max_interval: Duration) -> Duration {
    poll_max_interval * 2
}

/// What woke the wait.
enum Wake {
    Cancelled,
    Read,
    Push(Option<Signal>),
}

/// Waits for the next push signal; never resolves without a socket.
async fn next_signal(push: &mut Option<FlowEvents>) -> Option<Signal> {
    match push {
        Some(events) => events.next().await,
        None => std::future::pending().await,
    }
}

impl Deployment<'_> {
    /// The pause before the next read: the growing poll interval, or with push live the
    /// slow safety net (`auto`) or nothing but the deadline (`push`).
    fn next_read_pause(&self, interval: &mut Duration) -> Duration {
        if self.push.is_some() {
            return match self.config.wait_mode {
                WaitMode::Push => Duration::MAX,
                _ => safety_net_interval(self.config.poll_max_interval),
            };
        }
        let pause = *interval;
        *interval = next_interval(*interval, self.config.poll_max_interval);
        pause
    }

    /// Waits until the operation finishes, the deadline passes or the run is cancelled,
    /// learning of changes from push events and reads. A finish seen on the socket is
    /// confirmed by one read of the flow, which decides (SPEC rule 6). A read that fails
    /// transiently is skipped: the deadline, not one bad read, ends the wait; a refusal
    /// (401/403/404) ends it.
    pub(super) async fn wait_for_operation(
        &mut self,
        wanted: WaitFor<'_>,
    ) -> Result<Waited, ApiError> {
        let started = Instant::now();
        let mut interval = self.config.poll_interval;
        let mut next_read = started
            + self
                .next_read_pause(&mut interval)
                .min(wanted.deadline - started);
        let mut last_status: Option<String> = None;
        // Set when the socket said the operation finished: the next read confirms it.
        let mut confirming = false;
        let cancel = if wanted.honour_cancel {
            self.ctx.cancel.clone()
        } else {
            // A token nobody cancels: the wait is bounded by its deadline alone.
            tokio_util::sync::CancellationToken::new()
        };
        let result = loop {
            if Instant::now() >= wanted.deadline {
                break Ok(Waited::TimedOut);
            }
            let wake = tokio::select! {
                _ = cancel.cancelled() => Wake::Cancelled,
                _ = tokio::time::sleep_until(next_read.min(wanted.deadline)) => Wake::Read,
                signal = next_signal(&mut self.push) => Wake::Push(signal),
            };
            match wake {
                Wake::Cancelled => break Ok(Waited::Cancelled),
                Wake::Push(Some(Signal::Flow(flow))) => {
                    self.report.wait.push_events += 1;
                    if let Some(op) = flow
                        .current_operation
                        .as_ref()
                        .filter(|op| is_ours(op, &wanted))
                    {
                        self.record_status(&wanted, &flow, op, "push", &mut last_status);
                        if op.complete {
                            confirming = true;
                            next_read = Instant::now();
                        }
                    }
                    continue;
                }
                Wake::Push(Some(Signal::Reconnected)) => {
                    // Events may have been missed while the socket was down: read now.
                    next_read = Instant::now();
                    continue;
                }
                Wake::Push(lost) => {
                    let why = match lost {
                        Some(Signal::Lost(why)) => why,
                        _ => "the notification reader stopped".to_string(),
                    };
                    self.push = None;
                    self.warn(
                        "Push notifications lost",
                        &format!("{why}; polling from now on"),
                    );
                    next_read = next_read.min(Instant::now() + self.config.poll_interval);
                    continue;
                }
                Wake::Read => {}
            }
            if Instant::now() >= wanted.deadline {
                break Ok(Waited::TimedOut);
            }
            let pause = self.next_read_pause(&mut interval);
            self.report.wait.polls += 1;
            let read = tokio::select! {
                _ = cancel.cancelled() => break Ok(Waited::Cancelled),
                read = self.client.get_flow(&self.config.bot_id, Some(wanted.deadline)) => read,
            };
            // The pause runs from the answer, not the request: a slow answer (or its retries)
            // is not followed at once by another read. This is also the schedule polling had
            // before push existed, so `wait-mode: poll` reads exactly when it always did.
            next_read = Instant::now().checked_add(pause).unwrap_or(wanted.deadline);
            let flow = match read {
                Ok(answer) => answer.body,
                Err(error) if matches!(error.status(), Some(401 | 403 | 404)) => break Err(error),
                Err(error) => {
                    tracing::warn!("status read failed, will read again: {error}");
                    continue;
                }
            };
            let Some(op) = flow
                .current_operation
                .as_ref()
                .filter(|op| is_ours(op, &wanted))
            else {
                continue;
            };
            let source = if confirming { "push" } else { "poll" };
            self.record_status(&wanted, &flow, op, source, &mut last_status);
            if op.complete {
                self.report.decided_by = Some(source);
                break Ok(Waited::Finished(Box::new(flow)));
            }
            if confirming {
                // The read lags the event: look again soon rather than at the safety net.
                next_read = Instant::now() + self.config.poll_interval;
            }
        };
        self.report.wait.wait_ms += started.elapsed().as_millis() as u64;
        if let Err(error) = &result {
            audit_error(
                self,
                event::PUBLISH_STATUS,
                wanted.version,
                "read_failed",
                error,
            );
        }
        result
    }

    /// One audit line per change of status, saying where it was seen.
    fn record_status(
        &self,
        wanted: &WaitFor<'_>,
        flow: &Flow,
        op: &Operation,
        source: &'static str,
        last_status: &mut Option<String>,
    ) {
        let status = op.status().to_string();
        if last_status.as_deref() == Some(status.as_str()) {
            return;
        }
        self.audit.record(Entry {
            event: event::PUBLISH_STATUS,
            version: Some(wanted.version),
            status: &status,
            details: Some(json!({
                "operation_id": op.id,
                "action": op.action_name,
                "complete": op.complete,
                "live_version": flow.published_id(),
                "decided_by": source,
            })),
            correlation_id: None,
        });
        *last_status = Some(status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: Option<&str>, action: &str) -> Operation {
        Operation {
            id: id.map(str::to_string),
            action_name: Some(action.into()),
            ..Operation::default()
        }
    }

    fn wanted<'a>(ours: Option<&'a str>, stale: Option<&'a str>) -> WaitFor<'a> {
        WaitFor {
            version: "3.0",
            operation_id: ours,
            stale_operation_id: stale,
            any_action: false,
            honour_cancel: true,
            deadline: Instant::now(),
        }
    }

    #[test]
    fn our_operation_is_recognised_by_id() {
        assert!(is_ours(
            &op(Some("a"), "PUBLISH"),
            &wanted(Some("a"), Some("old"))
        ));
    }

    #[test]
    fn the_operation_seen_before_publishing_is_never_ours() {
        assert!(!is_ours(
            &op(Some("old"), "PUBLISH"),
            &wanted(Some("a"), Some("old"))
        ));
        assert!(!is_ours(
            &op(Some("old"), "PUBLISH"),
            &wanted(None, Some("old"))
        ));
    }

    #[test]
    fn a_new_publish_with_another_id_counts_as_ours() {
        assert!(is_ours(
            &op(Some("b"), "PUBLISH"),
            &wanted(Some("a"), Some("old"))
        ));
        assert!(is_ours(&op(None, "PUBLISH"), &wanted(Some("a"), None)));
    }

    #[test]
    fn other_actions_are_not_a_publish() {
        assert!(!is_ours(
            &op(Some("a"), "CHECKIN"),
            &wanted(Some("a"), None)
        ));
        let mut any = wanted(None, None);
        any.any_action = true;
        assert!(is_ours(&op(Some("x"), "CHECKIN"), &any));
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
    }
}
