"""Drafts: the code a student is typing, saved on the server as they type and restored on reload.

Saves carry a revision that only grows; a save that arrives after a newer one (the network reorders
requests) is refused instead of overwriting newer work. At the deadline the last saved draft is submitted.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lti_app.extensions import db
from lti_app.models import Draft, utcnow


def draft_of(attempt_id: int) -> Draft | None:
    from lti_app.access import kept_attempt_facts

    if kept_attempt_facts(attempt_id)[1] is False:  # read with the page's launch: none saved
        return None
    return db.session.get(Draft, attempt_id)


def save_draft(attempt_id: int, source: str, stdin: str, revision: int) -> Draft | None:
    """Store the draft if ``revision`` is newer than the stored one. Returns the stored draft, or None when
    the save was stale (a newer revision is already stored)."""
    now = utcnow()
    result = db.session.execute(
        update(Draft)
        .where(Draft.attempt_id == attempt_id, Draft.revision < revision)
        .values(source=source, stdin=stdin, revision=revision, saved_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        db.session.commit()
        return db.session.scalar(select(Draft).where(Draft.attempt_id == attempt_id).execution_options(
            populate_existing=True))
    if db.session.get(Draft, attempt_id) is not None:
        db.session.rollback()
        return None
    try:
        with db.session.begin_nested():
            db.session.add(Draft(attempt_id=attempt_id, source=source, stdin=stdin, revision=revision, saved_at=now))
    except IntegrityError:  # a concurrent first save won; retry as an update
        db.session.rollback()
        return save_draft(attempt_id, source, stdin, revision)
    db.session.commit()
    return db.session.get(Draft, attempt_id)
