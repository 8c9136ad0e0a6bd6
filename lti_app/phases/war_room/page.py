"""The War Room's page for an open attempt: the incident briefing, the terminal with "Run the check", the editor
for the system's files, the CTO's channel, the clock, the root-cause report and Finish. Only the domain's
``student_view`` of the state and the student-safe check results reach it, never the incident's truth."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for

from grader.phases.war_room import MAX_MESSAGE_CHARS, student_view
from lti_app.extensions import db
from lti_app.models import Attempt
from lti_app.phases.war_room.chat import deliver_due
from lti_app.phases.war_room.records import check_rows, iso
from lti_app.security import csrf_token
from lti_app.workbench.clock import clock_view
from lti_app.workbench.terminal import terminal_view

SCENE = "It is 2:47 AM and production is down."


def report_form(state: dict[str, Any], values: dict[str, Any] | None) -> tuple[dict[str, str], str | None, str]:
    """(what the form's fields hold, when the report was last saved, "saved" | "draft" | "")."""
    saved = state.get("report") if isinstance(state.get("report"), dict) else None
    draft = state.get("report_draft") if isinstance(state.get("report_draft"), dict) else None
    if values is not None:
        shown = values
    elif draft and (saved is None or str(draft.get("saved_at", "")) > str(saved.get("saved_at", ""))):
        shown = draft.get("fields") or {}
    else:
        shown = (saved or {}).get("fields") or {}
    kind = "draft" if draft and (not saved or draft.get("saved_at") != saved.get("saved_at")) else \
        "saved" if saved else ""
    return ({k: str(v) for k, v in shown.items() if isinstance(v, str)},
            saved.get("saved_at") if saved else None, kind)


def page_html(ctx: Any, attempt: Attempt, *, report_errors: dict[str, str] | None = None,
              report_values: dict[str, Any] | None = None, report_error: str = "", chat_error: str = "",
              chat_text: str = "") -> str:
    deliver_due(attempt.id)  # the CTO's lines due while the page was closed are there on a reload
    attempt = db.session.get(Attempt, attempt.id)
    checks = check_rows(attempt.id)
    latest = checks[-1] if checks else None
    view = student_view(attempt.state, latest.result if latest is not None else None)
    values, saved_at, report_kind = report_form(attempt.state, report_values)
    launch_id = ctx.launch_id
    return render_template(
        "war_room/page.html",
        ctx=ctx,
        attempt=attempt,
        view=view,
        scene=SCENE,
        check_output=latest.result.get("output", "") if latest is not None else "",
        check_at=iso(latest.created_at) if latest is not None else None,
        chat=view["chat"],
        chat_error=chat_error,
        chat_text=chat_text,
        max_message_chars=MAX_MESSAGE_CHARS,
        report_values=values,
        report_errors=report_errors or {},
        report_error=report_error,
        report_saved_at=saved_at,
        report_kind=report_kind,
        terminal=terminal_view(ctx, attempt),
        csrf=csrf_token(launch_id),
        report_url=url_for("student.report", launch_id=launch_id),
        clock=clock_view(launch_id, attempt),
        urls={
            "message": url_for("war_room.send_message", launch_id=launch_id),
            "message_form": url_for("war_room.send_message_form", launch_id=launch_id),
            "events": url_for("war_room.chat_events", launch_id=launch_id),
            "chat": url_for("war_room.chat", launch_id=launch_id),
            "report": url_for("war_room.save_report", launch_id=launch_id),
            "report_form": url_for("war_room.save_report_form", launch_id=launch_id),
            "draft": url_for("war_room.save_draft", launch_id=launch_id),
            "finish": url_for("war_room.finish", launch_id=launch_id),
        },
    )
