//! Tokens and permissions: refused credentials, a missing permission, expiry and 401s.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn refused_credentials_are_a_clear_auth_error_and_nothing_else_is_sent() {
    let mut api = Api::new().await;
    let token = api
        .server
        .mock("POST", "/oauth/token")
        .with_status(401)
        .with_header("ININ-Correlation-Id", "corr-auth")
        .with_body(json!({ "error": "invalid_client", "description": "Bad client credentials", "error_description": "Bad client credentials" }).to_string())
        .expect(1)
        .create_async()
        .await;
    let flows = api
        .server
        .mock("GET", mockito::Matcher::Any)
        .expect(0)
        .create_async()
        .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "failed");
    assert_eq!(
        ran.events(),
        ["deployment_started", "auth_failed", "metrics"]
    );
    let auth = ran.event("auth_failed");
    assert_eq!(auth["correlation_id"], "corr-auth");
    assert_eq!(
        auth["details"]["error"],
        "authentication failed: HTTP 401: invalid_client (Bad client credentials) [correlation id corr-auth]"
    );
    assert!(ran.stdout.contains("::error title=Authentication failed::"));
    assert!(
        ran.summary
            .contains("Check the client-id and client-secret secrets")
    );
    assert_eq!(ran.output("api-requests"), "1");
    ran.assert_no_secrets();
    token.assert_async().await;
    flows.assert_async().await;
}

#[tokio::test]
async fn a_403_on_publish_names_the_missing_permission() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    let publish = api
        .publish_error(403, "missing.permissions", "Unable to perform the requested action. You are missing the following permission(s): [architect:flow:publish]")
        .with_header("ININ-Correlation-Id", "corr-403")
        .expect(1)
        .create_async()
        .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 1);
    assert_eq!(ran.output("status"), "failed");
    let events = ran.events();
    assert_eq!(&events[2..], ["publish_trigger_failed", "metrics"]);
    assert_eq!(
        ran.event("publish_trigger_failed")["correlation_id"],
        "corr-403"
    );
    assert!(ran.summary.contains("error code `missing.permissions`"));
    assert!(ran.summary.contains("correlation id `corr-403`"));
    assert!(
        ran.summary.contains(
            "**Next:** Give the OAuth client's role the permission architect:flow:publish"
        ),
        "{}",
        ran.summary
    );
    publish.assert_async().await;
}

#[tokio::test]
async fn a_token_that_expires_mid_wait_is_refreshed_before_use() {
    let mut api = Api::new().await;
    // 0.5 s tokens: refreshed 50 ms before expiry, so a wait of ~1 s needs new ones.
    let token = api.token(0.5).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(
            Some("2.0"),
            Some("3.0"),
            Some(op("op-3", "PENDING_GENERATION", false)),
        ),
        6,
    )
    .await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    let fetched = ran.event("metrics")["details"]["token_fetches"]
        .as_u64()
        .expect("count");
    assert!(fetched >= 2, "token fetched {fetched} time(s)");
    // The mock hands out the same token each time: each distinct value is masked once.
    assert_eq!(
        ran.stdout
            .lines()
            .filter(|l| l.starts_with("::add-mask::"))
            .collect::<Vec<_>>(),
        [
            format!("::add-mask::{SECRET}"),
            format!("::add-mask::{TOKEN}")
        ],
    );
    ran.assert_no_secrets();
    token.assert_async().await;
}

#[tokio::test]
async fn a_401_mid_run_fetches_a_new_token_once() {
    let mut api = Api::new().await;
    let token = api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    api.publish("3.0", "op-3").await;
    let refused = api
        .flow_error(401, "bad.credentials", "Invalid login credentials.")
        .expect(1)
        .create_async()
        .await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    assert_eq!(ran.event("metrics")["details"]["token_fetches"], 2);
    refused.assert_async().await;
    token.assert_async().await;
}
