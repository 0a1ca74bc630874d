//! Push notifications: channels, subscriptions, the WebSocket, flow events at their scheduled
//! times and heartbeats. The client is tokio-tungstenite, as in the Action. Faults are in
//! `notification_faults.rs`.

#![allow(clippy::unwrap_used)]

mod common;
mod push_common;

use common::*;
use futures_util::SinkExt;
use genesys_sandbox::*;
use push_common::*;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn publish_pushes_every_transition_in_order_with_the_flow() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let channel = create_channel(&sb, &t).await;
    let id = channel["id"].as_str().unwrap();
    assert_eq!(
        channel["connectUri"],
        format!("ws://{}/channels/{id}", sb.addr())
    );
    assert!(channel["expires"].as_str().unwrap().ends_with('Z'));
    let resp = subscribe(&sb, &t, id, &[FLOW], false).await;
    assert_eq!(resp.status(), 200);
    let listing: Value = resp.json().await.unwrap();
    assert_eq!(listing["entities"][0]["id"], topic(FLOW));
    assert_eq!(listing["entities"][0]["state"], "Permitted");
    let (status_code, listed) = get_json(
        &sb,
        &t,
        &format!("/api/v2/notifications/channels/{id}/subscriptions"),
    )
    .await;
    assert_eq!(
        (status_code, listed["entities"].as_array().unwrap().len()),
        (200, 1)
    );
    let mut ws = connect(channel["connectUri"].as_str().unwrap()).await;

    let op_id = publish(&sb, &t, FLOW, "2.0").await;
    for (i, expected) in SUCCESS_ORDER.iter().enumerate() {
        let event = next_event(&mut ws).await;
        assert_eq!(event["topicName"], topic(FLOW));
        assert_eq!(event["version"], "2");
        assert!(event["metadata"]["CorrelationId"].is_string());
        let body = &event["eventBody"];
        assert_eq!(status(&event), *expected);
        assert_eq!(
            (body["id"].as_str(), body["name"].as_str()),
            (Some(FLOW), Some("Bot flow-a"))
        );
        assert_eq!(
            (body["description"].as_str(), body["deleted"].as_bool()),
            (Some("test bot"), Some(false))
        );
        assert_eq!(body["checkedInVersion"], json!({"id": "2.0"}));
        let op = &body["currentOperation"];
        assert_eq!(op["id"], op_id.as_str());
        assert_eq!(
            (op["actionName"].as_str(), op["client"].clone()),
            (Some("PUBLISH"), json!({"id": DEMO_CLIENT_ID, "name": "CI"}))
        );
        let last = i == SUCCESS_ORDER.len() - 1;
        assert_eq!(op["complete"], last);
        assert_eq!(
            body["publishedVersion"],
            json!({"id": if last { "2.0" } else { "1.0" }})
        );
    }
    // The event agrees with the flow as read right after it.
    let (_, flow) = get_json(&sb, &t, &format!("/api/v2/flows/{FLOW}")).await;
    assert_eq!(flow["publishedVersion"]["id"], "2.0");
    assert_eq!(flow["currentOperation"]["actionStatus"], "SUCCESS");

    let pushed: Vec<PushRecord> = sb
        .notifications()
        .into_iter()
        .filter(|r| r.action_status.is_some())
        .collect();
    let statuses: Vec<&str> = pushed
        .iter()
        .map(|r| r.action_status.unwrap().as_str())
        .collect();
    assert_eq!(statuses, SUCCESS_ORDER);
    let transitions = &sb.operations()[0].transitions;
    for (record, (st, at)) in pushed.iter().zip(transitions) {
        assert_eq!(
            (
                record.channel_id.as_str(),
                record.topic.as_str(),
                record.connection
            ),
            (id, topic(FLOW).as_str(), 1)
        );
        assert_eq!(record.operation_id.as_deref(), Some(op_id.as_str()));
        assert_eq!(record.action_status, Some(*st));
        assert!(
            record.at >= *at,
            "pushed at {:?}, before its transition {at:?}",
            record.at
        );
    }
    let paths: Vec<String> = sb
        .requests()
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect();
    assert!(
        paths.contains(&"POST /api/v2/notifications/channels 200".to_owned()),
        "{paths:?}"
    );
    assert!(paths.contains(&format!(
        "POST /api/v2/notifications/channels/{id}/subscriptions 200"
    )));
    assert!(paths.contains(&format!("GET /channels/{id} 101")));
}

