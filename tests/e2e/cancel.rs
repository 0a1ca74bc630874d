//! SIGTERM, as the runner sends it when a job is cancelled (SPEC rule 11). The signal is sent
//! once the run has printed the audit line that proves it reached the phase under test, never
//! after a sleep; the scenario keeps the run in that phase for far longer than it takes to
//! deliver a signal.

use serde_json::json;

use crate::world::*;

#[tokio::test]
async fn sigterm_before_the_publish_publishes_nothing() {
    let mut s = scenario();
    // The preflight's read of the bot takes 10 s: the signal arrives during it.
    add_faults(
        &mut s,
        [json!({ "kind": "slow", "delay_ms": 10000, "route": "GET /api/v2/flows/*", "count": 1 })],
    );
    let world = World::start(s).await;
    let mut action = world.start_action(&[("timeout-seconds", "30"), POLL_ONLY]);
    action
        .wait_for_event("deployment_started")
        .await
        .expect("the run started");
    action.terminate().await;
    let ran = action.finish().await;
    ran.assert_outcome(
        1,
        "cancelled",
        &["deployment_started", "deployment_cancelled", "metrics"],
        &world.secrets(),
    );
    assert!(world.publishes().is_empty(), "{}", world.log());
    assert_eq!(world.live().as_deref(), Some("1.0"));
}

#[tokio::test]
async fn sigterm_as_soon_as_the_run_starts_is_a_cancellation_not_a_kill() {
    // The first audit line is printed before the run first waits on anything: a signal
    // right after it must already be handled (outputs and summary written), not kill the
    // process with the default action. The token request takes 30 s, so however late a
    // loaded machine delivers the signal, the run is still before its publish.
    let mut s = scenario();
    add_faults(
        &mut s,
        [json!({ "kind": "slow", "delay_ms": 30000, "route": "POST /oauth/token", "count": 1 })],
    );
    let world = World::start(s).await;
    let mut action = world.start_action(&[]);
    action
        .wait_for_event("deployment_started")
        .await
        .expect("the run started");
    action.terminate().await;
    let ran = action.finish().await;
    assert!(ran.code.is_some(), "killed by the signal\n{ran}");
    ran.assert_outcome(
        1,
        "cancelled",
        &["deployment_started", "deployment_cancelled", "metrics"],
        &world.secrets(),
    );
    assert!(world.publishes().is_empty(), "{}", world.log());
}

#[tokio::test]
async fn sigterm_while_a_publish_runs_on_reports_it_unknown() {
    let mut s = scenario();
    version(&mut s, "2.0")["publish"] = json!("never_finishes");
    let world = World::start(s).await;
    let mut action = world.start_action(&[("timeout-seconds", "30"), POLL_ONLY]);
    action
        .wait_for_event("publish_triggered")
        .await
        .expect("the publish was triggered");
    action.terminate().await;
    let ran = action.finish().await;
    assert_eq!(ran.code, Some(2), "{ran}");
    assert_eq!(ran.output("status"), "cancelled");
    let events: Vec<String> = ran
        .events()
        .into_iter()
        .filter(|e| e != "publish_status")
        .collect();
    assert_eq!(
        events,
        [
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "deployment_cancelled",
            "metrics"
        ],
        "{ran}"
    );
    ran.assert_sane(&world.secrets());
    assert_eq!(world.publishes().len(), 1, "{}", world.log());
    assert_eq!(
        ran.output("operation-id"),
        world.sandbox.operations()[0].operation_id,
        "outputs written\n{ran}"
    );
}

/// Every read after the preflight's takes 1.5 s: the first one of the wait is still out when
/// the signal arrives (so the wait never sees the publish finish), and the decision read
/// after the signal sees the target live, 300 ms into the publish.
fn slow_reads_after_the_preflight(s: &mut serde_json::Value) {
    add_faults(
        s,
        [
            json!({ "kind": "slow", "delay_ms": 1500, "route": "GET /api/v2/flows/*", "after_nth": 2 }),
        ],
    );
}

#[tokio::test]
async fn sigterm_after_the_target_went_live_rolls_back() {
    let mut s = scenario();
    slow_reads_after_the_preflight(&mut s);
    let world = World::start(s).await;
    let mut action = world.start_action(&[("timeout-seconds", "30"), POLL_ONLY]);
    action
        .wait_for_event("publish_triggered")
        .await
        .expect("the publish was triggered");
    action.terminate().await;
    let ran = action.finish().await;
    ran.assert_outcome(
        1,
        "cancelled",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "deployment_cancelled",
            "rollback_started",
            "publish_status",
            "rollback_completed",
            "metrics",
        ],
        &world.secrets(),
    );
    world.assert_one_publish_of("2.0");
    world.assert_one_publish_of("1.0");
    assert_eq!(world.live().as_deref(), Some("1.0"));
    assert_eq!(ran.output("published-version"), "1.0");
}

#[tokio::test]
async fn sigterm_then_a_failing_rollback_ends_rollback_failed() {
    let mut s = scenario();
    slow_reads_after_the_preflight(&mut s);
    version(&mut s, "1.0")["republish"] = json!("failure");
    let world = World::start(s).await;
    let mut action = world.start_action(&[("timeout-seconds", "30"), POLL_ONLY]);
    action
        .wait_for_event("publish_triggered")
        .await
        .expect("the publish was triggered");
    action.terminate().await;
    let ran = action.finish().await;
    ran.assert_outcome(
        2,
        "rollback-failed",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "deployment_cancelled",
            "rollback_started",
            "publish_status",
            // The republish failed: its export is imported instead, which the sandbox
            // refuses for this scripted bot (its generated YAML names a queue it lacks).
            "export_status",
            "import_status",
            "import_status",
            "import_status",
            "rollback_failed",
            "metrics",
        ],
        &world.secrets(),
    );
    world.assert_one_publish_of("1.0");
    // The platform may finish the import after the Action's grace ran out: whatever is live
    // then, the run said it could not prove a rollback (exit 2), and named the live version
    // it last saw.
    assert_eq!(ran.output("published-version"), "2.0", "{ran}");
}
