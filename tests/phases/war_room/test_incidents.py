"""The incidents' truth files, the systems they become and what a student may see of them (no sandbox)."""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from grader.phases.options import DIFFICULTIES
from grader.phases.war_room import (
    PHASE,
    NoIncident,
    choose_incident,
    incident_ids,
    list_incidents,
    load_incident,
    start_state,
    student_view,
    workspace_seed,
)
from grader.phases.war_room.cto import forbidden_patterns
from grader.phases.war_room.incidents import INCIDENTS_DIR, parse_incident
from grader.phases.war_room.logs import generate
from grader.phases.war_room.system import build_files, build_workspace
from grader.scenarios import ScenarioError
from grader.workbench.workspace import MAX_ENTRIES, MAX_PACKED_BYTES

IDS = ("database_url", "memory_leak", "route_prefix", "security_breach", "wrong_deployment")
PHASE_DIR = INCIDENTS_DIR.parent


def test_the_five_incidents_load_and_list_without_their_cause():
    assert tuple(incident_ids()) == IDS
    for meta in list_incidents():
        incident = load_incident(meta.id)
        assert meta.phase == "war_room" and meta.persona_name == incident.cto["name"]
        public = f"{meta.title} {meta.summary}"
        assert incident.root_cause not in public
        for pattern in forbidden_patterns(incident):
            assert not re.search(pattern, public, re.I), (meta.id, pattern)


def test_the_phase_declares_its_options_and_a_15_minute_default():
    assert PHASE.id == "war_room" and PHASE.title == "The War Room"
    assert PHASE.options == {"scenario", "difficulty", "time_limit", "max_attempts", "grade_policy"}
    assert dict(PHASE.defaults) == {"time_limit": "15"}
    assert [m.id for m in PHASE.list_scenarios()] == list(IDS)


def test_every_file_of_the_phase_is_text_so_no_binary_lands_in_git():
    for path in PHASE_DIR.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            path.read_bytes().decode("utf-8")  # raises on a binary file


def _copy(incident_id: str) -> Path:
    folder = Path(tempfile.mkdtemp()) / incident_id
    shutil.copytree(INCIDENTS_DIR / incident_id, folder)
    return folder


@pytest.mark.parametrize("change, field", [
    (lambda t: t + "\nsurprise: 1\n", "surprise"),
    (lambda t: t.replace("'route[_ -]?prefix'", "'route[prefix'", 1), "concepts"),
    (lambda t: t.replace("difficulty: easy", "difficulty: brutal"), "difficulty"),
    (lambda t: t.replace('    "0.5": "The CEO', '    "0.4": "The CEO'), "cto.pressure"),
])
def test_a_malformed_truth_file_names_the_field(change, field):
    folder = _copy("route_prefix")
    text = change((folder / "incident.yaml").read_text())
    with pytest.raises(ScenarioError) as caught:
        parse_incident(text, folder, name="route_prefix", expected_id="route_prefix")
    assert field.split(".")[0] in str(caught.value)


def test_an_edit_that_does_not_apply_or_a_missing_check_is_refused():
    folder = _copy("wrong_deployment")
    text = (folder / "incident.yaml").read_text().replace('items = data.get("items")', 'things = data.get("x")', 1)
    with pytest.raises(ScenarioError, match="occurs 0 times"):
        parse_incident(text, folder, name="wrong_deployment")
    folder = _copy("route_prefix")
    (folder / "check" / "check.py").unlink()
    with pytest.raises(ScenarioError, match="check.py is missing"):
        parse_incident((folder / "incident.yaml").read_text(), folder, name="route_prefix")


def test_an_unknown_incident_is_a_scenario_error():
    with pytest.raises(ScenarioError):
        load_incident("nope")
    with pytest.raises(ScenarioError):
        load_incident("../route_prefix")


