"""Run and Submit click → result on the page, in Chromium, on the embedded defaults (in-process queue, local
sandbox).

Prints, from one run on this machine:
  * the Run baseline: the same program run directly on the sandbox backend, no web, no queue (p50/p95 ms);
  * Run click → output visible in the DOM, measured in the page with performance.now() (p50/p95 ms, and as a
    ratio to the baseline);
  * the server-side split from the submission rows: click → row written → picked up → sandbox done;
  * the same for Submit (visible examples and hidden tests in two sandboxes, and the linter), against the
    Submit's own work done directly on the backend (the task's ``execute``, no web, no queue), and against
    that work's sandbox runs one after the other (what a Submit cost before its runs started together).

    .venv/bin/python bench/run_latency.py [--runs 30] [--submits 20]

Needs Debian's chromium (/usr/bin/chromium), Playwright and bubblewrap (scripts/test.sh installs them).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROGRAM = "def accept_order(a, b, c):\n    return True\n\nprint(accept_order(1, 9, 2))\n"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def seed_launch(app, custom: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    from lti_app.launches import on_resource_launch
    from lti_app.lti.context import LaunchContext
    from lti_app.lti.launch_store import RESOURCE_LINK, new_launch_id, persist_launch

    launch_id = new_launch_id()
    ctx = LaunchContext(
        launch_id=launch_id, issuer="https://bench.example", client_id="c", deployment_id="d",
        user_sub="bench-student", user_name="Bench", user_email="bench@example.edu",
        roles=("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",), context_id="course",
        context_title="Course", resource_link_id="link", resource_link_title="Bench", custom=custom,
        platform_family="generic", ags_lineitem_url=None,
    )
    with app.test_request_context():
        persist_launch(message_type=RESOURCE_LINK, issuer=ctx.issuer, client_id="c", deployment_id="d",
                       user_sub=ctx.user_sub, nonce=secrets.token_hex(8), state=secrets.token_hex(8),
                       data=ctx.to_dict(), launch_id=launch_id)
        on_resource_launch(ctx)
    return launch_id


def sandbox_baseline(runs: int) -> list[float]:
    from config import load_settings
    from grader.sandbox import run_program
    from grader.workbench.code_runs import LIMITS
    from worker.sandbox import sandbox_backend

    backend = sandbox_backend(load_settings({}))
    run_program(backend, "python", PROGRAM, limits=LIMITS["run"])  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run_program(backend, "python", PROGRAM, limits=LIMITS["run"])
        times.append((time.perf_counter() - started) * 1000)
    return times


def submit_baselines(app, launch_id: str, runs: int) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """(the attempt's Submit done directly on the backend, as the worker does it; the time of that Submit's two
    test runs, visible and hidden, one after the other), both in ms."""
    from grader.sandbox import SandboxBackend
    from grader.sandbox.languages import LANGUAGE_SPECS
    from lti_app.extensions import db
    from lti_app.models import Attempt
    from lti_app.phases.registry import get_phase
    from worker.sandbox import sandbox_backend

    backend = sandbox_backend(app.config["SETTINGS"])
    HARNESS = LANGUAGE_SPECS["python"].harness_file  # noqa: N806

    class Serial(SandboxBackend):
        """The backend, one run at a time, timing each: the Submit's runs as they went before (in a row)."""

        name = backend.name

        def __init__(self) -> None:
            import threading

            self.lock, self.tests = threading.Lock(), 0.0

        def run(self, request):  # type: ignore[no-untyped-def]
            with self.lock:
                started = time.perf_counter()
                try:
                    return backend.run(request)
                finally:
                    if HARNESS in request.files:  # a test run (visible or hidden), not the linter's
                        self.tests += time.perf_counter() - started

        def check(self) -> list[str]:
            return backend.check()

    together, serial = [], []
    with app.app_context():  # the task reads the app's settings (its optional LLM review), as in the worker
        attempt = db.session.query(Attempt).order_by(Attempt.id.desc()).first()
        task = get_phase(attempt.activity.phase).adapter.code_task(attempt)
        task.execute(backend, "submit", PROGRAM)  # warm
        for _ in range(runs):
            started = time.perf_counter()
            task.execute(backend, "submit", PROGRAM)
            together.append((time.perf_counter() - started) * 1000)
            one_by_one = Serial()
            task.execute(one_by_one, "submit", PROGRAM)
            serial.append(one_by_one.tests * 1000)
    return together, serial


