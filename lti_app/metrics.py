"""Prometheus metrics at ``/metrics``.

Work metrics are read from the database at scrape time, not counted in memory: RQ runs each job in a
forked work horse whose counters would die with it, and the rows are the truth anyway.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from lti_app.errors import refuse
from lti_app.extensions import db
from lti_app.jobs import KINDS, QUEUE_PRIORITY
from lti_app.models import Passback, Submission, WorkStatus, utcnow

bp = Blueprint("metrics", __name__)
WINDOW = timedelta(minutes=15)


class WorkCollector(Collector):
    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        with self.app.app_context():
            yield from self._rows()
            yield from self._latency()
            yield from self._queues()
            yield from self._sandbox_outcomes()
            failed = db.session.scalar(
                select(func.count()).select_from(Passback).where(Passback.status == WorkStatus.FAILED)
            )
            passback = GaugeMetricFamily("cr_passback_failed", "Grade deliveries that gave up")
            passback.add_metric([], failed or 0)
            yield passback

    def _rows(self) -> Iterator[Any]:
        family = GaugeMetricFamily("cr_work_rows", "Work rows by kind and status", labels=["kind", "status"])
        for kind, spec in KINDS.items():
            counts = dict(db.session.execute(select(spec.model.status, func.count()).group_by(spec.model.status)).all())
            for status in WorkStatus:
                family.add_metric([kind, status.value], counts.get(status.value, 0))
        yield family

    def _latency(self) -> Iterator[Any]:
        family = GaugeMetricFamily(
            "cr_work_latency_seconds", "Mean time from row to result, last 15 minutes", labels=["kind"]
        )
        since = utcnow() - WINDOW
        for kind, spec in KINDS.items():
            rows = db.session.execute(
                select(spec.model.created_at, spec.model.finished_at).where(spec.model.finished_at >= since)
            ).all()
            if rows:
                family.add_metric([kind], sum((f - c).total_seconds() for c, f in rows) / len(rows))
        yield family

    def _queues(self) -> Iterator[Any]:
        from lti_app.dispatch import RQDispatcher, get_dispatcher

        dispatcher = get_dispatcher(self.app)
        if not isinstance(dispatcher, RQDispatcher):
            return
        family = GaugeMetricFamily("cr_queue_depth", "Jobs waiting in each RQ queue", labels=["queue"])
        try:
            for name in QUEUE_PRIORITY:
                family.add_metric([name], dispatcher.queue(name).count)
        except Exception:  # Redis down: report what we can, the rows above still tell the story
            return
        yield family

    def _sandbox_outcomes(self) -> Iterator[Any]:
        family = GaugeMetricFamily(
            "cr_sandbox_outcomes", "Executions in the last 15 minutes by outcome", labels=["outcome"]
        )
        since = utcnow() - WINDOW
        counts: dict[str, int] = {}
        for (result,) in db.session.execute(
            select(Submission.result).where(Submission.finished_at >= since, Submission.result.is_not(None))
        ):
            outcome = str((result or {}).get("outcome") or "unknown")
            counts[outcome] = counts.get(outcome, 0) + 1
        for outcome, count in counts.items():
            family.add_metric([outcome], count)
        yield family


def _is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def require_operator() -> None:
    """Who may read /metrics: with ``CR_METRICS_TOKEN`` set, whoever sends it as a bearer token (a Prometheus
    ``authorization`` block); without one, only this host itself — a loopback address, and not a request a
    proxy forwarded (with ``CR_TRUST_PROXY`` the address is the proxy's client's anyway)."""
    token = current_app.config["SETTINGS"].metrics_token
    if token:
        if not hmac.compare_digest(_bearer_token().encode(), token.encode()):
            refuse(401, "metrics_unauthorized", "send the metrics token (CR_METRICS_TOKEN) as a bearer token",
                   headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return
    forwarded = request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded")
    if forwarded or not _is_loopback(request.remote_addr):
        refuse(403, "metrics_local_only", "metrics answer only this host; set CR_METRICS_TOKEN to scrape them "
                                          "from elsewhere")


@bp.get("/metrics")
def metrics() -> Response:
    require_operator()
    # Process-wide metrics (LLM calls, Python runtime) plus this app's database-derived ones.
    body = generate_latest(REGISTRY) + generate_latest(current_app.extensions["cr_metrics_registry"])
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def register_metrics(app: Flask) -> None:
    registry = CollectorRegistry()
    registry.register(WorkCollector(app))
    app.extensions["cr_metrics_registry"] = registry
    app.register_blueprint(bp)