@pytest.mark.parametrize("incident_id", IDS)
def test_the_workspace_is_a_whole_system_within_the_limits_and_holds_no_truth(incident_id):
    incident = load_incident(incident_id)
    workspace = build_workspace(incident, "hard", 3, 1_741_920_000)
    assert len(workspace.archive) < MAX_PACKED_BYTES / 10 and len(workspace.entries()) < MAX_ENTRIES / 10
    files = workspace.files()
    for needed in ("app/server.py", "config/service.ini", "data/shop.db", "deploys/history.log", "logs/app.log",
                   "logs/access.log", "bin/service", "RUNBOOK.md", "run/service.state", "run/loaded/app/server.py"):
        assert needed in files, needed
    assert workspace.entries()["bin/service"].mode & 0o111
    everything = b"\n".join(files.values()).decode("utf-8", "replace")
    assert incident.root_cause not in everything
    assert "checklib" not in everything and "def decide" not in everything
    assert incident.fix_script.strip().splitlines()[0] not in everything
    for fix in incident.data["fixes"]:
        assert fix["says"] not in everything
    with tempfile.NamedTemporaryFile(suffix=".db") as handle:
        handle.write(files["data/shop.db"])
        handle.flush()
        assert sqlite3.connect(handle.name).execute("SELECT COUNT(*) FROM products").fetchone() == (8,)


def test_the_broken_setting_is_in_the_workspace_and_the_service_runs_what_it_loaded():
    files, _, _ = build_files(load_incident("route_prefix"), "easy", 0, 0)
    assert b"route_prefix = /api/v1/\n" in files["config/service.ini"]
    assert files["run/loaded/config/service.ini"] == files["config/service.ini"]
    assert files["run/service.state"] == b"running\n"
    files, _, executables = build_files(load_incident("wrong_deployment"), "easy", 0, 0)
    assert files["app/VERSION"] == b"2.8.0\n" and files["releases/2.7.3/app/VERSION"] == b"2.7.3\n"
    assert b"missing required field: currency" in files["app/routes.py"]
    assert b"currency" not in files["releases/2.7.3/app/routes.py"]
    assert "bin/deploy" in executables
    files, _, _ = build_files(load_incident("memory_leak"), "hard", 0, 0)
    assert files["run/heap.json"].count(b"session=") == 130


def test_logs_are_deterministic_per_seed_and_differ_between_seeds():
    incident = load_incident("database_url")
    assert generate(incident, "medium", 4) == generate(incident, "medium", 4)
    assert generate(incident, "medium", 4) != generate(incident, "medium", 5)


def test_difficulty_adds_noise_and_red_herrings_and_hides_the_telling_lines():
    incident = load_incident("route_prefix")
    logs = {d: generate(incident, d, 1) for d in DIFFICULTIES}
    lines = {d: sum(text.count("\n") for text in logs[d].values()) for d in DIFFICULTIES}
    assert lines["easy"] < lines["medium"] < lines["hard"]
    assert "404 no route" in logs["easy"]["app.log"] and "404 no route" not in logs["hard"]["app.log"]
    assert "database is locked" in logs["hard"]["app.log"] and "database is locked" not in logs["easy"]["app.log"]
    hard_config = build_files(incident, "hard", 1, 0)[0]["config/service.ini"]
    assert b"\nlevel = WARNING\n" in hard_config
    history = {d: build_files(incident, d, 1, 0)[0]["deploys/history.log"] for d in ("easy", "hard")}
    assert b"route prefix" in history["easy"] and b"route prefix" not in history["hard"]
    assert "Probably the database" in load_incident("route_prefix").cto["opening"]["hard"]


def test_choosing_an_incident_is_deterministic_and_honours_the_pool():
    assert choose_incident(None, "easy", "u1:1").id == choose_incident([], "easy", "u1:1").id
    picks = {choose_incident(None, "medium", f"u{n}:1").id for n in range(40)}
    assert picks == set(IDS)
    assert {choose_incident(["memory_leak", "nope"], "hard", f"k{n}").id for n in range(10)} == {"memory_leak"}
    with pytest.raises(NoIncident, match="no incident"):
        choose_incident(["nope"], "easy", "x")


def test_the_state_and_the_student_view_hold_no_cause():
    incident = load_incident("security_breach")
    state = start_state(incident, "bogus", "user-7:2", started_at="2025-03-14T02:47:00+00:00")
    assert state["difficulty"] == "medium" and 0 <= state["seed"] < 65536
    assert state["chat"][0]["text"] == incident.cto["opening"]["medium"]
    view = student_view(state)
    text = repr(view)
    assert incident.root_cause not in text and "allow_override" not in text and "4412" not in text
    assert [f["name"] for f in view["report_fields"]] == ["what_broke", "why", "what_changed", "how_verified",
                                                          "prevention"]
    assert workspace_seed(state).digest() == workspace_seed(state).digest()


def test_a_state_of_another_phase_is_refused():
    with pytest.raises(ValueError):
        student_view({"version": 1})
