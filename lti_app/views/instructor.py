"""The instructor's side: results for the activity their launch opened, breakdowns, resend, regrade."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from sqlalchemy import select

from lti_app.access import activity_for, attempt_in_activity, require_launch
from lti_app.extensions import db
from lti_app.grading import latest_passback, request_evaluation, resend
from lti_app.lti.context import LaunchContext
from lti_app.models import Attempt, GradeRow, Message
from lti_app.security import check_csrf
from lti_app.views.status import latest_grade, passback_state

bp = Blueprint("instructor", __name__)
log = logging.getLogger(__name__)


@dataclass
class ResultRow:
    name: str
    email: str
    sub: str
    roles: str = ""
    attempts: list[dict[str, Any]] = field(default_factory=list)


@bp.get("/i/<launch_id>")
def results(launch_id: str):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id, instructor=True)
    activity = activity_for(ctx)
    roster, roster_error = _roster(ctx)
    rows: dict[str, ResultRow] = {
        m.user_sub: ResultRow(m.name, m.email, m.user_sub, ", ".join(m.roles)) for m in roster
    }
    attempts = db.session.scalars(select(Attempt).where(Attempt.activity_id == activity.id).order_by(Attempt.id)).all()
    for attempt in attempts:
        user = attempt.user
        row = rows.setdefault(user.sub, ResultRow(user.name, user.email, user.sub))
        grade = latest_grade(attempt)
        row.attempts.append(
            {
                "attempt": attempt,
                "grade": grade,
                "passback": passback_state(latest_passback(grade.id)) if grade else None,
            }
        )
    learners = [r for r in rows.values() if r.attempts or "Learner" in r.roles or not r.roles]
    return render_template(
        "instructor/results.html", ctx=ctx, activity=activity, rows=learners, roster_error=roster_error
    )


@bp.get("/i/<launch_id>/attempts/<int:attempt_id>")
def attempt_detail(launch_id: str, attempt_id: int):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id, instructor=True)
    attempt = attempt_in_activity(ctx, attempt_id)
    grades = db.session.scalars(select(GradeRow).where(GradeRow.attempt_id == attempt.id).order_by(GradeRow.id)).all()
    messages = db.session.scalars(select(Message).where(Message.attempt_id == attempt.id).order_by(Message.id)).all()
    return render_template(
        "instructor/attempt.html",
        ctx=ctx,
        attempt=attempt,
        grades=[(g, passback_state(latest_passback(g.id))) for g in grades],
        messages=messages,
    )


@bp.post("/i/<launch_id>/grades/<int:grade_id>/resend")
def resend_grade(launch_id: str, grade_id: int):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id, instructor=True)
    check_csrf(launch_id)
    grade = db.session.get(GradeRow, grade_id)
    if grade is None:
        abort(404, description="grade_unknown: there is no such grade in this activity")
    attempt_in_activity(ctx, grade.attempt_id)  # the grade must belong to this instructor's activity
    resend(grade)
    return redirect(url_for("instructor.results", launch_id=launch_id), code=303)


@bp.post("/i/<launch_id>/attempts/<int:attempt_id>/regrade")
def regrade(launch_id: str, attempt_id: int):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id, instructor=True)
    check_csrf(launch_id)
    attempt = attempt_in_activity(ctx, attempt_id)
    if latest_grade(attempt) is None:
        abort(409, description="not_graded: only a graded attempt can be regraded")
    request_evaluation(attempt, reason="regrade")
    return redirect(url_for("instructor.attempt_detail", launch_id=launch_id, attempt_id=attempt_id), code=303)


def _roster(ctx: LaunchContext) -> tuple[list[Any], str]:
    if not ctx.nrps_memberships_url:
        return [], "The platform did not share the course roster (NRPS); showing students who launched."
    try:
        from lti_app.lti.nrps import fetch_roster

        return fetch_roster(ctx.issuer, ctx.client_id, ctx.deployment_id, ctx.nrps_memberships_url), ""
    except Exception as exc:
        log.warning("NRPS roster fetch failed: %s", exc)
        return [], "The course roster could not be fetched right now; showing students who launched."
