"""HTTP routes of the War Room: the CTO's channel (messages, and the channel pushed as server-sent events), the
root-cause report (a draft saved as the student types; Save validates it) and Finish. The terminal, the check
and the workspace editor are the workbench's (lti_app.workbench.terminal).

Every route is authorised against its launch and the launch's War Room attempt; writes check the launch's CSRF
token and need the attempt open and within its time (Finish only open). The page's plain forms (no JavaScript)
get the page back, with the refusal's sentences and what was typed; the API gets ``{"error", "detail"}``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request, stream_with_context, url_for

from grader.phases.war_room import FIELDS, MAX_MESSAGE_CHARS, PHASE, InvalidMessage, InvalidReport, clean_report
from grader.phases.war_room.report import MAX_CHARS
from lti_app.errors import Refusal, refuse
from lti_app.extensions import db
from lti_app.models import Attempt, utcnow
from lti_app.phases.war_room.chat import chat_of, deliver_due, reply_to, seconds_to_next, stream
from lti_app.phases.war_room.records import change_state, iso
from lti_app.workbench.attempts import open_attempt, phase_attempt
from lti_app.workbench.finish import close_for_grading, report_card_answer
from lti_app.workbench.inputs import from_form, json_body, text_field

bp = Blueprint(PHASE.id, __name__, template_folder="templates", static_folder="static",
               static_url_path=f"/static/phases/{PHASE.id}")
log = logging.getLogger(__name__)
DRAFT_MAX_CHARS = 4 * MAX_CHARS  # a draft keeps what was typed (Save says what is too long); beyond this: refused
MAX_AFTER = 10_000
CLOSED = ("attempt_closed", "this attempt has ended; your report card has the results")


def render_page(ctx: Any, attempt: Attempt, **extra: Any) -> str:
    from lti_app.phases.war_room.page import page_html

    return page_html(ctx, attempt, **extra)


def _after() -> int:
    """Where the page's channel is: the event stream's Last-Event-ID (a reconnect), else ``?after=``."""
    raw = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
    if not re.fullmatch(r"[0-9]{1,6}", raw.strip()):
        refuse(400, "invalid_after", "after must be the number of channel messages the page has")
    return min(int(raw.strip()), MAX_AFTER)


# ----- the CTO's channel ------------------------------------------------------------------------------------
def _message(data: dict[str, Any]) -> str:
    return text_field(data, "message", max_chars=MAX_MESSAGE_CHARS).strip()


@bp.post("/api/a/<launch_id>/wr/messages")
def send_message(launch_id: str):  # type: ignore[no-untyped-def]
    """A message to the CTO: 200 ``{"entries": [yours, the reply], "count"}``; 400 ``empty_message`` /
    ``invalid_message``, 413 ``message_too_long`` (at most 1,000 characters), 409 ``attempt_closed`` / ``time_up``."""
    return _send(launch_id, form=False)


@bp.post("/a/<launch_id>/wr/messages")
def send_message_form(launch_id: str):  # type: ignore[no-untyped-def]
    """The same for the page's plain form: back to the page at the channel (or the page with the refusal)."""
    return _send(launch_id, form=from_form())


def _send(launch_id: str, form: bool):  # type: ignore[no-untyped-def]
    ctx, attempt = open_attempt(launch_id, PHASE.id)
    data = request.form.to_dict() if form else json_body()
    try:
        text = _message(data)
        answered = reply_to(attempt.id, text)
    except (Refusal, InvalidMessage) as exc:
        refusal = exc if isinstance(exc, Refusal) else Refusal(400, "invalid_message", str(exc))
        db.session.rollback()
        if not form:
            raise refusal from None
        typed = data.get("message") if isinstance(data.get("message"), str) else ""
        return render_page(ctx, attempt, chat_error=refusal.detail, chat_text=typed[:MAX_MESSAGE_CHARS * 2]), \
            refusal.code
    if answered is None:
        refuse(409, *CLOSED)
    if form:
        return redirect(url_for("student.activity", launch_id=launch_id) + "#wr-chat", code=303)
    entries, count = answered
    return jsonify(entries=entries, count=count)


@bp.get("/api/a/<launch_id>/wr/chat")
def chat(launch_id: str):  # type: ignore[no-untyped-def]
    """The channel from ``?after=`` on (pressure lines due by now are delivered first), and when the next one
    is due (``next_in`` seconds, or null)."""
    _, attempt = phase_attempt(launch_id, PHASE.id)
    after = _after()
    deliver_due(attempt.id)
    attempt = db.session.get(Attempt, attempt.id)
    entries = chat_of(attempt.state)
    start = after if after <= len(entries) else 0
    wait = seconds_to_next(attempt)
    db.session.commit()
    return jsonify(entries=entries[start:], **{"from": start}, count=len(entries), status=str(attempt.status),
                   next_in=None if wait is None else round(wait, 1))


