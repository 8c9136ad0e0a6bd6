"""RQ's dashboard (the operators' view in compose) works with our RQ version and shows our queues."""

from __future__ import annotations

import os

import rq_dashboard
from flask import Flask
from redis import Redis
from rq import Queue

REDIS_URL = os.environ.get("CR_TEST_DASHBOARD_REDIS_URL", "redis://127.0.0.1:6379/12")


def test_dashboard_lists_waiting_jobs_in_our_queues():
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    try:
        Queue("execute", connection=redis).enqueue("worker.rq_entry.run_job", "execute", 1, job_id="execute-1-0-x")
        app = Flask("dashboard")
        app.config.from_object(rq_dashboard.default_settings)
        app.config["RQ_DASHBOARD_REDIS_URL"] = [REDIS_URL]
        rq_dashboard.web.setup_rq_connection(app)
        app.register_blueprint(rq_dashboard.blueprint, url_prefix="/rq")
        client = app.test_client()
        assert client.get("/rq/").status_code == 200
        queues = {q["name"]: q["count"] for q in client.get("/rq/0/data/queues.json").get_json()["queues"]}
        assert queues["execute"] == 1
    finally:
        redis.flushdb()
