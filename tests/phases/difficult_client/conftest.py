"""Helpers for Difficult Client web tests: an app with a seeded launch and a small client for its API."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.phases.difficult_client.students import SCENARIO

DC_CUSTOM = {"phase": "difficult_client", "scenario": SCENARIO, "max_attempts": "2"}


def parse_sse(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.split("\n\n"):
        if not block.strip():
            continue
        name, data = "message", ""
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data += line[6:]
        events.append((name, json.loads(data) if data else {}))
    return events


@dataclass
class DcSession:
    """One learner's launch, driven through the HTTP API. Every student-facing body is kept in ``seen``."""

    app: Flask
    client: FlaskClient
    launch_id: str
    csrf: str
    seen: list[str] = field(default_factory=list)

    def _keep(self, response: Any) -> Any:
        self.seen.append(response.get_data(as_text=True))
        return response

    def page(self) -> Any:
        return self._keep(self.client.get(f"/a/{self.launch_id}"))

    def get(self, path: str) -> Any:
        return self._keep(self.client.get(path, headers={"Accept": "application/json"}))

    def post(self, path: str, payload: Any = None, *, raw: bytes | None = None, headers: dict[str, str] | None = None,
             content_type: str = "application/json") -> Any:
        hdrs = {"X-CSRF-Token": self.csrf, "Accept": "application/json", **(headers or {})}
        body = raw if raw is not None else json.dumps(payload)
        return self._keep(self.client.post(path, data=body, headers=hdrs, content_type=content_type))

    def say(self, message: str, *, stream: bool = False, turn: int | None = None) -> Any:
        payload: dict[str, Any] = {"message": message}
        if turn is not None:
            payload["turn"] = turn
        headers = {"Accept": "text/event-stream"} if stream else None
        return self.post(f"/api/a/{self.launch_id}/dc/messages", payload, headers=headers)

    def state(self) -> dict[str, Any]:
        return self.get(f"/api/a/{self.launch_id}/dc/state").get_json()

    def queue(self, kind: str, source: str, stdin: str = "") -> Any:
        payload = {"source": source, **({"stdin": stdin} if kind == "run" else {})}
        return self.post(f"/api/a/{self.launch_id}/dc/{kind}", payload)

    def wait(self, submission: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
        """Poll the submission's status URL like the page does; returns the final view and every state seen."""
        deadline = time.monotonic() + timeout
        states = []
        while time.monotonic() < deadline:
            view = self.get(submission["url"]).get_json()["submission"]
            states.append(view["state"])
            if view["state"] in ("done", "failed"):
                view["seen_states"] = states
                return view
            time.sleep(0.05)
        raise AssertionError(f"submission never finished: {states[-5:]}")

    def finish(self) -> Any:
        return self.post(f"/a/{self.launch_id}/dc/finish", {})

    def status(self) -> dict[str, Any]:
        return self.get(f"/api/a/{self.launch_id}/status").get_json()

    def attempt_row(self) -> Any:
        from lti_app.access import current_attempt
        from lti_app.lti.launch_store import load_launch

        with self.app.test_request_context():
            return current_attempt(load_launch(self.launch_id))


@pytest.fixture
def dc_session(make_app: Callable[..., Flask], seed_launch: Callable[..., str]) -> Callable[..., DcSession]:
    def open_session(app: Flask | None = None, **launch: Any) -> DcSession:
        from lti_app.security import csrf_token

        app = app or make_app()
        launch.setdefault("custom", dict(DC_CUSTOM))
        launch_id = seed_launch(app, **launch)
        with app.test_request_context():
            token = csrf_token(launch_id)
        return DcSession(app=app, client=app.test_client(), launch_id=launch_id, csrf=token)

    return open_session
