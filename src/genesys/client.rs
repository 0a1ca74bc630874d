//! One client for Genesys Cloud: bearer token, retries with backoff and `Retry-After`,
//! per-request timeout, body size cap, error envelopes with correlation ids, and counters
//! for the metrics.

use super::auth::CachedToken;
use super::endpoint::Endpoint;
use super::error::ApiError;
use super::response::{
    NotReceived, Received, excerpt, join, receive, short_type_name, status_error,
};
use crate::config::Config;
use crate::github::Console;
pub use crate::retry::RetryPolicy;
use crate::retry::{self, AttemptFailure, Backoff, Decision};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

/// The header Genesys puts its correlation id in.
pub const CORRELATION_HEADER: &str = "ININ-Correlation-Id";

/// Counters for the metrics event and outputs.
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) requests: AtomicU64,
    pub(super) retries: AtomicU64,
    pub(super) rate_limited: AtomicU64,
    pub(super) token_fetches: AtomicU64,
    pub(super) retry_wait_ms: AtomicU64,
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

/// One request to send: an endpoint with its path filled in, and what goes with it.
#[derive(Debug, Clone)]
pub struct Request {
    /// What is called (method, retry policy, permission).
    pub endpoint: &'static Endpoint,
    /// Path below the API base, with its query already encoded.
    pub path: String,
    /// No retry wait may end after this instant.
    pub deadline: Option<Instant>,
    /// A JSON body, for the few calls that take one.
    pub body: Option<serde_json::Value>,
    /// The answer may hold a credential (a presigned URL): an answer that cannot be read is
    /// reported without an excerpt of it.
    pub secret_answer: bool,
}

impl Request {
    /// A request to `endpoint`, its path placeholders filled with `args` in order.
    pub fn to(endpoint: &'static Endpoint, args: &[&str]) -> Self {
        Request {
            endpoint,
            path: endpoint.path_with(args),
            deadline: None,
            body: None,
            secret_answer: false,
        }
    }

    /// Appends an encoded query string.
    pub fn query(mut self, query: &str) -> Self {
        if !query.is_empty() {
            let joiner = if self.path.contains('?') { '&' } else { '?' };
            self.path.push(joiner);
            self.path.push_str(query);
        }
        self
    }

    /// Sets a JSON body.
    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Sets the deadline.
    pub fn until(mut self, deadline: Option<Instant>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Marks the answer as holding a credential, never to be quoted in an error.
    pub fn with_secret_answer(mut self) -> Self {
        self.secret_answer = true;
        self
    }
}

pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    pub(super) api: Url,
    pub(super) login: Url,
    pub(super) client_id: String,
    pub(super) client_secret: SecretString,
    pub(super) token: Mutex<Option<CachedToken>>,
    pub(super) console: Console,
    pub(super) counters: Counters,
    pub(super) backoff: Backoff,
    pub(super) max_retries: u32,
    pub(super) max_body: usize,
    pub(super) max_retry_after: Duration,
}

/// The Genesys Cloud client. Cheap to clone: clones share the token and the counters.
#[derive(Clone)]
pub struct GenesysClient {
    pub(super) inner: Arc<Inner>,
}

enum Attempt<T> {
    Done(Result<Answer<T>, ApiError>),
    Retry {
        error: ApiError,
        retry_after: Option<Duration>,
    },
    RefreshToken(ApiError),
}

