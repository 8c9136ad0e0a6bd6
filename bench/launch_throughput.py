"""LTI launches per second, tool only: the product against a minimal pylti1p3 tool on the same platform and server.

Every party runs in a process of its own, over real HTTP on 127.0.0.1:
  * two dev LMSes (Moodle-shaped, ``devlms.create_devlms_app``), one registered with each tool, each with its
    bench students and graded links (phase difficult_client, scenario angry_bakery_owner);
  * the tool on its embedded defaults (SQLite in a temporary folder, in-process queue, offline engine), built
    as in production (``lti_app.wsgi``);
  * the baseline: ``bench/minimal_tool.py``, a minimal pylti1p3 Flask tool (login + launch, nothing else);
  * both tools under gunicorn's ``gthread`` worker: ``--workers`` (default 1, as ``scripts/run.sh`` starts the tool
    on the embedded defaults; the Dockerfile runs 2) with 8 threads each.

A launch is what a student's click costs: the LMS's launch page → the tool's OIDC login → the LMS's
authorization endpoint (signs the id_token) → the tool's launch → (the product) the first page it redirects to.
Each phase uses a fresh link, so every launch is that student's first of the activity (the product records the
course, user and activity and starts an attempt: a class opening an assignment at 9:00). The client (this
process) drives it serially, then at 10 and 50 concurrent students, the two tools taking turns, each phase
``--rounds`` times; the figures are the medians over rounds.

Printed, from one run on this machine: launches/s and p50 latency of the whole chain for both tools, the ratio
(target: the tool ≥ 0.75× the baseline's throughput at 10 and 50 concurrent; serial p50 ≤ 2×); the CPU each
tool process spent per launch; and, inside the tool, per request (login, launch, first page): server time,
CPU, SQL statements and commits (SQLAlchemy engine events).

    .venv/bin/python bench/launch_throughput.py [--launches 300] [--serial 40] [--rounds 2] [--workers 1]

The machine is shared and noisy: read the ratios, measured in the same run, rather than the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
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
TOOL_THREADS = 8
LMS_THREADS = 32


# --- the processes ------------------------------------------------------------------------------------------

def serve_lms(port: int, tool_url: str, students: int, links: int, folder: Path) -> None:
    def load() -> Any:
        from devlms import create_devlms_app
        from devlms.platform import DevLms, ToolEndpoints
        from devlms.state import FakeUser

        lms = DevLms("moodle", f"http://127.0.0.1:{port}", ToolEndpoints.under(tool_url))
        lms.users = [*lms.users, *(FakeUser(id=str(1000 + n), name=f"Bench Student {n}",
                                            email=f"student{n}@example.test", instructor=False)
                                   for n in range(students))]
        lms.user = {u.id: u for u in lms.users}.get  # type: ignore[method-assign]  # a dict, not a scan of 500
        ids = []
        for n in range(links):
            row = lms.store.add_lineitem(label=f"Bench {n}", score_maximum=100)
            custom = {"phase": "difficult_client", "scenario": SCENARIO}
            ids.append(lms.store.add_link(f"Bench {n}", lms.tool.launch, custom, row.id).id)
        (folder / "lms.json").write_text(json.dumps({
            "links": ids, "issuer": lms.issuer, "client_id": lms.client_id, "deployment_id": lms.deployment_id,
            "auth_login_url": lms.auth_login_url, "token_url": lms.token_url, "jwks_url": lms.jwks_url,
        }))
        return create_devlms_app(lms)

    run_gunicorn(load, port, threads=LMS_THREADS)


def serve_tool(port: int, folder: Path, workers: int) -> None:
    def load() -> Any:
        install_sql_counters()
        from lti_app.wsgi import app  # production's entry point: the app and, embedded, its worker side

        return RequestRecorder(app, folder)

    run_gunicorn(load, port, threads=TOOL_THREADS, workers=workers)


def serve_minimal(port: int, lms_folder: Path, folder: Path, workers: int) -> None:
    def load() -> Any:
        import requests

        from bench.minimal_tool import create_minimal_tool

        lms = json.loads((lms_folder / "lms.json").read_text())
        key_set = requests.get(lms["jwks_url"], timeout=30).json()
        app = create_minimal_tool(issuer=lms["issuer"], client_id=lms["client_id"],
                                  deployment_id=lms["deployment_id"], auth_login_url=lms["auth_login_url"],
                                  auth_token_url=lms["token_url"], key_set_url=lms["jwks_url"], key_set=key_set)
        return RequestRecorder(app, folder)

    run_gunicorn(load, port, threads=TOOL_THREADS, workers=workers)


def spawn(role: str, *args: str, env: dict[str, str] | None = None, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, __file__, "--role", role, *args], cwd=ROOT,
                                env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)


# --- the client ---------------------------------------------------------------------------------------------

class Target:
    def __init__(self, name: str, url: str, lms_url: str, folder: Path, proc: subprocess.Popen[bytes],
                 lms_proc: subprocess.Popen[bytes]) -> None:
        self.name, self.url, self.lms_url, self.folder, self.proc = name, url, lms_url, folder, proc
        self.lms_proc = lms_proc
        self.links: list[str] = json.loads((folder / "lms.json").read_text())["links"]

    def link(self) -> str:
        return self.links.pop(0)


def run_phase(target: Target, phase: str, concurrency: int, launches: int) -> dict[str, Any]:
    """``launches`` first launches of a fresh link, by ``concurrency`` students at a time."""
    link = target.link()
    counter = iter(range(launches))
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []

    def student_loop() -> None:
        browser = Browser({"X-Bench-Phase": phase})
        try:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                browser.forget_cookies()
                started = time.perf_counter()
                try:
                    page = browser.navigate(f"{target.lms_url}/launch?user={1000 + n}&link={link}")
                except Exception as exc:  # noqa: BLE001 - counted and shown, the run goes on
                    failures.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                if page.status != 200 or not page.url.startswith(target.url):
                    failures.append(f"{page.status} {page.url[:80]} {page.text[:120]!r}")
                    continue
                with lock:
                    latencies.append(elapsed)
        finally:
            browser.close()

    cpu_before, lms_before = tree_cpu_seconds(target.proc.pid), tree_cpu_seconds(target.lms_proc.pid)
    started = time.perf_counter()
    threads = [threading.Thread(target=student_loop) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = tree_cpu_seconds(target.proc.pid) - cpu_before
    lms_cpu = tree_cpu_seconds(target.lms_proc.pid) - lms_before
    return {"rate": len(latencies) / wall, "p50": median(latencies), "p95": pct(latencies, 0.95),
            "cpu_ms": cpu * 1000 / max(1, len(latencies)), "lms_cpu_ms": lms_cpu * 1000 / max(1, len(latencies)),
            "ok": len(latencies), "failures": failures}


def tool_requests(folder: Path, phases: set[str]) -> dict[str, dict[str, float]]:
    """Per kind of tool request (login, launch, first page): medians of server time, CPU, statements, commits."""
    kinds: dict[str, list[dict[str, Any]]] = {}
    for record in read_records(folder):
        if record["phase"] not in phases:
            continue
        path = record["path"]
        kind = "login" if path == "/lti/login" else "launch" if path == "/lti/launch" else \
            "page" if path.startswith("/a/") else path
        kinds.setdefault(kind, []).append(record)
    return {kind: {"n": len(rows), **{k: median([r[k] for r in rows]) for k in ("wall_ms", "cpu_ms", "sql", "commits")}}
            for kind, rows in kinds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--launches", type=int, default=300, help="launches per concurrent phase")
    parser.add_argument("--serial", type=int, default=40, help="launches in the serial phase")
    parser.add_argument("--concurrency", default="10,50")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers of each tool")
    parser.add_argument("--role", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tool-url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--lms-folder", help=argparse.SUPPRESS)
    parser.add_argument("--students", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--links", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "lms":
        return serve_lms(args.port, args.tool_url, args.students, args.links, Path(args.folder))
    if args.role == "tool":
        return serve_tool(args.port, Path(args.folder), args.workers)
    if args.role == "minimal":
        return serve_minimal(args.port, Path(args.lms_folder), Path(args.folder), args.workers)

    levels = [1] + [int(c) for c in args.concurrency.split(",") if c]
    phases_each = len(levels) * args.rounds + 1
    students = max(args.launches, args.serial)
    base = Path(tempfile.mkdtemp(prefix="cr-bench-launch-"))
    folders = {name: base / name for name in ("lms-tool", "lms-minimal", "tool", "minimal", "data")}
    for folder in folders.values():
        folder.mkdir()
    ports = {name: free_port() for name in ("lms-tool", "lms-minimal", "tool", "minimal")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = {"CR_DATA_DIR": str(folders["data"]), "CR_DATABASE_URL": f"sqlite:///{folders['data']}/cr.db",
           "CR_SECRET_KEY": "bench-secret-key-0123456789", "CR_PUBLIC_BASE_URL": urls["tool"]}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for name, tool in (("lms-tool", "tool"), ("lms-minimal", "minimal")):
            procs.append(spawn("lms", "--port", str(ports[name]), "--tool-url", urls[tool],
                               "--students", str(students), "--links", str(phases_each + 1),
                               "--folder", str(folders[name]), log=base / f"{name}.log"))
        for name in ("lms-tool", "lms-minimal"):
            wait_for_http(urls[name] + "/jwks.json")
        register_platform(env, json.loads((folders["lms-tool"] / "lms.json").read_text()))
        workers = ("--workers", str(args.workers))
        tool_proc = spawn("tool", "--port", str(ports["tool"]), "--folder", str(folders["tool"]), *workers,
                          env=env, log=base / "tool.log")
        minimal_proc = spawn("minimal", "--port", str(ports["minimal"]), "--lms-folder", str(folders["lms-minimal"]),
                             "--folder", str(folders["minimal"]), *workers, log=base / "minimal.log")
        procs += [tool_proc, minimal_proc]
        wait_for_http(urls["tool"] + "/lti/jwks.json")
        wait_for_http(urls["minimal"] + "/lti/login")
        tool = Target("tool", urls["tool"], urls["lms-tool"], folders["lms-tool"], tool_proc, procs[0])
        minimal = Target("minimal", urls["minimal"], urls["lms-minimal"], folders["lms-minimal"], minimal_proc,
                         procs[1])

        for target in (minimal, tool):  # warm: key sets fetched, signing key made, templates compiled
            warm = run_phase(target, "warm", 4, 20)
            if warm["failures"]:
                raise SystemExit(f"{target.name}: warm-up launches failed: {warm['failures'][:3]}\n"
                                 f"logs in {base}")

        results: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for level in levels:
            count = args.serial if level == 1 else args.launches
            for round_no in range(args.rounds):
                for target in (minimal, tool):
                    phase = f"{target.name}-c{level}-r{round_no}"
                    result = run_phase(target, phase, level, count)
                    result["phase"] = phase
                    results.setdefault((target.name, level), []).append(result)
                    if result["failures"]:
                        print(f"  {phase}: {len(result['failures'])} failed launches, e.g. {result['failures'][0]}")
        report(results, levels, folders, args)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def register_platform(env: dict[str, str], lms: dict[str, Any]) -> None:
    """Migrate the tool's database and register the dev LMS in it (as `flask platforms add` does)."""
    from flask_migrate import upgrade

    from config import load_settings
    from lti_app import create_app
    from lti_app.lti.platforms import PlatformInput, add_platform

    app = create_app(load_settings(env))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        add_platform(PlatformInput(issuer=lms["issuer"], client_id=lms["client_id"],
                                   deployment_id=lms["deployment_id"], auth_login_url=lms["auth_login_url"],
                                   auth_token_url=lms["token_url"], key_set_url=lms["jwks_url"],
                                   platform_family="moodle"))


