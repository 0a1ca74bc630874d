//! Faults of the transport and the API (429, 5xx, slow answers, dropped connections,
//! malformed JSON, token expiry): reads are retried, the publish never is unless the platform
//! provably did not process it (SPEC rules 4, 5, 9).

use std::time::Duration;

use genesys_sandbox::RequestRecord;
use serde_json::{Value, json};

use crate::world::*;

/// A deployment that went through.
pub const PUBLISHED: &[&str] = &[
    "deployment_started",
    "dependency_validation_passed",
    "publish_triggered",
    "publish_status",
    "deployment_success",
    "metrics",
];

/// A deployment whose publish answer was lost but whose operation the flow showed.
const PUBLISHED_ANSWER_LOST: &[&str] = &[
    "deployment_started",
    "dependency_validation_passed",
    "publish_trigger_error",
    "publish_status",
    "deployment_success",
    "metrics",
];

/// A publish that failed before the platform started it.
const PUBLISH_NOT_STARTED: &[&str] = &[
    "deployment_started",
    "dependency_validation_passed",
    "publish_trigger_error",
    "metrics",
];

/// Runs a scenario with these faults, expecting a clean deployment of `2.0`.
async fn publishes_despite(faults: Vec<Value>, extra: &[(&str, &str)]) -> World {
    let mut s = scenario();
    add_faults(&mut s, faults);
    let world = World::start(s).await;
    let ran = world.run(extra).await;
    ran.assert_outcome(0, "published", PUBLISHED, &world.secrets());
    assert_eq!(world.live().as_deref(), Some("2.0"));
    assert_eq!(ran.output("published-version"), "2.0");
    world.assert_one_publish_of("2.0");
    world
}

/// Asserts that every 429 in `log` was followed, on the same route, no sooner than its
/// `Retry-After` (the sandbox's faults here all say 1 s).
fn assert_retry_after_honoured(log: &[RequestRecord], retry_after: Duration, world: &World) {
    for (i, limited) in log.iter().enumerate().filter(|(_, r)| r.status == 429) {
        let next = log[i + 1..]
            .iter()
            .find(|r| r.method == limited.method && r.path == limited.path)
            .unwrap_or_else(|| panic!("a 429 was never retried\n{}", world.log()));
        assert!(
            next.at - limited.at >= retry_after,
            "retried {:?} after a 429 asking for {retry_after:?}\n{}",
            next.at - limited.at,
            world.log()
        );
    }
}

fn rate_limited(world: &World) -> usize {
    world.requests().iter().filter(|r| r.status == 429).count()
}

#[tokio::test]
async fn publishes_without_faults() {
    let world = publishes_despite(Vec::new(), &[]).await;
    assert_eq!(world.token_requests().len(), 1, "one token per run");
}

#[tokio::test]
async fn rate_limit_every_nth_read_waits_for_retry_after() {
    let world = publishes_despite(
        vec![json!({ "kind": "rate_limit", "route": "GET /api/v2/flows/*", "every_nth": 2, "retry_after_secs": 1 })],
        &[],
    )
    .await;
    assert!(rate_limited(&world) >= 1, "{}", world.log());
    assert_retry_after_honoured(&world.flow_reads(), Duration::from_secs(1), &world);
}

#[tokio::test]
async fn rate_limit_window_on_every_api_route_is_waited_out() {
    // Every API call in the first 1.2 s is refused; the token endpoint is not /api/v2.
    let world = publishes_despite(
        vec![json!({ "kind": "rate_limit", "route": "/api/v2/**", "window_start_ms": 0, "window_end_ms": 1200, "retry_after_secs": 1 })],
        &[("timeout-seconds", "6")],
    )
    .await;
    let log = world.requests();
    assert!(rate_limited(&world) >= 1, "{}", world.log());
    assert!(
        log.iter()
            .filter(|r| r.status == 429)
            .all(|r| r.at < Duration::from_millis(1200))
    );
    assert_retry_after_honoured(&log, Duration::from_secs(1), &world);
}

