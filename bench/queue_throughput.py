"""Graded Python submissions through the real queue: RQ on Redis with N worker processes.

Prints, from one run on this machine:
  * the serial baseline: the same submission graded in-process, no queue (submissions/s);
  * throughput through RQ with 1..N already-running workers, in-process (the default) and forking a work
    horse per job (RQ's classic mode), as a ratio to that baseline and per core;
  * the time to drain a burst of --burst submissions with N workers.

    .venv/bin/python bench/queue_throughput.py [--burst 1000] [--workers 2] [--database-url URL]

Needs Redis (CR_BENCH_REDIS_URL, default redis://127.0.0.1:6379/13 — flushed) and bubblewrap. The
database defaults to a fresh PostgreSQL database on 127.0.0.1 (the production shape for several
workers); pass --database-url sqlite:///... to use SQLite.
"""

from __future__ import annotations

import argparse
import os
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


def serial_baseline(count: int) -> float:
    """Submissions per second graded in this process with the same sandbox, harness and linter, no queue."""
    from grader.sandbox import get_backend

    task = exercise()
    _, source = solution_source()
    backend = get_backend("local")
    task.execute(backend, "submit", source)  # warm-up
    start = time.perf_counter()
    for _ in range(count):
        task.execute(backend, "submit", source)
    return count / (time.perf_counter() - start)


def enqueue_submissions(app, attempt_id: int, count: int) -> None:  # type: ignore[no-untyped-def]
    from lti_app.dispatch import get_dispatcher
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
            dispatcher.enqueue("execute", row)


def start_workers(env: dict[str, str], count: int, fork: bool) -> list[subprocess.Popen[bytes]]:
    """Start ``count`` workers and wait until each has registered with Redis, so that a measurement
    covers draining the queue, not interpreter start-up."""
    from rq import Worker

    command = [sys.executable, "-m", "flask", "--app", "lti_app:create_app()", "worker", "run", "--no-reconcile",
               "--fork" if fork else "--no-fork"]  # fmt: skip
    logs = [tempfile.TemporaryFile() for _ in range(count)]  # noqa: SIM115 - closed with the process
    procs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT) for log in logs]
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
        proc.wait(timeout=60)


def drain(app, attempt_id: int, count: int, env: dict[str, str], workers: int, fork: bool) -> float:  # type: ignore[no-untyped-def]
    """Seconds from enqueuing ``count`` submissions until their rows are all finished, with ``workers``
    already-running workers."""
    from lti_app.extensions import db
    from lti_app.models import Submission, WorkStatus

    procs = start_workers(env, workers, fork)
    try:
        with app.app_context():
            before = db.session.query(Submission).count()
        start = time.perf_counter()
        enqueue_submissions(app, attempt_id, count)
        finished = (WorkStatus.DONE, WorkStatus.FAILED)
        with app.app_context():
            while True:
                db.session.rollback()  # see other sessions' commits
                if db.session.query(Submission).filter(Submission.status.in_(finished)).count() >= before + count:
                    break
                time.sleep(0.02)
        return time.perf_counter() - start
    finally:
        stop_workers(procs)


def count_done(app) -> tuple[int, int, dict[str, int]]:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    from lti_app.extensions import db
    from lti_app.models import Submission

    with app.app_context():
        done = db.session.query(Submission).filter_by(status="done").count()
        others = (
            db.session.query(Submission.status, Submission.last_error, func.count())
            .filter(Submission.status != "done")
            .group_by(Submission.status, Submission.last_error)
        )
        return done, db.session.query(Submission).count(), {f"{s}: {e[:80]}": n for s, e, n in others}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=100, help="submissions per throughput sample")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

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

        baseline = serial_baseline(args.sample)
        print(f"serial baseline (in-process, no queue, no database): {baseline:6.2f} submissions/s")
        for fork in (False, True):
            mode = "fork per job" if fork else "no fork"
            for workers in range(1, args.workers + 1):
                rate = args.sample / drain(app, attempt_id, args.sample, env, workers, fork)
                print(
                    f"RQ, {workers} worker(s), {mode:<12}: {rate:6.2f} submissions/s = {rate / baseline:4.2f}x "
                    f"baseline, {rate / min(workers, cores):5.2f}/s per busy core"
                )
        seconds = drain(app, attempt_id, args.burst, env, args.workers, fork=False)
        done, total, problems = count_done(app)
        print(
            f"burst of {args.burst} with {args.workers} workers drained in {seconds:6.1f} s "
            f"({args.burst / seconds:5.2f}/s; {done}/{total} rows done)"
        )
        for problem, n in problems.items():
            print(f"  not done: {n} x {problem}")
    finally:
        redis.flushdb()
        if pg_name:
            drop_postgres(pg_name)


if __name__ == "__main__":
    main()
