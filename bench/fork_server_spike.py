"""What a fork-server sandbox would cost per run: a measurement of a design option, not a sandbox.

    sudo .venv/bin/python bench/fork_server_spike.py [--runs 200]

The throughput targets of issue 17 (graded submissions through RQ >= 25/s per core, a burst of 1,000 in 30 s)
are bound by the CPU a run costs: today every run is a fresh interpreter in a freshly parked bubblewrap sandbox.
This measures, in one run, the CPU per Python ``print`` run (this process plus every child it reaped) of:

  * bare:   the sandbox's own Python command started with subprocess, as ``bench/sandbox_overhead.py`` measures
            it (the baseline);
  * local:  the product's local backend (bubblewrap, parked sandboxes, parking included);
  * spike:  a warm interpreter that forks a child per run; the child enters new mount, PID, IPC, UTS and network
            namespaces (a second fork makes the run PID 1 of its namespace), mounts a private tmpfs as its working
            folder, lowers its rlimits, drops to an unprivileged uid and runs the code compiled in-process.

The spike lacks what a real backend of that design would still need: a read-only view of the file system (it runs
on the host's), a seccomp filter, per-run cgroup limits, a fresh random seed per child and the hardening of the
warm parent itself (its own sandbox, nothing secret ever loaded into it). Read its figure as a floor. It needs
CAP_SYS_ADMIN (root), as mounting and entering namespaces do.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sandbox_overhead import cpu_per_run, spent  # noqa: E402
from grader.sandbox import get_backend  # noqa: E402

SOURCE = "print('hello')\n"
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_REC, MS_PRIVATE = 1 << 14, 1 << 18
NOBODY = 65534
libc = ctypes.CDLL(None, use_errno=True)


def _checked(result: int, what: str) -> None:
    if result != 0:
        raise OSError(ctypes.get_errno(), f"{what}: {os.strerror(ctypes.get_errno())}")


def _run_in_child(source: str, workdir: str) -> None:
    """In the forked child: isolate, then run ``source``; never returns."""
    try:
        _checked(libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET), "unshare")
        _checked(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
        pid = os.fork()  # the first child of a new PID namespace is its PID 1
        if pid:
            _, status = os.waitpid(pid, 0)
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
        _checked(libc.mount(b"tmpfs", workdir.encode(), b"tmpfs", 0, b"size=16m,mode=1777"), "mount tmpfs")
        os.chdir(workdir)
        for limit, value in ((resource.RLIMIT_NPROC, 64), (resource.RLIMIT_FSIZE, 1 << 24),
                             (resource.RLIMIT_CPU, 5), (resource.RLIMIT_NOFILE, 64)):
            resource.setrlimit(limit, (value, value))
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        exec(compile(source, "main.py", "exec"), {"__name__": "__main__"})  # noqa: S102 - the point of the spike
        sys.stdout.flush()
        os._exit(0)
    except BaseException as exc:  # noqa: BLE001 - a child must never return into the parent's loop
        os.write(2, f"spike child: {exc}\n".encode())
        os._exit(70)


def fork_run(workdir: str) -> bytes:
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.dup2(write_end, 1)
        _run_in_child(SOURCE, workdir)
    os.close(write_end)
    out = b""
    while chunk := os.read(read_end, 4096):
        out += chunk
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the spike's child failed (exit {os.waitstatus_to_exitcode(status)})")
    return out


def per_run(run: Callable[[], object], runs: int) -> float:
    run()
    before = spent()
    for _ in range(runs):
        run()
    return (spent() - before) / runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("needs root (CAP_SYS_ADMIN): the spike enters namespaces and mounts a tmpfs")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        workdir = os.path.join(tmp, "work")
        os.mkdir(workdir)
        assert fork_run(workdir) == b"hello\n"
        cpu_spike = per_run(lambda: fork_run(workdir), args.runs)
    others = max(20, args.runs // 5)
    cpu_bare, cpu_local = cpu_per_run(get_backend("local", slots=2), others)
    print(f"CPU per Python run, every process counted ({args.runs} runs of the spike, {others} bare and local)")
    print(f"  bare python3 (baseline)                   {cpu_bare * 1000:6.2f} ms  1.00x")
    print(f"  local backend (bubblewrap, parked)        {cpu_local * 1000:6.2f} ms  {cpu_local / cpu_bare:4.2f}x")
    print(f"  spike: warm interpreter, fork per run     {cpu_spike * 1000:6.2f} ms  {cpu_spike / cpu_bare:4.2f}x"
          "  (a floor: no read-only root, seccomp or cgroup limits)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