#[tokio::test]
async fn rate_limited_publish_is_sent_again_after_retry_after() {
    // A 429 proves the publish was not processed, so sending it again is safe.
    let world = publishes_despite(
        vec![json!({ "kind": "rate_limit", "route": "POST /api/v2/flows/actions/publish", "count": 1, "retry_after_secs": 1 })],
        &[],
    )
    .await;
    let publishes = world.publishes_of("2.0");
    assert_eq!(
        publishes.iter().map(|r| r.status).collect::<Vec<_>>(),
        [429, 200]
    );
    assert_retry_after_honoured(&publishes, Duration::from_secs(1), &world);
}

#[tokio::test]
async fn server_error_burst_on_reads_is_retried() {
    let world = publishes_despite(
        vec![
            json!({ "kind": "server_error", "status": 503, "route": "GET /api/v2/flows/*", "count": 3 }),
            json!({ "kind": "server_error", "status": 502, "route": "GET /api/v2/routing/skills", "count": 1 }),
        ],
        &[("timeout-seconds", "10")],
    )
    .await;
    let failed = world.requests().iter().filter(|r| r.status >= 500).count();
    assert_eq!(failed, 4, "{}", world.log());
}

#[tokio::test]
async fn server_error_after_the_publish_ran_is_decided_by_reading_the_flow() {
    let mut s = scenario();
    add_faults(
        &mut s,
        [
            json!({ "kind": "server_error", "status": 504, "after_handler": true, "route": "POST /api/v2/flows/actions/publish" }),
        ],
    );
    let world = World::start(s).await;
    let ran = world.run(&[]).await;
    ran.assert_outcome(0, "published", PUBLISHED_ANSWER_LOST, &world.secrets());
    world.assert_one_publish_of("2.0");
    assert_eq!(world.live().as_deref(), Some("2.0"));
}

#[tokio::test]
async fn server_error_before_the_publish_ran_fails_without_resending() {
    let mut s = scenario();
    add_faults(
        &mut s,
        [
            json!({ "kind": "server_error", "status": 503, "route": "POST /api/v2/flows/actions/publish" }),
        ],
    );
    let world = World::start(s).await;
    let ran = world.run(&[]).await;
    ran.assert_outcome(1, "failed", PUBLISH_NOT_STARTED, &world.secrets());
    assert_eq!(world.publishes().len(), 1, "never re-sent\n{}", world.log());
    assert_eq!(world.live().as_deref(), Some("1.0"));
    assert_eq!(ran.output("published-version"), "1.0");
}

#[tokio::test]
async fn slow_answers_everywhere_only_slow_the_run() {
    publishes_despite(
        vec![
            json!({ "kind": "slow", "delay_ms": 250 }),
            json!({ "kind": "slow", "delay_ms": 500, "route": "POST /api/v2/flows/actions/publish" }),
        ],
        &[],
    )
    .await;
}

#[tokio::test]
async fn a_slow_status_answer_is_followed_by_a_full_pause_not_another_read() {
    // Every read of the bot is answered after 1 s; the poll interval is a fixed 0.5 s. The
    // pause runs from the answer, so reads of the wait arrive at least 1 + 0.5 s apart: a
    // slow (or rate-limited) API is never met by a read the instant the last one returns.
    let mut s = scenario();
    version(&mut s, "2.0")["duration_ms"] = json!(3000);
    add_faults(
        &mut s,
        [json!({ "kind": "slow", "delay_ms": 1000, "route": "GET /api/v2/flows/*" })],
    );
    let world = World::start(s).await;
    let ran = world
        .run(&[
            POLL_ONLY,
            ("poll-interval-seconds", "0.5"),
            ("poll-max-interval-seconds", "0.5"),
            ("timeout-seconds", "30"),
        ])
        .await;
    ran.assert_outcome(0, "published", PUBLISHED, &world.secrets());
    let published_at = world.publishes()[0].at;
    let path = format!("/api/v2/flows/{BOT}");
    let reads: Vec<Duration> = world
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == path && r.at > published_at)
        .map(|r| r.at)
        .collect();
    assert!(reads.len() >= 2, "{}", world.log());
    for pair in reads.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(1500),
            "reads {:?} apart\n{}",
            pair[1] - pair[0],
            world.log()
        );
    }
}

