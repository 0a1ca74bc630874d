//! A flow file's deployment when the platform's jobs go wrong (SPEC rules 7, 8 and 15): an
//! import job that fails with Archy's messages or with none, one that never ends, an upload
//! the storage host refuses, an export failing the known transient way, a 429 on a job
//! route, and a smoke test failing after the import, rolled back by importing the backup.

use genesys_sandbox::{DEMO_YAML_BOT_YAML, JobKind, JobStatus};
use serde_json::{Value, json};

use crate::ran::Ran;
use crate::release_world::*;
use crate::world::*;

/// The release scenario with `job_faults`.
fn with_job_faults(faults: Value) -> Value {
    let mut s = release_scenario();
    s["job_faults"] = faults;
    s
}

/// The correlation id the run's debug log gives for the last request to `path`.
fn debug_correlation_id(ran: &Ran, path: &str) -> String {
    let line = ran
        .stdout
        .lines()
        .rfind(|l| l.starts_with("::debug::GET ") && l.contains(path))
        .unwrap_or_else(|| panic!("no debug line for {path}\n{ran}"));
    let id = line
        .rsplit_once("[correlation id ")
        .and_then(|(_, id)| id.strip_suffix(']'))
        .unwrap_or_else(|| panic!("no correlation id in {line}"));
    id.to_string()
}

/// Checks what every failed import leaves: 1.0 live, untouched, nothing published.
fn assert_old_version_still_live(ran: &Ran, world: &World) {
    assert_eq!(world.live().as_deref(), Some("1.0"), "{}", world.log());
    assert_eq!(ran.output("published-version"), "1.0");
    assert_eq!(ran.output("previous-version"), "1.0");
    assert_eq!(ran.output("target-version"), "");
    assert!(world.publishes().is_empty(), "{}", world.log());
    assert!(
        world.sandbox.operations().is_empty(),
        "no publish started\n{}",
        world.log()
    );
}

const FAILED_IMPORT: &[&str] = &[
    "deployment_started",
    "export_status",
    "backup_exported",
    "drift_checked",
    "dependency_validation_passed",
    "import_status",
    "deployment_failed",
    "rollback_not_needed",
    "metrics",
];

const ARCHY_SAYS: [&str; 2] = [
    "ArchSession.startWithAuthToken - Caught unhandled exception during callback function execution.  Ending session.  Exception info: the property 'speechToTextSpeechDetectionSensitivity' cannot be assigned a value.",
    "setting the Archy exit code to 100",
];

#[tokio::test]
async fn an_import_job_failing_with_messages_reports_them_verbatim_and_leaves_the_old_version_live()
{
    let world = World::start(with_job_faults(
        json!([{ "kind": "import_failure", "messages": ARCHY_SAYS }]),
    ))
    .await;

    let ran = world.run_release(&deploy(DEV, &[])).await;

    assert_release_outcome(&ran, &world, 1, "failed", FAILED_IMPORT);
    assert_old_version_still_live(&ran, &world);
    let imports = world.jobs_of(JobKind::Import);
    assert_eq!(imports.len(), 1, "{}", world.log());
    let job = &imports[0];
    assert_eq!(job.status, JobStatus::Failure);
    assert_eq!(job.version, None, "the failed job made no version");
    let said = ARCHY_SAYS.map(|m| format!("Error: {m}"));
    let message = format!(
        "import job {} for {FLOW_FILE} failed: {}",
        job.id,
        said.join(" / ")
    );
    let read = debug_correlation_id(&ran, &format!("{IMPORT_JOBS}/{}", job.id));
    assert_eq!(
        errors(&ran),
        [format!(
            "::error title=Import failed::{message}%0A- {}%0A- {}%0ACorrelation id: {read}%0ANext: Fix the flow file as Archy's messages say (or its substitutions) and run again; an Archy version difference between orgs shows as a property that \"cannot be assigned a value\".",
            said[0], said[1]
        )],
        "{ran}"
    );
    assert_eq!(ran.output("error"), format!("Import failed: {message}"));
    let validation: Vec<String> =
        serde_json::from_str(ran.output("validation-errors")).expect("a JSON array");
    assert_eq!(validation, said);
    // The summary quotes them verbatim, as does the audit trail.
    assert!(
        ran.summary.contains(&format!(
            "**What the import job said:**\n\n- {}\n- {}\n",
            said[0], said[1]
        )),
        "{ran}"
    );
    // One line per status change: the job's end is written once, with its messages.
    let ended: Vec<Value> = audit_lines(&ran, "import_status")
        .into_iter()
        .filter(|l| l["status"] == "Failure")
        .collect();
    assert_eq!(ended.len(), 1, "{ran}");
    let failure = &ended[0];
    assert_eq!(failure["details"]["job_id"], job.id.as_str());
    assert_eq!(failure["details"]["messages"], json!(said));
    let failed = audit_line(&ran, "deployment_failed");
    assert_eq!(failed["details"]["reason"], message.as_str());
    assert_eq!(failed["details"]["published"], false);
    assert_eq!(failed["correlation_id"], read.as_str());
}

