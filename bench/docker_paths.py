"""Production's sandbox paths compared in one run: Docker cold, Docker pre-started pool, bubblewrap in a container.

    .venv/bin/python bench/docker_paths.py [--runs 20] [--submissions 20] [--rq 40] [--docker-url URL]

Prints, as ratios against baselines measured in the same run (samples interleaved round-robin):
  1. ``print(1)`` wall time: bare python3 in the sandbox image (a plain helper container timing its own
     child, the baseline), the Docker backend cold (create + start per run), the Docker backend with a
     pre-started pool of 2 (each sample taken with the pool full), and, for reference, bare python on this host.
  2. LocalBackend (bubblewrap) inside a hardened worker-like container (the image below, run with the flags in
     ``bwrap_worker_flags()``): bare python3 vs ``print(1)`` in the sandbox, both timed inside that container.
     (The sandbox's own tests, hostile programs included, pass in such a container: see sandbox/README.md.)
  3. Graded Python submissions (10 cases: 5 visible + 5 hidden, the harness) per second with 2 threads, per
     core, on each path.
  4. With ``--rq N``: N graded submissions through RQ (Redis + PostgreSQL, bench/queue_throughput.py's
     machinery) with 2 workers: bubblewrap workers on this host (the baseline), workers on the Docker backend
     with its pool, and workers each in its own bubblewrap worker container (LocalBackend).

Needs the engine from scripts/test-setup.d/20-docker-engine.sh (default unix:///run/cr-docker/docker.sock)
with the sandbox image, root (cgroups), and for --rq Redis (CR_BENCH_REDIS_URL) and PostgreSQL.
Target (issue 17): a Python run <= 3x bare; graded submissions through RQ >= 10/s per core.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sandbox_overhead import submissions_per_second  # noqa: E402  (the same graded submission)
from grader.sandbox import get_backend, run_program  # noqa: E402
from grader.sandbox.languages import PYTHON_FLAGS  # noqa: E402

IMAGE = os.environ.get("CR_SANDBOX_IMAGE", "coderesidency-sandbox:bookworm")
WORKER_IMAGE = "coderesidency-bwrap-worker:bench"
SECCOMP = ROOT / "sandbox" / "worker-seccomp.json"
CGROUP_NAME = "cr-bwrap-worker"
CONTROLLERS = ("memory", "pids", "cpuacct")


def bwrap_worker_flags() -> list[str]:
    """The least privilege LocalBackend needs inside a container (each flag is explained in sandbox/README.md)."""
    flags = [
        "--cgroupns=private",
        f"--security-opt=seccomp={SECCOMP}",
        "--security-opt=systempaths=unconfined",
        "--security-opt=no-new-privileges",
        "--cap-drop=ALL", "--cap-add=SETUID", "--cap-add=SETGID", "--cap-add=SETPCAP", "--cap-add=KILL",
        "--read-only", "--tmpfs=/run", "--tmpfs=/tmp",
    ]
    for ctl in CONTROLLERS:
        host = Path("/sys/fs/cgroup") / ctl / CGROUP_NAME
        host.mkdir(exist_ok=True)
        flags.append(f"--volume={host}:/sys/fs/cgroup/{ctl}")
    return flags


def remove_worker_cgroups() -> None:
    """The delegated cgroups the worker containers used (empty once they stopped): best effort."""
    for ctl in CONTROLLERS:
        host = Path("/sys/fs/cgroup") / ctl / CGROUP_NAME
        for path in sorted(host.glob("**/"), key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                path.rmdir()


def docker_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    return subprocess.run(["docker", *args], check=True, **kwargs)


def build_worker_image() -> None:
    """The sandbox image (the same mmdebstrap rootfs) + bubblewrap + this checkout's grader package. The
    project's Dockerfile needs registry images (python:3.11-slim, node), so it cannot be built offline here."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SystemExit("bubblewrap is not installed on this host")
    with tempfile.TemporaryDirectory() as ctx:
        shutil.copy(bwrap, Path(ctx) / "bwrap")
        shutil.copytree(ROOT / "grader", Path(ctx) / "grader", ignore=shutil.ignore_patterns("__pycache__"))
        (Path(ctx) / "Dockerfile").write_text(
            f"FROM {IMAGE}\nUSER root\nCOPY bwrap /usr/bin/bwrap\nCOPY grader /opt/cr/grader\n"
            "ENV PYTHONPATH=/opt/cr PYTHONDONTWRITEBYTECODE=1\nWORKDIR /opt/cr\n"
        )
        docker_cli("build", "-q", "-t", WORKER_IMAGE, ctx, stdout=subprocess.DEVNULL,
                   env={**os.environ, "DOCKER_BUILDKIT": "0"})


