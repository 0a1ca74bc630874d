//! The Notifications API (genesys-api.md §6): channels and their subscriptions under
//! `/api/v2/notifications` (bearer token required), and the streaming socket at
//! `/channels/{channelId}`, where the channel id is the credential, as on the real streaming host.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::architect::model::iso8601;
use crate::http::errors::{ApiError, ApiResult};
use crate::http::query::QueryParams;
use crate::push::TopicAnswer;
use crate::push::socket;
use crate::state::Shared;

/// Channels live 24 h (genesys-api.md §6).
const CHANNEL_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The routes that need a bearer token.
pub(super) fn api_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v2/notifications/channels", post(create_channel))
        .route(
            "/api/v2/notifications/channels/{channel_id}/subscriptions",
            get(list_topics).post(add_topics).put(replace_topics),
        )
}

/// The streaming host's route (no token).
pub(super) fn streaming_routes() -> Router<Arc<Shared>> {
    Router::new().route("/channels/{channel_id}", get(connect))
}

fn unknown_channel(channel_id: &str) -> ApiError {
    ApiError::not_found(format!("Channel {channel_id} not found"))
}

/// `POST /api/v2/notifications/channels` (no body): `{connectUri, id, expires}`.
async fn create_channel(State(shared): State<Arc<Shared>>) -> ApiResult<Json<Value>> {
    shared.with(|state, now| {
        let Some(id) = state.push.create_channel() else {
            // GUESS: channel endpoints need no permission on the real platform; this is the
            // scenario's `refuse_channels` fault, worded like the platform's 403s.
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "missing.permissions",
                "Unable to perform the requested action. You are missing the following permission(s): notifications",
            ));
        };
        let addr = state
            .push
            .addr
            .ok_or_else(|| ApiError::not_found("The streaming host is not attached"))?;
        // Real ones are wss://streaming.<domain>/channels/streaming-0-...
        let base = state.push.connect_base.clone().unwrap_or_else(|| format!("ws://{addr}"));
        Ok(Json(json!({
            "connectUri": format!("{base}/channels/{id}"),
            "id": id,
            "expires": iso8601(state.wall(now + CHANNEL_LIFETIME)),
        })))
    })
}

/// One requested topic of a subscription body (`[{"id": "v2.flows.<flowId>"}]`).
#[derive(Debug, Deserialize)]
struct TopicRef {
    id: String,
}

/// `ChannelTopic.selfUri`. GUESS: the resource the topic is about, when it is a flow.
fn topic_uri(topic: &str) -> Option<String> {
    topic
        .strip_prefix("v2.flows.")
        .map(|id| format!("/api/v2/flows/{id}"))
}

fn permitted(topic: &str) -> Value {
    let mut v = json!({"id": topic, "state": "Permitted"});
    if let (Some(uri), Some(obj)) = (topic_uri(topic), v.as_object_mut()) {
        obj.insert("selfUri".into(), json!(uri));
    }
    v
}

async fn add_topics(
    State(shared): State<Arc<Shared>>,
    Path(channel_id): Path<String>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    subscribe(&shared, &channel_id, raw.as_deref(), &body, false)
}

async fn replace_topics(
    State(shared): State<Arc<Shared>>,
    Path(channel_id): Path<String>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    subscribe(&shared, &channel_id, raw.as_deref(), &body, true)
}

/// `POST` (add) and `PUT` (replace) `.../subscriptions?ignoreErrors=`: answers the channel's
/// topics after the change, then the rejected ones of this request.
// GUESS: the real answer's content (whole list vs. this request's topics) is not documented.
fn subscribe(
    shared: &Shared,
    channel_id: &str,
    raw_query: Option<&str>,
    body: &[u8],
    replace: bool,
) -> ApiResult<Json<Value>> {
    let topics: Vec<TopicRef> = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "The body must be a list of topics [{{\"id\": ...}}]: {e}"
        ))
    })?;
    let topics: Vec<String> = topics.into_iter().map(|t| t.id).collect();
    let q = QueryParams::parse(raw_query);
    let ignore_errors = q
        .get("ignoreErrors")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    shared.with(|state, _| {
        if !state.push.channels.contains_key(channel_id) {
            return Err(unknown_channel(channel_id));
        }
        let rules = &state.push.spec.reject_topics;
        let refused: Vec<&String> = topics
            .iter()
            .filter(|t| rules.iter().any(|r| r.matches(t)))
            .collect();
        if !ignore_errors && !refused.is_empty() {
            // GUESS: "ignoreErrors: Optionally prevent throwing of errors for failed permissions
            // checks" (default false) suggests a 403; nothing is subscribed then.
            let names: Vec<&str> = refused.iter().map(|t| t.as_str()).collect();
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "missing.permissions",
                format!("Missing permissions for topic(s): {}", names.join(", ")),
            ));
        }
        let answers = state
            .push
            .subscribe(channel_id, topics, replace)
            .ok_or_else(|| unknown_channel(channel_id))?;
        let mut entities: Vec<Value> = state
            .push
            .channels
            .get(channel_id)
            .map(|c| c.topics.iter().map(|t| permitted(t)).collect())
            .unwrap_or_default();
        for answer in answers {
            if let TopicAnswer::Rejected(topic, rule) = answer {
                entities.push(json!({
                    "id": topic,
                    "state": "Rejected",
                    "rejectionReason": rule.reason,
                    "missingPermissions": rule.missing_permissions,
                }));
            }
        }
        Ok(Json(json!({ "entities": entities })))
    })
}

/// `GET .../subscriptions`: the channel's (permitted) topics.
async fn list_topics(
    State(shared): State<Arc<Shared>>,
    Path(channel_id): Path<String>,
) -> ApiResult<Json<Value>> {
    shared.with(|state, _| {
        let channel = state
            .push
            .channels
            .get(&channel_id)
            .ok_or_else(|| unknown_channel(&channel_id))?;
        let entities: Vec<Value> = channel.topics.iter().map(|t| permitted(t)).collect();
        Ok(Json(json!({ "entities": entities })))
    })
}

/// `GET /channels/{channelId}`: upgrades to the channel's socket. An unknown channel is a 404
/// before any upgrade; the `slow_handshake` fault delays the `101`.
async fn connect(
    State(shared): State<Arc<Shared>>,
    Path(channel_id): Path<String>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    if !shared.with(|state, _| state.push.channels.contains_key(&channel_id)) {
        return Err(unknown_channel(&channel_id));
    }
    let upgrade =
        upgrade.map_err(|e| ApiError::bad_request(format!("Not a WebSocket handshake: {e}")))?;
    let delay = shared
        .with(|state, _| state.push.handshake(&channel_id))
        .ok_or_else(|| unknown_channel(&channel_id))?;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(upgrade
        .on_upgrade(move |ws| socket::serve(shared, channel_id, ws))
        .into_response())
}
