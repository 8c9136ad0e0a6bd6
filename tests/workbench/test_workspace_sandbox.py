"""Commands over a persistent workspace in the real sandbox, on both backends: what persists, where a command
starts, the phase's setup/teardown/prelude, and hostile commands — each contained, and the workspace left as it
was whenever the runner's record is missing."""

from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path

import pytest

from grader.sandbox import SandboxBackend
from grader.workbench.workspace import COMMAND_LIMITS, OVERHEAD_SECONDS, Workspace, run_command

SHORT = COMMAND_LIMITS.with_(wall_seconds=3.0, cpu_seconds=3.0)
SEED = Workspace.from_files({"README.txt": "hello\n", "app/config.ini": "port = 8000\n",
                             "app/serve.py": "print('serving')\n"})
SERVICE_SETUP = ("if [ -f .running ]; then (cd app && exec python3 -m http.server 8000 --bind 127.0.0.1 "
                 ">/tmp/http.log 2>&1 &); for i in $(seq 150); do "
                 "(exec 3<>/dev/tcp/127.0.0.1/8000) 2>/dev/null && break; sleep 0.02; done; fi")


def _run(backend: SandboxBackend, ws: Workspace, command: str, **kwargs):  # type: ignore[no-untyped-def]
    return run_command(backend, ws, command, **{"limits": SHORT, **kwargs})


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


def test_files_and_the_current_directory_persist_between_commands(backend):
    first = _run(backend, SEED, "echo note > notes.txt && mkdir -p logs/old && cd logs && pwd")
    assert first.outcome == "ok" and first.output == "/tmp/ws/logs\n", first
    assert first.cwd == "logs" and first.changed and first.workspace.read("notes.txt") == b"note\n"
    second = _run(backend, first.workspace, "pwd; ls; cat ../notes.txt; echo $HOME; id -u")
    lines = second.output.splitlines()
    assert lines[:4] == ["/tmp/ws/logs", "old", "note", "/tmp/ws"] and lines[4] != "0", second
    assert second.cwd == "logs" and not second.changed  # a read-only command leaves the very same archive
    home = _run(backend, second.workspace, "cd; rm -rf logs; echo gone")
    assert home.cwd == "" and home.workspace.kind("logs") is None
    # A start directory that no longer exists: the command runs at the top and says so.
    moved = _run(backend, home.workspace.at("logs"), "pwd")
    assert moved.output == "/tmp/ws\n" and "no longer exists" in moved.note


def test_exit_codes_output_and_bash_scripts(backend):
    result = _run(backend, SEED, "echo out; echo err >&2; bash -c 'exit 7'")
    assert (result.output, result.exit_code, result.outcome) == ("out\nerr\n", 7, "error")
    ran = _run(backend, SEED.with_file("hello.sh", "echo from a script: $1\n"),
               "bash hello.sh hi; python3 app/serve.py")
    assert ran.output == "from a script: hi\nserving\n" and ran.outcome == "ok"
    tools = _run(backend, SEED, "git --version && sqlite3 --version && curl --version && ps -o pid= -p $$")
    assert tools.outcome == "ok", tools.output


def test_a_service_started_by_setup_answers_the_command_and_is_stopped_after(backend):
    prelude = "service() { case $1 in start) touch ~/.running;; stop) rm -f ~/.running;; esac; echo \"$1\"; }"
    kwargs = {"setup": SERVICE_SETUP, "teardown": "echo tick >> ticks.txt", "prelude": prelude}
    down = _run(backend, SEED, "curl -sS -m 2 127.0.0.1:8000/config.ini", **kwargs)
    assert down.outcome == "error" and "Failed to connect" in down.output
    started = _run(backend, down.workspace, "service start", **kwargs)
    assert started.output == "start\n" and started.workspace.kind(".running") == "file"
    up = _run(backend, started.workspace,
              "curl -sS -m 2 127.0.0.1:8000/config.ini; ps -eo args | grep -c http.serve[r]",
              **kwargs)
    assert up.output == "port = 8000\n1\n", (up.output, up.details)
    assert up.workspace.read("ticks.txt") == b"tick\n" * 3  # the teardown ran after every command
    assert up.details["setup"]["exit_code"] == 0 and up.details["all_stopped"] is True
    stopped = _run(backend, up.workspace, "service stop; curl -s -m 1 127.0.0.1:8000/ || echo refused", **kwargs)
    # The service still ran during this command (setup started it); the next one finds it down.
    assert stopped.output.startswith("stop\n")
    after = _run(backend, stopped.workspace, "curl -s -m 1 127.0.0.1:8000/ || echo refused", **kwargs)
    assert after.output == "refused\n"


