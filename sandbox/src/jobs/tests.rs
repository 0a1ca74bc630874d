//! The jobs' schedules and effects at exact times, on the state itself.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::json;

use crate::http::records::ActionStatus;
use crate::jobs::s3::UPLOAD_HEADERS;
use crate::jobs::{JobKind, JobStatus};
use crate::scenario::{EntityRef, Scenario};
use crate::state::State;

const YAML: &str = include_str!("../../tests/fixtures/clinic_bot.yaml");
const BOT: &str = "clinic";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn me() -> EntityRef {
    EntityRef {
        id: "ci".into(),
        name: "CI".into(),
    }
}

fn state(extra: serde_json::Value) -> State {
    let mut scenario = json!({
        "import_duration_ms": 800,
        "export_duration_ms": 400,
        "queues": [{"id": "q1", "name": "Front Desk"}],
        "data_actions": [{"id": "a1", "name": "Get Booking Slots", "integration": "Scheduling"}],
        "flows": [{"id": BOT, "name": "Clinic Bot", "type": "DIGITALBOT",
            "published_version": "1.0", "checked_in_version": "1.0",
            "versions": [{"id": "1.0", "yaml": YAML}]}],
    });
    if let (Some(base), Some(more)) = (scenario.as_object_mut(), extra.as_object()) {
        base.extend(more.clone());
    }
    State::new(
        Scenario::from_json_str(&scenario.to_string()).expect("scenario"),
        false,
    )
    .expect("state")
}

fn headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in UPLOAD_HEADERS {
        h.insert(k, HeaderValue::from_static(v));
    }
    h
}

/// Registers an import at `at` and returns its id and signature.
fn register(s: &mut State, at: Duration) -> (String, String) {
    let answer = s.register_import(&me(), at);
    let id = answer["id"].as_str().expect("id").to_owned();
    let url = answer["presignedUrl"].as_str().expect("url");
    let signature = url.rsplit_once("X-Amz-Signature=").expect("signed").1;
    (id, signature.to_owned())
}

#[test]
fn an_import_checks_in_halfway_and_its_publish_ends_with_the_job() {
    let mut s = state(json!({}));
    let (id, sig) = register(&mut s, ms(0));
    assert_eq!(
        s.job(JobKind::Import, &id).expect("job").status_at(ms(50)),
        JobStatus::Registered
    );
    let text = YAML.replace("tomorrow at 9", "today at 4");
    let op = s
        .upload(&id, Some(&sig), &headers(), text.as_bytes(), ms(100))
        .expect("accepted")
        .expect("a publish follows");
    let job = s.job(JobKind::Import, &id).expect("job");
    assert_eq!(
        job.steps,
        [
            (JobStatus::Registered, ms(0)),
            (JobStatus::Started, ms(100)),
            (JobStatus::Success, ms(900))
        ]
    );
    assert_eq!(job.command, "Publish");
    s.advance(ms(499));
    assert_eq!(s.flows[BOT].checked_in.as_deref(), Some("1.0"));
    assert!(
        s.publish(Some(BOT), Some("1.0"), &me(), ms(499)).is_err(),
        "the import holds the flow"
    );
    s.advance(ms(500));
    let flow = &s.flows[BOT];
    assert_eq!(flow.checked_in.as_deref(), Some("2.0"));
    assert_eq!(flow.current_operation, Some(op));
    assert_eq!(s.operations[op].status_at(ms(500)), ActionStatus::Started);
    assert_eq!(s.operations[op].terminal_at(), Some(ms(900)));
    s.advance(ms(899));
    assert_eq!(s.flows[BOT].published.as_deref(), Some("1.0"));
    s.advance(ms(900));
    assert_eq!(s.flows[BOT].published.as_deref(), Some("2.0"));
    let answer = s
        .job(JobKind::Import, &id)
        .expect("job")
        .to_json(&s, ms(900), true);
    assert_eq!(answer["status"], "Success");
    assert_eq!(answer["flow"]["id"], BOT);
    assert_eq!(answer["messages"], json!([]));
    // The new version plays the uploaded YAML.
    let spec = s.flows[BOT].version("2.0").expect("2.0").clone();
    assert_eq!(spec.yaml.as_deref(), Some(text.as_str()));
    let bot = &s.flows[BOT].archy_bots["2.0"];
    assert_eq!(
        bot.answer("book a visit").parts,
        [["Our next free slot is today at 4."]]
    );
}

