//! How a deployment ended: one value per run. The `status` output, the exit code, the
//! annotation and the closing audit event all come from it, here and nowhere else.
//!
//! The exit code follows SPEC's table:
//!
//! | verdict | exit |
//! |---|---|
//! | published, unchanged, dry run | 0 |
//! | failed, timed out or cancelled with the bot serving what it served before; rolled back | 1 |
//! | failed, timed out or cancelled with the live version changed or unknown; rollback failed | 2 |

use super::report::Failure;
use serde::Serialize;

/// The `status` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The target is live.
    Published,
    /// The target was already live; nothing was published.
    Unchanged,
    /// Everything was checked; nothing was published.
    DryRun,
    /// The run failed.
    Failed,
    /// The run failed after the target went live, and the previous version is live again.
    RolledBack,
    /// The rollback did not bring the previous version back.
    RollbackFailed,
    /// The publish did not finish before the deadline.
    TimedOut,
    /// SIGINT/SIGTERM ended the run.
    Cancelled,
}

impl Status {
    /// The output's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Published => "published",
            Status::Unchanged => "unchanged",
            Status::DryRun => "dry-run",
            Status::Failed => "failed",
            Status::RolledBack => "rolled-back",
            Status::RollbackFailed => "rollback-failed",
            Status::TimedOut => "timed-out",
            Status::Cancelled => "cancelled",
        }
    }
}

/// After a failure: does the bot serve what it served before the run?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serving {
    /// Yes, known from a read (or nothing was ever sent): exit 1.
    AsBefore,
    /// Another version is live, or nobody can tell: exit 2, a person must look.
    ChangedOrUnknown,
}

/// How a failed run was interrupted, before any rollback changes the story: what its status
/// says unless a confirmed rollback turns `Failed`/`TimedOut` into `RolledBack`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    /// A check, the publish or the smoke test failed.
    Failed,
    /// The deadline passed.
    TimedOut,
    /// SIGINT/SIGTERM.
    Cancelled,
}

/// How the run ended, what the bot serves, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The target went live (and passed its smoke test, when there was one).
    Published,
    /// The target was already live: nothing was published.
    Unchanged,
    /// Every check ran; nothing was published.
    DryRun,
    /// The run failed.
    Failed {
        /// What the bot serves now.
        serving: Serving,
        /// Why.
        why: Failure,
    },
    /// The publish outlived the deadline.
    TimedOut {
        /// What the bot serves now.
        serving: Serving,
        /// Why.
        why: Failure,
    },
    /// SIGINT/SIGTERM ended the run.
    Cancelled {
        /// What the bot serves now.
        serving: Serving,
        /// Why.
        why: Failure,
    },
    /// The target went live, the run failed, and the previous version was confirmed live again.
    RolledBack {
        /// Why the run failed (and how the rollback went).
        why: Failure,
    },
    /// The run failed with the target live and the rollback did not bring the previous
    /// version back.
    RollbackFailed {
        /// Why.
        why: Failure,
    },
}

impl Verdict {
    /// A failed run ended by `interruption`, with the bot serving `serving`.
    pub(crate) fn interrupted(interruption: Interruption, serving: Serving, why: Failure) -> Self {
        match interruption {
            Interruption::Failed => Verdict::Failed { serving, why },
            Interruption::TimedOut => Verdict::TimedOut { serving, why },
            Interruption::Cancelled => Verdict::Cancelled { serving, why },
        }
    }

    /// A failure before anything was published: the bot serves what it served.
    pub(crate) fn failed_before_publish(why: Failure) -> Self {
        Verdict::Failed {
            serving: Serving::AsBefore,
            why,
        }
    }

    /// A failure after which the live version is changed or unknown.
    pub(crate) fn failed_unknown(why: Failure) -> Self {
        Verdict::Failed {
            serving: Serving::ChangedOrUnknown,
            why,
        }
    }

