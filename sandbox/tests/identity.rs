//! Who made and who published a version (flow-artifacts.md §4, drift): `publishedBy`,
//! `createdBy` / `createdByClient`, `datePublished`, and a change made "in the UI" between two
//! pipeline runs (`Sandbox::publish_as_user`), seen over REST, push and history.

#![allow(clippy::unwrap_used)]

mod common;
mod jobs_common;
mod push_common;

use common::*;
use genesys_sandbox::*;
use jobs_common::*;
use push_common::{SUCCESS_ORDER, listen, next_event, status as event_status};
use serde_json::{Value, json};

fn jane() -> EntityRef {
    EntityRef {
        id: "u-jane".into(),
        name: "Jane Hotfix".into(),
    }
}

async fn version(sb: &Sandbox, t: &str, flow: &str, v: &str) -> Value {
    let (status, body) = get_json(sb, t, &format!("/api/v2/flows/{flow}/versions/{v}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn versions_name_their_creator_and_flows_their_user_publisher() {
    let flow = json!({"id": "f", "name": "F", "type": "BOT", "published_version": "1.0",
        "checked_in_version": "2.0", "versions": [
            {"id": "1.0", "created_by": {"id": "u-1", "name": "Ann Author"}},
            {"id": "2.0", "created_by_client": {"id": "other-ci", "name": "Other pipeline"}}]});
    let mut s = scenario(json!({}));
    s.flows.push(serde_json::from_value(flow).unwrap());
    let sb = start(s).await;
    let t = token(&sb).await;
    let v1 = version(&sb, &t, "f", "1.0").await;
    assert_eq!(
        v1["createdBy"],
        json!({"id": "u-1", "name": "Ann Author", "selfUri": "/api/v2/users/u-1"})
    );
    assert!(v1.get("createdByClient").is_none());
    assert!(v1["datePublished"].is_string());
    let v2 = version(&sb, &t, "f", "2.0").await;
    assert_eq!(
        v2["createdByClient"],
        json!({"id": "other-ci", "name": "Other pipeline", "selfUri": "/api/v2/oauth/clients/other-ci"})
    );
    assert!(v2.get("createdBy").is_none() && v2.get("datePublished").is_none());
    // The scenario's live version was published by its author, a user.
    let (_, flow) = get_json(&sb, &t, "/api/v2/flows/f").await;
    assert_eq!(flow["publishedBy"]["name"], "Ann Author");
    // A client's publish: publishedBy goes (it is a User), the snapshot keeps the client.
    post(&sb, &t, "/api/v2/flows/actions/publish?flow=f&version=2.0").await;
    let (flow, _) = wait_complete(&sb, &t, "f").await;
    assert!(flow.get("publishedBy").is_none(), "{flow}");
    assert!(version(&sb, &t, "f", "2.0").await["datePublished"].is_string());
    assert_eq!(
        sb.flow("f").unwrap().published_by,
        Some(Actor::Client(EntityRef {
            id: DEMO_CLIENT_ID.into(),
            name: "CI".into()
        }))
    );
    // An imported version names the importing client.
    let job = import(&sb, &t, CLINIC_YAML).await;
    wait_job(&sb, &t, IMPORTS, &job).await;
    let imported = version(&sb, &t, CLINIC, "2.0").await;
    assert_eq!(imported["createdByClient"]["id"], DEMO_CLIENT_ID);
    // Scenario versions with no creator: the scenario's author.
    let scripted = version(&sb, &t, SCRIPTED, "1.0").await;
    assert_eq!(scripted["createdBy"]["name"], "Scenario author");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_change_in_the_ui_checks_in_and_publishes_as_a_user() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let (_, mut ws) = listen(&sb, &t, &[CLINIC]).await;
    let hotfix = CLINIC_YAML.replace("tomorrow at 9", "today at 5");
    let done = sb
        .publish_as_user(CLINIC, jane(), VersionContent::Yaml(hotfix))
        .await
        .unwrap();
    assert_eq!(done.version, "2.0");
    assert!(
        sb.now() >= done.completed_at,
        "it returns once the publish succeeded"
    );
    assert_eq!(
        done.completed_at - done.started_at,
        std::time::Duration::from_millis(300)
    );
    // Pushed like any publish, with the user and no client.
    for expected in SUCCESS_ORDER {
        let event = next_event(&mut ws).await;
        assert_eq!(event_status(&event), expected);
        let op = &event["eventBody"]["currentOperation"];
        assert_eq!(
            (op["id"].as_str(), op["user"]["name"].as_str()),
            (Some(done.operation_id.as_str()), Some("Jane Hotfix"))
        );
        assert!(op.get("client").is_none());
    }
    let (_, flow) = get_json(&sb, &t, &format!("/api/v2/flows/{CLINIC}")).await;
    assert_eq!(flow["publishedVersion"]["id"], "2.0");
    assert_eq!(flow["publishedBy"]["id"], "u-jane");
    assert_eq!(flow["currentOperation"]["user"]["id"], "u-jane");
    let v2 = version(&sb, &t, CLINIC, "2.0").await;
    assert_eq!(v2["createdBy"]["id"], "u-jane");
    assert!(v2.get("createdByClient").is_none());
    let op = sb
        .operations()
        .into_iter()
        .find(|o| o.operation_id == done.operation_id)
        .unwrap();
    assert_eq!(
        (op.version.as_str(), op.completed_at),
        ("2.0", Some(done.completed_at))
    );
    let by_jane: Vec<(String, Option<String>)> = sb
        .history(CLINIC)
        .into_iter()
        .filter(|h| h.actor == Actor::User(jane()))
        .map(|h| (h.action, h.version))
        .collect();
    assert_eq!(
        by_jane,
        [
            ("CHECKOUT".to_owned(), None),
            ("SAVE".to_owned(), Some("2.0".to_owned())),
            ("CHECKIN".to_owned(), Some("2.0".to_owned())),
            ("PUBLISH".to_owned(), Some("2.0".to_owned())),
        ]
    );
    // Its content is what the UI saved: an export gives it back, with new NLU ids.
    let exported = export(&sb, &t, CLINIC, "2.0").await;
    assert!(exported.contains("today at 5"));
    assert!(!exported.contains("093519be-4533-4ff3-a488-1397b3f3bf45"));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_ui_change_may_be_a_script_and_is_refused_where_a_person_could_not() {
    let mut s = scenario(json!({}));
    s.flows[2].locked_client = Some(EntityRef {
        id: "other".into(),
        name: "Other".into(),
    });
    let sb = start(s).await;
    let script: BotScript =
        serde_json::from_value(json!({"greeting": {"text": "Patched greeting"}})).unwrap();
    let done = sb
        .publish_as_user(SCRIPTED, jane(), VersionContent::Bot(script.clone()))
        .await
        .unwrap();
    assert_eq!(done.version, "3.0");
    let snap = sb.flow(SCRIPTED).unwrap();
    assert_eq!(snap.published_version.as_deref(), Some("3.0"));
    assert_eq!(snap.published_by, Some(Actor::User(jane())));
    let refusals = [
        (
            INBOUND,
            VersionContent::Bot(script.clone()),
            "locked by someone else",
        ),
        ("nope", VersionContent::Bot(script.clone()), "no flow nope"),
        (
            CLINIC,
            VersionContent::Yaml(CLINIC_YAML.replace("name: Clinic Bot", "name: X")),
            "not this DIGITALBOT \"Clinic Bot\"",
        ),
        (
            CLINIC,
            VersionContent::Yaml(CLINIC_YAML.replace("Front Desk", "{{q}}")),
            "placeholder {{q}}",
        ),
    ];
    for (flow, content, says) in refusals {
        let err = sb.publish_as_user(flow, jane(), content).await.unwrap_err();
        assert!(err.contains(says), "{err}");
    }
    sb.shutdown().await;
}
