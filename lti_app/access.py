"""Authorisation: every request is checked against the launch that opened it.

``require_launch`` reads the launch and what it opened — course, activity, user and their latest attempt — in one
joined query, and keeps those rows for the rest of the request, so the guards that follow (``activity_for``,
``user_for``, ``current_attempt``) cost no further query. What is kept belongs to the database session: a commit
or a rollback drops it, and so does a flush that writes an attempt; the latest attempt is handed out once (the
next ``current_attempt`` asks the database again), so a new attempt started in the same request is always seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import abort
from sqlalchemy import Select, and_, bindparam, event, literal, select
from sqlalchemy.orm import Session

from lti_app.extensions import db
from lti_app.lti.context import LaunchContext
from lti_app.models import Activity, Attempt, Course, User

_KEPT = "cr_launch_rows"  # key in Session.info: launch_id -> LaunchRows


@dataclass
class LaunchRows:
    """Rows a launch leads to, read together; None where a row does not exist (yet)."""

    course: Course | None
    activity: Activity | None
    user: User | None
    attempt: Attempt | None
    attempt_known: bool = True  # False once the latest attempt was handed out (ask the database again)


@cache  # built once: constructing a statement of this size costs more than running it
def _launch_and_rows() -> Select[Any]:
    from lti_app.models.lti import LtiLaunch

    claims = LtiLaunch.data
    return (
        select(LtiLaunch, Course, Activity, User, Attempt)
        .outerjoin(Course, and_(Course.issuer == LtiLaunch.issuer,
                                Course.context_id == claims["context_id"].as_string()))
        .outerjoin(Activity, and_(Activity.course_id == Course.id,
                                  Activity.resource_link_id == claims["resource_link_id"].as_string()))
        .outerjoin(User, and_(User.issuer == LtiLaunch.issuer, User.sub == LtiLaunch.user_sub))
        .outerjoin(Attempt, and_(Attempt.activity_id == Activity.id, Attempt.user_id == User.id))
        .where(LtiLaunch.launch_id == bindparam("launch_id"))
        .order_by(Attempt.number.desc())
        .limit(1)
    )


@cache
def _rows() -> Select[Any]:
    anchor = select(literal(1).label("one")).subquery("anchor")
    return (
        select(Course, Activity, User, Attempt)
        .select_from(anchor)
        .outerjoin(Course, and_(Course.issuer == bindparam("issuer"), Course.context_id == bindparam("context_id")))
        .outerjoin(Activity, and_(Activity.course_id == Course.id,
                                  Activity.resource_link_id == bindparam("resource_link_id")))
        .outerjoin(User, and_(User.issuer == bindparam("issuer"), User.sub == bindparam("sub")))
        .outerjoin(Attempt, and_(Attempt.activity_id == Activity.id, Attempt.user_id == User.id))
        .order_by(Attempt.number.desc())
        .limit(1)
    )


def require_launch(launch_id: str, *, instructor: bool = False) -> LaunchContext:
    from lti_app.lti.launch_store import RESOURCE_LINK, live

    row = None
    if launch_id and len(launch_id) <= 64:
        row = db.session.execute(_launch_and_rows(), {"launch_id": launch_id}).first()
    record = row[0] if row is not None else None
    if record is None or not live(record, RESOURCE_LINK):
        abort(401, description="launch_expired: open the activity again from your course")
    ctx = LaunchContext.from_dict(record.data)
    if instructor and not ctx.is_instructor:
        abort(403, description="not_instructor: this page is for the course's instructors")
    keep_rows(ctx, LaunchRows(course=row[1], activity=row[2], user=row[3], attempt=row[4]))
    return ctx


def launch_rows(ctx: LaunchContext) -> LaunchRows:
    """What a launch being accepted leads to (any of it may not exist yet), in one joined query."""
    row = db.session.execute(_rows(), {"issuer": ctx.issuer, "context_id": ctx.context_id,
                                       "resource_link_id": ctx.resource_link_id, "sub": ctx.user_sub}).one()
    return LaunchRows(course=row[0], activity=row[1], user=row[2], attempt=row[3])


def keep_rows(ctx: LaunchContext, rows: LaunchRows) -> None:
    """Remember what ``ctx`` leads to until the session commits, rolls back or writes an attempt."""
    db.session.info.setdefault(_KEPT, {})[ctx.launch_id] = rows


def _kept(ctx: LaunchContext) -> LaunchRows | None:
    kept = db.session.info.get(_KEPT)
    return kept.get(ctx.launch_id) if kept else None


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget_rows(session: Session, *_: Any) -> None:
    session.info.pop(_KEPT, None)


@event.listens_for(Session, "after_flush")
def _forget_attempts(session: Session, _context: Any) -> None:
    kept = session.info.get(_KEPT)
    if kept and any(isinstance(o, Attempt) for o in (*session.new, *session.dirty, *session.deleted)):
        for rows in kept.values():
            rows.attempt, rows.attempt_known = None, False


def course_for(ctx: LaunchContext) -> Course | None:
    rows = _kept(ctx)
    if rows is not None and rows.course is not None:
        return rows.course
    return db.session.scalar(select(Course).where(Course.issuer == ctx.issuer, Course.context_id == ctx.context_id))


def activity_for(ctx: LaunchContext) -> Activity:
    rows = _kept(ctx)
    activity = rows.activity if rows is not None else None
    if activity is None:
        activity = db.session.scalar(
            select(Activity)
            .join(Course, Course.id == Activity.course_id)
            .where(Course.issuer == ctx.issuer, Course.context_id == ctx.context_id,
                   Activity.resource_link_id == ctx.resource_link_id)
        )
    if activity is None:
        abort(404, description="activity_unknown: launch the activity again from your course")
    return activity


def user_for(ctx: LaunchContext) -> User:
    rows = _kept(ctx)
    user = rows.user if rows is not None else None
    if user is None:
        user = db.session.scalar(select(User).where(User.issuer == ctx.issuer, User.sub == ctx.user_sub))
    if user is None:
        abort(404, description="user_unknown: launch the activity again from your course")
    return user


def current_attempt(ctx: LaunchContext) -> Attempt | None:
    rows = _kept(ctx)
    if rows is not None and rows.attempt_known and rows.activity is not None and rows.user is not None:
        rows.attempt_known = False  # handed out once: a later call reads the database again
        attempt, rows.attempt = rows.attempt, None
        return attempt
    activity, user = activity_for(ctx), user_for(ctx)
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.activity_id == activity.id, Attempt.user_id == user.id)
        .order_by(Attempt.number.desc())
        .limit(1)
    )


def attempt_in_activity(ctx: LaunchContext, attempt_id: int) -> Attempt:
    """An instructor may reach only attempts of the activity their launch opened."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.activity_id != activity_for(ctx).id:
        abort(404, description="attempt_unknown: launch the activity again from your course")
    return attempt
