//! Starts the compiled Action exactly as the GitHub runner starts a container action: a clean
//! environment holding only `INPUT_*` (every input action.yml declares, with its default or an
//! empty string), `GITHUB_*` and `RUNNER_*`, the workspace as the working directory, and the
//! file-command files created empty beforehand.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

use crate::ran::Ran;

/// Longer than any scenario may take: a run still going after this is a hang, not slowness.
const HANG: Duration = Duration::from_secs(90);

/// The inputs action.yml declares, with their defaults (`None` when it gives none).
pub fn declared_inputs() -> &'static BTreeMap<String, Option<String>> {
    static INPUTS: OnceLock<BTreeMap<String, Option<String>>> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
        let text = std::fs::read_to_string(path).expect("action.yml is readable");
        parse_inputs(&text)
    })
}

/// Reads the `inputs:` block of action.yml: two-space keys, four-space `default:` lines. The
/// file is ours and plain, so a YAML library would only add a dependency.
fn parse_inputs(text: &str) -> BTreeMap<String, Option<String>> {
    let mut inputs = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_inputs = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            in_inputs = line.trim_end() == "inputs:";
            current = None;
            continue;
        }
        if !in_inputs {
            continue;
        }
        if let Some(key) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) {
            let name = key.trim_end().trim_end_matches(':').to_string();
            inputs.insert(name.clone(), None);
            current = Some(name);
        } else if let (Some(name), Some(value)) = (&current, line.trim().strip_prefix("default:")) {
            let value = value.trim().trim_matches('"').to_string();
            inputs.insert(name.clone(), Some(value));
        }
    }
    assert!(
        inputs.contains_key("client-secret") && inputs.len() >= 20,
        "action.yml inputs not found: {inputs:?}"
    );
    inputs
}

/// A workspace and the runner's files for one run.
pub struct Workspace {
    dir: TempDir,
}

impl Workspace {
    fn new() -> Self {
        let dir = TempDir::new().expect("temp dir");
        for name in ["workspace", "home", "runner_temp", "file_commands"] {
            std::fs::create_dir_all(dir.path().join(name)).expect("runner dirs");
        }
        for name in ["output", "summary", "env", "path", "state"] {
            std::fs::write(dir.path().join("file_commands").join(name), "")
                .expect("empty file-command file");
        }
        Workspace { dir }
    }

    /// The directory holding the workspace, the runner's temp directory and the rest.
    pub fn base(&self) -> &Path {
        self.dir.path()
    }

    /// `$GITHUB_WORKSPACE`.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("workspace")
    }

    fn file_command(&self, name: &str) -> PathBuf {
        self.dir.path().join("file_commands").join(name)
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_default()
    }

    /// `$GITHUB_OUTPUT` as written.
    pub fn outputs_raw(&self) -> String {
        Self::read(&self.file_command("output"))
    }

    /// `$GITHUB_STEP_SUMMARY` as written.
    pub fn summary(&self) -> String {
        Self::read(&self.file_command("summary"))
    }

    /// A file below the workspace.
    pub fn file(&self, relative: &str) -> String {
        Self::read(&self.root().join(relative))
    }
}

/// The environment the runner gives the container: `INPUT_*` from `given` over action.yml's
/// defaults (empty when it has none), then `GITHUB_*` and `RUNNER_*`.
fn environment(ws: &Workspace, given: &[(String, String)]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = Vec::new();
    for (name, default) in declared_inputs() {
        let value = given
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| default.clone())
            .unwrap_or_default();
        env.push((format!("INPUT_{}", name.to_uppercase()), value));
    }
    for (k, _) in given {
        assert!(
            declared_inputs().contains_key(k),
            "{k} is not an input in action.yml"
        );
    }
    let path = |p: PathBuf| p.display().to_string();
    env.extend(
        [
            ("GITHUB_ACTIONS", "true".to_string()),
            ("CI", "true".to_string()),
            ("GITHUB_WORKSPACE", path(ws.root())),
            ("GITHUB_OUTPUT", path(ws.file_command("output"))),
            ("GITHUB_STEP_SUMMARY", path(ws.file_command("summary"))),
            ("GITHUB_ENV", path(ws.file_command("env"))),
            ("GITHUB_PATH", path(ws.file_command("path"))),
            ("GITHUB_STATE", path(ws.file_command("state"))),
            ("GITHUB_REPOSITORY", "acme/bots".to_string()),
            ("GITHUB_RUN_ID", "4242".to_string()),
            ("GITHUB_RUN_ATTEMPT", "1".to_string()),
            (
                "GITHUB_SHA",
                "0123456789abcdef0123456789abcdef01234567".to_string(),
            ),
            ("GITHUB_REF", "refs/heads/main".to_string()),
            ("GITHUB_EVENT_NAME", "push".to_string()),
            ("GITHUB_WORKFLOW", "deploy".to_string()),
            ("GITHUB_JOB", "deploy".to_string()),
            ("GITHUB_ACTION", "__genesys-bot-deploy".to_string()),
            ("GITHUB_ACTOR", "octocat".to_string()),
            ("HOME", path(ws.dir.path().join("home"))),
            ("RUNNER_OS", "Linux".to_string()),
            ("RUNNER_ARCH", "X64".to_string()),
            ("RUNNER_NAME", "e2e".to_string()),
            ("RUNNER_TEMP", path(ws.dir.path().join("runner_temp"))),
            // Step debug logging: the audit lines are printed as they happen (tests wait on
            // them), and a failing test shows every request.
            ("RUNNER_DEBUG", "1".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v)),
    );
    env
}

