//! The client's calls for deploying from a flow file, against the sandbox's demo scenario:
//! the shapes the sandbox serves must read as the client expects them (export, download,
//! import through the presigned upload, who made the new version, history, callers, names).

use genesys_bot_deploy::config::Config;
use genesys_bot_deploy::genesys::GenesysClient;
use genesys_bot_deploy::genesys::vocabulary::{FlowType, HistoryAction, JobStatus};
use genesys_bot_deploy::github::{Buffer, Console};
use genesys_bot_deploy::redact::Redactor;
use genesys_sandbox::{
    DEMO_CALLER_LATEST_ID, DEMO_CALLER_PINNED_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DEMO_DATA_ACTION_ID, DEMO_KNOWLEDGE_BASE_ID, DEMO_QUEUE_ID, DEMO_YAML_BOT_ID, Sandbox,
    Scenario,
};
use std::future::Future;
use std::time::Duration;

/// How long a job or a history may take in the demo scenario, with room for a loaded machine.
const PATIENCE: Duration = Duration::from_secs(20);

fn client(sandbox: &Sandbox) -> (GenesysClient, Buffer) {
    let url = sandbox.api_url();
    let inputs = [
        ("INPUT_CLIENT-ID", DEMO_CLIENT_ID),
        ("INPUT_CLIENT-SECRET", DEMO_CLIENT_SECRET),
        ("INPUT_BOT-ID", DEMO_YAML_BOT_ID),
        ("INPUT_API-URL", url.as_str()),
        ("INPUT_LOGIN-URL", url.as_str()),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()));
    let config = Config::from_env_iter(inputs).expect("valid inputs");
    let log = Buffer::default();
    let console = Console::new(log.writer(), Redactor::new()).debug(true);
    (GenesysClient::new(&config, console).expect("a client"), log)
}

/// Reads `read` until `done` says so, a few milliseconds apart: the sandbox's jobs end on
/// their own schedule, which only polling can observe.
async fn until<T, F, Fut>(mut read: F, done: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let give_up = tokio::time::Instant::now() + PATIENCE;
    loop {
        let value = read().await;
        if done(&value) || tokio::time::Instant::now() > give_up {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_exported_version_imported_again_becomes_the_clients_new_published_version() {
    let sandbox = Sandbox::start(Scenario::default())
        .await
        .expect("the sandbox starts");
    let (client, log) = client(&sandbox);

    let export = client
        .start_export_job(DEMO_YAML_BOT_ID, "1.0", None)
        .await
        .expect("export registered");
    let exported = until(
        || async {
            client
                .export_job(&export.body.id, None)
                .await
                .expect("export read")
                .body
        },
        |job| job.status.is_terminal(),
    )
    .await;
    assert_eq!(exported.status, JobStatus::Success, "{exported:?}");
    let url = exported.download_url.expect("a download URL");
    let yaml = client
        .download_export(&url, None)
        .await
        .expect("downloaded");
    assert!(yaml.contains("Appointment Bot"), "{yaml}");

    let import = client
        .register_import_job(None)
        .await
        .expect("import registered");
    client
        .upload_flow_file(&import.body, &yaml, None)
        .await
        .expect("uploaded");
    let imported = until(
        || async {
            client
                .import_job(&import.body.id, None)
                .await
                .expect("import read")
                .body
        },
        |job| job.status.is_terminal(),
    )
    .await;
    assert_eq!(imported.status, JobStatus::Success, "{imported:?}");
    let flow_id = imported.flow.and_then(|f| f.id);
    assert_eq!(flow_id.as_deref(), Some(DEMO_YAML_BOT_ID));

    let flow = client
        .get_flow(DEMO_YAML_BOT_ID, None)
        .await
        .expect("the bot")
        .body;
    let live = flow.published_version.expect("a live version");
    let token = client.token_info().await.expect("the token").body;
    assert_eq!(live.id, "2.0");
    assert_eq!(
        live.created_by_client.and_then(|c| c.id).as_deref(),
        token.client_id(),
        "the import's version is the client's own"
    );
    assert!(live.date_published.is_some() && live.date_created.is_some());
    assert_eq!(flow.published_by, None, "a client published it");

    let started = client
        .request_flow_history(DEMO_YAML_BOT_ID, None)
        .await
        .expect("history requested");
    let history_id = started.body.id.expect("a history id");
    let history = until(
        || async {
            client
                .flow_history(DEMO_YAML_BOT_ID, &history_id, 25, None)
                .await
                .expect("history read")
                .body
        },
        |h| h.complete,
    )
    .await;
    let newest = history.entities.first().expect("entries");
    assert_eq!(newest.action, Some(HistoryAction::Publish));
    assert_eq!(newest.version.as_deref(), Some("2.0"));
    assert_eq!(
        newest.client.as_ref().and_then(|c| c.id.as_deref()),
        Some(DEMO_CLIENT_ID)
    );
    let log = log.contents();
    assert!(
        log.contains("::add-mask::"),
        "the query is masked for the runner"
    );
    let text = crate::shared::without_masks(&log);
    for secret in url.secrets() {
        assert!(
            !text.contains(&secret),
            "the log shows a presigned URL's query"
        );
    }
}

#[tokio::test]
async fn the_bots_callers_and_the_names_its_yaml_uses_are_found() {
    let sandbox = Sandbox::start(Scenario::default())
        .await
        .expect("the sandbox starts");
    let (client, _) = client(&sandbox);

    let callers = client
        .callers(DEMO_YAML_BOT_ID, "DIGITALBOTFLOW")
        .await
        .expect("callers");
    let queue = client.queue_named("Appointments").await.expect("queues");
    let action = client
        .data_action_named("Get Booking Slots", Some("Scheduling Lambda"))
        .await
        .expect("data actions");
    let knowledge = client
        .knowledge_base_named("Clinic FAQ")
        .await
        .expect("knowledge bases");
    let bot = client
        .flow_named("Appointment Bot", &FlowType::DigitalBot)
        .await
        .expect("flows");
    let missing = client.queue_named("appointments").await.expect("queues");

    let mut ids: Vec<&str> = callers.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    let mut expected = [DEMO_CALLER_PINNED_ID, DEMO_CALLER_LATEST_ID];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    assert!(callers.iter().all(|c| c.version.is_some()), "{callers:?}");
    assert_eq!(queue.map(|q| q.id).as_deref(), Some(DEMO_QUEUE_ID));
    assert_eq!(action.map(|a| a.id).as_deref(), Some(DEMO_DATA_ACTION_ID));
    assert_eq!(
        knowledge.map(|k| k.id).as_deref(),
        Some(DEMO_KNOWLEDGE_BASE_ID)
    );
    assert_eq!(bot.map(|f| f.id).as_deref(), Some(DEMO_YAML_BOT_ID));
    assert_eq!(missing, None, "names are compared exactly");
}
