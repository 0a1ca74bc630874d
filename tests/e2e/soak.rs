//! The fault soak: many random cases (faults × publish behaviours × inputs × SIGTERM), several
//! binaries at a time, each checked against the invariants that hold whatever happens:
//! a documented (status, exit code) pair, the live version known whenever the exit code says
//! so, the target published at most once, no panic, nothing secret printed.
//!
//! `cargo test --test e2e -- --ignored soak`; `SOAK_SEED` (default: random, printed),
//! `SOAK_RUNS` (default 200), `SOAK_PARALLEL` (default 4), `SOAK_CASE` (one case's seed, as a
//! failure prints it).

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::ran::Ran;
use crate::soak_case::Case;
use crate::world::World;

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not a number")),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fault soak, about a minute: cargo test --test e2e -- --ignored soak"]
async fn soak() {
    let seed = env_u64("SOAK_SEED").unwrap_or_else(|| fastrand::u64(..));
    let runs = env_u64("SOAK_RUNS").unwrap_or(200);
    let parallel = env_u64("SOAK_PARALLEL").unwrap_or(4).max(1) as usize;
    let cases: Vec<Case> = match env_u64("SOAK_CASE") {
        Some(case) => vec![Case::generate(case)],
        None => {
            let mut rng = fastrand::Rng::with_seed(seed);
            (0..runs).map(|_| Case::generate(rng.u64(..))).collect()
        }
    };
    println!(
        "soak: SOAK_SEED={seed} SOAK_RUNS={} SOAK_PARALLEL={parallel}",
        cases.len()
    );
    let started = Instant::now();
    let slots = Arc::new(Semaphore::new(parallel));
    let mut set = JoinSet::new();
    for case in cases {
        let slots = slots.clone();
        set.spawn(async move {
            let _slot = slots.acquire_owned().await.expect("semaphore open");
            run_case(case).await
        });
    }
    let mut tally: std::collections::BTreeMap<String, usize> = Default::default();
    let mut failures = Vec::new();
    while let Some(result) = set.join_next().await {
        match result.expect("case task") {
            Ok(outcome) => *tally.entry(outcome).or_default() += 1,
            Err(report) => failures.push(report),
        }
    }
    println!("soak: {:.1?}, outcomes {tally:?}", started.elapsed());
    if !failures.is_empty() {
        for report in &failures {
            eprintln!("{report}\n");
        }
        panic!(
            "{} soak case(s) broke an invariant (SOAK_SEED={seed}; each report names SOAK_CASE)",
            failures.len()
        );
    }
}

/// Runs one case; `Ok` names the outcome, `Err` is a full report of a broken invariant.
async fn run_case(case: Case) -> Result<String, String> {
    let world = World::start(case.scenario.clone()).await;
    let was_live = world.live();
    let mut action = world.start_action(&case.extra());
    if let Some(event) = case.sigterm
        && action.wait_for_event(event).await.is_some()
    {
        // The run may end just after printing the line; a signal to an exited child that has
        // not been waited for yet is harmless.
        action.terminate().await;
    }
    let ran = action.finish().await;
    let broken = check(&world, was_live.as_deref(), &ran);
    let status = ran.outputs.get("status").cloned().unwrap_or_default();
    if broken.is_empty() {
        return Ok(format!("{status}/{}", ran.code.unwrap_or(-1)));
    }
    Err(format!(
        "=== soak case broke: {}\nreproduce: SOAK_CASE={} cargo test --test e2e -- --ignored soak\n\
         sigterm after: {:?}\ninputs: {:?}\nscenario: {}\n--- sandbox requests\n{}\n{ran}",
        broken.join("; "),
        case.seed,
        case.sigterm,
        case.inputs,
        world.scenario,
        world.log(),
    ))
}

/// The invariants of one run.
fn check(world: &World, was_live: Option<&str>, ran: &Ran) -> Vec<String> {
    let mut broken = Vec::new();
    let code = ran.code;
    if code == Some(101) || ran.stderr.contains("panicked") {
        broken.push("panicked".to_string());
    }
    if code.is_none() {
        broken.push("killed by a signal instead of exiting".to_string());
    }
    if let Some(leak) = ran.leak(&world.secrets()) {
        broken.push(leak);
    }
    let status = ran.outputs.get("status").map(String::as_str);
    let documented = match status {
        Some("published" | "unchanged" | "dry-run") => code == Some(0),
        Some("rolled-back") => code == Some(1),
        Some("failed" | "timed-out" | "cancelled") => matches!(code, Some(1 | 2)),
        Some("rollback-failed") => code == Some(2),
        _ => false,
    };
    if !documented {
        broken.push(format!(
            "undocumented status {status:?} with exit code {code:?}"
        ));
    }
    if ran.events().last().map(String::as_str) != Some("metrics") {
        broken.push("the trail does not end with metrics".to_string());
    }
    if ran.summary.trim().is_empty() {
        broken.push("no job summary".to_string());
    }
    let operations = world.sandbox.operations();
    for v in ["2.0", "1.0"] {
        let n = operations.iter().filter(|op| op.version == v).count();
        if n > 1 {
            broken.push(format!("version {v} was sent to publish {n} times"));
        }
    }
    if code != Some(2) {
        // Exit 0 or 1 claims the live version is known: it must be, and be what it says.
        let live = world.live();
        let expected = match (code, status) {
            (Some(0), Some("published" | "unchanged")) => Some("2.0"),
            _ => was_live,
        };
        if live.as_deref() != expected {
            broken.push(format!(
                "exit {code:?} ({status:?}) but {live:?} is live, not {expected:?}"
            ));
        }
        if let Some(op) = operations.iter().find(|op| op.completed_at.is_none()) {
            broken.push(format!(
                "exit {code:?} while publish {} of {} is still running",
                op.operation_id, op.version
            ));
        }
        // Empty when the run stopped before it could read the bot.
        let said = ran
            .outputs
            .get("published-version")
            .map(String::as_str)
            .filter(|v| !v.is_empty());
        if said.is_some() && said != live.as_deref() {
            broken.push(format!(
                "published-version output {said:?} but {live:?} is live"
            ));
        }
    }
    broken
}
