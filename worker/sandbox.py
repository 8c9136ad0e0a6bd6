"""The sandbox backend this process uses, chosen by settings and built once (it holds slots/pools)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from config import Settings

log = logging.getLogger(__name__)
_lock = threading.Lock()
_backends: dict[tuple[str, str, str], Any] = {}


def sandbox_backend(settings: Settings) -> Any:
    """``grader.sandbox`` backend for ``settings.sandbox_backend`` (``local`` or ``docker``)."""
    from grader.sandbox import get_backend

    key = (settings.sandbox_backend, settings.docker_url, settings.sandbox_image)
    with _lock:
        if key not in _backends:
            options: dict[str, Any] = {}
            if settings.sandbox_backend == "docker":
                options.update(base_url=settings.docker_url, image=settings.sandbox_image,
                               pool_size=settings.docker_pool_size)
            _backends[key] = get_backend(settings.sandbox_backend, **options)
        return _backends[key]


def forget_connected_backends() -> None:
    """After a fork: drop backends holding connections (a Docker client's pooled sockets must not be shared
    with the parent). The local backend stays: it is fork-aware: a child parks sandboxes of its own."""
    global _lock
    _lock = threading.Lock()  # another thread may have held it at the fork
    for key in [k for k in _backends if k[0] == "docker"]:
        del _backends[key]


def check_sandbox(settings: Settings) -> list[str]:
    """Start-up check: raise ``SandboxError`` saying what is missing when the configured sandbox cannot
    run code here; return (and log) the degradations it can live with."""
    from grader.sandbox import ensure_ready

    problems = ensure_ready(sandbox_backend(settings))
    for problem in problems:
        log.warning("sandbox degraded: %s", problem, extra={"backend": settings.sandbox_backend})
    return problems
