"""/metrics is for operators: a bearer token from CR_METRICS_TOKEN, or — with none set — loopback only."""

from __future__ import annotations

import pytest

from config import ConfigError, load_settings

TOKEN = "metrics-token-0123456789abcdef"


def _get(app, address: str = "127.0.0.1", **headers: str):  # type: ignore[no-untyped-def]
    return app.test_client().get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": address})


def test_without_a_token_only_loopback_may_read_metrics(make_app):
    app = make_app()
    for address in ("127.0.0.1", "127.0.0.53", "::1"):
        response = _get(app, address)
        assert response.status_code == 200 and b"cr_work_rows" in response.data, address
    for address in ("10.0.0.5", "192.168.1.20", "203.0.113.9", "::ffff:10.0.0.5"):
        response = _get(app, address)
        assert response.status_code == 403, address
        assert b"metrics_local_only" in response.data and b"cr_work_rows" not in response.data
    # A request a proxy forwarded is not local, even though the proxy itself is.
    response = _get(app, "127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 403
    response = _get(app, "127.0.0.1", Forwarded="for=203.0.113.9")
    assert response.status_code == 403


def test_behind_a_trusted_proxy_the_client_address_counts(make_app):
    app = make_app(CR_TRUST_PROXY="true")
    assert _get(app, "127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert _get(app, "127.0.0.1").status_code == 200


def test_with_a_token_every_caller_needs_it(make_app):
    app = make_app(CR_METRICS_TOKEN=TOKEN)
    for address in ("127.0.0.1", "10.0.0.5"):
        response = _get(app, address)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        assert b"metrics_unauthorized" in response.data and b"cr_work_rows" not in response.data
        for wrong in ("Bearer wrong-token-0123456789", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "):
            assert _get(app, address, Authorization=wrong).status_code == 401, wrong
        response = _get(app, address, Authorization=f"Bearer {TOKEN}")
        assert response.status_code == 200 and b"cr_work_rows" in response.data
    assert _get(app, "10.0.0.5", Authorization=f"bearer  {TOKEN} ").status_code == 200  # scheme is case-blind


def test_a_weak_token_stops_the_start(tmp_path):
    for value in ("short", "has spaces in the middle of it"):
        with pytest.raises(ConfigError, match="CR_METRICS_TOKEN"):
            load_settings({"CR_DATA_DIR": str(tmp_path), "CR_METRICS_TOKEN": value})
    assert "metrics-token" not in repr(load_settings({"CR_DATA_DIR": str(tmp_path), "CR_METRICS_TOKEN": TOKEN}))
