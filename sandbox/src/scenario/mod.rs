//! Scenario: the data a sandbox starts with (clients, flows, versions, skills, dependencies) and
//! the faults it injects. Loaded from JSON or TOML; `Scenario::default()` is the built-in demo.
//!
//! Field names are snake_case because they describe the simulation, not the API; the API's own
//! camelCase names are accepted as aliases where a scenario value mirrors an API object
//! (`errorCode`, `errorDetails`, ...).

pub(crate) mod behaviour;
mod checks;
pub(crate) mod demo;
pub(crate) mod demo_artifacts;
pub(crate) mod demo_bots;
pub(crate) mod directory;
pub(crate) mod jobs;
pub(crate) mod org;
pub(crate) mod publishing;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::bots::script::{BotEnd, BotReply, BotScript, EndKind, QuickReplyForm, ReplyRule};
use crate::faults::FaultSpec;
use crate::push::spec::NotificationsSpec;
pub use crate::scenario::behaviour::{ErrorDetail, PublishBehaviour, PublishFailure};
pub use crate::scenario::directory::{CallSpec, DataActionSpec, KnowledgeBaseSpec, QueueSpec};
pub use crate::scenario::jobs::{JobFaultKind, JobFaultSpec};
pub use crate::scenario::org::OrganizationSpec;
pub use crate::scenario::publishing::{PublishAnswer, Refusal, RepublishMode, TouchAfterPublish};

/// Everything a sandbox starts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// How long a publish takes from `STARTED` to its terminal status, unless a version says
    /// otherwise (milliseconds).
    #[serde(default = "default_publish_duration_ms")]
    pub publish_duration_ms: u64,
    /// What `actions/publish` does with a version the flow does not have.
    #[serde(default)]
    pub unknown_version: UnknownVersion,
    /// What a publish that starts an operation answers: 200 with the `Operation`, or 202 with
    /// an empty body.
    #[serde(default, skip_serializing_if = "PublishAnswer::is_default")]
    pub publish_answer: PublishAnswer,
    /// What publishing a version that was live before does, unless a flow says otherwise.
    #[serde(default, skip_serializing_if = "RepublishMode::is_default")]
    pub republish_mode: RepublishMode,
    /// The organization `organizations/me` and `tokens/me` name.
    #[serde(default)]
    pub organization: OrganizationSpec,
    /// Largest `pageSize` the listings accept; larger ones are answered 400.
    #[serde(default = "default_max_page_size")]
    pub max_page_size: u32,
    /// OAuth clients that may get tokens.
    #[serde(default)]
    pub clients: Vec<ClientSpec>,
    /// Architect flows, with their versions.
    #[serde(default)]
    pub flows: Vec<FlowSpec>,
    /// Routing skills.
    #[serde(default)]
    pub skills: Vec<SkillSpec>,
    /// Injected faults, evaluated in order for every request.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    /// Push notifications: heartbeat period and push faults.
    #[serde(default)]
    pub notifications: NotificationsSpec,
    /// How long an import job takes from its upload to its end (ms).
    #[serde(default = "default_import_duration_ms")]
    pub import_duration_ms: u64,
    /// How long an export job takes from its registration to its end (ms).
    #[serde(default = "default_export_duration_ms")]
    pub export_duration_ms: u64,
    /// Whether a successful import publishes the version it checks in (`command: Publish`,
    /// the default) or only checks it in (`command: Update`).
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub import_publishes: bool,
    /// Faults of the import and export jobs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub job_faults: Vec<JobFaultSpec>,
    /// How long a flow history request takes to be generated (ms).
    #[serde(default = "default_history_duration_ms")]
    pub history_duration_ms: u64,
    /// Routing queues flow YAML may name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueSpec>,
    /// Data actions flow YAML may name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_actions: Vec<DataActionSpec>,
    /// Knowledge bases flow YAML may name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knowledge_bases: Vec<KnowledgeBaseSpec>,
}

fn default_history_duration_ms() -> u64 {
    300
}

fn default_import_duration_ms() -> u64 {
    jobs::DEFAULT_IMPORT_DURATION_MS
}

fn default_export_duration_ms() -> u64 {
    jobs::DEFAULT_EXPORT_DURATION_MS
}

fn default_true() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn default_publish_duration_ms() -> u64 {
    500
}

fn default_max_page_size() -> u32 {
    500
}

/// What `POST /api/v2/flows/actions/publish` does with a `version` the flow does not have.
/// SWAGGER-2018 lists 404 `architect.flow.version.missing` for it; one practitioner saw a 200
/// that did nothing (genesys-api-verified.md Q1: conflicting, an org test is still needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownVersion {
    /// 404 `architect.flow.version.missing` "Specified flow version is missing." (the name is
    /// kept from when this was a 400).
    #[default]
    Reject,
    /// 200 with an `Operation` that never progresses and changes nothing.
    Ignore,
}

