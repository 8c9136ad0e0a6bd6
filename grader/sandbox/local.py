"""The local backend: bubblewrap, one host uid per live sandbox, rlimits, cgroups and seccomp.

Sandboxes are started ahead of demand (see :class:`ParkedSandboxes`), so a run pays for little more than
its own program (no ``preexec_fn`` anywhere - safe in a threaded worker):

1. parking, off the request path: a launcher (``/bin/sh`` reading one line) is started and moved into fresh
   memory/pids/cpuacct cgroups (joining a v1 cgroup costs a kernel RCU grace period), then told to ``exec``
   the chain below, so nothing of the sandbox ever runs outside its cgroups;
2. ``setpriv`` switches to the sandbox's own uid/gid (60000+n by default, held by a lock while the sandbox
   lives: RLIMIT_NPROC is counted per real uid, so each live sandbox needs its own uid for the process
   limit to mean anything), no supplementary groups, no inheritable capabilities, an empty bounding set;
3. unprivileged ``bwrap``, which unshares every namespace (user, pid, net, ipc, uts, cgroup, mount),
   forbids nested user namespaces, drops capabilities, clears the environment, mounts /usr and a few
   /etc files read-only, a size-capped tmpfs on /tmp (the only writable place besides a 1 MiB /dev/shm;
   /dev and the empty /usr/local are read-only), the run's directory read-only on /code (empty until the
   hand-over), remounts the root read-only and loads the seccomp deny-list before exec;
4. pid 1 of the namespace, a shell, says "ready" and waits on its stdin.

A run writes its files into the bound directory, sets the cgroup limits and sends pid 1 its script: the
``ulimit`` builtins (CPU seconds, file size, open files, no core dumps, processes - lowered from the
defaults, which is always allowed, and inherited by everything below) and the command. The rest of pid 1's
stdin is the program's stdin. The time limits count from that hand-over.

pid 1 runs the command as its child, reaps orphans (dash waits with waitpid(-1)) and exits with the
command's status (128+N for signal N); when it exits the kernel kills whatever is left (background
processes cannot outlive the run). It is not bwrap's own init (``--as-pid-1``): bwrap's monitor exits as soon
as that init reports the command's status, before the init is reaped, leaving zombies of the host's init
that pile up against the uid's RLIMIT_NPROC. The outer bwrap is our direct child: we reap it, and on timeout
we SIGKILL it (``--die-with-parent`` takes the namespace with it) and then kill anything still in the run's
cgroups. A sandbox is used once, then discarded.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import math
import os
import queue
import secrets
import selectors
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from . import seccomp
from .backend import SandboxBackend, decode_exit, stop_on_cancel, write_files
from .capture import CappedBuffer
from .cgroups import CgroupLayout, RunCgroups
from .languages import CODE_DIR, command_for, runtime_out_of_memory
from .types import SHM_BYTES, Limits, RunRequest, RunResult, SandboxError

SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
# Host /etc entries the runtimes need (Java finds itself through alternatives and reads its config).
ETC_ENTRIES = ("alternatives", "java-17-openjdk", "ld.so.cache", "localtime")
# Extra processes the pids cgroup must allow for bwrap itself (outer monitor + pid-1 reaper).
WRAPPER_PROCESSES = 3


class SlotPool:
    """Concurrent slots, each with its own uid. A slot is held with ``flock`` on a file in the state
    directory, so several worker processes on one host never share a uid either."""

    def __init__(self, state_dir: Path, slots: int) -> None:
        self.dir = state_dir / "slots"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.slots = slots

    @contextlib.contextmanager
    def acquire(self, timeout: float = 600.0):
        slot, fd = _lock_one(self.dir, "slot", self.slots, timeout, "no free sandbox slot")
        try:
            yield slot
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _lock_one(folder: Path, prefix: str, count: int, timeout: float, exhausted: str) -> tuple[int, int]:
    """(index, fd) of the first of ``count`` lock files in ``folder`` this call could ``flock``; waits for
    one to free up until ``timeout``, then raises SandboxError(``exhausted``)."""
    deadline = time.monotonic() + timeout
    while True:
        for index in range(count):
            fd = os.open(folder / f"{prefix}-{index}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return index, fd
        if time.monotonic() > deadline:
            raise SandboxError(exhausted)
        time.sleep(0.02)


class LocalBackend(SandboxBackend):
    """bubblewrap on this host. Options: ``slots`` (concurrent runs, and sandboxes kept parked), ``uid_base``
    and ``uids`` (each live sandbox, parked or running, holds one uid of ``uid_base .. uid_base+uids-1``),
    ``state_dir`` (slot and uid locks, run directories), ``use_cgroups``, ``use_seccomp``."""

    name = "local"

    def __init__(
        self,
        slots: int = 4,
        uid_base: int = 60000,
        state_dir: str = "/run/cr-sandbox",
        use_cgroups: bool = True,
        use_seccomp: bool = True,
        uids: int = 128,
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
        self.uid_pool = UidPool(self.state_dir, uid_base, max(uids, 2 * slots), enabled=self.is_root)
        self.sandboxes = ParkedSandboxes(self, slots)

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

    def _bwrap_args(self, code_dir: Path, uid: int, seccomp_fd: int | None, tmp_bytes: int) -> list[str]:
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
            "--size", str(tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp",
            "--ro-bind", str(code_dir), CODE_DIR,
            "--remount-ro", "/",
            "--chdir", CODE_DIR,
            "--clearenv",
            "--setenv", "PATH", SANDBOX_PATH, "--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp",
            "--setenv", "LANG", "C.UTF-8",
        ]
        if seccomp_fd is not None:
            args += ["--seccomp", str(seccomp_fd)]
        return [*args, "--"]

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
        with self.pool.acquire():
            parked = self.sandboxes.take(request.limits.tmp_bytes)
            try:
                write_files(parked.code_dir, request.files)
                if parked.cgroups is not None:
                    try:
                        parked.cgroups.set_limits(
                            request.limits.memory_bytes, request.limits.processes + WRAPPER_PROCESSES
                        )
                    except OSError as exc:
                        raise SandboxError(f"cannot set cgroup limits for the run: {exc}") from exc
                return self._run_parked(request, parked)
            finally:
                self.sandboxes.finish(parked)

    def _run_parked(self, request: RunRequest, parked: _Parked) -> RunResult:
        limits = request.limits
        cgroups = parked.cgroups
        command = command_for(request.language, request.entry, request.command, limits.memory_bytes)
        script = [
            *self._ulimit_lines(limits, cgroups),
            "set -- " + " ".join(shlex.quote(a) for a in command),
            # pid 1's own stderr goes to /dev/null (the command keeps the real one): no "Killed" of its own.
            'exec 3>&2 2>/dev/null; "$@" 2>&3 3>&-; exit $?',
        ]
        # The parked pid 1 reads these lines up to its terminator and evals them; the rest of its stdin is
        # the program's stdin.
        stdin = "\n".join([*script, parked.terminator, ""]).encode() + request.stdin
        cpu_before = cgroups.cpu_seconds() if cgroups is not None and "cpuacct" in cgroups.dirs else None
        started = time.monotonic()  # limits count from the hand-over, not from when the sandbox was parked
        out, err = CappedBuffer(limits.output_bytes), CappedBuffer(limits.output_bytes)
        with stop_on_cancel(request.cancel, lambda: _kill(parked.proc)) as cancelled:
            timed_out, flood, status, rusage = _supervise(parked.proc, stdin, out, err, started + limits.wall_seconds)
        wall = time.monotonic() - started
        if cgroups is not None:
            cgroups.kill_all()
        exit_code, sig = decode_exit(status)
        cpu = cgroups.cpu_seconds() if cpu_before is not None and cgroups is not None else None
        if cpu is not None and cpu_before is not None:
            cpu = max(0.0, cpu - cpu_before)
        elif rusage is not None:
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
        self.sandboxes.close()


class UidPool:
    """Host uids for sandboxes, one per live sandbox (parked or running), held with ``flock`` on a file in
    the state directory so several processes on one host never share one. RLIMIT_NPROC counts per real
    uid: a uid of its own is what makes a sandbox's process limit its own."""

    def __init__(self, state_dir: Path, base: int, count: int, enabled: bool) -> None:
        self.dir = state_dir / "uids"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.base, self.count, self.enabled = base, count, enabled

    @property
    def uids(self) -> range:
        return range(self.base, self.base + self.count)

    def acquire(self, timeout: float) -> tuple[int, int | None]:
        """(uid, lock fd); without root every sandbox runs as this process's uid and nothing is locked."""
        if not self.enabled:
            return os.getuid(), None
        index, fd = _lock_one(self.dir, "uid", self.count, timeout,
                              "no free sandbox uid: raise the local backend's uids option")
        return self.base + index, fd

    @staticmethod
    def release(fd: int | None) -> None:
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            with contextlib.suppress(OSError):
                os.close(fd)


