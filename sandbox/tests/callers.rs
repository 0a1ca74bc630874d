//! The flows that call a bot (flow-artifacts.md §3): dependency tracking's consumingresources,
//! the callers' configurations (pinned or latest) and consumedresources, on the built-in
//! demo's Appointment Bot and its two inbound message flows.

#![allow(clippy::unwrap_used)]

mod common;
mod jobs_common;

use common::*;
use genesys_sandbox::*;
use jobs_common::{IMPORTS, import, wait_job};
use serde_json::{Value, json};

const CONSUMING: &str = "/api/v2/architect/dependencytracking/consumingresources";

fn ids(listing: &Value) -> Vec<(String, String)> {
    listing["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_owned(),
                e["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn both(version_pinned: &str, version_latest: &str) -> Vec<(String, String)> {
    vec![
        (DEMO_CALLER_PINNED_ID.to_owned(), version_pinned.to_owned()),
        (DEMO_CALLER_LATEST_ID.to_owned(), version_latest.to_owned()),
    ]
}

#[tokio::test]
async fn consuming_resources_list_the_callers_and_a_version_tells_pinned_from_latest() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let base = format!("{CONSUMING}?id={DEMO_YAML_BOT_ID}&objectType=DIGITALBOTFLOW");
    let (status, all) = get_json(&sb, &t, &format!("{base}&flowFilter=published")).await;
    assert_eq!(status, 200, "{all}");
    // Sorted by caller name: "SMS Appointments", then "Web Messaging Appointments".
    assert_eq!(ids(&all), both("1.0", "1.0"));
    let caller = &all["entities"][0];
    assert_eq!(
        (
            caller["name"].as_str(),
            caller["type"].as_str(),
            caller["deleted"].as_bool()
        ),
        (
            Some("SMS Appointments"),
            Some("INBOUNDSHORTMESSAGEFLOW"),
            Some(false)
        )
    );
    assert_eq!(
        caller["selfUri"],
        format!("/api/v2/flows/{DEMO_CALLER_PINNED_ID}")
    );
    // Both callers consume 1.0 today (the latest published is 1.0).
    let (_, v1) = get_json(&sb, &t, &format!("{base}&version=1.0")).await;
    assert_eq!(ids(&v1), both("1.0", "1.0"));
    let (_, typed) = get_json(&sb, &t, &format!("{base}&resourceType=INBOUNDCALLFLOW")).await;
    assert_eq!(typed["total"], 0);

    // Publish 2.0 of the bot (an import): the latest caller follows, the pinned one does not.
    let job = import(&sb, &t, DEMO_YAML_BOT_YAML).await;
    let (done, _) = wait_job(&sb, &t, IMPORTS, &job).await;
    assert_eq!(done["status"], "Success", "{done}");
    let (_, v2) = get_json(&sb, &t, &format!("{base}&version=2.0")).await;
    assert_eq!(
        ids(&v2),
        [(DEMO_CALLER_LATEST_ID.to_owned(), "1.0".to_owned())]
    );
    let (_, v1) = get_json(&sb, &t, &format!("{base}&version=1.0&flowFilter=checkedIn")).await;
    assert_eq!(
        ids(&v1),
        [(DEMO_CALLER_PINNED_ID.to_owned(), "1.0".to_owned())]
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_callers_configuration_shows_the_call_and_its_version() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    for (caller, version) in [
        (DEMO_CALLER_PINNED_ID, "1.0"),
        (DEMO_CALLER_LATEST_ID, "latest"),
    ] {
        let path = format!("/api/v2/flows/{caller}/versions/1.0/configuration");
        let (status, config) = get_json(&sb, &t, &path).await;
        assert_eq!(status, 200);
        assert_eq!(
            config["actions"],
            json!([{"callDigitalBotFlow": {"name": "Call Appointment Bot",
                "botFlow": {"id": DEMO_YAML_BOT_ID, "name": "Appointment Bot", "version": version}}}])
        );
        // consumedresources has the bot: the pinned version, or the bot's published one.
        let path = format!(
            "/api/v2/architect/dependencytracking/consumedresources?id={caller}&version=1.0&objectType=INBOUNDSHORTMESSAGEFLOW&resourceType=DIGITALBOTFLOW"
        );
        let (_, consumed) = get_json(&sb, &t, &path).await;
        assert_eq!(consumed["total"], 1);
        let bot = &consumed["entities"][0];
        assert_eq!(
            (
                bot["id"].as_str(),
                bot["version"].as_str(),
                bot["name"].as_str()
            ),
            (Some(DEMO_YAML_BOT_ID), Some("1.0"), Some("Appointment Bot"))
        );
    }
    // The bot itself calls nothing.
    let path = format!("/api/v2/flows/{DEMO_YAML_BOT_ID}/versions/1.0/configuration");
    let (_, bot) = get_json(&sb, &t, &path).await;
    assert!(bot.get("actions").is_none());
    assert_eq!(bot["digitalBotFlow"]["name"], "Appointment Bot");
    sb.shutdown().await;
}

#[tokio::test]
async fn consuming_resources_refuse_what_consumed_resources_refuse() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let cases = [
        (
            format!("{CONSUMING}?objectType=DIGITALBOTFLOW"),
            400,
            "architect.query.parameter.missing",
        ),
        (
            format!("{CONSUMING}?id={DEMO_YAML_BOT_ID}&objectType=QUEUE"),
            400,
            "architect.dependency.object.invalid.type",
        ),
        (
            format!("{CONSUMING}?id={DEMO_YAML_BOT_ID}&objectType=DIGITALBOTFLOW&flowFilter=draft"),
            400,
            "invalid.value",
        ),
        (
            format!("{CONSUMING}?id=nope&objectType=DIGITALBOTFLOW"),
            404,
            "architect.dependency.object.not.found",
        ),
        (
            format!("{CONSUMING}?id={DEMO_YAML_BOT_ID}&objectType=BOTFLOW"),
            404,
            "architect.dependency.object.not.found",
        ),
        (
            format!("{CONSUMING}?id={DEMO_DELETED_BOT_ID}&objectType=BOTFLOW"),
            410,
            "architect.flow.deleted",
        ),
    ];
    for (path, status, code) in cases {
        assert_envelope(get(&sb, &t, &path).await, status, code).await;
    }
    // A bot nobody calls has an empty listing.
    let (_, none) = get_json(
        &sb,
        &t,
        &format!("{CONSUMING}?id={DEMO_BOT_ID}&objectType=DIGITALBOTFLOW"),
    )
    .await;
    assert_eq!(none["total"], 0);
    sb.shutdown().await;
}

#[test]
fn scenarios_check_their_calls() {
    let check = |calls: Value, caller_type: &str| {
        let json = json!({"flows": [
            {"id": "bot", "name": "Bot", "type": "DIGITALBOT", "versions": [{"id": "1.0"}]},
            {"id": "caller", "name": "Caller", "type": caller_type, "calls": calls,
             "versions": [{"id": "1.0"}]}
        ]});
        Scenario::from_json_str(&json.to_string())
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    check(
        json!([{"bot": "bot"}, {"bot": "bot", "version": "1.0"}]),
        "INBOUNDSHORTMESSAGE",
    )
    .unwrap();
    let cases = [
        (
            json!([{"bot": "nope"}]),
            "INBOUNDCALL",
            "calls bot \"nope\", which is no bot flow here",
        ),
        (
            json!([{"bot": "bot", "version": "9.0"}]),
            "INBOUNDCALL",
            "which has no such version",
        ),
        (
            json!([{"bot": "bot"}]),
            "BOT",
            "a bot flow calls no bot flows here",
        ),
    ];
    for (calls, caller_type, says) in cases {
        let err = check(calls, caller_type).unwrap_err();
        assert!(err.contains(says), "{err}");
    }
}
