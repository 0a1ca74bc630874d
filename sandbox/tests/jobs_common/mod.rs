//! Helpers of the job tests: a scenario with a YAML bot and a scripted one, the import's
//! register-and-upload, the export's register-and-download, and a wait for a job's end.

#![allow(dead_code, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use genesys_sandbox::*;
use serde_json::{Value, json};

use crate::common::*;

/// The fixture bot's YAML (`tests/fixtures/clinic_bot.yaml`).
pub const CLINIC_YAML: &str = include_str!("../fixtures/clinic_bot.yaml");
/// The YAML bot: `1.0` from `CLINIC_YAML`, published.
pub const CLINIC: &str = "c1111111-0000-4000-8000-000000000001";
/// A scripted DIGITALBOT: `1.0` published, `2.0` checked in.
pub const SCRIPTED: &str = "c2222222-0000-4000-8000-000000000002";
/// An inbound message flow.
pub const INBOUND: &str = "c3333333-0000-4000-8000-000000000003";
/// The queue the fixture hands over to ("Front Desk") and its data action ("Get Booking Slots").
pub const QUEUE: &str = "q-1";
pub const ACTION: &str = "a-1";
pub const IMPORTS: &str = "/api/v2/flows/jobs";
pub const EXPORTS: &str = "/api/v2/flows/export/jobs";

/// The scenario, with `extra` top-level keys merged in.
pub fn scenario(extra: Value) -> Scenario {
    let mut json = json!({
        "publish_duration_ms": 300,
        "import_duration_ms": 800,
        "export_duration_ms": 400,
        "clients": [{"id": DEMO_CLIENT_ID, "secret": DEMO_CLIENT_SECRET, "name": "CI"}],
        "queues": [{"id": QUEUE, "name": "Front Desk"}, {"id": "q-2", "name": "Billing"}],
        "data_actions": [{"id": ACTION, "name": "Get Booking Slots", "integration": "Scheduling"}],
        "knowledge_bases": [{"id": "kb-1", "name": "Clinic FAQ"}],
        "flows": [
            {"id": CLINIC, "name": "Clinic Bot", "type": "DIGITALBOT", "published_version": "1.0",
             "checked_in_version": "1.0", "versions": [{"id": "1.0", "yaml": CLINIC_YAML}]},
            {"id": SCRIPTED, "name": "Scripted Bot", "type": "DIGITALBOT",
             "description": "Answers with a script", "published_version": "1.0",
             "checked_in_version": "2.0", "versions": [
                {"id": "1.0"},
                {"id": "2.0", "bot": {"greeting": {"text": "Hello from the script"},
                    "replies": [{"utterance": "agent", "reply": {"text": "Transferring.",
                        "ends": {"kind": "exit", "reason": "AgentRequestedByUser"}}}]}}]},
            {"id": INBOUND, "name": "SMS Entry", "type": "INBOUNDSHORTMESSAGE",
             "published_version": "1.0", "versions": [{"id": "1.0"}]}
        ],
    });
    if let (Some(base), Some(more)) = (json.as_object_mut(), extra.as_object()) {
        base.extend(more.clone());
    }
    Scenario::from_json_str(&json.to_string()).unwrap()
}

/// `POST /api/v2/flows/jobs`.
pub async fn register_import(sb: &Sandbox, t: &str) -> Value {
    let resp = post(sb, t, IMPORTS).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// `PUT`s `body` to a presigned URL with these headers (no bearer token).
pub async fn put(url: &str, headers: &[(&str, &str)], body: &str) -> reqwest::Response {
    let mut req = http().put(url).body(body.to_owned());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

/// The headers a registration answered, as pairs.
pub fn headers_of(job: &Value) -> Vec<(String, String)> {
    job["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

/// Registers an import and uploads `text` with the headers it asked for; the job id.
pub async fn import(sb: &Sandbox, t: &str, text: &str) -> String {
    let job = register_import(sb, t).await;
    let headers = headers_of(&job);
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let resp = put(job["presignedUrl"].as_str().unwrap(), &pairs, text).await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    job["id"].as_str().unwrap().to_owned()
}

/// Reads the job (`base` is `IMPORTS` or `EXPORTS`) until it ends; returns its last answer
/// and every status seen.
pub async fn wait_job(sb: &Sandbox, t: &str, base: &str, id: &str) -> (Value, Vec<String>) {
    let start = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    loop {
        let (status, job) = get_json(sb, t, &format!("{base}/{id}?expand=messages")).await;
        assert_eq!(status, 200, "{job}");
        let s = job["status"].as_str().unwrap().to_owned();
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if s == "Success" || s == "Failure" {
            return (job, seen);
        }
        assert!(start.elapsed() < DEADLINE, "job did not end: {job}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Registers an export of `flow` (and `version`, when given); the job id.
pub async fn register_export(sb: &Sandbox, t: &str, flow: &str, version: Option<&str>) -> String {
    let mut reference = json!({"id": flow});
    if let Some(v) = version {
        reference["version"] = json!(v);
    }
    let body = json!({"flows": [{"flow": reference, "exportType": "Yaml"}]});
    let (status, answer) = post_body(sb, t, EXPORTS, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "Registered");
    assert_eq!(answer["totalFlows"], 1);
    answer["id"].as_str().unwrap().to_owned()
}

/// Exports a version and downloads it: the YAML text.
pub async fn export(sb: &Sandbox, t: &str, flow: &str, version: &str) -> String {
    let id = register_export(sb, t, flow, Some(version)).await;
    let (job, _) = wait_job(sb, t, EXPORTS, &id).await;
    assert_eq!(job["status"], "Success", "{job}");
    let resp = http()
        .get(job["downloadUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

pub async fn post_body(sb: &Sandbox, t: &str, path: &str, body: &Value) -> (u16, Value) {
    let resp = http()
        .post(format!("{}{path}", sb.api_url()))
        .bearer_auth(t)
        .json(body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// The job's record.
pub fn job_record(sb: &Sandbox, id: &str) -> JobRecord {
    sb.jobs().into_iter().find(|j| j.id == id).unwrap()
}

/// A YAML value with every `id` key under the NLU domain dropped, for comparing content.
pub fn without_nlu_ids(text: &str) -> serde_norway::Value {
    let mut doc: serde_norway::Value = serde_norway::from_str(text).unwrap();
    fn strip(v: &mut serde_norway::Value) {
        match v {
            serde_norway::Value::Mapping(m) => {
                m.remove("id");
                m.values_mut().for_each(strip);
            }
            serde_norway::Value::Sequence(s) => s.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let top = doc.as_mapping_mut().unwrap().values_mut().next().unwrap();
    if let Some(nlu) = top.get_mut("settingsNaturalLanguageUnderstanding") {
        strip(nlu);
    }
    doc
}
