"""The Docker backend (production): one throw-away container per run, driven through docker-py.

Each container gets ``network_mode='none'``, a memory limit with no extra swap, a pids limit, CPU-time,
file-size, open-file, core and message-queue ulimits, a read-only root, ``cap_drop=['ALL']``,
``no-new-privileges``, the engine's default seccomp profile, a non-root user, a size-capped tmpfs on /tmp
and a 1 MiB /dev/shm (the only writable places). The request's files arrive through a read-only bind
mount of a per-container directory (Docker refuses ``put_archive`` into a read-only root); stdin goes
through the attach socket. Output is read from that socket frame by frame and capped here, never through
``logs()`` (the log driver is ``none``, so a 100 MB flood never reaches the engine's disk). The
wall-clock deadline is ours: when it passes, the container is killed (docker-py's ``wait(timeout=...)``
raises a ``requests`` error rather than a timeout, so it is only used after the process has already
finished). When a run is stopped for time or output while it still runs, its pids cgroup is read from
this host (when the engine runs here) to tell a fork or thread bomb (``process_limit_hit``); after a
normal exit the engine removes the cgroup at once, so then it stays unknown (None).

Every container starts *parked*: its command (pid 1) is a tiny launcher, ``/bin/sh``, that blocks
reading one line from its attached stdin. A run writes the request's files and a run script
(``/code/.cr-run``: the request's ulimits, the program as the launcher's child, then an end mark carrying a
per-run nonce and the exit status on stdout and stderr) into the container's code directory, then sends
``go <nonce>`` and the program's stdin; the wall-clock deadline counts from that hand-over, and the run is
over when both end marks are in (or, if the container was killed, when the engine says it exited).
Creating, starting, stopping and removing a container (~250 ms of engine work here) are thus separable
from the run:

* Pre-started pool (``pool_size`` > 0; the worker passes ``CR_DOCKER_POOL_SIZE``): containers are created, attached
  and *started* ahead of demand on a background thread, each waiting for its program; a run takes one,
  uses it once, and it is removed afterwards (off the request path). If the owning process dies, its
  parked containers see EOF on stdin and exit (exit status 111); such leftovers are swept at start-up.
* Cold path: a container is created and started for the request, then handed over the same way.

Limits fixed at creation (memory, processes, /tmp size) must equal the pooled containers' (the defaults,
:class:`Limits`); CPU seconds, file size and open files may be lower, because the run script lowers
those ulimits (soft and hard) before ``exec``. Any other request takes the cold path.
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import queue
import secrets
import select
import shlex
import shutil
import socket
import struct
import threading
import time
import uuid
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .backend import SandboxBackend, decode_exit, stop_on_cancel
from .capture import CappedBuffer
from .cgroups import pids_limit_hit_of
from .languages import CODE_DIR, command_for, runtime_out_of_memory
from .types import SHM_BYTES, Limits, RunRequest, RunResult, SandboxError

DEFAULT_URL = "unix:///run/cr-docker/docker.sock"
DEFAULT_IMAGE = "coderesidency-sandbox:bookworm"
LAUNCHER = ".cr-run"
LABEL = "coderesidency.sandbox"
PARKED_EXIT = 111
# The parked command: wait for one line on stdin, "go <nonce>" (dash reads a pipe byte by byte, so nothing
# past the line is consumed: the rest is the program's stdin), then source the run script. EOF before that
# line (the owner went away) ends the container.
PARK_SCRIPT = f"read -r go nonce || exit {PARKED_EXIT}; . {CODE_DIR}/{LAUNCHER}"
# Written by the launcher on stdout and on stderr once the program has ended: END_MARK, the run's nonce, its
# exit status and the container's OOM-kill count ("-" when its memory cgroup is not readable). Each stream is
# ordered, so all the program's output precedes its mark; the run is over when both marks are in, without
# waiting for the engine to tear the container down (~40 ms) and answer a wait and an inspect.
END_MARK = b"\x1eCR-END "
# Exited containers older than this with our label belong to a process that died: swept at start-up.
STALE_SECONDS = 600.0


def _docker():
    import docker  # imported lazily: the local backend must work without the SDK's engine

    return docker


@dataclass
class _Parked:
    """A started container waiting for its program on ``sock``; used once, then removed."""

    container: Any
    code_dir: Path
    attach: Any  # docker-py's socket wrapper: kept so the connection is not garbage-collected
    sock: socket.socket
    key: tuple[int, ...]  # _container_key of the limits it was created with
    owner: int  # pid that started it: a forked child must not use its parent's connections


class DockerBackend(SandboxBackend):
    name = "docker"

    def __init__(
        self,
        base_url: str | None = None,
        image: str = DEFAULT_IMAGE,
        user: str = "65000:65000",
        run_dir: str = "/run/cr-sandbox/docker-runs",
        host_run_dir: str | None = None,
        pool_size: int = 0,
        cpus: float = 1.0,
    ) -> None:
        docker = _docker()
        self.base_url = base_url or os.environ.get("DOCKER_HOST") or DEFAULT_URL
        try:
            self.client = docker.DockerClient(base_url=self.base_url, timeout=60)
        except docker.errors.DockerException as exc:  # the client asks the engine its API version at once
            raise SandboxError(f"Docker engine not reachable at {self.base_url}: {exc}") from exc
        self.image = image
        self.user = user
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o711)
        # Where the engine sees run_dir (differs when this process itself runs in a container).
        self.host_run_dir = Path(host_run_dir) if host_run_dir else self.run_dir
        self.cpus = cpus
        if pool_size < 0:
            raise ValueError("pool_size must be >= 0")
        self.pool_size = pool_size
        self._pool: queue.Queue[_Parked] = queue.Queue()
        self._pool_key = _container_key(Limits())
        self._lock = threading.Lock()
        self._refilling = False
        self._closed = False
        self._trash: queue.Queue[_Parked | None] = queue.Queue()
        self._remover: threading.Thread | None = None
        self.reused = 0  # runs served by a pre-started container (for tests and benches)
        self._sweep()
        _close_at_exit(self)

    # ----- host checks -------------------------------------------------------------------------
    def check(self) -> list[str]:
        docker = _docker()
        try:
            self.client.ping()
        except Exception as exc:  # noqa: BLE001 - any failure means the same to an operator
            return [f"Docker engine not reachable at {self.base_url}: {exc}"]
        try:
            self.client.images.get(self.image)
        except docker.errors.ImageNotFound:
            return [f"sandbox image {self.image} is missing (build it: sandbox/build-rootfs-image.sh or "
                    "docker build -f sandbox/Dockerfile)"]
        problems = []
        smoke = self.run(RunRequest("python", {}, command=("/bin/sh", "-c", "id -u; echo ok"),
                                    limits=Limits(wall_seconds=30)))
        if smoke.exit_code != 0 or "ok" not in smoke.stdout:
            problems.append(f"docker smoke test failed (exit {smoke.exit_code}): {smoke.stderr.strip()}")
        elif smoke.stdout.split()[0] == "0":
            problems.append("sandboxed code ran as root in the container")
        return problems

    # ----- containers ----------------------------------------------------------------------------
    def _container_config(self, limits: Limits, code_dir: Path) -> dict[str, Any]:
        docker = _docker()
        host_code = self.host_run_dir / code_dir.relative_to(self.run_dir)
        cpu = math.ceil(limits.cpu_seconds)
        return dict(
            image=self.image,
            command=["/bin/sh", "-c", PARK_SCRIPT],
            user=self.user,
            working_dir=CODE_DIR,
            hostname="sandbox",
            environment={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp",
                         "LANG": "C.UTF-8"},
            network_mode="none",
            mem_limit=limits.memory_bytes,
            memswap_limit=limits.memory_bytes,
            pids_limit=limits.processes + 1,  # + the launcher
            nano_cpus=int(self.cpus * 1e9),
            # Hard ceilings; the run script lowers CPU, file size and open files to the request's values.
            ulimits=[
                # SIGXCPU at the limit (reported as a timeout), SIGKILL a second later if it is caught
                docker.types.Ulimit(name="cpu", soft=cpu, hard=cpu + 1),
                docker.types.Ulimit(name="fsize", soft=limits.file_bytes, hard=limits.file_bytes),
                docker.types.Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
                docker.types.Ulimit(name="core", soft=0, hard=0),
                # no POSIX message queues: /dev/mqueue would otherwise be one more writable mount
                docker.types.Ulimit(name="msgqueue", soft=0, hard=0),
            ],
            read_only=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            ipc_mode="private",
            # No docker-init: the launcher is pid 1. It runs the program as its child and reaps orphans while
            # it waits (dash waits with waitpid(-1)); as the namespace's init it ignores every signal sent from
            # inside, so a program's kill(-1) or kill(getppid()) cannot silence its end mark; and the program is
            # not pid 1, so signals it sends itself act normally. When the launcher exits, the kernel ends
            # whatever the program left running.
            tmpfs={"/tmp": f"rw,nosuid,nodev,noexec,size={limits.tmp_bytes},mode=1777"},
            shm_size=SHM_BYTES,  # Docker's default /dev/shm is a writable 64 MB
            volumes={str(host_code): {"bind": CODE_DIR, "mode": "ro"}},
            stdin_open=True,
            detach=False,  # with stdin_open this makes docker-py set StdinOnce: EOF on our half-close
            log_config=docker.types.LogConfig(type="none"),
            labels={LABEL: "1"},
        )

    def _new_code_dir(self) -> Path:
        path = self.run_dir / f"run-{uuid.uuid4().hex[:16]}"
        path.mkdir(mode=0o755)
        path.chmod(0o755)
        return path

    def _start(self, limits: Limits) -> _Parked:
        """Create, attach and start a container; it then waits for its program (see PARK_SCRIPT)."""
        code_dir = self._new_code_dir()
        container = None
        try:
            container = self.client.containers.create(**self._container_config(limits, code_dir))
            # Attached before start, so nothing the launcher might print is missed.
            attach = self.client.api.attach_socket(
                container.id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
            parked = _Parked(container, code_dir, attach, attach._sock, _container_key(limits), os.getpid())
            container.start()
            return parked
        except Exception as exc:
            if container is not None:
                with contextlib.suppress(Exception):
                    container.remove(force=True)
            shutil.rmtree(code_dir, ignore_errors=True)
            raise SandboxError(f"cannot start a sandbox container: {exc}") from exc

    def _take(self, limits: Limits) -> _Parked:
        """A started container for ``limits``: a parked one if it fits, else a new one (the cold path). The
        pool is refilled after the run (see :meth:`run`), so the run does not share the CPU with the
        engine starting its replacement."""
        if self.pool_size and _fits(self._pool_key, limits):
            while True:
                try:
                    parked = self._pool.get_nowait()
                except queue.Empty:
                    break
                if parked.owner == os.getpid() and _still_waiting(parked.sock):
                    self.reused += 1
                    return parked
                self._discard(parked)  # exited while parked (engine restart, kill), or a parent's
        return self._start(limits)

    def _refill_async(self) -> None:
        with self._lock:
            if self._refilling or self._closed:
                return
            self._refilling = True

        def refill() -> None:
            try:
                while not self._closed and self._pool.qsize() < self.pool_size:
                    self._pool.put(self._start(Limits()))
            except SandboxError:
                pass  # the next run starts its own container and reports the engine's error
            finally:
                with self._lock:
                    self._refilling = False
            if self._closed:
                self._drain_pool()

        threading.Thread(target=refill, name="cr-sandbox-pool", daemon=True).start()

    def warm(self) -> None:
        """Fill the pool now (blocking): every container started and waiting for its program."""
        while self.pool_size and self._pool.qsize() < self.pool_size:
            self._pool.put(self._start(Limits()))

    def _discard(self, parked: _Parked) -> None:
        """Remove a used (or unusable) container and its code directory on the remover thread."""
        with contextlib.suppress(OSError):
            parked.sock.close()
        with contextlib.suppress(Exception):
            parked.attach.close()
        self._trash.put(parked)
        with self._lock:
            if self._remover is None or not self._remover.is_alive():
                self._remover = threading.Thread(target=self._remove_loop, name="cr-sandbox-remove", daemon=True)
                self._remover.start()

    def _remove_loop(self) -> None:
        while True:
            try:
                parked = self._trash.get(timeout=5)
            except queue.Empty:
                with self._lock:
                    if self._trash.empty():
                        self._remover = None
                        return
                continue
            try:
                if parked is not None:
                    with contextlib.suppress(Exception):
                        parked.container.remove(force=True)
                    shutil.rmtree(parked.code_dir, ignore_errors=True)
            finally:
                self._trash.task_done()

    def _drain_pool(self) -> None:
        while True:
            try:
                parked = self._pool.get_nowait()
            except queue.Empty:
                return
            if parked.owner == os.getpid():
                self._discard(parked)

    def _sweep(self) -> None:
        """Remove our containers left behind by processes that died (exited long ago, or never started)."""
        now = datetime.now(UTC)
        with contextlib.suppress(Exception):
            for status in ("exited", "created"):
                for container in self.client.containers.list(all=True, filters={"label": LABEL, "status": status}):
                    state = container.attrs.get("State", {})
                    stamp = state.get("FinishedAt") if status == "exited" else container.attrs.get("Created")
                    with contextlib.suppress(Exception):
                        if (now - _parse_ts(stamp)).total_seconds() > STALE_SECONDS:
                            container.remove(force=True)

    def close(self, wait: float = 30.0) -> None:
        """Remove the parked containers and wait (up to ``wait`` seconds) for pending removals."""
        self._closed = True
        self._drain_pool()
        deadline = time.monotonic() + wait
        while self._trash.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)

    # ----- one run -----------------------------------------------------------------------------
    def run(self, request: RunRequest) -> RunResult:
        limits = request.limits
        parked = self._take(limits)
        try:
            code_dir = parked.code_dir
            for name, text in request.files.items():
                target = code_dir / name
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
                target.write_text(text, encoding="utf-8")
                target.chmod(0o644)
            argv = command_for(request.language, request.entry, request.command, limits.memory_bytes)
            launcher = code_dir / LAUNCHER
            launcher.write_text(_run_script(limits, argv))
            launcher.chmod(0o644)
            return self._hand_over(parked, request)
        finally:
            self._discard(parked)
            if self.pool_size:
                self._refill_async()

    def _hand_over(self, parked: _Parked, request: RunRequest) -> RunResult:
        limits = request.limits
        container, sock = parked.container, parked.sock
        out, err = CappedBuffer(limits.output_bytes), CappedBuffer(limits.output_bytes)
        # A fresh nonce per run, known only to us and to the launcher's shell: the program cannot end its own
        # run early by printing a mark (it can only report what it could do anyway: exit with any status).
        nonce = secrets.token_hex(16)
        mark = END_MARK + nonce.encode() + b" "
        streams = {1: _Stream(out, mark), 2: _Stream(err, mark)}
        started = time.monotonic()  # every time limit counts from here, however long the container waited
        deadline = started + limits.wall_seconds
        hand_over = f"go {nonce}\n".encode() + request.stdin
        writer = threading.Thread(target=_send_stdin, args=(sock, hand_over), daemon=True)
        writer.start()
        with stop_on_cancel(request.cancel, container.kill) as cancelled:
            timed_out, flood = _read_frames(sock, streams, deadline)
        wall = time.monotonic() - started
        status = None
        marked = streams[1].status if streams[1].status == streams[2].status else None
        oom_kills = streams[1].oom_kills if marked is not None else None
        if marked is not None and not (timed_out or flood):
            status = {"StatusCode": marked}
            if oom_kills is None:  # the launcher could not read its cgroup: ask the engine once it exited
                with contextlib.suppress(Exception):
                    container.wait(timeout=10)
        elif not (timed_out or flood):  # no marks (the container was killed, say): the engine's word
            remaining = max(0.5, deadline - time.monotonic())
            try:
                status = container.wait(timeout=remaining)
            except Exception:  # requests' ReadTimeout/ConnectionError: the program outlived the deadline
                timed_out = True
        process_limit_hit = None
        if timed_out or flood:
            # Still running, so its cgroup still exists: did it hit the pids limit (a fork or thread bomb)?
            # Readable when the engine runs on this host; after a normal exit the cgroup is gone at once.
            process_limit_hit = _pids_limit_hit(container)
            with contextlib.suppress(Exception):
                container.kill()
            with contextlib.suppress(Exception):
                status = container.wait(timeout=10)
            wall = time.monotonic() - started
        code = int((status or {}).get("StatusCode", -1))
        # Any process of the run killed for memory (not only the program itself) makes the run "memory", as on
        # the local backend: the launcher's count, else the engine's record.
        oom = bool(oom_kills)
        if oom_kills is None:
            with contextlib.suppress(Exception):
                container.reload()
                oom = bool(container.attrs.get("State", {}).get("OOMKilled"))
        exit_code, sig = decode_exit(code)
        if sig == 24:  # SIGXCPU: the CPU-seconds ulimit fired
            timed_out = True
        stderr = err.text()
        oom = oom or runtime_out_of_memory(request.language, exit_code, stderr)
        return RunResult(
            stdout=out.text(), stderr=stderr, exit_code=None if (timed_out or flood) else exit_code,
            signal=sig, timed_out=timed_out, out_of_memory=oom and not timed_out,
            stdout_truncated=out.truncated, stderr_truncated=err.truncated, output_limit_exceeded=flood,
            process_limit_hit=process_limit_hit,
            wall_seconds=round(wall, 4), cpu_seconds=None, backend=self.name, cancelled=cancelled.is_set(),
        )


def _close_at_exit(backend: DockerBackend) -> None:
    """Remove parked containers when the interpreter exits normally (weakly: a closed backend may go)."""
    ref = weakref.ref(backend)

    def close() -> None:
        live = ref()
        if live is not None and not live._closed:
            live.close(wait=5.0)

    atexit.register(close)


def _run_script(limits: Limits, argv: tuple[str, ...] | list[str]) -> str:
    """Sourced by the parked launcher: the request's ulimits, never above the container's own ceilings, then
    the program as its child, then the end mark with the program's status (128+N for signal N) and the
    container's OOM-kill count (cgroup v1 memory.oom_control or v2 memory.events, read with builtins only) on
    both streams, and the launcher (pid 1) exits with that status: the kernel ends whatever the program left
    running. dash sets soft and hard limits together unless told (-S before -H: a hard limit
    below the soft one is refused); -f counts 512-byte blocks."""
    cpu = math.ceil(limits.cpu_seconds)
    ulimits = (f"ulimit -St {cpu} && ulimit -Ht {cpu + 1} && ulimit -f {max(1, limits.file_bytes // 512)} && "
               f"ulimit -n {limits.open_files} && ulimit -c 0 || exit 125")
    mark = "\\036" + END_MARK[1:].decode() + "%s %s %s\\n"
    oom = ("k=-\nfor f in /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events; do\n"
           '  [ -r "$f" ] && while read -r n v; do [ "$n" = oom_kill ] && k=$v; done < "$f"\ndone\n')
    return (f"{ulimits}\n{' '.join(shlex.quote(a) for a in argv)}\ns=$?\n{oom}"
            f"printf '{mark}' \"$nonce\" \"$s\" \"$k\"\nprintf '{mark}' \"$nonce\" \"$s\" \"$k\" >&2\n"
            'exit "$s"\n')


def _still_waiting(sock: socket.socket) -> bool:
    """A parked container writes nothing: a readable socket means it ended (EOF) or misbehaved."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def _pids_limit_hit(container: Any) -> bool | None:
    with contextlib.suppress(Exception):
        container.reload()
        pid = container.attrs.get("State", {}).get("Pid")
        if pid:
            return pids_limit_hit_of(int(pid), expect=container.id)
    return None


