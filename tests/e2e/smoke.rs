//! The smoke-test gate through the real binary against the sandbox's bot flow sessions: the
//! session runs whatever version is live, so a version that answers wrongly is rolled back.

use serde_json::{Value, json};

use crate::world::{self, POLL_ONLY, World, add_faults, scenario, version};

const FILE: &str = "bots/e2e/smoke.yml";

const SMOKE: &str = "\
version: 1
conversations:
  - name: Greets
    turns:
      - bot: { text: \"Hi, I'm the E2E Bot.\" }
  - name: Pays a bill
    timeout_seconds: 20
    turns:
      - user: I want to pay my bill
        bot:
          text: \"You can pay online.\\nOr by phone.\"
          quick_replies: [Pay now]
";

/// What both versions say when they work: the payment answer comes in two parts.
fn good_bot() -> Value {
    json!({
        "greeting": { "text": "Hi, I'm the E2E Bot." },
        "replies": [
            { "utterance": "pay", "reply": {
                "text": "You can pay online.", "continued": ["Or by phone."], "quick_replies": ["Pay now"] } },
            { "utterance": "agent", "reply": {
                "text": "Transferring you.", "ends": { "kind": "exit", "reason": "AgentRequestedByUser" } } }
        ]
    })
}

/// The e2e scenario with `2.0` answering as `bot` and `1.0` answering well.
fn world_with(bot: Value) -> Value {
    let mut scenario = scenario();
    version(&mut scenario, "1.0")["bot"] = good_bot();
    version(&mut scenario, "2.0")["bot"] = bot;
    scenario
}

async fn run(world: &World, file: &str) -> crate::ran::Ran {
    world
        .run_with_files(&[POLL_ONLY, ("smoke-test", FILE)], &[(FILE, file)])
        .await
}

/// Turns posted to bot flow sessions, in order.
fn turns(world: &World) -> usize {
    world
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/turns"))
        .count()
}

/// The audit line of `event`.
fn line(ran: &crate::ran::Ran, event: &str) -> Value {
    ran.audit()
        .into_iter()
        .find(|l| l["event"] == event)
        .unwrap_or_else(|| panic!("no {event} line\n{ran}"))
}

const HEAD: [&str; 4] = [
    "deployment_started",
    "dependency_validation_passed",
    "publish_triggered",
    "publish_status",
];

/// What follows `HEAD` when the smoke test fails and the rollback succeeds.
const ROLLED_BACK: &[&str] = &[
    "smoke_test_started",
    "smoke_test_failed",
    "rollback_started",
    "publish_status",
    "rollback_completed",
    "metrics",
];

/// A `2.0` that greets well but answers the billing question with "Please hold.".
fn bot_that_stalls() -> Value {
    json!({
        "greeting": { "text": "Hi, I'm the E2E Bot." },
        "replies": [{ "utterance": "pay", "reply": { "text": "Please hold." } }]
    })
}

fn events(tail: &[&'static str]) -> Vec<&'static str> {
    HEAD.iter().chain(tail).copied().collect()
}

#[tokio::test]
async fn a_new_version_that_answers_well_stays_live() {
    let world = World::start(world_with(good_bot())).await;

    let ran = run(&world, SMOKE).await;

    ran.assert_outcome(
        0,
        "published",
        &events(&[
            "smoke_test_started",
            "smoke_test_passed",
            "deployment_success",
            "metrics",
        ]),
        &world.secrets(),
    );
    assert_eq!(world.live().as_deref(), Some("2.0"));
    let sessions = world.sandbox.bot_sessions();
    // The access check before publishing starts one session with 1.0 (and sends no turn);
    // the two conversations hold theirs with 2.0.
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions[0].version, "1.0");
    assert!(
        sessions[1..]
            .iter()
            .all(|s| s.version == "2.0" && s.flow_id == world::BOT)
    );
    // The launch the platform accepts: a user agent of its enum, and no empty language.
    for s in &sessions {
        assert_eq!(
            s.user_agent.as_deref(),
            Some("GenesysWebWidget"),
            "{:?}",
            s.launch
        );
        assert_eq!(s.language, None, "{:?}", s.launch);
        assert_eq!(s.launch["channel"]["name"], "Messaging");
    }
    // Greets: the opening NoOp. Pays a bill: the opening, the question, one NoOp for the rest.
    assert_eq!(turns(&world), 4, "{}", world.log());
    let passed = &line(&ran, "smoke_test_passed");
    assert_eq!(passed["details"]["file"], FILE);
    assert_eq!(passed["details"]["conversations"][1]["name"], "Pays a bill");
    assert!(
        ran.summary
            .contains("### Smoke test: ✅ all 2 conversation(s) passed"),
        "{ran}"
    );
    assert!(ran.summary.contains(
        "| 1 | I want to pay my bill | text \"You can pay online.<br>Or by phone.\"; quick replies \"Pay now\" | \"You can pay online.<br>Or by phone.\"; quick replies \"Pay now\" | ✅ |"
    ), "{ran}");
}

#[tokio::test]
async fn quick_replies_in_the_v2_form_are_read_too() {
    let mut bot = good_bot();
    bot["quick_reply_form"] = json!("v2");
    let world = World::start(world_with(bot)).await;

    let ran = run(&world, SMOKE).await;

    ran.assert_outcome(
        0,
        "published",
        &events(&[
            "smoke_test_started",
            "smoke_test_passed",
            "deployment_success",
            "metrics",
        ]),
        &world.secrets(),
    );
    assert_eq!(world.live().as_deref(), Some("2.0"));
}

#[tokio::test]
async fn one_503_on_a_session_and_one_on_a_turn_are_retried_and_the_version_stays_live() {
    let mut scenario = world_with(good_bot());
    add_faults(
        &mut scenario,
        [
            // The second session: the first is the access check before publishing.
            json!({ "kind": "server_error", "status": 503, "count": 1, "after_nth": 2,
                    "route": "POST /api/v2/textbots/botflows/sessions" }),
            json!({ "kind": "server_error", "status": 503, "count": 1,
                    "route": "POST /api/v2/textbots/botflows/sessions/*/turns" }),
        ],
    );
    let world = World::start(scenario).await;

    let ran = run(&world, SMOKE).await;

    ran.assert_outcome(
        0,
        "published",
        &events(&[
            "smoke_test_started",
            "smoke_test_passed",
            "deployment_success",
            "metrics",
        ]),
        &world.secrets(),
    );
    assert_eq!(world.live().as_deref(), Some("2.0"));
    // Both faults fired and were answered by a second try: nothing was rolled back.
    let faulted: Vec<(String, u16)> = world
        .requests()
        .into_iter()
        .filter(|r| r.fault.as_deref() == Some("server_error"))
        .map(|r| (r.path, r.status))
        .collect();
    assert_eq!(faulted.len(), 2, "{}", world.log());
    assert!(faulted.iter().all(|(_, status)| *status == 503));
    assert!(
        faulted
            .iter()
            .any(|(path, _)| path == "/api/v2/textbots/botflows/sessions")
    );
    assert!(faulted.iter().any(|(path, _)| path.ends_with("/turns")));
    // The access check's session and the two conversations'.
    assert_eq!(world.sandbox.bot_sessions().len(), 3, "{}", world.log());
    assert_eq!(world.publishes_of("1.0").len(), 0, "no rollback");
}

#[tokio::test]
async fn a_new_version_that_answers_wrongly_is_rolled_back() {
    let world = World::start(world_with(bot_that_stalls())).await;

    let ran = run(&world, SMOKE).await;

    ran.assert_outcome(1, "rolled-back", &events(ROLLED_BACK), &world.secrets());
    assert_eq!(world.live().as_deref(), Some("1.0"));
    assert_eq!(ran.output("published-version"), "1.0");
    world.assert_one_publish_of("2.0");
    assert_eq!(world.publishes_of("1.0").len(), 1);
    let failed = &line(&ran, "smoke_test_failed");
    let conversation = &failed["details"]["conversations"][1];
    assert_eq!(
        (
            &conversation["name"],
            &conversation["turn"],
            &conversation["actual"]
        ),
        (&json!("Pays a bill"), &json!(1), &json!("\"Please hold.\""))
    );
    assert_eq!(failed["details"]["conversations"][0]["passed"], true);
    assert!(
        ran.summary
            .starts_with("## ↩️ E2E Bot 2.0 failed in e2e and was rolled back"),
        "{ran}"
    );
    assert!(ran.summary.contains(
        "| 1 | I want to pay my bill | text \"You can pay online.<br>Or by phone.\"; quick replies \"Pay now\" | \"Please hold.\" | ❌ the answer is not exactly \"You can pay online.<br>Or by phone.\"; quick replies \"Pay now\" not offered |"
    ), "{ran}");
    assert!(ran.stdout.contains("::error title=Smoke test failed::version 2.0 went live but 1 of 2 smoke-test conversation(s) failed; version 1.0 was published again and is live"), "{ran}");
}

#[tokio::test]
async fn the_rollback_after_a_failed_smoke_test_is_waited_for_by_push_too() {
    let world = World::start(world_with(bot_that_stalls())).await;

    // wait-mode auto (the default), with the safety-net read 10 s away: only push can see
    // the publish and the rollback finish in time.
    let ran = world
        .run_with_files(
            &[
                ("smoke-test", FILE),
                ("poll-max-interval-seconds", "5"),
                ("timeout-seconds", "30"),
            ],
            &[(FILE, SMOKE)],
        )
        .await;

    ran.assert_outcome(1, "rolled-back", &events(ROLLED_BACK), &world.secrets());
    assert_eq!(world.live().as_deref(), Some("1.0"));
    let rollback_statuses: Vec<Value> = ran
        .audit()
        .into_iter()
        .skip_while(|l| l["event"] != "rollback_started")
        .filter(|l| l["event"] == "publish_status")
        .map(|l| json!([l["version"], l["status"], l["details"]["decided_by"]]))
        .collect();
    assert_eq!(
        rollback_statuses,
        [
            json!(["1.0", "STARTED", "push"]),
            json!(["1.0", "PENDING_GENERATION", "push"]),
            json!(["1.0", "PENDING_BACKEND_NOTIFICATION", "push"]),
            json!(["1.0", "SUCCESS", "push"]),
        ],
        "{ran}"
    );
    // The preflight's read, then one read confirming each pushed finish.
    assert_eq!(world.flow_reads().len(), 3, "{}", world.log());
}

#[tokio::test]
async fn a_failed_smoke_test_whose_rollback_fails_exits_2() {
    let mut scenario = world_with(json!({ "greeting": { "text": "Wrong greeting" } }));
    version(&mut scenario, "1.0")["republish"] = json!("failure");
    let world = World::start(scenario).await;

    let ran = run(&world, SMOKE).await;

    ran.assert_outcome(
        2,
        "rollback-failed",
        &events(&[
            "smoke_test_started",
            "smoke_test_failed",
            "rollback_started",
            "publish_status",
            // The republish failed: its export is imported instead, which the sandbox
            // refuses for this scripted bot (its generated YAML names a queue it lacks).
            "export_status",
            "import_status",
            "import_status",
            "import_status",
            "rollback_failed",
            "metrics",
        ]),
        &world.secrets(),
    );
    assert_eq!(world.live().as_deref(), Some("2.0"));
    assert!(
        ran.summary
            .starts_with("## 🚨 E2E Bot 2.0 failed in e2e and the rollback failed"),
        "{ran}"
    );
    assert!(
        ran.stdout.contains("::error title=Rollback failed::"),
        "{ran}"
    );
}

#[tokio::test]
async fn sigterm_during_the_smoke_test_rolls_the_target_back() {
    let mut scenario = world_with(good_bot());
    // Every bot turn takes 10 s: the conversations are still being held when the signal
    // arrives, which is sent once the run says the smoke test started.
    add_faults(
        &mut scenario,
        [json!({ "kind": "slow", "delay_ms": 10000,
                 "route": "POST /api/v2/textbots/botflows/sessions/*/turns" })],
    );
    let world = World::start(scenario).await;
    let mut action = world.start_action_with_files(
        &[POLL_ONLY, ("smoke-test", FILE), ("timeout-seconds", "60")],
        &[(FILE, SMOKE)],
    );
    action
        .wait_for_event("smoke_test_started")
        .await
        .expect("the smoke test started");
    action.terminate().await;
    let ran = action.finish().await;

    // Cancelled with the target live: SPEC rule 8 puts the previous version back.
    ran.assert_outcome(
        1,
        "cancelled",
        &events(&[
            "smoke_test_started",
            "deployment_cancelled",
            "rollback_started",
            "publish_status",
            "rollback_completed",
            "metrics",
        ]),
        &world.secrets(),
    );
    world.assert_one_publish_of("2.0");
    world.assert_one_publish_of("1.0");
    assert_eq!(world.live().as_deref(), Some("1.0"));
    assert_eq!(ran.output("published-version"), "1.0");
    assert!(
        ran.summary.starts_with(
            "## 🛑 Deployment of E2E Bot 2.0 to e2e was cancelled; version 1.0 is live"
        ),
        "{ran}"
    );
}

#[tokio::test]
async fn a_malformed_smoke_test_file_stops_the_run_before_any_request() {
    let world = World::start(world_with(good_bot())).await;
    let broken = SMOKE.replace("version: 1", "version: 2");

    let ran = run(&world, &broken).await;

    // Like any rejected input, the trail goes to stdout only (the audit-log file is not
    // opened), so the checks are spelled out rather than `assert_outcome`.
    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(ran.output("status"), "failed");
    assert_eq!(ran.events(), ["deployment_failed", "metrics"]);
    assert_eq!(ran.leak(&world.secrets()), None);
    assert!(world.requests().is_empty(), "{}", world.log());
    assert!(ran.stdout.contains(
        "::error title=Invalid input 'smoke-test'::input 'smoke-test' (INPUT_SMOKE-TEST): expected a valid conversations file (bots/e2e/smoke.yml line 1, column 1: version 2 is not supported: this Action reads version 1), got \"bots/e2e/smoke.yml\""
    ), "{ran}");
    assert_eq!(world.live().as_deref(), Some("1.0"));
}

#[tokio::test]
async fn a_reason_no_bot_can_send_stops_the_run_before_any_request() {
    let world = World::start(world_with(good_bot())).await;
    let file = format!(
        "{SMOKE}  - name: Hands over\n    turns:\n      - user: Talk to an agent\n        bot: {{ ends: exit, reason: UserEscalation }}\n"
    );

    let ran = run(&world, &file).await;

    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(ran.output("status"), "failed");
    assert_eq!(ran.events(), ["deployment_failed", "metrics"]);
    assert!(world.requests().is_empty(), "{}", world.log());
    assert!(ran.stdout.contains(
        "::error title=Invalid input 'smoke-test'::input 'smoke-test' (INPUT_SMOKE-TEST): expected a valid conversations file (bots/e2e/smoke.yml line 15, column 9: conversations[2].turns[0]: `reason` \"UserEscalation\" is not a reason the platform sends for `ends: exit`; allowed: TriggeredByUser, AgentRequestedByUser, TriggeredByFlow, Error, RecognitionFailure), got \"bots/e2e/smoke.yml\""
    ), "{ran}");
    assert_eq!(world.live().as_deref(), Some("1.0"));
}

#[tokio::test]
async fn a_missing_session_permission_stops_the_run_before_the_publish() {
    let mut scenario = world_with(good_bot());
    add_faults(
        &mut scenario,
        [
            json!({ "kind": "forbidden", "route": "POST /api/v2/textbots/botflows/sessions",
                 "permission": "textbots:botFlowSession:execute" }),
        ],
    );
    let world = World::start(scenario).await;

    let ran = run(&world, SMOKE).await;

    // Found by the access check before publishing: nothing is published, so nothing
    // needs rolling back.
    ran.assert_outcome(
        1,
        "failed",
        &[
            "deployment_started",
            "dependency_validation_passed",
            "deployment_failed",
            "metrics",
        ],
        &world.secrets(),
    );
    assert_eq!(turns(&world), 0);
    assert!(world.publishes().is_empty(), "{}", world.log());
    assert_eq!(world.live().as_deref(), Some("1.0"));
    assert!(
        ran.summary.contains(
            "**Why:** Smoke test not permitted — the smoke test could not start a bot flow session"
        ),
        "{ran}"
    );
    assert!(
        ran.summary.contains(
            "**Next:** Give the OAuth client's role the permission textbots:botFlowSession:execute"
        ),
        "{ran}"
    );
    assert!(
        ran.stdout
            .contains("::error title=Smoke test not permitted::"),
        "{ran}"
    );
}

#[tokio::test]
async fn a_session_the_bot_ends_early_fails_the_conversation() {
    let world = World::start(world_with(good_bot())).await;
    let file = "\
version: 1
conversations:
  - name: Asks for an agent, then goes on
    turns:
      - bot: { contains: E2E Bot }
      - user: Talk to an agent
        bot: { contains: Transferring }
      - user: Are you still there?
        bot: { contains: still here }
";

    let ran = run(&world, file).await;

    assert_eq!(ran.code, Some(1), "{ran}");
    assert_eq!(ran.output("status"), "rolled-back");
    let failed = &line(&ran, "smoke_test_failed");
    assert_eq!(failed["details"]["conversations"][0]["turn"], 3);
    assert_eq!(
        failed["details"]["conversations"][0]["reason"],
        "the session ended (exit (AgentRequestedByUser)) before this turn"
    );
    assert!(ran.summary.contains(
        "| 2 | Talk to an agent | contains \"Transferring\" | \"Transferring you.\"; session ended: exit (AgentRequestedByUser) | ✅ |"
    ), "{ran}");
    assert!(ran.summary.contains(
        "| 3 | Are you still there? | contains \"still here\" | (no answer) | ❌ the session ended (exit (AgentRequestedByUser)) before this turn |"
    ), "{ran}");
    // The third turn was never sent: the session had ended.
    assert_eq!(turns(&world), 2, "{}", world.log());
}
