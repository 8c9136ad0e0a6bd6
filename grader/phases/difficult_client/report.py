"""What a student's report card may show of the client's constraints (plain data in, plain data out).

Every constraint's topic and how far it was found are always shown; the text of a constraint the student found is
theirs. The text of one missed or only partly found stays hidden while the student may still retake the activity,
so a retake does not start with the answers known: it is shown once no attempt is left, or after each attempt when
the instructor chose so (the web decides which, from the activity's ``show_answers`` option and attempts left).
"""

from __future__ import annotations

from typing import Any

from grader.phases.difficult_client.grading import constraint_report
from grader.phases.difficult_client.models import Scenario

FOUND = "found"
WITHHELD_NOTE = ("What the client needed is shown for the topics you found; the rest is shown once you have no "
                 "attempt left, so that a new attempt is a fair interview.")


def student_constraints(scenario: Scenario, state: dict[str, Any], *, show_answers: bool) -> list[dict[str, Any]]:
    """The report card's rows: ``topic``, ``status``, ``description`` ("" when withheld) and ``withheld``."""
    rows = []
    for row in constraint_report(scenario, state):
        withheld = not show_answers and row["status"] != FOUND
        rows.append({"topic": row["topic"], "status": row["status"], "withheld": withheld,
                     "description": "" if withheld else row["description"]})
    return rows


def student_feedback(scenario: Scenario, state: dict[str, Any], feedback: dict[str, Any], *,
                     show_answers: bool) -> dict[str, Any]:
    """A grade's stored feedback as the student may see it now: its constraint rows rebuilt from the attempt's
    state (whatever the stored rows hold); the code section's missed requirements by topic and tests only, their
    text too when answers are shown; and a note saying why some text is withheld."""
    if not isinstance(feedback, dict) or "constraints" not in feedback:
        return feedback
    rows = student_constraints(scenario, state, show_answers=show_answers)
    out = {**feedback, "constraints": rows}
    out.pop("answers_note", None)
    code = feedback.get("code")
    if isinstance(code, dict) and isinstance(code.get("missed"), list):
        out["code"] = {**code, "missed": [_missed_test(m, show_answers) for m in code["missed"] if isinstance(m, dict)]}
    if any(r["withheld"] for r in rows):
        out["answers_note"] = WITHHELD_NOTE
    return out


def _missed_test(entry: dict[str, Any], show_answers: bool) -> dict[str, Any]:
    """A requirement the interview missed, as the code section shows it (never the constraint's id)."""
    return {"topic": entry.get("topic", ""), "tests": entry.get("tests", []), "failed": entry.get("failed", []),
            "description": entry.get("description", "") if show_answers else ""}
