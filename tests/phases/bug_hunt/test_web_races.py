"""Races on a live server (threads, SQLite and PostgreSQL): two hint requests that both read the attempt before
either writes take one hint between them, whatever count the page sent; a double-clicked Submit queues one
job; a hint racing Finish is refused with a clear answer and nothing taken."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from lti_app.extensions import db
from lti_app.models import Submission
from lti_app.phases.bug_hunt import views
from tests.phases.bug_hunt.web_fixtures import (
    bh_session_fixture,  # noqa: F401  (the bh_session fixture)
    fixing,
)
from tests.support.live_server import LiveServer


@pytest.fixture
def served(make_app, database_url):
    server = LiveServer()
    app = make_app(CR_DATABASE_URL=database_url, CR_PUBLIC_BASE_URL=server.url)
    server.serve(app)
    yield app, server.url
    server.stop()


def _both_read_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold every hint request after it has read the attempt until two have, so both decide on the same state."""
    barrier = threading.Barrier(2, timeout=10)
    real = views.take_hint

    def take_hint(*args, **kwargs):
        barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "take_hint", take_hint)


@pytest.mark.parametrize("sent", [{}, {"hints_taken": 0}])
def test_two_hint_requests_at_once_take_one_hint(served, bh_session, monkeypatch, sent):
    app, url = served
    s = bh_session(app)
    _both_read_first(monkeypatch)
    headers = {"X-CSRF-Token": s.csrf, "Accept": "application/json"}
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: requests.post(f"{url}/api/a/{s.launch_id}/bh/hint", json=sent,
                                                        headers=headers, timeout=30), range(2)))
    assert sorted(a.status_code for a in answers) == [200, 409]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["error"] == "hint_already_taken" and len(refused["hints"]) == 1
    assert len(s.attempt_row().state["hints"]) == 1


def test_a_double_clicked_submit_queues_one_job(served, bh_session):
    app, url = served
    s = bh_session(app)
    source = "import time\ntime.sleep(1)\n" + fixing(s.exercise(), "syntax")
    headers = {"X-CSRF-Token": s.csrf, "Accept": "application/json"}
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: requests.post(f"{url}/api/a/{s.launch_id}/code/submit",
                                                        json={"source": source}, headers=headers, timeout=30),
                                range(2)))
    assert sorted(a.status_code for a in answers) == [202, 409]
    assert next(a for a in answers if a.status_code == 409).json()["error"] == "submission_pending"
    with app.app_context():
        assert db.session.query(Submission).count() == 1


def test_a_hint_racing_finish_is_refused_and_nothing_is_taken(served, bh_session, monkeypatch):
    app, url = served
    s = bh_session(app)
    read, go = threading.Event(), threading.Event()
    real = views.take_hint

    def take_hint(*args, **kwargs):
        read.set()  # the hint request has read the open attempt...
        go.wait(10)  # ...and decides only after Finish has closed it
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "take_hint", take_hint)
    headers = {"X-CSRF-Token": s.csrf, "Accept": "application/json"}
    with ThreadPoolExecutor(1) as pool:
        hint = pool.submit(requests.post, f"{url}/api/a/{s.launch_id}/bh/hint", json={"hints_taken": 0},
                           headers=headers, timeout=30)
        assert read.wait(10)
        finished = requests.post(f"{url}/a/{s.launch_id}/bh/finish", json={}, headers=headers, timeout=30)
        go.set()
        answer = hint.result()
    assert finished.status_code == 202
    assert answer.status_code == 409 and answer.json()["error"] == "attempt_closed"
    attempt = s.attempt_row()
    assert attempt.state["hints"] == [] and attempt.status in ("grading", "closed")
