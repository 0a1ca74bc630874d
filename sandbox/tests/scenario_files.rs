//! Scenario files load in both formats, to the same scenario.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use genesys_sandbox::{FaultKind, PublishBehaviour, Scenario, ScenarioError};

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
    assert_eq!(scenario.flows[0].versions.len(), 4);
    assert_eq!(scenario.faults.len(), 2);
}
