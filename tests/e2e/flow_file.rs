//! Deploying from a flow file (SPEC rules 15 and 16) through the binary against the sandbox:
//! a clean deployment with one environment's substitutions, the re-run that changes nothing,
//! one file for several environments, and the files and inputs that stop a run before any
//! request or before any import.

use genesys_bot_deploy::flowfile::{Source, Substitutions, file_digest, release_digest};
use genesys_sandbox::{DEMO_YAML_BOT_YAML, JobKind, JobStatus};
use serde_json::Value;

use crate::release_world::*;
use crate::world::*;

/// The example file with the dev values in its placeholders: what the import must upload.
fn dev_text() -> String {
    [
        ("{{appointments_queue}}", "Appointments"),
        ("{{scheduling_integration}}", "Scheduling Lambda"),
        ("{{clinic_name}}", "Riverside Clinic (dev)"),
        ("{{support_phone}}", "020 7946 0101"),
    ]
    .iter()
    .fold(FLOW_YAML.to_string(), |text, (key, value)| {
        text.replace(key, value)
    })
}

fn yaml_value(text: &str) -> Value {
    serde_norway::from_str(text).expect("YAML")
}

#[tokio::test]
async fn a_flow_file_with_dev_substitutions_is_imported_published_and_verified() {
    let world = World::start(release_scenario()).await;

    let ran = world.run_release(&deploy(DEV, &[])).await;

    assert_release_outcome(&ran, &world, 0, "published", CLEAN_DEPLOYMENT);
    assert_import_statuses(&ran, "Success");
    assert_eq!(world.live().as_deref(), Some("2.0"));
    assert_eq!(ran.output("published-version"), "2.0");
    assert_eq!(ran.output("previous-version"), "1.0");
    assert_eq!(ran.output("target-version"), "2.0");
    assert_eq!(ran.output("drift"), "none");
    assert_eq!(ran.output("plan-file"), "");
    assert_eq!(ran.output("validation-errors"), "[]");

    // The release digest is the file's with the dev substitutions (rule 16).
    let template_digest = file_digest(FLOW_YAML, FLOW_FILE).expect("a bot flow");
    let substitutions =
        Substitutions::parse(DEV_YAML, Source::File(DEV.into())).expect("dev substitutions");
    let expected = release_digest(&template_digest, &substitutions).to_string();
    assert_eq!(ran.output("release-digest"), expected);
    assert_eq!(
        audit_line(&ran, "deployment_success")["details"]["release_digest"],
        expected.as_str()
    );
    assert_eq!(
        shown_digest(&ran, "release digest"),
        &expected[..19],
        "{ran}"
    );
    assert_eq!(
        shown_digest(&ran, "file digest"),
        &template_digest.to_string()[..19],
        "{ran}"
    );

    // The backup is the export of 1.0, the version live before, kept where the next step
    // finds it.
    let exports = world.jobs_of(JobKind::Export);
    assert_eq!(exports.len(), 2, "backup and identity\n{}", world.log());
    let backup_job = &exports[0];
    assert_eq!(backup_job.version.as_deref(), Some("1.0"));
    let backup_path = ran.output("backup-file");
    assert!(
        backup_path.ends_with(".backup-1.0.yaml"),
        "{backup_path}\n{ran}"
    );
    let backup = ran.left_file(backup_path).expect("the backup file exists");
    assert_eq!(yaml_value(&backup), yaml_value(DEMO_YAML_BOT_YAML));
    assert_eq!(backup_job.downloads.len(), 1);
    assert_eq!(backup_job.downloads[0].bytes, backup.len());
    let exported = audit_line(&ran, "backup_exported");
    assert_eq!(exported["version"], "1.0");
    assert_eq!(exported["details"]["job_id"], backup_job.id.as_str());
    assert_eq!(exported["details"]["file"], backup_path);

    // One import, of the substituted file, onto this bot, which it published as 2.0.
    let imports = world.jobs_of(JobKind::Import);
    assert_eq!(imports.len(), 1, "{}", world.log());
    let import = &imports[0];
    assert_eq!(import.status, JobStatus::Success);
    assert_eq!(import.command, "Publish");
    assert_eq!(import.flow_id.as_deref(), Some(BOT));
    assert_eq!(import.version.as_deref(), Some("2.0"));
    assert!(!import.created_flow);
    assert_eq!(import.uploads.len(), 1);
    assert_eq!(import.uploads[0].bytes, dev_text().len());
    assert!(
        world.publishes().is_empty(),
        "the job published\n{}",
        world.log()
    );

    // Identity: the export of the live 2.0 is what was imported.
    assert_eq!(exports[1].version.as_deref(), Some("2.0"));
    let identity = audit_line(&ran, "identity_checked");
    assert_eq!(identity["status"], "verified");
    assert_eq!(identity["version"], "2.0");
    assert!(
        ran.summary.contains(
            "- **Identity:** ✅ verified: the live version's export is what was imported"
        ),
        "{ran}"
    );
    assert!(
        ran.summary
            .contains("`clinic_name` = `Riverside Clinic (dev)`"),
        "{ran}"
    );
    assert!(
        ran.summary
            .contains(&format!("- **Import job:** `{}`", import.id)),
        "{ran}"
    );
    assert!(
        ran.summary.contains(&format!(
            "- **Backup:** version `1.0` in `{backup_path}` (export job `{}`)",
            backup_job.id
        )),
        "{ran}"
    );
    assert!(
        errors(&ran).is_empty() && warnings(&ran).is_empty(),
        "{ran}"
    );
}

