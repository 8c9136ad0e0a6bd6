"""State-changing requests from another site are refused by their Origin (or Referer), a second line behind
the launch's CSRF token; what other sites legitimately post to (the LTI endpoints, the dev LMS) stays open."""

from __future__ import annotations

import pytest

from lti_app.extensions import db
from lti_app.models import Evaluation
from lti_app.security import csrf_token

ANSWERS = {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "revert"}
OWN = "http://127.0.0.1:5000"  # CR_PUBLIC_BASE_URL of make_app
EVIL = "https://evil.example"


def _quiz(make_app, seed_launch):  # type: ignore[no-untyped-def]
    app = make_app()
    launch_id = seed_launch(app)
    with app.test_request_context():
        token = csrf_token(launch_id)
    return app, launch_id, {**ANSWERS, "csrf_token": token}


def _evaluations(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.query(Evaluation).count()


@pytest.mark.parametrize("headers", [
    {"Origin": EVIL},
    {"Origin": "http://127.0.0.1:5001"},  # another port is another origin
    {"Origin": "https://127.0.0.1:5000"},  # and another scheme
    {"Referer": f"{EVIL}/page"},  # an old browser that sends no Origin
    {"Origin": "null", "Referer": f"{EVIL}/page"},
])
def test_a_form_posted_from_another_site_is_refused_even_with_the_token(make_app, seed_launch, headers):
    app, launch_id, form = _quiz(make_app, seed_launch)
    client = app.test_client()
    response = client.post(f"/a/{launch_id}/acknowledge", data=form, headers=headers)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "origin_mismatch" in page and "another site" in page  # the error page, with reason and sentence
    assert _evaluations(app) == 0
    # The same request from the API side answers JSON.
    response = client.post(f"/a/{launch_id}/acknowledge", json=ANSWERS,
                           headers={**headers, "X-CSRF-Token": form["csrf_token"]})
    assert response.status_code == 403 and response.get_json()["error"] == "origin_mismatch"
    assert response.get_json()["detail"]
    assert _evaluations(app) == 0


@pytest.mark.parametrize("headers", [
    {},  # no Origin, no Referer: a non-browser client; the CSRF token decides
    {"Origin": OWN},
    {"Origin": OWN + "/"},  # tolerated
    {"Origin": "null"},  # what browsers send for a form on a page with Referrer-Policy: no-referrer (ours)
    {"Referer": f"{OWN}/a/somewhere"},
    {"Origin": "http://localhost"},  # the request's own origin (the test client's host): same-origin
])
def test_the_tools_own_pages_and_plain_clients_pass(make_app, seed_launch, headers):
    app, launch_id, form = _quiz(make_app, seed_launch)
    response = app.test_client().post(f"/a/{launch_id}/acknowledge", data=form, headers=headers)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def test_reads_are_not_checked_and_the_token_is_still_required(make_app, seed_launch):
    app, launch_id, form = _quiz(make_app, seed_launch)
    client = app.test_client()
    assert client.get(f"/a/{launch_id}", headers={"Origin": EVIL}).status_code == 200
    # The Origin check is a second line, never a replacement for the token.
    no_token = {k: v for k, v in form.items() if k != "csrf_token"}
    response = client.post(f"/a/{launch_id}/acknowledge", data=no_token, headers={"Origin": OWN})
    assert response.status_code == 403 and b"csrf_invalid" in response.data


def test_what_other_sites_post_to_is_exempt(make_app):
    """The LMS posts the OIDC login, the launch (form_post) and may post the registration; the dev LMS
    receives posts from the tool. None of them is refused for its Origin."""
    app = make_app(CR_DEV_PLATFORM="true")
    client = app.test_client()
    lms = {"Origin": "https://lms.example.edu"}
    for path, data in [
        ("/lti/login", {"iss": "https://unknown.example", "login_hint": "x"}),
        ("/lti/launch", {"id_token": "not-a-jwt", "state": "nope"}),
        ("/lti/register", {}),
        ("/dev/canvas/token", {}),
        ("/dev/canvas/deep_link_return", {"JWT": "x"}),
    ]:
        response = client.post(path, data=data, headers=lms)
        assert b"origin_mismatch" not in response.data, path
        assert response.status_code != 500, path
