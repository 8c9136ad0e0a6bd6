"""Per-run cgroups for the local backend: memory and pids limits, OOM detection, CPU accounting, kill.

Works on cgroup v1 (one hierarchy per controller, as on this host) and on cgroup v2 when the controllers
are delegated to our own cgroup. Everything is best-effort: ``Cgroups.probe()`` says what is missing and
the backend reports it from ``check()`` instead of failing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PARENT_NAME = "cr-sandbox"


def _self_paths() -> dict[str, str]:
    """controller -> our cgroup path, from /proc/self/cgroup ('' key = the v2 unified hierarchy)."""
    paths: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for ctl in controllers.split(",") if controllers else [""]:
                paths[ctl] = path
    return paths


def _writable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK)


@dataclass
class CgroupLayout:
    """Where per-run cgroups are created: controller -> parent directory (ours, plus 'cr-sandbox')."""

    version: int
    parents: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def probe(cls) -> CgroupLayout:
        paths = _self_paths()
        if (ROOT / "cgroup.controllers").exists():
            return cls._probe_v2(paths.get("", "/"))
        layout = cls(version=1)
        for ctl in ("memory", "pids", "cpuacct"):
            base = ROOT / ctl / paths.get(ctl, "/").lstrip("/")
            if not _writable_dir(base):
                layout.problems.append(f"cgroup v1 {ctl} controller not writable at {base}")
                continue
            parent = base / PARENT_NAME
            try:
                parent.mkdir(exist_ok=True)
            except OSError as exc:
                layout.problems.append(f"cannot create cgroup {parent}: {exc}")
                continue
            layout.parents[ctl] = parent
        return layout

    @classmethod
    def _probe_v2(cls, own: str) -> CgroupLayout:
        layout = cls(version=2)
        base = ROOT / own.lstrip("/")
        parent = base / PARENT_NAME
        try:
            parent.mkdir(exist_ok=True)
            wanted = {"memory", "pids", "cpu"}
            available = set((parent / "cgroup.controllers").read_text().split())
            missing = wanted - available
            if missing:
                layout.problems.append(
                    f"cgroup v2 controllers {sorted(missing)} are not delegated to {base} "
                    "(enable them in its cgroup.subtree_control)"
                )
            (parent / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted & available))
            layout.parents = {c: parent for c in wanted & available}
        except OSError as exc:
            layout.problems.append(f"cgroup v2 at {base} is not usable: {exc}")
        return layout

    def sweep(self) -> None:
        """Remove run cgroups left behind by a worker that died. Run cgroups are named after the process
        that made them (``run-<pid>-<random>``); only those of processes that no longer exist go, so a
        concurrent worker's fresh, still-empty cgroup is never touched."""
        for parent in set(self.parents.values()):
            for child in parent.glob("run-*"):
                owner = child.name.split("-")[1]
                if owner.isdigit() and not Path(f"/proc/{owner}").exists():
                    with contextlib.suppress(OSError):
                        child.rmdir()

    def create(self, memory_bytes: int, processes: int) -> RunCgroups:
        return RunCgroups.create(self, memory_bytes, processes)


class RunCgroups:
    """The cgroups of one run. ``procs_files`` are what the launcher writes its pid into before exec."""

    def __init__(self, layout: CgroupLayout, dirs: dict[str, Path]) -> None:
        self.layout = layout
        self.dirs = dirs

    @classmethod
    def create(cls, layout: CgroupLayout, memory_bytes: int, processes: int) -> RunCgroups:
        name = f"run-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        dirs: dict[str, Path] = {}
        for ctl, parent in layout.parents.items():
            path = parent / name
            if path not in dirs.values():
                path.mkdir()
            dirs[ctl] = path
        run = cls(layout, dirs)
        try:
            run.set_limits(memory_bytes, processes)
        except OSError:
            run.remove()
            raise
        return run

    def set_limits(self, memory_bytes: int, processes: int) -> None:
        mem, pids = self.dirs.get("memory"), self.dirs.get("pids")
        if self.layout.version == 1:
            if mem is not None:
                (mem / "memory.limit_in_bytes").write_text(str(memory_bytes))
                swap = mem / "memory.memsw.limit_in_bytes"
                if swap.exists():
                    swap.write_text(str(memory_bytes))
            if pids is not None:
                (pids / "pids.max").write_text(str(processes))
        else:
            if mem is not None:
                (mem / "memory.max").write_text(str(memory_bytes))
                with contextlib.suppress(OSError):
                    (mem / "memory.swap.max").write_text("0")
            if pids is not None:
                (pids / "pids.max").write_text(str(processes))

    @property
    def procs_files(self) -> list[str]:
        return sorted({str(d / "cgroup.procs") for d in self.dirs.values()})

    def _read(self, ctl: str, name: str) -> str | None:
        path = self.dirs.get(ctl)
        if path is None:
            return None
        try:
            return (path / name).read_text()
        except OSError:
            return None

    def oom_killed(self) -> bool:
        text = self._read("memory", "memory.oom_control" if self.layout.version == 1 else "memory.events")
        for line in (text or "").splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip() not in ("", "0"):
                return True
        return False

    def pids_limit_hit(self) -> bool | None:
        text = self._read("pids", "pids.events")
        if text is None:
            return None
        return any(line.split()[:1] == ["max"] and line.split()[1] != "0" for line in text.splitlines())

    def memory_limit_hit(self) -> bool:
        if self.layout.version == 1:
            return (self._read("memory", "memory.failcnt") or "0").strip() != "0"
        return self.oom_killed()

    def cpu_seconds(self) -> float | None:
        if self.layout.version == 1:
            usage = self._read("cpuacct", "cpuacct.usage")
            return int(usage) / 1e9 if usage else None
        for line in (self._read("cpu", "cpu.stat") or "").splitlines():
            if line.startswith("usage_usec "):
                return int(line.split()[1]) / 1e6
        return None

    def add(self, pid: int) -> None:
        for procs in self.procs_files:
            with open(procs, "w") as f:
                f.write(str(pid))

    def pids(self) -> list[int]:
        found: set[int] = set()
        for procs in self.procs_files:
            with contextlib.suppress(OSError):
                found.update(int(p) for p in Path(procs).read_text().split())
        return sorted(found)

    def kill_all(self, attempts: int = 50) -> None:
        """SIGKILL everything still in the run's cgroups (a fork racing the kill is caught on the next pass)."""
        for attempt in range(attempts):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.001 if attempt < 10 else 0.01)  # exiting tasks usually leave within a millisecond

    def remove(self) -> None:
        for path in sorted(set(self.dirs.values()), reverse=True):
            for _ in range(100):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.002)


def pids_limit_hit_of(pid: int, expect: str) -> bool | None:
    """Whether the pids cgroup of another process (e.g. a container's init, seen from the host) has refused
    a fork. Only a cgroup whose path contains ``expect`` (the container's id) counts: in another pid
    namespace the same pid is some other process. None when that cannot be read here: the process is
    gone, or lives on another host or in another pid or cgroup namespace."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if (controllers and "pids" not in controllers.split(",")) or expect not in path:
            continue
        base = ROOT / path.lstrip("/") if not controllers else ROOT / "pids" / path.lstrip("/")
        try:
            text = (base / "pids.events").read_text()
        except OSError:
            continue
        return any(line.split()[:1] == ["max"] and line.split()[1] != "0" for line in text.splitlines())
    return None
