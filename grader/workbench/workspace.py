"""A persistent workspace and the terminal's commands over it: one sandbox per command.

Every command runs in a fresh sandbox (the sandbox's limits and isolation each time, any worker can serve
any command, nothing outlives a command) over the attempt's workspace: a directory tree carried between
commands as a tar.gz :class:`Workspace`. What must persist (files, a git repository, a service's "running"
flag, bisect state) lives in the tree.

    ws = Workspace.from_files({"app/config.ini": "port = 8000\\n", "run.sh": "..."}, executable=["run.sh"])
    result = run_command(backend, ws, "grep port app/config.ini", setup="...", teardown="...")
    result.output, result.exit_code, result.outcome, result.workspace     # the tree after the command
    ws = ws.with_file("app/config.ini", "port = 9000\\n")                   # an editor save

How a command runs (grader/sandbox/runners/cr_workspace.py): the runner reads a nonce and the archive from
stdin before anything of the student's runs, unpacks into /tmp/ws (with the sandbox's /tmp the only
writable place), runs the phase's ``setup``, then ``bash -c <command>`` in /tmp/ws/<cwd> (HOME=/tmp/ws, a
fixed PATH, stdin /dev/null, stdout+stderr captured together), then ``teardown``, stops every process, packs
/tmp/ws and writes ``<nonce> <json>`` with the new archive on its own stdout. The student's processes never
hold that stdout and cannot read the nonce (the runner is non-dumpable), so a command cannot forge the
record; if the record is missing or malformed (the command killed the runner, say), the workspace stays as
it was before the command and the output says the command broke the terminal.

Every entry of a workspace is the student's to see (``ls -R``, ``cat``): keep a phase's truth out of it.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import io
import json
import posixpath
import re
import secrets
import stat
import tarfile
import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from grader.sandbox import Limits, RunRequest, SandboxBackend
from grader.sandbox.types import MiB

MAX_PACKED_BYTES = 4 * MiB
MAX_UNPACKED_BYTES = 32 * MiB
MAX_ENTRIES = 2000
MAX_OUTPUT_BYTES = 64 * 1024  # of a command's output kept (the rest is counted and said to be cut)
MAX_COMMAND_CHARS = 2000  # what a student may type; the phase's own setup/teardown may be longer
MAX_SCRIPT_CHARS = 64 * 1024
MAX_PATH_CHARS = 1024
MAX_NAME_BYTES = 255
MAX_DEPTH = 64
# The limits of one command: its own wall-clock and CPU time, memory, processes; no network beyond the
# sandbox's own loopback. The sandbox run gets OVERHEAD_SECONDS more for setup, teardown and packing.
COMMAND_LIMITS = Limits(wall_seconds=10.0, cpu_seconds=10.0, memory_bytes=256 * MiB, processes=64)
SETUP_SECONDS = 3.0
TEARDOWN_SECONDS = 1.0
OVERHEAD_SECONDS = SETUP_SECONDS + TEARDOWN_SECONDS + 2.0
# Room on the result channel for the record: the archive in base64 plus the output, escaped.
CHANNEL_BYTES = 8 * MiB
RUNNER_FILE = "cr_workspace.py"
WS_ROOT = "/tmp/ws"
OUTCOMES = ("ok", "error", "timeout", "memory", "processes", "output", "signal", "cancelled", "broken", "too_large")
BROKEN_OUTPUT = ("The command broke the terminal (it stopped the sandbox's runner or garbled its channel), so "
                 "nothing it changed was kept: the workspace is as it was before the command.")
UNPACKED_NOTE = ("The workspace could not be saved after this command, so nothing it changed was kept: it is as it "
                 "was before the command.")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_RESERVED_ENV = {"PATH", "HOME", "BASH_ENV", "PWD"}


class WorkspaceError(ValueError):
    """A workspace or a path in it breaks the rules (too large, too many entries, unsafe name or link)."""


@dataclass(frozen=True)
class Entry:
    """One entry of a workspace: a regular file (``data``), a directory, or a symlink (``target``)."""

    kind: str  # "file" | "dir" | "link"
    mode: int = 0o644
    mtime: int = 0
    data: bytes = b""
    target: str = ""


def check_path(path: str) -> str:
    """``path`` if it names a place inside a workspace (relative, normalised, no ``..``, printable, within
    the length limits), else :class:`WorkspaceError`."""
    if not isinstance(path, str) or not path:
        raise WorkspaceError("a path in the workspace must be non-empty text")
    if len(path) > MAX_PATH_CHARS or path.count("/") >= MAX_DEPTH:
        raise WorkspaceError("that path is too long")
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        raise WorkspaceError("a path must not contain control characters")
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise WorkspaceError(f"{path!r} is not a relative path inside the workspace")
    try:
        encoded = [p.encode("utf-8") for p in parts]
    except UnicodeEncodeError:
        raise WorkspaceError("a path must be valid Unicode text") from None
    if any(len(p) > MAX_NAME_BYTES for p in encoded):
        raise WorkspaceError("a name in that path is too long")
    return path


def _link_inside(path: str, target: str) -> bool:
    if not target or "\x00" in target or len(target) > MAX_PATH_CHARS:
        return False
    base = WS_ROOT if "/" not in path else f"{WS_ROOT}/{posixpath.dirname(path)}"
    full = posixpath.normpath(target if target.startswith("/") else posixpath.join(base, target))
    return full == WS_ROOT or full.startswith(WS_ROOT + "/")


def _check_tree(entries: Mapping[str, Entry]) -> None:
    """Limits and consistency: every parent a directory, links pointing inside."""
    if len(entries) > MAX_ENTRIES:
        raise WorkspaceError(f"a workspace holds at most {MAX_ENTRIES} files and directories")
    total = 0
    for path, entry in entries.items():
        check_path(path)
        parent = posixpath.dirname(path)
        if parent and (parent not in entries or entries[parent].kind != "dir"):
            raise WorkspaceError(f"the parent of {path!r} is not a directory")
        if entry.kind == "file":
            total += len(entry.data)
        elif entry.kind == "link" and not _link_inside(path, entry.target):
            raise WorkspaceError(f"the link {path!r} points outside the workspace")
        elif entry.kind not in ("file", "dir", "link"):
            raise WorkspaceError(f"unsupported entry kind {entry.kind!r}")
    if total > MAX_UNPACKED_BYTES:
        raise WorkspaceError(f"a workspace holds at most {MAX_UNPACKED_BYTES // MiB} MB of files")


def _pack(entries: Mapping[str, Entry]) -> bytes:
    """Deterministic tar.gz: sorted entries, no owners, gzip without a timestamp."""
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(entries):
            entry = entries[path]
            info = tarfile.TarInfo(path)
            info.mode, info.mtime = entry.mode & 0o777, int(entry.mtime)
            if entry.kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif entry.kind == "link":
                info.type, info.linkname = tarfile.SYMTYPE, entry.target
                tar.addfile(info)
            else:
                info.size = len(entry.data)
                tar.addfile(info, io.BytesIO(entry.data))
    data = raw.getvalue()
    if len(data) > MAX_PACKED_BYTES:
        raise WorkspaceError(f"a workspace packs into at most {MAX_PACKED_BYTES // MiB} MB")
    return data


def _unpack(archive: bytes) -> dict[str, Entry]:
    """The entries of an archive, within the limits (a decompression bomb stops at the unpacked limit)."""
    if not archive:
        return {}
    if len(archive) > MAX_PACKED_BYTES:
        raise WorkspaceError(f"a workspace packs into at most {MAX_PACKED_BYTES // MiB} MB")
    # tar adds a 512-byte header (and PAX headers for long names) per entry and pads each file to 512 bytes
    bound = MAX_UNPACKED_BYTES + MAX_ENTRIES * 3 * 512 + 10 * 512
    try:
        inflater = zlib.decompressobj(wbits=31)
        raw = inflater.decompress(archive, bound + 1)
    except zlib.error as exc:
        raise WorkspaceError(f"not a gzip archive: {exc}") from None
    if len(raw) > bound or inflater.unconsumed_tail:
        raise WorkspaceError(f"a workspace holds at most {MAX_UNPACKED_BYTES // MiB} MB of files")
    entries: dict[str, Entry] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for member in tar:
                if len(entries) >= MAX_ENTRIES:
                    raise WorkspaceError(f"a workspace holds at most {MAX_ENTRIES} files and directories")
                name = check_path(member.name)
                if name in entries:
                    raise WorkspaceError(f"{name!r} appears twice in the archive")
                mode, mtime = member.mode & 0o777, int(member.mtime)
                if member.isdir():
                    entries[name] = Entry("dir", mode, mtime)
                elif member.isreg():
                    handle = tar.extractfile(member)
                    entries[name] = Entry("file", mode, mtime, handle.read() if handle else b"")
                elif member.issym():
                    entries[name] = Entry("link", 0o777, mtime, target=member.linkname)
                else:
                    raise WorkspaceError(f"{name!r} is neither a file, a directory nor a link")
    except tarfile.TarError as exc:
        raise WorkspaceError(f"not a tar archive: {exc}") from None
    _check_tree(entries)
    return entries


@dataclass(frozen=True)
class Workspace:
    """A directory tree persisted between commands: ``archive`` is a tar.gz of regular files, directories
    and symlinks pointing inside (≤ 4 MB packed, ≤ 32 MB unpacked, ≤ 2,000 entries; beyond that
    :class:`WorkspaceError`). ``cwd`` is the terminal's current directory in it ("" = the top), which the
    next command starts in; it travels with the tree. Immutable: changes return a new workspace."""

    archive: bytes
    cwd: str = ""
    _entries: dict[str, Entry] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.archive, bytes | bytearray | memoryview):
            raise WorkspaceError("a workspace archive is bytes")
        object.__setattr__(self, "archive", bytes(self.archive))
        if self.cwd:
            check_path(self.cwd)
        object.__setattr__(self, "_entries", _unpack(self.archive))

    # ----- building ----------------------------------------------------------------------------------
    @classmethod
    def from_entries(cls, entries: Mapping[str, Entry], cwd: str = "") -> Workspace:
        full = dict(entries)
        for path in list(full):
            parent = posixpath.dirname(check_path(path))
            while parent and parent not in full:
                full[parent] = Entry("dir", 0o755, full[path].mtime)
                parent = posixpath.dirname(parent)
        _check_tree(full)
        return cls(_pack(full), cwd)

    @classmethod
    def from_files(cls, files: Mapping[str, bytes | str], executable: Iterable[str] = (),
                   mtime: int | None = None) -> Workspace:
        """A workspace of these files (text is stored as UTF-8), directories made as needed; the paths in
        ``executable`` get mode 755. ``mtime`` (default now) is every entry's modification time."""
        when = int(time.time()) if mtime is None else int(mtime)
        runnable = set(executable)
        unknown = runnable - set(files)
        if unknown:
            raise WorkspaceError(f"executable names files that are not given: {sorted(unknown)}")
        entries = {check_path(path): Entry("file", 0o755 if path in runnable else 0o644, when, _bytes(content))
                   for path, content in files.items()}
        return cls.from_entries(entries)

    @classmethod
    def from_directory(cls, root: str | Path) -> Workspace:
        """A workspace of a host directory's regular files, directories and inside-pointing symlinks (what a
        phase generated with real tools, e.g. a git repository). Other entries are refused."""
        base = Path(root)
        entries: dict[str, Entry] = {}
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(base).as_posix()
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                entries[rel] = Entry("link", 0o777, int(st.st_mtime), target=str(path.readlink()))
            elif stat.S_ISDIR(st.st_mode):
                entries[rel] = Entry("dir", st.st_mode & 0o777, int(st.st_mtime))
            elif stat.S_ISREG(st.st_mode):
                entries[rel] = Entry("file", st.st_mode & 0o777, int(st.st_mtime), path.read_bytes())
            else:
                raise WorkspaceError(f"{rel!r} is neither a file, a directory nor a link")
            if len(entries) > MAX_ENTRIES:
                raise WorkspaceError(f"a workspace holds at most {MAX_ENTRIES} files and directories")
        return cls.from_entries(entries)

    # ----- reading -----------------------------------------------------------------------------------
    def entries(self) -> dict[str, Entry]:
        return dict(self._entries)

    def files(self) -> dict[str, bytes]:
        """path -> content, regular files only."""
        return {p: e.data for p, e in self._entries.items() if e.kind == "file"}

    def read(self, path: str) -> bytes | None:
        """A regular file's content; None if there is none at ``path`` (or it is a directory or a link)."""
        entry = self._entries.get(path)
        return entry.data if entry is not None and entry.kind == "file" else None

    def kind(self, path: str) -> str | None:
        entry = self._entries.get(path)
        return entry.kind if entry is not None else None

    def listing(self) -> list[dict[str, Any]]:
        """Every entry as ``{"path", "kind", "size"}``, sorted by path (for a file picker)."""
        return [{"path": p, "kind": e.kind, "size": len(e.data) if e.kind == "file" else None}
                for p, e in sorted(self._entries.items())]

    def digest(self) -> str:
        """sha256 of the tree's content: paths, kinds, modes, file contents and link targets (not times, not
        the cwd): equal trees have equal digests whatever their archives' bytes."""
        h = hashlib.sha256()
        for path in sorted(self._entries):
            e = self._entries[path]
            body = hashlib.sha256(e.data).hexdigest() if e.kind == "file" else e.target
            h.update(f"{e.kind}\x00{path}\x00{e.mode:o}\x00{body}\n".encode())
        return h.hexdigest()

    @property
    def size(self) -> int:
        """Bytes of file content, unpacked."""
        return sum(len(e.data) for e in self._entries.values() if e.kind == "file")

    # ----- changing ----------------------------------------------------------------------------------
    def with_file(self, path: str, content: bytes | str, mtime: int | None = None) -> Workspace:
        """The workspace with ``path`` holding ``content`` (an editor save): a new file gets mode 644 and the
        directories it needs; an existing one keeps its mode. Refused when ``path`` is a directory or a
        link, or a parent of it is not a directory."""
        check_path(path)
        parts = path.split("/")
        for i in range(1, len(parts)):
            parent = self._entries.get("/".join(parts[:i]))
            if parent is not None and parent.kind != "dir":
                raise WorkspaceError(f"{'/'.join(parts[:i])!r} is not a directory")
        current = self._entries.get(path)
        if current is not None and current.kind != "file":
            raise WorkspaceError(f"{path!r} is a {'directory' if current.kind == 'dir' else 'link'}, not a file")
        entries = dict(self._entries)
        when = int(time.time()) if mtime is None else int(mtime)
        entries[path] = Entry("file", current.mode if current else 0o644, when, _bytes(content))
        return Workspace.from_entries(entries, self.cwd)

    def without(self, path: str) -> Workspace:
        """The workspace without ``path`` (and, for a directory, everything under it)."""
        entries = {p: e for p, e in self._entries.items() if p != path and not p.startswith(path + "/")}
        return Workspace.from_entries(entries, self.cwd)

    def at(self, cwd: str) -> Workspace:
        """The same tree with the terminal in ``cwd`` (validated as a path; "" is the top)."""
        if cwd:
            check_path(cwd)
        return Workspace(self.archive, cwd)


