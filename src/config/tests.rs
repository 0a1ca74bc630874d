use super::*;
use secrecy::ExposeSecret;

const BOT: &str = "2b5d5e2c-7c49-4a36-9d6b-8f0e7b1c0a11";

fn base() -> Vec<(String, String)> {
    [
        ("INPUT_CLIENT-ID", "my-client"),
        ("INPUT_CLIENT-SECRET", "hunter2-very-secret"),
        ("INPUT_BOT-ID", BOT),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn with(extra: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut vars = base();
    for (k, v) in extra {
        vars.retain(|(name, _)| name != k);
        vars.push((k.to_string(), v.to_string()));
    }
    Config::from_env_iter(vars)
}

fn errors(extra: &[(&str, &str)]) -> Vec<InputError> {
    with(extra).expect_err("should be rejected").0
}

#[test]
fn defaults_apply_when_inputs_are_unset_or_empty() {
    let cfg = with(&[("INPUT_TIMEOUT-SECONDS", ""), ("INPUT_REGION", "")]).expect("valid");
    assert_eq!(cfg.client_id, "my-client");
    assert_eq!(cfg.client_secret.expose_secret(), "hunter2-very-secret");
    assert_eq!(cfg.bot_id, BOT);
    assert_eq!(cfg.endpoints.api.as_str(), "https://api.mypurecloud.com/");
    assert_eq!(
        cfg.endpoints.login.as_str(),
        "https://login.mypurecloud.com/"
    );
    assert_eq!(cfg.endpoints.region.map(|r| r.name), Some("us-east-1"));
    assert_eq!(cfg.timeout, Duration::from_secs(300));
    assert_eq!(cfg.poll_interval, Duration::from_secs(1));
    assert_eq!(cfg.poll_max_interval, Duration::from_secs(5));
    assert_eq!(cfg.wait_mode, WaitMode::Auto);
    assert_eq!(cfg.max_retries, 5);
    assert_eq!(cfg.rollout_percentage, 100);
    assert_eq!(cfg.environment, "production");
    assert!(cfg.discover_dependencies && cfg.rollback && !cfg.force_unlock && !cfg.dry_run);
    assert_eq!(cfg.target_version, None);
    assert!(cfg.flow_ids.is_empty() && cfg.skill_ids.is_empty());
}

#[test]
fn every_input_is_read_and_typed() {
    let cfg = with(&[
        ("INPUT_REGION", "eu-west-1"),
        ("INPUT_TARGET-VERSION", "3.0"),
        ("INPUT_PREVIOUS-VERSION", "2.0"),
        ("INPUT_FLOW-IDS", "11111111-1111-1111-1111-111111111111"),
        (
            "INPUT_SKILL-IDS",
            "22222222-2222-2222-2222-222222222222\n33333333-3333-3333-3333-333333333333",
        ),
        ("INPUT_DISCOVER-DEPENDENCIES", "False"),
        ("INPUT_ENVIRONMENT", "staging"),
        ("INPUT_ROLLOUT-PERCENTAGE", "50"),
        ("INPUT_TIMEOUT-SECONDS", "60"),
        ("INPUT_POLL-INTERVAL-SECONDS", "0.5"),
        ("INPUT_POLL-MAX-INTERVAL-SECONDS", "2"),
        ("INPUT_WAIT-MODE", "poll"),
        ("INPUT_MAX-RETRIES", "0"),
        ("INPUT_SMOKE-TEST", "bots/smoke.yml"),
        ("INPUT_ROLLBACK", "FALSE"),
        ("INPUT_FORCE-UNLOCK", "true"),
        ("INPUT_DRY-RUN", "True"),
        ("INPUT_AUDIT-LOG", "audit.jsonl"),
    ])
    .expect("valid");
    assert_eq!(cfg.endpoints.api.as_str(), "https://api.mypurecloud.ie/");
    assert_eq!(
        cfg.endpoints.login.as_str(),
        "https://login.mypurecloud.ie/"
    );
    assert_eq!(cfg.target_version.as_deref(), Some("3.0"));
    assert_eq!(cfg.previous_version.as_deref(), Some("2.0"));
    assert_eq!(cfg.flow_ids.len(), 1);
    assert_eq!(cfg.skill_ids.len(), 2);
    assert!(!cfg.discover_dependencies && !cfg.rollback && cfg.force_unlock && cfg.dry_run);
    assert_eq!(cfg.environment, "staging");
    assert_eq!(cfg.rollout_percentage, 50);
    assert_eq!(cfg.timeout, Duration::from_secs(60));
    assert_eq!(cfg.poll_interval, Duration::from_millis(500));
    assert_eq!(cfg.poll_max_interval, Duration::from_secs(2));
    assert_eq!(cfg.wait_mode, WaitMode::Poll);
    assert_eq!(cfg.max_retries, 0);
    assert_eq!(cfg.smoke_test, Some(PathBuf::from("bots/smoke.yml")));
    assert_eq!(cfg.audit_log, Some(PathBuf::from("audit.jsonl")));
}

#[test]
fn loopback_urls_override_the_region() {
    let cfg = with(&[
        ("INPUT_API-URL", "http://127.0.0.1:8080"),
        ("INPUT_LOGIN-URL", "http://127.0.0.1:8081"),
    ])
    .expect("valid");
    assert_eq!(cfg.endpoints.api.as_str(), "http://127.0.0.1:8080/");
    assert_eq!(cfg.endpoints.login.as_str(), "http://127.0.0.1:8081/");
    assert_eq!(cfg.endpoints.region, None);
}

#[test]
fn an_api_proxy_implies_its_login_host() {
    let cfg = with(&[("INPUT_API-URL", "https://api.genesys-proxy.example.com")]).expect("valid");
    assert_eq!(
        cfg.endpoints.login.as_str(),
        "https://login.genesys-proxy.example.com/"
    );
}

#[test]
fn missing_required_inputs_are_all_reported() {
    let errs = Config::from_env_iter(Vec::new())
        .expect_err("nothing given")
        .0;
    let names: Vec<_> = errs.iter().map(|e| e.input).collect();
    assert_eq!(names, ["client-id", "client-secret", "bot-id"]);
    assert_eq!(
        errs[2].to_string(),
        "input 'bot-id' (INPUT_BOT-ID): expected a value: this input is required, got nothing"
    );
}

#[test]
fn an_empty_secret_says_where_secrets_go_missing() {
    let errs = Config::from_env_iter(vec![("INPUT_CLIENT-SECRET".to_string(), " ".to_string())])
        .expect_err("no secret")
        .0;
    let secret = errs
        .iter()
        .find(|e| e.input == "client-secret")
        .expect("client-secret reported");
    let text = secret.to_string();
    assert!(text.contains("pull request from a fork"), "{text}");
    assert!(text.contains("environment secret"), "{text}");
    assert!(text.ends_with("got nothing"), "{text}");
}

#[test]
fn bad_values_name_the_input_the_value_and_what_is_allowed() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "INPUT_BOT-ID",
            "not-a-uuid",
            "input 'bot-id' (INPUT_BOT-ID): expected a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6, got \"not-a-uuid\"",
        ),
        (
            "INPUT_TIMEOUT-SECONDS",
            "abc",
            "input 'timeout-seconds' (INPUT_TIMEOUT-SECONDS): expected a whole number of seconds from 1 to 3600, got \"abc\"",
        ),
        (
            "INPUT_TIMEOUT-SECONDS",
            "0",
            "input 'timeout-seconds' (INPUT_TIMEOUT-SECONDS): expected a whole number of seconds from 1 to 3600, got \"0\"",
        ),
        (
            "INPUT_TIMEOUT-SECONDS",
            "3601",
            "input 'timeout-seconds' (INPUT_TIMEOUT-SECONDS): expected a whole number of seconds from 1 to 3600, got \"3601\"",
        ),
        (
            "INPUT_ROLLOUT-PERCENTAGE",
            "0",
            "input 'rollout-percentage' (INPUT_ROLLOUT-PERCENTAGE): expected a whole number of percent from 1 to 100, got \"0\"",
        ),
        (
            "INPUT_ROLLOUT-PERCENTAGE",
            "101",
            "input 'rollout-percentage' (INPUT_ROLLOUT-PERCENTAGE): expected a whole number of percent from 1 to 100, got \"101\"",
        ),
        (
            "INPUT_MAX-RETRIES",
            "21",
            "input 'max-retries' (INPUT_MAX-RETRIES): expected a whole number of retries from 0 to 20, got \"21\"",
        ),
        (
            "INPUT_POLL-INTERVAL-SECONDS",
            "0.01",
            "input 'poll-interval-seconds' (INPUT_POLL-INTERVAL-SECONDS): expected seconds from 0.1 to 60, decimals allowed (e.g. 0.5), got \"0.01\"",
        ),
        (
            "INPUT_POLL-MAX-INTERVAL-SECONDS",
            "90",
            "input 'poll-max-interval-seconds' (INPUT_POLL-MAX-INTERVAL-SECONDS): expected seconds from 0.1 to 60, decimals allowed (e.g. 0.5), got \"90\"",
        ),
        (
            "INPUT_DRY-RUN",
            "yes",
            "input 'dry-run' (INPUT_DRY-RUN): expected true or false, got \"yes\"",
        ),
        (
            "INPUT_ROLLBACK",
            "1",
            "input 'rollback' (INPUT_ROLLBACK): expected true or false, got \"1\"",
        ),
        (
            "INPUT_FORCE-UNLOCK",
            "on",
            "input 'force-unlock' (INPUT_FORCE-UNLOCK): expected true or false, got \"on\"",
        ),
        (
            "INPUT_DISCOVER-DEPENDENCIES",
            "tru",
            "input 'discover-dependencies' (INPUT_DISCOVER-DEPENDENCIES): expected true or false, got \"tru\"",
        ),
        (
            "INPUT_WAIT-MODE",
            "websocket",
            "input 'wait-mode' (INPUT_WAIT-MODE): expected auto, push or poll, got \"websocket\"",
        ),
        (
            "INPUT_TARGET-VERSION",
            "v3",
            "input 'target-version' (INPUT_TARGET-VERSION): expected a flow version id as Genesys writes it, like \"3.0\", got \"v3\"",
        ),
        (
            "INPUT_PREVIOUS-VERSION",
            "2",
            "input 'previous-version' (INPUT_PREVIOUS-VERSION): expected a flow version id as Genesys writes it, like \"3.0\", got \"2\"",
        ),
        (
            "INPUT_API-URL",
            "http://api.mypurecloud.com",
            "input 'api-url' (INPUT_API-URL): expected an https:// URL with no path, query or credentials (http:// only for a loopback host such as 127.0.0.1), got \"http://api.mypurecloud.com\"",
        ),
        (
            "INPUT_LOGIN-URL",
            "login.mypurecloud.com",
            "input 'login-url' (INPUT_LOGIN-URL): expected an https:// URL with no path, query or credentials (http:// only for a loopback host such as 127.0.0.1), got \"login.mypurecloud.com\"",
        ),
        (
            "INPUT_ENVIRONMENT",
            "prod\nuction",
            "input 'environment' (INPUT_ENVIRONMENT): expected 1 to 64 printable characters on one line, got \"prod\\nuction\"",
        ),
        (
            "INPUT_SMOKE-TEST",
            "../secrets.yml",
            "input 'smoke-test' (INPUT_SMOKE-TEST): expected a path relative to the workspace, or an absolute one; without '..', got \"../secrets.yml\"",
        ),
        (
            "INPUT_FLOW-IDS",
            "11111111-1111-1111-1111-111111111111,flow-two",
            "input 'flow-ids' (INPUT_FLOW-IDS): expected a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6, got \"flow-two\"",
        ),
        (
            "INPUT_SKILL-IDS",
            "skill",
            "input 'skill-ids' (INPUT_SKILL-IDS): expected a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6, got \"skill\"",
        ),
    ];
    for (var, value, expected) in cases {
        let errs = errors(&[(var, value)]);
        assert_eq!(errs.len(), 1, "{var}={value:?}: {errs:?}");
        assert_eq!(errs[0].to_string(), *expected);
    }
}

