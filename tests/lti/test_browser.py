"""In a real Chromium. Over plain http, a launch from an LMS on another site (localhost vs 127.0.0.1) loses the
tool's SameSite=Lax state cookie inside the course page (an iframe) and in a window of its own alike, and the
page says so, with where the launch arrived and that LTI in an iframe needs https; from the same site the
launch inside the course page works. An instructor sets up a link added without content inside the course
page, with the picker's script, and no Content-Security-Policy violation."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from devlms import create_devlms_app
from devlms.platform import DevLms, ToolEndpoints
from tests.lti.conftest import Tool, plain_link
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.browser
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) => window.crCspViolation(
    {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, page: document.URL}));"""



@pytest.fixture
def lms_on(tool: Tool) -> Iterator[Callable[[str], DevLms]]:
    """A Moodle-shaped dev LMS served on 127.0.0.1 but addressed by ``host`` (localhost: another site)."""
    servers: list[LiveServer] = []

    def build(host: str) -> DevLms:
        server = LiveServer()
        servers.append(server)
        lms = DevLms("moodle", server.url.replace("127.0.0.1", host), ToolEndpoints.under(tool.url))
        server.serve(create_devlms_app(lms))
        result = tool.cli("platforms", "add", "--issuer", lms.issuer, "--client-id", lms.client_id,
                          "--deployment-id", lms.deployment_id, "--auth-login-url", lms.auth_login_url,
                          "--auth-token-url", lms.token_url, "--key-set-url", lms.jwks_url)
        assert result.exit_code == 0, result.output
        return lms

    yield build
    for server in servers:
        server.stop()


def test_over_http_another_site_cannot_launch_and_the_page_says_why(tool, lms_on, chromium):
    lms = lms_on("localhost")
    link_id = plain_link(lms)
    context = chromium.new_context()
    context.set_default_timeout(30_000)
    page = context.new_page()

    page.goto(f"{lms.base_url}/view?user={lms.users[1].id}&link={link_id}")  # inside the course page
    frame = page.frame_locator("#tool-frame")
    frame.get_by_role("heading", name="CodeResidency needs https").wait_for()
    text = frame.locator("main").inner_text()
    assert "inside the course page (an iframe)" in text and "LTI in an iframe needs https" in text
    assert "a new window will not help" in text and frame.locator("#open-new-window").count() == 0

    page.goto(f"{lms.base_url}/launch?user={lms.users[1].id}&link={link_id}")  # a window of its own
    page.get_by_role("heading", name="CodeResidency needs https").wait_for()
    text = page.locator("main").inner_text()
    assert "in a window of its own" in text and "inside the course page (an iframe)" not in text
    context.close()


def test_over_http_the_same_site_launches_inside_the_course_page(tool, lms_on, chromium):
    lms = lms_on("127.0.0.1")
    link_id = plain_link(lms)
    context = chromium.new_context()
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"{lms.base_url}/view?user={lms.users[1].id}&link={link_id}")
    page.frame_locator("#tool-frame").get_by_role("heading", name="Orientation").wait_for()
    context.close()


def test_an_instructor_sets_up_a_bare_link_inside_the_course_page(tool, lms_on, chromium):
    from tests.lti.conftest import bare_link
    from tests.support.browser import Browser

    lms = lms_on("127.0.0.1")
    with Browser() as http:
        link_id = bare_link(lms, http)
    violations: list[dict[str, str]] = []
    context = chromium.new_context()
    context.expose_function("crCspViolation", lambda violation: violations.append(violation))
    context.add_init_script(REPORT_VIOLATIONS)
    context.set_default_timeout(30_000)
    page = context.new_page()

    page.goto(f"{lms.base_url}/view?user={lms.users[1].id}&link={link_id}")
    frame = page.frame_locator("#tool-frame")
    frame.get_by_role("heading", name="This activity is not set up yet").wait_for()
    assert "Tell your instructor" in frame.locator("main").inner_text()

    page.goto(f"{lms.base_url}/view?user={lms.users[0].id}&link={link_id}")
    frame.get_by_role("heading", name="Set up this activity").wait_for()
    frame.locator("#phase").select_option("difficult_client")  # picker.js swaps the options in place
    frame.locator("#phase-options[data-phase=difficult_client]").wait_for()
    frame.locator("#max_attempts").fill("2")
    frame.get_by_role("button", name="Set up this activity").click()
    frame.get_by_text("Download these results as CSV").wait_for()  # the results page

    page.goto(f"{lms.base_url}/view?user={lms.users[1].id}&link={link_id}")
    frame.locator("#dc-source").wait_for(state="attached")  # the Difficult Client, for the student
    context.close()
    assert violations == []
