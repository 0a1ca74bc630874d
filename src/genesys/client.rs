//! One client for Genesys Cloud: bearer token, retries with backoff and `Retry-After`,
//! per-request timeout, body size cap, error envelopes with correlation ids, and counters
//! for the metrics.

use super::auth::{self, CachedToken};
use super::error::{ApiError, StatusError, TransportKind};
use super::models::{AuthErrorBody, ErrorBody, TokenGrant};
use crate::config::Config;
use crate::github::Console;
use crate::retry::{self, Backoff, Retryable};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

/// The header Genesys puts its correlation id in.
pub const CORRELATION_HEADER: &str = "ININ-Correlation-Id";

/// How a request may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPolicy {
    /// Idempotent reads: retry 429, 5xx (not 501), timeouts, broken connections, bad bodies.
    Idempotent,
    /// Writes that must not run twice (publish): retry only when the request provably was
    /// not processed — a 429, or no connection at all.
    NotProcessedOnly,
}

/// Counters for the metrics event and outputs.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    token_fetches: AtomicU64,
    retry_wait_ms: AtomicU64,
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// HTTP requests sent, token requests included.
    pub requests: u64,
    /// Requests sent again after a transient failure.
    pub retries: u64,
    /// 429 answers seen.
    pub rate_limited: u64,
    /// Tokens fetched.
    pub token_fetches: u64,
    /// Time spent waiting before retries.
    pub retry_wait_ms: u64,
}

/// An answer with its correlation id.
#[derive(Debug, Clone)]
pub struct Answer<T> {
    /// The decoded body.
    pub body: T,
    /// `ININ-Correlation-Id`.
    pub correlation_id: Option<String>,
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Path below the API base, with its query already encoded.
    pub path: String,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// No retry wait may end after this instant.
    pub deadline: Option<Instant>,
    /// A JSON body, for the few calls that take one.
    pub body: Option<serde_json::Value>,
}

impl Request {
    /// A GET.
    pub fn get(path: impl Into<String>) -> Self {
        Request {
            method: Method::GET,
            path: path.into(),
            retry: RetryPolicy::Idempotent,
            deadline: None,
            body: None,
        }
    }

    /// A POST with no body.
    pub fn post(path: impl Into<String>, retry: RetryPolicy) -> Self {
        Request {
            method: Method::POST,
            path: path.into(),
            retry,
            deadline: None,
            body: None,
        }
    }

    /// A POST with a JSON body.
    pub fn post_json(path: impl Into<String>, body: serde_json::Value, retry: RetryPolicy) -> Self {
        Request {
            method: Method::POST,
            path: path.into(),
            retry,
            deadline: None,
            body: Some(body),
        }
    }

    /// Sets the deadline.
    pub fn until(mut self, deadline: Option<Instant>) -> Self {
        self.deadline = deadline;
        self
    }
}

struct Inner {
    http: reqwest::Client,
    api: Url,
    login: Url,
    client_id: String,
    client_secret: SecretString,
    token: Mutex<Option<CachedToken>>,
    console: Console,
    counters: Counters,
    backoff: Backoff,
    max_retries: u32,
    max_body: usize,
    max_retry_after: Duration,
}

/// The Genesys Cloud client. Cheap to clone: clones share the token and the counters.
#[derive(Clone)]
pub struct GenesysClient {
    inner: Arc<Inner>,
}

enum Attempt<T> {
    Done(Result<Answer<T>, ApiError>),
    Retry {
        error: ApiError,
        retry_after: Option<Duration>,
    },
    RefreshToken(ApiError),
}