/// The next step after a failed attempt, as [`retry::decide`] says.
fn after_failure<T>(policy: RetryPolicy, failure: AttemptFailure, error: ApiError) -> Attempt<T> {
    match retry::decide(policy, failure) {
        Decision::Retry { retry_after } => Attempt::Retry { error, retry_after },
        Decision::RefreshToken => Attempt::RefreshToken(error),
        Decision::GiveUp => Attempt::Done(Err(error)),
    }
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
                    self.inner
                        .console
                        .debug_line("token refused (401): fetching a new one");
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
        let method = request.endpoint.method.as_str().to_string();
        self.inner.counters.requests.fetch_add(1, Ordering::Relaxed);
        let mut builder = self
            .inner
            .http
            .request(request.endpoint.method.clone(), url)
            .bearer_auth(token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = &request.body {
            builder = builder.json(body);
        } else if request.endpoint.method == Method::POST {
            // The platform's actions take no body; the SDKs still send JSON's content type.
            builder = builder.header(reqwest::header::CONTENT_TYPE, "application/json");
        }
        let cap = self.inner.max_body;
        let sent_at = Instant::now();
        let received = receive(builder.send().await, cap).await;
        self.trace(&method, &request.path, attempts, sent_at, &received);
        let Received {
            status,
            correlation_id,
            retry_after,
            body,
        } = match received {
            Ok(received) => received,
            Err(failed) => {
                let failure = failed.attempt_failure();
                let error = failed.into_error(&method, &request.path, attempts, cap);
                return after_failure(request.endpoint.retry, failure, error);
            }
        };
        if status.is_success() {
            // An empty body reads as JSON `null`: an `Option` answer is `None`, anything
            // else is an unreadable answer as before.
            let body = if body.iter().all(u8::is_ascii_whitespace) {
                b"null".to_vec()
            } else {
                body
            };
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
                        excerpt: if request.secret_answer {
                            "(not shown: it may hold a presigned URL)".into()
                        } else {
                            excerpt(&body)
                        },
                        correlation_id,
                        source,
                    };
                    // A truncated body from a proxy is worth another read; a publish whose
                    // answer we cannot read is decided by re-reading the flow instead.
                    after_failure(request.endpoint.retry, AttemptFailure::Undecodable, error)
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
        )
        .needing(request.endpoint.permission);
        let failure = AttemptFailure::Status {
            status: status.as_u16(),
            retry_after,
        };
        after_failure(request.endpoint.retry, failure, error)
    }

    /// Waits before the next try, or gives up with `error` when the retries are spent, the
    /// server asks for too long a wait, or the wait would pass the deadline.
    pub(super) async fn pause_before_retry(
        &self,
        attempts: u32,
        retry_after: Option<Duration>,
        deadline: Option<Instant>,
        error: ApiError,
    ) -> Result<(), ApiError> {
        let console = &self.inner.console;
        if attempts > self.inner.max_retries {
            console.debug_line(&format!(
                "giving up after {attempts} attempt(s) (max-retries): {error}"
            ));
            return Err(error);
        }
        if let Some(after) = retry_after.filter(|after| *after > self.inner.max_retry_after) {
            console.debug_line(&format!(
                "giving up: Retry-After {} s is longer than the Action waits: {error}",
                after.as_secs()
            ));
            return Err(error);
        }
        let delay = retry::retry_delay(
            attempts - 1,
            retry_after,
            &self.inner.backoff,
            fastrand::f64(),
        );
        if deadline.is_some_and(|d| Instant::now() + delay > d) {
            console.debug_line(&format!(
                "giving up: waiting {} ms would pass the deadline: {error}",
                delay.as_millis()
            ));
            return Err(error);
        }
        console.debug_line(&format!(
            "retrying in {} ms{}: {error}",
            delay.as_millis(),
            if retry_after.is_some() {
                " (Retry-After)"
            } else {
                ""
            }
        ));
        self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
        self.inner
            .counters
            .retry_wait_ms
            .fetch_add(delay.as_millis() as u64, Ordering::Relaxed);
        tokio::time::sleep(delay).await;
        Ok(())
    }

    /// With step debug logging, one `::debug::` line per request: method, path, status (or
    /// what broke), duration, attempt and correlation id.
    pub(super) fn trace(
        &self,
        method: &str,
        path: &str,
        attempt: u32,
        sent_at: Instant,
        received: &Result<Received, NotReceived>,
    ) {
        let console = &self.inner.console;
        if !console.debugging() {
            return;
        }
        let (outcome, correlation) = match received {
            Ok(r) => (
                r.status.as_u16().to_string(),
                r.correlation_id
                    .as_deref()
                    .map(|c| format!(" [correlation id {c}]"))
                    .unwrap_or_default(),
            ),
            Err(failed) => (format!("{:?}", failed.attempt_failure()), String::new()),
        };
        let retry = if attempt > 1 {
            format!(", attempt {attempt}")
        } else {
            String::new()
        };
        console.debug_line(&format!(
            "{method} {path} -> {outcome} in {} ms{retry}{correlation}",
            sent_at.elapsed().as_millis()
        ));
    }

    fn url(&self, path: &str) -> String {
        join(&self.inner.api, path)
    }
}
