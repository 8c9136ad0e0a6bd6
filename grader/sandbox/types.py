"""Value types shared by every sandbox backend: limits, a run request and its result."""

from __future__ import annotations

import posixpath
import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any

MiB = 1024 * 1024

LANGUAGES = ("python", "javascript", "java")
MAX_FILES = 64
MAX_FILE_BYTES = 512 * 1024
MAX_TOTAL_BYTES = 2 * MiB
MAX_STDIN_BYTES = 8 * MiB
# /dev/shm: writable (POSIX semaphores, e.g. Python's multiprocessing locks) but tiny; the only other
# writable mount is the run's /tmp (Limits.tmp_bytes). Everything else is read-only in both backends.
SHM_BYTES = 1 * MiB


class SandboxError(Exception):
    """The sandbox could not run the request (bad input or a broken host), not a student failure."""


class InvalidRequest(SandboxError, ValueError):
    """The request itself is malformed: unknown language, unsafe file name, limits out of range."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run. Defaults follow the seed: 256 MB, 50 processes, 30 s."""

    wall_seconds: float = 30.0
    cpu_seconds: float = 30.0
    memory_bytes: int = 256 * MiB
    processes: int = 50
    output_bytes: int = 256 * 1024  # per stream (stdout, stderr); beyond this output is dropped
    tmp_bytes: int = 64 * MiB  # size of the writable /tmp
    file_bytes: int = 32 * MiB  # largest single file a program may write (RLIMIT_FSIZE)
    open_files: int = 256

    def __post_init__(self) -> None:
        checks = {
            "wall_seconds": 0 < self.wall_seconds <= 600,
            "cpu_seconds": 0 < self.cpu_seconds <= 600,
            "memory_bytes": 16 * MiB <= self.memory_bytes <= 8192 * MiB,
            "processes": 1 <= self.processes <= 4096,
            "output_bytes": 0 < self.output_bytes <= 64 * MiB,
            "tmp_bytes": MiB <= self.tmp_bytes <= 4096 * MiB,
            "file_bytes": 0 < self.file_bytes <= 4096 * MiB,
            "open_files": 16 <= self.open_files <= 65536,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise InvalidRequest(f"limits out of range: {', '.join(bad)}")

    def with_(self, **changes: Any) -> Limits:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_file_name(name: str) -> None:
    norm = posixpath.normpath(name)
    if (
        not name
        or name != norm
        or name.startswith(("/", "."))
        or ".." in name.split("/")
        or "\x00" in name
        or len(name) > 200
        or any(part.startswith(".") for part in name.split("/"))
    ):
        raise InvalidRequest(f"unsafe file name: {name!r}")


@dataclass(frozen=True)
class RunRequest:
    """Run a program in the sandbox.

    ``files`` are written read-only under ``/code`` (the working directory is the writable ``/tmp``).
    Give either ``entry`` (a file in ``files``; the language runner builds the command, e.g.
    ``python3 main.py`` or compile-and-run for Java) or ``command`` (an explicit argv run inside the
    sandbox with ``/code`` as its working directory).
    """

    language: str
    files: dict[str, str]
    entry: str | None = None
    command: tuple[str, ...] | None = None
    stdin: bytes = b""
    limits: Limits = field(default_factory=Limits)
    # Set from another thread to stop the run early (a student's Cancel); the result says "cancelled".
    cancel: threading.Event | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise InvalidRequest(f"unknown language {self.language!r}; expected one of {', '.join(LANGUAGES)}")
        if not isinstance(self.files, dict) or len(self.files) > MAX_FILES:
            raise InvalidRequest(f"files must be a dict of at most {MAX_FILES} entries")
        total = 0
        for name, text in self.files.items():
            _check_file_name(name)
            if not isinstance(text, str):
                raise InvalidRequest(f"file {name!r} must be text")
            size = len(text.encode())
            if size > MAX_FILE_BYTES:
                raise InvalidRequest(f"file {name!r} is larger than {MAX_FILE_BYTES} bytes")
            total += size
        if total > MAX_TOTAL_BYTES:
            raise InvalidRequest(f"files together are larger than {MAX_TOTAL_BYTES} bytes")
        if isinstance(self.stdin, str):
            object.__setattr__(self, "stdin", self.stdin.encode())
        if len(self.stdin) > MAX_STDIN_BYTES:
            raise InvalidRequest(f"stdin is larger than {MAX_STDIN_BYTES} bytes")
        if self.command is not None:
            if isinstance(self.command, str) or not self.command or not all(
                isinstance(a, str) and "\x00" not in a for a in self.command
            ):
                raise InvalidRequest("command must be a non-empty list of strings")
            object.__setattr__(self, "command", tuple(self.command))
        if (self.entry is None) == (self.command is None):
            raise InvalidRequest("give exactly one of entry or command")
        if self.entry is not None and self.entry not in self.files:
            raise InvalidRequest(f"entry {self.entry!r} is not one of the files")


@dataclass
class RunResult:
    """What happened to one run. ``stdout``/``stderr`` are decoded text capped at ``limits.output_bytes``."""

    stdout: str
    stderr: str
    exit_code: int | None
    signal: int | None = None
    timed_out: bool = False
    out_of_memory: bool = False
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    output_limit_exceeded: bool = False  # the program kept writing far past the cap and was stopped
    process_limit_hit: bool | None = None  # a fork/thread creation was refused; None = cannot tell
    cancelled: bool = False  # stopped on request (RunRequest.cancel), not by a limit
    wall_seconds: float = 0.0
    cpu_seconds: float | None = None  # None when the backend cannot measure it
    backend: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not (
            self.timed_out or self.out_of_memory or self.output_limit_exceeded or self.cancelled
        )

    @property
    def outcome(self) -> str:
        """One word for metrics and student messages: ok, error, timeout, memory, processes, output, signal,
        cancelled. What the program hit comes first: a fork or thread bomb that then hangs or floods its
        output with the runtime's complaints is reported as ``processes``, not ``timeout`` or ``output``."""
        if self.cancelled:
            return "cancelled"
        if self.out_of_memory:
            return "memory"
        if self.process_limit_hit and not self.ok:  # a refused fork the program shrugged off is no failure
            return "processes"
        if self.timed_out:
            return "timeout"
        if self.output_limit_exceeded:
            return "output"
        if self.signal is not None:
            return "signal"
        return "ok" if self.exit_code == 0 else "error"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome
        return data
