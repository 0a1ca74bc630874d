//! Who the caller is: `organizations/me` and `tokens/me` need a valid token and nothing else.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use genesys_sandbox::*;
use serde_json::json;

#[tokio::test]
async fn the_demo_organization_and_the_calling_client() {
    let sb = start(Scenario::default()).await;
    let t = token(&sb).await;
    let (status, org) = get_json(&sb, &t, "/api/v2/organizations/me").await;
    assert_eq!(status, 200);
    assert_eq!(
        (&org["id"], &org["name"], &org["thirdPartyOrgName"]),
        (
            &json!(DEMO_ORG_ID),
            &json!("Sandbox Org"),
            &json!("sandbox-org")
        )
    );
    assert_eq!(org["state"], "active");
    assert_eq!(
        org["selfUri"],
        format!("/api/v2/organizations/{DEMO_ORG_ID}")
    );
    let (status, info) = get_json(&sb, &t, "/api/v2/tokens/me").await;
    assert_eq!(status, 200);
    let named = json!({ "id": DEMO_ORG_ID, "name": DEMO_ORG_NAME });
    assert_eq!(
        info,
        json!({
            "organization": named,
            "homeOrganization": named,
            "authorizedScope": [],
            "OAuthClient": { "id": DEMO_CLIENT_ID, "name": DEMO_CLIENT_NAME, "organization": named },
        })
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_scenario_names_its_own_organization_and_tokens_name_their_client() {
    let scenario = json!({
        "organization": { "id": "org-9", "name": "Acme Prod", "third_party_org_name": "acme-prod" },
        "clients": [{ "id": "a", "secret": "s", "name": "Pipeline A" },
                    { "id": "b", "secret": "s", "name": "Pipeline B" }],
    });
    let sb = start(Scenario::from_json_str(&scenario.to_string()).unwrap()).await;
    let token_of = |id: &'static str| {
        let sb = &sb;
        async move {
            let resp = token_for(sb, id, "s").await;
            let body: serde_json::Value = resp.json().await.unwrap();
            body["access_token"].as_str().unwrap().to_owned()
        }
    };
    let (a, b) = (token_of("a").await, token_of("b").await);
    let (_, org) = get_json(&sb, &a, "/api/v2/organizations/me").await;
    assert_eq!(
        (&org["id"], &org["name"], &org["thirdPartyOrgName"]),
        (&json!("org-9"), &json!("Acme Prod"), &json!("acme-prod"))
    );
    let (_, info) = get_json(&sb, &b, "/api/v2/tokens/me").await;
    assert_eq!(info["OAuthClient"]["id"], "b");
    assert_eq!(info["OAuthClient"]["name"], "Pipeline B");
    assert_eq!(
        info["organization"],
        json!({ "id": "org-9", "name": "Acme Prod" })
    );
    // A token is all they need; without one they are the 401 of every route.
    for path in ["/api/v2/organizations/me", "/api/v2/tokens/me"] {
        let resp = http()
            .get(format!("{}{path}", sb.api_url()))
            .send()
            .await
            .unwrap();
        assert_envelope(resp, 401, "authentication.required").await;
        assert_envelope(get(&sb, "not-a-token", path).await, 401, "bad.credentials").await;
    }
    sb.shutdown().await;
}

#[test]
fn an_organization_needs_every_field() {
    let scenario =
        json!({ "organization": { "id": "o", "name": " ", "third_party_org_name": "x" } });
    let err = Scenario::from_json_str(&scenario.to_string()).expect_err("empty name");
    assert_eq!(
        err.to_string(),
        "invalid scenario: organization.name must not be empty"
    );
}
