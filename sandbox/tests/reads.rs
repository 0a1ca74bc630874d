//! Reading flows, skills and dependency tracking: models, bulk lookups, paging, 404s.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use genesys_sandbox::*;
use serde_json::{Value, json};

fn ids(listing: &Value) -> Vec<String> {
    listing["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn flow_model() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let resp = get(&sb, &t, &format!("/api/v2/flows/{DEMO_BOT_ID}")).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("inin-correlation-id"));
    let flow: Value = resp.json().await.unwrap();
    assert_eq!(flow["id"], DEMO_BOT_ID);
    assert_eq!(flow["name"], "Billing Assistant");
    assert_eq!(flow["type"], "DIGITALBOT");
    assert_eq!(flow["deleted"], false);
    assert_eq!(flow["publishedVersion"]["id"], "1.0");
    assert_eq!(flow["publishedVersion"]["type"], "PUBLISH");
    assert!(
        flow["publishedVersion"]["datePublished"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(flow["checkedInVersion"]["id"], "2.0");
    assert_eq!(flow["checkedInVersion"]["type"], "CHECKIN");
    assert_eq!(flow["selfUri"], format!("/api/v2/flows/{DEMO_BOT_ID}"));
    for absent in [
        "lockedUser",
        "lockedClient",
        "currentOperation",
        "savedVersion",
    ] {
        assert!(
            flow.get(absent).is_none(),
            "{absent} should be absent: {flow}"
        );
    }
    let (_, locked) = get_json(&sb, &t, &format!("/api/v2/flows/{DEMO_LOCKED_BOT_ID}")).await;
    assert_eq!(locked["lockedUser"]["id"], DEMO_LOCK_USER_ID);
    assert_eq!(locked["lockedUser"]["name"], DEMO_LOCK_USER_NAME);
    let (status, version) = get_json(
        &sb,
        &t,
        &format!("/api/v2/flows/{DEMO_BOT_ID}/versions/2.0"),
    )
    .await;
    assert_eq!((status, version["id"].as_str()), (200, Some("2.0")));
    sb.shutdown().await;
}

#[tokio::test]
async fn unknown_and_deleted_flows() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    assert_envelope(get(&sb, &t, "/api/v2/flows/nope").await, 404, "not.found").await;
    let deleted = format!("/api/v2/flows/{DEMO_DELETED_BOT_ID}");
    assert_answer(get(&sb, &t, &deleted).await, FLOW_DELETED).await;
    let (status, flow) = get_json(&sb, &t, &format!("{deleted}?deleted=true")).await;
    assert_eq!((status, &flow["deleted"]), (200, &json!(true)));
    let deleted_version = format!("{deleted}/versions/1.0");
    assert_answer(get(&sb, &t, &deleted_version).await, FLOW_DELETED).await;
    let missing_version = format!("/api/v2/flows/{DEMO_BOT_ID}/versions/9.9");
    assert_answer(get(&sb, &t, &missing_version).await, VERSION_MISSING).await;
    assert_envelope(get(&sb, &t, "/api/v2/nothing/here").await, 404, "not.found").await;
    sb.shutdown().await;
}

#[tokio::test]
async fn bulk_flows_by_id_and_paging() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let path = format!(
        "/api/v2/flows?id={DEMO_BOT_ID}&id=missing&id={DEMO_COMMON_MODULE_ID},{DEMO_DELETED_BOT_ID}"
    );
    let (status, listing) = get_json(&sb, &t, &path).await;
    assert_eq!(status, 200);
    let mut want = vec![DEMO_BOT_ID, DEMO_COMMON_MODULE_ID, DEMO_DELETED_BOT_ID];
    want.sort();
    assert_eq!(ids(&listing), want);
    assert_eq!(listing["total"], 3);
    assert_eq!(
        (listing["pageSize"].as_u64(), listing["pageNumber"].as_u64()),
        (Some(25), Some(1))
    );
    assert_eq!(listing["pageCount"], 1);
    let deleted = listing["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == DEMO_DELETED_BOT_ID);
    assert_eq!(deleted.unwrap()["deleted"], true);

    // Unfiltered listing: deleted flows left out; five per page.
    let (_, page1) = get_json(&sb, &t, "/api/v2/flows?pageSize=5").await;
    assert_eq!(
        (page1["total"].as_u64(), page1["pageCount"].as_u64()),
        (Some(8), Some(2))
    );
    assert_eq!(page1["nextUri"], "/api/v2/flows?pageSize=5&pageNumber=2");
    let (_, page2) = get_json(&sb, &t, "/api/v2/flows?pageSize=5&pageNumber=2").await;
    assert!(page2.get("nextUri").is_none());
    let mut all = ids(&page1);
    all.extend(ids(&page2));
    assert_eq!(all.len(), 8);
    assert!(!all.contains(&DEMO_DELETED_BOT_ID.to_owned()));
    let (_, bots) = get_json(&sb, &t, "/api/v2/flows?type=digitalbot").await;
    assert_eq!(bots["total"], 4);
    assert_envelope(
        get(&sb, &t, "/api/v2/flows?pageSize=501").await,
        400,
        "bad.request",
    )
    .await;
    let (status, _) = get_json(&sb, &t, "/api/v2/flows?pageSize=500").await;
    assert_eq!(status, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn skills_single_and_bulk() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let (status, skill) = get_json(
        &sb,
        &t,
        &format!("/api/v2/routing/skills/{DEMO_SKILL_DELETED_ID}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(skill["state"], "deleted");
    assert_eq!(skill["name"], "Legacy Refunds");
    assert_eq!(
        skill["selfUri"],
        format!("/api/v2/routing/skills/{DEMO_SKILL_DELETED_ID}")
    );
    assert!(skill["dateModified"].is_string() && skill["version"].is_string());
    assert_envelope(
        get(&sb, &t, "/api/v2/routing/skills/nope").await,
        404,
        "not.found",
    )
    .await;

    let path = format!(
        "/api/v2/routing/skills?id={DEMO_SKILL_BILLING_ID}&id={DEMO_SKILL_INACTIVE_ID}&id={DEMO_SKILL_DELETED_ID}&id=missing&pageSize=2"
    );
    let (_, page1) = get_json(&sb, &t, &path).await;
    assert_eq!(
        (page1["total"].as_u64(), page1["pageCount"].as_u64()),
        (Some(3), Some(2))
    );
    let next = page1["nextUri"].as_str().unwrap().to_owned();
    let (_, page2) = get_json(&sb, &t, &next).await;
    let states: Vec<Value> = page1["entities"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page2["entities"].as_array().unwrap())
        .map(|s| s["state"].clone())
        .collect();
    assert_eq!(
        states,
        [json!("active"), json!("inactive"), json!("deleted")]
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn dependency_tracking_filters_by_resource_type() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let base = format!(
        "/api/v2/architect/dependencytracking/consumedresources?id={DEMO_BOT_ID}&version=2.0&objectType=DIGITALBOTFLOW"
    );
    let (status, all) = get_json(&sb, &t, &base).await;
    assert_eq!(status, 200);
    assert_eq!(all["total"], 3);
    let (_, skills) = get_json(&sb, &t, &format!("{base}&resourceType=ACDSKILL")).await;
    let mut want = vec![DEMO_SKILL_BILLING_ID, DEMO_SKILL_PAYMENTS_ID];
    want.sort();
    let mut got = ids(&skills);
    got.sort();
    assert_eq!(got, want);
    let filter = "&resourceType=BOTFLOW&resourceType=COMMONMODULEFLOW";
    let (_, flows) = get_json(&sb, &t, &format!("{base}{filter}")).await;
    let dep = &flows["entities"][0];
    assert_eq!(dep["id"], DEMO_COMMON_MODULE_ID);
    assert_eq!(dep["name"], "Shared Greeting");
    assert_eq!(dep["type"], "COMMONMODULEFLOW");
    assert_eq!(dep["version"], "4.0");
    assert_eq!(
        (&dep["deleted"], &dep["updated"], &dep["stateUnknown"]),
        (&json!(false), &json!(false), &json!(false))
    );
    // The old version of the failing bot still consumes the deleted skill.
    let old = format!(
        "/api/v2/architect/dependencytracking/consumedresources?id={DEMO_FAILING_BOT_ID}&version=1.0&objectType=BOTFLOW&resourceType=ACDSKILL"
    );
    let (_, old) = get_json(&sb, &t, &old).await;
    assert_eq!(old["entities"][0]["deleted"], true);
    // A checked-in version that was never live is tracked too.
    let (status, _) = get_json(&sb, &t, &base).await;
    assert_eq!(status, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn dependency_tracking_answers_the_swagger_codes() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let path = "/api/v2/architect/dependencytracking/consumedresources";
    let ask = |query: String| {
        let sb = &sb;
        let t = &t;
        async move { get(sb, t, &format!("{path}?{query}")).await }
    };
    let bot = DEMO_BOT_ID;
    assert_error(
        ask(format!("id={bot}&objectType=DIGITALBOTFLOW")).await,
        400,
        "architect.dependency.object.version.not.specified",
        "A version was not specified for the dependency object.",
    )
    .await;
    assert_error(
        ask(format!("id={bot}&version=&objectType=DIGITALBOTFLOW")).await,
        400,
        "architect.dependency.object.version.not.specified",
        "A version was not specified for the dependency object.",
    )
    .await;
    assert_error(
        ask("version=2.0".to_owned()).await,
        400,
        "architect.query.parameter.missing",
        "A required query parameter is missing or empty.",
    )
    .await;
    assert_error(
        ask(format!("id={bot}&version=2.0&objectType=ACDSKILL")).await,
        400,
        "architect.dependency.object.invalid.type",
        "An invalid dependency object type was specified.",
    )
    .await;
    assert_error(
        ask(format!("id={bot}&version=2.0&objectType=NOTATYPE")).await,
        400,
        "architect.dependency.object.invalid.type",
        "An invalid dependency object type was specified.",
    )
    .await;
    let not_found = (
        404,
        "architect.dependency.object.not.found",
        "Could not find the dependency object with specified ID and version.",
    );
    assert_answer(
        ask("id=nope&version=1.0&objectType=BOTFLOW".to_owned()).await,
        not_found,
    )
    .await;
    // Found by id and type: the bot is a DIGITALBOT, so as a BOTFLOW it is not found.
    assert_answer(
        ask(format!("id={bot}&version=2.0&objectType=BOTFLOW")).await,
        not_found,
    )
    .await;
    assert_answer(
        ask(format!("id={bot}&version=9.9&objectType=digitalbotflow")).await,
        VERSION_MISSING,
    )
    .await;
    assert_answer(
        ask(format!(
            "id={DEMO_DELETED_BOT_ID}&version=1.0&objectType=BOTFLOW"
        ))
        .await,
        FLOW_DELETED,
    )
    .await;
    sb.shutdown().await;
}

#[tokio::test]
async fn the_versions_listing_says_when_each_version_was_live() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let (status, listing) =
        get_json(&sb, &t, &format!("/api/v2/flows/{DEMO_BOT_ID}/versions")).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&listing), ["2.0", "1.0"], "newest first");
    let entities = listing["entities"].as_array().unwrap();
    assert!(
        entities[1]["datePublished"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert!(entities[1].get("datePublishedEnd").is_none());
    assert!(entities[0].get("datePublished").is_none());
    assert_eq!(listing["pageNumber"], 1);
    let (gone, _) = get_json(
        &sb,
        &t,
        &format!("/api/v2/flows/{DEMO_DELETED_BOT_ID}/versions"),
    )
    .await;
    assert_eq!(gone, 410);
    sb.shutdown().await;
}
