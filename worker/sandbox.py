"""The sandbox backend this process uses, chosen by settings and built once (it holds slots/pools)."""

from __future__ import annotations

import threading
from typing import Any

from config import Settings

_lock = threading.Lock()
_backends: dict[tuple[str, str], Any] = {}


def sandbox_backend(settings: Settings) -> Any:
    """``grader.sandbox`` backend for ``settings.sandbox_backend`` (``local`` or ``docker``)."""
    from grader.sandbox import get_backend

    key = (settings.sandbox_backend, settings.docker_url)
    with _lock:
        if key not in _backends:
            options: dict[str, Any] = {}
            if settings.sandbox_backend == "docker":
                options["base_url"] = settings.docker_url
            _backends[key] = get_backend(settings.sandbox_backend, **options)
        return _backends[key]
