//! Which version is live, compared with the plan (rules 2 and 6).

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
}

/// Rule 2: a target that is already live is not published again.
pub fn start(plan: &Plan) -> Start {
    if plan.was_live.as_deref() == Some(plan.target.as_str()) {
        Start::Unchanged
    } else {
        Start::Publish
    }
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
    fn a_live_target_is_not_published_again() {
        let cases = [
            ("3.0", Some("3.0"), Start::Unchanged),
            ("3.0", Some("2.0"), Start::Publish),
            ("1.0", None, Start::Publish),
        ];
        for (target, was_live, expected) in cases {
            assert_eq!(
                start(&plan(target, was_live)),
                expected,
                "{target} over {was_live:?}"
            );
        }
    }
}
