"""Authorisation: every request is checked against the launch that opened it."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.lti.context import LaunchContext
from lti_app.models import Activity, Attempt, Course, User


def require_launch(launch_id: str, *, instructor: bool = False) -> LaunchContext:
    from lti_app.lti.launch_store import load_launch

    ctx = load_launch(launch_id)
    if ctx is None:
        abort(401, description="launch_expired: open the activity again from your course")
    if instructor and not ctx.is_instructor:
        abort(403, description="not_instructor: this page is for the course's instructors")
    return ctx


def course_for(ctx: LaunchContext) -> Course | None:
    return db.session.scalar(select(Course).where(Course.issuer == ctx.issuer, Course.context_id == ctx.context_id))


def activity_for(ctx: LaunchContext) -> Activity:
    course = course_for(ctx)
    activity = (
        db.session.scalar(
            select(Activity).where(Activity.course_id == course.id, Activity.resource_link_id == ctx.resource_link_id)
        )
        if course
        else None
    )
    if activity is None:
        abort(404, description="activity_unknown: launch the activity again from your course")
    return activity


def user_for(ctx: LaunchContext) -> User:
    user = db.session.scalar(select(User).where(User.issuer == ctx.issuer, User.sub == ctx.user_sub))
    if user is None:
        abort(404, description="user_unknown: launch the activity again from your course")
    return user


def current_attempt(ctx: LaunchContext) -> Attempt | None:
    activity, user = activity_for(ctx), user_for(ctx)
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.activity_id == activity.id, Attempt.user_id == user.id)
        .order_by(Attempt.number.desc())
    )


def attempt_in_activity(ctx: LaunchContext, attempt_id: int) -> Attempt:
    """An instructor may reach only attempts of the activity their launch opened."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.activity_id != activity_for(ctx).id:
        abort(404, description="attempt_unknown: launch the activity again from your course")
    return attempt
