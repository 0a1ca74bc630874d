//! Force-unlock told truthfully (issue 11, point 3; genesys-api-verified.md finding C):
//! "Unlocking a flow checks in the currently saved changes and creates a new version of the
//! flow". The flow is read again after the unlock, and a target chosen before it is never
//! published without saying so.

use crate::helpers::*;
use serde_json::json;

/// Jane Doe holds the lock with a saved draft; 2.0 live, 3.0 checked in.
fn locked_by_jane() -> serde_json::Value {
    let mut locked = flow(Some("2.0"), Some("3.0"), None);
    locked["lockedUser"] = json!({ "id": "u-1", "name": "Jane Doe" });
    locked["savedVersion"] = json!({ "id": "saved_version_1" });
    locked
}

async fn unlock_mock(api: &mut Api) -> mockito::Mock {
    api.server
        .mock("POST", "/api/v2/flows/actions/unlock")
        .match_query(mockito::Matcher::UrlEncoded("flow".into(), BOT.into()))
        .with_status(200)
        .with_body(flow(Some("2.0"), Some("4.0"), None).to_string())
        .expect(1)
        .create_async()
        .await
}

#[tokio::test]
async fn a_draft_checked_in_by_the_unlock_stops_the_run_and_nothing_is_published() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&locked_by_jane(), 1).await;
    let unlock = unlock_mock(&mut api).await;
    // After the unlock, Jane's draft is checked-in version 4.0.
    let reread = api.get_flow(&flow(Some("2.0"), Some("4.0"), None), 1).await;
    let none = api.any_publish().await;

    let ran = run(&api, &[("INPUT_FORCE-UNLOCK", "true")]).await;

    unlock.assert_async().await;
    reread.assert_async().await;
    none.assert_async().await;
    assert_eq!(ran.report.exit_code(), 1, "{}", ran.summary);
    assert_eq!(ran.output("status"), "failed");
    let failure = ran.report.failure().expect("a failure");
    assert_eq!(failure.title, "The unlock checked in a draft");
    assert_eq!(
        failure.message,
        "force-unlock checked in the saved draft of user Jane Doe (u-1) as version 4.0; version 3.0 was the checked-in version before the unlock. Nothing was published: this run does not publish a draft nobody reviewed, nor a version chosen before the unlock"
    );
    assert!(
        failure.next_step.contains("target-version: 3.0"),
        "{}",
        failure.next_step
    );
    assert!(
        ran.stdout
            .contains("their saved draft is checked in as a new version"),
        "{}",
        ran.stdout
    );
    assert!(!ran.stdout.contains("discarded"), "{}", ran.stdout);
}

#[tokio::test]
async fn an_explicit_target_is_published_after_the_unlock_with_a_word_about_the_draft() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&locked_by_jane(), 1).await;
    unlock_mock(&mut api).await;
    api.get_flow(&flow(Some("2.0"), Some("4.0"), None), 1).await;
    api.server
        .mock("GET", format!("/api/v2/flows/{BOT}/versions/3.0").as_str())
        .with_status(200)
        .with_body(json!({ "id": "3.0", "name": "3.0" }).to_string())
        .create_async()
        .await;
    api.consumed(&[]).await;
    let publish = api.publish("3.0", "op-3").await;
    api.get_flow(
        &flow(Some("3.0"), Some("4.0"), Some(op("op-3", "SUCCESS", true))),
        1,
    )
    .await;

    let ran = run(
        &api,
        &[
            ("INPUT_FORCE-UNLOCK", "true"),
            ("INPUT_TARGET-VERSION", "3.0"),
        ],
    )
    .await;

    publish.assert_async().await;
    assert_eq!(ran.output("status"), "published", "{}", ran.summary);
    assert!(
        ran.stdout
            .contains("::warning title=The unlock checked in a draft::"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("version 4.0 is checked in, not published"),
        "{}",
        ran.stdout
    );
}

#[tokio::test]
async fn a_lock_without_force_unlock_says_the_draft_would_be_checked_in() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    api.get_flow(&locked_by_jane(), 1).await;
    let none = api.any_publish().await;

    let ran = run(&api, &[]).await;

    none.assert_async().await;
    let failure = ran.report.failure().expect("a failure");
    assert_eq!(failure.title, "Bot flow is locked");
    assert!(
        failure
            .next_step
            .contains("unlocking checks their saved draft in as a new version"),
        "{}",
        failure.next_step
    );
    assert!(!failure.next_step.contains("discarded"));
}
