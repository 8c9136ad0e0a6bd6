"""Operators' view: Prometheus metrics derived from the rows, request ids on every response."""

from __future__ import annotations

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.grading import request_evaluation
from lti_app.models import Attempt


def test_metrics_report_work_by_kind_and_status(make_app, seed_launch):
    app = make_app()
    seed_launch(app)
    with app.app_context():
        attempt = db.session.query(Attempt).one()
        attempt.state = {"answers": {"scores": "rubric"}}  # incomplete answers still grade (as wrong)
        db.session.commit()
        request_evaluation(attempt)
    assert get_dispatcher(app).drain(30)

    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'cr_work_rows{kind="evaluate",status="done"} 1.0' in text
    assert 'cr_work_rows{kind="passback",status="failed"} 1.0' in text
    assert "cr_passback_failed 1.0" in text
    assert 'cr_work_latency_seconds{kind="evaluate"}' in text


def test_every_response_carries_a_request_id(make_app):
    client = make_app().test_client()
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    # A hostile header is replaced, not echoed.
    assert client.get("/healthz", headers={"X-Request-ID": "x" * 500}).headers["X-Request-ID"] != "x" * 500
