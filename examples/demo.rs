//! `cargo run --example demo`: the Action's real pipeline against the built-in Genesys Cloud
//! sandbox, in-process on a random loopback port. No credentials, no network, no setup.
//!
//! Each entry of [`DEMOS`] is one deployment: it prints what a workflow run would show (the
//! step's log with the runner's workflow commands, the step outputs, the job summary) and
//! checks that the run ended as the entry expects and that its summary renders, as GitHub
//! renders it, without a defect a person would see. The process exits 0 only when every
//! deployment did, so CI catches a regression.
//!
//! `--html DIR` also writes each summary as a page styled with GitHub's Markdown CSS, linked
//! from `--css HREF` (`.ci/run` passes the `github-markdown-css` package's file), to open in
//! a browser.

use genesys_bot_deploy::config::Config;
use genesys_bot_deploy::github::Console;
use genesys_bot_deploy::pipeline::{self, RunContext};
use genesys_bot_deploy::redact::Redactor;
use genesys_sandbox::{
    DEMO_BOT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_FAILING_BOT_ID, DEMO_SMOKE_BOT_ID,
    DEMO_YAML_BOT_ID, Sandbox, Scenario,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

#[path = "../tests/shared/summary_html.rs"]
mod summary_html;

/// One deployment of the demo.
struct Demo {
    /// The heading.
    title: &'static str,
    /// What happens, in a sentence or two, before the output.
    story: &'static str,
    /// The bot of the sandbox's built-in scenario to deploy.
    bot_id: &'static str,
    /// Inputs beyond the ones every demo sets (kebab-case names, as in a workflow's `with:`).
    inputs: &'static [(&'static str, &'static str)],
    /// Files to create in the workspace first (path relative to it, contents), e.g. a
    /// smoke-test file named by `inputs`.
    files: &'static [(&'static str, &'static str)],
    /// Edits to those files (text to find, its replacement): a mistake someone made.
    edits: &'static [(&'static str, &'static str)],
    /// How the run must end.
    expect: Expect,
}

/// The end a demo must reach.
struct Expect {
    /// The `status` output.
    status: &'static str,
    /// The process exit code the Action would return.
    exit_code: u8,
    /// Audit events that must appear, in this order (others may come between).
    events: &'static [&'static str],
}

/// The deployments, in order.
const DEMOS: &[Demo] = &[
    Demo {
        title: "A deployment that succeeds and passes its smoke test",
        story: "Billing Assistant serves version 1.0; version 2.0 is checked in. The Action checks \
                the skills and the module it uses, publishes 2.0, waits for the publish to \
                finish, proves 2.0 is live, then holds the conversations of \
                examples/smoke/billing.yml with it: 2.0 answers every one as expected.",
        bot_id: DEMO_BOT_ID,
        inputs: &[("smoke-test", "examples/smoke/billing.yml")],
        files: &[(
            "examples/smoke/billing.yml",
            include_str!("smoke/billing.yml"),
        )],
        edits: &[],
        expect: Expect {
            status: "published",
            exit_code: 0,
            events: &[
                "deployment_started",
                "dependency_validation_passed",
                "publish_triggered",
                "smoke_test_started",
                "smoke_test_passed",
                "deployment_success",
                "metrics",
            ],
        },
    },
    Demo {
        title: "A deployment whose publish fails",
        story: "Returns Assistant serves version 2.0; version 3.0 fails Genesys Cloud's \
                validation. The Action reports the platform's error and its details, and \
                proves 2.0 is still live, so nothing needs rolling back.",
        bot_id: DEMO_FAILING_BOT_ID,
        inputs: &[],
        files: &[],
        edits: &[],
        expect: Expect {
            status: "failed",
            exit_code: 1,
            events: &[
                "deployment_started",
                "publish_triggered",
                "deployment_failed",
                "rollback_not_needed",
                "metrics",
            ],
        },
    },
    Demo {
        title: "A new version that fails its smoke test is rolled back",
        story: "Order Status Bot serves version 1.0; version 2.0 publishes without error, but \
                answers a billing question with order talk instead of handing it to the \
                billing team. The smoke test of examples/smoke/orders.yml catches it, and the \
                Action publishes 1.0 again and proves it is live.",
        bot_id: DEMO_SMOKE_BOT_ID,
        inputs: &[("smoke-test", "examples/smoke/orders.yml")],
        files: &[(
            "examples/smoke/orders.yml",
            include_str!("smoke/orders.yml"),
        )],
        edits: &[],
        expect: Expect {
            status: "rolled-back",
            exit_code: 1,
            events: &[
                "deployment_started",
                "publish_triggered",
                "smoke_test_started",
                "smoke_test_failed",
                "rollback_started",
                "rollback_completed",
                "metrics",
            ],
        },
    },
    Demo {
        title: "A bot deployed from its flow file, with production's substitutions",
        story: "Appointment Bot serves version 1.0. The repository holds version 2.0 as Archy \
                YAML (examples/flows/appointment-bot.yaml), with {{placeholders}} for what \
                differs between environments and examples/flows/substitutions/prod.yml for \
                production. The Action substitutes and parses the file, proves the live version \
                was made by this pipeline (no drift), exports it as the backup, checks the queue \
                and data action the file names exist, imports the file, waits for the import \
                job and its publish, proves the live version's export is the file, and holds the \
                conversations of examples/smoke/appointments.yml with it.",
        bot_id: DEMO_YAML_BOT_ID,
        inputs: &[
            ("flow-file", "examples/flows/appointment-bot.yaml"),
            ("substitutions", "examples/flows/substitutions/prod.yml"),
            ("smoke-test", "examples/smoke/appointments.yml"),
            ("environment", "prod"),
        ],
        files: APPOINTMENT_FILES,
        edits: &[],
        expect: Expect {
            status: "published",
            exit_code: 0,
            events: &[
                "deployment_started",
                "backup_exported",
                "drift_checked",
                "dependency_validation_passed",
                "import_status",
                "identity_checked",
                "smoke_test_passed",
                "deployment_success",
                "metrics",
            ],
        },
    },
    Demo {
        title: "A broken flow file, rolled back by importing the backup",
        story: "Someone edits the Opening Hours answer and the file still imports cleanly, but \
                the bot now says the clinic is closed. The smoke test catches it with the new \
                version live; the Action imports the backup of the version live before (the \
                previous demo's) again, and proves by exporting it that its content is live.",
        bot_id: DEMO_YAML_BOT_ID,
        inputs: &[
            ("flow-file", "examples/flows/appointment-bot.yaml"),
            ("substitutions", "examples/flows/substitutions/prod.yml"),
            ("smoke-test", "examples/smoke/appointments.yml"),
            ("environment", "prod"),
        ],
        files: APPOINTMENT_FILES,
        edits: &[(
            "is open Monday to Friday, 8:00 to 18:00",
            "is closed until further notice",
        )],
        expect: Expect {
            status: "rolled-back",
            exit_code: 1,
            events: &[
                "deployment_started",
                "backup_exported",
                "import_status",
                "smoke_test_failed",
                "rollback_started",
                "import_status",
                "rollback_completed",
                "metrics",
            ],
        },
    },
];

