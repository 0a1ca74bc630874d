#!/usr/bin/env python3
"""The runner emulation's parsers against the runner's own test cases (actions/runner
src/Test/L0/Worker/{SetOutputFileCommandL0,ActionCommandL0}.cs at 258d6c857db3) and the
error cases of FileCommandManager.cs, so the smoke test never accepts what the runner rejects.

Run: python3 .ci/test_gha_runner.py
"""

import json
import os
import shutil
import sys
import tempfile
import textwrap
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gha_runner  # noqa: E402
from gha_runner import (  # noqa: E402
    Command, LineSplitter, PathMap, RunnerError, StepLog, declared_inputs, env_file_pairs,
    parse_v1, parse_v2, split2_remove_empty, validate_lines_and_columns,
)

NL = "\n"


def pairs(lines, newline=NL):
    # The L0 tests write the lines joined with Environment.NewLine and a UTF-8 BOM (which
    # File.ReadAllText drops, as read_text does).
    return dict(env_file_pairs(newline.join(lines)))


class FileCommands(unittest.TestCase):
    def test_simple(self):
        self.assertEqual(pairs(["MY_OUTPUT=MY VALUE"]), {"MY_OUTPUT": "MY VALUE"})

    def test_skips_empty_lines(self):
        got = pairs(["", "MY_OUTPUT=my value", "", "MY_OUTPUT_2=my second value", ""])
        self.assertEqual(got, {"MY_OUTPUT": "my value", "MY_OUTPUT_2": "my second value"})

    def test_empty_value_and_special_characters(self):
        self.assertEqual(pairs(["MY_OUTPUT="]), {"MY_OUTPUT": ""})
        got = pairs(["MY_OUTPUT==abc", "MY_OUTPUT_2=def=ghi", "MY_OUTPUT_3=jkl="])
        self.assertEqual(got, {"MY_OUTPUT": "=abc", "MY_OUTPUT_2": "def=ghi", "MY_OUTPUT_3": "jkl="})

    def test_heredoc(self):
        got = pairs(["MY_OUTPUT<<EOF", "line one", "line two", "line three", "EOF"])
        self.assertEqual(got, {"MY_OUTPUT": "line one\nline two\nline three"})
        self.assertEqual(pairs(["MY_OUTPUT<<EOF", "EOF"]), {"MY_OUTPUT": ""})

    def test_heredoc_special_characters(self):
        got = pairs([
            "MY_OUTPUT<<=EOF", "hello", "one", "=EOF",
            "MY_OUTPUT_2<<<EOF", "hello", "two", "<EOF",
            "MY_OUTPUT_3<<EOF", "hello", "", "three", "", "EOF",
            "MY_OUTPUT_4<<EOF", "hello=four", "EOF",
            "MY_OUTPUT_5<<EOF", " EOF", "EOF",
        ])
        self.assertEqual(got, {
            "MY_OUTPUT": "hello\none", "MY_OUTPUT_2": "hello\ntwo", "MY_OUTPUT_3": "hello\n\nthree\n",
            "MY_OUTPUT_4": "hello=four", "MY_OUTPUT_5": " EOF",
        })

    def test_closing_delimiter_may_end_the_file(self):
        self.assertEqual(dict(env_file_pairs("A<<D\nx\nD")), {"A": "x"})
        self.assertEqual(dict(env_file_pairs("A<<D\nx\nD\n")), {"A": "x"})

    def test_missing_delimiter_fails(self):
        # SetOutputFileCommand_Heredoc_MissingNewLine: the lines joined with " ".
        with self.assertRaisesRegex(RunnerError, "Matching delimiter not found"):
            pairs(["MY_OUTPUT<<EOF", "line one", "line two", "line three", "EOF"], newline=" ")
        with self.assertRaisesRegex(RunnerError, "Matching delimiter not found 'EOF'"):
            env_file_pairs("A<<EOF\nvalue\n")

    def test_last_value_line_without_newline_fails(self):
        # SetOutputFileCommand_Heredoc_MissingNewLineMultipleLines.
        with self.assertRaisesRegex(RunnerError, "EOF marker missing new line"):
            pairs(["MY_OUTPUT<<EOF", "line one\n line two\n line three", "EOF"], newline=" ")
        with self.assertRaisesRegex(RunnerError, "EOF marker missing new line"):
            env_file_pairs("A<<EOF\nvalue")

    def test_empty_name_or_delimiter_fails(self):
        for text in ("<<EOF\nx\nEOF\n", "A<<\nx\n\n"):
            with self.assertRaisesRegex(RunnerError, "Name must not be empty and delimiter must not be empty"):
                env_file_pairs(text)

    def test_a_line_with_neither_form_fails(self):
        with self.assertRaisesRegex(RunnerError, "Invalid format 'just a name'"):
            env_file_pairs("A=1\njust a name\n")

    def test_crlf_is_not_a_line_end_on_linux(self):
        # On Linux only \n ends a line: the \r stays in the value (and in the delimiter).
        self.assertEqual(dict(env_file_pairs("A=1\r\n")), {"A": "1\r"})
        self.assertEqual(dict(env_file_pairs("A<<EOF\r\nx\r\nEOF\r\n")), {"A": "x\r"})
        with self.assertRaisesRegex(RunnerError, "Matching delimiter not found"):
            env_file_pairs("A<<EOF\r\nx\nEOF\n")

    def test_equals_before_heredoc_marker_is_a_plain_line(self):
        self.assertEqual(dict(env_file_pairs("A=b<<c\n")), {"A": "b<<c"})


