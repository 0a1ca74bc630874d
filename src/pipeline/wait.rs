//! Waiting for an Architect operation to finish: learning of changes from push events and
//! from reads with growing intervals, never past the deadline, one audit line per status
//! change, cancellable at any point. Which operation is ours and when it is done are
//! [`super::rules::wait`]'s decisions.

use super::bounds::{Bounds, Raced};
use super::rules::wait::{Progress, Wanted, next_interval, progress, safety_net_interval};
use super::{Deployment, audit_error};
use crate::audit::{Entry, Event};
use crate::config::WaitMode;
use crate::genesys::ApiError;
use crate::genesys::models::Flow;
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

/// What woke a wait (for an operation here, for a job in `jobs.rs`).
pub(super) enum Wake {
    /// Time for the next read.
    Read,
    /// The notification socket said something (`None`: its reader stopped).
    Push(Option<Signal>),
}

/// Where the wait stands between two looks at the flow.
struct Watch {
    /// The pause the next poll would take.
    interval: Duration,
    /// When the next read is due.
    next_read: Instant,
    /// The last status recorded, so each change gets one audit line.
    last_status: Option<String>,
    /// Set when the socket said the operation finished: the next read confirms it.
    confirming: bool,
}

/// Waits for the next push signal; never resolves without a socket.
async fn next_signal(push: &mut Option<FlowEvents>) -> Option<Signal> {
    match push {
        Some(events) => events.next().await,
        None => std::future::pending().await,
    }
}

/// Whichever comes first: the read due at `next_read`, or a push signal.
pub(super) async fn next_wake(next_read: Instant, push: &mut Option<FlowEvents>) -> Wake {
    tokio::select! {
        () = tokio::time::sleep_until(next_read) => Wake::Read,
        signal = next_signal(push) => Wake::Push(signal),
    }
}

