"""The truth stays on the server: no response a student receives before the report card holds the manifest — a
bug's original text, its type by line, what was done, the original program — nor a hidden test (its name, its
inputs or expected value), whatever the student runs, submits, asks for or breaks. Hints name lines, by design;
the real interpreter's errors may name the line of a syntax error it meets, as it would on the student's machine.

A bug's original text is only a secret until the student types it: their own code comes back to them (the
draft), so the scan leaves out what the student sent."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from grader.phases.bug_hunt import BUG_TYPES
from tests.phases.bug_hunt.web_fixtures import (
    BH_CUSTOM,
    bh_session_fixture,  # noqa: F401  (the bh_session fixture)
    fixing,
    original_source,
)
from tests.support.leaks import SecretScanner, flat, readable

TYPES = "|".join(BUG_TYPES)
# A type said about a place, or the manifest's fields as data.
SHAPES = [
    re.compile(rf'"(bug_)?type"\s*:\s*"({TYPES})"'),
    re.compile(rf"\b({TYPES}) (bug|error|mistake) (is )?(on|at|in) line\b"),
    re.compile(rf"\bline \d+\b[^.\n]{{0,30}}\b(is|has) (a|the) ({TYPES}) (bug|error)"),
    re.compile(r'"(injected|original|targets|manifest|edit|description|bugs)"\s*:'),
]


class Scanner(SecretScanner):
    """Checks every body a session received (``session.seen``) against the exercise's secrets."""

    shapes = SHAPES
    shape_leak = "a bug's type or field"

    def secrets(self) -> dict[str, str]:
        exercise, typed = self.exercise, flat("\n".join(self.typed))
        out: dict[str, str] = {}
        for bug in exercise.bugs:
            for line in bug.original.splitlines():
                text = flat(line)
                if len(text) >= 8 and text not in flat(exercise.source) and text not in typed:
                    out[text] = f"the original text of the {bug.type} bug"
            out[flat(bug.description)] = f"what was done for the {bug.type} bug"
        original = flat(original_source(exercise))
        if original not in typed:
            out[original] = "the original program"
        shown = flat(json.dumps([[t.args, t.expected] for t in exercise.tests if not t.hidden]))
        for test in exercise.tests:
            if test.hidden:
                out[flat(test.name)] = "a hidden test's name"
                for value in (test.args, [test.expected]):
                    text = flat(json.dumps(list(value)))[1:-1]
                    if len(text) >= 6 and text not in shown and text not in flat(exercise.source):
                        out[text] = f"a hidden test's data ({test.name})"
        return out


def spy_code(exercise: Any) -> str:
    """Every tested function replaced by one that shouts its arguments and the harness's variables everywhere
    it can (stdout, stderr, the exception, the return value)."""
    names = sorted({t.call for t in exercise.tests})
    return (
        "import inspect, sys\n"
        "def _spy(name):\n"
        "    def spy(*args):\n"
        "        frames = [{k: repr(v)[:400] for k, v in f.frame.f_locals.items()} for f in inspect.stack()[1:]]\n"
        "        print('ARGS', name, args, frames)\n"
        "        print('ARGS', name, args, frames, file=sys.stderr)\n"
        "        if len(args) % 2:\n"
        "            raise ValueError(f'{name} got {args!r} {frames!r}')\n"
        "        return [name, list(args), repr(frames)]\n"
        "    return spy\n"
        f"for _name in {names!r}:\n"
        "    globals()[_name] = _spy(_name)\n"
    )


PROBE = """import os, sys
for where in ("/", os.getcwd(), os.path.dirname(os.path.abspath(__file__)), "/tmp"):
    try:
        print(where, sorted(os.listdir(where)))
    except Exception as exc:
        print(where, exc)
for path in ("/proc/self/cmdline", "/proc/self/environ", "/proc/1/cmdline"):
    try:
        print(path, open(path, "rb").read()[:4000])
    except Exception as exc:
        print(path, exc)
print(sys.argv, dict(os.environ))
"""


def test_the_scanner_catches_a_planted_leak(bh_session):
    s = bh_session()
    scanner = Scanner(s)
    bug = scanner.exercise.bugs[1]
    for planted in (json.dumps({"note": bug.original}), f"<p>{html.escape(bug.original)}</p>",
                    json.dumps({"line": bug.line, "type": bug.type}), f"the {bug.type} bug is on line {bug.line}",
                    json.dumps({"tests": [t.name for t in scanner.exercise.tests if t.hidden][:1]})):
        s.seen.append(planted)
        with pytest.raises(AssertionError, match="leaked"):
            scanner.check()


@pytest.mark.parametrize("custom", [BH_CUSTOM, {**BH_CUSTOM, "scenario": "shipping_cost", "hints": "4"}])
def test_nothing_of_the_manifest_reaches_the_student_before_the_report_card(bh_session, custom):
    s = bh_session(custom={**custom, "max_submits": "4"})
    scanner = Scanner(s)
    exercise = scanner.exercise
    s.everything()
    scanner.check()
    scanner.send("run", exercise.source)
    scanner.send("run", PROBE)
    scanner.send("run", exercise.source.replace("\n", "\n\n", 3), stdin="hello\n")
    scanner.send("submit", exercise.source)
    scanner.send("submit", spy_code(exercise))
    # Hints until none is left; each answer and the refusal after the last are scanned too.
    for taken in range(5):
        s.hint(taken=taken)
        s.hint(taken=taken)  # the double click
        s.everything()
        scanner.check()
    # The student fixes the syntax bug (their own text of it is theirs to see from now on) and breaks others.
    scanner.send("submit", fixing(exercise, "syntax"))
    scanner.send("run", fixing(exercise, "syntax") + "\nraise SystemExit(3)\n")
    # Bad requests: their answers carry nothing either.
    for response in (s.queue("submit", "\x00binary"), s.queue("submit", "x" * 70_000),
                     s.post(f"/api/a/{s.launch_id}/bh/hint", raw=b"{"),
                     s.client.get(f"/api/a/{s.launch_id}/submissions/999999", headers={"Accept": "application/json"})):
        s.seen.append(response.get_data(as_text=True))
    scanner.send("submit", spy_code(exercise) + "\n" + fixing(exercise, "syntax"))
    refused = s.queue("submit", exercise.source)
    assert refused.get_json()["error"] == "submit_limit"
    scanner.check()
    assert s.finish().status_code == 202
    s.everything()  # the page is the report card now, while it is being graded: still nothing
    # Grading runs in-process and may already have finished: a graded report card shows the manifest by design.
    s.seen[:] = [body for body in s.seen if "data-bug-type" not in body and '"grade":{"breakdown"' not in body]
    scanner.check()
    assert scanner.scanned > 50

    # Sanity check of the scan's premise: the report card, once graded, does show the manifest.
    s.graded()
    report = readable(s.client.get(f"/a/{s.launch_id}/report").get_data(as_text=True))
    for bug in exercise.bugs:
        assert re.search(rf'data-bug-line="{bug.line}"><td>{bug.line}</td><td data-bug-type>{bug.type}</td>', report)