class Commands(unittest.TestCase):
    REG = {"do-something"}

    def test_v2_cases(self):
        c = parse_v2("::do-something k1=v1,::msg", self.REG)
        self.assertEqual((c.name, c.properties, c.data), ("do-something", {"k1": "v1"}, "msg"))
        c = parse_v2("::do-something::", self.REG)
        self.assertEqual((c.properties, c.data), ({}, ""))
        c = parse_v2("::do-something k1=;=%2C=%0D=%0A=]=%3A,::;-%0D-%0A-]-:-,", self.REG)
        self.assertEqual((c.properties, c.data), ({"k1": ";=,=\r=\n=]=:"}, ";-\r-\n-]-:-,"))
        c = parse_v2("::do-something k1=;=%252C=%250D=%250A=]=%253A,::;-%250D-%250A-]-:-,", self.REG)
        self.assertEqual((c.properties, c.data), ({"k1": ";=%2C=%0D=%0A=]=%3A"}, ";-%0D-%0A-]-:-,"))
        c = parse_v2("::do-something k1=,k2=,::", self.REG)
        self.assertEqual(c.properties, {})
        c = parse_v2("   ::do-something k1=v1,::msg", self.REG)
        self.assertEqual((c.properties, c.data), ({"k1": "v1"}, "msg"))
        self.assertIsNone(parse_v2("   >>>   ::do-something k1=v1,::msg", self.REG))
        self.assertIsNone(parse_v2("::other::x", self.REG))
        self.assertIsNotNone(parse_v2("::DO-SOMETHING::x", self.REG))

    def test_v1_cases_anywhere_in_the_line(self):
        c = parse_v1("##[do-something k1=v1;]msg", self.REG)
        self.assertEqual((c.properties, c.data), ({"k1": "v1"}, "msg"))
        c = parse_v1("##[do-something k1=%3B=%0D=%0A=%5D;]%3B-%0D-%0A-%5D", self.REG)
        self.assertEqual((c.properties, c.data), ({"k1": ";=\r=\n=]"}, ";-\r-\n-]"))
        c = parse_v1(">>>   ##[do-something k1=v1;]msg", self.REG)
        self.assertEqual((c.properties, c.data), ({"k1": "v1"}, "msg"))

    def test_dotnet_split_drops_empty_entries_like_dotnet(self):
        self.assertEqual(split2_remove_empty("k==v", "="), ["k", "v"])
        self.assertEqual(split2_remove_empty("=v", "="), ["v"])
        self.assertEqual(split2_remove_empty("k=a=b", "="), ["k", "a=b"])
        self.assertEqual(split2_remove_empty("k=", "="), ["k"])

    def test_lines_and_columns(self):
        c = Command("error", {"endLine": "5", "col": "3"})
        validate_lines_and_columns(c)
        self.assertEqual(c.properties, {"endLine": "5", "col": "3", "line": "5"})
        c = Command("error", {"line": "1", "endLine": "4", "col": "3", "endColumn": "9"})
        validate_lines_and_columns(c)
        self.assertEqual(c.properties, {"line": "1", "endLine": "4"})
        c = Command("error", {"col": "3"})
        validate_lines_and_columns(c)
        self.assertEqual(c.properties, {})
        c = Command("error", {"line": "7", "endLine": "2"})
        validate_lines_and_columns(c)
        self.assertEqual(c.properties, {})