#[test]
fn uploads_need_the_signature_and_the_headers_and_go_once() {
    let mut s = state(json!({}));
    let (id, sig) = register(&mut s, ms(0));
    let refused = |s: &mut State, sig: Option<&str>, h: &HeaderMap, at: u64| {
        s.upload(&id, sig, h, YAML.as_bytes(), ms(at))
            .expect_err("refused")
    };
    let e = refused(&mut s, Some("nope"), &headers(), 0);
    assert_eq!(
        (e.status, e.code),
        (StatusCode::FORBIDDEN, "SignatureDoesNotMatch")
    );
    let mut missing = headers();
    missing.remove("x-amz-server-side-encryption");
    assert_eq!(
        refused(&mut s, Some(&sig), &missing, 0).reason,
        "header x-amz-server-side-encryption is missing"
    );
    let mut other = headers();
    other.insert(
        "content-type",
        HeaderValue::from_static("application/x-yaml"),
    );
    assert_eq!(
        refused(&mut s, Some(&sig), &other, 0).reason,
        "header Content-Type is \"application/x-yaml\", not \"application/octet-stream\""
    );
    s.upload(&id, Some(&sig), &headers(), YAML.as_bytes(), ms(0))
        .expect("accepted");
    let again = refused(&mut s, Some(&sig), &headers(), 30);
    assert_eq!(
        (again.status, again.code),
        (StatusCode::FORBIDDEN, "AccessDenied")
    );
    let e = s
        .upload("nope", Some(&sig), &headers(), b"", ms(30))
        .expect_err("unknown");
    assert_eq!(e.status, StatusCode::NOT_FOUND);
    let uploads = &s.job(JobKind::Import, &id).expect("job").uploads;
    let statuses: Vec<u16> = uploads.iter().map(|u| u.status).collect();
    assert_eq!(statuses, [403, 403, 403, 200, 403]);
}

#[test]
fn a_renamed_file_creates_a_flow_and_update_only_checks_in() {
    let mut s = state(json!({"import_publishes": false}));
    let (id, sig) = register(&mut s, ms(0));
    let renamed = YAML.replace("name: Clinic Bot", "name: Clinic Bot v2");
    let op = s
        .upload(&id, Some(&sig), &headers(), renamed.as_bytes(), ms(0))
        .expect("accepted");
    assert_eq!(op, None, "command Update publishes nothing");
    let job = s.job(JobKind::Import, &id).expect("job").clone();
    assert_eq!((job.command, job.created_flow), ("Update", true));
    let (new_id, name) = job.flow.clone().expect("a flow");
    assert_eq!(name, "Clinic Bot v2");
    s.advance(ms(799));
    assert!(!s.flows.contains_key(&new_id), "created at the end");
    s.advance(ms(800));
    let flow = &s.flows[&new_id];
    assert_eq!(
        (
            flow.flow_type.as_str(),
            flow.checked_in.as_deref(),
            flow.published.as_deref()
        ),
        ("DIGITALBOT", Some("1.0"), None)
    );
    assert_eq!(s.flows[BOT].versions.len(), 1, "the old flow is untouched");
}

fn failed_messages(s: &mut State, text: &str) -> Vec<String> {
    let (id, sig) = register(s, ms(0));
    s.upload(&id, Some(&sig), &headers(), text.as_bytes(), ms(0))
        .expect("accepted");
    let job = s.job(JobKind::Import, &id).expect("job");
    assert_eq!(job.status_at(ms(800)), JobStatus::Failure);
    job.messages
        .clone()
        .expect("messages")
        .into_iter()
        .map(|m| m.text)
        .collect()
}

#[test]
fn unusable_files_fail_the_job_with_archy_like_messages() {
    let mut s = state(json!({}));
    let left = failed_messages(
        &mut s,
        &YAML.replace("name: Clinic Bot", "name: {{bot_name}}"),
    );
    assert_eq!(
        left,
        [
            "pre-processor substitution key of '{{bot_name}}' was found in the flow YAML, but was not found in the options file.",
            "setting the Archy exit code to 100"
        ]
    );
    let bad = failed_messages(&mut s, "digitalBotFlow: [");
    assert!(
        bad[0].contains("Exception info: the flow YAML could not be parsed"),
        "{bad:?}"
    );
    let other = failed_messages(&mut s, "inboundShortMessage:\n  name: SMS\n");
    assert!(other[0].ends_with(
        "the flow type 'inboundShortMessage' is not a bot flow type (botFlow, digitalBotFlow)"
    ));
    let wrong = failed_messages(&mut s, &YAML.replace("digitalBotFlow:", "botFlow:"));
    assert!(wrong[0].ends_with(
        "a flow named 'Clinic Bot' exists with type DIGITALBOT, but the YAML describes a botFlow"
    ));
    s.flows.get_mut(BOT).expect("bot").locked_user = Some(me());
    assert!(failed_messages(&mut s, YAML)[0].ends_with("Flow is locked by another user."));
    assert_eq!(s.flows[BOT].versions.len(), 1, "nothing checked in");
}

