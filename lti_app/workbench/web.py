"""The workbench's own routes and assets, shared by every phase's page: shared scripts (editor, live jobs,
clock, drafts) under /static/workbench, partial templates under templates/workbench, and the routes behind
them — drafts saved as the student types, Run and Submit for any phase with code, a submission's live
progress as server-sent events, Cancel.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, jsonify, stream_with_context
from sqlalchemy import update

from grader.workbench import SUBMISSION_KINDS
from lti_app.access import require_launch
from lti_app.errors import refuse
from lti_app.extensions import db
from lti_app.models import Submission, WorkStatus, utcnow
from lti_app.phases.registry import RunsCode, get_phase
from lti_app.workbench.attempts import open_attempt, phase_attempt
from lti_app.workbench.clock import seconds_left
from lti_app.workbench.drafts import draft_of, save_draft
from lti_app.workbench.inputs import MAX_SOURCE_CHARS, code_source, json_body, program_input, text_field
from lti_app.workbench.policy import submits_note
from lti_app.workbench.submissions import PENDING, own_submission, queue_submission, submission_view

bp = Blueprint("workbench", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/workbench")

STREAM_SECONDS = 90  # one event stream's life; EventSource reconnects by itself after it
FINAL = (WorkStatus.DONE, WorkStatus.FAILED)


@bp.put("/api/a/<launch_id>/draft")
def put_draft(launch_id: str):  # type: ignore[no-untyped-def]
    """Save the code being typed. Refused once the attempt has ended or its time is up: the deadline takes
    the last draft saved before it."""
    _, attempt = open_attempt(launch_id, None)
    data = json_body()
    source = text_field(data, "source", max_chars=MAX_SOURCE_CHARS, required=False)
    stdin = program_input(data)
    revision = data.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or not 0 < revision < 2**62:
        refuse(400, "invalid_revision", "revision must be a positive whole number that grows with every save")
    stored = save_draft(attempt.id, source, stdin, revision)
    if stored is None:
        current = draft_of(attempt.id)
        refuse(409, "stale_draft", "a newer version of your code is already saved",
               revision=current.revision if current else 0)
    return jsonify(revision=stored.revision, saved_at=stored.saved_at.isoformat() + "Z")


@bp.get("/api/a/<launch_id>/draft")
def get_draft(launch_id: str):  # type: ignore[no-untyped-def]
    _, attempt = phase_attempt(launch_id, None)
    draft = draft_of(attempt.id)
    if draft is None:
        return jsonify(draft=None)
    return jsonify(draft={"source": draft.source, "stdin": draft.stdin, "revision": draft.revision,
                          "saved_at": draft.saved_at.isoformat() + "Z"})


LOCKED = ("code_locked", "Run and Submit are not open in this attempt yet")


def _queue_code(launch_id: str, kind: str):  # type: ignore[no-untyped-def]
    """Queue a Run (``{"source", "stdin"?}``) or a Submit (``{"source"}``) of the attempt's code: 202 with the
    submission's live view (a Submit also says how many are left). Refused for a phase without code, while
    the phase does not accept code yet (its adapter's ``locked_refusal``), and as ``queue_submission`` says."""
    _, attempt = open_attempt(launch_id, None)
    phase = get_phase(attempt.activity.phase)
    if phase is None or not isinstance(phase.adapter, RunsCode):
        refuse(404, "no_code", "this activity has no code to run")
    adapter = phase.adapter
    if not adapter.accepts_code(attempt):
        refuse(409, *getattr(adapter, "locked_refusal", LOCKED))
    task = adapter.code_task(attempt)
    if kind not in getattr(task, "kinds", SUBMISSION_KINDS):  # e.g. "examples": only where the task runs them
        refuse(404, "no_such_run", "this activity has no such run of your code")
    data = json_body()
    source = code_source(data)
    stdin = program_input(data) if kind == "run" else ""
    check = getattr(adapter, "check_code", None)
    if check is not None:  # the phase's own refusals (a language the activity does not offer, say)
        check(attempt, data, kind)
    row = queue_submission(launch_id, attempt, kind=kind, language=task.language, source=source, stdin=stdin)
    view = submission_view(launch_id, row)
    extra = {"submits": submits_note(attempt)} if kind == "submit" else {}  # the page's "Submits left" line
    return jsonify(submission=view, **extra), 202, {"Location": view["url"]}


@bp.post("/api/a/<launch_id>/code/run")
def run_code(launch_id: str):  # type: ignore[no-untyped-def]
    return _queue_code(launch_id, "run")


@bp.post("/api/a/<launch_id>/code/submit")
def submit_code(launch_id: str):  # type: ignore[no-untyped-def]
    return _queue_code(launch_id, "submit")


@bp.post("/api/a/<launch_id>/code/examples")
def run_examples(launch_id: str):  # type: ignore[no-untyped-def]
    """Run the visible examples alone, expected vs actual (``{"source"}``), for phases whose task offers it."""
    return _queue_code(launch_id, "examples")


@bp.get("/api/a/<launch_id>/clock")
def clock(launch_id: str):  # type: ignore[no-untyped-def]
    """The server's figure for the countdown (the page re-syncs with it; the server enforces it)."""
    _, attempt = phase_attempt(launch_id, None)
    left = seconds_left(attempt)
    return jsonify(status=str(attempt.status), seconds_left=None if left is None else round(left, 1),
                   deadline=attempt.deadline_at.isoformat() + "Z" if attempt.deadline_at else None)


@bp.post("/api/a/<launch_id>/submissions/<int:submission_id>/cancel")
def cancel_submission(launch_id: str, submission_id: int):  # type: ignore[no-untyped-def]
    """Ask a Run (or a terminal's command) to stop. The worker polls for it and kills the program; the result
    says "cancelled" (a cancelled command changes nothing in the workspace)."""
    ctx, _ = open_attempt(launch_id, None, within_time=False)
    row, _ = own_submission(ctx, submission_id)
    if row.kind not in ("run", "command"):
        refuse(409, "not_cancellable", "only a Run can be cancelled; a Submit always runs to the end")
    result = db.session.execute(
        update(Submission)
        .where(Submission.id == row.id, Submission.status.in_(PENDING), Submission.cancel_requested_at.is_(None))
        .values(cancel_requested_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(row)
    if result.rowcount != 1 and row.status in FINAL:
        refuse(409, "not_running", "this run has already finished", submission=submission_view(launch_id, row))
    return jsonify(submission=submission_view(launch_id, row)), 202


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _poll_interval(waited: float) -> float:
    # Quick at first (a Run on an idle machine finishes in tens of milliseconds), calmer as it goes on.
    return 0.02 if waited < 2 else 0.1 if waited < 10 else 0.5


@bp.get("/api/a/<launch_id>/submissions/<int:submission_id>/events")
def submission_events(launch_id: str, submission_id: int):  # type: ignore[no-untyped-def]
    """A submission's progress pushed as it happens: ``state`` events (queued with position, running with
    elapsed time and the limit) and one ``done`` event with the result; then the stream ends."""
    ctx = require_launch(launch_id)
    row, _ = own_submission(ctx, submission_id)
    row_id = row.id

    def stream() -> Iterator[str]:
        started = time.monotonic()
        last: tuple[Any, ...] | None = None
        last_sent = 0.0
        yield "retry: 1000\n\n"
        while time.monotonic() - started < STREAM_SECONDS:
            db.session.expire_all()
            current = db.session.get(Submission, row_id)
            if current is None:
                return
            view = submission_view(launch_id, current)
            final = current.status in FINAL  # read before the commit: it expires the row, which would reload
            db.session.commit()  # end the read transaction so the next poll sees new rows
            if final:  # (a status read after it may already say done while the view still says running)
                yield _sse("done", view)
                return
            key = (view["state"], view.get("position"), view.get("cancel_requested"))
            now = time.monotonic()
            if key != last or now - last_sent >= 1.0:  # changes at once, elapsed time once a second
                yield _sse("state", view)
                last, last_sent = key, now
            time.sleep(_poll_interval(now - started))
        yield _sse("again", {})

    return Response(stream_with_context(stream()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


# The terminal's and the workspace's routes live in their own module, on this blueprint.
from lti_app.workbench import terminal  # noqa: E402,F401
