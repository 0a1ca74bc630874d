//! What a flow file's deployment does with what it finds in the org (SPEC rule 16 and the
//! plan of rule 15): a live version changed in Architect by someone else stops the run
//! (unless `accept-drift`), and a dry run writes the plan a reviewer reads on the pull
//! request: what the file changes, which callers get it, what would block it.

use genesys_sandbox::{EntityRef, JobKind, VersionContent};
use serde_json::json;

use crate::ran::Ran;
use crate::release_world::*;
use crate::world::*;

/// `text` with every RFC 3339 UTC time in milliseconds (`2026-01-31T12:00:00.000Z`) written
/// `<time>`: when a history entry was made is the sandbox's clock, its place is not.
fn without_times(text: &str) -> String {
    let is_time = |s: &[u8]| {
        s.len() == 24
            && s.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 => *c == b':',
                19 => *c == b'.',
                23 => *c == b'Z',
                _ => c.is_ascii_digit(),
            })
    };
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < text.len() {
        if bytes.len() >= i + 24 && is_time(&bytes[i..i + 24]) {
            out.push_str("<time>");
            i += 24;
        } else {
            let c = text[i..].chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The hot-fix someone publishes in Architect: 1.0 with another greeting.
fn hot_fix() -> String {
    let fixed = genesys_sandbox::DEMO_YAML_BOT_YAML.replace(
        "Hi! I can book an appointment",
        "Hi! We are closed on Monday. I can book an appointment",
    );
    assert_ne!(fixed, genesys_sandbox::DEMO_YAML_BOT_YAML);
    fixed
}

const JANE: &str = "user Jane Doe (u-jane)";

/// Who changed the bot, as the history says, newest first.
fn latest_changes() -> String {
    format!(
        "version 2.0 was published by {JANE}; latest changes: PUBLISH of 2.0 by {JANE} at <time>; CHECKIN of 2.0 by {JANE} at <time>; SAVE of 2.0 by {JANE} at <time>; CHECKOUT by {JANE} at <time>; PUBLISH of 1.0 by OAuth client {CLIENT_NAME} ({CLIENT}) at <time>"
    )
}

#[tokio::test]
async fn a_hot_fix_published_in_architect_stops_the_next_run_unless_drift_is_accepted() {
    let world = World::start(release_scenario()).await;
    let jane = EntityRef {
        id: "u-jane".into(),
        name: "Jane Doe".into(),
    };
    let ui = world
        .sandbox
        .publish_as_user(BOT, jane, VersionContent::Yaml(hot_fix()))
        .await
        .expect("the hot-fix is published");
    assert_eq!(ui.version, "2.0");

    let stopped = world.run_release(&deploy(DEV, &[])).await;

    assert_release_outcome(
        &stopped,
        &world,
        1,
        "failed",
        &[
            "deployment_started",
            "export_status",
            "backup_exported",
            "drift_checked",
            "deployment_failed",
            "metrics",
        ],
    );
    assert_eq!(stopped.output("drift"), "detected");
    let [error] = errors(&stopped)[..] else {
        panic!("one error\n{stopped}");
    };
    assert_eq!(
        without_times(error),
        format!(
            "::error title=The live version was changed outside this pipeline::{}; deploying would replace it, and a rollback could not bring back anything this pipeline did not make%0ANext: Bring the change into the flow file (export the live version, commit it), then run again; or set accept-drift: true to replace it. A bot this pipeline deploys for the first time needs accept-drift once.",
            latest_changes()
        )
    );
    let checked = audit_line(&stopped, "drift_checked");
    assert_eq!(checked["status"], "detected");
    assert_eq!(checked["version"], "2.0");
    assert_eq!(
        without_times(checked["details"]["what"].as_str().expect("what")),
        latest_changes()
    );
    assert!(
        without_times(&stopped.summary)
            .contains(&format!("- **Drift:** ⚠️ detected: {}", latest_changes())),
        "{stopped}"
    );
    // Stopped before any write: no import job, the hot-fix still live.
    assert!(world.jobs_of(JobKind::Import).is_empty(), "{}", world.log());
    assert!(world.writes().is_empty(), "{}", world.log());
    assert_eq!(world.live().as_deref(), Some("2.0"));
    assert_eq!(stopped.output("published-version"), "2.0");

    let accepted = world
        .run_release(&deploy(DEV, &[("accept-drift", "true")]))
        .await;

    assert_release_outcome(&accepted, &world, 0, "published", CLEAN_DEPLOYMENT);
    assert_eq!(accepted.output("drift"), "detected");
    assert_eq!(accepted.output("previous-version"), "2.0");
    assert_eq!(accepted.output("published-version"), "3.0");
    assert_eq!(world.live().as_deref(), Some("3.0"));
    assert_eq!(
        warnings(&accepted)
            .iter()
            .map(|w| without_times(w))
            .collect::<Vec<_>>(),
        [format!(
            "::warning title=Drift accepted::{}; accept-drift: true, so this run replaces it (the backup keeps it)",
            latest_changes()
        )]
    );
    assert!(errors(&accepted).is_empty(), "{accepted}");
    // The hot-fix is what the backup keeps.
    let backup = accepted
        .left_file(accepted.output("backup-file"))
        .expect("a backup");
    assert!(backup.contains("We are closed on Monday"), "{backup}");
    assert_eq!(
        audit_line(&accepted, "drift_checked")["details"]["accept_drift"],
        true
    );
}

/// Asserts a dry run registered no import job and wrote nothing, exporting only the backup.
fn assert_nothing_written(world: &World) {
    assert!(world.jobs_of(JobKind::Import).is_empty(), "{}", world.log());
    let exports: Vec<Option<String>> = world
        .jobs_of(JobKind::Export)
        .into_iter()
        .map(|j| j.version)
        .collect();
    assert_eq!(exports, [Some("1.0".to_string())], "the backup only");
    assert!(world.writes().is_empty(), "{}", world.log());
    assert!(world.publishes().is_empty(), "{}", world.log());
    assert_eq!(world.live().as_deref(), Some("1.0"));
}

/// The plan file the run left, which the `plan-file` output names.
fn plan_file(ran: &Ran) -> String {
    let path = ran.output("plan-file");
    assert!(!path.is_empty(), "a plan file\n{ran}");
    ran.left_file(path).expect("the plan file exists")
}

const CALLERS: &str = "| Calling flow | Type | Calls | Gets this publish |
|---|---|---|---|
| SMS Appointments `ca2e0000-0000-4000-8000-000000000001` | INBOUNDSHORTMESSAGEFLOW | version `1.0` | ❌ no: pinned |
| Web Messaging Appointments `ca2e0000-0000-4000-8000-000000000002` | INBOUNDSHORTMESSAGEFLOW | the latest version | ✅ yes |
";

const SOME_CHANGES: [&str; 3] = [
    "- Intent \"Book an Appointment\": 3 → 5 utterances (+ \"Book me in for Friday.\", + \"Do you have a free slot tomorrow?\")",
    "- Intent \"Opening Hours\" added with 3 utterances (+ \"What are your opening hours?\", + \"When are you open?\", + \"Are you open on Saturday?\")",
    "- Threshold collectionLowConfidenceThreshold: 20 → 30",
];

#[tokio::test]
async fn a_dry_run_plans_the_change_and_names_the_callers_that_get_it() {
    let world = World::start(release_scenario()).await;

    let ran = world
        .run_release(&deploy(DEV, &[("dry-run", "true")]))
        .await;

    assert_release_outcome(
        &ran,
        &world,
        0,
        "dry-run",
        &[
            "deployment_started",
            "export_status",
            "backup_exported",
            "drift_checked",
            "dependency_validation_passed",
            "dry_run_completed",
            "metrics",
        ],
    );
    assert_nothing_written(&world);
    let plan = plan_file(&ran);
    assert!(
        plan.starts_with(&format!(
            "<!-- genesys-bot-deploy plan: bot={BOT} environment=dev -->\n## Plan: Appointment Bot in dev from `{FLOW_FILE}`\n\nLive now: version `1.0`.\n"
        )),
        "{plan}"
    );
    for text in [&ran.summary, &plan] {
        for change in SOME_CHANGES {
            assert!(text.contains(change), "{change}\n{text}");
        }
        assert!(text.contains(CALLERS), "{text}");
        assert!(!text.contains("Blocking"), "{text}");
    }
    assert!(
        plan.contains("2. Import flows/appointment-bot.yaml with 4 substitution(s) as a new version of bot b7e2e000-0000-4000-8000-000000000001 (an Architect import job), and publish it."),
        "{plan}"
    );
    assert_eq!(ran.output("published-version"), "1.0");
    assert_eq!(ran.output("drift"), "none");
    assert!(errors(&ran).is_empty(), "{ran}");
}

#[tokio::test]
async fn a_dry_run_lists_a_queue_the_org_lacks_as_blocking() {
    let mut s = release_scenario();
    s["queues"] = json!([]);
    let world = World::start(s).await;

    let ran = world
        .run_release(&deploy(DEV, &[("dry-run", "true")]))
        .await;

    // A real run would stop here, so the dry run fails as it would; the plan is still written.
    assert_release_outcome(
        &ran,
        &world,
        1,
        "failed",
        &[
            "deployment_started",
            "export_status",
            "backup_exported",
            "drift_checked",
            "dependency_validation_failed",
            "metrics",
        ],
    );
    assert_nothing_written(&world);
    let path = "digitalBotFlow.bots[\"Default Bot\"].bot.actions[\"Ask for Intent\"].askForIntent.outputs.intents[\"Chat with an agent\"].intent.actions[\"Transfer to ACD\"].transferToAcd.targetQueue.lit.name";
    let blocking = format!(
        "#### ⛔ Blocking: a real run would stop here\n\n- queue Appointments is named in the flow file at {path} but does not exist in this org\n"
    );
    let plan = plan_file(&ran);
    for text in [&ran.summary, &plan] {
        assert!(text.contains(&blocking), "{text}");
        assert!(text.contains(CALLERS), "{text}");
        assert!(text.contains(SOME_CHANGES[0]), "{text}");
    }
    let failed = audit_line(&ran, "dependency_validation_failed");
    assert_eq!(
        failed["details"]["problems"][0],
        format!(
            "queue \"Appointments\" is named in the flow file at {path} but does not exist in this org"
        )
    );
    let [error] = errors(&ran)[..] else {
        panic!("one error\n{ran}");
    };
    assert!(
        error.starts_with("::error title=Dependency check failed::1 of the bot's dependencies cannot be used: queue \"Appointments\""),
        "{error}"
    );
}

#[tokio::test]
async fn a_live_version_whose_export_is_not_the_file_is_published_with_identity_differs() {
    // The platform keeps another opening than the file's: a change on import that the
    // normalised comparison does not know (the sandbox's guess 39).
    let mut scenario = release_scenario();
    scenario["job_faults"] = json!([{
        "kind": "import_alters_text",
        "from": "I can book an appointment",
        "to": "I can book a visit"
    }]);
    let world = World::start(scenario).await;

    let ran = world.run_release(&deploy(DEV, &[])).await;

    // Published and live; the difference is a warning, since which fields a real export
    // changes is partly unknown (rule 16), never a rollback.
    assert_release_outcome(&ran, &world, 0, "published", CLEAN_DEPLOYMENT);
    assert_eq!(world.live().as_deref(), Some("2.0"));
    let identity = audit_line(&ran, "identity_checked");
    assert_eq!(identity["status"], "differs", "{ran}");
    assert_eq!(identity["version"], "2.0");
    let path = identity["details"]["path"]
        .as_str()
        .expect("the first differing path");
    let expected = r#"digitalBotFlow.bots["Default Bot"].bot.actions["Ask for Intent"].askForIntent.question.exp"#;
    assert_eq!(path, expected, "{ran}");
    assert_eq!(
        warnings(&ran),
        [format!(
            "::warning title=Live version differs from the flow file::the export of version 2.0 differs from {FLOW_FILE} first at {expected}: Genesys Cloud changed something on import (or the comparison does not know a field it changes)"
        )],
        "{ran}"
    );
    assert!(
        ran.summary.contains(&format!(
            "- **Identity:** ⚠️ differs from the file, first at `{expected}`"
        )),
        "{ran}"
    );
    // The export that proved it is of the live version, after the backup's.
    let exports = world.jobs_of(JobKind::Export);
    assert_eq!(
        exports
            .iter()
            .map(|j| j.version.as_deref())
            .collect::<Vec<_>>(),
        [Some("1.0"), Some("2.0")]
    );
}

#[tokio::test]
async fn a_change_outside_what_the_plan_details_is_still_named_with_its_place() {
    // The description is none of intents, entities, thresholds, prompts, knowledge or
    // references: the plan must not call the file unchanged.
    let world = World::start(release_scenario()).await;
    let first = world.run_release(&deploy(DEV, &[])).await;
    assert_eq!(first.output("status"), "published", "{first}");
    let edited = FLOW_YAML.replacen("Books appointments at", "Books visits at", 1);
    assert_ne!(edited, FLOW_YAML);

    let ran = world
        .run_with_files(
            &deploy(DEV, &[("dry-run", "true")]),
            &[(FLOW_FILE, edited.as_str()), (DEV, DEV_YAML)],
        )
        .await;

    assert_eq!(ran.output("status"), "dry-run", "{ran}");
    let plan = plan_file(&ran);
    assert!(!plan.contains("No change to the bot's content"), "{plan}");
    assert!(
        plan.contains(
            "Other content differs from the live version, first at digitalBotFlow.description."
        ),
        "{plan}"
    );
}