#[tokio::test]
async fn dropped_connection_on_a_read_is_retried() {
    let world = publishes_despite(
        vec![json!({ "kind": "drop_connection", "route": "GET /api/v2/flows/*", "after_nth": 1, "count": 2 })],
        &[],
    )
    .await;
    assert_eq!(world.requests().iter().filter(|r| r.status == 0).count(), 2);
}

#[tokio::test]
async fn dropped_publish_answer_after_the_publish_ran_is_decided_by_reading_the_flow() {
    let mut s = scenario();
    add_faults(
        &mut s,
        [
            json!({ "kind": "drop_connection", "after_handler": true, "route": "POST /api/v2/flows/actions/publish" }),
        ],
    );
    let world = World::start(s).await;
    let ran = world.run(&[]).await;
    ran.assert_outcome(0, "published", PUBLISHED_ANSWER_LOST, &world.secrets());
    world.assert_one_publish_of("2.0");
}

#[tokio::test]
async fn dropped_publish_before_it_ran_fails_without_resending() {
    let mut s = scenario();
    add_faults(
        &mut s,
        [json!({ "kind": "drop_connection", "route": "POST /api/v2/flows/actions/publish" })],
    );
    let world = World::start(s).await;
    let ran = world.run(&[]).await;
    ran.assert_outcome(1, "failed", PUBLISH_NOT_STARTED, &world.secrets());
    assert_eq!(world.publishes().len(), 1, "never re-sent\n{}", world.log());
    assert_eq!(world.live().as_deref(), Some("1.0"));
}

#[tokio::test]
async fn malformed_json_on_reads_is_read_again() {
    let world = publishes_despite(
        vec![
            json!({ "kind": "malformed_json", "route": "GET /api/v2/flows/*", "count": 2 }),
            json!({ "kind": "malformed_json", "route": "GET /api/v2/architect/**", "count": 1 }),
        ],
        &[],
    )
    .await;
    assert_eq!(
        world
            .requests()
            .iter()
            .filter(|r| r.fault.is_some())
            .count(),
        3
    );
}

#[tokio::test]
async fn malformed_publish_answer_is_decided_by_reading_the_flow() {
    let mut s = scenario();
    add_faults(
        &mut s,
        [json!({ "kind": "malformed_json", "route": "POST /api/v2/flows/actions/publish" })],
    );
    let world = World::start(s).await;
    let ran = world.run(&[]).await;
    ran.assert_outcome(0, "published", PUBLISHED_ANSWER_LOST, &world.secrets());
    world.assert_one_publish_of("2.0");
}

#[tokio::test]
async fn expired_token_is_refreshed_once_and_the_read_repeated() {
    let world = publishes_despite(
        vec![json!({ "kind": "expire_token", "route": "GET /api/v2/flows/*", "after_nth": 2, "count": 1 })],
        &[],
    )
    .await;
    assert_eq!(world.token_requests().len(), 2, "{}", world.log());
}

#[tokio::test]
async fn expired_token_on_the_publish_is_refreshed_and_the_publish_sent_again() {
    // A 401 proves the publish was not processed.
    let world = publishes_despite(
        vec![json!({ "kind": "expire_token", "route": "POST /api/v2/flows/actions/publish", "count": 1 })],
        &[],
    )
    .await;
    let statuses: Vec<u16> = world.publishes().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [401, 200], "{}", world.log());
}

#[tokio::test]
async fn short_lived_tokens_are_refreshed_before_they_expire() {
    let mut s = scenario();
    s["clients"][0]["token_ttl_secs"] = json!(1);
    version(&mut s, "2.0")["duration_ms"] = json!(1500);
    let world = World::start(s).await;
    let ran = world.run(&[]).await;
    ran.assert_outcome(0, "published", PUBLISHED, &world.secrets());
    assert!(world.token_requests().len() >= 2, "{}", world.log());
    assert!(
        world.requests().iter().all(|r| r.status != 401),
        "refreshed before expiry, never after a 401\n{}",
        world.log()
    );
}
