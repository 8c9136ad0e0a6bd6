"""Hostile programs in every language, on every backend: each is contained and reported as what it is."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

import pytest
from conftest import DOCKER_URL, REPO
from sandbox_hostile_programs import HOSTILE, JAVA_HEAP_CAUGHT, THREAD_BOMB, WRITE_EVERYWHERE

from grader.sandbox import Limits, SandboxBackend, TestCase, run_program, run_tests
from grader.sandbox.types import SHM_BYTES, MiB

LANGS = ["python", "javascript", "java"]
ENTRY = {"python": "main.py", "javascript": "main.js", "java": "Main.java"}


def _limits(language: str, **changes) -> Limits:
    # javac needs a second or two of the budget before a Java program even starts
    wall = 8.0 if language == "java" else 3.0
    return Limits(wall_seconds=wall, cpu_seconds=wall, **changes)


def _run(backend: SandboxBackend, language: str, source: str, **limit_changes):
    return run_program(backend, language, {ENTRY[language]: source}, limits=_limits(language, **limit_changes))


def _detects_process_limit(backend: SandboxBackend) -> bool:
    """The local backend reads its pids cgroup; the docker one can while the engine runs on this host."""
    return backend.name == "local" or DOCKER_URL.startswith("unix://")


def _host_processes_with(marker: str) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline:
            found.append(f"{pid}: {cmdline}")
    return found


@pytest.mark.parametrize("language", LANGS)
def test_fork_bomb_is_contained(backend, language):
    marker = "100"
    started = time.monotonic()
    result = _run(backend, language, HOSTILE["fork_bomb"][language])
    assert not result.ok
    assert result.timed_out or result.exit_code != 0, result
    if backend.name == "local":  # the pids cgroup tells; Docker does not expose it after the run
        assert result.process_limit_hit, result
    assert time.monotonic() - started < _limits(language).wall_seconds + 15
    time.sleep(0.3)
    leftovers = [p for p in _host_processes_with(f"sleep {marker}") if "while true" not in p]
    assert leftovers == [], "fork bomb children outlived the run"
    # Reported as what it hit, not as the timeout that ended it. Docker's answer can be "unknown" (None):
    # the container's pids cgroup is read from the host just before the kill and may already be gone (seen
    # once in CI for the JavaScript bomb); it must never be a wrong "no".
    if _detects_process_limit(backend) and (backend.name == "local" or result.process_limit_hit is not None):
        assert result.process_limit_hit, result
        # (node keeps every failed child's bookkeeping and may run out of memory first: that is reported)
        assert result.outcome == ("memory" if result.out_of_memory else "processes"), result


@pytest.mark.parametrize("language", sorted(THREAD_BOMB))
def test_thread_bomb_is_reported_as_processes(backend, language):
    """Threads count against the process limit; the JVM's complaints about each refused thread must not
    turn the run into an "output" flood (they go to stderr, and the process limit is what it hit)."""
    result = _run(backend, language, THREAD_BOMB[language])
    assert not result.ok
    # As for the fork bomb: Docker may not know (None) when the container's pids cgroup was gone before it was
    # read (seen in CI for the Python bomb); it must never be a wrong "no".
    if _detects_process_limit(backend) and (backend.name == "local" or result.process_limit_hit is not None):
        assert result.process_limit_hit and result.outcome == "processes", result
    assert "Failed to start thread" not in result.stdout


def test_java_heap_exhaustion_is_reported_as_memory(backend):
    """An allocation beyond -Xmx: the JVM throws OutOfMemoryError (which the program even catches) long
    before the cgroup would act; it must still be reported as memory, not as a clean exit or an error."""
    result = _run(backend, "java", JAVA_HEAP_CAUGHT)
    assert result.out_of_memory and result.outcome == "memory", result
    assert "caught" not in result.stdout


def test_java_heap_exhaustion_in_a_test_case_is_memory(backend):
    source = ("public class Solution {\n"
              "  public static long add(long a, long b) { long[] x = new long[200_000_000]; return x.length; }\n"
              "}\n")
    cases = [TestCase([1, 2], 3), TestCase([3, 4], 7, hidden=True)]
    report = run_tests(backend, "java", source, "add", cases, limits=Limits(wall_seconds=15))
    assert [c.status for c in report.cases] == ["memory", "memory"], report.to_dict()
    assert report.outcome == "memory"


def test_only_tmp_and_a_tiny_dev_shm_are_writable(backend):
    """The root is read-only but for the run's /tmp (capped at Limits.tmp_bytes) and a 1 MiB /dev/shm: no
    writable /dev, /usr/local, /dev/mqueue or Docker's 64 MB /dev/shm."""
    source = WRITE_EVERYWHERE.replace("{limit}", str(3 * MiB))
    result = run_program(backend, "python", {"main.py": source},
                         limits=Limits(wall_seconds=20, cpu_seconds=20, tmp_bytes=2 * MiB))
    wrote = {parts[1]: int(parts[2]) for parts in (line.split() for line in result.stdout.splitlines())
             if len(parts) == 3 and parts[0] == "WROTE"}
    assert result.exit_code == 0 and "/tmp" in wrote and "/dev/shm" in wrote, result
    assert 0 < wrote["/tmp"] <= 2 * MiB, wrote
    assert wrote["/dev/shm"] <= SHM_BYTES, wrote
    assert {d: n for d, n in wrote.items() if n and d not in ("/tmp", "/dev/shm")} == {}, wrote


