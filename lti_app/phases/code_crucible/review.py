"""With an LLM configured: the mentor's review of a Submit, added to its result in the execute job once the
points are computed (``grader.phases.code_crucible.review``). Only a review that passed its checks is stored in
the (student-facing) result; why there was none is logged for operators, never shown."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from grader.phases.code_crucible import Exercise
from grader.phases.code_crucible.review import mentor_review

log = logging.getLogger(__name__)


def with_review(exercise: Exercise, source: str, result: dict[str, Any]) -> dict[str, Any]:
    """``result`` with ``"review"`` (a few sentences) when the LLM wrote one that may be shown."""
    settings = current_app.config["SETTINGS"]
    if result.get("kind") != "submit" or settings.llm_provider == "offline":
        return result
    from grader.llm.factory import make_provider

    review = mentor_review(make_provider(settings), exercise, source, result)
    log.info("code crucible review (%s): %s%s", exercise.task_id, review.source,
             f" ({review.reason})" if review.reason else "")
    return {**result, "review": review.text} if review.text else result
