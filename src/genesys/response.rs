//! Reading HTTP answers: size-capped bodies, the platform's error envelope, correlation ids
//! and short excerpts for messages.

use super::error::{ApiError, StatusError, TransportKind};
use super::models::ErrorBody;
use reqwest::StatusCode;
use std::time::Duration;
use url::Url;

pub(super) fn join(base: &Url, path: &str) -> String {
    format!("{}{}", base.as_str().trim_end_matches('/'), path)
}

pub(super) fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

pub(super) fn transport_kind(error: &reqwest::Error) -> TransportKind {
    if error.is_connect() {
        TransportKind::Connect
    } else if error.is_timeout() {
        TransportKind::Timeout
    } else {
        TransportKind::Broken
    }
}

pub(super) enum BodyError {
    /// Larger than the cap.
    TooLarge,
    /// The connection broke while reading.
    Transport(reqwest::Error),
}

/// Reads a body chunk by chunk and stops at the cap, so a runaway answer costs no memory.
pub(super) async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, BodyError> {
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
