"""What happens after the LTI layer has validated a resource-link launch."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from flask import Response, redirect, render_template, url_for
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached

from grader.phases.options import ATTEMPTS_RANGE, OPTION_NAMES, TIME_LIMIT_RANGE, InvalidOption, clean_option
from lti_app.access import LaunchRows, keep_rows, launch_rows
from lti_app.extensions import db
from lti_app.lti.context import LaunchContext
from lti_app.models import Activity, Attempt, AttemptStatus, Course, User, utcnow
from lti_app.phases import NewAttempt, get_phase
from lti_app.phases.registry import offers_languages, offers_pool
from lti_app.workbench.accommodations import accommodation_for
from lti_app.workbench.clock import deadline_for

# Options kept in Activity.options (the scenario and attempts allowed have their own columns, except a phase's
# scenario pool, kept here as "scenario"). Only those the activity's phase honours (its PhaseInfo.options) are
# stored; anything else in the custom parameters is ignored.
ACTIVITY_OPTION_KEYS = ("difficulty", "language", "time_limit", "grade_policy", "submission_policy", "max_submits",
                        "hints", "seeding", "level", "after", "show_answers")
# "0" means something here (no limit on Submits, no hints), not "unset" (as a time limit of 0 does).
KEEP_ZERO = frozenset({"max_submits", "hints"})
log = logging.getLogger(__name__)


def on_resource_launch(ctx: LaunchContext, rows: LaunchRows | None = None) -> Response:
    """Record who launched what, then send instructors to results and learners to their attempt.

    ``rows``: what the launch leads to, read by the caller before it wrote anything (``access.launch_rows``: course,
    user, activity and latest attempt in one query); read here otherwise. Everything is committed once, with
    whatever the caller wrote before (the launch record and its nonce): the new attempt's commit when one starts.
    """
    rows = rows or launch_rows(ctx)
    course, _ = _upsert(Course, {"issuer": ctx.issuer, "context_id": ctx.context_id}, rows.course,
                        title=ctx.context_title)
    if ctx.nrps_memberships_url and course.nrps_memberships_url != ctx.nrps_memberships_url:
        course.nrps_memberships_url = ctx.nrps_memberships_url
    user, new_user = _upsert(User, {"issuer": ctx.issuer, "sub": ctx.user_sub}, rows.user, name=ctx.user_name,
                             email=ctx.user_email)
    activity, new_activity = _upsert(
        Activity,
        {"course_id": course.id, "resource_link_id": ctx.resource_link_id},
        rows.activity,
        title=ctx.resource_link_title,
        client_id=ctx.client_id,
        deployment_id=ctx.deployment_id,
        platform_family=ctx.platform_family,
    )
    if ctx.ags_lineitem_url and activity.ags_lineitem_url != ctx.ags_lineitem_url:
        activity.ags_lineitem_url = ctx.ags_lineitem_url
    if not activity.phase:
        _configure_from_custom(activity, ctx.custom)
    db.session.flush()

    if not activity.phase:  # a link without CodeResidency parameters: configured in place by an instructor
        db.session.commit()
        if ctx.is_instructor:
            return redirect(url_for("lti.configure", launch_id=ctx.launch_id))  # type: ignore[return-value]
        return Response(render_template("not_configured.html", ctx=ctx, activity=activity), status=200)
    if ctx.is_instructor:
        db.session.commit()
        return redirect(url_for("instructor.results", launch_id=ctx.launch_id))  # type: ignore[return-value]
    if get_phase(activity.phase) is None:  # names a phase this tool does not offer
        db.session.commit()
        return Response(render_template("not_configured.html", ctx=ctx, activity=activity), status=409)
    if rows.attempt is None:  # (a concurrent first launch may start it meanwhile: start_attempt copes)
        # start_attempt looks for the latest attempt and the user again: hand it what was just read.
        # Its accommodation is known too: read with the rows, or none at all when this transaction created the
        # user or the activity (no other one can have given an accommodation to a row it cannot see yet).
        created = new_user or new_activity
        keep_rows(ctx, LaunchRows(course=course, activity=activity, user=user, attempt=None,
                                  accommodation=None if created else rows.accommodation,
                                  accommodation_known=created or rows.accommodation_known))
        start_attempt(activity, ctx)  # its commit is the launch's only one
    else:
        db.session.commit()
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
    scenario = (custom.get("scenario") or "").strip() if "scenario" in honoured else ""
    options: dict[str, str] = {}
    if offers_pool(phase):  # a comma-separated pool can outgrow the scenario column: it lives in the options
        activity.scenario = ""
        if scenario:
            options["scenario"] = clean_option("scenario", scenario)
    else:
        activity.scenario = scenario[:128]
    activity.max_attempts = _whole(custom.get("max_attempts"), ATTEMPTS_RANGE, 1) if "max_attempts" in honoured else 1
    for key in ACTIVITY_OPTION_KEYS:
        raw = custom.get(key)
        if not raw or key not in honoured:
            continue
        try:
            value = str(_whole(raw, TIME_LIMIT_RANGE, 0)) if key == "time_limit" else clean_option(key, raw)
        except InvalidOption as exc:
            log.warning("activity %s: %s; using the default", activity.id, exc)
            continue
        if key == "language" and "," in value and not offers_languages(phase):
            log.warning("activity %s: phase %r takes one language, not %r; using the default", activity.id,
                        activity.phase, value)
            continue
        # A time limit of 0 (none) is kept where the phase has a limit of its own, which unset would mean.
        keep_zero = key in KEEP_ZERO or (key == "time_limit" and phase is not None and key in phase.info.defaults)
        if value and (value != "0" or keep_zero):
            options[key] = value
    activity.options = options


def scenario_pool(activity: Activity) -> list[str]:
    """The scenario ids an activity of a pool phase draws from ([] = every one the phase serves)."""
    raw = str((activity.options or {}).get("scenario") or activity.scenario or "")
    return [part.strip() for part in raw.split(",") if part.strip()]


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
    number = (previous.number + 1) if previous else 1
    started = utcnow()
    values = {
        "activity_id": activity.id,
        "user_id": user.id,
        "number": number,
        "status": AttemptStatus.OPEN,
        "state": phase.adapter.new_state(activity, NewAttempt(
            user.id, number, _earlier_states(activity.id, user.id) if previous is not None else ())),
        "started_at": started,
        "deadline_at": deadline_for(activity, accommodation_for(activity.id, user.id), started),
        "closed_at": None,
    }
    inserted = _insert_unless_taken(Attempt, values)  # (access.py forgets the kept latest attempt on it)
    if inserted is None:  # the one-open-attempt index: a concurrent request started it first
        winner = db.session.scalar(
            select(Attempt).where(Attempt.activity_id == activity.id, Attempt.user_id == user.id,
                                  Attempt.status == AttemptStatus.OPEN)
        )
        if winner is None:  # refused, yet no open attempt: not the race this tolerates
            raise LookupError(f"attempt {number} of activity {activity.id} was refused and none is open")
        db.session.commit()
        log.info("attempt %s of activity %s was started by a concurrent request; using it", winner.id, activity.id)
        return winner
    db.session.commit()
    return inserted


def _earlier_states(activity_id: int, user_id: int) -> tuple[dict[str, Any], ...]:
    """The learner's earlier attempts' states in this activity, oldest first (for the phase's new_state)."""
    states = db.session.scalars(
        select(Attempt.state).where(Attempt.activity_id == activity_id, Attempt.user_id == user_id)
        .order_by(Attempt.number)
    )
    return tuple(s if isinstance(s, dict) else {} for s in states)


_LOOK_UP = object()


def _upsert(model: Any, keys: dict[str, Any], found: Any = _LOOK_UP, **values: Any) -> tuple[Any, bool]:
    """Get-or-create on a unique key, tolerating a concurrent launch creating the same row: (row, created here).
    ``found``: the row as the caller read it (None: there was none), else it is looked up here. Changed values of a
    row that existed are flushed by the caller."""
    row = db.session.scalar(select(model).filter_by(**keys)) if found is _LOOK_UP else found
    if row is None:
        row = _insert_unless_taken(model, {**keys, **values})
        if row is not None:
            return row, True
        row = db.session.scalar(select(model).filter_by(**keys))  # a concurrent request created it first
        if row is None:  # refused, yet no such row: not the race this tolerates
            raise LookupError(f"{model.__tablename__} {keys} was refused and does not exist")
    for name, value in values.items():
        if value and getattr(row, name) != value:  # an unchanged row stays clean: nothing for the flush to compare
            setattr(row, name, value)
    return row, False


def _insert_unless_taken(model: Any, values: dict[str, Any]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING the row (PostgreSQL and SQLite alike): the new row, in the session
    as if it had been loaded, or None when a unique key is already taken (committed, or by a concurrent transaction
    that commits first). One Core statement instead of a savepoint, a flush and its release (or the ORM's bulk insert,
    as costly); any other violation raises. The row is added as loaded, so the unit of work sees no change in it."""
    statement, attributes, column_of = _insert_returning(model, db.session.get_bind().dialect.name)
    row = db.session.execute(statement, {column_of[key]: value for key, value in values.items()}).first()
    if row is None:
        return None
    instance = model(**{key: row[i] for i, key in enumerate(attributes)})
    make_transient_to_detached(instance)  # persistent and clean once added: exactly what the database returned
    db.session.add(instance)
    return instance


@cache  # built once per model and dialect, run with parameters
def _insert_returning(model: Any, dialect: str) -> tuple[Any, tuple[str, ...], dict[str, str]]:
    """(the statement, the attributes its RETURNING columns fill in order, attribute name -> column name)."""
    attributes = sa_inspect(model).column_attrs
    statement = _INSERTS[dialect](model.__table__).on_conflict_do_nothing().returning(
        *(a.columns[0] for a in attributes))
    return statement, tuple(a.key for a in attributes), {a.key: a.columns[0].key for a in attributes}


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
