"""Dynamic registration, the Canvas developer-key JSON, the platforms CLI, the picker's CSRF and
validation, proxy-aware state cookies, the in-app dev LMS, and PostgreSQL."""

from __future__ import annotations

import jwt
import pytest

from lti_app.models.lti import LtiDeployment, LtiLaunch, LtiPlatform, LtiUsedNonce
from tests.lti.conftest import add_activity
from tests.support.browser import forms_in


@pytest.mark.parametrize("shape", ["canvas", "moodle"])
def test_dynamic_registration_round_trip(shape, tool, make_lms, browser):
    lms = make_lms(shape, tool, register=False)
    assert tool.count(LtiPlatform) == 0
    if shape == "canvas":
        # The issuer (canvas.instructure.com) is not the host serving the configuration (127.0.0.1):
        # refused by default, accepted once the dev-only switch is on.
        refused = browser.get(_registration_url(browser, lms))
        assert refused.status_code == 400 and refused.headers["X-LTI-Error"] == "issuer_host_mismatch"
        assert tool.count(LtiPlatform) == 0 and not lms.store.state.dynamic_registrations
        tool.app.config["LTI_DR_SKIP_ISSUER_HOST_CHECK"] = True
    url = _registration_url(browser, lms)
    response = browser.get(url)
    assert response.status_code == 200, response.text[:500]
    # The page tells the platform to close its dialog, from a static script (CSP: no inline scripts).
    assert '<script src="/static/registered.js"' in response.text
    assert "org.imsglobal.lti.close" in browser.get(f"{tool.url}/static/registered.js").text
    assert f'<code id="client-id">{lms.client_id}</code>' in response.text
    # What the tool asked for: our endpoints, deep linking placements, only scopes the platform supports.
    sent = lms.store.state.dynamic_registrations[-1]
    assert sent["initiate_login_uri"] == f"{tool.url}/lti/login"
    assert sent["redirect_uris"] == [f"{tool.url}/lti/launch"]
    assert sent["jwks_uri"] == f"{tool.url}/lti/jwks.json"
    messages = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]["messages"]
    assert messages[0]["type"] == "LtiDeepLinkingRequest"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"].split()
    listing = tool.cli("platforms", "list")
    assert lms.issuer in listing.output and f"family={shape}" in listing.output
    assert f"deployments={lms.deployment_id}" in listing.output
    # The registration works for real launches, and the single-use token cannot be replayed.
    link_id = add_activity(browser, lms)
    assert browser.launch(lms.base_url, lms.users[1].id, link=link_id).status_code == 302
    again = browser.get(url)
    assert again.status_code == 400 and again.headers["X-LTI-Error"] == "registration_refused"
    # The refusal speaks to the administrator running the registration, not to a student.
    assert "administrator" in again.text and "open the activity again" not in again.text.lower()
    # Registering again with the same client id (Moodle's "Update") updates that registration, not a second one.
    updated = browser.get(_registration_url(browser, lms))
    assert updated.status_code == 200 and "registration was updated" in updated.text, updated.text[:500]
    assert tool.count(LtiPlatform) == 1


def test_moodle_update_of_a_dynamic_registration_updates_it_and_keeps_deployments(tool, make_lms, browser):
    """Moodle's "Update" re-runs dynamic registration for a tool it has, and has already updated its side."""
    lms = make_lms("moodle", tool, register=False)
    assert browser.get(_registration_url(browser, lms)).status_code == 200
    extra = tool.cli("platforms", "add", "--issuer", lms.issuer, "--client-id", lms.client_id,
                     "--deployment-id", "7", "--auth-login-url", lms.auth_login_url,
                     "--auth-token-url", lms.token_url, "--key-set-url", lms.jwks_url)
    assert extra.exit_code == 0, extra.output
    link_id = add_activity(browser, lms)
    assert browser.launch(lms.base_url, lms.users[1].id, link=link_id).status_code == 302

    # Moodle moved its endpoints (say, an upgrade to its own paths), then the administrator clicks "Update".
    from devlms.platform import MOODLE_PATHS

    lms.endpoint_paths = dict(MOODLE_PATHS)
    updated = browser.get(_registration_url(browser, lms))
    assert updated.status_code == 200, updated.text[:500]
    assert updated.headers.get("X-LTI-Error") is None
    assert "registration was updated" in updated.text
    assert "Show in activity chooser" in updated.text  # the administrator's next step in Moodle
    with tool.app.app_context():
        from lti_app.lti.platforms import find_platform

        platform = find_platform(lms.issuer, lms.client_id)
        assert (platform.auth_login_url, platform.auth_token_url, platform.key_set_url) == (
            lms.auth_login_url, lms.token_url, lms.jwks_url)
        assert sorted(d.deployment_id for d in platform.deployments) == ["1", "7"]
    assert tool.count(LtiPlatform) == 1
    auth_url = browser.start_launch(lms.base_url, lms.users[1].id, link=link_id)
    assert auth_url.startswith(lms.url("mod/lti/auth.php"))  # the tool logs in at the new endpoint
    assert browser.submit_form(browser.get(auth_url)).status_code == 302

    # A platform that answers an update with another client id for the same deployment: the registration
    # moves to it, deployments and all; no second registration appears.
    lms.client_id = "kV3-renewed-client"
    renewed = browser.get(_registration_url(browser, lms))
    assert renewed.status_code == 200 and "registration was updated" in renewed.text, renewed.text[:500]
    assert tool.count(LtiPlatform) == 1 and tool.count(LtiDeployment) == 2
    assert browser.launch(lms.base_url, lms.users[1].id, link=link_id).status_code == 302


