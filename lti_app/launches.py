"""What happens after the LTI layer has validated a resource-link launch."""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lti_app.extensions import db
from lti_app.lti.context import LaunchContext
from lti_app.models import Activity, Attempt, Course, User
from lti_app.phases import get_phase

ACTIVITY_OPTION_KEYS = ("difficulty", "language", "time_limit")


def on_resource_launch(ctx: LaunchContext) -> Response:
    """Record who launched what, then send instructors to results and learners to their attempt."""
    course = _upsert(Course, {"issuer": ctx.issuer, "context_id": ctx.context_id}, title=ctx.context_title)
    if ctx.nrps_memberships_url:
        course.nrps_memberships_url = ctx.nrps_memberships_url
    _upsert(User, {"issuer": ctx.issuer, "sub": ctx.user_sub}, name=ctx.user_name, email=ctx.user_email)
    activity = _upsert(
        Activity,
        {"course_id": course.id, "resource_link_id": ctx.resource_link_id},
        title=ctx.resource_link_title,
        client_id=ctx.client_id,
        deployment_id=ctx.deployment_id,
        platform_family=ctx.platform_family,
    )
    if ctx.ags_lineitem_url:
        activity.ags_lineitem_url = ctx.ags_lineitem_url
    if not activity.phase:
        _configure_from_custom(activity, ctx.custom)
    db.session.commit()

    if ctx.is_instructor:
        return redirect(url_for("instructor.results", launch_id=ctx.launch_id))  # type: ignore[return-value]
    if get_phase(activity.phase) is None:
        return Response(render_template("not_configured.html"), status=409)
    if _latest_attempt(ctx) is None:
        start_attempt(activity, ctx)
    return redirect(url_for("student.activity", launch_id=ctx.launch_id))  # type: ignore[return-value]


def _configure_from_custom(activity: Activity, custom: dict[str, str]) -> None:
    activity.phase = (custom.get("phase") or "").strip()
    activity.scenario = (custom.get("scenario") or "").strip()
    activity.options = {k: custom[k] for k in ACTIVITY_OPTION_KEYS if custom.get(k)}
    try:
        activity.max_attempts = max(1, min(20, int(custom.get("max_attempts") or 1)))
    except ValueError:
        activity.max_attempts = 1


def _latest_attempt(ctx: LaunchContext) -> Attempt | None:
    from lti_app.access import current_attempt

    return current_attempt(ctx)


def start_attempt(activity: Activity, ctx: LaunchContext) -> Attempt:
    from lti_app.access import user_for

    phase = get_phase(activity.phase)
    assert phase is not None
    previous = _latest_attempt(ctx)
    attempt = Attempt(
        activity_id=activity.id,
        user_id=user_for(ctx).id,
        number=(previous.number + 1) if previous else 1,
        state=phase.adapter.new_state(activity),
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def _upsert(model: Any, keys: dict[str, Any], **values: Any) -> Any:
    """Get-or-create on a unique key, tolerating a concurrent launch creating the same row."""
    row = db.session.scalar(select(model).filter_by(**keys))
    if row is None:
        try:
            with db.session.begin_nested():
                row = model(**keys, **values)
                db.session.add(row)
        except IntegrityError:
            row = db.session.scalar(select(model).filter_by(**keys))
            if row is None:  # not a race on the unique key: a real constraint violation
                raise
    for name, value in values.items():
        if value:
            setattr(row, name, value)
    db.session.flush()
    return row
