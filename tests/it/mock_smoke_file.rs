//! The smoke-test file as an input: a malformed one stops the run before any request; a
//! dry run checks it and says what it would hold.

use crate::helpers::*;
use crate::mock_smoke::{SMOKE, run_smoke};
use mockito::Matcher;
use serde_json::json;

#[tokio::test]
async fn a_malformed_smoke_test_file_is_a_bad_input_and_nothing_is_sent() {
    let mut api = Api::new().await;
    let anything = api
        .server
        .mock("POST", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let reads = api
        .server
        .mock("GET", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let broken = SMOKE.replace("contains: pay online", "contain: pay online");

    let ran = run_smoke(&api, &broken, &[]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "failed");
    assert_eq!(ran.output("api-requests"), "0");
    let error = "input 'smoke-test' (INPUT_SMOKE-TEST): expected a valid conversations file (bots/smoke.yml line 8, column 11: conversations[0].turns[1].bot: unknown field `contain`, expected one of `text`, `contains`, `matches`, `quick_replies`, `ends`, `reason`), got \"bots/smoke.yml\"";
    assert!(
        ran.stdout.contains(&format!(
            "::error title=Invalid input 'smoke-test'::{error}"
        )),
        "{}",
        ran.stdout
    );
    assert_eq!(ran.output("validation-errors"), json!([error]).to_string());
    assert_eq!(ran.events(), ["deployment_failed", "metrics"]);
    anything.assert_async().await;
    reads.assert_async().await;
}

#[tokio::test]
async fn a_dry_run_checks_the_file_and_says_what_would_run() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    // One session proves the smoke test may run; no turn is sent, nothing is published.
    let sessions = api
        .server
        .mock(
            "POST",
            Matcher::Regex("^/api/v2/textbots/botflows/sessions$".into()),
        )
        .with_status(200)
        .with_body(serde_json::json!({ "id": "probe" }).to_string())
        .expect(1)
        .create_async()
        .await;
    let turns = api
        .server
        .mock("POST", Matcher::Regex("/turns$".into()))
        .expect(0)
        .create_async()
        .await;
    let publishes = api.any_publish().await;

    let ran = run_smoke(&api, SMOKE, &[("INPUT_DRY-RUN", "true")]).await;

    assert_eq!(ran.report.exit_code(), 0);
    assert_eq!(ran.output("status"), "dry-run");
    let step = "Once it is live, hold 1 smoke-test conversation(s) from bots/smoke.yml with it: \"Pays a bill\" (2 turns). Any that fails (or cannot run) fails the deployment.";
    assert!(
        ran.summary.contains(&format!("3. {step}")),
        "{}",
        ran.summary
    );
    assert_eq!(ran.event("dry_run_completed")["details"]["plan"][2], step);
    sessions.assert_async().await;
    turns.assert_async().await;
    publishes.assert_async().await;
}

#[tokio::test]
async fn a_dry_run_finds_a_missing_session_permission_before_any_publish() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.server
        .mock("POST", "/api/v2/textbots/botflows/sessions")
        .with_status(403)
        .with_header("ININ-Correlation-Id", "corr-403")
        .with_body(envelope(
            403,
            "missing.permissions",
            "You are missing the following permission(s): [textbots:botFlowSession:execute]",
        ))
        .expect(1)
        .create_async()
        .await;
    let publishes = api.any_publish().await;

    for dry_run in ["true", "false"] {
        let ran = run_smoke(&api, SMOKE, &[("INPUT_DRY-RUN", dry_run)]).await;

        assert_eq!(ran.report.exit_code(), 1, "dry run {dry_run}");
        assert_eq!(ran.output("status"), "failed");
        let failure = ran.report.failure().expect("a failure");
        assert_eq!(failure.title, "Smoke test not permitted");
        assert_eq!(failure.correlation_id.as_deref(), Some("corr-403"));
        assert!(
            failure
                .next_step
                .contains("textbots:botFlowSession:execute"),
            "{}",
            failure.next_step
        );
    }
    publishes.assert_async().await;
}
