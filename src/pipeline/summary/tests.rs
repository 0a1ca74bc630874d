//! The summary as GitHub will show it: snapshots of the Markdown for each kind of ending, and
//! the HTML a GFM renderer (comrak, GitHub's dialect) makes of it checked for the faults a
//! person would see: empty code spans, literal `\n`, tables that fell apart, outside text
//! taken as markup.

use super::*;
#[path = "../../../tests/shared/summary_html.rs"]
mod summary_html;
use crate::pipeline::report::{DependencyCheck, DependencyKind, Failure, OrgIdentity, Phase};
use crate::pipeline::verdict::Interruption;
use crate::smoke::SmokeReport;
use crate::smoke::report::{ConversationResult, Outcome, TurnRecord, Verdict as TurnVerdict};
use summary_html::{defects, to_html as html};

/// Facts of a run of Billing 3.0 in prod that got as far as the smoke test.
fn billing_facts() -> Facts {
    let mut facts = Facts::new(
        "6f1c2a9e-0000-4000-8000-000000000001".into(),
        "b0000000-0000-4000-8000-00000000000b".into(),
        "prod".into(),
    );
    facts.bot_name = Some("Billing".into());
    facts.flow_url = Some(
        "https://apps.mypurecloud.de/architect/#/bot/b0000000-0000-4000-8000-00000000000b/latest"
            .into(),
    );
    facts.target_version = Some("3.0".into());
    facts.previous_version = Some("2.0".into());
    facts.published_version = Some("3.0".into());
    facts.operation_id = Some("op-1".into());
    facts.duration_ms = 4_250;
    facts.org = Some(OrgIdentity {
        id: "org-1".into(),
        name: Some("Acme".into()),
        short_name: Some("acme".into()),
    });
    facts.wait_channel = Some("push".into());
    facts.decided_by = Some("push");
    facts.audit_log = Some("genesys-deploy-audit.jsonl".into());
    facts.dependencies = vec![
        DependencyCheck {
            id: "f1".into(),
            name: Some("Billing lookup".into()),
            kind: DependencyKind::Flow,
            state: "published".into(),
            problem: None,
            discovered: true,
        },
        DependencyCheck {
            id: "s1".into(),
            name: Some("Billing | VIP".into()),
            kind: DependencyKind::Skill,
            state: "active".into(),
            problem: None,
            discovered: false,
        },
    ];
    facts.phases = vec![
        phase("check", 0, 300, "ok"),
        phase("publish", 300, 200, "accepted"),
        phase("wait", 500, 1_500, "complete"),
        phase("verify", 2_000, 100, "live"),
        phase("smoke-test", 2_100, 2_150, "passed"),
    ];
    facts
}

fn phase(name: &'static str, started_ms: u64, duration_ms: u64, result: &str) -> Phase {
    Phase {
        name,
        started_ms,
        duration_ms,
        result: result.into(),
    }
}

fn turn(
    said: Option<&str>,
    expected: &str,
    answer: Option<&str>,
    verdict: TurnVerdict,
) -> TurnRecord {
    TurnRecord {
        said: said.map(str::to_string),
        expected: expected.into(),
        answer: answer.map(str::to_string),
        verdict,
    }
}

fn smoke(failing: bool) -> SmokeReport {
    let greeting = ConversationResult {
        name: "greeting".into(),
        turns: vec![turn(
            None,
            "text containing \"Welcome\"",
            Some("Welcome to Billing"),
            TurnVerdict::Passed,
        )],
        outcome: Outcome::Passed,
        duration_ms: 300,
    };
    let mut balance = ConversationResult {
        name: "balance <owed>".into(),
        turns: vec![
            turn(None, "any answer", Some("Hi"), TurnVerdict::Passed),
            turn(
                Some("what do I owe?"),
                "text matching `\\$\\d+`",
                Some("Sorry, I didn't get that"),
                TurnVerdict::Failed("the answer did not match".into()),
            ),
        ],
        outcome: Outcome::Failed {
            turn: 2,
            reason: "the answer did not match".into(),
        },
        duration_ms: 900,
    };
    if !failing {
        balance.turns[1] = turn(
            Some("what do I owe?"),
            "text matching `\\$\\d+`",
            Some("You owe $12"),
            TurnVerdict::Passed,
        );
        balance.outcome = Outcome::Passed;
    }
    SmokeReport {
        file: ".github/smoke/billing.yml".into(),
        conversations: vec![greeting, balance],
    }
}

