//! Waiting for an Architect import or export job (SPEC rule 15, §5's job targets): when to
//! read its state next.
//!
//! A job's end is found by reading it, unless its publish is pushed first (an import that
//! publishes shows on the flow's topic). The reads follow [`JOB_READS`]: quick at first, as
//! an export of one small flow can end within a second (the sandbox's guess; Terraform's
//! provider reads exports every 2 s), then every [`STEADY`], which is the one
//! spacing that meets both §5 targets for jobs of 2 to 120 s: a job ending at a random moment
//! between two reads `T` apart is seen `T/2` later at the median, and `T = 2 s` keeps the
//! reads at 30 a minute. (For job ends spread evenly in time, no spacing of the reads gives a
//! median under 1 s with fewer than 30 reads a minute: the share of ends seen within 1 s is
//! at most `1 s / mean spacing`.) Terraform reads import jobs every 15 s, a median of 7.5 s.

use std::time::Duration;

/// Pauses before the first reads of a job, after its upload (import) or registration
/// (export): 0.5 s, then 1 s, then 1.5 s.
pub const JOB_READS: [Duration; 3] = [
    Duration::from_millis(500),
    Duration::from_millis(1000),
    Duration::from_millis(1500),
];

/// The pause between reads once a job has run for 3 s.
pub const STEADY: Duration = Duration::from_secs(2);

/// The pause before the next read of a job, after `reads` reads of it.
pub fn next_job_read(reads: usize) -> Duration {
    JOB_READS.get(reads).copied().unwrap_or(STEADY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_come_quickly_then_every_two_seconds() {
        let at: Vec<u64> = (0..7)
            .scan(0u64, |t, reads| {
                *t += next_job_read(reads).as_millis() as u64;
                Some(*t)
            })
            .collect();
        assert_eq!(at, [500, 1500, 3000, 5000, 7000, 9000, 11000]);
    }

    #[test]
    fn a_long_job_is_read_thirty_times_a_minute() {
        let reads_in_ten_minutes = (0..)
            .scan(Duration::ZERO, |t, reads| {
                *t += next_job_read(reads);
                (*t <= Duration::from_secs(600)).then_some(())
            })
            .count();
        // 3 early reads in the first 3 s, then one every 2 s: 301 in 600 s.
        assert_eq!(reads_in_ten_minutes, 301);
    }
}
