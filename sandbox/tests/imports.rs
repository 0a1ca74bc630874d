//! Import jobs: registration, the presigned upload and its header check, the status over time,
//! the version (or flow) they create and publish, REST and push, failures and faults.

#![allow(clippy::unwrap_used)]

mod common;
mod jobs_common;
mod push_common;

use std::time::Duration;

use common::*;
use genesys_sandbox::*;
use jobs_common::*;
use push_common::{SUCCESS_ORDER, listen, next_event, status as event_status};
use serde_json::{Value, json};

const NEW_GREETING: &str = "tomorrow at 9";

#[tokio::test]
async fn an_import_registers_starts_and_publishes_a_new_version() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let job = register_import(&sb, &t).await;
    let id = job["id"].as_str().unwrap().to_owned();
    let url = job["presignedUrl"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/presigned/architect-jobs/{id}?", sb.base_url())),
        "{url}"
    );
    assert!(url.contains("X-Amz-Signature="));
    let headers: Vec<(String, String)> = headers_of(&job);
    let expected: Vec<(String, String)> = UPLOAD_HEADERS
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(headers, expected);
    assert_eq!(job["selfUri"], format!("/api/v2/flows/jobs/{id}"));

    // Before the upload: Registered, no flow, messages only when expanded.
    let (status, before) = get_json(&sb, &t, &format!("{IMPORTS}/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (before["status"].as_str(), before["command"].as_str()),
        (Some("Registered"), Some("Publish"))
    );
    assert!(before.get("messages").is_none() && before.get("flow").is_none());
    let (_, expanded) = get_json(&sb, &t, &format!("{IMPORTS}/{id}?expand=messages")).await;
    assert_eq!(expanded["messages"], json!([]));

    let text = CLINIC_YAML.replace(NEW_GREETING, "today at 4");
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let resp = put(url, &pairs, &text).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("ETag").is_some());
    let (done, seen) = wait_job(&sb, &t, IMPORTS, &id).await;
    // Read from the upload on: Started (unless the job ended before the first read), Success.
    assert!(
        seen == ["Started", "Success"] || seen == ["Success"],
        "{seen:?}"
    );
    assert_eq!(
        done["flow"],
        json!({"id": CLINIC, "name": "Clinic Bot", "selfUri": format!("/api/v2/flows/{CLINIC}")})
    );
    assert_eq!(done["messages"], json!([]));

    // The schedule, exactly: Started at the upload, Success 800 ms later; the publish in the
    // second half ends with it.
    let rec = job_record(&sb, &id);
    let uploaded = rec.uploaded_at.unwrap();
    let completed = rec.completed_at.unwrap();
    assert_eq!(completed - uploaded, Duration::from_millis(800));
    assert_eq!(
        rec.transitions.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [
            JobStatus::Registered,
            JobStatus::Started,
            JobStatus::Success
        ]
    );
    assert_eq!(
        (
            rec.flow_id.as_deref(),
            rec.version.as_deref(),
            rec.created_flow
        ),
        (Some(CLINIC), Some("2.0"), false)
    );
    assert_eq!((rec.uploads.len(), rec.uploads[0].status), (1, 200));
    let op = sb
        .operations()
        .into_iter()
        .find(|o| o.flow_id == CLINIC)
        .unwrap();
    assert_eq!(op.version, "2.0");
    assert_eq!(op.started_at, uploaded + Duration::from_millis(400));
    assert_eq!(op.completed_at, Some(completed));

    let (_, flow) = get_json(&sb, &t, &format!("/api/v2/flows/{CLINIC}")).await;
    assert_eq!(flow["publishedVersion"]["id"], "2.0");
    assert_eq!(flow["checkedInVersion"]["id"], "2.0");
    assert_eq!(flow["currentOperation"]["actionStatus"], "SUCCESS");
    assert!(flow["publishedVersion"]["datePublished"].is_string());

    // Its configuration is the YAML as JSON with the platform's ids, plus the volatile keys.
    let path = format!("/api/v2/flows/{CLINIC}/versions/2.0/configuration");
    let (_, config) = get_json(&sb, &t, &path).await;
    let intents = &config["digitalBotFlow"]["settingsNaturalLanguageUnderstanding"]["nluDomainVersion"]
        ["intents"];
    assert_eq!(intents[0]["name"], "Book an Appointment");
    assert_ne!(intents[0]["id"], "093519be-4533-4ff3-a488-1397b3f3bf45");
    assert_eq!(config["createdBy"]["id"], DEMO_CLIENT_ID);
    assert_eq!(config["version"], "2.0");

    // The upload went without a token and is in the request log.
    let upload = sb
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert_eq!((upload.status, upload.authorization_present), (200, false));
    sb.shutdown().await;
}

