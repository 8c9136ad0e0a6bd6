"""A worker killed (SIGKILL) in the middle of delivering a grade: the reconciler finishes the delivery."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from lti_app.dispatch import get_dispatcher
from lti_app.extensions import db
from lti_app.models import Passback
from tests.conftest import REDIS_URL
from tests.passback.helpers import ALL_RIGHT, complete_orientation, lms_with_faults, received
from worker.reconciler import reconcile


@pytest.fixture
def servers():
    started = []
    yield started
    for server in started:
        server.stop()


def _worker(tool, *extra: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "CR_DATABASE_URL": tool.app.config["SQLALCHEMY_DATABASE_URI"],
        "CR_QUEUE_MODE": "rq",
        "CR_REDIS_URL": REDIS_URL,
        "CR_SECRET_KEY": "test-secret-key-0123456789",
        "CR_DATA_DIR": tool.app.config["SETTINGS"].data_dir.as_posix() + "-worker",
        "CR_WORK_HEARTBEAT_SECONDS": "0.5",
    }
    command = [sys.executable, "-m", "flask", "--app", "lti_app:create_app()", "worker", "run", "--no-reconcile"]
    return subprocess.Popen(
        [*command, *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def _passback_status(tool) -> str | None:
    with tool.app.app_context():
        row = db.session.query(Passback).one_or_none()
        db.session.remove()
        return row.status if row else None


def test_killed_worker_mid_delivery_is_finished_by_the_reconciler(make_tool, browser, servers, redis_db):
    tool = make_tool(CR_QUEUE_MODE="rq", CR_REDIS_URL=REDIS_URL)
    lms, faults = lms_with_faults("canvas", tool, servers)
    faults.script = [(500, 15.0)]  # the first delivery hangs: the worker is inside the job when killed

    worker = _worker(tool)
    try:
        user_id = complete_orientation(browser, lms, tool, ALL_RIGHT)
        deadline = time.monotonic() + 60
        while not (faults.seen == 1 and _passback_status(tool) == "running"):
            assert time.monotonic() < deadline, "the worker never started delivering"
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.1)
    finally:
        # Kill the worker and any work horse it forked, no clean-up,
        # as the OOM killer or a lost machine would.
        for pid in _children(worker.pid) + [worker.pid]:
            os.kill(pid, signal.SIGKILL)
        worker.wait(10)
    assert _passback_status(tool) == "running"  # what a dead worker leaves behind

    time.sleep(1.5)  # heartbeats have stopped; the row goes stale
    with tool.app.app_context():
        assert reconcile(get_dispatcher(tool.app), stale_after=timedelta(seconds=1)) == [("passback", 1)]

    finisher = _worker(tool, "--burst")
    output, _ = finisher.communicate(timeout=120)
    assert finisher.returncode == 0, output[-2000:]
    assert _passback_status(tool) == "done"
    assert [s.status for s in received(lms, user_id)] == [200]  # delivered once, by the second worker
    with tool.app.app_context():
        assert db.session.query(Passback).one().tries == 2
