//! The scenario knobs that make a publish answer as the evidence allows: synchronous
//! refusals, the empty 202, someone else's operation after the publish, republishing as a new
//! version, and the version configuration that tells equal content apart from volatile fields.

#![allow(clippy::unwrap_used)]

mod common;
mod push_common;

use common::*;
use genesys_sandbox::*;
use push_common::{Ws, connect, create_channel, next_event, status, subscribe};
use serde_json::{Map, Value, json};

const BOT: &str = "knob-bot";

/// `1.0` live, `2.0` checked in, `3.0` spare; 100 ms publishes; `extra` merged into the flow.
fn scenario(top: Value, flow_extra: Value) -> Scenario {
    let mut flow = json!({
        "id": BOT, "name": "Knob Bot", "type": "DIGITALBOT", "description": "knobs",
        "published_version": "1.0", "checked_in_version": "2.0",
        "versions": [
            { "id": "1.0", "consumes": [{ "id": "skill-1", "type": "ACDSKILL" }] },
            { "id": "2.0", "bot": { "greeting": { "text": "Hello from two" } } },
            { "id": "3.0" }
        ]
    });
    for (k, v) in flow_extra.as_object().unwrap() {
        flow[k] = v.clone();
    }
    let mut json = json!({
        "publish_duration_ms": 100,
        "clients": [{ "id": DEMO_CLIENT_ID, "secret": DEMO_CLIENT_SECRET, "name": "CI" }],
        "flows": [flow],
        "skills": [{ "id": "skill-1", "name": "Billing" }],
    });
    for (k, v) in top.as_object().unwrap() {
        json[k] = v.clone();
    }
    Scenario::from_json_str(&json.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn publish_path(version: &str) -> String {
    format!("/api/v2/flows/actions/publish?flow={BOT}&version={version}")
}

async fn publish_ok(sb: &Sandbox, t: &str, version: &str) -> Value {
    let resp = post(sb, t, &publish_path(version)).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn a_refused_version_answers_its_error_and_starts_nothing() {
    let sb = start(scenario(
        json!({}),
        json!({ "versions": [
            { "id": "1.0" },
            { "id": "2.0", "refuse": { "code": "architect.flow.cannot.publish.missing.dependencies" } },
            { "id": "3.0", "refuse": { "status": 409, "code": "architect.flow.variable.missing",
                                       "message": "Flow cannot be published because variable Flow.x is missing." } }
        ] }),
    ))
    .await;
    let t = token(&sb).await;
    assert_error(
        post(&sb, &t, &publish_path("2.0")).await,
        409,
        "architect.flow.cannot.publish.missing.dependencies",
        "Flow version cannot be published due to having one or more missing dependencies.",
    )
    .await;
    assert_error(
        post(&sb, &t, &publish_path("3.0")).await,
        409,
        "architect.flow.variable.missing",
        "Flow cannot be published because variable Flow.x is missing.",
    )
    .await;
    assert!(sb.operations().is_empty());
    let flow = sb.flow(BOT).unwrap();
    assert_eq!(
        (flow.published_version.as_deref(), flow.current_operation),
        (Some("1.0"), None)
    );
    // The live version is not refused: a rollback to it works.
    publish_ok(&sb, &t, "1.0").await;
    sb.shutdown().await;
}

#[test]
fn a_refusal_with_an_unknown_code_needs_a_message() {
    let json = json!({ "flows": [{ "id": "f", "name": "F", "type": "BOT", "versions": [
        { "id": "1.0", "refuse": { "code": "made.up" } }] }] });
    let err = Scenario::from_json_str(&json.to_string()).expect_err("no message");
    assert!(
        err.to_string().starts_with(
            "invalid scenario: flow f version 1.0: refuse.message is required for code \"made.up\""
        ),
        "{err}"
    );
}

#[tokio::test]
async fn an_unknown_or_absent_version_is_404_by_default() {
    let sb = start(scenario(json!({}), json!({ "checked_in_version": null }))).await;
    let t = token(&sb).await;
    assert_answer(post(&sb, &t, &publish_path("9.9")).await, VERSION_MISSING).await;
    let no_version = format!("/api/v2/flows/actions/publish?flow={BOT}");
    assert_answer(post(&sb, &t, &no_version).await, VERSION_MISSING).await;
    assert!(sb.operations().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn accepted_empty_answers_202_without_a_body_and_still_publishes() {
    let sb = start(scenario(
        json!({ "publish_answer": "accepted_empty" }),
        json!({}),
    ))
    .await;
    let t = token(&sb).await;
    let resp = post(&sb, &t, &publish_path("2.0")).await;
    assert_eq!(resp.status(), 202);
    assert!(resp.headers().contains_key("inin-correlation-id"));
    assert_eq!(resp.bytes().await.unwrap().len(), 0, "an empty body");
    let (flow, _) = wait_complete(&sb, &t, BOT).await;
    assert_eq!(flow["publishedVersion"]["id"], "2.0");
    assert_eq!(flow["currentOperation"]["actionName"], "PUBLISH");
    assert_eq!(sb.operations().len(), 1);
    // Refusals are still envelopes.
    assert_answer(post(&sb, &t, &publish_path("9.9")).await, VERSION_MISSING).await;
    sb.shutdown().await;
}

/// Reads the flow until its current operation is `action`.
async fn wait_for_action(sb: &Sandbox, t: &str, action: &str) -> Value {
    let start = std::time::Instant::now();
    loop {
        let (_, flow) = get_json(sb, t, &format!("/api/v2/flows/{BOT}")).await;
        if flow["currentOperation"]["actionName"] == action {
            return flow;
        }
        assert!(start.elapsed() < DEADLINE, "{flow}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

async fn open_socket(sb: &Sandbox, t: &str) -> Ws {
    let channel = create_channel(sb, t).await;
    let id = channel["id"].as_str().unwrap();
    assert_eq!(subscribe(sb, t, id, &[BOT], true).await.status(), 200);
    connect(channel["connectUri"].as_str().unwrap()).await
}

#[tokio::test]
async fn someone_elses_operation_replaces_the_finished_publish() {
    let touch = json!({ "touch_after_publish": {
        "action": "VALIDATE", "after_ms": 0, "user": { "id": "u-7", "name": "Jane Doe" } } });
    let sb = start(scenario(json!({}), touch)).await;
    let t = token(&sb).await;
    let mut ws = open_socket(&sb, &t).await;
    let op = publish_ok(&sb, &t, "2.0").await;
    let flow = wait_for_action(&sb, &t, "VALIDATE").await;
    let current = &flow["currentOperation"];
    assert_ne!(current["id"], op["id"], "a new operation");
    assert_eq!(
        current,
        &json!({
            "id": current["id"], "complete": true, "actionName": "VALIDATE",
            "actionStatus": "SUCCESS", "errorDetails": [],
            "user": { "id": "u-7", "name": "Jane Doe", "selfUri": "/api/v2/users/u-7" },
        })
    );
    assert_eq!(
        flow["publishedVersion"]["id"], "2.0",
        "the publish still happened"
    );
    // The publish is a publish record; the user's operation is not.
    let ops = sb.operations();
    assert_eq!(ops.len(), 1);
    assert_eq!(
        ops[0].outcome,
        OperationOutcome::Succeeded {
            live_version: "2.0".into()
        }
    );
    let snapshot = sb.flow(BOT).unwrap().current_operation.unwrap();
    assert_eq!(
        (snapshot.action_name.as_str(), snapshot.complete),
        ("VALIDATE", true)
    );
    // Push: the publish's four events, then the flow's change to the user's operation.
    let mut seen = Vec::new();
    for _ in 0..5 {
        let event = next_event(&mut ws).await;
        let body = &event["eventBody"]["currentOperation"];
        seen.push((body["actionName"].clone(), status(&event).to_owned()));
        if body["actionName"] == "VALIDATE" {
            assert_eq!(body["id"], current["id"]);
            assert_eq!(
                body["user"],
                json!({ "id": "u-7", "name": "Jane Doe", "homeOrg": {
                    "id": DEMO_ORG_ID, "name": DEMO_ORG_NAME, "thirdPartyOrgName": DEMO_ORG_SHORT_NAME } })
            );
            assert!(body.get("client").is_none());
            assert_eq!(
                event["eventBody"]["publishedVersion"],
                json!({ "id": "2.0" })
            );
        } else {
            assert_eq!(
                body["client"],
                json!({ "id": DEMO_CLIENT_ID, "name": "CI" })
            );
        }
    }
    let publish = json!("PUBLISH");
    assert_eq!(
        seen,
        [
            (publish.clone(), "STARTED".to_owned()),
            (publish.clone(), "PENDING_GENERATION".to_owned()),
            (publish.clone(), "PENDING_BACKEND_NOTIFICATION".to_owned()),
            (publish, "SUCCESS".to_owned()),
            (json!("VALIDATE"), "SUCCESS".to_owned()),
        ]
    );
    // The user's completed operation does not block the next publish, which is followed too.
    let next = publish_ok(&sb, &t, "1.0").await;
    assert_eq!(next["actionName"], "PUBLISH");
    let start = std::time::Instant::now();
    loop {
        let flow = wait_for_action(&sb, &t, "VALIDATE").await;
        if flow["currentOperation"]["id"] != current["id"] {
            assert_eq!(flow["publishedVersion"]["id"], "1.0");
            break;
        }
        assert!(start.elapsed() < DEADLINE, "{flow}");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    sb.shutdown().await;
}

#[test]
fn a_touch_must_not_be_a_publish() {
    let json = json!({ "flows": [{ "id": "f", "name": "F", "type": "BOT", "versions": [],
        "touch_after_publish": { "action": "PUBLISH", "user": { "id": "u", "name": "U" } } }] });
    let err = Scenario::from_json_str(&json.to_string()).expect_err("PUBLISH");
    assert_eq!(
        err.to_string(),
        "invalid scenario: flow f: touch_after_publish.action \"PUBLISH\" is not one of CREATE, \
         CHECKIN, CHECKOUT, DEBUG, DELETE, HISTORY, REVERT, SAVE, STATE_CHANGE, UPDATE, VALIDATE"
    );
}

/// A configuration without its volatile keys.
fn content(configuration: &Value) -> Map<String, Value> {
    let mut obj = configuration.as_object().unwrap().clone();
    for key in VOLATILE_CONFIGURATION_KEYS {
        assert!(
            obj.remove(key).is_some(),
            "{key} is stamped: {configuration}"
        );
    }
    obj
}

async fn configuration(sb: &Sandbox, t: &str, version: &str) -> Value {
    let path = format!("/api/v2/flows/{BOT}/versions/{version}/configuration");
    let (status, body) = get_json(sb, t, &path).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn the_configuration_is_content_plus_volatile_fields() {
    let sb = start(scenario(
        json!({}),
        json!({ "versions": [
            { "id": "1.0", "consumes": [{ "id": "skill-1", "type": "ACDSKILL" }] },
            { "id": "2.0", "configuration": { "flow": { "name": "Knob Bot", "states": [1, 2] } } },
            { "id": "3.0" }
        ] }),
    ))
    .await;
    let t = token(&sb).await;
    let given = configuration(&sb, &t, "2.0").await;
    assert_eq!(
        content(&given),
        json!({ "flow": { "name": "Knob Bot", "states": [1, 2] } })
            .as_object()
            .unwrap()
            .clone()
    );
    assert_eq!(given["version"], "2.0");
    assert_eq!(
        given["selfUri"],
        format!("/api/v2/flows/{BOT}/versions/2.0/configuration")
    );
    assert!(given["dateSaved"].as_str().unwrap().ends_with('Z'));
    assert!(given["dateCreated"].is_string() && given["createdBy"]["id"].is_string());
    // Generated: what the version is.
    let generated = content(&configuration(&sb, &t, "1.0").await);
    assert_eq!(generated["name"], "Knob Bot");
    assert_eq!(generated["type"], "DIGITALBOT");
    assert_eq!(
        generated["consumes"],
        json!([{ "id": "skill-1", "type": "ACDSKILL" }])
    );
    assert_eq!(
        generated["bot"]["greeting"]["text"],
        "Hello, this is Knob Bot (version 1.0)."
    );
    assert_ne!(generated, content(&configuration(&sb, &t, "3.0").await));
    let unknown = format!("/api/v2/flows/{BOT}/versions/9.9/configuration");
    assert_answer(get(&sb, &t, &unknown).await, VERSION_MISSING).await;
    let missing = "/api/v2/flows/nope/versions/1.0/configuration";
    assert_envelope(get(&sb, &t, missing).await, 404, "not.found").await;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_deleted_flows_configuration_is_gone_unless_asked_for() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let path = format!("/api/v2/flows/{DEMO_DELETED_BOT_ID}/versions/1.0/configuration");
    assert_answer(get(&sb, &t, &path).await, FLOW_DELETED).await;
    let (status, body) = get_json(&sb, &t, &format!("{path}?deleted=true")).await;
    assert_eq!((status, &body["version"]), (200, &json!("1.0")));
    sb.shutdown().await;
}

#[test]
fn a_scenario_configuration_must_leave_the_volatile_keys_to_the_sandbox() {
    let json = json!({ "flows": [{ "id": "f", "name": "F", "type": "BOT", "versions": [
        { "id": "1.0", "configuration": { "version": "1.0" } }] }] });
    let err = Scenario::from_json_str(&json.to_string()).expect_err("volatile");
    assert_eq!(
        err.to_string(),
        "invalid scenario: flow f version 1.0: configuration must not hold \"version\": the \
         sandbox sets version, dateSaved, dateCreated, createdBy, selfUri itself"
    );
}

#[tokio::test]
async fn republishing_in_new_version_mode_publishes_a_content_equal_copy() {
    let sb = start(scenario(
        json!({ "republish_mode": "new_version" }),
        json!({}),
    ))
    .await;
    let t = token(&sb).await;
    publish_ok(&sb, &t, "2.0").await;
    let (flow, _) = wait_complete(&sb, &t, BOT).await;
    assert_eq!(
        flow["publishedVersion"]["id"], "2.0",
        "never live before: itself"
    );
    // The rollback: 1.0 was live before, so a copy, 4.0, goes live.
    publish_ok(&sb, &t, "1.0").await;
    let (flow, _) = wait_complete(&sb, &t, BOT).await;
    assert_eq!(flow["publishedVersion"]["id"], "4.0");
    assert_eq!(flow["publishedVersion"]["name"], "4.0");
    assert_eq!(flow["checkedInVersion"]["id"], "2.0");
    let ops = sb.operations();
    assert_eq!(
        (ops[1].version.as_str(), &ops[1].outcome),
        (
            "1.0",
            &OperationOutcome::Succeeded {
                live_version: "4.0".into()
            }
        )
    );
    // Equal content, different volatile fields.
    let (old, copy) = (
        configuration(&sb, &t, "1.0").await,
        configuration(&sb, &t, "4.0").await,
    );
    assert_eq!(content(&old), content(&copy));
    for key in ["version", "selfUri", "createdBy"] {
        assert_ne!(old[key], copy[key], "{key}");
    }
    assert_eq!(
        copy["createdBy"],
        json!({ "id": DEMO_CLIENT_ID, "name": "CI" })
    );
    // The same dependencies.
    let deps = |v: &str| {
        format!(
            "/api/v2/architect/dependencytracking/consumedresources?id={BOT}&version={v}&objectType=DIGITALBOTFLOW"
        )
    };
    let (_, old_deps) = get_json(&sb, &t, &deps("1.0")).await;
    let (_, copy_deps) = get_json(&sb, &t, &deps("4.0")).await;
    assert_eq!(old_deps["entities"], copy_deps["entities"]);
    assert_eq!(copy_deps["total"], 1);
    // The same words in a bot session: the generic greeting still names 1.0.
    let launch = json!({ "flow": { "id": BOT }, "externalSessionId": "x",
        "channel": { "name": "Messaging", "userAgent": { "name": "Other" } } });
    let resp = http()
        .post(format!(
            "{}/api/v2/textbots/botflows/sessions",
            sb.api_url()
        ))
        .bearer_auth(&t)
        .json(&launch)
        .send()
        .await
        .unwrap();
    let session: Value = resp.json().await.unwrap();
    let turn = http()
        .post(format!(
            "{}/api/v2/textbots/botflows/sessions/{}/turns",
            sb.api_url(),
            session["id"].as_str().unwrap()
        ))
        .bearer_auth(&t)
        .json(&json!({ "inputEventType": "NoOp", "previousTurn": null }))
        .send()
        .await
        .unwrap();
    let turn: Value = turn.json().await.unwrap();
    assert_eq!(
        turn["prompts"]["textPrompts"]["segments"][0]["text"],
        "Hello, this is Knob Bot (version 1.0)."
    );
    assert_eq!(sb.bot_sessions()[0].version, "4.0");
    // Another rollback to 2.0 (live before) makes 5.0.
    publish_ok(&sb, &t, "2.0").await;
    let (flow, _) = wait_complete(&sb, &t, BOT).await;
    assert_eq!(flow["publishedVersion"]["id"], "5.0");
    let (_, v4) = get_json(&sb, &t, &format!("/api/v2/flows/{BOT}/versions/4.0")).await;
    assert!(v4["datePublishedEnd"].is_string(), "{v4}");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_flow_may_override_the_republish_mode() {
    let sb = start(scenario(
        json!({ "republish_mode": "new_version" }),
        json!({ "republish_mode": "same_version" }),
    ))
    .await;
    let t = token(&sb).await;
    publish_ok(&sb, &t, "2.0").await;
    wait_complete(&sb, &t, BOT).await;
    publish_ok(&sb, &t, "1.0").await;
    let (flow, _) = wait_complete(&sb, &t, BOT).await;
    assert_eq!(flow["publishedVersion"]["id"], "1.0");
    sb.shutdown().await;
}
