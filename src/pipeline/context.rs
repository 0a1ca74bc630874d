//! Where the run writes and what can stop it: the parts of the runner's environment the
//! pipeline needs, injectable for tests.

use crate::config::InputError;
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
pub(crate) const CONTAINER_RUNNER_TEMP: &str = "/github/runner_temp";

/// Where the runner mounts the workspace in a container action's container: the one folder
/// of the job the container shares with the steps before and after it.
pub(crate) const CONTAINER_WORKSPACE: &str = "/github/workspace";

/// A file of the run: where the Action opens it, and the path the job's other steps open it
/// at (what outputs and the summary show).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFile {
    /// Where the Action opens it.
    pub path: PathBuf,
    /// What the next step on the runner opens.
    pub shown: String,
}

impl RunFile {
    /// Writes `contents` to the file, making its folder first when it is missing.
    pub fn write(&self, contents: &str) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&self.path, contents)
    }
}

/// The file an input names. A relative path is relative to the workspace. In the Action's
/// container the runner has translated `${{ github.workspace }}/x` into `/github/workspace/x`
/// and `${{ runner.temp }}/x` into `/github/runner_temp/x`, paths no other step has: they
/// are accepted and shown as the job's other steps name them (workspace-relative; the
/// runner's temp directory on the host, when `$RUNNER_WORKSPACE` tells where it is). Any
/// other absolute path in the container is refused: the file would die with the container.
/// On a runner or a laptop, an absolute path is taken as given.
pub(crate) fn input_file(
    given: &Path,
    workspace: &Path,
    runner_workspace: Option<&Path>,
) -> Result<RunFile, String> {
    // `..` is refused here, where every input file passes, not only where an input is
    // parsed: a containment check on the prefix below must not be fooled.
    crate::config::parse::workspace_path(&given.to_string_lossy())?;
    let shown = |shown: String| RunFile {
        path: if given.is_relative() {
            workspace.join(given)
        } else {
            given.to_path_buf()
        },
        shown,
    };
    if given.is_relative() {
        return Ok(shown(given.display().to_string()));
    }
    if let Ok(relative) = given.strip_prefix(workspace)
        && !relative.as_os_str().is_empty()
    {
        return Ok(shown(relative.display().to_string()));
    }
    if workspace != Path::new(CONTAINER_WORKSPACE) {
        return Ok(shown(given.display().to_string()));
    }
    match given.strip_prefix(CONTAINER_RUNNER_TEMP) {
        Ok(relative) if !relative.as_os_str().is_empty() => {
            let on_host = host_runner_temp(runner_workspace)
                .map_or_else(|| given.to_path_buf(), |temp| temp.join(relative));
            Ok(shown(on_host.display().to_string()))
        }
        _ => Err(format!(
            "a file the job's other steps can open: a path relative to the workspace, or one under \
             ${{{{ github.workspace }}}} or ${{{{ runner.temp }}}} (the Action's container shares only \
             {CONTAINER_WORKSPACE} and {CONTAINER_RUNNER_TEMP} with the job)"
        )),
    }
}

/// The runner's temp directory as the host names it, from inside the container: `_temp`
/// beside the repository's work folder (`$RUNNER_WORKSPACE`: the runner's layout is
/// `_work/<repo>`, `_work/_temp`).
fn host_runner_temp(runner_workspace: Option<&Path>) -> Option<PathBuf> {
    runner_workspace?.parent().map(|work| work.join("_temp"))
}

/// The audit file of a run: the `audit-log` file when given (see [`input_file`]); else
/// [`temp_file`] `genesys-bot-deploy-<deployment id>.audit.jsonl`.
pub fn audit_file(
    input: Option<RunFile>,
    deployment_id: &str,
    runner_temp: Option<&Path>,
    runner_workspace: Option<&Path>,
) -> RunFile {
    if let Some(input) = input {
        return input;
    }
    let name = format!("genesys-bot-deploy-{deployment_id}.audit.jsonl");
    temp_file(&name, runner_temp, runner_workspace)
}