#[test]
fn unknown_regions_list_the_allowed_ones() {
    let errs = errors(&[("INPUT_REGION", "mars-1")]);
    let msg = errs[0].to_string();
    assert!(msg.starts_with("input 'region' (INPUT_REGION): expected a region domain or name: mypurecloud.com (us-east-1), "), "{msg}");
    assert!(
        msg.contains("mypurecloud.ie (eu-west-1)") && msg.ends_with("got \"mars-1\""),
        "{msg}"
    );
}

#[test]
fn first_poll_interval_may_not_exceed_the_largest() {
    let errs = errors(&[
        ("INPUT_POLL-INTERVAL-SECONDS", "10"),
        ("INPUT_POLL-MAX-INTERVAL-SECONDS", "2"),
    ]);
    assert_eq!(
        errs[0].to_string(),
        "input 'poll-interval-seconds' (INPUT_POLL-INTERVAL-SECONDS): expected at most poll-max-interval-seconds (2), got \"10\""
    );
}

#[test]
fn several_bad_inputs_are_reported_together() {
    let errs = errors(&[
        ("INPUT_TIMEOUT-SECONDS", "x"),
        ("INPUT_DRY-RUN", "x"),
        ("INPUT_BOT-ID", "x"),
    ]);
    let names: Vec<_> = errs.iter().map(|e| e.input).collect();
    assert_eq!(names, ["bot-id", "timeout-seconds", "dry-run"]);
}

