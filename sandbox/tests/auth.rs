//! OAuth client credentials, bearer tokens and their expiry.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use common::*;
use genesys_sandbox::{DEMO_BOT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Scenario};
use serde_json::Value;

#[tokio::test]
async fn token_and_oauth_errors() {
    let sb = start(Scenario::default()).await;
    let resp = token_for(&sb, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("ININ-Correlation-Id"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86_400);
    assert!(body["access_token"].as_str().unwrap().len() >= 32);

    let oauth_error = |resp: reqwest::Response, status: u16, error: &'static str| async move {
        assert_eq!(resp.status().as_u16(), status);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], error, "{body}");
        assert!(body["description"].is_string() && body["error_description"].is_string());
    };
    oauth_error(
        token_for(&sb, DEMO_CLIENT_ID, "wrong").await,
        401,
        "invalid_client",
    )
    .await;
    oauth_error(
        token_for(&sb, "nobody", DEMO_CLIENT_SECRET).await,
        401,
        "invalid_client",
    )
    .await;
    let url = format!("{}/oauth/token", sb.login_url());
    let form = "application/x-www-form-urlencoded";
    let wrong_grant = http()
        .post(&url)
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .header("Content-Type", form)
        .body("grant_type=password")
        .send()
        .await
        .unwrap();
    oauth_error(wrong_grant, 400, "unsupported_grant_type").await;
    let no_basic = http()
        .post(&url)
        .header("Content-Type", form)
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    oauth_error(no_basic, 401, "invalid_client").await;
    let json_body = http()
        .post(&url)
        .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
        .header("Content-Type", "application/json")
        .body(r#"{"grant_type":"client_credentials"}"#)
        .send()
        .await
        .unwrap();
    oauth_error(json_body, 400, "invalid_request").await;
    sb.shutdown().await;
}

#[tokio::test]
async fn api_needs_a_valid_bearer_token() {
    let sb = start(Scenario::default()).await;
    let url = format!("{}/api/v2/flows/{DEMO_BOT_ID}", sb.api_url());
    let none = http().get(&url).send().await.unwrap();
    assert_envelope(none, 401, "authentication.required").await;
    let bogus = http()
        .get(&url)
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_envelope(bogus, 401, "bad.credentials").await;
    let t = token(&sb).await;
    assert_eq!(
        get(&sb, &t, &format!("/api/v2/flows/{DEMO_BOT_ID}"))
            .await
            .status(),
        200
    );
    let log = sb.requests();
    assert_eq!(log.len(), 4);
    assert!(!log[0].authorization_present && log[1].authorization_present);
    assert_eq!(
        log.iter().map(|r| r.status).collect::<Vec<_>>(),
        [401, 401, 200, 200]
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn issued_tokens_are_listed_for_leak_checks() {
    let sb = start(Scenario::default()).await;
    assert!(sb.issued_tokens().is_empty());
    let (a, b) = (token(&sb).await, token(&sb).await);
    let mut issued = sb.issued_tokens();
    issued.sort();
    let mut expected = vec![a, b];
    expected.sort();
    assert_eq!(issued, expected);
    sb.shutdown().await;
}

#[tokio::test]
async fn tokens_expire_after_the_client_ttl() {
    let mut scenario = Scenario::default();
    scenario.clients[0].token_ttl_secs = 0.3;
    let sb = start(scenario).await;
    let resp = token_for(&sb, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["expires_in"], 1,
        "fractional TTLs round up on the wire"
    );
    let t = body["access_token"].as_str().unwrap().to_owned();
    let path = format!("/api/v2/flows/{DEMO_BOT_ID}");
    let start = Instant::now();
    // Poll until the token stops working; it must, well within the deadline.
    loop {
        let resp = get(&sb, &t, &path).await;
        if resp.status() == 401 {
            assert_envelope(resp, 401, "bad.credentials").await;
            break;
        }
        assert_eq!(resp.status(), 200);
        assert!(start.elapsed() < DEADLINE, "token never expired");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // A fresh token works again.
    let t = token(&sb).await;
    assert_eq!(get(&sb, &t, &path).await.status(), 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn expire_token_fault_revokes_the_presented_token() {
    let scenario = Scenario::from_json_str(&format!(
        r#"{{"clients": [{{"id": "{DEMO_CLIENT_ID}", "secret": "{DEMO_CLIENT_SECRET}"}}],
            "flows": [{{"id": "f", "name": "F", "type": "BOT"}}],
            "faults": [{{"kind": "expire_token", "route": "GET /api/v2/flows/*", "after_nth": 2, "count": 1}}]}}"#
    ))
    .unwrap();
    let sb = start(scenario).await;
    let t = token(&sb).await;
    assert_eq!(get(&sb, &t, "/api/v2/flows/f").await.status(), 200);
    assert_envelope(
        get(&sb, &t, "/api/v2/flows/f").await,
        401,
        "bad.credentials",
    )
    .await;
    // The fault fired once, but the token stays expired.
    assert_envelope(
        get(&sb, &t, "/api/v2/flows/f").await,
        401,
        "bad.credentials",
    )
    .await;
    let t = token(&sb).await;
    assert_eq!(get(&sb, &t, "/api/v2/flows/f").await.status(), 200);
    let faults: Vec<_> = sb.requests().into_iter().map(|r| r.fault).collect();
    assert_eq!(
        faults
            .iter()
            .filter(|f| f.as_deref() == Some("expire_token"))
            .count(),
        1
    );
    sb.shutdown().await;
}
