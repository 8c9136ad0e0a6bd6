"""The report card's "what the client never told you" for an exercise derived from a Difficult Client attempt.

Those sentences are the interview's missed constraints. While the student may still retake that interview (and
its instructor chose to show answers only after the last attempt), the report names each missed rule by its topic
and its tests only, so the next interview is not played with the answers known.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from grader.phases.difficult_client import load_scenario
from grader.phases.options import shows_answers_now
from lti_app.extensions import db
from lti_app.models import Attempt
from lti_app.phases.registry import activity_options
from lti_app.workbench.accommodations import accommodation_for, attempts_allowed


def interview_answers_shown(attempt: Attempt) -> bool:
    """Whether the linked interview's answers may be shown to this student now (True when there is no link)."""
    link = (attempt.state or {}).get("link") or {}
    client_attempt_id = link.get("attempt_id") if isinstance(link, dict) else None
    if not isinstance(client_attempt_id, int):
        return True
    client = db.session.scalar(select(Attempt).where(Attempt.id == client_attempt_id,
                                                     Attempt.user_id == attempt.user_id))
    if client is None:
        return True
    activity = client.activity
    taken = db.session.scalar(select(db.func.count()).select_from(Attempt).where(
        Attempt.activity_id == activity.id, Attempt.user_id == attempt.user_id)) or 0
    left = attempts_allowed(activity, accommodation_for(activity.id, attempt.user_id)) - int(taken)
    return shows_answers_now(activity_options(activity), left)


def _topic(scenario_id: str, requirement_id: str) -> str:
    try:
        return load_scenario(scenario_id).constraint(requirement_id).topic
    except (KeyError, LookupError, ValueError):
        return "one of the client's rules"


def linked_feedback(attempt: Attempt, feedback: dict[str, Any]) -> dict[str, Any]:
    missed = feedback.get("missed_requirements") if isinstance(feedback, dict) else None
    if not missed or interview_answers_shown(attempt):
        return feedback
    scenario_id = str(((attempt.state or {}).get("exercise") or {}).get("scenario") or "")
    rows = []
    for m in missed:
        if not isinstance(m, dict):
            continue
        topic = _topic(scenario_id, str(m.get("id") or ""))
        verb = "and hidden tests on it failed" if m.get("failed") else "yet your code handled it"
        rows.append({"id": "", "sentence": "", "tests": m.get("tests", []), "failed": m.get("failed", []),
                     "line": f"You never learned the client's rule on {topic}, {verb}. What it says is shown "
                             f"once you have no interview attempt left."})
    return {**feedback, "missed_requirements": rows}