#[test]
fn the_secret_is_never_shown() {
    let err = InputError {
        input: "client-secret",
        value: Some("hunter2".into()),
        allowed: "x".into(),
    };
    assert!(!err.to_string().contains("hunter2"));
    let cfg = with(&[]).expect("valid");
    assert!(!format!("{cfg:?}").contains("hunter2-very-secret"));
}

#[test]
fn inline_substitutions_are_never_shown_a_substitutions_path_is() {
    // Inline `key: value` lines may carry a password; a path names a file.
    let err = with(&[("INPUT_SUBSTITUTIONS", "db_password: hunter2")]).expect_err("no flow-file");
    let text = err.to_string();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("got (inline key: value lines)"), "{text}");
    let err = with(&[("INPUT_SUBSTITUTIONS", "env/dev.yml")]).expect_err("no flow-file");
    assert!(err.to_string().contains("got \"env/dev.yml\""), "{err}");
}

#[test]
fn expected_org_is_an_org_id_or_a_short_name() {
    let with = |value: &str| {
        let mut env = vec![
            ("INPUT_CLIENT-ID".to_string(), "c".to_string()),
            ("INPUT_CLIENT-SECRET".to_string(), "s".to_string()),
            (
                "INPUT_BOT-ID".to_string(),
                "3fa85f64-5717-4562-b3fc-2c963f66afa6".to_string(),
            ),
        ];
        env.push(("INPUT_EXPECTED-ORG".to_string(), value.to_string()));
        Config::from_env_iter(env)
    };
    let id = with("3FA85F64-5717-4562-B3FC-2C963F66AFA6").expect("an id");
    assert_eq!(
        id.expected_org,
        Some(ExpectedOrg::Id(
            "3fa85f64-5717-4562-b3fc-2c963f66afa6".into()
        ))
    );
    let short = with(" acme-prod ").expect("a short name");
    assert_eq!(
        short.expected_org,
        Some(ExpectedOrg::ShortName("acme-prod".into()))
    );
    let bad = with("Acme Prod!")
        .expect_err("spaces are not a short name")
        .0;
    assert_eq!(
        bad[0].to_string(),
        "input 'expected-org' (INPUT_EXPECTED-ORG): expected an org id (UUID) or the org's short name (letters, digits, '-', '_' and '.'), got \"Acme Prod!\""
    );
}

