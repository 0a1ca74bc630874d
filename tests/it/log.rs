//! The log a person reads (issue 15 point 1), through the real binary: one short line per
//! step and outcome, the JSON in its file, a `::debug::` line per request with step debug
//! logging and nothing from the libraries, and no secret printed outside the runner.

use crate::binary::{Workspace, text};
use crate::helpers::*;

/// A deployment of 3.0 over 2.0 that succeeds.
async fn deployable(api: &mut Api) {
    api.token(3600.0).await;
    api.get_flow(&flow(Some("2.0"), Some("3.0"), None), 1).await;
    api.consumed(&[(SKILL_A, "ACDSKILL")]).await;
    api.skills(&[(SKILL_A, "active")]).await;
    api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("3.0"), Some("3.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;
}

fn inputs(api: &Api) -> Vec<(&'static str, String)> {
    vec![
        ("INPUT_CLIENT-ID", CLIENT.into()),
        ("INPUT_CLIENT-SECRET", SECRET.into()),
        ("INPUT_BOT-ID", BOT.into()),
        ("INPUT_API-URL", api.url()),
        ("INPUT_LOGIN-URL", api.url()),
        ("INPUT_ENVIRONMENT", "staging".into()),
        ("INPUT_WAIT-MODE", "poll".into()),
        ("INPUT_POLL-INTERVAL-SECONDS", "0.1".into()),
        ("INPUT_POLL-MAX-INTERVAL-SECONDS", "0.2".into()),
        ("INPUT_AUDIT-LOG", "audit.jsonl".into()),
    ]
}

fn borrowed<'a>(inputs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    inputs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn the_log_is_a_short_line_per_step_and_the_json_is_in_its_file() {
    let mut api = Api::new().await;
    deployable(&mut api).await;
    let ws = Workspace::new();

    let out = ws.run(&borrowed(&inputs(&api)), true);

    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("::")).collect();
    let steps = [
        format!("Deploying bot {BOT} to staging"),
        format!("✔ Signed in to org {ORG_NAME} (id {ORG_ID}) as CI pipeline"),
        "✔ Billing Assistant: version 2.0 live, 3.0 to deploy".into(),
        "✔ Dependencies: 0 flow(s) and 1 skill(s) usable".into(),
        "→ Publishing 3.0".into(),
        "  SUCCESS (read)".into(),
    ];
    assert_eq!(lines[..steps.len()], steps, "{stdout}");
    // The end state, then how long it took and where the audit trail is (times vary).
    assert_eq!(lines.len(), steps.len() + 1, "{stdout}");
    let end = lines[steps.len()];
    assert!(
        end.starts_with(
            "✅ Billing Assistant version 3.0 is live in staging — published, exit 0, "
        ) && end.ends_with(" request(s); audit trail: audit.jsonl"),
        "{end}"
    );
    assert!(!stdout.lines().any(|l| l.starts_with('{')), "{stdout}");
    assert_eq!(ws.read("audit.jsonl").lines().count(), 6);
}

#[tokio::test]
async fn step_debug_logging_adds_a_line_per_request_and_nothing_from_libraries() {
    let mut api = Api::new().await;
    deployable(&mut api).await;
    let ws = Workspace::new();

    let out = ws.run_with(&borrowed(&inputs(&api)), true, &[("RUNNER_DEBUG", "1")]);

    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let requests: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("::debug::"))
        .filter(|l| !l.starts_with("audit "))
        .collect();
    let expected_starts = [
        "POST /oauth/token -> 200 in ".to_string(),
        "GET /api/v2/tokens/me -> 200 in ".to_string(),
        format!("GET /api/v2/flows/{BOT} -> 200 in "),
    ];
    for (line, start) in requests.iter().zip(&expected_starts) {
        assert!(
            line.starts_with(start.as_str()),
            "{line:?} vs {start:?}\n{stdout}"
        );
    }
    assert!(
        requests
            .iter()
            .any(|l| l.starts_with("POST /api/v2/flows/actions/publish?")
                && l.contains("[correlation id corr-publish]")),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    for library in ["hyper", "reqwest", "rustls", "h2::", "tokio"] {
        assert!(!stderr.contains(library), "{library} in stderr:\n{stderr}");
    }
}

#[tokio::test]
async fn outside_the_runner_no_line_prints_the_secret() {
    let mut api = Api::new().await;
    deployable(&mut api).await;
    let ws = Workspace::new();

    let out = ws.run(&borrowed(&inputs(&api)), false);

    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for (what, printed) in [("stdout", text(&out.stdout)), ("stderr", text(&out.stderr))] {
        assert!(
            !printed.contains(SECRET),
            "the secret on {what}:\n{printed}"
        );
        assert!(!printed.contains(TOKEN), "the token on {what}:\n{printed}");
        assert!(
            !printed.contains("::add-mask::"),
            "a mask line on {what}:\n{printed}"
        );
    }
}
