//! Rate limits, server errors and lost answers: retried where safe, never the publish.

use crate::helpers::*;
use mockito::Matcher;
use serde_json::json;

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    let limited = api
        .server
        .mock("GET", "/api/v2/routing/skills")
        .match_query(Matcher::Any)
        .with_status(429)
        .with_header("Retry-After", "1")
        .with_header("ININ-Correlation-Id", "corr-429")
        .with_body(envelope(
            429,
            "too.many.requests.retry.after",
            "Rate limit exceeded the maximum. Retry the request in [1] seconds",
        ))
        .expect(1)
        .create_async()
        .await;
    api.skills(&[(SKILL_A, "active")]).await;
    api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[("INPUT_SKILL-IDS", SKILL_A)]).await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    assert_eq!(ran.output("retries"), "1");
    assert_eq!(ran.output("rate-limited"), "1");
    let waited = ran.event("metrics")["details"]["retry_wait_ms"]
        .as_u64()
        .expect("ms");
    assert!(
        (1000..=1050).contains(&waited),
        "waited {waited} ms for Retry-After: 1"
    );
    limited.assert_async().await;
}

#[tokio::test]
async fn a_burst_of_5xx_is_retried_then_succeeds() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let burst = api
        .flow_error(503, "service.unavailable", "Service Unavailable")
        .expect(2)
        .create_async()
        .await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    assert_eq!(ran.output("retries"), "2");
    burst.assert_async().await;
}

#[tokio::test]
async fn a_501_is_not_retried() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let not_implemented = api
        .flow_error(501, "not.implemented", "Not Implemented")
        .expect(1)
        .create_async()
        .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("retries"), "0");
    not_implemented.assert_async().await;
}

#[tokio::test]
async fn a_publish_answer_lost_to_a_5xx_is_not_resent_when_the_flow_shows_it_started() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(
        &flow(Some("2.0"), Some("3.0"), Some(op("old", "SUCCESS", true))),
        1,
    )
    .await;
    api.consumed(&[]).await;
    let publish = api
        .publish_error(502, "bad.gateway", "Bad Gateway")
        .expect(1)
        .create_async()
        .await;
    api.get_flow(
        &flow(
            Some("2.0"),
            Some("3.0"),
            Some(op("op-new", "STARTED", false)),
        ),
        1,
    )
    .await;
    api.get_flow(
        &flow(
            Some("3.0"),
            Some("3.0"),
            Some(op("op-new", "SUCCESS", true)),
        ),
        1,
    )
    .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    assert_eq!(ran.output("operation-id"), "op-new");
    assert_eq!(
        ran.events()[2..4],
        ["publish_trigger_error", "publish_status"]
    );
    assert!(ran.stdout.contains("::warning title=Publish answer lost::"));
    publish.assert_async().await;
}

#[tokio::test]
async fn a_publish_answer_lost_with_nothing_started_fails_without_resending() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(
        &flow(Some("2.0"), Some("3.0"), Some(op("old", "SUCCESS", true))),
        2,
    )
    .await;
    api.consumed(&[]).await;
    let publish = api
        .publish_error(503, "service.unavailable", "Service Unavailable")
        .expect(1)
        .create_async()
        .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "failed");
    assert_eq!(
        ran.events(),
        [
            "deployment_started",
            "dependency_validation_passed",
            "publish_trigger_error",
            "metrics"
        ]
    );
    assert!(
        ran.summary
            .contains("the flow shows no publish; nothing changed"),
        "{}",
        ran.summary
    );
    publish.assert_async().await;
}

#[tokio::test]
async fn a_429_on_publish_is_retried_because_it_was_not_processed() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    let limited = api
        .publish_error(429, "too.many.requests.retry.after", "Rate limit exceeded")
        .with_header("Retry-After", "0")
        .expect(1)
        .create_async()
        .await;
    let publish = api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    assert_eq!(ran.output("rate-limited"), "1");
    limited.assert_async().await;
    publish.assert_async().await;
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_is_not_waited_for() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    api.flow_error(
        429,
        "too.many.requests.retry.after",
        "Retry the request in [30] seconds",
    )
    .with_header("Retry-After", "30")
    .expect_at_least(1)
    .create_async()
    .await;

    let ran = run(&api, &[("INPUT_TIMEOUT-SECONDS", "1")]).await;

    assert_eq!(ran.output("status"), "timed-out");
    assert_eq!(
        ran.report.exit_code(),
        2,
        "the live version could not be read"
    );
    assert_eq!(ran.event("metrics")["details"]["retry_wait_ms"], json!(0));
}

