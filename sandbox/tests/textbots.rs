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

/// A launch request as a messaging client sends it (`TextBotFlowLaunchRequest`).
fn launch(flow: &str) -> Value {
    json!({
        "flow": { "id": flow },
        "externalSessionId": "ext-1",
        "channel": { "name": "Messaging", "inputModes": ["Text"], "outputModes": ["Text"],
                     "userAgent": { "name": "GenesysWebWidget" } },
        "inputData": { "variables": {} },
    })
}

async fn session(sb: &Sandbox, token: &str, flow: &str) -> String {
    let (status, body) = post_json(sb, token, SESSIONS, &launch(flow)).await;
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
    assert_eq!(bye["nextActionExit"]["reason"], "AgentRequestedByUser");
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
    let (status, body) = post_json(&sb, &t, SESSIONS, &launch(DEMO_BOT_ID)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("missing.permissions"))
    );
    assert_eq!(
        body["message"],
        "Unable to perform the requested action. You are missing the following permission(s): textbots:botFlowSession:execute"
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

const USER_AGENTS: &str = "Phone, SMS, GenesysWebWidget, FacebookMessenger, WeChat, Whatsapp, \
AppleBusinessChat, Apple, Telegram, Slack, Signal, Line, Discord, TwitterDirectMessage, Open, \
Instagram, Other, Unknown";

#[tokio::test]
async fn values_outside_the_platforms_enums_are_400_invalid_value() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let mut agent = launch(DEMO_BOT_ID);
    agent["channel"]["userAgent"]["name"] = json!("genesys-bot-deploy");
    let (status, body) = post_json(&sb, &t, SESSIONS, &agent).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid.value"))
    );
    assert_eq!(
        body["message"],
        format!(
            "Value [genesys-bot-deploy] is not valid for field type [channel.userAgent.name]. \
             Allowable values are: {USER_AGENTS}"
        )
    );
    let mut channel = launch(DEMO_BOT_ID);
    channel["channel"]["name"] = json!("Web");
    let (status, body) = post_json(&sb, &t, SESSIONS, &channel).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid.value"))
    );
    assert_eq!(
        body["message"],
        "Value [Web] is not valid for field type [channel.name]. Allowable values are: Chat, Call, Messaging"
    );
    assert!(sb.bot_sessions().is_empty(), "no session was started");

    let id = session(&sb, &t, DEMO_BOT_ID).await;
    let bad_turn = json!({ "inputEventType": "Hello", "previousTurn": null });
    let (status, body) = post_json(&sb, &t, &format!("{SESSIONS}/{id}/turns"), &bad_turn).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid.value"))
    );
    assert_eq!(
        body["message"],
        "Value [Hello] is not valid for field type [inputEventType]. Allowable values are: \
         NoOp, UserInput, RichMediaInput, Error, NoMatch, NoInput, UserDisconnect, ClientSessionExpired"
    );
    // A valid turn type the sandbox does not simulate is refused plainly, and not counted.
    let no_input = json!({ "inputEventType": "NoInput", "previousTurn": null });
    let (status, body) = post_json(&sb, &t, &format!("{SESSIONS}/{id}/turns"), &no_input).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad.request")));
    assert_eq!(sb.bot_sessions()[0].turns, 0);
    // Every allowed user agent and channel is accepted.
    for agent in USER_AGENTS.split(", ") {
        let mut body = launch(DEMO_BOT_ID);
        body["channel"]["userAgent"]["name"] = json!(agent);
        body["channel"]["name"] = json!("Chat");
        assert_eq!(post_json(&sb, &t, SESSIONS, &body).await.0, 200, "{agent}");
    }
}

#[tokio::test]
async fn each_session_keeps_its_launch_request() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    session(&sb, &t, DEMO_BOT_ID).await;
    let mut with_language = launch(DEMO_BOT_ID);
    with_language["language"] = json!("");
    let (status, _) = post_json(&sb, &t, SESSIONS, &with_language).await;
    assert_eq!(status, 200);
    let sessions = sb.bot_sessions();
    assert_eq!(sessions[0].language, None, "no language sent");
    assert_eq!(sessions[0].user_agent.as_deref(), Some("GenesysWebWidget"));
    assert_eq!(sessions[0].launch, launch(DEMO_BOT_ID));
    assert_eq!(
        sessions[1].language.as_deref(),
        Some(""),
        "an empty one is recorded as sent"
    );
}

#[tokio::test]
async fn quick_replies_come_in_the_v2_form_when_the_version_says_so() {
    let scenario = json!({
        "clients": [{ "id": DEMO_CLIENT_ID, "secret": DEMO_CLIENT_SECRET }],
        "flows": [{ "id": "qr", "name": "QR", "type": "DIGITALBOT", "published_version": "1.0",
            "versions": [{ "id": "1.0", "bot": {
                "quick_reply_form": "v2",
                "greeting": { "text": "Pick one", "quick_replies": ["Pay now", "Agent"] } } }] }]
    });
    let sb = start(Scenario::from_json_str(&scenario.to_string()).unwrap()).await;
    let t = token(&sb).await;
    let id = session(&sb, &t, "qr").await;
    let (_, greeting) = turn(&sb, &t, &id, None, None).await;
    assert_eq!(
        greeting["prompts"]["textPrompts"]["segments"],
        json!([
            { "type": "Text", "text": "Pick one" },
            { "type": "RichMedia", "content": [{
                "contentType": "QuickReplyV2",
                "quickReplyV2": { "title": "Pick one", "actions": [
                    { "text": "Pay now", "payload": "Pay now", "action": "Message" },
                    { "text": "Agent", "payload": "Agent", "action": "Message" }
                ] }
            }] }
        ])
    );
}

#[test]
fn scenarios_with_reasons_the_platform_never_sends_do_not_load() {
    let script = |kind: &str, reason: &str| {
        json!({ "flows": [{ "id": "f", "name": "F", "type": "BOT", "versions": [{ "id": "1.0",
            "bot": { "fallback": { "text": "Bye", "ends": { "kind": kind, "reason": reason } } } }] }] })
        .to_string()
    };
    let err = Scenario::from_json_str(&script("exit", "UserEscalation")).expect_err("bad");
    assert_eq!(
        err.to_string(),
        "invalid scenario: flow f version 1.0: bot: exit reason \"UserEscalation\" is not one the \
         platform sends; allowed: TriggeredByUser, AgentRequestedByUser, TriggeredByFlow, Error, \
         RecognitionFailure"
    );
    let err =
        Scenario::from_json_str(&script("disconnect", "AgentRequestedByUser")).expect_err("bad");
    assert!(
        err.to_string().ends_with(
            "allowed: TriggeredByUser, TriggeredByFlow, SessionExpired, Error, RecognitionFailure"
        ),
        "{err}"
    );
    for (kind, reason) in [
        ("exit", "AgentRequestedByUser"),
        ("disconnect", "SessionExpired"),
    ] {
        Scenario::from_json_str(&script(kind, reason)).unwrap_or_else(|e| panic!("{e}"));
    }
}
