//! The names flow YAML refers to: queues, data actions and knowledge bases by name, and the
//! import that fails on a name the org does not have. On the built-in demo, whose Appointment
//! Bot is deployed from YAML.

#![allow(clippy::unwrap_used)]

mod common;
mod jobs_common;

use common::*;
use genesys_sandbox::*;
use jobs_common::{
    EXPORTS, IMPORTS, export, import, post_body, register_export, wait_job, without_nlu_ids,
};
use serde_json::{Value, json};

fn names(listing: &Value) -> Vec<&str> {
    listing["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn queues_data_actions_and_knowledge_bases_by_name() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let (status, queue) = get_json(&sb, &t, "/api/v2/routing/queues?name=appointments").await;
    assert_eq!(status, 200);
    assert_eq!(names(&queue), ["Appointments"]);
    assert_eq!(queue["entities"][0]["id"], DEMO_QUEUE_ID);
    assert_eq!(
        queue["entities"][0]["selfUri"],
        format!("/api/v2/routing/queues/{DEMO_QUEUE_ID}")
    );
    let (_, wild) = get_json(&sb, &t, "/api/v2/routing/queues?name=Appoint*").await;
    assert_eq!(wild["total"], 1);
    let (_, partial) = get_json(&sb, &t, "/api/v2/routing/queues?name=Appoint").await;
    assert_eq!(partial["total"], 0, "the whole name, or asterisks");
    let (_, action) = get_json(
        &sb,
        &t,
        "/api/v2/integrations/actions?name=Get%20Booking%20Slots",
    )
    .await;
    assert_eq!(names(&action), ["Get Booking Slots"]);
    assert_eq!(
        (
            action["entities"][0]["id"].as_str(),
            action["entities"][0]["category"].as_str()
        ),
        (Some(DEMO_DATA_ACTION_ID), Some("Scheduling Lambda"))
    );
    let (_, kb) = get_json(
        &sb,
        &t,
        "/api/v2/knowledge/knowledgebases?name=Clinic%20FAQ",
    )
    .await;
    assert_eq!(kb["entities"][0]["id"], DEMO_KNOWLEDGE_BASE_ID);
    let (_, missing) = get_json(&sb, &t, "/api/v2/knowledge/knowledgebases?name=Nope").await;
    assert_eq!(
        (missing["total"].as_u64(), missing["pageCount"].as_u64()),
        (Some(0), Some(0))
    );
    let (_, every) = get_json(&sb, &t, "/api/v2/routing/queues").await;
    assert_eq!(every["total"], 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_import_naming_what_the_org_lacks_fails() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let lacking = DEMO_YAML_BOT_YAML
        .replace("name: Appointments", "name: Appointments EU")
        .replace("Scheduling Lambda:", "Scheduling Lambda EU:");
    let job = import(&sb, &t, &lacking).await;
    let (done, _) = wait_job(&sb, &t, IMPORTS, &job).await;
    assert_eq!(done["status"], "Failure");
    let texts: Vec<&str> = done["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts[1..],
        [
            "could not find a queue named 'Appointments EU'",
            "could not find a data action named 'Get Booking Slots' in the integration 'Scheduling Lambda EU'",
            "setting the Archy exit code to 100",
        ]
    );
    assert!(texts[0].ends_with("the flow refers to objects this organization does not have"));
    sb.shutdown().await;
}

#[tokio::test]
async fn the_demo_yaml_bot_plays_exports_and_reimports() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let exported = export(&sb, &t, DEMO_YAML_BOT_ID, "1.0").await;
    assert_eq!(
        without_nlu_ids(&exported),
        without_nlu_ids(DEMO_YAML_BOT_YAML)
    );
    let (_, v1) = get_json(
        &sb,
        &t,
        &format!("/api/v2/flows/{DEMO_YAML_BOT_ID}/versions/1.0"),
    )
    .await;
    assert_eq!(v1["createdByClient"]["id"], DEMO_CLIENT_ID);
    // Its export imports again as 2.0 and goes live; the bot answers from the YAML.
    let job = import(&sb, &t, &exported).await;
    let (done, _) = wait_job(&sb, &t, IMPORTS, &job).await;
    assert_eq!(done["status"], "Success", "{done}");
    let snap = sb.flow(DEMO_YAML_BOT_ID).unwrap();
    assert_eq!(snap.published_version.as_deref(), Some("2.0"));
    let launch = json!({"flow": {"id": DEMO_YAML_BOT_ID}, "externalSessionId": "x",
        "channel": {"name": "Messaging", "inputModes": ["Text"], "outputModes": ["Text"],
                    "userAgent": {"name": "Other"}}});
    let (_, session) = post_body(&sb, &t, "/api/v2/textbots/botflows/sessions", &launch).await;
    let turns = format!(
        "/api/v2/textbots/botflows/sessions/{}/turns",
        session["id"].as_str().unwrap()
    );
    let (_, hello) = post_body(&sb, &t, &turns, &json!({"inputEventType": "NoOp"})).await;
    assert_eq!(
        hello["prompts"]["textPrompts"]["segments"][0]["text"],
        "Hi! I can book an appointment or put you through to our team. What would you like to do?"
    );
    let said = json!({"inputEventType": "UserInput", "previousTurn": {"id": hello["id"]},
        "inputEventUserInput": {"mode": "Text", "alternatives": [{"transcript": {"text": "Can I talk to someone?"}}]}});
    let (_, handed) = post_body(&sb, &t, &turns, &said).await;
    assert_eq!(handed["nextActionExit"]["reason"], "AgentRequestedByUser");
    assert_eq!(
        handed["prompts"]["textPrompts"]["segments"][0]["text"],
        "One moment, I'm putting you through to our appointments team."
    );
    // An export job of a scripted demo bot works too.
    let id = register_export(&sb, &t, DEMO_BOT_ID, Some("2.0")).await;
    let (ok, _) = wait_job(&sb, &t, EXPORTS, &id).await;
    assert_eq!(ok["status"], "Success");
    sb.shutdown().await;
}
