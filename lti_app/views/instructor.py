"""The instructor's side: results for the activity their launch opened, breakdowns, resend, regrade,
accommodations (extra time and attempts per student) and a CSV export of the results."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from grader.scoring import format_score
from grader.workbench.grade_policy import ATTEMPT_POLICY_WORDS, attempt_policy_of, submission_policy_of
from lti_app.access import activity_for, attempt_in_activity, require_launch
from lti_app.errors import refuse
from lti_app.extensions import db
from lti_app.grading import counting_grade, gradebook_passback, request_evaluation, resend
from lti_app.lti.context import LaunchContext
from lti_app.models import (
    Accommodation,
    Activity,
    Attempt,
    AttemptStatus,
    Evaluation,
    GradeRow,
    Message,
    Passback,
    Submission,
    User,
    WorkStatus,
)
from lti_app.phases import get_phase
from lti_app.phases.registry import ExplainsAttempt, NarratesTranscript, TranscriptLine, activity_options
from lti_app.security import check_csrf
from lti_app.views.status import latest_grade, passback_state, work_state
from lti_app.workbench.accommodations import (
    InvalidAccommodation,
    accommodation_for,
    attempts_allowed,
    describe,
    parse_accommodation,
)
from lti_app.workbench.clock import deadline_for
from lti_app.workbench.submissions import PENDING, counting_submission

bp = Blueprint("instructor", __name__)
log = logging.getLogger(__name__)

# Why a grade exists, for the attempt page and the CSV.
REASON_WORDS = {"finish": "finished by the student", "deadline": "closed at the deadline",
                "regrade": "regraded by an instructor"}
ACCOMMODATION_FIELDS = ("time_multiplier", "extra_minutes", "extra_attempts", "note")
CSV_COLUMNS = ("student name", "email", "sub", "attempt", "status", "score", "letter", "counted by policy",
               "gradebook state")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ResultRow:
    name: str
    email: str
    sub: str
    roles: str = ""
    attempts: list[dict[str, Any]] = field(default_factory=list)
    user_id: int | None = None
    accommodation: Accommodation | None = None
    attempts_allowed: int = 1
    # The accommodation form as sent, with its error, when it was refused (nothing typed is lost).
    form: dict[str, str] | None = None
    form_error: str = ""

    @property
    def accommodation_summary(self) -> str:
        return describe(self.accommodation)

    def form_value(self, name: str) -> str:
        if self.form is not None:
            return self.form.get(name, "")
        acc = self.accommodation
        if acc is None:
            return {"time_multiplier": "1", "extra_minutes": "0", "extra_attempts": "0"}.get(name, "")
        value = getattr(acc, name)
        return f"{value:g}" if isinstance(value, float) else str(value)


def _result_rows(ctx: LaunchContext, activity: Activity) -> tuple[list[ResultRow], str]:
    """Every learner (roster and whoever launched) with their attempts: grade, whether the attempt policy
    counts it, what the gradebook holds, and their accommodation."""
    roster, roster_error = _roster(ctx)
    rows: dict[str, ResultRow] = {
        m.user_sub: ResultRow(m.name, m.email, m.user_sub, ", ".join(m.roles)) for m in roster
    }
    attempts = db.session.scalars(select(Attempt).where(Attempt.activity_id == activity.id).order_by(Attempt.id)).all()
    per_user: dict[int, tuple[GradeRow | None, Passback | None]] = {}
    for attempt in attempts:
        user = attempt.user
        row = rows.setdefault(user.sub, ResultRow(user.name, user.email, user.sub))
        row.user_id = user.id
        if user.id not in per_user:
            per_user[user.id] = (counting_grade(activity, user.id), gradebook_passback(activity.id, user.id))
        counted, delivery = per_user[user.id]
        grade = latest_grade(attempt)
        row.attempts.append(
            {
                "attempt": attempt,
                "grade": grade,
                "counted": grade is not None and counted is not None and counted.id == grade.id,
                # The gradebook's newest delivery, on the row of the attempt whose grade it carries.
                "passback": passback_state(delivery)
                if delivery is not None and delivery.grade.attempt_id == attempt.id else None,
            }
        )
    for row in rows.values():
        if row.user_id is None:
            row.user_id = db.session.scalar(select(User.id).where(User.issuer == ctx.issuer, User.sub == row.sub))
        row.accommodation = accommodation_for(activity.id, row.user_id) if row.user_id is not None else None
        row.attempts_allowed = attempts_allowed(activity, row.accommodation)
    learners = [r for r in rows.values() if r.attempts or "Learner" in r.roles or not r.roles]
    return learners, roster_error


def _render_results(ctx: LaunchContext, activity: Activity, *, refused: tuple[str, str, dict[str, str]] | None = None,
                    status: int = 200) -> Any:
    rows, roster_error = _result_rows(ctx, activity)
    if refused is not None:
        sub, error, form = refused
        for row in rows:
            if row.sub == sub:
                row.form, row.form_error = form, error
    saved = request.args.get("saved", type=int)
    return render_template(
        "instructor/results.html", ctx=ctx, activity=activity, rows=rows, roster_error=roster_error,
        policy_words=ATTEMPT_POLICY_WORDS[attempt_policy_of(activity.options)],
        saved=next((r for r in rows if saved is not None and r.user_id == saved), None),
    ), status


@bp.get("/i/<launch_id>")
def results(launch_id: str):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id, instructor=True)
    return _render_results(ctx, activity_for(ctx))


@bp.get("/i/<launch_id>/results.csv")
def results_csv(launch_id: str):  # type: ignore[no-untyped-def]
    """The results table as CSV: one row per attempt (and one per roster student who has not started)."""
    ctx = require_launch(launch_id, instructor=True)
    activity = activity_for(ctx)
    rows, _ = _result_rows(ctx, activity)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        student = [_cell(row.name), _cell(row.email), _cell(row.sub)]
        if not row.attempts:
            writer.writerow([*student, "", "not started", "", "", "no", ""])
        for a in row.attempts:
            grade = a["grade"]
            writer.writerow([
                *student,
                a["attempt"].number,
                _cell(str(a["attempt"].status)),
                format_score(grade.score) if grade is not None else "",
                _cell(grade.letter) if grade is not None else "",
                "yes" if a["counted"] else "no",
                _cell(a["passback"]["state"]) if a["passback"] else "",
            ])
    name = "".join(c if c.isalnum() else "-" for c in (activity.title or activity.phase or "activity"))[:60]
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="results-{name}.csv"'})


def _cell(value: str) -> str:
    """A text cell a spreadsheet will not run: one starting like a formula gets a leading apostrophe."""
    value = value or ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@bp.post("/i/<launch_id>/accommodations")
def set_accommodation(launch_id: str):  # type: ignore[no-untyped-def]
    """Upsert one student's accommodation on this activity. More time also moves the deadline of their open
    attempt (recomputed from when it started); more attempts let them start another at once."""
    ctx = require_launch(launch_id, instructor=True)
    check_csrf(launch_id)
    activity = activity_for(ctx)
    sub = (request.form.get("sub") or "").strip()
    form = {name: request.form.get(name, "")[:400] for name in ACCOMMODATION_FIELDS}
    user = _student_of(ctx, activity, sub)
    try:
        values = parse_accommodation(form)
    except InvalidAccommodation as exc:
        return _render_results(ctx, activity, refused=(sub, str(exc), form), status=400)
    accommodation = _accommodation_row(activity.id, user.id)
    for name, value in values.items():
        setattr(accommodation, name, value)
    for attempt in db.session.scalars(
        select(Attempt).where(Attempt.activity_id == activity.id, Attempt.user_id == user.id,
                              Attempt.status == AttemptStatus.OPEN)
    ):
        attempt.deadline_at = deadline_for(activity, accommodation, attempt.started_at)
    db.session.commit()
    log.info("accommodation for user %s on activity %s set: %s", user.id, activity.id, describe(accommodation))
    return redirect(url_for("instructor.results", launch_id=launch_id, saved=user.id) + f"#student-{user.id}",
                    code=303)


def _student_of(ctx: LaunchContext, activity: Activity, sub: str) -> User:
    """The student ``sub`` of this instructor's activity: one who has an attempt in it, or one on its
    course roster (then their user row is created from the roster). Anyone else is refused."""
    user = db.session.scalar(select(User).where(User.issuer == ctx.issuer, User.sub == sub)) if sub else None
    if user is not None and db.session.scalar(
        select(Attempt.id).where(Attempt.activity_id == activity.id, Attempt.user_id == user.id).limit(1)
    ) is not None:
        return user
    roster, _ = _roster(ctx) if sub else ([], "")
    member = next((m for m in roster if m.user_sub == sub), None)
    if member is None:
        refuse(404, "student_unknown", "this student has not opened this activity and is not on the course roster")
    if user is None:
        user = User(issuer=ctx.issuer, sub=sub, name=member.name, email=member.email)
        db.session.add(user)
        db.session.flush()
    return user


def _accommodation_row(activity_id: int, user_id: int) -> Accommodation:
    row = accommodation_for(activity_id, user_id)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = Accommodation(activity_id=activity_id, user_id=user_id)
            db.session.add(row)
    except IntegrityError:  # another instructor saved one at the same moment: update theirs
        row = accommodation_for(activity_id, user_id)
        if row is None:
            raise
    return row


@bp.get("/i/<launch_id>/attempts/<int:attempt_id>")
def attempt_detail(launch_id: str, attempt_id: int):  # type: ignore[no-untyped-def]
    ctx = require_launch(launch_id, instructor=True)
    attempt = attempt_in_activity(ctx, attempt_id)
    activity = attempt.activity
    messages = db.session.scalars(select(Message).where(Message.attempt_id == attempt.id).order_by(Message.id)).all()
    delivery = gradebook_passback(activity.id, attempt.user_id)
    regrade = _regrade_view(attempt)
    return render_template(
        "instructor/attempt.html",
        ctx=ctx,
        attempt=attempt,
        activity=activity,
        policy_words=ATTEMPT_POLICY_WORDS[attempt_policy_of(activity.options)],
        history=_grade_history(attempt),
        gradebook=_delivery_view(delivery) if delivery is not None else None,
        regrade=regrade,
        submissions=_submissions_view(attempt),
        submission_policy=submission_policy_of(activity_options(activity)),
        transcript=_transcript(attempt, messages),
        phase_section=_phase_section(attempt),
    )


@bp.get("/api/i/<launch_id>/attempts/<int:attempt_id>/status")
def attempt_status(launch_id: str, attempt_id: int):  # type: ignore[no-untyped-def]
    """The newest regrade's progress, in the shape static/status.js polls: once it is settled (done or
    failed) the answer carries a grade, and the attempt page reloads to show the outcome."""
    ctx = require_launch(launch_id, instructor=True)
    attempt = attempt_in_activity(ctx, attempt_id)
    data: dict[str, Any] = {"attempt": {"number": attempt.number, "status": str(attempt.status)}}
    evaluation = _newest_regrade(attempt)
    if evaluation is not None:
        data["evaluation"] = work_state(evaluation)
        if evaluation.status in (WorkStatus.DONE, WorkStatus.FAILED) and (grade := latest_grade(attempt)):
            data["grade"] = {"score": grade.score, "letter": grade.letter}
            data["passback"] = passback_state(gradebook_passback(attempt.activity_id, attempt.user_id))
    return jsonify(data)


def _newest_regrade(attempt: Attempt) -> Evaluation | None:
    return db.session.scalar(
        select(Evaluation).where(Evaluation.attempt_id == attempt.id, Evaluation.reason == "regrade")
        .order_by(Evaluation.id.desc())
    )


def _regrade_view(attempt: Attempt) -> dict[str, Any] | None:
    """The newest regrade: queued/running (with its queue position), failed, or its new grade next to the
    grade it replaced."""
    evaluation = _newest_regrade(attempt)
    if evaluation is None:
        return None
    view: dict[str, Any] = {"work": work_state(evaluation), "pending": evaluation.status in PENDING,
                            "failed": evaluation.status == WorkStatus.FAILED, "error": evaluation.last_error,
                            "requested_at": evaluation.created_at}
    new = db.session.scalar(select(GradeRow).where(GradeRow.evaluation_id == evaluation.id))
    if new is not None:
        view["new"] = new
        view["old"] = db.session.scalar(
            select(GradeRow).where(GradeRow.attempt_id == attempt.id, GradeRow.id < new.id).order_by(GradeRow.id.desc())
        )
    return view


def _delivery_view(passback: Passback) -> dict[str, Any]:
    grade = passback.grade
    return {**(passback_state(passback) or {}), "score": grade.score, "letter": grade.letter,
            "attempt": grade.attempt.number, "grade_id": grade.id,
            "queued_at": passback.created_at, "sent_at_time": passback.sent_at, "code": passback.response_code}


def _grade_history(attempt: Attempt) -> list[dict[str, Any]]:
    """Every grade the attempt ever had, newest first: why it exists, whether the attempt policy counts it
    now, and every delivery to the gradebook that carried it."""
    grades = db.session.scalars(select(GradeRow).where(GradeRow.attempt_id == attempt.id).order_by(GradeRow.id)).all()
    counted = counting_grade(attempt.activity, attempt.user_id)
    reasons = dict(db.session.execute(
        select(Evaluation.id, Evaluation.reason).where(Evaluation.attempt_id == attempt.id)).all())
    history = []
    for index, grade in enumerate(grades):
        reason = reasons.get(grade.evaluation_id) or (grade.inputs or {}).get("reason") or "finish"
        deliveries = db.session.scalars(
            select(Passback).where(Passback.grade_id == grade.id).order_by(Passback.id.desc())).all()
        history.append({
            "grade": grade,
            "reason": reason,
            "reason_words": REASON_WORDS.get(reason, reason),
            "current": index == len(grades) - 1,
            "counted": counted is not None and counted.id == grade.id,
            "deliveries": [_delivery_view(p) for p in deliveries],
        })
    return history[::-1]


def _submissions_view(attempt: Attempt) -> list[dict[str, Any]]:
    """Every Run and Submit of the attempt, newest first, with a one-line result and whether it counts. A
    terminal's commands, checks and editor saves are not code runs: the phase's own section shows them."""
    counting = counting_submission(attempt.id)
    rows = db.session.scalars(
        select(Submission).where(Submission.attempt_id == attempt.id,
                                 Submission.kind.not_in(("command", "check", "edit")))
        .order_by(Submission.id.desc())).all()
    return [{"row": row, "summary": _result_summary(row), "counts": counting is not None and counting.id == row.id}
            for row in rows]


def _result_summary(row: Submission) -> str:
    result = row.result if isinstance(row.result, dict) else None
    if result is None:
        return {WorkStatus.FAILED: "could not be run"}.get(WorkStatus(row.status), f"{row.status}")
    outcome = result.get("outcome", "")
    if row.kind == "submit" and isinstance(result.get("hidden"), dict):
        hidden = result["hidden"]
        shown, label = (result["examples"], "examples") if isinstance(result.get("examples"), dict) else \
            (result.get("tests") or {}, "visible tests")
        return (f"{label} {shown.get('passed', 0)} of {shown.get('total', 0)}, hidden tests "
                f"{hidden.get('passed', 0)} of {hidden.get('total', 0)} passed ({outcome})")
    if row.kind == "examples" and isinstance(result.get("examples"), dict):
        shown = result["examples"]
        return f"examples {shown.get('passed', 0)} of {shown.get('total', 0)} passed ({outcome})"
    program = result.get("program") or {}
    return f"{outcome}, exit code {program.get('exit_code')}" if program else str(outcome)


def _phase_section(attempt: Attempt) -> dict[str, Any] | None:
    """The phase's own section of this page (``ExplainsAttempt``): its template and what it shows."""
    phase = get_phase(attempt.activity.phase)
    if phase is None or not isinstance(phase.adapter, ExplainsAttempt):
        return None
    return {"template": phase.adapter.instructor_template, "data": phase.adapter.instructor_section(attempt)}


