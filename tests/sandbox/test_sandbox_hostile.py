"""Hostile programs in every language, on every backend: each is contained and reported as what it is."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

import pytest
from conftest import REPO
from sandbox_hostile_programs import HOSTILE

from grader.sandbox import Limits, SandboxBackend, run_program

LANGS = ["python", "javascript", "java"]
ENTRY = {"python": "main.py", "javascript": "main.js", "java": "Main.java"}


def _limits(language: str, **changes) -> Limits:
    # javac needs a second or two of the budget before a Java program even starts
    wall = 8.0 if language == "java" else 3.0
    return Limits(wall_seconds=wall, cpu_seconds=wall, **changes)


def _run(backend: SandboxBackend, language: str, source: str, **limit_changes):
    return run_program(backend, language, {ENTRY[language]: source}, limits=_limits(language, **limit_changes))


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
