"""The backend interface and the helpers both backends share (run directory, exit-status decoding)."""

from __future__ import annotations

import abc
import contextlib
import os
import signal as signal_mod
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from .types import RunRequest, RunResult


class SandboxBackend(abc.ABC):
    """Runs one :class:`RunRequest` in isolation and reports a :class:`RunResult`. Thread-safe."""

    name: str = ""

    @abc.abstractmethod
    def run(self, request: RunRequest) -> RunResult:
        """Run the request. Raises :class:`SandboxError` only when the sandbox itself is broken."""

    @abc.abstractmethod
    def check(self) -> list[str]:
        """Problems on this host, in words an operator can act on; an empty list means fully working."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release pooled resources."""


@contextlib.contextmanager
def stop_on_cancel(cancel: threading.Event | None, stop: Callable[[], None]) -> Iterator[threading.Event]:
    """While the block runs, call ``stop`` (kill the program) as soon as ``cancel`` is set.

    Yields an event that is set when ``stop`` was called, so the backend can report the run as cancelled.
    """
    stopped = threading.Event()
    if cancel is None:
        yield stopped
        return
    finished = threading.Event()

    def watch() -> None:
        while not finished.is_set():
            if cancel.wait(0.05):
                if not finished.is_set():
                    stopped.set()
                    with contextlib.suppress(Exception):
                        stop()
                return

    watcher = threading.Thread(target=watch, name="cr-sandbox-cancel", daemon=True)
    watcher.start()
    try:
        yield stopped
    finally:
        finished.set()
        watcher.join(timeout=1)


def write_files(path: Path, files: dict[str, str]) -> None:
    """Write the request's files into ``path``: readable, not writable, by the sandbox user."""
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        target.chmod(0o644)
    for dirpath, _dirs, _files in os.walk(path):
        os.chmod(dirpath, 0o755)


def decode_exit(status: int) -> tuple[int | None, int | None]:
    """(exit_code, signal) from a wrapper's exit status.

    bwrap and Docker both report a child killed by signal N as exit status 128+N; a program that exits
    with such a code on purpose is indistinguishable, which only ever makes its own result worse.
    """
    if status < 0:
        return None, -status
    if status > 128 and (status - 128) in {s.value for s in signal_mod.Signals}:
        return status, status - 128
    return status, None
