"""Chat turns with the Difficult Client, offline, on the embedded defaults: 20 students at once over real HTTP.

The tool runs in a process of its own, as in production (``lti_app.wsgi`` under gunicorn's ``gthread`` worker,
``--workers`` x ``--threads``, 2 x 4 as the Dockerfile starts it), on its embedded defaults: SQLite in a
temporary folder, the in-process queue and the offline engine. Each student has a launch and an open attempt of
the bakery scenario (seeded through the real launch store), and sends the scripted students' messages
(tests/phases/difficult_client/students.py, in turn) as the page does: ``POST /api/a/<launch>/dc/messages`` with
the CSRF token and the turn it last saw, on the non-streaming JSON path, then — other students — on the streamed
path (``Accept: text/event-stream``, read to the last event).

Printed, from one run on this machine:
  * the baseline: the same turns through the domain engine alone (``start_session`` / ``stream_turn``, no web, no
    database), one after the other in this process: per-turn p50/p95 and turns/s;
  * for each path, 20 students at once: the server's time per turn, from the request until its body was closed
    (p50/p95), its CPU per turn, the SQL statements and commits per turn, and turns/s as the students saw them;
  * a turn alone (one student, an otherwise idle server): the server's p50.
Targets (issue 17): p95 ≤ 50 ms and ≥ 150 turns/s at 20 students; a turn alone ≤ 10 ms server time.

    .venv/bin/python bench/chat_turns.py [--students 20] [--turns 25] [--workers 2] [--threads 4]

The machine is shared and noisy: read the ratios to the baseline, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serving import (  # noqa: E402
    Browser,
    RequestRecorder,
    free_port,
    install_sql_counters,
    median,
    pct,
    read_records,
    run_gunicorn,
    tree_cpu_seconds,
    wait_for_http,
)

SCENARIO = "angry_bakery_owner"
SECRET = "bench-secret-key-0123456789"


def script() -> list[str]:
    """Every scripted student's messages for the scenario, one after the other (a realistic mix of turns)."""
    from tests.phases.difficult_client.students import ORDER, STUDENTS

    return [message for name in ORDER for message in STUDENTS[name](SCENARIO)]


# --- the server process -------------------------------------------------------------------------------------

def serve(port: int, folder: Path, workers: int, threads: int) -> None:
    def load() -> Any:
        install_sql_counters()
        from lti_app.wsgi import app  # production's entry point: the app and, embedded, its worker side

        return RequestRecorder(app, folder)

    run_gunicorn(load, port, threads=threads, workers=workers)


# --- set-up in this process ---------------------------------------------------------------------------------

def build_app(env: dict[str, str]) -> Any:
    from flask_migrate import upgrade

    from config import load_settings
    from lti_app import create_app

    app = create_app(load_settings(env))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    return app


def seed_students(app: Any, count: int, group: str) -> list[tuple[str, str]]:
    """``count`` learners of ``group`` who launched the bakery scenario: (launch id, CSRF token) each."""
    from lti_app.launches import on_resource_launch
    from lti_app.lti.context import LaunchContext
    from lti_app.lti.launch_store import RESOURCE_LINK, new_launch_id, persist_launch
    from lti_app.security import csrf_token

    out = []
    for n in range(count):
        launch_id = new_launch_id()
        ctx = LaunchContext(
            launch_id=launch_id, issuer="https://bench.example", client_id="c", deployment_id="d",
            user_sub=f"bench-{group}-{n}", user_name=f"Student {n}", user_email=f"s{n}@example.edu",
            roles=("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",), context_id="course",
            context_title="Course", resource_link_id="link", resource_link_title="Bench",
            custom={"phase": "difficult_client", "scenario": SCENARIO}, platform_family="generic",
        )
        with app.test_request_context():
            persist_launch(message_type=RESOURCE_LINK, issuer=ctx.issuer, client_id="c", deployment_id="d",
                           user_sub=ctx.user_sub, nonce=secrets.token_hex(8), state=secrets.token_hex(8),
                           data=ctx.to_dict(), launch_id=launch_id)
            on_resource_launch(ctx)
            out.append((launch_id, csrf_token(launch_id)))
    return out


# --- the baseline -------------------------------------------------------------------------------------------

def engine_baseline(messages: list[str], turns: int, sessions: int) -> dict[str, float]:
    """The same turns through the domain engine alone: ``sessions`` conversations of ``turns`` turns each."""
    from grader.phases.difficult_client import load_scenario, start_session, stream_turn

    scenario = load_scenario(SCENARIO)
    times: list[float] = []
    started = time.perf_counter()
    for _ in range(sessions):
        state = start_session(scenario)
        for n in range(turns):
            began = time.perf_counter()
            for event in stream_turn(scenario, state, messages[n % len(messages)]):
                if event["type"] == "done":
                    state = event["outcome"].state
            times.append((time.perf_counter() - began) * 1000)
    wall = time.perf_counter() - started
    return {"p50": median(times), "p95": pct(times, 0.95), "rate": len(times) / wall}


# --- the client ---------------------------------------------------------------------------------------------

