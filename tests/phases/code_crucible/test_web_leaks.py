"""The truth stays on the server: no response a student receives before the attempt closes holds a hidden test's
input or expected value (beyond those the Intern level shows by design), the reference solution, or the sentence of a
requirement the student never learned in the linked interview — whatever they run, run as examples, submit, ask for
or break. The report card after grading shows tags and results, still without hidden inputs.

The student's own code comes back to them (the draft, the Run's output), so the scan leaves out what they sent."""

from __future__ import annotations

import html
import json
import re

import pytest

from grader.workbench.notation import literal
from lti_app.extensions import db
from lti_app.models import Attempt, AttemptStatus
from tests.phases.code_crucible.web_fixtures import (
    CC_CUSTOM,
    CcSession,
    cc_session_fixture,  # noqa: F401  (the cc_session fixture)
    student_file,
)
from tests.support.leaks import SecretScanner, flat, readable

pytestmark = pytest.mark.usefixtures("linters")
MISSED = "allergen_labels"
# The exercise's own fields, as data: none may reach a student.
SHAPES = [re.compile(r'"(reference|requirements|large|values|discovered)"\s*:'),
          re.compile(r'"hidden"\s*:\s*\[')]


class Scanner(SecretScanner):
    """Checks every body a session received (``session.seen``) against the exercise's secrets."""

    shapes = SHAPES

    def secrets(self) -> dict[str, str]:
        exercise, typed = self.exercise, flat("\n".join(self.typed))
        visible = flat("\n".join([exercise.statement, exercise.starter, exercise.signature, *exercise.hints,
                                  json.dumps([[e["args"], e["expected"]] for e in exercise.examples]),
                                  *[literal(e["expected"], exercise.language) for e in exercise.examples]]))
        out: dict[str, str] = {}
        for index, test in enumerate(exercise.hidden):
            if exercise.hidden_shown(index):
                continue
            name = f"hidden test {index + 1}"
            for text in (flat(json.dumps(test["args"]))[1:-1], flat(json.dumps(test["expected"])),
                         flat(exercise.shown_call(test["args"])), flat(literal(test["expected"], exercise.language))):
                if len(text) >= 8 and text not in visible and text not in typed:
                    out[text] = f"the input or expected value of {name}"
        for line in exercise.reference.splitlines():
            text = flat(line)
            if len(text) >= 24 and text not in visible and text not in typed and ">>>" not in text:
                out[text] = "a line of the reference solution"
        sentences = dict(exercise.requirements)
        for rid in exercise.missed:
            out[flat(sentences[rid])] = f"the sentence of the missed requirement {rid}"
        return out

    def before_check(self) -> None:
        super().before_check()
        assert self.current, "nothing to look for"