@dataclass
class _Parked:
    proc: subprocess.Popen
    cgroups: RunCgroups | None
    code_dir: Path  # bound read-only on /code; empty until the hand-over writes the request's files
    uid: int
    uid_lock: int | None
    tmp_bytes: int
    terminator: str  # the line that ends the script pid 1 reads at hand-over


# The host-side launcher: started, moved into the run's cgroups, and only then told (one line) to exec the
# setpriv → bwrap chain, so nothing of the sandbox ever runs outside those cgroups.
LAUNCH_SCRIPT = 'IFS= read -r go || exit 111; exec "$@"'
# The sandbox's pid 1, parked: it reports "ready" (one byte on stdout), then reads the run's script up to the
# terminator line ($1) and evals it; EOF before that ends it.
PARKED_PID_1 = ("/bin/sh", "-c", 'printf R; s=; while IFS= read -r l; do if [ "$l" = "$1" ]; then eval "$s"; '
                'exit 111; fi; s="$s$l\n"; done; exit 111', "sh")
READY_TIMEOUT = 15.0


class ParkedSandboxes:
    """Whole sandboxes started ahead of demand: bubblewrap's namespaces, mounts, seccomp and uid switch are
    done and pid 1 waits on its stdin. A run only writes its files into the (already bound) code directory,
    sets the cgroup limits and hands pid 1 its script; setting a sandbox up is off the request path.

    Each sandbox is used once, then killed and discarded. They are parked per /tmp size (the one limit fixed
    when bubblewrap mounts the tmpfs); a size seen for the first time is started on demand.

    Parking runs on long-lived threads of this pool, never on a request's thread: bwrap's
    ``--die-with-parent`` is tied to the *thread* that started it, so a sandbox started from a thread that
    later exits would be killed with it.
    """

    def __init__(self, backend: LocalBackend, size: int, parkers: int = 2) -> None:
        self.backend = backend
        self.size = max(1, size)
        self.parkers = max(1, parkers)
        self._reset()
        # In a forked child (an RQ work horse) start afresh before any of its threads can touch the pool:
        # resetting lazily on first use raced between the child's first concurrent runs.
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: (pool := ref()) is not None and pool._reset())

    def _reset(self) -> None:
        # After a fork the child starts afresh: its parent's sandboxes, locks and threads are not its own
        # (their pipes and uid locks are shared with the parent, so they are dropped, never closed here).
        self._owner = os.getpid()
        self._cond = threading.Condition()
        self._ready: dict[int, collections.deque[_Parked]] = {}
        self._urgent: collections.deque[tuple[int, Future[_Parked]]] = collections.deque()
        self._refills: collections.deque[int] = collections.deque()
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._dirty: queue.SimpleQueue[_Parked | None] = queue.SimpleQueue()
        self._cleaner: threading.Thread | None = None

    # ----- the request side --------------------------------------------------------------------
    def take(self, tmp_bytes: int) -> _Parked:
        self._start_threads()
        while True:
            with self._cond:
                queue_ = self._ready.get(tmp_bytes)
                parked = queue_.popleft() if queue_ else None
                self._refills.append(tmp_bytes)
                self._cond.notify()
            if parked is None:
                return self._park_now(tmp_bytes)
            if _alive(parked.proc):
                return parked
            self.finish(parked)

    def _park_now(self, tmp_bytes: int) -> _Parked:
        """Ask a parker thread for a sandbox now (ahead of any refill) and wait for it; one retry, since a
        busy host may refuse a namespace once ("Resource temporarily unavailable")."""
        for attempt in (1, 2):
            future: Future[_Parked] = Future()
            with self._cond:
                if self._closed:
                    raise SandboxError("the sandbox backend is closed")
                self._urgent.append((tmp_bytes, future))
                self._cond.notify()
            try:
                return future.result()
            except SandboxError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def finish(self, parked: _Parked) -> None:
        """Hand a used (or dead) sandbox to the cleaner: the run's processes are already killed, and removing
        cgroups (a retry loop while the kernel lets go of them) and the directory need not delay the result."""
        if self._owner != os.getpid():
            return
        with self._cond:
            if self._cleaner is None or not self._cleaner.is_alive():
                self._cleaner = threading.Thread(target=self._clean_loop, name="cr-sandbox-cleaner", daemon=True)
                self._cleaner.start()
        self._dirty.put(parked)

    def _clean_loop(self) -> None:
        dirty = self._dirty
        while True:
            parked = dirty.get()
            if parked is None:
                return
            _dispose(parked)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            taken = [p for q in self._ready.values() for p in q]
            self._ready.clear()
            urgent = list(self._urgent)
            self._urgent.clear()
            self._cond.notify_all()
        for _key, future in urgent:
            future.set_exception(SandboxError("the sandbox backend is closed"))
        if self._owner == os.getpid():
            for parked in taken:
                _dispose(parked)
            self._dirty.put(None)

    # ----- the parker threads ------------------------------------------------------------------
    def _start_threads(self) -> None:
        if len(self._threads) >= self.parkers:
            return
        with self._cond:
            while len(self._threads) < self.parkers and not self._closed:
                thread = threading.Thread(target=self._park_loop, name="cr-sandbox-parker", daemon=True)
                self._threads.append(thread)
                thread.start()

    def _park_loop(self) -> None:
        owner = self._owner
        while True:
            with self._cond:
                while not (self._urgent or self._refills or self._closed):
                    self._cond.wait()
                if self._closed or owner != self._owner:
                    return
                future: Future[_Parked] | None = None
                if self._urgent:
                    tmp_bytes, future = self._urgent.popleft()
                else:
                    tmp_bytes = self._refills.popleft()
                    if len(self._ready.get(tmp_bytes, ())) >= self.size:
                        continue
            try:
                parked = self._park(tmp_bytes)
            except SandboxError as exc:
                if future is not None:
                    future.set_exception(exc)
                continue  # a failed refill: the next take parks on demand and reports the error
            if future is not None:
                future.set_result(parked)
                continue
            with self._cond:
                if not self._closed:
                    self._ready.setdefault(tmp_bytes, collections.deque()).append(parked)
                    parked = self._evict_locked(tmp_bytes)
            if parked is not None:
                _dispose(parked)

    def _evict_locked(self, keep: int) -> _Parked | None:
        """Cap what sits idle at twice the pool's size: a /tmp size no longer asked for gives way."""
        if sum(len(q) for q in self._ready.values()) <= 2 * self.size:
            return None
        for key, queue_ in self._ready.items():
            if key != keep and queue_:
                return queue_.popleft()
        return None

    def _park(self, tmp_bytes: int) -> _Parked:
        backend = self.backend
        uid, uid_lock = backend.uid_pool.acquire(timeout=60.0)
        code_dir = Path(tempfile.mkdtemp(prefix="cr-run-", dir=backend.runs_dir))
        code_dir.chmod(0o755)
        seccomp_fd = None
        pass_fds: tuple[int, ...] = ()
        if backend.use_seccomp:
            seccomp_fd = os.memfd_create("cr-seccomp")
            os.write(seccomp_fd, backend._seccomp_program)
            os.lseek(seccomp_fd, 0, os.SEEK_SET)
            pass_fds = (seccomp_fd,)
        terminator = f"cr-end-{secrets.token_hex(12)}"
        cgroups = None
        proc = None
        try:
            if backend.cgroups is not None and backend.cgroups.parents:
                cgroups = backend.cgroups.create(256 * 1024 * 1024, 64)
            argv = [*backend._setpriv_prefix(uid),
                    *backend._bwrap_args(code_dir, uid, seccomp_fd, tmp_bytes), *PARKED_PID_1, terminator]
            proc = subprocess.Popen(
                ["/bin/sh", "-c", LAUNCH_SCRIPT, "sh", *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}, cwd="/",
                pass_fds=pass_fds, start_new_session=True,
            )
            parked = _Parked(proc, cgroups, code_dir, uid, uid_lock, tmp_bytes, terminator)
            if cgroups is not None:
                cgroups.add(proc.pid)
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            proc.stdin.flush()
            _await_ready(proc, READY_TIMEOUT)
            return parked
        except (OSError, subprocess.SubprocessError, SandboxError) as exc:
            if proc is not None:
                _discard(_Parked(proc, cgroups, code_dir, uid, None, tmp_bytes, terminator))
            elif cgroups is not None:
                cgroups.remove()
            shutil.rmtree(code_dir, ignore_errors=True)
            UidPool.release(uid_lock)
            if isinstance(exc, SandboxError):
                raise
            raise SandboxError(f"cannot start a sandbox: {exc}") from exc
        finally:
            if seccomp_fd is not None:
                os.close(seccomp_fd)