def chat(url: str, students: list[tuple[str, str]], messages: list[str], turns: int, stream: bool,
         phase: str) -> dict[str, Any]:
    """Every student sends ``turns`` messages, one after the other, all students at once."""
    failures: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    accept = "text/event-stream" if stream else "application/json"

    def student(launch_id: str, csrf: str) -> None:
        browser = Browser({"X-Bench-Phase": phase, "X-CSRF-Token": csrf, "Accept": accept})
        turn = None
        try:
            for n in range(turns):
                payload: dict[str, Any] = {"message": messages[n % len(messages)]}
                if turn is not None:
                    payload["turn"] = turn
                began = time.perf_counter()
                response = browser.request("POST", f"{url}/api/a/{launch_id}/dc/messages", json_body=payload)
                elapsed = (time.perf_counter() - began) * 1000
                done = _done(response.text) if stream else (response.text if response.status == 200 else None)
                if response.status != 200 or done is None:
                    failures.append(f"{response.status} {response.text[:160]!r}")
                    return
                turn = json.loads(done)["turn"]
                with lock:
                    latencies.append(elapsed)
        finally:
            browser.close()

    threads = [threading.Thread(target=student, args=s) for s in students]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"rate": len(latencies) / wall, "client_p50": median(latencies), "turns": len(latencies),
            "failures": failures}


def _done(body: str) -> str | None:
    """The data of the stream's final ``done`` event (None when it ended otherwise)."""
    for block in body.split("\n\n"):
        lines = block.split("\n")
        if lines and lines[0] == "event: done":
            return "".join(line[6:] for line in lines[1:] if line.startswith("data: "))
    return None


def server_side(folder: Path, phase: str) -> dict[str, float]:
    rows = [r for r in read_records(folder) if r["phase"] == phase and r["path"].endswith("/dc/messages")]
    walls = [r["wall_ms"] for r in rows]
    return {"n": len(rows), "p50": median(walls), "p95": pct(walls, 0.95), "cpu": median([r["cpu_ms"] for r in rows]),
            "sql": median([r["sql"] for r in rows]), "commits": median([r["commits"] for r in rows])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--turns", type=int, default=25, help="turns per student and path (at most 55)")
    parser.add_argument("--alone", type=int, default=40, help="turns of the single student")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--role", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "tool":
        return serve(args.port, Path(args.folder), args.workers, args.threads)

    base = Path(tempfile.mkdtemp(prefix="cr-bench-chat-"))
    (base / "requests").mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"CR_DATA_DIR": str(base), "CR_DATABASE_URL": f"sqlite:///{base}/cr.db", "CR_SECRET_KEY": SECRET,
           "CR_PUBLIC_BASE_URL": url}
    messages = script()
    turns = min(args.turns, 55)
    app = build_app(env)
    json_students = seed_students(app, args.students, "json")
    sse_students = seed_students(app, args.students, "stream")
    alone = seed_students(app, 2, "alone")
    baseline = engine_baseline(messages, turns, args.students)

    with (base / "tool.log").open("ab") as log:
        proc = subprocess.Popen([sys.executable, __file__, "--role", "tool", "--port", str(port), "--folder",
                                 str(base / "requests"), "--workers", str(args.workers), "--threads",
                                 str(args.threads)], cwd=ROOT, env={**os.environ, **env}, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        wait_for_http(url + "/healthz")
        chat(url, [alone[1]], messages, 3, False, "warm")  # every worker's first turns: templates, scenario
        chat(url, [alone[1]], messages, 3, True, "warm")
        results = {}
        for name, students, stream in (("json", json_students, False), ("stream", sse_students, True)):
            cpu_before = tree_cpu_seconds(proc.pid)
            results[name] = chat(url, students, messages, turns, stream, name)
            results[name]["process_cpu"] = (tree_cpu_seconds(proc.pid) - cpu_before) * 1000 / max(
                1, results[name]["turns"])
        results["alone"] = chat(url, [alone[0]], messages, min(args.alone, 55), False, "alone")
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    for name, result in results.items():
        if result["failures"]:
            print(f"  {name}: {len(result['failures'])} students stopped early, e.g. {result['failures'][0]}")
    folder = base / "requests"
    print(f"{args.students} students x {turns} turns per path; gunicorn gthread {args.workers} worker(s) x "
          f"{args.threads} threads; SQLite; {os.cpu_count()} cores (shared)")
    print(f"{'baseline: the domain engine alone':<40}per turn p50 {baseline['p50']:6.2f} ms  "
          f"p95 {baseline['p95']:6.2f} ms  {baseline['rate']:7.1f} turns/s (one thread)")
    for name in ("json", "stream"):
        server, client = server_side(folder, name), results[name]
        p95_ok, rate_ok = server["p95"] <= 50, client["rate"] >= 150
        print(f"{name + ' path, ' + str(args.students) + ' students at once':<40}server p50 {server['p50']:6.2f} ms  "
              f"p95 {server['p95']:6.2f} ms  {client['rate']:7.1f} turns/s")
        print(f"{'':<40}CPU per turn {server['cpu']:5.2f} ms in the view, {client['process_cpu']:5.2f} ms in the "
              f"process; {server['sql']:.0f} SQL statements, {server['commits']:.0f} commits")
        print(f"{'':<40}p50 {server['p50'] / baseline['p50']:.1f}x the engine's; p95 ≤ 50 ms "
              f"{'met' if p95_ok else 'NOT met'}, ≥ 150 turns/s {'met' if rate_ok else 'NOT met'}")
    alone = server_side(folder, "alone")
    print(f"{'a turn alone (one student)':<40}server p50 {alone['p50']:6.2f} ms  CPU {alone['cpu']:5.2f} ms  "
          f"({alone['p50'] / baseline['p50']:.1f}x the engine's; ≤ 10 ms {'met' if alone['p50'] <= 10 else 'NOT met'})")

if __name__ == "__main__":
    main()
