//! The dependency check: every unusable skill or flow is named, and nothing is published.

use crate::helpers::*;
use serde_json::json;

async fn api_with_bot() -> Api {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api
}

#[tokio::test]
async fn inactive_deleted_and_missing_skills_fail_the_check() {
    let mut api = api_with_bot().await;
    api.consumed(&[(SKILL_A, "ACDSKILL")]).await;
    api.skills(&[(SKILL_A, "inactive"), (SKILL_B, "deleted")])
        .await;
    let none = api.any_publish().await;
    let missing = "5a1e0a0a-0000-4000-8000-00000000000c";

    let ran = run(
        &api,
        &[("INPUT_SKILL-IDS", &format!("{SKILL_B}\n{missing}"))],
    )
    .await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "failed");
    let expected = [
        format!("skill \"skill {SKILL_B}\" ({SKILL_B}) is deleted, not active"),
        format!("skill {missing} not found"),
        format!("skill \"skill {SKILL_A}\" ({SKILL_A}) is inactive, not active"),
    ];
    let errors: Vec<String> =
        serde_json::from_str(ran.output("validation-errors")).expect("JSON array");
    assert_eq!(errors, expected);
    assert_eq!(
        ran.events(),
        [
            "deployment_started",
            "dependency_validation_failed",
            "metrics"
        ]
    );
    assert_eq!(
        ran.event("dependency_validation_failed")["details"]["problems"],
        json!(expected)
    );
    assert!(ran.summary.contains(&format!("| skill {SKILL_A} | skill (discovered) | inactive | ❌ is inactive, not active | `{SKILL_A}` |")));
    assert!(ran.summary.contains(&format!(
        "| (not found) | skill | missing | ❌ not found | `{missing}` |"
    )));
    assert!(ran.stdout.contains(
        "::error title=Dependency check failed::3 of the bot's dependencies cannot be used"
    ));
    none.assert_async().await;
}

#[tokio::test]
async fn deleted_and_unpublished_flows_fail_the_check() {
    let mut api = api_with_bot().await;
    api.consumed(&[]).await;
    let unpublished = "f10a0a0a-0000-4000-8000-00000000000b";
    api.flows(vec![
        json!({ "id": FLOW_A, "name": "Old module", "deleted": true, "publishedVersion": { "id": "1.0" } }),
        json!({ "id": unpublished, "name": "Draft module" }),
    ])
    .await;
    let none = api.any_publish().await;

    let ran = run(
        &api,
        &[("INPUT_FLOW-IDS", &format!("{FLOW_A},{unpublished}"))],
    )
    .await;

    assert_eq!(ran.report.exit_code(), 1);
    let errors: Vec<String> =
        serde_json::from_str(ran.output("validation-errors")).expect("JSON array");
    assert_eq!(
        errors,
        [
            format!("flow \"Old module\" ({FLOW_A}) deleted"),
            format!("flow \"Draft module\" ({unpublished}) has no published version"),
        ]
    );
    none.assert_async().await;
}

#[tokio::test]
async fn a_403_from_dependency_tracking_is_an_error_not_a_pass() {
    let mut api = api_with_bot().await;
    api.server
        .mock(
            "GET",
            "/api/v2/architect/dependencytracking/consumedresources",
        )
        .match_query(mockito::Matcher::Any)
        .with_status(403)
        .with_body(envelope(
            403,
            "missing.permissions",
            "You are missing the following permission(s): [architect:dependencyTracking:view]",
        ))
        .create_async()
        .await;
    let none = api.any_publish().await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(
        ran.events(),
        [
            "deployment_started",
            "dependency_validation_error",
            "metrics"
        ]
    );
    assert!(
        ran.summary
            .contains("the permission architect:dependencyTracking:view"),
        "{}",
        ran.summary
    );
    none.assert_async().await;
}

#[tokio::test]
async fn a_5xx_that_outlasts_the_retries_is_an_error_not_a_pass() {
    let mut api = api_with_bot().await;
    api.consumed(&[]).await;
    let skills = api
        .server
        .mock("GET", "/api/v2/routing/skills")
        .match_query(mockito::Matcher::Any)
        .with_status(503)
        .with_body(envelope(503, "service.unavailable", "Service Unavailable"))
        .expect(3)
        .create_async()
        .await;
    let none = api.any_publish().await;

    let ran = run(
        &api,
        &[("INPUT_SKILL-IDS", SKILL_A), ("INPUT_MAX-RETRIES", "2")],
    )
    .await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("retries"), "2");
    assert_eq!(ran.events()[1], "dependency_validation_error");
    skills.assert_async().await;
    none.assert_async().await;
}

#[tokio::test]
async fn listed_ids_are_looked_up_in_bulk_requests() {
    let mut api = api_with_bot().await;
    api.consumed(&[]).await;
    let ids: Vec<String> = (0..150)
        .map(|i| format!("5a1e0a0a-0000-4000-8000-{i:012}"))
        .collect();
    let skills = api
        .server
        .mock("GET", "/api/v2/routing/skills")
        .match_query(mockito::Matcher::Any)
        .with_status(200)
        .with_body_from_request(|request| {
            let query = request
                .path_and_query()
                .split_once('?')
                .map(|(_, q)| q.to_string())
                .unwrap_or_default();
            let entities: Vec<_> = url::form_urlencoded::parse(query.as_bytes())
                .filter(|(k, _)| k == "id")
                .map(|(_, id)| json!({ "id": id, "name": "s", "state": "active" }))
                .collect();
            listing(entities).to_string().into_bytes()
        })
        .expect(2)
        .create_async()
        .await;
    api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[("INPUT_SKILL-IDS", &ids.join(","))]).await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    assert_eq!(ran.report.facts.dependencies.len(), 150);
    skills.assert_async().await;
}
