//! OAuth client credentials at `login.<domain>/oauth/token`: fetched once, masked the
//! moment it arrives, refreshed before it expires and once after a 401.

use super::client::GenesysClient;
use super::error::ApiError;
use super::models::{AuthErrorBody, TokenGrant};
use super::response::{Received, join, receive, status_error};
use crate::retry::{self, AttemptFailure, Decision, RetryPolicy};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use std::sync::atomic::Ordering;
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

impl GenesysClient {
    /// The current token, fetched or refreshed when needed.
    pub(super) async fn bearer(
        &self,
        deadline: Option<Instant>,
        force: bool,
    ) -> Result<SecretString, ApiError> {
        let mut cached = self.inner.token.lock().await;
        if let Some(token) = cached.as_ref()
            && !force
            && Instant::now() < token.refresh_at
        {
            return Ok(token.value.clone());
        }
        let mut attempts = 0u32;
        let grant = loop {
            attempts += 1;
            match self.fetch_token(attempts).await {
                Ok(grant) => break grant,
                Err(TokenFailure::Transient { error, retry_after }) => {
                    self.pause_before_retry(attempts, retry_after, deadline, error)
                        .await?
                }
                Err(TokenFailure::Final(error)) => return Err(error),
            }
        };
        self.inner.console.mask(&grant.access_token);
        let value = SecretString::from(grant.access_token);
        *cached = Some(CachedToken {
            value: value.clone(),
            refresh_at: refresh_at(Instant::now(), grant.expires_in),
        });
        Ok(value)
    }

    /// One token request. Asking again is harmless (a second token), so it is retried like
    /// a read; a refusal of the credentials is final.
    async fn fetch_token(&self, attempts: u32) -> Result<TokenGrant, TokenFailure> {
        let counters = &self.inner.counters;
        counters.requests.fetch_add(1, Ordering::Relaxed);
        counters.token_fetches.fetch_add(1, Ordering::Relaxed);
        let url = join(&self.inner.login, "/oauth/token");
        let sent_at = Instant::now();
        let sent = self
            .inner
            .http
            .post(&url)
            .basic_auth(
                &self.inner.client_id,
                Some(self.inner.client_secret.expose_secret()),
            )
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body("grant_type=client_credentials")
            .send()
            .await;
        let path = "/oauth/token".to_string();
        let cap = self.inner.max_body;
        let received = receive(sent, cap).await;
        self.trace("POST", &path, attempts, sent_at, &received);
        let Received {
            status,
            correlation_id,
            retry_after,
            body,
        } = match received {
            Ok(received) => received,
            Err(failed) => {
                let failure = failed.attempt_failure();
                let error = failed.into_error("POST", &path, attempts, cap);
                return Err(TokenFailure::after(failure, error));
            }
        };
        if status.is_success() {
            return serde_json::from_slice::<TokenGrant>(&body).map_err(|source| {
                // Never echo a token answer: it may hold the token.
                let error = ApiError::Decode {
                    method: "POST".into(),
                    path,
                    what: "TokenGrant",
                    excerpt: "(hidden)".into(),
                    correlation_id,
                    source,
                };
                TokenFailure::after(AttemptFailure::Undecodable, error)
            });
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            counters.rate_limited.fetch_add(1, Ordering::Relaxed);
        }
        let failure = AttemptFailure::Status {
            status: status.as_u16(),
            retry_after,
        };
        if let Decision::Retry { retry_after } = retry::decide(RetryPolicy::Idempotent, failure) {
            let error = status_error(
                "POST",
                &path,
                status.as_u16(),
                &body,
                correlation_id,
                attempts,
                retry_after,
            );
            return Err(TokenFailure::Transient { error, retry_after });
        }
        let parsed: AuthErrorBody = serde_json::from_slice(&body).unwrap_or_default();
        Err(TokenFailure::Final(ApiError::Auth {
            status: status.as_u16(),
            error: parsed.error.unwrap_or_else(|| "unknown_error".into()),
            description: parsed.error_description.or(parsed.description),
            correlation_id,
        }))
    }
}

/// Why one token request failed.
enum TokenFailure {
    /// Worth another try, after `retry_after` if the server said.
    Transient {
        error: ApiError,
        retry_after: Option<Duration>,
    },
    /// Another try cannot help.
    Final(ApiError),
}

impl TokenFailure {
    /// Classifies a failure that is not a refusal of the credentials.
    fn after(failure: AttemptFailure, error: ApiError) -> Self {
        match retry::decide(RetryPolicy::Idempotent, failure) {
            Decision::Retry { retry_after } => TokenFailure::Transient { error, retry_after },
            Decision::RefreshToken | Decision::GiveUp => TokenFailure::Final(error),
        }
    }
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