def step_log():
    paths = PathMap()
    paths.add("/h/_temp", "/github/runner_temp")
    paths.add("/h/ws", "/github/workspace")
    return StepLog(paths, "/h/ws", "o/r")


class Output(unittest.TestCase):
    def test_mask_then_every_line_is_masked(self):
        log = step_log()
        for line in ["::add-mask::s3cret%0Aline2", "token s3cret and line2", "::add-mask::  "]:
            log.on_line(line)
        self.assertEqual(log.lines[0], "token *** and ***")
        self.assertEqual(log.issues[0]["type"], "warning")  # empty mask

    def test_ten_annotations_per_type_and_4096_characters(self):
        log = step_log()
        for i in range(12):
            log.on_line(f"::error title=t{i}::" + "x" * 5000)
        log.on_line("::warning::w")
        self.assertEqual(sum(1 for a in log.annotations if a["type"] == "error"), 10)
        self.assertEqual(len(log.annotations), 11)
        self.assertEqual(len(log.annotations[0]["message"]), 4096)

    def test_files_are_translated_back_and_made_relative(self):
        log = step_log()
        log.on_line("::error file=/github/workspace/src/a.rs,line=3::m")
        log.on_line("::error file=src/b.rs::m")
        self.assertEqual((log.annotations[0]["file"], log.annotations[0]["repo"]), ("src/a.rs", "o/r"))
        self.assertEqual(log.annotations[1]["file"], "src/b.rs")
        self.assertNotIn("repo", log.annotations[1])

    def test_failing_commands_fail_the_step(self):
        for line in ["::set-env name=A::b", "::add-path::/x", "::echo::maybe", "::stop-commands::",
                     "::stop-commands::error", "::set-output::no name"]:
            log = step_log()
            log.on_line(line)
            self.assertTrue(log.command_failed, line)

    def test_stop_commands_pause_until_the_token(self):
        log = step_log()
        for line in ["::stop-commands::pause-token-123", "::error::not a command",
                     "##[warning]nor this", "::pause-token-123::", "::error::a command again"]:
            log.on_line(line)
        self.assertEqual([a["message"] for a in log.annotations], ["a command again"])
        self.assertIn("::error::not a command", log.lines)

    def test_legacy_form_anywhere_in_a_line_is_a_command(self):
        log = step_log()
        log.on_line("platform said: ##[error]injected")
        self.assertEqual(log.annotations[0]["message"], "injected")

    def test_lines_end_at_cr_lf_and_crlf(self):
        got = []
        s = LineSplitter(got.append)
        s.feed("a\r")
        s.feed("\nb\rc\n\nd")
        s.close()
        self.assertEqual(got, ["a", "b", "c", "", "d"])


