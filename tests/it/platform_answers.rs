//! Answers the real platform gives that the first simulations did not (genesys-api-verified.md
//! findings D, E, G, H and the publish row of Q1): each must lead to the right end at once.

use crate::helpers::*;
use serde_json::json;

/// A flow whose publish of 3.0 over 2.0 is about to start.
async fn ready_to_publish(api: &mut Api) {
    api.token(3600.0).await;
    api.get_flow(
        &flow(
            Some("2.0"),
            Some("3.0"),
            Some(op("old-op", "SUCCESS", true)),
        ),
        1,
    )
    .await;
    api.consumed(&[(SKILL_A, "ACDSKILL")]).await;
    api.skills(&[(SKILL_A, "active")]).await;
}

#[tokio::test]
async fn a_deleted_bot_answers_410_and_the_run_says_deleted_at_once() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.flow_error(410, "architect.flow.deleted", "Flow has been deleted.")
        .with_header("ININ-Correlation-Id", "corr-410")
        .expect(1)
        .create_async()
        .await;
    let none = api.any_publish().await;

    let ran = run(&api, &[]).await;

    none.assert_async().await;
    assert_eq!(ran.report.exit_code(), 1, "{}", ran.summary);
    assert_eq!(ran.output("status"), "failed");
    let failure = ran.report.failure().expect("a failure");
    assert_eq!(failure.title, "Bot flow deleted");
    assert_eq!(failure.code.as_deref(), Some("architect.flow.deleted"));
    assert_eq!(failure.correlation_id.as_deref(), Some("corr-410"));
    assert!(
        failure.next_step.contains("deleted flow"),
        "{}",
        failure.next_step
    );
}

#[tokio::test]
async fn a_flow_deleted_during_the_wait_ends_the_wait_at_once() {
    let mut api = Api::new().await;
    ready_to_publish(&mut api).await;
    api.publish("3.0", "op-3").await;
    api.flow_error(410, "architect.flow.deleted", "Flow has been deleted.")
        .expect(1)
        .create_async()
        .await;

    let started = std::time::Instant::now();
    let ran = run(&api, &[("timeout-seconds", "60")]).await;

    // The 60 s deadline is never reached: one read says the flow is gone.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(ran.report.exit_code(), 2, "{}", ran.summary);
    let failure = ran.report.failure().expect("a failure");
    assert_eq!(failure.title, "Bot flow deleted");
    assert!(failure.message.contains("deleted"), "{}", failure.message);
}

#[tokio::test]
async fn a_202_publish_with_an_empty_body_is_a_publish_that_started() {
    let mut api = Api::new().await;
    ready_to_publish(&mut api).await;
    api.server
        .mock("POST", "/api/v2/flows/actions/publish")
        .match_query(mockito::Matcher::Any)
        .with_status(202)
        .with_header("ININ-Correlation-Id", "corr-202")
        .expect(1)
        .create_async()
        .await;
    api.get_flow(
        &flow(Some("2.0"), Some("3.0"), Some(op("op-3", "STARTED", false))),
        1,
    )
    .await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 0, "{}", ran.summary);
    assert!(
        !ran.stdout.contains("Publish answer lost"),
        "a 202 is an answer, not a lost one:\n{}",
        ran.stdout
    );
    let triggered = ran.event("publish_triggered");
    assert_eq!(triggered["status"], "ACCEPTED");
    assert_eq!(triggered["correlation_id"], "corr-202");
    assert_eq!(ran.output("published-version"), "3.0");
}

#[tokio::test]
async fn each_publish_conflict_gets_the_hint_its_code_means() {
    let cases = [
        (
            "architect.flow.cannot.publish.missing.dependencies",
            "Dependencies of the version",
        ),
        ("architect.flow.variable.missing", "variable"),
        (
            "architect.operation.already.in.progress",
            "Another operation is running",
        ),
        ("architect.flow.locked.by.user", "force-unlock"),
    ];
    for (code, hint) in cases {
        let mut api = Api::new().await;
        ready_to_publish(&mut api).await;
        api.publish_error(409, code, "refused")
            .expect(1)
            .create_async()
            .await;

        let ran = run(&api, &[]).await;

        assert_eq!(ran.report.exit_code(), 1, "{code}: {}", ran.summary);
        let failure = ran.report.failure().expect("a failure");
        assert_eq!(failure.title, "Publish refused", "{code}");
        assert_eq!(failure.code.as_deref(), Some(code));
        assert!(
            failure.next_step.contains(hint),
            "{code}: {}",
            failure.next_step
        );
    }
}

#[tokio::test]
async fn the_wait_ends_when_the_target_is_live_whatever_operation_the_flow_shows() {
    // Someone opened the flow in Architect right after our publish: currentOperation is
    // their finished VALIDATE, never our publish's SUCCESS.
    let mut api = Api::new().await;
    ready_to_publish(&mut api).await;
    api.publish("3.0", "op-3").await;
    let validate = json!({ "id": "val-1", "complete": true, "actionName": "VALIDATE",
        "actionStatus": "SUCCESS", "user": { "id": "u-1", "name": "Jane Doe" }, "errorDetails": [] });
    api.get_flow(&flow(Some("3.0"), Some("3.0"), Some(validate)), 1)
        .await;

    let started = std::time::Instant::now();
    let ran = run(&api, &[("timeout-seconds", "60")]).await;

    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(ran.report.exit_code(), 0, "{}", ran.summary);
    assert_eq!(ran.output("status"), "published");
    assert_eq!(ran.output("published-version"), "3.0");
}

#[tokio::test]
async fn dependency_tracking_not_knowing_the_version_says_so() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(
        &flow(
            Some("2.0"),
            Some("3.0"),
            Some(op("old-op", "SUCCESS", true)),
        ),
        1,
    )
    .await;
    api.server
        .mock(
            "GET",
            "/api/v2/architect/dependencytracking/consumedresources",
        )
        .match_query(mockito::Matcher::Any)
        .with_status(404)
        .with_body(envelope(
            404,
            "architect.flow.version.missing",
            "Specified flow version is missing.",
        ))
        .create_async()
        .await;
    let none = api.any_publish().await;

    let ran = run(&api, &[]).await;

    none.assert_async().await;
    assert_eq!(ran.report.exit_code(), 1, "{}", ran.summary);
    let failure = ran.report.failure().expect("a failure");
    assert!(
        failure
            .message
            .contains("dependency tracking has no record of version 3.0"),
        "{}",
        failure.message
    );
    assert!(
        failure.next_step.contains("discover-dependencies: false"),
        "{}",
        failure.next_step
    );
}
