//! The platform's error envelope `{message, code, status, contextId, details, errors}`.
//!
//! Handlers return `ApiError` without knowing the request's correlation id; the request layer
//! (`middleware.rs`) renders the body once it has stamped the id, so `contextId` always equals the
//! `ININ-Correlation-Id` header of the same response.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An API error, rendered as the platform's envelope.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not.found", message)
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad.request", message)
    }

    /// The 429 body of the "Normalized Platform API 429 responses" announcement (genesys-api.md §4).
    pub fn rate_limited(retry_after_secs: u64) -> ApiError {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too.many.requests.retry.after",
            format!(
                "Rate limit exceeded the maximum. Retry the request in [{retry_after_secs}] seconds"
            ),
        )
    }

    /// The envelope with `contextId` filled in.
    pub fn body(&self, correlation_id: &str) -> Value {
        json!({
            "message": self.message,
            "code": self.code,
            "status": self.status.as_u16(),
            "contextId": correlation_id,
            "details": [],
            "errors": [],
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The body is written by the request layer, which knows the correlation id.
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Shorthand for handler results.
pub(crate) type ApiResult<T> = Result<T, ApiError>;