# ----- hostile commands --------------------------------------------------------------------------------------
def test_a_fake_record_is_only_output(backend):
    fake = '0123456789abcdef0123456789abcdef {"v":1,"exit_code":0,"output":"forged","archive":null}'
    command = (f"echo x > a.txt; echo '{fake}'; printf '\\n{fake}\\n' 2>/dev/null > /proc/1/fd/1; "
               f"printf '\\n{fake}\\n' 2>/dev/null >/proc/$PPID/fd/1; echo done")
    result = _run(backend, SEED, command)
    assert result.outcome == "ok" and result.output == fake + "\ndone\n", result.output
    assert result.workspace.read("a.txt") == b"x\n" and "forged" not in result.note


def test_the_runner_s_memory_and_channel_are_out_of_reach(backend):
    """The runner is non-dumpable: a command (same uid) cannot read its memory, environment or descriptors."""
    result = _run(backend, SEED, "for f in mem environ fd/1 fd/3; do head -c 1 /proc/$PPID/$f >/dev/null 2>&1 "
                                 "&& echo readable $f || echo denied $f; done")
    assert result.output == "denied mem\ndenied environ\ndenied fd/1\ndenied fd/3\n", result.output


@pytest.mark.parametrize("command", ["echo changed > README.txt; kill -9 $PPID; sleep 1",
                                     "echo changed > README.txt; kill -9 -1"])
def test_a_command_that_kills_the_runner_changes_nothing(backend, command):
    result = _run(backend, SEED.at("app"), command)
    assert result.outcome == "broken" and "broke the terminal" in result.output
    assert result.workspace.archive == SEED.archive and result.cwd == "app" and not result.changed


def test_a_flood_is_stopped_and_cut(backend):
    started = time.monotonic()
    result = _run(backend, SEED, "echo kept > kept.txt; yes")
    assert result.outcome == "output" and result.truncated and result.exit_code is None
    assert "[output cut: showing the first 64 KB" in result.output
    assert len(result.output.encode()) < 70 * 1024
    assert result.workspace.read("kept.txt") == b"kept\n"  # what it did before is kept
    assert time.monotonic() - started < SHORT.wall_seconds + 10


def test_a_fork_bomb_is_contained(backend):
    started = time.monotonic()
    result = _run(backend, SEED, "echo b > bomb.txt; :(){ :|:& };: ; sleep 10")
    assert result.outcome in ("processes", "timeout"), result
    if backend.name == "local":  # the pids cgroup tells
        assert result.outcome == "processes"
    assert result.workspace.read("bomb.txt") == b"b\n"
    assert time.monotonic() - started < SHORT.wall_seconds + OVERHEAD_SECONDS + 10
    after = _run(backend, result.workspace, "ps -e --no-headers | wc -l")
    assert int(after.output) <= 5, after.output  # init, the runner, bash, ps (and wc): nothing left over


def test_sleeping_past_the_limit_is_stopped_and_keeps_what_it_did(backend):
    started = time.monotonic()
    result = _run(backend, SEED, "echo s > s.txt; sleep 100")
    elapsed = time.monotonic() - started
    assert result.outcome == "timeout" and "3 s time limit" in result.note and result.exit_code is None
    assert result.workspace.read("s.txt") == b"s\n"
    assert SHORT.wall_seconds <= elapsed < SHORT.wall_seconds + OVERHEAD_SECONDS


def test_a_setup_that_hangs_is_stopped_at_its_limit_and_the_command_still_runs(backend):
    started = time.monotonic()
    result = _run(backend, SEED, "echo x > x.txt; ps -eo args | grep -c 'sleep 3[0]'; true",
                  setup="trap '' TERM; (sleep 30 &); sleep 30")
    assert result.outcome == "ok" and result.output == "0\n", result.output  # the setup's whole session went
    assert result.details["setup"]["timed_out"] is True and result.workspace.read("x.txt") == b"x\n"
    assert time.monotonic() - started < SHORT.wall_seconds + OVERHEAD_SECONDS


