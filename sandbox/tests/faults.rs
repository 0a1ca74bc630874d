//! Injected faults over real HTTP: 429, 5xx bursts, slow responses, dropped connections,
//! malformed bodies, and the request log that records them.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use genesys_sandbox::*;
use serde_json::Value;

fn with_faults(faults: &str) -> Scenario {
    let scenario = Scenario {
        faults: serde_json::from_str(faults).unwrap(),
        ..Scenario::default()
    };
    scenario.validate().unwrap();
    scenario
}

fn flow_path() -> String {
    format!("/api/v2/flows/{DEMO_BOT_ID}")
}

#[tokio::test]
async fn rate_limit_every_nth_with_retry_after() {
    let sb = start(with_faults(
        r#"[{"kind": "rate_limit", "route": "GET /api/v2/flows/*", "every_nth": 2, "retry_after_secs": 7}]"#,
    ))
    .await;
    let t = token(&sb).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let resp = get(&sb, &t, &flow_path()).await;
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            assert_eq!(resp.headers()["retry-after"], "7");
            let body = assert_envelope(resp, 429, "too.many.requests.retry.after").await;
            assert_eq!(
                body["message"],
                "Rate limit exceeded the maximum. Retry the request in [7] seconds"
            );
        }
    }
    assert_eq!(statuses, [200, 429, 200, 429]);
    let log = sb.requests();
    // The token request does not match the route, so it was not counted.
    assert_eq!(log[0].path, "/oauth/token");
    assert_eq!(log[0].fault, None);
    let faults: Vec<Option<&str>> = log[1..].iter().map(|r| r.fault.as_deref()).collect();
    assert_eq!(faults, [None, Some("rate_limit"), None, Some("rate_limit")]);
    sb.shutdown().await;
}

#[tokio::test]
async fn server_error_burst() {
    let sb = start(with_faults(
        r#"[{"kind": "server_error", "route": "/api/v2/**", "status": 502, "count": 2, "after_nth": 2}]"#,
    ))
    .await;
    let t = token(&sb).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let resp = get(&sb, &t, &flow_path()).await;
        statuses.push(resp.status().as_u16());
        if resp.status() == 502 {
            assert_envelope(resp, 502, "bad.gateway").await;
        }
    }
    assert_eq!(statuses, [200, 502, 502, 200, 200]);
    sb.shutdown().await;
}

#[tokio::test]
async fn server_error_after_handler_still_publishes() {
    let sb = start(with_faults(
        r#"[{"kind": "server_error", "route": "POST /api/v2/flows/actions/publish", "after_handler": true, "count": 1}]"#,
    ))
    .await;
    let t = token(&sb).await;
    let path = format!("/api/v2/flows/actions/publish?flow={DEMO_BOT_ID}");
    assert_envelope(post(&sb, &t, &path).await, 503, "service.unavailable").await;
    // The ambiguous failure did start the publish.
    let (flow, _) = wait_complete(&sb, &t, DEMO_BOT_ID).await;
    assert_eq!(flow["publishedVersion"]["id"], "2.0");
    assert_eq!(sb.operations().len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn slow_responses_are_delayed() {
    let sb = start(with_faults(
        r#"[{"kind": "slow", "delay_ms": 300, "first": 1}]"#,
    ))
    .await;
    let begun = Instant::now();
    let t = token(&sb).await;
    assert!(begun.elapsed() >= Duration::from_millis(300));
    assert_eq!(get(&sb, &t, &flow_path()).await.status(), 200);
    let log = sb.requests();
    assert_eq!(log[0].fault.as_deref(), Some("slow"));
    assert_eq!(log[0].status, 200);
    assert_eq!(log[1].fault, None);
    sb.shutdown().await;
}

#[tokio::test]
async fn dropped_connections_are_transport_errors() {
    let sb = start(with_faults(
        r#"[{"kind": "drop_connection", "route": "GET /api/v2/flows/*", "count": 1}]"#,
    ))
    .await;
    let t = token(&sb).await;
    let url = format!("{}{}", sb.api_url(), flow_path());
    let err = http()
        .get(&url)
        .bearer_auth(&t)
        .send()
        .await
        .expect_err("connection dropped");
    assert!(!err.is_status() && err.status().is_none(), "{err:?}");
    // The next request gets a fresh connection and an answer.
    assert_eq!(get(&sb, &t, &flow_path()).await.status(), 200);
    let log = sb.requests();
    assert_eq!(
        (log[1].status, log[1].fault.as_deref()),
        (0, Some("drop_connection"))
    );
    assert_eq!(log[2].status, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn malformed_json_bodies() {
    let sb = start(with_faults(
        r#"[{"kind": "malformed_json", "route": "GET /api/v2/flows/*", "after_nth": 1, "count": 1}]"#,
    ))
    .await;
    let t = token(&sb).await;
    let resp = get(&sb, &t, &flow_path()).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let text = resp.text().await.unwrap();
    assert!(!text.is_empty());
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    let (status, flow) = get_json(&sb, &t, &flow_path()).await;
    assert_eq!((status, flow["id"].as_str()), (200, Some(DEMO_BOT_ID)));
    sb.shutdown().await;
}

#[tokio::test]
async fn rate_limit_window_and_token_route() {
    // A window from the start for 60 s covers every request of this test.
    let sb = start(with_faults(
        r#"[{"kind": "rate_limit", "route": "POST /oauth/token", "window_start_ms": 0, "window_end_ms": 60000, "retry_after_secs": 0}]"#,
    ))
    .await;
    let resp = token_for(&sb, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
    assert_eq!(resp.headers()["retry-after"], "0");
    assert_envelope(resp, 429, "too.many.requests.retry.after").await;
    sb.shutdown().await;
}

#[tokio::test]
async fn server_errors_carry_the_swagger_codes() {
    let sb = start(with_faults(
        r#"[{"kind": "server_error", "route": "GET /api/v2/flows/*", "status": 500, "count": 1},
            {"kind": "server_error", "route": "GET /api/v2/flows/*", "status": 503, "after_nth": 2, "count": 1},
            {"kind": "server_error", "route": "GET /api/v2/flows/*", "status": 504, "after_nth": 3, "count": 1},
            {"kind": "server_error", "route": "GET /api/v2/flows/*", "status": 599, "after_nth": 4, "count": 1}]"#,
    ))
    .await;
    let t = token(&sb).await;
    let expected = [
        (
            500,
            "internal.server.error",
            "The server encountered an unexpected condition which prevented it from fulfilling the request.",
        ),
        (
            503,
            "service.unavailable",
            "Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance).",
        ),
        (504, "request.timeout", "The request timed out."),
        (599, "server.error", "The server encountered an error"),
    ];
    for (status, code, message) in expected {
        assert_error(get(&sb, &t, &flow_path()).await, status, code, message).await;
    }
    assert_eq!(get(&sb, &t, &flow_path()).await.status(), 200);
    sb.shutdown().await;
}
