"""Every refused launch: a clear page with a reason code, the right status, and nothing stored."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from devlms.state import new_private_pem
from lti_app.lti.platforms import fetch_key_set, find_platform
from lti_app.models.lti import LtiLaunch, LtiUsedNonce
from tests.lti.conftest import plain_link
from tests.support.browser import forms_in


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _legit_form(browser, lms, link_id: str) -> tuple[dict[str, str], str]:
    """Walk the real login to the platform and return the platform's form fields and the tool launch URL."""
    auth_url = browser.start_launch(lms.base_url, lms.users[1].id, link=link_id)
    page = browser.get(auth_url)
    form = forms_in(page.text)[0]
    return dict(form["fields"]), form["action"]


def _resign(token: str, lms, mutate: Callable[[dict], None], key_pem: str | None = None,
            header: dict[str, Any] | None = None) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    mutate(claims)
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.encode(claims, key_pem or lms.store.state.private_pem, algorithm="RS256",
                      headers={"kid": kid, **(header or {})})


def _alg_none(token: str) -> str:
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    return f"{_b64({**header, 'alg': 'none'})}.{_b64(claims)}."


CASES: dict[str, tuple[Callable[[str, Any], str], str, int]] = {
    "bad_signature": (lambda t, lms: _resign(t, lms, lambda c: None, key_pem=new_private_pem()), "bad_signature", 401),
    "wrong_aud": (lambda t, lms: _resign(t, lms, lambda c: c.update(aud="someone-else", azp="someone-else")),
                  "wrong_audience", 403),
    "wrong_iss": (lambda t, lms: _resign(t, lms, lambda c: c.update(iss="https://evil.example")),
                  "wrong_issuer", 401),
    "expired": (lambda t, lms: _resign(t, lms, lambda c: c.update(iat=int(time.time()) - 900,
                                                                  exp=int(time.time()) - 600)), "token_expired", 401),
    "unknown_deployment": (
        lambda t, lms: _resign(
            t, lms, lambda c: c.update({"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "not-ours"})),
        "unknown_deployment", 403),
    "alg_none": (lambda t, lms: _alg_none(t), "unsupported_alg", 401),
    "unknown_kid": (lambda t, lms: _resign(t, lms, lambda c: None, header={"kid": "no-such-kid"}), "unknown_kid", 401),
    "garbage": (lambda t, lms: "not.a.jwt", "malformed_token", 400),
}


def _assert_refused(tool, response, code: str, status: int) -> None:
    assert response.status_code == status, response.text[:400]
    assert response.headers["X-LTI-Error"] == code
    assert f'<code id="reason-code">{code}</code>' in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize("case", sorted(CASES))
def test_tampered_token_is_refused_and_nothing_stored(case, tool, lms, browser):
    link_id = plain_link(lms)
    counts = (tool.count(LtiLaunch), tool.count(LtiUsedNonce))
    fields, action = _legit_form(browser, lms, link_id)
    tamper, code, status = CASES[case]
    fields["id_token"] = tamper(fields["id_token"], lms)
    with tool.app.app_context():  # the tool has seen this platform's keys before
        fetch_key_set(find_platform(lms.issuer, lms.client_id))
    fetches = lms.store.state.jwks_served
    response = browser.post(action, data=fields, allow_redirects=False)
    _assert_refused(tool, response, code, status)
    assert (tool.count(LtiLaunch), tool.count(LtiUsedNonce)) == counts
    # The platform key set is cached; only an unknown kid costs exactly one refetch.
    assert lms.store.state.jwks_served - fetches == (1 if case == "unknown_kid" else 0)


def test_login_refusals(tool, lms, browser):
    """An issuer the tool never registered cannot even start a login."""
    response = browser.get(f"{tool.url}/lti/login", params={"iss": "https://evil.example", "login_hint": "x"},
                           allow_redirects=False)
    _assert_refused(tool, response, "unknown_issuer", 403)
    response = browser.get(f"{tool.url}/lti/login", params={"iss": lms.issuer, "login_hint": "x",
                                                             "client_id": "unknown-client"}, allow_redirects=False)
    _assert_refused(tool, response, "unknown_client", 403)
    response = browser.post(f"{tool.url}/lti/login", data={"login_hint": "x"}, allow_redirects=False)
    _assert_refused(tool, response, "missing_issuer", 400)
    response = browser.post(f"{tool.url}/lti/login", data={"iss": lms.issuer}, allow_redirects=False)
    _assert_refused(tool, response, "missing_login_hint", 400)
    # Without client_id the login works while the issuer has one registration, and is refused after.
    assert browser.get(f"{tool.url}/lti/login", params={"iss": lms.issuer, "login_hint": "x"},
                       allow_redirects=False).status_code == 302
    added = tool.cli("platforms", "add", "--issuer", lms.issuer, "--client-id", "second-client",
                     "--deployment-id", "9", "--auth-login-url", lms.auth_login_url,
                     "--auth-token-url", lms.token_url, "--key-set-url", lms.jwks_url)
    assert added.exit_code == 0, added.output
    response = browser.get(f"{tool.url}/lti/login", params={"iss": lms.issuer, "login_hint": "x"},
                           allow_redirects=False)
    _assert_refused(tool, response, "missing_client_id", 400)
    response = browser.get(f"{tool.url}/lti/login", params={"iss": lms.issuer, "login_hint": "x",
                                                             "client_id": lms.client_id, "lti_deployment_id": "9"},
                           allow_redirects=False)
    _assert_refused(tool, response, "unknown_deployment", 403)


def test_replayed_launch_is_refused(tool, lms, browser):
    link_id = plain_link(lms)
    fields, action = _legit_form(browser, lms, link_id)
    first = browser.post(action, data=fields, allow_redirects=False)
    assert first.status_code == 302
    counts = (tool.count(LtiLaunch), tool.count(LtiUsedNonce))
    again = browser.post(action, data=fields, allow_redirects=False)
    _assert_refused(tool, again, "nonce_replayed", 401)
    # Replaying the token under a fresh login (new state, new nonce) is refused too.
    fresh, _ = _legit_form(browser, lms, link_id)
    replay = browser.post(action, data={"id_token": fields["id_token"], "state": fresh["state"]},
                          allow_redirects=False)
    _assert_refused(tool, replay, "nonce_replayed", 401)
    assert (tool.count(LtiLaunch), tool.count(LtiUsedNonce)) == counts


def test_state_problems(tool, lms, browser):
    link_id = plain_link(lms)
    counts = (tool.count(LtiLaunch), tool.count(LtiUsedNonce))

    fields, action = _legit_form(browser, lms, link_id)
    response = browser.post(action, data={"id_token": fields["id_token"]}, allow_redirects=False)
    _assert_refused(tool, response, "missing_state", 400)

    response = browser.post(action, data={**fields, "state": "state-made-up"}, allow_redirects=False)
    _assert_refused(tool, response, "unknown_state", 401)

    # The cookie names another login's state.
    other, _ = _legit_form(browser, lms, link_id)
    cookies = [c for c in browser.cookies if c.name == f"lti1p3-{fields['state']}"]
    assert len(cookies) == 1
    cookies[0].value = other["state"]
    response = browser.post(action, data=fields, allow_redirects=False)
    _assert_refused(tool, response, "state_mismatch", 401)

    # The browser dropped the state cookie (third-party cookies blocked in the LMS iframe; the LMS keeps its own
    # session): refused with the open-in-new-window path, which restarts from the platform and then works
    # (tests/lti/test_new_window.py has the details).
    fields, action = _legit_form(browser, lms, link_id)
    for cookie in [c for c in browser.cookies if c.name.startswith("lti1p3-")]:
        browser.cookies.clear(cookie.domain, cookie.path, cookie.name)
    response = browser.post(action, data=fields, allow_redirects=False)
    _assert_refused(tool, response, "state_cookie_missing", 401)
    assert (tool.count(LtiLaunch), tool.count(LtiUsedNonce)) == counts
    href = response.text.split('id="open-new-window" href="')[1].split('"')[0].replace("&amp;", "&")
    if lms.shape == "moodle":  # Moodle's hint is single-use: its own launch page for the link starts again
        assert href == f"{lms.base_url}/mod/lti/launch.php?id={link_id}"
    else:  # Canvas's hint stays valid: the same login, with a new state and nonce
        assert "lti1p3_new_window=1" in href and "login_hint=" in href
    page = browser.get(href)
    done = browser.submit_form(page)
    assert done.status_code == 302, done.text[:400]
    assert (tool.count(LtiLaunch), tool.count(LtiUsedNonce)) == (counts[0] + 1, counts[1] + 1)


def test_launch_get_and_empty_post(tool, browser):
    assert browser.get(f"{tool.url}/lti/launch").status_code == 405
    response = browser.post(f"{tool.url}/lti/launch", data={}, allow_redirects=False)
    _assert_refused(tool, response, "missing_id_token", 400)


def test_learner_cannot_deep_link(tool, lms, browser):
    """The platform refuses it already; a forged learner deep-link token is refused by the tool."""
    fields, action = {}, f"{tool.url}/lti/launch"
    auth_url = browser.start_launch(lms.base_url, lms.users[0].id, deep_link=True)
    form = forms_in(browser.get(auth_url).text)[0]
    fields = dict(form["fields"])
    roles = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    fields["id_token"] = _resign(
        fields["id_token"], lms, lambda c: c.update({"https://purl.imsglobal.org/spec/lti/claim/roles": roles}))
    counts = (tool.count(LtiLaunch), tool.count(LtiUsedNonce))
    response = browser.post(action, data=fields, allow_redirects=False)
    _assert_refused(tool, response, "not_instructor", 403)
    assert (tool.count(LtiLaunch), tool.count(LtiUsedNonce)) == counts


def test_expired_login_is_refused_and_purged(tool, lms, browser):
    from datetime import timedelta

    from lti_app.extensions import db
    from lti_app.lti.launch_store import purge_expired
    from lti_app.models.lti import LtiLoginState, utcnow

    link_id = plain_link(lms)
    fields, action = _legit_form(browser, lms, link_id)
    with tool.app.app_context():
        login = db.session.get(LtiLoginState, fields["state"])
        login.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = browser.post(action, data=fields, allow_redirects=False)
    _assert_refused(tool, response, "unknown_state", 401)
    with tool.app.app_context():
        purge_expired()
        assert db.session.get(LtiLoginState, fields["state"]) is None
