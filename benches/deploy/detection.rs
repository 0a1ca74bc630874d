//! Detection latency: many bot flows on one sandbox, one concurrent deployment per flow, each
//! publish taking a different time between 1 s and the configured maximum (and, in the long
//! sample, from 30 s up, 8.09 s apart). The Action "reports" the finish at its `publish_status`
//! line saying `complete: true` (its `SUCCESS` line in the log); latency is that line's instant
//! minus the sandbox's exact `completed_at`. The naive fixed-interval pollers are computed
//! from the same operations.
//!
//! Two request rates are reported, because a wait has two costs: the average over the time
//! waited (SPEC §5 says "averaging"), which charges push's fixed set-up to however short the
//! wait was, and the busiest minute: the most requests one deployment sent in any 60 s, which
//! is what the org's per-minute rate limit (300 per token) actually counts.

use crate::common::{self, InProcess, Settings, Stats};
use genesys_bot_deploy::pipeline::Status;
use genesys_sandbox::PushRecord;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// The figures of one way of waiting.
#[derive(Debug, Clone)]
pub struct ModeResult {
    /// `poll`, `push`, `auto`, `naive 5 s`...
    pub name: String,
    /// Detection latency, seconds.
    pub latency: Stats,
    /// Status requests per minute of waiting (all deployments together): reads of the flow
    /// plus notification calls.
    pub per_minute: f64,
    /// The same without the notification calls: reads of the flow only.
    pub reads_per_minute: f64,
    /// Per deployment, the most status requests (reads + notification calls) it sent in any
    /// 60 s: median and max over the deployments.
    pub busiest_minute: Stats,
    /// Notification calls (channel, subscription, socket) per deployment.
    pub push_calls: f64,
    /// Mean time from the publish to the end of the wait, s.
    pub mean_wait_s: f64,
    /// Deployments measured.
    pub measured: usize,
    /// Deployments that did not publish or whose finish was not seen.
    pub failed: usize,
    /// What decided the finish (`push: 30`), or how the naive figure was computed.
    pub decided_by: String,
    /// The wait channels the runs reported.
    pub channel: String,
}

/// `n` publish durations, ms, evenly spread over `[min_ms, max_ms]`.
pub fn spread(n: usize, min_ms: u64, max_ms: u64) -> Vec<u64> {
    let n = n.max(1);
    let span = max_ms.saturating_sub(min_ms);
    (0..n)
        .map(|i| min_ms + span * i as u64 / (n as u64 - 1).max(1))
        .collect()
}

/// The main sample's durations: evenly spread over `[1 s, max]` (issue 5).
pub fn durations(settings: &Settings) -> Vec<u64> {
    spread(settings.publishes, 1000, settings.max_publish_ms)
}

/// The long sample's durations: from 30 s, 8.09 s apart, where push's fixed cost is spread
/// over a longer wait. The step is 1.618 × the default largest poll interval (5 s), so the
/// finishes fall at well-spread phases of polling's reads; a step that divides evenly into
/// 5 s would put every finish at the same distance from the next read.
pub fn long_durations(settings: &Settings) -> Vec<u64> {
    (0..settings.long_publishes as u64)
        .map(|i| LONG_FIRST_MS + i * LONG_STEP_MS)
        .collect()
}

/// The long sample's first publish duration, ms.
pub const LONG_FIRST_MS: u64 = 30_000;
/// The step between the long sample's durations, ms.
pub const LONG_STEP_MS: u64 = 8_090;

/// The wait modes of the long sample, measured at once (one sandbox each).
pub const LONG_MODES: &[&str] = &["poll", "push", "auto"];

