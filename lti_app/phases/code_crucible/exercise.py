"""Which exercise an attempt plays (the activity's task or pool, level, seeding, languages, and the linked Difficult
Client attempt), the languages a student may switch between, and what the attempt's runs say (plain data for the
domain)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from grader.phases.code_crucible import (
    DEFAULT_LEVEL,
    NoExercise,
    build_exercise,
    choose_exercise,
    discovered_requirements,
    exercise_of,
    served_languages,
)
from grader.phases.code_crucible.store import served_task
from grader.phases.options import LEVELS, languages_of
from grader.sandbox.types import LANGUAGES
from grader.workbench.code_task import LANGUAGE_NAMES
from grader.workbench.grade_policy import submission_policy_of
from lti_app.errors import Refusal
from lti_app.extensions import db
from lti_app.launches import scenario_pool
from lti_app.models import Activity, Attempt, AttemptStatus, Submission, WorkStatus, utcnow
from lti_app.phases.code_crucible.variants import rebuilt, with_generated
from lti_app.phases.registry import NewAttempt, activity_options
from lti_app.workbench.submissions import graded_submits

CLIENT_PHASE = "difficult_client"


def seed_key(activity: Activity, learner: NewAttempt, seeding: str) -> str:
    """"student": a seeded exercise per student and attempt (classmates cannot share answers); "shared": one
    exercise for the whole activity."""
    return str(activity.id) if seeding == "shared" else f"{activity.id}:{learner.user_id}:{learner.number}"


def level_of(options: dict[str, Any]) -> str:
    level = str(options.get("level") or DEFAULT_LEVEL)
    return level if level in LEVELS else DEFAULT_LEVEL


def wanted_languages(options: dict[str, Any]) -> list[str]:
    """The languages the activity offers, in the picker's order: the option's (one or several), else all."""
    return languages_of(options) or list(LANGUAGES)


def language_names(languages: list[str]) -> str:
    names = [LANGUAGE_NAMES.get(x, x) for x in languages]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def linked_activity(activity: Activity, options: dict[str, Any]) -> Activity | None:
    """The Difficult Client activity this one follows (the ``after`` option: a link of the same course)."""
    after = str(options.get("after") or "").strip()
    if not after:
        return None
    return db.session.scalar(select(Activity).where(Activity.course_id == activity.course_id,
                                                    Activity.resource_link_id == after,
                                                    Activity.phase == CLIENT_PHASE))


def latest_closed_attempt(activity_id: int, user_id: int) -> Attempt | None:
    """The learner's latest attempt of that activity that has ended (graded or being graded)."""
    return db.session.scalar(
        select(Attempt).where(Attempt.activity_id == activity_id, Attempt.user_id == user_id,
                              Attempt.status.in_((AttemptStatus.GRADING, AttemptStatus.CLOSED)))
        .order_by(Attempt.number.desc())
    )


def _link(activity: Activity, options: dict[str, Any], user_id: int) -> tuple[dict[str, Any] | None, Any, Any]:
    """(what the state records about the link, discovered ids, client scenario id)."""
    if not str(options.get("after") or "").strip():
        return None, None, None
    client = linked_activity(activity, options)
    played = latest_closed_attempt(client.id, user_id) if client is not None else None
    link: dict[str, Any] = {"title": client.title if client is not None else "", "played": played is not None}
    if played is None or not isinstance(played.state, dict):
        return link, None, None
    link["attempt_id"] = played.id
    return link, sorted(discovered_requirements(played.state)), str(played.state.get("scenario_id") or "")


def new_exercise_state(activity: Activity, learner: NewAttempt) -> dict[str, Any]:
    """The state a new attempt starts from: the exercise (in the first offered language its task has), the
    languages the student may switch between, and the link to a Difficult Client attempt, if any. Refused
    (409 ``no_exercise``, a sentence for the instructor) when nothing fits the activity's options."""
    from grader.phases.code_crucible import start_state

    options = activity_options(activity)
    languages = wanted_languages(options)
    key = seed_key(activity, learner, str(options.get("seeding") or "student"))
    link, discovered, scenario = _link(activity, options, learner.user_id)
    exercise, problem = None, None
    for language in languages:
        try:
            exercise = choose_exercise(scenario_pool(activity) or None, language, options.get("difficulty") or None,
                                       level_of(options), key, discovered=discovered, client_scenario=scenario)
            break
        except NoExercise as exc:
            problem = problem or exc
    if exercise is None:
        raise Refusal(409, "no_exercise", f"this Code Crucible cannot start: {problem}; tell your instructor")
    exercise, generated = with_generated(exercise, key, str(options.get("seeding") or "student"))
    state = start_state(exercise, started_at=utcnow().isoformat(timespec="seconds") + "Z")
    if generated is not None:
        state["generated"] = generated  # an LLM's variant, verified in the sandbox (variants.py)
    served = served_languages(exercise.task_id)
    state["languages"] = [x for x in languages if x in served] or [exercise.language]
    if link is not None:
        state["link"] = link
    return state


def offered_languages(state: dict[str, Any]) -> list[str]:
    return [x for x in state.get("languages") or [] if x in LANGUAGES] or [exercise_of(state).language]


def switched_state(state: dict[str, Any], language: str) -> dict[str, Any]:
    """The state with the same task, variant, level and derivation in another language (its starter too)."""
    current = exercise_of(state)
    served = served_task(current.task_id)
    if served is None or language not in served[1].get("languages", ()):
        raise Refusal(409, "language_not_offered", f"this task is not available in "
                                                   f"{LANGUAGE_NAMES.get(language, language)}")
    task, entry = served
    exercise = rebuilt(state, language) if state.get("generated") else \
        build_exercise(task, entry, language, current.level, current.variant, current.discovered)
    if exercise is None:
        raise Refusal(409, "language_not_offered", "this task changed since your attempt started; stay in "
                                                   f"{LANGUAGE_NAMES.get(current.language, current.language)}")
    return {**state, "exercise": exercise.to_dict()}


def submission_policy(activity: Activity) -> str:
    return submission_policy_of(activity_options(activity))


def submits_of(attempt_id: int) -> list[dict[str, Any]]:
    """Every graded Submit of the attempt, oldest first, as the domain grades them."""
    return [{"id": row.id, "source": row.source, "result": row.result,
             "submitted_at": row.created_at.isoformat(timespec="seconds") + "Z"} for row in graded_submits(attempt_id)]


def failed_runs(attempt_id: int) -> int:
    """Finished runs of the examples and Submits that did not pass everything (a Junior hint unlocks per one)."""
    rows = db.session.scalars(
        select(Submission.result).where(Submission.attempt_id == attempt_id, Submission.status == WorkStatus.DONE,
                                        Submission.kind.in_(("examples", "submit")))
    )
    return sum(1 for result in rows if isinstance(result, dict) and isinstance(result.get("report"), dict)
               and not result["report"].get("all_passed"))


def any_submit(attempt_id: int) -> bool:
    return db.session.scalar(select(Submission.id).where(Submission.attempt_id == attempt_id,
                                                         Submission.kind == "submit").limit(1)) is not None