#[tokio::test]
async fn the_import_publish_is_pushed_on_the_flow_topic() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let (_, mut ws) = listen(&sb, &t, &[CLINIC]).await;
    let id = import(&sb, &t, CLINIC_YAML).await;
    let mut op_id = None;
    for expected in SUCCESS_ORDER {
        let event = next_event(&mut ws).await;
        assert_eq!(event_status(&event), expected);
        let op = &event["eventBody"]["currentOperation"];
        assert_eq!(op["actionName"], "PUBLISH");
        assert_eq!(op["client"]["id"], DEMO_CLIENT_ID);
        op_id.get_or_insert_with(|| op["id"].clone());
        assert_eq!(Some(&op["id"]), op_id.as_ref());
        assert_eq!(event["eventBody"]["checkedInVersion"], json!({"id": "2.0"}));
    }
    let rec = job_record(&sb, &id);
    let success = sb
        .notifications()
        .into_iter()
        .find(|p| p.action_status == Some(ActionStatus::Success))
        .unwrap();
    // The terminal event is written at (never before) the job's end.
    assert!(success.at >= rec.completed_at.unwrap());
    sb.shutdown().await;
}

#[tokio::test]
async fn uploads_are_refused_like_s3() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let job = register_import(&sb, &t).await;
    let url = job["presignedUrl"].as_str().unwrap().to_owned();
    let id = job["id"].as_str().unwrap();
    let good = [
        ("Content-Type", "application/octet-stream"),
        ("x-amz-server-side-encryption", "AES256"),
    ];
    let missing = put(&url, &good[..1], CLINIC_YAML).await;
    assert_eq!(missing.status(), 403);
    assert_eq!(missing.headers()["content-type"], "application/xml");
    let body = missing.text().await.unwrap();
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );
    let other = put(
        &url,
        &[good[0], ("x-amz-server-side-encryption", "aws:kms")],
        CLINIC_YAML,
    )
    .await;
    assert_eq!(other.status(), 403);
    let unsigned = url.replace("X-Amz-Signature=", "X-Amz-Signature=0");
    assert_eq!(put(&unsigned, &good, CLINIC_YAML).await.status(), 403);
    let (_, still) = get_json(&sb, &t, &format!("{IMPORTS}/{id}")).await;
    assert_eq!(still["status"], "Registered");
    assert_eq!(put(&url, &good, CLINIC_YAML).await.status(), 200);
    let twice = put(&url, &good, CLINIC_YAML).await;
    assert_eq!(twice.status(), 403);
    assert!(
        twice
            .text()
            .await
            .unwrap()
            .contains("<Code>AccessDenied</Code>")
    );
    let unknown = url.replace(id, "00000000-0000-4000-8000-000000000000");
    assert_eq!(put(&unknown, &good, CLINIC_YAML).await.status(), 404);
    let rec = job_record(&sb, id);
    let uploads: Vec<(u16, Option<String>)> = rec
        .uploads
        .iter()
        .map(|u| (u.status, u.refused.clone()))
        .collect();
    assert_eq!(
        uploads,
        [
            (
                403,
                Some("header x-amz-server-side-encryption is missing".to_owned())
            ),
            (
                403,
                Some(
                    "header x-amz-server-side-encryption is \"aws:kms\", not \"AES256\"".to_owned()
                )
            ),
            (403, Some("the X-Amz-Signature is wrong".to_owned())),
            (200, None),
            (403, Some("the job's file was uploaded already".to_owned())),
        ]
    );
    // An unknown import job id is the 404 envelope.
    assert_envelope(
        get(&sb, &t, &format!("{IMPORTS}/nope")).await,
        404,
        "not.found",
    )
    .await;
    sb.shutdown().await;
}

