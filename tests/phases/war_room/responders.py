"""Scripted responders for the War Room: each plays an incident through the real sandbox (commands over the
workspace with the phase's setup and teardown, checks as the platform runs them) with simulated times, then
writes a report; ``play`` returns what the platform would have recorded, ready for ``grade``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from grader.phases.war_room import command_task, start_state, workspace_seed
from grader.phases.war_room.incidents import Incident
from grader.sandbox import SandboxBackend

STARTED = datetime(2025, 3, 14, 2, 47, tzinfo=UTC)
LIMIT = timedelta(minutes=15)
LOOK = ("bin/service status", "tail -n 40 logs/app.log", "cat deploys/history.log",
        "curl -s -i http://127.0.0.1:8080/api/v1/products | head -5", "cat config/service.ini")
VERIFY = ("curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:8080/api/v1/products/2; "
          "curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:8080/health")

# What each incident's good report says (a person's words, not the truth file's).
GOOD_REPORTS = {
    "route_prefix": {
        "what_broke": "Since 02:31 every customer request to the API answered 404, web and app alike.",
        "why": "The 2.7.1 deploy moved the route prefix into config/service.ini as /api/v1/ with a trailing slash, "
               "so the routes became /api/v1//products and no request matched any route.",
    },
    "database_url": {
        "what_broke": "The API answered 503 to every request because it could not open its database.",
        "why": "The config sync in the 2.7.1 deploy set the database url to sqlite:///data/shop_staging.db, a staging "
               "file that does not exist on this box, so every connection failed.",
    },
    "wrong_deployment": {
        "what_broke": "Every order was rejected with a 400 since release 2.8.0 went out at 02:35.",
        "why": "Release 2.8.0 made currency a required field of POST /orders, a breaking change, and the web shop "
               "and the apps in customers' hands do not send it, so their orders were rejected.",
    },
    "memory_leak": {
        "what_broke": "The service was killed by the kernel's OOM killer every few minutes and restarted.",
        "why": "Release 2.7.2 set the cache's max_entries to 0, which means unlimited, so every product page view "
               "with a new session added a page to the cache and memory grew until the 512 MB limit was hit.",
    },
    "security_breach": {
        "what_broke": "An outsider read the customer list from /admin/customers between 02:36 and 02:38.",
        "why": "The admin token was leaked in the public CI build log of build 4412, and the debug override "
               "(allow_override = true) was left on in production, so anyone could bypass authentication with "
               "?debug=1; the attacker used both.",
    },
}
REST_OF_REPORT = {"what_changed": "Fixed the setting that broke it and restarted the service.",
                  "how_verified": "curl against the routes customers use, and the platform's check passed.",
                  "prevention": "Validate the configuration before it goes live and add a smoke test after each "
                                "deploy."}
VAGUE_REPORT = {"what_broke": "The service was in a bad state and customers saw errors.",
                "why": "Something in the server got stuck, so I restarted it to clear it."}
DESTRUCTIVE = ("rm -rf logs", "chmod -R 777 .", "rm -f config/service.ini && bin/service restart", "pkill python3",
               "bin/service start")


@dataclass
class Played:
    """What the platform would have recorded for one attempt."""

    state: dict[str, Any]
    command_log: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    report: dict[str, str] | None = None
    started_at: datetime = STARTED
    deadline_at: datetime = STARTED + LIMIT


def play(backend: SandboxBackend, incident: Incident, difficulty: str, commands: list[str], minutes: list[float],
         check_after: set[int], report: dict[str, str] | None) -> Played:
    """Run ``commands`` at the given minutes into the attempt, a check after the commands whose index is in
    ``check_after``, and the final check at the deadline (the attempt closes by itself)."""
    state = start_state(incident, difficulty, f"responder:{incident.id}", started_at=STARTED)
    played = Played(state, report=report)
    task = command_task(state)
    workspace = workspace_seed(state)
    for n, (command, minute) in enumerate(zip(commands, minutes, strict=True)):
        at = STARTED + timedelta(minutes=minute)
        view, workspace = task.run(backend, workspace, command)
        played.command_log.append({"at": at.isoformat(), "kind": "command", "command": command,
                                   "output": view["output"], "exit_code": view["exit_code"],
                                   "outcome": view["outcome"]})
        if n in check_after:
            played.checks.append({"at": (at + timedelta(seconds=5)).isoformat(),
                                  "result": task.check(backend, workspace)})
    played.checks.append({"at": played.deadline_at.isoformat(), "result": task.check(backend, workspace)})
    return played


def methodical(incident: Incident) -> tuple[list[str], list[float], set[int], dict[str, str]]:
    commands = [*LOOK, incident.fix_script, VERIFY]
    minutes = [0.2 + 0.25 * n for n in range(len(commands))]
    return commands, minutes, {len(commands) - 1}, {**GOOD_REPORTS[incident.id], **REST_OF_REPORT}


def slow(incident: Incident) -> tuple[list[str], list[float], set[int], dict[str, str]]:
    commands, _, checks, report = methodical(incident)
    minutes = [1.0 + 1.7 * n for n in range(len(commands))]
    return commands, minutes, checks, report


def restart_only(incident: Incident) -> tuple[list[str], list[float], set[int], dict[str, str]]:
    commands = ["bin/service status", "tail -n 20 logs/app.log", "bin/service restart", VERIFY]
    return commands, [0.5, 1.0, 1.5, 2.0], {3}, {**VAGUE_REPORT, **REST_OF_REPORT}


def destructive(incident: Incident) -> tuple[list[str], list[float], set[int], dict[str, str]]:
    return list(DESTRUCTIVE), [0.5, 1.0, 1.5, 2.0, 2.5], {4}, dict(VAGUE_REPORT)