@pytest.mark.parametrize("language", LANGS)
def test_memory_hog_is_reported_out_of_memory(backend, language):
    result = _run(backend, language, HOSTILE["memory_hog"][language], memory_bytes=128 * 1024 * 1024)
    assert result.out_of_memory, result
    assert result.outcome == "memory"
    assert not result.timed_out


@pytest.mark.parametrize("language", LANGS)
def test_busy_loop_times_out(backend, language):
    result = _run(backend, language, HOSTILE["busy_loop"][language])
    assert result.timed_out and result.outcome == "timeout", result
    assert result.wall_seconds < _limits(language).wall_seconds + 5


@pytest.mark.parametrize("language", LANGS)
def test_sleep_forever_times_out_on_wall_clock(backend, language):
    result = _run(backend, language, HOSTILE["sleep_forever"][language])
    assert result.timed_out and result.exit_code is None, result
    assert result.wall_seconds < _limits(language).wall_seconds + 5


@pytest.mark.parametrize("language", LANGS)
def test_output_flood_is_capped_and_stopped(backend, language):
    cap = 64 * 1024
    result = _run(backend, language, HOSTILE["output_flood"][language], output_bytes=cap)
    assert result.stdout_truncated
    assert len(result.stdout.encode()) == cap
    assert result.output_limit_exceeded and result.outcome == "output", result


@pytest.mark.parametrize("language", LANGS)
def test_network_is_unreachable(backend, language):
    result = _run(backend, language, HOSTILE["network"][language])
    assert "connected" not in result.stdout, result.stdout
    assert result.stdout.count("blocked") == 3, result


@pytest.mark.parametrize("language", LANGS)
def test_only_tmp_is_writable(backend, language):
    result = _run(backend, language, HOSTILE["write_outside_tmp"][language])
    lines = set(result.stdout.split("\n"))
    for path in ("/code/evil", "/evil", "/usr/evil", "/etc/evil"):
        assert f"denied {path}" in lines, result
    assert "written /tmp/ok" in lines, result


@pytest.mark.parametrize("language", LANGS)
def test_host_secrets_are_not_readable(backend, language, monkeypatch):
    canary = f"canary-{secrets.token_hex(8)}"
    monkeypatch.setenv("CR_SANDBOX_CANARY", canary)
    monkeypatch.setenv("CR_SECRET_KEY", canary)
    app_config = REPO / "pyproject.toml"
    paths = ["/etc/shadow", str(app_config), "/proc/1/environ", "/root/.bash_history", "/etc/hostname"]
    source = (HOSTILE["read_secrets"][language]
              .replace("{paths}", json.dumps(paths))
              .replace("paths_java", ", ".join(json.dumps(p) for p in paths)))
    result = _run(backend, language, source)
    assert result.exit_code == 0, result
    assert "ENV" in result.stdout
    assert canary not in result.stdout + result.stderr
    assert "denied /etc/shadow" in result.stdout
    assert f"denied {app_config}" in result.stdout
    assert "[tool.ruff]" not in result.stdout
    assert "root:" not in result.stdout


@pytest.mark.parametrize("language", LANGS)
def test_background_process_does_not_outlive_the_run(backend, language):
    marker = f"{4000 + secrets.randbelow(900)}.{secrets.randbelow(10**6):06d}"
    result = _run(backend, language, HOSTILE["background_process"][language].replace("{marker}", marker))
    assert "spawned" in result.stdout, result
    deadline = time.monotonic() + 3
    while _host_processes_with(f"sleep {marker}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _host_processes_with(f"sleep {marker}") == []


def test_outcome_names_what_the_run_hit():
    from grader.sandbox import RunResult

    def outcome(**fields) -> str:
        return RunResult(stdout="", stderr="", **{"exit_code": None, **fields}).outcome

    assert outcome(timed_out=True, process_limit_hit=True) == "processes"
    assert outcome(output_limit_exceeded=True, process_limit_hit=True) == "processes"
    assert outcome(exit_code=1, process_limit_hit=True) == "processes"
    assert outcome(exit_code=0, process_limit_hit=True) == "ok"  # a refused fork it handled is no failure
    assert outcome(exit_code=137, signal=9, out_of_memory=True, process_limit_hit=True) == "memory"
    assert outcome(timed_out=True, process_limit_hit=None) == "timeout"


def _sandbox_zombies(uids: range) -> set[int]:
    found = set()
    for pid in os.listdir("/proc"):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("State", "").strip().startswith("Z") and int(fields["Uid"].split()[0]) in uids:
            found.add(int(pid))
    return found


def test_runs_leave_no_zombies_behind(local_backend):
    """bwrap's own init outlived its monitor and stayed a zombie of the host's init after every run; where
    that init reaps slowly they piled up against the slot uid's process limit until bwrap could not start
    ("Creating new namespace failed: Resource temporarily unavailable") and an unrelated run failed."""
    uids = local_backend.uid_pool.uids
    before = _sandbox_zombies(uids)
    for _ in range(20):
        assert run_program(local_backend, "python", "print('hi')").ok
    assert _sandbox_zombies(uids) - before == set()
