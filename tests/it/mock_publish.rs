//! The main paths of a deployment against a scripted Genesys Cloud.

use crate::helpers::*;
use serde_json::{Value, json};

/// A clean publish of 3.0 over 2.0: the token, the flow with a finished old operation, one
/// skill, the publish, and three status reads to `SUCCESS`. Returns the token, first-read and
/// publish mocks, which tests assert were used.
async fn script_a_clean_publish(api: &mut Api) -> (mockito::Mock, mockito::Mock, mockito::Mock) {
    let token = api.token(3600.0).await;
    let before = api
        .get_flow(
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
    let publish = api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(
            Some("2.0"),
            Some("3.0"),
            Some(op("op-3", "PENDING_GENERATION", false)),
        ),
        1,
    )
    .await;
    api.get_flow(
        &flow(
            Some("2.0"),
            Some("3.0"),
            Some(op("op-3", "PENDING_BACKEND_NOTIFICATION", false)),
        ),
        1,
    )
    .await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;
    (token, before, publish)
}

#[tokio::test]
async fn publishes_waits_and_confirms_the_target() {
    let mut api = Api::new().await;
    let (token, before, publish) = script_a_clean_publish(&mut api).await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 0, "{}", ran.summary);
    assert_eq!(
        ran.events(),
        [
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "publish_status",
            "publish_status",
            "publish_status",
            "deployment_success",
            "metrics"
        ]
    );
    let statuses: Vec<_> = ran
        .audit()
        .iter()
        .filter(|v| v["event"] == "publish_status")
        .map(|v| v["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        [
            json!("PENDING_GENERATION"),
            json!("PENDING_BACKEND_NOTIFICATION"),
            json!("SUCCESS")
        ]
    );
    let triggered = ran.event("publish_triggered");
    assert_eq!(triggered["correlation_id"], "corr-publish");
    assert_eq!(triggered["details"]["operation_id"], "op-3");
    for line in ran.audit() {
        assert_eq!(line["bot_id"], BOT);
        assert_eq!(line["environment"], "staging");
        assert_eq!(line["deployment_id"], ran.output("deployment-id"));
    }
    assert_eq!(ran.output("status"), "published");
    assert_eq!(ran.output("published-version"), "3.0");
    assert_eq!(ran.output("previous-version"), "2.0");
    assert_eq!(ran.output("target-version"), "3.0");
    assert_eq!(ran.output("operation-id"), "op-3");
    assert_eq!(ran.output("validation-errors"), "[]");
    assert_eq!(ran.output("audit-log"), "audit/trail.jsonl");
    assert_eq!(ran.output("rate-limited"), "0");
    // Token, tokens/me, the bot, dependency tracking, skills, publish, three status reads.
    assert_eq!(ran.output("api-requests"), "9");
    assert!(
        ran.summary
            .starts_with("## ✅ Billing Assistant version 3.0 is live in staging\n"),
        "{}",
        ran.summary
    );
    assert!(ran.summary.contains(
        "| skill (discovered) | active | ✅ usable | `5a1e0a0a-0000-4000-8000-00000000000a` |"
    ));
    assert!(ran.summary.contains("| Phases |") && ran.summary.contains(" → wait "));
    assert!(ran.stdout.contains(
        "::notice title=Bot deployment::Bot Billing Assistant version 3.0 is live in staging"
    ));
    assert_eq!(ran.audit_file.lines().count(), ran.audit().len());
    ran.assert_no_secrets();
    token.assert_async().await;
    publish.assert_async().await;
    before.assert_async().await;
}

#[tokio::test]
async fn an_already_live_target_is_not_published_again() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("3.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    let none = api.any_publish().await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 0);
    assert_eq!(ran.output("status"), "unchanged");
    assert_eq!(
        ran.events(),
        [
            "deployment_started",
            "dependency_validation_passed",
            "publish_skipped_unchanged",
            "metrics"
        ]
    );
    assert!(
        ran.summary
            .contains("was already live in staging: nothing published")
    );
    none.assert_async().await;
}

#[tokio::test]
async fn dry_run_reads_everything_and_publishes_nothing() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[(SKILL_A, "ACDSKILL"), (FLOW_A, "COMMONMODULEFLOW")])
        .await;
    let skills = api.skills(&[(SKILL_A, "active")]).await;
    let flows = api
        .flows(vec![
            json!({"id": FLOW_A, "name": "Common", "publishedVersion": {"id": "7.0"}}),
        ])
        .await;
    let none = api.any_publish().await;

    let ran = run(&api, &[("INPUT_DRY-RUN", "true")]).await;

    assert_eq!(ran.report.exit_code(), 0);
    assert_eq!(ran.output("status"), "dry-run");
    assert_eq!(
        ran.events(),
        [
            "deployment_started",
            "dependency_validation_passed",
            "dry_run_completed",
            "metrics"
        ]
    );
    let plan = &ran.event("dry_run_completed")["details"]["plan"];
    assert_eq!(
        plan[0],
        format!("Publish version 3.0 of bot {BOT} (live now: 2.0).")
    );
    assert_eq!(plan[2], "On failure, roll back to version 2.0.");
    assert!(
        ran.summary
            .contains("### What a real run would do\n\n1. Publish version 3.0")
    );
    assert!(ran.summary.contains("| Common | flow (discovered) | published 7.0 | ✅ usable | `f10a0a0a-0000-4000-8000-00000000000a` |"));
    none.assert_async().await;
    skills.assert_async().await;
    flows.assert_async().await;
}

