//! Waiting by push (`wait-mode: auto`, the default, and `push`) through the real binary:
//! the outcome is the one polling reaches, with a fraction of the status reads, and every
//! push fault ends in that same outcome — at worst by falling back to polling.

use serde_json::{Value, json};

use crate::ran::Ran;
use crate::world::*;

/// The audit trail of a deployment that succeeds, whatever saw the statuses.
fn assert_published(ran: &Ran, world: &World) {
    assert_eq!(ran.code, Some(0), "exit code\n{ran}");
    assert_eq!(ran.output("status"), "published", "{ran}");
    assert_eq!(ran.output("published-version"), "2.0");
    let events = ran.events();
    assert_eq!(
        &events[..3],
        [
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered"
        ],
        "{ran}"
    );
    assert_eq!(
        &events[events.len() - 2..],
        ["deployment_success", "metrics"],
        "{ran}"
    );
    ran.assert_sane(&world.secrets());
    world.assert_one_publish_of("2.0");
    assert_eq!(world.live().as_deref(), Some("2.0"));
}

fn metrics(ran: &Ran) -> Value {
    ran.audit()
        .into_iter()
        .find(|l| l["event"] == "metrics")
        .expect("metrics line")["details"]
        .clone()
}

/// A scenario whose publish takes long enough (1.5 s) that polling needs several reads.
fn slow_publish(notifications: Value) -> Value {
    let mut s = scenario();
    version(&mut s, "2.0")["duration_ms"] = json!(1500);
    s["notifications"] = notifications;
    s
}

/// Socket upgrades the sandbox answered.
fn upgrades(world: &World) -> usize {
    world
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/channels/") && r.status == 101)
        .count()
}

/// Inputs that keep the safety net (2 × poll-max-interval-seconds) out of a 1.5 s publish.
const SLOW_SAFETY_NET: (&str, &str) = ("poll-max-interval-seconds", "5");

#[tokio::test]
async fn push_decides_with_one_confirming_read_where_polling_needs_many() {
    let by_push = World::start(slow_publish(json!({}))).await;
    let pushed = by_push.run(&[SLOW_SAFETY_NET]).await;
    let by_poll = World::start(slow_publish(json!({}))).await;
    let polled = by_poll.run(&[POLL_ONLY]).await;

    assert_published(&pushed, &by_push);
    assert_published(&polled, &by_poll);
    assert_eq!(metrics(&pushed)["decided_by"], "push", "{pushed}");
    assert_eq!(metrics(&polled)["decided_by"], "poll", "{polled}");
    // One read before publishing, one to confirm what the socket said.
    assert_eq!(by_push.flow_reads().len(), 2, "{}", by_push.log());
    assert!(by_poll.flow_reads().len() >= 5, "{}", by_poll.log());
    let statuses: Vec<Value> = pushed
        .audit()
        .into_iter()
        .filter(|l| l["event"] == "publish_status")
        .map(|l| json!([l["status"], l["details"]["decided_by"]]))
        .collect();
    assert_eq!(
        statuses,
        [
            json!(["STARTED", "push"]),
            json!(["PENDING_GENERATION", "push"]),
            json!(["PENDING_BACKEND_NOTIFICATION", "push"]),
            json!(["SUCCESS", "push"]),
        ],
        "{pushed}"
    );
    assert!(
        pushed
            .summary
            .contains("the outcome came by push and was confirmed by one read"),
        "{pushed}"
    );
    // Subscribed before publishing, so no event could be missed.
    let log = by_push.requests();
    let upgraded = log
        .iter()
        .position(|r| r.path.starts_with("/channels/"))
        .expect("socket opened");
    let published = log
        .iter()
        .position(|r| r.path == PUBLISH_PATH)
        .expect("published");
    assert!(upgraded < published, "{}", by_push.log());
}

#[tokio::test]
async fn push_mode_reads_only_to_confirm() {
    let world = World::start(slow_publish(json!({}))).await;
    // push mode has no safety net: the polling intervals do not matter.
    let ran = world.run(&[("wait-mode", "push")]).await;
    assert_published(&ran, &world);
    assert_eq!(world.flow_reads().len(), 2, "{}", world.log());
    assert!(ran.summary.contains("| Waited by | push"), "{ran}");
}

#[tokio::test]
async fn heartbeats_during_the_wait_change_nothing() {
    // A heartbeat every 50 ms through a 1.5 s publish: dozens of `channel.metadata` frames,
    // none of which may count as a flow event, wake a read or end the wait.
    let world = World::start(slow_publish(json!({ "heartbeat_ms": 50 }))).await;
    let ran = world.run(&[SLOW_SAFETY_NET]).await;
    assert_published(&ran, &world);
    assert_eq!(metrics(&ran)["decided_by"], "push", "{ran}");
    let heartbeats = world
        .sandbox
        .notifications()
        .iter()
        .filter(|f| f.topic == "channel.metadata")
        .count();
    assert!(heartbeats >= 10, "{heartbeats} heartbeats\n{}", world.log());
    assert_eq!(world.flow_reads().len(), 2, "{}", world.log());
    let statuses = ran
        .audit()
        .into_iter()
        .filter(|l| l["event"] == "publish_status")
        .count();
    assert_eq!(statuses, 4, "{ran}");
}

