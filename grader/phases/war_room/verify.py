"""Verification in the sandbox: an incident is served only if its check tells its broken system from its
fixed one, through the same commands a student would type.

For (incident, difficulty, seed): the broken system's check fails; after ``bin/service restart`` alone it
still fails; after the reference fix (``fix.sh``, run as a command) it passes, by one of the accepted fixes;
and (with ``brute_force``) after the reference fix followed by each brute-force move that has a ``verify``
command (the common ones: deleting the config, switching authentication off, switching the debug override
on; and the incident's own), it does not pass, naming the move among its findings where the truth says so.
The first check that fails rejects the incident with a sentence saying why (for whoever writes incidents).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from grader.phases.war_room.checking import run_check
from grader.phases.war_room.incidents import Incident
from grader.phases.war_room.moves import brute_force_moves
from grader.phases.war_room.system import PRELUDE, TEARDOWN, build_workspace, setup_script
from grader.sandbox import SandboxBackend
from grader.workbench.workspace import Workspace, run_command

REAL_EPOCH = 1_741_920_420.0  # a fixed "attempt start" so a verification is reproducible


@dataclass
class Verdict:
    incident: str
    difficulty: str
    accepted: bool = True
    reason: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)  # what ran, its outcome and seconds

    def reject(self, reason: str) -> Verdict:
        self.accepted, self.reason = False, reason
        return self


def _failing(result: dict[str, Any]) -> str:
    names = sorted({p["name"] for p in result.get("probes") or [] if not p.get("ok")})
    return "; ".join(names[:4]) or result.get("error") or "no probe failed"


def _command(backend: SandboxBackend, incident: Incident, workspace: Workspace, command: str,
             verdict: Verdict, label: str) -> Workspace | None:
    started = time.monotonic()
    result = run_command(backend, workspace, command, setup=setup_script(incident), teardown=TEARDOWN,
                         prelude=PRELUDE)
    verdict.steps.append({"step": label, "kind": "command", "outcome": result.outcome,
                          "seconds": round(time.monotonic() - started, 3)})
    if result.outcome not in ("ok", "error"):
        verdict.reject(f"{label}: the command ended with {result.outcome}: {result.output[-300:]!r}")
        return None
    return result.workspace


def _check(backend: SandboxBackend, incident: Incident, workspace: Workspace, verdict: Verdict,
           label: str) -> dict[str, Any]:
    result = run_check(backend, workspace, incident)
    verdict.steps.append({"step": label, "kind": "check", "passed": result["passed"], "fixed_by": result["fixed_by"],
                          "findings": result["findings"], "seconds": result["seconds"]})
    return result


def verify(backend: SandboxBackend, incident: Incident, difficulty: str, seed: int = 0, *,
           brute_force: bool = True) -> Verdict:
    verdict = Verdict(incident.id, difficulty)
    broken = build_workspace(incident, difficulty, seed, REAL_EPOCH)
    result = _check(backend, incident, broken, verdict, "broken")
    if result.get("error"):
        return verdict.reject("the check could not run on the broken system (the reason is in the log)")
    if result["passed"]:
        return verdict.reject("the check passes on the broken system")
    restarted = _command(backend, incident, broken, "bin/service restart", verdict, "restart")
    if restarted is None:
        return verdict
    if _check(backend, incident, restarted, verdict, "restart only")["passed"]:
        return verdict.reject("a restart alone passes the check")
    fixed = _command(backend, incident, broken, incident.fix_script, verdict, "reference fix")
    if fixed is None:
        return verdict
    result = _check(backend, incident, fixed, verdict, "reference fix")
    if not result["passed"]:
        return verdict.reject(f"the reference fix does not pass the check: {_failing(result)}; "
                              f"findings: {result['findings']}")
    if result["fixed_by"] not in incident.fix_ids:
        return verdict.reject(f"the reference fix passes but not as an accepted fix ({result['fixed_by']})")
    if not brute_force:
        return verdict
    for move in brute_force_moves(incident):
        if not move.get("verify"):
            continue
        moved = _command(backend, incident, fixed, move["verify"], verdict, f"brute force: {move['id']}")
        if moved is None:
            return verdict
        result = _check(backend, incident, moved, verdict, f"brute force: {move['id']}")
        if result["passed"]:
            return verdict.reject(f"the brute-force move {move['id']!r} passes the check")
        if move.get("finding") and move["finding"] not in result["findings"]:
            return verdict.reject(f"the check does not name the brute-force move {move['id']!r} "
                                  f"(findings: {result['findings']})")
    return verdict