#[test]
fn job_faults_fail_silently_never_end_or_refuse_the_upload() {
    let faults = json!({"job_faults": [
        {"kind": "upload_refused", "first": 1},
        {"kind": "import_failure_without_messages", "first": 1, "duration_ms": 50},
        {"kind": "import_never_ends", "after_nth": 2, "first": 1}
    ]});
    let mut s = state(faults);
    let (a, sig) = register(&mut s, ms(0));
    let e = s
        .upload(&a, Some(&sig), &headers(), YAML.as_bytes(), ms(0))
        .expect_err("refused");
    assert_eq!(e.code, "AccessDenied");
    s.upload(&a, Some(&sig), &headers(), YAML.as_bytes(), ms(10))
        .expect("a retry goes through");
    let job = s.job(JobKind::Import, &a).expect("job");
    assert_eq!(
        (job.terminal_at(), job.messages.clone()),
        (Some(ms(60)), None)
    );
    let answer = job.to_json(&s, ms(60), true);
    assert_eq!(answer["status"], "Failure");
    assert!(answer.get("messages").is_none(), "{answer}");
    let (b, sig) = register(&mut s, ms(100));
    s.upload(&b, Some(&sig), &headers(), YAML.as_bytes(), ms(100))
        .expect("accepted");
    let job = s.job(JobKind::Import, &b).expect("job");
    assert_eq!(
        (job.status_at(ms(99_999)), job.fault.as_deref()),
        (JobStatus::Started, Some("import_never_ends"))
    );
}

#[test]
fn exports_give_the_stored_yaml_sorted_or_a_generated_one() {
    let mut s = state(json!({}));
    s.flows.insert(
        "billing".into(),
        crate::state::FlowState::blank("billing", "Billing", "BOT", Default::default()),
    );
    let body = json!({"flows": [{"flow": {"id": BOT, "version": "1.0"}, "exportType": "Yaml"}]});
    let answer = s.register_export(&me(), &body, ms(0)).expect("registered");
    assert_eq!(answer["status"], "Registered");
    let id = answer["id"].as_str().expect("id").to_owned();
    let job = s.job(JobKind::Export, &id).expect("job");
    assert_eq!(
        job.steps,
        [
            (JobStatus::Registered, ms(0)),
            (JobStatus::Started, ms(100)),
            (JobStatus::Success, ms(400))
        ]
    );
    let (file, text) = job.export.clone().expect("an export");
    assert_eq!(file, "Clinic_Bot_v1.0.yaml");
    // The scenario's YAML keeps its ids; the keys come back sorted.
    assert!(text.contains("id: 093519be-4533-4ff3-a488-1397b3f3bf45"));
    assert!(text.find("bots:") < text.find("name: Clinic Bot"));
    let no_version = json!({"flows": [{"flow": {"id": "billing"}}]});
    let id = s
        .register_export(&me(), &no_version, ms(0))
        .expect("registered")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let msgs = s
        .job(JobKind::Export, &id)
        .expect("job")
        .messages
        .clone()
        .expect("messages");
    assert!(
        msgs[2]
            .text
            .contains("could not find the flow with id 'billing'"),
        "no versions"
    );
    for bad in [
        json!({"flows": []}),
        json!({"flows": [{"flow": {"id": BOT}}, {"flow": {"id": BOT}}]}),
        json!({"flows": [{"flow": {"id": BOT}, "exportType": "Architect"}]}),
        json!({"flows": [{"flow": {"id": BOT}, "exportType": "Json"}]}),
        json!({"flows": [{"flow": {"name": "Clinic Bot"}}]}),
    ] {
        let e = s.register_export(&me(), &bad, ms(0)).expect_err("refused");
        assert_eq!(e.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}
