"""With an LLM configured: Code Crucible variants generated ahead of the students who get them.

Where this sits in the request flow, and why: asking a model and verifying its proposal in the sandbox (three
references, Java's compiler among them) takes seconds to tens of seconds, far too long for a launch. So a launch
never waits for one. It serves from the cache (the accepted ``CrucibleVariant`` rows of the task's current files)
and, when the task has fewer than ``TARGET`` accepted variants and no request pending, writes one request row in
the launch's own transaction; the attempt's first page view queues it on the lowest-priority queue (the
reconciler would, within seconds, if that were lost) and the worker generates and verifies it
(``worker.handlers.variant``). The first students of a class get the stored
variants; later ones draw from the stored and the generated ones alike, and a class shares a handful of model
calls rather than one per student (``MAX_REQUESTS`` bounds them per task version, refusals included).

Generated variants are only for standalone exercises with per-student seeding: a task derived from a student's
interview keeps the client's own numbers, and a "shared" activity must give everyone the same exercise even as
the cache grows.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from sqlalchemy import select

from grader.phases.code_crucible import Exercise
from grader.phases.code_crucible.generate import generatable, generated_exercise
from grader.phases.code_crucible.store import served_task
from grader.phases.code_crucible.tasks import Task
from lti_app.dispatch import commit_and_enqueue
from lti_app.extensions import db
from lti_app.models import CrucibleVariant, WorkStatus

TARGET = 3  # accepted generated variants wanted per task version
MAX_REQUESTS = 8  # requests per task version, refusals included: a model that keeps failing is left alone
PENDING = (WorkStatus.QUEUED, WorkStatus.RUNNING, WorkStatus.RETRY)


def llm_enabled() -> bool:
    return current_app.config["SETTINGS"].llm_provider != "offline"


def task_rows(task: Task) -> list[CrucibleVariant]:
    return list(db.session.scalars(select(CrucibleVariant).where(
        CrucibleVariant.task_id == task.id, CrucibleVariant.digest == task.digest).order_by(CrucibleVariant.id)))


def ask_for_more(task: Task, rows: list[CrucibleVariant]) -> CrucibleVariant | None:
    """A request row (added to the session, committed with the launch) when the cache wants one more variant."""
    accepted = [r for r in rows if r.accepted]
    if len(accepted) >= TARGET or len(rows) >= MAX_REQUESTS or any(r.status in PENDING for r in rows):
        return None
    row = CrucibleVariant(task_id=task.id, digest=task.digest)
    db.session.add(row)
    return row


def _draw(seed_key: str, stored: int, generated: int) -> int:
    """Which of the stored and generated variants this student gets (deterministic in the seed key)."""
    number = int.from_bytes(hashlib.sha256(f"{seed_key}|generated".encode()).digest()[:8], "big")
    return number % (stored + generated)


def with_generated(exercise: Exercise, seed_key: str, seeding: str) -> tuple[Exercise, dict[str, Any] | None]:
    """The exercise to serve: ``exercise`` (a stored variant) or, drawn by the seed key among the stored and the
    accepted generated variants, a generated one, with what the state keeps of it. Offline: ``exercise``."""
    if not llm_enabled() or seeding != "student" or exercise.discovered is not None:
        return exercise, None
    served = served_task(exercise.task_id)
    if served is None or not generatable(served[0]):
        return exercise, None
    task, entry = served
    rows = task_rows(task)
    ask_for_more(task, rows)
    accepted = [r for r in rows if r.accepted and r.variant]
    if not accepted:
        return exercise, None
    drawn = _draw(seed_key, len(entry["variants"]), len(accepted)) - len(entry["variants"])
    if drawn < 0:
        return exercise, None
    row = accepted[drawn]
    generated = {"id": row.id, "key": row.key, "values": row.values, "need": row.need, "variant": row.variant}
    return generated_exercise(task, entry, generated, exercise.language, exercise.level), generated


def rebuilt(state: dict[str, Any], language: str) -> Exercise | None:
    """The attempt's generated variant in another language (None when it plays a stored variant)."""
    generated = state.get("generated")
    if not isinstance(generated, dict):
        return None
    served = served_task(state["exercise"]["task_id"])
    if served is None or served[0].digest != state["exercise"]["digest"]:
        return None
    return generated_exercise(served[0], served[1], generated, language, state["exercise"]["level"])


def queue_requests(task_id: str) -> int:
    """Queue the task's variant requests that no job carries yet (the one a launch wrote); how many."""
    if not llm_enabled():
        return 0
    waiting = list(db.session.scalars(select(CrucibleVariant).where(
        CrucibleVariant.task_id == task_id, CrucibleVariant.status == WorkStatus.QUEUED,
        CrucibleVariant.enqueued_at.is_(None))))
    for row in waiting:
        commit_and_enqueue("variant", row, queue_name="bulk")
    return len(waiting)
