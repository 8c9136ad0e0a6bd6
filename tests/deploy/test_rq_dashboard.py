"""RQ's dashboard (the operators' view in compose) works with our RQ version and shows our queues."""

from __future__ import annotations

import rq_dashboard
from flask import Flask
from rq import Queue

from tests.conftest import REDIS_URL


def test_dashboard_lists_waiting_jobs_in_our_queues(redis_db):
    Queue("execute", connection=redis_db).enqueue("worker.rq_entry.run_job", "execute", 1, job_id="execute-1-0-x")
    app = Flask("dashboard")
    app.config.from_object(rq_dashboard.default_settings)
    app.config["RQ_DASHBOARD_REDIS_URL"] = [REDIS_URL]
    rq_dashboard.web.setup_rq_connection(app)
    app.register_blueprint(rq_dashboard.blueprint, url_prefix="/rq")
    client = app.test_client()
    assert client.get("/rq/").status_code == 200
    queues = {q["name"]: q["count"] for q in client.get("/rq/0/data/queues.json").get_json()["queues"]}
    assert queues["execute"] == 1