#[tokio::test]
async fn a_failed_publish_pushes_failure_with_the_error_fields() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let (_, mut ws) = listen(&sb, &t, &[FLOW]).await;
    publish(&sb, &t, FLOW, "3.0").await;
    let mut event = next_event(&mut ws).await;
    while status(&event) != "FAILURE" {
        assert!(
            event["eventBody"]["currentOperation"]
                .get("errorCode")
                .is_none()
        );
        event = next_event(&mut ws).await;
    }
    let op = &event["eventBody"]["currentOperation"];
    assert_eq!(
        (op["complete"].as_bool(), op["errorCode"].as_str()),
        (Some(true), Some("flow.publish.validation.failed"))
    );
    assert_eq!(op["errorMessage"], "Missing skill");
    assert_eq!(op["errorDetails"][0]["entityName"], "Gone");
    assert_eq!(event["eventBody"]["publishedVersion"], json!({"id": "1.0"}));
}

#[tokio::test]
async fn heartbeats_flow_and_pings_are_answered() {
    let sb = start(scenario(json!({"heartbeat_ms": 50}))).await;
    let t = token(&sb).await;
    let (id, mut ws) = listen(&sb, &t, &[FLOW]).await;
    for _ in 0..2 {
        match read(&mut ws).await {
            Read::Frame(f) => assert!(is_heartbeat(&f), "{f}"),
            other => panic!("{other:?}"),
        }
    }
    ws.send(Message::Text(r#"{"message":"ping"}"#.into()))
        .await
        .unwrap();
    loop {
        match read(&mut ws).await {
            Read::Frame(f) if is_heartbeat(&f) => {}
            Read::Frame(f) => {
                assert_eq!(
                    f,
                    json!({"topicName": "channel.metadata", "eventBody": {"message": "pong"}})
                );
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    let beats: Vec<PushRecord> = sb
        .notifications()
        .into_iter()
        .filter(|r| r.topic == "channel.metadata")
        .collect();
    assert!(
        beats.len() >= 3
            && beats
                .iter()
                .all(|r| r.channel_id == id && r.action_status.is_none())
    );
}

#[tokio::test]
async fn unknown_channels_are_404_and_the_api_needs_a_token() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let resp = http()
        .get(format!("{}/channels/streaming-0-nope", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_envelope(resp, 404, "not.found").await;
    assert_no_upgrade(&format!("ws://{}/channels/streaming-0-nope", sb.addr())).await;
    assert_envelope(
        subscribe(&sb, &t, "streaming-0-nope", &[FLOW], true).await,
        404,
        "not.found",
    )
    .await;
    let resp = http()
        .post(format!("{}/api/v2/notifications/channels", sb.api_url()))
        .send()
        .await
        .unwrap();
    assert_envelope(resp, 401, "authentication.required").await;
}

#[tokio::test]
async fn put_replaces_the_topics() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let (id, _ws) = listen(&sb, &t, &[FLOW]).await;
    let resp = http()
        .put(format!(
            "{}/api/v2/notifications/channels/{id}/subscriptions",
            sb.api_url()
        ))
        .bearer_auth(&t)
        .json(&json!([{"id": topic(OTHER)}]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let listing: Value = resp.json().await.unwrap();
    assert_eq!(
        listing["entities"],
        json!([{"id": topic(OTHER), "state": "Permitted", "selfUri": format!("/api/v2/flows/{OTHER}")}])
    );
    let bad = http()
        .put(format!(
            "{}/api/v2/notifications/channels/{id}/subscriptions",
            sb.api_url()
        ))
        .bearer_auth(&t)
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_envelope(bad, 400, "bad.request").await;
}

#[test]
fn readme_notifications_example_parses() {
    let readme = include_str!("../README.md");
    let section = &readme[readme.find("## Push notifications").unwrap()..];
    let start = section.find("```json\n").unwrap() + "```json\n".len();
    let end = start + section[start..].find("```").unwrap();
    let spec: NotificationsSpec = serde_json::from_str(&section[start..end]).unwrap();
    spec.validate().unwrap();
    assert_eq!(spec.suppress_events, SuppressEvents::Terminal);
    let scenario = format!(r#"{{"notifications": {}}}"#, &section[start..end]);
    Scenario::from_json_str(&scenario).unwrap();
}
