//! Flow history: the asynchronous HISTORY operation, the listing it generates, and the entries
//! the sandbox's own actions record (scenario, publish, unlock, import, touch).

#![allow(clippy::unwrap_used)]

mod common;
mod jobs_common;

use std::time::Instant;

use common::*;
use genesys_sandbox::*;
use jobs_common::*;
use serde_json::{Value, json};

/// Requests the flow's history and reads it until it is complete.
async fn history(sb: &Sandbox, t: &str, flow: &str, query: &str) -> Value {
    let resp = post(sb, t, &format!("/api/v2/flows/{flow}/history")).await;
    assert_eq!(resp.status(), 200);
    let op: Value = resp.json().await.unwrap();
    let id = op["id"].as_str().unwrap();
    let start = Instant::now();
    loop {
        let path = format!("/api/v2/flows/{flow}/history/{id}{query}");
        let (status, listing) = get_json(sb, t, &path).await;
        assert_eq!(status, 200, "{listing}");
        if listing["complete"] == true {
            return listing;
        }
        assert!(start.elapsed() < DEADLINE, "history never completed");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

fn actions(listing: &Value) -> Vec<(String, Option<String>, String)> {
    listing["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let who = e["user"]["name"].as_str().or(e["client"]["name"].as_str());
            (
                e["action"].as_str().unwrap().to_owned(),
                e["version"].as_str().map(str::to_owned),
                who.unwrap().to_owned(),
            )
        })
        .collect()
}

fn entry(action: &str, version: Option<&str>, who: &str) -> (String, Option<String>, String) {
    (
        action.to_owned(),
        version.map(str::to_owned),
        who.to_owned(),
    )
}

#[tokio::test]
async fn a_history_request_is_an_operation_that_completes_later() {
    let sb = start(scenario(json!({"history_duration_ms": 60000}))).await;
    let t = token(&sb).await;
    let resp = post(&sb, &t, &format!("/api/v2/flows/{SCRIPTED}/history")).await;
    assert_eq!(resp.status(), 200);
    let op: Value = resp.json().await.unwrap();
    assert_eq!(
        (
            op["actionName"].as_str(),
            op["actionStatus"].as_str(),
            op["complete"].as_bool()
        ),
        (Some("HISTORY"), Some("STARTED"), Some(false))
    );
    assert_eq!(op["client"]["id"], DEMO_CLIENT_ID);
    let id = op["id"].as_str().unwrap();
    let (status, pending) =
        get_json(&sb, &t, &format!("/api/v2/flows/{SCRIPTED}/history/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            pending["id"].as_str(),
            pending["complete"].as_bool(),
            pending["actionStatus"].as_str()
        ),
        (Some(id), Some(false), Some("STARTED"))
    );
    assert_eq!(
        (pending["entities"].clone(), pending["total"].as_u64()),
        (json!([]), Some(0))
    );
    assert!(pending["started"].is_string() && pending.get("completed").is_none());
    // The history operation is no currentOperation.
    let (_, flow) = get_json(&sb, &t, &format!("/api/v2/flows/{SCRIPTED}")).await;
    assert!(flow.get("currentOperation").is_none(), "{flow}");
    for (path, code) in [
        (format!("/api/v2/flows/{SCRIPTED}/history/nope"), 404),
        (format!("/api/v2/flows/{CLINIC}/history/{id}"), 404),
        ("/api/v2/flows/nope/history/x".to_owned(), 404),
    ] {
        assert_eq!(get(&sb, &t, &path).await.status(), code, "{path}");
    }
    assert_eq!(
        post(&sb, &t, "/api/v2/flows/nope/history").await.status(),
        404
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn publishes_imports_and_the_scenario_leave_entries() {
    let sb = start(scenario(json!({"history_duration_ms": 20}))).await;
    let t = token(&sb).await;
    // The scenario's own history, newest first by default.
    let start_listing = history(&sb, &t, SCRIPTED, "").await;
    assert_eq!(start_listing["actionStatus"], "SUCCESS");
    assert!(start_listing["completed"].is_string());
    let author = "Scenario author";
    assert_eq!(
        actions(&start_listing),
        [
            entry("PUBLISH", Some("1.0"), author),
            entry("CHECKIN", Some("2.0"), author),
            entry("CHECKIN", Some("1.0"), author),
            entry("CREATE", None, author),
        ]
    );
    let first = &start_listing["entities"][0];
    assert_eq!(
        first["user"]["selfUri"],
        "/api/v2/users/5ce0a210-0000-4000-8000-00000000a0e0"
    );
    assert!(first["timestamp"].as_str().unwrap().ends_with('Z'));

    // A publish by the client, then an import (check-in and publish) of the YAML bot.
    post(
        &sb,
        &t,
        &format!("/api/v2/flows/actions/publish?flow={SCRIPTED}&version=2.0"),
    )
    .await;
    wait_complete(&sb, &t, SCRIPTED).await;
    let job = import(&sb, &t, CLINIC_YAML).await;
    wait_job(&sb, &t, IMPORTS, &job).await;
    let published = history(&sb, &t, SCRIPTED, "?action=PUBLISH&sortOrder=asc").await;
    assert_eq!(
        actions(&published),
        [
            entry("PUBLISH", Some("1.0"), author),
            entry("PUBLISH", Some("2.0"), "CI")
        ]
    );
    assert_eq!(published["entities"][1]["client"]["id"], DEMO_CLIENT_ID);
    let clinic = history(&sb, &t, CLINIC, "?pageSize=2").await;
    assert_eq!(
        actions(&clinic),
        [
            entry("PUBLISH", Some("2.0"), "CI"),
            entry("CHECKIN", Some("2.0"), "CI")
        ]
    );
    assert_eq!(
        (clinic["total"].as_u64(), clinic["pageCount"].as_u64()),
        (Some(5), Some(3))
    );
    // The accessor has the same entries, oldest first.
    let recorded: Vec<String> = sb
        .history(CLINIC)
        .iter()
        .map(|h| h.action.clone())
        .collect();
    assert_eq!(
        recorded,
        ["CREATE", "CHECKIN", "PUBLISH", "CHECKIN", "PUBLISH"]
    );

    // A renamed file's new flow: CREATE and CHECKIN at the check-in, PUBLISH at the end.
    let renamed = CLINIC_YAML.replace("name: Clinic Bot", "name: Clinic Bot 2");
    let job = import(&sb, &t, &renamed).await;
    let (done, _) = wait_job(&sb, &t, IMPORTS, &job).await;
    let new_flow = done["flow"]["id"].as_str().unwrap();
    let created = history(&sb, &t, new_flow, "?sortOrder=asc").await;
    assert_eq!(
        actions(&created),
        [
            entry("CREATE", None, "CI"),
            entry("CHECKIN", Some("1.0"), "CI"),
            entry("PUBLISH", Some("1.0"), "CI")
        ]
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_history_lists_what_happened_before_it_was_requested() {
    let sb = start(scenario(json!({"history_duration_ms": 20}))).await;
    let t = token(&sb).await;
    let resp = post(&sb, &t, &format!("/api/v2/flows/{SCRIPTED}/history")).await;
    let early: Value = resp.json().await.unwrap();
    post(
        &sb,
        &t,
        &format!("/api/v2/flows/actions/publish?flow={SCRIPTED}&version=2.0"),
    )
    .await;
    wait_complete(&sb, &t, SCRIPTED).await;
    let path = format!(
        "/api/v2/flows/{SCRIPTED}/history/{}",
        early["id"].as_str().unwrap()
    );
    let (_, listing) = get_json(&sb, &t, &path).await;
    assert_eq!(listing["complete"], true);
    assert_eq!(listing["total"], 4, "the later publish is not in it");
    sb.shutdown().await;
}

#[tokio::test]
async fn unlocks_and_touches_leave_entries_by_who_did_them() {
    let flows = json!([{
        "id": "f", "name": "F", "type": "DIGITALBOT", "published_version": "1.0",
        "checked_in_version": "1.0", "saved_version": "draft",
        "locked_user": {"id": "u-1", "name": "Jane Doe"},
        "touch_after_publish": {"action": "CHECKOUT", "user": {"id": "u-2", "name": "Sam Editor"}},
        "versions": [{"id": "1.0"}, {"id": "draft"}]
    }]);
    let sb = start(scenario(json!({"history_duration_ms": 20, "flows": flows}))).await;
    let t = token(&sb).await;
    assert_eq!(
        post(&sb, &t, "/api/v2/flows/actions/unlock?flow=f")
            .await
            .status(),
        200
    );
    post(&sb, &t, "/api/v2/flows/actions/publish?flow=f&version=2.0").await;
    let start = Instant::now();
    while !sb.history("f").iter().any(|h| h.action == "CHECKOUT") {
        assert!(start.elapsed() < DEADLINE, "the touch never came");
        wait_complete(&sb, &t, "f").await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let listing = history(
        &sb,
        &t,
        "f",
        "?sortOrder=asc&action=CHECKIN,CHECKOUT,PUBLISH",
    )
    .await;
    assert_eq!(
        actions(&listing),
        [
            entry("CHECKIN", Some("1.0"), "Scenario author"),
            entry("CHECKIN", Some("draft"), "Scenario author"),
            entry("PUBLISH", Some("1.0"), "Scenario author"),
            entry("CHECKIN", Some("2.0"), "CI"),
            entry("PUBLISH", Some("2.0"), "CI"),
            entry("CHECKOUT", Some("1.0"), "Sam Editor"),
        ]
    );
    // The unlocked draft's version names its author, the lock holder.
    let (_, version) = get_json(&sb, &t, "/api/v2/flows/f/versions/2.0").await;
    assert_eq!(version["createdBy"]["name"], "Jane Doe");
    sb.shutdown().await;
}
