//! The smoke-test gate against mockito: conversations held through bot flow sessions once
//! the target is live; a failing or unrunnable one rolls back (SPEC rule 8); a malformed
//! file is a bad input and nothing is sent.

use crate::helpers::*;
use mockito::{Matcher, Mock};
use serde_json::{Value, json};

const SESSIONS: &str = "/api/v2/textbots/botflows/sessions";
const TURNS: &str = "/api/v2/textbots/botflows/sessions/s-1/turns";
pub(crate) const SMOKE_FILE: &str = "bots/smoke.yml";

pub(crate) const SMOKE: &str = "\
version: 1
conversations:
  - name: Pays a bill
    turns:
      - bot: { text: Welcome to Billing! }
      - user: I want to pay my bill
        bot:
          contains: pay online
          matches: \"(?s)online.*phone\"
          quick_replies: [Pay now]
";

/// A turn answer: text segments, quick replies, and what comes next.
pub(crate) fn turn(id: &str, texts: &[&str], quick: &[&str], next: &str) -> Value {
    let mut segments: Vec<Value> = texts
        .iter()
        .map(|t| json!({ "type": "Text", "text": t }))
        .collect();
    if !quick.is_empty() {
        let content: Vec<Value> = quick
            .iter()
            .map(|q| json!({ "contentType": "QuickReply", "quickReply": { "text": q, "payload": q } }))
            .collect();
        segments.push(json!({ "type": "RichMedia", "content": content }));
    }
    json!({ "id": id, "prompts": { "textPrompts": { "segments": segments } }, "nextActionType": next })
}

/// Sessions answered `s-1`: two are started, the access check before publishing (no
/// turns) and the conversation's.
pub(crate) async fn session(api: &mut Api) -> Mock {
    api.server
        .mock("POST", SESSIONS)
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_body(Matcher::PartialJson(json!({
            "flow": { "id": BOT },
            "channel": { "inputModes": ["Text"], "outputModes": ["Text"] },
        })))
        .with_status(200)
        .with_body(json!({ "id": "s-1" }).to_string())
        .expect(2)
        .create_async()
        .await
}

/// A turn whose body contains `sent`, answered with `answer`.
pub(crate) async fn turn_mock(api: &mut Api, sent: Value, answer: Value) -> Mock {
    api.server
        .mock("POST", TURNS)
        .match_body(Matcher::PartialJson(sent))
        .with_status(200)
        .with_body(answer.to_string())
        .expect(1)
        .create_async()
        .await
}

/// The opening: the first turn is a NoOp with no previous turn.
pub(crate) async fn opening(api: &mut Api) -> Mock {
    turn_mock(
        api,
        json!({ "inputEventType": "NoOp", "previousTurn": null }),
        turn("t1", &["Welcome to Billing!"], &[], "WaitForInput"),
    )
    .await
}

pub(crate) fn says(text: &str, previous: &str) -> Value {
    json!({
        "inputEventType": "UserInput",
        "previousTurn": { "id": previous },
        "inputEventUserInput": { "mode": "Text", "alternatives": [{ "transcript": { "text": text } }] },
    })
}

/// Token, bot 2.0 live and 3.0 checked in, no dependencies, a publish of 3.0 that succeeds.
async fn published(api: &mut Api) -> Mock {
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    let publish = api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;
    publish
}

/// The rollback to 2.0, confirmed.
async fn rolled_back(api: &mut Api) -> Mock {
    let rollback = api.publish("2.0", "op-r").await;
    api.get_flow(
        &flow(Some("2.0"), Some("3.0"), Some(op("op-r", "SUCCESS", true))),
        1,
    )
    .await;
    rollback
}

pub(crate) async fn run_smoke(api: &Api, file: &str, extra: &[(&str, &str)]) -> Ran {
    let mut inputs = vec![
        ("INPUT_SMOKE-TEST", SMOKE_FILE),
        ("INPUT_WAIT-MODE", "poll"),
    ];
    inputs.extend_from_slice(extra);
    run_with_files(config(api, &inputs), &[(SMOKE_FILE, file)]).await
}