#[tokio::test]
async fn a_failed_publish_with_the_previous_version_live_needs_no_rollback() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    let mut failed = op("op-3", "FAILURE", true);
    failed["errorCode"] = json!("FLOW_VALIDATION_FAILED");
    failed["errorMessage"] = json!("The flow has validation errors");
    failed["errorDetails"] = json!([{ "errorCode": "SKILL_NOT_FOUND", "entityId": SKILL_B, "entityName": "VIP", "fieldName": "transferToAcd.skills" }]);
    api.get_flow(&flow(Some("2.0"), Some("3.0"), Some(failed)), 1)
        .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "failed");
    assert_eq!(ran.output("published-version"), "2.0");
    assert_eq!(
        ran.events(),
        [
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "publish_status",
            "deployment_failed",
            "rollback_not_needed",
            "metrics"
        ]
    );
    let failed = ran.event("deployment_failed");
    assert_eq!(failed["details"]["error_code"], "FLOW_VALIDATION_FAILED");
    assert_eq!(
        failed["details"]["error_details"][0],
        format!("SKILL_NOT_FOUND: VIP ({SKILL_B}): field transferToAcd.skills")
    );
    assert!(ran.summary.contains("error code `FLOW_VALIDATION_FAILED`"));
    assert!(
        ran.summary.contains(
            "Genesys Cloud could not publish version 3.0: The flow has validation errors"
        )
    );
    assert!(ran.summary.contains(&format!(
        "- SKILL_NOT_FOUND: VIP ({SKILL_B}): field transferToAcd.skills"
    )));
    assert!(ran.stdout.contains("::error title=Publish failed::Genesys Cloud could not publish version 3.0: The flow has validation errors%0AError code: FLOW_VALIDATION_FAILED"));
}

#[tokio::test]
async fn success_with_a_third_version_live_touches_nothing_and_exits_2() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    let publish = api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("4.0"), Some("4.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 2);
    assert_eq!(ran.output("status"), "failed");
    assert_eq!(ran.output("published-version"), "4.0");
    assert!(
        !ran.events().iter().any(|e| e.starts_with("rollback")),
        "{:?}",
        ran.events()
    );
    assert!(ran.summary.contains(
        "version 4.0 is live, which is neither the target (3.0) nor the version live before (2.0)"
    ));
    publish.assert_async().await;
}

#[tokio::test]
async fn timeout_with_the_operation_finished_and_previous_live_exits_1() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(
        &flow(Some("2.0"), Some("3.0"), Some(op("old", "SUCCESS", true))),
        1,
    )
    .await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    // The platform never shows our operation before the deadline; the read at the deadline
    // shows it finished with the previous version still live.
    api.get_flow(
        &flow(Some("2.0"), Some("3.0"), Some(op("old", "SUCCESS", true))),
        1000,
    )
    .await;

    let ran = run(&api, &[("INPUT_TIMEOUT-SECONDS", "1")]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "timed-out");
    let events = ran.events();
    assert_eq!(
        &events[events.len() - 3..],
        ["deployment_timed_out", "rollback_not_needed", "metrics"]
    );
}

#[tokio::test]
async fn timeout_with_the_operation_still_running_exits_2_and_names_it() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(
            Some("2.0"),
            Some("3.0"),
            Some(op("op-3", "PENDING_GENERATION", false)),
        ),
        1000,
    )
    .await;

    let ran = run(&api, &[("INPUT_TIMEOUT-SECONDS", "1")]).await;

    assert_eq!(ran.report.exit_code(), 2);
    assert_eq!(ran.output("status"), "timed-out");
    assert!(
        ran.summary
            .contains("publish operation op-3 is still PENDING_GENERATION"),
        "{}",
        ran.summary
    );
    assert!(ran.summary.contains("Watch operation op-3"));
    assert!(!ran.events().iter().any(|e| e.starts_with("rollback")));
}

#[tokio::test]
async fn a_lock_held_by_someone_else_stops_the_run_and_names_them() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let mut locked = flow(Some("2.0"), Some("3.0"), None);
    locked["lockedUser"] = json!({ "id": "u-1", "name": "Ana Developer" });
    api.get_flow(&locked, 1).await;
    let none = api.any_publish().await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "failed");
    assert!(ran.stdout.contains(&format!(
        "::error title=Bot flow is locked::flow {BOT} is locked by user Ana Developer (u-1)"
    )));
    assert!(ran.summary.contains("set force-unlock: true"));
    none.assert_async().await;
}

