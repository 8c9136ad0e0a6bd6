"""Bad input gets a clear error before anything runs; result comparison; local-only hardening."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from grader.sandbox import (
    InvalidRequest,
    Limits,
    RunRequest,
    TestCase,
    get_backend,
    run_program,
    run_tests,
    values_equal,
)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(language="cobol", files={"a": ""}, entry="a"), "unknown language"),
        (dict(language="python", files={"../evil.py": ""}, entry="../evil.py"), "unsafe file name"),
        (dict(language="python", files={"/etc/passwd": ""}, entry="/etc/passwd"), "unsafe file name"),
        (dict(language="python", files={".cr-run": ""}, entry=".cr-run"), "unsafe file name"),
        (dict(language="python", files={"a.py": ""}), "exactly one of entry or command"),
        (dict(language="python", files={"a.py": ""}, entry="a.py", command=["ls"]), "exactly one"),
        (dict(language="python", files={"a.py": ""}, entry="b.py"), "is not one of the files"),
        (dict(language="python", files={"a.py": "x" * 600_000}, entry="a.py"), "larger than"),
        (dict(language="python", files={}, command="ls -l"), "non-empty list"),
        (dict(language="python", files={"a.py": b"bytes"}, entry="a.py"), "must be text"),
    ],
)
def test_bad_run_requests_are_rejected_with_a_clear_error(kwargs, message):
    with pytest.raises(InvalidRequest, match=message):
        RunRequest(**kwargs)


def test_limits_out_of_range_are_rejected():
    with pytest.raises(InvalidRequest, match="memory_bytes"):
        Limits(memory_bytes=1)
    with pytest.raises(InvalidRequest, match="wall_seconds, processes"):
        Limits(wall_seconds=0, processes=0)
    assert Limits().to_dict()["memory_bytes"] == 256 * 1024 * 1024


def test_bad_test_definitions_are_rejected():
    with pytest.raises(InvalidRequest, match="args must be a list"):
        TestCase("1, 2", 3)
    with pytest.raises(InvalidRequest, match="JSON"):
        TestCase([object()], 3)
    with pytest.raises(InvalidRequest, match="needs args and expected"):
        TestCase.from_dict({"args": [1]})
    with pytest.raises(InvalidRequest, match="identifier"):
        run_tests(None, "python", "", "os.system('x')", [])  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match="unknown sandbox backend"):
        get_backend("vm")
    with pytest.raises(InvalidRequest, match="entry point"):
        run_program(None, "python", {"a.py": "", "b.py": ""})  # type: ignore[arg-type]


def test_values_equal_is_strict_about_types_and_tolerant_about_floats():
    assert values_equal([1, [2.0000000001, "x"]], [1, [2.0, "x"]])
    assert not values_equal(True, 1) and not values_equal(1, True)
    assert not values_equal("1", 1)
    assert values_equal(2, 2.0)
    assert not values_equal(0.1, 0.2)
    assert values_equal(0.1, 0.11, tolerance=0.05)
    assert values_equal(math.nan, math.nan)
    assert not values_equal({"a": 1}, {"a": 1, "b": 2})
    assert not values_equal([1, 2], [1, 2, 3])
    assert not values_equal(None, 0)


def test_hidden_case_dict_never_carries_inputs():
    case = TestCase.from_dict({"args": [5], "expected": 6, "hidden": True, "name": "h"})
    assert case.hidden and case.args == [5]


def test_local_backend_check_says_what_is_missing(local_backend, monkeypatch):
    problems = local_backend.check()
    assert all(isinstance(p, str) and p for p in problems)
    assert not any("smoke test" in p or "uid 0" in p for p in problems), problems
    monkeypatch.setattr(local_backend, "bwrap", None)
    assert local_backend.check() == [
        "bubblewrap is not installed (apt-get install bubblewrap): the local sandbox cannot run"
    ]


def test_local_seccomp_and_namespaces_block_kernel_surface(local_backend):
    """ptrace, mount, unshare and keyrings are refused inside the local sandbox."""
    source = (
        "import ctypes, errno, os, json\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "out = {}\n"
        "for name, call in [('ptrace', lambda: libc.ptrace(16, 1, 0, 0)),\n"
        "                   ('mount', lambda: libc.mount(b'none', b'/tmp', b'tmpfs', 0, None)),\n"
        "                   ('unshare', lambda: libc.unshare(0x10000000)),\n"
        "                   ('keyctl', lambda: libc.syscall(250, 0, 0, 0, 0, 0))]:\n"
        "    rc = call()\n"
        "    out[name] = (rc, errno.errorcode.get(ctypes.get_errno()))\n"
        "print(json.dumps(out))\n"
    )
    result = run_program(local_backend, "python", source)
    calls = json.loads(result.stdout)
    for name, (rc, err) in calls.items():
        assert rc == -1 and err == "EPERM", (name, rc, err)


def test_each_concurrent_slot_has_its_own_uid(local_backend):
    import time
    from concurrent.futures import ThreadPoolExecutor

    def uid(sleep: float) -> tuple[int, float, float]:
        started = time.monotonic()
        result = run_program(local_backend, "python", f"import os, time\ntime.sleep({sleep})\nprint(os.getuid())")
        return int(result.stdout), started, time.monotonic()

    # The two runs must overlap to hold two slots at once; on a loaded machine one may finish before the other
    # starts, so try again with longer runs until they do.
    for sleep in (0.3, 1.0, 3.0):
        with ThreadPoolExecutor(max_workers=2) as pool:
            (uid_a, start_a, end_a), (uid_b, start_b, end_b) = pool.map(uid, (sleep, sleep))
        if max(start_a, start_b) + 0.2 < min(end_a, end_b):
            break
    assert uid_a != uid_b and min(uid_a, uid_b) >= 60000


def test_ensure_ready_passes_here_and_names_what_is_missing(local_backend, monkeypatch):
    from grader.sandbox import SandboxError, ensure_ready

    assert isinstance(ensure_ready(local_backend), list)
    monkeypatch.setattr(local_backend, "bwrap", None)
    with pytest.raises(SandboxError, match="local sandbox cannot run code on this host: bubblewrap is not installed"):
        ensure_ready(local_backend)


@pytest.mark.docker
def test_docker_warm_pool_runs_requests(docker_backend):
    """A pooled container (created ahead, default limits) runs a request exactly like a fresh one."""
    from conftest import DOCKER_URL

    from grader.sandbox import get_backend

    pooled = get_backend("docker", base_url=DOCKER_URL, pool_size=1)
    try:
        pooled.warm()
        assert pooled._pool.qsize() == 1
        result = run_program(pooled, "python", "import os\nprint(os.getuid(), input())", stdin="pooled\n")
        assert result.stdout == "65000 pooled\n", result
        report = run_tests(pooled, "python", "def f(x):\n    return -x\n", "f", [TestCase([3], -3)])
        assert report.all_passed, report.to_dict()  # harness runs (bigger output cap) use the pool too
        custom = run_program(pooled, "python", "print('fresh')", limits=Limits(memory_bytes=64 * 1024 * 1024))
        assert custom.stdout == "fresh\n"
    finally:
        pooled.close()


def test_run_examples_refuses_hidden_cases_and_runs_visible_ones(local_backend):
    from grader.sandbox import run_examples

    with pytest.raises(InvalidRequest, match="visible cases only"):
        run_examples(local_backend, "python", "def f(x):\n    return x\n", "f", [TestCase([1], 1, hidden=True)])
    report = run_examples(local_backend, "python", "def f(x):\n    return x * 2\n", "f",
                          [{"args": [2], "expected": 4}, {"args": [3], "expected": 7}])
    assert [c.status for c in report.cases] == ["passed", "wrong_answer"]
    assert report.cases[1].to_dict()["actual"] == 6 and len(report.runs) == 1


def test_sweep_removes_only_cgroups_of_dead_workers(local_backend):
    layout = local_backend.cgroups
    if layout is None or not layout.parents:
        pytest.skip("no cgroups on this host")
    import os
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    parent = next(iter(layout.parents.values()))
    stale, live = parent / f"run-{dead.pid}-test", parent / f"run-{os.getpid()}-test"
    stale.mkdir()
    live.mkdir()
    try:
        layout.sweep()
        assert not stale.exists() and live.exists()
    finally:
        for path in (stale, live):
            if path.exists():
                path.rmdir()


def test_local_backend_works_in_a_forked_child_like_an_rq_work_horse(local_backend):
    """RQ forks a work horse per job: launchers parked by the parent must not be used by the child."""
    import os
    import time

    assert run_program(local_backend, "python", "print(1)").stdout == "1\n"
    time.sleep(0.2)  # let the parent park replacement launchers
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            result = run_program(local_backend, "python", "print(6 * 7)")
            os.write(write_fd, result.stdout.encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    _, status = os.waitpid(pid, 0)
    assert os.read(read_fd, 100) == b"42\n" and status == 0
    os.close(read_fd)
    assert run_program(local_backend, "python", "print(2)").stdout == "2\n"  # the parent's pool still works


def test_java_file_is_named_after_its_public_class(local_backend):
    from grader.sandbox.harness import java_file_name

    assert java_file_name("import x;\npublic final class Calc {\n}", "Main.java") == "Calc.java"
    assert java_file_name("class Helper {}", "Main.java") == "Main.java"
    program = "public class Greeter { public static void main(String[] a) { System.out.println(\"hi\"); } }"
    assert run_program(local_backend, "java", program, limits=Limits(wall_seconds=20)).stdout == "hi\n"
    solution = "public class Calc { public static int twice(int x) { return 2 * x; } }"
    report = run_tests(local_backend, "java", solution, "twice", [TestCase([4], 8)], limits=Limits(wall_seconds=20))
    assert report.all_passed, report.to_dict()


# ----- sandboxes parked ahead of demand (local backend) ------------------------------------------------------

def test_a_parked_sandbox_serves_one_run_only(local_backend):
    """Each run gets a sandbox of its own: what one run leaves in /tmp, /dev/shm or as a background process
    is gone for the next, even though both sandboxes were started before either request arrived."""
    leave = ("import os, subprocess\n"
             "open('/tmp/left', 'w').write('x'); open('/dev/shm/left', 'w').write('x')\n"
             "subprocess.Popen(['sleep', '30'])\n"
             "print(os.getppid() and 'left')")
    look = ("import os\n"
            "print(os.path.exists('/tmp/left'), os.path.exists('/dev/shm/left'),\n"
            "      [p for p in os.listdir('/proc')\n"
            "       if p.isdigit() and open(f'/proc/{p}/cmdline').read().startswith('sleep')])")
    assert run_program(local_backend, "python", leave).stdout == "left\n"
    assert run_program(local_backend, "python", look).stdout == "False False []\n"


def test_time_limits_count_from_the_hand_over_not_from_parking(local_backend):
    """A sandbox parked long before its request still gives the program its whole wall and CPU time."""
    import time

    run_program(local_backend, "python", "pass")  # parks replacements
    time.sleep(1.5)
    result = run_program(local_backend, "python", "import time\ntime.sleep(0.5)\nprint('done')",
                         limits=Limits(wall_seconds=1, cpu_seconds=1))
    assert result.stdout == "done\n" and not result.timed_out, result
    assert result.cpu_seconds is not None and result.cpu_seconds < 0.5, result  # parking's CPU is not billed


def test_each_sandbox_gets_its_requests_limits_though_parked_with_defaults(local_backend):
    """rlimits are lowered inside the parked sandbox at the hand-over; the /tmp size (fixed when the tmpfs is
    mounted) gets sandboxes parked for that size."""
    probe = ("import resource\n"
             "print(resource.getrlimit(resource.RLIMIT_NOFILE)[1], resource.getrlimit(resource.RLIMIT_NPROC)[1],\n"
             "      resource.getrlimit(resource.RLIMIT_FSIZE)[1] // 512, resource.getrlimit(resource.RLIMIT_CPU)[1])\n"
             "import os; s = os.statvfs('/tmp'); print(s.f_blocks * s.f_frsize // (1024 * 1024))")
    for limits in (Limits(open_files=40, processes=7, file_bytes=1024 * 1024, cpu_seconds=3, tmp_bytes=3 * 1024 * 1024),
                   Limits(open_files=64, processes=11, file_bytes=2 * 1024 * 1024, cpu_seconds=5)):
        out = run_program(local_backend, "python", probe, limits=limits).stdout.split()
        nofile, nproc, fsize, cpu, tmp_mib = (int(v) for v in out)
        assert (nofile, fsize, cpu, tmp_mib) == (limits.open_files, limits.file_bytes // 512,
                                                 math.ceil(limits.cpu_seconds), limits.tmp_bytes // (1024 * 1024))
        assert limits.processes <= nproc <= limits.processes + 16


def test_sandboxes_parked_from_a_thread_that_ended_survive(local_backend):
    """bwrap's --die-with-parent follows the thread that started it: sandboxes must be parked from the pool's
    own long-lived threads, or a request thread's exit kills the sandbox parked on its behalf."""
    import threading
    import time

    def one() -> None:
        run_program(local_backend, "python", "pass")

    for _ in range(4):
        thread = threading.Thread(target=one)
        thread.start()
        thread.join()
    time.sleep(0.5)
    parked = [p for queue in local_backend.sandboxes._ready.values() for p in queue]
    assert parked
    for sandbox in parked:  # alive, not a zombie waiting to be reaped
        state = Path(f"/proc/{sandbox.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state != "Z", sandbox.proc.pid
    results = [run_program(local_backend, "python", f"print({i})") for i in range(6)]
    assert [r.stdout for r in results] == [f"{i}\n" for i in range(6)], results


def test_a_sandbox_that_cannot_start_is_a_clear_sandbox_error(tmp_path):
    """bubblewrap refusing to start (here: an option it does not know) is the host's fault, reported as a
    SandboxError with bwrap's own words - never a program that failed."""
    from grader.sandbox import SandboxError

    backend = get_backend("local", slots=1, state_dir=str(tmp_path / "state"))
    broken = backend._bwrap_args

    def bwrap_args(*args, **kwargs):
        bwrap, *rest = broken(*args, **kwargs)
        return [bwrap, "--no-such-bwrap-option", *rest]

    backend._bwrap_args = bwrap_args
    try:
        with pytest.raises(SandboxError, match="the sandbox did not start: .*no-such-bwrap-option"):
            run_program(backend, "python", "print(1)")
    finally:
        backend.close()


def test_a_forked_child_starts_several_runs_at_once(local_backend):
    """A work horse's first runs come from several threads at once (visible tests, hidden tests, linter): the
    child's pool is made afresh at the fork, not by whichever thread uses it first (that raced and hung)."""
    import os
    import signal
    from concurrent.futures import ThreadPoolExecutor

    assert run_program(local_backend, "python", "print(1)").ok
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            signal.alarm(60)  # a hang fails the test instead of blocking the suite
            with ThreadPoolExecutor(max_workers=3) as pool:
                outs = list(pool.map(lambda i: run_program(local_backend, "python", f"print({i})").stdout, range(3)))
            os.write(write_fd, "".join(outs).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    _, status = os.waitpid(pid, 0)
    got = os.read(read_fd, 100)
    os.close(read_fd)
    assert status == 0 and got == b"0\n1\n2\n", (status, got)