#[tokio::test]
async fn a_passing_smoke_test_keeps_the_new_version_and_follows_noop_continuations() {
    let mut api = Api::new().await;
    published(&mut api).await;
    let started = session(&mut api).await;
    let greeted = opening(&mut api).await;
    let asked = turn_mock(
        &mut api,
        says("I want to pay my bill", "t1"),
        turn("t2", &["You can pay online."], &[], "NoOp"),
    )
    .await;
    let continued = turn_mock(
        &mut api,
        json!({ "inputEventType": "NoOp", "previousTurn": { "id": "t2" } }),
        turn(
            "t3",
            &["Or by phone."],
            &["Pay now", "Agent"],
            "WaitForInput",
        ),
    )
    .await;

    let ran = run_smoke(&api, SMOKE, &[]).await;

    assert_eq!(ran.report.exit_code(), 0, "{}", ran.summary);
    assert_eq!(ran.output("status"), "published");
    assert_eq!(ran.output("published-version"), "3.0");
    assert_eq!(
        ran.events(),
        [
            "deployment_started",
            "dependency_validation_passed",
            "publish_triggered",
            "publish_status",
            "smoke_test_started",
            "smoke_test_passed",
            "deployment_success",
            "metrics"
        ]
    );
    let started_line = ran.event("smoke_test_started");
    assert_eq!(started_line["details"]["file"], SMOKE_FILE);
    assert_eq!(
        started_line["details"]["conversations"],
        json!(["Pays a bill"])
    );
    let passed = ran.event("smoke_test_passed");
    assert_eq!(passed["version"], "3.0");
    assert_eq!(passed["details"]["conversations"][0]["name"], "Pays a bill");
    assert_eq!(passed["details"]["conversations"][0]["passed"], true);
    assert!(
        ran.summary
            .contains("### Smoke test: ✅ all 1 conversation(s) passed"),
        "{}",
        ran.summary
    );
    assert!(ran.summary.contains(
        "| 2 | I want to pay my bill | contains \"pay online\"; matches /(?s)online.\\*phone/; quick replies \"Pay now\" | \"You can pay online.<br>Or by phone.\"; quick replies \"Pay now\", \"Agent\" | ✅ |"
    ), "{}", ran.summary);
    assert!(ran.summary.contains(" → smoke test "), "{}", ran.summary);
    for mock in [started, greeted, asked, continued] {
        mock.assert_async().await;
    }
    ran.assert_no_secrets();
}

#[tokio::test]
async fn a_wrong_answer_rolls_the_new_version_back() {
    let mut api = Api::new().await;
    let publish = published(&mut api).await;
    session(&mut api).await;
    opening(&mut api).await;
    turn_mock(
        &mut api,
        says("I want to pay my bill", "t1"),
        turn("t2", &["I can help with your order."], &[], "WaitForInput"),
    )
    .await;
    let rollback = rolled_back(&mut api).await;

    let ran = run_smoke(&api, SMOKE, &[]).await;

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
            "smoke_test_started",
            "smoke_test_failed",
            "rollback_started",
            "publish_status",
            "rollback_completed",
            "metrics"
        ]
    );
    let failed = ran.event("smoke_test_failed");
    let conversation = &failed["details"]["conversations"][0];
    assert_eq!(conversation["turn"], 2);
    assert_eq!(conversation["said"], "I want to pay my bill");
    assert_eq!(
        conversation["expected"],
        "contains \"pay online\"; matches /(?s)online.*phone/; quick replies \"Pay now\""
    );
    assert_eq!(conversation["actual"], "\"I can help with your order.\"");
    let problem = "conversation \"Pays a bill\" failed at turn 2: user said \"I want to pay my bill\"; expected contains \"pay online\"; matches /(?s)online.*phone/; quick replies \"Pay now\"; bot answered \"I can help with your order.\" (the answer does not contain \"pay online\"; the answer does not match /(?s)online.*phone/; quick replies \"Pay now\" not offered)";
    assert_eq!(failed["details"]["failed"], json!([problem]));
    assert!(
        ran.summary
            .starts_with("## ↩️ Billing Assistant 3.0 failed in staging and was rolled back"),
        "{}",
        ran.summary
    );
    assert!(ran.summary.contains("**Why:** Smoke test failed"));
    assert!(ran.summary.contains(
        "version 3.0 went live but 1 of 1 smoke-test conversation(s) failed; version 2.0 was published again and is live"
    ), "{}", ran.summary);
    assert!(
        ran.summary
            .contains("### Smoke test: ❌ 1 of 1 conversation(s) failed")
    );
    assert!(ran.summary.contains(
        "| 2 | I want to pay my bill | contains \"pay online\"; matches /(?s)online.\\*phone/; quick replies \"Pay now\" | \"I can help with your order.\" | ❌ the answer does not contain \"pay online\"; the answer does not match /(?s)online.\\*phone/; quick replies \"Pay now\" not offered |"
    ), "{}", ran.summary);
    assert!(ran.stdout.contains("::error title=Smoke test failed::version 3.0 went live but 1 of 1 smoke-test conversation(s) failed"));
    publish.assert_async().await;
    rollback.assert_async().await;
}