def _transcript(attempt: Attempt, messages: list[Message]) -> list[TranscriptLine]:
    phase = get_phase(attempt.activity.phase)
    if phase is not None and isinstance(phase.adapter, NarratesTranscript):
        return phase.adapter.transcript_lines(attempt, messages)
    return [TranscriptLine(m.role, m.body, raw=m.judgement or None) for m in messages]


@bp.post("/i/<launch_id>/grades/<int:grade_id>/resend")
def resend_grade(launch_id: str, grade_id: int):  # type: ignore[no-untyped-def]
    """Deliver the student's grade again: the one the attempt policy counts, not necessarily ``grade_id``."""
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
    return redirect(url_for("instructor.attempt_detail", launch_id=launch_id, attempt_id=attempt_id) + "#regrade",
                    code=303)


def _roster(ctx: LaunchContext) -> tuple[list[Any], str]:
    if not ctx.nrps_memberships_url:
        return [], "The platform did not share the course roster (NRPS); showing students who launched."
    try:
        from lti_app.lti.nrps import fetch_roster

        return fetch_roster(ctx.issuer, ctx.client_id, ctx.deployment_id, ctx.nrps_memberships_url), ""
    except Exception as exc:
        log.warning("NRPS roster fetch failed: %s", exc)
        return [], "The course roster could not be fetched right now; showing students who launched."
