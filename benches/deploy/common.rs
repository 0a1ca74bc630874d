//! Shared pieces: scenarios built as JSON (so the bench follows the sandbox's documented
//! format rather than its Rust structs), inputs, a console that timestamps every line, and
//! small statistics.

use genesys_bot_deploy::config::Config;
use genesys_bot_deploy::github::Console;
use genesys_bot_deploy::pipeline::{self, Report, RunContext};
use genesys_bot_deploy::redact::Redactor;
use genesys_sandbox::{Sandbox, Scenario};
use serde_json::{Value, json};
use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// The OAuth client every bench scenario knows.
pub const CLIENT_ID: &str = "bench-client";
/// Its secret.
pub const CLIENT_SECRET: &str = "bench-secret";

/// Knobs of one bench run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Short smoke variant.
    pub quick: bool,
    /// The sandbox's per-request latency (`slow` fault on every route).
    pub latency_ms: u64,
    /// Publishes per wait mode in the detection bench.
    pub publishes: usize,
    /// Longest publish duration (the shortest is 1 s).
    pub max_publish_ms: u64,
    /// Publishes per wait mode in the long sample (from 30 s, 8.09 s apart); 0 skips it.
    pub long_publishes: usize,
    /// Repetitions of the dependency, start-up, RSS and 429 runs.
    pub runs: usize,
    /// Write docs/benchmarks.md.
    pub write: bool,
    /// The wait modes to measure (`poll`, `push`, `auto`, `poll-1s`).
    pub modes: Vec<String>,
}

/// A lower-case UUID unique per `(kind, n)`.
pub fn uuid(kind: u32, n: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

/// A bot flow with `1.0` live and `2.0` checked in, publishing in `duration_ms`.
pub fn bot(id: &str, duration_ms: u64) -> Value {
    json!({
        "id": id, "name": format!("Bench bot {id}"), "type": "DIGITALBOT",
        "published_version": "1.0", "checked_in_version": "2.0",
        "versions": [ { "id": "1.0" }, { "id": "2.0", "duration_ms": duration_ms } ]
    })
}

/// The `slow` fault that gives every request `latency_ms` (none when 0).
pub fn latency_fault(latency_ms: u64) -> Vec<Value> {
    if latency_ms == 0 {
        return Vec::new();
    }
    vec![json!({ "kind": "slow", "delay_ms": latency_ms })]
}

/// A scenario with the bench client, these flows, skills and faults.
pub fn scenario(flows: Vec<Value>, skills: Vec<Value>, faults: Vec<Value>) -> Scenario {
    let text = json!({
        "clients": [ { "id": CLIENT_ID, "secret": CLIENT_SECRET, "name": "Bench" } ],
        "flows": flows,
        "skills": skills,
        "faults": faults,
    })
    .to_string();
    Scenario::from_json_str(&text).expect("the bench scenario is valid")
}

/// Starts a sandbox on a scenario.
pub async fn start(scenario: Scenario) -> Sandbox {
    Sandbox::start(scenario)
        .await
        .expect("the sandbox starts on loopback")
}

/// `INPUT_*` pairs for a run against `sandbox` publishing `bot_id`, plus `extra`.
pub fn inputs(sandbox: &Sandbox, bot_id: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = [
        ("INPUT_CLIENT-ID", CLIENT_ID),
        ("INPUT_CLIENT-SECRET", CLIENT_SECRET),
        ("INPUT_BOT-ID", bot_id),
        ("INPUT_API-URL", &sandbox.api_url()),
        ("INPUT_LOGIN-URL", &sandbox.login_url()),
        ("INPUT_ENVIRONMENT", "bench"),
        ("INPUT_TIMEOUT-SECONDS", "120"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        vars.retain(|(name, _)| name != k);
        vars.push((k.to_string(), v.to_string()));
    }
    vars
}

/// A validated config from inputs.
pub fn config(vars: Vec<(String, String)>) -> Config {
    Config::from_env_iter(vars).expect("the bench inputs are valid")
}

/// Every line the console received, with the instant it was completed.
pub type Lines = Arc<Mutex<Vec<(Instant, String)>>>;

/// A writer that stamps each line with `Instant::now()` as its newline is written.
struct Stamped {
    lines: Lines,
    partial: Vec<u8>,
}

impl Write for Stamped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let now = Instant::now();
        self.partial.extend_from_slice(buf);
        while let Some(end) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line[..end]).into_owned();
            self.lines
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((now, text));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A run of the pipeline in-process: its report, its stamped lines and its wall time.
pub struct InProcess {
    /// The verdict.
    pub report: Report,
    /// Stdout, line by line, stamped.
    pub lines: Vec<(Instant, String)>,
    /// When `pipeline::run` was called (the report's phase times count from about here).
    pub started: Instant,
    /// How long it took.
    pub wall: Duration,
}

/// Runs the pipeline with `config`, every line stamped as it is written.
pub async fn run_in_process(config: Config) -> InProcess {
    let dir = tempfile::TempDir::new().expect("a temporary workspace");
    run_in_process_in(config, dir.path()).await
}

/// Like [`run_in_process`], in the workspace `workspace` (which holds the files the inputs
/// name).
pub async fn run_in_process_in(config: Config, workspace: &std::path::Path) -> InProcess {
    let lines: Lines = Arc::default();
    let writer = Stamped {
        lines: lines.clone(),
        partial: Vec::new(),
    };
    let ctx = RunContext {
        console: Console::new(Arc::new(Mutex::new(Box::new(writer))), Redactor::new()),
        output_file: Some(workspace.join("output")),
        summary_file: Some(workspace.join("summary")),
        workspace: workspace.to_path_buf(),
        cancel: CancellationToken::new(),
        runner_temp: Some(workspace.join("runner_temp")),
        runner_workspace: None,
    };
    let started = Instant::now();
    let report = pipeline::run(&config, &ctx).await;
    let wall = started.elapsed();
    let lines = std::mem::take(&mut *lines.lock().unwrap_or_else(|e| e.into_inner()));
    InProcess {
        report,
        lines,
        started,
        wall,
    }
}

/// Seconds between two instants, negative when `b` is before `a`.
pub fn secs_between(a: Instant, b: Instant) -> f64 {
    match b.checked_duration_since(a) {
        Some(d) => d.as_secs_f64(),
        None => -(a.duration_since(b).as_secs_f64()),
    }
}

/// Median, p95 (nearest rank) and max of some figures.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    /// How many.
    pub n: usize,
    /// Median.
    pub median: f64,
    /// 95th percentile, nearest rank.
    pub p95: f64,
    /// Largest.
    pub max: f64,
}

impl Stats {
    /// The statistics of `values` (all zero when empty).
    pub fn of(values: &[f64]) -> Stats {
        if values.is_empty() {
            return Stats::default();
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        let rank = ((0.95 * n as f64).ceil() as usize).clamp(1, n);
        Stats {
            n,
            median,
            p95: v[rank - 1],
            max: v[n - 1],
        }
    }
}

/// The median of some figures (0 when empty).
pub fn median(values: &[f64]) -> f64 {
    Stats::of(values).median
}