/// An instant that never comes in a run: where `Instant + Duration::MAX` would overflow.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400 * 365)
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
        wanted: Wanted<'_>,
        bounds: &Bounds,
    ) -> Result<Waited, ApiError> {
        let started = Instant::now();
        let mut interval = self.config.poll_interval;
        let first = self.next_read_pause(&mut interval);
        let mut watch = Watch {
            interval,
            next_read: started.checked_add(first).unwrap_or_else(far_future),
            last_status: None,
            confirming: false,
        };
        let result = loop {
            let next_read = watch.next_read;
            match bounds.race(next_wake(next_read, &mut self.push)).await {
                Raced::Cancelled => break Ok(Waited::Cancelled),
                Raced::TimedOut => break Ok(Waited::TimedOut),
                Raced::Done(Wake::Push(signal)) => {
                    self.on_push_signal(signal, &wanted, &mut watch);
                    continue;
                }
                Raced::Done(Wake::Read) => {}
            }
            match self.read_for_wait(&wanted, bounds, &mut watch).await {
                Raced::Done(Ok(Some(flow))) => break Ok(Waited::Finished(Box::new(flow))),
                Raced::Done(Ok(None)) => {}
                Raced::Done(Err(error)) => break Err(error),
                Raced::Cancelled => break Ok(Waited::Cancelled),
                Raced::TimedOut => break Ok(Waited::TimedOut),
            }
        };
        self.facts.wait.wait_ms += started.elapsed().as_millis() as u64;
        if let Err(error) = &result {
            audit_error(
                self,
                Event::PublishStatus,
                wanted.version,
                "read_failed",
                error,
            );
        }
        result
    }

    /// What the socket said: an event may show our operation's progress (a finish is
    /// confirmed by a read at once); a reconnect or a lost socket changes when to read.
    fn on_push_signal(&mut self, signal: Option<Signal>, wanted: &Wanted<'_>, watch: &mut Watch) {
        match signal {
            Some(Signal::Flow(flow)) => {
                self.facts.wait.push_events += 1;
                let seen = progress(&flow, wanted);
                if seen.is_done() {
                    watch.confirming = true;
                    watch.next_read = Instant::now();
                }
                self.record_status(wanted, &flow, &seen, "push", &mut watch.last_status);
            }
            // Events may have been missed while the socket was down: read now.
            Some(Signal::Reconnected) => watch.next_read = Instant::now(),
            lost => {
                let why = match lost {
                    Some(Signal::Lost(why)) => why,
                    _ => "the notification reader stopped".to_string(),
                };
                self.push = None;
                self.warn(
                    "Push notifications lost",
                    &format!("{why}; polling from now on"),
                );
                watch.next_read = watch
                    .next_read
                    .min(Instant::now() + self.config.poll_interval);
            }
        }
    }

    /// One read of the flow for the wait: `Some(flow)` once our operation has finished. A
    /// read in flight is not cut by the deadline (the answer may be the one that decides),
    /// only by a cancellation.
    async fn read_for_wait(
        &mut self,
        wanted: &Wanted<'_>,
        bounds: &Bounds,
        watch: &mut Watch,
    ) -> Raced<Result<Option<Flow>, ApiError>> {
        let pause = self.next_read_pause(&mut watch.interval);
        self.facts.wait.polls += 1;
        let read = self.client.get_flow(&self.config.bot_id, bounds.deadline());
        let read = match bounds.ignoring_deadline().race(read).await {
            Raced::Done(read) => read,
            Raced::Cancelled => return Raced::Cancelled,
            Raced::TimedOut => return Raced::TimedOut,
        };
        // The pause runs from the answer, not the request: a slow answer (or its retries)
        // is not followed at once by another read. This is also the schedule polling had
        // before push existed, so `wait-mode: poll` reads exactly when it always did.
        watch.next_read = Instant::now().checked_add(pause).unwrap_or_else(far_future);
        let flow = match read {
            Ok(answer) => answer.body,
            // Refused, gone or deleted: reading again cannot help.
            Err(error) if matches!(error.status(), Some(401 | 403 | 404 | 410)) => {
                return Raced::Done(Err(error));
            }
            Err(error) => {
                tracing::warn!("status read failed, will read again: {error}");
                return Raced::Done(Ok(None));
            }
        };
        let source = if watch.confirming { "push" } else { "poll" };
        let seen = progress(&flow, wanted);
        self.record_status(wanted, &flow, &seen, source, &mut watch.last_status);
        if seen.is_done() {
            self.facts.decided_by = Some(source);
            return Raced::Done(Ok(Some(flow)));
        }
        if watch.confirming && seen != Progress::Unrelated {
            // The read lags the event: look again soon rather than at the safety net.
            watch.next_read = Instant::now() + self.config.poll_interval;
        }
        Raced::Done(Ok(None))
    }

    /// One audit line per change of status, saying where it was seen. A target seen live
    /// while the flow shows another operation is the status `TARGET_LIVE`.
    fn record_status(
        &self,
        wanted: &Wanted<'_>,
        flow: &Flow,
        seen: &Progress<'_>,
        source: &'static str,
        last_status: &mut Option<String>,
    ) {
        let (status, op) = match seen {
            Progress::Finished(op) | Progress::Running(op) => (op.status(), Some(*op)),
            Progress::TargetLive(op) => ("TARGET_LIVE", *op),
            Progress::Unrelated => return,
        };
        if last_status.as_deref() == Some(status) {
            return;
        }
        self.audit.record(Entry {
            event: Event::PublishStatus,
            version: Some(wanted.version),
            status,
            details: Some(json!({
                "operation_id": op.and_then(|op| op.id.as_deref()),
                "action": op.and_then(|op| op.action_name.as_ref()),
                "complete": op.is_some_and(|op| op.complete),
                "live_version": flow.published_id(),
                "decided_by": source,
            })),
            correlation_id: None,
        });
        *last_status = Some(status.to_string());
    }
}