class Paths(unittest.TestCase):
    def test_most_specific_mapping_first_and_whole_segments(self):
        p = PathMap()
        p.add("/r/_temp", "/github/runner_temp")
        p.add("/r/_temp/_github_home", "/github/home")
        p.add("/r/ws", "/github/workspace")
        self.assertEqual(p.to_container("/r/_temp/_github_home/x"), "/github/home/x")
        self.assertEqual(p.to_container("/r/_temp/y"), "/github/runner_temp/y")
        self.assertEqual(p.to_container("/r/ws"), "/github/workspace")
        self.assertEqual(p.to_container("/r/wsx/a"), "/r/wsx/a")
        self.assertEqual(p.to_container("audit.jsonl"), "audit.jsonl")
        self.assertEqual(p.to_container("x /r/ws/a"), "x /r/ws/a")
        self.assertEqual(p.to_host("/github/workspace/a"), "/r/ws/a")


class ActionYml(unittest.TestCase):
    def test_inputs_and_defaults(self):
        text = (
            "name: x\ninputs:\n  a:\n    description: >-\n      long\n      text\n    required: true\n"
            "  b-c:\n    description: d\n    default: \"5\"\n  d:\n    default: 'it''s'\n"
            "  e:\n    default: plain # comment\noutputs:\n  o:\n    description: o\n"
        )
        self.assertEqual(declared_inputs(text), [("a", None), ("b-c", "5"), ("d", "it's"), ("e", "plain")])

    def test_the_real_action_yml_parses(self):
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        with open(os.path.join(root, "action.yml"), encoding="utf-8") as f:
            inputs = dict(declared_inputs(f.read()))
        self.assertIn("client-secret", inputs)
        self.assertEqual(inputs["region"], "mypurecloud.com")


# A stand-in for the podman CLI: records what it was asked to run (the -e names with the
# values it would pass, the -v mounts) and plays the container according to FAKE_MODE.
FAKE_PODMAN = textwrap.dedent(r"""
    #!/usr/bin/env python3
    import json, os, signal, sys, time
    args = sys.argv[1:]
    if "rm" in args and "run" not in args:
        sys.exit(0)
    names, mounts, i = [], [], args.index("run") + 1
    while i < len(args):
        if args[i] == "-e":
            names.append(args[i + 1]); i += 2
        elif args[i] in ("-v", "--name", "--label", "--workdir", "--network"):
            if args[i] == "-v":
                mounts.append(args[i + 1].split(":", 1))
            i += 2
        else:
            i += 1
    env = {}
    for n in names:
        k, _, v = n.partition("=")
        env[k] = v if _ else os.environ.get(k, "")
    def host(path):
        for h, c in mounts:
            if path == c or path.startswith(c + "/"):
                return h + path[len(c):]
        return path
    json.dump({"env": env, "mounts": mounts, "argv": args}, open(os.environ["FAKE_RECORD"], "w"))
    mode = os.environ["FAKE_MODE"]
    out = host(env["GITHUB_OUTPUT"])
    if mode == "bad-output":
        print("::add-mask::s3cret-value")
        print("the secret s3cret-value is masked here")
        print("##[warning]legacy form, mid-line", flush=True)
        open(out, "a").write("status<<EOF\npublished\n")  # no closing delimiter
        sys.exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if mode == "sigterm-exits":
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    else:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    open(out, "a").write("status=running\n")
    print("started", flush=True)
    time.sleep(60)
""").lstrip()


