"""Graded Python submissions through the real queue: RQ on Redis with N worker processes.

Prints, from one run on this machine:
  * the serial baseline: the same submission graded in-process, no queue (submissions/s);
  * throughput through RQ with 1..N already-running workers, in-process (the default) and forking a work
    horse per job (RQ's classic mode), as a ratio to that baseline and per core;
  * a burst of --burst students, each with one Submit, drained and passed back to a platform: every Submit is
    graded by the workers, the student finishes (the bench does the page's Finish, in this process), the
    workers grade the attempt and deliver the grade through AGS to a dev LMS running in its own process; the
    time until the platform holds every student's score, against the harness alone on the same cores, with
    counts of what was lost (no score at the platform) or failed, and where the CPU went.

    .venv/bin/python bench/queue_throughput.py [--burst 1000] [--workers 2] [--database-url URL] [--skip-fork]

Needs Redis (CR_BENCH_REDIS_URL, default redis://127.0.0.1:6379/13 — flushed) and bubblewrap. The
database defaults to a fresh PostgreSQL database on 127.0.0.1 (the production shape for several
workers); pass --database-url sqlite:///... to use SQLite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REDIS_URL = os.environ.get("CR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
ADMIN_PG = os.environ.get("CR_BENCH_POSTGRES_URL", "postgresql://cr_test:cr_test@127.0.0.1:5432/cr_test")
SCENARIO = "angry_bakery_owner"


def fresh_postgres() -> tuple[str, str]:
    name = f"cr_bench_{secrets.token_hex(4)}"
    with create_engine(ADMIN_PG, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(ADMIN_PG).set(database=name).render_as_string(hide_password=False), name


def drop_postgres(name: str) -> None:
    with create_engine(ADMIN_PG, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def env_for(database_url: str, data_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "CR_DATABASE_URL": database_url,
        "CR_QUEUE_MODE": "rq",
        "CR_REDIS_URL": REDIS_URL,
        "CR_DATA_DIR": data_dir,
        "CR_SECRET_KEY": "bench-secret-key-0123456789",
        "CR_LOG_LEVEL": "WARNING",
    }


def build_app(env: dict[str, str]):  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    from config import load_settings
    from lti_app import create_app

    app = create_app(load_settings(env))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    return app


def seed_attempt(app):  # type: ignore[no-untyped-def]
    from lti_app.extensions import db
    from lti_app.models import Activity, Attempt, Course, User
    from lti_app.phases import get_phase
    from lti_app.phases.registry import NewAttempt

    with app.app_context():
        course = Course(issuer="https://bench", context_id="bench")
        user = User(issuer="https://bench", sub="bench-student")
        db.session.add_all([course, user])
        db.session.flush()
        activity = Activity(course_id=course.id, resource_link_id="bench", phase="difficult_client", scenario=SCENARIO)
        db.session.add(activity)
        db.session.flush()
        learner = NewAttempt(user_id=user.id, number=1, previous=())
        state = unlocked(get_phase("difficult_client").adapter.new_state(activity, learner))
        attempt = Attempt(activity_id=activity.id, user_id=user.id, state=state)
        db.session.add(attempt)
        db.session.commit()
        return attempt.id


def unlocked(state: dict) -> dict:  # type: ignore[type-arg]
    """The attempt's state with its coding task unlocked and its exercise built (what a good interview leaves)."""
    from grader.phases.difficult_client import load_scenario
    from grader.phases.difficult_client.coding import with_exercise

    return with_exercise(load_scenario(SCENARIO), {**state, "unlocked": True, "unlocked_turn": 1})


def exercise():  # type: ignore[no-untyped-def]
    from grader.phases.difficult_client import load_scenario, start_session
    from grader.phases.difficult_client.coding import exercise_of, start_coding

    scenario = load_scenario(SCENARIO)
    return exercise_of(scenario, unlocked(start_coding(scenario, start_session(scenario), "python")))


def solution_source() -> tuple[str, str]:
    function = exercise().function
    # Not a correct solution, a realistic one to run: it loads, is called on every case, and returns.
    return function, f"def {function}(*args, **kwargs):\n    return None\n"


