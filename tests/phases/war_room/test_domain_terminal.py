"""The system behaves like a service on a box, command after command, through the workbench terminal in the
real sandbox: the service manager's state persists, a running process keeps what it loaded until a restart,
the leaking service dies deterministically and is restarted by the watchdog, and the check cannot be fooled
by a service that lies."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from grader.phases.war_room import command_task, edit_entry, load_incident, run_check, start_state, workspace_seed

START = datetime(2025, 3, 14, 2, 47, tzinfo=UTC)


@pytest.fixture
def room(local_backend):
    def open_room(incident_id: str, difficulty: str = "easy"):
        state = start_state(load_incident(incident_id), difficulty, "terminal", started_at=START)
        task = command_task(state)
        workspace = workspace_seed(state)

        def run(command: str):
            nonlocal workspace
            view, workspace = task.run(local_backend, workspace, command)
            return view

        return state, task, run, lambda: workspace
    return open_room


def test_the_service_is_up_and_its_state_persists_across_commands(room):
    _, _, run, _ = room("route_prefix")
    view = run("bin/service status; curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/health")
    assert "active (running)" in view["output"] and view["output"].endswith("200") and view["service"] == "running"
    assert run("service shop-api stop")["service"] == "stopped"
    view = run("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/health; bin/service status")
    assert view["output"].startswith("000") and "inactive (dead)" in view["output"]
    assert run("systemctl start shop-api")["service"] == "running"
    view = run("./bin/service status; curl -s http://127.0.0.1:8080/api/v1/products/1")
    assert "active (running)" in view["output"] and "Ridgeline" not in view["output"]  # still broken: 404


def test_a_config_change_takes_effect_at_the_next_restart(room, local_backend):
    state, task, run, workspace = room("route_prefix")
    before = workspace()
    fixed_text = before.read("config/service.ini").replace(b"route_prefix = /api/v1/\n", b"route_prefix = /api/v1\n")
    entry = edit_entry(before, "config/service.ini", fixed_text, START)
    assert entry["kind"] == "edit" and "-route_prefix = /api/v1/\n+route_prefix = /api/v1\n" in entry["diff"]
    edited = before.with_file("config/service.ini", fixed_text)
    probe = "curl -s -o /dev/null -w '%{http_code}' localhost:8080/api/v1/products"
    view, edited = task.run(local_backend, edited, probe)
    assert view["output"] == "404"
    failing = run_check(local_backend, edited, state)
    assert failing["passed"] is False and failing["kind"] == "check" and failing["fixed_by"] is None
    assert failing["output"].startswith("FAIL") and "x customers can list the products (as it runs now)" in \
        failing["output"] and "after a restart" not in failing["output"]  # the file is fixed: a restart would do
    assert set(failing) == {"kind", "passed", "probes", "findings", "fixed_by", "seconds", "output"}
    view, edited = task.run(local_backend, edited, f"bin/service restart >/dev/null; {probe}")
    assert view["output"] == "200"
    result = task.check(local_backend, edited)
    assert result["passed"] and result["fixed_by"] == "prefix_restored" and result["output"].startswith("PASS")


def test_the_leaking_service_dies_after_a_few_commands_and_the_watchdog_restarts_it(room):
    _, _, run, workspace = room("memory_leak", "hard")
    first = run("bin/service status")
    assert "Memory: 451.0M (limit 512.0M)" in first["output"]  # 130 cached pages + 12 of traffic: near the limit
    states = [run("true")["service"] for _ in range(3)]
    assert "failed" in states  # the kernel killed it
    run("true")
    files = workspace().files()
    assert b"Out of memory: Killed process" in files["logs/kern.log"].splitlines()[-2]
    assert int(files["run/restarts"]) >= 8 and b"Scheduled restart job" in files["logs/app.log"]
    assert files["run/service.state"] == b"running\n"


def test_a_rollback_through_the_deploy_tool(room):
    _, _, run, workspace = room("wrong_deployment")
    assert "* 2.8.0" in run("bin/deploy list")["output"]
    view = run("bin/deploy rollback 2.7.3")
    assert "Rolled back app/ from 2.8.0 to 2.7.3." in view["output"] and "Started shop-api" in view["output"]
    assert workspace().read("run/loaded/app/VERSION") == b"2.7.3\n"
    assert b"rollback shop-api 2.7.3" in workspace().read("deploys/history.log")


FAKE_SERVICE = '''
import http.server, json, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"[]")
    do_POST = do_GET
    def log_message(self, *a): pass
for pid in os.listdir("/proc"):
    for fd in ("1", "2"):
        try:
            with open(f"/proc/{pid}/fd/{fd}", "w") as out:
                out.write("\\n" + json.dumps({"passed": True, "probes": [], "findings": []}) + "\\n")
        except OSError:
            pass
http.server.HTTPServer(("127.0.0.1", 8080), H).serve_forever()
'''


def test_a_service_that_lies_and_tries_to_forge_the_record_does_not_pass(room, local_backend):
    state, _, _, workspace = room("route_prefix")
    faked = workspace().with_file("app/server.py", FAKE_SERVICE).with_file("run/loaded/app/server.py", FAKE_SERVICE)
    result = run_check(local_backend, faked, state)
    assert result["passed"] is False
    failing = {p["name"] for p in result["probes"] if not p["ok"]}
    assert {"customers can list the products", "an unknown page is not found"} <= failing
    assert json.dumps(result)  # a plain record


def test_a_service_that_never_starts_fails_the_check(room, local_backend):
    state, _, _, workspace = room("database_url")
    broken = workspace().with_file("run/loaded/app/server.py", "raise SystemExit(3)\n").with_file(
        "app/server.py", "import time\ntime.sleep(60)\n")
    result = run_check(local_backend, broken, state)
    assert result["passed"] is False
    assert [p["name"] for p in result["probes"] if not p["ok"]] == ["the service starts", "the service starts"]


HUNG_SERVICE = '''
import socket, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 8080))
server.listen(64)
held = []
while True:
    held.append(server.accept())
'''


def test_a_service_that_never_answers_fails_the_check_quickly(room, local_backend):
    state, _, _, workspace = room("route_prefix")
    hung = workspace().with_file("app/server.py", HUNG_SERVICE).with_file("run/loaded/app/server.py", HUNG_SERVICE)
    result = run_check(local_backend, hung, state)
    assert result["passed"] is False and "error" not in result
    assert result["seconds"] < 20
    assert "customers can list the products" in {p["name"] for p in result["probes"] if not p["ok"]}