def _bytes(content: bytes | str) -> bytes:
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, bytes | bytearray | memoryview):
        return bytes(content)
    raise WorkspaceError("file content must be bytes or text")


@dataclass(frozen=True)
class CommandResult:
    """One command. ``output`` is its stdout and stderr together, as text, capped at 64 KB (a cut output ends
    with a line saying so); ``outcome`` is one of :data:`OUTCOMES` (ok, error = a non-zero exit, timeout,
    memory, processes, output, signal, cancelled, broken = no valid record, too_large = the tree outgrew
    the limits); ``seconds`` is measured here, around the whole sandbox run; ``workspace`` is the tree after
    the command, unchanged when the run broke before the end (or outgrew the limits). ``note`` is a
    sentence for the student about how it ended (empty when it simply exited). ``details`` holds, for the
    phase only, the setup's and teardown's exit status and output and the runner's figures."""

    output: str
    exit_code: int | None
    outcome: str
    seconds: float
    workspace: Workspace
    note: str = ""
    truncated: bool = False
    changed: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def cwd(self) -> str:
        return self.workspace.cwd

    def view(self, limit_seconds: float = COMMAND_LIMITS.wall_seconds) -> dict[str, Any]:
        """The student-safe result, as the terminal shows it (the phase may add its own keys)."""
        return {"kind": "command", "outcome": self.outcome, "output": self.output, "exit_code": self.exit_code,
                "note": self.note, "truncated": self.truncated, "cwd": self.cwd, "changed": self.changed,
                "seconds": round(self.seconds, 3), "limit_seconds": limit_seconds}


