"""``flask worker ...``: run an RQ worker (with the reconciler) or one reconciler pass.

Flask finds this group through the ``flask.commands`` entry point in ``pyproject.toml``.
"""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from config import Settings
from lti_app.jobs import QUEUE_PRIORITY

worker_cli = AppGroup("worker", help="Queue workers and the reconciler.")


@worker_cli.command("run")
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
@click.option("--no-reconcile", is_flag=True, help="Do not run the reconciler thread in this worker.")
@click.option("--queues", default=",".join(QUEUE_PRIORITY), show_default=True, help="Queues, highest priority first.")
@click.option("--fork/--no-fork", default=False, show_default=True,
              help="Fork a work horse per job (RQ's default) instead of running jobs in this process.")
def run_worker(burst: bool, no_reconcile: bool, queues: str, fork: bool) -> None:
    """Consume RQ queues (needs CR_QUEUE_MODE=rq and CR_REDIS_URL)."""
    from redis import Redis
    from rq import Queue

    from worker import rq_entry
    from worker.reconciler import ReconcilerThread
    from worker.rq_worker import LeanForkWorker, LeanSimpleWorker

    settings = current_app.config["SETTINGS"]
    if settings.queue_mode != "rq":
        raise click.ClickException("CR_QUEUE_MODE is 'inprocess': the web process runs the work itself")
    _check_sandbox_or_exit(settings)
    rq_entry.preload(current_app._get_current_object())  # type: ignore[attr-defined]
    connection = Redis.from_url(settings.redis_url)
    reconciler = None if no_reconcile else ReconcilerThread(current_app._get_current_object())  # type: ignore[attr-defined]
    if reconciler:
        reconciler.start()
    try:
        names = [q.strip() for q in queues.split(",") if q.strip()]
        worker_class = LeanForkWorker if fork else LeanSimpleWorker
        # RQ's own log lines (three a job at INFO) follow CR_LOG_LEVEL like the rest of the process.
        worker_class([Queue(n, connection=connection) for n in names], connection=connection).work(
            burst=burst, with_scheduler=False, logging_level=settings.log_level
        )
    finally:
        if reconciler:
            reconciler.stop()


def _check_sandbox_or_exit(settings: Settings) -> list[str]:
    from grader.sandbox import SandboxError
    from worker.sandbox import check_sandbox

    try:
        return check_sandbox(settings)
    except SandboxError as exc:
        raise click.ClickException(f"CR_SANDBOX_BACKEND={settings.sandbox_backend}: {exc}") from exc


@worker_cli.command("check-sandbox")
def check_sandbox_command() -> None:
    """Run a program in the configured sandbox; fail naming what is missing on this host."""
    settings = current_app.config["SETTINGS"]
    problems = _check_sandbox_or_exit(settings)
    click.echo(f"sandbox {settings.sandbox_backend}: ready" + "".join(f"\n  degraded: {p}" for p in problems))


@worker_cli.command("reconcile")
def reconcile_once() -> None:
    """Re-enqueue lost work, close attempts past their deadline and purge expired LTI rows, once; print what it
    did."""
    from lti_app.dispatch import get_dispatcher
    from lti_app.lti.launch_store import purge_expired
    from lti_app.workbench.deadlines import sweep_deadlines
    from worker.reconciler import reconcile

    stale = timedelta(seconds=current_app.config["SETTINGS"].work_stale_seconds)
    for kind, row_id in reconcile(get_dispatcher(), stale):
        click.echo(f"re-enqueued {kind}:{row_id}")
    for attempt_id in sweep_deadlines():
        click.echo(f"deadline: attempt {attempt_id}")
    purge_expired()

