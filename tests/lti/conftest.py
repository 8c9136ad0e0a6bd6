"""Fixtures for LTI tests: the tool on a live HTTP server and dev LMSes (Canvas- and Moodle-shaped) on
their own live servers, registered through the real ``flask platforms add`` command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from devlms import create_devlms_app
from devlms.platform import DevLms, ToolEndpoints
from tests.support.browser import Browser
from tests.support.live_server import LiveServer


@dataclass
class Tool:
    app: Flask
    url: str

    def count(self, model: Any) -> int:
        from lti_app.extensions import db

        with self.app.app_context():
            return db.session.scalar(db.select(db.func.count()).select_from(model))

    def cli(self, *args: str) -> Any:
        return self.app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def make_tool(make_app: Callable[..., Flask]) -> Iterator[Callable[..., Tool]]:
    servers: list[LiveServer] = []

    def build(**env: str) -> Tool:
        server = LiveServer()
        servers.append(server)
        app = make_app(CR_PUBLIC_BASE_URL=server.url, **env)
        server.serve(app)
        return Tool(app=app, url=server.url)

    yield build
    for server in servers:
        server.stop()


@pytest.fixture
def tool(make_tool: Callable[..., Tool]) -> Tool:
    return make_tool()


@pytest.fixture
def make_lms() -> Iterator[Callable[..., DevLms]]:
    servers: list[LiveServer] = []

    def build(shape: str, tool: Tool, register: bool = True) -> DevLms:
        server = LiveServer()
        servers.append(server)
        lms = DevLms(shape, server.url, ToolEndpoints.under(tool.url))
        server.serve(create_devlms_app(lms))
        if register:
            result = tool.cli(
                "platforms", "add",
                "--issuer", lms.issuer,
                "--client-id", lms.client_id,
                "--deployment-id", lms.deployment_id,
                "--auth-login-url", lms.auth_login_url,
                "--auth-token-url", lms.token_url,
                "--key-set-url", lms.jwks_url,
            )  # fmt: skip
            assert result.exit_code == 0, result.output
        return lms

    yield build
    for server in servers:
        server.stop()


@pytest.fixture(params=["canvas", "moodle"])
def lms(request: pytest.FixtureRequest, make_lms: Callable[..., DevLms], tool: Tool) -> DevLms:
    return make_lms(request.param, tool)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with Browser() as session:
        yield session


def add_activity(browser: Browser, lms: DevLms, **choice: str) -> str:
    """Run the deep-linking picker as the instructor; returns the new resource link id in the LMS."""
    instructor = lms.users[0]
    picker = browser.launch(lms.base_url, instructor.id, deep_link=True)
    assert picker.status_code == 200, picker.text[:500]
    fields = {"phase": "acknowledge", "difficulty": "medium", "language": "python", "time_limit": "30",
              "max_attempts": "2", "title": "Orientation"}
    # The picker refuses an option the phase does not use: keep only the defaults the chosen phase honours.
    from grader.phases.options import OPTION_NAMES
    from lti_app.phases import get_phase

    phase = get_phase(choice.get("phase", fields["phase"]))
    honoured = phase.info.options if phase is not None else frozenset(OPTION_NAMES)
    fields = {k: v for k, v in fields.items() if k not in OPTION_NAMES or k in honoured}
    fields.update(choice)
    response = browser.submit_form(picker, fields)
    assert response.status_code == 200, response.text[:500]
    back = browser.submit_form(response)  # the auto-posting LtiDeepLinkingResponse form
    assert back.status_code == 303, back.text[:500]
    created = back.headers["Location"].split("created=")[1].split("&")[0]
    return created.replace("%2C", ",").split(",")[0]


def plain_link(lms: DevLms, phase: str = "acknowledge") -> str:
    """A link created directly in the LMS (as if pasted by an admin), for tests not about deep linking."""
    row = lms.store.add_lineitem(label="Orientation", score_maximum=100)
    custom = {"phase": phase, "max_attempts": "2", "activity_key": "00000000-0000-4000-8000-000000000000"}
    return lms.store.add_link("Orientation", lms.tool.launch, custom, row.id).id


def bare_link(lms: DevLms, browser: Browser) -> str:
    """The tool added to the course without choosing content (Moodle without "Select content", a Canvas
    course-navigation link), through the dev LMS's own button: its launches carry no custom parameters."""
    added = browser.post(f"{lms.base_url}/links", allow_redirects=False)
    assert added.status_code == 303, added.text[:300]
    link_id = added.headers["Location"].split("created=")[1].split("&")[0]
    assert lms.store.state.links[link_id].custom == {}
    return link_id