def own_cpu() -> float:
    """This process's CPU so far, with that of its reaped children (its sandboxes)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def serial_baseline(count: int) -> tuple[float, float]:
    """(submissions per second, CPU ms per submission) graded in this process with the same sandbox, harness and
    linter, no queue."""
    from grader.sandbox import get_backend

    task = exercise()
    _, source = solution_source()
    backend = get_backend("local")
    task.execute(backend, "submit", source)  # warm-up
    start, cpu = time.perf_counter(), own_cpu()
    for _ in range(count):
        task.execute(backend, "submit", source)
    return count / (time.perf_counter() - start), (own_cpu() - cpu) / count * 1000


class Unsandboxed:
    """Bench only, never the product: runs a request's command as a plain child process in a scratch directory
    (``/code`` mapped onto it), one at a time (the harness's capture file is a fixed path in /tmp). It prices
    the work a submission cannot shed: the harness's interpreters and the linter, with no isolation at all."""

    name = "unsandboxed"

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()

    def run(self, request):  # type: ignore[no-untyped-def]
        from grader.sandbox.backend import write_files
        from grader.sandbox.languages import CODE_DIR, command_for
        from grader.sandbox.types import RunResult

        with self._lock, tempfile.TemporaryDirectory() as tmp:
            write_files(Path(tmp), request.files)
            argv = [a.replace(f"{CODE_DIR}/", f"{tmp}/", 1) if a.startswith(f"{CODE_DIR}/") else a
                    for a in command_for(request.language, request.entry, request.command, request.limits.memory_bytes)]
            started = time.perf_counter()
            done = subprocess.run(argv, input=request.stdin, capture_output=True, cwd=tmp, check=False,
                                  env={"PATH": "/usr/bin:/bin"}, timeout=30)
            return RunResult(stdout=done.stdout.decode(errors="replace"), stderr=done.stderr.decode(errors="replace"),
                             exit_code=done.returncode, wall_seconds=time.perf_counter() - started,
                             backend=self.name)

    def check(self) -> list[str]:
        return []

    def close(self) -> None:
        pass


def unsandboxed_floor(count: int) -> float:
    """CPU ms a submission with no sandbox at all: the same harness runs and linter as the baseline."""
    task = exercise()
    _, source = solution_source()
    backend = Unsandboxed()
    result = task.execute(backend, "submit", source)  # warm-up, and proof it really graded
    assert result["report"]["total"] > 0 and not result["report"].get("load_error"), result
    cpu = own_cpu()
    for _ in range(count):
        task.execute(backend, "submit", source)
    return (own_cpu() - cpu) / count * 1000


def postgres_cpu(database_url: str) -> float:
    """CPU so far of the PostgreSQL backends serving ``database_url``'s database (0 for SQLite)."""
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        return 0.0
    with create_engine(ADMIN_PG).connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": url.database})
        return sum(cpu_seconds(pid) for (pid,) in pids)


def enqueue_submissions(app, attempt_id: int, count: int) -> None:  # type: ignore[no-untyped-def]
    from lti_app.dispatch import enqueue_safely, get_dispatcher
    from lti_app.extensions import db
    from lti_app.models import Submission

    _, source = solution_source()
    with app.app_context():
        rows = [
            Submission(attempt_id=attempt_id, kind="submit", language="python", source=source) for _ in range(count)
        ]
        db.session.add_all(rows)
        db.session.commit()
        dispatcher = get_dispatcher()
        for row in rows:
            enqueue_safely(dispatcher, "execute", row)


def start_workers(env: dict[str, str], count: int, fork: bool) -> list[subprocess.Popen[bytes]]:
    """Start ``count`` workers and wait until each has registered with Redis, so that a measurement
    covers draining the queue, not interpreter start-up."""
    from rq import Worker

    command = [sys.executable, "-m", "flask", "--app", "lti_app:create_app()", "worker", "run", "--no-reconcile",
               "--fork" if fork else "--no-fork"]  # fmt: skip
    logs = [tempfile.TemporaryFile() for _ in range(count)]  # noqa: SIM115 - closed with the process
    procs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
             for log in logs]  # a session each: a hung worker goes with its work horse and sandboxes
    redis = Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + 60
    while len(Worker.all(connection=redis)) < count:
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            stop_workers(procs)
            logs[0].seek(0)
            raise SystemExit("workers did not start:\n" + logs[0].read().decode(errors="replace")[-3000:])
        time.sleep(0.05)
    return procs


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # RQ's warm shutdown: finish the current job, then exit
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):  # its job hangs: warm shutdown would wait forever
            proc.wait(timeout=60)
        with contextlib.suppress(ProcessLookupError):  # whatever is left of its session: a hung work horse
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def drain(app, attempt_id: int, count: int, env: dict[str, str], workers: int, fork: bool,  # type: ignore[no-untyped-def]
          stalled_after: float = 60.0) -> tuple[float, float, float]:
    """(seconds from enqueuing ``count`` submissions until their rows are all finished, with ``workers``
    already-running workers; the workers' CPU ms per submission, their sandboxes included; PostgreSQL's).
    Raises ``Stalled`` when no row finishes for ``stalled_after`` seconds (a hung job), rather than waiting."""
    from lti_app.extensions import db
    from lti_app.models import Submission, WorkStatus

    procs = start_workers(env, workers, fork)
    try:
        finished = (WorkStatus.DONE, WorkStatus.FAILED)
        with app.app_context():  # rows finished so far (a hung one from an earlier sample never counts)
            before = db.session.query(Submission).filter(Submission.status.in_(finished)).count()
        start = time.perf_counter()
        workers_cpu, pg_cpu = sum(cpu_seconds(p.pid) for p in procs), postgres_cpu(env["CR_DATABASE_URL"])
        enqueue_submissions(app, attempt_id, count)
        last, progress = time.perf_counter(), -1
        with app.app_context():
            while True:
                db.session.rollback()  # see other sessions' commits
                done = db.session.query(Submission).filter(Submission.status.in_(finished)).count() - before
                if done >= count:
                    break
                if done != progress:
                    last, progress = time.perf_counter(), done
                elif time.perf_counter() - last > stalled_after:
                    raise Stalled(f"{done} of {count} finished, then none for {stalled_after:.0f} s")
                time.sleep(0.02)
        seconds = time.perf_counter() - start
        workers_cpu = sum(cpu_seconds(p.pid) for p in procs) - workers_cpu
        pg_cpu = postgres_cpu(env["CR_DATABASE_URL"]) - pg_cpu
        return seconds, workers_cpu / count * 1000, pg_cpu / count * 1000
    finally:
        stop_workers(procs)