#[test]
fn a_flow_file_makes_the_version_and_owns_substitutions_and_drift() {
    let cfg = with(&[
        ("INPUT_FLOW-FILE", "bots/appointment-bot.yaml"),
        (
            "INPUT_SUBSTITUTIONS",
            "queue: Appointments\nphone: 555-0100",
        ),
        ("INPUT_ACCEPT-DRIFT", "true"),
    ])
    .expect("valid");
    assert_eq!(
        cfg.flow_file,
        Some(PathBuf::from("bots/appointment-bot.yaml"))
    );
    assert_eq!(
        cfg.substitutions.as_deref(),
        Some("queue: Appointments\nphone: 555-0100")
    );
    assert!(cfg.accept_drift);
    assert!(!with(&[]).expect("valid").accept_drift);

    let shown: Vec<String> = errors(&[
        ("INPUT_FLOW-FILE", "bots/appointment-bot.yaml"),
        ("INPUT_TARGET-VERSION", "3.0"),
        ("INPUT_PREVIOUS-VERSION", "2.0"),
    ])
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(
        shown,
        [
            "input 'target-version' (INPUT_TARGET-VERSION): expected no value when flow-file is given: the import of the flow file makes the version to publish, got \"3.0\"",
            "input 'previous-version' (INPUT_PREVIOUS-VERSION): expected no value when flow-file is given: a rollback imports the backup of the version live before the run, got \"2.0\"",
        ]
    );
    let shown: Vec<String> = errors(&[
        ("INPUT_SUBSTITUTIONS", "envs/prod.yml"),
        ("INPUT_ACCEPT-DRIFT", "true"),
    ])
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(
        shown,
        [
            "input 'substitutions' (INPUT_SUBSTITUTIONS): expected no value without flow-file: substitutions fill the flow file's {{key}} placeholders, got \"envs/prod.yml\"",
            "input 'accept-drift' (INPUT_ACCEPT-DRIFT): expected false without flow-file: drift is judged against the flow file's releases, got \"true\"",
        ]
    );
    let shown: Vec<String> = errors(&[("INPUT_FLOW-FILE", "../other-repo/bot.yaml")])
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        shown,
        [
            "input 'flow-file' (INPUT_FLOW-FILE): expected a path relative to the workspace, or an absolute one; without '..', got \"../other-repo/bot.yaml\""
        ]
    );
}
