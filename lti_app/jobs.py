"""The kinds of queued work and where their code lives — the one place the web names the worker's code.

The web writes a row and enqueues its id; the worker claims the row and runs the kind's handler. The web
never imports the worker: it names the worker's functions by dotted path, as RQ does, and they are
resolved only where they run (a worker process, or the in-process threads of the embedded mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from lti_app.models import CrucibleVariant, Evaluation, Passback, Submission

# The job function an RQ worker calls with (kind, row id), and the one the in-process threads call.
RQ_JOB = "worker.rq_entry.run_job"
INPROCESS_JOB = "worker.runner:perform"
# Starts the embedded mode's worker side (in-process threads and the reconciler) inside the web process.
EMBEDDED_WORKER = "worker.embedded:start"
# The sandbox backend of the process a job runs in, called with the settings: a phase's evaluate job that runs
# the sandbox itself (the War Room's final check of the system at the close) shares the worker's backend.
SANDBOX_BACKEND = "worker.sandbox:sandbox_backend"


@dataclass(frozen=True)
class Kind:
    name: str
    model: type
    queue: str
    timeout_s: int  # job timeout; a RUNNING row whose heartbeat is older than twice this is considered lost
    handler: str  # dotted path of the function that does the work for one claimed row


# Queue order is priority order for workers: student submits first, instructor regrades last.
QUEUE_PRIORITY = ("execute", "evaluate", "passback", "bulk")

KINDS: dict[str, Kind] = {
    "execute": Kind("execute", Submission, "execute", timeout_s=120, handler="worker.handlers.execute:handle"),
    "evaluate": Kind("evaluate", Evaluation, "evaluate", timeout_s=300, handler="worker.handlers.evaluate:handle"),
    "passback": Kind("passback", Passback, "passback", timeout_s=60, handler="worker.handlers.passback:handle"),
    # An LLM-proposed Code Crucible variant, verified in the sandbox: background work, on the lowest queue.
    "variant": Kind("variant", CrucibleVariant, "bulk", timeout_s=300, handler="worker.handlers.variant:handle"),
}


def resolve(path: str) -> Any:
    """``package.module:attribute`` (or RQ's ``package.module.attribute``) -> the object."""
    module, _, attribute = path.rpartition(":") if ":" in path else path.rpartition(".")
    return getattr(import_module(module), attribute)
