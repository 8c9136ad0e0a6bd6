"""The kinds of queued work: which table holds the rows, which queue carries them, which handler runs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lti_app.models import Evaluation, Passback, Submission


@dataclass(frozen=True)
class Outcome:
    """What a handler decided. ``retry_at`` set means: try again later (status RETRY)."""

    ok: bool
    error: str = ""
    retry_at: datetime | None = None

    @classmethod
    def done(cls) -> Outcome:
        return cls(ok=True)

    @classmethod
    def failed(cls, error: str) -> Outcome:
        return cls(ok=False, error=error)

    @classmethod
    def retry(cls, error: str, at: datetime) -> Outcome:
        return cls(ok=False, error=error, retry_at=at)


Handler = Callable[[Any], Outcome]


@dataclass(frozen=True)
class Kind:
    name: str
    model: type
    queue: str
    timeout_s: int  # job timeout; a RUNNING row whose heartbeat is older than twice this is considered lost


# Queue order is priority order for workers: student submits first, instructor regrades last.
QUEUE_PRIORITY = ("execute", "evaluate", "passback", "bulk")

KINDS: dict[str, Kind] = {
    "execute": Kind("execute", Submission, "execute", timeout_s=120),
    "evaluate": Kind("evaluate", Evaluation, "evaluate", timeout_s=300),
    "passback": Kind("passback", Passback, "passback", timeout_s=60),
}


def handler_for(kind: str) -> Handler:
    # Imported lazily: handlers pull in the sandbox and the engines, which the web process may not need.
    if kind == "execute":
        from worker.handlers.execute import handle
    elif kind == "evaluate":
        from worker.handlers.evaluate import handle
    elif kind == "passback":
        from worker.handlers.passback import handle
    else:
        raise KeyError(f"unknown work kind {kind!r}")
    return handle
