//! The dependency check at scale (200 flows + 200 skills, 50 ms per request) and a full
//! deployment through a 429 storm (30 % of requests answered 429 with `Retry-After: 1`).

use crate::common::{self, Settings};
use genesys_bot_deploy::pipeline::Status;
use serde_json::json;

/// Figures of the dependency check, one entry per run.
#[derive(Debug, Clone, Default)]
pub struct DependencyResult {
    /// Requests of the dependency phase (bulk flow and skill look-ups).
    pub requests: Vec<f64>,
    /// The `dependencies` phase's duration, ms.
    pub wall_ms: Vec<f64>,
    /// Runs whose check did not pass.
    pub failed: usize,
}

/// Per-request latency of the dependency bench (SPEC §5).
pub const DEPENDENCY_LATENCY_MS: u64 = 50;
/// Flows and skills listed.
pub const DEPENDENCIES: usize = 200;

/// Dry runs listing 200 flows and 200 skills, each against a fresh sandbox.
pub async fn dependencies(settings: &Settings) -> DependencyResult {
    let bot = common::uuid(0xde9, 0);
    let flow_ids: Vec<String> = (0..DEPENDENCIES).map(|i| common::uuid(0xf10, i)).collect();
    let skill_ids: Vec<String> = (0..DEPENDENCIES).map(|i| common::uuid(0x5c1, i)).collect();
    let mut flows = vec![common::bot(&bot, 1000)];
    flows.extend(flow_ids.iter().map(|id| {
        json!({ "id": id, "name": format!("Module {id}"), "type": "COMMONMODULE",
                "published_version": "1.0", "versions": [ { "id": "1.0" } ] })
    }));
    let skills: Vec<_> = skill_ids
        .iter()
        .map(|id| json!({ "id": id, "name": format!("Skill {id}"), "state": "active" }))
        .collect();
    let (flow_list, skill_list) = (flow_ids.join(","), skill_ids.join(","));
    let mut result = DependencyResult::default();
    for _ in 0..settings.runs {
        let sandbox = common::start(common::scenario(
            flows.clone(),
            skills.clone(),
            common::latency_fault(DEPENDENCY_LATENCY_MS),
        ))
        .await;
        let vars = common::inputs(
            &sandbox,
            &bot,
            &[
                ("INPUT_FLOW-IDS", &flow_list),
                ("INPUT_SKILL-IDS", &skill_list),
                ("INPUT_DISCOVER-DEPENDENCIES", "false"),
                ("INPUT_DRY-RUN", "true"),
            ],
        );
        let run = common::run_in_process(common::config(vars)).await;
        let requests = sandbox.requests();
        sandbox.shutdown().await;
        let phase = run
            .report
            .facts
            .phases
            .iter()
            .find(|p| p.name == "dependencies");
        match (phase, run.report.status()) {
            (Some(phase), Status::DryRun) if phase.result == "ok" => {
                result.wall_ms.push(phase.duration_ms as f64);
                let lookups = requests
                    .iter()
                    .filter(|r| {
                        r.path == "/api/v2/flows"
                            || r.path.starts_with("/api/v2/routing/skills")
                            || r.path.starts_with("/api/v2/architect/dependencytracking")
                    })
                    .count();
                result.requests.push(lookups as f64);
            }
            _ => result.failed += 1,
        }
    }
    result
}

/// Figures of one deployment through the storm.
#[derive(Debug, Clone, Default)]
pub struct StormRun {
    /// The seed of the 429 draw.
    pub seed: u64,
    /// Wall time of the run, s.
    pub total_s: f64,
    /// 429s answered × `Retry-After`, s.
    pub told_to_wait_s: f64,
    /// How long the publish itself took on the platform, s.
    pub publish_s: f64,
    /// Requests answered 429 (wasted).
    pub wasted: usize,
    /// Of those, the ones that arrived while the publish was running (their waits overlap
    /// the publish rather than add to the run).
    pub during_publish: usize,
    /// All requests.
    pub requests: usize,
    /// The run's status.
    pub status: String,
}

impl StormRun {
    /// Total minus the waits asked for minus the publish.
    pub fn overhead_s(&self) -> f64 {
        self.total_s - self.told_to_wait_s - self.publish_s
    }
}

/// Probability of a 429 on each request.
pub const STORM_PROBABILITY: f64 = 0.3;
/// `Retry-After` of each 429, s.
pub const STORM_RETRY_AFTER_S: u64 = 1;
/// Publish duration in the storm, ms.
pub const STORM_PUBLISH_MS: u64 = 2000;

/// One full deployment, with the storm when `seed` is set, calm otherwise.
async fn deploy_through(seed: Option<u64>, latency_ms: u64) -> StormRun {
    let bot = common::uuid(0x429, 0);
    let mut faults = common::latency_fault(latency_ms);
    if let Some(seed) = seed {
        faults.push(
            json!({ "kind": "rate_limit", "probability": STORM_PROBABILITY,
            "seed": seed, "retry_after_secs": STORM_RETRY_AFTER_S }),
        );
    }
    let sandbox = common::start(common::scenario(
        vec![common::bot(&bot, STORM_PUBLISH_MS)],
        Vec::new(),
        faults,
    ))
    .await;
    let vars = common::inputs(&sandbox, &bot, &[("INPUT_MAX-RETRIES", "20")]);
    let run = common::run_in_process(common::config(vars)).await;
    let requests = sandbox.requests();
    let operations = sandbox.operations();
    sandbox.shutdown().await;
    let limited: Vec<_> = requests.iter().filter(|r| r.status == 429).collect();
    let publishing = |at| {
        operations
            .iter()
            .any(|op| at >= op.started_at && op.completed_at.is_none_or(|end| at <= end))
    };
    let publish_s = operations
        .iter()
        .filter_map(|op| Some(op.completed_at?.saturating_sub(op.started_at)))
        .map(|d| d.as_secs_f64())
        .sum();
    StormRun {
        seed: seed.unwrap_or(0),
        total_s: run.wall.as_secs_f64(),
        told_to_wait_s: (limited.len() as u64 * STORM_RETRY_AFTER_S) as f64,
        publish_s,
        wasted: limited.len(),
        during_publish: limited.iter().filter(|r| publishing(r.at)).count(),
        requests: requests.len(),
        status: run.report.status().as_str().to_string(),
    }
}

/// `settings.runs` deployments through the storm (seeds 1, 2, ...) and as many calm ones,
/// all at once, each on its own sandbox.
pub async fn storm(settings: &Settings) -> (Vec<StormRun>, Vec<StormRun>) {
    let latency_ms = settings.latency_ms;
    let seeds = 1..=settings.runs as u64;
    let stormy: Vec<_> = seeds
        .clone()
        .map(|seed| tokio::spawn(deploy_through(Some(seed), latency_ms)))
        .collect();
    let calm: Vec<_> = seeds
        .map(|_| tokio::spawn(deploy_through(None, latency_ms)))
        .collect();
    let (mut storm_runs, mut calm_runs) = (Vec::new(), Vec::new());
    for task in stormy {
        storm_runs.push(task.await.expect("a storm run does not panic"));
    }
    for task in calm {
        calm_runs.push(task.await.expect("a calm run does not panic"));
    }
    (storm_runs, calm_runs)
}