def _registration_url(browser, lms) -> str:
    page = browser.get(f"{lms.base_url}/dynamic-registration")
    return page.text.split('id="registration-url" href="')[1].split('"')[0].replace("&amp;", "&")


def test_registration_needs_openid_configuration(tool, browser):
    response = browser.get(f"{tool.url}/lti/register")
    assert response.status_code == 400 and response.headers["X-LTI-Error"] == "missing_openid_configuration"
    response = browser.get(f"{tool.url}/lti/register", params={"openid_configuration": "http://127.0.0.1:9/nothing"})
    assert response.status_code == 400 and response.headers["X-LTI-Error"] == "platform_configuration_unavailable"
    assert tool.count(LtiPlatform) == 0


def test_canvas_developer_key_json(tool, browser):
    config = browser.get(f"{tool.url}/lti/config.json").json()
    assert config["oidc_initiation_url"] == f"{tool.url}/lti/login"
    assert config["target_link_uri"] == f"{tool.url}/lti/launch"
    assert config["public_jwk_url"] == f"{tool.url}/lti/jwks.json"
    placements = {p["placement"]: p for p in config["extensions"][0]["settings"]["placements"]}
    assert set(placements) == {"assignment_selection", "link_selection"}
    assert all(p["message_type"] == "LtiDeepLinkingRequest" for p in placements.values())
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scopes"]


def test_platforms_cli_validates_and_adds_deployments(tool):
    base = ["platforms", "add", "--issuer", "https://moodle.example.edu", "--client-id", "abc",
            "--auth-login-url", "https://moodle.example.edu/mod/lti/auth.php",
            "--auth-token-url", "https://moodle.example.edu/mod/lti/token.php",
            "--key-set-url", "https://moodle.example.edu/mod/lti/certs.php"]
    assert tool.cli(*base, "--deployment-id", "1").exit_code == 0
    assert tool.cli(*base, "--deployment-id", "2").exit_code == 0
    assert (tool.count(LtiPlatform), tool.count(LtiDeployment)) == (1, 2)
    bad = tool.cli(*[a if a != "https://moodle.example.edu/mod/lti/certs.php" else "not-a-url" for a in base],
                   "--deployment-id", "3")
    assert bad.exit_code != 0 and "key_set_url" in bad.output
    assert tool.count(LtiDeployment) == 2
    listing = tool.cli("platforms", "list").output
    assert "family=moodle" in listing and "deployments=1,2" in listing


def test_picker_rejects_bad_csrf_and_bad_choices(tool, make_lms, browser):
    lms = make_lms("moodle", tool)
    picker = browser.launch(lms.base_url, lms.users[0].id, deep_link=True)
    form = forms_in(picker.text)[0]
    phases = [line for line in picker.text.splitlines() if "<option value=" in line]
    assert any('value="acknowledge"' in p for p in phases)
    assert not any('value="no_such_phase"' in p for p in phases)  # unavailable phases are not offered
    action = f"{tool.url}{form['action']}"
    good = {"phase": "acknowledge", "max_attempts": "1", "csrf_token": form["fields"]["csrf_token"]}
    forged = browser.post(action, data={**good, "csrf_token": "forged"}, allow_redirects=False)
    assert forged.status_code == 403 and forged.headers["X-LTI-Error"] == "csrf_failed"
    invalid = browser.post(action, data={**good, "phase": "no_such_phase", "max_attempts": "99", "language": "cobol",
                                         "difficulty": "medium"})
    assert invalid.status_code == 400
    assert "choose one of the available phases" in invalid.text and "max attempts must be between" in invalid.text
    assert "language must be one of" in invalid.text
    from grader.phases.difficult_client import list_scenarios

    scenario = list_scenarios()[0].id
    wrong_scenario = browser.post(action, data={**good, "phase": "difficult_client", "scenario": "no_such_one"})
    assert wrong_scenario.status_code == 400 and "choose clients from the list" in wrong_scenario.text
    assert f'value="{scenario}"' in wrong_scenario.text  # the picker again, for the Difficult Client
    ok = browser.post(action, data={**good, "phase": "difficult_client", "scenario": scenario})
    assert ok.status_code == 200 and forms_in(ok.text)[0]["fields"]["JWT"]
    claims = jwt.decode(forms_in(ok.text)[0]["fields"]["JWT"], options={"verify_signature": False})
    custom = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]["custom"]
    assert (custom["phase"], custom["scenario"]) == ("difficult_client", scenario)
    replay = browser.post(action, data=good, allow_redirects=False)  # the picker is single-use
    assert replay.status_code == 403 and replay.headers["X-LTI-Error"] == "unknown_launch"


