//! Versions given as Archy YAML play their bot in bot flow sessions (the subset of
//! `src/archy/play.rs`); an import changes what new sessions hear; scenarios check their YAML.

#![allow(clippy::unwrap_used)]

mod common;
mod jobs_common;

use common::*;
use genesys_sandbox::*;
use jobs_common::*;
use serde_json::{Value, json};

const SESSIONS: &str = "/api/v2/textbots/botflows/sessions";

async fn session(sb: &Sandbox, t: &str, flow: &str) -> String {
    let launch = json!({
        "flow": {"id": flow}, "externalSessionId": "ext-1",
        "channel": {"name": "Messaging", "inputModes": ["Text"], "outputModes": ["Text"],
                    "userAgent": {"name": "GenesysWebWidget"}},
    });
    let (status, body) = post_body(sb, t, SESSIONS, &launch).await;
    assert_eq!(status, 200, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn say(sb: &Sandbox, t: &str, session: &str, previous: &Value, text: Option<&str>) -> Value {
    let previous = previous
        .get("id")
        .map_or(Value::Null, |id| json!({"id": id}));
    let body = match text {
        None => json!({"inputEventType": "NoOp", "previousTurn": previous}),
        Some(text) => json!({"inputEventType": "UserInput", "previousTurn": previous,
            "inputEventUserInput": {"mode": "Text",
                "alternatives": [{"transcript": {"text": text}}]}}),
    };
    let (status, turn) = post_body(sb, t, &format!("{SESSIONS}/{session}/turns"), &body).await;
    assert_eq!(status, 200, "{turn}");
    turn
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
async fn a_yaml_version_greets_classifies_and_hands_over() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let id = session(&sb, &t, CLINIC).await;
    let greeting = say(&sb, &t, &id, &Value::Null, None).await;
    assert_eq!(
        texts(&greeting),
        ["Hi! Would you like to book an appointment or talk to the front desk?"]
    );
    assert_eq!(greeting["nextActionType"], "WaitForInput");
    let lost = say(&sb, &t, &id, &greeting, Some("What's the weather?")).await;
    assert_eq!(
        texts(&lost),
        ["Sorry, I can book appointments or put you through to the front desk."]
    );
    assert_eq!(lost["nextActionType"], "WaitForInput");
    let desk = say(&sb, &t, &id, &lost, Some("Can I talk to an agent?")).await;
    assert_eq!(texts(&desk), ["Putting you through to the front desk."]);
    assert_eq!(desk["nextActionType"], "Exit");
    assert_eq!(desk["nextActionExit"]["reason"], "AgentRequestedByUser");

    // Booking: the data action is skipped, the communicate says its text, then exitBotFlow.
    let id = session(&sb, &t, CLINIC).await;
    let greeting = say(&sb, &t, &id, &Value::Null, None).await;
    let booked = say(&sb, &t, &id, &greeting, Some("I'd like to BOOK a visit")).await;
    assert_eq!(texts(&booked), ["Our next free slot is tomorrow at 9."]);
    assert_eq!(booked["nextActionExit"]["reason"], "TriggeredByFlow");
    sb.shutdown().await;
}

#[tokio::test]
async fn an_import_changes_what_new_sessions_hear() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let before = session(&sb, &t, CLINIC).await;
    let text = CLINIC_YAML.replace("tomorrow at 9", "on Monday at 10");
    let job = import(&sb, &t, &text).await;
    let (done, _) = wait_job(&sb, &t, IMPORTS, &job).await;
    assert_eq!(done["status"], "Success");
    let after = session(&sb, &t, CLINIC).await;
    for (id, expected) in [
        (&before, "Our next free slot is tomorrow at 9."),
        (&after, "Our next free slot is on Monday at 10."),
    ] {
        let greeting = say(&sb, &t, id, &Value::Null, None).await;
        let booked = say(&sb, &t, id, &greeting, Some("book an appointment")).await;
        assert_eq!(texts(&booked), [expected]);
    }
    let versions: Vec<String> = sb.bot_sessions().into_iter().map(|s| s.version).collect();
    assert_eq!(versions, ["1.0", "2.0"]);
    sb.shutdown().await;
}

#[test]
fn scenarios_check_their_yaml() {
    let with = |yaml: &str, extra: &str| {
        let flow = json!({"id": "f", "name": "Clinic Bot", "type": "DIGITALBOT",
            "versions": [{"id": "1.0", "yaml": yaml}]});
        let mut text = json!({"flows": [flow]}).to_string();
        if !extra.is_empty() {
            text = text.replace("\"yaml\"", &format!("{extra}, \"yaml\""));
        }
        Scenario::from_json_str(&text)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    with(CLINIC_YAML, "").unwrap();
    let cases = [
        (
            CLINIC_YAML.replace("Front Desk", "{{queue}}"),
            "",
            "the placeholder {{queue}} is left in it",
        ),
        (
            CLINIC_YAML.replace("digitalBotFlow:", "botFlow:"),
            "",
            "a botFlow document cannot be a version of a DIGITALBOT flow",
        ),
        (
            CLINIC_YAML.replace("name: Clinic Bot", "name: Other"),
            "",
            "the document names \"Other\", the flow is \"Clinic Bot\"",
        ),
        (
            "botFlow: [".to_owned(),
            "",
            "the flow YAML could not be parsed",
        ),
        (
            CLINIC_YAML.to_owned(),
            "\"bot\": {}",
            "give either bot or yaml, not both",
        ),
    ];
    for (yaml, extra, says) in cases {
        let err = with(&yaml, extra).unwrap_err();
        assert!(err.contains(says), "{err}");
        assert!(
            err.starts_with("invalid scenario: flow f version 1.0: "),
            "{err}"
        );
    }
}