#[tokio::test]
async fn an_import_job_failing_without_messages_still_names_the_job_and_the_correlation_id() {
    let world = World::start(with_job_faults(
        json!([{ "kind": "import_failure_without_messages" }]),
    ))
    .await;

    let ran = world.run_release(&deploy(DEV, &[])).await;

    assert_release_outcome(&ran, &world, 1, "failed", FAILED_IMPORT);
    assert_old_version_still_live(&ran, &world);
    let job = &world.jobs_of(JobKind::Import)[0];
    assert_eq!(job.status, JobStatus::Failure);
    assert_eq!(job.messages, None, "the fault gives no messages at all");
    let read = debug_correlation_id(&ran, &format!("{IMPORT_JOBS}/{}", job.id));
    let message = format!(
        "import job {} for {FLOW_FILE} (flow \"{BOT_NAME}\") failed and gave no message",
        job.id
    );
    assert_eq!(
        errors(&ran),
        [format!(
            "::error title=Import failed::{message}%0A- job id {}%0ACorrelation id: {read}%0ANext: Fix the flow file as Archy's messages say (or its substitutions) and run again; an Archy version difference between orgs shows as a property that \"cannot be assigned a value\".",
            job.id
        )],
        "{ran}"
    );
    assert!(
        ran.summary
            .contains(&format!("Platform correlation id `{read}`.")),
        "{ran}"
    );
    let failed = audit_line(&ran, "deployment_failed");
    assert_eq!(failed["details"]["reason"], message.as_str());
    assert_eq!(failed["correlation_id"], read.as_str());
}

#[tokio::test]
async fn an_import_job_that_never_ends_times_out_with_the_outcome_unknown() {
    let world = World::start(with_job_faults(json!([{ "kind": "import_never_ends" }]))).await;

    let ran = world
        .run_release(&deploy(DEV, &[("timeout-seconds", "2")]))
        .await;

    // Rule 7: the job still runs and may yet publish, so what will be live is unknown.
    assert_release_outcome(
        &ran,
        &world,
        2,
        "timed-out",
        &[
            "deployment_started",
            "export_status",
            "backup_exported",
            "drift_checked",
            "dependency_validation_passed",
            "import_status",
            "deployment_timed_out",
            "metrics",
        ],
    );
    assert_eq!(statuses(&ran, "import_status"), ["Registered", "Started"]);
    let job = &world.jobs_of(JobKind::Import)[0];
    assert_eq!(job.status, JobStatus::Started, "still running");
    let timed_out = audit_line(&ran, "deployment_timed_out");
    assert_eq!(timed_out["details"]["job_id"], job.id.as_str());
    assert_eq!(timed_out["details"]["timeout_seconds"], 2);
    // What is live is said as it is: 1.0, for now.
    assert_eq!(world.live().as_deref(), Some("1.0"));
    assert_eq!(ran.output("published-version"), "1.0");
    assert!(world.publishes().is_empty(), "{}", world.log());
    let backup = ran.output("backup-file");
    assert_eq!(
        errors(&ran),
        [format!(
            "::error title=Import timed out::import job {id} did not end within 2 s; the job may still publish the file (version 1.0 is live for now)%0ANext: Watch import job {id} and bot {BOT} in Architect; if the file's version goes live and must not stay, import the backup again (the backup-file output).",
            id = job.id
        )],
        "{ran}"
    );
    assert!(
        ran.summary.starts_with(
            "## ⏱️ Publish of Appointment Bot to dev timed out; its outcome is unknown"
        ),
        "{ran}"
    );
    assert!(ran.left_file(backup).is_some(), "the backup is kept\n{ran}");
}

