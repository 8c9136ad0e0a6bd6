"""The hints ledger every phase with hints keeps in its attempt state (``state["hints"]``, a list), and the
database condition behind a hint route's compare-and-swap: "this attempt has exactly as many hints as this request
saw" (in SQL, PostgreSQL and SQLite alike, so a concurrent hint — a double click, two tabs — cannot be taken
twice)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.sql.elements import ColumnElement

from lti_app.errors import Refusal, refuse
from lti_app.extensions import db
from lti_app.models import Attempt, AttemptStatus

log = logging.getLogger(__name__)
STALE = ("hint_already_taken", "a hint was already taken since this page loaded (clicked twice?); it is shown "
                               "now, and no other was taken")
# The refusals a hint route's plain form answers with the page (and the refusal's sentence) rather than an error.
FORM_REFUSALS = (STALE[0], "no_hint_left", "invalid_hints_taken")


def hints_taken(state: dict[str, Any]) -> int:
    return len(state.get("hints") or [])


def same_hints_taken(column: Any, count: int) -> ColumnElement[bool]:
    """``column`` (the attempt's JSON state) holds ``count`` hints: no hint at index ``count`` and, unless
    ``count`` is 0, one at ``count - 1``."""
    none_beyond = column[("hints", count)].as_string().is_(None)
    if count == 0:
        return none_beyond
    return and_(column[("hints", count - 1)].as_string().is_not(None), none_beyond)


def seen_hint_count(data: dict[str, Any]) -> int | None:
    """The number of hints the page showed (optional, ``hints_taken``): a whole number, as JSON or form digits."""
    value = data.get("hints_taken")
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1000:
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,4}", value.strip()):
        return int(value.strip())
    raise Refusal(400, "invalid_hints_taken", "hints_taken must be a whole number: the hints the page showed")


def check_seen(seen: int | None, base: int, payload: dict[str, Any]) -> None:
    """409 ``hint_already_taken`` (with the page's hints ``payload``) when the page showed another number."""
    if seen is not None and seen != base:
        refuse(409, *STALE, **payload)


def store_hint(attempt_id: int, base: int, new_state: dict[str, Any],
               payload_of: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Write the state with one more hint, with a compare-and-swap on the ``base`` hints this request saw: 409
    ``attempt_closed`` when the attempt ended meanwhile, ``hint_already_taken`` (with ``payload_of`` the current
    state) when another hint was taken meanwhile."""
    db.session.commit()  # end the read; the write below is its own compare-and-swap
    stored = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.status == AttemptStatus.OPEN, same_hints_taken(Attempt.state, base))
        .values(state=new_state)
        .execution_options(synchronize_session=False)
    )
    if stored.rowcount != 1:
        db.session.rollback()
        current = db.session.scalar(select(Attempt).where(Attempt.id == attempt_id).execution_options(
            populate_existing=True))
        if current is None or current.status != AttemptStatus.OPEN:
            refuse(409, "attempt_closed", "this attempt has ended; your report card has the results")
        refuse(409, *STALE, **payload_of(current.state))
    db.session.commit()
    log.info("attempt %s took hint %s", attempt_id, base + 1)
