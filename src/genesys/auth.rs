//! OAuth client credentials at `login.<domain>/oauth/token`: fetched once, masked the
//! moment it arrives, refreshed before it expires and once after a 401.

use secrecy::SecretString;
use std::time::Duration;
use tokio::time::Instant;

/// Lifetime assumed when the server gives none (the platform's default is 24 h; be modest).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// Refresh this long before expiry at most (the Go SDK refreshes 60 s early).
const MAX_MARGIN: Duration = Duration::from_secs(60);

/// A token and when to stop using it.
pub struct CachedToken {
    /// The bearer token.
    pub value: SecretString,
    /// After this instant the token is refreshed before use.
    pub refresh_at: Instant,
}

/// When to refresh a token that lives `expires_in` from `issued`: 60 s early, or a tenth of
/// its life for short-lived tokens, so a request never carries a token about to expire.
pub fn refresh_at(issued: Instant, expires_in: Option<f64>) -> Instant {
    let life = expires_in
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_LIFETIME);
    let margin = (life / 10).min(MAX_MARGIN);
    issued + (life - margin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_a_minute_early_for_long_tokens() {
        let t0 = Instant::now();
        assert_eq!(
            refresh_at(t0, Some(86400.0)),
            t0 + Duration::from_secs(86340)
        );
    }

    #[test]
    fn refreshes_at_nine_tenths_for_short_tokens() {
        let t0 = Instant::now();
        assert_eq!(refresh_at(t0, Some(300.0)), t0 + Duration::from_secs(270));
        assert_eq!(refresh_at(t0, Some(1.0)), t0 + Duration::from_millis(900));
    }

    #[test]
    fn assumes_an_hour_without_expires_in() {
        let t0 = Instant::now();
        assert_eq!(refresh_at(t0, None), t0 + Duration::from_secs(3540));
        assert_eq!(refresh_at(t0, Some(-5.0)), t0 + Duration::from_secs(3540));
    }
}