impl GenesysClient {
    /// Builds the client from the configuration. `console` receives `::add-mask::` for every
    /// token the moment it arrives.
    pub fn new(config: &Config, console: Console) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!(
                env!("CARGO_PKG_NAME"),
                "/",
                env!("CARGO_PKG_VERSION")
            ))
            .timeout(config.tuning.request_timeout)
            .connect_timeout(config.tuning.request_timeout.min(Duration::from_secs(10)))
            // Never follow a redirect with a bearer token on it.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ApiError::Setup)?;
        Ok(GenesysClient {
            inner: Arc::new(Inner {
                http,
                api: config.endpoints.api.clone(),
                login: config.endpoints.login.clone(),
                client_id: config.client_id.clone(),
                client_secret: config.client_secret.clone(),
                token: Mutex::new(None),
                console,
                counters: Counters::default(),
                backoff: Backoff {
                    base: config.tuning.retry_base_delay,
                    max: config.tuning.retry_max_delay,
                },
                max_retries: config.max_retries,
                max_body: config.tuning.max_body_bytes,
                max_retry_after: config.tuning.max_retry_after,
            }),
        })
    }

    /// The counters so far.
    pub fn stats(&self) -> RequestStats {
        let c = &self.inner.counters;
        RequestStats {
            requests: c.requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            token_fetches: c.token_fetches.load(Ordering::Relaxed),
            retry_wait_ms: c.retry_wait_ms.load(Ordering::Relaxed),
        }
    }

    /// Gets a token now, so bad credentials stop the run before anything else.
    pub async fn authenticate(&self) -> Result<(), ApiError> {
        self.bearer(None, true).await.map(|_| ())
    }

    /// Sends a request and decodes the JSON answer, retrying as its policy allows.
    pub async fn send<T: DeserializeOwned>(
        &self,
        request: &Request,
    ) -> Result<Answer<T>, ApiError> {
        let url = self.url(&request.path);
        let mut attempts = 0u32;
        let mut refreshed = false;
        loop {
            let token = self.bearer(request.deadline, false).await?;
            attempts += 1;
            let outcome = self.attempt::<T>(request, &url, &token, attempts).await;
            match outcome {
                Attempt::Done(result) => return result,
                Attempt::RefreshToken(error) if !refreshed => {
                    // A 401 mid-run means the token died early (revoked, clock skew): get a
                    // new one, once.
                    refreshed = true;
                    *self.inner.token.lock().await = None;
                    tracing::warn!("token refused (401); fetching a new one");
                    let _ = error;
                }
                Attempt::RefreshToken(error) => return Err(error),
                Attempt::Retry { error, retry_after } => {
                    self.pause_before_retry(attempts, retry_after, request.deadline, error)
                        .await?;
                }
            }
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        request: &Request,
        url: &str,
        token: &SecretString,
        attempts: u32,
    ) -> Attempt<T> {
        let method = request.method.as_str().to_string();
        self.inner.counters.requests.fetch_add(1, Ordering::Relaxed);
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url)
            .bearer_auth(token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = &request.body {
            builder = builder.json(body);
        } else if request.method == Method::POST {
            // The platform's actions take no body; the SDKs still send JSON's content type.
            builder = builder.header(reqwest::header::CONTENT_TYPE, "application/json");
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(source) => {
                let kind = transport_kind(&source);
                let error = ApiError::Transport {
                    method,
                    path: request.path.clone(),
                    kind,
                    attempts,
                    source,
                };
                let may_retry =
                    kind == TransportKind::Connect || request.retry == RetryPolicy::Idempotent;
                return if may_retry {
                    Attempt::Retry {
                        error,
                        retry_after: None,
                    }
                } else {
                    Attempt::Done(Err(error))
                };
            }
        };
        let status = response.status();
        let correlation_id = header(&response, CORRELATION_HEADER);
        let retry_after = header(&response, "Retry-After")
            .and_then(|v| retry::parse_retry_after(&v, SystemTime::now()));
        let body = match read_capped(response, self.inner.max_body).await {
            Ok(body) => body,
            Err(BodyError::TooLarge) => {
                return Attempt::Done(Err(ApiError::TooLarge {
                    method,
                    path: request.path.clone(),
                    limit: self.inner.max_body,
                }));
            }
            Err(BodyError::Transport(source)) => {
                let error = ApiError::Transport {
                    method,
                    path: request.path.clone(),
                    kind: TransportKind::Broken,
                    attempts,
                    source,
                };
                return if request.retry == RetryPolicy::Idempotent {
                    Attempt::Retry {
                        error,
                        retry_after: None,
                    }
                } else {
                    Attempt::Done(Err(error))
                };
            }
        };
        if status.is_success() {
            return match serde_json::from_slice::<T>(&body) {
                Ok(body) => Attempt::Done(Ok(Answer {
                    body,
                    correlation_id,
                })),
                Err(source) => {
                    let error = ApiError::Decode {
                        method,
                        path: request.path.clone(),
                        what: short_type_name::<T>(),
                        excerpt: excerpt(&body),
                        correlation_id,
                        source,
                    };
                    // A truncated body from a proxy is worth another read; a publish whose
                    // answer we cannot read is decided by re-reading the flow instead.
                    if request.retry == RetryPolicy::Idempotent {
                        Attempt::Retry {
                            error,
                            retry_after: None,
                        }
                    } else {
                        Attempt::Done(Err(error))
                    }
                }
            };
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.inner
                .counters
                .rate_limited
                .fetch_add(1, Ordering::Relaxed);
        }
        let error = status_error(
            &method,
            &request.path,
            status.as_u16(),
            &body,
            correlation_id,
            attempts,
            retry_after,
        );
        if status == StatusCode::UNAUTHORIZED {
            return Attempt::RefreshToken(error);
        }
        match retry::classify_status(status.as_u16(), retry_after) {
            Retryable::Transient { retry_after }
                if request.retry == RetryPolicy::Idempotent
                    || status == StatusCode::TOO_MANY_REQUESTS =>
            {
                Attempt::Retry { error, retry_after }
            }
            _ => Attempt::Done(Err(error)),
        }
    }

    /// Waits before the next try, or gives up with `error` when the retries are spent, the
    /// server asks for too long a wait, or the wait would pass the deadline.
    async fn pause_before_retry(
        &self,
        attempts: u32,
        retry_after: Option<Duration>,
        deadline: Option<Instant>,
        error: ApiError,
    ) -> Result<(), ApiError> {
        if attempts > self.inner.max_retries {
            return Err(error);
        }
        if retry_after.is_some_and(|after| after > self.inner.max_retry_after) {
            tracing::warn!(
                ?retry_after,
                "Retry-After is longer than the Action waits; giving up"
            );
            return Err(error);
        }
        let delay = retry::retry_delay(
            attempts - 1,
            retry_after,
            &self.inner.backoff,
            fastrand::f64(),
        );
        if deadline.is_some_and(|d| Instant::now() + delay > d) {
            tracing::warn!(?delay, "not retrying: the wait would pass the deadline");
            return Err(error);
        }
        tracing::info!(
            attempt = attempts,
            delay_ms = delay.as_millis() as u64,
            "retrying after: {error}"
        );
        self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
        self.inner
            .counters
            .retry_wait_ms
            .fetch_add(delay.as_millis() as u64, Ordering::Relaxed);
        tokio::time::sleep(delay).await;
        Ok(())
    }

    /// The current token, fetched or refreshed when needed.
    async fn bearer(
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
                Err((error, Some(retry_after))) => {
                    self.pause_before_retry(attempts, retry_after, deadline, error)
                        .await?
                }
                Err((error, None)) => return Err(error),
            }
        };
        self.inner.console.mask(&grant.access_token);
        let value = SecretString::from(grant.access_token);
        *cached = Some(CachedToken {
            value: value.clone(),
            refresh_at: auth::refresh_at(Instant::now(), grant.expires_in),
        });
        Ok(value)
    }

    /// One token request. On a transient failure the error comes with `Some(retry_after)`.
    async fn fetch_token(
        &self,
        attempts: u32,
    ) -> Result<TokenGrant, (ApiError, Option<Option<Duration>>)> {
        let counters = &self.inner.counters;
        counters.requests.fetch_add(1, Ordering::Relaxed);
        counters.token_fetches.fetch_add(1, Ordering::Relaxed);
        let url = join(&self.inner.login, "/oauth/token");
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
        let response = match sent {
            Ok(r) => r,
            Err(source) => {
                let kind = transport_kind(&source);
                return Err((
                    ApiError::Transport {
                        method: "POST".into(),
                        path,
                        kind,
                        attempts,
                        source,
                    },
                    Some(None),
                ));
            }
        };
        let status = response.status();
        let correlation_id = header(&response, CORRELATION_HEADER);
        let retry_after = header(&response, "Retry-After")
            .and_then(|v| retry::parse_retry_after(&v, SystemTime::now()));
        let body = match read_capped(response, self.inner.max_body).await {
            Ok(body) => body,
            Err(BodyError::TooLarge) => {
                return Err((
                    ApiError::TooLarge {
                        method: "POST".into(),
                        path,
                        limit: self.inner.max_body,
                    },
                    None,
                ));
            }
            Err(BodyError::Transport(source)) => {
                let kind = TransportKind::Broken;
                return Err((
                    ApiError::Transport {
                        method: "POST".into(),
                        path,
                        kind,
                        attempts,
                        source,
                    },
                    Some(None),
                ));
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
                (error, Some(None))
            });
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            counters.rate_limited.fetch_add(1, Ordering::Relaxed);
        }
        if let Retryable::Transient { retry_after } =
            retry::classify_status(status.as_u16(), retry_after)
        {
            let error = status_error(
                "POST",
                &path,
                status.as_u16(),
                &body,
                correlation_id,
                attempts,
                retry_after,
            );
            return Err((error, Some(retry_after)));
        }
        let parsed: AuthErrorBody = serde_json::from_slice(&body).unwrap_or_default();
        let error = ApiError::Auth {
            status: status.as_u16(),
            error: parsed.error.unwrap_or_else(|| "unknown_error".into()),
            description: parsed.error_description.or(parsed.description),
            correlation_id,
        };
        Err((error, None))
    }

    fn url(&self, path: &str) -> String {
        join(&self.inner.api, path)
    }
}

