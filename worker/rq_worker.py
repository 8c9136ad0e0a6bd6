"""RQ's workers with their per-job bookkeeping in Redis cut to what anyone reads.

RQ refreshes the worker's own key (a hash and two TTLs, three round trips) three times per job and writes its
"idle" state twice; on a job of a few tens of milliseconds that is a good share of the worker's CPU. Here a
refresh is skipped when the key was refreshed to at least the asked-for lifetime moments ago, each refresh goes
in one round trip, and a state already written is not written again. What RQ keeps per job (its status, the
started and failed registries, the execution records, the job heartbeats) is untouched: a dead worker is still
noticed, and so is a lost job (the reconciler goes by the rows, not by these keys).
"""

from __future__ import annotations

import time
from typing import Any

from rq import SimpleWorker, Worker

# A refresh of the worker's key is skipped while the key still lives at least (asked-for TTL - this) seconds.
HEARTBEAT_SLACK_SECONDS = 10.0


class _LeanBookkeeping:
    """Mixed into an RQ worker class (before it): fewer writes to the worker's own key, nothing else changed."""

    connection: Any
    worker_ttl: int
    _state: str

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        ttl = timeout or self.worker_ttl + 60
        now = time.monotonic()
        if pipeline is None and getattr(self, "_alive_until", 0.0) - now >= ttl - HEARTBEAT_SLACK_SECONDS:
            return  # refreshed to (nearly) this lifetime moments ago: the key outlives what was asked
        if pipeline is None:
            with self.connection.pipeline(transaction=False) as own:
                super().heartbeat(ttl, pipeline=own)  # type: ignore[misc]
                own.execute()
        else:
            super().heartbeat(ttl, pipeline=pipeline)  # type: ignore[misc]
        self._alive_until = now + ttl

    def set_state(self, state: str, pipeline: Any = None) -> None:
        if pipeline is None and state == getattr(self, "_state", None):
            return  # already written (RQ sets "idle" after a job and again before waiting for the next)
        super().set_state(state, pipeline=pipeline)  # type: ignore[misc]


class LeanSimpleWorker(_LeanBookkeeping, SimpleWorker):
    """Jobs in the worker's own process (the default of ``flask worker run``)."""


class LeanForkWorker(_LeanBookkeeping, Worker):
    """A work horse forked per job (``flask worker run --fork``)."""
