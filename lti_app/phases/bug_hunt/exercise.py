"""Which exercise an attempt plays, and what the attempt's Submits say about its bugs (plain data for the domain)."""

from __future__ import annotations

from typing import Any

from grader.phases.bug_hunt import DEFAULT_HINTS, NoExercise, bugs_fixed, choose_exercise, exercise_of
from grader.phases.options import HINTS_RANGE
from grader.workbench.grade_policy import submission_policy_of
from lti_app.errors import Refusal
from lti_app.launches import scenario_pool
from lti_app.models import Activity, Attempt
from lti_app.phases.registry import NewAttempt, activity_options
from lti_app.workbench.submissions import graded_submits

DEFAULT_LANGUAGE = "python"


def seed_key(activity: Activity, learner: NewAttempt, seeding: str) -> str:
    """"student": a seeded exercise per student and attempt (classmates cannot share answers); "shared": one
    exercise for the whole activity."""
    return str(activity.id) if seeding == "shared" else f"{activity.id}:{learner.user_id}:{learner.number}"


def hints_allowed(options: dict[str, Any]) -> int:
    try:
        hints = int(str(options.get("hints", DEFAULT_HINTS)))
    except ValueError:
        hints = DEFAULT_HINTS
    return hints if HINTS_RANGE[0] <= hints <= HINTS_RANGE[1] else DEFAULT_HINTS


def exercise_for(activity: Activity, learner: NewAttempt) -> Any:
    """The exercise a new attempt plays; refused (409 ``no_exercise``, a sentence for the instructor) when the
    activity's programs and language have no verified exercise."""
    options = activity_options(activity)
    language = str(options.get("language") or DEFAULT_LANGUAGE)
    key = seed_key(activity, learner, str(options.get("seeding") or "student"))
    try:
        return choose_exercise(scenario_pool(activity) or None, language, key)
    except NoExercise as exc:
        raise Refusal(409, "no_exercise", f"this Bug Hunt cannot start: {exc}; tell your instructor") from None


def submission_policy(activity: Activity) -> str:
    """Which Submit counts (the activity's option, else the workbench's default): the domain grades by it."""
    return submission_policy_of(activity_options(activity))


def submits_of(attempt_id: int) -> list[dict[str, Any]]:
    """Every graded Submit of the attempt, oldest first, as the domain grades them: ``{"id", "source",
    "result"}`` (``submitted_at`` too, for the instructor's view)."""
    return [{"id": row.id, "source": row.source, "result": row.result,
             "submitted_at": row.created_at.isoformat() + "Z"} for row in graded_submits(attempt_id)]


def latest_fixed(attempt: Attempt) -> list[bool] | None:
    """Which bugs the attempt's latest graded Submit fixed (None before any): a hint points at an unfixed one."""
    submits = graded_submits(attempt.id)
    if not submits:
        return None
    return bugs_fixed(exercise_of(attempt.state), submits[-1].result)
