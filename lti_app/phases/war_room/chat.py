"""The CTO in the incident channel: pressure lines on the domain's schedule, replies to the student, and the
channel pushed to the page as server-sent events.

The schedule is computed from the attempt's start and its deadline on the server (``cto_due``), whenever the
page, the event stream or a message asks: a line due while nobody was looking is there after a reload or a
lost connection, stamped with the time it was due. Every line is stored twice: in the attempt's state (the
domain's chat, with the Director's judgement of each student message) and as a ``Message`` row (the record the
instructor's transcript reads), in one transaction.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import insert

from grader.phases.war_room import cto_due, cto_reply, cto_schedule, student_view
from grader.phases.war_room.moves import parse_time
from lti_app.errors import Refusal
from lti_app.extensions import db
from lti_app.models import Attempt, Message, utcnow
from lti_app.phases.war_room.records import _fresh, aware, change_state, is_open, last_check, now_aware

log = logging.getLogger(__name__)
STREAM_SECONDS = 25.0  # one event stream's life; the browser reconnects (after ``retry``) and resumes from its id
IDLE_RETRY_SECONDS = 60.0  # nothing due: the page reconnects this often anyway (replies sent from another tab)
MIN_RETRY_SECONDS = 1.0


def _naive(text: str | None) -> datetime:
    """A domain time (ISO, with its zone) as the database stores it (naive UTC)."""
    when = parse_time(text)
    return when.astimezone(UTC).replace(tzinfo=None) if when else utcnow()


def chat_of(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The channel as the student sees it (no judgements)."""
    return student_view(state)["chat"]


def deliver_due(attempt_id: int) -> list[dict[str, Any]]:
    """Store the CTO's pressure lines due by now and not sent yet (state and Message rows); returns them."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.deadline_at is None or not is_open(attempt):
        return []
    lines: list[dict[str, Any]] = []

    def add_due(state: dict[str, Any]) -> dict[str, Any] | None:
        new, due = cto_due(state, now_aware(), aware(attempt.deadline_at))
        lines[:] = due
        return new if due else None

    stored = change_state(attempt_id, add_due)
    if stored is None or not lines:
        db.session.rollback()
        return []
    db.session.execute(insert(Message), [
        {"attempt_id": attempt_id, "role": "actor", "body": line["text"], "feedback": "",
         "judgement": {"kind": "pressure", "id": line["id"], "fraction_left": line["fraction_left"],
                       "due_at": line["due_at"]}, "created_at": _naive(line["due_at"])}
        for line in lines])
    db.session.commit()
    return lines


def seconds_to_next(attempt: Attempt) -> float | None:
    """Seconds until the next pressure line not yet in the channel is due (None: none is left)."""
    if attempt.deadline_at is None or not is_open(attempt):
        return None
    sent = {e.get("id") for e in attempt.state.get("chat", []) if e.get("kind") == "pressure"}
    now = now_aware()
    waits = [(parse_time(line["due_at"]) - now).total_seconds()  # type: ignore[operator]
             for line in cto_schedule(attempt.state, aware(attempt.deadline_at)) if line["id"] not in sent]
    return max(0.0, min(waits)) if waits else None


def provider() -> Any:
    from grader.llm.factory import make_provider

    return make_provider(current_app.config["SETTINGS"])


def reply_to(attempt_id: int, text: str) -> tuple[list[dict[str, Any]], int] | None:
    """The CTO's answer to ``text``: (the two new entries as the student sees them, the channel's length), or
    None when the attempt closed meanwhile. Raises ``InvalidMessage`` for an empty or over-long message."""
    attempt = db.session.get(Attempt, attempt_id)
    state, dashboards = dict(attempt.state), last_check(attempt_id)
    db.session.commit()  # no transaction is held while the reply is made (an LLM may take a while)
    turn = cto_reply(state, text, now_aware(), last_check=dashboards, provider=provider())
    added = turn.state["chat"][len(state.get("chat", [])):]  # the student's message and the reply

    def append(state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "chat": [*state.get("chat", []), *added]}

    stored = change_state(attempt_id, append)
    if stored is None:
        return None
    student = next(e for e in added if e.get("from") == "student")
    now = utcnow()
    db.session.execute(insert(Message), [
        {"attempt_id": attempt_id, "role": "student", "body": student["text"], "feedback": "",
         "judgement": student.get("judgement") or {}, "created_at": now},
        {"attempt_id": attempt_id, "role": "actor", "body": turn.reply, "feedback": "",
         "judgement": {"kind": "reply", "source": turn.source, "fallback_reason": turn.fallback_reason,
                       "llm_calls": turn.llm_calls}, "created_at": now},
    ])
    db.session.commit()
    chat = chat_of(stored)
    return chat[-len(added):], len(chat)


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data)}\n\n"


def stream(attempt_id: int, after: int) -> Iterator[str]:
    """The channel from entry ``after`` on: a ``chat`` event (id = the channel's length) whenever entries are
    new, pressure lines delivered the moment they are due while the stream lives; ``closed`` once the attempt
    has ended. The stream ends after STREAM_SECONDS, or earlier when nothing is due before then, with a
    ``retry`` that brings the browser back when the next line is due (at most a minute later)."""
    started = time.monotonic()
    yield "retry: 2000\n\n"
    sent = max(0, after)
    while True:
        try:
            deliver_due(attempt_id)
        except Refusal:  # lost every race for the state this time: the next pass delivers it
            db.session.rollback()
            log.info("pressure line of attempt %s not stored this pass", attempt_id)
        attempt = _fresh(attempt_id)
        if attempt is None:
            return
        chat = chat_of(attempt.state)
        if len(chat) > sent or sent > len(chat):
            start = sent if sent <= len(chat) else 0  # a page ahead of the server (another attempt): resend all
            yield _event("chat", {"entries": chat[start:], "from": start, "count": len(chat)}, len(chat))
            sent = len(chat)
        if not is_open(attempt):
            db.session.commit()
            yield _event("closed", {"status": str(attempt.status)})
            return
        wait = seconds_to_next(attempt)
        db.session.commit()  # end the read transaction so the next pass sees new rows
        left = STREAM_SECONDS - (time.monotonic() - started)
        if wait is None or wait > left:
            retry = IDLE_RETRY_SECONDS if wait is None else min(IDLE_RETRY_SECONDS, max(MIN_RETRY_SECONDS, wait))
            yield f"retry: {int(retry * 1000)}\n\n"
            return
        time.sleep(min(max(wait, 0.05), 1.0))
