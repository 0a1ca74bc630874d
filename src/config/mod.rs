//! Two-stage configuration: [`RawInputs`] as the runner hands them over, then a validated,
//! typed [`Config`]. Every bad input is reported at once, naming the input, the value
//! (never a secret's) and what is allowed; nothing is sent before all of them pass.

mod inputs;
pub mod parse;
mod validate;

pub use inputs::{INPUTS, InputSpec, RawInputs};
pub(crate) use inputs::{default_of, env_name};

use crate::flowfile::SubstitutionsInput;
use crate::genesys::regions::Region;
use crate::ids::{BotId, VersionId};
use secrecy::SecretString;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;
use validate::Validator;

/// How the Action learns that a publish finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitMode {
    /// Push notifications with a slow safety-net poll (push arrives in a later release; polls
    /// until then).
    Auto,
    /// Push notifications only.
    Push,
    /// Polling `GET /api/v2/flows/{id}` only.
    Poll,
}

impl WaitMode {
    /// The input's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitMode::Auto => "auto",
            WaitMode::Push => "push",
            WaitMode::Poll => "poll",
        }
    }
}

/// The org the token must belong to (`expected-org`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedOrg {
    /// Its id (a UUID, lower-cased).
    Id(String),
    /// Its short name (`thirdPartyOrgName`): globally unique and never changed.
    ShortName(String),
}

impl std::fmt::Display for ExpectedOrg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedOrg::Id(id) => write!(f, "id {id}"),
            ExpectedOrg::ShortName(name) => write!(f, "short name {name}"),
        }
    }
}

/// Where the Action sends requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The API base, e.g. `https://api.mypurecloud.ie`.
    pub api: Url,
    /// The OAuth host, e.g. `https://login.mypurecloud.ie`.
    pub login: Url,
    /// The region the hosts were derived from, if they were.
    pub region: Option<Region>,
}

/// Knobs that are not inputs: limits and timings a user never needs to turn, kept here so
/// tests can scale them down.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
    /// First backoff delay between retries (grows ×2, with jitter).
    pub retry_base_delay: Duration,
    /// Largest backoff delay between retries (not applied to `Retry-After`).
    pub retry_max_delay: Duration,
    /// Largest response body read; more is an error, not an allocation.
    pub max_body_bytes: usize,
    /// The longest `Retry-After` worth waiting for; beyond it the request fails (as the
    /// official SDKs do past 180 s).
    pub max_retry_after: Duration,
    /// Time kept after a cancellation signal to re-read the flow and roll back; the runner
    /// kills the container 7.5 s after its SIGTERM.
    pub cancel_grace: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            request_timeout: Duration::from_secs(30),
            retry_base_delay: Duration::from_millis(500),
            retry_max_delay: Duration::from_secs(30),
            max_body_bytes: 8 * 1024 * 1024,
            max_retry_after: Duration::from_secs(180),
            cancel_grace: Duration::from_millis(6500),
        }
    }
}