def _dispose(parked: _Parked) -> None:
    """Kill what is left of a sandbox and free its cgroups, directory and uid."""
    _discard(parked)
    shutil.rmtree(parked.code_dir, ignore_errors=True)
    UidPool.release(parked.uid_lock)


def _await_ready(proc: subprocess.Popen, timeout: float) -> None:
    """Wait for pid 1's ready byte; if the sandbox died instead, raise with what bwrap said."""
    assert proc.stdout is not None and proc.stderr is not None
    fd = proc.stdout.fileno()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        if sel.select(timeout) and os.read(fd, 1) == b"R":
            return
    _kill(proc)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(proc.pid, 0)
    proc.returncode = -1
    os.set_blocking(proc.stderr.fileno(), False)
    try:
        said = os.read(proc.stderr.fileno(), 4096).decode("utf-8", "replace").strip()
    except OSError:
        said = ""
    raise SandboxError(f"the sandbox did not start: {said or 'no ready signal within the time limit'}")


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
        # Outputs are closed (or we gave up on them): wait for the launcher within the same deadline, woken by
        # its pidfd the moment it exits rather than by polling.
        rusage = None
        status = None
        with _exit_watch(proc.pid) as exited:
            while not (timed_out or flood):
                pid, raw, rusage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    status = _status(raw)
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    break
                exited(min(remaining, 0.5))
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


@contextlib.contextmanager
def _exit_watch(pid: int):
    """A function that waits up to N seconds for ``pid`` to exit (a pidfd where the kernel has them, else a
    short sleep)."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        yield lambda timeout: time.sleep(min(timeout, 0.005))
        return
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    try:
        yield lambda timeout: sel.select(timeout)
    finally:
        sel.close()
        os.close(fd)


def _status(raw: int) -> int:
    return -os.WTERMSIG(raw) if os.WIFSIGNALED(raw) else os.WEXITSTATUS(raw)
