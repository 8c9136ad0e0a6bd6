"""Generate one Code Crucible variant with the configured LLM and verify it in the sandbox; the row keeps the
result (accepted: the values and expected values launches serve; refused: why). No transaction is held while
the model and the sandbox run. A broken sandbox host is retried like a Submit; a model that fails or proposes
something unusable is a refusal (the stored variants keep being served), not a retry."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from grader.phases.code_crucible.generate import generatable, generate_variant
from grader.phases.code_crucible.store import served_task
from grader.sandbox import SandboxError
from lti_app.extensions import db
from lti_app.models import CrucibleVariant, utcnow
from worker.outcome import Outcome
from worker.sandbox import sandbox_backend

log = logging.getLogger(__name__)
SANDBOX_TRIES = 3


def _refuse(row: CrucibleVariant, reason: str) -> Outcome:
    row.accepted, row.reason = False, reason
    log.info("crucible variant %s for %s refused: %s", row.id, row.task_id, reason)
    return Outcome.done()


def handle(row: CrucibleVariant) -> Outcome:
    from grader.llm.factory import make_provider

    served = served_task(row.task_id)
    if served is None or served[0].digest != row.digest:
        return _refuse(row, "the task changed or is no longer served")
    task, _ = served
    if not generatable(task):
        return _refuse(row, "the task has no param a variant may change")
    settings = current_app.config["SETTINGS"]
    provider = make_provider(settings)
    if not provider.enabled:
        return _refuse(row, "no LLM is configured")
    taken = set(db.session.scalars(select(CrucibleVariant.key).where(
        CrucibleVariant.task_id == row.task_id, CrucibleVariant.digest == row.digest,
        CrucibleVariant.accepted.is_(True))))
    row_id, tries = row.id, row.tries
    db.session.commit()  # nothing held while the model and the sandbox run
    try:
        generation = generate_variant(provider, sandbox_backend(settings), task, taken)
    except SandboxError as exc:
        row = db.session.get(CrucibleVariant, row_id)
        log.warning("sandbox failed for crucible variant %s (try %s): %s", row_id, tries, exc)
        if tries < SANDBOX_TRIES:
            return Outcome.retry(f"sandbox unavailable: {exc}", utcnow() + timedelta(seconds=10 * tries))
        return Outcome.failed(f"sandbox unavailable: {exc}")
    row = db.session.get(CrucibleVariant, row_id)
    row.llm_calls, row.values, row.need = generation.llm_calls, generation.values, generation.need
    if not generation.accepted:
        return _refuse(row, generation.reason)
    duplicate = db.session.scalar(select(CrucibleVariant.id).where(
        CrucibleVariant.key == generation.key, CrucibleVariant.accepted.is_(True), CrucibleVariant.id != row_id))
    if duplicate is not None:  # a concurrent request got the same values first
        return _refuse(row, f"the same values as variant row {duplicate}")
    row.key, row.variant, row.accepted, row.reason = generation.key, generation.variant, True, generation.reason
    log.info("crucible variant %s for %s accepted in %.1f s: %s", row_id, row.task_id, generation.seconds,
             generation.values)
    return Outcome.done()
