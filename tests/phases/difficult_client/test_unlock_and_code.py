"""The coding task unlocks at 80 % discovery; Run and Submit go through the queue and the real sandbox."""

from __future__ import annotations

import html
import os
import subprocess
import sys

from grader.phases.difficult_client import discovered_fraction, load_scenario
from lti_app.extensions import db
from lti_app.models import GradeRow, Submission
from tests.conftest import REDIS_URL
from tests.phases.difficult_client.students import CARELESS, EXPERT, GOOD_CODE, SCENARIO, WEAK_CODE

SIGNATURE = ("def orderable_days(placed_day: int, placed_hour: int, wanted_days: list[int], closed_days: list[int]) "
             "-> list[int]:")

# A Redis database of its own so these queues never meet another suite's.


def test_task_unlocks_exactly_when_80_percent_by_weight_is_discovered(dc_session):
    scenario = load_scenario(SCENARIO)
    s = dc_session()
    page = s.page().get_data(as_text=True)
    assert "orderable_days" not in page and "Orders close at" not in page
    assert 'id="dc-task"' in page and "hidden" in page.split('id="dc-task"')[1].split(">")[0]

    for text in CARELESS[:2] + EXPERT:
        body = s.say(text).get_json()
        fraction = discovered_fraction(scenario, s.attempt_row().state)
        assert body["coding_task_unlocked"] == (fraction >= 0.8 - 1e-9), (text, fraction)
        assert body["progress"]["total"] == len(scenario.constraints)
        if not body["coding_task_unlocked"]:
            assert body["coding_task"] is None
            locked = s.queue("run", GOOD_CODE)
            assert locked.status_code == 409 and locked.get_json()["error"] == "task_locked"
        else:
            assert body["coding_task"]["signature"] == SIGNATURE and body["coding_task"]["language"] == "python"
            assert body["coding_task"]["starter"].startswith(SIGNATURE) and body["coding_task"]["hidden_count"] == 13
            assert "hidden" not in body["coding_task"] and "reference" not in body["coding_task"]
    view = s.state()["view"]
    assert view["progress"] == {"discovered": 5, "total": 5} and view["coding_task_unlocked"]
    # The exercise is in the attempt's state: built at the unlock, from what the interview revealed.
    assert s.attempt_row().state["coding"]["exercise"]["discovered"] == ["order_cutoff"]
    page = s.page().get_data(as_text=True)
    assert html.escape(SIGNATURE, quote=False) in page and "Submit for grading" in page
    assert 'data-language="python"' in page and "Run examples (no grade)" in page


def _unlocked(dc_session, app=None):
    s = dc_session(app=app)
    for text in EXPERT[:4]:
        assert s.say(text).status_code == 200
    return s


def test_run_uses_own_input_in_the_sandbox_and_never_grades(dc_session):
    s = _unlocked(dc_session)
    program = GOOD_CODE + "\nname = input()\nprint('hello', name, orderable_days(3, 9, [5, 4, 6], [6]))\n"
    queued = s.queue("run", program, stdin="Rosa\n")
    assert queued.status_code == 202 and queued.headers["Location"].endswith(str(queued.get_json()["submission"]["id"]))
    done = s.wait(queued.get_json()["submission"])
    result = done["result"]
    assert done["state"] == "done" and result["kind"] == "run"
    assert result["program"]["stdout"] == "hello Rosa [4, 5]\n" and result["program"]["outcome"] == "ok"
    assert set(result) == {"kind", "outcome", "program", "limit_seconds"}  # no tests, no grade
    # The sandbox is real: no network, and the code runs under its limits, not in the web process.
    probe = s.queue("run", "import socket\ns = socket.socket()\ns.connect(('127.0.0.1', 5432))\n")
    net = s.wait(probe.get_json()["submission"])["result"]["program"]
    assert net["outcome"] == "error" and ("Network is unreachable" in net["stderr"] or "Errno" in net["stderr"])
    # Operators see each real run's outcome in the metrics.
    metrics = s.app.test_client().get("/metrics").get_data(as_text=True)
    assert 'cr_sandbox_outcomes{outcome="ok"} 1.0' in metrics
    assert 'cr_sandbox_outcomes{outcome="error"} 1.0' in metrics and 'outcome="unknown"' not in metrics
    assert s.attempt_row().status == "open"
    with s.app.app_context():
        assert db.session.query(GradeRow).count() == 0


