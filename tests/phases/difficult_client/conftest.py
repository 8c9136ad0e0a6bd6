"""Helpers for Difficult Client web tests: an app with a seeded launch and a small client for its API."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from tests.phases.difficult_client.students import SCENARIO
from tests.support.phase_session import CodeSession, session_fixture

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
class DcSession(CodeSession):
    """One learner's Difficult Client launch (tests/support/phase_session.py), with the phase's own routes."""

    finish_prefix: ClassVar[str] = "dc"
    wait_timeout: ClassVar[float] = 60

    def say(self, message: str, *, stream: bool = False, turn: int | None = None) -> Any:
        payload: dict[str, Any] = {"message": message}
        if turn is not None:
            payload["turn"] = turn
        headers = {"Accept": "text/event-stream"} if stream else None
        return self.post(self.api("dc/messages"), payload, headers=headers)

    def state(self) -> dict[str, Any]:
        return self.get(self.api("dc/state")).get_json()

    def finished(self, view: dict[str, Any], states: list[str]) -> dict[str, Any]:
        """The final view, with every state the polling saw (no event stream read)."""
        view["seen_states"] = states
        return view


dc_session = session_fixture(DcSession, DC_CUSTOM, "dc_session")
