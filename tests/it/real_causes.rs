//! Errors that name the real cause (issue 11, point 9): an unreachable host is not refused
//! credentials, and a secret pasted with a trailing newline still works.

use crate::helpers::*;

#[tokio::test]
async fn an_unreachable_login_host_is_not_called_refused_credentials() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let api = Api::new().await;

    let ran = run(
        &api,
        &[("INPUT_LOGIN-URL", &url), ("INPUT_MAX-RETRIES", "0")],
    )
    .await;

    assert_eq!(ran.report.exit_code(), 1);
    let failure = ran.report.failure().expect("a failure");
    assert_eq!(failure.title, "Cannot reach Genesys Cloud");
    assert!(
        failure.message.contains(&url) || failure.message.contains("login host"),
        "{}",
        failure.message
    );
    assert!(
        !ran.summary.contains("refused the OAuth client credentials"),
        "{}",
        ran.summary
    );
    assert!(
        ran.stdout
            .contains("::error title=Cannot reach Genesys Cloud::")
    );
}

#[tokio::test]
async fn a_secret_with_surrounding_whitespace_is_trimmed_with_a_warning() {
    let mut api = Api::new().await;
    // The token mock only answers Basic auth with the trimmed secret.
    let token = api.token(3600.0).await;
    api.flow_error(404, "not.found", "Flow not found")
        .create_async()
        .await;
    let padded = format!("  {SECRET}\n");

    let ran = run(&api, &[("INPUT_CLIENT-SECRET", &padded)]).await;

    token.assert_async().await;
    let failure = ran.report.failure().expect("the bot is missing");
    assert_eq!(failure.title, "Bot flow not found");
    assert!(
        ran.stdout
            .contains("::warning title=client-secret has surrounding whitespace::"),
        "{}",
        ran.stdout
    );
    ran.assert_no_secrets();
}
