#!/usr/bin/env python3
"""Run a Docker container action the way the GitHub Actions runner does, with podman.

Everything here follows the runner's public source, https://github.com/actions/runner
(snapshot 258d6c857db3, v2.336 era):

- src/Runner.Worker/Handlers/ContainerActionHandler.cs: the environment (INPUT_* for every
  input, then HOME, the GITHUB_*/RUNNER_* contexts, ACTIONS_RUNTIME_*), the mounts, the
  host-to-container path translation of every environment value, --workdir.
- src/Runner.Worker/Container/DockerCommandManager.cs (DockerRun): the flags and their order,
  values passed as `-e NAME` through the CLI's own environment, GITHUB_ACTIONS=true, CI=true.
- src/Runner.Worker/Container/ContainerInfo.cs: TranslateToContainerPath/TranslateToHostPath.
- src/Runner.Sdk/ProcessInvoker.cs: cancellation is SIGINT to the docker CLI, SIGTERM 7.5 s
  later, a kill 2.5 s after that; output is read with StreamReader.ReadLine (\\n, \\r, \\r\\n).
- src/Runner.Common/ActionCommand.cs, src/Runner.Worker/ActionCommandManager.cs,
  Handlers/OutputManager.cs, ExecutionContext.cs (AddIssue): workflow commands on stdout and
  stderr, their escapes, add-mask, stop-commands, echo, the disabled commands, the 10
  annotations per type per step, the 4096-character cap.
- src/Runner.Worker/FileCommandManager.cs: the file commands, parsed after the container
  exits whatever its exit code, with the runner's error cases (a parse error fails the step).

Usage: gha_runner.py run --image IMG --action action.yml --root DIR --out DIR [--with k=v]...
       gha_runner.py get RESULT.json dotted.key
The `run` result (OUT/result.json) says what the runner would conclude; it never asserts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass, field

# ProcessInvoker._sigintTimeout / _sigtermTimeout.
SIGINT_TIMEOUT = 7.5
SIGTERM_TIMEOUT = 2.5
# ExecutionContext._maxCountPerIssueType / _maxIssueMessageLength.
MAX_ISSUES_PER_TYPE = 10
MAX_ISSUE_MESSAGE = 4096
# CreateStepSummaryCommand.AttachmentSizeLimit.
SUMMARY_LIMIT = 1024 * 1024

REGISTERED_COMMANDS = {
    "stop-commands", "set-env", "set-output", "save-state", "add-mask", "add-path",
    "add-matcher", "remove-matcher", "debug", "warning", "error", "notice", "group",
    "endgroup", "echo",
}
# The commands whose line is not echoed even with ::echo::on (OmitEcho).
OMIT_ECHO = {"add-mask", "debug", "warning", "error", "notice"}
FILE_COMMANDS = [  # (context name, prefix, env var), in the order the runner registers them
    ("path", "add_path_", "GITHUB_PATH"),
    ("env", "set_env_", "GITHUB_ENV"),
    ("step_summary", "step_summary_", "GITHUB_STEP_SUMMARY"),
    ("state", "save_state_", "GITHUB_STATE"),
    ("output", "set_output_", "GITHUB_OUTPUT"),
]


class RunnerError(Exception):
    """An exception the runner would throw while processing a command or file command."""


# ---------------------------------------------------------------------------------------
# .NET string helpers the runner's parsers rely on.

def dotnet_is_space(ch: str) -> bool:
    """char.IsWhiteSpace: Zs/Zl/Zp and U+0009..U+000D, U+0085."""
    return ch in "\t\n\x0b\x0c\r\x85" or unicodedata.category(ch) in ("Zs", "Zl", "Zp")


def dotnet_trim_start(s: str) -> str:
    i = 0
    while i < len(s) and dotnet_is_space(s[i]):
        i += 1
    return s[i:]


def dotnet_trim(s: str) -> str:
    s = dotnet_trim_start(s)
    j = len(s)
    while j > 0 and dotnet_is_space(s[j - 1]):
        j -= 1
    return s[:j]


def split2_remove_empty(s: str, sep: str) -> list[str]:
    """String.Split(sep, count: 2, StringSplitOptions.RemoveEmptyEntries), as .NET does it:
    empty entries before the first kept one are skipped, and so are the empty entries right
    after it ("k==v" gives ["k", "v"])."""
    seps = [m.start() for m in re.finditer(re.escape(sep), s)]
    out: list[str] = []
    cur = 0
    i = 0
    while i < len(seps):
        entry = s[cur:seps[i]]
        if entry:
            out.append(entry)
        cur = seps[i] + len(sep)
        if len(out) == 1:
            i += 1
            while i < len(seps):
                if s[cur:seps[i]]:
                    break
                cur = seps[i] + len(sep)
                i += 1
            break
        i += 1
    if s[cur:]:
        out.append(s[cur:])
    return out


# ---------------------------------------------------------------------------------------
# Workflow commands (ActionCommand.cs).

@dataclass
class Command:
    name: str
    properties: dict[str, str] = field(default_factory=dict)  # keys compared case-insensitively
    data: str = ""

    def prop(self, key: str) -> str | None:
        for k, v in self.properties.items():
            if k.lower() == key.lower():
                return v
        return None

    def set_prop(self, key: str, value: str) -> None:
        self.del_prop(key)
        self.properties[key] = value

    def del_prop(self, key: str) -> None:
        for k in [k for k in self.properties if k.lower() == key.lower()]:
            del self.properties[k]


def _unescape(value: str, mappings: list[tuple[str, str]]) -> str:
    for token, replacement in mappings:
        value = value.replace(replacement, token)
    return value


DATA_ESCAPES = [("\r", "%0D"), ("\n", "%0A"), ("%", "%25")]
PROPERTY_ESCAPES = [("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25")]
V1_ESCAPES = [(";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D"), ("%", "%25")]


def _registered(name: str, registered: set[str]) -> bool:
    return name.lower() in {c.lower() for c in registered}


def parse_v2(message: str, registered: set[str]) -> Command | None:
    """ActionCommand.TryParseV2: `::name k=v,k=v::data` after leading whitespace."""
    if not message:
        return None
    message = dotnet_trim_start(message)
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    info = message[2:end]
    space = info.find(" ")
    name = info if space < 0 else info[:space]
    if not _registered(name, registered):
        return None
    cmd = Command(name)
    if space > 0:
        for prop in (p for p in dotnet_trim(info[space + 1:]).split(",") if p):
            pair = split2_remove_empty(prop, "=")
            if len(pair) == 2:
                cmd.set_prop(pair[0], _unescape(pair[1], PROPERTY_ESCAPES))
    cmd.data = _unescape(message[end + 2:], DATA_ESCAPES)
    return cmd


def parse_v1(message: str, registered: set[str]) -> Command | None:
    """ActionCommand.TryParse: the legacy `##[name k=v;k=v]data`, found ANYWHERE in the line."""
    if not message:
        return None
    start = message.find("##[")
    if start < 0:
        return None
    rb = message.find("]", start)
    if rb < 0:
        return None
    info = message[start + 3:rb]
    space = info.find(" ")
    name = info if space < 0 else info[:space]
    if not _registered(name, registered):
        return None
    cmd = Command(name)
    if space > 0:
        for prop in (p for p in info[space + 1:].split(";") if p):
            pair = split2_remove_empty(prop, "=")
            if len(pair) == 2:
                cmd.set_prop(pair[0], _unescape(pair[1], V1_ESCAPES))
    cmd.data = _unescape(message[rb + 1:], V1_ESCAPES)
    return cmd


# ---------------------------------------------------------------------------------------
# File commands (FileCommandManager.cs, EnvFileKeyValuePairs).

def _read_line(text: str, index: int) -> tuple[str | None, int, str | None]:
    """ReadLine on Linux: lines end at \\n only; returns (line, next index, newline)."""
    if index >= len(text):
        return None, index, None
    lf = text.find("\n", index)
    if lf < 0:
        return text[index:], len(text), None
    return text[index:lf], lf + 1, "\n"


def env_file_pairs(text: str) -> list[tuple[str, str]]:
    """The pairs of a GITHUB_OUTPUT/GITHUB_ENV/GITHUB_STATE file, or RunnerError with the
    runner's message. (The runner applies the pairs before an error as it goes; the step
    fails all the same.)"""
    pairs = []
    index = 0
    line, index, _ = _read_line(text, index)
    while line is not None:
        if line:
            eq = line.find("=")
            hd = line.find("<<")
            if eq >= 0 and (hd < 0 or eq < hd):
                key, value = line.split("=", 1)
            elif hd >= 0 and (eq < 0 or hd < eq):
                key, delimiter = line.split("<<", 1)
                if not key or not delimiter:
                    raise RunnerError(
                        f"Invalid format '{line}'. Name must not be empty and delimiter must not be empty")
                start = end = index
                temp, index, newline = _read_line(text, index)
                while temp != delimiter:
                    if temp is None:
                        raise RunnerError(f"Invalid value. Matching delimiter not found '{delimiter}'")
                    if newline is None:
                        raise RunnerError("Invalid value. EOF marker missing new line.")
                    end = index - len(newline)
                    temp, index, newline = _read_line(text, index)
                value = text[start:end] if end > start else ""
            else:
                raise RunnerError(f"Invalid format '{line}'")
            pairs.append((key, value))
        line, index, _ = _read_line(text, index)
    return pairs


def read_text(path: str) -> str | None:
    """File.ReadAllText: UTF-8 (a BOM is dropped, bad bytes become U+FFFD); None if absent."""
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8-sig", errors="replace")
    except FileNotFoundError:
        return None


# ---------------------------------------------------------------------------------------
# Paths (ContainerInfo.cs).

class PathMap:
    def __init__(self) -> None:
        self.mappings: list[tuple[str, str]] = []

    def add(self, host: str, container: str) -> None:
        # AddPathTranslateMapping inserts at 0: the last added is tried first.
        self.mappings.insert(0, (host, container))

    def to_container(self, path: str) -> str:
        for host, cont in self.mappings:
            if path == host:
                return cont
            if path.startswith(host + "/"):
                return cont + path[len(host):]
        return path

    def to_host(self, path: str) -> str:
        for host, cont in self.mappings:
            if path == cont:
                return host
            if path.startswith(cont + "/"):
                return host + path[len(cont):]
        return path


# ---------------------------------------------------------------------------------------
# action.yml: the declared inputs and their defaults.

def _scalar(raw: str, where: str) -> str:
    raw = raw.strip()
    if raw.startswith('"'):
        if not raw.endswith('"') or len(raw) < 2:
            raise ValueError(f"{where}: unterminated double-quoted scalar")
        return json.loads(raw)  # the escapes action.yml uses are JSON's
    if raw.startswith("'"):
        if not raw.endswith("'") or len(raw) < 2:
            raise ValueError(f"{where}: unterminated single-quoted scalar")
        return raw[1:-1].replace("''", "'")
    if raw[:1] in ("|", ">", "[", "{", "&", "*", "!"):
        raise ValueError(f"{where}: only plain and quoted one-line defaults are emulated")
    return re.sub(r"\s+#.*$", "", raw)


def declared_inputs(action_yml: str) -> list[tuple[str, str | None]]:
    """(name, default or None) of every input, from a block-style action.yml: keys under
    `inputs:` at two spaces, `default:` at four. Anything else under an input is skipped."""
    out: list[tuple[str, str | None]] = []
    in_inputs = False
    current: list | None = None
    for n, line in enumerate(action_yml.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            in_inputs = line.rstrip() == "inputs:"
            continue
        if not in_inputs:
            continue
        m = re.match(r"^  ([A-Za-z_][A-Za-z0-9_-]*):\s*(#.*)?$", line)
        if m:
            current = [m.group(1), None]
            out.append(current)  # type: ignore[arg-type]
            continue
        if re.match(r"^  \S", line):
            raise ValueError(f"action.yml:{n}: input not in block style: {line.strip()}")
        m = re.match(r"^    default:(.*)$", line)
        if m and current is not None:
            value = _scalar(m.group(1), f"action.yml:{n}")
            if "${{" in value:
                raise ValueError(f"action.yml:{n}: expressions in defaults are not emulated")
            current[1] = value
    return [(name, default) for name, default in out]


# ---------------------------------------------------------------------------------------
# Output handling (OutputManager + ActionCommandManager + ExecutionContext.AddIssue).

class StepLog:
    """What the runner makes of the step's output lines."""

    def __init__(self, paths: PathMap, host_workspace: str, repository: str) -> None:
        self.paths = paths
        self.host_workspace = host_workspace
        self.repository = repository
        self.lock = threading.Lock()
        self.secrets: list[str] = []
        self.lines: list[str] = []  # the log, masked, as the runner would show it
        self.issues: list[dict] = []  # every issue (the runner's and the action's)
        self.annotations: list[dict] = []  # the ones kept (10 per type)
        self.counts = {"error": 0, "warning": 0, "notice": 0}
        self.commands: list[dict] = []  # every processed command, masked
        self.command_failed = False
        self.outputs: dict[str, str] = {}
        self.state: dict[str, str] = {}
        self.stop_token: str | None = None
        self.echo = False
        self.masks_added = 0

    # SecretMasker
    def mask(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def add_secret(self, value: str) -> None:
        if value and value not in self.secrets:
            self.secrets.append(value)

    def output(self, line: str) -> None:
        self.lines.append(self.mask(line))

    def add_issue(self, kind: str, message: str, data: dict | None = None) -> None:
        message = self.mask(message)[:MAX_ISSUE_MESSAGE]
        issue = {"type": kind, "message": message, **(data or {})}
        self.issues.append(issue)
        if self.counts[kind] < MAX_ISSUES_PER_TYPE:
            self.counts[kind] += 1
            self.annotations.append(issue)
        if message:
            self.output(f"##[{kind}]{message}")

    def runner_error(self, message: str) -> None:
        self.add_issue("error", message)

    def on_line(self, line: str) -> None:
        with self.lock:
            if line and ("##[" in line or "::" in line) and self.try_command(line):
                return
            self.output(line)

    def try_command(self, line: str) -> bool:
        registered = set(REGISTERED_COMMANDS)
        if self.stop_token is not None:
            registered.add(self.stop_token)
        cmd = parse_v2(line, registered) or parse_v1(line, registered)
        if cmd is None:
            return False
        name = cmd.name.lower()
        if self.stop_token is not None:
            if cmd.name.lower() == self.stop_token.lower():
                self.output(line)
                self.stop_token = None
                return True
            return False  # paused: the line is printed as is
        self.commands.append({"command": name, "properties": {k: self.mask(v) for k, v in cmd.properties.items()},
                              "data": "***" if name == "add-mask" else self.mask(cmd.data)})
        if name == "stop-commands":
            token = cmd.data
            if not token or _registered(token, REGISTERED_COMMANDS) or token.lower() == "pause-logging":
                self.runner_error(f"Unable to process command '{line}' successfully.")
                self.runner_error("You cannot use a endToken that is an empty string, the string 'pause-logging', "
                                  "or another workflow command.")
                self.command_failed = True
                return True
            self.stop_token = token
            if len(token) > 6:
                self.add_secret(token)
            self.output(line)
            return True
        if self.echo and name not in OMIT_ECHO:
            self.output(line)
        try:
            self.process(name, cmd, line)
        except RunnerError as e:
            shown = cmd.name if name in OMIT_ECHO else line
            self.runner_error(f"Unable to process command '{shown}' successfully.")
            self.runner_error(str(e))
            self.command_failed = True
        return True

    def process(self, name: str, cmd: Command, line: str) -> None:
        if name == "add-mask":
            if not cmd.data.strip():
                self.add_issue("warning", "Can't add secret mask for empty string in ##[add-mask] command.")
                return
            self.add_secret(cmd.data)
            for part in re.split(r"[\r\n]", cmd.data):
                if part.strip():
                    self.add_secret(dotnet_trim(part))
            self.masks_added += 1
        elif name in ("error", "warning", "notice"):
            self.issue_command(name, cmd)
        elif name == "debug":
            self.output(f"##[debug]{cmd.data}")
        elif name in ("group", "endgroup"):
            self.output(f"##[{name}]{cmd.data if name == 'group' else ''}")
        elif name == "echo":
            value = cmd.data.strip().upper()
            if value not in ("ON", "OFF"):
                raise RunnerError(f"Invalid echo command value. Possible values can be: 'on', 'off'. "
                                  f"Current value is: '{cmd.data}'.")
            self.echo = value == "ON"
        elif name in ("set-env", "add-path"):
            raise RunnerError(f"The `{name}` command is disabled. (ACTIONS_ALLOW_UNSECURE_COMMANDS)")
        elif name in ("set-output", "save-state"):
            key = cmd.prop("name")
            if not key:
                raise RunnerError(f"Required field 'name' is missing in ##[{name}] command.")
            (self.outputs if name == "set-output" else self.state)[key] = cmd.data
        elif name in ("add-matcher", "remove-matcher"):
            path = cmd.data
            if path:
                path = self.paths.to_host(path)
                if not os.path.isabs(path):
                    path = os.path.join(self.host_workspace, path)
                if not os.path.isfile(path):
                    raise RunnerError(f"Could not find file '{path}'.")

    def issue_command(self, kind: str, cmd: Command) -> None:
        validate_lines_and_columns(cmd)
        file = cmd.prop("file")
        if file:
            # Translated back from the container, then made relative to the workspace.
            file = self.paths.to_host(file)
            cmd.set_prop("file", file)
            relative = make_relative(file, self.host_workspace)
            if relative != file:
                cmd.set_prop("repo", self.repository)
                if relative:
                    cmd.set_prop("file", relative)
        self.add_issue(kind, cmd.data, dict(cmd.properties))


def make_relative(path: str, folder: str) -> str:
    """IOUtil.MakeRelative."""
    if not path.startswith(folder):
        return path
    if len(path) == len(folder):
        return ""
    if folder.endswith("/"):
        return path[len(folder):]
    if path[len(folder)] == "/":
        return path[len(folder) + 1:]
    return path


def validate_lines_and_columns(cmd: Command) -> None:
    """IssueCommandExtension.ValidateLinesAndColumns."""
    def as_int(v: str | None) -> int | None:
        try:
            return int(v) if v is not None and re.fullmatch(r"\s*[+-]?\d+\s*", v) else None
        except ValueError:
            return None
    line, end_line = cmd.prop("line"), cmd.prop("endLine")
    col, end_col = cmd.prop("col"), cmd.prop("endColumn")
    has_line, has_end_line = as_int(line) is not None, as_int(end_line) is not None
    has_col, has_end_col = as_int(col) is not None, as_int(end_col) is not None
    has_column = has_col or has_end_col
    if has_end_line and not has_line:
        cmd.set_prop("line", end_line or "")
        has_line, line = True, end_line
    if has_end_col and not has_col:
        cmd.set_prop("col", end_col or "")
        has_col, col = True, end_col
    if not has_line and has_column:
        cmd.del_prop("col")
        cmd.del_prop("endColumn")
    if has_end_line and line != end_line and has_column:
        cmd.del_prop("col")
        cmd.del_prop("endColumn")
    if has_line and has_end_line and as_int(end_line) < as_int(line):  # type: ignore[operator]
        cmd.del_prop("line")
        cmd.del_prop("endLine")
    if has_col and has_end_col and as_int(end_col) < as_int(col):  # type: ignore[operator]
        cmd.del_prop("col")
        cmd.del_prop("endColumn")


class LineSplitter:
    """StreamReader.ReadLine over a byte stream: a line ends at \\n, \\r or \\r\\n; a last line
    without terminator still counts."""

    def __init__(self, on_line) -> None:
        self.on_line = on_line
        self.buf = ""
        self.pending_cr = False

    def feed(self, text: str) -> None:
        for ch in text:
            if self.pending_cr:
                self.pending_cr = False
                if ch == "\n":
                    continue
            if ch == "\r":
                self.on_line(self.buf)
                self.buf = ""
                self.pending_cr = True
            elif ch == "\n":
                self.on_line(self.buf)
                self.buf = ""
            else:
                self.buf += ch

    def close(self) -> None:
        if self.buf:
            self.on_line(self.buf)
            self.buf = ""


# ---------------------------------------------------------------------------------------
# The step.

def sanitize(name: str) -> str:
    """NameValidation.Sanitize: letters, digits, '_' and '-'... kept; the rest dropped."""
    return re.sub(r"[^A-Za-z0-9_.-]", "", name)


def run_step(args: argparse.Namespace) -> dict:
    root = os.path.abspath(args.root)
    repo_name = args.repository.split("/")[-1]
    # The hosted runner's layout: _work/<repo>/<repo> is the workspace, _work/_temp RUNNER_TEMP.
    work = os.path.join(root, "_work")
    runner_workspace = os.path.join(work, repo_name)
    workspace = os.path.abspath(args.workspace) if args.workspace else os.path.join(runner_workspace, repo_name)
    temp = os.path.join(work, "_temp")
    home = os.path.join(temp, "_github_home")
    workflow_dir = os.path.join(temp, "_github_workflow")
    file_commands = os.path.join(temp, "_runner_file_commands")
    tool_cache = os.path.join(root, "_tool")
    for d in (workspace, home, workflow_dir, file_commands, tool_cache):
        os.makedirs(d, exist_ok=True)
    event_path = os.path.join(workflow_dir, "event.json")
    if not os.path.exists(event_path):
        with open(event_path, "w", encoding="utf-8") as f:
            f.write(args.event or "{}")

    # FileCommandManager.InitializeFiles: a fresh uuid per step, empty files.
    suffix = str(uuid.uuid4())
    files = {}
    for ctx, prefix, var in FILE_COMMANDS:
        path = os.path.join(file_commands, prefix + suffix)
        open(path, "w").close()
        files[ctx] = (path, var)

    paths = PathMap()
    paths.add(temp, "/github/runner_temp")
    paths.add(home, "/github/home")
    paths.add(workflow_dir, "/github/workflow")
    paths.add(file_commands, "/github/file_commands")
    paths.add(workspace, "/github/workspace")

    # Expressions in with:/env: are evaluated on the host: {workspace} stands for
    # ${{ github.workspace }}, {runner_temp} for ${{ runner.temp }}.
    def expand(value: str) -> str:
        return value.replace("{workspace}", workspace).replace("{runner_temp}", temp).replace("{home}", home)

    warnings = []
    with open(args.action, encoding="utf-8") as f:
        declared = declared_inputs(f.read())
    with_map = {}
    for kv in args.with_ or []:
        k, _, v = kv.partition("=")
        with_map[k] = expand(v)
    inputs = {}
    for name, default in declared:
        inputs[name] = with_map.get(name, default if default is not None else "")
    unexpected = [k for k in with_map if k not in inputs and k.lower() not in ("entrypoint", "args")]
    for k in unexpected:
        inputs[k] = with_map[k]
    if unexpected:
        warnings.append(f"Unexpected input(s) '{', '.join(unexpected)}', valid inputs are "
                        f"[{', '.join(repr(n) for n, _ in declared)}]")

    # Handler.Environment: the env context (workflow, job, step env) ...
    env: dict[str, str] = {}
    for kv in args.env or []:
        k, _, v = kv.partition("=")
        env[k] = expand(v)
    # ... INPUT_* (AddInputsToEnvironment) ...
    for name, value in inputs.items():
        env["INPUT_" + name.replace(" ", "_").upper()] = value
    # ... HOME, then the github and runner contexts' variables, then ACTIONS_RUNTIME_*.
    env["HOME"] = home
    sha = args.sha
    github = {
        "action": "__self", "action_path": "", "action_ref": "", "action_repository": "",
        "actor": "octocat", "actor_id": "583231", "api_url": "https://api.github.com",
        "base_ref": "", "env": files["env"][0], "event_name": args.event_name,
        "event_path": event_path, "graphql_url": "https://api.github.com/graphql", "head_ref": "",
        "job": args.job, "output": files["output"][0], "path": files["path"][0],
        "ref": "refs/heads/main", "ref_name": "main", "ref_protected": "false", "ref_type": "branch",
        "repository": args.repository, "repository_id": "1", "repository_owner": args.repository.split("/")[0],
        "repository_owner_id": "1", "retention_days": "90", "run_attempt": "1", "run_id": "1",
        "run_number": "1", "server_url": "https://github.com", "sha": sha, "state": files["state"][0],
        "step_summary": files["step_summary"][0], "triggering_actor": "octocat",
        "workflow": args.workflow, "workflow_ref": f"{args.repository}/.github/workflows/ci.yml@refs/heads/main",
        "workflow_sha": sha, "workspace": workspace,
    }
    for k, v in github.items():
        env["GITHUB_" + k.upper()] = v
    runner = {"os": "Linux", "arch": "X64", "name": "GitHub Actions 1000000001",
              "environment": "github-hosted", "tool_cache": tool_cache, "temp": temp,
              "workspace": runner_workspace}
    for k, v in runner.items():
        env["RUNNER_" + k.upper()] = v
    runtime_token = "runtime-" + uuid.uuid4().hex
    env["ACTIONS_RUNTIME_URL"] = "https://pipelines.actions.githubusercontent.com/emulated/"
    env["ACTIONS_RUNTIME_TOKEN"] = runtime_token
    env["ACTIONS_RESULTS_URL"] = "https://results-receiver.actions.githubusercontent.com/"
    # Every value goes through TranslateToContainerPath.
    container_env = {k: paths.to_container(v) for k, v in env.items()}

    label = hashlib.sha256(root.encode()).hexdigest()[:6]
    display = f"{sanitize(args.image)}_{uuid.uuid4().hex[:6]}"
    docker_sock = "/var/run/docker.sock"
    if not os.path.exists(docker_sock):
        # No Docker engine here: a placeholder keeps the mount list the runner's.
        docker_sock = os.path.join(root, "docker.sock.placeholder")
        open(docker_sock, "a").close()
    # The runner passes --rm, and dockerd removes the container after the CLI has its exit
    # code. podman 4.3's --rm races with conmon's own cleanup and can leave `podman run`
    # waiting (or answering 127) for seconds after the container has exited, which would
    # blur the one timing that matters here: when the step ended. So the container is run
    # without --rm and removed as soon as the CLI returns.
    argv = ["podman", *args.podman_global, "run", "--name", display, "--label", label,
            "--workdir", "/github/workspace"]
    for k in container_env:
        argv += ["-e", k]
    argv += ["-e", "GITHUB_ACTIONS=true"]
    if "CI" not in container_env:
        argv += ["-e", "CI=true"]
    if args.network:  # the runner adds --network only for a job container's network
        argv += ["--network", args.network]
    for host_dir, cont in [(docker_sock, "/var/run/docker.sock"), (temp, "/github/runner_temp"),
                           (home, "/github/home"), (workflow_dir, "/github/workflow"),
                           (file_commands, "/github/file_commands"), (workspace, "/github/workspace")]:
        argv += ["-v", f"{host_dir}:{cont}"]
    argv += [*args.podman_extra, args.image]

    log = StepLog(paths, workspace, args.repository)
    os.makedirs(args.out, exist_ok=True)
    raw = {name: open(os.path.join(args.out, name), "wb") for name in ("stdout", "stderr")}
    cancel_re = re.compile(args.cancel_on) if args.cancel_on else None
    trigger = threading.Event()
    trigger_line: list[str] = []

    def on_line(line: str) -> None:
        log.on_line(line)
        if cancel_re and not trigger.is_set() and cancel_re.search(line):
            trigger_line.append(line)
            trigger.set()

    proc_env = dict(os.environ)
    proc_env.update(container_env)
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=proc_env, cwd=workspace)

    def pump(stream, name: str) -> None:
        splitter = LineSplitter(on_line)
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                break
            raw[name].write(chunk)
            raw[name].flush()
            splitter.feed(chunk.decode("utf-8", errors="replace"))
        splitter.close()

    pumps = [threading.Thread(target=pump, args=(proc.stdout, "stdout"), daemon=True),
             threading.Thread(target=pump, args=(proc.stderr, "stderr"), daemon=True)]
    for t in pumps:
        t.start()

    signals: list[dict] = []
    cancelled = False
    deadline = started + args.timeout
    ended_by = "itself"

    def wait_exit(seconds: float) -> bool:
        try:
            proc.wait(timeout=max(0.0, seconds))
            return True
        except subprocess.TimeoutExpired:
            return False

    def cancel(reason: str) -> None:
        nonlocal cancelled, ended_by
        cancelled = True
        # ProcessInvoker.CancelAndKillProcessTree(killProcessOnCancel: false).
        for sig, wait in ((signal.SIGINT, SIGINT_TIMEOUT), (signal.SIGTERM, SIGTERM_TIMEOUT)):
            if proc.poll() is not None:
                return
            signals.append({"signal": sig.name, "at": round(time.monotonic() - started, 3), "reason": reason})
            proc.send_signal(sig)
            if wait_exit(wait):
                return
            ended_by = "SIGTERM" if sig == signal.SIGINT else "kill"
        if proc.poll() is None:
            signals.append({"signal": "SIGKILL", "at": round(time.monotonic() - started, 3), "reason": reason})
            proc.kill()
            proc.wait()

    while proc.poll() is None:
        if cancel_re is not None and trigger.wait(timeout=0.05):
            cancel("cancel-on: " + args.cancel_on)
            break
        if cancel_re is None:
            wait_exit(0.05)
        if time.monotonic() > deadline:
            cancel(f"timeout {args.timeout} s")
            break
    exit_code = proc.wait()
    ended = time.monotonic()
    for t in pumps:
        t.join(timeout=10)
    for f in (*raw.values(), proc.stdout, proc.stderr):
        f.close()
    # --rm's removal (and, after a kill of the CLI, the runner's clean-up at job end).
    subprocess.run(["podman", *args.podman_global, "rm", "--force", "--ignore", display],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    # After the container, whatever its exit code: the file commands.
    file_errors = []
    env_out: dict[str, str] = {}
    path_out: list[str] = []
    summary_text = None
    summary_bytes = 0
    for ctx, prefix, var in FILE_COMMANDS:
        path = files[ctx][0]
        try:
            if ctx == "path":
                text = read_text(path)
                if text is not None:
                    for line in text.splitlines():
                        if line:
                            path_out = [p for p in path_out if p != line] + [line]
            elif ctx == "step_summary":
                if os.path.exists(path):
                    summary_bytes = os.path.getsize(path)
                    if summary_bytes > SUMMARY_LIMIT:
                        log.runner_error(f"$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of "
                                         f"{SUMMARY_LIMIT // 1024}k, got {summary_bytes // 1024}k.")
                    elif summary_bytes > 0:
                        # Each line masked and written back with WriteLine.
                        lines: list[str] = []
                        splitter = LineSplitter(lines.append)
                        splitter.feed(read_text(path) or "")
                        splitter.close()
                        summary_text = "".join(log.mask(line) + "\n" for line in lines)
            else:
                text = read_text(path)
                pairs = env_file_pairs(text) if text is not None else []
                for key, value in pairs:
                    if ctx == "output":
                        if not key:
                            raise RunnerError("Value cannot be null or empty. (Parameter 'name')")
                        log.outputs[key] = value
                    elif ctx == "state":
                        log.state[key] = value
                    elif key.upper() == "NODE_OPTIONS":
                        log.runner_error("Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.")
                    else:
                        env_out[key] = value
        except RunnerError as e:
            log.runner_error(f"Unable to process file command '{ctx}' successfully.")
            log.runner_error(str(e))
            file_errors.append({"file_command": ctx, "error": str(e)})

    if exit_code != 0:
        result = "failure"
    elif log.command_failed or file_errors:
        result = "failure"
    else:
        result = "success"
    if cancelled:
        result = "cancelled"
    first_signal = signals[0]["at"] if signals else None
    summary = {
        "argv": argv,
        "deviations": ["no --rm (removed right after the CLI returns)"]
        + ([f"--network {args.network} (the runner: Docker's default bridge)"] if args.network else [])
        + ([] if os.path.exists("/var/run/docker.sock") else ["/var/run/docker.sock is a placeholder file"]),
        # Values masked as the runner's log would show them (the secret is the Action's to mask).
        "container_env": {k: log.mask(v) for k, v in container_env.items()},
        "warnings": warnings,
        "exit_code": exit_code,
        "result": result,
        "cancelled": cancelled,
        "cancel_line": log.mask(trigger_line[0]) if trigger_line else None,
        "signals": signals,
        "ended_by": ended_by,
        "duration_s": round(ended - started, 3),
        "after_first_signal_s": round(ended - started - first_signal, 3) if first_signal is not None else None,
        "outputs": log.outputs,
        "env": env_out,
        "state": log.state,
        "path": path_out,
        "summary_bytes": summary_bytes,
        "annotations": log.annotations,
        "issue_counts": {k: sum(1 for i in log.issues if i["type"] == k) for k in ("error", "warning", "notice")},
        "commands": log.commands,
        "command_failed": log.command_failed,
        "file_command_errors": file_errors,
        "masks_added": log.masks_added,
        "runtime_token_leaked": any(runtime_token in (read_text(os.path.join(args.out, n)) or "")
                                    for n in ("stdout", "stderr")),
        "host": {"workspace": workspace, "runner_temp": temp, "home": home, "file_commands": file_commands},
    }
    with open(os.path.join(args.out, "log"), "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in log.lines)
    if summary_text is not None:
        with open(os.path.join(args.out, "summary.md"), "w", encoding="utf-8") as f:
            f.write(summary_text)
    with open(os.path.join(args.out, "result.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    return summary


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run one container step")
    r.add_argument("--image", required=True)
    r.add_argument("--action", required=True, help="the action.yml whose inputs and defaults apply")
    r.add_argument("--root", required=True, help="the runner's directory (created)")
    r.add_argument("--workspace", help="the checkout (default ROOT/_work/<repo>/<repo>)")
    r.add_argument("--out", required=True, help="where result.json, stdout, stderr, log, summary.md go")
    r.add_argument("--with", dest="with_", action="append", metavar="NAME=VALUE")
    r.add_argument("--env", action="append", metavar="NAME=VALUE", help="workflow/job/step env")
    r.add_argument("--network", help="--network for the container (the runner: job containers only)")
    r.add_argument("--podman-global", action="append", default=[], help="global podman options")
    r.add_argument("--podman-extra", action="append", default=[], help="extra run options (not the runner's)")
    r.add_argument("--cancel-on", help="cancel the step as the runner does once a line matches this regex")
    r.add_argument("--timeout", type=float, default=300, help="cancel the step after this many seconds")
    r.add_argument("--repository", default="genesys-bot-deploy/genesys-bot-deploy")
    r.add_argument("--sha", default="0" * 40)
    r.add_argument("--job", default="smoke")
    r.add_argument("--workflow", default="container-smoke")
    r.add_argument("--event-name", default="workflow_dispatch")
    r.add_argument("--event", help="the event payload (default {})")
    g = sub.add_parser("get", help="print one value of a result.json (dotted path)")
    g.add_argument("result")
    g.add_argument("key")
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.cmd == "get":
        with open(args.result, encoding="utf-8") as f:
            value = json.load(f)
        for part in args.key.split("."):
            if isinstance(value, list):
                value = value[int(part)] if part.isdigit() and int(part) < len(value) else ""
            elif isinstance(value, dict):
                value = value.get(part, "")
            else:
                value = ""
        print(value if isinstance(value, str) else json.dumps(value))
        return 0
    result = run_step(args)
    print(f"gha_runner: exit code {result['exit_code']}, result {result['result']}, "
          f"{len(result['outputs'])} outputs, {result['summary_bytes']} summary bytes, "
          f"{len(result['annotations'])} annotations, signals {[s['signal'] for s in result['signals']]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
