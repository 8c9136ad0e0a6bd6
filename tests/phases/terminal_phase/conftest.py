"""Fixtures for the terminal phase: registered for one test (the registry forgets it afterwards), placed in a dev
LMS over real HTTP and launched as a student."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import pytest

from lti_app.phases import registry
from tests.lti.conftest import plain_link
from tests.support.browser import Browser

PHASE_ID = "terminal_phase"


@pytest.fixture
def terminal_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_phases", dict(registry._phases))
    registry.register("tests.phases.terminal_phase.domain", "tests.phases.terminal_phase.web")


@dataclass
class Student:
    """A student's launched page, and helpers over the terminal's routes."""

    browser: Browser
    tool_url: str
    page_url: str
    launch_id: str
    csrf: str
    app: Any = None  # the tool's Flask app, for looking at rows

    def api(self, path: str) -> str:
        return f"{self.tool_url}/api/a/{self.launch_id}/{path}"

    def post(self, path: str, json: Any = None, csrf: bool = True, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.browser.post(self.api(path), json=json, headers=headers, allow_redirects=False, **kwargs)

    def put_file(self, path: str, body: Any, csrf: bool = True) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.browser.put(self.api("workspace/file"), params={"path": path}, json=body, headers=headers)

    def get_file(self, path: str) -> Any:
        return self.browser.get(self.api("workspace/file"), params={"path": path})

    def wait(self, view: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while view["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline, f"still {view['state']} after {timeout} s"
            time.sleep(0.02)
            view = self.browser.get(urljoin(self.tool_url, view["url"])).json()["submission"]
        return view

    def run(self, command: str) -> dict[str, Any]:
        """Send a command and wait for it: the finished submission's result."""
        sent = self.post("terminal/commands", {"command": command})
        assert sent.status_code == 202, sent.text
        done = self.wait(sent.json()["submission"])
        assert done["state"] == "done", done
        return done["result"]


def launch_student(browser: Browser, tool: Any, lms: Any, link_id: str, user: int = 1) -> Student:
    launched = browser.launch(lms.base_url, lms.users[user].id, link=link_id)
    assert launched.status_code == 302, launched.text[:300]
    page_url = urljoin(tool.url, launched.headers["Location"])
    page = browser.get(page_url)
    assert page.status_code == 200, page.text[:300]
    csrf = re.search(r'data-csrf="([0-9a-f]+)"', page.text)
    assert csrf, "the terminal partial carries the launch's CSRF token"
    return Student(browser, tool.url, page_url, page_url.rstrip("/").split("/")[-1], csrf.group(1), tool.app)


@pytest.fixture
def student(terminal_registered, make_tool, make_lms, browser) -> Student:  # type: ignore[no-untyped-def]
    tool = make_tool()
    lms = make_lms("canvas", tool)
    return launch_student(browser, tool, lms, plain_link(lms, phase=PHASE_ID))
