//! SPEC §3's decisions, as pure functions of what was read: no I/O, no clock, no report.
//! Each takes plain data (the plan, the flow as read, what the run saw) and returns the next
//! step or the end of the run as a value; the step modules around them do the talking. Each
//! rule has its table of cases next to it, so changing a rule is one line and one test.
//!
//! | rule | where |
//! |---|---|
//! | 2 (publish nothing when the target is live) | [`versions::start`] |
//! | 17 (a re-run is never greener: smoke-test a live target, and what to put back) | [`versions::start`], [`versions::rerun_rollback_target`] |
//! | 3 (what a force-unlock changed) | [`unlock::after_unlock`] |
//! | 4 (a lost publish answer is decided by a read) | [`publish::after_lost_answer`] |
//! | 5 (growing poll intervals; `Retry-After` is in `crate::retry`) | [`wait::next_interval`] |
//! | 6 (success is `SUCCESS` *and* the target live) | [`publish::judge_finished`], [`versions::classify`] |
//! | 7, 11 (after a timeout or a cancellation, one read decides) | [`interruption::settle`] |
//! | 8 (roll back only what is really live, and prove it) | [`rollback::after_failure`], [`rollback::check`], [`content::first_difference`] |
//! | 15 (when to read an import or export job next) | [`jobs::next_job_read`] |
//! | 16 (the live version is this release; it was made outside this pipeline; whom a publish reaches) | [`identity::compare`], [`drift::judge`], [`callers::pin_of`] |

pub mod callers;
pub mod content;
pub mod drift;
pub mod identity;
pub mod interruption;
pub mod jobs;
pub mod publish;
pub mod rollback;
pub mod unlock;
pub mod versions;
pub mod wait;
