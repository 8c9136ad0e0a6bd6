"""The local backend: bubblewrap, one host uid per concurrent slot, rlimits, cgroups and seccomp.

How a run is started (no ``preexec_fn`` - safe in a threaded worker):

1. a launcher (``/bin/sh`` reading one line) was parked ahead of time inside fresh memory/pids/cpuacct
   cgroups (see :class:`LauncherPool`: joining a v1 cgroup costs a kernel RCU grace period, so it is
   done before the request arrives). The run sets the cgroup limits and sends the launcher the path of
   a root-owned script (outside /code) that ``exec``s the chain below; the rest of its stdin is the
   program's stdin;
2. ``setpriv`` switches to the slot's uid/gid (60000+slot by default), no supplementary groups, no
   inheritable capabilities, an empty bounding set. RLIMIT_NPROC is counted per real uid, so each
   concurrent slot needs its own uid for the process limit to mean anything (root ignores it);
   before that, the launcher's own ``ulimit`` builtins set the rlimits (CPU seconds, file size, open
   files, no core dumps, processes), inherited by everything below;
3. unprivileged ``bwrap``, which unshares every namespace (user, pid, net, ipc, uts, cgroup, mount),
   forbids nested user namespaces, drops capabilities, clears the environment, mounts /usr and a few
   /etc files read-only, a size-capped tmpfs on /tmp (the only writable place besides a 1 MiB /dev/shm;
   /dev and the empty /usr/local are read-only), the request's files read-only on /code, remounts the
   root read-only and loads the seccomp deny-list before exec.

Inside the pid namespace a shell is pid 1 (see :data:`PID_1`): it runs the command, reaps orphans, and when
it exits the kernel kills whatever is left (background processes cannot outlive the run); the outer bwrap
waits for it and reaps it, so no run leaves a zombie behind on the host. The outer bwrap is our direct
child: we reap it, and on timeout we SIGKILL it (``--die-with-parent`` takes the namespace's init with
it) and then kill anything still in the run's cgroups.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import queue
import selectors
import shlex
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import seccomp
from .backend import SandboxBackend, decode_exit, run_directory, stop_on_cancel
from .capture import CappedBuffer
from .cgroups import CgroupLayout, RunCgroups
from .languages import CODE_DIR, command_for, runtime_out_of_memory
from .types import SHM_BYTES, Limits, RunRequest, RunResult, SandboxError

SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
# Host /etc entries the runtimes need (Java finds itself through alternatives and reads its config).
ETC_ENTRIES = ("alternatives", "java-17-openjdk", "ld.so.cache", "localtime")
# Extra processes the pids cgroup must allow for bwrap itself (outer monitor + pid-1 reaper).
WRAPPER_PROCESSES = 3
# The namespace's pid 1: a shell that runs the command as its child, reaps orphans while it waits (dash
# waits with waitpid(-1)) and exits with the command's status (128+N for signal N). Not bwrap's own init
# (--as-pid-1): bwrap's outer monitor exits as soon as that init reports the command's status, before the
# init itself is reaped, leaving it a zombie of the host's init; where that init reaps slowly, the zombies
# pile up against the slot uid's RLIMIT_NPROC until bwrap cannot start ("Creating new namespace failed").
# With the shell as pid 1 the monitor waits for it and reaps it. The command is not pid 1, so signals it
# sends itself act normally; "; exit $?" keeps dash from exec'ing it in place, and the shell's own stderr
# goes to /dev/null (the command keeps the real one) so it adds no "Killed" of its own to the output.
PID_1 = ("/bin/sh", "-c", 'exec 3>&2 2>/dev/null; "$@" 2>&3 3>&-; exit $?', "sh")


class SlotPool:
    """Concurrent slots, each with its own uid. A slot is held with ``flock`` on a file in the state
    directory, so several worker processes on one host never share a uid either."""

    def __init__(self, state_dir: Path, slots: int) -> None:
        self.dir = state_dir / "slots"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.slots = slots

    @contextlib.contextmanager
    def acquire(self, timeout: float = 600.0):
        deadline = time.monotonic() + timeout
        while True:
            for slot in range(self.slots):
                fd = os.open(self.dir / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                try:
                    yield slot
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
                return
            if time.monotonic() > deadline:
                raise SandboxError("no free sandbox slot")
            time.sleep(0.02)


class LocalBackend(SandboxBackend):
    """bubblewrap on this host. Options: ``slots`` (concurrent runs), ``uid_base`` (slot uid = base +
    slot), ``state_dir`` (slot locks, run directories), ``use_cgroups``, ``use_seccomp``."""

    name = "local"

    def __init__(
        self,
        slots: int = 4,
        uid_base: int = 60000,
        state_dir: str = "/run/cr-sandbox",
        use_cgroups: bool = True,
        use_seccomp: bool = True,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.chmod(0o755)
        self.runs_dir = self.state_dir / "runs"
        self.runs_dir.mkdir(exist_ok=True)
        self.runs_dir.chmod(0o711)
        self.uid_base = uid_base
        self.pool = SlotPool(self.state_dir, slots)
        self.bwrap = shutil.which("bwrap")
        self.is_root = os.geteuid() == 0
        self.cgroups = CgroupLayout.probe() if (use_cgroups and self.is_root) else None
        if self.cgroups is not None:
            self.cgroups.sweep()
        self.use_seccomp = use_seccomp and seccomp.supported()
        self._seccomp_program = seccomp.deny_list_program() if self.use_seccomp else b""
        self._etc_dirs: dict[int, Path] = {}
        self.setpriv = shutil.which("setpriv")
        self.launchers = LauncherPool(self, slots)

    # ----- host checks -------------------------------------------------------------------------
    def check(self) -> list[str]:
        problems: list[str] = []
        if not self.bwrap:
            return ["bubblewrap is not installed (apt-get install bubblewrap): the local sandbox cannot run"]
        if self.is_root and not self.setpriv:
            return ["setpriv (util-linux) is missing: cannot switch to the per-slot uid"]
        if not self.is_root:
            problems.append(
                "not running as root: every slot shares this uid, so the 50-process limit is shared and "
                "cgroup memory/pids limits are not applied"
            )
        if self.cgroups is None and self.is_root:
            problems.append("cgroups disabled by configuration: no memory or pids limit, no OOM detection")
        elif self.cgroups is not None:
            problems.extend(self.cgroups.problems)
            for ctl in ("memory", "pids"):
                if ctl not in self.cgroups.parents:
                    problems.append(f"no {ctl} cgroup: that limit is not enforced")
        if not self.use_seccomp:
            problems.append("seccomp deny-list not in use (disabled or not x86-64)")
        try:
            smoke = self.run(
                RunRequest("python", {}, command=("/bin/sh", "-c", "id -u; echo ok"),
                           limits=Limits(wall_seconds=20))
            )
            if smoke.exit_code != 0 or "ok" not in smoke.stdout:
                problems.append(f"bubblewrap smoke test failed (exit {smoke.exit_code}): {smoke.stderr.strip()}")
            elif self.is_root and smoke.stdout.split()[0] == "0":
                problems.append("sandboxed code ran as uid 0")
        except (SandboxError, OSError) as exc:
            problems.append(f"bubblewrap smoke test failed: {exc}")
        return problems

    # ----- one run -----------------------------------------------------------------------------
    def _etc_for(self, uid: int) -> Path:
        """A passwd/group pair naming the slot user, so tools that look the uid up do not fail."""
        path = self._etc_dirs.get(uid)
        if path is None:
            path = self.state_dir / f"etc-{uid}"
            path.mkdir(exist_ok=True)
            path.chmod(0o755)
            (path / "passwd").write_text(f"sandbox:x:{uid}:{uid}:sandbox:/tmp:/usr/sbin/nologin\n")
            (path / "group").write_text(f"sandbox:x:{uid}:\n")
            for name in ("passwd", "group"):
                (path / name).chmod(0o644)
            self._etc_dirs[uid] = path
        return path

    def _bwrap_args(self, request: RunRequest, code_dir: Path, uid: int, seccomp_fd: int | None) -> list[str]:
        limits = request.limits
        args = [
            self.bwrap or "bwrap",
            "--unshare-all", "--unshare-user", "--disable-userns", "--as-pid-1",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr",
        ]
        if Path("/usr/local").is_dir():
            # host-local tools and configuration stay out of sight: an empty, read-only directory
            args += ["--perms", "0755", "--tmpfs", "/usr/local", "--remount-ro", "/usr/local"]
        for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            host = Path("/") / top
            if host.is_symlink():
                args += ["--symlink", os.readlink(host), f"/{top}"]
            elif host.is_dir():
                args += ["--ro-bind", str(host), f"/{top}"]
        for entry in ETC_ENTRIES:
            if Path("/etc", entry).exists():
                args += ["--ro-bind", f"/etc/{entry}", f"/etc/{entry}"]
        etc = self._etc_for(uid)
        args += ["--ro-bind", str(etc / "passwd"), "/etc/passwd", "--ro-bind", str(etc / "group"), "/etc/group"]
        args += [
            # bwrap's /dev is a tmpfs the sandbox user owns (its /dev/shm a plain directory in it): make it
            # read-only, with a tiny tmpfs of its own on /dev/shm for POSIX semaphores.
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(SHM_BYTES), "--perms", "1777", "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
            "--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp",
            "--ro-bind", str(code_dir), CODE_DIR,
            "--remount-ro", "/",
            "--chdir", CODE_DIR,
            "--clearenv",
            "--setenv", "PATH", SANDBOX_PATH, "--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp",
            "--setenv", "LANG", "C.UTF-8",
        ]
        if seccomp_fd is not None:
            args += ["--seccomp", str(seccomp_fd)]
        command = command_for(request.language, request.entry, request.command, request.limits.memory_bytes)
        return [*args, "--", *PID_1, *command]

    def _ulimit_lines(self, limits: Limits, cgroups: RunCgroups | None) -> list[str]:
        """dash's ``ulimit`` builtins, run by the launcher before it execs: no extra process. dash sets
        soft and hard limits together; -f counts 512-byte blocks."""
        # RLIMIT_NPROC sits a little above pids.max, so the cgroup (which records the refusal) is hit first.
        nproc = limits.processes + WRAPPER_PROCESSES + (8 if cgroups and "pids" in cgroups.dirs else 0)
        return [
            "ulimit -c 0",
            f"ulimit -t {math.ceil(limits.cpu_seconds)}",
            f"ulimit -f {max(1, limits.file_bytes // 512)}",
            f"ulimit -n {limits.open_files}",
            f"ulimit -p {nproc}",
        ]

    def run(self, request: RunRequest) -> RunResult:
        if not self.bwrap:
            raise SandboxError("bubblewrap is not installed (apt-get install bubblewrap)")
        with self.pool.acquire() as slot, run_directory(request.files, str(self.runs_dir)) as code_dir:
            uid = self.uid_base + slot if self.is_root else os.getuid()
            parked = self.launchers.take()
            script = code_dir.with_name(code_dir.name + ".sh")  # next to /code, never inside it
            try:
                if parked.cgroups is not None:
                    try:
                        parked.cgroups.set_limits(
                            request.limits.memory_bytes, request.limits.processes + WRAPPER_PROCESSES
                        )
                    except OSError as exc:
                        raise SandboxError(f"cannot set cgroup limits for the run: {exc}") from exc
                return self._run_parked(request, code_dir, uid, parked, script)
            finally:
                if parked.cgroups is not None:
                    parked.cgroups.kill_all()
                    parked.cgroups.remove()
                script.unlink(missing_ok=True)

    def _run_parked(self, request: RunRequest, code_dir: Path, uid: int, parked: _Parked, script: Path) -> RunResult:
        limits = request.limits
        cgroups = parked.cgroups
        argv = [*self._setpriv_prefix(uid), *self._bwrap_args(request, code_dir, uid, parked.seccomp_fd)]
        lines = [*self._ulimit_lines(limits, cgroups), "exec " + " ".join(shlex.quote(a) for a in argv)]
        script.write_text("\n".join(lines) + "\n")
        script.chmod(0o600)
        started = time.monotonic()
        out, err = CappedBuffer(limits.output_bytes), CappedBuffer(limits.output_bytes)
        # The parked shell reads the script's path (one line), sources it and execs the chain; everything
        # after that line on its stdin is the program's stdin.
        stdin = str(script).encode() + b"\n" + request.stdin
        with stop_on_cancel(request.cancel, lambda: _kill(parked.proc)) as cancelled:
            timed_out, flood, status, rusage = _supervise(parked.proc, stdin, out, err, started + limits.wall_seconds)
        wall = time.monotonic() - started
        if cgroups is not None:
            cgroups.kill_all()
        exit_code, sig = decode_exit(status)
        cpu = cgroups.cpu_seconds() if cgroups is not None and "cpuacct" in cgroups.dirs else None
        if cpu is None and rusage is not None:
            cpu = rusage.ru_utime + rusage.ru_stime
        oom = bool(cgroups and cgroups.oom_killed()) or (
            sig == signal.SIGKILL and bool(cgroups and cgroups.memory_limit_hit())
        )
        if sig == signal.SIGXCPU:  # the CPU-seconds rlimit fired: a time limit, reported as such
            timed_out = True
        stderr = err.text()
        oom = oom or runtime_out_of_memory(request.language, exit_code, stderr)
        return RunResult(
            stdout=out.text(), stderr=stderr, exit_code=None if (timed_out or flood) else exit_code,
            signal=sig, timed_out=timed_out, out_of_memory=oom and not timed_out,
            stdout_truncated=out.truncated, stderr_truncated=err.truncated, output_limit_exceeded=flood,
            process_limit_hit=cgroups.pids_limit_hit() if cgroups is not None else None,
            wall_seconds=round(wall, 4), cpu_seconds=None if cpu is None else round(cpu, 4), backend=self.name,
            cancelled=cancelled.is_set(),
        )

    def _setpriv_prefix(self, uid: int) -> list[str]:
        if not self.is_root:
            return []
        return [self.setpriv or "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all"]

    def close(self) -> None:
        self.launchers.close()


@dataclass
class _Parked:
    proc: subprocess.Popen
    cgroups: RunCgroups | None
    seccomp_fd: int | None  # the fd number inside the parked shell
    owner: int  # pid that parked it: a forked worker must not use its parent's children


# Read one line (the path of a root-owned script outside /code), source it; it ends in ``exec``.
PARK_SCRIPT = 'IFS= read -r script || exit 111; . "$script"'


class LauncherPool:
    """Launchers parked ahead of time, each already inside its own fresh cgroups.

    Joining a cgroup v1 costs a kernel RCU grace period (10-20 ms here), as much as a Python start-up.
    So a tiny ``/bin/sh`` is started and moved into new memory/pids/cpuacct cgroups *before* a request
    arrives; a run only sets the limits (cheap writes) and hands it the command. Everything the run
    starts is born inside those cgroups, so nothing ever runs unconfined. Replacements are parked on a
    background thread.
    """

    def __init__(self, backend: LocalBackend, size: int) -> None:
        self.backend = backend
        self.size = max(1, size)
        self._ready: queue.Queue[_Parked] = queue.Queue()
        self._lock = threading.Lock()
        self._refilling = False
        self._closed = False

    def take(self) -> _Parked:
        while True:
            try:
                parked = self._ready.get_nowait()
            except queue.Empty:
                parked = self._spawn()
            else:
                if parked.owner != os.getpid():  # inherited across fork: not ours to use or reap
                    self._drain()
                    continue
                if not _alive(parked.proc):
                    _discard(parked)
                    continue
            self._refill_async()
            return parked

    def _spawn(self) -> _Parked:
        backend = self.backend
        seccomp_fd = None
        pass_fds: tuple[int, ...] = ()
        if backend.use_seccomp:
            seccomp_fd = os.memfd_create("cr-seccomp")
            os.write(seccomp_fd, backend._seccomp_program)
            os.lseek(seccomp_fd, 0, os.SEEK_SET)
            pass_fds = (seccomp_fd,)
        cgroups = None
        try:
            if backend.cgroups is not None and backend.cgroups.parents:
                cgroups = backend.cgroups.create(256 * 1024 * 1024, 64)
            proc = subprocess.Popen(
                ["/bin/sh", "-c", PARK_SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}, cwd="/",
                pass_fds=pass_fds, start_new_session=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            if cgroups is not None:
                cgroups.remove()
            raise SandboxError(f"cannot start a sandbox launcher: {exc}") from exc
        finally:
            if seccomp_fd is not None:
                os.close(seccomp_fd)
        parked = _Parked(proc, cgroups, seccomp_fd, os.getpid())
        if cgroups is not None:
            try:
                cgroups.add(proc.pid)
            except OSError as exc:
                _discard(parked)
                raise SandboxError(f"cannot move the sandbox launcher into its cgroups: {exc}") from exc
        return parked

    def _refill_async(self) -> None:
        with self._lock:
            if self._refilling or self._closed:
                return
            self._refilling = True

        def refill() -> None:
            try:
                while not self._closed and self._ready.qsize() < self.size:
                    self._ready.put(self._spawn())
            except SandboxError:
                pass  # the next take() spawns synchronously and reports the error
            finally:
                with self._lock:
                    self._refilling = False
            if self._closed:
                self.close()

        threading.Thread(target=refill, name="cr-sandbox-launchers", daemon=True).start()

    def _drain(self) -> list[_Parked]:
        """Take every parked launcher out of the pool."""
        taken = []
        while True:
            try:
                taken.append(self._ready.get_nowait())
            except queue.Empty:
                return taken

    def close(self) -> None:
        self._closed = True
        for parked in self._drain():
            if parked.owner == os.getpid():
                _discard(parked)


def _alive(proc: subprocess.Popen) -> bool:
    try:
        pid, _ = os.waitpid(proc.pid, os.WNOHANG)
    except ChildProcessError:
        return False
    if pid:
        proc.returncode = -1  # reaped here; nothing else may wait for it
        return False
    return True


def _discard(parked: _Parked) -> None:
    for stream in (parked.proc.stdin, parked.proc.stdout, parked.proc.stderr):
        with contextlib.suppress(OSError):
            stream.close()
    with contextlib.suppress(ProcessLookupError):
        os.kill(parked.proc.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(parked.proc.pid, 0)
    parked.proc.returncode = -1
    if parked.cgroups is not None:
        parked.cgroups.kill_all()
        parked.cgroups.remove()


def _kill(proc: subprocess.Popen) -> None:
    # os.kill, not proc.kill(): Popen polls (and so reaps) first, which would steal our wait4 status.
    for kill, target in ((os.killpg, proc.pid), (os.kill, proc.pid)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(target, signal.SIGKILL)


def _supervise(
    proc: subprocess.Popen, stdin: bytes, out: CappedBuffer, err: CappedBuffer, deadline: float
) -> tuple[bool, bool, int, os.struct_rusage | None]:
    """Feed stdin, drain and cap both outputs, enforce the wall deadline, then reap the launcher.

    Returns (timed_out, output_flood, wait status as Popen reports it, rusage of the reaped tree).
    """
    assert proc.stdin and proc.stdout and proc.stderr
    timed_out = flood = False
    sel = selectors.DefaultSelector()
    buffers = {proc.stdout.fileno(): out, proc.stderr.fileno(): err}
    for fd in buffers:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    pending = memoryview(stdin)
    in_fd = proc.stdin.fileno()
    if pending:
        os.set_blocking(in_fd, False)
        sel.register(in_fd, selectors.EVENT_WRITE)
    else:
        proc.stdin.close()
    try:
        while sel.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            for key, _ in sel.select(timeout=min(remaining, 0.5)):
                fd = key.fd
                if fd == in_fd:
                    try:
                        written = os.write(fd, pending[:65536])
                        pending = pending[written:]
                    except (BrokenPipeError, BlockingIOError) as exc:
                        if isinstance(exc, BlockingIOError):
                            continue
                        pending = pending[:0]
                    if not pending:
                        sel.unregister(fd)
                        proc.stdin.close()
                    continue
                try:
                    data = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                if not data:
                    sel.unregister(fd)
                    continue
                buf = buffers[fd]
                buf.feed(data)
                if buf.flooding:
                    flood = True
            if flood:
                break
        # Outputs are closed (or we gave up on them): wait for the launcher within the same deadline.
        rusage = None
        status = None
        while not (timed_out or flood):
            pid, raw, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = _status(raw)
                break
            if time.monotonic() >= deadline:
                timed_out = True
                break
            time.sleep(0.005)
        if status is None:
            _kill(proc)
            _pid, raw, rusage = os.wait4(proc.pid, 0)
            status = _status(raw)
        proc.returncode = status
        return timed_out, flood, status, rusage
    finally:
        sel.close()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            with contextlib.suppress(OSError):
                f.close()


def _status(raw: int) -> int:
    return -os.WTERMSIG(raw) if os.WIFSIGNALED(raw) else os.WEXITSTATUS(raw)
