//! One random soak case: a scenario (publish behaviours, durations, token lifetime, faults),
//! the inputs and whether to send SIGTERM, all drawn from one seed so a case reproduces
//! from its seed alone.

use serde_json::{Value, json};

use crate::world::*;

/// Routes faults may hit; `None` is every route, the token endpoint included.
const ROUTES: &[Option<&str>] = &[
    None,
    Some("/api/v2/**"),
    Some("GET /api/v2/flows/*"),
    Some("GET /api/v2/flows/*"),
    Some("POST /api/v2/flows/actions/publish"),
    Some("POST /api/v2/flows/actions/publish"),
    Some("POST /oauth/token"),
    Some("GET /api/v2/routing/skills"),
    Some("GET /api/v2/architect/**"),
    Some("POST /api/v2/notifications/**"),
];

/// Audit events after which a case may send SIGTERM: before the publish, right after it,
/// and while waiting.
const SIGTERM_AFTER: &[&str] = &[
    "deployment_started",
    "publish_triggered",
    "publish_triggered",
    "publish_status",
];

/// 5xx statuses the client retries (501 is not retried; the Action's tests cover it).
const SERVER_ERRORS: &[u16] = &[500, 502, 503, 504];

/// A generated case.
#[derive(Debug, Clone)]
pub struct Case {
    pub seed: u64,
    pub scenario: Value,
    pub inputs: Vec<(String, String)>,
    /// Send SIGTERM once the audit line of this event is printed.
    pub sigterm: Option<&'static str>,
}

impl Case {
    /// The case of this seed.
    pub fn generate(seed: u64) -> Case {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut s = scenario();
        let target = version(&mut s, "2.0");
        target["duration_ms"] = json!(rng.u64(100..=500));
        target["publish"] = publish_behaviour(&mut rng);
        if rng.u8(..10) == 0 {
            // A second attempt behaves differently: only matters if the Action re-sends.
            target["outcomes"] = json!([publish_behaviour(&mut rng), "success"]);
        }
        let previous = version(&mut s, "1.0");
        previous["duration_ms"] = json!(rng.u64(100..=400));
        previous["republish"] = match rng.u8(..20) {
            0..=11 => json!("success"),
            12..=16 => json!("failure"),
            _ => json!("never_finishes"),
        };
        if rng.u8(..20) == 0 {
            s["flows"][0]["published_version"] = json!("2.0");
        }
        if rng.u8(..10) == 0 {
            s["clients"][0]["token_ttl_secs"] = json!(rng.u8(1..=2));
        }
        let faults: Vec<Value> = (0..rng.usize(..=4)).map(|_| fault(&mut rng)).collect();
        add_faults(&mut s, faults);
        if rng.u8(..4) == 0 {
            s["notifications"] = push_fault(&mut rng);
        }

        let mut inputs: Vec<(String, String)> = vec![
            ("timeout-seconds".into(), rng.u8(1..=3).to_string()),
            (
                "poll-max-interval-seconds".into(),
                ["0.1", "0.2", "0.5"][rng.usize(..3)].into(),
            ),
            ("max-retries".into(), rng.u8(..=6).to_string()),
        ];
        if rng.u8(..10) == 0 {
            inputs.push(("rollback".into(), "false".into()));
        }
        if rng.u8(..20) == 0 {
            inputs.push(("dry-run".into(), "true".into()));
        }
        if rng.u8(..10) == 0 {
            inputs.push(("wait-mode".into(), "poll".into()));
        }
        Case {
            seed,
            scenario: s,
            inputs,
            sigterm: (rng.u8(..8) == 0).then(|| SIGTERM_AFTER[rng.usize(..SIGTERM_AFTER.len())]),
        }
    }

    /// The inputs as `World::inputs` takes them.
    pub fn extra(&self) -> Vec<(&str, &str)> {
        self.inputs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

fn publish_behaviour(rng: &mut fastrand::Rng) -> Value {
    match rng.u8(..20) {
        0..=9 => json!("success"),
        10..=12 => json!("failure"),
        13..=15 => json!("never_finishes"),
        16..=18 => json!({ "leaves_other_version_live": { "version": "3.0" } }),
        _ => json!({ "leaves_other_version_live": { "version": "1.0" } }),
    }
}

/// A random fault on a random route with a random trigger.
fn fault(rng: &mut fastrand::Rng) -> Value {
    let mut f = match rng.u8(..6) {
        0 => json!({ "kind": "rate_limit", "retry_after_secs": rng.u8(..=1) }),
        1 => json!({
            "kind": "server_error",
            "status": SERVER_ERRORS[rng.usize(..SERVER_ERRORS.len())],
            "after_handler": rng.bool(),
        }),
        2 => json!({ "kind": "slow", "delay_ms": rng.u64(50..=600) }),
        3 => json!({ "kind": "drop_connection", "after_handler": rng.bool() }),
        4 => json!({ "kind": "malformed_json" }),
        _ => json!({ "kind": "expire_token" }),
    };
    if let Some(route) = ROUTES[rng.usize(..ROUTES.len())] {
        f["route"] = json!(route);
    }
    // Triggers stay bounded so most runs can succeed and the soak stays fast.
    match rng.u8(..4) {
        0 => f["every_nth"] = json!(rng.u64(2..=6)),
        1 => {
            let start = rng.u64(..=1500);
            f["window_start_ms"] = json!(start);
            f["window_end_ms"] = json!(start + rng.u64(100..=1500));
        }
        2 => {
            f["probability"] = json!([0.1, 0.2, 0.3][rng.usize(..3)]);
            f["seed"] = json!(rng.u64(..));
        }
        _ => {
            f["after_nth"] = json!(rng.u64(1..=8));
            f["count"] = json!(rng.u64(1..=3));
        }
    }
    f
}

/// A fault of the push channel (`wait-mode` `auto` waits by push when it can).
fn push_fault(rng: &mut fastrand::Rng) -> Value {
    match rng.u8(..8) {
        0 => json!({ "drop_socket": { "after_events": rng.u8(..=3), "first": rng.u8(1..=2) } }),
        1 => json!({ "drop_socket": { "after_ms": rng.u64(50..=800) } }),
        2 => json!({ "suppress_events": if rng.bool() { "all" } else { "terminal" } }),
        3 => json!({ "refuse_channels": { "first": rng.u8(1..=2) } }),
        4 => json!({ "reject_topics": [{ "topic": "v2.flows.*" }] }),
        5 => json!({ "fail_channel": { "after_events": rng.u8(..=3) } }),
        6 => json!({ "freeze_socket": { "after_events": rng.u8(..=3) } }),
        _ => json!({ "slow_handshake": { "delay_ms": rng.u64(100..=1500) } }),
    }
}