#[tokio::test]
async fn force_unlock_unlocks_with_a_warning_then_publishes() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let mut locked = flow(Some("2.0"), Some("3.0"), None);
    locked["lockedClient"] = json!({ "id": "other-client", "name": "Someone's script" });
    api.get_flow(&locked, 1).await;
    // The flow is read again after the unlock: nothing was checked in.
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    let unlock = api
        .server
        .mock("POST", "/api/v2/flows/actions/unlock")
        .match_query(mockito::Matcher::UrlEncoded("flow".into(), BOT.into()))
        .with_status(200)
        .with_body(flow(Some("2.0"), Some("3.0"), None).to_string())
        .expect(1)
        .create_async()
        .await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[("INPUT_FORCE-UNLOCK", "true")]).await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    assert!(ran.stdout.contains("::warning title=Unlocking the bot flow::force-unlock: taking the lock from OAuth client Someone's script (other-client)"));
    unlock.assert_async().await;
}

#[tokio::test]
async fn an_operation_already_running_is_waited_for_first() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let running = json!({ "id": "checkin-1", "complete": false, "actionName": "CHECKIN", "actionStatus": "STARTED" });
    let finished = json!({ "id": "checkin-1", "complete": true, "actionName": "CHECKIN", "actionStatus": "SUCCESS" });
    api.get_flow(&flow(Some("2.0"), Some("2.0"), Some(running)), 2)
        .await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), Some(finished)), 1)
        .await;
    api.consumed(&[]).await;
    let publish = api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    assert_eq!(ran.output("target-version"), "3.0");
    publish.assert_async().await;
}

#[tokio::test]
async fn a_target_version_that_does_not_exist_fails_before_publishing() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    let version = api
        .server
        .mock("GET", format!("/api/v2/flows/{BOT}/versions/9.0").as_str())
        .with_status(404)
        .with_header("ININ-Correlation-Id", "corr-404")
        .with_body(envelope(
            404,
            "architect.flow.version.missing",
            "Specified flow version is missing.",
        ))
        .expect(1)
        .create_async()
        .await;
    let none = api.any_publish().await;

    let ran = run(&api, &[("INPUT_TARGET-VERSION", "9.0")]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "failed");
    assert!(
        ran.stdout
            .contains("::error title=Version not found::target-version 9.0 of bot"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.summary
            .contains("Check target-version: the bot has no version 9.0")
    );
    assert!(ran.summary.contains("correlation id `corr-404`"));
    version.assert_async().await;
    none.assert_async().await;
}

#[tokio::test]
async fn explicit_versions_are_checked_then_published() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    let mut checked = Vec::new();
    for v in ["2.5", "1.0"] {
        checked.push(
            api.server
                .mock("GET", format!("/api/v2/flows/{BOT}/versions/{v}").as_str())
                .with_status(200)
                .with_body(json!({ "id": v, "name": v }).to_string())
                .expect(1)
                .create_async()
                .await,
        );
    }
    api.consumed(&[]).await;
    let publish = api.publish("2.5", "op-25").await;
    api.get_flow(
        &flow(Some("2.5"), Some("3.0"), Some(op("op-25", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(
        &api,
        &[
            ("INPUT_TARGET-VERSION", "2.5"),
            ("INPUT_PREVIOUS-VERSION", "1.0"),
        ],
    )
    .await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    assert_eq!(ran.output("previous-version"), "1.0");
    assert!(ran.stdout.contains("::warning title=previous-version is not the live version::version 2.0 is live, but previous-version says 1.0"));
    for mock in checked {
        mock.assert_async().await;
    }
    publish.assert_async().await;
}

/// The audit trail where every field matters, as one snapshot: what changes from run to run
/// (times, durations, ids, the mock server's address) is replaced by its name.
#[tokio::test]
async fn the_audit_trail_of_a_clean_publish_is_as_recorded() {
    let mut api = Api::new().await;
    script_a_clean_publish(&mut api).await;
    let ran = run(&api, &[]).await;
    let lines: Vec<String> = ran
        .audit()
        .into_iter()
        .map(|mut line| {
            redact_run_specifics(&mut line);
            line.to_string()
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

fn redact_run_specifics(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let specific = key.ends_with("_ms")
                    || [
                        "timestamp",
                        "deployment_id",
                        "api_host",
                        "operation_id_seen",
                    ]
                    .contains(&key.as_str());
                if specific && !value.is_null() {
                    *value = Value::String(format!("<{key}>"));
                } else {
                    redact_run_specifics(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_run_specifics),
        _ => {}
    }
}