def test_submit_reports_hidden_tests_as_pass_fail_only(dc_session):
    s = _unlocked(dc_session)
    weak = s.wait(s.queue("submit", WEAK_CODE).get_json()["submission"])["result"]
    assert weak["hidden"]["total"] == 13 and 0 < weak["hidden"]["passed"] < 13
    hidden_cases = [c for c in weak["report"]["cases"] if c["hidden"]]
    assert len(hidden_cases) == 13
    assert all(set(c) <= {"name", "hidden", "passed", "status", "message", "seconds", "group", "number", "tag"}
               for c in hidden_cases)
    good = s.wait(s.queue("submit", GOOD_CODE).get_json()["submission"])["result"]
    assert good["hidden"] == {"passed": 13, "total": 13} and good["examples"] == {"passed": 2, "total": 2}
    assert good["quality"]["tool"] == "ruff" and good["quality"]["finding_count"] == 0  # the real linter ran
    examples = s.wait(s.queue("examples", WEAK_CODE).get_json()["submission"])["result"]
    assert examples["kind"] == "examples" and examples["examples"] == {"passed": 2, "total": 2}
    assert "hidden" not in examples
    broken = s.wait(s.queue("submit", "def orderable_days(:\n").get_json()["submission"])["result"]
    assert broken["hidden"]["passed"] == 0 and "SyntaxError" in broken["report"]["load_error"]


def test_queue_status_shows_position_then_running_then_done(dc_session, make_app):
    """One in-process worker: a slow job holds it, so the next job visibly waits with a queue position."""
    app = make_app(CR_INPROCESS_WORKERS="1")
    first = _unlocked(dc_session, app)
    second = _unlocked(dc_session, app)
    slow = first.queue("run", "import time\ntime.sleep(1.5)\nprint('slept')\n").get_json()["submission"]
    waiting = second.queue("submit", GOOD_CODE).get_json()["submission"]
    assert waiting["state"] == "queued" and waiting["position"] == 0
    done = second.wait(waiting)
    assert done["seen_states"][0] == "queued" and done["seen_states"][-1] == "done"
    assert done["result"]["hidden"]["passed"] == 13
    assert first.wait(slow)["result"]["program"]["stdout"] == "slept\n"


def test_run_and_submit_through_rq_and_a_real_worker_process(dc_session, make_app, postgres_database, redis_db,
                                                            tmp_path):
    app = make_app(CR_DATABASE_URL=postgres_database, CR_QUEUE_MODE="rq", CR_REDIS_URL=REDIS_URL)
    a, b = _unlocked(dc_session, app), _unlocked(dc_session, app)
    run = a.queue("run", GOOD_CODE + "\nprint(orderable_days(1, 8, [8, 9, 15], []))\n").get_json()["submission"]
    submit = b.queue("submit", GOOD_CODE).get_json()["submission"]
    assert (run["state"], run["position"]) == ("queued", 0)
    assert (submit["state"], submit["position"]) == ("queued", 1)

    env = {**os.environ, "CR_DATABASE_URL": postgres_database, "CR_QUEUE_MODE": "rq", "CR_REDIS_URL": REDIS_URL,
           "CR_DATA_DIR": str(tmp_path / "worker"), "CR_SECRET_KEY": "test-secret-key-0123456789"}
    worker = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "lti_app:create_app()", "worker", "run", "--burst", "--no-reconcile"],
        env=env, capture_output=True, text=True, timeout=180,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    ran = a.get(run["url"]).get_json()["submission"]
    assert ran["state"] == "done" and ran["result"]["program"]["stdout"] == "[8]\n"
    graded = b.get(submit["url"]).get_json()["submission"]
    assert graded["state"] == "done" and graded["result"]["hidden"] == {"passed": 13, "total": 13}
    with app.app_context():
        assert {r.status for r in db.session.query(Submission)} == {"done"}
