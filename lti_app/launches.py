"""What happens after the LTI layer has validated a resource-link launch."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, redirect, render_template, url_for
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from grader.phases.options import ATTEMPTS_RANGE, OPTION_NAMES, TIME_LIMIT_RANGE, InvalidOption, clean_option
from lti_app.extensions import db
from lti_app.lti.context import LaunchContext
from lti_app.models import Activity, Attempt, AttemptStatus, Course, User, utcnow
from lti_app.phases import get_phase
from lti_app.workbench.accommodations import accommodation_for
from lti_app.workbench.clock import deadline_for

# Options kept in Activity.options (the scenario and attempts allowed have their own columns). Only those the
# activity's phase honours (its PhaseInfo.options) are stored; anything else in the custom parameters is ignored.
ACTIVITY_OPTION_KEYS = ("difficulty", "language", "time_limit", "grade_policy", "submission_policy", "max_submits")
KEEP_ZERO = frozenset({"max_submits"})  # "0" means no limit here, not "unset" (as a time limit of 0 does)
log = logging.getLogger(__name__)


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

    if not activity.phase:  # a link without CodeResidency parameters: configured in place by an instructor
        if ctx.is_instructor:
            return redirect(url_for("lti.configure", launch_id=ctx.launch_id))  # type: ignore[return-value]
        return Response(render_template("not_configured.html", ctx=ctx, activity=activity), status=200)
    if ctx.is_instructor:
        return redirect(url_for("instructor.results", launch_id=ctx.launch_id))  # type: ignore[return-value]
    if get_phase(activity.phase) is None:  # names a phase this tool does not offer
        return Response(render_template("not_configured.html", ctx=ctx, activity=activity), status=409)
    if _latest_attempt(ctx) is None:
        start_attempt(activity, ctx)
    return redirect(url_for("student.activity", launch_id=ctx.launch_id))  # type: ignore[return-value]


def configure_in_place(activity: Activity, phase: str, options: dict[str, str]) -> bool:
    """Give a link that came without CodeResidency parameters its phase and options (the instructor's picker,
    checked by lti_app.lti.deep_linking.parse_choice), stored as a deep-linked link's custom parameters would
    be. Only a link still unconfigured is changed: False when someone configured it first (nothing changed)."""
    claimed = db.session.execute(
        update(Activity).where(Activity.id == activity.id, Activity.phase == "").values(phase=phase)
    )
    if not claimed.rowcount:
        db.session.rollback()
        return False
    _configure_from_custom(activity, {"phase": phase, **options})
    db.session.commit()
    log.info("activity %s configured in place: phase=%s options=%s", activity.id, activity.phase, activity.options)
    return True


def _configure_from_custom(activity: Activity, custom: dict[str, str]) -> None:
    """Store the phase and the options it honours, checked; a bad value falls back to the option's default."""
    activity.phase = (custom.get("phase") or "").strip()
    phase = get_phase(activity.phase)
    honoured = phase.info.options if phase is not None else frozenset()
    ignored = sorted(k for k in OPTION_NAMES if custom.get(k) and k not in honoured)
    if ignored:
        log.info("activity %s: phase %r does not use option(s) %s; ignored", activity.id, activity.phase, ignored)
    activity.scenario = (custom.get("scenario") or "").strip()[:128] if "scenario" in honoured else ""
    activity.max_attempts = _whole(custom.get("max_attempts"), ATTEMPTS_RANGE, 1) if "max_attempts" in honoured else 1
    options: dict[str, str] = {}
    for key in ACTIVITY_OPTION_KEYS:
        raw = custom.get(key)
        if not raw or key not in honoured:
            continue
        try:
            value = str(_whole(raw, TIME_LIMIT_RANGE, 0)) if key == "time_limit" else clean_option(key, raw)
        except InvalidOption as exc:
            log.warning("activity %s: %s; using the default", activity.id, exc)
            continue
        if value and (value != "0" or key in KEEP_ZERO):
            options[key] = value
    activity.options = options


def _whole(raw: str | None, bounds: tuple[int, int], default: int) -> int:
    """A whole number clamped into ``bounds``; ``default`` when there is none."""
    try:
        return max(bounds[0], min(bounds[1], int(str(raw or default).strip())))
    except ValueError:
        return default


def _latest_attempt(ctx: LaunchContext) -> Attempt | None:
    from lti_app.access import current_attempt

    return current_attempt(ctx)


def start_attempt(activity: Activity, ctx: LaunchContext) -> Attempt:
    """Start the learner's next attempt. The database allows one open attempt per learner and activity: when
    a concurrent request (a second first launch, a double-clicked "new attempt") started one first, this
    returns that attempt instead of a second one."""
    from lti_app.access import user_for

    phase = get_phase(activity.phase)
    assert phase is not None
    previous = _latest_attempt(ctx)
    user = user_for(ctx)
    started = utcnow()
    attempt = Attempt(
        activity_id=activity.id,
        user_id=user.id,
        number=(previous.number + 1) if previous else 1,
        state=phase.adapter.new_state(activity),
        started_at=started,
        deadline_at=deadline_for(activity, accommodation_for(activity.id, user.id), started),
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        winner = db.session.scalar(
            select(Attempt).where(Attempt.activity_id == activity.id, Attempt.user_id == user.id,
                                  Attempt.status == AttemptStatus.OPEN)
        )
        if winner is None:  # not the one-open-attempt index: a real constraint violation
            raise
        db.session.commit()
        log.info("attempt %s of activity %s was started by a concurrent request; using it", winner.id, activity.id)
        return winner
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