/// A file the run makes for the job's next steps (the audit trail, a flow backup, a plan):
/// in the runner's temp directory, shown at its host path when the run is in the container;
/// without a runner, in the system's temp directory.
pub fn temp_file(
    name: &str,
    runner_temp: Option<&Path>,
    runner_workspace: Option<&Path>,
) -> RunFile {
    let Some(temp) = runner_temp else {
        let path = std::env::temp_dir().join(name);
        return RunFile {
            shown: path.display().to_string(),
            path,
        };
    };
    let path = temp.join(name);
    let host_temp = (temp == Path::new(CONTAINER_RUNNER_TEMP))
        .then(|| host_runner_temp(runner_workspace))
        .flatten();
    RunFile {
        shown: host_temp
            .unwrap_or_else(|| temp.to_path_buf())
            .join(name)
            .display()
            .to_string(),
        path,
    }
}

impl RunContext {
    /// SPEC rule 12: every file the run must write can be written, checked before any
    /// request by opening it for appending (as the writes will). Returns one line per file
    /// that cannot be.
    pub(crate) fn unwritable_files(&self, audit_file: &Path) -> Vec<String> {
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

    /// The file the input `name` names, or why it cannot be used.
    pub(crate) fn input_file(
        &self,
        name: &'static str,
        given: &Path,
    ) -> Result<RunFile, InputError> {
        input_file(given, &self.workspace, self.runner_workspace.as_deref()).map_err(|allowed| {
            InputError {
                input: name,
                value: Some(given.display().to_string()),
                allowed,
            }
        })
    }

    /// A file the run makes for the job's next steps: see the free function `temp_file`.
    pub fn temp_file(&self, name: &str) -> RunFile {
        temp_file(
            name,
            self.runner_temp.as_deref(),
            self.runner_workspace.as_deref(),
        )
    }

    /// The audit file of the run `deployment_id`, from the `audit-log` file when given.
    pub fn audit_file(&self, input: Option<RunFile>, deployment_id: &str) -> RunFile {
        audit_file(
            input,
            deployment_id,
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
        let input = input_file(Path::new("logs/a.jsonl"), ws, None).expect("relative");
        let given = audit_file(Some(input), "d", None, None);
        assert_eq!(given.path, Path::new("/github/workspace/logs/a.jsonl"));
        assert_eq!(given.shown, "logs/a.jsonl");
        // In the container: written under the mount, shown at the runner's host path.
        let container = audit_file(
            None,
            "d",
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
        let host = audit_file(None, "d", Some(Path::new("/home/runner/work/_temp")), None);
        assert_eq!(
            host.shown,
            "/home/runner/work/_temp/genesys-bot-deploy-d.audit.jsonl"
        );
        assert_eq!(host.path, Path::new(&host.shown));
    }

    #[test]
    fn an_input_file_is_one_the_job_can_open() {
        let container = Path::new(CONTAINER_WORKSPACE);
        let repo = Some(Path::new("/home/runner/work/bots"));
        let file = |given: &str| input_file(Path::new(given), container, repo);
        let run_file = |path: &str, shown: &str| {
            Ok(RunFile {
                path: PathBuf::from(path),
                shown: shown.into(),
            })
        };
        // `${{ github.workspace }}/bots/smoke.yml`, translated by the runner.
        assert_eq!(
            file("/github/workspace/bots/smoke.yml"),
            run_file("/github/workspace/bots/smoke.yml", "bots/smoke.yml")
        );
        assert_eq!(
            file("bots/smoke.yml"),
            file("/github/workspace/bots/smoke.yml")
        );
        // `${{ runner.temp }}/audit.jsonl`: shown where the next step finds it.
        assert_eq!(
            file("/github/runner_temp/audit.jsonl"),
            run_file(
                "/github/runner_temp/audit.jsonl",
                "/home/runner/work/_temp/audit.jsonl"
            )
        );
        // Nothing escapes the workspace with `..`, whichever input names the file.
        for escaping in [
            "../secrets.yml",
            "bots/../../x.yml",
            "/github/workspace/../home/x",
        ] {
            assert!(file(escaping).is_err(), "{escaping}");
        }
        // Outside the shared folders, nothing the job's next step could open.
        for outside in ["/tmp/audit.jsonl", "/github/workspace", "/github/home/a"] {
            let refused = file(outside).expect_err(outside);
            assert!(
                refused.contains("shares only /github/workspace and /github/runner_temp"),
                "{refused}"
            );
        }
        // On a runner or a laptop, any absolute path is as good as the user's.
        assert_eq!(
            input_file(
                Path::new("/tmp/audit.jsonl"),
                Path::new("/home/me/bots"),
                None
            ),
            run_file("/tmp/audit.jsonl", "/tmp/audit.jsonl")
        );
    }
}
