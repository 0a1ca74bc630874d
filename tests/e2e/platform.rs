//! The Action against what the platform does according to genesys-api-verified.md, through
//! the sandbox's knobs for it.

use serde_json::{Value, json};

use crate::ran::Ran;
use crate::world::*;

/// The first `::error` annotation, with its `%0A`-encoded lines decoded.
fn error_annotation(ran: &Ran) -> String {
    ran.stdout
        .lines()
        .find(|l| l.starts_with("::error "))
        .unwrap_or_else(|| panic!("no error annotation\n{ran}"))
        .replace("%0A", "\n")
}

#[tokio::test]
async fn a_target_version_the_platform_says_is_missing_fails_before_publishing() {
    let world = World::start(scenario()).await;
    let ran = world.run(&[POLL_ONLY, ("target-version", "9.0")]).await;
    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(ran.output("status"), "failed");
    let error = error_annotation(&ran);
    assert!(error.contains("title=Version not found"), "{error}");
    assert!(
        error.contains("HTTP 404 (architect.flow.version.missing)"),
        "{error}"
    );
    assert!(world.publishes().is_empty(), "{}", world.log());
    assert_eq!(world.live().as_deref(), Some("1.0"));
}

#[tokio::test]
async fn an_empty_202_publish_answer_still_publishes_once() {
    let mut s = scenario();
    s["publish_answer"] = json!("accepted_empty");
    let world = World::start(s).await;
    let ran = world.run(&[POLL_ONLY]).await;
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.output("status"), "published");
    world.assert_one_publish_of("2.0");
    assert_eq!(world.live().as_deref(), Some("2.0"));
}

#[tokio::test]
async fn an_empty_202_publish_answer_is_no_lost_answer() {
    let mut s = scenario();
    s["publish_answer"] = json!("accepted_empty");
    let world = World::start(s).await;
    let ran = world.run(&[POLL_ONLY]).await;
    assert_eq!(ran.code, Some(0), "{ran}");
    assert!(
        !ran.stdout.contains("::warning title=Publish answer lost::"),
        "{ran}"
    );
    assert!(
        !ran.events().contains(&"publish_trigger_error".to_owned()),
        "{ran}"
    );
}

#[tokio::test]
async fn someone_validating_the_flow_right_after_the_publish_does_not_undo_it() {
    let mut s = scenario();
    s["flows"][0]["touch_after_publish"] = json!({
        "action": "VALIDATE", "after_ms": 0, "user": { "id": "u-1", "name": "Jane Doe" } });
    let world = World::start(s).await;
    let ran = world.run(&[POLL_ONLY]).await;
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.output("status"), "published", "{ran}");
    world.assert_one_publish_of("2.0");
    assert_eq!(world.live().as_deref(), Some("2.0"));
}

/// `2.0` answers the payment question wrongly, `1.0` rightly; rollbacks republish as a new
/// version with the old content.
fn republished_as_new_version() -> Value {
    let mut s = second_version_breaks_payments();
    s["republish_mode"] = json!("new_version");
    s
}

#[tokio::test]
async fn a_rollback_that_goes_live_as_a_new_version_with_the_old_content_is_a_rollback() {
    let world = World::start(republished_as_new_version()).await;
    let ran = world
        .run_with_files(&[POLL_ONLY, ("smoke-test", "s.yml")], &[("s.yml", PAYS)])
        .await;
    // The copy of 1.0 is live: 4.0 (the next number after the spare 3.0).
    assert_eq!(world.live().as_deref(), Some("4.0"), "{}", world.log());
    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(ran.output("status"), "rolled-back", "{ran}");
}

#[tokio::test]
async fn a_deleted_bot_is_said_to_be_deleted() {
    let mut s = scenario();
    s["flows"][0]["deleted"] = json!(true);
    let world = World::start(s).await;
    let ran = world.run(&[POLL_ONLY]).await;
    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(ran.output("status"), "failed");
    let error = error_annotation(&ran);
    assert!(!error.contains("Retry the workflow"), "{error}");
    assert!(!error.contains("title=Cannot read the bot"), "{error}");
    assert!(world.publishes().is_empty(), "{}", world.log());
}

#[tokio::test]
async fn a_publish_refused_for_missing_dependencies_points_at_them() {
    let mut s = scenario();
    version(&mut s, "2.0")["refuse"] =
        json!({ "code": "architect.flow.cannot.publish.missing.dependencies" });
    let world = World::start(s).await;
    let ran = world.run(&[POLL_ONLY]).await;
    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(ran.output("status"), "failed");
    let error = error_annotation(&ran);
    let next = error
        .lines()
        .find(|l| l.starts_with("Next: "))
        .unwrap_or_else(|| panic!("no Next line: {error}"));
    assert!(next.to_lowercase().contains("dependenc"), "{error}");
    assert_eq!(world.live().as_deref(), Some("1.0"));
}

#[tokio::test]
async fn a_republish_that_leaves_the_target_live_falls_back_to_importing_the_previous_export() {
    let mut s = republished_as_new_version();
    // The republish of 1.0 ends SUCCESS, yet 2.0 stays live (finding F's doubt).
    version(&mut s, "1.0")["republish"] =
        json!({ "leaves_other_version_live": { "version": "2.0" } });
    let world = World::start(s).await;

    let ran = world
        .run_with_files(
            &[POLL_ONLY, ("smoke-test", "s.yml"), ("timeout-seconds", "5")],
            &[("s.yml", PAYS)],
        )
        .await;

    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(ran.output("status"), "rolled-back", "{ran}");
    // How many job statuses a read sees is timing; their order is not.
    let events = crate::release_world::folded_events(&ran);
    let after: Vec<&str> = events
        .iter()
        .skip_while(|e| *e != "rollback_started")
        .map(String::as_str)
        .collect();
    assert_eq!(
        after,
        [
            "rollback_started",
            "publish_status",
            "export_status",
            "import_status",
            "export_status",
            "rollback_completed",
            "metrics"
        ],
        "{ran}"
    );
    assert_eq!(world.publishes_of("1.0").len(), 1, "{}", world.log());
    // 1.0's export went in again as 4.0 (after the spare 3.0), and its export proved it.
    let jobs: Vec<(genesys_sandbox::JobKind, Option<String>)> = world
        .sandbox
        .jobs()
        .into_iter()
        .map(|j| (j.kind, j.version))
        .collect();
    use genesys_sandbox::JobKind::{Export, Import};
    assert_eq!(
        jobs,
        [
            (Export, Some("1.0".into())),
            (Import, Some("4.0".into())),
            (Export, Some("4.0".into()))
        ]
    );
    assert_eq!(world.live().as_deref(), Some("4.0"), "{}", world.log());
    assert_eq!(ran.output("published-version"), "4.0");
    assert!(
        ran.stdout.contains("::warning title=Republishing did not roll back::version 2.0 is live instead; importing the export of version 1.0 instead"),
        "{ran}"
    );
    assert!(
        ran.stdout.contains("::error title=Smoke test failed::version 2.0 went live but 1 of 1 smoke-test conversation(s) failed; version 1.0 was exported and imported again as version 4.0, which is live"),
        "{ran}"
    );
}