/// The Appointment Bot's flow file, its production substitutions and its smoke test.
const APPOINTMENT_FILES: &[(&str, &str)] = &[
    (
        "examples/flows/appointment-bot.yaml",
        include_str!("flows/appointment-bot.yaml"),
    ),
    (
        "examples/flows/substitutions/prod.yml",
        include_str!("flows/substitutions/prod.yml"),
    ),
    (
        "examples/smoke/appointments.yml",
        include_str!("smoke/appointments.yml"),
    ),
];

/// Where the demo asks the Action to copy its audit trail, to check the events afterwards.
const AUDIT_LOG: &str = "audit.jsonl";

/// Where to write the summaries as HTML pages, and the stylesheet they link.
struct HtmlPages {
    dir: PathBuf,
    css: String,
}

/// `--html DIR [--css HREF]`; nothing else is accepted.
fn html_pages() -> Result<Option<HtmlPages>, String> {
    let mut args = std::env::args().skip(1);
    let (mut dir, mut css) = (None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--html" => dir = args.next().map(PathBuf::from),
            "--css" => css = args.next(),
            other => {
                return Err(format!(
                    "unknown argument {other:?}; use --html DIR [--css HREF]"
                ));
            }
        }
    }
    match (dir, css) {
        (Some(dir), css) => {
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            Ok(Some(HtmlPages {
                dir,
                css: css.unwrap_or_else(|| "github-markdown.css".into()),
            }))
        }
        (None, Some(_)) => Err("--css needs --html DIR".into()),
        (None, None) => Ok(None),
    }
}

