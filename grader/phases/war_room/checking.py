"""Run an incident's check in the sandbox and read its record.

The check (``incidents/<id>/check/check.py`` with ``checks/checklib.py``, the seed SQL it compares against
and what it needs of the truth) is shipped read-only in /code, never in the workspace: the student can
read every file of the workspace, and the service the check starts is the student's code. The workspace
archive arrives on stdin with a nonce; the record comes back on a channel the service never holds.

A result is student-safe (the terminal stores it as the check row's result and may show it): probes name what a
customer or the admin would see ("customers can list the products"), findings name moves the student made
("config_deleted"), ``fixed_by`` names an accepted fix only once the check passes, ``output`` says it in lines.
Why a check could not finish (the sandbox's words) goes to the log, never into the result.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from functools import lru_cache
from typing import Any

from grader.phases.war_room.incidents import HERE, SERVICE_DIR, Incident
from grader.sandbox import Limits, RunRequest, SandboxBackend
from grader.sandbox.types import MiB
from grader.workbench.workspace import Workspace

CHECK_LIMITS = Limits(wall_seconds=40.0, cpu_seconds=40.0, memory_bytes=256 * MiB, processes=64,
                      output_bytes=1 * MiB, tmp_bytes=128 * MiB)
HOST_TRIES = 2
log = logging.getLogger(__name__)
FINDING_WORDS = {
    "config_deleted": "the configuration file was deleted or emptied",
    "auth_disabled": "admin authentication was switched off",
    "debug_override_on": "the debug override lets anyone into the admin routes",
    "data_lost": "the product data no longer matches the production database",
    "database_copied": "the service runs on a copy of the database under another name",
    "token_not_rotated": "the leaked admin token still works",
    "cache_unbounded": "the cache still grows without a bound",
}


@lru_cache(maxsize=1)
def _library() -> dict[str, str]:
    return {
        "checklib.py": (HERE / "checks" / "checklib.py").read_text(encoding="utf-8"),
        "schema.sql": (SERVICE_DIR / "db" / "schema.sql").read_text(encoding="utf-8"),
        "seed.sql": (SERVICE_DIR / "db" / "seed.sql").read_text(encoding="utf-8"),
    }


def _record(stdout: str, nonce: str) -> dict[str, Any] | None:
    prefix = nonce + " "
    found = [line[len(prefix):] for line in stdout.split("\n") if line.startswith(prefix)]
    if len(found) != 1:
        return None
    try:
        record = json.loads(found[0])
    except ValueError:
        return None
    return record if isinstance(record, dict) and isinstance(record.get("passed"), bool) else None


def _broken(seconds: float) -> dict[str, Any]:
    error = "The check could not finish on this system."
    return {"kind": "check", "passed": False, "probes": [], "findings": [], "fixed_by": None,
            "seconds": round(seconds, 3), "error": error, "output": f"FAIL: {error}\n"}


def summary(result: dict[str, Any]) -> str:
    """The check in lines, as the terminal shows it."""
    if result.get("passed"):
        return f"PASS: all {len(result.get('probes') or [])} checks of the service passed.\n"
    lines = ["FAIL: customers (or the admin) would still see a problem."]
    for probe in result.get("probes") or []:
        if not probe.get("ok"):
            where = "as it runs now" if probe.get("mode") == "running" else "after a restart"
            lines.append(f"  x {probe.get('name')} ({where}): {probe.get('detail')}")
    lines += [f"  ! {FINDING_WORDS.get(f, f.replace('_', ' '))}" for f in result.get("findings") or []]
    if result.get("error"):
        lines.append(f"  {result['error']}")
    return "\n".join(lines) + "\n"


def run_check(backend: SandboxBackend, workspace: Workspace, incident: Incident,
              cancel: threading.Event | None = None) -> dict[str, Any]:
    """``{"kind": "check", "passed", "probes": [{"mode", "name", "ok", "detail"}], "findings", "fixed_by",
    "seconds", "output"}`` (plus ``"error"`` when the check could not finish: then it did not pass)."""
    files = {"check.py": incident.check_source, **_library()}
    started = time.monotonic()
    reason = "cancelled"
    for _ in range(HOST_TRIES):
        nonce = secrets.token_hex(16)
        header = {"nonce": nonce, "truth": {"id": incident.id, "fixes": list(incident.fix_ids)}}
        stdin = json.dumps(header).encode() + b"\n" + workspace.archive
        run = backend.run(RunRequest("python", files, command=("python3", "-E", "-S", "-B", "/code/check.py"),
                                     stdin=stdin, limits=CHECK_LIMITS, cancel=cancel))
        record = _record(run.stdout, nonce)
        if record is not None:
            internal = record.pop("internal", None)
            if internal:
                log.warning("war room check of %s: %s", incident.id, internal)
            probes = [p for p in record.get("probes") or [] if isinstance(p, dict)]
            result = {"kind": "check", "passed": bool(record["passed"]),
                      "probes": [{"mode": str(p.get("mode")), "name": str(p.get("name")), "ok": bool(p.get("ok")),
                                  "detail": str(p.get("detail") or "")} for p in probes],
                      "findings": [f for f in record.get("findings") or [] if isinstance(f, str)],
                      "fixed_by": record.get("fixed_by") if record.get("fixed_by") in incident.fix_ids else None,
                      "seconds": round(time.monotonic() - started, 3)}
            result["output"] = summary(result)
            return result
        reason = f"{run.outcome} (exit {run.exit_code}): {(run.stderr or run.stdout)[-400:]}"
        if run.outcome in ("cancelled", "timeout"):  # only a host hiccup is worth a second run
            break
    log.warning("war room check of %s could not finish: %s", incident.id, reason)
    return _broken(time.monotonic() - started)


def student_check_view(result: dict[str, Any]) -> dict[str, Any]:
    """What the student sees of a check: pass or fail, the probes that failed (customer-level), findings."""
    probes = [p for p in result.get("probes") or [] if isinstance(p, dict)]
    failing = [{"where": "as it runs now" if p.get("mode") == "running" else "after a restart",
                "what": str(p.get("name", "")), "detail": str(p.get("detail", ""))} for p in probes if not p.get("ok")]
    return {
        "passed": bool(result.get("passed")),
        "probes": len(probes),
        "failing": failing,
        "findings": [FINDING_WORDS.get(f, f.replace("_", " ")) for f in result.get("findings") or []],
        "error": result.get("error"),
        "seconds": result.get("seconds"),
    }