#[tokio::test]
async fn a_dropped_socket_is_reopened_once_and_read_at_once() {
    let world = World::start(slow_publish(
        json!({ "drop_socket": { "after_events": 1, "first": 1 } }),
    ))
    .await;
    let ran = world.run(&[]).await;
    assert_published(&ran, &world);
    assert_eq!(upgrades(&world), 2, "reconnected once\n{}", world.log());
    assert!(!ran.stdout.contains("Push notifications lost"), "{ran}");
}

#[tokio::test]
async fn a_socket_dropped_twice_falls_back_to_polling() {
    let world = World::start(slow_publish(
        json!({ "drop_socket": { "after_events": 1 } }),
    ))
    .await;
    let ran = world.run(&[]).await;
    assert_published(&ran, &world);
    assert_eq!(upgrades(&world), 2, "{}", world.log());
    assert!(
        ran.stdout
            .contains("::warning title=Push notifications lost::"),
        "{ran}"
    );
    assert_eq!(metrics(&ran)["decided_by"], "poll", "{ran}");
}

#[tokio::test]
async fn a_failed_channel_gives_way_to_polling_at_once_even_in_push_mode() {
    // After the first flow event the channel is removed under the open socket (as when a
    // 21st channel of the same OAuth client replaces it): the socket says so once, then
    // carries heartbeats only. push mode has no safety net, so only that frame can save the
    // run from waiting out its deadline.
    let failing = json!({ "fail_channel": { "after_events": 1 }, "heartbeat_ms": 100 });
    let world = World::start(slow_publish(failing)).await;
    let ran = world
        .run(&[("wait-mode", "push"), ("timeout-seconds", "20")])
        .await;
    assert_published(&ran, &world);
    assert_eq!(metrics(&ran)["decided_by"], "poll", "{ran}");
    assert!(
        ran.stdout.contains(
            "::warning title=Push notifications lost::the notification channel failed (404: Channel not found"
        ),
        "{ran}"
    );
    let failures = world
        .sandbox
        .notifications()
        .iter()
        .filter(|f| f.topic == genesys_sandbox::CHANNEL_FAILURE_TOPIC)
        .count();
    assert_eq!(failures, 1, "{}", world.log());
    // Nothing to reconnect to: the one socket is all.
    assert_eq!(upgrades(&world), 1, "{}", world.log());
}

#[tokio::test]
async fn a_silent_socket_is_found_by_pings_and_reopened() {
    // The first socket goes silent after the first event (a half-open connection: no
    // frames, no pongs, no FIN). push mode has no safety net; the pings must find the
    // silence (5 s at the least) and reopen the socket, whose read finds the publish done.
    let frozen = json!({ "freeze_socket": { "after_events": 1, "first": 1 } });
    let world = World::start(slow_publish(frozen)).await;
    let ran = world
        .run(&[("wait-mode", "push"), ("timeout-seconds", "60")])
        .await;
    assert_published(&ran, &world);
    assert_eq!(upgrades(&world), 2, "{}", world.log());
    assert_eq!(metrics(&ran)["decided_by"], "poll", "{ran}");
}

#[tokio::test]
async fn a_missed_event_costs_a_safety_net_read_not_the_deadline() {
    let world = World::start(slow_publish(json!({ "suppress_events": "terminal" }))).await;
    let ran = world.run(&[("timeout-seconds", "30")]).await;
    assert_published(&ran, &world);
    assert_eq!(metrics(&ran)["decided_by"], "poll", "{ran}");
    // Had the wait run into its deadline, rule 7 would have rolled the live target back:
    // `published` proves the safety-net read (every 0.4 s here) found the finish first.
}

#[tokio::test]
async fn a_refused_channel_falls_back_to_polling_with_a_warning() {
    let world = World::start(slow_publish(json!({ "refuse_channels": {} }))).await;
    let ran = world.run(&[]).await;
    assert_published(&ran, &world);
    assert!(ran.stdout.contains("::warning title=Push notifications unavailable::POST /api/v2/notifications/channels answered HTTP 403"), "{ran}");
    assert_eq!(metrics(&ran)["decided_by"], "poll");
    assert_eq!(upgrades(&world), 0);
}

#[tokio::test]
async fn a_rejected_topic_names_the_missing_permission_and_polls() {
    let rejected = json!({ "reject_topics": [{
        "topic": "v2.flows.*", "missing_permissions": ["architect:flow:view"], "reason": "Missing permissions"
    }] });
    let world = World::start(slow_publish(rejected)).await;
    let ran = world.run(&[("wait-mode", "push")]).await;
    assert_published(&ran, &world);
    assert!(ran.stdout.contains("(missing permissions: architect:flow:view); waiting by polling instead. Give the OAuth client's role architect:flow:view to wait by push."), "{ran}");
    assert_eq!(metrics(&ran)["decided_by"], "poll");
}

