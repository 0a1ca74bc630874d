//! The maintenance close (`close_socket`): a `v2.system.socket_closing` warning, events until
//! the grace period ends, then a close frame; and the log of what clients send on a socket.

#![allow(clippy::unwrap_used)]

mod common;
mod push_common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use genesys_sandbox::*;
use push_common::*;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

fn is_closing(frame: &Value) -> bool {
    frame["topicName"] == SOCKET_CLOSING_TOPIC
}

#[tokio::test]
async fn the_warning_names_the_channel_and_events_keep_coming_in_the_grace_period() {
    // A grace period far longer than the publish: every event must still arrive after it.
    let close = json!({"close_socket": {"after_events": 1, "grace_ms": 60_000}});
    let sb = start(scenario(close)).await;
    let t = token(&sb).await;
    let (channel, mut ws) = listen(&sb, &t, &[FLOW]).await;
    publish(&sb, &t, FLOW, "2.0").await;
    let mut statuses = Vec::new();
    let mut warning = None;
    while statuses.len() < SUCCESS_ORDER.len() {
        match read(&mut ws).await {
            Read::Frame(f) if is_heartbeat(&f) => {}
            Read::Frame(f) if is_closing(&f) => {
                assert_eq!(statuses.len(), 1, "warned right after the first event");
                warning = Some(f);
            }
            Read::Frame(f) => statuses.push(status(&f).to_owned()),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(statuses, SUCCESS_ORDER);
    let warning = warning.expect("a warning");
    let body = &warning["eventBody"];
    assert_eq!(
        (&body["channelId"], &body["systemTopicType"]),
        (&json!(channel), &json!("socket_closing"))
    );
    assert!(body["reason"].is_string() && body["message"].is_string());
    assert!(body["correlationId"].is_string());
    let logged: Vec<(u64, String)> = sb
        .notifications()
        .into_iter()
        .filter(|r| r.topic == SOCKET_CLOSING_TOPIC)
        .map(|r| (r.connection, r.channel_id))
        .collect();
    assert_eq!(logged, [(1, channel)]);
}

#[tokio::test]
async fn the_socket_closes_with_a_close_frame_after_the_grace_period_for_the_first_k() {
    let close = json!({"close_socket": {"after_ms": 0, "grace_ms": 100, "first": 1}});
    let sb = start(scenario(close)).await;
    let t = token(&sb).await;
    let channel = create_channel(&sb, &t).await;
    let (id, uri) = (
        channel["id"].as_str().unwrap(),
        channel["connectUri"].as_str().unwrap(),
    );
    subscribe(&sb, &t, id, &[FLOW], true).await;
    let mut ws = connect(uri).await;
    match read(&mut ws).await {
        Read::Frame(f) => assert!(is_closing(&f), "{f}"),
        other => panic!("{other:?}"),
    }
    // The next thing is the close frame: a planned close, not a drop.
    let next = tokio::time::timeout(FRAME_TIMEOUT, ws.next())
        .await
        .expect("the close in time");
    match next {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(frame.code, CloseCode::Away),
        other => panic!("expected a close frame, got {other:?}"),
    }
    // A new socket on the same channel is not warned (only the first one) and gets events.
    let mut again = connect(uri).await;
    publish(&sb, &t, FLOW, "2.0").await;
    for expected in SUCCESS_ORDER {
        assert_eq!(status(&next_event(&mut again).await), expected);
    }
    let warnings = sb
        .notifications()
        .iter()
        .filter(|r| r.topic == SOCKET_CLOSING_TOPIC)
        .count();
    assert_eq!(warnings, 1);
}

#[tokio::test]
async fn every_text_frame_a_client_sends_is_logged() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let (channel, mut ws) = listen(&sb, &t, &[FLOW]).await;
    ws.send(Message::Text("hello".into())).await.unwrap();
    ws.send(Message::Text(r#"{"message":"ping"}"#.into()))
        .await
        .unwrap();
    // The pong proves both frames were read, in order.
    match read(&mut ws).await {
        Read::Frame(f) => assert_eq!(f["eventBody"]["message"], "pong"),
        other => panic!("{other:?}"),
    }
    let received: Vec<(String, u64, String)> = sb
        .notifications_received()
        .into_iter()
        .map(|r| (r.channel_id, r.connection, r.text))
        .collect();
    assert_eq!(
        received,
        [
            (channel.clone(), 1, "hello".to_owned()),
            (channel, 1, r#"{"message":"ping"}"#.to_owned()),
        ]
    );
    // What the sandbox wrote is a separate log: the pong, not the client's frames.
    let written: Vec<String> = sb.notifications().into_iter().map(|r| r.topic).collect();
    assert_eq!(written, ["channel.metadata"]);
}

#[test]
fn a_close_needs_a_trigger() {
    let spec: NotificationsSpec =
        serde_json::from_value(json!({"close_socket": {"grace_ms": 10}})).unwrap();
    assert_eq!(
        spec.validate(),
        Err("close_socket needs after_events or after_ms".to_owned())
    );
}
