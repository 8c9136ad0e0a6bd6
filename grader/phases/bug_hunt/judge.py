"""Which bugs a Submit fixed, judged by behaviour, never by comparing text.

Bug b is fixed iff the program loads, every test in T_b (the tests b alone makes fail) passes, and every
test that passed on the buggy program with its syntax bug repaired still passes. So a correct rewrite that
fixes a bug another way earns the credit, and deleting or breaking code earns nothing. The syntax bug has no
tests of its own: it is fixed when the program loads and nothing that worked broke.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.phases.bug_hunt.exercise import Exercise


def passed_tests(exercise: Exercise, result: dict[str, Any] | None) -> dict[str, bool] | None:
    """Each test's pass/fail by its name in the program, from a Submit's stored result; None when the
    code did not load (or the result is no test run at all)."""
    report = (result or {}).get("report")
    if not isinstance(report, dict) or report.get("load_error") or not isinstance(report.get("cases"), list):
        return None
    shown = {c.get("name"): c.get("passed") is True for c in report["cases"] if isinstance(c, dict)}
    return {t.name: shown.get(exercise.shown_name(t), False) for t in exercise.tests}


def fixed_from_passes(exercise: Exercise, passed: dict[str, bool] | None) -> list[bool]:
    if passed is None:
        return [False] * len(exercise.bugs)
    targeted = {name for bug in exercise.bugs for name in bug.targets}
    if not all(passed.get(t.name, False) for t in exercise.tests if t.name not in targeted):
        return [False] * len(exercise.bugs)  # something that worked is broken now
    return [all(passed.get(name, False) for name in bug.targets) for bug in exercise.bugs]


def bugs_fixed(exercise: Exercise, result: dict[str, Any] | None) -> list[bool]:
    """Per bug (in the exercise's order), whether the Submit with this stored ``result`` fixed it."""
    return fixed_from_passes(exercise, passed_tests(exercise, result))
