"""Putting work on a queue: RQ on Redis in production, a thread pool in the embedded default.

Both run the same job function (``worker.runner.perform``, named in :mod:`lti_app.jobs`) and both are driven
from the rows, so the choice changes where work waits, never what it does. A row is committed before its job
is pushed, in the same commit that records the job's id (:func:`commit_and_enqueue`: one commit for a row and
its enqueueing); when the push fails the row stays QUEUED with no job id, and the reconciler re-enqueues it.
"""

from __future__ import annotations

import itertools
import logging
import queue
import secrets
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from flask import Flask
from sqlalchemy import update

from lti_app.extensions import db
from lti_app.jobs import INPROCESS_JOB, KINDS, QUEUE_PRIORITY, RQ_JOB, resolve
from lti_app.models import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobState:
    """What a page may show about a job: where it is and, if waiting, how many are ahead."""

    state: str  # "queued" | "running" | "done" | "failed" | "retry" | "unknown"
    position: int | None = None


@dataclass(frozen=True)
class QueuedJob:
    """A job as it goes on a queue: plain values read before the commit (after it the row's attributes are
    expired, and reading them would cost a query)."""

    kind: str
    row_id: int
    job_id: str


class Dispatcher(Protocol):
    def push(self, job: QueuedJob, *, queue_name: str | None = None, at_front: bool = False) -> None:
        """Put a committed row's job on the queue; touches no database."""

    def job_alive(self, job_id: str | None) -> bool: ...

    def position(self, job_id: str | None) -> int | None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


def _job_id(kind: str) -> str:
    # Unique per enqueue, so a re-enqueued row never collides with its lost predecessor's job record; it needs no
    # row id, so a new row is inserted with it (the job's arguments carry the row id).
    return f"{kind}-{utcnow().strftime('%H%M%S%f')}-{secrets.token_hex(4)}"


def stamp(kind: str, row: Any) -> QueuedJob:
    """Record on ``row`` (not yet committed) the job about to carry it: its id and when it was queued."""
    row.job_id = _job_id(kind)
    row.enqueued_at = utcnow()
    if row.id is None:
        db.session.flush()  # the INSERT carries the job id: no UPDATE after it
    return QueuedJob(kind, row.id, row.job_id)


class RQDispatcher:
    """RQ queues on Redis; the worker command (``flask worker run``) consumes them."""

    def __init__(self, redis_url: str) -> None:
        from redis import Redis

        self.redis = Redis.from_url(redis_url)

    def queue(self, name: str) -> Any:
        from rq import Queue

        return Queue(name, connection=self.redis)

    def push(self, job: QueuedJob, *, queue_name: str | None = None, at_front: bool = False) -> None:
        spec = KINDS[job.kind]
        self.queue(queue_name or spec.queue).enqueue(
            RQ_JOB,
            job.kind,
            job.row_id,
            job_id=job.job_id,
            job_timeout=spec.timeout_s,
            result_ttl=600,
            failure_ttl=86400,
            at_front=at_front,
        )

    def job_alive(self, job_id: str | None) -> bool:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job, JobStatus

        if not job_id:
            return False
        try:
            status = Job.fetch(job_id, connection=self.redis).get_status()
        except NoSuchJobError:
            return False
        return status in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED)

    def position(self, job_id: str | None) -> int | None:
        """How many jobs are ahead of this one; None when that is not known, Redis being down included (a page
        showing a queued row must not fail for it)."""
        from redis.exceptions import RedisError
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        if not job_id:
            return None
        try:
            job = Job.fetch(job_id, connection=self.redis)
            own = job.get_position()
            if own is None:
                return None
            # Work in higher-priority queues is served first, so it is ahead of this job too.
            ahead = 0
            for name in QUEUE_PRIORITY:
                if name == job.origin:
                    break
                ahead += self.queue(name).count
        except (NoSuchJobError, RedisError):
            return None
        return ahead + own

    def start(self) -> None:  # the separate worker process does the work
        return None

    def stop(self) -> None:
        return None


