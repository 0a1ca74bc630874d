//! Push faults: refused channels, rejected topics, dropped sockets, suppressed events and slow
//! handshakes, each deterministic so a reconnect can be made to succeed or not.

#![allow(clippy::unwrap_used)]

mod common;
mod push_common;

use std::time::{Duration, Instant};

use common::*;
use futures_util::{SinkExt, StreamExt};
use genesys_sandbox::*;
use push_common::*;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite;

#[tokio::test]
async fn rejected_topics_are_answered_and_never_delivered() {
    let rules = json!({"reject_topics": [{"topic": topic(OTHER)}]});
    let sb = start(scenario(rules)).await;
    let t = token(&sb).await;
    let channel = create_channel(&sb, &t).await;
    let id = channel["id"].as_str().unwrap();
    let refused = subscribe(&sb, &t, id, &[FLOW, OTHER], false).await;
    assert_envelope(refused, 403, "missing.permissions").await;
    let resp = subscribe(&sb, &t, id, &[FLOW, OTHER], true).await;
    assert_eq!(resp.status(), 200);
    let listing: Value = resp.json().await.unwrap();
    assert_eq!(listing["entities"][0]["state"], "Permitted");
    let rejected = &listing["entities"][1];
    assert_eq!(
        (rejected["id"].as_str(), rejected["state"].as_str()),
        (Some(topic(OTHER).as_str()), Some("Rejected"))
    );
    assert_eq!(
        rejected["missingPermissions"],
        json!(["architect:flow:view"])
    );
    assert!(rejected["rejectionReason"].is_string());
    let mut ws = connect(channel["connectUri"].as_str().unwrap()).await;
    // The rejected flow's publish completes first; events are queued in order, so any of its
    // events would arrive before the permitted flow's.
    publish(&sb, &t, OTHER, "2.0").await;
    wait_complete(&sb, &t, OTHER).await;
    publish(&sb, &t, FLOW, "2.0").await;
    for expected in SUCCESS_ORDER {
        let event = next_event(&mut ws).await;
        assert_eq!(
            (event["topicName"].as_str(), status(&event)),
            (Some(topic(FLOW).as_str()), expected)
        );
    }
    assert!(sb.notifications().iter().all(|r| r.topic != topic(OTHER)));
}

#[tokio::test]
async fn refused_channel_creation_is_403_for_the_first_k() {
    let sb = start(scenario(json!({"refuse_channels": {"first": 1}}))).await;
    let t = token(&sb).await;
    let resp = post(&sb, &t, "/api/v2/notifications/channels").await;
    assert_envelope(resp, 403, "missing.permissions").await;
    create_channel(&sb, &t).await;
}

