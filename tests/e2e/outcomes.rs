//! Publishes that do not go as planned (fail, never finish, leave another version live):
//! each ends in the status and exit code SPEC §2–§3 give, and touches nothing it should not.

use std::time::Duration;

use serde_json::json;

use crate::world::*;

#[tokio::test]
async fn failed_publish_needs_no_rollback() {
    let mut s = scenario();
    version(&mut s, "2.0")["publish"] = json!({ "failure": {
        "errorCode": "flow.publish.validation.failed",
        "errorMessage": "Missing skill",
        "errorDetails": [{ "errorCode": "reference.not.found", "entityName": "Escalations" }]
    }});
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
    world.assert_one_publish_of("2.0");
    assert_eq!(
        world.publishes().len(),
        1,
        "no rollback publish\n{}",
        world.log()
    );
    assert_eq!(world.live().as_deref(), Some("1.0"));
    assert_eq!(ran.output("published-version"), "1.0");
    assert!(
        ran.summary.contains("flow.publish.validation.failed"),
        "{ran}"
    );
    assert!(ran.summary.contains("Escalations"), "{ran}");
    assert!(
        ran.stdout.contains("::error title="),
        "an error annotation\n{ran}"
    );
}

#[tokio::test]
async fn publish_that_never_finishes_times_out_unknown() {
    let mut s = scenario();
    version(&mut s, "2.0")["publish"] = json!("never_finishes");
    let world = World::start(s).await;
    let ran = world.run(&[("timeout-seconds", "1")]).await;
    ran.assert_outcome(
        2,
        "timed-out",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "publish_status",
            "deployment_timed_out",
            "metrics",
        ],
        &world.secrets(),
    );
    world.assert_one_publish_of("2.0");
    assert_eq!(
        world.publishes().len(),
        1,
        "nothing rolled back\n{}",
        world.log()
    );
    let operation = &world.sandbox.operations()[0];
    assert!(
        ran.summary.contains(&operation.operation_id),
        "names the operation\n{ran}"
    );
    assert_eq!(ran.output("operation-id"), operation.operation_id);
    // The deadline starts before the publish request arrives, so every read sent after it
    // arrives after `publish + timeout` minus nothing: at most the one decision read.
    let deadline = world.publishes()[0].at + Duration::from_secs(1);
    let late: Vec<_> = world
        .flow_reads()
        .into_iter()
        .filter(|r| r.at >= deadline)
        .collect();
    assert!(late.len() <= 1, "reads after the deadline\n{}", world.log());
    let last = world.requests().pop().expect("requests");
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("GET", format!("/api/v2/flows/{BOT}").as_str()),
        "the run ends with the decision read\n{}",
        world.log()
    );
}

#[tokio::test]
async fn publish_that_leaves_a_third_version_live_touches_nothing() {
    let mut s = scenario();
    version(&mut s, "2.0")["publish"] =
        json!({ "leaves_other_version_live": { "version": "3.0" } });
    let world = World::start(s).await;
    let ran = world.run(&[]).await;
    ran.assert_outcome(
        2,
        "failed",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "publish_status",
            "deployment_failed",
            "metrics",
        ],
        &world.secrets(),
    );
    assert_eq!(
        world.publishes().len(),
        1,
        "no rollback over someone else's version\n{}",
        world.log()
    );
    assert_eq!(world.live().as_deref(), Some("3.0"));
    assert_eq!(ran.output("published-version"), "3.0");
    assert!(
        ran.summary.contains("3.0"),
        "says which version is live\n{ran}"
    );
}

#[tokio::test]
async fn publish_that_leaves_the_previous_version_live_needs_no_rollback() {
    let mut s = scenario();
    version(&mut s, "2.0")["publish"] =
        json!({ "leaves_other_version_live": { "version": "1.0" } });
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
    assert_eq!(world.publishes().len(), 1, "{}", world.log());
    assert_eq!(world.live().as_deref(), Some("1.0"));
}

#[tokio::test]
async fn target_already_live_publishes_nothing() {
    let mut s = scenario();
    s["flows"][0]["published_version"] = json!("2.0");
    let world = World::start(s).await;
    let ran = world.run(&[]).await;
    ran.assert_outcome(
        0,
        "unchanged",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "publish_skipped_unchanged",
            "metrics",
        ],
        &world.secrets(),
    );
    assert!(world.publishes().is_empty(), "{}", world.log());
}

#[tokio::test]
async fn dry_run_publishes_nothing() {
    let world = World::start(scenario()).await;
    let ran = world.run(&[("dry-run", "true")]).await;
    ran.assert_outcome(
        0,
        "dry-run",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "dry_run_completed",
            "metrics",
        ],
        &world.secrets(),
    );
    assert!(world.publishes().is_empty(), "{}", world.log());
}
