//! The Action's inputs as the runner hands them over: `INPUT_<NAME>` variables, read by `envy`.

use serde::Deserialize;

/// One declared input: its name as the user writes it in `with:`, and its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputSpec {
    /// Kebab-case name, e.g. `timeout-seconds`.
    pub name: &'static str,
    /// Whether the Action refuses to run without it (the runner itself never enforces this).
    pub required: bool,
    /// The default applied when the input is unset or empty.
    pub default: Option<&'static str>,
}

const fn input(name: &'static str, required: bool, default: Option<&'static str>) -> InputSpec {
    InputSpec {
        name,
        required,
        default,
    }
}

/// Every input of the Action; `action.yml` must declare exactly these (a test checks it).
pub const INPUTS: &[InputSpec] = &[
    input("client-id", true, None),
    input("client-secret", true, None),
    input("region", false, Some("mypurecloud.com")),
    input("api-url", false, None),
    input("login-url", false, None),
    input("bot-id", true, None),
    input("target-version", false, None),
    input("previous-version", false, None),
    input("flow-ids", false, None),
    input("skill-ids", false, None),
    input("discover-dependencies", false, Some("true")),
    input("environment", false, Some("production")),
    input("rollout-percentage", false, Some("100")),
    input("timeout-seconds", false, Some("300")),
    input("poll-interval-seconds", false, Some("1")),
    input("poll-max-interval-seconds", false, Some("5")),
    input("wait-mode", false, Some("auto")),
    input("max-retries", false, Some("5")),
    input("smoke-test", false, None),
    input("rollback", false, Some("true")),
    input("force-unlock", false, Some("false")),
    input("dry-run", false, Some("false")),
    input("audit-log", false, None),
    input("expected-org", false, None),
    input("flow-file", false, None),
    input("substitutions", false, None),
    input("accept-drift", false, Some("false")),
];

/// Looks up an input's declared default.
pub(crate) fn default_of(name: &str) -> Option<&'static str> {
    INPUTS
        .iter()
        .find(|i| i.name == name)
        .and_then(|i| i.default)
}

/// The environment variable the runner sets for an input: `INPUT_` + upper-case name,
/// dashes kept (`bot-id` → `INPUT_BOT-ID`).
pub(crate) fn env_name(input: &str) -> String {
    format!("INPUT_{}", input.replace(' ', "_").to_uppercase())
}

/// The inputs exactly as received: strings, `None` when unset. Validation happens in
/// [`crate::config::Config::try_from`].
///
/// No `Debug`: it holds the client secret in clear.
#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub struct RawInputs {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub region: Option<String>,
    pub api_url: Option<String>,
    pub login_url: Option<String>,
    pub bot_id: Option<String>,
    pub target_version: Option<String>,
    pub previous_version: Option<String>,
    pub flow_ids: Option<String>,
    pub skill_ids: Option<String>,
    pub discover_dependencies: Option<String>,
    pub environment: Option<String>,
    pub rollout_percentage: Option<String>,
    pub timeout_seconds: Option<String>,
    pub poll_interval_seconds: Option<String>,
    pub poll_max_interval_seconds: Option<String>,
    pub wait_mode: Option<String>,
    pub max_retries: Option<String>,
    pub smoke_test: Option<String>,
    pub rollback: Option<String>,
    pub force_unlock: Option<String>,
    pub dry_run: Option<String>,
    pub audit_log: Option<String>,
    pub expected_org: Option<String>,
    pub flow_file: Option<String>,
    pub substitutions: Option<String>,
    pub accept_drift: Option<String>,
}

impl RawInputs {
    /// Reads `INPUT_*` from an iterator of environment pairs (the process's, or a test's).
    ///
    /// `envy` lower-cases the names after stripping the prefix, which gives back the
    /// kebab-case names because the runner keeps the dashes.
    pub fn from_env_iter<I>(vars: I) -> Result<Self, envy::Error>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        envy::prefixed("INPUT_").from_iter(vars)
    }

    /// The names of the fields serde reads, in kebab-case. Used to prove that the code and
    /// [`INPUTS`] (and so `action.yml`) agree.
    pub fn field_names() -> &'static [&'static str] {
        field_names::of::<RawInputs>()
    }
}

/// Asks serde which fields a struct deserialises, without a value to deserialise.
mod field_names {
    use serde::de::{self, Deserialize, Deserializer, Visitor};

    #[derive(Debug)]
    struct Captured(&'static [&'static str]);

    impl std::fmt::Display for Captured {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("field names captured")
        }
    }

    impl std::error::Error for Captured {}

    impl de::Error for Captured {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Captured(&[])
        }
    }

    struct Probe;

    impl<'de> Deserializer<'de> for Probe {
        type Error = Captured;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Captured> {
            Err(Captured(&[]))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Captured> {
            Err(Captured(fields))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }

    pub fn of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
        match T::deserialize(Probe) {
            Err(Captured(fields)) => fields,
            Ok(_) => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_dashed_names_as_the_runner_sets_them() {
        let raw = RawInputs::from_env_iter(env(&[
            ("INPUT_BOT-ID", "abc"),
            ("INPUT_TIMEOUT-SECONDS", "30"),
            ("INPUT_CLIENT-SECRET", "s3cret"),
            ("PATH", "/bin"),
            ("INPUT_SOMETHING-UNDECLARED", "ignored"),
        ]))
        .expect("readable");
        assert_eq!(raw.bot_id.as_deref(), Some("abc"));
        assert_eq!(raw.timeout_seconds.as_deref(), Some("30"));
        assert_eq!(raw.client_secret.as_deref(), Some("s3cret"));
        assert_eq!(raw.region, None);
    }

    #[test]
    fn the_struct_reads_exactly_the_declared_inputs() {
        let mut read: Vec<&str> = RawInputs::field_names().to_vec();
        let mut declared: Vec<&str> = INPUTS.iter().map(|i| i.name).collect();
        read.sort_unstable();
        declared.sort_unstable();
        assert_eq!(read, declared);
    }

    #[test]
    fn env_names_keep_dashes() {
        assert_eq!(env_name("timeout-seconds"), "INPUT_TIMEOUT-SECONDS");
        assert_eq!(env_name("bot id"), "INPUT_BOT_ID");
    }
}
