//! Deadlines and cancellation, in one layer (SPEC rules 5, 7 and 11): every await that talks
//! to the platform or waits on it runs inside [`Bounds::race`], which ends it at the deadline
//! or at SIGINT/SIGTERM, whichever comes first.

use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How a bounded operation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raced<T> {
    /// It finished in time.
    Done(T),
    /// The deadline passed first.
    TimedOut,
    /// SIGINT/SIGTERM came first.
    Cancelled,
}

/// What may end an operation early: a deadline, and the run's cancellation unless the
/// operation must outlive it (the rollback a cancellation itself started).
#[derive(Debug, Clone)]
pub struct Bounds {
    deadline: Option<Instant>,
    cancel: Option<CancellationToken>,
}

impl Bounds {
    /// Ends at `deadline` or when `cancel` fires.
    pub fn new(deadline: Instant, cancel: &CancellationToken) -> Self {
        Bounds {
            deadline: Some(deadline),
            cancel: Some(cancel.clone()),
        }
    }

    /// Ends at `deadline` only: for what runs after a cancellation, within the runner's grace.
    pub(crate) fn deadline_only(deadline: Instant) -> Self {
        Bounds {
            deadline: Some(deadline),
            cancel: None,
        }
    }

    /// Ends only when `cancel` fires: the checks before the publish, which `timeout-seconds`
    /// (a deadline for the publish) does not bound.
    pub(crate) fn cancel_only(cancel: &CancellationToken) -> Self {
        Bounds {
            deadline: None,
            cancel: Some(cancel.clone()),
        }
    }

    /// `timeout` from now, cancellable as `cancel` says.
    pub(crate) fn from_now(timeout: Duration, cancel: &CancellationToken) -> Self {
        Bounds::new(Instant::now() + timeout, cancel)
    }

    /// The same cancellation without the deadline: for a read whose answer may decide even
    /// when it arrives after the deadline.
    pub(crate) fn ignoring_deadline(&self) -> Self {
        Bounds {
            deadline: None,
            cancel: self.cancel.clone(),
        }
    }

    /// The same deadline without the cancellation: for a request whose answer matters even
    /// after a signal (the rollback's publish, once it is under way).
    pub(crate) fn ignoring_cancel(&self) -> Self {
        Bounds {
            deadline: self.deadline,
            cancel: None,
        }
    }

    /// The deadline, if these bounds have one.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Whether the cancellation these bounds honour has fired.
    pub fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
    }

    /// Runs `operation` until it finishes, the deadline passes or the run is cancelled. A
    /// cancellation that has already fired wins over an operation that would finish at once.
    pub async fn race<F: Future>(&self, operation: F) -> Raced<F::Output> {
        let cancelled = async {
            match &self.cancel {
                Some(token) => token.cancelled().await,
                None => std::future::pending().await,
            }
        };
        let expired = async {
            match self.deadline {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            () = cancelled => Raced::Cancelled,
            () = expired => Raced::TimedOut,
            done = operation => Raced::Done(done),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn an_operation_that_finishes_in_time_is_done() {
        let bounds = Bounds::from_now(Duration::from_secs(5), &CancellationToken::new());
        let raced = bounds
            .race(async {
                tokio::time::sleep(Duration::from_secs(1)).await;
                7
            })
            .await;
        assert_eq!(raced, Raced::Done(7));
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_ends_a_slow_operation() {
        let bounds = Bounds::from_now(Duration::from_secs(5), &CancellationToken::new());
        let raced = bounds
            .race(tokio::time::sleep(Duration::from_secs(60)))
            .await;
        assert_eq!(raced, Raced::TimedOut);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancellation_ends_it_and_wins_over_an_instant_answer() {
        let cancel = CancellationToken::new();
        let bounds = Bounds::from_now(Duration::from_secs(5), &cancel);
        cancel.cancel();
        assert_eq!(bounds.race(async { 1 }).await, Raced::Cancelled);
        assert!(bounds.cancelled());
    }

    #[tokio::test(start_paused = true)]
    async fn deadline_only_bounds_ignore_the_cancellation() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        let bounds = Bounds::deadline_only(Instant::now() + Duration::from_secs(5));
        assert_eq!(bounds.race(async { 1 }).await, Raced::Done(1));
        assert!(!bounds.cancelled());
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_only_bounds_have_no_deadline() {
        let cancel = CancellationToken::new();
        let bounds = Bounds::cancel_only(&cancel);
        let slow = bounds
            .race(tokio::time::sleep(Duration::from_secs(86_400)))
            .await;
        assert_eq!(slow, Raced::Done(()));
        cancel.cancel();
        assert_eq!(bounds.race(async { 1 }).await, Raced::Cancelled);
    }
}
