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
    /// `$RUNNER_TEMP`: where the audit trail goes when no `audit-log` is given.
    pub runner_temp: Option<PathBuf>,
    /// `$RUNNER_WORKSPACE`: the runner's host path of the repository's work folder, from
    /// which a container finds the host path of its temp directory.
    pub runner_workspace: Option<PathBuf>,
}

/// Where the runner mounts its temp directory in a container action's container.
pub const CONTAINER_RUNNER_TEMP: &str = "/github/runner_temp";

/// The audit trail's file: where this run writes it, and the path the next step of the job
/// opens it at (the `audit-log` output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFile {
    /// Where the run writes.
    pub path: PathBuf,
    /// What the next step on the runner opens.
    pub shown: String,
}

/// The audit file of a run: `audit-log` relative to the workspace when given (the next
/// step, in the workspace too, opens the same relative path); else a file in the runner's
/// temp directory. Inside a container the runner mounts that directory at
/// `/github/runner_temp`; the next step sees it at its host path, `_temp` beside the
/// repository's work folder (`$RUNNER_WORKSPACE`, the runner's layout `_work/<repo>`,
/// `_work/_temp`). Without a runner, the system's temp directory.
pub fn audit_file(
    input: Option<&Path>,
    deployment_id: &str,
    workspace: &Path,
    runner_temp: Option<&Path>,
    runner_workspace: Option<&Path>,
) -> AuditFile {
    if let Some(input) = input {
        return AuditFile {
            path: workspace.join(input),
            shown: input.display().to_string(),
        };
    }
    let name = format!("genesys-bot-deploy-{deployment_id}.audit.jsonl");
    let Some(temp) = runner_temp else {
        let path = std::env::temp_dir().join(&name);
        return AuditFile {
            shown: path.display().to_string(),
            path,
        };
    };
    let path = temp.join(&name);
    let host_temp = (temp == Path::new(CONTAINER_RUNNER_TEMP))
        .then(|| runner_workspace?.parent().map(|work| work.join("_temp")))
        .flatten();
    AuditFile {
        shown: host_temp
            .unwrap_or_else(|| temp.to_path_buf())
            .join(&name)
            .display()
            .to_string(),
        path,
    }
}

impl RunContext {
    /// SPEC rule 12: every file the run must write can be written, checked before any
    /// request by opening it for appending (as the writes will). Returns one line per file
    /// that cannot be.
    pub fn unwritable_files(&self, audit_file: &Path) -> Vec<String> {
        let files = [
            ("$GITHUB_OUTPUT", self.output_file.as_deref()),
            ("$GITHUB_STEP_SUMMARY", self.summary_file.as_deref()),
            ("audit-log", Some(audit_file)),
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
            runner_temp: path("RUNNER_TEMP"),
            runner_workspace: path("RUNNER_WORKSPACE"),
        }
    }

    /// The audit file of the run `deployment_id`.
    pub fn audit_file(&self, input: Option<&Path>, deployment_id: &str) -> AuditFile {
        audit_file(
            input,
            deployment_id,
            &self.workspace,
            self.runner_temp.as_deref(),
            self.runner_workspace.as_deref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_file_is_where_the_next_step_finds_it() {
        let ws = Path::new("/github/workspace");
        let given = audit_file(Some(Path::new("logs/a.jsonl")), "d", ws, None, None);
        assert_eq!(given.path, Path::new("/github/workspace/logs/a.jsonl"));
        assert_eq!(given.shown, "logs/a.jsonl");
        // In the container: written under the mount, shown at the runner's host path.
        let container = audit_file(
            None,
            "d",
            ws,
            Some(Path::new(CONTAINER_RUNNER_TEMP)),
            Some(Path::new("/home/runner/work/bots")),
        );
        assert_eq!(
            container.path,
            Path::new("/github/runner_temp/genesys-bot-deploy-d.audit.jsonl")
        );
        assert_eq!(
            container.shown,
            "/home/runner/work/_temp/genesys-bot-deploy-d.audit.jsonl"
        );
        // The binary run on the runner itself: the temp directory is the host's already.
        let host = audit_file(
            None,
            "d",
            ws,
            Some(Path::new("/home/runner/work/_temp")),
            None,
        );
        assert_eq!(
            host.shown,
            "/home/runner/work/_temp/genesys-bot-deploy-d.audit.jsonl"
        );
        assert_eq!(host.path, Path::new(&host.shown));
    }
}