#[tokio::test]
async fn a_slow_handshake_delays_the_publish_but_push_still_decides() {
    let world = World::start(slow_publish(
        json!({ "slow_handshake": { "delay_ms": 500 } }),
    ))
    .await;
    let ran = world.run(&[]).await;
    assert_published(&ran, &world);
    assert_eq!(metrics(&ran)["decided_by"], "push", "{ran}");
    let log = world.requests();
    let upgraded = log
        .iter()
        .position(|r| r.path.starts_with("/channels/"))
        .expect("socket opened");
    let published = log
        .iter()
        .position(|r| r.path == PUBLISH_PATH)
        .expect("published");
    assert!(upgraded < published, "{}", world.log());
}

#[tokio::test]
async fn a_failed_publish_seen_by_push_ends_as_polling_would() {
    let mut s = slow_publish(json!({}));
    version(&mut s, "2.0")["publish"] = json!({ "failure": { "errorCode": "flow.publish.validation.failed", "errorMessage": "Missing skill" } });
    let world = World::start(s).await;
    let ran = world.run(&[]).await;
    ran.assert_outcome(
        1,
        "failed",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "publish_status",
            "deployment_failed",
            "rollback_not_needed",
            "metrics",
        ],
        &world.secrets(),
    );
    assert_eq!(metrics(&ran)["decided_by"], "push");
    assert_eq!(world.live().as_deref(), Some("1.0"));
}

/// A 3 s publish, long enough for the text pings (every 5/3 s with the e2e intervals) to go
/// out while `wait-mode: push` waits without a safety net.
fn long_publish(notifications: Value) -> Value {
    let mut s = scenario();
    version(&mut s, "2.0")["duration_ms"] = json!(3000);
    s["notifications"] = notifications;
    s
}

const PUSH_ONLY: [(&str, &str); 2] = [("wait-mode", "push"), ("timeout-seconds", "30")];

/// Text pings (`{"message":"ping"}`) the Action sent, per socket.
fn text_pings(world: &World) -> Vec<u64> {
    world
        .sandbox
        .notifications_received()
        .into_iter()
        .filter(|f| {
            serde_json::from_str::<Value>(&f.text).is_ok_and(|v| v == json!({"message": "ping"}))
        })
        .map(|f| f.connection)
        .collect()
}

/// The sockets the maintenance warning went to.
fn warned(world: &World) -> Vec<u64> {
    world
        .sandbox
        .notifications()
        .into_iter()
        .filter(|f| f.topic == genesys_sandbox::SOCKET_CLOSING_TOPIC)
        .map(|f| f.connection)
        .collect()
}

#[tokio::test]
async fn a_maintenance_warning_moves_the_wait_to_a_new_socket_and_push_still_decides() {
    // The host warns the first socket right after its first event and would close it a
    // minute later: the Action moves to a new socket at once and hears the rest there.
    let closing = json!({ "close_socket": { "after_events": 1, "first": 1, "grace_ms": 60000 } });
    let world = World::start(long_publish(closing)).await;
    let ran = world.run(&PUSH_ONLY).await;
    assert_published(&ran, &world);
    assert_eq!(metrics(&ran)["decided_by"], "push", "{ran}");
    assert_eq!(warned(&world), [1], "{}", world.log());
    assert_eq!(upgrades(&world), 2, "{}", world.log());
    assert!(!ran.stdout.contains("Push notifications lost"), "{ran}");
    // The keep-alive of the official SDKs, on the socket that waited.
    let pings = text_pings(&world);
    assert!(pings.contains(&2), "text pings per socket: {pings:?}");
}

#[tokio::test]
async fn after_a_maintenance_move_a_dropped_socket_still_gets_its_one_reconnect() {
    // Socket 1 is warned after its first event (STARTED); socket 2, the move, drops after its
    // second (PENDING_BACKEND_NOTIFICATION). Had the move spent the single reconnect, push
    // would be lost here and the wait would poll; instead socket 3 carries SUCCESS.
    let faults = json!({
        "close_socket": { "after_events": 1, "first": 1, "grace_ms": 60000 },
        "drop_socket": { "after_events": 2, "first": 2 },
    });
    let world = World::start(long_publish(faults)).await;
    let ran = world.run(&PUSH_ONLY).await;
    assert_published(&ran, &world);
    assert_eq!(metrics(&ran)["decided_by"], "push", "{ran}");
    assert_eq!(warned(&world), [1], "{}", world.log());
    assert_eq!(upgrades(&world), 3, "{}", world.log());
    assert!(!ran.stdout.contains("Push notifications lost"), "{ran}");
    let success_on: Vec<u64> = world
        .sandbox
        .notifications()
        .into_iter()
        .filter(|f| f.action_status == Some(genesys_sandbox::ActionStatus::Success))
        .map(|f| f.connection)
        .collect();
    assert!(success_on.contains(&3), "SUCCESS went to {success_on:?}");
    assert!(!text_pings(&world).is_empty(), "{}", world.log());
}
