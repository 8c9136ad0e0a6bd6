"""Every page and API answer carries the security headers, and no page has a script CSP would block.

One tool with the dev LMS mounted is walked over real HTTP the way people use it: the dev LMS's pages and
hand-over forms, deep linking (picker and its answer), a student's Difficult Client page and orientation
quiz, the report card, the instructor's results and attempt pages, the JSON API, error pages and static files.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from flask import Flask

from config import ConfigError, load_settings
from tests.support.browser import Browser, forms_in
from tests.support.live_server import LiveServer

QUIZ_ANSWERS = {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "revert"}


def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


class _InlineScriptFinder(HTMLParser):
    """Collects what a `script-src 'self'` policy would block: inline scripts, on* handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if value and re.sub(r"\s", "", value).lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}> javascript: URL")


def blocked_script_problems(html: str) -> list[str]:
    finder = _InlineScriptFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def header_problems(response: requests.Response, *, static: bool) -> list[str]:
    problems = []
    policy = directives(response.headers.get("Content-Security-Policy", ""))
    if policy.get("script-src") != ["'self'"]:
        problems.append(f"script-src is {policy.get('script-src')}")
    if any("unsafe" in value for value in policy.get("default-src", []) + policy.get("script-src", [])):
        problems.append("unsafe-* in default-src or script-src")
    for name, expected in (("default-src", ["'self'"]), ("object-src", ["'none'"]), ("base-uri", ["'none'"])):
        if policy.get(name) != expected:
            problems.append(f"{name} is {policy.get(name)}")
    if "form-action" not in policy:
        problems.append("no form-action")
    if "frame-ancestors" in policy and "'self'" not in policy["frame-ancestors"]:
        problems.append(f"frame-ancestors {policy['frame-ancestors']} leaves out the tool itself")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.headers.get("Referrer-Policy") != "no-referrer":
        problems.append("no Referrer-Policy: no-referrer")
    cache = response.headers.get("Cache-Control", "")
    if static and "no-store" in cache:
        problems.append("a static file is not cacheable")
    if not static and "no-store" not in cache and "public" not in cache:
        problems.append(f"Cache-Control is {cache!r}, not no-store")
    return problems


def first_link(html: str, pattern: str) -> str:
    match = re.search(pattern, html)
    assert match, f"no link matching {pattern}"
    return match.group(0)


