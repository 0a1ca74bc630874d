//! The world a test builds: a scenario (as JSON, so a failing soak run can print it), the
//! sandbox serving it in-process, the inputs pointing the Action at it, and readers of the
//! sandbox's request log.

use genesys_sandbox::{RequestRecord, Sandbox, Scenario};
use serde_json::{Value, json};

use crate::ran::{AUDIT_LOG, Ran};
use crate::runner::{self, Running};

/// The bot every scenario deploys.
pub const BOT: &str = "b7e2e000-0000-4000-8000-000000000001";
/// A skill the target version consumes (found through dependency tracking).
pub const SKILL: &str = "5e2e0000-0000-4000-8000-000000000001";
/// The OAuth client.
pub const CLIENT: &str = "e2e-ci-client";
/// Its secret: must never be printed.
pub const SECRET: &str = "e2e-cl1ent-s3cret-never-printed";
/// Waiting by polling only. Tests that hide or delay the publish's status by faulting the
/// status reads use it, so a push channel (should the sandbox ever serve one) cannot bypass
/// the reads they fault.
pub const POLL_ONLY: (&str, &str) = ("wait-mode", "poll");
/// The path of the publish action.
pub const PUBLISH_PATH: &str = "/api/v2/flows/actions/publish";

/// `1.0` live, `2.0` checked in (publishes in 300 ms, consumes `SKILL`), `3.0` a spare version
/// for "someone else's" publishes. Rollbacks to `1.0` take 200 ms.
pub fn scenario() -> Value {
    json!({
        "publish_duration_ms": 300,
        "clients": [{ "id": CLIENT, "secret": SECRET, "name": "e2e pipeline" }],
        "flows": [{
            "id": BOT, "name": "E2E Bot", "type": "DIGITALBOT",
            "published_version": "1.0", "checked_in_version": "2.0",
            "versions": [
                { "id": "1.0", "duration_ms": 200 },
                { "id": "2.0", "duration_ms": 300, "consumes": [{ "id": SKILL, "type": "ACDSKILL" }] },
                { "id": "3.0", "duration_ms": 200 }
            ]
        }],
        "skills": [{ "id": SKILL, "name": "Billing", "state": "active" }],
        "faults": []
    })
}

/// The spec of version `id` of the bot, to change how it publishes.
pub fn version<'a>(scenario: &'a mut Value, id: &str) -> &'a mut Value {
    scenario["flows"][0]["versions"]
        .as_array_mut()
        .expect("versions")
        .iter_mut()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("no version {id}"))
}

/// 2.0 answers the payment question wrongly; 1.0 rightly. [`PAYS`] tells them apart.
pub fn second_version_breaks_payments() -> Value {
    let mut s = scenario();
    let says = |answer: &str| {
        json!({ "greeting": { "text": "Hi" },
                "replies": [{ "utterance": "pay", "reply": { "text": answer } }] })
    };
    version(&mut s, "1.0")["bot"] = says("You can pay online.");
    version(&mut s, "2.0")["bot"] = says("Please hold.");
    s
}

/// A smoke test 1.0 passes and 2.0 fails (see [`second_version_breaks_payments`]).
pub const PAYS: &str = "version: 1
conversations:
  - name: Pays
    turns:
      - user: I want to pay
        bot: { contains: pay online }
";

/// Appends faults.
pub fn add_faults(scenario: &mut Value, faults: impl IntoIterator<Item = Value>) {
    let list = scenario["faults"].as_array_mut().expect("faults");
    list.extend(faults);
}

/// A running sandbox and the scenario it serves.
pub struct World {
    pub sandbox: Sandbox,
    pub scenario: Value,
}

impl World {
    /// Starts a sandbox on a random loopback port.
    pub async fn start(scenario: Value) -> World {
        let parsed = Scenario::from_json_str(&scenario.to_string())
            .unwrap_or_else(|e| panic!("{e}\n{scenario:#}"));
        let sandbox = Sandbox::start(parsed).await.expect("sandbox starts");
        World { sandbox, scenario }
    }

