//! The client calls for deploying from a flow file, against mockito: import and export jobs,
//! the presigned upload and download (no bearer token, the signature never shown), flow
//! history, callers and the name lookups. Durations are milliseconds (`helpers::config`).
//! This file holds the shared arrangements and the import; the rest is in `jobs/`.

mod export;
mod lookups;
mod upload;

use crate::helpers::*;
use genesys_bot_deploy::config::{Config, Tuning};
use genesys_bot_deploy::genesys::error::with_causes;
use genesys_bot_deploy::genesys::jobs::RegisteredImport;
use genesys_bot_deploy::genesys::storage::MAX_DOWNLOAD_BYTES;
use genesys_bot_deploy::genesys::vocabulary::{JobCommand, JobMessageType, JobStatus};
use genesys_bot_deploy::genesys::{ApiError, GenesysClient};
use genesys_bot_deploy::github::{Buffer, Console};
use genesys_bot_deploy::redact::Redactor;
use mockito::Matcher;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The signature of the presigned URLs here: never to be shown.
pub(super) const SIG: &str = "5e3c0ffee5e3c0ffee5e3c0ffee5e3c0ffee0001";
pub(super) const YAML: &str = "botFlow:\n  name: Billing Assistant\n  startUpRef: ./bot\n";
pub(super) const IMPORT_PATH: &str = "/bucket/architect-jobs/job-1.yaml";
pub(super) const EXPORT_PATH: &str = "/bucket/architect-exports/job-2.yaml";

/// A client with this config, logging debug lines to the returned buffer (no `::add-mask::`
/// lines), and the redactor its console uses.
pub(super) fn client_with(config: &Config) -> (GenesysClient, Buffer, Redactor) {
    let buffer = Buffer::default();
    let redactor = Redactor::new();
    let console = Console::new(buffer.writer(), redactor.clone())
        .in_actions(false)
        .debug(true);
    let client = GenesysClient::new(config, console).expect("a client");
    (client, buffer, redactor)
}

pub(super) fn client(api: &Api) -> (GenesysClient, Buffer, Redactor) {
    client_with(&config(api, &[]))
}

pub(super) fn presigned(api: &Api, path: &str) -> String {
    format!(
        "{}{path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-SignedHeaders=content-type%3Bhost%3Bx-amz-server-side-encryption&X-Amz-Signature={SIG}",
        api.url()
    )
}

pub(super) fn registration(api: &Api) -> serde_json::Value {
    json!({
        "id": "job-1",
        "presignedUrl": presigned(api, IMPORT_PATH),
        "headers": {
            "Content-Type": "application/octet-stream",
            "x-amz-server-side-encryption": "AES256",
        },
        "selfUri": "/api/v2/flows/jobs/job-1",
    })
}

/// A registration read as the API would answer it, without going through the client (so the
/// console's redactor does not know the signature, and what is printed is shown as is).
pub(super) fn registered(api: &Api) -> RegisteredImport {
    serde_json::from_value(registration(api)).expect("a registration")
}

pub(super) fn signed_query() -> Matcher {
    Matcher::UrlEncoded("X-Amz-Signature".into(), SIG.into())
}

pub(super) fn s3_refusal(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><SignatureProvided>{SIG}</SignatureProvided><RequestId>req-9</RequestId></Error>"
    )
}

/// Asserts nothing shows the signature or the query.
pub(super) fn assert_hidden(what: &str, text: &str) {
    assert!(
        !text.contains(SIG) && !text.contains("X-Amz-"),
        "{what} shows the presigned URL's query:\n{text}"
    );
}

