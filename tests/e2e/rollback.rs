//! Rollbacks (SPEC rules 7–8): a failure with the target live. The sandbox has no publish
//! that fails with its version live, so these use the timeout path: the first status read
//! is held for longer than `timeout-seconds` and then dropped, so the wait sees nothing until
//! the deadline; the decision read that follows finds the (long finished) target live.
//!
//! Timings (all relative to the publish, in the sandbox's clock): the target is live at
//! 0.3 s; the first read arrives at ≥ 0.1 s and fails at ≥ 2.7 s; the deadline is 2 s. The
//! Action's retry of a read is never scheduled past the deadline, so the next read is the
//! decision read, at ≥ 2.7 s. The rollback republishes `1.0` in 0.2 s under a fresh 2 s deadline.

use serde_json::{Value, json};

use crate::world::*;

/// Timeout of these runs.
const TIMEOUT: &str = "2";

/// The faults that hide the publish from the wait: the first read after the preflight's is
/// slowed past the deadline, then its connection dropped.
fn hide_the_publish_until_after_the_deadline(s: &mut Value) {
    add_faults(
        s,
        [
            json!({ "kind": "slow", "delay_ms": 2600, "route": "GET /api/v2/flows/*", "after_nth": 2, "count": 1 }),
            json!({ "kind": "drop_connection", "route": "GET /api/v2/flows/*", "after_nth": 2, "count": 1 }),
        ],
    );
}

/// Checks the fault did what the module comment says, so a change of the preflight's reads
/// cannot turn these tests into something else silently.
fn assert_hidden(world: &World) {
    let reads = world.flow_reads();
    assert!(reads.len() >= 3, "{}", world.log());
    assert_eq!(
        reads[1].status,
        0,
        "the first wait read was dropped\n{}",
        world.log()
    );
}

#[tokio::test]
async fn target_live_after_the_deadline_is_rolled_back() {
    let mut s = scenario();
    hide_the_publish_until_after_the_deadline(&mut s);
    let world = World::start(s).await;
    let ran = world.run(&[("timeout-seconds", TIMEOUT), POLL_ONLY]).await;
    ran.assert_outcome(
        1,
        "rolled-back",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "deployment_timed_out",
            "rollback_started",
            "publish_status",
            "rollback_completed",
            "metrics",
        ],
        &world.secrets(),
    );
    assert_hidden(&world);
    world.assert_one_publish_of("2.0");
    world.assert_one_publish_of("1.0");
    assert_eq!(world.live().as_deref(), Some("1.0"));
    assert_eq!(ran.output("published-version"), "1.0");
    // The rollback is sent only after the decision read saw the target live.
    let publishes = world.publishes();
    let decision = &world.flow_reads()[2];
    assert!(publishes[1].at > decision.at, "{}", world.log());
}

#[tokio::test]
async fn rollback_whose_republish_fails_ends_rollback_failed() {
    let mut s = scenario();
    hide_the_publish_until_after_the_deadline(&mut s);
    version(&mut s, "1.0")["republish"] = json!({ "failure": { "errorCode": "flow.publish.failed", "errorMessage": "Backend refused" } });
    let world = World::start(s).await;
    let ran = world.run(&[("timeout-seconds", TIMEOUT), POLL_ONLY]).await;
    ran.assert_outcome(
        2,
        "rollback-failed",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "deployment_timed_out",
            "rollback_started",
            "publish_status",
            // The republish failed: its export is imported instead (finding F), and that
            // import's publish is as slow as every publish here, so it does not end in time.
            "export_status",
            "import_status",
            "import_status",
            "rollback_failed",
            "metrics",
        ],
        &world.secrets(),
    );
    assert!(
        ran.stdout
            .contains("::warning title=Republishing did not roll back::"),
        "{ran}"
    );
    assert_hidden(&world);
    world.assert_one_publish_of("1.0");
    // The import may still end after the run gave up on it; the run reports the live
    // version it last saw.
    assert_eq!(ran.output("published-version"), "2.0");
    assert!(ran.summary.contains("Backend refused"), "{ran}");
}

#[tokio::test]
async fn rollback_that_never_finishes_ends_rollback_failed() {
    let mut s = scenario();
    hide_the_publish_until_after_the_deadline(&mut s);
    version(&mut s, "1.0")["republish"] = json!("never_finishes");
    let world = World::start(s).await;
    let ran = world.run(&[("timeout-seconds", TIMEOUT), POLL_ONLY]).await;
    assert_eq!(ran.code, Some(2), "{ran}\n{}", world.log());
    assert_eq!(ran.output("status"), "rollback-failed");
    assert!(
        ran.events().contains(&"rollback_failed".to_string()),
        "{ran}"
    );
    ran.assert_sane(&world.secrets());
    world.assert_one_publish_of("1.0");
}

#[tokio::test]
async fn target_live_after_the_deadline_without_rollback_is_reported() {
    let mut s = scenario();
    hide_the_publish_until_after_the_deadline(&mut s);
    let world = World::start(s).await;
    let ran = world
        .run(&[
            ("timeout-seconds", TIMEOUT),
            ("rollback", "false"),
            POLL_ONLY,
        ])
        .await;
    ran.assert_outcome(
        2,
        "timed-out",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "deployment_timed_out",
            "metrics",
        ],
        &world.secrets(),
    );
    assert_hidden(&world);
    assert_eq!(world.publishes().len(), 1, "{}", world.log());
    assert_eq!(world.live().as_deref(), Some("2.0"));
}

#[tokio::test]
async fn publish_failed_unseen_before_the_deadline_needs_no_rollback() {
    let mut s = scenario();
    hide_the_publish_until_after_the_deadline(&mut s);
    version(&mut s, "2.0")["publish"] = json!("failure");
    let world = World::start(s).await;
    let ran = world.run(&[("timeout-seconds", TIMEOUT), POLL_ONLY]).await;
    ran.assert_outcome(
        1,
        "timed-out",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "deployment_timed_out",
            "rollback_not_needed",
            "metrics",
        ],
        &world.secrets(),
    );
    assert_hidden(&world);
    assert_eq!(world.publishes().len(), 1, "{}", world.log());
    assert_eq!(world.live().as_deref(), Some("1.0"));
}
