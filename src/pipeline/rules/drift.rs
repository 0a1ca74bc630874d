//! Drift (SPEC rule 16): was the live version made outside this pipeline? Decided from who
//! the platform says made and published it (PY-SDK `Flow.publishedBy`,
//! `FlowVersion.createdBy` / `createdByClient`; flow-artifacts.md §4): a version this
//! pipeline's OAuth client made, published by no user, is ours. A user in either field, or
//! another client, is drift: a hot-fix in Architect, Archy or another pipeline. A version
//! whose maker is not given at all cannot be judged.
//!
//! Content decides first: when the live version's export is this release's content (the
//! caller compares before asking), there is nothing a deployment could destroy, whoever
//! made it, and the run is `unchanged`. And a bot that was never published has nothing to
//! drift from.

use crate::genesys::models::{EntityRef, VersionRef};

/// What the drift check found (the `drift` output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The live version was made by this pipeline's client (or nothing is live).
    None,
    /// Made or published outside this pipeline: by whom, in a clause.
    Detected {
        /// "published by user Jane Doe (u-1)", "made by OAuth client Archy CI (c-9)".
        by: String,
    },
    /// Who made it is not known: why.
    Unknown {
        /// In a clause.
        why: String,
    },
}

impl Drift {
    /// The `drift` output's value.
    pub fn as_str(&self) -> &'static str {
        match self {
            Drift::None => "none",
            Drift::Detected { .. } => "detected",
            Drift::Unknown { .. } => "unknown",
        }
    }
}

/// Judges the live version's authorship. `client_id` is this pipeline's OAuth client;
/// `published_by` is the flow's `publishedBy` (a user, when one published).
pub fn judge(
    live: Option<&VersionRef>,
    published_by: Option<&EntityRef>,
    client_id: &str,
) -> Drift {
    let Some(live) = live else {
        return Drift::None;
    };
    if let Some(user) = published_by.filter(|u| u.id.is_some() || u.name.is_some()) {
        return Drift::Detected {
            by: format!("version {} was published by user {}", live.id, user.label()),
        };
    }
    match (&live.created_by, &live.created_by_client) {
        (Some(user), _) if user.id.is_some() || user.name.is_some() => Drift::Detected {
            by: format!("version {} was made by user {}", live.id, user.label()),
        },
        (_, Some(client)) if client.id.as_deref() == Some(client_id) => Drift::None,
        (_, Some(client)) if client.id.is_some() => Drift::Detected {
            by: format!(
                "version {} was made by OAuth client {}, not this pipeline's ({client_id})",
                live.id,
                client.label()
            ),
        },
        _ => Drift::Unknown {
            why: format!(
                "Genesys Cloud did not say who made version {} (no createdBy or createdByClient)",
                live.id
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(id: &str, name: &str) -> Option<EntityRef> {
        Some(EntityRef {
            id: Some(id.into()),
            name: Some(name.into()),
        })
    }

    fn version(user: Option<EntityRef>, client: Option<EntityRef>) -> VersionRef {
        VersionRef {
            id: "4.0".into(),
            created_by: user,
            created_by_client: client,
            ..VersionRef::default()
        }
    }

    #[test]
    fn a_version_is_ours_only_when_our_client_made_it_and_no_user_published_it() {
        let ours = version(None, entity("ci-client", "CI"));
        let cases: [(Option<VersionRef>, Option<EntityRef>, Drift); 6] = [
            (None, None, Drift::None),
            (Some(ours.clone()), None, Drift::None),
            (
                Some(ours),
                entity("u-1", "Jane Doe"),
                Drift::Detected {
                    by: "version 4.0 was published by user Jane Doe (u-1)".into(),
                },
            ),
            (
                Some(version(entity("u-2", "Sam Lee"), None)),
                None,
                Drift::Detected {
                    by: "version 4.0 was made by user Sam Lee (u-2)".into(),
                },
            ),
            (
                Some(version(None, entity("archy-ci", "Archy CI"))),
                None,
                Drift::Detected {
                    by: "version 4.0 was made by OAuth client Archy CI (archy-ci), not this pipeline's (ci-client)".into(),
                },
            ),
            (
                Some(version(None, None)),
                None,
                Drift::Unknown {
                    why: "Genesys Cloud did not say who made version 4.0 (no createdBy or createdByClient)".into(),
                },
            ),
        ];
        for (live, published_by, expected) in cases {
            assert_eq!(
                judge(live.as_ref(), published_by.as_ref(), "ci-client"),
                expected,
                "{live:?} {published_by:?}"
            );
        }
    }

    #[test]
    fn outputs_name_the_three_findings() {
        let names: Vec<&str> = [
            Drift::None,
            Drift::Detected { by: String::new() },
            Drift::Unknown { why: String::new() },
        ]
        .iter()
        .map(Drift::as_str)
        .collect();
        assert_eq!(names, ["none", "detected", "unknown"]);
    }
}