#[tokio::test]
async fn an_upload_the_storage_host_refuses_fails_before_anything_is_imported() {
    let world = World::start(with_job_faults(json!([{ "kind": "upload_refused" }]))).await;

    let ran = world.run_release(&deploy(DEV, &[])).await;

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
            "dependency_validation_passed",
            "deployment_failed",
            "metrics",
        ],
    );
    assert_old_version_still_live(&ran, &world);
    let job = &world.jobs_of(JobKind::Import)[0];
    assert_eq!(job.status, JobStatus::Registered, "the file never arrived");
    assert_eq!(job.uploads.len(), 1, "a refused upload is not retried");
    assert_eq!(job.uploads[0].status, 403);
    let [error] = errors(&ran)[..] else {
        panic!("one error annotation\n{ran}");
    };
    let url = format!(
        "{}/presigned/architect-jobs/{}",
        world.sandbox.api_url(),
        job.id
    );
    let expected_start = format!(
        "::error title=Import failed::the import job for {FLOW_FILE} could not be started: PUT {url} answered HTTP 403 (AccessDenied): Access Denied [request id "
    );
    assert!(error.starts_with(&expected_start), "{error}");
    assert!(
        error.ends_with("]%0AError code: AccessDenied%0ANext: The storage host refused the presigned URL: it may have expired or been used already. Run again to register a new job."),
        "{error}"
    );
    assert!(
        !error.contains("X-Amz-Signature"),
        "the URL's signature is a credential\n{error}"
    );
}