#[tokio::test]
async fn an_unreadable_answer_is_read_again() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let garbled = api
        .server
        .mock("GET", format!("/api/v2/flows/{BOT}").as_str())
        .with_status(200)
        .with_body("{\"id\": \"trunc")
        .expect(1)
        .create_async()
        .await;
    api.get_flow(&flow(Some("3.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.output("status"), "unchanged", "{}", ran.summary);
    assert_eq!(ran.output("retries"), "1");
    garbled.assert_async().await;
}

#[tokio::test]
async fn push_refused_falls_back_to_polling_with_a_warning() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    let channel = api
        .server
        .mock("POST", "/api/v2/notifications/channels")
        .with_status(403)
        .with_body(envelope(
            403,
            "missing.permissions",
            "Channel creation is not allowed",
        ))
        .expect(1)
        .create_async()
        .await;
    api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[("INPUT_WAIT-MODE", "auto")]).await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    assert!(ran.stdout.contains("::warning title=Push notifications unavailable::POST /api/v2/notifications/channels answered HTTP 403 (missing.permissions)"), "{}", ran.stdout);
    assert_eq!(ran.event("publish_status")["details"]["decided_by"], "poll");
    assert_eq!(ran.event("metrics")["details"]["decided_by"], "poll");
    channel.assert_async().await;
}

#[tokio::test]
async fn a_rejected_topic_names_the_missing_permission_and_polls() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.server
        .mock("POST", "/api/v2/notifications/channels")
        .with_status(200)
        .with_body(
            json!({ "id": "ch-1", "connectUri": "ws://127.0.0.1:9/channels/ch-1" }).to_string(),
        )
        .create_async()
        .await;
    let subscribe = api
        .server
        .mock("POST", "/api/v2/notifications/channels/ch-1/subscriptions")
        .match_query(Matcher::UrlEncoded("ignoreErrors".into(), "true".into()))
        .match_body(Matcher::Json(json!([{ "id": format!("v2.flows.{BOT}") }])))
        .with_status(200)
        .with_body(
            json!({ "entities": [{ "id": format!("v2.flows.{BOT}"), "state": "Rejected", "rejectionReason": "Missing permissions", "missingPermissions": ["architect:flow:view"] }] })
                .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[("INPUT_WAIT-MODE", "push")]).await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    let warning = format!(
        "::warning title=Push notifications unavailable::topic v2.flows.{BOT} was rejected: Missing permissions (missing permissions: architect:flow:view); waiting by polling instead. Give the OAuth client's role architect:flow:view to wait by push."
    );
    assert!(ran.stdout.contains(&warning), "{}", ran.stdout);
    subscribe.assert_async().await;
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_is_refused_not_buffered() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let mut big = flow(Some("2.0"), Some("3.0"), None);
    big["description"] = json!("x".repeat(4096));
    api.get_flow(&big, 1).await;
    let none = api.any_publish().await;
    let mut config = config(&api, &[]);
    config.tuning.max_body_bytes = 1024;

    let ran = run_config(config, tokio_util::sync::CancellationToken::new()).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert!(
        ran.summary.contains(&format!(
            "GET /api/v2/flows/{BOT}: the answer is larger than 1024 bytes"
        )),
        "{}",
        ran.summary
    );
    none.assert_async().await;
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported() {
    // A port nothing listens on: every connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let api = Api::new().await;

    let ran = run(
        &api,
        &[("INPUT_LOGIN-URL", &url), ("INPUT_MAX-RETRIES", "2")],
    )
    .await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "failed");
    assert_eq!(ran.output("retries"), "2");
    assert_eq!(ran.output("api-requests"), "3");
    assert_eq!(
        ran.events(),
        ["deployment_started", "auth_failed", "metrics"]
    );
    assert!(
        ran.summary
            .contains("POST /oauth/token could not connect after 3 attempt(s)"),
        "{}",
        ran.summary
    );
    assert!(ran.summary.contains("Genesys Cloud could not be reached"));
}
