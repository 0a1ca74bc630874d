//! Text from outside the Action never acts as a workflow command (SPEC rule 13): bot names,
//! platform messages and details, printed on stdout or stderr, cannot start a `::` command
//! or carry the runner's legacy `##[` form anywhere in a line.

use crate::helpers::*;
use serde_json::json;

/// Every printed line is one of the Action's own commands (whose data the runner's escaping
/// keeps on one line), or plain text that neither starts a command nor holds `##[`.
fn assert_no_injected_commands(text: &str) {
    const OURS: [&str; 6] = [
        "::add-mask::",
        "::error title=",
        "::warning title=",
        "::notice title=",
        "::group::",
        "::endgroup::",
    ];
    for line in text.lines() {
        let trimmed = line.trim_start();
        if OURS.iter().any(|ours| trimmed.starts_with(ours)) {
            // Our command's data is escaped: the injected text is inside it, on this line.
            continue;
        }
        assert!(
            !trimmed.starts_with("::"),
            "a line starts a command: {line:?}"
        );
        assert!(
            !line.contains("##["),
            "a line holds the legacy form: {line:?}"
        );
    }
}

#[tokio::test]
async fn outside_text_never_becomes_a_workflow_command() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let mut bot = flow(Some("2.0"), Some("3.0"), Some(op("old", "SUCCESS", true)));
    bot["name"] = json!("::set-output name=status::published ##[error]pwned");
    api.get_flow(&bot, 1).await;
    api.consumed(&[]).await;
    api.publish_error(
        409,
        "architect.flow.cannot.publish.missing.dependencies",
        "refused\n::add-mask::unmask-me\n##[set-output name=x]y",
    )
    .with_body(
        json!({
            "message": "refused ##[error]fake\n::warning::fake\n  ::set-output name=status::published",
            "code": "architect.flow.cannot.publish.missing.dependencies",
            "status": 409,
            "details": [{ "errorCode": "x\n::error::fake ##[error]fake", "entityName": "##[group]" }],
            "errors": [],
        })
        .to_string(),
    )
    .create_async()
    .await;

    let ran = run(&api, &[]).await;

    assert_eq!(ran.report.exit_code(), 1, "{}", ran.summary);
    assert_no_injected_commands(&ran.stdout);
}

#[tokio::test]
async fn files_that_cannot_be_written_stop_the_run_before_any_request() {
    let mut api = Api::new().await;
    let nothing = api
        .server
        .mock("POST", mockito::Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let no_reads = api
        .server
        .mock("GET", mockito::Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let config = config(&api, &[]);

    // $GITHUB_OUTPUT is a directory: no output could ever be written to it.
    let ran = run_with_context(config, |ctx| {
        let dir = ctx.workspace.join("output-is-a-directory");
        std::fs::create_dir_all(&dir).expect("dir");
        ctx.output_file = Some(dir);
    })
    .await;

    nothing.assert_async().await;
    no_reads.assert_async().await;
    assert_eq!(ran.report.exit_code(), 1);
    let failure = ran.report.failure().expect("a failure");
    assert_eq!(failure.title, "Cannot write the run's files");
    assert!(
        failure.message.contains("GITHUB_OUTPUT"),
        "{}",
        failure.message
    );
    assert!(
        ran.stdout
            .contains("::error title=Cannot write the run's files::"),
        "{}",
        ran.stdout
    );
    assert!(!ran.summary.is_empty(), "the summary is still written");
}