class InProcessDispatcher:
    """Threads inside the web process run the work: the embedded default, no Redis needed."""

    def __init__(self, app: Flask, workers: int = 2) -> None:
        self.app = app
        self.workers = workers
        self._queue: queue.PriorityQueue[tuple[int, int, str, str, int]] = queue.PriorityQueue()
        self._pending: dict[str, int] = {}  # job id -> sequence, for positions
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    def push(self, job: QueuedJob, *, queue_name: str | None = None, at_front: bool = False) -> None:
        name = queue_name or KINDS[job.kind].queue
        priority = QUEUE_PRIORITY.index(name) if name in QUEUE_PRIORITY else len(QUEUE_PRIORITY)
        seq = -next(self._seq) if at_front else next(self._seq)
        with self._lock:
            self._pending[job.job_id] = priority * 10**9 + seq
        self._queue.put((priority, seq, job.job_id, job.kind, job.row_id))
        self.start()

    def job_alive(self, job_id: str | None) -> bool:
        with self._lock:
            return job_id in self._pending or job_id in self._running

    def position(self, job_id: str | None) -> int | None:
        with self._lock:
            mine = self._pending.get(job_id or "")
            if mine is None:
                return None
            return sum(1 for key in self._pending.values() if key < mine)

    def start(self) -> None:
        with self._lock:
            if self._threads:
                return
            self._stopping.clear()
            for n in range(self.workers):
                thread = threading.Thread(target=self._work, name=f"cr-inprocess-{n}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        for _ in self._threads:
            self._queue.put((999, 0, "", "", 0))  # wake each thread so it sees the stop flag
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()

    def drain(self, timeout: float = 60.0) -> bool:
        """Wait until nothing is pending or running (tests and the dev launcher use it)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending and not self._running:
                    return True
            time.sleep(0.02)
        return False

    def _work(self) -> None:
        perform = resolve(INPROCESS_JOB)
        while not self._stopping.is_set():
            _, _, job_id, kind, row_id = self._queue.get()
            if not job_id:
                continue
            with self._lock:
                self._pending.pop(job_id, None)
                self._running.add(job_id)
            try:
                with self.app.app_context():
                    perform(kind, row_id)
            except Exception:
                log.exception("in-process job %s failed outside its handler", job_id)
            finally:
                with self._lock:
                    self._running.discard(job_id)


def init_dispatcher(app: Flask) -> Dispatcher:
    settings = app.config["SETTINGS"]
    dispatcher: Dispatcher
    if settings.queue_mode == "rq":
        dispatcher = RQDispatcher(settings.redis_url)
    else:
        dispatcher = InProcessDispatcher(app, workers=settings.inprocess_workers)
    app.extensions["cr_dispatcher"] = dispatcher
    return dispatcher


def get_dispatcher(app: Flask | None = None) -> Dispatcher:
    from flask import current_app

    return (app or current_app).extensions["cr_dispatcher"]


def enqueue_safely(dispatcher: Dispatcher, kind: str, row: Any, **options: Any) -> str | None:
    """Commit the session with ``row`` and its job id (one commit), then push the job; if the queue is down
    the row stays QUEUED, without a job id, and the reconciler retries."""
    job = stamp(kind, row)
    db.session.commit()
    try:
        dispatcher.push(job, **options)
    except Exception as exc:  # Redis down or refusing: the row is the record, nothing is lost
        log.warning("could not enqueue %s:%s yet (%s); the reconciler will retry", kind, job.row_id, exc)
        _unstamp(type(row), job)
        return None
    return job.job_id


def _unstamp(model: Any, job: QueuedJob) -> None:
    """A row whose job never reached the queue says so (no job, no enqueue time), so the reconciler's next pass takes it
    rather than waiting out the grace it gives a job that may not be visible yet. Best effort: if this fails too,
    the grace only delays it."""
    try:
        db.session.execute(update(model).where(model.id == job.row_id, model.job_id == job.job_id)
                           .values(job_id=None, enqueued_at=None).execution_options(synchronize_session=False))
        db.session.commit()
    except Exception:  # noqa: BLE001 - the database may be down as well
        db.session.rollback()


def commit_and_enqueue(kind: str, row: Any, **options: Any) -> str | None:
    """:func:`enqueue_safely` on this app's dispatcher: the caller's pending changes, ``row`` and its job id
    go in one commit, then the job goes on the queue."""
    return enqueue_safely(get_dispatcher(), kind, row, **options)
