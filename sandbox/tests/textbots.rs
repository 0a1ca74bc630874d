//! Bot flow sessions: the live version's script answers, turn by turn, with NoOp
//! continuations, quick replies, endings, and faults like every other route.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use genesys_sandbox::*;
use serde_json::{Value, json};

const SESSIONS: &str = "/api/v2/textbots/botflows/sessions";

async fn post_json(sb: &Sandbox, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let resp = http()
        .post(format!("{}{path}", sb.api_url()))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

async fn session(sb: &Sandbox, token: &str, flow: &str) -> String {
    let (status, body) = post_json(sb, token, SESSIONS, &json!({ "flow": { "id": flow } })).await;
    assert_eq!(status, 200, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

/// Posts a turn; `said` = None is a NoOp.
async fn turn(
    sb: &Sandbox,
    token: &str,
    session: &str,
    previous: Option<&str>,
    said: Option<&str>,
) -> (u16, Value) {
    let previous = previous.map_or(Value::Null, |id| json!({ "id": id }));
    let body = match said {
        None => json!({ "inputEventType": "NoOp", "previousTurn": previous }),
        Some(text) => json!({
            "inputEventType": "UserInput", "previousTurn": previous,
            "inputEventUserInput": { "mode": "Text", "alternatives": [{ "transcript": { "text": text } }] },
        }),
    };
    post_json(sb, token, &format!("{SESSIONS}/{session}/turns"), &body).await
}

fn texts(turn: &Value) -> Vec<&str> {
    turn["prompts"]["textPrompts"]["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["text"].as_str())
        .collect()
}

#[tokio::test]
async fn the_live_version_greets_answers_in_parts_and_hands_over() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    // Publish 2.0 so the session runs it: its payment answer comes in two parts.
    post(
        &sb,
        &t,
        &format!("/api/v2/flows/actions/publish?flow={DEMO_BOT_ID}&version=2.0"),
    )
    .await;
    wait_complete(&sb, &t, DEMO_BOT_ID).await;
    let id = session(&sb, &t, DEMO_BOT_ID).await;

    let (status, greeting) = turn(&sb, &t, &id, None, None).await;
    assert_eq!(status, 200, "{greeting}");
    assert_eq!(
        texts(&greeting),
        ["Hi, I'm the Billing Assistant. How can I help?"]
    );
    assert_eq!(greeting["nextActionType"], "WaitForInput");

    let t1 = greeting["id"].as_str().unwrap();
    let (_, first) = turn(&sb, &t, &id, Some(t1), Some("I want to PAY my bill")).await;
    assert_eq!(texts(&first), ["You can pay your bill online."]);
    assert_eq!(first["nextActionType"], "NoOp");
    let (_, rest) = turn(&sb, &t, &id, first["id"].as_str(), None).await;
    assert_eq!(texts(&rest), ["Or pay by phone, any time."]);
    assert_eq!(rest["nextActionType"], "WaitForInput");
    assert_eq!(
        rest["prompts"]["textPrompts"]["segments"][1]["content"][0],
        json!({ "contentType": "QuickReply", "quickReply": { "text": "Pay now", "payload": "Pay now", "action": "Message" } })
    );

    let (_, bye) = turn(&sb, &t, &id, rest["id"].as_str(), Some("Talk to an agent")).await;
    assert_eq!(bye["nextActionType"], "Exit");
    assert_eq!(bye["nextActionExit"]["reason"], "UserEscalation");
    let (status, after) = turn(&sb, &t, &id, bye["id"].as_str(), Some("hello?")).await;
    assert_eq!(
        (status, after["code"].as_str()),
        (400, Some("session.ended"))
    );

    let sessions = sb.bot_sessions();
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        (
            sessions[0].version.as_str(),
            sessions[0].turns,
            sessions[0].ended
        ),
        ("2.0", 4, true)
    );
}

#[tokio::test]
async fn a_session_runs_the_version_live_when_it_was_created() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let id = session(&sb, &t, DEMO_SMOKE_BOT_ID).await;
    let (_, opening) = turn(&sb, &t, &id, None, None).await;
    let (_, good) = turn(
        &sb,
        &t,
        &id,
        opening["id"].as_str(),
        Some("A question about my bill"),
    )
    .await;
    assert_eq!(
        good["nextActionType"], "Exit",
        "1.0 hands billing over: {good}"
    );

    post(
        &sb,
        &t,
        &format!("/api/v2/flows/actions/publish?flow={DEMO_SMOKE_BOT_ID}"),
    )
    .await;
    wait_complete(&sb, &t, DEMO_SMOKE_BOT_ID).await;
    let id = session(&sb, &t, DEMO_SMOKE_BOT_ID).await;
    let (_, opening) = turn(&sb, &t, &id, None, None).await;
    let (_, wrong) = turn(
        &sb,
        &t,
        &id,
        opening["id"].as_str(),
        Some("A question about my bill"),
    )
    .await;
    assert_eq!(
        texts(&wrong),
        ["I can only help with orders. What is your order number?"]
    );
    assert_eq!(wrong["nextActionType"], "WaitForInput");
    let versions: Vec<String> = sb.bot_sessions().into_iter().map(|s| s.version).collect();
    assert_eq!(versions, ["1.0", "2.0"]);
}

#[tokio::test]
async fn bad_sessions_and_turns_get_the_envelope() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let (status, body) = post_json(&sb, &t, SESSIONS, &json!({ "flow": { "id": "nope" } })).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not.found")));
    let (status, body) = post_json(&sb, &t, SESSIONS, &json!({})).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad.request")));
    let (status, _) = turn(&sb, &t, "no-such-session", None, None).await;
    assert_eq!(status, 404);
    let id = session(&sb, &t, DEMO_BOT_ID).await;
    let (status, body) = turn(&sb, &t, &id, None, Some("hi")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("bad.request")),
        "first turn must be NoOp"
    );
    let (_, opening) = turn(&sb, &t, &id, None, None).await;
    let (status, body) = turn(&sb, &t, &id, Some("stale"), Some("hi")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("turn.out.of.sequence"))
    );
    let (status, body) = turn(&sb, &t, &id, opening["id"].as_str(), Some("weather?")).await;
    assert_eq!(status, 200);
    assert_eq!(texts(&body), ["Sorry, I can help with bills and payments."]);
}

