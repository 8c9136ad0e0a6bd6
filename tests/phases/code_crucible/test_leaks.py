"""No hidden input or expected value in any student-facing result: the page's view, a Run of the examples and a
Submit, at every level that hides them, in every language, even from code that prints its input, raises it and
returns it. A requirement the student missed in the interview stays unsaid until the report card."""

from __future__ import annotations

import json

import pytest

from grader.phases.code_crucible import start_state, student_view
from grader.phases.code_crucible.exercise import Exercise
from grader.phases.code_crucible.tasks import load_task, regions
from tests.phases.code_crucible.conftest import exercise

pytestmark = pytest.mark.usefixtures("linters")

SPIES = {
    "python": ("import json, sys\n\n\ndef format_receipt(items):\n    print(json.dumps(items))\n"
               "    sys.stderr.write(repr(items))\n    if len(items) % 2:\n"
               "        raise ValueError(json.dumps(items))\n    return json.dumps(items)\n"),
    "javascript": ("function formatReceipt(items) {\n  console.log(JSON.stringify(items));\n"
                   "  if (items.length % 2) throw new Error(JSON.stringify(items));\n"
                   "  return JSON.stringify(items);\n}\nmodule.exports = { formatReceipt };\n"),
    "java": ("import java.util.List;\n\npublic class Solution {\n"
             "    public static String formatReceipt(List<List<Object>> items) {\n"
             "        System.out.println(items);\n        System.err.println(items);\n"
             "        if (items.size() % 2 == 1) {\n"
             "            throw new IllegalStateException(String.valueOf(items));\n"
             "        }\n        return String.valueOf(items);\n    }\n}\n"),
}
HIDDEN_CASE_KEYS = {"name", "hidden", "passed", "status", "message", "group", "number", "tag"}


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


def secrets(ex: Exercise) -> list[str]:
    """Text that only a hidden test carries: its input and expected value, serialised and as strings."""
    shown = [t for i, t in enumerate(ex.hidden) if ex.hidden_shown(i)]  # Intern: on the page on purpose
    public = json.dumps([ex.statement, ex.examples, ex.starter, ex.hints, ex.signature, shown], ensure_ascii=False)
    out = []
    for index, test in enumerate(ex.hidden):
        if ex.hidden_shown(index):
            continue
        candidates = [json.dumps(test["args"], ensure_ascii=False), json.dumps(test["expected"], ensure_ascii=False),
                      *_strings(test["args"]), *_strings(test["expected"])]
        out += [c for c in candidates if len(c) >= 6 and c not in public]
    assert out
    return sorted(set(out))


def assert_clean(payload: object, ex: Exercise, missed: list[str] = ()) -> None:
    text = json.dumps(payload, ensure_ascii=False)
    leaked = [s for s in secrets(ex) if s in text]
    assert not leaked, f"hidden data in a student-facing payload: {leaked[:3]}"
    for rid, sentence in ex.requirements:
        if rid in missed:
            assert sentence not in text
    # nor what the reference's regions for a missed requirement say (they would be its hints and TODO lines)
    task = load_task(ex.task_id)
    for region in regions(task.reference(ex.language, ex.variant), ex.language):
        if set(region.requirements) & set(missed):
            assert task.text(region.todo, ex.variant) not in text, region.todo


def assert_hidden_cases_bare(result: dict, ex: Exercise | None = None) -> None:
    for case in result["report"]["cases"]:
        if case.get("hidden"):
            assert set(case) <= HIDDEN_CASE_KEYS, case
            if ex is not None and ex.hidden[case["number"] - 1].get("requirement") in ex.missed:
                assert case["tag"] == "requirement", case  # its own tag would point at the missed rule


@pytest.mark.parametrize(("language", "level"), [("python", "junior"), ("python", "mid"), ("python", "senior"),
                                                 ("javascript", "mid"), ("java", "mid")])
def test_no_hidden_test_leaves_through_views_runs_or_submits(local_backend, language, level):
    ex = exercise("bakery_receipt", language, level, discovered=set())
    state = start_state(ex)
    assert_clean(student_view(state, failed_runs=5), ex, ["allergen_labels"])
    examples = ex.execute(local_backend, "examples", SPIES[language])
    assert_clean(examples, ex, ["allergen_labels"])
    submit = ex.execute(local_backend, "submit", SPIES[language])
    assert submit["hidden"]["passed"] == 0 and submit["hidden"]["total"] == 13
    assert_hidden_cases_bare(submit, ex)
    assert_clean(submit, ex, ["allergen_labels"])
    assert all(c.get("tag") for c in submit["report"]["cases"] if c.get("hidden"))


def test_intern_shows_hidden_tests_except_those_of_a_missed_requirement(local_backend):
    ex = exercise("bakery_receipt", "python", "intern", discovered=set())
    view = json.dumps(student_view(start_state(ex)), ensure_ascii=False)
    shown = [t for i, t in enumerate(ex.hidden) if ex.hidden_shown(i)]
    assert shown and all(ex.shown_call(t["args"]) in view for t in shown)
    assert_clean(view, ex, ["allergen_labels"])
    submit = ex.execute(local_backend, "submit", SPIES["python"])
    assert_clean(submit, ex, ["allergen_labels"])
    visible_hidden = [c for c in submit["report"]["cases"] if c["group"] == "hidden" and not c.get("hidden")]
    assert len(visible_hidden) == len(shown)


def test_bad_input_gets_a_clear_sentence(local_backend):
    from grader.sandbox import InvalidRequest

    ex = exercise()
    with pytest.raises(InvalidRequest, match="too large"):
        ex.execute(local_backend, "submit", "x = 1\n" * 20000)
    with pytest.raises(InvalidRequest, match="binary"):
        ex.execute(local_backend, "run", "print(1)\x00")
    with pytest.raises(ValueError, match="unknown submission kind"):
        ex.execute(local_backend, "deploy", "print(1)")
    flood = ex.execute(local_backend, "run", "while True:\n    print('x' * 10000)\n")
    assert flood["outcome"] == "output" and flood["program"]["truncated"]