# Timed inside the helper container: one bare python3 start per line read on stdin.
BARE_SERVER = f"""
import subprocess, sys, time
open('/tmp/main.py', 'w').write('print(1)\\n')
argv = ['python3', *{list(PYTHON_FLAGS)!r}, '/tmp/main.py']
env = {{'PATH': '/usr/bin:/bin', 'HOME': '/tmp', 'LANG': 'C.UTF-8'}}
for _ in sys.stdin:
    t = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, env=env, cwd='/tmp')
    assert out.stdout == b'1\\n', out
    print(time.perf_counter() - t, flush=True)
"""

# Run inside the bubblewrap worker container: bare python3 vs LocalBackend, then the harness's throughput.
INNER = """
import json, os, statistics, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from grader.sandbox import TestCase, get_backend, run_program, run_tests
from grader.sandbox.languages import PYTHON_FLAGS
runs, total = int(sys.argv[1]), int(sys.argv[2])
backend = get_backend('local', slots=2)
problems = backend.check()
open('/tmp/main.py', 'w').write('print(1)\\n')
argv = ['python3', *PYTHON_FLAGS, '/tmp/main.py']
env = {'PATH': '/usr/bin:/bin', 'HOME': '/tmp', 'LANG': 'C.UTF-8'}
def bare():
    assert subprocess.run(argv, capture_output=True, env=env, cwd='/tmp').stdout == b'1\\n'
def sandboxed():
    r = run_program(backend, 'python', 'print(1)')
    assert r.stdout == '1\\n', r
fns = {'bare': bare, 'local': sandboxed}
for fn in fns.values():
    fn()
samples = {k: [] for k in fns}
for _ in range(runs):
    for k, fn in fns.items():
        t = time.perf_counter(); fn(); samples[k].append(time.perf_counter() - t)
cases = [TestCase([i, i + 1], 2 * i + 1, hidden=i >= 5) for i in range(10)]
def one(_):
    assert run_tests(backend, 'python', 'def add(a, b):\\n    return a + b\\n', 'add', cases).all_passed
rates = {}
for threads in (1, 2):
    t = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(total)))
    rates[threads] = total / (time.perf_counter() - t)
backend.close()
print(json.dumps({'problems': problems, 'bare': statistics.median(samples['bare']),
                  'local': statistics.median(samples['local']), 'rates': rates}))
"""