#[tokio::test]
async fn faults_apply_to_session_routes_too() {
    let scenario = Scenario {
        faults: serde_json::from_value(json!([
            { "kind": "forbidden", "route": "POST /api/v2/textbots/botflows/sessions",
              "permission": "textbots:botFlowSession:execute", "count": 1 },
            { "kind": "rate_limit", "route": "POST /api/v2/textbots/botflows/sessions/*/turns",
              "count": 1, "retry_after_secs": 0 }
        ]))
        .unwrap(),
        ..Scenario::default()
    };
    let sb = start(scenario).await;
    let t = token(&sb).await;
    let (status, body) =
        post_json(&sb, &t, SESSIONS, &json!({ "flow": { "id": DEMO_BOT_ID } })).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("missing.permissions"))
    );
    assert_eq!(
        body["message"],
        "You are missing the following permission(s): textbots:botFlowSession:execute"
    );
    let id = session(&sb, &t, DEMO_BOT_ID).await;
    let (status, _) = turn(&sb, &t, &id, None, None).await;
    assert_eq!(status, 429);
    let (status, _) = turn(&sb, &t, &id, None, None).await;
    assert_eq!(status, 200, "a 429 turn was not processed");
    let faults: Vec<Option<String>> = sb
        .requests()
        .into_iter()
        .map(|r| r.fault)
        .filter(Option::is_some)
        .collect();
    assert_eq!(
        faults,
        [Some("forbidden".to_owned()), Some("rate_limit".to_owned())]
    );
}
