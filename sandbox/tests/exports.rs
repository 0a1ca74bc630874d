//! Export jobs: shapes, status over time, the download, the volatile changes an export makes to
//! an imported YAML, the YAML generated for scripted versions, refusals and faults.

#![allow(clippy::unwrap_used)]

mod common;
mod jobs_common;

use std::time::Duration;

use common::*;
use genesys_sandbox::*;
use jobs_common::*;
use serde_json::json;

#[tokio::test]
async fn an_export_job_ends_with_a_download_of_the_yaml() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let id = register_export(&sb, &t, CLINIC, Some("1.0")).await;
    let (_, early) = get_json(&sb, &t, &format!("{EXPORTS}/{id}")).await;
    assert_eq!(early["command"], "Export");
    assert!(early.get("downloadUrl").is_none(), "{early}");
    assert_eq!(early["selfUri"], format!("{EXPORTS}/{id}"));
    let (done, seen) = wait_job(&sb, &t, EXPORTS, &id).await;
    assert_eq!(seen.last().map(String::as_str), Some("Success"));
    assert_eq!(done["messages"], json!([]));
    let rec = job_record(&sb, &id);
    assert_eq!(
        rec.transitions,
        [
            (JobStatus::Registered, rec.registered_at),
            (
                JobStatus::Started,
                rec.registered_at + Duration::from_millis(100)
            ),
            (
                JobStatus::Success,
                rec.registered_at + Duration::from_millis(400)
            ),
        ]
    );
    assert_eq!(
        (rec.kind, rec.version.as_deref()),
        (JobKind::Export, Some("1.0"))
    );
    let url = done["downloadUrl"].as_str().unwrap();
    assert!(url.starts_with(&format!(
        "{}/presigned/architect-exports/{id}?",
        sb.base_url()
    )));
    let resp = http().get(url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/yaml; charset=utf-8");
    assert_eq!(
        resp.headers()["content-disposition"],
        "attachment; filename=\"Clinic_Bot_v1.0.yaml\""
    );
    let text = resp.text().await.unwrap();
    // The scenario's YAML comes back with its content, keys sorted and quoting normalised.
    assert_eq!(without_nlu_ids(&text), without_nlu_ids(CLINIC_YAML));
    assert_ne!(text, CLINIC_YAML);
    let forged = url.replace("X-Amz-Signature=", "X-Amz-Signature=0");
    assert_eq!(http().get(&forged).send().await.unwrap().status(), 403);
    let downloads = job_record(&sb, &id).downloads;
    let statuses: Vec<u16> = downloads.iter().map(|d| d.status).collect();
    assert_eq!(statuses, [200, 403]);
    assert_eq!(downloads[0].bytes, text.len());
    sb.shutdown().await;
}

