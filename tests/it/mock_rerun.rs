//! A re-run is never greener than the run it repeats (SPEC rule 17, issue 11 point 7): with
//! the target already live and a smoke test given, the smoke test is held with the live
//! version; a failure rolls back to previous-version or the most recently retired version.

use crate::helpers::*;
use crate::mock_smoke::{SMOKE, opening, run_smoke, says, session, turn, turn_mock};
use serde_json::json;

/// Token, 3.0 live and checked in (a re-run of the deployment that put it there).
async fn already_live(api: &mut Api) {
    api.token(3600.0).await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;
    api.consumed(&[]).await;
}

/// The live version answers the smoke file's second turn wrongly.
async fn failing_conversation(api: &mut Api) {
    session(api).await;
    opening(api).await;
    turn_mock(
        api,
        says("I want to pay my bill", "t1"),
        turn("t2", &["I can help with your order."], &[], "WaitForInput"),
    )
    .await;
}

/// Versions 1.0 (retired in January) and 2.0 (retired in March, when 3.0 went live).
async fn retired_versions(api: &mut Api) -> mockito::Mock {
    let versions = vec![
        json!({ "id": "3.0", "datePublished": "2026-03-01T12:30:00.000Z" }),
        json!({ "id": "2.0", "datePublished": "2026-01-10T09:00:00.000Z", "datePublishedEnd": "2026-03-01T12:30:00.000Z" }),
        json!({ "id": "1.0", "datePublished": "2025-11-02T08:00:00.000Z", "datePublishedEnd": "2026-01-10T09:00:00.000Z" }),
    ];
    api.server
        .mock("GET", format!("/api/v2/flows/{BOT}/versions").as_str())
        .match_query(mockito::Matcher::Any)
        .with_status(200)
        .with_body(listing(versions).to_string())
        .expect(1)
        .create_async()
        .await
}

#[tokio::test]
async fn a_live_target_that_fails_its_smoke_test_is_rolled_back_to_the_last_retired_version() {
    let mut api = Api::new().await;
    already_live(&mut api).await;
    failing_conversation(&mut api).await;
    let listed = retired_versions(&mut api).await;
    let rollback = api.publish("2.0", "op-r").await;
    api.get_flow(
        &flow(Some("2.0"), Some("3.0"), Some(op("op-r", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run_smoke(&api, SMOKE, &[]).await;

    listed.assert_async().await;
    rollback.assert_async().await;
    assert_eq!(ran.output("status"), "rolled-back", "{}", ran.summary);
    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("published-version"), "2.0");
    assert_eq!(ran.output("previous-version"), "2.0");
    assert_eq!(
        ran.events(),
        [
            "deployment_started",
            "dependency_validation_passed",
            "smoke_test_started",
            "smoke_test_failed",
            "rollback_started",
            "publish_status",
            "rollback_completed",
            "metrics"
        ]
    );
}

#[tokio::test]
async fn a_live_target_that_fails_with_nothing_to_go_back_to_exits_2() {
    let mut api = Api::new().await;
    already_live(&mut api).await;
    failing_conversation(&mut api).await;
    api.server
        .mock("GET", format!("/api/v2/flows/{BOT}/versions").as_str())
        .match_query(mockito::Matcher::Any)
        .with_status(200)
        .with_body(listing(vec![json!({ "id": "3.0" })]).to_string())
        .create_async()
        .await;
    let none = api.any_publish().await;

    let ran = run_smoke(&api, SMOKE, &[]).await;

    none.assert_async().await;
    assert_eq!(ran.output("status"), "failed", "{}", ran.summary);
    assert_eq!(ran.report.exit_code(), 2);
    let failure = ran.report.failure().expect("a failure");
    assert!(
        failure.message.contains("nothing to roll back to"),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn a_live_target_that_passes_its_smoke_test_is_unchanged() {
    let mut api = Api::new().await;
    already_live(&mut api).await;
    session(&mut api).await;
    opening(&mut api).await;
    turn_mock(
        &mut api,
        says("I want to pay my bill", "t1"),
        turn(
            "t2",
            &["You can pay online.", "Or by phone."],
            &["Pay now"],
            "WaitForInput",
        ),
    )
    .await;
    api.server
        .mock("GET", format!("/api/v2/flows/{BOT}/versions/2.0").as_str())
        .with_status(200)
        .with_body(json!({ "id": "2.0" }).to_string())
        .create_async()
        .await;
    let none = api.any_publish().await;

    let ran = run_smoke(&api, SMOKE, &[("INPUT_PREVIOUS-VERSION", "2.0")]).await;

    none.assert_async().await;
    assert_eq!(ran.output("status"), "unchanged", "{}", ran.summary);
    assert_eq!(ran.report.exit_code(), 0);
    assert_eq!(
        ran.events(),
        [
            "deployment_started",
            "dependency_validation_passed",
            "smoke_test_started",
            "smoke_test_passed",
            "publish_skipped_unchanged",
            "metrics"
        ]
    );
}
