"""``flask worker ...``: run an RQ worker (with the reconciler) or one reconciler pass."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from worker.kinds import QUEUE_PRIORITY

worker_cli = AppGroup("worker", help="Queue workers and the reconciler.")


@worker_cli.command("run")
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@click.option("--no-reconcile", is_flag=True, help="Do not run the reconciler thread in this worker.")
@click.option("--queues", default=",".join(QUEUE_PRIORITY), show_default=True, help="Queues, highest priority first.")
def run_worker(burst: bool, no_reconcile: bool, queues: str) -> None:
    """Consume RQ queues (needs CR_QUEUE_MODE=rq and CR_REDIS_URL)."""
    from redis import Redis
    from rq import Queue, Worker

    from worker import rq_entry
    from worker.reconciler import ReconcilerThread

    settings = current_app.config["SETTINGS"]
    if settings.queue_mode != "rq":
        raise click.ClickException("CR_QUEUE_MODE is 'inprocess': the web process runs the work itself")
    rq_entry.preload(current_app._get_current_object())  # type: ignore[attr-defined]
    connection = Redis.from_url(settings.redis_url)
    reconciler = None if no_reconcile else ReconcilerThread(current_app._get_current_object())  # type: ignore[attr-defined]
    if reconciler:
        reconciler.start()
    try:
        names = [q.strip() for q in queues.split(",") if q.strip()]
        Worker([Queue(n, connection=connection) for n in names], connection=connection).work(
            burst=burst, with_scheduler=False
        )
    finally:
        if reconciler:
            reconciler.stop()


@worker_cli.command("reconcile")
def reconcile_once() -> None:
    """Re-enqueue lost work once and print what was re-enqueued."""
    from worker.dispatch import get_dispatcher
    from worker.reconciler import reconcile

    stale = timedelta(seconds=current_app.config["SETTINGS"].work_stale_seconds)
    for kind, row_id in reconcile(get_dispatcher(), stale):
        click.echo(f"re-enqueued {kind}:{row_id}")


def register(app: Flask) -> None:
    app.cli.add_command(worker_cli)
