"""Authorisation: every request is checked against the launch that opened it.

``require_launch`` reads the launch and what it opened — course, activity, user, their latest attempt and their
accommodation on the activity, and whether they have a grade there and the attempt a submission or a draft — in one
joined query, and keeps it for the rest of the request, so the guards and lookups that follow (``activity_for``,
``user_for``, ``current_attempt``, ``accommodation_for``, ``draft_of``, the grade policy note) cost no further query.
What is kept belongs to the database session: a commit or a rollback drops it, and writing a row of a kind drops what
was kept of that kind (a flush of it, or an INSERT, UPDATE or DELETE statement on its table); the latest attempt is
handed out once (the next ``current_attempt`` asks the database again), so a new attempt started in the same request
is always seen.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import abort
from sqlalchemy import Select, and_, bindparam, event, literal, select
from sqlalchemy.orm import ORMExecuteState, Session, aliased

from lti_app.extensions import db
from lti_app.lti.context import LaunchContext
from lti_app.models import Accommodation, Activity, Attempt, Course, Draft, GradeRow, Passback, Submission, User

_KEPT = "cr_launch_rows"  # key in Session.info: launch_id -> LaunchRows


@dataclass
class LaunchRows:
    """Rows a launch leads to, read together; None where a row does not exist (yet)."""

    course: Course | None
    activity: Activity | None
    user: User | None
    attempt: Attempt | None
    attempt_known: bool = True  # False once the latest attempt was handed out (ask the database again)
    accommodation: Accommodation | None = None
    accommodation_known: bool = False  # True when ``accommodation`` was read with the rows (None: there is none)
    graded: bool | None = None  # whether the learner has any grade in the activity; None: not read (ask)
    # (latest attempt's id, whether it has any submission, whether it has a saved draft), as read; None: not read
    attempt_facts: tuple[int, bool | None, bool | None] | None = None


@cache  # built once: constructing a statement of this size costs more than running it
def _launch_and_rows() -> Select[Any]:
    from lti_app.models.lti import LtiLaunch

    claims = LtiLaunch.data
    graded_attempt = aliased(Attempt)  # not the outer query's attempt: any of the learner's attempts
    graded = (select(GradeRow.id).join(graded_attempt, graded_attempt.id == GradeRow.attempt_id)
              .where(graded_attempt.activity_id == Activity.id, graded_attempt.user_id == User.id).exists())
    # Of the latest attempt: whether it has any submission (Run or Submit) and a saved draft.
    submitted = select(Submission.id).where(Submission.attempt_id == Attempt.id).exists()
    drafted = select(Draft.attempt_id).where(Draft.attempt_id == Attempt.id).exists()
    return (
        select(LtiLaunch, Course, Activity, User, Attempt, Accommodation, graded.label("graded"),
               submitted.label("submitted"), drafted.label("drafted"))
        .outerjoin(Course, and_(Course.issuer == LtiLaunch.issuer,
                                Course.context_id == claims["context_id"].as_string()))
        .outerjoin(Activity, and_(Activity.course_id == Course.id,
                                  Activity.resource_link_id == claims["resource_link_id"].as_string()))
        .outerjoin(User, and_(User.issuer == LtiLaunch.issuer, User.sub == LtiLaunch.user_sub))
        .outerjoin(Attempt, and_(Attempt.activity_id == Activity.id, Attempt.user_id == User.id))
        .outerjoin(Accommodation, and_(Accommodation.activity_id == Activity.id, Accommodation.user_id == User.id))
        .where(LtiLaunch.launch_id == bindparam("launch_id"))
        .order_by(Attempt.number.desc())
        .limit(1)
    )


@cache
def _rows() -> Select[Any]:
    anchor = select(literal(1).label("one")).subquery("anchor")
    return joined_launch_rows(select(anchor.c.one).select_from(anchor))


def joined_launch_rows(statement: Select[Any]) -> Select[Any]:
    """``statement`` (of at most one row) with what a launch being accepted leads to as its last five columns —
    course, activity, user, their latest attempt and accommodation, any of which may not exist yet — outer-joined on
    the bind parameters ``issuer``, ``context_id``, ``resource_link_id`` and ``sub`` (see ``rows_from``)."""
    return (
        statement.add_columns(Course, Activity, User, Attempt, Accommodation)
        .outerjoin(Course, and_(Course.issuer == bindparam("issuer"), Course.context_id == bindparam("context_id")))
        .outerjoin(Activity, and_(Activity.course_id == Course.id,
                                  Activity.resource_link_id == bindparam("resource_link_id")))
        .outerjoin(User, and_(User.issuer == bindparam("issuer"), User.sub == bindparam("sub")))
        .outerjoin(Attempt, and_(Attempt.activity_id == Activity.id, Attempt.user_id == User.id))
        .outerjoin(Accommodation, and_(Accommodation.activity_id == Activity.id, Accommodation.user_id == User.id))
        .order_by(Attempt.number.desc())
        .limit(1)
    )


def rows_from(row: Any) -> LaunchRows:
    """The LaunchRows in the last five columns of a row of a ``joined_launch_rows`` statement."""
    return _launch_rows_of(*row[-5:])


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
    rows = _launch_rows_of(*row[1:6])
    rows.graded = bool(row[6]) if rows.accommodation_known else None
    if rows.attempt is not None:
        rows.attempt_facts = (rows.attempt.id, bool(row[7]), bool(row[8]))
    keep_rows(ctx, rows)
    return ctx


def _launch_rows_of(course: Course | None, activity: Activity | None, user: User | None, attempt: Attempt | None,
                    accommodation: Accommodation | None) -> LaunchRows:
    # Without both the activity and the user there was nothing to join an accommodation to: not known.
    known = activity is not None and user is not None
    return LaunchRows(course=course, activity=activity, user=user, attempt=attempt, accommodation=accommodation,
                      accommodation_known=known)


def launch_rows(ctx: LaunchContext) -> LaunchRows:
    """What a launch being accepted leads to (any of it may not exist yet), in one joined query."""
    row = db.session.execute(_rows(), {"issuer": ctx.issuer, "context_id": ctx.context_id,
                                       "resource_link_id": ctx.resource_link_id, "sub": ctx.user_sub}).one()
    return rows_from(row)


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
def _forget_written(session: Session, _context: Any) -> None:
    kept = session.info.get(_KEPT)
    if not kept:
        return
    written = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(o, Attempt) for o in written):
        forget_attempts(session)
    if any(isinstance(o, Accommodation) for o in written):
        for rows in kept.values():
            rows.accommodation, rows.accommodation_known = None, False
    if any(isinstance(o, GradeRow | Passback) for o in written):
        for rows in kept.values():
            rows.graded = None
    if any(isinstance(o, Submission | Draft) for o in written):
        _forget_attempt_facts(session)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_statements(state: ORMExecuteState) -> None:
    """The same for INSERT, UPDATE and DELETE statements run through the session outside the unit of work (such
    as ``launches.start_attempt``'s insert of the attempt)."""
    if not (state.is_insert or state.is_update or state.is_delete) or not state.session.info.get(_KEPT):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    kept = state.session.info[_KEPT].values()
    if table == Attempt.__tablename__:
        forget_attempts(state.session)
    elif table == Accommodation.__tablename__:
        for rows in kept:
            rows.accommodation, rows.accommodation_known = None, False
    elif table in (GradeRow.__tablename__, Passback.__tablename__):
        for rows in kept:
            rows.graded = None
    elif table in (Submission.__tablename__, Draft.__tablename__):
        _forget_attempt_facts(state.session)


def _forget_attempt_facts(session: Session) -> None:
    for rows in (session.info.get(_KEPT) or {}).values():
        rows.attempt_facts = None


def forget_attempts(session: Session) -> None:
    """Drop the kept latest attempts: an attempt was written."""
    for rows in (session.info.get(_KEPT) or {}).values():
        rows.attempt, rows.attempt_known = None, False


def kept_graded(activity_id: int, user_id: int) -> bool | None:
    """Whether the learner has any grade in the activity, when it was read with the rows of a launch in this
    request (``require_launch``), else None: ask the database. Not trusted while a grade waits unflushed."""
    rows = _kept_for(activity_id, user_id)
    if rows is None or rows.graded is None:
        return None
    if any(isinstance(o, GradeRow | Passback) for o in (*db.session.new, *db.session.dirty)):
        return None
    return rows.graded


def kept_attempt_facts(attempt_id: int) -> tuple[bool | None, bool | None]:
    """(whether the attempt has any submission, whether it has a saved draft) when read with the rows of a launch
    in this request (the attempt was its latest), else (None, None): ask the database. Not trusted while a
    submission or draft waits unflushed."""
    for rows in (db.session.info.get(_KEPT) or {}).values():
        if rows.attempt_facts is not None and rows.attempt_facts[0] == attempt_id:
            if any(isinstance(o, Submission | Draft) for o in (*db.session.new, *db.session.dirty)):
                return None, None
            return rows.attempt_facts[1], rows.attempt_facts[2]
    return None, None


def _kept_for(activity_id: int, user_id: int) -> LaunchRows | None:
    for rows in (db.session.info.get(_KEPT) or {}).values():
        if (rows.activity is not None and rows.user is not None
                and rows.activity.id == activity_id and rows.user.id == user_id):
            return rows
    return None


def kept_accommodation(activity_id: int, user_id: int) -> tuple[bool, Accommodation | None]:
    """(True, the accommodation or None) when it was read with the rows of a launch in this request, else
    (False, None): ask the database. Not trusted while an accommodation waits in the session unflushed."""
    rows = _kept_for(activity_id, user_id)
    if rows is None or not rows.accommodation_known:
        return False, None
    if any(isinstance(o, Accommodation) for o in (*db.session.new, *db.session.dirty)):
        return False, None
    return True, rows.accommodation


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