#[tokio::test]
async fn socket_dropped_after_n_events_and_a_reconnect_succeeds() {
    let drop = json!({"drop_socket": {"after_events": 2, "first": 1}});
    let sb = start(scenario(drop)).await;
    let t = token(&sb).await;
    let channel = create_channel(&sb, &t).await;
    let (id, uri) = (
        channel["id"].as_str().unwrap(),
        channel["connectUri"].as_str().unwrap(),
    );
    subscribe(&sb, &t, id, &[FLOW], true).await;
    let mut ws = connect(uri).await;
    // 1000 ms leaves the reconnect ample time before the last event.
    let resp = post(
        &sb,
        &t,
        &format!("/api/v2/flows/actions/publish?flow={FLOW}&version=1.0"),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(status(&next_event(&mut ws).await), "STARTED");
    assert_eq!(status(&next_event(&mut ws).await), "PENDING_GENERATION");
    assert!(
        matches!(read(&mut ws).await, Read::Dropped),
        "dropped without a close frame"
    );
    let mut again = connect(uri).await;
    let mut event = next_event(&mut again).await;
    while status(&event) != "SUCCESS" {
        event = next_event(&mut again).await;
    }
    assert_eq!(event["eventBody"]["publishedVersion"], json!({"id": "1.0"}));
    assert!(
        sb.notifications()
            .iter()
            .any(|r| r.connection == 2 && r.action_status == Some(ActionStatus::Success))
    );
}

#[tokio::test]
async fn socket_dropped_after_m_ms_for_the_first_connection_only() {
    let sb = start(scenario(
        json!({"heartbeat_ms": 50, "drop_socket": {"after_ms": 100, "first": 1}}),
    ))
    .await;
    let t = token(&sb).await;
    let channel = create_channel(&sb, &t).await;
    let uri = channel["connectUri"].as_str().unwrap();
    let mut ws = connect(uri).await;
    let opened = Instant::now();
    loop {
        match read(&mut ws).await {
            Read::Frame(f) => assert!(is_heartbeat(&f)),
            Read::Dropped => break,
            Read::Closed => panic!("closed with a close frame"),
        }
    }
    assert!(
        opened.elapsed() >= Duration::from_millis(90),
        "{:?}",
        opened.elapsed()
    );
    // The second socket outlives 100 ms: six heartbeats take 300 ms.
    let mut again = connect(uri).await;
    for _ in 0..6 {
        assert!(matches!(read(&mut again).await, Read::Frame(ref f) if is_heartbeat(f)));
    }
}

#[tokio::test]
async fn a_failed_channel_says_404_once_then_only_heartbeats_and_is_gone() {
    let sb = start(scenario(
        json!({"heartbeat_ms": 50, "fail_channel": {"after_events": 1}}),
    ))
    .await;
    let t = token(&sb).await;
    let channel = create_channel(&sb, &t).await;
    let (id, uri) = (
        channel["id"].as_str().unwrap(),
        channel["connectUri"].as_str().unwrap(),
    );
    subscribe(&sb, &t, id, &[FLOW], true).await;
    let mut ws = connect(uri).await;
    publish(&sb, &t, FLOW, "2.0").await;
    assert_eq!(status(&next_event(&mut ws).await), "STARTED");
    let failure = next_event(&mut ws).await;
    assert_eq!(failure["result"], "404", "{failure}");
    assert!(
        failure["message"]
            .as_str()
            .unwrap()
            .starts_with("Channel not found")
    );
    // The socket stays open, but the rest of the publish never reaches it.
    let late = settle(&sb, &t, &mut ws).await;
    assert!(late.is_empty(), "{late:?}");
    // The channel is gone: no handshake, no subscription.
    assert_no_upgrade(uri).await;
    assert_envelope(
        subscribe(&sb, &t, id, &[FLOW], true).await,
        404,
        "not.found",
    )
    .await;
    let logged: Vec<String> = sb
        .notifications()
        .into_iter()
        .filter(|r| r.topic != "channel.metadata")
        .map(|r| r.topic)
        .collect();
    assert_eq!(logged, [topic(FLOW), CHANNEL_FAILURE_TOPIC.to_owned()]);
}

#[tokio::test]
async fn a_frozen_socket_stays_open_and_says_nothing_not_even_pong() {
    let sb = start(scenario(
        json!({"heartbeat_ms": 50, "freeze_socket": {"after_events": 0, "first": 1}}),
    ))
    .await;
    let t = token(&sb).await;
    let channel = create_channel(&sb, &t).await;
    let uri = channel["connectUri"].as_str().unwrap();
    let mut ws = connect(uri).await;
    ws.send(tungstenite::Message::Ping(Vec::new().into()))
        .await
        .unwrap();
    // Ten heartbeats' worth of time: a live socket would have sent them and the pong.
    let heard = tokio::time::timeout(Duration::from_millis(500), ws.next()).await;
    assert!(heard.is_err(), "the frozen socket said {heard:?}");
    assert!(sb.notifications().is_empty());
    // The second socket is not frozen: heartbeats flow.
    let mut again = connect(uri).await;
    assert!(matches!(read(&mut again).await, Read::Frame(ref f) if is_heartbeat(f)));
}

#[tokio::test]
async fn suppressed_terminal_event_while_heartbeats_go_on() {
    let sb = start(scenario(
        json!({"heartbeat_ms": 50, "suppress_events": "terminal"}),
    ))
    .await;
    let t = token(&sb).await;
    let (_, mut ws) = listen(&sb, &t, &[FLOW]).await;
    publish(&sb, &t, FLOW, "2.0").await;
    let mut seen: Vec<String> = Vec::new();
    while seen.len() < 3 {
        seen.push(status(&next_event(&mut ws).await).to_owned());
    }
    assert_eq!(seen, SUCCESS_ORDER[..3]);
    let late = settle(&sb, &t, &mut ws).await;
    assert!(late.is_empty(), "{late:?}");
    assert!(
        sb.notifications()
            .iter()
            .all(|r| r.action_status != Some(ActionStatus::Success))
    );
}

#[tokio::test]
async fn all_events_suppressed() {
    let sb = start(scenario(
        json!({"heartbeat_ms": 50, "suppress_events": "all"}),
    ))
    .await;
    let t = token(&sb).await;
    let (_, mut ws) = listen(&sb, &t, &[FLOW]).await;
    publish(&sb, &t, FLOW, "2.0").await;
    let events = settle(&sb, &t, &mut ws).await;
    assert!(events.is_empty(), "{events:?}");
}

#[tokio::test]
async fn slow_handshake_for_the_first_connection() {
    let sb = start(scenario(
        json!({"slow_handshake": {"delay_ms": 1000, "first": 1}}),
    ))
    .await;
    let t = token(&sb).await;
    let channel = create_channel(&sb, &t).await;
    let uri = channel["connectUri"].as_str().unwrap();
    let began = Instant::now();
    let _slow = connect(uri).await;
    let slow = began.elapsed();
    assert!(slow >= Duration::from_millis(1000), "{slow:?}");
    let began = Instant::now();
    let _quick = connect(uri).await;
    assert!(began.elapsed() < slow, "{:?}", began.elapsed());
}

#[tokio::test]
async fn shutdown_closes_open_sockets() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let (_, mut ws) = listen(&sb, &t, &[FLOW]).await;
    sb.shutdown().await;
    assert!(matches!(read(&mut ws).await, Read::Dropped | Read::Closed));
}
