//! Helpers of the notification tests: a two-bot scenario, channel and subscription calls, and
//! a tokio-tungstenite client that reads frames with a generous timeout.

#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use futures_util::StreamExt;
use genesys_sandbox::*;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long to wait for one frame: generous, the box may be loaded.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(10);
pub const FLOW: &str = "flow-a";
pub const OTHER: &str = "flow-b";

/// Two bots: `flow-a` publishes `2.0` in 300 ms, republishes `1.0` in 1000 ms, and `3.0`
/// fails; `flow-b` likewise.
pub fn scenario(notifications: Value) -> Scenario {
    let flow = |id: &str| {
        json!({"id": id, "name": format!("Bot {id}"), "type": "DIGITALBOT",
            "description": "test bot", "published_version": "1.0", "checked_in_version": "2.0",
            "versions": [{"id": "1.0", "duration_ms": 1000}, {"id": "2.0", "duration_ms": 300},
                {"id": "3.0", "publish": {"failure": {"errorCode": "flow.publish.validation.failed",
                    "errorMessage": "Missing skill",
                    "errorDetails": [{"errorCode": "reference.not.found", "entityName": "Gone"}]}}}]})
    };
    let json = json!({
        "publish_duration_ms": 300,
        "clients": [{"id": DEMO_CLIENT_ID, "secret": DEMO_CLIENT_SECRET, "name": "CI"}],
        "flows": [flow(FLOW), flow(OTHER)],
        "notifications": notifications,
    });
    Scenario::from_json_str(&json.to_string()).unwrap()
}

pub fn topic(flow: &str) -> String {
    format!("v2.flows.{flow}")
}

pub async fn create_channel(sb: &Sandbox, t: &str) -> Value {
    let resp = post(sb, t, "/api/v2/notifications/channels").await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

pub async fn subscribe(
    sb: &Sandbox,
    t: &str,
    channel: &str,
    flows: &[&str],
    ignore: bool,
) -> reqwest::Response {
    let body: Vec<Value> = flows.iter().map(|f| json!({"id": topic(f)})).collect();
    http()
        .post(format!(
            "{}/api/v2/notifications/channels/{channel}/subscriptions?ignoreErrors={ignore}",
            sb.api_url()
        ))
        .bearer_auth(t)
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub async fn connect(uri: &str) -> Ws {
    let (ws, _) = tokio::time::timeout(FRAME_TIMEOUT, tokio_tungstenite::connect_async(uri))
        .await
        .expect("handshake in time")
        .expect("handshake succeeds");
    ws
}

/// Asserts that a WebSocket handshake to `uri` is refused with 404 (no such channel).
pub async fn assert_no_upgrade(uri: &str) {
    let err = tokio_tungstenite::connect_async(uri)
        .await
        .expect_err("no upgrade");
    assert!(
        matches!(err, tokio_tungstenite::tungstenite::Error::Http(ref r) if r.status() == 404),
        "{err}"
    );
}

/// A channel subscribed to `flows`, with its socket open.
pub async fn listen(sb: &Sandbox, t: &str, flows: &[&str]) -> (String, Ws) {
    let channel = create_channel(sb, t).await;
    let id = channel["id"].as_str().unwrap().to_owned();
    let resp = subscribe(sb, t, &id, flows, true).await;
    assert_eq!(resp.status(), 200);
    let ws = connect(channel["connectUri"].as_str().unwrap()).await;
    (id, ws)
}

/// What reading the socket gave.
#[derive(Debug)]
pub enum Read {
    Frame(Value),
    /// Closed with a close frame.
    Closed,
    /// Ended without a close frame (EOF or reset).
    Dropped,
}

pub async fn read(ws: &mut Ws) -> Read {
    loop {
        let next = tokio::time::timeout(FRAME_TIMEOUT, ws.next())
            .await
            .expect("a frame or the end of the socket in time");
        return match next {
            Some(Ok(Message::Text(text))) => {
                Read::Frame(serde_json::from_str(text.as_str()).unwrap())
            }
            Some(Ok(Message::Close(_))) => Read::Closed,
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => Read::Dropped,
        };
    }
}

pub fn is_heartbeat(frame: &Value) -> bool {
    frame["topicName"] == "channel.metadata"
        && frame["eventBody"]["message"] == "WebSocket Heartbeat"
}

/// The next flow event, skipping heartbeats.
pub async fn next_event(ws: &mut Ws) -> Value {
    loop {
        match read(ws).await {
            Read::Frame(f) if is_heartbeat(&f) => {}
            Read::Frame(f) => return f,
            other => panic!("socket ended: {other:?}"),
        }
    }
}

pub async fn publish(sb: &Sandbox, t: &str, flow: &str, version: &str) -> String {
    let resp = post(
        sb,
        t,
        &format!("/api/v2/flows/actions/publish?flow={flow}&version={version}"),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let op: Value = resp.json().await.unwrap();
    op["id"].as_str().unwrap().to_owned()
}

pub fn status(event: &Value) -> &str {
    event["eventBody"]["currentOperation"]["actionStatus"]
        .as_str()
        .unwrap()
}

pub const SUCCESS_ORDER: [&str; 4] = [
    "STARTED",
    "PENDING_GENERATION",
    "PENDING_BACKEND_NOTIFICATION",
    "SUCCESS",
];

/// Waits for the operation to end, then for three more heartbeats: a terminal event would have
/// been queued before them.
pub async fn settle(sb: &Sandbox, t: &str, ws: &mut Ws) -> Vec<Value> {
    let mut events = Vec::new();
    wait_complete(sb, t, FLOW).await;
    let mut beats = 0;
    while beats < 3 {
        match read(ws).await {
            Read::Frame(f) if is_heartbeat(&f) => beats += 1,
            Read::Frame(f) => events.push(f),
            other => panic!("{other:?}"),
        }
    }
    events
}