#[tokio::test]
async fn the_same_release_again_is_unchanged_in_at_most_eight_requests() {
    let world = World::start(release_scenario()).await;
    let first = world.run_release(&deploy(DEV, &[])).await;
    assert_eq!(first.output("status"), "published", "{first}");
    let before = world.requests().len();

    let again = world.run_release(&deploy(DEV, &[])).await;

    assert_release_outcome(
        &again,
        &world,
        0,
        "unchanged",
        &[
            "deployment_started",
            "export_status",
            "backup_exported",
            "publish_skipped_unchanged",
            "metrics",
        ],
    );
    let seen = world.requests()[before..].to_vec();
    let reported: usize = again.output("api-requests").parse().expect("a count");
    assert_eq!(reported, seen.len(), "{}", world.log());
    assert!(seen.len() <= 8, "{} requests\n{}", seen.len(), world.log());
    assert!(
        !seen
            .iter()
            .any(|r| r.method == "POST" && r.path == IMPORT_JOBS),
        "nothing imported\n{}",
        world.log()
    );
    assert_eq!(world.jobs_of(JobKind::Import).len(), 1);
    assert!(world.publishes().is_empty(), "{}", world.log());
    assert_eq!(world.live().as_deref(), Some("2.0"));
    assert_eq!(again.output("published-version"), "2.0");
    assert_eq!(
        again.output("release-digest"),
        first.output("release-digest")
    );
    assert_eq!(again.output("drift"), "none");
    let skipped = audit_line(&again, "publish_skipped_unchanged");
    assert_eq!(skipped["version"], "2.0");
    assert_eq!(
        skipped["details"]["release_digest"],
        first.output("release-digest")
    );
    assert!(
        again.summary.starts_with(
            "## ✅ Appointment Bot version 2.0 was already live in dev: nothing published"
        ),
        "{again}"
    );
}

#[tokio::test]
async fn one_file_in_two_environments_keeps_its_file_digest_and_changes_its_release_digest() {
    let world = World::start(release_scenario()).await;

    let dev = world.run_release(&deploy(DEV, &[])).await;
    let prod = world
        .run_release(&deploy(PROD, &[("environment", "prod")]))
        .await;

    assert_release_outcome(&dev, &world, 0, "published", CLEAN_DEPLOYMENT);
    // Prod's values make other content: a release of its own, not `unchanged`.
    assert_release_outcome(&prod, &world, 0, "published", CLEAN_DEPLOYMENT);
    assert_eq!(prod.output("previous-version"), "2.0");
    assert_eq!(prod.output("published-version"), "3.0");
    assert_eq!(world.live().as_deref(), Some("3.0"));
    assert_eq!(
        shown_digest(&dev, "file digest"),
        shown_digest(&prod, "file digest")
    );
    assert_ne!(dev.output("release-digest"), prod.output("release-digest"));
    assert_ne!(
        shown_digest(&dev, "release digest"),
        shown_digest(&prod, "release digest")
    );
    assert_eq!(
        &prod.output("release-digest")[..19],
        shown_digest(&prod, "release digest")
    );
    assert!(
        prod.summary.contains("`clinic_name` = `Riverside Clinic`"),
        "{prod}"
    );
}

