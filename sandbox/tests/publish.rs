//! Publishing: operations, their statuses, failures, conflicts, locks and rollback behaviours.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use genesys_sandbox::*;
use serde_json::Value;

fn publish_path(flow: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("/api/v2/flows/actions/publish?flow={flow}&version={v}"),
        None => format!("/api/v2/flows/actions/publish?flow={flow}"),
    }
}

#[tokio::test]
async fn publish_succeeds_through_every_status() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let resp = post(&sb, &t, &publish_path(DEMO_BOT_ID, Some("2.0"))).await;
    assert_eq!(resp.status(), 200);
    let op: Value = resp.json().await.unwrap();
    assert_eq!(op["actionName"], "PUBLISH");
    assert_eq!(op["actionStatus"], "STARTED");
    assert_eq!(op["complete"], false);
    assert_eq!(op["client"]["id"], DEMO_CLIENT_ID);
    assert!(op.get("errorCode").is_none());
    let op_id = op["id"].as_str().unwrap().to_owned();

    let (flow, seen) = wait_complete(&sb, &t, DEMO_BOT_ID).await;
    assert_eq!(flow["currentOperation"]["id"], op_id.as_str());
    assert_eq!(flow["currentOperation"]["actionStatus"], "SUCCESS");
    assert_eq!(flow["publishedVersion"]["id"], "2.0");
    assert_eq!(seen.last().map(String::as_str), Some("SUCCESS"));
    let order = [
        "STARTED",
        "PENDING_GENERATION",
        "PENDING_BACKEND_NOTIFICATION",
        "SUCCESS",
    ];
    let positions: Vec<usize> = seen
        .iter()
        .map(|s| order.iter().position(|o| o == s).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{seen:?}");

    let ops = sb.operations();
    assert_eq!(ops.len(), 1);
    let rec = &ops[0];
    assert_eq!(
        (rec.flow_id.as_str(), rec.version.as_str()),
        (DEMO_BOT_ID, "2.0")
    );
    assert_eq!(rec.operation_id, op_id);
    assert_eq!(
        rec.outcome,
        OperationOutcome::Succeeded {
            live_version: "2.0".into()
        }
    );
    let done = rec.completed_at.unwrap();
    // The default scenario publishes 2.0 in exactly 600 ms.
    assert_eq!(done - rec.started_at, std::time::Duration::from_millis(600));
    assert_eq!(rec.transitions.len(), 4);
    assert_eq!(rec.transitions.last(), Some(&(ActionStatus::Success, done)));
    let snap = sb.flow(DEMO_BOT_ID).unwrap();
    assert_eq!(snap.published_version.as_deref(), Some("2.0"));
    assert_eq!(
        snap.current_operation.unwrap().action_status,
        ActionStatus::Success
    );

    // Rolling back: republishing 1.0 works in the default scenario.
    let resp = post(&sb, &t, &publish_path(DEMO_BOT_ID, Some("1.0"))).await;
    assert_eq!(resp.status(), 200);
    let (flow, _) = wait_complete(&sb, &t, DEMO_BOT_ID).await;
    assert_eq!(flow["publishedVersion"]["id"], "1.0");
    assert!(flow["publishedVersion"]["datePublished"].is_string());
    let (_, v2) = get_json(
        &sb,
        &t,
        &format!("/api/v2/flows/{DEMO_BOT_ID}/versions/2.0"),
    )
    .await;
    assert!(v2["datePublishedEnd"].is_string(), "{v2}");
    sb.shutdown().await;
}

