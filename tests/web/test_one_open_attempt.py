"""One open attempt per learner and activity, enforced by the database: concurrent first launches (or
double-clicked "new attempt" buttons) end with one open attempt, and every request gets that attempt."""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from lti_app.extensions import db
from lti_app.models import Attempt, AttemptStatus

DC_CUSTOM = {"phase": "acknowledge", "max_attempts": "3"}


def _context(launch_id: str, sub: str) -> Any:
    from lti_app.lti.context import LaunchContext

    return LaunchContext(
        launch_id=launch_id,
        issuer="https://platform.example",
        client_id="client-1",
        deployment_id="deployment-1",
        user_sub=sub,
        user_name="Test Person",
        user_email="person@example.edu",
        roles=("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",),
        context_id="course-1",
        context_title="Course",
        resource_link_id="link-1",
        resource_link_title="Orientation",
        custom=dict(DC_CUSTOM),
        platform_family="generic",
    )


def _persist(app: Any, ctx: Any) -> None:
    from lti_app.lti.launch_store import RESOURCE_LINK, persist_launch

    with app.test_request_context():
        persist_launch(message_type=RESOURCE_LINK, issuer=ctx.issuer, client_id=ctx.client_id,
                       deployment_id=ctx.deployment_id, user_sub=ctx.user_sub, nonce=secrets.token_hex(8),
                       state=secrets.token_hex(8), data=ctx.to_dict(), launch_id=ctx.launch_id)


class _AllReadFirst:
    """Wraps ``current_attempt`` so that every thread's first look happens before any thread writes: the
    race of two first launches, made certain instead of likely."""

    def __init__(self, original: Callable[..., Any], parties: int) -> None:
        self.original, self.barrier, self.local = original, threading.Barrier(parties, timeout=20), threading.local()

    def __call__(self, ctx: Any) -> Any:
        result = self.original(ctx)
        if not getattr(self.local, "waited", False):
            self.local.waited = True
            db.session.commit()  # end the read transaction, as a real request would before it writes
            self.barrier.wait()
        return result


def _in_threads(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def _open_attempts(app: Any) -> list[Attempt]:
    with app.app_context():
        return list(db.session.query(Attempt).filter(Attempt.status == AttemptStatus.OPEN))


def test_the_database_refuses_a_second_open_attempt(make_app, database_url):
    """The partial unique index itself, on SQLite and PostgreSQL: a second open attempt is refused, closed
    ones are not limited."""
    app = make_app(CR_DATABASE_URL=database_url)
    launch_id = str(uuid.uuid4())
    ctx = _context(launch_id, "learner-1")
    _persist(app, ctx)
    with app.test_request_context():
        from lti_app.launches import on_resource_launch

        on_resource_launch(ctx)
        first = db.session.query(Attempt).one()
        second = Attempt(activity_id=first.activity_id, user_id=first.user_id, number=2, state={})
        db.session.add(second)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        first.status = AttemptStatus.CLOSED
        db.session.add_all([
            Attempt(activity_id=first.activity_id, user_id=first.user_id, number=2, state={},
                    status=AttemptStatus.CLOSED),
            Attempt(activity_id=first.activity_id, user_id=first.user_id, number=3, state={}),
        ])
        db.session.commit()
        assert db.session.query(Attempt).filter(Attempt.status == AttemptStatus.OPEN).count() == 1


def test_concurrent_first_launches_of_one_learner_make_one_open_attempt(make_app, postgres_database, monkeypatch):
    import lti_app.access
    from lti_app.launches import on_resource_launch

    app = make_app(CR_DATABASE_URL=postgres_database)
    count = 6
    contexts = [_context(str(uuid.uuid4()), "learner-1") for _ in range(count)]
    for ctx in contexts:
        _persist(app, ctx)
    # Every launch records course, user and activity (their upserts tolerate the race); then the race on the attempt.
    monkeypatch.setattr(lti_app.access, "current_attempt", _AllReadFirst(lti_app.access.current_attempt, count))

    def launch(index: int) -> tuple[int, str]:
        with app.test_request_context():
            response = on_resource_launch(contexts[index])
            return response.status_code, response.headers["Location"]

    results, errors = _in_threads(count, launch)
    assert errors == []
    assert [status for status, _ in results] == [302] * count
    assert [location for _, location in results] == [f"/a/{c.launch_id}" for c in contexts]
    opened = _open_attempts(app)
    assert len(opened) == 1 and opened[0].number == 1
    with app.app_context():
        assert db.session.query(Attempt).count() == 1
    # Every launch shows that one attempt.
    client = app.test_client()
    for ctx in contexts:
        assert client.get(f"/a/{ctx.launch_id}").status_code == 200


def test_a_double_clicked_new_attempt_starts_one(make_app, postgres_database, monkeypatch):
    import lti_app.access
    import lti_app.views.student
    from lti_app.launches import on_resource_launch
    from lti_app.security import csrf_token

    app = make_app(CR_DATABASE_URL=postgres_database)
    ctx = _context(str(uuid.uuid4()), "learner-2")
    _persist(app, ctx)
    with app.test_request_context():
        on_resource_launch(ctx)
        db.session.query(Attempt).one().status = AttemptStatus.CLOSED
        db.session.commit()
        token = csrf_token(ctx.launch_id)

    count = 4
    racer = _AllReadFirst(lti_app.access.current_attempt, count)
    monkeypatch.setattr(lti_app.views.student, "current_attempt", racer)
    monkeypatch.setattr(lti_app.access, "current_attempt", racer)

    def click(_: int) -> int:
        response = app.test_client().post(f"/a/{ctx.launch_id}/attempts", data={"csrf_token": token})
        return response.status_code

    results, errors = _in_threads(count, click)
    assert errors == []
    assert results == [303] * count, results
    opened = _open_attempts(app)
    assert len(opened) == 1 and opened[0].number == 2
    with app.app_context():
        assert db.session.query(Attempt).count() == 2


def test_the_migration_closes_duplicates_made_before_it(make_app, database_url):
    """A database that already holds two open attempts of one learner still upgrades: the newest stays open."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    app = make_app(CR_DATABASE_URL=database_url)
    ctx = _context(str(uuid.uuid4()), "learner-3")
    _persist(app, ctx)
    with app.test_request_context():
        from lti_app.launches import on_resource_launch

        on_resource_launch(ctx)
        directory = app.extensions["migrate"].directory
        db.session.remove()
        downgrade(directory=directory, revision="0002_workbench")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO attempt (activity_id, user_id, number, status, state, started_at) "
                "SELECT activity_id, user_id, number, status, state, started_at FROM attempt"
            ))
        upgrade(directory=directory)
        rows = [(a.id, str(a.status)) for a in db.session.query(Attempt).order_by(Attempt.id)]
        assert rows == [(1, "closed"), (2, "open")]
