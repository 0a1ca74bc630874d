//! `POST /oauth/token`: the client-credentials grant (genesys-api.md §3).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::state::Shared;

/// The login host's error shape `{error, description, error_description}`.
// GUESS: which status goes with which error is not documented; 400 for a bad request or grant,
// 401 for failed client authentication follows RFC 6749 §5.2.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body =
        json!({"error": error, "description": description, "error_description": description});
    (status, Json(body)).into_response()
}

/// `(client id, secret)` from `Authorization: Basic base64(id:secret)`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

pub(super) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form_type {
        let msg = "Content-Type must be application/x-www-form-urlencoded";
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", msg);
    }
    let Some((id, secret)) = basic_credentials(&headers) else {
        let msg = "client authentication failed: HTTP Basic credentials required";
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", msg);
    };
    let grant = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.into_owned());
    match grant.as_deref() {
        None => {
            let msg = "grant_type is required";
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", msg);
        }
        Some("client_credentials") => {}
        Some(other) => {
            let msg = format!("grant type {other} is not supported");
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &msg);
        }
    }
    let issued = shared.with(|state, now| {
        let known = state.clients.get(&id).is_some_and(|c| c.secret == secret);
        known.then(|| state.issue_token(&id, now)).flatten()
    });
    match issued {
        Some((token, ttl)) => Json(json!({
            "access_token": token,
            "token_type": "bearer",
            // The wire carries whole seconds; a fractional test TTL rounds up.
            "expires_in": ttl.ceil() as u64,
        }))
        .into_response(),
        None => oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        ),
    }
}