fn main() -> ExitCode {
    let pages = match html_pages() {
        Ok(pages) => pages,
        Err(why) => {
            eprintln!("demo: {why}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let failures = runtime.block_on(async {
        let sandbox = Sandbox::start(Scenario::default())
            .await
            .expect("the sandbox starts on a free loopback port");
        println!(
            "Genesys Cloud sandbox listening on {} (built-in demo scenario)",
            sandbox.api_url()
        );
        let mut failures = Vec::new();
        for (i, demo) in DEMOS.iter().enumerate() {
            if let Err(why) = run_demo(&sandbox, i + 1, demo, pages.as_ref()).await {
                failures.push(format!("{}: {why}", demo.title));
            }
        }
        sandbox.shutdown().await;
        failures
    });
    rule("Result");
    if failures.is_empty() {
        println!("All {} deployments ended as expected.", DEMOS.len());
        ExitCode::SUCCESS
    } else {
        for failure in &failures {
            println!("UNEXPECTED: {failure}");
        }
        ExitCode::FAILURE
    }
}

/// Runs one deployment, prints what it wrote, and says whether it ended as expected.
async fn run_demo(
    sandbox: &Sandbox,
    number: usize,
    demo: &Demo,
    pages: Option<&HtmlPages>,
) -> Result<(), String> {
    rule(&format!("{number}/{} · {}", DEMOS.len(), demo.title));
    println!("{}\n", demo.story);
    let dir = tempfile::TempDir::new().map_err(|e| format!("no temp dir: {e}"))?;
    for (path, contents) in demo.files {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let mut contents = contents.to_string();
        for (from, to) in demo.edits {
            contents = contents.replace(from, to);
        }
        std::fs::write(&path, contents).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let config = config(sandbox, demo)?;
    let ctx = RunContext {
        console: Console::stdout(Redactor::new()),
        output_file: Some(dir.path().join("github_output")),
        summary_file: Some(dir.path().join("github_step_summary")),
        workspace: dir.path().to_path_buf(),
        cancel: CancellationToken::new(),
        runner_temp: Some(dir.path().join("runner_temp")),
        runner_workspace: None,
    };
    println!("── The step's log (stdout, with the runner's workflow commands) ──");
    let report = pipeline::run(&config, &ctx).await;
    println!("\n── Step outputs ($GITHUB_OUTPUT) ──");
    for (name, value) in parse_outputs(&read(&dir.path().join("github_output"))) {
        println!("{name} = {value}");
    }
    println!("\n── Job summary ($GITHUB_STEP_SUMMARY) ──");
    let summary = read(&dir.path().join("github_step_summary"));
    println!("{}", summary.trim_end());
    if let Some(pages) = pages {
        let page = pages
            .dir
            .join(format!("{number:02}-{}.html", report.status().as_str()));
        std::fs::write(&page, summary_html::page(demo.title, &summary, &pages.css))
            .map_err(|e| format!("{}: {e}", page.display()))?;
    }
    let events = audit_events(&read(&dir.path().join(AUDIT_LOG)));
    let verdict = check(
        &demo.expect,
        report.status().as_str(),
        report.exit_code(),
        &events,
    )
    .and_then(|()| match summary_html::defects(&summary).as_slice() {
        [] => Ok(()),
        defects => Err(format!("the summary renders with {}", defects.join("; "))),
    });
    println!();
    match &verdict {
        Ok(()) => println!(
            "✔ Ended as expected: status {}, exit code {}; the summary renders cleanly.",
            demo.expect.status, demo.expect.exit_code
        ),
        Err(why) => println!("✘ {why}"),
    }
    verdict
}

/// The inputs a workflow would pass, pointed at the sandbox.
fn config(sandbox: &Sandbox, demo: &Demo) -> Result<Config, String> {
    let url = sandbox.api_url();
    let common = [
        ("client-id", DEMO_CLIENT_ID),
        ("client-secret", DEMO_CLIENT_SECRET),
        ("bot-id", demo.bot_id),
        ("api-url", url.as_str()),
        ("login-url", url.as_str()),
        ("environment", "sandbox"),
        ("poll-interval-seconds", "0.2"),
        ("poll-max-interval-seconds", "0.5"),
        ("timeout-seconds", "30"),
        ("audit-log", AUDIT_LOG),
    ];
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (name, value) in common.iter().chain(demo.inputs) {
        let key = format!("INPUT_{}", name.to_uppercase());
        pairs.retain(|(k, _)| *k != key);
        pairs.push((key, value.to_string()));
    }
    Config::from_env_iter(pairs).map_err(|e| format!("the demo's inputs are invalid: {e:?}"))
}

/// Compares a run's end with what the demo expects.
fn check(expect: &Expect, status: &str, exit_code: u8, events: &[String]) -> Result<(), String> {
    if status != expect.status || exit_code != expect.exit_code {
        return Err(format!(
            "expected status {} with exit code {}, got status {status} with exit code {exit_code}",
            expect.status, expect.exit_code
        ));
    }
    let mut rest = events.iter();
    for wanted in expect.events {
        if !rest.any(|e| e == wanted) {
            return Err(format!(
                "expected the audit events {:?} in this order, got {events:?}",
                expect.events
            ));
        }
    }
    Ok(())
}

fn audit_events(trail: &str) -> Vec<String> {
    trail
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["event"].as_str().map(str::to_string))
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// `$GITHUB_OUTPUT` in the runner's format: `name=value` or `name<<DELIMITER` … `DELIMITER`.
fn parse_outputs(text: &str) -> Vec<(String, String)> {
    let mut outputs = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            outputs.push((name.to_string(), value.join("\n")));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.push((name.to_string(), value.to_string()));
        }
    }
    outputs
}

fn rule(title: &str) {
    println!("\n━━━━ {title} ━━━━");
}
