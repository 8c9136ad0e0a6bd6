"""The LMS-shaped flows the phases' end-to-end tests share (tests/phases/*/test_web_lms.py): the instructor's
deep-linking picker showing a phase's options, the placement's returned content item, the link it created, a
student's launch, and a job queued over real HTTP and waited for."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urljoin

import jwt

from tests.support.browser import forms_in

CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


def show_options(browser: Any, lms: Any, tool: Any, phase: str) -> tuple[str, str, str]:
    """The instructor's picker showing ``phase``'s options: (the form's action, its CSRF token, the options' HTML)."""
    picker = browser.launch(lms.base_url, lms.users[0].id, deep_link=True)
    (form,) = forms_in(picker.text)
    action, token = urljoin(tool.url, form["action"]), form["fields"]["csrf_token"]
    shown = browser.post(action, data={"csrf_token": token, "phase": phase, "show_options": "1"})
    assert shown.status_code == 200 and f'data-phase="{phase}"' in shown.text
    return action, token, shown.text


def choose(browser: Any, action: str, data: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """The picker's choice posted: (the answer, the custom parameters of the content item it returns)."""
    answer = browser.post(action, data=data, allow_redirects=False)
    assert answer.status_code == 200, answer.text[:800]
    claims = jwt.decode(forms_in(answer.text)[0]["fields"]["JWT"], options={"verify_signature": False})
    return answer, claims[CONTENT_ITEMS][0]["custom"]


def created_link(browser: Any, answer: Any) -> str:
    """The content item returned to the LMS: the id of the (first) link it created."""
    back = browser.submit_form(answer)
    assert back.status_code == 303, back.text[:300]
    return back.headers["Location"].split("created=")[1].split("&")[0].replace("%2C", ",").split(",")[0]


def launch_student(browser: Any, lms: Any, tool: Any, user: Any, link_id: str) -> tuple[str, str, str, Any]:
    """A student's launch of the link: (page URL, launch id, the page's CSRF token, the page)."""
    launched = browser.launch(lms.base_url, user.id, link=link_id)
    assert launched.status_code == 302, launched.text[:300]
    page_url = urljoin(tool.url, launched.headers["Location"])
    page = browser.get(page_url)
    assert page.status_code == 200, page.text[:300]
    csrf = re.search(r'data-csrf="([0-9a-f]+)"', page.text).group(1)
    return page_url, page_url.rstrip("/").split("/")[-1], csrf, page


def wait_for(browser: Any, url: str, timeout: float = 90, poll: float = 0.05) -> dict[str, Any]:
    """Poll a submission's URL until it is done or failed: its final view."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = browser.get(url, headers={"Accept": "application/json"}).json()["submission"]
        if view["state"] in ("done", "failed"):
            return view
        time.sleep(poll)
    raise AssertionError("submission never finished")


def queue_and_wait(browser: Any, tool: Any, url: str, csrf: str, payload: dict[str, Any] | None = None,
                   timeout: float = 90, poll: float = 0.05) -> dict[str, Any]:
    """POST a job (202) to ``url`` on the tool (``payload`` as JSON, if any) and wait for it: its result."""
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    queued = browser.post(url, json=payload, headers=headers)
    assert queued.status_code == 202, queued.text[:300]
    return wait_for(browser, urljoin(tool.url, queued.json()["submission"]["url"]), timeout, poll)["result"]
