"""HTTP routes of the Difficult Client: chat turns (streamed), status, finish and the report (Run and Submit are
the workbench's, lti_app.workbench.web).

Every route is authorised against its launch; state-changing routes check the launch's CSRF token.
A chat turn is written with a compare-and-swap on the attempt's turn counter, so a double or concurrent
submit can never apply twice or overwrite another turn; the loser gets ``409`` and its text is kept by
the page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from itertools import chain
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context
from sqlalchemy import bindparam, insert, select, update

from grader.phases.difficult_client import (
    PHASE,
    InvalidTurn,
    finish_session,
    instructor_view,
    stream_turn,
    student_view,
)
from grader.phases.difficult_client.session import MAX_TURNS
from lti_app.access import attempt_in_activity, require_launch
from lti_app.errors import refuse
from lti_app.extensions import db
from lti_app.models import Attempt, AttemptStatus, Message, utcnow
from lti_app.phases.difficult_client.coding import with_current_exercise
from lti_app.phases.difficult_client.inputs import chat_message, expected_turn
from lti_app.phases.difficult_client.qualification import judge_trusted
from lti_app.phases.difficult_client.scenario import provider, scenario_of
from lti_app.workbench.attempts import open_attempt, phase_attempt
from lti_app.workbench.finish import close_for_grading, report_card_answer
from lti_app.workbench.inputs import json_body
from lti_app.workbench.submissions import latest_submission, submission_view

bp = Blueprint(PHASE.id, __name__, template_folder="templates", static_folder="static",
               static_url_path=f"/static/phases/{PHASE.id}")
log = logging.getLogger(__name__)
CONFLICT = ("turn_conflict", "another message was answered first; yours was not sent — send it again")
CLOSED = ("attempt_closed", "this session ended before the reply was stored; your report card has the results")
# A turn's two writes, built once: building and keying the statements on every turn cost as much as running them.
_STORE_TURN = (
    update(Attempt.__table__)
    .where(
        Attempt.__table__.c.id == bindparam("attempt_id"),
        Attempt.__table__.c.status == AttemptStatus.OPEN,
        Attempt.__table__.c.state["turn"].as_integer() == bindparam("base_turn"),
    )
    .values(state=bindparam("state", type_=Attempt.__table__.c.state.type))
)
_INSERT_MESSAGES = insert(Message.__table__)


def turn_payload(outcome: Any, scenario: Any) -> dict[str, Any]:
    """What the page learns from one turn: the reply, the Director's line, progress as a count, the task."""
    view = student_view(outcome.state, scenario)
    return {
        "turn": view["turn"],
        "reply": outcome.reply,
        "feedback": outcome.feedback,
        "progress": view["progress"],
        "coding_task_unlocked": view["coding_task_unlocked"],
        "coding_task": view["coding_task"],
    }


def commit_turn(attempt_id: int, base_turn: int, text: str, outcome: Any) -> tuple[str, str] | None:
    """Store the new state only if nobody else moved the conversation on since ``base_turn``.

    Returns None when stored, otherwise the (reason, detail) the page should show. The state stored carries the
    coding task's exercise from the unlock on (rebuilt as the student learns more), so the page, Run and Submit and
    a regrade all read the same one.
    """
    outcome.state = with_current_exercise(outcome.state)
    result = db.session.execute(_STORE_TURN, {"attempt_id": attempt_id, "base_turn": base_turn,
                                              "state": outcome.state})
    if result.rowcount != 1:
        db.session.rollback()
        status = db.session.scalar(select(Attempt.status).where(Attempt.id == attempt_id))
        log.info("turn %s of attempt %s not stored: the attempt moved on (%s)", base_turn + 1, attempt_id, status)
        return CONFLICT if status == AttemptStatus.OPEN else CLOSED
    actor_notes = {"source": outcome.source, "fallback_reason": outcome.fallback_reason, "llm_calls": outcome.llm_calls}
    now = utcnow()
    db.session.execute(_INSERT_MESSAGES, [  # both messages in one statement, in order (ids grow)
        {"attempt_id": attempt_id, "role": "student", "body": text, "feedback": outcome.feedback[:255],
         "judgement": outcome.judgement, "created_at": now},
        {"attempt_id": attempt_id, "role": "actor", "body": outcome.reply, "feedback": "", "judgement": actor_notes,
         "created_at": now},
    ])
    db.session.commit()
    log.info("turn %s of attempt %s stored (reply source %s)", base_turn + 1, attempt_id, outcome.source)
    return None


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _outcome_of(events: Iterator[dict[str, Any]]) -> Any:
    return next((e["outcome"] for e in events if e["type"] == "done"), None)


