//! One notification WebSocket: writes the frames the hub queues for it, a heartbeat every
//! `heartbeat_ms`, answers `{"message":"ping"}`, and applies the `drop_socket` fault by
//! dropping the TCP connection without a close frame (what a client sees when a network path
//! dies mid-wait), the `freeze_socket` fault by going silent with the connection left open (a
//! half-open connection: no frames, no pongs, no FIN), the `fail_channel` fault by removing
//! the channel under the open socket, and the `close_socket` fault by warning of a maintenance
//! close (`v2.system.socket_closing`) and closing the socket with a close frame `grace_ms`
//! later. Every text frame the client sends is logged.

use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use serde_json::{Value, json};
use tokio::time::{Instant, MissedTickBehavior};

use crate::push::spec::{CloseSocket, SocketFault};
use crate::push::{Frame, PushRecord, ReceivedFrame};
use crate::state::Shared;

/// Topic of heartbeats and other channel-level frames.
const METADATA_TOPIC: &str = "channel.metadata";

fn metadata_frame(message: &str) -> Frame {
    Frame {
        topic: METADATA_TOPIC.to_owned(),
        action_status: None,
        operation_id: None,
        text: json!({"topicName": METADATA_TOPIC, "eventBody": {"message": message}}).to_string(),
    }
}

/// The frame a socket gets when its channel is gone. Clients of the real streaming host
/// report `{"result": "404", "message": ...}` when a channel expired, was replaced by a newer
/// one over the 20-channel limit, or its token expired (genesys-api.md §6 cites the limit).
// GUESS: the message's wording, and that the socket then stays open with heartbeats only
// (the worst case for a client that waits for a close).
fn channel_failure_frame() -> Frame {
    Frame {
        topic: CHANNEL_FAILURE_TOPIC.to_owned(),
        action_status: None,
        operation_id: None,
        text: json!({
            "result": "404",
            "message": "Channel not found: it expired, was replaced by a newer channel, or its token expired",
        })
        .to_string(),
    }
}

/// What the push log calls the channel-failure frame (it has no `topicName`).
pub const CHANNEL_FAILURE_TOPIC: &str = "(channel failure)";

/// The topic of the maintenance warning (PY-SDK `notificationMappings.json`; the official SDKs
/// reconnect on it, genesys-api-verified.md finding I).
pub const SOCKET_CLOSING_TOPIC: &str = "v2.system.socket_closing";

/// The maintenance warning: `SystemMessageSystemMessage` fields (PY-SDK) in the envelope.
// GUESS: `systemTopicType`, `reason` and `message` values (the SDK's enums list neither
// `socket_closing` nor a maintenance reason).
fn socket_closing_frame(channel_id: &str, grace: std::time::Duration) -> Frame {
    Frame {
        topic: SOCKET_CLOSING_TOPIC.to_owned(),
        action_status: None,
        operation_id: None,
        text: json!({
            "topicName": SOCKET_CLOSING_TOPIC,
            "eventBody": {
                "channelId": channel_id,
                "systemTopicType": "socket_closing",
                "reason": "maintenance",
                "message": format!(
                    "This socket closes in {} ms for maintenance; open a new one on the channel",
                    grace.as_millis()
                ),
                "correlationId": uuid::Uuid::new_v4().to_string(),
            },
        })
        .to_string(),
    }
}

/// When a socket fault fires: after the socket's N-th flow event, and/or at an instant
/// (at once for "after 0 events").
fn trigger(fault: Option<&SocketFault>, start: Instant) -> (Option<u64>, Option<Instant>) {
    let after_events = fault.and_then(|f| f.after_events);
    let at = match after_events {
        Some(0) => Some(start),
        _ => fault
            .and_then(|f| f.after_ms)
            .map(|ms| start + std::time::Duration::from_millis(ms)),
    };
    (after_events, at)
}