def interleaved_medians(fns: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    """Median seconds per path, sampled round-robin so a busy machine slows every side alike. Each function
    returns its own duration (the bare baseline is timed inside its container)."""
    for fn in fns.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            samples[name].append(fn())
    return {name: statistics.median(values) for name, values in samples.items()}


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    return run


def sandboxed(backend) -> Callable[[], object]:  # type: ignore[no-untyped-def]
    def run() -> None:
        result = run_program(backend, "python", "print(1)")
        assert result.stdout == "1\n", result

    return run


def pooled_sample(backend) -> Callable[[], float]:  # type: ignore[no-untyped-def]
    """One run from a full pool; then wait (untimed) for the refill, so every sample finds a started container."""
    inner = timed(sandboxed(backend))

    def run() -> float:
        seconds = inner()
        deadline = time.monotonic() + 30
        while backend._pool.qsize() < backend.pool_size and time.monotonic() < deadline:
            time.sleep(0.01)
        return seconds

    return run


def bare_in_image() -> tuple[Callable[[], float], subprocess.Popen[str]]:
    proc = subprocess.Popen(
        ["docker", "run", "--rm", "-i", "--network=none", "--read-only", "--tmpfs=/tmp", "--user=65000:65000",
         IMAGE, "python3", "-u", "-c", BARE_SERVER],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )

    def run() -> float:
        assert proc.stdin and proc.stdout
        proc.stdin.write("\n")
        proc.stdin.flush()
        return float(proc.stdout.readline())

    return run, proc


def bwrap_in_container(runs: int, total: int) -> dict:  # type: ignore[type-arg]
    out = docker_cli("run", "--rm", "--network=none", *bwrap_worker_flags(), WORKER_IMAGE,
                     "python3", "-c", INNER, str(runs), str(total), capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----- through RQ --------------------------------------------------------------------------------------------
def rq_drain(qt, app, attempt_id: int, count: int, start: Callable[[], Callable[[], None]]) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Seconds to drain ``count`` submissions with workers already running (``start`` returns their stop), and
    how many rows ended done (not failed)."""
    from lti_app.extensions import db
    from lti_app.models import Submission, WorkStatus

    stop = start()
    try:
        with app.app_context():
            before_done = db.session.query(Submission).filter_by(status=WorkStatus.DONE).count()
            before = db.session.query(Submission).count()
        started = time.perf_counter()
        qt.enqueue_submissions(app, attempt_id, count)
        finished = (WorkStatus.DONE, WorkStatus.FAILED)
        with app.app_context():
            while db.session.query(Submission).filter(Submission.status.in_(finished)).count() < before + count:
                db.session.rollback()
                time.sleep(0.02)
            seconds = time.perf_counter() - started
            done = db.session.query(Submission).filter_by(status=WorkStatus.DONE).count() - before_done
        return seconds, done
    finally:
        stop()


def container_workers(qt, env: dict[str, str], count: int) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    """``count`` RQ workers, each in its own bubblewrap worker container (like compose's replicas), running this
    checkout with this host's interpreter (mounted read-only: the offline image has no app dependencies)."""
    from redis import Redis
    from rq import Worker

    python_home = Path(os.path.realpath(sys.executable)).parents[1]
    keep = ("CR_DATABASE_URL", "CR_QUEUE_MODE", "CR_REDIS_URL", "CR_SECRET_KEY", "CR_LOG_LEVEL")
    names = []
    for i in range(count):
        name = f"cr-bench-bwrap-worker-{os.getpid()}-{i}"
        env_args = [f"--env={k}={env[k]}" for k in keep if k in env]
        docker_cli("run", "-d", "--rm", f"--name={name}", "--network=host", *bwrap_worker_flags(),
                   f"--volume={ROOT}:{ROOT}:ro", f"--volume={python_home}:{python_home}:ro", "--tmpfs=/data",
                   *env_args, "--env=CR_DATA_DIR=/data", "--env=CR_SANDBOX_BACKEND=local", f"--workdir={ROOT}",
                   WORKER_IMAGE, f"{ROOT}/.venv/bin/python", "-m", "flask", "--app", "lti_app:create_app()",
                   "worker", "run", "--no-reconcile", "--no-fork", stdout=subprocess.DEVNULL)
        names.append(name)

    def stop() -> None:
        for name in names:
            subprocess.run(["docker", "stop", "-t", "60", name], capture_output=True)

    redis = Redis.from_url(qt.REDIS_URL)
    deadline = time.monotonic() + 120
    while len(Worker.all(connection=redis)) < count:
        if time.monotonic() > deadline:
            logs = subprocess.run(["docker", "logs", names[0]], capture_output=True, text=True)
            stop()
            raise SystemExit(f"container workers did not start:\n{logs.stdout[-2000:]}{logs.stderr[-2000:]}")
        time.sleep(0.1)
    return stop


def through_rq(count: int, docker_url: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import queue_throughput as qt  # the machinery (database, app, seeding, enqueue, host workers)
    from redis import Redis

    database_url, pg_name = qt.fresh_postgres()
    data_dir = tempfile.mkdtemp(prefix="cr-bench-")
    env = qt.env_for(database_url, data_dir)
    redis = Redis.from_url(qt.REDIS_URL)
    cores = os.cpu_count() or 1
    try:
        redis.flushdb()
        app = qt.build_app(env)
        attempt_id = qt.seed_attempt(app)
        docker_env = {**env, "CR_SANDBOX_BACKEND": "docker", "CR_DOCKER_URL": docker_url, "CR_SANDBOX_IMAGE": IMAGE,
                      "CR_DOCKER_POOL_SIZE": "2"}

        def host_workers(worker_env: dict[str, str]) -> Callable[[], Callable[[], None]]:
            def start() -> Callable[[], None]:
                procs = qt.start_workers(worker_env, 2, False)
                return lambda: qt.stop_workers(procs)

            return start

        print(f"\ngraded submissions through RQ (Redis + PostgreSQL), 2 workers, {count} submissions each; "
              "baseline: bubblewrap workers on this host")
        paths = (("bubblewrap on this host (baseline)", host_workers({**env, "CR_SANDBOX_BACKEND": "local"})),
                 ("docker backend, pool of 2", host_workers(docker_env)),
                 ("bubblewrap in worker containers", lambda: container_workers(qt, env, 2)))
        base = 0.0
        for label, start in paths:
            seconds, done = rq_drain(qt, app, attempt_id, count, start)
            rate = count / seconds
            base = base or rate
            print(f"  {label:<36} {rate:6.2f}/s = {rate / min(2, cores):5.2f}/s per core, {rate / base:4.2f}x "
                  f"baseline ({done}/{count} done)   target >= 10/s per core", flush=True)
    finally:
        redis.flushdb()
        qt.drop_postgres(pg_name)
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=20, help="graded submissions per harness sample")
    parser.add_argument("--rq", type=int, default=0, help="submissions through RQ per path (0: skip)")
    parser.add_argument("--docker-url", default=os.environ.get("CR_TEST_DOCKER_URL", "unix:///run/cr-docker/docker.sock"))
    args = parser.parse_args()
    os.environ["DOCKER_HOST"] = args.docker_url
    cores = os.cpu_count() or 1

    cold = get_backend("docker", base_url=args.docker_url, pool_size=0)
    pool = get_backend("docker", base_url=args.docker_url, pool_size=2)
    for backend in (cold, pool):
        if problems := backend.check():
            raise SystemExit(f"docker backend unusable: {problems}")
    pool.warm()
    build_worker_image()
    bare_image, server = bare_in_image()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "main.py").write_text("print(1)\n")
        host_argv = ["python3", *PYTHON_FLAGS, str(Path(tmp, "main.py"))]
        host_env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "LANG": "C.UTF-8"}
        fns = {
            "bare": bare_image,
            "cold": timed(sandboxed(cold)),
            "pool": pooled_sample(pool),
            "host": timed(lambda: subprocess.run(host_argv, capture_output=True, check=True, env=host_env)),
        }
        t = interleaved_medians(fns, args.runs)
    assert server.stdin
    server.stdin.close()
    server.wait(timeout=30)
    base = t["bare"]
    print(f"print(1), median of {args.runs} interleaved runs; baseline: bare python3 in {IMAGE}: {base * 1e3:.1f} ms")
    print(f"  docker backend, cold (create + start per run)   {t['cold'] * 1e3:7.1f} ms  {t['cold'] / base:5.2f}x"
          "   target <= 3x")
    print(f"  docker backend, pre-started pool of 2           {t['pool'] * 1e3:7.1f} ms  {t['pool'] / base:5.2f}x"
          f"   target <= 3x  ({pool.reused} runs from the pool)")
    print(f"  (bare python3 on this host, for reference        {t['host'] * 1e3:7.1f} ms  {t['host'] / base:5.2f}x)")

    inner = bwrap_in_container(args.runs, args.submissions)
    print(f"\nLocalBackend (bubblewrap) inside a worker container; baseline: bare python3 there: "
          f"{inner['bare'] * 1e3:.1f} ms")
    print(f"  bubblewrap sandbox in the container             {inner['local'] * 1e3:7.1f} ms  "
          f"{inner['local'] / inner['bare']:5.2f}x   target <= 3x"
          + (f"  (degraded: {'; '.join(inner['problems'])})" if inner["problems"] else "  (check(): fully working)"))

    print(f"\ngraded submissions through the harness (10 cases = 2 sandbox runs each), {args.submissions} per "
          f"sample, {cores} cores:")
    rates = {
        "docker cold, 2 threads": submissions_per_second(cold, 2, max(6, args.submissions // 2)),
        "docker pool of 2, 2 threads": submissions_per_second(pool, 2, args.submissions),
    }
    rates["bubblewrap in container, 1 thread"] = inner["rates"]["1"]
    rates["bubblewrap in container, 2 threads"] = inner["rates"]["2"]
    for label, rate in rates.items():
        busy = 1 if "1 thread" in label else min(2, cores)
        print(f"  {label:<36} {rate:6.2f}/s = {rate / busy:5.2f}/s per core")
    cold.close()
    pool.close()

    try:
        if args.rq:
            through_rq(args.rq, args.docker_url)
    finally:
        remove_worker_cgroups()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