def clicks_in_page(page, button: str, done_selector: str, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    """ms from a click on ``button`` until ``done_selector`` appears in the job's result box, ``count`` times."""
    clicks = []
    for _ in range(count):
        elapsed = page.evaluate("""([button, selector]) => new Promise((resolve) => {
            const result = document.getElementById('cr-job-result');
            const started = performance.now();
            const seen = new MutationObserver(() => {
              if (result.querySelector(selector)) { seen.disconnect(); resolve(performance.now() - started); }
            });
            result.textContent = '';
            seen.observe(result, { childList: true, subtree: true });
            document.getElementById(button).click();
            setTimeout(() => resolve(-1), 20000);
          })""", [button, done_selector])
        page.wait_for_function(f"!document.getElementById('{button}').disabled")
        clicks.append(elapsed)
    return clicks


def row_split(app, kind: str) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """(row written → picked up, picked up → done) in ms for the ``kind`` rows, the first (warm-up) left out."""
    from lti_app.extensions import db
    from lti_app.models import Submission

    with app.app_context():
        rows = db.session.query(Submission).filter_by(kind=kind).order_by(Submission.id).all()[1:]
        pickup = [(r.started_at - r.created_at).total_seconds() * 1000 for r in rows if r.started_at]
        run = [(r.finished_at - r.started_at).total_seconds() * 1000 for r in rows if r.finished_at and r.started_at]
    return pickup, run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--submits", type=int, default=20)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from config import load_settings
    from lti_app import create_app
    from lti_app.dispatch import get_dispatcher
    from tests.phases.difficult_client.students import EXPERT
    from tests.support.chromium import launch
    from tests.support.live_server import LiveServer

    data = tempfile.mkdtemp(prefix="cr-bench-")
    app = create_app(load_settings({"CR_DATA_DIR": data, "CR_DATABASE_URL": f"sqlite:///{data}/cr.db",
                                    "CR_SECRET_KEY": "bench-secret-0123456789", "CR_PUBLIC_BASE_URL": "http://x"}))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=app.extensions["migrate"].directory)
    get_dispatcher(app).start()
    # No Submit limit: the bench submits more often than a student may.
    launch_id = seed_launch(app, {"phase": "difficult_client", "scenario": "angry_bakery_owner", "max_submits": "0"})

    baseline = sandbox_baseline(args.runs)
    with LiveServer(app) as server:
        with app.test_request_context():
            from lti_app.security import csrf_token

            csrf = csrf_token(launch_id)
        for text in EXPERT[:4]:
            requests.post(f"{server.url}/api/a/{launch_id}/dc/messages", json={"message": text},
                          headers={"X-CSRF-Token": csrf}, timeout=30).raise_for_status()
        submit_direct, submit_serial = submit_baselines(app, launch_id, args.submits) if args.submits else ([], [])
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.goto(f"{server.url}/a/{launch_id}")
            page.evaluate("(code) => { const t = document.getElementById('dc-source'); t.value = code;"
                          " t.dispatchEvent(new CustomEvent('cr:editor-set')); }", PROGRAM)
            # The first click of each kind warms the page's connections and is left out.
            clicks = clicks_in_page(page, "dc-run", "pre", args.runs + 1)[1:]
            submits = clicks_in_page(page, "dc-submit", "table", args.submits + 1)[1:] if args.submits else []
            browser.close()
    clicks = [c for c in clicks if c >= 0]
    submits = [c for c in submits if c >= 0]
    pickup, run = row_split(app, "run")
    s_pickup, s_run = row_split(app, "submit")
    get_dispatcher(app).stop()

    b50 = statistics.median(baseline)
    print(f"runs: {len(clicks)} (of {args.runs})")
    print(f"baseline  sandbox alone          p50 {b50:7.1f} ms  p95 {pct(baseline, .95):7.1f} ms")
    print(f"click → output in the DOM        p50 {statistics.median(clicks):7.1f} ms  p95 {pct(clicks, .95):7.1f} ms"
          f"  ({statistics.median(clicks) / b50:.1f}× the baseline)")
    print(f"  row written → picked up         p50 {statistics.median(pickup):7.1f} ms")
    print(f"  picked up → sandbox done (row)  p50 {statistics.median(run):7.1f} ms")
    print(f"  the rest (HTTP, events, DOM)    p50 "
          f"{statistics.median(clicks) - statistics.median(pickup) - statistics.median(run):7.1f} ms")
    if not submits:
        return
    d50, r50, c50 = statistics.median(submit_direct), statistics.median(submit_serial), statistics.median(submits)
    print(f"submits: {len(submits)} (of {args.submits})")
    print(f"baseline  test runs in a row     p50 {r50:7.1f} ms  p95 {pct(submit_serial, .95):7.1f} ms"
          "  (the Submit's visible and hidden runs, one after the other)")
    print(f"baseline  Submit on the backend  p50 {d50:7.1f} ms  p95 {pct(submit_direct, .95):7.1f} ms"
          f"  (the task's execute, all its runs: {d50 / r50:.2f}× the test runs in a row)")
    print(f"Submit click → result in the DOM p50 {c50:7.1f} ms  p95 {pct(submits, .95):7.1f} ms"
          f"  ({c50 / d50:.2f}× on the backend, {c50 / r50:.2f}× the test runs in a row; target ≤ 250 ms)")
    print(f"  row written → picked up         p50 {statistics.median(s_pickup):7.1f} ms")
    print(f"  picked up → done (row)          p50 {statistics.median(s_run):7.1f} ms")
    print(f"  the rest (HTTP, events, DOM)    p50 "
          f"{c50 - statistics.median(s_pickup) - statistics.median(s_run):7.1f} ms")


if __name__ == "__main__":
    main()
