//! Where the run writes and what can stop it: the parts of the runner's environment the
//! pipeline needs, injectable for tests.

use crate::github::Console;
use std::path::{Path, PathBuf};
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
    /// SPEC rule 12: every file the run must write can be written, checked before any
    /// request by opening it for appending (as the writes will). Returns one line per file
    /// that cannot be.
    pub fn unwritable_files(&self, audit_log: Option<&Path>) -> Vec<String> {
        let audit_log = audit_log.map(|p| self.workspace.join(p));
        let files = [
            ("$GITHUB_OUTPUT", self.output_file.as_deref()),
            ("$GITHUB_STEP_SUMMARY", self.summary_file.as_deref()),
            ("audit-log", audit_log.as_deref()),
        ];
        files
            .into_iter()
            .filter_map(|(name, path)| {
                let path = path?;
                // The audit log may name a folder that does not exist yet; the run makes it.
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    let _ = std::fs::create_dir_all(dir);
                }
                let opened = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path);
                opened
                    .err()
                    .map(|e| format!("{name} ({}) cannot be written: {e}", path.display()))
            })
            .collect()
    }

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
