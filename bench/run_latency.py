"""Run click → output on the page, in Chromium, on the embedded defaults (in-process queue, local sandbox).

Prints, from one run on this machine:
  * the baseline: the same program run directly on the sandbox backend, no web, no queue (p50/p95 ms);
  * click → output visible in the DOM, measured in the page with performance.now() (p50/p95 ms, and as a
    ratio to the baseline);
  * the server-side split from the submission rows: click → row written → picked up → sandbox done.

    .venv/bin/python bench/run_latency.py [--runs 30]

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from config import load_settings
    from lti_app import create_app
    from lti_app.dispatch import get_dispatcher
    from lti_app.extensions import db
    from lti_app.models import Submission
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
    launch_id = seed_launch(app, {"phase": "difficult_client", "scenario": "angry_bakery_owner"})

    baseline = sandbox_baseline(args.runs)
    with LiveServer(app) as server:
        with app.test_request_context():
            from lti_app.security import csrf_token

            csrf = csrf_token(launch_id)
        for text in EXPERT[:4]:
            requests.post(f"{server.url}/api/a/{launch_id}/dc/messages", json={"message": text},
                          headers={"X-CSRF-Token": csrf}, timeout=30).raise_for_status()
        clicks: list[float] = []
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.goto(f"{server.url}/a/{launch_id}")
            page.evaluate("(code) => { const t = document.getElementById('dc-source'); t.value = code;"
                          " t.dispatchEvent(new CustomEvent('cr:editor-set')); }", PROGRAM)
            for _ in range(args.runs + 1):
                elapsed = page.evaluate("""() => new Promise((resolve) => {
                    const status = document.getElementById('cr-job-status');
                    const result = document.getElementById('cr-job-result');
                    const started = performance.now();
                    const seen = new MutationObserver(() => {
                      if (result.querySelector('pre')) { seen.disconnect(); resolve(performance.now() - started); }
                    });
                    result.textContent = '';
                    seen.observe(result, { childList: true, subtree: true });
                    document.getElementById('dc-run').click();
                    setTimeout(() => resolve(-1), 20000);
                    void status;
                  })""")
                page.wait_for_function("!document.getElementById('dc-run').disabled")
                clicks.append(elapsed)
            browser.close()
    clicks = [c for c in clicks[1:] if c >= 0]  # the first click warms the page's connections
    with app.app_context():
        rows = db.session.query(Submission).filter_by(kind="run").order_by(Submission.id).all()[1:]
        pickup = [(r.started_at - r.created_at).total_seconds() * 1000 for r in rows if r.started_at]
        run = [(r.finished_at - r.started_at).total_seconds() * 1000 for r in rows if r.finished_at and r.started_at]
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


if __name__ == "__main__":
    main()