/// The most of `times` that fall in any window of `window`: a sliding window over the
/// sorted instants.
pub fn busiest(times: &mut [Duration], window: Duration) -> usize {
    times.sort();
    let mut best = 0;
    let mut start = 0;
    for end in 0..times.len() {
        while times[end] - times[start] >= window {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}

/// Which bot each notification channel served, from the flow events pushed on it.
fn channel_owners(frames: &[PushRecord]) -> HashMap<String, String> {
    frames
        .iter()
        .filter_map(|f| {
            let bot = f.topic.strip_prefix("v2.flows.")?;
            Some((f.channel_id.clone(), bot.to_string()))
        })
        .collect()
}

/// The channel a notification request is about: `/api/v2/notifications/channels/{id}/...`
/// or the socket's `/channels/{id}`. Channel creation names none.
fn channel_of(path: &str) -> Option<&str> {
    let rest = path
        .strip_prefix("/api/v2/notifications/channels/")
        .or_else(|| path.strip_prefix("/channels/"))?;
    rest.split('/').next().filter(|id| !id.is_empty())
}

/// The wait modes measured by default: the three `wait-mode`s, then polling alone with the
/// interval held at 1 s (`poll-1s`: what polling could do at 60 requests/min).
pub const MODES: &[&str] = &["poll", "push", "auto", "poll-1s"];

/// The inputs of a measured mode.
fn mode_inputs(mode: &str) -> Vec<(&'static str, &str)> {
    match mode {
        "poll-1s" => vec![
            ("INPUT_WAIT-MODE", "poll"),
            ("INPUT_POLL-INTERVAL-SECONDS", "1"),
            ("INPUT_POLL-MAX-INTERVAL-SECONDS", "1"),
        ],
        other => vec![("INPUT_WAIT-MODE", other)],
    }
}

/// When the run's log first said the publish was complete: the `publish_status` line of
/// the finish (`  SUCCESS (push)`, `  SUCCESS (read)`), written as its audit line is
/// recorded. (The log is for people since issue 15; the JSON audit trail is in its file.)
fn detected_at(lines: &[(Instant, String)]) -> Option<Instant> {
    lines
        .iter()
        .find(|(_, line)| matches!(line.trim(), "SUCCESS (push)" | "SUCCESS (read)"))
        .map(|(at, _)| *at)
}

/// Whether a request is part of push (channel, subscription, socket).
pub fn is_notification(path: &str) -> bool {
    path.starts_with("/api/v2/notifications") || path.starts_with("/channels")
}

/// Runs one deployment per duration, all at once, with `wait-mode: mode`; also returns how
/// long each publish took (ms, from the sandbox's operation records) for the naive pollers.
pub async fn measure_mode(
    mode: &str,
    durations: &[u64],
    settings: &Settings,
) -> (ModeResult, Vec<u64>) {
    let bots: Vec<String> = (0..durations.len())
        .map(|i| common::uuid(0xb07, i))
        .collect();
    let flows = bots
        .iter()
        .zip(durations)
        .map(|(id, d)| common::bot(id, *d))
        .collect();
    let sandbox = common::start(common::scenario(
        flows,
        Vec::new(),
        common::latency_fault(settings.latency_ms),
    ))
    .await;
    // Room for the longest publish, so every wait ends by the operation, not the deadline.
    let longest_s = durations.iter().max().copied().unwrap_or(0) / 1000;
    let timeout = (longest_s * 2).max(120).to_string();
    let mut tasks = Vec::new();
    for bot in &bots {
        let mut extra = vec![
            ("INPUT_DISCOVER-DEPENDENCIES", "false"),
            ("INPUT_TIMEOUT-SECONDS", timeout.as_str()),
        ];
        extra.extend(mode_inputs(mode));
        let vars = common::inputs(&sandbox, bot, &extra);
        let config = common::config(vars);
        tasks.push(tokio::spawn(common::run_in_process(config)));
    }
    let mut runs: Vec<InProcess> = Vec::new();
    for task in tasks {
        runs.push(task.await.expect("a deployment task does not panic"));
    }
    let requests = sandbox.requests();
    let operations = sandbox.operations();
    let owners = channel_owners(&sandbox.notifications());
    let epoch = sandbox.epoch();
    sandbox.shutdown().await;

    // Each deployment's notification calls, by the channel they name. The channel's creation
    // names no channel: it is counted at the instant of the subscription that follows it.
    let mut push_times: HashMap<&str, Vec<Duration>> = HashMap::new();
    for r in requests.iter().filter(|r| is_notification(&r.path)) {
        let Some(bot) = channel_of(&r.path).and_then(|id| owners.get(id)) else {
            continue;
        };
        let times = push_times.entry(bot.as_str()).or_default();
        times.push(r.at);
        if r.path.ends_with("/subscriptions") {
            times.push(r.at);
        }
    }

    let mut latencies = Vec::new();
    let mut busiest_minutes = Vec::new();
    let (mut status_reads, mut waited) = (0usize, Duration::ZERO);
    let mut failed = 0;
    let mut decided: BTreeMap<String, usize> = BTreeMap::new();
    let mut channels: BTreeMap<String, usize> = BTreeMap::new();
    for (bot, run) in bots.iter().zip(&runs) {
        let channel = run.report.facts.wait_channel.clone().unwrap_or_default();
        *channels.entry(channel).or_default() += 1;
        let op = operations.iter().find(|op| &op.flow_id == bot);
        let seen = detected_at(&run.lines);
        let (Some(op), Some(seen), Status::Published) = (op, seen, run.report.status()) else {
            failed += 1;
            continue;
        };
        let Some(completed) = op.completed_at else {
            failed += 1;
            continue;
        };
        let by = run.report.facts.decided_by.unwrap_or("?").to_string();
        *decided.entry(by).or_default() += 1;
        latencies.push(common::secs_between(epoch + completed, seen));
        // The wait goes on after the line when push saw the finish: one read confirms it.
        // Count up to the end of the `wait` phase, whichever is later.
        let wait_end = run
            .report
            .facts
            .phases
            .iter()
            .find(|p| p.name == "wait")
            .map(|p| run.started + Duration::from_millis(p.started_ms + p.duration_ms + 1));
        let end = wait_end
            .map_or(seen, |w| w.max(seen))
            .saturating_duration_since(epoch);
        let path = format!("/api/v2/flows/{bot}");
        let mut times: Vec<Duration> = requests
            .iter()
            .filter(|r| r.method == "GET" && r.path == path)
            .filter(|r| r.at >= op.started_at && r.at <= end)
            .map(|r| r.at)
            .collect();
        status_reads += times.len();
        times.extend(push_times.get(bot.as_str()).into_iter().flatten());
        busiest_minutes.push(busiest(&mut times, Duration::from_secs(60)) as f64);
        waited += end.saturating_sub(op.started_at);
    }
    let push_calls = requests.iter().filter(|r| is_notification(&r.path)).count();
    let rate = |n: usize| {
        if waited.is_zero() {
            0.0
        } else {
            n as f64 * 60.0 / waited.as_secs_f64()
        }
    };
    let result = ModeResult {
        name: mode.to_string(),
        latency: Stats::of(&latencies),
        per_minute: rate(status_reads + push_calls),
        reads_per_minute: rate(status_reads),
        busiest_minute: Stats::of(&busiest_minutes),
        push_calls: push_calls as f64 / bots.len() as f64,
        mean_wait_s: waited.as_secs_f64() / latencies.len().max(1) as f64,
        measured: latencies.len(),
        failed,
        decided_by: join_counts(&decided),
        channel: join_counts(&channels),
    };
    let took = operations
        .iter()
        .filter_map(|op| Some(op.completed_at?.saturating_sub(op.started_at).as_millis() as u64))
        .collect();
    (result, took)
}

fn join_counts(counts: &BTreeMap<String, usize>) -> String {
    counts
        .iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A poller that starts reading when the publish starts and reads every `every`: it sees the
/// finish at the first multiple of `every` at or after completion, plus one request's
/// latency. Its rate is 60 / `every` requests per minute.
pub fn naive(every: Duration, durations_ms: &[u64], latency_ms: u64) -> ModeResult {
    let t = every.as_secs_f64();
    // Its busiest minute: the reads that fit in the first 60 s of its wait.
    let busiest_minutes: Vec<f64> = durations_ms
        .iter()
        .map(|d| ((*d as f64 / 1000.0 / t).ceil().max(1.0)).min((60.0 / t).ceil()))
        .collect();
    let latencies: Vec<f64> = durations_ms
        .iter()
        .map(|d| {
            let d = *d as f64 / 1000.0;
            let reads = (d / t).ceil().max(1.0);
            reads * t - d + latency_ms as f64 / 1000.0
        })
        .collect();
    ModeResult {
        name: format!("naive {} s", every.as_secs()),
        latency: Stats::of(&latencies),
        per_minute: 60.0 / t,
        reads_per_minute: 60.0 / t,
        busiest_minute: Stats::of(&busiest_minutes),
        push_calls: 0.0,
        mean_wait_s: 0.0,
        measured: latencies.len(),
        failed: 0,
        decided_by: "computed".into(),
        channel: format!("fixed {} s interval from the publish", every.as_secs()),
    }
}