class Stalled(Exception):
    """No submission finished for a while: a job hangs (reported, not waited for)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=100, help="submissions per throughput sample")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--skip-fork", action="store_true", help="leave out the fork-per-job measurements")
    parser.add_argument("--skip-throughput", action="store_true", help="only the burst (and its baseline)")
    parser.add_argument("--serve-platform", action="store_true", help=argparse.SUPPRESS)  # the platform process
    parser.add_argument("--tool-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_platform:
        serve_platform(args.tool_url, args.burst)
        return

    pg_name = ""
    database_url = args.database_url
    if not database_url:
        database_url, pg_name = fresh_postgres()
    data_dir = tempfile.mkdtemp(prefix="cr-bench-")
    env = env_for(database_url, data_dir)
    redis = Redis.from_url(REDIS_URL)
    try:
        redis.flushdb()
        app = build_app(env)
        attempt_id = seed_attempt(app)
        cores = os.cpu_count() or 1

        # The baseline is measured before and after the queue's figures and averaged: the machine is shared, and
        # its load drifts over a run.
        (before, cpu_before) = serial_baseline(args.sample)
        rates: list[tuple[int, str, float, float, float]] = []
        if not args.skip_throughput:
            for fork in (False,) if args.skip_fork else (False, True):
                for workers in range(1, args.workers + 1):
                    mode = "fork per job" if fork else "no fork"
                    try:
                        seconds, worker_ms, pg_ms = drain(app, attempt_id, args.sample, env, workers, fork)
                    except Stalled as exc:
                        print(f"RQ, {workers} worker(s), {mode:<12}: STALLED ({exc})")
                        continue
                    rates.append((workers, mode, args.sample / seconds, worker_ms, pg_ms))
        after, cpu_after = serial_baseline(args.sample) if rates else (before, cpu_before)
        baseline, baseline_ms = (before + after) / 2, (cpu_before + cpu_after) / 2
        print(f"serial baseline (in-process, no queue, no database): {baseline:6.2f} submissions/s "
              f"({before:.2f} before, {after:.2f} after the queue's figures); CPU {baseline_ms:5.1f} ms a submission "
              f"= {1000 / baseline_ms:5.1f}/s per core")
        floor_ms = unsandboxed_floor(args.sample)
        print(f"  the same submission with no sandbox at all (two bare harness interpreters and the linter): CPU "
              f"{floor_ms:5.1f} ms = {1000 / floor_ms:5.1f}/s per core at most, before any queue, database or "
              f"isolation; the sandboxes add {baseline_ms - floor_ms:5.1f} ms")
        for workers, mode, rate, worker_ms, pg_ms in rates:
            total_ms = worker_ms + pg_ms
            print(f"RQ, {workers} worker(s), {mode:<12}: {rate:6.2f} submissions/s = {rate / baseline:4.2f}x "
                  f"baseline, {rate / min(workers, cores):5.2f}/s per busy core; CPU {total_ms:5.1f} ms a submission "
                  f"(workers with their sandboxes {worker_ms:5.1f}, PostgreSQL {pg_ms:4.1f}) = "
                  f"{1000 / total_ms:5.1f}/s per core = {baseline_ms / total_ms:4.2f}x the harness's "
                  "(target >= 25/s per core)")
        burst_with_passback(app, env, args.burst, args.workers, baseline, min(args.workers, cores))
    finally:
        redis.flushdb()
        if pg_name:
            drop_postgres(pg_name)


# -- the burst, passed back to a platform ---------------------------------------------------------------------

def serve_platform(tool_url: str, students: int) -> None:
    """The platform's process: a Moodle-shaped dev LMS with ``students`` learners and one line item, on a free
    port. Prints its registration (one JSON line), then serves until killed. ``/bench/scores`` (bench only)
    says how many scores it accepted, for how many learners."""
    import logging

    from flask import jsonify

    from devlms import create_devlms_app
    from devlms.platform import DevLms, ToolEndpoints
    from devlms.state import FakeUser
    from tests.support.live_server import LiveServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = LiveServer()
    lms = DevLms("moodle", server.url, ToolEndpoints.under(tool_url))
    lms.users += [FakeUser(id=f"bench-{i}", name=f"Student {i}", email=f"s{i}@example.test", instructor=False)
                  for i in range(students)]
    lineitem = lms.store.add_lineitem("Bench", 100.0)
    app = create_devlms_app(lms)

    @app.get("/bench/scores")
    def bench_scores():  # type: ignore[no-untyped-def]
        with lms.store.lock:
            accepted = [s for s in lms.store.state.scores if s.status == 200]
            return jsonify(accepted=len(accepted), learners=len({s.user_id for s in accepted}),
                           refused=len(lms.store.state.scores) - len(accepted))

    server.serve(app)
    print(json.dumps({"issuer": lms.issuer, "client_id": lms.client_id, "deployment_id": lms.deployment_id,
                      "auth_login_url": lms.auth_login_url, "auth_token_url": lms.token_url,
                      "key_set_url": lms.jwks_url, "lineitem_url": lms.lineitem_url(lineitem.id),
                      "scores_url": f"{server.url}/bench/scores"}), flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


def start_platform(tool_url: str, students: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen([sys.executable, __file__, "--serve-platform", "--tool-url", tool_url,
                             "--burst", str(students)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the platform process did not start")
    return proc, json.loads(line)


def seed_class(app, platform: dict[str, str], students: int) -> list[int]:  # type: ignore[no-untyped-def]
    """A course on the platform, its activity with the platform's gradebook column, and ``students`` learners
    whose coding task is unlocked. Returns the attempt ids."""
    from lti_app.extensions import db
    from lti_app.lti.keys import signing_key
    from lti_app.lti.platforms import PlatformInput, add_platform
    from lti_app.models import Activity, Attempt, Course, User
    from lti_app.phases import get_phase
    from lti_app.phases.registry import NewAttempt

    with app.app_context():
        add_platform(PlatformInput(**{k: platform[k] for k in ("issuer", "client_id", "deployment_id",
                                                                "auth_login_url", "auth_token_url", "key_set_url")},
                                   platform_family="moodle"))
        signing_key()  # created once here, not raced for by the workers
        course = Course(issuer=platform["issuer"], context_id="burst")
        db.session.add(course)
        db.session.flush()
        activity = Activity(course_id=course.id, resource_link_id="burst", phase="difficult_client",
                            scenario=SCENARIO, client_id=platform["client_id"],
                            deployment_id=platform["deployment_id"], platform_family="moodle",
                            ags_lineitem_url=platform["lineitem_url"])
        users = [User(issuer=platform["issuer"], sub=f"bench-{i}") for i in range(students)]
        db.session.add_all([activity, *users])
        db.session.flush()
        state = unlocked(get_phase("difficult_client").adapter.new_state(
            activity, NewAttempt(user_id=users[0].id, number=1, previous=())))
        attempts = [Attempt(activity_id=activity.id, user_id=u.id, state=state) for u in users]
        db.session.add_all(attempts)
        db.session.commit()
        return [a.id for a in attempts]


def of_burst(model, attempt_ids: list[int]):  # type: ignore[no-untyped-def]
    """The condition for ``model``'s rows (submission, evaluation, passback) that belong to the burst's attempts."""
    from sqlalchemy import select

    from lti_app.models import GradeRow, Passback

    if model is Passback:
        return Passback.grade_id.in_(select(GradeRow.id).where(GradeRow.attempt_id.in_(attempt_ids)))
    return model.attempt_id.in_(attempt_ids)


def finish_graded(app, attempt_ids: list[int]) -> int:  # type: ignore[no-untyped-def]
    """What each student's page does once their Submit's result is in: Finish (the phase's own close, then the
    evaluation request). Returns how many attempts it finished."""
    from sqlalchemy import exists, select

    from grader.phases.difficult_client import finish_session
    from lti_app.extensions import db
    from lti_app.models import Attempt, AttemptStatus, Submission, WorkStatus
    from lti_app.workbench.finish import close_for_grading

    with app.app_context():
        settled = exists().where(Submission.attempt_id == Attempt.id,
                                 Submission.status.in_([WorkStatus.DONE, WorkStatus.FAILED]))
        ready = db.session.scalars(select(Attempt).where(Attempt.id.in_(attempt_ids),
                                                         Attempt.status == AttemptStatus.OPEN, settled)).all()
        for attempt in ready:
            close_for_grading(attempt, values={"state": finish_session(attempt.state), "status": AttemptStatus.GRADING},
                              pending="wait for your code's result before you finish")
        return len(ready)


def job_seconds(app, model, attempt_ids: list[int]) -> str:  # type: ignore[no-untyped-def]
    """p50 of a kind's jobs: queued → picked up, and picked up → finished (ms), from its rows."""
    import statistics

    from lti_app.extensions import db

    with app.app_context():
        rows = db.session.query(model).filter(model.finished_at.is_not(None), of_burst(model, attempt_ids)).all()
        waited = [(r.started_at - r.created_at).total_seconds() * 1000 for r in rows]
        ran = [(r.finished_at - r.started_at).total_seconds() * 1000 for r in rows]
    if not rows:
        return "none finished"
    return f"waited p50 {statistics.median(waited):7.0f} ms, ran p50 {statistics.median(ran):5.0f} ms"


