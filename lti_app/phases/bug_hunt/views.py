"""HTTP routes of the Bug Hunt: a hint and Finish (Run and Submit are the workbench's, lti_app.workbench.web).

Both are authorised against the launch and check its CSRF token. A hint is written with a compare-and-swap on
the number of hints the attempt has taken, and the page says how many it saw: a double click, or two tabs,
take one hint, and the second click is told so instead of paying for another.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, url_for

from grader.phases.bug_hunt import PHASE, NoHintLeft, student_view, take_hint
from lti_app.errors import Refusal, refuse
from lti_app.extensions import db
from lti_app.models import Attempt, utcnow
from lti_app.phases.bug_hunt.exercise import latest_fixed
from lti_app.phases.bug_hunt.state import hints_taken
from lti_app.workbench.attempts import open_attempt
from lti_app.workbench.finish import close_for_grading, report_card_answer
from lti_app.workbench.hints import FORM_REFUSALS, check_seen, seen_hint_count, store_hint
from lti_app.workbench.inputs import from_form, json_body

bp = Blueprint(PHASE.id, __name__, template_folder="templates", static_folder="static",
               static_url_path=f"/static/phases/{PHASE.id}")


def hints_sentence(left: int) -> str:
    return "You have no hints left." if left == 0 else \
        "You have 1 hint left." if left == 1 else f"You have {left} hints left."


def hints_payload(state: dict[str, Any], fixed: list[bool] | None) -> dict[str, Any]:
    """What the page learns about hints: the ones taken (number, line, when) and how many are left."""
    view = student_view(state, fixed)
    left = view["hints_left"]
    return {"hints": view["hints"], "hints_left": left, "hints_sentence": hints_sentence(left)}


def render_page(ctx: Any, attempt: Attempt, hint_error: str = "") -> str:
    from lti_app.phases.bug_hunt.page import page_html

    return page_html(ctx, attempt, hint_error=hint_error)


@bp.post("/api/a/<launch_id>/bh/hint")
def hint(launch_id: str):  # type: ignore[no-untyped-def]
    """Take one hint: the line of an unfixed bug not hinted yet. 409 ``no_hint_left`` when none is left,
    ``hint_already_taken`` when the page was behind (nothing taken), ``attempt_closed`` / ``time_up``.
    The page's plain form gets the page back: at its hints, or with the refusal's sentence."""
    ctx, attempt = open_attempt(launch_id, PHASE.id)
    try:
        body = _take_hint(attempt)
    except Refusal as exc:
        if not from_form() or exc.reason not in FORM_REFUSALS:
            raise
        db.session.rollback()
        return render_page(ctx, db.session.get(Attempt, attempt.id), hint_error=exc.detail), exc.code
    if from_form():
        return redirect(url_for("student.activity", launch_id=launch_id) + "#bh-hints", code=303)
    return jsonify(body)


def _take_hint(attempt: Attempt) -> dict[str, Any]:
    seen = seen_hint_count(json_body())
    attempt_id, state, fixed = attempt.id, attempt.state, latest_fixed(attempt)
    base = hints_taken(state)
    check_seen(seen, base, hints_payload(state, fixed))
    try:
        new_state, taken = take_hint(state, fixed, utcnow().isoformat(timespec="seconds") + "Z")
    except NoHintLeft as exc:
        refuse(409, "no_hint_left", str(exc), **hints_payload(state, fixed))
    store_hint(attempt_id, base, new_state, lambda current: hints_payload(current, fixed))
    return {"hint": taken, **hints_payload(new_state, fixed)}


@bp.post("/a/<launch_id>/bh/finish")
def finish(launch_id: str):  # type: ignore[no-untyped-def]
    """End the hunt and queue grading, then the report card. Always possible while the attempt is open, even
    after its time is up; refused while a Submit is still running (its result may count)."""
    _, attempt = open_attempt(launch_id, PHASE.id, within_time=False)
    # The state is left as it is: a hint stored since this request read it stays on the record (and in the grade).
    close_for_grading(attempt, pending="wait for your code's result before you finish")
    return report_card_answer(launch_id)
