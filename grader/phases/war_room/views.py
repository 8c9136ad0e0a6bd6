"""An attempt's state, what a student may see of it, its first workspace and the terminal's task.

The state is plain JSON kept on the server: which incident (and the digest of its files), the difficulty,
the seed of its logs, when it started and the incident channel's chat (with the Director's judgement on each
student message, for the instructor). ``student_view`` is all a page may render of it.
"""

from __future__ import annotations

import difflib
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from grader.phases.options import DIFFICULTIES
from grader.phases.war_room.checking import run_check, student_check_view
from grader.phases.war_room.incidents import Incident, incident_ids, load_incident
from grader.phases.war_room.moves import parse_time
from grader.phases.war_room.report import FIELD_LABELS, FIELDS, MAX_CHARS, REQUIRED
from grader.phases.war_room.system import PRELUDE, TEARDOWN, build_workspace, setup_script
from grader.sandbox import SandboxBackend
from grader.scenarios import ScenarioError
from grader.workbench.workspace import COMMAND_LIMITS, CommandResult, Workspace, run_command

STATE_VERSION = 1
DEFAULT_DIFFICULTY = "medium"
SERVICE_URL = "http://127.0.0.1:8080"


class NoIncident(Exception):
    """No incident fits the activity's options; the message is safe to show an instructor."""


def seed_of(seed_key: str | int) -> int:
    if isinstance(seed_key, int):
        return seed_key % 65536
    return int.from_bytes(hashlib.sha256(str(seed_key).encode()).digest()[:2], "big")


def choose_incident(ids: list[str] | None, difficulty: str | None, seed_key: str) -> Incident:
    """The incident for ``seed_key`` (deterministic) from the pool (None or [] = every incident). Unknown ids
    in a pool are skipped; a pool with none left raises ``NoIncident``."""
    wanted = sorted(set(ids or incident_ids()))
    pool = []
    for incident_id in wanted:
        try:
            pool.append(load_incident(incident_id))
        except ScenarioError:
            continue
    if not pool:
        raise NoIncident(f"The War Room has no incident {', '.join(wanted)}." if ids else
                         "The War Room has no incidents installed.")
    number = int.from_bytes(hashlib.sha256(f"{seed_key}:{difficulty}".encode()).digest()[:8], "big")
    return pool[number % len(pool)]


def start_state(incident: Incident, difficulty: str | None, seed: str | int, *,
                started_at: datetime | str | None = None) -> dict[str, Any]:
    """A new attempt: the CTO's opening message is the first line of the chat."""
    level = difficulty if difficulty in DIFFICULTIES else DEFAULT_DIFFICULTY
    start = parse_time(started_at)
    at = start.isoformat() if start else None
    return {"version": STATE_VERSION, "incident": incident.id, "digest": incident.digest, "difficulty": level,
            "seed": seed_of(seed), "started_at": at,
            "chat": [{"from": "cto", "text": incident.cto["opening"][level], "at": at, "kind": "opening"}]}


def incident_of(state: dict[str, Any]) -> Incident:
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION or "incident" not in state:
        raise ValueError("not a War Room attempt state")
    return load_incident(state["incident"])


def student_view(state: dict[str, Any], last_check: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the page shows: the incident's public title and summary, the CTO's chat (no judgements), the
    report form's fields and the last check as the student may see it. Never the cause."""
    incident = incident_of(state)
    return {
        "title": incident.title,
        "summary": incident.summary,
        "difficulty": state["difficulty"],
        "cto_name": incident.cto["name"],
        "chat": [{"from": c.get("from"), "text": c.get("text"), "at": c.get("at"), "kind": c.get("kind")}
                 for c in state.get("chat", [])],
        "service_url": SERVICE_URL,
        "report_fields": [{"name": f, "label": FIELD_LABELS[f], "required": f in REQUIRED, "max_chars": MAX_CHARS}
                          for f in FIELDS],
        "last_check": student_check_view(last_check) if isinstance(last_check, dict) else None,
        "first_command": "cat RUNBOOK.md",
    }


def workspace_seed(state: dict[str, Any]) -> Workspace:
    """The attempt's first workspace: the broken system, its logs made from the attempt's seed."""
    incident = incident_of(state)
    start = parse_time(state.get("started_at")) or datetime.now().astimezone()
    return build_workspace(incident, state["difficulty"], int(state["seed"]), start.timestamp())


def service_state(workspace: Workspace) -> str:
    """running, stopped or failed, as the service manager of the workspace says."""
    raw = (workspace.read("run/service.state") or b"stopped").decode("utf-8", "replace").split()
    word = raw[0] if raw else "stopped"
    return word if word in ("running", "stopped", "failed") else "stopped"


@dataclass(frozen=True)
class WarRoomTask:
    """What the terminal runs for a War Room attempt (the workbench's ``CommandTask``)."""

    incident: Incident

    @property
    def setup(self) -> str:
        return setup_script(self.incident)

    @property
    def teardown(self) -> str:
        return TEARDOWN

    @property
    def prelude(self) -> str:
        return PRELUDE

    def execute(self, backend: SandboxBackend, workspace: Workspace, command: str,
                cancel: threading.Event | None = None) -> CommandResult:
        return run_command(backend, workspace, command, setup=self.setup, teardown=self.teardown,
                           prelude=self.prelude, limits=COMMAND_LIMITS, cancel=cancel)

    def run(self, backend: SandboxBackend, workspace: Workspace, command: str,
            cancel: threading.Event | None = None) -> tuple[dict[str, Any], Workspace]:
        """(the student-safe view of the command with the service's state after it, the workspace after)."""
        result = self.execute(backend, workspace, command, cancel)
        view = result.view(COMMAND_LIMITS.wall_seconds)
        view["service"] = service_state(result.workspace)
        return view, result.workspace

    def check(self, backend: SandboxBackend, workspace: Workspace,
              cancel: threading.Event | None = None) -> dict[str, Any]:
        """The incident's check on ``workspace``: the full result (store it; show ``student_check_view``)."""
        return run_check(backend, workspace, self.incident, cancel)


def command_task(state: dict[str, Any]) -> WarRoomTask:
    return WarRoomTask(incident_of(state))


def edit_entry(before: Workspace, path: str, content: bytes | str, at: datetime | str) -> dict[str, Any]:
    """The command-log entry for an editor save of ``path`` (a unified diff against the file before)."""
    old = (before.read(path) or b"").decode("utf-8", "replace")
    new = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    diff = "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"a/{path}", tofile=f"b/{path}"))
    when = parse_time(at)
    return {"at": when.isoformat() if when else str(at), "kind": "edit", "path": path, "diff": diff}