class Step(unittest.TestCase):
    """run_step end to end, with the podman CLI faked: what the runner would conclude."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gha-runner-test.")
        self.bin = os.path.join(self.dir, "bin")
        os.makedirs(self.bin)
        podman = os.path.join(self.bin, "podman")
        with open(podman, "w") as f:
            f.write(FAKE_PODMAN)
        os.chmod(podman, 0o755)
        self.saved = {k: os.environ.get(k) for k in ("PATH", "FAKE_MODE", "FAKE_RECORD")}
        os.environ["PATH"] = self.bin + os.pathsep + os.environ["PATH"]
        os.environ["FAKE_RECORD"] = os.path.join(self.dir, "record.json")
        self.timeouts = (gha_runner.SIGINT_TIMEOUT, gha_runner.SIGTERM_TIMEOUT)

    def tearDown(self):
        gha_runner.SIGINT_TIMEOUT, gha_runner.SIGTERM_TIMEOUT = self.timeouts
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_step(self, mode, *extra):
        os.environ["FAKE_MODE"] = mode
        action = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "action.yml")
        args = gha_runner.build_parser().parse_args([
            "run", "--image", "localhost/x:y", "--action", action, "--root", os.path.join(self.dir, "r"),
            "--out", os.path.join(self.dir, "out"), "--with", "bot-id=b",
            "--with", "audit-log={workspace}/a/audit.jsonl", "--with", "smoke-test=s.yml",
            "--env", "SSL_CERT_FILE={workspace}/ca.pem", "--env", "ELSEWHERE=/opt/x", *extra])
        result = gha_runner.run_step(args)
        with open(os.environ["FAKE_RECORD"]) as f:
            return result, json.load(f)

    def test_environment_mounts_and_a_malformed_output_file(self):
        result, record = self.run_step("bad-output")
        env, ws = record["env"], result["host"]["workspace"]
        # Every declared input, with its default; dashes kept; host paths translated.
        self.assertEqual(env["INPUT_REGION"], "mypurecloud.com")
        self.assertEqual(env["INPUT_CLIENT-SECRET"], "")
        self.assertEqual(env["INPUT_AUDIT-LOG"], "/github/workspace/a/audit.jsonl")
        self.assertEqual(env["INPUT_SMOKE-TEST"], "s.yml")
        self.assertEqual(env["SSL_CERT_FILE"], "/github/workspace/ca.pem")
        self.assertEqual(env["ELSEWHERE"], "/opt/x")
        self.assertEqual((env["HOME"], env["GITHUB_WORKSPACE"], env["RUNNER_TEMP"]),
                         ("/github/home", "/github/workspace", "/github/runner_temp"))
        self.assertEqual(env["GITHUB_EVENT_PATH"], "/github/workflow/event.json")
        self.assertRegex(env["GITHUB_OUTPUT"], r"^/github/file_commands/set_output_[0-9a-f-]{36}$")
        self.assertEqual((env["GITHUB_ACTIONS"], env["CI"]), ("true", "true"))
        # Not translated: the parent of the workspace is not mounted.
        self.assertEqual(env["RUNNER_WORKSPACE"], os.path.dirname(ws))
        self.assertNotIn("PATH", env)
        self.assertEqual([c for _, c in record["mounts"]], [
            "/var/run/docker.sock", "/github/runner_temp", "/github/home", "/github/workflow",
            "/github/file_commands", "/github/workspace"])
        argv = record["argv"]
        self.assertEqual(argv[argv.index("--workdir") + 1], "/github/workspace")
        # Exit 0, but the runner fails the step for the file.
        self.assertEqual(result["exit_code"], 0)
        self.assertEqual(result["result"], "failure")
        self.assertEqual(result["file_command_errors"][0]["file_command"], "output")
        with open(os.path.join(self.dir, "out", "log")) as f:
            log = f.read()
        self.assertIn("the secret *** is masked here", log)
        self.assertIn("Matching delimiter not found 'EOF'", log)
        self.assertEqual(result["annotations"][0], {"type": "warning", "message": "legacy form, mid-line"})

    def test_cancellation_escalates_like_the_runner(self):
        gha_runner.SIGINT_TIMEOUT, gha_runner.SIGTERM_TIMEOUT = 0.5, 0.5
        started = time.monotonic()
        result, _ = self.run_step("sigterm-exits", "--cancel-on", "^started$")
        self.assertEqual([s["signal"] for s in result["signals"]], ["SIGINT", "SIGTERM"])
        self.assertEqual((result["ended_by"], result["result"]), ("SIGTERM", "cancelled"))
        self.assertEqual(result["outputs"], {"status": "running"})  # processed after a cancel too
        result, _ = self.run_step("ignore-signals", "--cancel-on", "^started$")
        self.assertEqual([s["signal"] for s in result["signals"]], ["SIGINT", "SIGTERM", "SIGKILL"])
        self.assertEqual(result["ended_by"], "kill")
        self.assertLess(time.monotonic() - started, 30)


if __name__ == "__main__":
    unittest.main(verbosity=1)