#[tokio::test]
async fn failing_publish_reports_errors_and_keeps_the_old_version() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    // No version: the checked-in one (3.0) is published.
    let resp = post(&sb, &t, &publish_path(DEMO_FAILING_BOT_ID, None)).await;
    assert_eq!(resp.status(), 200);
    let (flow, _) = wait_complete(&sb, &t, DEMO_FAILING_BOT_ID).await;
    let op = &flow["currentOperation"];
    assert_eq!(op["actionStatus"], "FAILURE");
    assert_eq!(op["errorCode"], "flow.publish.validation.failed");
    assert!(
        op["errorMessage"]
            .as_str()
            .unwrap()
            .contains("Returns Assistant")
    );
    let details = op["errorDetails"].as_array().unwrap();
    assert_eq!(details.len(), 2);
    assert_eq!(details[0]["entityName"], "Returns Escalations");
    assert!(details[0]["errorCode"].is_string() && details[0]["fieldName"].is_string());
    assert_eq!(op["errorMessageParams"]["version"], "3.0");
    assert_eq!(flow["publishedVersion"]["id"], "2.0");
    let rec = &sb.operations()[0];
    assert_eq!(rec.version, "3.0");
    assert!(
        matches!(&rec.outcome, OperationOutcome::Failed { error_code } if error_code == "flow.publish.validation.failed")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn conflicts_locks_and_unknown_versions() {
    let mut scenario = Scenario::default();
    scenario.flows[0].versions[1].duration_ms = Some(60_000);
    let sb = start(scenario).await;
    let t = token(&sb).await;
    assert_eq!(
        post(&sb, &t, &publish_path(DEMO_BOT_ID, None))
            .await
            .status(),
        200
    );
    let busy = post(&sb, &t, &publish_path(DEMO_BOT_ID, Some("1.0"))).await;
    assert_error(
        busy,
        409,
        "architect.operation.already.in.progress",
        "An operation is already in progress on the object.",
    )
    .await;

    let locked = post(&sb, &t, &publish_path(DEMO_LOCKED_BOT_ID, None)).await;
    assert_error(
        locked,
        409,
        "architect.flow.locked.by.user",
        &format!(
            "Flow is locked by another user. Lock holder: user {DEMO_LOCK_USER_NAME} ({DEMO_LOCK_USER_ID})."
        ),
    )
    .await;
    let resp = post(
        &sb,
        &t,
        &format!("/api/v2/flows/actions/unlock?flow={DEMO_LOCKED_BOT_ID}"),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let flow: Value = resp.json().await.unwrap();
    assert!(flow.get("lockedUser").is_none());
    assert_eq!(
        post(&sb, &t, &publish_path(DEMO_LOCKED_BOT_ID, None))
            .await
            .status(),
        200
    );

    let unknown = post(&sb, &t, &publish_path(DEMO_FAILING_BOT_ID, Some("9.9"))).await;
    assert_answer(unknown, VERSION_MISSING).await;
    let missing = post(&sb, &t, &publish_path("nope", None)).await;
    assert_envelope(missing, 404, "not.found").await;
    let deleted = post(&sb, &t, &publish_path(DEMO_DELETED_BOT_ID, None)).await;
    assert_answer(deleted, FLOW_DELETED).await;
    let no_flow = post(&sb, &t, "/api/v2/flows/actions/publish").await;
    assert_envelope(no_flow, 400, "bad.request").await;
    sb.shutdown().await;
}

const BEHAVIOURS: &str = r#"{
  "publish_duration_ms": 50,
  "unknown_version": "ignore",
  "clients": [{"id": "ci", "secret": "s"}],
  "flows": [
    {"id": "rb", "name": "Rollback fails", "type": "DIGITALBOT",
     "published_version": "1.0", "checked_in_version": "2.0",
     "versions": [{"id": "1.0", "republish": "failure"}, {"id": "2.0"}]},
    {"id": "other", "name": "Other live", "type": "BOT",
     "published_version": "1.0", "checked_in_version": "2.0",
     "versions": [{"id": "1.0"}, {"id": "2.0", "publish": {"leaves_other_version_live": {"version": "1.0"}}}]},
    {"id": "stuck", "name": "Never finishes", "type": "BOT",
     "published_version": "1.0", "checked_in_version": "2.0",
     "versions": [{"id": "1.0"}, {"id": "2.0", "publish": "never_finishes", "duration_ms": 20}]}
  ]
}"#;

async fn token_ci(sb: &Sandbox) -> String {
    let resp = token_for(sb, "ci", "s").await;
    resp.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn scenario_behaviours() {
    let sb = start(Scenario::from_json_str(BEHAVIOURS).unwrap()).await;
    let t = token_ci(&sb).await;

    // Publishing 2.0 works; rolling back to 1.0 (live before) fails and 2.0 stays live.
    assert_eq!(post(&sb, &t, &publish_path("rb", None)).await.status(), 200);
    let (flow, _) = wait_complete(&sb, &t, "rb").await;
    assert_eq!(flow["publishedVersion"]["id"], "2.0");
    assert_eq!(
        post(&sb, &t, &publish_path("rb", Some("1.0")))
            .await
            .status(),
        200
    );
    let (flow, _) = wait_complete(&sb, &t, "rb").await;
    assert_eq!(flow["currentOperation"]["actionStatus"], "FAILURE");
    assert_eq!(flow["publishedVersion"]["id"], "2.0");

    // SUCCESS, but another version is live.
    assert_eq!(
        post(&sb, &t, &publish_path("other", None)).await.status(),
        200
    );
    let (flow, _) = wait_complete(&sb, &t, "other").await;
    assert_eq!(flow["currentOperation"]["actionStatus"], "SUCCESS");
    assert_eq!(flow["publishedVersion"]["id"], "1.0");

    // Never finishes: reaches PENDING_BACKEND_NOTIFICATION and stays there.
    assert_eq!(
        post(&sb, &t, &publish_path("stuck", None)).await.status(),
        200
    );
    let start = std::time::Instant::now();
    loop {
        let (_, flow) = get_json(&sb, &t, "/api/v2/flows/stuck").await;
        let op = &flow["currentOperation"];
        assert_eq!(op["complete"], false);
        if op["actionStatus"] == "PENDING_BACKEND_NOTIFICATION" {
            break;
        }
        assert!(start.elapsed() < DEADLINE);
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let stuck = sb
        .operations()
        .into_iter()
        .find(|o| o.flow_id == "stuck")
        .unwrap();
    assert_eq!(
        (stuck.completed_at, stuck.outcome),
        (None, OperationOutcome::Running)
    );

    // Unknown version with `unknown_version: ignore`: 200, nothing happens.
    let resp = post(&sb, &t, &publish_path("other", Some("7.0"))).await;
    assert_eq!(resp.status(), 200);
    let op: Value = resp.json().await.unwrap();
    assert_eq!(op["actionStatus"], "STARTED");
    let (_, flow) = get_json(&sb, &t, "/api/v2/flows/other").await;
    assert_ne!(flow["currentOperation"]["id"], op["id"]);
    assert_eq!(
        sb.operations().last().unwrap().outcome,
        OperationOutcome::Ignored
    );
    sb.shutdown().await;
}