/// One bad input: the annotation it must give, and that nothing was sent.
async fn refused_before_any_request(inputs: &[(&str, &str)], files: &[(&str, &str)], error: &str) {
    let world = World::start(release_scenario()).await;
    let ran = world.run_with_files(inputs, files).await;
    ran.assert_outcome(
        1,
        "failed",
        &["deployment_failed", "metrics"],
        &world.secrets(),
    );
    assert_eq!(errors(&ran), [error], "{ran}");
    assert_eq!(ran.output("api-requests"), "0");
    assert!(world.requests().is_empty(), "{}", world.log());
    let message = error
        .split_once("::")
        .and_then(|(_, m)| m.split_once("::"))
        .map(|(_, m)| m);
    let message = message.expect("an annotation with a title");
    // The summary shows it as Markdown, where a backtick is escaped.
    assert!(ran.summary.contains(&message.replace('`', "\\`")), "{ran}");
    assert_eq!(
        audit_line(&ran, "deployment_failed")["details"]["errors"][0],
        message
    );
}

const ONE_PLACEHOLDER: &str =
    "digitalBotFlow:\n  name: Appointment Bot\n  description: \"{{clinic_name}}\"\n";

#[tokio::test]
async fn a_placeholder_without_a_value_is_a_bad_input_naming_file_line_column_and_key() {
    refused_before_any_request(
        &[("flow-file", "bot.yaml")],
        &[("bot.yaml", ONE_PLACEHOLDER)],
        "::error title=Invalid input 'flow-file'::input 'flow-file' (INPUT_FLOW-FILE): expected a flow file whose placeholders all have values: give them in substitutions (bot.yaml line 3, column 17: placeholder {{clinic_name}} has no value: no substitutions were given), got \"bot.yaml\"",
    )
    .await;
}

#[tokio::test]
async fn a_substitutions_file_lacking_a_key_is_a_bad_input_naming_both_files() {
    let file = "digitalBotFlow:\n  name: Appointment Bot\n  description: \"{{clinic_name}}, {{support_phone}}\"\n";
    refused_before_any_request(
        &[("flow-file", "bot.yaml"), ("substitutions", "env/dev.yml")],
        &[
            ("bot.yaml", file),
            ("env/dev.yml", "clinic_name: Riverside Clinic\n"),
        ],
        "::error title=Invalid input 'substitutions'::input 'substitutions' (INPUT_SUBSTITUTIONS): expected a value for every placeholder of the flow file (bot.yaml line 3, column 34: placeholder {{support_phone}} has no value in env/dev.yml), got \"env/dev.yml\"",
    )
    .await;
}

#[tokio::test]
async fn a_key_no_placeholder_uses_is_a_bad_input_naming_the_substitutions_line() {
    refused_before_any_request(
        &[("flow-file", "bot.yaml"), ("substitutions", "env/dev.yml")],
        &[
            ("bot.yaml", ONE_PLACEHOLDER),
            (
                "env/dev.yml",
                "clinic_name: Riverside Clinic\nsupport_phone: 020 7946 0101\n",
            ),
        ],
        "::error title=Invalid input 'substitutions'::input 'substitutions' (INPUT_SUBSTITUTIONS): expected only keys the flow file uses (env/dev.yml line 2: key support_phone is used by no placeholder in bot.yaml), got \"env/dev.yml\"",
    )
    .await;
}

#[tokio::test]
async fn yaml_that_does_not_parse_is_a_bad_input() {
    refused_before_any_request(
        &[("flow-file", "bot.yaml")],
        &[("bot.yaml", "digitalBotFlow:\n  name: \"Appointment Bot\n")],
        "::error title=Invalid input 'flow-file'::input 'flow-file' (INPUT_FLOW-FILE): expected a bot or digital bot flow as Archy YAML (bot.yaml line 3, column 1: found unexpected end of stream, while scanning a quoted scalar at line 2 column 9), got \"bot.yaml\"",
    )
    .await;
}

#[tokio::test]
async fn a_flow_that_is_not_a_bot_is_a_bad_input() {
    refused_before_any_request(
        &[("flow-file", "flows/main-line.yaml")],
        &[("flows/main-line.yaml", "inboundCall:\n  name: Main Line\n")],
        "::error title=Invalid input 'flow-file'::input 'flow-file' (INPUT_FLOW-FILE): expected a bot or digital bot flow as Archy YAML (flows/main-line.yaml line 1, column 1: `inboundCall` is not a bot flow type: a flow file holds one bot flow, under `botFlow:` (Architect type BOT) or `digitalBotFlow:` (DIGITALBOT)), got \"flows/main-line.yaml\"",
    )
    .await;
}