#[tokio::test]
async fn a_renamed_file_creates_and_publishes_a_new_flow() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let renamed = CLINIC_YAML.replace("name: Clinic Bot", "name: Clinic Bot (renamed)");
    let id = import(&sb, &t, &renamed).await;
    let (done, _) = wait_job(&sb, &t, IMPORTS, &id).await;
    assert_eq!(done["status"], "Success");
    let new_id = done["flow"]["id"].as_str().unwrap().to_owned();
    assert_ne!(new_id, CLINIC);
    let rec = job_record(&sb, &id);
    assert!(rec.created_flow);
    assert_eq!(rec.version.as_deref(), Some("1.0"));
    let (_, listing) = get_json(&sb, &t, "/api/v2/flows?name=renamed").await;
    assert_eq!(listing["total"], 1);
    assert_eq!(listing["entities"][0]["id"], new_id.as_str());
    assert_eq!(listing["entities"][0]["type"], "DIGITALBOT");
    assert_eq!(listing["entities"][0]["publishedVersion"]["id"], "1.0");
    let (_, old) = get_json(&sb, &t, &format!("/api/v2/flows/{CLINIC}")).await;
    assert_eq!(
        old["checkedInVersion"]["id"], "1.0",
        "the old flow is untouched"
    );
    sb.shutdown().await;
}

async fn failed(sb: &Sandbox, t: &str, text: &str) -> Value {
    let id = import(sb, t, text).await;
    let (done, _) = wait_job(sb, t, IMPORTS, &id).await;
    assert_eq!(done["status"], "Failure", "{done}");
    assert!(done.get("flow").is_none());
    let (_, plain) = get_json(sb, t, &format!("{IMPORTS}/{id}")).await;
    assert!(plain.get("messages").is_none(), "only with expand=messages");
    done
}

