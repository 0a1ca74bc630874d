//! The org guard (SPEC rule 14, issue 11 point 6): the token's org is read right after the
//! token and must be `expected-org` before anything else happens.

use crate::helpers::*;
use serde_json::json;

/// A token and a bot nobody may touch: no read of the bot, no publish.
async fn nothing_after_the_org(api: &mut Api) -> (mockito::Mock, mockito::Mock) {
    api.token(3600.0).await;
    let reads = api
        .server
        .mock("GET", format!("/api/v2/flows/{BOT}").as_str())
        .expect(0)
        .create_async()
        .await;
    (reads, api.any_publish().await)
}

#[tokio::test]
async fn a_token_of_another_org_stops_the_run_before_the_bot_is_read() {
    let mut api = Api::new().await;
    let (reads, publishes) = nothing_after_the_org(&mut api).await;

    let ran = run(
        &api,
        &[("INPUT_EXPECTED-ORG", "99999999-1111-4222-8333-444444444444")],
    )
    .await;

    reads.assert_async().await;
    publishes.assert_async().await;
    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "failed");
    let failure = ran.report.failure().expect("a failure");
    assert_eq!(failure.title, "Wrong Genesys Cloud org");
    assert_eq!(
        failure.message,
        format!(
            "the OAuth client's token belongs to org {ORG_NAME} (id {ORG_ID}), but expected-org is id 99999999-1111-4222-8333-444444444444; nothing was sent to the bot"
        )
    );
    let failed = ran.event("deployment_failed");
    assert_eq!(failed["details"]["reason"], "wrong org");
    assert_eq!(failed["details"]["org"]["id"], ORG_ID);
    assert_eq!(ran.output("org-id"), ORG_ID);
    assert_eq!(ran.output("org-name"), ORG_NAME);
}

#[tokio::test]
async fn a_short_name_is_checked_against_the_organization_itself() {
    let mut api = Api::new().await;
    let (reads, publishes) = nothing_after_the_org(&mut api).await;
    let org = api
        .server
        .mock("GET", "/api/v2/organizations/me")
        .with_status(200)
        .with_body(
            json!({ "id": ORG_ID, "name": ORG_NAME, "thirdPartyOrgName": ORG_SHORT_NAME,
                    "state": "active" })
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;

    let ran = run(&api, &[("INPUT_EXPECTED-ORG", "acme-prod")]).await;

    org.assert_async().await;
    reads.assert_async().await;
    publishes.assert_async().await;
    let failure = ran.report.failure().expect("a failure");
    assert!(
        failure.message.contains(&format!(
            "org {ORG_NAME} (id {ORG_ID}, short name {ORG_SHORT_NAME}), but expected-org is short name acme-prod"
        )),
        "{}",
        failure.message
    );
}

#[tokio::test]
async fn the_right_org_goes_on_and_is_reported() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("3.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;

    let ran = run(&api, &[("INPUT_EXPECTED-ORG", ORG_ID)]).await;

    assert_eq!(ran.report.exit_code(), 0, "{}", ran.summary);
    assert_eq!(ran.output("status"), "unchanged");
    assert_eq!(ran.output("org-id"), ORG_ID);
    assert_eq!(ran.output("org-name"), ORG_NAME);
    let metrics = ran.event("metrics");
    assert_eq!(metrics["details"]["org"]["name"], ORG_NAME);
    assert_eq!(metrics["details"]["oauth_client"]["name"], "CI pipeline");
    assert!(ran.summary.contains(ORG_NAME), "{}", ran.summary);
}

#[tokio::test]
async fn an_unreadable_org_fails_only_when_an_org_is_expected() {
    for (expected, exit) in [(Some(ORG_ID), 1), (None, 0)] {
        let mut api = Api::new().await;
        api.server
            .mock("GET", "/api/v2/tokens/me")
            .with_status(500)
            .with_body(envelope(500, "internal.server.error", "boom"))
            .create_async()
            .await;
        api.token(3600.0).await;
        api.get_flow(&flow(Some("3.0"), Some("3.0"), None), 1).await;
        api.consumed(&[]).await;
        let mut inputs = vec![("INPUT_MAX-RETRIES", "0")];
        if let Some(org) = expected {
            inputs.push(("INPUT_EXPECTED-ORG", org));
        }

        let ran = run(&api, &inputs).await;

        assert_eq!(
            ran.report.exit_code(),
            exit,
            "{expected:?}: {}",
            ran.summary
        );
        match expected {
            Some(_) => assert_eq!(
                ran.report.failure().map(|f| f.title.as_str()),
                Some("Cannot verify the org")
            ),
            None => assert!(
                ran.stdout.contains("::warning title=Org not read::"),
                "{}",
                ran.stdout
            ),
        }
    }
}