fn publish_failure() -> Failure {
    Failure {
        title: "Publish failed".into(),
        message: "Genesys Cloud could not publish version 3.0:\nthe flow has errors".into(),
        code: Some("architect.flow.validate.failed".into()),
        details: vec![
            "MISSING: skill Billing | VIP (s1)".into(),
            "<script>alert(1)</script>".into(),
        ],
        correlation_id: Some("corr-1".into()),
        next_step: "Fix the flow in Architect, save it as a new version, and run again.".into(),
    }
}

fn published() -> Report {
    let mut facts = billing_facts();
    facts.smoke = Some(smoke(false));
    Report {
        verdict: Verdict::Published,
        facts,
    }
}

fn rolled_back() -> Report {
    let mut facts = billing_facts();
    facts.smoke = Some(smoke(true));
    facts.published_version = Some("2.0".into());
    facts.duration_ms = 14_000;
    facts
        .phases
        .push(phase("rollback", 4_250, 9_750, "2.0 live again"));
    let why = Failure {
        title: "Smoke test failed".into(),
        message: "1 of 2 conversation(s) failed on version 3.0; version 2.0 was put back".into(),
        next_step: "Look at the failing conversation below, fix the bot, and deploy again.".into(),
        ..Failure::default()
    };
    Report {
        verdict: Verdict::rolled_back(Interruption::Failed, why),
        facts,
    }
}

fn failed_before_publish() -> Report {
    let mut facts = billing_facts();
    facts.published_version = Some("2.0".into());
    facts.warnings =
        vec!["rollout-percentage 50 is a label: Genesys Cloud has no partial rollout".into()];
    facts.operation_id = None;
    facts.phases.truncate(2);
    facts.phases[1].result = "refused".into();
    facts.dependencies[1].state = "inactive".into();
    facts.dependencies[1].problem = Some("is inactive, not active".into());
    Report {
        verdict: Verdict::failed_before_publish(publish_failure()),
        facts,
    }
}

fn dry_run() -> Report {
    let mut facts = billing_facts();
    facts.published_version = Some("2.0".into());
    facts.plan = vec![
        "Publish version 3.0 of Billing (live now: 2.0)".into(),
        "Run 2 smoke-test conversation(s) from `.github/smoke/billing.yml`".into(),
    ];
    Report {
        verdict: Verdict::DryRun,
        facts,
    }
}

/// A run that stopped before anything was read: no name, no version, no ids.
fn nothing_known() -> Report {
    Report {
        verdict: Verdict::failed_before_publish(Failure {
            title: "Invalid input".into(),
            message: "bot-id \"\" is empty; set it to the bot flow's id".into(),
            next_step: "Set bot-id.".into(),
            ..Failure::default()
        }),
        facts: Facts::new("dep".into(), String::new(), "prod".into()),
    }
}

fn every_ending() -> Vec<(&'static str, Report)> {
    vec![
        ("published", published()),
        ("rolled_back", rolled_back()),
        ("failed_before_publish", failed_before_publish()),
        ("dry_run", dry_run()),
        ("nothing_known", nothing_known()),
    ]
}

#[test]
fn each_ending_renders_as_its_snapshot() {
    for (name, report) in every_ending() {
        insta::assert_snapshot!(name, render(&report));
    }
}

#[test]
fn renders_without_the_faults_a_person_would_see() {
    for (name, report) in every_ending() {
        let md = render(&report);
        assert_eq!(defects(&md), Vec::<String>::new(), "{name}:\n{md}");
    }
}

#[test]
fn outside_text_shows_as_written() {
    let page = html(&render(&failed_before_publish()));
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("Billing | VIP"), "{page}");
    assert!(
        page.contains("<code>architect.flow.validate.failed</code>"),
        "{page}"
    );
    // The platform's line break stays a break, not a literal.
    assert!(
        page.contains("publish version 3.0:<br />\nthe flow has errors"),
        "{page}"
    );
}

#[test]
fn the_headline_names_the_end_state_and_what_is_live() {
    let headlines: Vec<String> = every_ending()
        .iter()
        .map(|(_, report)| headline(report))
        .collect();
    assert_eq!(
        headlines,
        [
            "✅ Billing version 3.0 is live in prod",
            "↩️ Billing 3.0 failed in prod and was rolled back; version 2.0 is live",
            "❌ Billing 3.0 was not deployed to prod; version 2.0 is live",
            "🧪 Dry run for Billing in prod: every check passed, nothing published",
            "❌ The bot was not deployed to prod; nothing was published",
        ]
    );
}