def _container_key(limits: Limits) -> tuple[int, ...]:
    """The limits baked into a container at creation; wall time and output caps are enforced by us."""
    return (limits.memory_bytes, limits.processes, limits.tmp_bytes, math.ceil(limits.cpu_seconds),
            limits.file_bytes, limits.open_files)


def _fits(key: tuple[int, ...], limits: Limits) -> bool:
    """Can a container created with ``key`` run ``limits``? Memory, processes and /tmp size must be equal
    (cgroup and tmpfs sizes are fixed at creation); CPU, file size and open files may only go down (the run
    script lowers them; it cannot raise a hard limit)."""
    want = _container_key(limits)
    return want[:3] == key[:3] and all(w <= k for w, k in zip(want[3:], key[3:], strict=True))


def _send_stdin(sock: socket.socket, data: bytes) -> None:
    """Write stdin, then half-close so the container sees EOF (the container was created stdin_once)."""
    with contextlib.suppress(OSError):
        if data:
            sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)


class _Stream:
    """One output stream of a run: capped, with the launcher's end mark (and anything after it) cut out.
    The last few bytes are held back until more arrive, so a mark split across frames is still found."""

    def __init__(self, buf: CappedBuffer, mark: bytes) -> None:
        self.buf = buf
        self.mark = mark
        self.keep = len(mark) + 32  # the mark, an exit status, an OOM-kill count and the newline
        self.carry = b""
        self.status: int | None = None
        self.oom_kills: int | None = None

    def feed(self, data: bytes) -> None:
        if self.status is not None:
            return  # written after the launcher's mark: a leftover background process, not the program's run
        data = self.carry + data
        at = data.find(self.mark)
        if at >= 0:
            end = data.find(b"\n", at)
            fields = data[at + len(self.mark):end].split(b" ") if end >= 0 else []
            if len(fields) == 2 and fields[0].isdigit() and (fields[1].isdigit() or fields[1] == b"-"):
                self.buf.feed(data[:at])
                self.carry, self.status = b"", int(fields[0])
                self.oom_kills = int(fields[1]) if fields[1].isdigit() else None
                return
            if end < 0 and len(data) - at < self.keep:
                self.buf.feed(data[:at])
                self.carry = data[at:]
                return
        cut = max(0, len(data) - self.keep)
        self.buf.feed(data[:cut])
        self.carry = data[cut:]

    def flush(self) -> None:
        self.buf.feed(self.carry)
        self.carry = b""


