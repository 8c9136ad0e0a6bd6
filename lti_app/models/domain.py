"""Domain tables: who launched what, their attempts, the work they queued and the grades it produced."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_app.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored naive-UTC: identical on SQLite and PostgreSQL


class Course(db.Model):  # type: ignore[name-defined]
    __tablename__ = "course"
    __table_args__ = (UniqueConstraint("issuer", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    nrps_memberships_url: Mapped[str | None] = mapped_column(String(1024))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(db.Model):  # type: ignore[name-defined]
    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("issuer", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")


class Activity(db.Model):  # type: ignore[name-defined]
    """One placement of a phase in a course (an LTI resource link)."""

    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("course_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    phase: Mapped[str] = mapped_column(String(64), default="")
    scenario: Mapped[str] = mapped_column(String(128), default="")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    max_attempts: Mapped[int] = mapped_column(default=1)
    # Where grades go: platform identity + line item, as the last launch told us.
    client_id: Mapped[str] = mapped_column(String(255), default="")
    deployment_id: Mapped[str] = mapped_column(String(255), default="")
    platform_family: Mapped[str] = mapped_column(String(32), default="generic")
    ags_lineitem_url: Mapped[str | None] = mapped_column(String(1024))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()


class AttemptStatus(enum.StrEnum):
    OPEN = "open"
    GRADING = "grading"
    CLOSED = "closed"


class Attempt(db.Model):  # type: ignore[name-defined]
    __tablename__ = "attempt"
    __table_args__ = (
        Index("ix_attempt_activity_user", "activity_id", "user_id"),
        # At most one open attempt per learner and activity, whatever races (two first launches at once, a
        # double-clicked "new attempt"): a partial unique index, on PostgreSQL and SQLite alike.
        Index("uq_attempt_one_open", "activity_id", "user_id", unique=True,
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.OPEN)
    # Phase engine state (JSON). Contains hidden truth-derived data: never render it directly.
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Fixed when the attempt starts (time limit × the student's accommodation); the reconciler closes
    # open attempts past it. None: no time limit.
    deadline_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None] = mapped_column()

    activity: Mapped[Activity] = relationship()
    user: Mapped[User] = relationship()


class Draft(db.Model):  # type: ignore[name-defined]
    """The student's unsaved work of an attempt (code editor, program input), saved as they type.

    ``revision`` only grows: a save that arrives late (an older revision) never overwrites a newer one.
    """

    __tablename__ = "draft"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), primary_key=True)
    source: Mapped[str] = mapped_column(Text, default="")
    stdin: Mapped[str] = mapped_column(Text, default="")
    # 64-bit: the page numbers saves with its clock in milliseconds.
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)


class Accommodation(db.Model):  # type: ignore[name-defined]
    """One student's adjustments on one activity, set by an instructor: more time, more attempts."""

    __tablename__ = "accommodation"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    time_multiplier: Mapped[float] = mapped_column(default=1.0)
    extra_minutes: Mapped[int] = mapped_column(default=0)
    extra_attempts: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(255), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Message(db.Model):  # type: ignore[name-defined]
    """One chat turn in a phase (student or actor), with the hidden judgement for the instructor view."""

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # "student" | "actor"
    body: Mapped[str] = mapped_column(Text)
    feedback: Mapped[str] = mapped_column(String(255), default="")  # student-safe per-turn line
    judgement: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # instructor-only
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRY = "retry"  # waiting for next_attempt_at
    DONE = "done"
    FAILED = "failed"


class WorkRow:
    """Columns every queued piece of work has. The row exists before the job; the job is keyed by it."""

    status: Mapped[str] = mapped_column(String(16), default=WorkStatus.QUEUED, index=True)
    job_id: Mapped[str | None] = mapped_column(String(128))  # the queue job currently carrying this row
    tries: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    next_attempt_at: Mapped[datetime | None] = mapped_column()


class Submission(WorkRow, db.Model):  # type: ignore[name-defined]
    """Code the student ran (kind=run) or submitted for grading (kind=submit); in a phase with a terminal, a
    command (kind=command, source = the command line), a check of the workspace (kind=check) or an editor save
    of a workspace file (kind=edit, source = the path, result = the diff; recorded done, never queued)."""

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "run" | "submit" | "command" | "check" | "edit"
    language: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(Text)
    stdin: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # student-safe result
    cancel_requested_at: Mapped[datetime | None] = mapped_column()  # the student pressed Cancel (Run only)


class WorkspaceRow(db.Model):  # type: ignore[name-defined]
    """An attempt's terminal workspace (grader.workbench.workspace.Workspace): the tree as a tar.gz and the
    terminal's current directory. Made from the phase's seed on first use; every command that changes it
    stores the new tree with ``revision`` + 1 in the transaction that records the command's result. Kept for
    the instructor until a week after the attempt's grade, then deleted by the reconciler."""

    __tablename__ = "workspaces"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), primary_key=True)
    archive: Mapped[bytes] = mapped_column(LargeBinary)
    cwd: Mapped[str] = mapped_column(String(1024), default="")
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Evaluation(WorkRow, db.Model):  # type: ignore[name-defined]
    """A request to grade an attempt (closing a phase, or an instructor regrade)."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32), default="finish")  # "finish" | "deadline" | "regrade"
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class GradeRow(db.Model):  # type: ignore[name-defined]
    """A computed grade with everything needed to explain and reproduce it."""

    __tablename__ = "grade"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation.id"), unique=True)
    score: Mapped[float] = mapped_column()
    letter: Mapped[str] = mapped_column(String(4))
    summary: Mapped[str] = mapped_column(Text, default="")
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    feedback: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[Attempt] = relationship()


class Passback(WorkRow, db.Model):  # type: ignore[name-defined]
    """Delivery of one grade to the LMS gradebook through AGS."""

    __tablename__ = "passback"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grade.id"), index=True)
    # The AGS timestamp we send; strictly increasing per (line item, user), to the second.
    score_timestamp: Mapped[datetime] = mapped_column()
    target_key: Mapped[str] = mapped_column(String(1400), index=True)  # lineitem URL + user sub
    response_code: Mapped[int | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()

    grade: Mapped[GradeRow] = relationship()


class CrucibleVariant(WorkRow, db.Model):  # type: ignore[name-defined]
    """A Code Crucible variant an LLM was asked for (with an LLM configured): a request for one more variant of
    a task version (``task_id`` + the digest of its files), then what came of it. Accepted rows (the values,
    a reworded need if any, and the expected values the three references agreed on in the sandbox) are the cache
    launches serve from; refused ones keep the reason. The row is written with the launch that asked for it and
    queued by the reconciler."""

    __tablename__ = "crucible_variant"
    __table_args__ = (Index("ix_crucible_variant_task", "task_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    key: Mapped[str | None] = mapped_column(String(64))  # the task's digest and the values, hashed
    values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    need: Mapped[str | None] = mapped_column(Text)  # the reworded need (None: the stored wording)
    variant: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"values", "examples", "hidden"}: expected values
    accepted: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was refused (or notes when accepted)
    llm_calls: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
