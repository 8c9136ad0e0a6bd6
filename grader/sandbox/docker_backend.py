"""The Docker backend (production): one throw-away container per run, driven through docker-py.

Each container gets ``network_mode='none'``, a memory limit with no extra swap, a pids limit, CPU-time,
file-size, open-file, core and message-queue ulimits, a read-only root, ``cap_drop=['ALL']``,
``no-new-privileges``, a non-root user, a size-capped tmpfs on /tmp and a 1 MiB /dev/shm (the only
writable places). The request's files arrive through a read-only bind mount (Docker refuses
``put_archive`` into a read-only root); stdin goes through the attach socket.
Output is read from that socket frame by frame and capped here, never through ``logs()`` (the log
driver is ``none``, so a 100 MB flood never reaches the engine's disk). The wall-clock deadline is
ours: when it passes, the container is killed (docker-py's ``wait(timeout=...)`` raises a ``requests``
error rather than a timeout, so it is only used after the process has already finished). When a run is
stopped for time or output while it still runs, its pids cgroup is read from this host (when the engine
runs here) to tell a fork or thread bomb (``process_limit_hit``); after a normal exit the engine removes
the cgroup at once, so then it stays unknown (None).

Warm pool (``pool_size`` > 0): containers for the default container-level limits (memory, processes,
CPU, file size, open files, tmpfs; wall time and output caps are ours) are created ahead of time with a
per-container code directory and a fixed launcher (``/code/.cr-run``); a run fills the directory and
starts one, saving the create round trip. Other limits use a freshly created container.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import select
import shlex
import shutil
import socket
import struct
import threading
import time
import uuid
from datetime import datetime
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


def _docker():
    import docker  # imported lazily: the local backend must work without the SDK's engine

    return docker


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
        self.pool_size = pool_size
        self._pool: queue.Queue[tuple[Any, Path]] = queue.Queue()
        self._pool_lock = threading.Lock()
        self._closed = False

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
            command=["/bin/sh", f"{CODE_DIR}/{LAUNCHER}"],
            user=self.user,
            working_dir=CODE_DIR,
            hostname="sandbox",
            environment={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp",
                         "LANG": "C.UTF-8"},
            network_mode="none",
            mem_limit=limits.memory_bytes,
            memswap_limit=limits.memory_bytes,
            pids_limit=limits.processes + 1,
            nano_cpus=int(self.cpus * 1e9),
            ulimits=[
                docker.types.Ulimit(name="cpu", soft=cpu, hard=cpu),
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
            init=True,  # docker-init as pid 1 reaps orphans; the program is not pid 1, so signals act normally
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

    def _create(self, limits: Limits) -> tuple[Any, Path]:
        code_dir = self._new_code_dir()
        try:
            return self.client.containers.create(**self._container_config(limits, code_dir)), code_dir
        except Exception as exc:
            shutil.rmtree(code_dir, ignore_errors=True)
            raise SandboxError(f"cannot create a sandbox container: {exc}") from exc

    def _take(self, limits: Limits) -> tuple[Any, Path]:
        if self.pool_size and _container_key(limits) == _container_key(Limits()):
            with contextlib.suppress(queue.Empty):
                item = self._pool.get_nowait()
                self._refill_async()
                return item
            self._refill_async()
        return self._create(limits)

    def _refill_async(self) -> None:
        def refill() -> None:
            with self._pool_lock:
                while not self._closed and self._pool.qsize() < self.pool_size:
                    try:
                        self._pool.put(self._create(Limits()))
                    except SandboxError:
                        return

        threading.Thread(target=refill, name="cr-sandbox-pool", daemon=True).start()

    def warm(self) -> None:
        """Fill the warm pool now (blocking)."""
        while self.pool_size and self._pool.qsize() < self.pool_size:
            self._pool.put(self._create(Limits()))

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                container, code_dir = self._pool.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(Exception):
                container.remove(force=True)
            shutil.rmtree(code_dir, ignore_errors=True)

    # ----- one run -----------------------------------------------------------------------------
    def run(self, request: RunRequest) -> RunResult:
        limits = request.limits
        container, code_dir = self._take(limits)
        try:
            for name, text in request.files.items():
                target = code_dir / name
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
                target.write_text(text, encoding="utf-8")
                target.chmod(0o644)
            argv = command_for(request.language, request.entry, request.command, limits.memory_bytes)
            launcher = code_dir / LAUNCHER
            launcher.write_text("exec " + " ".join(shlex.quote(a) for a in argv) + "\n")
            launcher.chmod(0o644)
            return self._run_container(container, request)
        finally:
            with contextlib.suppress(Exception):
                container.remove(force=True)
            shutil.rmtree(code_dir, ignore_errors=True)

    def _run_container(self, container: Any, request: RunRequest) -> RunResult:
        limits = request.limits
        out, err = CappedBuffer(limits.output_bytes), CappedBuffer(limits.output_bytes)
        try:
            attach = self.client.api.attach_socket(
                container.id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
            sock: socket.socket = attach._sock
            container.start()
        except Exception as exc:
            raise SandboxError(f"cannot start the sandbox container: {exc}") from exc
        started = time.monotonic()
        deadline = started + limits.wall_seconds
        writer = threading.Thread(target=_send_stdin, args=(sock, request.stdin), daemon=True)
        writer.start()
        with stop_on_cancel(request.cancel, container.kill) as cancelled:
            timed_out, flood = _read_frames(sock, out, err, deadline)
        with contextlib.suppress(OSError):
            sock.close()
        with contextlib.suppress(Exception):
            attach.close()
        status = None
        if not (timed_out or flood):
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
                container.wait(timeout=10)
        wall = time.monotonic() - started
        state: dict[str, Any] = {}
        with contextlib.suppress(Exception):
            container.reload()
            state = container.attrs.get("State", {})
        wall = _state_wall(state) or wall
        code = state.get("ExitCode", (status or {}).get("StatusCode", -1))
        exit_code, sig = decode_exit(int(code))
        if sig == 24:  # SIGXCPU: the CPU-seconds ulimit fired
            timed_out = True
        stderr = err.text()
        oom = bool(state.get("OOMKilled")) or runtime_out_of_memory(request.language, exit_code, stderr)
        return RunResult(
            stdout=out.text(), stderr=stderr, exit_code=None if (timed_out or flood) else exit_code,
            signal=sig, timed_out=timed_out, out_of_memory=oom and not timed_out,
            stdout_truncated=out.truncated, stderr_truncated=err.truncated, output_limit_exceeded=flood,
            process_limit_hit=process_limit_hit,
            wall_seconds=round(wall, 4), cpu_seconds=None, backend=self.name, cancelled=cancelled.is_set(),
        )


def _pids_limit_hit(container: Any) -> bool | None:
    with contextlib.suppress(Exception):
        container.reload()
        pid = container.attrs.get("State", {}).get("Pid")
        if pid:
            return pids_limit_hit_of(int(pid), expect=container.id)
    return None


def _container_key(limits: Limits) -> tuple:
    """The limits baked into a container at creation; wall time and output caps are enforced by us."""
    return (limits.memory_bytes, limits.processes, math.ceil(limits.cpu_seconds), limits.file_bytes,
            limits.open_files, limits.tmp_bytes)


def _send_stdin(sock: socket.socket, data: bytes) -> None:
    """Write stdin, then half-close so the container sees EOF (the container was created stdin_once)."""
    with contextlib.suppress(OSError):
        if data:
            sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)


def _read_frames(sock: socket.socket, out: CappedBuffer, err: CappedBuffer, deadline: float) -> tuple[bool, bool]:
    """Demultiplex Docker's attach stream (8-byte headers: stream id, size) until EOF or the deadline."""
    buffers = {1: out, 2: err}
    pending = b""
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
            buf = buffers.get(stream)
            if buf is not None:
                buf.feed(pending[8:8 + size])
                if buf.flooding:
                    return False, True
            pending = pending[8 + size:]


def _state_wall(state: dict[str, Any]) -> float | None:
    """Run time from the engine's own StartedAt/FinishedAt (excludes our API round trips)."""
    try:
        start = _parse_ts(state["StartedAt"])
        end = _parse_ts(state["FinishedAt"])
    except (KeyError, ValueError):
        return None
    seconds = (end - start).total_seconds()
    return seconds if seconds >= 0 else None


def _parse_ts(text: str) -> datetime:
    # Docker writes RFC 3339 with nanoseconds; datetime takes at most microseconds.
    head, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}")
