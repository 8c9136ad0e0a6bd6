"""Helpers for the War Room's web tests (no tests here): a seeded launch driven through the HTTP API with Flask's
test client (the in-process queue and the real local sandbox), and the incident's secrets for the leak scans.

Import the fixture into a test module: ``from tests.phases.war_room.test_web_helpers import wr_session_fixture
# noqa: F401`` (it is named ``wr_session``; kept out of conftest.py, which the domain tests own).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from tests.support.leaks import flat
from tests.support.phase_session import PhaseSession, session_fixture

INCIDENT = "route_prefix"
WR_CUSTOM = {"phase": "war_room", "scenario": INCIDENT, "difficulty": "easy", "max_attempts": "2"}
BROKEN = b"route_prefix = /api/v1/\n"
FIXED = b"route_prefix = /api/v1\n"
PROBE = "curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:8080/api/v1/products"
GOOD_REPORT = {
    "what_broke": "Since 02:31 every customer request to the API answered 404, web and app alike.",
    "why": "The 2.7.1 deploy moved the route prefix into config/service.ini as /api/v1/ with a trailing slash, "
           "so the routes became /api/v1//products and no request matched any route.",
    "what_changed": "Removed the trailing slash from route_prefix in config/service.ini and restarted the service.",
    "how_verified": "curl against the product routes answered 200 and the platform's check passed.",
    "prevention": "Validate the configuration before it goes live and run a smoke test after each deploy.",
}


@dataclass
class WrSession(PhaseSession):
    """One learner's War Room launch (tests/support/phase_session.py), with the phase's own routes."""

    finish_prefix: ClassVar[str] = "wr"
    page_reads: ClassVar[tuple[str, ...]] = ("status", "clock", "terminal/log", "workspace/files", "wr/chat")
    wait_timeout: ClassVar[float] = 60
    poll_seconds: ClassVar[float] = 0.03

    def form(self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Any:
        """The page's plain form (no JavaScript): the browser's own POST, answered with a page or a redirect."""
        return super().form(path, fields, headers={"Accept": "text/html", **(headers or {})})

    # ----- the terminal -------------------------------------------------------------------------------
    def run(self, command: str) -> dict[str, Any]:
        done = self.job(self.post(self.api("terminal/commands"), {"command": command}))
        assert done["state"] == "done", done
        return done["result"]

    def check(self) -> dict[str, Any]:
        done = self.job(self.post(self.api("terminal/check")))
        assert done["state"] == "done", done
        return done["result"]

    def open_file(self, path: str) -> Any:
        return self.get(self.api("workspace/file"), query_string={"path": path})

    def save_file(self, path: str, content: str, base_sha: str | None = None) -> Any:
        body = {"content": content, **({"base_sha": base_sha} if base_sha else {})}
        return self.put(self.api("workspace/file") + f"?path={path}", body)

    def edit(self, path: str, old: bytes, new: bytes) -> Any:
        opened = self.open_file(path)
        assert opened.status_code == 200, opened.get_data(as_text=True)[:300]
        text = opened.get_json()["content"]
        assert old.decode() in text
        saved = self.save_file(path, text.replace(old.decode(), new.decode()), opened.get_json()["sha"])
        assert saved.status_code == 200 and saved.get_json()["changed"], saved.get_data(as_text=True)[:300]
        return saved

    # ----- the room -------------------------------------------------------------------------------------
    def say(self, message: Any) -> Any:
        return self.post(self.api("wr/messages"), {"message": message})

    def chat(self, after: int = 0) -> dict[str, Any]:
        return self.get(self.api("wr/chat"), query_string={"after": after}).get_json()

    def report(self, fields: dict[str, Any]) -> Any:
        return self.post(self.api("wr/report"), {"fields": fields})

    def draft(self, fields: dict[str, Any]) -> Any:
        return self.put(self.api("wr/report/draft"), {"fields": fields})

    # ----- rows -------------------------------------------------------------------------------------------
    def attempt(self) -> Any:
        from lti_app.extensions import db
        from lti_app.models import Attempt

        with self.app.app_context():
            row = db.session.scalars(db.select(Attempt).order_by(Attempt.id.desc())).first()
            db.session.expunge(row)
            return row

    def move_clock(self, *, started_ago: float, deadline_in: float) -> None:
        """Move the attempt's start (and the state's, which the CTO's schedule reads) and its deadline."""
        from lti_app.extensions import db
        from lti_app.models import Attempt, utcnow

        with self.app.app_context():
            attempt = db.session.scalars(db.select(Attempt).order_by(Attempt.id.desc())).first()
            now = utcnow()
            started = now - timedelta(seconds=started_ago)
            attempt.started_at = started
            attempt.deadline_at = now + timedelta(seconds=deadline_in)
            attempt.state = {**attempt.state, "started_at": started.isoformat() + "+00:00"}
            db.session.commit()


wr_session_fixture = session_fixture(WrSession, WR_CUSTOM, "wr_session")


def incident_secrets(incident_id: str = INCIDENT) -> dict[str, str]:
    """What no student response may hold before the close: the root cause, the fixes and what the grading
    matches (in the truth file's words), the check's own source and its library, and the Director's judgement."""
    from grader.phases.war_room import load_incident
    from grader.phases.war_room.checking import _library

    incident = load_incident(incident_id)
    data = incident.data
    out = {flat(incident.root_cause): "the root cause"}
    for group in ("fixes", "concepts", "key_facts", "prevention", "brute_force"):
        for item in data.get(group) or []:
            if len(flat(item.get("says", ""))) >= 12:
                out[flat(item["says"])] = f"the truth file's {group} ({item.get('id')})"
    # The check's own lines (not those the service's code shares with it: the workspace is the student's to read).
    from grader.phases.war_room import start_state, workspace_seed

    state = start_state(incident, "medium", "secrets", started_at="2025-03-14T02:47:00+00:00")
    workspace = flat("\n".join(v.decode("utf-8", "replace") for v in workspace_seed(state).files().values()))
    sources = {"check.py": incident.check_source, "checklib.py": _library()["checklib.py"]}
    for name, source in sources.items():
        for line in source.splitlines():
            text = flat(line)
            if len(text) >= 30 and not text.startswith(("#", "import ", "from ", "return ")) and text not in workspace:
                out[text] = f"a line of the check's {name}"
    return out
