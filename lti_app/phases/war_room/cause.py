"""The LLM's rubric answers on the root-cause report, asked once per report and kept with the grade.

The evaluate job asks the configured model (``grader.phases.war_room.cause_llm``) unless an earlier grade of the
attempt already holds answers for the same report: a regrade then recomputes the same points from the stored
answers instead of asking again (a grade is reproducible, and a model's second answer might differ).
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from grader.phases.war_room import InvalidReport, clean_report, incident_of
from grader.phases.war_room.cause_llm import CauseJudgement, judge_cause, report_digest
from lti_app.extensions import db
from lti_app.models import Attempt, GradeRow


def stored_judgement(attempt_id: int) -> dict[str, Any] | None:
    """The rubric answers the attempt's newest grade used, if any."""
    inputs = db.session.scalar(select(GradeRow.inputs).where(GradeRow.attempt_id == attempt_id)
                               .order_by(GradeRow.id.desc()))
    found = (inputs or {}).get("cause_llm") if isinstance(inputs, dict) else None
    return found if isinstance(found, dict) else None


def cause_judgement(attempt: Attempt, report: dict[str, str] | None) -> CauseJudgement | None:
    """The answers for ``report``: the stored ones for the same report, else the model's (None offline, or
    without a readable report)."""
    if report is None:
        return None
    try:
        cleaned = clean_report(report)
    except InvalidReport:
        return None
    stored = CauseJudgement.from_dict(stored_judgement(attempt.id))
    if stored is not None and stored.report_digest == report_digest(cleaned):
        return stored
    from grader.llm.factory import make_provider

    return judge_cause(make_provider(current_app.config["SETTINGS"]), incident_of(attempt.state), cleaned)