/// A started Action: its stdout arrives line by line so a test can act on a given audit line.
pub struct Running {
    child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    stdout: Vec<String>,
    stderr: tokio::task::JoinHandle<String>,
    ws: Workspace,
}

/// Starts the Action with these inputs (kebab-case names as in action.yml; later pairs win).
pub fn start(given: Vec<(String, String)>) -> Running {
    start_with_files(given, &[])
}

/// Starts the Action with `files` (workspace-relative path, content) checked out in the
/// workspace, as a repository's files would be (e.g. a smoke-test file).
pub fn start_with_files(given: Vec<(String, String)>, files: &[(&str, &str)]) -> Running {
    let ws = Workspace::new();
    for (path, content) in files {
        let path = ws.root().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("workspace dirs");
        }
        std::fs::write(path, content).expect("workspace file");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_genesys-bot-deploy"))
        .env_clear()
        .envs(environment(&ws, &given))
        .current_dir(ws.root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the Action binary starts");
    let (tx, lines) = mpsc::unbounded_channel();
    let out = child.stdout.take().expect("piped stdout");
    tokio::spawn(async move {
        let mut reader = BufReader::new(out).lines();
        while let Ok(Some(line)) = reader.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut err = child.stderr.take().expect("piped stderr");
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text).await;
        text
    });
    Running {
        child,
        lines,
        stdout: Vec::new(),
        stderr,
        ws,
    }
}

impl Running {
    /// Reads stdout until a line satisfies `pred` and returns it; `None` when stdout ends first.
    pub async fn wait_for_line(&mut self, pred: impl Fn(&str) -> bool) -> Option<String> {
        let found = tokio::time::timeout(HANG, async {
            while let Some(line) = self.lines.recv().await {
                self.stdout.push(line.clone());
                if pred(&line) {
                    return Some(line);
                }
            }
            None
        })
        .await;
        found.expect("the Action printed the awaited line or ended in time")
    }

    /// Reads stdout until the audit line of `event` appears: with step debug logging on
    /// (as every run here has it), each audit line is also a `::debug::audit` line.
    pub async fn wait_for_event(&mut self, event: &str) -> Option<String> {
        let needle = format!("\"event\":\"{event}\"");
        self.wait_for_line(|l| l.starts_with("::debug::audit ") && l.contains(&needle))
            .await
    }

    /// Sends SIGTERM, as the runner does when a job is cancelled (through `kill(1)`: the
    /// workspace forbids `unsafe`, so no direct `libc::kill`).
    pub async fn terminate(&self) {
        let pid = self.child.id().expect("still running").to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .expect("kill runs");
        assert!(status.success(), "kill -TERM {pid} failed");
    }

    /// Waits for the exit and collects everything the run wrote.
    pub async fn finish(mut self) -> Ran {
        let status = match tokio::time::timeout(HANG, self.child.wait()).await {
            Ok(status) => status.expect("wait for the Action"),
            Err(_) => {
                let _ = self.child.kill().await;
                panic!(
                    "the Action hung for {HANG:?}; stdout so far:\n{}",
                    self.stdout.join("\n")
                );
            }
        };
        while let Some(line) = self.lines.recv().await {
            self.stdout.push(line);
        }
        let stderr = self.stderr.await.expect("stderr reader");
        Ran::new(status.code(), self.stdout.join("\n"), stderr, self.ws)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_input_of_action_yml() {
        let inputs = declared_inputs();
        assert_eq!(inputs["client-id"], None);
        assert_eq!(inputs["region"].as_deref(), Some("mypurecloud.com"));
        assert_eq!(inputs["timeout-seconds"].as_deref(), Some("300"));
        assert_eq!(inputs["audit-log"], None);
        assert!(!inputs.contains_key("status"), "outputs are not inputs");
    }
}
