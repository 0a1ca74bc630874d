//! Helpers shared by the integration tests: start a sandbox, get a token, poll.

#![allow(dead_code, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use genesys_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Sandbox, Scenario};
use serde_json::Value;

/// A generous deadline: the box running the tests may be loaded.
pub const DEADLINE: Duration = Duration::from_secs(20);

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

pub async fn start(scenario: Scenario) -> Sandbox {
    Sandbox::start(scenario).await.expect("sandbox starts")
}

pub async fn token_for(sandbox: &Sandbox, id: &str, secret: &str) -> reqwest::Response {
    http()
        .post(format!("{}/oauth/token", sandbox.login_url()))
        .basic_auth(id, Some(secret))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap()
}

/// A token of the demo client.
pub async fn token(sandbox: &Sandbox) -> String {
    let resp = token_for(sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

pub async fn get(sandbox: &Sandbox, token: &str, path: &str) -> reqwest::Response {
    http()
        .get(format!("{}{path}", sandbox.api_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

pub async fn post(sandbox: &Sandbox, token: &str, path: &str) -> reqwest::Response {
    http()
        .post(format!("{}{path}", sandbox.api_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

pub async fn get_json(sandbox: &Sandbox, token: &str, path: &str) -> (u16, Value) {
    let resp = get(sandbox, token, path).await;
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

/// Reads the flow until its current operation is complete; returns the flow and every
/// `actionStatus` seen on the way.
pub async fn wait_complete(sandbox: &Sandbox, token: &str, flow_id: &str) -> (Value, Vec<String>) {
    let start = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    loop {
        let (status, flow) = get_json(sandbox, token, &format!("/api/v2/flows/{flow_id}")).await;
        assert_eq!(status, 200, "{flow}");
        let op = &flow["currentOperation"];
        let s = op["actionStatus"].as_str().unwrap_or_default().to_owned();
        if seen.last() != Some(&s) {
            seen.push(s);
        }
        if op["complete"] == true {
            return (flow, seen);
        }
        assert!(
            start.elapsed() < DEADLINE,
            "operation did not complete: {flow}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Asserts the error envelope and that `contextId` is the response's correlation id.
pub async fn assert_envelope(resp: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status().as_u16(), status);
    let correlation = resp
        .headers()
        .get("ININ-Correlation-Id")
        .expect("correlation header")
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert_eq!(body["contextId"], correlation.as_str());
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(body["details"], serde_json::json!([]));
    assert_eq!(body["errors"], serde_json::json!([]));
    body
}

/// Asserts the envelope (as `assert_envelope`) and its exact message.
pub async fn assert_error(
    resp: reqwest::Response,
    status: u16,
    code: &str,
    message: &str,
) -> Value {
    let body = assert_envelope(resp, status, code).await;
    assert_eq!(body["message"], message, "{body}");
    body
}

/// SWAGGER-2018's answer for a deleted flow.
pub const FLOW_DELETED: (u16, &str, &str) =
    (410, "architect.flow.deleted", "Flow has been deleted.");

/// SWAGGER-2018's answer for an unknown version.
pub const VERSION_MISSING: (u16, &str, &str) = (
    404,
    "architect.flow.version.missing",
    "Specified flow version is missing.",
);

/// Asserts one of the `(status, code, message)` answers above.
pub async fn assert_answer(resp: reqwest::Response, answer: (u16, &str, &str)) -> Value {
    assert_error(resp, answer.0, answer.1, answer.2).await
}
