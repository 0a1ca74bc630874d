//! Rule 3's force-unlock, as the platform does it: "Unlocking a flow checks in the currently
//! saved changes and creates a new version of the flow" (help.mypurecloud.com, "Unlock a
//! flow"); the Terraform provider even says it publishes the draft. So the flow read after
//! the unlock is compared with the one read before.

use crate::genesys::models::Flow;

/// What the unlock changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterUnlock {
    /// Nothing a deployment relies on moved.
    Unchanged,
    /// The holder's saved draft became the checked-in version `now`.
    DraftCheckedIn {
        /// The checked-in version before the unlock.
        before: Option<String>,
        /// The checked-in version after it.
        now: String,
    },
    /// The live version moved: the unlock published something.
    LiveVersionMoved {
        /// Live before the unlock.
        before: Option<String>,
        /// Live after it.
        now: Option<String>,
    },
}

/// Compares the flow before and after the unlock.
pub fn after_unlock(before: &Flow, after: &Flow) -> AfterUnlock {
    let checked_in = |f: &Flow| f.checked_in_version.as_ref().map(|v| v.id.clone());
    if before.published_id() != after.published_id() {
        return AfterUnlock::LiveVersionMoved {
            before: before.published_id().map(str::to_string),
            now: after.published_id().map(str::to_string),
        };
    }
    match (checked_in(before), checked_in(after)) {
        (before, Some(now)) if before.as_deref() != Some(now.as_str()) => {
            AfterUnlock::DraftCheckedIn { before, now }
        }
        _ => AfterUnlock::Unchanged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::models::VersionRef;

    fn flow(live: Option<&str>, checked_in: Option<&str>) -> Flow {
        let version = |v: &str| VersionRef {
            id: v.into(),
            name: None,
            ..Default::default()
        };
        Flow {
            id: "bot".into(),
            published_version: live.map(version),
            checked_in_version: checked_in.map(version),
            ..Flow::default()
        }
    }

    #[test]
    fn what_the_unlock_changed() {
        let cases = [
            (
                flow(Some("2.0"), Some("3.0")),
                flow(Some("2.0"), Some("3.0")),
                AfterUnlock::Unchanged,
            ),
            (
                flow(Some("2.0"), Some("3.0")),
                flow(Some("2.0"), Some("4.0")),
                AfterUnlock::DraftCheckedIn {
                    before: Some("3.0".into()),
                    now: "4.0".into(),
                },
            ),
            (
                flow(None, None),
                flow(None, Some("1.0")),
                AfterUnlock::DraftCheckedIn {
                    before: None,
                    now: "1.0".into(),
                },
            ),
            (
                flow(Some("2.0"), Some("3.0")),
                flow(Some("4.0"), Some("4.0")),
                AfterUnlock::LiveVersionMoved {
                    before: Some("2.0".into()),
                    now: Some("4.0".into()),
                },
            ),
            // A checked-in version that disappears is not a draft to worry about.
            (
                flow(Some("2.0"), Some("3.0")),
                flow(Some("2.0"), None),
                AfterUnlock::Unchanged,
            ),
        ];
        for (before, after, expected) in cases {
            assert_eq!(
                after_unlock(&before, &after),
                expected,
                "{before:?} -> {after:?}"
            );
        }
    }
}