/// Serves an upgraded socket on `channel_id` until the client leaves, the server stops or the
/// drop fault fires; a frozen socket is held, silent, until the server stops.
pub(crate) async fn serve(shared: Arc<Shared>, channel_id: String, mut socket: WebSocket) {
    let Some(opened) = shared.with(|state, _| state.push.open(&channel_id)) else {
        return;
    };
    let number = opened.number;
    let mut rx = opened.rx;
    let mut stop = opened.stop;
    let start = Instant::now();
    let mut heartbeat = tokio::time::interval_at(start + opened.heartbeat, opened.heartbeat);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let (drop_after_events, drop_at) = trigger(opened.drop.as_ref(), start);
    let (fail_after_events, mut fail_at) = trigger(opened.fail.as_ref(), start);
    let (freeze_after_events, mut freeze_at) = trigger(opened.freeze.as_ref(), start);
    let warning = opened.close.as_ref().map(CloseSocket::when);
    let (warn_after_events, warn_at) = trigger(warning.as_ref(), start);
    let grace = std::time::Duration::from_millis(opened.close.as_ref().map_or(0, |c| c.grace_ms));
    // Set once the maintenance warning went out: when the socket closes.
    let mut close_at: Option<Instant> = None;
    let mut closed_by_server = false;
    // Frozen from the start: the loop is never entered, so not even a ping is read.
    let mut frozen = freeze_after_events == Some(0);
    // Once the channel failed, the hub forgot it: nothing more is queued for this socket.
    let mut failed = false;
    let mut events_sent: u64 = 0;
    // Logged once written, stamped with when the write began.
    let record = |frame: &Frame, at| PushRecord {
        channel_id: channel_id.clone(),
        connection: number,
        topic: frame.topic.clone(),
        action_status: frame.action_status,
        operation_id: frame.operation_id.clone(),
        at,
    };
    if drop_after_events != Some(0) && !frozen {
        loop {
            let frame = tokio::select! {
                _ = heartbeat.tick() => metadata_frame("WebSocket Heartbeat"),
                queued = rx.recv(), if !failed => match queued {
                    Some(frame) => frame,
                    None => break,
                },
                () = sleep_until_opt(freeze_at) => {
                    frozen = true;
                    break;
                }
                () = sleep_until_opt(fail_at), if !failed => {
                    failed = true;
                    shared.with(|state, _| state.push.remove_channel(&channel_id));
                    channel_failure_frame()
                }
                () = sleep_until_opt(warn_at), if close_at.is_none() => {
                    close_at = Some(Instant::now() + grace);
                    socket_closing_frame(&channel_id, grace)
                }
                () = sleep_until_opt(close_at) => {
                    closed_by_server = true;
                    break;
                }
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        let received = ReceivedFrame {
                            channel_id: channel_id.clone(),
                            connection: number,
                            text: text.as_str().to_owned(),
                            at: shared.now(),
                        };
                        shared.with(|state, _| state.push.received.push(received));
                        if is_ping(text.as_str()) {
                            metadata_frame("pong")
                        } else {
                            continue;
                        }
                    }
                    // tungstenite answers pings and close frames itself; a close ends the loop.
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => continue,
                },
                () = sleep_until_opt(drop_at) => break,
                () = crate::push::stopped(&mut stop) => break,
            };
            let at = shared.now();
            if socket
                .send(Message::Text(frame.text.clone().into()))
                .await
                .is_err()
            {
                break;
            }
            let written = record(&frame, at);
            shared.with(|state, _| state.push.records.push(written));
            if frame.action_status.is_some() {
                events_sent += 1;
                if drop_after_events == Some(events_sent) {
                    break;
                }
                if fail_after_events == Some(events_sent) {
                    fail_at = Some(Instant::now());
                }
                if freeze_after_events == Some(events_sent) {
                    freeze_at = Some(Instant::now());
                }
                if warn_after_events == Some(events_sent) && close_at.is_none() {
                    // Written at once, so the warning follows exactly the N-th event.
                    close_at = Some(Instant::now() + grace);
                    let warning = socket_closing_frame(&channel_id, grace);
                    let at = shared.now();
                    if socket
                        .send(Message::Text(warning.text.clone().into()))
                        .await
                        .is_err()
                    {
                        break;
                    }
                    let written = record(&warning, at);
                    shared.with(|state, _| state.push.records.push(written));
                }
            }
        }
    }
    shared.with(|state, _| state.push.close(&channel_id, number));
    if closed_by_server {
        // The planned close ends with a close frame ("going away"), unlike a drop.
        let frame = CloseFrame {
            code: 1001,
            reason: "socket closing for maintenance".into(),
        };
        let _ = socket.send(Message::Close(Some(frame))).await;
    }
    if frozen {
        // Hold the connection without reading it (so pings go unanswered) until the server
        // stops: what a client sees of a path that died without a FIN.
        crate::push::stopped(&mut stop).await;
    }
    // Dropping the socket closes the TCP connection without a close frame: abrupt on purpose,
    // whether the drop fault fired or the server is stopping.
    drop(socket);
}

/// `{"message":"ping"}`, which the real streaming host answers with a `pong` metadata frame.
fn is_ping(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|v| v["message"] == "ping")
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_channel_failure_frame_is_a_404_result() {
        let frame: Value = serde_json::from_str(&channel_failure_frame().text).expect("json");
        assert_eq!(frame["result"], "404");
        assert!(frame.get("topicName").is_none());
    }

    #[test]
    fn the_maintenance_warning_names_its_channel() {
        let frame = socket_closing_frame("streaming-0-x", std::time::Duration::from_millis(250));
        let v: Value = serde_json::from_str(&frame.text).expect("json");
        assert_eq!(v["topicName"], SOCKET_CLOSING_TOPIC);
        assert_eq!(v["eventBody"]["channelId"], "streaming-0-x");
        assert_eq!(v["eventBody"]["systemTopicType"], "socket_closing");
        assert!(v["eventBody"]["correlationId"].is_string());
        assert!(
            v["eventBody"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("250 ms"))
        );
    }

    #[test]
    fn pings_and_heartbeats() {
        assert!(is_ping(r#"{"message":"ping"}"#));
        assert!(!is_ping("ping"));
        let beat: Value =
            serde_json::from_str(&metadata_frame("WebSocket Heartbeat").text).expect("json");
        assert_eq!(beat["topicName"], "channel.metadata");
        assert_eq!(beat["eventBody"]["message"], "WebSocket Heartbeat");
    }
}
