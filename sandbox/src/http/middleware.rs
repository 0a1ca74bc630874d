//! The layers every request passes through.
//!
//! `request_layer` (outermost) stamps the correlation id, consults the faults, answers or
//! mangles the response when one fires, renders error envelopes and records the request.
//! `auth_layer` guards `/api/v2/...` with a bearer token.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;

use crate::faults::{self, FaultKind};
use crate::http::errors::ApiError;
use crate::http::records::RequestRecord;
use crate::scenario::EntityRef;
use crate::state::Shared;

/// Header carrying the per-response correlation id (genesys-api.md §4).
pub const CORRELATION_HEADER: &str = "ININ-Correlation-Id";

/// Lets a handler close the TCP connection it arrived on (inserted by the server per connection).
#[derive(Debug, Clone)]
pub(crate) struct ConnectionKill(pub Arc<Notify>);

/// The OAuth client a valid bearer token belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub EntityRef);

/// The bearer token of a request, if it sent one.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Writes the envelope of an `ApiError` response now that the correlation id is known.
fn render(mut response: Response, correlation: &str) -> Response {
    if let Some(err) = response.extensions_mut().remove::<ApiError>() {
        let status = response.status();
        let mut rendered = (status, axum::Json(err.body(correlation))).into_response();
        for (name, value) in response.headers() {
            if name != CONTENT_LENGTH && name != CONTENT_TYPE {
                rendered.headers_mut().insert(name, value.clone());
            }
        }
        return rendered;
    }
    response
}

/// Cuts a JSON body in half (the `malformed_json` fault).
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let cut = if bytes.len() > 1 {
        bytes.slice(..bytes.len() / 2)
    } else {
        "{".into()
    };
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(cut))
}

/// The 5xx envelope of a `server_error` fault: SWAGGER-2018's codes and messages for 500, 503
/// and 504 (genesys-api-verified.md GUESS 12).
fn server_error(status: u16) -> ApiError {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let (code, message) = match status.as_u16() {
        500 => (
            "internal.server.error",
            "The server encountered an unexpected condition which prevented it from fulfilling the request.",
        ),
        503 => (
            "service.unavailable",
            "Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance).",
        ),
        504 => ("request.timeout", "The request timed out."),
        // GUESS: the platform documents no other 5xx; these follow the envelope's style.
        501 => (
            "not.implemented",
            "The requested operation is not implemented",
        ),
        502 => (
            "bad.gateway",
            "The server received an invalid response from an upstream server",
        ),
        _ => ("server.error", "The server encountered an error"),
    };
    ApiError::new(status, code, message)
}

/// 401 for a missing, unknown or expired token: SWAGGER-2018's codes and messages on every
/// endpoint (genesys-api-verified.md GUESS 10, confirmed).
fn unauthorized(token_sent: bool) -> ApiError {
    if token_sent {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad.credentials",
            "Invalid login credentials.",
        )
    } else {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "authentication.required",
            "No authentication bearer token specified in authorization header.",
        )
    }
}

/// 403 for a permission the caller's role lacks: SWAGGER-2018's `missing.permissions`
/// "Unable to perform the requested action. You are missing the following permission(s): %s",
/// or `not.authorized` when no permission is named.
// GUESS: how the platform fills the `%s` (the permission as given).
fn forbidden(permission: Option<&str>) -> ApiError {
    match permission {
        Some(p) => ApiError::new(
            StatusCode::FORBIDDEN,
            "missing.permissions",
            format!(
                "Unable to perform the requested action. You are missing the following permission(s): {p}"
            ),
        ),
        None => ApiError::new(
            StatusCode::FORBIDDEN,
            "not.authorized",
            "You are not authorized to perform the requested action.",
        ),
    }
}

/// Outermost layer: faults, correlation id, error bodies, request log.
pub(crate) async fn request_layer(
    State(shared): State<Arc<Shared>>,
    req: Request,
    next: Next,
) -> Response {
    let at = shared.now();
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let authorization_present = req.headers().contains_key(AUTHORIZATION);
    let token = bearer(req.headers());
    let kill = req.extensions().get::<ConnectionKill>().cloned();
    let correlation = uuid::Uuid::new_v4().to_string();
    let at_ms = u64::try_from(at.as_millis()).unwrap_or(u64::MAX);
    let (decision, log) = shared.with(|state, _| {
        (
            faults::decide(&mut state.faults, &method, &path, at_ms),
            state.log_requests,
        )
    });
    if decision.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(decision.delay_ms)).await;
    }
    let record = |status: u16| {
        let rec = RequestRecord {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            status,
            at,
            fault: decision.label.clone(),
            authorization_present,
        };
        if log {
            let q = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            let fault = decision
                .label
                .as_deref()
                .map(|f| format!(" [{f}]"))
                .unwrap_or_default();
            let ms = at.as_secs_f64() * 1000.0;
            eprintln!("{ms:>10.1} ms  {method} {path}{q} -> {status}{fault}");
        }
        shared.with(|state, _| state.requests.push(rec));
    };
    let drop_connection = || async {
        record(0);
        if let Some(kill) = &kill {
            kill.0.notify_one();
        }
        // The connection task drops this future along with the connection.
        std::future::pending::<Response>().await
    };

    let mut response = match &decision.action {
        Some(FaultKind::RateLimit { retry_after_secs }) => {
            let mut r = render(
                ApiError::rate_limited(*retry_after_secs).into_response(),
                &correlation,
            );
            r.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            r
        }
        Some(FaultKind::ServerError {
            status,
            after_handler: false,
        }) => render(server_error(*status).into_response(), &correlation),
        Some(FaultKind::DropConnection {
            after_handler: false,
        }) => return drop_connection().await,
        Some(FaultKind::Forbidden { permission }) => render(
            forbidden(permission.as_deref()).into_response(),
            &correlation,
        ),
        Some(FaultKind::ExpireToken) => {
            if let Some(token) = &token {
                shared.with(|state, now| state.expire_token(token, now));
            }
            render(unauthorized(true).into_response(), &correlation)
        }
        after => {
            let response = render(next.run(req).await, &correlation);
            match after {
                Some(FaultKind::MalformedJson) => truncate(response).await,
                Some(FaultKind::ServerError { status, .. }) => {
                    render(server_error(*status).into_response(), &correlation)
                }
                Some(FaultKind::DropConnection { .. }) => return drop_connection().await,
                _ => response,
            }
        }
    };
    if let Ok(value) = HeaderValue::from_str(&correlation) {
        response.headers_mut().insert(CORRELATION_HEADER, value);
    }
    record(response.status().as_u16());
    response
}

/// Requires a valid bearer token and hands the caller to the handlers.
pub(crate) async fn auth_layer(
    State(shared): State<Arc<Shared>>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(token) = bearer(req.headers()) else {
        return unauthorized(false).into_response();
    };
    match shared.with(|state, now| state.check_token(&token, now)) {
        Some(client) => {
            req.extensions_mut().insert(Caller(client));
            next.run(req).await
        }
        None => unauthorized(true).into_response(),
    }
}

/// Unknown paths: the 404 envelope.
pub(crate) async fn not_found(req: Request) -> Response {
    ApiError::not_found(format!(
        "No resource at {} {}",
        req.method(),
        req.uri().path()
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
        h.insert(AUTHORIZATION, HeaderValue::from_static("bearer tok"));
        assert_eq!(bearer(&h).as_deref(), Some("tok"));
    }
}