def test_state_cookie_is_samesite_none_secure_behind_a_tls_proxy(make_tool, make_lms, browser):
    tool = make_tool(CR_TRUST_PROXY="true")
    lms = make_lms("canvas", tool)
    params = {"iss": lms.issuer, "login_hint": lms.users[1].id, "client_id": lms.client_id}
    plain = browser.get(f"{tool.url}/lti/login", params=params, allow_redirects=False)
    assert "Secure" not in plain.headers["Set-Cookie"]
    proxied = browser.get(f"{tool.url}/lti/login", params=params, allow_redirects=False,
                          headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "tool.example.edu"})
    cookie = proxied.headers["Set-Cookie"]
    assert "Secure" in cookie and "SameSite=None" in cookie and "HttpOnly" in cookie
    assert "redirect_uri=https%3A%2F%2Ftool.example.edu%2Flti%2Flaunch" in proxied.headers["Location"]


def test_in_app_dev_lms_registers_itself_and_launches(make_tool, browser):
    tool = make_tool(CR_DEV_PLATFORM="true")
    home = browser.get(f"{tool.url}/dev/")
    assert home.status_code == 200 and "/dev/canvas/" in home.text and "Use that address" not in home.text
    elsewhere = browser.get(f"{tool.url.replace('127.0.0.1', 'localhost')}/dev/")
    assert "Use that address" in elsewhere.text  # cookies would not survive a host mismatch
    assert tool.count(LtiPlatform) == 2  # both shapes registered on the first request
    lms = tool.app.extensions["devlms"]["moodle"]
    link_id = add_activity(browser, lms)
    response = browser.launch(lms.base_url, lms.users[1].id, link=link_id)
    assert response.status_code == 302, response.text[:300]
    assert browser.get(f"{lms.base_url}/gradebook").status_code == 200
    roster = browser.get(f"{lms.base_url}/roster")
    assert all(u.name in roster.text for u in lms.users)


def test_dev_lms_is_absent_unless_enabled(tool, browser):
    assert browser.get(f"{tool.url}/dev/").status_code == 404


@pytest.mark.postgres
def test_launch_and_replay_on_postgresql(make_tool, make_lms, browser, postgres_database):
    tool = make_tool(CR_DATABASE_URL=postgres_database)
    assert tool.app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    lms = make_lms("moodle", tool)
    link_id = add_activity(browser, lms)
    auth_url = browser.start_launch(lms.base_url, lms.users[1].id, link=link_id)
    page = browser.get(auth_url)
    first = browser.submit_form(page)
    assert first.status_code == 302, first.text[:300]
    counts = (tool.count(LtiLaunch), tool.count(LtiUsedNonce))
    again = browser.submit_form(page)
    assert again.status_code == 401 and again.headers["X-LTI-Error"] == "nonce_replayed"
    assert (tool.count(LtiLaunch), tool.count(LtiUsedNonce)) == counts


def test_dev_lms_state_survives_a_restart(tmp_path):
    from devlms.state import StateStore

    path = tmp_path / "devlms.json"
    store = StateStore(path)
    row = store.add_lineitem(label="Week 1", score_maximum=100)
    store.add_link("Week 1", "http://tool/lti/launch", {"phase": "acknowledge"}, row.id)
    again = StateStore(path)  # another process, or the dev server restarted
    assert again.state.private_pem == store.state.private_pem
    assert [link.title for link in again.state.links.values()] == ["Week 1"]
    store.rotate_key()
    again.refresh()
    assert again.state.previous_pems == [store.state.previous_pems[0]]
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # it holds a private key


def test_forwarded_proto_is_ignored_without_trust_proxy(tool, make_lms, browser):
    lms = make_lms("moodle", tool)
    params = {"iss": lms.issuer, "login_hint": lms.users[1].id, "client_id": lms.client_id}
    spoofed = browser.get(f"{tool.url}/lti/login", params=params, allow_redirects=False,
                          headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert "Secure" not in spoofed.headers["Set-Cookie"]
    assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{tool.url.rsplit(':', 1)[1]}%2Flti%2Flaunch" in \
        spoofed.headers["Location"]
