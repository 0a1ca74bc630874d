//! Which version is live, compared with the plan (rules 2 and 6).

use crate::genesys::models::FlowVersion;
use crate::pipeline::plan::Plan;

/// How the live version relates to the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveVersion {
    /// The target is live.
    Target,
    /// What was live before the run is still live.
    AsBefore,
    /// Neither: someone else published meanwhile.
    Other,
}

/// Classifies the live version. The target wins when the target was already live before.
pub fn classify(live: Option<&str>, plan: &Plan) -> LiveVersion {
    if live == Some(plan.target.as_str()) {
        LiveVersion::Target
    } else if live == plan.was_live.as_deref() {
        LiveVersion::AsBefore
    } else {
        LiveVersion::Other
    }
}

/// What the run does once every check passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Publish the target.
    Publish,
    /// Rule 2: the target is already live; publish nothing.
    Unchanged,
    /// Rule 17: the target is already live and the run has a smoke test: hold it with the
    /// live version before calling it unchanged (a re-run is never greener than the run it
    /// repeats).
    SmokeTestLive,
}

/// Rules 2 and 17: a target that is already live is not published again, but it is smoke
/// tested when the run has a smoke test.
pub fn start(plan: &Plan, smoke_test: bool) -> Start {
    match (
        plan.was_live.as_deref() == Some(plan.target.as_str()),
        smoke_test,
    ) {
        (false, _) => Start::Publish,
        (true, false) => Start::Unchanged,
        (true, true) => Start::SmokeTestLive,
    }
}

/// Rule 17: the version to put back when a target that was already live fails its smoke
/// test — `previous-version` when given, else the version most recently retired from being
/// the published one (the listing's latest `datePublishedEnd`), never the target itself.
pub fn rerun_rollback_target(
    given: Option<&str>,
    versions: &[FlowVersion],
    target: &str,
) -> Option<String> {
    if let Some(given) = given {
        return Some(given.to_string());
    }
    versions
        .iter()
        .filter(|v| v.id != target)
        .filter_map(|v| {
            let ended = v.date_published_end.as_deref()?;
            let at = humantime::parse_rfc3339_weak(ended.trim_end_matches('Z')).ok()?;
            Some((at, v.id.clone()))
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, id)| id)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ids::VersionId;

    /// A plan publishing `target` over `was_live`.
    pub(crate) fn plan(target: &str, was_live: Option<&str>) -> Plan {
        Plan {
            target: VersionId::from_platform(target),
            previous: was_live.map(VersionId::from_platform),
            was_live: was_live.map(VersionId::from_platform),
            object_type: "DIGITALBOTFLOW",
            stale_operation_id: None,
            backup: None,
        }
    }

    #[test]
    fn the_live_version_is_the_target_what_was_live_or_another() {
        use LiveVersion::*;
        let cases = [
            ("3.0", Some("2.0"), Some("3.0"), Target),
            ("3.0", Some("2.0"), Some("2.0"), AsBefore),
            ("3.0", Some("2.0"), Some("4.0"), Other),
            ("3.0", Some("2.0"), None, Other),
            ("3.0", None, None, AsBefore),
            ("3.0", None, Some("3.0"), Target),
            ("3.0", Some("3.0"), Some("3.0"), Target),
        ];
        for (target, was_live, live, expected) in cases {
            let plan = plan(target, was_live);
            assert_eq!(
                classify(live, &plan),
                expected,
                "{target} over {was_live:?}, {live:?} live"
            );
        }
    }

    #[test]
    fn a_live_target_is_not_published_again_but_smoke_tested_when_asked() {
        let cases = [
            ("3.0", Some("3.0"), false, Start::Unchanged),
            ("3.0", Some("3.0"), true, Start::SmokeTestLive),
            ("3.0", Some("2.0"), false, Start::Publish),
            ("3.0", Some("2.0"), true, Start::Publish),
            ("1.0", None, true, Start::Publish),
        ];
        for (target, was_live, smoke, expected) in cases {
            assert_eq!(
                start(&plan(target, was_live), smoke),
                expected,
                "{target} over {was_live:?}, smoke test {smoke}"
            );
        }
    }

    #[test]
    fn a_rerun_rolls_back_to_the_given_or_the_most_recently_retired_version() {
        let version = |id: &str, ended: Option<&str>| FlowVersion {
            id: id.into(),
            date_published: None,
            date_published_end: ended.map(str::to_string),
            ..FlowVersion::default()
        };
        let versions = [
            version("1.0", Some("2026-01-10T09:00:00.000Z")),
            version("2.0", Some("2026-03-01T12:30:00.000Z")),
            version("3.0", None),
            version("2.5", None),
            version("0.9", Some("not a date")),
        ];
        let cases = [
            (Some("1.0"), &versions[..], Some("1.0")),
            (None, &versions[..], Some("2.0")),
            (None, &versions[..1], Some("1.0")),
            (None, &versions[2..4], None),
            (None, &[][..], None),
        ];
        for (given, listed, expected) in cases {
            assert_eq!(
                rerun_rollback_target(given, listed, "3.0").as_deref(),
                expected,
                "{given:?} over {listed:?}"
            );
        }
        // The target itself is never the way back, even if it was retired once before.
        let retired_target = [version("3.0", Some("2026-05-01T00:00:00.000Z"))];
        assert_eq!(rerun_rollback_target(None, &retired_target, "3.0"), None);
    }
}