@lru_cache(maxsize=1)  # read once per process; lru_cache is safe to share between threads
def runner_source() -> str:
    return resources.files("grader.sandbox.runners").joinpath(RUNNER_FILE).read_text("utf-8")


def _check_script(name: str, text: str, limit: int) -> None:
    if not isinstance(text, str):
        raise WorkspaceError(f"{name} must be text")
    if "\x00" in text:
        raise WorkspaceError(f"{name} must not contain NUL characters")
    if len(text) > limit:
        raise WorkspaceError(f"{name} is limited to {limit} characters")


def _check_env(env: Mapping[str, str] | None) -> dict[str, str]:
    clean: dict[str, str] = {}
    for name, value in (env or {}).items():
        if not isinstance(name, str) or not _ENV_NAME.fullmatch(name) or name in _RESERVED_ENV:
            raise WorkspaceError(f"environment variable name {name!r} is not allowed")
        if not isinstance(value, str) or "\x00" in value or len(value) > 4096:
            raise WorkspaceError(f"environment variable {name} must be text without NUL, ≤ 4096 characters")
        clean[name] = value
    return clean


_NOTES = {
    "timeout": "Stopped: the command ran past the {limit} time limit.",
    "memory": "Stopped: the command used more than the memory limit.",
    "processes": "Stopped: the command started more processes than allowed.",
    "output": "Stopped: the command printed far more than the output limit.",
    "signal": "The command was killed by signal {signal}.",
    "cancelled": "Cancelled: the command was stopped and nothing it changed was kept.",
}


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _parse_record(stdout: str, nonce: str) -> dict[str, Any] | None:
    """The runner's one record, or None when there is none, or more than one, or it is malformed."""
    prefix = nonce + " "
    found = [line[len(prefix):] for line in stdout.split("\n")[:-1] if line.startswith(prefix)]
    if len(found) != 1:
        return None
    try:
        record = json.loads(found[0])
    except (ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def run_command(backend: SandboxBackend, workspace: Workspace, command: str, *, setup: str = "",
                teardown: str = "", prelude: str = "", cwd: str | None = None,
                env: Mapping[str, str] | None = None, limits: Limits = COMMAND_LIMITS,
                cancel: threading.Event | None = None) -> CommandResult:
    """Run ``command`` with bash over ``workspace`` in one sandbox and return the tree after it.

    ``setup`` (≤ 3 s) runs in the workspace's top directory before the command — e.g. start the phase's
    service in the background when the workspace says it runs — and ``teardown`` (≤ 1 s) after it; both see
    the same environment, their output goes to ``details`` (not to the student), and everything they started
    is stopped before the tree is packed. ``prelude`` is shell code sourced by the command's bash before
    the command (shell functions such as a ``service`` helper; Docker mounts /tmp noexec, so a workspace
    script cannot be executed directly there: call it as ``bash script`` or define a function). ``cwd``
    (default ``workspace.cwd``) is where the command starts; a ``cd`` moves the next command's start with
    it. ``env`` adds variables (PATH and HOME are fixed: /usr/local/bin:/usr/bin:/bin and /tmp/ws).
    ``limits.wall_seconds`` is the command's own time; the sandbox run gets :data:`OVERHEAD_SECONDS` more
    for setup, teardown and packing. ``cancel`` stops the run; nothing it changed is kept.

    Raises :class:`WorkspaceError` for a bad command, script or environment; ``SandboxError`` propagates
    (the host is broken: the caller retries).
    """
    _check_script("the command", command, MAX_SCRIPT_CHARS)
    if not command.strip():
        raise WorkspaceError("the command is empty")
    for name, text in (("setup", setup), ("teardown", teardown), ("prelude", prelude)):
        _check_script(name, text, MAX_SCRIPT_CHARS)
    start = workspace.cwd if cwd is None else cwd
    if start:
        check_path(start)
    nonce = secrets.token_hex(16)
    header = {
        "nonce": nonce, "command": command, "setup": setup, "teardown": teardown, "prelude": prelude,
        "cwd": start, "env": _check_env(env),
        "seconds": {"setup": SETUP_SECONDS, "command": limits.wall_seconds, "teardown": TEARDOWN_SECONDS},
        "caps": {"output": MAX_OUTPUT_BYTES, "entries": MAX_ENTRIES, "unpacked": MAX_UNPACKED_BYTES,
                 "packed": MAX_PACKED_BYTES},
    }
    stdin = json.dumps(header).encode() + b"\n" + workspace.archive
    run_limits = limits.with_(wall_seconds=limits.wall_seconds + OVERHEAD_SECONDS,
                              output_bytes=max(limits.output_bytes, CHANNEL_BYTES))
    request = RunRequest("python", {RUNNER_FILE: runner_source()},
                         command=("python3", "-E", "-S", "-B", f"/code/{RUNNER_FILE}"), stdin=stdin,
                         limits=run_limits, cancel=cancel)
    started = time.monotonic()
    run = backend.run(request)
    seconds = time.monotonic() - started
    record = _parse_record(run.stdout, nonce)
    sandbox = {"outcome": run.outcome, "exit_code": run.exit_code, "signal": run.signal,
               "wall_seconds": run.wall_seconds, "backend": run.backend}
    return _result(record, run, workspace, start, seconds, limits, sandbox)


def _result(record: dict[str, Any] | None, run: Any, before: Workspace, start: str, seconds: float,
            limits: Limits, sandbox: dict[str, Any]) -> CommandResult:
    unchanged = before.at(start) if start != before.cwd else before
    if record is None or "error" in record:
        outcome = run.outcome if run.outcome in ("cancelled", "memory", "processes", "timeout", "output") else "broken"
        if outcome == "cancelled":
            note = _NOTES["cancelled"]
        elif record is not None:
            note = "The terminal could not start this command; nothing was changed."
        else:
            note = BROKEN_OUTPUT if outcome == "broken" else (
                _NOTES[outcome].format(limit=_seconds(limits.wall_seconds), signal=run.signal)
                + " It broke the terminal's runner, so nothing it changed was kept.")
        details = {"sandbox": sandbox, "start_error": record.get("detail") if record else None}
        # No record: there is no output to show, only what happened.
        return CommandResult(note + "\n", None, outcome, seconds, unchanged, details=details)

    output = record.get("output") if isinstance(record.get("output"), str) else ""
    seen = _int_or_none(record.get("output_bytes")) or 0
    truncated = seen > len(output.encode("utf-8", "replace")) or len(output.encode()) > MAX_OUTPUT_BYTES
    if truncated:
        output = output.encode()[:MAX_OUTPUT_BYTES].decode("utf-8", "ignore")
        if not output.endswith("\n"):
            output += "\n"
        output += f"[output cut: showing the first {MAX_OUTPUT_BYTES // 1024} KB of {seen:,} bytes]\n"
    exit_code = _int_or_none(record.get("exit_code"))
    signal_number = _int_or_none(record.get("signal"))
    timed_out, flood = record.get("timed_out") is True, record.get("flood") is True
    # What the command hit comes first (as for a program's run): a fork bomb that then hangs or floods is
    # "processes"; a refused fork the command shrugged off (it still exited 0) is no failure.
    if run.out_of_memory:
        outcome = "memory"
    elif run.process_limit_hit and (exit_code != 0 or timed_out or flood):
        outcome = "processes"
    elif timed_out:
        outcome = "timeout"
    elif flood:
        outcome = "output"
    elif signal_number is not None:
        outcome = "signal"
    else:
        outcome = "ok" if exit_code == 0 else "error"
    if outcome in ("timeout", "output", "memory") or timed_out or flood:
        exit_code = None
    note = _NOTES.get(outcome, "").format(limit=_seconds(limits.wall_seconds), signal=signal_number)
    cwd = record.get("cwd") if isinstance(record.get("cwd"), str) else start
    if record.get("cwd_kept") is False and start:
        note = (note + " " if note else "") + f"The directory {start} no longer exists; the command ran in ~."
    after = unchanged
    changed = False
    archive = record.get("archive")
    if isinstance(archive, str):
        try:
            after = Workspace(base64.b64decode(archive, validate=True), cwd)
            changed = after.archive != before.archive
        except (WorkspaceError, binascii.Error, ValueError):
            return CommandResult(BROKEN_OUTPUT + "\n", None, "broken", seconds, unchanged,
                                 details={"sandbox": sandbox})
    elif record.get("pack_error"):
        return CommandResult(output, exit_code, "broken", seconds, unchanged, note=UNPACKED_NOTE, truncated=truncated,
                             details={"sandbox": sandbox, "pack_error": record.get("pack_error")})
    else:
        why = record.get("too_large") or "the workspace outgrew its limits"
        outcome = "too_large"
        note = (f"Nothing this command changed was kept: the workspace would hold {why} (limits: {MAX_ENTRIES} "
                f"entries, {MAX_UNPACKED_BYTES // MiB} MB of files, {MAX_PACKED_BYTES // MiB} MB packed).")
    skipped = _int_or_none(record.get("skipped_count")) or 0
    if skipped and isinstance(archive, str):
        names = [s for s in record.get("skipped") or [] if isinstance(s, str)][:5]
        note = (note + " " if note else "") + (
            f"Not kept: {skipped} entr{'y' if skipped == 1 else 'ies'} that a workspace cannot hold (special "
            f"files, links pointing outside it, unusual names): {', '.join(repr(n) for n in names)}.")
    details = {"sandbox": sandbox, "setup": record.get("setup"), "teardown": record.get("teardown"),
               "command_seconds": record.get("seconds"), "all_stopped": record.get("all_stopped")}
    return CommandResult(output, exit_code, outcome, seconds, after, note=note, truncated=truncated,
                         changed=changed, details=details)


class ShellTask:
    """The plain terminal task a phase can use or wrap: every command runs with the phase's ``setup``,
    ``teardown``, ``prelude`` and ``env``. ``run`` returns ``(student-safe view, workspace after)``, the shape
    the workbench's command handler stores."""

    def __init__(self, *, setup: str = "", teardown: str = "", prelude: str = "",
                 env: Mapping[str, str] | None = None, limits: Limits = COMMAND_LIMITS) -> None:
        self.setup, self.teardown, self.prelude = setup, teardown, prelude
        self.env = dict(env or {})
        self.limits = limits

    def execute(self, backend: SandboxBackend, workspace: Workspace, command: str,
                cancel: threading.Event | None = None) -> CommandResult:
        return run_command(backend, workspace, command, setup=self.setup, teardown=self.teardown,
                           prelude=self.prelude, env=self.env, limits=self.limits, cancel=cancel)

    def run(self, backend: SandboxBackend, workspace: Workspace, command: str,
            cancel: threading.Event | None = None) -> tuple[dict[str, Any], Workspace]:
        result = self.execute(backend, workspace, command, cancel)
        return result.view(self.limits.wall_seconds), result.workspace
