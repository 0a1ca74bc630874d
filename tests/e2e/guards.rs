//! The guards issue 11 added, through the binary against the sandbox: the org guard, a
//! force-unlock that checks a draft in, and a re-run whose live version fails its smoke test.

use genesys_sandbox::{DEMO_ORG_ID, DEMO_ORG_NAME, DEMO_ORG_SHORT_NAME};
use serde_json::json;

use crate::world::*;

#[tokio::test]
async fn the_org_guard_stops_a_token_of_another_org_before_anything_is_read() {
    let world = World::start(scenario()).await;

    let ran = world
        .run(&[POLL_ONLY, ("expected-org", "acme-production")])
        .await;

    ran.assert_outcome(
        1,
        "failed",
        &["deployment_started", "deployment_failed", "metrics"],
        &world.secrets(),
    );
    assert!(world.flow_reads().is_empty(), "{}", world.log());
    assert!(world.publishes().is_empty());
    assert_eq!(ran.output("org-id"), DEMO_ORG_ID);
    assert_eq!(ran.output("org-name"), DEMO_ORG_NAME);
    assert!(
        ran.stdout.contains(&format!(
            "short name {DEMO_ORG_SHORT_NAME}), but expected-org is short name acme-production"
        )),
        "{ran}"
    );
}

#[tokio::test]
async fn the_right_org_deploys() {
    let world = World::start(scenario()).await;

    let ran = world
        .run(&[POLL_ONLY, ("expected-org", DEMO_ORG_SHORT_NAME)])
        .await;

    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(ran.output("status"), "published");
    assert_eq!(ran.output("org-id"), DEMO_ORG_ID);
}

#[tokio::test]
async fn a_force_unlock_that_checks_a_draft_in_publishes_nothing() {
    let mut s = scenario();
    s["flows"][0]["locked_user"] = json!({ "id": "u-1", "name": "Jane Doe" });
    s["flows"][0]["saved_version"] = json!("draft");
    s["flows"][0]["versions"]
        .as_array_mut()
        .expect("versions")
        .push(json!({ "id": "draft" }));
    let world = World::start(s).await;

    let ran = world.run(&[POLL_ONLY, ("force-unlock", "true")]).await;

    ran.assert_outcome(
        1,
        "failed",
        &["deployment_started", "deployment_failed", "metrics"],
        &world.secrets(),
    );
    assert!(world.publishes().is_empty(), "{}", world.log());
    assert_eq!(world.live().as_deref(), Some("1.0"));
    // The draft is checked-in version 4.0 now (after the spare 3.0), and nobody published it.
    let flow = world.sandbox.flow(BOT).expect("the bot");
    assert_eq!(flow.checked_in_version.as_deref(), Some("4.0"));
    assert!(
        ran.stdout
            .contains("::error title=The unlock checked in a draft::force-unlock checked in the saved draft of user Jane Doe (u-1) as version 4.0; version 2.0 was the checked-in version before the unlock."),
        "{ran}"
    );
}

#[tokio::test]
async fn a_rerun_whose_live_version_fails_its_smoke_test_rolls_it_back() {
    let world = World::start(second_version_breaks_payments()).await;
    // The first run publishes 2.0 without a smoke test (someone forgot it).
    let first = world.run(&[POLL_ONLY]).await;
    assert_eq!(first.output("status"), "published", "{first}");

    // The re-run with the smoke test: 2.0 is live already, fails, and 1.0 (retired when 2.0
    // went live) is put back.
    let rerun = world
        .run_with_files(&[POLL_ONLY, ("smoke-test", "s.yml")], &[("s.yml", PAYS)])
        .await;

    rerun.assert_outcome(
        1,
        "rolled-back",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "smoke_test_started",
            "smoke_test_failed",
            "rollback_started",
            "publish_status",
            "rollback_completed",
            "metrics",
        ],
        &world.secrets(),
    );
    assert_eq!(world.live().as_deref(), Some("1.0"));
    assert_eq!(
        world.publishes_of("2.0").len(),
        1,
        "2.0 is not published again"
    );
}