#[tokio::test]
async fn a_failed_smoke_test_whose_rollback_is_refused_exits_2() {
    let mut api = Api::new().await;
    published(&mut api).await;
    session(&mut api).await;
    opening(&mut api).await;
    turn_mock(
        &mut api,
        says("I want to pay my bill", "t1"),
        turn("t2", &["I can help with your order."], &[], "WaitForInput"),
    )
    .await;
    api.server
        .mock("POST", "/api/v2/flows/actions/publish")
        .match_query(Matcher::UrlEncoded("version".into(), "2.0".into()))
        .with_status(409)
        .with_body(envelope(
            409,
            "architect.flow.locked.by.user",
            "Flow is locked by another user.",
        ))
        .create_async()
        .await;

    let ran = run_smoke(&api, SMOKE, &[]).await;

    assert_eq!(ran.report.exit_code(), 2);
    assert_eq!(ran.output("status"), "rollback-failed");
    assert_eq!(ran.output("published-version"), "3.0");
    let events = ran.events();
    assert_eq!(
        &events[4..],
        [
            "smoke_test_started",
            "smoke_test_failed",
            "rollback_started",
            "rollback_failed",
            "metrics"
        ]
    );
    assert!(ran.stdout.contains("::error title=Rollback failed::version 3.0 went live but 1 of 1 smoke-test conversation(s) failed; rolling back to version 2.0 failed: the publish was refused"), "{}", ran.stdout);
}

#[tokio::test]
async fn with_rollback_off_a_failed_smoke_test_leaves_the_target_live_and_exits_2() {
    let mut api = Api::new().await;
    published(&mut api).await;
    session(&mut api).await;
    opening(&mut api).await;
    turn_mock(
        &mut api,
        says("I want to pay my bill", "t1"),
        turn("t2", &["I can help with your order."], &[], "WaitForInput"),
    )
    .await;

    let ran = run_smoke(&api, SMOKE, &[("INPUT_ROLLBACK", "false")]).await;

    assert_eq!(ran.report.exit_code(), 2);
    assert_eq!(ran.output("status"), "failed");
    assert!(!ran.events().iter().any(|e| e.starts_with("rollback")));
    assert!(
        ran.summary
            .contains("version 3.0 is live and rollback is off")
    );
}

#[tokio::test]
async fn a_session_permission_lost_after_the_access_check_fails_the_gate_and_names_it() {
    let mut api = Api::new().await;
    published(&mut api).await;
    // The access check before publishing could start a session; the gate's cannot.
    api.server
        .mock("POST", SESSIONS)
        .with_status(200)
        .with_body(json!({ "id": "probe" }).to_string())
        .expect(1)
        .create_async()
        .await;
    api.server
        .mock("POST", SESSIONS)
        .with_status(403)
        .with_header("ININ-Correlation-Id", "corr-403")
        .with_body(envelope(
            403,
            "missing.permissions",
            "You are not authorized",
        ))
        .expect(1)
        .create_async()
        .await;
    let turns = api
        .server
        .mock("POST", Matcher::Regex("/turns$".into()))
        .expect(0)
        .create_async()
        .await;
    let rollback = rolled_back(&mut api).await;

    let ran = run_smoke(&api, SMOKE, &[]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "rolled-back");
    let failed = ran.event("smoke_test_failed");
    assert_eq!(failed["correlation_id"], "corr-403");
    assert_eq!(failed["details"]["conversations"][0]["status"], 403);
    assert!(ran.summary.contains("**Why:** Smoke test could not run"));
    assert!(
        ran.summary
            .contains("a smoke test that cannot run fails the gate, so version 3.0 is not trusted"),
        "{}",
        ran.summary
    );
    assert!(ran.summary.contains("error code `missing.permissions`"));
    assert!(ran.summary.contains("**Could not run:** POST /api/v2/textbots/botflows/sessions answered HTTP 403 (missing.permissions): You are not authorized [correlation id corr-403]"), "{}", ran.summary);
    let permission = "Give the OAuth client's role the permission textbots:botFlowSession:execute";
    assert!(ran.summary.contains(&format!("**Next:** {permission}")));
    assert!(
        ran.stdout
            .contains("::error title=Smoke test could not run::")
    );
    assert!(
        ran.stdout.contains(&format!("%0ANext: {permission}")),
        "{}",
        ran.stdout
    );
    turns.assert_async().await;
    rollback.assert_async().await;
}
