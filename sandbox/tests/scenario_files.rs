//! Scenario files load in both formats, to the same scenario.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use genesys_sandbox::{
    FaultKind, JobFaultKind, PublishAnswer, PublishBehaviour, QuickReplyForm, RepublishMode,
    Scenario, ScenarioError,
};

fn fixture(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    Scenario::from_path(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn json_and_toml_fixtures_are_the_same_scenario() {
    let json = fixture("scenario.json");
    let toml = fixture("scenario.toml");
    assert_eq!(json, toml);
    assert_eq!(json.clients[0].token_ttl_secs, 0.5);
    assert_eq!(json.faults.len(), 5);
    assert!(matches!(
        json.faults[1].kind,
        FaultKind::ServerError { status: 503, .. }
    ));
    assert_eq!(json.faults[2].when.count, Some(3));
    let v2 = &json.flows[0].versions[1];
    assert!(matches!(&v2.outcomes[0], PublishBehaviour::Failure(f) if f.error_details.len() == 1));
    assert_eq!(v2.outcomes[1], PublishBehaviour::Success);
    // The knobs of genesys-api-verified.md.
    assert_eq!(json.publish_answer, PublishAnswer::AcceptedEmpty);
    assert_eq!(json.republish_mode, RepublishMode::NewVersion);
    assert_eq!(json.organization.third_party_org_name, "fixture-org");
    // The jobs' knobs.
    assert_eq!(
        (
            json.import_duration_ms,
            json.export_duration_ms,
            json.import_publishes
        ),
        (1500, 250, false)
    );
    assert_eq!(json.job_faults[1].kind, JobFaultKind::UploadRefused);
    assert_eq!(json.job_faults[1].first, Some(1));
    assert_eq!(json.history_duration_ms, 150);
    assert_eq!(
        json.data_actions[0].integration.as_deref(),
        Some("Scheduling")
    );
    assert_eq!(json.knowledge_bases[0].name, "Clinic FAQ");
    let bot = &json.flows[0];
    assert_eq!(bot.republish_mode, Some(RepublishMode::SameVersion));
    assert_eq!(
        bot.touch_after_publish
            .as_ref()
            .map(|t| t.user.name.as_str()),
        Some("Jane Doe")
    );
    let v1 = &bot.versions[0];
    assert_eq!(
        v1.bot.as_ref().map(|b| b.quick_reply_form),
        Some(QuickReplyForm::V2)
    );
    assert!(
        v1.configuration
            .as_ref()
            .is_some_and(|c| c["flow"]["name"] == "Fixture Bot")
    );
    let refusal = bot.versions[2].refuse.as_ref().expect("3.0 is refused");
    assert_eq!(
        refusal.message(),
        "Flow cannot be published because one or more variables are missing."
    );
}

#[test]
fn load_errors_are_reported() {
    let err = Scenario::from_json_str(r#"{"flows": 3}"#).unwrap_err();
    assert!(matches!(err, ScenarioError::Json(_)), "{err}");
    let err = Scenario::from_toml_str("faults = [{ kind = \"explode\" }]").unwrap_err();
    assert!(matches!(err, ScenarioError::Toml(_)), "{err}");
    let err = Scenario::from_json_str(
        r#"{"faults": [{"kind": "slow", "delay_ms": 1, "route": "nope"}]}"#,
    )
    .unwrap_err();
    assert!(matches!(err, ScenarioError::Invalid(_)), "{err}");
    let err = Scenario::from_json_str(r#"{"flowz": []}"#).unwrap_err();
    assert!(err.to_string().contains("flowz"), "{err}");
}

#[test]
fn wrong_extension_is_refused() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    assert!(matches!(
        Scenario::from_path(&path),
        Err(ScenarioError::UnknownFormat(_))
    ));
}

#[test]
fn readme_example_parses() {
    let readme = include_str!("../README.md");
    let start = readme.find("```json\n").unwrap() + "```json\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let scenario = Scenario::from_json_str(&readme[start..end]).unwrap();
    assert_eq!(scenario.flows[0].versions.len(), 5);
    assert!(scenario.flows[0].versions[4].refuse.is_some());
    assert!(scenario.flows[0].touch_after_publish.is_some());
    assert_eq!(scenario.faults.len(), 2);
}

#[test]
fn readme_job_faults_example_parses() {
    let readme = include_str!("../README.md");
    let section = &readme[readme.find("### Job faults").unwrap()..];
    let start = section.find("```json\n").unwrap() + "```json\n".len();
    let end = start + section[start..].find("```").unwrap();
    let scenario = Scenario::from_json_str(&section[start..end]).unwrap();
    assert_eq!(scenario.job_faults.len(), 3);
    assert_eq!(
        (scenario.import_duration_ms, scenario.export_duration_ms),
        (2000, 500)
    );
    assert_eq!(scenario.faults.len(), 1);
}

#[test]
fn readme_callers_example_parses() {
    let readme = include_str!("../README.md");
    let section = &readme[readme.find("## Callers").unwrap()..];
    let start = section.find("```json\n").unwrap() + "```json\n".len();
    let end = start + section[start..].find("```").unwrap();
    let scenario = Scenario::from_json_str(&section[start..end]).unwrap();
    assert_eq!(
        (
            scenario.queues.len(),
            scenario.data_actions.len(),
            scenario.knowledge_bases.len()
        ),
        (1, 1, 1)
    );
    let sms = &scenario.flows[1];
    assert_eq!(sms.calls[0].pinned(), Some("1.0"));
    assert_eq!(sms.versions[1].calls.as_ref().unwrap()[0].pinned(), None);
    assert!(scenario.flows[0].versions[0].created_by_client.is_some());
}
