//! Rollback (SPEC rule 8) and cancellation (rule 11).

use crate::helpers::*;
use mockito::Matcher;
use serde_json::json;
use tokio_util::sync::CancellationToken;

fn failed_but_live() -> serde_json::Value {
    let mut failed = op("op-3", "FAILURE", true);
    failed["errorCode"] = json!("BACKEND_NOTIFICATION_FAILED");
    failed["errorMessage"] = json!("Downstream services were not notified");
    flow(Some("3.0"), Some("3.0"), Some(failed))
}

#[tokio::test]
async fn a_failure_that_left_the_target_live_is_rolled_back_and_confirmed() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    let publish = api.publish("3.0", "op-3").await;
    api.get_flow(&failed_but_live(), 1).await;
    let rollback = api.publish("2.0", "op-r").await;
    api.get_flow(
        &flow(
            Some("3.0"),
            Some("3.0"),
            Some(op("op-r", "PENDING_GENERATION", false)),
        ),
        1,
    )
    .await;
    api.get_flow(
        &flow(Some("2.0"), Some("3.0"), Some(op("op-r", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "rolled-back");
    assert_eq!(ran.output("published-version"), "2.0");
    assert_eq!(
        ran.events(),
        [
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "publish_status",
            "deployment_failed",
            "rollback_started",
            "publish_status",
            "publish_status",
            "rollback_completed",
            "metrics"
        ]
    );
    assert_eq!(ran.event("rollback_started")["version"], "2.0");
    assert!(
        ran.summary
            .starts_with("## ↩️ Billing Assistant 3.0 failed in staging and was rolled back")
    );
    assert!(
        ran.summary
            .contains("version 2.0 was published again and is live")
    );
    assert!(ran.summary.contains(" → rollback "), "{}", ran.summary);
    publish.assert_async().await;
    rollback.assert_async().await;
}

#[tokio::test]
async fn a_rollback_that_fails_exits_2_and_says_what_to_do() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    api.get_flow(&failed_but_live(), 1).await;
    api.publish("2.0", "op-r").await;
    let mut refused = op("op-r", "FAILURE", true);
    refused["errorMessage"] = json!("Version 2.0 references a deleted skill");
    api.get_flow(&flow(Some("3.0"), Some("3.0"), Some(refused)), 1)
        .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 2);
    assert_eq!(ran.output("status"), "rollback-failed");
    assert_eq!(ran.output("published-version"), "3.0");
    let events = ran.events();
    assert_eq!(
        &events[events.len() - 3..],
        ["publish_status", "rollback_failed", "metrics"]
    );
    assert!(ran.summary.contains("rolling back to version 2.0 failed: the rollback publish ended FAILURE: Version 2.0 references a deleted skill"), "{}", ran.summary);
    assert!(ran.summary.contains(&format!(
        "**Next:** Publish version 2.0 of bot {BOT} by hand in Architect now"
    )));
    assert!(ran.stdout.contains("::error title=Rollback failed::"));
}

#[tokio::test]
async fn with_rollback_off_a_live_target_after_failure_exits_2() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    api.get_flow(&failed_but_live(), 1).await;

    let ran = run(&api, &[("INPUT_ROLLBACK", "false")]).await;

    assert_eq!(ran.report.exit_code(), 2);
    assert_eq!(ran.output("status"), "failed");
    assert!(!ran.events().iter().any(|e| e.starts_with("rollback")));
    assert!(
        ran.summary
            .contains("version 3.0 is live and rollback is off")
    );
}

/// A GET of the bot that fires `cancel` the first time it is answered: the signal arrives
/// while the Action waits, synchronised on the request itself rather than on time.
async fn poll_that_cancels(
    api: &mut Api,
    cancel: &CancellationToken,
    body: serde_json::Value,
) -> mockito::Mock {
    let cancel = cancel.clone();
    api.server
        .mock("GET", format!("/api/v2/flows/{BOT}").as_str())
        .with_status(200)
        .with_body_from_request(move |_| {
            cancel.cancel();
            body.to_string().into_bytes()
        })
        .expect(1)
        .create_async()
        .await
}

#[tokio::test]
async fn a_signal_during_the_wait_with_the_operation_running_is_cancelled_exit_2() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    let cancel = CancellationToken::new();
    let running = flow(
        Some("2.0"),
        Some("3.0"),
        Some(op("op-3", "PENDING_GENERATION", false)),
    );
    poll_that_cancels(&mut api, &cancel, running.clone()).await;
    api.get_flow(&running, 1).await;

    let ran = run_config(config(&api, &[]), cancel).await;

    assert_eq!(ran.output("status"), "cancelled");
    assert_eq!(ran.report.exit_code(), 2);
    let events = ran.events();
    assert_eq!(
        &events[events.len() - 2..],
        ["deployment_cancelled", "metrics"]
    );
    assert!(
        ran.summary
            .contains("publish operation op-3 is still PENDING_GENERATION"),
        "{}",
        ran.summary
    );
    assert!(!ran.outputs_raw.is_empty());
}

#[tokio::test]
async fn a_signal_after_the_target_went_live_rolls_back_within_the_grace() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    let cancel = CancellationToken::new();
    poll_that_cancels(
        &mut api,
        &cancel,
        flow(
            Some("2.0"),
            Some("3.0"),
            Some(op("op-3", "PENDING_GENERATION", false)),
        ),
    )
    .await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;
    let rollback = api.publish("2.0", "op-r").await;
    api.get_flow(
        &flow(Some("2.0"), Some("3.0"), Some(op("op-r", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run_config(config(&api, &[]), cancel).await;

    assert_eq!(ran.output("status"), "cancelled", "{}", ran.summary);
    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("published-version"), "2.0");
    let events = ran.events();
    assert_eq!(
        &events[events.len() - 5..],
        [
            "deployment_cancelled",
            "rollback_started",
            "publish_status",
            "rollback_completed",
            "metrics"
        ]
    );
    rollback.assert_async().await;
}

#[tokio::test]
async fn a_signal_before_the_publish_publishes_nothing() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let cancel = CancellationToken::new();
    poll_that_cancels(&mut api, &cancel, flow(Some("2.0"), Some("3.0"), None)).await;
    api.server
        .mock(
            "GET",
            "/api/v2/architect/dependencytracking/consumedresources",
        )
        .match_query(Matcher::Any)
        .with_status(200)
        .with_body(listing(vec![]).to_string())
        .create_async()
        .await;
    let none = api.any_publish().await;

    let ran = run_config(config(&api, &[]), cancel).await;

    assert_eq!(ran.output("status"), "cancelled");
    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(
        ran.events(),
        ["deployment_started", "deployment_cancelled", "metrics"]
    );
    none.assert_async().await;
}
