//! Reading HTTP answers: size-capped bodies, the platform's error envelope, correlation ids
//! and short excerpts for messages.

use super::error::{ApiError, StatusError, TransportKind};
use super::models::ErrorBody;
use crate::retry::AttemptFailure;
use reqwest::StatusCode;
use std::time::Duration;
use url::Url;

pub(super) fn join(base: &Url, path: &str) -> String {
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

/// An HTTP answer read whole: its status, the headers the Action uses, and the capped body.
pub(super) struct Received {
    pub(super) status: StatusCode,
    pub(super) correlation_id: Option<String>,
    pub(super) retry_after: Option<Duration>,
    pub(super) body: Vec<u8>,
}

/// Why no whole answer arrived.
pub(super) enum NotReceived {
    /// The request or the body's transfer failed.
    Transport(TransportKind, reqwest::Error),
    /// The body was larger than the cap.
    TooLarge,
}

impl NotReceived {
    /// What this means for a retry: only a refused connection proves the request was not
    /// processed.
    pub(super) fn attempt_failure(&self) -> AttemptFailure {
        match self {
            NotReceived::Transport(TransportKind::Connect, _) => AttemptFailure::NotSent,
            NotReceived::Transport(..) => AttemptFailure::MaybeProcessed,
            NotReceived::TooLarge => AttemptFailure::TooLarge,
        }
    }

    /// The same failure with the URL taken out of the HTTP client's error: a presigned URL's
    /// query is its credential, and the error's text would otherwise quote it.
    pub(super) fn without_url(self) -> Self {
        match self {
            NotReceived::Transport(kind, source) => {
                NotReceived::Transport(kind, source.without_url())
            }
            other => other,
        }
    }

    /// The client error for this request.
    pub(super) fn into_error(
        self,
        method: &str,
        path: &str,
        attempts: u32,
        cap: usize,
    ) -> ApiError {
        let (method, path) = (method.to_string(), path.to_string());
        match self {
            NotReceived::Transport(kind, source) => ApiError::Transport {
                method,
                path,
                kind,
                attempts,
                source,
            },
            NotReceived::TooLarge => ApiError::TooLarge {
                method,
                path,
                limit: cap,
            },
        }
    }
}

/// Awaits a sent request and reads its answer under the cap: the one way both the token
/// request and API requests read what came back.
pub(super) async fn receive(
    sent: Result<reqwest::Response, reqwest::Error>,
    cap: usize,
) -> Result<Received, NotReceived> {
    let response = sent.map_err(|e| NotReceived::Transport(transport_kind(&e), e))?;
    let status = response.status();
    let correlation_id = header(&response, super::client::CORRELATION_HEADER);
    let retry_after = header(&response, "Retry-After")
        .and_then(|v| crate::retry::parse_retry_after(&v, std::time::SystemTime::now()));
    let body = read_capped(response, cap).await.map_err(|e| match e {
        BodyError::TooLarge => NotReceived::TooLarge,
        BodyError::Transport(source) => NotReceived::Transport(TransportKind::Broken, source),
    })?;
    Ok(Received {
        status,
        correlation_id,
        retry_after,
        body,
    })
}

enum BodyError {
    /// Larger than the cap.
    TooLarge,
    /// The connection broke while reading.
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

pub(super) fn status_error(
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
        permission: None,
    }))
}

fn canonical_reason(status: u16) -> String {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("no message")
        .to_string()
}

pub(super) fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut cut: String = text.chars().take(MAX).collect();
    if text.chars().count() > MAX {
        cut.push('…');
    }
    cut
}

pub(super) fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}
