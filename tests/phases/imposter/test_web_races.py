"""Races on a live server (threads; SQLite and PostgreSQL): the attempt's state is changed by a compare-and-swap on
its revision, so a push recorded after a command and a commit opened in the page at the same moment — both having
read the same state — are both kept; so are two commits opened at once; and Finish racing a running command
waits for it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from lti_app.phases.imposter import records
from tests.phases.imposter.test_web_support import (
    im_session_fixture,  # noqa: F401  (the im_session fixture)
)
from tests.support.live_server import LiveServer


@pytest.fixture
def served(make_app, database_url):
    server = LiveServer()
    app = make_app(CR_DATABASE_URL=database_url, CR_PUBLIC_BASE_URL=server.url)
    server.serve(app)
    yield app, server.url
    server.stop()


class Gate:
    """Holds the first ``parties`` callers of the wrapped functions until all have read the attempt's state."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=30)
        self.armed = parties

    def wrap(self, real):  # type: ignore[no-untyped-def]
        def held(*args, **kwargs):  # type: ignore[no-untyped-def]
            if self.armed > 0:
                self.armed -= 1
                self.barrier.wait()
            return real(*args, **kwargs)

        return held


def _wait(url: str, view: dict) -> dict:
    import time

    deadline = time.monotonic() + 60
    while view["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
        view = requests.get(url + view["url"], timeout=30).json()["submission"]
    return view


def test_a_push_and_an_opened_commit_at_once_are_both_recorded(served, im_session, monkeypatch):
    app, url = served
    s = im_session(app)
    truth = s.truth()
    gate = Gate(2)  # the command's post-command hook and the diff's record, each holding the state it read
    monkeypatch.setattr(records, "record_push", gate.wrap(records.record_push))
    monkeypatch.setattr(records, "explored_of", gate.wrap(records.explored_of))
    headers = {"X-CSRF-Token": s.csrf, "Accept": "application/json"}
    api = f"{url}/api/a/{s.launch_id}"
    with ThreadPoolExecutor(2) as pool:
        queued = requests.post(f"{api}/terminal/commands", headers=headers, timeout=30,
                               json={"command": f"git revert --no-edit {truth['sabotage']} && git push -q origin main"})
        assert queued.status_code == 202
        opened = pool.submit(requests.get, f"{api}/imposter/commits/{truth['decoys'][0]['sha']}", timeout=60)
        done = pool.submit(_wait, url, queued.json()["submission"])
        assert opened.result().status_code == 200
        assert done.result()["result"]["remote_changed"] is True
    state = s.attempt_row().state
    assert state["explored"]["opened"] == [truth["decoys"][0]["sha"]]
    assert len(state["remote"]["updates"]) == 1 and state["remote"]["updates"][0]["fast_forward"]
    assert state["rev"] == 2 and gate.armed == 0


def test_two_commits_opened_at_once_are_both_recorded(served, im_session, monkeypatch):
    app, url = served
    s = im_session(app)
    graph = s.graph()
    gate = Gate(2)
    monkeypatch.setattr(records, "explored_of", gate.wrap(records.explored_of))
    shas = [graph["commits"][1]["sha"], graph["commits"][2]["sha"]]
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda sha: requests.get(f"{url}/api/a/{s.launch_id}/imposter/commits/{sha}",
                                                         timeout=60), shas))
    assert [a.status_code for a in answers] == [200, 200]
    assert sorted(s.attempt_row().state["explored"]["opened"]) == sorted(shas)


def test_finish_while_a_command_runs_is_refused_and_nothing_is_lost(served, im_session):
    app, url = served
    s = im_session(app)
    headers = {"X-CSRF-Token": s.csrf, "Accept": "application/json"}
    queued = requests.post(f"{url}/api/a/{s.launch_id}/terminal/commands", headers=headers, timeout=30,
                           json={"command": "sleep 2; git commit -q --allow-empty -m wip && git push -q origin main"})
    refused = requests.post(f"{url}/a/{s.launch_id}/imposter/finish", json={}, headers=headers, timeout=30)
    assert refused.status_code == 409 and refused.json()["error"] == "submission_pending"
    assert _wait(url, queued.json()["submission"])["result"]["remote_changed"] is True
    assert len(s.attempt_row().state["remote"]["updates"]) == 1
    finished = requests.post(f"{url}/a/{s.launch_id}/imposter/finish", json={}, headers=headers, timeout=30)
    assert finished.status_code == 202


def test_the_deadline_closing_never_overwrites_a_change_stored_meanwhile(served, im_session, monkeypatch):
    """The sweep reads the attempt, a report draft (or a push's record) is stored, then the sweep closes it: the
    close is a compare-and-swap too, so the draft is kept and graded."""
    from lti_app.workbench import deadlines

    app, url = served
    s = im_session(app)
    truth = s.truth()
    read, written = threading.Event(), threading.Event()
    real = deadlines.utcnow

    def utcnow():  # called between the sweep's read of the attempt and its write
        if not read.is_set():
            read.set()
            assert written.wait(30)
        return real()

    monkeypatch.setattr(deadlines, "utcnow", utcnow)

    def close() -> bool:
        with app.app_context():
            return deadlines.close_at_deadline(s.attempt_row().id)

    draft = {"imposter": truth["imposter"], "commit": truth["sabotage"][:8], "resolution": "none",
             "why": "I only found it; I did not change the shared repository."}
    with ThreadPoolExecutor(1) as pool:
        closing = pool.submit(close)
        assert read.wait(30)
        stored = requests.put(f"{url}/api/a/{s.launch_id}/imposter/report/draft", json=draft, timeout=30,
                              headers={"X-CSRF-Token": s.csrf, "Accept": "application/json"})
        written.set()
        assert closing.result() is True
    assert stored.status_code == 200
    attempt = s.attempt_row()
    assert attempt.status == "grading" and attempt.state["closed_by"] == "deadline"
    assert attempt.state["report_draft"]["fields"] == draft and attempt.state["rev"] == 2
