"""Runs one unit of work against its row: claim it atomically, call the handler, record the outcome."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import current_app
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import update
from sqlalchemy.orm import make_transient_to_detached

from lti_app.extensions import db
from lti_app.jobs import KINDS, resolve
from lti_app.models import WorkStatus, utcnow
from worker.outcome import Handler, Outcome

log = logging.getLogger(__name__)


def handler_for(kind: str) -> Handler:
    """The kind's handler, by the dotted path :mod:`lti_app.jobs` names (imported on first use)."""
    if kind not in KINDS:
        raise KeyError(f"unknown work kind {kind!r}")
    return resolve(KINDS[kind].handler)  # type: ignore[no-any-return]


def claim(kind: str, row_id: int) -> Any | None:
    """Move the row from QUEUED/RETRY to RUNNING; None if someone else has it or it is finished.

    One statement and one commit: the conditional update returns the claimed row, which becomes the session's
    object as it is (no second SELECT to read back what this statement just wrote)."""
    model = KINDS[kind].model
    table = model.__table__
    now = utcnow()
    claimed = db.session.execute(
        update(table)
        .where(table.c.id == row_id, table.c.status.in_([WorkStatus.QUEUED, WorkStatus.RETRY]))
        .values(status=WorkStatus.RUNNING, started_at=now, heartbeat_at=now, tries=table.c.tries + 1)
        .returning(*table.c)
    ).mappings().first()
    db.session.commit()
    if claimed is None:
        return None
    row = model(**{attr.key: claimed[attr.columns[0].name] for attr in sa_inspect(model).column_attrs})
    make_transient_to_detached(row)  # persistent as loaded: its values are the committed ones
    return db.session.merge(row, load=False)


def perform(kind: str, row_id: int) -> str:
    """Run the work for ``row_id`` once. Returns the row's final status (or 'skipped')."""
    row = claim(kind, row_id)
    if row is None:
        log.info("work %s:%s not claimable (already running or finished)", kind, row_id)
        return "skipped"
    with _Heartbeat(KINDS[kind].model, row_id, current_app.config["SETTINGS"].work_heartbeat_seconds):
        try:
            outcome = handler_for(kind)(row)
        except Exception as exc:  # a handler bug must not leave the row RUNNING forever
            log.exception("work %s:%s crashed", kind, row_id)
            db.session.rollback()
            row = db.session.get(KINDS[kind].model, row_id)
            outcome = Outcome.failed(f"internal error: {type(exc).__name__}")
    return record(row, outcome)


class _Heartbeat:
    """Marks the RUNNING row alive from a side thread while the handler blocks (sandbox, LLM, HTTP)."""

    def __init__(self, model: Any, row_id: int, every: float) -> None:
        self.model, self.row_id, self.every = model, row_id, every
        self.engine = db.engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"cr-heartbeat-{row_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        update(self.model)
                        .where(self.model.id == self.row_id, self.model.status == WorkStatus.RUNNING)
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # a missed beat only risks a harmless duplicate run
                log.warning("heartbeat for row %s failed", self.row_id, exc_info=True)


def record(row: Any, outcome: Outcome) -> str:
    row.finished_at = utcnow()
    row.last_error = outcome.error
    if outcome.ok:
        row.status = WorkStatus.DONE
    elif outcome.retry_at is not None:
        row.status = WorkStatus.RETRY
        row.next_attempt_at = outcome.retry_at
        row.finished_at = None
    else:
        row.status = WorkStatus.FAILED
    # Read before the commit, which expires the row (reading after it would load the row again).
    name, row_id, status = type(row).__name__.lower(), row.id, str(row.status)
    db.session.commit()
    log.info("work %s:%s -> %s %s", name, row_id, status, outcome.error)
    return status