/// The validated configuration of one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: SecretString,
    /// API and login hosts.
    pub endpoints: Endpoints,
    /// The bot flow's id.
    pub bot_id: BotId,
    /// The version to publish; `None` = the flow's checked-in version.
    pub target_version: Option<VersionId>,
    /// The rollback target; `None` = the flow's published version before publishing.
    pub previous_version: Option<VersionId>,
    /// Flows the bot needs, checked in bulk.
    pub flow_ids: Vec<String>,
    /// Routing skills the bot needs, checked in bulk.
    pub skill_ids: Vec<String>,
    /// Also check what dependency tracking says the target consumes.
    pub discover_dependencies: bool,
    /// Label of the target environment.
    pub environment: String,
    /// Recorded only: the platform publishes atomically.
    pub rollout_percentage: u8,
    /// Deadline for the publish to finish.
    pub timeout: Duration,
    /// First wait between status reads.
    pub poll_interval: Duration,
    /// Largest wait between status reads.
    pub poll_max_interval: Duration,
    /// How to learn the publish outcome.
    pub wait_mode: WaitMode,
    /// Retries of one request on 429, 5xx (not 501) and connection errors.
    pub max_retries: u32,
    /// Conversations file, relative to the workspace.
    pub smoke_test: Option<PathBuf>,
    /// Roll back automatically on failure.
    pub rollback: bool,
    /// Unlock a flow locked by someone else.
    pub force_unlock: bool,
    /// Read and check everything, publish nothing.
    pub dry_run: bool,
    /// Also append the audit trail to this file.
    pub audit_log: Option<PathBuf>,
    /// The bot flow's definition (Archy YAML) to import and publish (SPEC rule 15).
    pub flow_file: Option<PathBuf>,
    /// Values for the flow file's `{{key}}` placeholders, as given: a file's path or inline
    /// `key: value` lines (told apart when the file is loaded).
    pub substitutions: Option<String>,
    /// Deploy even when the live version was changed outside this pipeline (SPEC rule 16).
    pub accept_drift: bool,
    /// Limits and timings that are not inputs.
    pub tuning: Tuning,
    /// The org the token must belong to, checked before anything is written.
    pub expected_org: Option<ExpectedOrg>,
    /// Inputs that were accepted but deserve a word: (title, message) for a warning.
    pub input_warnings: Vec<(String, String)>,
}

/// One bad input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("input '{input}' ({env}): expected {allowed}, got {shown}", env = env_name(input), shown = self.shown_value())]
pub struct InputError {
    /// The input's name as the user writes it.
    pub input: &'static str,
    /// The value given; `None` for secrets, which are never shown.
    pub value: Option<String>,
    /// What the input accepts.
    pub allowed: String,
}

impl InputError {
    fn new(input: &'static str, value: &str, allowed: impl Into<String>) -> Self {
        InputError {
            input,
            value: Some(value.to_string()),
            allowed: allowed.into(),
        }
    }

    fn missing(input: &'static str) -> Self {
        let allowed = if input == "client-secret" {
            // Where secrets go missing, so the user looks there first.
            "a value: this input is required (a secret reaches the Action empty when the workflow runs for a pull request from a fork, when it is an environment secret and the job does not name that environment, or when the secret's name in `with:` is misspelt)"
        } else {
            "a value: this input is required"
        };
        InputError {
            input,
            value: None,
            allowed: allowed.into(),
        }
    }

    /// The value as it may be printed.
    pub(crate) fn shown_value(&self) -> String {
        match (&self.value, self.input) {
            (None, _) => "nothing".into(),
            (_, "client-secret") => "(hidden)".into(),
            // Inline `key: value` lines may hold a password; a path is only a name.
            (Some(v), "substitutions")
                if matches!(
                    SubstitutionsInput::classify(v),
                    SubstitutionsInput::Inline(_)
                ) =>
            {
                "(inline key: value lines)".into()
            }
            (Some(v), _) => format!("{v:?}"),
        }
    }
}

/// Every bad input of a run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} invalid input(s): {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct ConfigError(pub Vec<InputError>);

impl Config {
    /// Reads and validates the inputs from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_env_iter(std::env::vars())
    }

    /// Reads and validates the inputs from the given environment pairs.
    pub fn from_env_iter<I>(vars: I) -> Result<Config, ConfigError>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let raw = RawInputs::from_env_iter(vars).map_err(|e| {
            ConfigError(vec![InputError {
                input: "inputs",
                value: None,
                allowed: format!("readable INPUT_* variables ({e})"),
            }])
        })?;
        Config::try_from(raw)
    }
}

impl TryFrom<RawInputs> for Config {
    type Error = ConfigError;

