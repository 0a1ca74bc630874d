//! The compiled Action as a process: time from spawn to its first request, and the peak
//! resident memory of a whole successful deployment.
//!
//! Peak RSS comes from `getrusage(RUSAGE_CHILDREN)` after the child is reaped. That figure
//! is the largest of *all* reaped children, so each measured run goes through a fresh helper
//! process (this bench binary re-run with [`RSS_HELPER_FLAG`]) whose only child is the Action.

use crate::common::{self, Settings};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The argument that turns this binary into the RSS helper.
pub const RSS_HELPER_FLAG: &str = "--rss-helper";

/// The release binary as `cargo build --release -p genesys-bot-deploy` makes it.
///
/// Not `target/release/genesys-bot-deploy`: `cargo bench` rebuilds that file with the
/// dev-dependencies' features unified in (tokio's multi-thread runtime, process, ...), which
/// is not the shipped binary. So the bench builds the real one into its own target directory
/// (its own build lock, so no deadlock with the running `cargo bench`); `BENCH_ACTION_BIN`
/// names another binary instead.
pub fn action_binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("BENCH_ACTION_BIN") {
        return Ok(PathBuf::from(path));
    }
    // The bench runs as <target>/release/deps/deploy-<hash>.
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let target = exe
        .ancestors()
        .nth(3)
        .ok_or("the bench is not under a target directory")?;
    let target_dir = target.join("bench-action");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "building the release binary into {} (cargo build --release -p genesys-bot-deploy)",
        target_dir.display()
    );
    let status = std::process::Command::new(cargo)
        .args(["build", "--release", "--locked", "-p", "genesys-bot-deploy"])
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let path = target_dir.join("release/genesys-bot-deploy");
    if status.success() && path.is_file() {
        Ok(path)
    } else {
        Err(format!("cargo build --release failed ({status})"))
    }
}

/// `RSS_HELPER_FLAG <binary>`: runs the binary with this process's environment, its output
/// discarded, and prints `maxrss_kib=<n> exit=<code>`.
pub fn rss_helper(binary: &str) -> std::process::ExitCode {
    use nix::sys::resource::{UsageWho, getrusage};
    let status = std::process::Command::new(binary)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the Action binary starts");
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage of reaped children");
    println!(
        "maxrss_kib={} exit={}",
        usage.max_rss(),
        status.code().unwrap_or(-1)
    );
    std::process::ExitCode::SUCCESS
}

/// Start-up and memory figures.
#[derive(Debug, Clone, Default)]
pub struct ProcessResult {
    /// The binary measured and its size.
    pub binary: String,
    /// Spawn to first request, ms, per run.
    pub startup_ms: Vec<f64>,
    /// Peak RSS, MiB, per run.
    pub rss_mib: Vec<f64>,
    /// Exit codes of the RSS runs that were not 0.
    pub failed_rss_runs: usize,
}

fn child_env(
    sandbox: &genesys_sandbox::Sandbox,
    bot: &str,
    workspace: &std::path::Path,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut vars = common::inputs(sandbox, bot, extra);
    vars.push(("GITHUB_WORKSPACE".into(), workspace.display().to_string()));
    vars
}

/// Spawn-to-first-request over `settings.runs * 3` dry runs (at least 10), then the peak
/// RSS of `settings.runs` full deployments.
pub async fn measure(binary: &std::path::Path, settings: &Settings) -> ProcessResult {
    let size = std::fs::metadata(binary).map(|m| m.len()).unwrap_or(0);
    let mut result = ProcessResult {
        // Relative to the repository, as a reader of docs/benchmarks.md finds it.
        binary: format!(
            "{} ({:.1} MiB)",
            binary
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(binary)
                .display(),
            size as f64 / 1024.0 / 1024.0
        ),
        ..ProcessResult::default()
    };
    let workspace = tempfile::TempDir::new().expect("a temporary workspace");
    let bot = common::uuid(0x57a7, 0);
    let sandbox = common::start(common::scenario(
        vec![common::bot(&bot, 1000)],
        Vec::new(),
        common::latency_fault(settings.latency_ms),
    ))
    .await;
    let dry = [("INPUT_DRY-RUN", "true")];
    for _ in 0..(settings.runs * 3).max(10) {
        let env = child_env(&sandbox, &bot, workspace.path(), &dry);
        let mut command = tokio::process::Command::new(binary);
        command
            .env_clear()
            .envs(env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let spawned = Instant::now();
        let mut child = command.spawn().expect("the Action binary starts");
        let _ = child.wait().await;
        let since = spawned.saturating_duration_since(sandbox.epoch());
        let first = sandbox.requests().into_iter().find(|r| r.at >= since);
        if let Some(first) = first {
            let at = sandbox.epoch() + first.at;
            result
                .startup_ms
                .push(common::secs_between(spawned, at) * 1000.0);
        }
    }
    sandbox.shutdown().await;

    let helper = std::env::current_exe().expect("the bench knows its own path");
    for _ in 0..settings.runs {
        // A fresh sandbox per run: each deployment publishes 2.0 for real.
        let sandbox = common::start(common::scenario(
            vec![common::bot(&bot, 1000)],
            Vec::new(),
            common::latency_fault(settings.latency_ms),
        ))
        .await;
        let env = child_env(&sandbox, &bot, workspace.path(), &[]);
        let output = tokio::process::Command::new(&helper)
            .arg(RSS_HELPER_FLAG)
            .arg(binary)
            .env_clear()
            .envs(env)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .await
            .expect("the RSS helper runs");
        sandbox.shutdown().await;
        let text = String::from_utf8_lossy(&output.stdout);
        let field = |name: &str| {
            text.split_whitespace()
                .find_map(|w| w.strip_prefix(name))
                .and_then(|v| v.parse::<i64>().ok())
        };
        match (field("maxrss_kib="), field("exit=")) {
            (Some(kib), Some(0)) => result.rss_mib.push(kib as f64 / 1024.0),
            _ => result.failed_rss_runs += 1,
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    result
}
