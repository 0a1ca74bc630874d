//! Where the run writes and what can stop it: the parts of the runner's environment the
//! pipeline needs, injectable for tests.

use crate::github::Console;
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

/// The runner's side of a run.
#[derive(Clone)]
pub struct RunContext {
    /// Stdout: workflow commands and audit lines.
    pub console: Console,
    /// `$GITHUB_OUTPUT`.
    pub output_file: Option<PathBuf>,
    /// `$GITHUB_STEP_SUMMARY`; without it the summary goes to stderr.
    pub summary_file: Option<PathBuf>,
    /// `$GITHUB_WORKSPACE`: relative paths in inputs are relative to it.
    pub workspace: PathBuf,
    /// Fired on SIGINT/SIGTERM.
    pub cancel: CancellationToken,
}

impl RunContext {
    /// The context from the process environment, as the runner sets it.
    pub fn from_env(console: Console, cancel: CancellationToken) -> Self {
        let path = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        RunContext {
            console,
            output_file: path("GITHUB_OUTPUT"),
            summary_file: path("GITHUB_STEP_SUMMARY"),
            workspace: path("GITHUB_WORKSPACE")
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_else(|| PathBuf::from(".")),
            cancel,
        }
    }
}
