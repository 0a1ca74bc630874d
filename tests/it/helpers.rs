//! Arrange/act helpers: a mockito server with Genesys-shaped answers, a run of the pipeline
//! against it, and readers for what the run wrote.

#![allow(dead_code)]

use genesys_bot_deploy::config::Config;
use genesys_bot_deploy::github::{Buffer, Console};
use genesys_bot_deploy::pipeline::{self, Report, RunContext};
use genesys_bot_deploy::redact::Redactor;
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

pub const BOT: &str = "2b5d5e2c-7c49-4a36-9d6b-8f0e7b1c0a11";
pub const SKILL_A: &str = "5a1e0a0a-0000-4000-8000-00000000000a";
pub const SKILL_B: &str = "5a1e0a0a-0000-4000-8000-00000000000b";
pub const FLOW_A: &str = "f10a0a0a-0000-4000-8000-00000000000a";
pub const SECRET: &str = "cl1ent-s3cret-never-printed";
pub const TOKEN: &str = "t0ken-abcdef-never-printed";
pub const CLIENT: &str = "ci-client-id";
pub const ORG_ID: &str = "0a0a0a0a-1111-4222-8333-444444444444";
pub const ORG_NAME: &str = "Acme Staging";
pub const ORG_SHORT_NAME: &str = "acme-staging";

/// Everything a run wrote.
pub struct Ran {
    pub report: Report,
    pub stdout: String,
    pub outputs: HashMap<String, String>,
    pub outputs_raw: String,
    pub summary: String,
    pub audit_file: String,
}

impl Ran {
    /// The audit trail's lines, parsed.
    pub fn audit(&self) -> Vec<Value> {
        self.audit_file
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
            .collect()
    }

    /// The audit event names, in order.
    pub fn events(&self) -> Vec<String> {
        self.audit()
            .iter()
            .map(|v| v["event"].as_str().expect("event").to_string())
            .collect()
    }

    /// The first audit line with this event.
    pub fn event(&self, name: &str) -> Value {
        self.audit()
            .into_iter()
            .find(|v| v["event"] == name)
            .unwrap_or_else(|| panic!("no {name} event in {:?}", self.events()))
    }

    pub fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no output {name}"))
    }

    /// Asserts no secret reached anything the run wrote.
    pub fn assert_no_secrets(&self) {
        let stdout = crate::shared::without_masks(&self.stdout);
        let texts = [
            ("stdout", stdout.as_str()),
            ("outputs", self.outputs_raw.as_str()),
            ("summary", self.summary.as_str()),
            ("audit file", self.audit_file.as_str()),
        ];
        let secrets = [SECRET.to_string(), TOKEN.to_string()];
        if let Some(leak) = crate::shared::leak(&texts, &secrets) {
            panic!("{leak}");
        }
    }
}

pub use crate::shared::parse_outputs;

/// A flow as `GET /api/v2/flows/{id}` answers it.
pub fn flow(published: Option<&str>, checked_in: Option<&str>, op: Option<Value>) -> Value {
    let mut flow = json!({
        "id": BOT,
        "name": "Billing Assistant",
        "type": "DIGITALBOT",
        "deleted": false,
        "selfUri": format!("/api/v2/flows/{BOT}"),
    });
    if let Some(v) = published {
        flow["publishedVersion"] = json!({ "id": v, "name": v });
    }
    if let Some(v) = checked_in {
        flow["checkedInVersion"] = json!({ "id": v, "name": v });
    }
    if let Some(op) = op {
        flow["currentOperation"] = op;
    }
    flow
}

/// A publish operation.
pub fn op(id: &str, status: &str, complete: bool) -> Value {
    json!({ "id": id, "complete": complete, "actionName": "PUBLISH", "actionStatus": status })
}

/// A listing page.
pub fn listing(entities: Vec<Value>) -> Value {
    let n = entities.len();
    json!({ "entities": entities, "pageSize": 100, "pageNumber": 1, "total": n, "pageCount": 1 })
}

/// A Genesys error envelope.
pub fn envelope(status: u16, code: &str, message: &str) -> String {
    json!({ "message": message, "code": code, "status": status, "contextId": "ctx-1", "details": [], "errors": [] }).to_string()
}

/// A mockito server speaking Genesys.
pub struct Api {
    pub server: ServerGuard,
}