#[tokio::test]
async fn an_import_uploads_exactly_the_returned_headers_without_a_token_and_reads_the_job() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let register = api
        .server
        .mock("POST", "/api/v2/flows/jobs")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .with_status(200)
        .with_body(registration(&api).to_string())
        .expect(1)
        .create_async()
        .await;
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let record = Arc::clone(&seen);
    let upload = api
        .server
        .mock("PUT", IMPORT_PATH)
        .match_query(signed_query())
        .match_body(YAML)
        .match_request(move |request| {
            let mut headers = record.lock().expect("not poisoned");
            for (name, value) in request.headers() {
                let value = value.to_str().unwrap_or("(not text)").to_string();
                headers.push((name.as_str().to_string(), value));
            }
            true
        })
        .with_status(200)
        .with_header("ETag", "\"e1\"")
        .expect(1)
        .create_async()
        .await;
    let status = api
        .server
        .mock("GET", "/api/v2/flows/jobs/job-1")
        .match_query(Matcher::UrlEncoded("expand".into(), "messages".into()))
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .with_status(200)
        .with_body(
            json!({
                "id": "job-1", "status": "Success", "command": "Publish",
                "flow": { "id": BOT, "name": "Billing Assistant", "selfUri": "/api/v2/flows/x" },
                "messages": [], "selfUri": "/api/v2/flows/jobs/job-1",
            })
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let (client, console, redactor) = client(&api);

    let job = client.register_import_job(None).await.expect("registered");
    client
        .upload_flow_file(&job.body, YAML, None)
        .await
        .expect("uploaded");
    let state = client.import_job(&job.body.id, None).await.expect("read");

    register.assert_async().await;
    upload.assert_async().await;
    status.assert_async().await;
    let headers = seen.lock().expect("not poisoned").clone();
    let names: BTreeSet<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    assert!(!names.contains("authorization"), "{headers:?}");
    let value = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    assert_eq!(
        value("content-type").map(String::as_str),
        Some("application/octet-stream")
    );
    assert_eq!(
        value("x-amz-server-side-encryption").map(String::as_str),
        Some("AES256")
    );
    let transport: BTreeSet<&str> = ["host", "content-length", "user-agent", "accept"].into();
    let others: Vec<&&str> = names
        .iter()
        .filter(|n| !transport.contains(**n))
        .filter(|n| !["content-type", "x-amz-server-side-encryption"].contains(n))
        .collect();
    assert!(
        others.is_empty(),
        "headers beyond the returned ones: {others:?}"
    );
    assert_eq!(state.body.status, JobStatus::Success);
    assert_eq!(state.body.command, Some(JobCommand::Publish));
    assert_eq!(
        state.body.flow.and_then(|f| f.id).as_deref(),
        Some(BOT),
        "the job names the flow it made"
    );
    assert_eq!(state.body.messages, Some(vec![]));
    // The token request, the registration, the upload and the status read.
    assert_eq!(client.stats().requests, 4);
    assert!(
        redactor.knows(SIG),
        "the signature is handed to the redactor"
    );
    assert_hidden("the debug lines", &console.contents());
    assert_hidden("the registration's Debug", &format!("{:?}", job.body));
}

#[tokio::test]
async fn a_failed_import_keeps_its_messages_or_says_it_has_none() {
    let mut api = Api::new().await;
    api.token(3600.0).await;
    let failure = json!({
        "id": "job-1", "status": "Failure", "command": "Publish",
        "messages": [
            { "dateTime": "2026-01-01T00:00:00.000Z", "type": "Error",
              "text": "the property 'speechToTextSpeechDetectionSensitivity' cannot be assigned a value" },
            { "dateTime": "2026-01-01T00:00:00.000Z", "type": "Error",
              "text": "setting the Archy exit code to 100" },
        ],
    });
    api.server
        .mock("GET", "/api/v2/flows/jobs/job-1")
        .match_query(Matcher::Any)
        .with_body(failure.to_string())
        .create_async()
        .await;
    api.server
        .mock("GET", "/api/v2/flows/jobs/job-2")
        .match_query(Matcher::Any)
        .with_body(json!({ "id": "job-2", "status": "Failure" }).to_string())
        .create_async()
        .await;
    let (client, _, _) = client(&api);

    let with = client.import_job("job-1", None).await.expect("read").body;
    let without = client.import_job("job-2", None).await.expect("read").body;

    assert_eq!(with.status, JobStatus::Failure);
    let messages = with.messages.expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].kind, Some(JobMessageType::Error));
    assert!(
        messages[1]
            .text
            .as_deref()
            .is_some_and(|t| t.ends_with("to 100"))
    );
    assert_eq!(
        without.messages, None,
        "TF#1806: a failure without messages"
    );
}
