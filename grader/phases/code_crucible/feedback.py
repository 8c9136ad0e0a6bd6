"""Feedback in a mentor's voice, written by code from the real results of a Submit: which example failed and
how, which edge-case tags failed among the hidden tests, the linter's top findings, the efficiency band. Only
what the student may see goes in: visible examples in detail, hidden tests by tag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.phases.code_crucible.scoring import TAG_TIPS

if TYPE_CHECKING:
    from grader.phases.code_crucible.exercise import Exercise

MAX_FINDINGS_SHOWN = 3


def _first_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return (lines[-1] if lines else "")[:240]


def _example_line(case: dict[str, Any]) -> str:
    shown = case.get("shown") or {}
    name = str(case.get("name", "an example")).capitalize()
    if case.get("status") == "wrong_answer":
        return (f"{name} failed: {shown.get('call', '')} returned {shown.get('actual', '')}, but the client expects "
                f"{shown.get('expected', '')}. Compare the two closely.")
    if case.get("trace"):
        return f"{name} failed with an error: {_first_line(case['trace'])}. Read the traceback from the bottom up."
    return f"{name} failed: {case.get('message', 'it did not finish')}."


def mentor_feedback(exercise: Exercise, result: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    report = result.get("report") or {}
    if report.get("load_error"):
        lines.append(f"Your code did not load: {_first_line(report['load_error'])}. Nothing else can be checked until "
                     "it does, so start there.")
        return lines
    cases = report.get("cases") or []
    failing = [c for c in cases if c.get("group") == "example" and not c.get("passed")]
    if failing:
        lines.append(_example_line(failing[0]))
        if len(failing) > 1:
            lines.append(f"{len(failing) - 1} more example{'s' if len(failing) > 2 else ''} failed as well.")
    hidden = result.get("hidden") or {}
    passed, total = hidden.get("passed", 0), hidden.get("total", 0)
    tags = result.get("tags_failed") or []
    if total and passed == total:
        lines.append(f"All {total} hidden tests pass: the client's cases are covered.")
    elif total:
        lines.append(f"{total - passed} of {total} hidden tests fail, on: {', '.join(tags)}.")
        for tag in tags[:2]:
            tip = TAG_TIPS.get(tag)
            if tag == "requirement" and exercise.missed:
                tip = "a rule of the client's fails; did the interview cover all of them?"
            if tip:
                lines.append(f"For {tag}: {tip}.")
    quality = result.get("quality") or {}
    findings = quality.get("findings") or []
    if findings:
        shown = "; ".join(f"line {f.get('line')}: {f.get('rule')} {f.get('message', '')}".strip()
                          for f in findings[:MAX_FINDINGS_SHOWN])
        count = quality.get("finding_count", len(findings))
        lines.append(f"{quality.get('tool', 'The linter')} has {count} finding{'s' if count != 1 else ''}: {shown}.")
    metrics = quality.get("metrics") or {}
    if metrics.get("longest_function", 0) > 30:
        lines.append(f"{metrics.get('longest_name')} is {metrics['longest_function']} lines long: split it into "
                     "smaller functions that each do one thing.")
    if metrics.get("bad_names"):
        lines.append(f"Some names say little about what they hold: {', '.join(metrics['bad_names'][:4])}.")
    efficiency = result.get("efficiency") or {}
    band = efficiency.get("band")
    if band in ("within_2x",):
        lines.append(f"On a large input your function ran {efficiency.get('band_text')}.")
    elif band in ("within_5x", "over_5x"):
        lines.append(f"On a large input your function took {efficiency.get('band_text')}: look for work repeated "
                     "inside a loop (a search in a list, a sort, building a string again and again).")
    elif band in ("timed_out", "out_of_memory", "failed"):
        lines.append(f"On a large input your function {efficiency.get('band_text')}.")
    own = result.get("own_tests")
    if isinstance(own, dict):
        if own.get("found", 0) == 0:
            lines.append("Write your own test functions: at least three that check real cases.")
        elif own.get("passed_with_checks", 0) < 3:
            lines.append(f"{own.get('passed_with_checks', 0)} of your tests with checks pass on your code; three "
                         "earn the full item.")
        if own.get("without_checks"):
            lines.append(f"These tests check nothing (no assert or throw): {', '.join(own['without_checks'][:4])}.")
    return lines