/// An OAuth client (client-credentials grant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// Client id (a UUID on the real platform; any string here).
    pub id: String,
    /// Client secret.
    pub secret: String,
    /// Display name, shown as the lock holder or operation client.
    #[serde(default = "default_client_name")]
    pub name: String,
    /// Token lifetime in seconds; fractional values let tests expire tokens quickly.
    #[serde(default = "default_token_ttl_secs")]
    pub token_ttl_secs: f64,
}

fn default_client_name() -> String {
    "Sandbox OAuth client".to_owned()
}

fn default_token_ttl_secs() -> f64 {
    // The real default validity of a client is 24 h (genesys-api.md §3).
    86_400.0
}

/// A reference to a user or client, as in `lockedUser` / `lockedClient`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityRef {
    /// Id of the user or client.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// An Architect flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowSpec {
    /// Flow id.
    pub id: String,
    /// Flow name.
    pub name: String,
    /// Flow type, as the API spells it (`DIGITALBOT`, `BOT`, `COMMONMODULE`...); any case.
    #[serde(rename = "type")]
    pub flow_type: String,
    /// Optional description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the flow is deleted.
    #[serde(default)]
    pub deleted: bool,
    /// A user holding the flow's lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_user: Option<EntityRef>,
    /// A client holding the flow's lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_client: Option<EntityRef>,
    /// Id of the version live at the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_version: Option<String>,
    /// Id of the checked-in version (the default publish target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_in_version: Option<String>,
    /// Id of the saved (draft) version, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_version: Option<String>,
    /// Overrides the scenario's `republish_mode` for this flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub republish_mode: Option<RepublishMode>,
    /// After every publish completes, a user's operation replaces `currentOperation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touch_after_publish: Option<TouchAfterPublish>,
    /// The bot flows every version of this (non-bot) flow calls, unless a version says
    /// otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallSpec>,
    /// The flow's versions.
    #[serde(default)]
    pub versions: Vec<VersionSpec>,
}

/// One version of a flow and how publishing it behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionSpec {
    /// Version id, e.g. `"2.0"`.
    pub id: String,
    /// Version name; defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Publish duration for this version; defaults to the scenario's `publish_duration_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// What a publish of this version does (unless `outcomes` or `republish` say otherwise).
    #[serde(default)]
    pub publish: PublishBehaviour,
    /// What a publish does once this version has been live before (the rollback case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub republish: Option<PublishBehaviour>,
    /// Per-attempt behaviours: the n-th publish of this version uses `outcomes[n]` when present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<PublishBehaviour>,
    /// What dependency tracking says this version consumes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consumes: Vec<ConsumedSpec>,
    /// How this version answers in bot flow sessions; none = a generic greeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotScript>,
    /// Refuse every publish of this version at once with this error; no operation starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refuse: Option<Refusal>,
    /// The content `GET .../versions/{id}/configuration` answers (a JSON object without the
    /// volatile keys, which the sandbox adds); none = one generated from the version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<serde_json::Value>,
    /// The version as Archy YAML (a bot flow's, with the flow's name and type): it plays the
    /// YAML's bot in sessions and is what exports give back. Excludes `bot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yaml: Option<String>,
    /// The user who created the version (`createdBy`); default a "Scenario author" user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<EntityRef>,
    /// The OAuth client that created the version (`createdByClient`); excludes `created_by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_client: Option<EntityRef>,
    /// The bot flows this version calls, instead of the flow's `calls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<Vec<CallSpec>>,
}

/// A resource a flow version consumes (dependency tracking).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumedSpec {
    /// Id of the skill, flow or other resource.
    pub id: String,
    /// Resource type as dependency tracking names it (`ACDSKILL`, `BOTFLOW`, `COMMONMODULEFLOW`...).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Name; defaults to the skill's or flow's name when the scenario has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Version consumed; defaults to a flow's published version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A routing skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillSpec {
    /// Skill id.
    pub id: String,
    /// Skill name.
    pub name: String,
    /// Skill state.
    #[serde(default)]
    pub state: SkillState,
}

/// `RoutingSkill.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SkillState {
    /// Usable.
    #[default]
    Active,
    /// Exists but is switched off.
    Inactive,
    /// Deleted; still answered with this state.
    Deleted,
}