fn join(base: &Url, path: &str) -> String {
    format!("{}{}", base.as_str().trim_end_matches('/'), path)
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn transport_kind(error: &reqwest::Error) -> TransportKind {
    if error.is_connect() {
        TransportKind::Connect
    } else if error.is_timeout() {
        TransportKind::Timeout
    } else {
        TransportKind::Broken
    }
}

enum BodyError {
    TooLarge,
    Transport(reqwest::Error),
}

/// Reads a body chunk by chunk and stops at the cap, so a runaway answer costs no memory.
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|len| len as usize > cap)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn status_error(
    method: &str,
    path: &str,
    status: u16,
    body: &[u8],
    header_correlation: Option<String>,
    attempts: u32,
    retry_after: Option<Duration>,
) -> ApiError {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let parsed = parsed.unwrap_or_default();
    let mut details: Vec<String> = parsed.details.iter().map(|d| d.describe()).collect();
    details.extend(parsed.errors.iter().filter_map(|e| e.message.clone()));
    let message = parsed.message.unwrap_or_else(|| {
        if body.is_empty() {
            canonical_reason(status)
        } else {
            excerpt(body)
        }
    });
    ApiError::Status(Box::new(StatusError {
        method: method.to_string(),
        path: path.to_string(),
        status,
        code: parsed.code,
        message,
        correlation_id: header_correlation.or(parsed.context_id),
        details,
        attempts,
        retry_after,
    }))
}

fn canonical_reason(status: u16) -> String {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("no message")
        .to_string()
}

fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut cut: String = text.chars().take(MAX).collect();
    if text.chars().count() > MAX {
        cut.push('…');
    }
    cut
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}