def _stream(events: Iterator[dict[str, Any]], attempt_id: int, base_turn: int, text: str,
            scenario: Any) -> Iterator[str]:
    outcome = None
    try:
        for event in events:
            if event["type"] == "chunk":  # pieces of the final, already checked reply: never withdrawn
                yield _sse("chunk", {"text": event["text"]})
            elif event["type"] == "done":
                outcome = event["outcome"]
    except GeneratorExit:
        # The page went away mid-reply: finish the turn anyway so the exchange is on the record after a reload.
        outcome = outcome or _outcome_of(events)
        if outcome is not None:
            commit_turn(attempt_id, base_turn, text, outcome)
        raise
    except Exception:  # the page must hear about it; the message was not stored and can be resent
        log.exception("chat turn for attempt %s failed", attempt_id)
        db.session.rollback()
        yield _sse("error", {"error": "internal_error", "detail": "the reply failed; your message was not sent"})
        return
    try:  # the stream has started: whatever fails from here on, the page hears it as an event
        refused = commit_turn(attempt_id, base_turn, text, outcome) if outcome is not None else CONFLICT
        last = _sse("error", {"error": refused[0], "detail": refused[1]}) if refused else \
            _sse("done", turn_payload(outcome, scenario))
    except Exception:
        log.exception("storing chat turn for attempt %s failed", attempt_id)
        db.session.rollback()
        last = _sse("error", {"error": "internal_error",
                              "detail": "the reply could not be stored; reload the page to see the conversation"})
    yield last


@bp.post("/api/a/<launch_id>/dc/messages")
def send_message(launch_id: str):  # type: ignore[no-untyped-def]
    _, attempt = open_attempt(launch_id, PHASE.id)
    data = json_body()
    text = chat_message(data)
    seen = expected_turn(data)
    state = attempt.state
    if seen is not None and seen != state["turn"]:
        refuse(409, "stale_turn", "this conversation moved on (sent twice?); reload to see the latest reply",
               turn=state["turn"])
    if state["turn"] >= MAX_TURNS:
        refuse(409, "turn_limit", f"the conversation is limited to {MAX_TURNS} messages; finish the session")
    scenario = scenario_of(state)
    llm = provider()
    # The model rates questions only once it has qualified (qualification.py); until then it only phrases.
    events = stream_turn(scenario, state, text, llm,
                         llm_judge=judge_trusted(llm, current_app.config["SETTINGS"]))
    try:
        first = next(events)  # the engine validates before it yields anything
    except InvalidTurn as exc:
        refuse(400, "invalid_message", str(exc))
    attempt_id, base_turn = attempt.id, state["turn"]
    db.session.commit()  # end the read transaction; the write below is its own compare-and-swap
    events = chain([first], events)
    if "text/event-stream" in request.headers.get("Accept", ""):
        body = stream_with_context(_stream(events, attempt_id, base_turn, text, scenario))
        return Response(body, mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    outcome = _outcome_of(events)
    refused = commit_turn(attempt_id, base_turn, text, outcome)
    if refused:
        refuse(409, *refused)
    return jsonify(turn_payload(outcome, scenario))


@bp.get("/api/i/<launch_id>/dc/attempts/<int:attempt_id>")
def instructor_state(launch_id: str, attempt_id: int):  # type: ignore[no-untyped-def]
    """The hidden picture for the course's instructors: every constraint's level and each turn's judgement."""
    ctx = require_launch(launch_id, instructor=True)
    attempt = attempt_in_activity(ctx, attempt_id)
    if attempt.activity.phase != PHASE.id:
        refuse(404, "attempt_unknown", "this attempt is not a Difficult Client session")
    return jsonify(attempt={"id": attempt.id, "number": attempt.number, "status": str(attempt.status)},
                   session=instructor_view(attempt.state, scenario_of(attempt.state)))


@bp.get("/api/a/<launch_id>/dc/state")
def state(launch_id: str):  # type: ignore[no-untyped-def]
    _, attempt = phase_attempt(launch_id, PHASE.id)
    latest = latest_submission(attempt.id)
    return jsonify(
        attempt={"number": attempt.number, "status": str(attempt.status)},
        view=student_view(attempt.state, scenario_of(attempt.state)),
        submission=submission_view(launch_id, latest) if latest is not None else None,
    )


@bp.post("/a/<launch_id>/dc/finish")
def finish(launch_id: str):  # type: ignore[no-untyped-def]
    _, attempt = open_attempt(launch_id, PHASE.id, within_time=False)
    # A racing message cannot finish twice either (the close is a compare-and-swap).
    close_for_grading(attempt, values={"state": finish_session(attempt.state), "status": AttemptStatus.GRADING},
                      pending="wait for your code's result before you finish", closed="this session has already ended")
    return report_card_answer(launch_id)