    /// The run after a confirmed rollback: `rolled-back`, or still `cancelled` when a signal
    /// started it (the user asked for the stop; the rollback only made it safe).
    pub fn rolled_back(interruption: Interruption, why: Failure) -> Self {
        match interruption {
            Interruption::Cancelled => Verdict::Cancelled {
                serving: Serving::AsBefore,
                why,
            },
            Interruption::Failed | Interruption::TimedOut => Verdict::RolledBack { why },
        }
    }

    /// The `status` output.
    pub fn status(&self) -> Status {
        match self {
            Verdict::Published => Status::Published,
            Verdict::Unchanged => Status::Unchanged,
            Verdict::DryRun => Status::DryRun,
            Verdict::Failed { .. } => Status::Failed,
            Verdict::TimedOut { .. } => Status::TimedOut,
            Verdict::Cancelled { .. } => Status::Cancelled,
            Verdict::RolledBack { .. } => Status::RolledBack,
            Verdict::RollbackFailed { .. } => Status::RollbackFailed,
        }
    }

    /// The process exit code (SPEC §2's table, in the module docs).
    pub fn exit_code(&self) -> u8 {
        match self {
            Verdict::Published | Verdict::Unchanged | Verdict::DryRun => 0,
            Verdict::RolledBack { .. } => 1,
            Verdict::RollbackFailed { .. } => 2,
            Verdict::Failed { serving, .. }
            | Verdict::TimedOut { serving, .. }
            | Verdict::Cancelled { serving, .. } => match serving {
                Serving::AsBefore => 1,
                Serving::ChangedOrUnknown => 2,
            },
        }
    }

    /// Why the run failed; `None` for the three successful ends.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Verdict::Published | Verdict::Unchanged | Verdict::DryRun => None,
            Verdict::Failed { why, .. }
            | Verdict::TimedOut { why, .. }
            | Verdict::Cancelled { why, .. }
            | Verdict::RolledBack { why }
            | Verdict::RollbackFailed { why } => Some(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why() -> Failure {
        Failure {
            title: "t".into(),
            ..Failure::default()
        }
    }

    #[test]
    fn statuses_and_exit_codes_follow_the_spec_table() {
        use Serving::{AsBefore, ChangedOrUnknown};
        let cases = [
            (Verdict::Published, "published", 0),
            (Verdict::Unchanged, "unchanged", 0),
            (Verdict::DryRun, "dry-run", 0),
            (
                Verdict::interrupted(Interruption::Failed, AsBefore, why()),
                "failed",
                1,
            ),
            (
                Verdict::interrupted(Interruption::Failed, ChangedOrUnknown, why()),
                "failed",
                2,
            ),
            (
                Verdict::interrupted(Interruption::TimedOut, AsBefore, why()),
                "timed-out",
                1,
            ),
            (
                Verdict::interrupted(Interruption::TimedOut, ChangedOrUnknown, why()),
                "timed-out",
                2,
            ),
            (
                Verdict::interrupted(Interruption::Cancelled, AsBefore, why()),
                "cancelled",
                1,
            ),
            (
                Verdict::interrupted(Interruption::Cancelled, ChangedOrUnknown, why()),
                "cancelled",
                2,
            ),
            (
                Verdict::rolled_back(Interruption::Failed, why()),
                "rolled-back",
                1,
            ),
            (
                Verdict::rolled_back(Interruption::TimedOut, why()),
                "rolled-back",
                1,
            ),
            (
                Verdict::rolled_back(Interruption::Cancelled, why()),
                "cancelled",
                1,
            ),
            (Verdict::RollbackFailed { why: why() }, "rollback-failed", 2),
        ];
        for (verdict, status, exit) in cases {
            assert_eq!(verdict.status().as_str(), status, "{verdict:?}");
            assert_eq!(verdict.exit_code(), exit, "{verdict:?}");
            assert_eq!(verdict.failure().is_some(), exit != 0, "{verdict:?}");
        }
    }
}