@bp.get("/api/a/<launch_id>/wr/chat/events")
def chat_events(launch_id: str):  # type: ignore[no-untyped-def]
    """The channel as server-sent events (see ``chat.stream``): a reconnect resumes from its Last-Event-ID."""
    _, attempt = phase_attempt(launch_id, PHASE.id)
    after, attempt_id = _after(), attempt.id
    db.session.commit()
    return Response(stream_with_context(stream(attempt_id, after)), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


# ----- the report -------------------------------------------------------------------------------------------
def _fields(data: dict[str, Any], max_chars: int) -> dict[str, str]:
    """The report's five fields from ``{"fields": {...}}`` or the form itself; each text, bounded."""
    source = data.get("fields") if isinstance(data.get("fields"), dict) else data
    return {name: text_field(source, name, max_chars=max_chars, required=False) for name in FIELDS}


def _store_report(attempt_id: int, fields: dict[str, str], cleaned: dict[str, str] | None) -> str:
    """The draft (always) and, when valid, the saved report; returns when."""
    at = iso(utcnow()) or ""

    def put(state: dict[str, Any]) -> dict[str, Any]:
        new = {**state, "report_draft": {"fields": fields, "saved_at": at}}
        if cleaned is not None:
            new["report"] = {"fields": cleaned, "saved_at": at}
        return new

    if change_state(attempt_id, put) is None:
        refuse(409, *CLOSED)
    db.session.commit()
    return at


@bp.put("/api/a/<launch_id>/wr/report/draft")
def save_draft(launch_id: str):  # type: ignore[no-untyped-def]
    """What the student has typed in the report form, kept as they type (not checked; Save checks it). At the
    close, a draft newer than the saved report counts when it is a valid report."""
    _, attempt = open_attempt(launch_id, PHASE.id)
    fields = _fields(json_body(), DRAFT_MAX_CHARS)
    return jsonify(saved_at=_store_report(attempt.id, fields, None))


@bp.post("/api/a/<launch_id>/wr/report")
def save_report(launch_id: str):  # type: ignore[no-untyped-def]
    """Save the root-cause report (it does not end the attempt; Finish does): 200 ``{"saved_at", "report"}``;
    400 ``invalid_report`` with ``errors`` ``{field: sentence}`` for every field that is wrong (what was typed is
    kept as the draft)."""
    return _report(launch_id, form=False)


@bp.post("/a/<launch_id>/wr/report")
def save_report_form(launch_id: str):  # type: ignore[no-untyped-def]
    return _report(launch_id, form=from_form())


def _report(launch_id: str, form: bool):  # type: ignore[no-untyped-def]
    ctx, attempt = open_attempt(launch_id, PHASE.id)
    try:
        fields = _fields(request.form.to_dict() if form else json_body(), DRAFT_MAX_CHARS)
    except Refusal as exc:
        if not form:
            raise
        return render_page(ctx, attempt, report_error=exc.detail, report_values=request.form.to_dict()), exc.code
    try:
        cleaned: dict[str, str] | None = clean_report(fields)
        errors: dict[str, str] = {}
    except InvalidReport as exc:
        cleaned, errors = None, exc.errors
    at = _store_report(attempt.id, fields, cleaned)
    if errors:
        detail = "the report was not saved: " + "; ".join(errors.values()) + " (what you typed is kept)"
        if form:
            attempt = db.session.get(Attempt, attempt.id)
            return render_page(ctx, attempt, report_errors=errors, report_values=fields), 400
        refuse(400, "invalid_report", detail, errors=errors, draft_saved_at=at)
    if form:
        return redirect(url_for("student.activity", launch_id=launch_id) + "#wr-report", code=303)
    return jsonify(saved_at=at, report=cleaned)


# ----- the end ----------------------------------------------------------------------------------------------
@bp.post("/a/<launch_id>/wr/finish")
def finish(launch_id: str):  # type: ignore[no-untyped-def]
    """End the incident: the attempt closes, the system is checked as it is now and graded with the saved
    report (then the report card). Possible while the attempt is open, even once its time is up; refused while a
    command or a check is still running (what it changes counts)."""
    _, attempt = open_attempt(launch_id, PHASE.id, within_time=False)
    close_for_grading(attempt, pending_in_swap="a command is still running; finish when it has ended")
    log.info("attempt %s finished by the student", attempt.id)
    return report_card_answer(launch_id)
