"""Running a project's code, always in the sandbox.

- ``run_suites`` — the unittest suite of many trees of a repository *we generated* in one sandbox run
  (verification: which commits pass). The runner's report is trusted because so is the code it runs.
- ``check_tree`` — whether a tree *a student pushed* works: the scenario's probes (Python snippets whose value
  is compared here, outside: the expected values never enter the sandbox) and the project's own tests, through
  the sandbox's test harness (results on a nonce-authenticated channel, read before any project code loads).
  Forging a probe's record gains nothing: only the right value passes, which is what fixed code returns.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.phases.imposter.truth import Probe
from grader.sandbox import Limits, RunRequest, SandboxBackend, SandboxError, TestCase, run_tests

MiB = 1024 * 1024
SUITE_LIMITS = Limits(wall_seconds=90.0, cpu_seconds=90.0, output_bytes=4 * MiB)
CHECK_LIMITS = Limits(wall_seconds=20.0, cpu_seconds=20.0)
MARK = "CR-SUITES "
CHECK_FILE = "cr_project_check.py"
PROJECT_ROOT = "/tmp/cr_project"
# What of a pushed tree goes into the check: its Python files, within bounds the harness file can carry.
MAX_PROJECT_FILES = 200
MAX_PROJECT_BYTES = 400 * 1024
SUITE_CASE = "the project's own tests pass"


class CheckError(Exception):
    """The sandbox could not run a check (the host's fault, never the student's)."""


RUNNER = Path(__file__).resolve().parent / "runners" / "cr_suites.py"  # a script for the sandbox, never imported


def runner_source() -> str:
    return RUNNER.read_text(encoding="utf-8")


def run_suites(backend: SandboxBackend, trees: list[tuple[str, dict[str, str]]]) -> dict[str, dict[str, Any]]:
    """tree id -> {"ran": tests run, "failed": [ids of tests that failed or errored]}."""
    blobs: dict[str, str] = {}
    listed = []
    for tree_id, files in trees:
        names = {}
        for path, text in files.items():
            key = hashlib.sha1(text.encode()).hexdigest()
            blobs[key] = text
            names[path] = key
        listed.append({"id": tree_id, "files": names})
    request = RunRequest("python", {"cr_suites.py": runner_source()},
                         command=("python3", "-E", "-S", "-B", "/code/cr_suites.py"),
                         stdin=json.dumps({"blobs": blobs, "trees": listed}).encode(), limits=SUITE_LIMITS)
    result = backend.run(request)
    line = next((line for line in reversed(result.stdout.splitlines()) if line.startswith(MARK)), None)
    if line is None:
        raise CheckError(f"the test runner reported nothing ({result.outcome}, exit {result.exit_code}): "
                         f"{(result.stderr or result.stdout)[-500:]}")
    return {record["id"]: record for record in json.loads(line[len(MARK):])}


# -- a pushed tree -------------------------------------------------------------------------------------------
_LOADER = '''"""Writes the project under test to {root} and offers the checks as functions (graded outside)."""
import ast as _ast
import json as _json
import os as _os
import sys as _sys
import unittest as _unittest

_sys.dont_write_bytecode = True
_FILES = _json.loads({files})
_PROBES = _json.loads({probes})
for _path, _text in _FILES.items():
    _target = _os.path.join({root!r}, _path)
    _os.makedirs(_os.path.dirname(_target), exist_ok=True)
    with open(_target, "w", encoding="utf-8") as _handle:
        _handle.write(_text)
_sys.path.insert(0, {root!r})


def probe(index):
    tree = _ast.parse(_PROBES[index])
    last = tree.body.pop()
    namespace = {{}}
    exec(compile(tree, "<probe>", "exec"), namespace)
    return eval(compile(_ast.Expression(last.value), "<probe>", "eval"), namespace)


def suite():
    loader = _unittest.TestLoader()
    found = loader.discover(start_dir=_os.path.join({root!r}, "tests"), top_level_dir={root!r})
    result = _unittest.TestResult()
    found.run(result)
    return [result.testsRun > 0 and not loader.errors, len(result.failures) + len(result.errors)]
'''


def project_files(files: dict[str, str]) -> dict[str, str] | None:
    """The Python files of a tree (None when there are too many or they are too big to check)."""
    chosen = {path: text for path, text in files.items()
              if path.endswith(".py") and not path.startswith("/") and ".." not in path.split("/")}
    if len(chosen) > MAX_PROJECT_FILES or sum(len(t.encode()) for t in chosen.values()) > MAX_PROJECT_BYTES:
        return None
    return chosen


def loader_source(files: dict[str, str], probes: tuple[Probe, ...]) -> str:
    return _LOADER.format(root=PROJECT_ROOT, files=repr(json.dumps(files)),
                          probes=repr(json.dumps([p.code for p in probes])))


@dataclass(frozen=True)
class TreeCheck:
    passed: bool
    failed: tuple[str, ...]  # names of the checks that failed (probes by name, and SUITE_CASE)
    problem: str = ""  # why nothing could be checked, in words

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "failed": list(self.failed), "problem": self.problem}


def check_tree(backend: SandboxBackend, files: dict[str, str], probes: tuple[Probe, ...]) -> TreeCheck:
    """Whether the tree's code passes every probe and its own tests."""
    chosen = project_files(files)
    if chosen is None:
        return TreeCheck(False, (), "the project is too large to test")
    cases = [TestCase([i], probe.expected, name=probe.name, function="probe") for i, probe in enumerate(probes)]
    cases.append(TestCase([], [True, 0], name=SUITE_CASE, function="suite"))
    try:
        report = run_tests(backend, "python", loader_source(chosen, probes), None, cases, limits=CHECK_LIMITS,
                           student_file=CHECK_FILE)
    except SandboxError as exc:
        raise CheckError(f"the sandbox could not check the project: {exc}") from exc
    if report.load_error:
        return TreeCheck(False, tuple(c.name for c in cases), "the project's files could not be set up")
    failed = tuple(c.name for c in report.cases if not c.passed)
    return TreeCheck(not failed, failed)
