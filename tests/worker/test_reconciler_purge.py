"""Expired LTI login states and launches, and old nonces, are purged by the reconciler (no request pays for it)."""

from __future__ import annotations

import time
from datetime import timedelta

from lti_app.extensions import db
from lti_app.models.lti import LtiLaunch, LtiLoginState, LtiUsedNonce, utcnow
from worker.cli import worker_cli
from worker.reconciler import ReconcilerThread


def _login(state: str, expires_in: timedelta) -> LtiLoginState:
    now = utcnow()
    return LtiLoginState(state=state, nonce=f"nonce-{state}", issuer="https://lms.example", client_id="c",
                         login_params={}, created_at=now, expires_at=now + expires_in)


def _launch(launch_id: str, expires_in: timedelta) -> LtiLaunch:
    now = utcnow()
    return LtiLaunch(launch_id=launch_id, message_type="LtiResourceLinkRequest", issuer="https://lms.example",
                     client_id="c", deployment_id="d", user_sub="s", data={}, csrf_token="t", created_at=now,
                     expires_at=now + expires_in)


def test_the_reconciler_thread_purges_expired_lti_rows(make_app):
    app = make_app()  # CR_RECONCILE_SECONDS=0.5
    with app.app_context():
        db.session.add_all([
            _login("state-expired", timedelta(seconds=-1)), _login("state-live", timedelta(minutes=5)),
            _launch("launch-expired", timedelta(seconds=-1)), _launch("launch-live", timedelta(hours=1)),
            LtiUsedNonce(issuer="https://lms.example", nonce="old", used_at=utcnow() - timedelta(days=3)),
            LtiUsedNonce(issuer="https://lms.example", nonce="recent", used_at=utcnow()),
        ])
        db.session.commit()
    reconciler = ReconcilerThread(app)
    reconciler.start()
    try:
        deadline = time.monotonic() + 20
        while True:
            with app.app_context():
                states = set(db.session.scalars(db.select(LtiLoginState.state)))
                launches = set(db.session.scalars(db.select(LtiLaunch.launch_id)))
                nonces = set(db.session.scalars(db.select(LtiUsedNonce.nonce)))
            if "state-expired" not in states or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        reconciler.stop()
    assert (states, launches, nonces) == ({"state-live"}, {"launch-live"}, {"recent"})


def test_the_purge_runs_once_a_minute_not_every_pass(make_app):
    app = make_app()
    reconciler = ReconcilerThread(app)
    with app.app_context():
        assert reconciler.purge_if_due() is True
        db.session.add(_login("state-expired", timedelta(seconds=-1)))
        db.session.commit()
        assert reconciler.purge_if_due() is False  # the next pass, seconds later: not yet
        assert db.session.get(LtiLoginState, "state-expired") is not None
        reconciler._purged_at = time.monotonic() - 61
        assert reconciler.purge_if_due() is True
        assert db.session.get(LtiLoginState, "state-expired") is None


def test_one_reconcile_pass_from_the_command_line_purges_too(make_app):
    app = make_app()
    with app.app_context():
        db.session.add(_login("state-expired", timedelta(seconds=-1)))
        db.session.commit()
    result = app.test_cli_runner().invoke(worker_cli, args=["reconcile"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(LtiLoginState, "state-expired") is None