def test_host_files_are_out_of_reach(backend, tmp_path):
    secret = tmp_path / f"secret-{secrets.token_hex(4)}.txt"
    secret.write_text("the truth\n")
    os.chmod(tmp_path, 0o755)
    result = _run(backend, SEED, f"cat {secret}; cat /etc/shadow; ls /root /work /run/cr-sandbox 2>&1; "
                                 "cat /proc/1/environ | tr '\\0' '\\n' | grep -c CR_ || true")
    assert "the truth" not in result.output and "root:" not in result.output
    assert "No such file" in result.output
    assert "CR_SECRET" not in result.output and "cr_test" not in result.output


@pytest.mark.parametrize("port", [6379, 5432])
def test_the_host_s_redis_and_postgresql_are_unreachable(backend, port):
    result = _run(backend, SEED, f"curl -sS -m 2 127.0.0.1:{port}/ ; (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>&1; "
                                 f"(exec 3<>/dev/tcp/10.0.2.2/{port}) 2>&1 | head -c 200")
    assert "Connection refused" in result.output or "Couldn't connect" in result.output
    assert "-ERR" not in result.output and "PostgreSQL" not in result.output


def test_nothing_a_command_starts_outlives_it(backend):
    marker = f"{secrets.randbelow(10**6) + 10**6}"
    result = _run(backend, SEED, f"(sleep {marker} &); nohup sleep {marker}1 >/dev/null 2>&1 & "
                                 f"setsid sleep {marker}2 & disown; echo started")
    assert result.output == "started\n" and result.details["all_stopped"] is True
    time.sleep(0.5)
    assert _host_processes_with(f"sleep {marker}") == []


def test_memory_and_the_workspace_limits(backend):
    hog = _run(backend, SEED, "python3 -c 'x = bytearray(400 * 1024 * 1024)'")
    assert hog.outcome == "memory" and hog.exit_code is None
    big = _run(backend, SEED, "head -c 40000000 /dev/urandom > big.bin; echo done")
    assert big.outcome == "too_large" and big.workspace.archive == SEED.archive and "32 MB" in big.note
    odd = _run(backend, SEED, "mkfifo pipe; ln -s /etc/passwd out; ln -s README.txt fine; touch $'bad\\nname'")
    assert odd.workspace.kind("pipe") is None and odd.workspace.kind("out") is None
    assert odd.workspace.kind("fine") == "link" and "Not kept: 3 entries" in odd.note


def test_a_command_can_empty_its_own_workspace(backend):
    result = _run(backend, SEED, "cd /tmp && rm -rf ws && ln -s /usr ws")
    assert result.outcome == "ok" and result.workspace.listing() == [] and result.cwd == ""


def test_cancel_stops_the_command_and_keeps_nothing(backend):
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    started = time.monotonic()
    result = run_command(backend, SEED, "echo x > x.txt; sleep 30", cancel=cancel)
    assert result.outcome == "cancelled" and result.workspace.archive == SEED.archive
    assert time.monotonic() - started < 10


def test_traps_in_the_runner_s_own_files_only_cost_the_command_its_directory(backend):
    """A fifo where the runner notes the directory or the teardown's log would block a careless runner."""
    command = ("mkdir -p sub && cd sub && rm -f /tmp/.cr-cwd /tmp/.cr-teardown.log && mkfifo /tmp/.cr-teardown.log "
               "&& (mkfifo /tmp/.cr-cwd; trap - EXIT; echo trapped)")
    result = _run(backend, SEED, command, teardown="echo torn >> torn.txt")
    assert result.outcome == "ok" and result.output == "trapped\n", result
    assert result.workspace.read("torn.txt") == b"torn\n" and result.workspace.kind("sub") == "dir"
    assert result.cwd == ""  # where it ended could not be noted: the next command starts where this one did


def test_modes_survive_a_round_trip(backend):
    result = _run(backend, SEED, "mkdir -p locked && echo s > locked/secret && chmod 000 locked/secret && "
                                 "chmod 500 locked && chmod 600 README.txt")
    modes = {path: entry.mode for path, entry in result.workspace.entries().items()}
    assert modes["locked"] == 0o500 and modes["locked/secret"] == 0o000 and modes["README.txt"] == 0o600
    again = _run(backend, result.workspace, "stat -c '%a %n' locked locked/secret README.txt; cat locked/secret")
    assert again.output.startswith("500 locked\n0 locked/secret\n600 README.txt\n"), again.output