def walk_every_kind_of_page(base: str, app: Flask) -> dict[str, requests.Response]:
    """One response of every kind the tool (and its mounted dev LMS) serves, by a readable name."""
    lms = app.extensions["devlms"]["canvas"]
    instructor, student = lms.users[0], lms.users[1]
    seen: dict[str, requests.Response] = {}
    with Browser() as browser:
        get = browser.get
        seen["dev LMS home"] = get(f"{base}/dev/")
        seen["dev LMS course"] = get(f"{lms.base_url}/")
        seen["dev LMS gradebook"] = get(f"{lms.base_url}/gradebook")
        seen["dev LMS roster"] = get(f"{lms.base_url}/roster")
        seen["dev LMS dynamic registration"] = get(f"{lms.base_url}/dynamic-registration")
        registration_page = seen["dev LMS dynamic registration"].text
        registration_url = first_link(registration_page, r'(?<=<iframe title="Tool registration" src=")[^"]+')
        # 409 while the dev LMS is registered already (it registers itself on the first request).
        seen["dynamic registration answer"] = get(html.unescape(registration_url))

        def launch(user: str, **params: str) -> requests.Response:
            """A Canvas-shaped launch, keeping its hand-over pages (login form, id_token form_post)."""
            login_page = get(f"{lms.base_url}/launch", params={"user": user, **params}, allow_redirects=False)
            seen["dev LMS login initiation form"] = login_page
            login = browser.submit_form(login_page)
            assert login.status_code == 302, login.text[:300]
            form_post = get(login.headers["Location"], allow_redirects=False)
            seen["dev LMS id_token form_post"] = form_post
            return browser.submit_form(form_post)

        def place(**choice: str) -> str:
            picker = launch(instructor.id, deep_link="1")
            seen["deep-linking picker"] = picker
            # Only the phase and title: every option the phase offers has a default.
            (form,) = forms_in(picker.text)
            answer = browser.post(urljoin(picker.url, form["action"]), allow_redirects=False,
                                  data={"csrf_token": form["fields"]["csrf_token"], **choice})
            assert answer.status_code == 200, answer.text[:500]
            seen["deep-linking answer (auto-post)"] = answer
            back = browser.submit_form(answer)
            assert back.status_code == 303, back.text[:300]
            return back.headers["Location"].split("created=")[1].split("&")[0].split("%2C")[0]

        invalid = browser.submit_form(launch(instructor.id, deep_link="1"), {"phase": "no-such-phase"})
        assert invalid.status_code == 400
        seen["picker with errors"] = invalid
        dc_link = place(phase="difficult_client", title="Client")
        quiz_link = place(phase="acknowledge", title="Orientation")

        def open_as(user: str, link: str) -> tuple[str, requests.Response]:
            launched = launch(user, link=link)
            assert launched.status_code in (302, 303), launched.text[:300]
            url = urljoin(base, launched.headers["Location"])
            return url, get(url)

        dc_url, seen["student Difficult Client page"] = open_as(student.id, dc_link)
        quiz_url, quiz = open_as(student.id, quiz_link)
        seen["student orientation quiz"] = quiz
        launch_id = quiz_url.rstrip("/").rsplit("/", 1)[1]
        finished = browser.submit_form(quiz, QUIZ_ANSWERS)
        assert finished.status_code == 303, finished.text[:300]
        seen["student report card"] = get(urljoin(base, finished.headers["Location"]))
        seen["status JSON"] = get(f"{base}/api/a/{launch_id}/status")
        seen["403 page"] = get(f"{base}/i/{launch_id}")

        results_url, seen["instructor results"] = open_as(instructor.id, quiz_link)
        attempt_path = first_link(seen["instructor results"].text, r"/i/[^\"']+/attempts/\d+")
        seen["instructor attempt"] = get(urljoin(base, attempt_path))

        seen["health"] = get(f"{base}/healthz")
        seen["JWKS"] = get(f"{base}/lti/jwks.json")
        seen["LTI login error page"] = get(f"{base}/lti/login")
        seen["LTI launch error page"] = browser.post(f"{base}/lti/launch", data={"state": "x"})
        seen["401 page"] = get(f"{base}/a/not-a-launch")
        seen["401 JSON"] = get(f"{base}/api/a/not-a-launch/status")
        seen["404 page"] = get(f"{base}/no-such-page")
        seen["static file"] = get(f"{base}/static/favicon.svg")
        seen["dev LMS static file"] = get(f"{lms.base_url}/devlms-static/autosubmit.js")
        assert dc_url.startswith(base)
    return seen


def test_every_page_and_api_answer_carries_the_security_headers_and_no_inline_script(make_app):
    server = LiveServer()
    app = make_app(CR_DEV_PLATFORM="true", CR_PUBLIC_BASE_URL=server.url)
    server.serve(app)
    try:
        seen = walk_every_kind_of_page(server.url, app)
    finally:
        server.stop()

    expected_status = {"403 page": {403}, "401 page": {401}, "401 JSON": {401}, "404 page": {404},
                       "LTI login error page": {400}, "LTI launch error page": {400}, "picker with errors": {400},
                       "dynamic registration answer": {200, 409}}
    problems = {}
    for name, response in seen.items():
        found = []
        if response.status_code not in expected_status.get(name, {200}):
            found.append(f"HTTP {response.status_code}")
        found += header_problems(response, static="static" in name)
        if response.headers.get("Content-Type", "").startswith("text/html"):
            found += blocked_script_problems(response.text)
        if found:
            problems[name] = found
    assert not problems, problems
    assert "text/html" in seen["student Difficult Client page"].headers["Content-Type"]
    dc_page = seen["student Difficult Client page"].text
    assert re.search(r'<textarea id="dc-source"[^>]*data-editor', dc_page) and "vendor/editor.bundle.js" in dc_page
    assert seen["status JSON"].headers["Content-Type"].startswith("application/json")
    # The public key set stays cacheable by platforms.
    assert "public" in seen["JWKS"].headers["Cache-Control"]