    /// The inputs of a fast run against this sandbox, with `extra` on top.
    pub fn inputs(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let url = self.sandbox.api_url();
        let mut inputs: Vec<(String, String)> = [
            ("client-id", CLIENT),
            ("client-secret", SECRET),
            ("bot-id", BOT),
            ("api-url", url.as_str()),
            ("login-url", url.as_str()),
            ("poll-interval-seconds", "0.1"),
            ("poll-max-interval-seconds", "0.2"),
            ("timeout-seconds", "3"),
            ("environment", "e2e"),
            ("audit-log", AUDIT_LOG),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in extra {
            inputs.retain(|(name, _)| name != k);
            inputs.push((k.to_string(), v.to_string()));
        }
        inputs
    }

    /// Starts the Action against this sandbox.
    pub fn start_action(&self, extra: &[(&str, &str)]) -> Running {
        runner::start(self.inputs(extra))
    }

    /// Runs the Action to its end.
    pub async fn run(&self, extra: &[(&str, &str)]) -> Ran {
        self.start_action(extra).finish().await
    }

    /// Starts the Action with `files` in its workspace; the caller watches and finishes it.
    pub fn start_action_with_files(
        &self,
        extra: &[(&str, &str)],
        files: &[(&str, &str)],
    ) -> Running {
        runner::start_with_files(self.inputs(extra), files)
    }

    /// Runs the Action to its end with `files` in its workspace.
    pub async fn run_with_files(&self, extra: &[(&str, &str)], files: &[(&str, &str)]) -> Ran {
        self.start_action_with_files(extra, files).finish().await
    }

    /// What must never be printed: the client secret and every token the sandbox issued.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets = self.sandbox.issued_tokens();
        secrets.push(SECRET.to_string());
        secrets
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.sandbox.requests()
    }

    /// Publish requests, in arrival order.
    pub fn publishes(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path == PUBLISH_PATH)
            .collect()
    }

    /// Publish requests of one version.
    pub fn publishes_of(&self, version: &str) -> Vec<RequestRecord> {
        let wanted = format!("version={version}");
        self.publishes()
            .into_iter()
            .filter(|r| r.query.split('&').any(|p| p == wanted))
            .collect()
    }

    /// Reads of the bot (`GET /api/v2/flows/{BOT}`), in arrival order.
    pub fn flow_reads(&self) -> Vec<RequestRecord> {
        let path = format!("/api/v2/flows/{BOT}");
        self.requests()
            .into_iter()
            .filter(|r| r.method == "GET" && r.path == path)
            .collect()
    }

    /// Token requests.
    pub fn token_requests(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == "/oauth/token")
            .collect()
    }

    /// The bot's published version now.
    pub fn live(&self) -> Option<String> {
        self.sandbox.flow(BOT).and_then(|f| f.published_version)
    }

    /// The request log, one line per request, for assertion messages.
    pub fn log(&self) -> String {
        self.requests()
            .iter()
            .map(|r| {
                format!(
                    "{:>8.1} ms {} {}?{} -> {} {}",
                    r.at.as_secs_f64() * 1000.0,
                    r.method,
                    r.path,
                    r.query,
                    r.status,
                    r.fault.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Asserts the target was sent to publish exactly once (SPEC rule 4), counting only
    /// requests the platform processed: a 429 or 401 answer means it did not.
    pub fn assert_one_publish_of(&self, version: &str) {
        let processed: Vec<_> = self
            .publishes_of(version)
            .into_iter()
            .filter(|r| !matches!(r.status, 429 | 401))
            .collect();
        assert_eq!(processed.len(), 1, "publishes of {version}\n{}", self.log());
        let started = self
            .sandbox
            .operations()
            .iter()
            .filter(|op| op.version == version)
            .count();
        assert!(
            started <= 1,
            "{started} operations of {version}\n{}",
            self.log()
        );
    }
}