impl Api {
    pub async fn new() -> Self {
        Api {
            server: mockito::Server::new_async().await,
        }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The token endpoint, checking Basic auth and the form body, and `tokens/me` naming
    /// the org and the client.
    pub async fn token(&mut self, expires_in: f64) -> Mock {
        self.server
            .mock("GET", "/api/v2/tokens/me")
            .with_status(200)
            .with_body(
                json!({
                    "organization": { "id": ORG_ID, "name": ORG_NAME },
                    "homeOrganization": { "id": ORG_ID, "name": ORG_NAME },
                    "authorizedScope": [],
                    "OAuthClient": { "id": CLIENT, "name": "CI pipeline",
                        "organization": { "id": ORG_ID, "name": ORG_NAME } },
                })
                .to_string(),
            )
            .create_async()
            .await;
        let basic = format!("Basic {}", b64(&format!("{CLIENT}:{SECRET}")));
        self.server
            .mock("POST", "/oauth/token")
            .match_header("authorization", basic.as_str())
            .match_header("content-type", "application/x-www-form-urlencoded")
            .match_body("grant_type=client_credentials")
            .with_status(200)
            .with_header("content-type", "application/json")
            .with_body(
                json!({ "access_token": TOKEN, "token_type": "bearer", "expires_in": expires_in })
                    .to_string(),
            )
            .expect_at_least(1)
            .create_async()
            .await
    }

    /// `GET /api/v2/flows/{BOT}` answering `body` `times` times (then the next mock).
    pub async fn get_flow(&mut self, body: &Value, times: usize) -> Mock {
        self.server
            .mock("GET", format!("/api/v2/flows/{BOT}").as_str())
            .match_header("authorization", format!("Bearer {TOKEN}").as_str())
            .with_status(200)
            .with_header("content-type", "application/json")
            .with_header("ININ-Correlation-Id", "corr-get")
            .with_body(body.to_string())
            .expect(times)
            .create_async()
            .await
    }

    /// Dependency tracking answering `found` (pairs of id and type).
    pub async fn consumed(&mut self, found: &[(&str, &str)]) -> Mock {
        let entities = found
            .iter()
            .map(|(id, t)| json!({ "id": id, "name": format!("dep {id}"), "type": t }))
            .collect();
        self.server
            .mock(
                "GET",
                "/api/v2/architect/dependencytracking/consumedresources",
            )
            .match_query(Matcher::AllOf(vec![
                Matcher::UrlEncoded("id".into(), BOT.into()),
                Matcher::UrlEncoded("objectType".into(), "DIGITALBOTFLOW".into()),
            ]))
            .with_status(200)
            .with_body(listing(entities).to_string())
            .create_async()
            .await
    }

    /// Bulk skill lookup answering these skills.
    pub async fn skills(&mut self, skills: &[(&str, &str)]) -> Mock {
        let entities = skills
            .iter()
            .map(|(id, state)| json!({ "id": id, "name": format!("skill {id}"), "state": state }))
            .collect();
        self.server
            .mock("GET", "/api/v2/routing/skills")
            .match_query(Matcher::Any)
            .with_status(200)
            .with_body(listing(entities).to_string())
            .create_async()
            .await
    }

    /// Bulk flow lookup answering these flows.
    pub async fn flows(&mut self, flows: Vec<Value>) -> Mock {
        self.server
            .mock("GET", "/api/v2/flows")
            .match_query(Matcher::Any)
            .with_status(200)
            .with_body(listing(flows).to_string())
            .create_async()
            .await
    }

    /// `POST /api/v2/flows/actions/publish?flow=BOT&version=v` answering an operation.
    pub async fn publish(&mut self, version: &str, op_id: &str) -> Mock {
        self.server
            .mock("POST", "/api/v2/flows/actions/publish")
            .match_query(Matcher::AllOf(vec![
                Matcher::UrlEncoded("flow".into(), BOT.into()),
                Matcher::UrlEncoded("version".into(), version.into()),
            ]))
            .with_status(200)
            .with_header("ININ-Correlation-Id", "corr-publish")
            .with_body(op(op_id, "STARTED", false).to_string())
            .expect(1)
            .create_async()
            .await
    }

    /// `GET /api/v2/flows/{BOT}` answering an error envelope; add headers and counts, then
    /// `.create_async()`.
    pub fn flow_error(&mut self, status: usize, code: &str, message: &str) -> Mock {
        self.server
            .mock("GET", format!("/api/v2/flows/{BOT}").as_str())
            .with_status(status)
            .with_body(envelope(status as u16, code, message))
    }

    /// Any publish answering an error envelope; add headers and counts, then
    /// `.create_async()`.
    pub fn publish_error(&mut self, status: usize, code: &str, message: &str) -> Mock {
        self.server
            .mock("POST", "/api/v2/flows/actions/publish")
            .match_query(Matcher::Any)
            .with_status(status)
            .with_body(envelope(status as u16, code, message))
    }

    /// Any publish at all; for asserting none was sent.
    pub async fn any_publish(&mut self) -> Mock {
        self.server
            .mock("POST", Matcher::Regex("^/api/v2/flows/actions/.*".into()))
            .with_status(500)
            .expect(0)
            .create_async()
            .await
    }
}

fn b64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Inputs for a run against `api`: fast polls, a short deadline.
pub fn inputs(api: &Api, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = [
        ("INPUT_CLIENT-ID", CLIENT),
        ("INPUT_CLIENT-SECRET", SECRET),
        ("INPUT_BOT-ID", BOT),
        ("INPUT_API-URL", api.url().as_str()),
        ("INPUT_LOGIN-URL", api.url().as_str()),
        ("INPUT_POLL-INTERVAL-SECONDS", "0.1"),
        ("INPUT_POLL-MAX-INTERVAL-SECONDS", "0.2"),
        ("INPUT_TIMEOUT-SECONDS", "10"),
        ("INPUT_ENVIRONMENT", "staging"),
        ("INPUT_AUDIT-LOG", "audit/trail.jsonl"),
        // mockito speaks no WebSocket: these tests drive the polling path; push is tested
        // against the sandbox.
        ("INPUT_WAIT-MODE", "poll"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        vars.retain(|(name, _)| name != k);
        vars.push((k.to_string(), v.to_string()));
    }
    vars
}

/// A validated config with test-scale retry timings.
pub fn config(api: &Api, extra: &[(&str, &str)]) -> Config {
    let mut config = Config::from_env_iter(inputs(api, extra)).expect("valid inputs");
    config.tuning.retry_base_delay = Duration::from_millis(10);
    config.tuning.retry_max_delay = Duration::from_millis(40);
    config.tuning.request_timeout = Duration::from_secs(5);
    config.tuning.cancel_grace = Duration::from_secs(3);
    config
}

/// Runs the pipeline against `api` and collects what it wrote.
pub async fn run(api: &Api, extra: &[(&str, &str)]) -> Ran {
    run_config(config(api, extra), CancellationToken::new()).await
}

/// Runs the pipeline with this config and cancellation token.
pub async fn run_config(config: Config, cancel: CancellationToken) -> Ran {
    run_in_context(config, cancel, |_| {}).await
}

/// Runs the pipeline after `adjust` changed its context (e.g. an unwritable output file).
pub async fn run_with_context(config: Config, adjust: impl FnOnce(&mut RunContext)) -> Ran {
    run_in_context(config, CancellationToken::new(), adjust).await
}

async fn run_in_context(
    config: Config,
    cancel: CancellationToken,
    adjust: impl FnOnce(&mut RunContext),
) -> Ran {
    let dir = TempDir::new().expect("tempdir");
    let stdout = Buffer::default();
    let mut ctx = context(&dir, &stdout, cancel);
    adjust(&mut ctx);
    let report = pipeline::run(&config, &ctx).await;
    collect(report, stdout, &dir)
}

/// The runner's side of a run in `dir`: its files there, its stdout in `stdout`.
fn context(dir: &TempDir, stdout: &Buffer, cancel: CancellationToken) -> RunContext {
    RunContext {
        console: Console::new(stdout.writer(), Redactor::new()),
        output_file: Some(dir.path().join("output")),
        summary_file: Some(dir.path().join("summary")),
        workspace: dir.path().to_path_buf(),
        cancel,
        runner_temp: Some(dir.path().join("runner_temp")),
        runner_workspace: None,
    }
}

fn collect(report: Report, stdout: Buffer, dir: &TempDir) -> Ran {
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
    let outputs_raw = read("output");
    Ran {
        report,
        stdout: stdout.contents(),
        outputs: parse_outputs(&outputs_raw),
        outputs_raw,
        summary: read("summary"),
        audit_file: read("audit/trail.jsonl"),
    }
}

/// Runs the pipeline with `files` (workspace-relative path, content) written into its
/// workspace first, e.g. a smoke-test file.
pub async fn run_with_files(config: Config, files: &[(&str, &str)]) -> Ran {
    let dir = TempDir::new().expect("tempdir");
    for (path, content) in files {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("workspace dirs");
        }
        std::fs::write(path, content).expect("workspace file");
    }
    let stdout = Buffer::default();
    let ctx = context(&dir, &stdout, CancellationToken::new());
    let report = pipeline::run(&config, &ctx).await;
    collect(report, stdout, &dir)
}
