"""A terminal command's round trip on the embedded defaults (in-process queue, local sandbox, SQLite): POST the
command → its output arrives on the submission's event stream, as the page's terminal gets it.

Prints, from one run on this machine:
  * the baseline: the same command run directly with ``run_command`` on the local backend (p50/p95 ms);
  * the round trip over HTTP, one room at a time (p50/p95 ms, and as a ratio to the baseline), for a plain
    command and for one whose workspace says its service runs (the phase's setup starts ``python3 -m
    http.server`` before the command and it is stopped after: the War Room's shape);
  * concurrent rooms: N students each sending commands back to back for a while (round trip p50/p95, commands
    per second), N = 1, 2, 4, 8 by default.

    .venv/bin/python bench/terminal_roundtrip.py [--runs 40] [--rooms 1,2,4,8] [--seconds 15]

Uses the test-only terminal phase (tests/phases/terminal_phase). Target: a command's round trip ≤ 300 ms p95.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMMAND = "ls -l notes && grep -c . README.txt"
SERVICE_COMMAND = "curl -s 127.0.0.1:8000/index.html"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def seed_launch(app, sub: str) -> str:  # type: ignore[no-untyped-def]
    from lti_app.launches import on_resource_launch
    from lti_app.lti.context import LaunchContext
    from lti_app.lti.launch_store import RESOURCE_LINK, new_launch_id, persist_launch

    launch_id = new_launch_id()
    ctx = LaunchContext(
        launch_id=launch_id, issuer="https://bench.example", client_id="c", deployment_id="d", user_sub=sub,
        user_name="Bench", user_email="bench@example.edu",
        roles=("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",), context_id="course",
        context_title="Course", resource_link_id="link", resource_link_title="Bench",
        custom={"phase": "terminal_phase"}, platform_family="generic", ags_lineitem_url=None,
    )
    with app.test_request_context():
        persist_launch(message_type=RESOURCE_LINK, issuer=ctx.issuer, client_id="c", deployment_id="d",
                       user_sub=sub, nonce=secrets.token_hex(8), state=secrets.token_hex(8), data=ctx.to_dict(),
                       launch_id=launch_id)
        on_resource_launch(ctx)
    return launch_id


class Room:
    """One student's terminal over HTTP: POST a command, read its event stream until "done"."""

    def __init__(self, base: str, launch_id: str, csrf: str) -> None:
        self.base, self.launch_id = base, launch_id
        self.session = requests.Session()
        self.session.headers["X-CSRF-Token"] = csrf

    def command(self, text: str) -> tuple[float, dict]:
        started = time.perf_counter()
        sent = self.session.post(f"{self.base}/api/a/{self.launch_id}/terminal/commands", json={"command": text},
                                 timeout=60)
        sent.raise_for_status()
        view = sent.json()["submission"]
        with self.session.get(self.base + view["events_url"], stream=True, timeout=60) as stream:
            event = None
            for raw in stream.iter_lines(decode_unicode=True):
                if raw.startswith("event: "):
                    event = raw[7:]
                elif raw.startswith("data: ") and event == "done":
                    done = json.loads(raw[6:])
                    return (time.perf_counter() - started) * 1000, done
        raise RuntimeError("the event stream ended without a result")


def baseline(runs: int, service: bool) -> list[float]:
    from config import load_settings
    from grader.workbench.workspace import run_command
    from tests.phases.terminal_phase import domain
    from worker.sandbox import sandbox_backend

    backend = sandbox_backend(load_settings({}))
    ws = domain.seed().with_file(domain.FLAG, "") if service else domain.seed()
    task = domain.task()
    command = SERVICE_COMMAND if service else COMMAND
    run_command(backend, ws, command, setup=task.setup, teardown=task.teardown, prelude=task.prelude)  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = run_command(backend, ws, command, setup=task.setup, teardown=task.teardown, prelude=task.prelude)
        times.append((time.perf_counter() - started) * 1000)
        assert result.outcome == "ok", result
    return times