def spy_code() -> str:
    """A format_receipt that shouts its arguments and the harness's variables everywhere it can."""
    return (
        "import inspect, sys\n"
        "def format_receipt(*args):\n"
        "    frames = [{k: repr(v)[:2000] for k, v in f.frame.f_locals.items()} for f in inspect.stack()[1:]]\n"
        "    print('ARGS', args, frames)\n"
        "    print('ARGS', args, frames, file=sys.stderr)\n"
        "    if len(repr(args)) % 2:\n"
        "        raise ValueError(f'got {args!r} {frames!r}')\n"
        "    return repr(args) + repr(frames)\n"
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


def linked_launch(cc_session, app, level: str) -> CcSession:
    """A Difficult Client attempt of the same student in the same course, closed, with every constraint of the
    bakery discovered but the allergen labels (its state set in the database); then the Crucible after it."""
    from grader.phases.difficult_client.director import REVEAL

    sub = "student-linked"
    client = cc_session(app, sub=sub, resource_link_id="link-dc",
                        custom={"phase": "difficult_client", "scenario": "angry_bakery_owner"})
    with app.app_context():
        attempt = db.session.get(Attempt, client.attempt_row().id)
        state = json.loads(json.dumps(attempt.state))
        for cid, entry in state["constraints"].items():
            entry["level"] = REVEAL if cid != MISSED else 0
        attempt.state, attempt.status = state, AttemptStatus.CLOSED
        db.session.commit()
    return cc_session(app, sub=sub, resource_link_id="link-cc",
                      custom={**CC_CUSTOM, "after": "link-dc", "level": level})


@pytest.mark.parametrize(("level", "linked"), [("mid", False), ("junior", True), ("intern", True)])
def test_nothing_hidden_reaches_the_student_before_the_attempt_closes(cc_session, make_app, level, linked):
    app = make_app()
    s = linked_launch(cc_session, app, level) if linked else cc_session(app, custom={**CC_CUSTOM, "level": level})
    scanner = Scanner(s)
    exercise = scanner.exercise
    assert exercise.level == level and (MISSED in exercise.missed) == linked
    s.everything()
    scanner.check()
    scanner.send("run", PROBE)
    scanner.send("run", spy_code() + "\nprint(format_receipt([]))\n", stdin="x\n")
    scanner.send("examples", spy_code())
    scanner.send("examples", student_file("partial"))
    scanner.send("submit", spy_code())
    for taken in range(4):  # hints until none is left; each answer and the refusal after the last are scanned
        s.hint(taken=taken)
        s.hint(taken=taken)
        s.everything()
        scanner.check()
    scanner.send("submit", student_file("partial"))
    for response in (s.queue("submit", "\x00binary"), s.queue("submit", "x" * 70_000),
                     s.queue("run", "print(1)", language="java"), s.switch("java"),
                     s.post(f"/api/a/{s.launch_id}/cc/hint", raw=b"{"),
                     s.client.get(f"/api/a/{s.launch_id}/submissions/999999", headers={"Accept": "application/json"})):
        s.seen.append(response.get_data(as_text=True))
    scanner.send("submit", student_file("forged"))
    refused = s.queue("submit", student_file("clean"))
    assert refused.get_json()["error"] == "submit_limit"
    scanner.check()
    assert s.finish().status_code == 202
    s.everything()  # the page is the report card now, while it is being graded: still nothing
    # Grading runs in-process and may already have finished: a graded report card names what was missed by design.
    s.seen[:] = [body for body in s.seen if '"grade":{"breakdown"' not in body and "never learned" not in body]
    scanner.check()
    assert scanner.scanned > 40

    # After grading the report card shows each hidden test's tag and result — never its input or expected value —
    # and, linked, the requirement the student never learned (by design, now that the attempt has closed).
    grade = s.graded()
    assert len(grade.feedback["tests"]) == len(exercise.hidden)
    s.seen.append(s.client.get(f"/a/{s.launch_id}/report").get_data(as_text=True))
    if linked:
        report = flat(readable(s.seen[-1]))
        assert "you never learned that the health inspector fined rosa" in report
        scanner.exercise = type(exercise)(**{**exercise.__dict__, "discovered": None})  # sentences may show now
    scanner.check()


def test_the_scanner_catches_a_planted_leak(cc_session, make_app):
    s = linked_launch(cc_session, make_app(), "intern")
    scanner = Scanner(s)
    exercise = scanner.exercise
    secrets = scanner.secrets()
    hidden = [t for i, t in enumerate(exercise.hidden) if not exercise.hidden_shown(i)]
    assert hidden and all(t.get("requirement") == MISSED for t in hidden)  # Intern shows the rest, by design
    assert len(secrets) > 10
    planted_test = hidden[0]
    call = html.escape(exercise.shown_call(planted_test["args"]))
    for planted in (json.dumps({"note": planted_test["expected"]}), f"<p>{call}</p>",
                    json.dumps({"reference": "x"}), f"data: {json.dumps({'hidden': [1]})}\n\n",
                    dict(exercise.requirements)[MISSED], exercise.reference):
        s.seen.append(planted)
        with pytest.raises(AssertionError, match="leaked"):
            scanner.check()
