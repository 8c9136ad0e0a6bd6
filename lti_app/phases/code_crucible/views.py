"""HTTP routes of the Code Crucible: hints, the language switch and Finish (Run, Run examples and Submit are the
workbench's, lti_app.workbench.web).

All are authorised against the launch; state changes check its CSRF token. A hint and a language switch are written
with a compare-and-swap on the attempt's state, so a double click takes one hint, and a switch racing a Submit
cannot change the language of code already submitted.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, jsonify, redirect, url_for
from sqlalchemy import select, update

from grader.phases.code_crucible import PHASE, NoHintLeft, hints_left, student_view, take_hint
from grader.sandbox.types import LANGUAGES
from grader.workbench.code_task import LANGUAGE_NAMES
from lti_app.errors import Refusal, refuse
from lti_app.extensions import db
from lti_app.models import Attempt, AttemptStatus, Draft, Submission, utcnow
from lti_app.phases.code_crucible.exercise import (
    any_submit,
    failed_runs,
    language_names,
    offered_languages,
    switched_state,
)
from lti_app.workbench.attempts import open_attempt, phase_attempt
from lti_app.workbench.drafts import draft_of, save_draft
from lti_app.workbench.finish import close_for_grading, report_card_answer
from lti_app.workbench.hints import FORM_REFUSALS, check_seen, hints_taken, seen_hint_count, store_hint
from lti_app.workbench.inputs import from_form, json_body
from lti_app.workbench.submissions import pending_submission

bp = Blueprint(PHASE.id, __name__, template_folder="templates", static_folder="static",
               static_url_path=f"/static/phases/{PHASE.id}")
log = logging.getLogger(__name__)


def hints_sentence(left: int, cost: int) -> str:
    price = f" ({cost} points each)" if cost else " (free)"
    return "You have no hints left." if left == 0 else \
        f"You have 1 hint left{price}." if left == 1 else f"You have {left} hints left{price}."


def hints_payload(state: dict[str, Any], failed: int) -> dict[str, Any]:
    """What the page learns about hints: those taken (number, text, when), how many are left and their cost."""
    view = student_view(state, failed)
    left = view["hints_left"]
    return {"hints": view["hints"], "hints_left": left, "hint_cost": view["hint_cost"],
            "hints_sentence": hints_sentence(left, view["hint_cost"])}


def render_page(ctx: Any, attempt: Attempt, error: str = "") -> str:
    from lti_app.phases.code_crucible.page import page_html

    return page_html(ctx, attempt, error=error)


@bp.get("/api/a/<launch_id>/cc/hints")
def hints(launch_id: str):  # type: ignore[no-untyped-def]
    """The hints taken and how many are left now (a Junior's failed run unlocks one)."""
    _, attempt = phase_attempt(launch_id, PHASE.id)
    return jsonify(hints_payload(attempt.state, failed_runs(attempt.id)))


@bp.post("/api/a/<launch_id>/cc/hint")
def hint(launch_id: str):  # type: ignore[no-untyped-def]
    """Take the next hint. 409 ``no_hint_left`` (with the reason: every hint taken, none unlocked yet, all on
    the page already), ``hint_already_taken`` when the page was behind (nothing taken), ``attempt_closed`` /
    ``time_up``. The page's plain form gets the page back."""
    ctx, attempt = open_attempt(launch_id, PHASE.id)
    try:
        body = _take_hint(attempt)
    except Refusal as exc:
        if not from_form() or exc.reason not in FORM_REFUSALS:
            raise
        db.session.rollback()
        return render_page(ctx, db.session.get(Attempt, attempt.id), error=exc.detail), exc.code
    if from_form():
        return redirect(url_for("student.activity", launch_id=launch_id) + "#cc-hints", code=303)
    return jsonify(body)


def _take_hint(attempt: Attempt) -> dict[str, Any]:
    seen = seen_hint_count(json_body())
    attempt_id, state, failed = attempt.id, attempt.state, failed_runs(attempt.id)
    base = hints_taken(state)
    check_seen(seen, base, hints_payload(state, failed))
    try:
        new_state, taken = take_hint(state, utcnow().isoformat(timespec="seconds") + "Z", failed)
    except NoHintLeft as exc:
        refuse(409, "no_hint_left", str(exc), **hints_payload(state, failed))
    store_hint(attempt_id, base, new_state, lambda current: hints_payload(current, failed))
    return {"hint": taken, **hints_payload(new_state, failed)}


@bp.post("/api/a/<launch_id>/cc/language")
def switch_language(launch_id: str):  # type: ignore[no-untyped-def]
    """Switch the attempt to another offered language (``{"language"}``): same task, level and variant; the draft
    becomes that language's starter. Refused after the first Submit (409 ``language_locked``), while a run is
    pending, and for a language the activity does not offer (400 ``language_not_offered``)."""
    ctx, attempt = open_attempt(launch_id, PHASE.id)
    language = json_body().get("language")
    offered = offered_languages(attempt.state)
    if not isinstance(language, str) or language not in offered:
        shown = language if isinstance(language, str) and language in LANGUAGES else "that language"
        refuse(400, "language_not_offered", f"this activity does not offer {LANGUAGE_NAMES.get(shown, shown)}: "
                                            f"it offers {language_names(offered)}")
    if any_submit(attempt.id):
        refuse(409, "language_locked", "the language is fixed once you have submitted; your code stays as it is")
    if pending_submission(attempt.id) is not None:
        refuse(409, "submission_pending", "wait for your code's result before you switch languages")
    before = attempt.state
    new_state = switched_state(before, language)
    starter = new_state["exercise"]["starter"]
    db.session.commit()
    # Compare-and-swap on the exercise's language, and no Submit in between (a Submit queued meanwhile keeps
    # the language it was sent in).
    no_submit = ~select(Submission.id).where(Submission.attempt_id == attempt.id,
                                             Submission.kind == "submit").exists()
    stored = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN,
               Attempt.state[("exercise", "language")].as_string() == before["exercise"]["language"], no_submit)
        .values(state=new_state)
        .execution_options(synchronize_session=False)
    )
    if stored.rowcount != 1:
        db.session.rollback()
        refuse(409, "language_locked", "the language changed or a Submit was made meanwhile; reload the page")
    db.session.commit()
    # The editor starts again from this language's starter (a newer revision than any save of the old code; the
    # page puts the starter in its editor before it reloads, so a save on its way out carries the starter too).
    current = draft_of(attempt.id)
    stdin = current.stdin if current is not None else ""
    save_draft(attempt.id, starter, stdin, (current.revision if current else 0) + 1)
    log.info("attempt %s switched to %s", attempt.id, language)
    if from_form():
        return redirect(url_for("student.activity", launch_id=ctx.launch_id), code=303)
    draft = db.session.get(Draft, attempt.id)
    return jsonify(language=language, starter=starter, revision=draft.revision if draft else 0)


@bp.post("/a/<launch_id>/cc/finish")
def finish(launch_id: str):  # type: ignore[no-untyped-def]
    """End the attempt and queue grading, then the report card. Always possible while the attempt is open, even
    after its time is up; refused while a run is pending (a Submit's result may count)."""
    _, attempt = open_attempt(launch_id, PHASE.id, within_time=False)
    close_for_grading(attempt, pending="wait for your code's result before you finish")
    return report_card_answer(launch_id)


__all__ = ["bp", "hints_left", "hints_payload", "render_page"]
