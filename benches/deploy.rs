//! The performance bench (issues 5 and 6, SPEC §5): detection latency of `poll`, `push` and
//! `auto` against naive fixed-interval pollers, the dependency check at scale, start-up,
//! peak memory and a 429 storm, all on the sandbox. Prints a Markdown report and writes it to
//! `docs/benchmarks.md`. It measures and reports; it never fails on a figure.
//!
//! ```sh
//! cargo bench --bench deploy              # the full bench, a few minutes
//! cargo bench --bench deploy -- --quick   # the smoke variant, prints only
//! ```

#[path = "deploy/checks.rs"]
mod checks;
#[path = "deploy/common.rs"]
mod common;
#[path = "deploy/detection.rs"]
mod detection;
#[path = "deploy/jobs.rs"]
mod jobs;
#[path = "deploy/process.rs"]
mod process;
#[path = "deploy/report.rs"]
mod report;

use common::Settings;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn settings(args: &[String]) -> Settings {
    let quick = args.iter().any(|a| a == "--quick");
    let mut s = Settings {
        quick,
        latency_ms: 20,
        publishes: if quick { 6 } else { 30 },
        max_publish_ms: if quick { 5_000 } else { 20_000 },
        long_publishes: if quick { 0 } else { 10 },
        runs: if quick { 2 } else { 5 },
        write: !quick,
        modes: detection::MODES.iter().map(|m| m.to_string()).collect(),
    };
    if let Some(list) = args
        .iter()
        .position(|a| a == "--modes")
        .and_then(|i| args.get(i + 1))
    {
        s.modes = list.split(',').map(|m| m.trim().to_string()).collect();
    }
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<f64>().ok())
    };
    if let Some(v) = value("--latency-ms") {
        s.latency_ms = v as u64;
    }
    if let Some(v) = value("--publishes") {
        s.publishes = (v as usize).max(2);
    }
    if let Some(v) = value("--max-publish-s") {
        s.max_publish_ms = ((v * 1000.0) as u64).max(1000);
    }
    if let Some(v) = value("--long-publishes") {
        s.long_publishes = v as usize;
    }
    if let Some(v) = value("--runs") {
        s.runs = (v as usize).max(1);
    }
    if args.iter().any(|a| a == "--no-write") {
        s.write = false;
    }
    if args.iter().any(|a| a == "--write") {
        s.write = true;
    }
    s
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(process::RSS_HELPER_FLAG) {
        let binary = args.get(2).expect("the RSS helper needs the binary's path");
        return process::rss_helper(binary);
    }
    let settings = settings(&args);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let started = Instant::now();
    let mut results = runtime.block_on(measure(&settings));
    results.bench_s = started.elapsed().as_secs_f64();
    let markdown = report::render(&results, &settings);
    println!("{markdown}");
    if settings.write {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/benchmarks.md");
        match std::fs::write(&path, &markdown) {
            Ok(()) => eprintln!("wrote {}", path.display()),
            Err(e) => eprintln!("could not write {}: {e}", path.display()),
        }
    }
    ExitCode::SUCCESS
}

async fn measure(settings: &Settings) -> report::Results {
    let mut modes = Vec::new();
    let mut took = Vec::new();
    for mode in &settings.modes {
        eprintln!("detection: {mode}, {} publishes", settings.publishes);
        let (result, durations) =
            detection::measure_mode(mode, &detection::durations(settings), settings).await;
        if took.is_empty() {
            took = durations;
        }
        modes.push(result);
    }
    let mut long = Vec::new();
    if settings.long_publishes > 0 {
        eprintln!(
            "detection, long publishes: {} at once, {} per mode",
            detection::LONG_MODES.join(", "),
            settings.long_publishes
        );
        let durations = detection::long_durations(settings);
        let runs = detection::LONG_MODES
            .iter()
            .map(|mode| detection::measure_mode(mode, &durations, settings));
        long = futures_util::future::join_all(runs)
            .await
            .into_iter()
            .map(|(result, _)| result)
            .collect();
    }
    for every in [5, 15] {
        modes.push(detection::naive(
            Duration::from_secs(every),
            &took,
            settings.latency_ms,
        ));
    }
    let job_durations = jobs::durations(settings);
    eprintln!(
        "import jobs: {} per mode, poll and auto at once",
        job_durations.len()
    );
    let (poll, auto) = tokio::join!(
        jobs::measure("poll", &job_durations, settings),
        jobs::measure("auto", &job_durations, settings)
    );
    let import_jobs = vec![
        poll,
        auto,
        jobs::fixed(Duration::from_secs(15), &job_durations, settings.latency_ms),
    ];
    eprintln!("dependency check: {} runs", settings.runs);
    let dependencies = checks::dependencies(settings).await;
    let process = match process::action_binary() {
        Ok(binary) => {
            eprintln!("start-up and memory: {}", binary.display());
            Ok(process::measure(&binary, settings).await)
        }
        Err(why) => {
            eprintln!("start-up and memory: not measured: {why}");
            Err(why)
        }
    };
    eprintln!("429 storm: {} runs", settings.runs);
    let (storm, calm) = checks::storm(settings).await;
    report::Results {
        modes,
        long,
        dependencies,
        process,
        storm,
        calm,
        import_jobs,
        bench_s: 0.0,
    }
}