#[tokio::test]
async fn an_export_failing_the_known_transient_way_is_tried_again_and_the_run_succeeds() {
    let world = World::start(with_job_faults(
        json!([{ "kind": "export_failure", "first": 1 }]),
    ))
    .await;

    let ran = world.run_release(&deploy(DEV, &[])).await;

    assert_release_outcome(&ran, &world, 0, "published", CLEAN_DEPLOYMENT);
    let exports = world.jobs_of(JobKind::Export);
    assert_eq!(
        exports.len(),
        3,
        "failed, retried, identity\n{}",
        world.log()
    );
    assert_eq!(exports[0].status, JobStatus::Failure);
    let said: Vec<&str> = exports[0]
        .messages
        .iter()
        .flatten()
        .map(|m| m.text.as_str())
        .collect();
    assert!(
        said.contains(&"setting the Archy exit code to 107"),
        "{said:?}"
    );
    assert_eq!(
        (exports[1].status, exports[1].version.as_deref()),
        (JobStatus::Success, Some("1.0"))
    );
    let export_lines = audit_lines(&ran, "export_status");
    let backup_statuses: Vec<(&str, &str)> = export_lines
        .iter()
        .filter(|l| l["version"] == "1.0")
        .map(|l| {
            (
                l["details"]["job_id"].as_str().expect("job id"),
                l["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert_eq!(
        backup_statuses,
        [
            (exports[0].id.as_str(), "Failure"),
            (exports[1].id.as_str(), "Success")
        ],
        "{ran}"
    );
    assert_eq!(
        audit_line(&ran, "backup_exported")["details"]["job_id"],
        exports[1].id.as_str()
    );
    let backup = ran.left_file(ran.output("backup-file")).expect("a backup");
    assert_eq!(
        serde_norway::from_str::<Value>(&backup).expect("YAML"),
        serde_norway::from_str::<Value>(DEMO_YAML_BOT_YAML).expect("YAML")
    );
    assert_eq!(world.live().as_deref(), Some("2.0"));
    assert!(errors(&ran).is_empty(), "{ran}");
}

#[tokio::test]
async fn a_429_on_the_import_job_route_is_waited_out_as_retry_after_says() {
    let mut s = release_scenario();
    s["faults"] = json!([{ "kind": "rate_limit", "route": "GET /api/v2/flows/jobs/*",
                          "first": 1, "retry_after_secs": 1 }]);
    let world = World::start(s).await;

    let ran = world.run_release(&deploy(DEV, &[])).await;

    assert_release_outcome(&ran, &world, 0, "published", CLEAN_DEPLOYMENT);
    assert_eq!(ran.output("rate-limited"), "1");
    assert_eq!(ran.output("retries"), "1");
    let job = &world.jobs_of(JobKind::Import)[0];
    let reads: Vec<_> = world
        .requests()
        .into_iter()
        .filter(|r| r.path == format!("{IMPORT_JOBS}/{}", job.id))
        .collect();
    assert_eq!(reads[0].status, 429, "{}", world.log());
    assert_eq!(reads[1].status, 200, "{}", world.log());
    let waited = reads[1].at - reads[0].at;
    assert!(
        waited >= std::time::Duration::from_secs(1),
        "read again after {waited:?}, before Retry-After's 1 s\n{}",
        world.log()
    );
    assert_eq!(job.status, JobStatus::Success);
    assert_eq!(world.live().as_deref(), Some("2.0"));
    assert!(
        errors(&ran).is_empty() && warnings(&ran).is_empty(),
        "{ran}"
    );
}

const SMOKE: &str = include_str!("../../examples/smoke/appointments.yml");

#[tokio::test]
async fn a_file_failing_its_smoke_test_is_rolled_back_by_importing_the_backup() {
    let world = World::start(release_scenario()).await;
    let broken = FLOW_YAML.replace(
        "is open Monday to Friday, 8:00 to 18:00",
        "is closed until further notice",
    );
    assert_ne!(broken, FLOW_YAML);

    let ran = world
        .run_with_files(
            &deploy(DEV, &[("smoke-test", "smoke.yml")]),
            &[
                (FLOW_FILE, broken.as_str()),
                (DEV, DEV_YAML),
                ("smoke.yml", SMOKE),
            ],
        )
        .await;

    assert_release_outcome(
        &ran,
        &world,
        1,
        "rolled-back",
        &[
            "deployment_started",
            "export_status",
            "backup_exported",
            "drift_checked",
            "dependency_validation_passed",
            "import_status",
            "publish_status",
            "export_status",
            "identity_checked",
            "smoke_test_started",
            "smoke_test_failed",
            "rollback_started",
            "import_status",
            "export_status",
            "rollback_completed",
            "metrics",
        ],
    );
    // The backup of 1.0 went in again as 3.0, and its export proved it is 1.0's content.
    let imports = world.jobs_of(JobKind::Import);
    assert_eq!(imports.len(), 2, "{}", world.log());
    assert_eq!(imports[0].version.as_deref(), Some("2.0"));
    assert_eq!(imports[1].version.as_deref(), Some("3.0"));
    assert_eq!(imports[1].status, JobStatus::Success);
    assert!(!imports[1].created_flow);
    let backup = ran.left_file(ran.output("backup-file")).expect("a backup");
    assert_eq!(imports[1].uploads[0].bytes, backup.len());
    let exports = world.jobs_of(JobKind::Export);
    let exported: Vec<Option<&str>> = exports.iter().map(|e| e.version.as_deref()).collect();
    assert_eq!(exported, [Some("1.0"), Some("2.0"), Some("3.0")]);
    assert_eq!(world.live().as_deref(), Some("3.0"));
    assert_eq!(ran.output("published-version"), "3.0");
    assert_eq!(ran.output("target-version"), "2.0");
    assert!(
        world.publishes().is_empty(),
        "imports publish\n{}",
        world.log()
    );
    let completed = audit_line(&ran, "rollback_completed");
    assert_eq!(completed["version"], "1.0");
    assert_eq!(
        completed["details"],
        json!({ "live_version": "3.0", "same_content_as": "1.0" })
    );
    // Each import is seen registered and ended; whether a read caught one `Started` is timing.
    let mut seen = statuses(&ran, "import_status");
    seen.retain(|s| s != "Started");
    assert_eq!(
        seen,
        ["Registered", "Success", "Registered", "Success"],
        "{ran}"
    );
    let errors = errors(&ran);
    assert_eq!(errors.len(), 1, "{ran}");
    assert!(
        errors[0].starts_with("::error title=Smoke test failed::version 2.0 went live but 1 of 2 smoke-test conversation(s) failed; the backup of version 1.0 was imported again as version 3.0, which is live%0A- conversation \"Tells the opening hours\" failed at turn 2: user said \"What are your opening hours?\"; expected contains \"open Monday to Friday\"; session ends: exit; bot answered \"Riverside Clinic (dev) is closed until further notice."),
        "{ran}"
    );
    assert!(
        ran.summary.starts_with(
            "## ↩️ Appointment Bot 2.0 failed in dev and was rolled back; version 3.0 is live"
        ),
        "{ran}"
    );
}

#[tokio::test]
async fn a_live_release_that_fails_its_smoke_test_on_a_re_run_is_rolled_back_to_the_version_before_it()
 {
    // Rule 17 on the flow-file path: the re-run finds this release live (`unchanged`), holds
    // the smoke test, and it fails. What goes back is the version live before the release
    // (1.0, retired by the first run), never the failing release's own backup.
    let world = World::start(release_scenario()).await;
    let first = world.run_release(&deploy(DEV, &[])).await;
    assert_eq!(first.output("status"), "published", "{first}");
    let smoke = "version: 1\nconversations:\n  - name: Says goodbye first\n    turns:\n      - bot: { contains: Goodbye }\n";
    let mut files = repository();
    files.push(("smoke.yml", smoke));

    let ran = world
        .run_with_files(&deploy(DEV, &[("smoke-test", "smoke.yml")]), &files)
        .await;

    assert_eq!(ran.code, Some(1), "{ran}\n{}", world.log());
    assert_eq!(ran.output("status"), "rolled-back", "{ran}");
    assert_eq!(world.live().as_deref(), Some("1.0"), "{}", world.log());
    assert_eq!(ran.output("published-version"), "1.0");
    assert_eq!(ran.output("previous-version"), "1.0");
    // Only the first run imported anything.
    assert_eq!(world.jobs_of(JobKind::Import).len(), 1, "{}", world.log());
    assert_eq!(
        audit_line(&ran, "rollback_completed")["details"]["live_version"],
        "1.0"
    );
}

#[tokio::test]
async fn a_job_read_refused_after_the_upload_never_says_nothing_was_imported() {
    // The file is uploaded; reading the job is refused (a role without
    // architect:job:view). The job may still publish the file: the run reads the flow and
    // says what is live, never "nothing was imported".
    let mut s = release_scenario();
    s["faults"] = json!([{ "kind": "forbidden", "route": "GET /api/v2/flows/jobs/*",
                          "permission": "architect:job:view" }]);
    let world = World::start(s).await;

    let ran = world.run_release(&deploy(DEV, &[])).await;

    assert_eq!(
        world.jobs_of(JobKind::Import)[0].uploads.len(),
        1,
        "uploaded"
    );
    let said = errors(&ran).join("\n");
    assert!(!said.contains("nothing was imported"), "{ran}");
    assert!(!said.contains("could not be started"), "{ran}");
    assert!(said.contains("was uploaded"), "{ran}");
    assert!(said.contains("architect:job:view"), "{ran}");
    // What is live was read, and the outputs say it.
    assert_eq!(
        ran.output("published-version"),
        world.live().unwrap_or_default(),
        "{ran}"
    );
    assert_ne!(ran.output("status"), "published", "{ran}");
}