def report(results: dict[tuple[str, int], list[dict[str, Any]]], levels: list[int], folders: dict[str, Path],
           args: argparse.Namespace) -> None:
    print(f"launches: serial {args.serial}, concurrent {args.launches} per phase; {args.rounds} round(s), medians;"
          f" gunicorn gthread {args.workers} worker(s) x {TOOL_THREADS} threads for both tools;"
          f" {os.cpu_count()} cores (shared)")
    print(f"{'':<14}{'baseline (minimal pylti1p3)':>36}{'the tool':>36}{'ratio':>16}")
    for level in levels:
        base, ours = results[("minimal", level)], results[("tool", level)]
        b_rate, o_rate = median([r["rate"] for r in base]), median([r["rate"] for r in ours])
        b_p50, o_p50 = median([r["p50"] for r in base]), median([r["p50"] for r in ours])
        b_cpu, o_cpu = median([r["cpu_ms"] for r in base]), median([r["cpu_ms"] for r in ours])
        label = "serial" if level == 1 else f"{level} concurrent"
        target = "p50 ≤ 2×" if level == 1 else "≥ 0.75×"
        verdict = (o_p50 / b_p50 <= 2) if level == 1 else (o_rate / b_rate >= 0.75)
        print(f"{label:<14}{b_rate:8.1f}/s p50 {b_p50:6.1f} ms cpu {b_cpu:5.1f} ms"
              f"{o_rate:8.1f}/s p50 {o_p50:6.1f} ms cpu {o_cpu:5.1f} ms"
              f"   {o_rate / b_rate:4.2f}× rate, {o_p50 / b_p50:4.2f}× p50"
              f"  (target {target}: {'met' if verdict else 'NOT met'})")
    lms_cpu = median([r["lms_cpu_ms"] for rows in results.values() for r in rows])
    print(f"the dev LMS (its own process) spent {lms_cpu:.1f} ms CPU per launch (login page + signing the id_token)")
    phases = {r["phase"] for rows in results.values() for r in rows}
    for name in ("minimal", "tool"):
        kinds = tool_requests(folders[name], phases)
        total = {k: sum(v[k] for v in kinds.values()) for k in ("wall_ms", "cpu_ms", "sql", "commits")}
        print(f"{name}: per launch (medians per request) server {total['wall_ms']:.1f} ms, "
              f"CPU {total['cpu_ms']:.1f} ms, {total['sql']:.0f} SQL statements, {total['commits']:.0f} commits")
        for kind, v in sorted(kinds.items()):
            print(f"  {kind:<8} x{v['n']:<5.0f} server {v['wall_ms']:6.1f} ms  CPU {v['cpu_ms']:5.1f} ms"
                  f"  SQL {v['sql']:3.0f}  commits {v['commits']:.0f}")


if __name__ == "__main__":
    main()