def _read_frames(sock: socket.socket, streams: dict[int, _Stream], deadline: float) -> tuple[bool, bool]:
    """Demultiplex Docker's attach stream (8-byte headers: stream id, size) until both end marks are in, EOF
    or the deadline. Returns (timed_out, flood)."""
    pending = b""
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True, False
            ready, _, _ = select.select([sock], [], [], min(remaining, 0.5))
            if not ready:
                continue
            try:
                data = sock.recv(65536)
            except OSError:
                return False, False
            if not data:
                return False, False
            pending += data
            while len(pending) >= 8:
                stream, size = struct.unpack(">BxxxL", pending[:8])
                if len(pending) < 8 + size:
                    break
                target = streams.get(stream)
                if target is not None:
                    target.feed(pending[8:8 + size])
                    if target.buf.flooding:
                        return False, True
                pending = pending[8 + size:]
            if all(s.status is not None for s in streams.values()):
                return False, False
    finally:
        for target in streams.values():
            if target.status is None:
                target.flush()


def _parse_ts(text: str) -> datetime:
    # Docker writes RFC 3339 with nanoseconds; datetime takes at most microseconds.
    head, _, frac = text.rstrip("Z").partition(".")
    frac = "".join(ch for ch in frac if ch.isdigit())
    return datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}").replace(tzinfo=UTC)
