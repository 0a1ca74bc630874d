//! Import and export jobs (SPEC §5, issue 13 point 5): how soon a deployment from a flow file
//! sees its import job end, how many job reads that costs, and what the Action adds to the
//! platform's own job and publish time. One sandbox per deployment (a sandbox's import
//! duration is one scenario setting), all deployments at once, the demo's Appointment Bot
//! deployed from `examples/flows/appointment-bot.yaml` with production's substitutions.
//!
//! Detection latency is the instant of the Action's `Success (import job)` log line minus the
//! sandbox's exact `completed_at` of the import job. The job-read rate counts the reads of the
//! import job (`GET /api/v2/flows/jobs/{id}`) over the time from the upload to the detection.
//! The overhead is the whole run minus the platform's own work: the backup export, the
//! import (whose publish is part of it) and the identity export.

use crate::common::{self, InProcess, Settings, Stats};
use genesys_bot_deploy::pipeline::Status;
use genesys_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_YAML_BOT_ID, Sandbox, Scenario};
use std::time::{Duration, Instant};

/// Export jobs take this long in every run (the sandbox's default is 400 ms).
const EXPORT_MS: u64 = 400;

/// The figures of one way of waiting for import jobs.
#[derive(Debug, Clone)]
pub struct JobResult {
    /// `poll`, `auto`, or a fixed poller.
    pub name: String,
    /// From the job's end to the Action seeing it, s.
    pub latency: Stats,
    /// Job reads per minute of waiting, all runs together.
    pub reads_per_minute: f64,
    /// The whole run minus the platform's job and publish time, s.
    pub overhead: Stats,
    /// Requests per run, median.
    pub requests: f64,
    /// Runs measured.
    pub measured: usize,
    /// Runs that did not publish, or whose job end was not seen.
    pub failed: usize,
}

/// Import durations, ms: `n` spread evenly over 2–`max` s.
pub fn durations(settings: &Settings) -> Vec<u64> {
    let (n, max_ms) = if settings.quick {
        (3, 8_000)
    } else {
        (12, 120_000)
    };
    crate::detection::spread(n, 2_000, max_ms)
}

/// The demo scenario with imports taking `import_ms` and every request `latency_ms`.
fn scenario(import_ms: u64, latency_ms: u64) -> Scenario {
    let mut value =
        serde_json::to_value(Scenario::default()).expect("the demo scenario serialises");
    value["import_duration_ms"] = import_ms.into();
    value["export_duration_ms"] = EXPORT_MS.into();
    value["faults"] = serde_json::Value::Array(common::latency_fault(latency_ms));
    Scenario::from_json_str(&value.to_string()).expect("the job bench scenario is valid")
}

/// The inputs of one deployment from the example flow file, waiting as `mode` says.
fn inputs(sandbox: &Sandbox, mode: &str, workspace: &std::path::Path) -> Vec<(String, String)> {
    let files = [
        (
            "bot.yaml",
            include_str!("../../examples/flows/appointment-bot.yaml"),
        ),
        (
            "prod.yml",
            include_str!("../../examples/flows/substitutions/prod.yml"),
        ),
    ];
    for (name, text) in files {
        std::fs::write(workspace.join(name), text).expect("the workspace is writable");
    }
    common::inputs(
        sandbox,
        DEMO_YAML_BOT_ID,
        &[
            ("INPUT_CLIENT-ID", DEMO_CLIENT_ID),
            ("INPUT_CLIENT-SECRET", DEMO_CLIENT_SECRET),
            ("INPUT_FLOW-FILE", "bot.yaml"),
            ("INPUT_SUBSTITUTIONS", "prod.yml"),
            ("INPUT_TIMEOUT-SECONDS", "300"),
            ("INPUT_WAIT-MODE", mode),
        ],
    )
}

/// When the Action logged the import job's end.
fn detected_at(lines: &[(Instant, String)]) -> Option<Instant> {
    lines
        .iter()
        .find(|(_, line)| line.trim() == "Success (import job)")
        .map(|(at, _)| *at)
}

/// One deployment from the flow file on its own sandbox, its import taking `import_ms`.
async fn one(
    mode: String,
    import_ms: u64,
    latency_ms: u64,
) -> Option<(f64, usize, f64, f64, usize)> {
    let sandbox = common::start(scenario(import_ms, latency_ms)).await;
    let workspace = tempfile::TempDir::new().expect("a workspace");
    let config = common::config(inputs(&sandbox, &mode, workspace.path()));
    let run: InProcess = common::run_in_process_in(config, workspace.path()).await;
    let jobs = sandbox.jobs();
    let requests = sandbox.requests();
    let epoch = sandbox.epoch();
    sandbox.shutdown().await;
    let import = jobs
        .iter()
        .find(|j| j.kind == genesys_sandbox::JobKind::Import)?;
    let (completed, uploaded) = (import.completed_at?, import.uploaded_at?);
    let seen = detected_at(&run.lines)?;
    if run.report.status() != Status::Published {
        return None;
    }
    let latency = common::secs_between(epoch + completed, seen);
    let path = format!("/api/v2/flows/jobs/{}", import.id);
    let end = seen.saturating_duration_since(epoch);
    let reads = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path == path && r.at >= uploaded && r.at <= end)
        .count();
    let waited = end.saturating_sub(uploaded).as_secs_f64();
    let platform_s = (import_ms + 2 * EXPORT_MS) as f64 / 1000.0;
    let overhead = run.wall.as_secs_f64() - platform_s;
    Some((latency, reads, waited, overhead, requests.len()))
}

/// Every duration at once, waiting as `mode` says.
pub async fn measure(mode: &str, durations: &[u64], settings: &Settings) -> JobResult {
    let runs = durations
        .iter()
        .map(|d| tokio::spawn(one(mode.to_string(), *d, settings.latency_ms)));
    let mut results = Vec::new();
    for run in runs {
        results.push(run.await.expect("a job bench run does not panic"));
    }
    let done: Vec<_> = results.iter().flatten().collect();
    let reads: usize = done.iter().map(|r| r.1).sum();
    let waited: f64 = done.iter().map(|r| r.2).sum();
    let requests: Vec<f64> = done.iter().map(|r| r.4 as f64).collect();
    JobResult {
        name: mode.to_string(),
        latency: Stats::of(&done.iter().map(|r| r.0).collect::<Vec<_>>()),
        reads_per_minute: if waited > 0.0 {
            reads as f64 * 60.0 / waited
        } else {
            0.0
        },
        overhead: Stats::of(&done.iter().map(|r| r.3).collect::<Vec<_>>()),
        requests: common::median(&requests),
        measured: done.len(),
        failed: results.len() - done.len(),
    }
}

/// A poller reading the job every `every` from its upload, as Terraform's provider does
/// every 15 s: it sees the end at the first read at or after it, plus one request's latency.
pub fn fixed(every: Duration, durations_ms: &[u64], latency_ms: u64) -> JobResult {
    let t = every.as_secs_f64();
    let latency_s = latency_ms as f64 / 1000.0;
    let (mut latencies, mut reads, mut waited) = (Vec::new(), 0.0, 0.0);
    for d in durations_ms {
        let d = *d as f64 / 1000.0;
        let n = (d / t).ceil().max(1.0);
        latencies.push(n * t - d + latency_s);
        reads += n;
        waited += n * t;
    }
    JobResult {
        name: format!("fixed {} s", every.as_secs()),
        latency: Stats::of(&latencies),
        reads_per_minute: reads * 60.0 / waited,
        overhead: Stats::default(),
        requests: 0.0,
        measured: durations_ms.len(),
        failed: 0,
    }
}
