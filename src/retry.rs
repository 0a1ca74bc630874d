//! When to retry a request and how long to wait first: pure, tested decisions. The client
//! in `genesys::client` (and the token request in `genesys::auth`) does the I/O and asks
//! [`decide`] after every failed attempt.

use std::time::{Duration, SystemTime};

/// How a request may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPolicy {
    /// Requests that are harmless to repeat (reads, and writes like a new session or a
    /// channel): retry 429, 5xx (not 501), timeouts, broken connections, bad bodies.
    Idempotent,
    /// Writes that must not run twice (publish): retry only when the request provably was
    /// not processed — a 429, or no connection at all (SPEC rule 4).
    NotProcessedOnly,
}

/// How one attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptFailure {
    /// An HTTP error status, with the server's `Retry-After` if it gave one.
    Status {
        /// The status.
        status: u16,
        /// `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// No connection could be made: the request never left.
    NotSent,
    /// Timed out or broke after sending: it may have been processed.
    MaybeProcessed,
    /// A success status whose body could not be read as expected.
    Undecodable,
    /// An answer larger than the Action reads: a retry would not shrink it.
    TooLarge,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Try again: after `Retry-After` if the server gave one, else after backoff.
    Retry {
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// The token was refused (401): get a new one and try again, once.
    RefreshToken,
    /// Retrying cannot help, or could do harm.
    GiveUp,
}

/// Decides, for a request with `policy`, what to do after `failure`. A 429 is retried
/// whatever the policy: the platform did not process the request.
pub fn decide(policy: RetryPolicy, failure: AttemptFailure) -> Decision {
    let idempotent = policy == RetryPolicy::Idempotent;
    match failure {
        AttemptFailure::Status { status: 401, .. } => Decision::RefreshToken,
        AttemptFailure::Status {
            status,
            retry_after,
        } => match classify_status(status, retry_after) {
            Retryable::Transient { retry_after } if idempotent || status == 429 => {
                Decision::Retry { retry_after }
            }
            _ => Decision::GiveUp,
        },
        AttemptFailure::NotSent => Decision::Retry { retry_after: None },
        AttemptFailure::MaybeProcessed | AttemptFailure::Undecodable if idempotent => {
            Decision::Retry { retry_after: None }
        }
        AttemptFailure::MaybeProcessed | AttemptFailure::Undecodable | AttemptFailure::TooLarge => {
            Decision::GiveUp
        }
    }
}

/// What an answer or a transport failure means for a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retryable {
    /// Try again: after `Retry-After` if the server gave one, else after backoff.
    Transient {
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help.
    Fatal,
}

/// Classifies an HTTP status. 429 and every 5xx except 501 are transient, as in the
/// official SDKs' retry policy (genesys-api.md §4).
pub(crate) fn classify_status(status: u16, retry_after: Option<Duration>) -> Retryable {
    match status {
        429 => Retryable::Transient { retry_after },
        501 => Retryable::Fatal,
        500..=599 => Retryable::Transient { retry_after },
        _ => Retryable::Fatal,
    }
}

/// Parses `Retry-After`: seconds (Genesys sends whole seconds; decimals are tolerated) or an
/// HTTP date. `None` for anything else, so a garbled header falls back to backoff.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let secs: f64 = v.parse().ok()?;
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Capped exponential backoff with jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay before the first retry (before jitter).
    pub base: Duration,
    /// Largest delay (before jitter).
    pub max: Duration,
}

impl Backoff {
    /// The ceiling for retry number `attempt` (0-based): `base · 2^attempt`, capped.
    pub(crate) fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(20));
        self.base.saturating_mul(factor).min(self.max)
    }

    /// The delay before retry `attempt`: "equal jitter", half the ceiling plus a random part
    /// of the other half, so concurrent clients spread out but never retry at once.
    /// `unit` is a random number in `[0, 1)`.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let ceiling = self.ceiling(attempt);
        let half = ceiling / 2;
        half + half.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// How long to wait before the next try: the server's `Retry-After` wins, with a little