/// Why a scenario could not be loaded.
#[derive(Debug)]
pub enum ScenarioError {
    /// The file could not be read.
    Io(PathBuf, std::io::Error),
    /// The file's extension is neither `.json` nor `.toml`.
    UnknownFormat(PathBuf),
    /// Invalid JSON, or JSON that does not describe a scenario.
    Json(serde_json::Error),
    /// Invalid TOML, or TOML that does not describe a scenario.
    Toml(toml::de::Error),
    /// The scenario parsed but is inconsistent (duplicate ids, unknown versions...).
    Invalid(String),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Io(path, e) => write!(f, "cannot read {}: {e}", path.display()),
            ScenarioError::UnknownFormat(path) => {
                write!(
                    f,
                    "{}: scenario files end in .json or .toml",
                    path.display()
                )
            }
            ScenarioError::Json(e) => write!(f, "invalid JSON scenario: {e}"),
            ScenarioError::Toml(e) => write!(f, "invalid TOML scenario: {e}"),
            ScenarioError::Invalid(msg) => write!(f, "invalid scenario: {msg}"),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    /// A scenario with no clients, flows, skills or faults (defaults for the settings).
    pub fn empty() -> Scenario {
        Scenario {
            publish_duration_ms: default_publish_duration_ms(),
            unknown_version: UnknownVersion::default(),
            publish_answer: PublishAnswer::default(),
            republish_mode: RepublishMode::default(),
            organization: OrganizationSpec::default(),
            max_page_size: default_max_page_size(),
            clients: Vec::new(),
            flows: Vec::new(),
            skills: Vec::new(),
            faults: Vec::new(),
            notifications: NotificationsSpec::default(),
            import_duration_ms: default_import_duration_ms(),
            export_duration_ms: default_export_duration_ms(),
            import_publishes: true,
            job_faults: Vec::new(),
            history_duration_ms: default_history_duration_ms(),
            queues: Vec::new(),
            data_actions: Vec::new(),
            knowledge_bases: Vec::new(),
        }
    }

    /// Loads a scenario file; the format follows the extension (`.json` or `.toml`).
    pub fn from_path(path: &Path) -> Result<Scenario, ScenarioError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| ScenarioError::Io(path.to_path_buf(), e))?;
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Scenario::from_json_str(&text),
            Some(ext) if ext.eq_ignore_ascii_case("toml") => Scenario::from_toml_str(&text),
            _ => Err(ScenarioError::UnknownFormat(path.to_path_buf())),
        }
    }

    /// Parses and validates a JSON scenario.
    pub fn from_json_str(s: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = serde_json::from_str(s).map_err(ScenarioError::Json)?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Parses and validates a TOML scenario.
    pub fn from_toml_str(s: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = toml::from_str(s).map_err(ScenarioError::Toml)?;
        scenario.validate()?;
        Ok(scenario)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_catches_unknown_versions_and_duplicates() {
        let bad = r#"{"flows": [{"id": "f", "name": "F", "type": "BOT",
            "published_version": "9.0", "versions": [{"id": "1.0"}]}]}"#;
        assert!(matches!(
            Scenario::from_json_str(bad),
            Err(ScenarioError::Invalid(_))
        ));
        let dup = r#"{"skills": [{"id": "s", "name": "a"}, {"id": "s", "name": "b"}]}"#;
        assert!(matches!(
            Scenario::from_json_str(dup),
            Err(ScenarioError::Invalid(_))
        ));
        let other = r#"{"flows": [{"id": "f", "name": "F", "type": "BOT", "versions": [
            {"id": "1.0", "publish": {"leaves_other_version_live": {"version": "7"}}}]}]}"#;
        assert!(matches!(
            Scenario::from_json_str(other),
            Err(ScenarioError::Invalid(_))
        ));
    }

    #[test]
    fn default_scenario_is_valid_and_round_trips() {
        let scenario = Scenario::default();
        scenario.validate().expect("built-in scenario is valid");
        let json = serde_json::to_string(&scenario).expect("serialises");
        assert_eq!(Scenario::from_json_str(&json).expect("reparses"), scenario);
    }

    #[test]
    fn toml_and_unknown_extension() {
        let toml = r#"
            publish_duration_ms = 10
            [[flows]]
            id = "f"
            name = "F"
            type = "digitalbot"
            [[flows.versions]]
            id = "1.0"
            outcomes = ["success", { failure = { error_code = "E" } }]
        "#;
        let s = Scenario::from_toml_str(toml).expect("parses");
        assert_eq!(s.flows[0].versions[0].outcomes.len(), 2);
        let err = Scenario::from_path(Path::new("x.yaml")).expect_err("no such file");
        assert!(matches!(err, ScenarioError::Io(..)));
    }
}
