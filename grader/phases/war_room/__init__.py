"""Phase 4, The War Room (domain): production is down at 2:47 AM; a real broken system in the sandbox, a
terminal, an escalating CTO and a clock.

Incidents (``incidents/<id>/``: the truth file, the system's files over the shared service in ``service/``,
a check and a reference fix) become an attempt's workspace (``system``: a stdlib HTTP app with its config,
a SQLite database built from SQL, the deploy history, logs generated from the seed and difficulty in
``logs``, and a service manager whose state persists between commands). Commands run one by one through
the workbench's workspace (``WarRoomTask``); ``checking.run_check`` decides from the running system's
behaviour whether it is fixed. The CTO (``cto``) speaks only what its Director allows. The grade
(``grading``) reads the report (``report``; with an LLM, ``cause_llm`` adds rubric answers code weighs), the
checks and the command log (``moves``). Every incident is verified in the sandbox (``verify``).

- ``PHASE``, ``list_incidents()``, ``load_incident(id)``, ``choose_incident(ids, difficulty, seed_key)``
- ``start_state(incident, difficulty, seed, started_at=...)``, ``student_view(state, last_check=None)``,
  ``workspace_seed(state)``, ``command_task(state)`` (``.run``, ``.check``), ``edit_entry(...)``
- ``run_check(backend, workspace, state)``, ``student_check_view(result)``
- ``cto_schedule(state, deadline)``, ``cto_due(state, now, deadline)``, ``cto_reply(state, message, now, ...)``
- ``clean_report(raw)`` (raises ``InvalidReport``), ``grade(...)``, ``report_card(...)``, ``instructor_view(...)``
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from grader.llm import Provider
from grader.phases import PhaseInfo
from grader.phases.war_room import cto as _cto
from grader.phases.war_room.checking import run_check as _run_check
from grader.phases.war_room.checking import student_check_view
from grader.phases.war_room.cto import MAX_MESSAGE_CHARS, CtoTurn, InvalidMessage
from grader.phases.war_room.grading import grade, instructor_view, report_card
from grader.phases.war_room.incidents import PHASE_ID, Incident, incident_ids, list_incidents, load_incident
from grader.phases.war_room.report import FIELDS, InvalidReport, clean_report
from grader.phases.war_room.views import (
    DEFAULT_DIFFICULTY,
    NoIncident,
    WarRoomTask,
    choose_incident,
    command_task,
    edit_entry,
    incident_of,
    service_state,
    start_state,
    student_view,
    workspace_seed,
)
from grader.sandbox import SandboxBackend
from grader.workbench.workspace import Workspace

DEFAULT_TIME_LIMIT = 15  # minutes

PHASE = PhaseInfo(PHASE_ID, "The War Room",
                  "Production is down at 2:47 AM: find the root cause on a real broken system, fix it under a clock "
                  "and an escalating CTO, and write the root-cause report.",
                  list_scenarios=list_incidents,
                  options=frozenset({"scenario", "difficulty", "time_limit", "max_attempts", "grade_policy"}),
                  defaults={"time_limit": str(DEFAULT_TIME_LIMIT)})


def run_check(backend: SandboxBackend, workspace: Workspace, state: dict[str, Any],
              cancel: threading.Event | None = None) -> dict[str, Any]:
    """The incident's check on ``workspace`` (see ``checking.run_check``)."""
    return _run_check(backend, workspace, incident_of(state), cancel)


def cto_schedule(state: dict[str, Any], deadline: datetime | str) -> list[dict[str, Any]]:
    """The CTO's pressure lines with their due times (at 80 %, 50 % and 10 % of the time left)."""
    return _cto.cto_schedule(state, incident_of(state), deadline)


def cto_due(state: dict[str, Any], now: datetime | str, deadline: datetime | str) -> tuple[dict[str, Any], list]:
    """(new state, the pressure lines due by ``now`` not yet sent), the lines appended to the chat."""
    return _cto.cto_due(state, incident_of(state), now, deadline)


def cto_reply(state: dict[str, Any], message: str, now: datetime | str, *, last_check: dict[str, Any] | None = None,
              provider: Provider | None = None) -> CtoTurn:
    """The CTO's reply (``.reply``, ``.judgement``, ``.state`` with both messages, ``.source``)."""
    return _cto.cto_reply(state, incident_of(state), message, now, last_check=last_check, provider=provider)


__all__ = [
    "DEFAULT_DIFFICULTY",
    "DEFAULT_TIME_LIMIT",
    "FIELDS",
    "MAX_MESSAGE_CHARS",
    "PHASE",
    "CtoTurn",
    "Incident",
    "InvalidMessage",
    "InvalidReport",
    "NoIncident",
    "WarRoomTask",
    "choose_incident",
    "clean_report",
    "command_task",
    "cto_due",
    "cto_reply",
    "cto_schedule",
    "edit_entry",
    "grade",
    "incident_ids",
    "incident_of",
    "instructor_view",
    "list_incidents",
    "load_incident",
    "report_card",
    "run_check",
    "service_state",
    "start_state",
    "student_check_view",
    "student_view",
    "workspace_seed",
]
