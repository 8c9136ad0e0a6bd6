"""When the browser does not send the state cookie back: what the page says happened, and the "open in a new
window" path, which must restart from the platform. Moodle deletes a login's lti_message_hint after its first
use (mod/lti/auth.php), so replaying the original login there fails with "Invalid request"; the dev LMS's
Moodle shape does the same."""

from __future__ import annotations

import html
from urllib.parse import urljoin

import pytest

from lti_app.models.lti import LtiLaunch
from tests.lti.conftest import plain_link
from tests.support.browser import forms_in


def _drop_state_cookies(browser) -> None:
    """The LMS iframe lost the tool's cookies (third-party cookies blocked); the LMS's own session stays."""
    for cookie in [c for c in browser.cookies if c.name.startswith("lti1p3-")]:
        browser.cookies.clear(cookie.domain, cookie.path, cookie.name)


def _refused_launch(browser, lms, link_id: str, **headers: str):
    auth_url = browser.start_launch(lms.base_url, lms.users[1].id, link=link_id)
    page = browser.get(auth_url)
    assert page.status_code == 200, page.text[:300]
    _drop_state_cookies(browser)
    response = browser.submit_form(page, headers=headers)
    assert response.status_code == 401 and response.headers["X-LTI-Error"] == "state_cookie_missing", \
        response.text[:500]
    return response


def _link(response, link_id: str) -> str | None:
    marker = f'id="{link_id}" href="'
    if marker not in response.text:
        return None
    return html.unescape(response.text.split(marker)[1].split('"')[0])


def test_dev_moodle_consumes_the_message_hint_like_moodle(tool, make_lms, browser):
    lms = make_lms("moodle", tool)
    link_id = plain_link(lms)
    auth_url = browser.start_launch(lms.base_url, lms.users[1].id, link=link_id)
    assert browser.get(auth_url).status_code == 200
    again = browser.get(auth_url)  # the same authorization request, hint and all
    assert again.status_code == 400 and "Invalid request" in again.text


def test_the_new_window_restarts_from_the_platform_and_launches(tool, lms, browser):
    link_id = plain_link(lms)
    before = tool.count(LtiLaunch)
    refused = _refused_launch(browser, lms, link_id)
    href = _link(refused, "open-new-window")
    assert href, refused.text[:800]
    if lms.shape == "moodle":  # the hint is spent: only Moodle's own launch page for the link can start again
        assert href == f"{lms.base_url}/mod/lti/launch.php?id={link_id}"
    # The new window is a top-level window, where the tool's cookie survives.
    page = browser.get(href)
    assert page.status_code == 200 and forms_in(page.text), page.text[:500]
    done = browser.submit_form(page)
    assert done.status_code == 302 and "/a/" in done.headers["Location"], done.text[:500]
    assert tool.count(LtiLaunch) == before + 1


def test_moodle_deep_linking_without_the_cookie_offers_no_replay_that_cannot_work(tool, make_lms, browser):
    lms = make_lms("moodle", tool)
    auth_url = browser.start_launch(lms.base_url, lms.users[0].id, deep_link=True)
    page = browser.get(auth_url)
    _drop_state_cookies(browser)
    refused = browser.submit_form(page)
    assert refused.headers["X-LTI-Error"] == "state_cookie_missing"
    assert _link(refused, "open-new-window") is None  # no hint-replaying link: Moodle would refuse it
    assert "Select content" in refused.text


CROSS_SITE_IFRAME = {"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "cross-site"}
CROSS_SITE_WINDOW = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Site": "cross-site"}


@pytest.mark.parametrize("where", ["iframe", "window"])
def test_over_http_from_another_site_the_page_says_https_is_needed(where, tool, make_lms, browser):
    lms = make_lms("canvas", tool)
    headers = CROSS_SITE_IFRAME if where == "iframe" else CROSS_SITE_WINDOW
    refused = _refused_launch(browser, lms, plain_link(lms), **headers)
    text = html.unescape(refused.text)
    assert "LTI in an iframe needs https" in text
    assert "blocked this activity inside the course page" not in text
    # A new window cannot help: over http the cookie is SameSite=Lax, never sent on a cross-site form post.
    assert _link(refused, "open-new-window") is None
    assert "a new window will not help" in text
    assert ("inside the course page" if where == "iframe" else "in a window of its own") in text


def test_over_https_the_page_tells_an_iframe_from_a_window(make_tool, make_lms, browser):
    tool = make_tool(CR_TRUST_PROXY="true")
    lms = make_lms("canvas", tool)
    https = {"X-Forwarded-Proto": "https"}
    in_frame = _refused_launch(browser, lms, plain_link(lms), **https, **CROSS_SITE_IFRAME)
    assert "blocked this activity inside the course page" in in_frame.text
    assert _link(in_frame, "open-new-window")
    in_window = _refused_launch(browser, lms, plain_link(lms), **https, **CROSS_SITE_WINDOW)
    text = html.unescape(in_window.text)
    assert "inside the course page" not in text and "in a window of its own" in text
    assert _link(in_window, "open-new-window") is None and _link(in_window, "start-again")


def test_an_error_the_platform_posts_back_is_named(tool, browser):
    """A platform answers a bad authorization request by posting error=... (and the state) to the launch URL."""
    response = browser.post(urljoin(tool.url, "/lti/launch"), allow_redirects=False,
                            data={"error": "invalid_request", "error_description": "Invalid prompt", "state": "x"})
    assert response.status_code == 400 and response.headers["X-LTI-Error"] == "platform_error"
    assert "invalid_request" in response.text and "Invalid prompt" in response.text