def counts(app, model, attempt_ids: list[int]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from lti_app.extensions import db

    with app.app_context():
        query = select(model.status, func.count()).where(of_burst(model, attempt_ids)).group_by(model.status)
        return {str(s): n for s, n in db.session.execute(query)}


def cpu_seconds(pid: int) -> float:
    """A process's CPU so far, with that of the children it has reaped (the workers' sandboxes)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def burst_with_passback(app, env: dict[str, str], students: int, workers: int, baseline: float,  # type: ignore[no-untyped-def]
                        cores: int, give_up_seconds: float = 600.0) -> None:
    import logging

    import requests

    from lti_app.extensions import db
    from lti_app.models import Evaluation, Passback, Submission, WorkStatus
    from tests.support.live_server import LiveServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    final = {WorkStatus.DONE, WorkStatus.FAILED}
    with LiveServer(app) as tool:  # the tool's web side: the platform fetches its key set from here
        platform_proc, platform = start_platform(tool.url, students)
        try:
            attempt_ids = seed_class(app, platform, students)
            procs = start_workers(env, workers, fork=False)
            self_before = resource.getrusage(resource.RUSAGE_SELF)
            platform_before = cpu_seconds(platform_proc.pid)
            workers_before = sum(cpu_seconds(p.pid) for p in procs)
            try:
                start = time.perf_counter()
                _, source = solution_source()
                with app.app_context():  # the Submits: rows first, then their jobs (as the web does)
                    rows = [Submission(attempt_id=a, kind="submit", language="python", source=source)
                            for a in attempt_ids]
                    db.session.add_all(rows)
                    db.session.commit()
                    from lti_app.dispatch import enqueue_safely, get_dispatcher

                    dispatcher = get_dispatcher()
                    for row in rows:
                        enqueue_safely(dispatcher, "execute", row)
                drained = scored = None
                last_progress, progress = time.perf_counter(), -1
                while True:
                    finish_graded(app, attempt_ids)
                    with app.app_context():
                        db.session.rollback()
                        done = db.session.query(Submission).filter(Submission.status.in_(final),
                                                                   of_burst(Submission, attempt_ids)).count()
                        delivered = db.session.query(Passback).filter(Passback.status.in_(final),
                                                                      of_burst(Passback, attempt_ids)).count()
                    now = time.perf_counter()
                    if drained is None and done >= students:
                        drained = now - start
                    if delivered >= students:
                        scored = now - start
                        break
                    if done + delivered != progress:
                        progress, last_progress = done + delivered, now
                    elif now - last_progress > 60 or now - start > give_up_seconds:
                        break  # stuck: what is missing is reported below
                    time.sleep(0.05)
                workers_cpu = sum(cpu_seconds(p.pid) for p in procs) - workers_before
            finally:
                stop_workers(procs)
            platform_cpu = cpu_seconds(platform_proc.pid) - platform_before
            self_after = resource.getrusage(resource.RUSAGE_SELF)
            at_platform = requests.get(platform["scores_url"], timeout=10).json()
        finally:
            platform_proc.terminate()
            platform_proc.wait(timeout=30)

    subs, evals, passes = (counts(app, model, attempt_ids) for model in (Submission, Evaluation, Passback))
    lost = students - at_platform["learners"]
    failed = sum(c.get(WorkStatus.FAILED, 0) for c in (subs, evals, passes))
    ideal = students / (baseline * cores)  # the harness alone, every core busy, no queue, no database, no grading
    if scored is not None:
        print(f"burst of {students} Submits, {workers} workers, drained and passed back in {scored:6.1f} s "
              f"({students / scored:5.2f}/s; target <= 30 s) = {scored / ideal:4.2f}x the harness alone on "
              f"{cores} core(s) ({ideal:5.1f} s)")
    else:
        print(f"burst of {students} Submits, {workers} workers: NOT all passed back (gave up)")
    if drained is not None:
        print(f"  Submits drained (all graded) in {drained:6.1f} s ({students / drained:5.2f}/s)")
    print(f"  lost: {lost} (no score at the platform), failed: {failed}; platform accepted {at_platform['accepted']} "
          f"scores for {at_platform['learners']} learners, refused {at_platform['refused']}")
    print(f"  rows: submissions {subs}, evaluations {evals}, passbacks {passes}")
    for name, model in (("execute (Submit)", Submission), ("evaluate", Evaluation), ("passback", Passback)):
        print(f"  {name:<17} {job_seconds(app, model, attempt_ids)}")
    bench_cpu = (self_after.ru_utime + self_after.ru_stime) - (self_before.ru_utime + self_before.ru_stime)
    print(f"  CPU per student: workers (with their sandboxes) {workers_cpu / students * 1000:5.1f} ms, platform "
          f"{platform_cpu / students * 1000:5.1f} ms, this process (web side: Submit rows, Finish) "
          f"{bench_cpu / students * 1000:5.1f} ms")


if __name__ == "__main__":
    main()