def line(label: str, values: list[float], base: float | None = None) -> str:
    text = f"{label:<44} p50 {statistics.median(values):7.1f} ms  p95 {pct(values, .95):7.1f} ms"
    return text + (f"  ({statistics.median(values) / base:.1f}× the baseline)" if base else "")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--rooms", default="1,2,4,8")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()

    from config import load_settings
    from lti_app import create_app
    from lti_app.dispatch import get_dispatcher
    from lti_app.extensions import db
    from lti_app.models import Submission
    from lti_app.phases import registry
    from lti_app.security import csrf_token
    from tests.support.live_server import LiveServer

    registry.register("tests.phases.terminal_phase.domain", "tests.phases.terminal_phase.web")
    data = tempfile.mkdtemp(prefix="cr-bench-")
    app = create_app(load_settings({"CR_DATA_DIR": data, "CR_DATABASE_URL": f"sqlite:///{data}/cr.db",
                                    "CR_SECRET_KEY": "bench-secret-0123456789", "CR_PUBLIC_BASE_URL": "http://x"}))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=app.extensions["migrate"].directory)
    get_dispatcher(app).start()

    plain_base = baseline(args.runs, service=False)
    service_base = baseline(args.runs, service=True)
    counts = [int(n) for n in args.rooms.split(",") if n.strip()]
    launches = [seed_launch(app, f"bench-{i}") for i in range(max(counts + [2]))]
    with app.test_request_context():
        tokens = {launch: csrf_token(launch) for launch in launches}

    with LiveServer(app) as server:
        rooms = [Room(server.url, launch, tokens[launch]) for launch in launches]
        first, second = rooms[0], rooms[1]
        first.command(COMMAND)  # warm connections and the workspace rows
        plain = [first.command(COMMAND)[0] for _ in range(args.runs)]
        second.command("service start")
        with_service = []
        for _ in range(args.runs):
            elapsed, done = second.command(SERVICE_COMMAND)
            assert "hello from the site" in (done.get("result") or {}).get("output", ""), done
            with_service.append(elapsed)

        concurrent: dict[int, tuple[list[float], float]] = {}
        for count in counts:
            stop_at = time.monotonic() + args.seconds
            times: list[list[float]] = [[] for _ in range(count)]

            def work(index: int, stop: float = stop_at, into: list[list[float]] = times) -> None:
                while time.monotonic() < stop:
                    into[index].append(rooms[index].command(COMMAND)[0])

            threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            flat = [t for per in times for t in per]
            concurrent[count] = (flat, len(flat) / (time.monotonic() - started))

    with app.app_context():
        rows = db.session.query(Submission).filter_by(kind="command").order_by(Submission.id).all()[1:args.runs + 1]
        pickup = [(r.started_at - r.created_at).total_seconds() * 1000 for r in rows if r.started_at]
        run = [(r.finished_at - r.started_at).total_seconds() * 1000 for r in rows if r.finished_at and r.started_at]
    get_dispatcher(app).stop()

    b50, s50 = statistics.median(plain_base), statistics.median(service_base)
    print(f"runs: {args.runs} per line; command {COMMAND!r}; with the service {SERVICE_COMMAND!r}")
    print(line("baseline: run_command on the local sandbox", plain_base))
    print(line("baseline with the service started by setup", service_base))
    print(line("POST → output on the event stream", plain, b50))
    print(line("… with the service started by setup", with_service, s50))
    print(f"  row written → picked up (p50)              {statistics.median(pickup):7.1f} ms")
    print(f"  picked up → result stored (p50)            {statistics.median(run):7.1f} ms")
    for count, (flat, rate) in concurrent.items():
        print(line(f"{count} room(s) at once, back to back", flat) + f"  {rate:5.1f} commands/s")


if __name__ == "__main__":
    main()