/// jitter on top so clients told the same second do not all return at once; otherwise
/// backoff.
pub(crate) fn retry_delay(
    attempt: u32,
    retry_after: Option<Duration>,
    backoff: &Backoff,
    unit: f64,
) -> Duration {
    match retry_after {
        Some(after) => {
            let spread = (after / 20).min(Duration::from_millis(250));
            after + spread.mul_f64(unit.clamp(0.0, 1.0))
        }
        None => backoff.delay(attempt, unit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! classification {
        ($($name:ident: $status:expr => $expected:expr,)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(classify_status($status, None), $expected);
            }
        )*};
    }

    const TRANSIENT: Retryable = Retryable::Transient { retry_after: None };

    classification! {
        too_many_requests_is_transient: 429 => TRANSIENT,
        internal_error_is_transient: 500 => TRANSIENT,
        bad_gateway_is_transient: 502 => TRANSIENT,
        unavailable_is_transient: 503 => TRANSIENT,
        gateway_timeout_is_transient: 504 => TRANSIENT,
        not_implemented_is_fatal: 501 => Retryable::Fatal,
        bad_request_is_fatal: 400 => Retryable::Fatal,
        unauthorised_is_fatal: 401 => Retryable::Fatal,
        forbidden_is_fatal: 403 => Retryable::Fatal,
        not_found_is_fatal: 404 => Retryable::Fatal,
        conflict_is_fatal: 409 => Retryable::Fatal,
    }

    #[test]
    fn what_to_do_after_each_failure_under_each_policy() {
        use AttemptFailure::*;
        use Decision::{GiveUp, RefreshToken, Retry};
        use RetryPolicy::{Idempotent, NotProcessedOnly};
        let after = Some(Duration::from_secs(42));
        let status = |status| Status {
            status,
            retry_after: None,
        };
        let again = Retry { retry_after: None };
        let cases = [
            (Idempotent, status(503), again),
            (NotProcessedOnly, status(503), GiveUp),
            (
                Idempotent,
                Status {
                    status: 429,
                    retry_after: after,
                },
                Retry { retry_after: after },
            ),
            (
                NotProcessedOnly,
                Status {
                    status: 429,
                    retry_after: after,
                },
                Retry { retry_after: after },
            ),
            (Idempotent, status(501), GiveUp),
            (Idempotent, status(404), GiveUp),
            (NotProcessedOnly, status(409), GiveUp),
            (Idempotent, status(401), RefreshToken),
            (NotProcessedOnly, status(401), RefreshToken),
            (Idempotent, NotSent, again),
            (NotProcessedOnly, NotSent, again),
            (Idempotent, MaybeProcessed, again),
            (NotProcessedOnly, MaybeProcessed, GiveUp),
            (Idempotent, Undecodable, again),
            (NotProcessedOnly, Undecodable, GiveUp),
            (Idempotent, TooLarge, GiveUp),
        ];
        for (policy, failure, expected) in cases {
            assert_eq!(
                decide(policy, failure),
                expected,
                "{policy:?} after {failure:?}"
            );
        }
    }

    #[test]
    fn keeps_retry_after_on_429() {
        let after = Some(Duration::from_secs(42));
        assert_eq!(
            classify_status(429, after),
            Retryable::Transient { retry_after: after }
        );
    }

    #[test]
    fn parses_retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("42", now), Some(Duration::from_secs(42)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("0.25", now),
            Some(Duration::from_millis(250))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        for bad in ["", "soon", "-1", "1e3", "1.2.3"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn backoff_grows_then_caps() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        let ceilings: Vec<u128> = (0..6).map(|a| b.ceiling(a).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(1));
    }

    #[test]
    fn jitter_stays_between_half_and_full_ceiling() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        assert_eq!(b.delay(2, 0.0), Duration::from_millis(200));
        assert_eq!(b.delay(2, 1.0), Duration::from_millis(400));
        assert_eq!(b.delay(2, 0.5), Duration::from_millis(300));
        assert_eq!(b.delay(2, 7.0), Duration::from_millis(400));
    }

    #[test]
    fn retry_after_wins_over_backoff_with_small_jitter() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        let after = Some(Duration::from_secs(2));
        assert_eq!(retry_delay(5, after, &b, 0.0), Duration::from_secs(2));
        assert_eq!(retry_delay(5, after, &b, 1.0), Duration::from_millis(2100));
        let long = Some(Duration::from_secs(58));
        assert_eq!(retry_delay(0, long, &b, 1.0), Duration::from_millis(58_250));
        assert_eq!(retry_delay(1, None, &b, 0.0), Duration::from_millis(100));
    }
}