    /// Validates every input, collecting all the errors; the configuration exists only when
    /// there are none.
    fn try_from(raw: RawInputs) -> Result<Config, ConfigError> {
        let mut v = Validator::default();
        let client_id = v.required("client-id", raw.client_id, |s| Ok(s.trim().to_string()));
        let client_secret = v.secret(raw.client_secret);
        let bot_id = v.required("bot-id", raw.bot_id, BotId::parse);
        let target_version = v.optional("target-version", raw.target_version, VersionId::parse);
        let previous_version =
            v.optional("previous-version", raw.previous_version, VersionId::parse);
        let flow_ids = v.id_list("flow-ids", raw.flow_ids);
        let skill_ids = v.id_list("skill-ids", raw.skill_ids);
        let discover_dependencies = v.with_default(
            "discover-dependencies",
            raw.discover_dependencies,
            parse::boolean,
        );
        let environment = v.with_default("environment", raw.environment, parse::label);
        let rollout_percentage =
            v.with_default("rollout-percentage", raw.rollout_percentage, |s| {
                parse::whole_number(s, 1, 100, "percent").map(|n| n as u8)
            });
        let timeout = v.with_default("timeout-seconds", raw.timeout_seconds, |s| {
            parse::whole_number(s, 1, 3600, "seconds").map(Duration::from_secs)
        });
        let poll_interval =
            v.with_default("poll-interval-seconds", raw.poll_interval_seconds, |s| {
                parse::decimal_seconds(s, 0.1, 60.0)
            });
        let poll_max_interval = v.with_default(
            "poll-max-interval-seconds",
            raw.poll_max_interval_seconds,
            |s| parse::decimal_seconds(s, 0.1, 60.0),
        );
        let wait_mode = v.with_default("wait-mode", raw.wait_mode, parse::wait_mode);
        let max_retries = v.with_default("max-retries", raw.max_retries, |s| {
            parse::whole_number(s, 0, 20, "retries").map(|n| n as u32)
        });
        let smoke_test = v.optional("smoke-test", raw.smoke_test, parse::workspace_path);
        let rollback = v.with_default("rollback", raw.rollback, parse::boolean);
        let force_unlock = v.with_default("force-unlock", raw.force_unlock, parse::boolean);
        let dry_run = v.with_default("dry-run", raw.dry_run, parse::boolean);
        let audit_log = v.optional("audit-log", raw.audit_log, parse::workspace_path);
        let expected_org = v.optional("expected-org", raw.expected_org, parse::expected_org);
        let flow_file = v.optional("flow-file", raw.flow_file, parse::workspace_path);
        let substitutions = v.optional("substitutions", raw.substitutions, |s| Ok(s.to_string()));
        let accept_drift = v.with_default("accept-drift", raw.accept_drift, parse::boolean);
        v.flow_file_excludes_versions(
            flow_file.is_some(),
            (target_version.as_deref(), previous_version.as_deref()),
            substitutions.as_deref(),
            accept_drift,
        );
        let endpoints = v.endpoints(raw.region, raw.api_url, raw.login_url);
        v.first_poll_at_most_largest(poll_interval, poll_max_interval);

        // Every value that failed is `None` and left its error behind.
        let config = (|| {
            Some(Config {
                client_id: client_id?,
                client_secret: client_secret?,
                endpoints: endpoints?,
                bot_id: bot_id?,
                target_version,
                previous_version,
                flow_ids,
                skill_ids,
                discover_dependencies: discover_dependencies?,
                environment: environment?,
                rollout_percentage: rollout_percentage?,
                timeout: timeout?,
                poll_interval: poll_interval?,
                poll_max_interval: poll_max_interval?,
                wait_mode: wait_mode?,
                max_retries: max_retries?,
                smoke_test,
                rollback: rollback?,
                force_unlock: force_unlock?,
                dry_run: dry_run?,
                audit_log,
                flow_file,
                substitutions,
                accept_drift: accept_drift?,
                tuning: Tuning::default(),
                expected_org,
                input_warnings: v.warnings.clone(),
            })
        })();
        match config {
            Some(config) if v.errors.is_empty() => Ok(config),
            _ => Err(ConfigError(v.errors)),
        }
    }
}

#[cfg(test)]
mod tests;
