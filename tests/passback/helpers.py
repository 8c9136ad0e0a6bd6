"""A student who completes the orientation through a real LTI launch, and fault injection for the LMS."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from devlms import create_devlms_app
from devlms.platform import DevLms, ToolEndpoints
from tests.lti.conftest import add_activity
from tests.support.live_server import LiveServer

ALL_RIGHT = {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "revert"}
THREE_RIGHT = {**ALL_RIGHT, "resolution": "force"}


class ScoreFaults:
    """WSGI middleware in front of the dev LMS: scripted answers for the first score POSTs.

    Each scripted entry is ``(status, delay_seconds)``; the request is answered with that status
    without reaching the LMS. After the script runs out, requests pass through to the real LMS.
    """

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.script: list[tuple[int, float]] = []
        self.seen = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].endswith("/scores"):
            with self._lock:
                self.seen += 1
                step = self.script.pop(0) if self.script else None
            if step is not None:
                status, delay = step
                time.sleep(delay)
                start_response(f"{status} Scripted", [("Content-Type", "application/json")])
                return [b'{"error": "scripted failure"}']
        return self.app(environ, start_response)


def lms_with_faults(shape: str, tool: Any, servers: list[LiveServer]) -> tuple[DevLms, ScoreFaults]:
    server = LiveServer()
    servers.append(server)
    lms = DevLms(shape, server.url, ToolEndpoints.under(tool.url))
    faults = ScoreFaults(create_devlms_app(lms))
    server.serve(faults)
    result = tool.cli(
        "platforms", "add", "--issuer", lms.issuer, "--client-id", lms.client_id,
        "--deployment-id", lms.deployment_id, "--auth-login-url", lms.auth_login_url,
        "--auth-token-url", lms.token_url, "--key-set-url", lms.jwks_url,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return lms, faults


def complete_orientation(browser: Any, lms: DevLms, tool: Any, answers: dict[str, str], student: int = 1) -> str:
    """Instructor places the activity, a student launches and answers. Returns the student's user id."""
    link_id = add_activity(browser, lms, phase="acknowledge", title="Orientation")
    user = lms.users[student]
    launched = browser.launch(lms.base_url, user.id, link=link_id)
    assert launched.status_code == 302, launched.text[:500]
    page = browser.get(
        launched.headers["Location"]
        if launched.headers["Location"].startswith("http")
        else tool.url + launched.headers["Location"]
    )
    assert page.status_code == 200 and "Orientation" in page.text, page.text[:500]
    sent = browser.submit_form(page, answers)
    assert sent.status_code == 303, sent.text[:500]
    return user.id


def received(lms: DevLms, user_id: str) -> list[Any]:
    return [s for s in lms.store.state.scores if s.user_id == user_id]
