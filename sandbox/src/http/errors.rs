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

    /// 410 `architect.flow.deleted`: what the flow endpoints answer for a deleted flow
    /// (SWAGGER-2018, genesys-api-verified.md finding E).
    pub fn flow_deleted() -> ApiError {
        ApiError::new(
            StatusCode::GONE,
            "architect.flow.deleted",
            "Flow has been deleted.",
        )
    }

    /// 404 `architect.flow.version.missing` (SWAGGER-2018, on publish, the version read and
    /// dependency tracking; genesys-api-verified.md findings D and H).
    pub fn version_missing() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "architect.flow.version.missing",
            "Specified flow version is missing.",
        )
    }

    /// The platform's generic 400 for a value outside an enum (SWAGGER-2018 `invalid.value`
    /// "Value [%s] is not valid for field type [%s]. Allowable values are: %s").
    // GUESS: what fills the second `%s` ("field type"); the field's JSON path is used.
    pub fn invalid_value(value: &str, field: &str, allowed: &[&str]) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid.value",
            format!(
                "Value [{value}] is not valid for field type [{field}]. Allowable values are: {}",
                allowed.join(", ")
            ),
        )
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
