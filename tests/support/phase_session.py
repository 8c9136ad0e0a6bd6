"""One learner's launch of a phase, driven through the HTTP API with Flask's test client: the shared part of every
phase's web tests (seeding the launch, the CSRF token, get/post, queueing a job and waiting for it, the finish, the
graded row). Every student-facing body is kept in ``seen``, for the leak scans (tests/support/leaks.py).

A phase subclasses :class:`PhaseSession` (or :class:`CodeSession`, for the code editor's Run/Submit) with what is
its own, and makes its fixture with :func:`session_fixture`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient

S = TypeVar("S", bound="PhaseSession")


@dataclass
class PhaseSession:
    """One learner's launch, driven through the HTTP API. Every student-facing body is kept in ``seen``."""

    app: Flask
    client: FlaskClient
    launch_id: str
    csrf: str
    seen: list[str] = field(default_factory=list)

    # The phase's finish route's short name (/a/<launch>/<finish_prefix>/finish) and the API reads its page makes.
    finish_prefix: ClassVar[str] = ""
    page_reads: ClassVar[tuple[str, ...]] = ("status", "clock")
    wait_timeout: ClassVar[float] = 90
    poll_seconds: ClassVar[float] = 0.05

    # ----- seeding ------------------------------------------------------------------------------------------------
    @classmethod
    def open(cls: type[S], app: Flask, seed_launch: Callable[..., str], phase_custom: dict[str, str],
             **launch: Any) -> S:
        """A launch seeded with the phase's custom parameters (unless the test gives its own), and its CSRF token."""
        from lti_app.security import csrf_token

        launch.setdefault("custom", dict(phase_custom))
        launch_id = seed_launch(app, **launch)
        with app.test_request_context():
            token = csrf_token(launch_id)
        return cls(app=app, client=app.test_client(), launch_id=launch_id, csrf=token)

    def csrf_for(self, launch_id: str) -> str:
        """The CSRF token of another launch (an instructor's, say) in the same app."""
        from lti_app.security import csrf_token

        with self.app.test_request_context():
            return csrf_token(launch_id)

    # ----- requests -----------------------------------------------------------------------------------------------
    def keep(self, response: Any) -> Any:
        self.seen.append(response.get_data(as_text=True))
        return response

    _keep = keep

    def api(self, path: str) -> str:
        return f"/api/a/{self.launch_id}/{path}"

    def page(self, query: str = "") -> Any:
        return self.keep(self.client.get(f"/a/{self.launch_id}{query}"))

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.keep(self.client.get(path, headers={"Accept": "application/json"}, **kwargs))

    def post(self, path: str, payload: Any = None, *, raw: bytes | None = None, headers: dict[str, str] | None = None,
             content_type: str = "application/json", csrf: bool = True, method: str = "POST") -> Any:
        hdrs = {**({"X-CSRF-Token": self.csrf} if csrf else {}), "Accept": "application/json", **(headers or {})}
        body = raw if raw is not None else json.dumps(payload if payload is not None else {})
        return self.keep(self.client.open(path, method=method, data=body, headers=hdrs, content_type=content_type))

    def put(self, path: str, payload: Any, **kwargs: Any) -> Any:
        headers = {"Accept": "application/json", "X-CSRF-Token": self.csrf}
        return self.keep(self.client.put(path, json=payload, headers=headers, **kwargs))

    def form(self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Any:
        """The page's plain form (no JavaScript): the browser's own POST."""
        return self.keep(self.client.post(path, data={"csrf_token": self.csrf, **fields}, headers=headers))

    def status(self) -> dict[str, Any]:
        return self.get(self.api("status")).get_json()

    def finish(self, **body: Any) -> Any:
        return self.post(f"/a/{self.launch_id}/{self.finish_prefix}/finish", body)

    def everything(self) -> None:
        """Every student-facing read the page makes."""
        self.page()
        for path in self.page_reads:
            self.get(self.api(path))

    # ----- jobs ---------------------------------------------------------------------------------------------------
    def wait(self, submission: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Poll the submission like the page's fallback does, until it is done or failed."""
        deadline = time.monotonic() + (self.wait_timeout if timeout is None else timeout)
        states: list[str] = []
        while time.monotonic() < deadline:
            view = self.get(submission["url"]).get_json()["submission"]
            states.append(view["state"])
            if view["state"] in ("done", "failed"):
                return self.finished(view, states)
            time.sleep(self.poll_seconds)
        raise AssertionError(f"submission {submission.get('id')} never finished: {states[-5:]}")

    def finished(self, view: dict[str, Any], states: list[str]) -> dict[str, Any]:
        """A finished submission: the page reads its event stream once, as it ends."""
        self.keep(self.client.get(view["events_url"]))
        return view

    def job(self, queued: Any) -> dict[str, Any]:
        """A queued job (202), waited for."""
        assert queued.status_code == 202, queued.get_data(as_text=True)[:300]
        return self.wait(queued.get_json()["submission"])

    # ----- rows ---------------------------------------------------------------------------------------------------
    def graded(self, timeout: float = 90) -> Any:
        """The attempt's newest grade row, once the queue has graded it."""
        from lti_app.dispatch import get_dispatcher
        from lti_app.extensions import db
        from lti_app.models import GradeRow

        assert get_dispatcher(self.app).drain(timeout)
        with self.app.app_context():
            row = db.session.scalars(db.select(GradeRow).order_by(GradeRow.id.desc())).first()
            assert row is not None
            db.session.expunge(row)
            return row

    def attempt_row(self) -> Any:
        from lti_app.access import current_attempt
        from lti_app.extensions import db
        from lti_app.lti.launch_store import load_launch

        with self.app.test_request_context():
            attempt = current_attempt(load_launch(self.launch_id))
            db.session.expunge(attempt)
            return attempt


@dataclass
class CodeSession(PhaseSession):
    """A phase with the workbench's code editor: Run, Submit (and the phase's other kinds) and the draft."""

    page_reads: ClassVar[tuple[str, ...]] = ("status", "draft", "clock")

    def queue(self, kind: str, source: str, stdin: str = "", **extra: Any) -> Any:
        payload = {"source": source, **({"stdin": stdin} if kind == "run" else {}), **extra}
        return self.post(self.api(f"code/{kind}"), payload)

    def run_kind(self, kind: str, source: str, stdin: str = "") -> dict[str, Any]:
        return self.job(self.queue(kind, source, stdin))

    def run(self, source: str, stdin: str = "") -> dict[str, Any]:
        return self.run_kind("run", source, stdin)

    def submit(self, source: str) -> dict[str, Any]:
        return self.run_kind("submit", source)

    def hint(self, taken: int | None = None) -> Any:
        return self.post(self.api(f"{self.finish_prefix}/hint"), {} if taken is None else {"hints_taken": taken})

    def save_draft(self, source: str, revision: int) -> Any:
        payload = {"source": source, "revision": revision}
        return self.keep(self.client.put(self.api("draft"), json=payload, headers={"X-CSRF-Token": self.csrf}))


def session_fixture(cls: type[S], custom: dict[str, str], name: str) -> Any:
    """The phase's fixture (named ``name``): a factory ``open_session(app=None, **launch)`` of ``cls`` sessions."""

    def fixture(make_app: Callable[..., Flask], seed_launch: Callable[..., str]) -> Callable[..., S]:
        def open_session(app: Flask | None = None, **launch: Any) -> S:
            return cls.open(app or make_app(), seed_launch, custom, **launch)

        return open_session

    fixture.__name__ = f"{name}_fixture"
    return pytest.fixture(name=name)(fixture)