def test_no_template_has_a_script_that_csp_would_block():
    """Also the pages the walk above does not reach (new-window fallback, registration done, not configured)."""
    root = Path(__file__).resolve().parents[2]
    templates = [*root.glob("templates/**/*.html"), *root.glob("devlms/templates/**/*.html"),
                 *root.glob("lti_app/**/templates/**/*.html")]
    assert len(templates) > 10
    problems = {str(t.relative_to(root)): found for t in templates if (found := blocked_script_problems(t.read_text()))}
    assert not problems, problems


def test_frame_ancestors_are_the_registered_platforms_unless_configured(make_app: Callable[..., Flask]):
    from lti_app.headers import PLATFORMS_TTL
    from lti_app.lti.platforms import PlatformInput, add_platform

    app = make_app()
    assert directives(app.test_client().get("/healthz").headers["Content-Security-Policy"])["frame-ancestors"] \
        == ["'self'"]  # nobody registered: only the tool's own pages may frame it
    with app.app_context():
        add_platform(PlatformInput("https://canvas.instructure.com", "c1", "d1",
                                   "https://canvas.school.edu/api/lti/authorize_redirect",
                                   "https://canvas.school.edu/login/oauth2/token",
                                   "https://canvas.school.edu/api/lti/security/jwks", platform_family="canvas"))
        add_platform(PlatformInput("https://moodle.example.edu", "m1", "d2",
                                   "https://moodle.example.edu/mod/lti/auth.php",
                                   "https://moodle.example.edu/mod/lti/token.php",
                                   "https://moodle.example.edu/mod/lti/certs.php", platform_family="moodle"))
    fresh = make_app(CR_DATABASE_URL=app.config["SETTINGS"].database_url)  # no cached list yet
    policy = directives(fresh.test_client().get("/healthz").headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'", "https://*.instructure.com", "https://canvas.instructure.com",
                                         "https://canvas.school.edu", "https://moodle.example.edu"]
    assert PLATFORMS_TTL <= 30  # a new registration can frame the tool within seconds
    register = fresh.test_client().get("/lti/register")
    assert "frame-ancestors" not in register.headers["Content-Security-Policy"]  # the platform is not known yet

    configured = make_app(CR_FRAME_ANCESTORS="https://school.instructure.com https://*.moodle.example.edu")
    policy = directives(configured.test_client().get("/healthz").headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'", "https://school.instructure.com", "https://*.moodle.example.edu"]
    assert policy["script-src"] == ["'self'"]
    anyone = make_app(CR_FRAME_ANCESTORS="*")
    assert directives(anyone.test_client().get("/healthz").headers["Content-Security-Policy"])["frame-ancestors"] \
        == ["*"]


@pytest.mark.parametrize("value", ["https://a.example; script-src *", "'unsafe-inline'", "https://a.example,b"])
def test_a_frame_ancestors_value_that_would_bend_the_policy_stops_the_start(tmp_path, value):
    with pytest.raises(ConfigError, match="CR_FRAME_ANCESTORS"):
        load_settings({"CR_DATA_DIR": str(tmp_path), "CR_FRAME_ANCESTORS": value})


def test_the_inline_script_finder_finds_what_csp_blocks():
    html = """<script>alert(1)</script><script type="application/json">{}</script><script src="/s.js"></script>
    <button onclick="x()">b</button><a href=" JavaScript:go()">a</a><a href="/ok">ok</a>"""
    problems = blocked_script_problems(html)
    assert len(problems) == 3, problems