#[tokio::test]
async fn a_flow_file_with_a_target_version_is_a_bad_input() {
    refused_before_any_request(
        &[("flow-file", "bot.yaml"), ("target-version", "2.0")],
        &[("bot.yaml", "digitalBotFlow:\n  name: Appointment Bot\n")],
        "::error title=Invalid input 'target-version'::input 'target-version' (INPUT_TARGET-VERSION): expected no value when flow-file is given: the import of the flow file makes the version to publish, got \"2.0\"",
    )
    .await;
}

#[tokio::test]
async fn a_flow_file_with_a_previous_version_is_a_bad_input() {
    refused_before_any_request(
        &[("flow-file", "bot.yaml"), ("previous-version", "1.0")],
        &[("bot.yaml", "digitalBotFlow:\n  name: Appointment Bot\n")],
        "::error title=Invalid input 'previous-version'::input 'previous-version' (INPUT_PREVIOUS-VERSION): expected no value when flow-file is given: a rollback imports the backup of the version live before the run, got \"1.0\"",
    )
    .await;
}

#[tokio::test]
async fn a_file_naming_another_flow_is_refused_before_any_job() {
    let world = World::start(release_scenario()).await;
    let renamed = FLOW_YAML.replacen("name: Appointment Bot", "name: Appointment Bot v2", 1);

    let ran = world
        .run_with_files(
            &deploy(DEV, &[]),
            &[(FLOW_FILE, renamed.as_str()), (DEV, DEV_YAML)],
        )
        .await;

    assert_release_outcome(
        &ran,
        &world,
        1,
        "failed",
        &["deployment_started", "deployment_failed", "metrics"],
    );
    assert_eq!(
        errors(&ran),
        [format!(
            "::error title=Flow file is not this bot::{FLOW_FILE} names the flow \"Appointment Bot v2\", but bot {BOT} is \"Appointment Bot\": Archy imports by name, so this file would create or change another flow%0ANext: Give the file the bot's name and type (a rename is done in Architect first), or point bot-id at the flow the file describes."
        )],
        "{ran}"
    );
    assert!(
        world.jobs().is_empty(),
        "no job registered\n{}",
        world.log()
    );
    assert!(world.writes().is_empty(), "{}", world.log());
    assert_eq!(world.live().as_deref(), Some("1.0"));
    assert_eq!(ran.output("published-version"), "1.0");
}

#[tokio::test]
async fn an_import_that_only_checks_the_file_in_is_published_on_the_same_notification_channel() {
    // `command: Update`: the job checks the file in, and the Action publishes the version
    // it made, waiting by push on the channel it opened for the import.
    let mut scenario = release_scenario();
    scenario["import_publishes"] = serde_json::json!(false);
    let world = World::start(scenario).await;

    let ran = world.run_release(&deploy(DEV, &[])).await;

    assert_eq!(ran.output("status"), "published", "{ran}\n{}", world.log());
    assert_eq!(world.live().as_deref(), Some("2.0"));
    assert_eq!(world.publishes().len(), 1, "{}", world.log());
    let channels = world
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/api/v2/notifications/channels")
        .count();
    assert_eq!(channels, 1, "one channel per run\n{}", world.log());
    assert!(warnings(&ran).is_empty(), "{ran}");
}

#[tokio::test]
async fn a_dry_run_of_the_live_release_with_a_smoke_test_plans_the_conversations_and_the_way_back()
{
    let world = World::start(release_scenario()).await;
    let first = world.run_release(&deploy(DEV, &[])).await;
    assert_eq!(first.output("status"), "published", "{first}");
    let smoke = "version: 1\nconversations:\n  - name: Greets\n    turns:\n      - bot: { contains: Welcome }\n";
    let mut files = repository();
    files.push(("smoke.yml", smoke));

    let ran = world
        .run_with_files(
            &deploy(DEV, &[("smoke-test", "smoke.yml"), ("dry-run", "true")]),
            &files,
        )
        .await;

    assert_eq!(ran.output("status"), "dry-run", "{ran}");
    let planned = &audit_line(&ran, "dry_run_completed")["details"]["plan"];
    assert_eq!(
        planned[0],
        "Version 2.0 is live and is this release already: nothing would be imported or published, but the smoke test would be held with it.",
        "{ran}"
    );
    assert_eq!(
        planned
            .as_array()
            .and_then(|p| p.last())
            .and_then(|l| l.as_str()),
        Some("If it fails, roll back to the version most recently retired from being live."),
        "{ran}"
    );
}