#[tokio::test]
async fn an_exported_import_differs_only_in_its_volatile_parts() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let id = import(&sb, &t, CLINIC_YAML).await;
    wait_job(&sb, &t, IMPORTS, &id).await;
    let exported = export(&sb, &t, CLINIC, "2.0").await;
    // Same content once the NLU ids are dropped, but the text and the ids differ.
    assert_eq!(without_nlu_ids(&exported), without_nlu_ids(CLINIC_YAML));
    assert_ne!(exported, CLINIC_YAML);
    for kept_id in [
        "093519be-4533-4ff3-a488-1397b3f3bf45",
        "22340f98-7022-4e0d-bab5-c5198c515421",
    ] {
        assert!(CLINIC_YAML.contains(kept_id) && !exported.contains(kept_id));
    }
    let doc: serde_norway::Value = serde_norway::from_str(&exported).unwrap();
    let keys: Vec<&str> = doc["digitalBotFlow"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted, "keys in alphabetical order");
    // A line break makes a block scalar instead of the file's quoted string.
    assert!(exported.contains("exp: |-"));
    // The same version exports the same text again; re-importing the export works.
    assert_eq!(export(&sb, &t, CLINIC, "2.0").await, exported);
    let again = import(&sb, &t, &exported).await;
    let (done, _) = wait_job(&sb, &t, IMPORTS, &again).await;
    assert_eq!(done["status"], "Success");
    assert_eq!(job_record(&sb, &again).version.as_deref(), Some("3.0"));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_scripted_version_exports_a_generated_yaml_without_a_version_the_highest() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let id = register_export(&sb, &t, SCRIPTED, None).await;
    let (done, _) = wait_job(&sb, &t, EXPORTS, &id).await;
    assert_eq!(done["status"], "Success");
    assert_eq!(job_record(&sb, &id).version.as_deref(), Some("2.0"));
    let text = http()
        .get(done["downloadUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let flow = &doc["digitalBotFlow"];
    assert_eq!(flow["name"], "Scripted Bot");
    assert_eq!(flow["description"], "Answers with a script");
    let ask = &flow["bots"][0]["bot"]["actions"][0]["askForIntent"];
    assert_eq!(
        ask["question"]["exp"],
        "MakeCommunication(\n  \"Hello from the script\")"
    );
    let agent = &ask["outputs"]["intents"][0]["intent"];
    assert_eq!(agent["name"], "agent");
    assert_eq!(
        agent["actions"][1]["transferToAcd"]["targetQueue"]["lit"]["name"], "Front Desk",
        "the scenario's first queue"
    );
    // Exporting it twice gives the same ids: the generated document is kept.
    assert_eq!(export(&sb, &t, SCRIPTED, "2.0").await, text);
    sb.shutdown().await;
}

#[tokio::test]
async fn unknown_flows_versions_and_types_fail_the_job() {
    let sb = start(scenario(json!({}))).await;
    let t = token(&sb).await;
    let cases = [
        (
            "nope",
            Some("1.0"),
            "could not find the flow with id 'nope'",
        ),
        (
            CLINIC,
            Some("9.0"),
            &*format!("could not find version '9.0' of the flow with id '{CLINIC}'"),
        ),
        (
            INBOUND,
            Some("1.0"),
            "the sandbox exports bot flows only (BOT, DIGITALBOT), not INBOUNDSHORTMESSAGE",
        ),
    ];
    for (flow, version, says) in cases {
        let id = register_export(&sb, &t, flow, version).await;
        let (done, _) = wait_job(&sb, &t, EXPORTS, &id).await;
        assert_eq!(done["status"], "Failure");
        assert!(done.get("downloadUrl").is_none());
        let texts: Vec<&str> = done["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap())
            .collect();
        assert_eq!(texts[0], "setting the Archy exit code to 107");
        assert!(texts[2].contains(says), "{texts:?}");
    }
    // Sandbox limits and bad bodies are refused at registration.
    for body in [
        json!({"flows": [{"flow": {"id": CLINIC, "version": "1.0"}}, {"flow": {"id": SCRIPTED, "version": "1.0"}}]}),
        json!({"flows": [{"flow": {"id": CLINIC, "version": "1.0"}, "exportType": "Architect"}]}),
        json!({"flows": []}),
        json!({}),
    ] {
        let (status, answer) = post_body(&sb, &t, EXPORTS, &body).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("bad.request")),
            "{body}"
        );
    }
    let (status, answer) = post_body(
        &sb,
        &t,
        EXPORTS,
        &json!({"flows": [{"flow": {"id": CLINIC}, "exportType": "Pdf"}]}),
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (400, Some("invalid.value"))
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn the_exit_107_fault_fails_once_and_a_retry_succeeds() {
    let faults = json!({"job_faults": [{"kind": "export_failure", "first": 1}],
        "faults": [{"kind": "rate_limit", "route": "POST /api/v2/flows/export/jobs", "first": 1,
                    "retry_after_secs": 58}]});
    let sb = start(scenario(faults)).await;
    let t = token(&sb).await;
    let body = json!({"flows": [{"flow": {"id": CLINIC, "version": "1.0"}}]});
    let limited = http()
        .post(format!("{}{EXPORTS}", sb.api_url()))
        .bearer_auth(&t)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["Retry-After"], "58");
    let id = register_export(&sb, &t, CLINIC, Some("1.0")).await;
    let (done, _) = wait_job(&sb, &t, EXPORTS, &id).await;
    assert_eq!(done["status"], "Failure");
    let last = done["messages"][2]["text"].as_str().unwrap();
    assert!(
        last.contains(&format!("could not find the flow with id '{CLINIC}'")),
        "{last}"
    );
    assert_eq!(
        job_record(&sb, &id).fault.as_deref(),
        Some("export_failure")
    );
    let retry = register_export(&sb, &t, CLINIC, Some("1.0")).await;
    let (ok, _) = wait_job(&sb, &t, EXPORTS, &retry).await;
    assert_eq!(ok["status"], "Success");
    // An export_never_ends job stays Started, with no end planned.
    let never = json!({"job_faults": [{"kind": "export_never_ends"}]});
    let sb2 = start(scenario(never)).await;
    let t2 = token(&sb2).await;
    let stuck = register_export(&sb2, &t2, CLINIC, Some("1.0")).await;
    let rec = job_record(&sb2, &stuck);
    assert_eq!(
        (rec.fault.as_deref(), rec.completed_at),
        (Some("export_never_ends"), None)
    );
    sb.shutdown().await;
    sb2.shutdown().await;
}