fn texts(job: &Value) -> Vec<String> {
    job["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["type"], "Error");
            assert!(m["dateTime"].as_str().unwrap().ends_with('Z'));
            m["text"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn unusable_files_fail_the_job_with_messages() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let left = failed(
        &sb,
        &t,
        &CLINIC_YAML.replace("Front Desk", "{{queue_name}}"),
    )
    .await;
    assert_eq!(
        texts(&left)[0],
        "pre-processor substitution key of '{{queue_name}}' was found in the flow YAML, but \
         was not found in the options file."
    );
    let broken = failed(&sb, &t, "digitalBotFlow:\n  name: [unclosed\n").await;
    assert!(texts(&broken)[0].contains("the flow YAML could not be parsed"));
    assert_eq!(texts(&broken)[1], "setting the Archy exit code to 100");
    let inbound = failed(&sb, &t, "inboundShortMessage:\n  name: SMS Entry\n").await;
    assert!(texts(&inbound)[0].contains("is not a bot flow type"));
    let bot = failed(&sb, &t, &CLINIC_YAML.replace("digitalBotFlow:", "botFlow:")).await;
    assert!(
        texts(&bot)[0].contains("exists with type DIGITALBOT, but the YAML describes a botFlow")
    );
    let (_, flow) = get_json(&sb, &t, &format!("/api/v2/flows/{CLINIC}")).await;
    assert_eq!(flow["checkedInVersion"]["id"], "1.0", "nothing checked in");
    assert!(sb.operations().is_empty(), "nothing published");
    sb.shutdown().await;
}

#[tokio::test]
async fn update_only_imports_check_in_without_publishing() {
    let sb = start(scenario(json!({"import_publishes": false}))).await;
    let t = token(&sb).await;
    let id = import(&sb, &t, CLINIC_YAML).await;
    let (done, _) = wait_job(&sb, &t, IMPORTS, &id).await;
    assert_eq!(
        (done["status"].as_str(), done["command"].as_str()),
        (Some("Success"), Some("Update"))
    );
    let (_, flow) = get_json(&sb, &t, &format!("/api/v2/flows/{CLINIC}")).await;
    assert_eq!(flow["checkedInVersion"]["id"], "2.0");
    assert_eq!(flow["publishedVersion"]["id"], "1.0");
    assert!(sb.operations().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn job_faults_fail_with_or_without_messages_refuse_uploads_and_never_end() {
    let faults = json!({"job_faults": [
        {"kind": "upload_refused", "first": 1},
        {"kind": "import_failure", "first": 1},
        {"kind": "import_failure_without_messages", "after_nth": 2, "first": 1, "duration_ms": 100},
        {"kind": "import_failure", "after_nth": 3, "first": 1, "messages": ["Custom failure"]},
        {"kind": "import_never_ends", "after_nth": 4, "first": 1}
    ]});
    let sb = start(scenario(faults)).await;
    let t = token(&sb).await;
    // The first PUT is refused (the job stays Registered); the retry is the 1st accepted upload.
    let job = register_import(&sb, &t).await;
    let url = job["presignedUrl"].as_str().unwrap();
    let good = [
        ("Content-Type", "application/octet-stream"),
        ("x-amz-server-side-encryption", "AES256"),
    ];
    let refused = put(url, &good, CLINIC_YAML).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("AccessDenied"));
    assert_eq!(put(url, &good, CLINIC_YAML).await.status(), 200);
    let first = job["id"].as_str().unwrap();
    let (done, _) = wait_job(&sb, &t, IMPORTS, first).await;
    let archy = texts(&done);
    assert!(
        archy[0].contains("'speechToTextSpeechDetectionSensitivity' cannot be assigned a value")
    );
    assert_eq!(archy[1], "setting the Archy exit code to 100");
    assert_eq!(
        job_record(&sb, first).fault.as_deref(),
        Some("import_failure")
    );

    // 2nd: Failure after 100 ms with no messages at all (TF#1806).
    let second = import(&sb, &t, CLINIC_YAML).await;
    let (silent, _) = wait_job(&sb, &t, IMPORTS, &second).await;
    assert_eq!(silent["status"], "Failure");
    assert!(silent.get("messages").is_none(), "{silent}");
    let rec = job_record(&sb, &second);
    assert_eq!(
        rec.completed_at.unwrap() - rec.uploaded_at.unwrap(),
        Duration::from_millis(100)
    );
    assert_eq!(rec.messages, None);

    let third = import(&sb, &t, CLINIC_YAML).await;
    let (custom, _) = wait_job(&sb, &t, IMPORTS, &third).await;
    assert_eq!(texts(&custom), ["Custom failure"]);

    // 4th never ends: still Started once a 5th, uploaded after it, has ended.
    let fourth = import(&sb, &t, CLINIC_YAML).await;
    let fifth = import(&sb, &t, CLINIC_YAML).await;
    let (ok, _) = wait_job(&sb, &t, IMPORTS, &fifth).await;
    assert_eq!(ok["status"], "Success");
    let stuck = job_record(&sb, &fourth);
    assert_eq!(
        (stuck.status, stuck.completed_at),
        (JobStatus::Started, None)
    );
    assert!(sb.now() > stuck.uploaded_at.unwrap() + Duration::from_millis(800));
    sb.shutdown().await;
}

#[tokio::test]
async fn job_routes_take_rate_limits_and_the_import_holds_the_flow() {
    let faults = json!({"faults": [
        {"kind": "rate_limit", "route": "POST /api/v2/flows/jobs", "first": 1, "retry_after_secs": 3},
        {"kind": "rate_limit", "route": "GET /api/v2/flows/jobs/*", "first": 1}
    ], "import_duration_ms": 60000});
    let sb = start(scenario(faults)).await;
    let t = token(&sb).await;
    let limited = post(&sb, &t, IMPORTS).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["Retry-After"], "3");
    assert_envelope(limited, 429, "too.many.requests.retry.after").await;
    let id = import(&sb, &t, CLINIC_YAML).await;
    let limited = get(&sb, &t, &format!("{IMPORTS}/{id}")).await;
    assert_eq!(limited.status(), 429);
    let (status, running) = get_json(&sb, &t, &format!("{IMPORTS}/{id}")).await;
    assert_eq!((status, running["status"].as_str()), (200, Some("Started")));
    // A publish while the import works on the flow is refused like any concurrent operation.
    let busy = post(
        &sb,
        &t,
        &format!("/api/v2/flows/actions/publish?flow={CLINIC}&version=1.0"),
    )
    .await;
    assert_envelope(busy, 409, "architect.operation.already.in.progress").await;
    let statuses: Vec<(String, u16)> = sb
        .requests()
        .iter()
        .filter(|r| r.path.starts_with(IMPORTS))
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("POST".to_owned(), 429),
            ("POST".to_owned(), 200),
            ("GET".to_owned(), 429),
            ("GET".to_owned(), 200)
        ]
    );
    sb.shutdown().await;
}
