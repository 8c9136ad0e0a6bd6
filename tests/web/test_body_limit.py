"""One limit on every request body (CR_MAX_REQUEST_KB, 1 MB by default): a larger one is refused with 413 and
a clear message — JSON for API callers, the error page for browsers — whether or not the route reads it."""

from __future__ import annotations

import pytest
import requests

from config import ConfigError, load_settings
from lti_app.extensions import db
from lti_app.models import Attempt, Evaluation
from lti_app.security import csrf_token
from tests.support.live_server import LiveServer

ANSWERS = {"scores": "rubric", "hidden": "discover", "sandbox": "sandbox", "resolution": "revert"}
TEN_MB = 10 * 1024 * 1024


def _quiz(make_app, seed_launch, **env):  # type: ignore[no-untyped-def]
    app = make_app(**env)
    launch_id = seed_launch(app)
    with app.test_request_context():
        token = csrf_token(launch_id)
    return app, launch_id, token


def _unchanged(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        assert db.session.query(Evaluation).count() == 0
        assert db.session.query(Attempt).count() == 1


def test_a_ten_megabyte_form_is_refused_with_the_error_page(make_app, seed_launch):
    app, launch_id, token = _quiz(make_app, seed_launch)
    response = app.test_client().post(f"/a/{launch_id}/acknowledge",
                                      data={**ANSWERS, "csrf_token": token, "pad": "x" * TEN_MB})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and "request_too_large" in page and "1024 kB" in page
    _unchanged(app)


def test_a_large_body_is_refused_even_where_the_route_never_reads_it(make_app, seed_launch):
    app, launch_id, token = _quiz(make_app, seed_launch)
    client = app.test_client()
    # The token in a header: the route would not read the body at all.
    for path in (f"/a/{launch_id}/attempts", f"/a/{launch_id}/acknowledge"):
        response = client.post(path, data=b"x" * (1024 * 1024 + 1), content_type="application/octet-stream",
                               headers={"X-CSRF-Token": token, "Accept": "application/json"})
        assert response.status_code == 413, path
        assert response.get_json() == {"error": "request_too_large",
                                       "detail": "requests are limited to 1024 kB; this one is larger"}
    _unchanged(app)


def test_the_limit_is_configurable_and_applies_to_unannounced_lengths(make_app, seed_launch):
    app, launch_id, token = _quiz(make_app, seed_launch, CR_MAX_REQUEST_KB="64")
    client = app.test_client()
    big = {**ANSWERS, "csrf_token": token, "pad": "x" * 70_000}
    response = client.post(f"/a/{launch_id}/acknowledge", data=big, headers={"Accept": "application/json"})
    assert response.status_code == 413 and "64 kB" in response.get_json()["detail"]

    def chunks():  # no Content-Length: chunked transfer encoding over real HTTP
        yield b"csrf_token=" + token.encode() + b"&scores=rubric&pad="
        for _ in range(40):
            yield b"y" * 4096

    with LiveServer(app) as server:
        response = requests.post(f"{server.url}/a/{launch_id}/acknowledge", data=chunks(), timeout=30,
                                 headers={"Content-Type": "application/x-www-form-urlencoded",
                                          "Accept": "application/json"})
    assert response.status_code == 413 and response.json()["error"] == "request_too_large"
    _unchanged(app)
    # Under the limit, everything works as before.
    ok = client.post(f"/a/{launch_id}/acknowledge", data={**ANSWERS, "csrf_token": token})
    assert ok.status_code == 303


def test_a_bad_limit_stops_the_start(tmp_path):
    for value in ("0", "-5", "lots"):
        with pytest.raises(ConfigError, match="CR_MAX_REQUEST_KB"):
            load_settings({"CR_DATA_DIR": str(tmp_path), "CR_MAX_REQUEST_KB": value})
