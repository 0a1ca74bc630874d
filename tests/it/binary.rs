//! The real binary, started as the runner starts a container action: only INPUT_*,
//! GITHUB_* and RUNNER_* in its environment.

use crate::helpers::*;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_genesys-bot-deploy");

pub(crate) struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["set_output", "step_summary"] {
            std::fs::write(dir.path().join(name), "").expect("file command file");
        }
        Workspace { dir }
    }

    pub(crate) fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// Runs the binary with these inputs, as the runner would; `github` false leaves out
    /// the file commands, as outside GitHub.
    pub(crate) fn run(&self, inputs: &[(&str, &str)], github: bool) -> Output {
        self.run_with(inputs, github, &[])
    }

    /// Like [`Workspace::run`], with more environment variables (e.g. `RUNNER_DEBUG`).
    pub(crate) fn run_with(
        &self,
        inputs: &[(&str, &str)],
        github: bool,
        env: &[(&str, &str)],
    ) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.env_clear().current_dir(self.dir.path());
        for (name, value) in inputs {
            cmd.env(name, value);
        }
        if github {
            cmd.env("GITHUB_OUTPUT", self.path("set_output"))
                .env("GITHUB_STEP_SUMMARY", self.path("step_summary"))
                .env("GITHUB_WORKSPACE", self.dir.path())
                .env("GITHUB_ACTIONS", "true")
                .env("RUNNER_OS", "Linux");
        }
        for (name, value) in env {
            cmd.env(name, value);
        }
        cmd.output().expect("binary runs")
    }
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_secret_absent(what: &str, text: &str) {
    let without_masks: String = text
        .lines()
        .filter(|l| !l.starts_with("::add-mask::"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !without_masks.contains(SECRET),
        "secret leaked into {what}:\n{text}"
    );
}

#[tokio::test]
async fn bad_inputs_are_annotated_one_by_one_and_nothing_is_sent() {
    let mut api = Api::new().await;
    let nothing = api
        .server
        .mock("GET", mockito::Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let no_post = api
        .server
        .mock("POST", mockito::Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let ws = Workspace::new();
    let url = api.url();

    let out = ws.run(
        &[
            ("INPUT_CLIENT-ID", CLIENT),
            ("INPUT_CLIENT-SECRET", SECRET),
            ("INPUT_BOT-ID", "my-bot"),
            ("INPUT_API-URL", &url),
            ("INPUT_LOGIN-URL", &url),
            ("INPUT_TIMEOUT-SECONDS", "forever"),
            ("INPUT_DRY-RUN", "yes"),
            ("INPUT_REGION", ""),
            ("INPUT_AUDIT-LOG", "logs/audit.jsonl"),
        ],
        true,
    );

    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(&format!("::add-mask::{SECRET}\n")),
        "the secret is masked first:\n{stdout}"
    );
    let annotations: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(
        annotations,
        [
            "::error title=Invalid input 'bot-id'::input 'bot-id' (INPUT_BOT-ID): expected a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6, got \"my-bot\"",
            "::error title=Invalid input 'timeout-seconds'::input 'timeout-seconds' (INPUT_TIMEOUT-SECONDS): expected a whole number of seconds from 1 to 3600, got \"forever\"",
            "::error title=Invalid input 'dry-run'::input 'dry-run' (INPUT_DRY-RUN): expected true or false, got \"yes\"",
        ]
    );
    let outputs = parse_outputs(&ws.read("set_output"));
    assert_eq!(outputs["status"], "failed");
    assert_eq!(outputs["audit-log"], "logs/audit.jsonl");
    // The audit trail is in its file; the log is for people, not a wall of JSON.
    let events: Vec<String> = ws
        .read("logs/audit.jsonl")
        .lines()
        .map(|l| {
            let line: serde_json::Value = serde_json::from_str(l).expect("audit line is JSON");
            line["event"].as_str().expect("event").to_string()
        })
        .collect();
    assert_eq!(events, ["deployment_failed", "metrics"]);
    assert!(
        !stdout.lines().any(|l| l.starts_with('{')),
        "no JSON on stdout:\n{stdout}"
    );
    let errors: Vec<String> =
        serde_json::from_str(&outputs["validation-errors"]).expect("JSON array");
    assert_eq!(errors.len(), 3);
    let summary = ws.read("step_summary");
    assert!(summary.contains("**Why:** Invalid inputs"), "{summary}");
    for (what, text) in [
        ("stdout", stdout.clone()),
        ("stderr", text(&out.stderr)),
        ("outputs", ws.read("set_output")),
        ("summary", summary),
    ] {
        assert_secret_absent(what, &text);
    }
    nothing.assert_async().await;
    no_post.assert_async().await;
}

/// `${{ github.workspace }}/logs/audit.jsonl` reaches the Action as an absolute path; the
/// output names it as the job's next step can open it: relative to the workspace.
#[test]
fn an_absolute_audit_log_in_the_workspace_is_named_relative_to_it() {
    let ws = Workspace::new();
    let absolute = ws.path("logs/audit.jsonl");
    let out = ws.run(
        &[
            ("INPUT_CLIENT-ID", CLIENT),
            ("INPUT_CLIENT-SECRET", SECRET),
            ("INPUT_BOT-ID", "not-a-uuid"),
            (
                "INPUT_AUDIT-LOG",
                absolute.to_str().expect("utf-8 temp path"),
            ),
        ],
        true,
    );
    assert_eq!(out.status.code(), Some(1));
    let outputs = parse_outputs(&ws.read("set_output"));
    assert_eq!(outputs["audit-log"], "logs/audit.jsonl");
    assert!(
        ws.read("logs/audit.jsonl")
            .contains("\"event\":\"deployment_failed\"")
    );
}

#[tokio::test]
async fn a_full_run_never_prints_the_secret_or_the_token_anywhere() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[]).await;
    // An error message echoing the secret and the token must still not leak them.
    api.server
        .mock("POST", "/api/v2/flows/actions/publish")
        .match_query(mockito::Matcher::Any)
        .with_status(400)
        .with_body(envelope(
            400,
            "bad.request",
            &format!("rejected {SECRET} with Bearer {TOKEN}"),
        ))
        .create_async()
        .await;
    let ws = Workspace::new();
    let url = api.url();

    let out = ws.run(
        &[
            ("INPUT_CLIENT-ID", CLIENT),
            ("INPUT_CLIENT-SECRET", SECRET),
            ("INPUT_BOT-ID", BOT),
            ("INPUT_API-URL", &url),
            ("INPUT_LOGIN-URL", &url),
            ("INPUT_AUDIT-LOG", "audit.jsonl"),
            ("RUST_LOG", "debug"),
        ],
        true,
    );

    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("::add-mask::{TOKEN}")),
        "the token is masked as it arrives"
    );
    for (what, body) in [
        ("stdout", stdout),
        ("stderr", text(&out.stderr)),
        ("outputs", ws.read("set_output")),
        ("summary", ws.read("step_summary")),
        ("audit log", ws.read("audit.jsonl")),
    ] {
        assert_secret_absent(what, &body);
        let without_masks: String = body
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .collect();
        assert!(
            !without_masks.contains(TOKEN),
            "token leaked into {what}:\n{body}"
        );
    }
    assert!(
        ws.read("step_summary")
            .contains("rejected *** with Bearer ***")
    );
}

#[tokio::test]
async fn outside_github_the_summary_goes_to_stderr() {
    let ws = Workspace::new();
    let out = ws.run(
        &[("INPUT_CLIENT-ID", CLIENT), ("INPUT_CLIENT-SECRET", SECRET)],
        false,
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("**Why:** Invalid inputs"), "{stderr}");
    assert!(
        !Path::new(&ws.path("set_output"))
            .metadata()
            .is_ok_and(|m| m.len() > 0)
    );
}
