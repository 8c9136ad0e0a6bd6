"""The Docker backend's pre-started pool: containers started ahead of demand, each used for one run only.

Needs the engine from scripts/test-setup.d/20-docker-engine.sh (skipped locally without it, a failure in CI).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator

import pytest
from conftest import DOCKER_URL

from grader.sandbox import Limits, SandboxBackend, SandboxError, TestCase, get_backend, run_program, run_tests
from grader.sandbox.docker_backend import PARKED_EXIT, _container_key, _fits
from grader.sandbox.types import MiB

pytestmark = pytest.mark.docker


@pytest.fixture
def pooled(docker_backend: SandboxBackend) -> Iterator[SandboxBackend]:
    """A backend with two containers started and waiting (docker_backend only proves the engine is here)."""
    backend = get_backend("docker", base_url=DOCKER_URL, pool_size=2)
    backend.warm()
    try:
        yield backend
    finally:
        backend.close()


def _parked_ids(backend) -> list[str]:
    return [parked.container.id for parked in list(backend._pool.queue)]


def _exists(backend, container_id: str) -> bool:
    import docker

    try:
        backend.client.containers.get(container_id)
    except docker.errors.NotFound:
        return False
    return True


def _from_pool(backend, *args, **kwargs):
    """run_program on a container that was started ahead (waits for the refill first: a run that finds the pool
    empty rightly takes the cold path)."""
    assert _wait_for(lambda: backend._pool.qsize() == backend.pool_size), "the pool was not refilled"
    before = backend.reused
    result = run_program(backend, *args, **kwargs)
    assert backend.reused == before + 1
    return result


def _wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_parked_containers_are_started_and_waiting(pooled):
    ids = _parked_ids(pooled)
    assert len(ids) == 2
    for container_id in ids:
        container = pooled.client.containers.get(container_id)
        assert container.status == "running", container.status  # started ahead, not just created


def test_a_parked_container_runs_once_and_is_then_removed(pooled):
    first_parked = _parked_ids(pooled)[0]
    result = run_program(pooled, "python", "import os\nprint(os.getuid(), input())", stdin="pooled\n")
    assert result.stdout == "65000 pooled\n" and result.ok, result
    assert pooled.reused == 1
    assert _wait_for(lambda: not _exists(pooled, first_parked)), "a used container was kept"
    assert first_parked not in _parked_ids(pooled)
    again = run_program(pooled, "python", "print('second')")
    assert again.stdout == "second\n" and pooled.reused == 2


def test_the_pool_refills_after_use(pooled):
    before = set(_parked_ids(pooled))
    for _ in range(3):
        assert run_program(pooled, "python", "print(1)").stdout == "1\n"
    assert _wait_for(lambda: pooled._pool.qsize() == 2), "the pool was not refilled"
    refilled = set(_parked_ids(pooled))
    assert not refilled & before, "a used container went back into the pool"


def test_a_hostile_run_cannot_affect_the_next(pooled):
    marker = f"{5000 + secrets.randbelow(900)}.{secrets.randbelow(10**6):06d}"
    hostile = (
        "import os, subprocess, signal\n"
        "open('/tmp/planted', 'w').write('x')\n"
        f"subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
        "for path in ('/code/evil', '/code/.cr-run'):\n"
        "    try:\n"
        "        open(path, 'w').write('exec echo hijacked')\n"
        "        print('wrote', path)\n"
        "    except OSError:\n"
        "        print('denied', path)\n"
        "try:\n"
        "    os.kill(-1, signal.SIGKILL)\n"  # everything it may signal: only its own container's processes
        "except OSError:\n"
        "    pass\n"
    )
    first = _from_pool(pooled, "python", hostile)
    assert "wrote" not in first.stdout
    probe = (
        "import os\n"
        "print(os.path.exists('/tmp/planted'))\n"
        "pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        f"print(any(b'{marker}' in open(f'/proc/{{p}}/cmdline', 'rb').read() for p in pids))\n"
    )
    second = _from_pool(pooled, "python", probe)
    assert second.ok and second.stdout == "False\nFalse\n", second


def test_limits_hold_in_a_parked_container(pooled):
    hog = _from_pool(pooled, "python", "x = bytearray(400 * 1024 * 1024)\nprint(len(x))",
                      limits=Limits(wall_seconds=10))
    assert hog.out_of_memory and hog.outcome == "memory", hog
    bomb = _from_pool(pooled, "python", "import os\nwhile True:\n    os.fork()\n",
                       limits=Limits(wall_seconds=3, cpu_seconds=3))
    assert not bomb.ok and (bomb.timed_out or bomb.exit_code != 0), bomb
    fill = _from_pool(pooled, "python",  # 3 x 30 MiB: each under the file-size limit, together over /tmp's 64 MiB
                       "for i in range(3):\n    open(f'/tmp/big{i}', 'wb').write(b'x' * (30 * 1024 * 1024))")
    assert fill.exit_code != 0 and "No space left" in fill.stderr, fill
    net = _from_pool(pooled, "python", "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), 2)\n"
                                        "    print('connected')\nexcept OSError:\n    print('blocked')\n")
    assert net.stdout == "blocked\n", net
    ident = _from_pool(pooled, "python", "import os\nprint(os.getuid())\n"
                                          "fields = ('CapEff', 'NoNewPrivs', 'Seccomp:')\n"
                                          "print([l for l in open('/proc/self/status') if l.startswith(fields)])")
    assert ident.stdout.startswith("65000\n") and "0000000000000000" in ident.stdout, ident
    assert "NoNewPrivs:\\t1" in ident.stdout and "Seccomp:\\t2" in ident.stdout, ident


def test_lower_cpu_file_and_open_file_limits_are_applied_in_a_parked_container(pooled):
    source = ("import resource as r\n"
              "print(r.getrlimit(r.RLIMIT_CPU), r.getrlimit(r.RLIMIT_NOFILE), r.getrlimit(r.RLIMIT_FSIZE))")
    result = _from_pool(pooled, "python", source, limits=Limits(cpu_seconds=5, open_files=64, file_bytes=MiB))
    assert result.stdout == f"(5, 6) (64, 64) ({MiB}, {MiB})\n", result
    spin = _from_pool(pooled, "python", "while True:\n    pass\n", limits=Limits(wall_seconds=20, cpu_seconds=1))
    assert spin.timed_out and spin.signal == 24 and spin.wall_seconds < 10, spin  # SIGXCPU from the lowered ulimit


def test_other_creation_limits_take_a_fresh_container(pooled):
    waiting = _parked_ids(pooled)
    result = run_program(pooled, "python", "import os\nprint(open('/sys/fs/cgroup/pids/pids.max').read().strip())",
                         limits=Limits(processes=64))
    assert result.stdout == "65\n", result  # the request's own pids limit (+1 for the launcher)
    assert pooled.reused == 0 and _parked_ids(pooled) == waiting


def test_time_limits_count_from_the_hand_over(pooled):
    time.sleep(3)  # the parked containers have been running (waiting) longer than the run's whole budget
    result = _from_pool(pooled, "python", "import time\ntime.sleep(1)\nprint('done')",
                         limits=Limits(wall_seconds=2, cpu_seconds=2))
    assert result.ok and result.stdout == "done\n", result
    assert 1 <= result.wall_seconds < 2, result
    slow = _from_pool(pooled, "python", "import time\ntime.sleep(10)", limits=Limits(wall_seconds=1.5))
    assert slow.timed_out and 1.5 <= slow.wall_seconds < 5, slow


def test_harness_runs_use_the_pool(pooled):
    report = run_tests(pooled, "python", "def f(x):\n    return -x\n", "f",
                       [TestCase([3], -3), TestCase([4], -4, hidden=True)])
    assert report.all_passed, report.to_dict()
    assert pooled.reused == 2  # the visible and the hidden phase, one container each


def test_a_parked_container_that_died_is_not_handed_a_program(pooled):
    victim = pooled._pool.queue[0]
    victim.container.kill()
    assert _wait_for(lambda: pooled.client.containers.get(victim.container.id).status == "exited")
    result = run_program(pooled, "python", "print('alive')")
    assert result.ok and result.stdout == "alive\n", result
    assert _wait_for(lambda: not _exists(pooled, victim.container.id))


def test_parked_containers_of_a_process_that_died_exit_on_their_own(docker_backend):
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child: park a container, then die without cleaning up
        try:
            child = get_backend("docker", base_url=DOCKER_URL, pool_size=1)
            child.warm()
            os.write(write_fd, child._pool.queue[0].container.id.encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    os.waitpid(pid, 0)
    container_id = os.read(read_fd, 100).decode()
    os.close(read_fd)
    assert container_id
    container = docker_backend.client.containers.get(container_id)
    try:
        assert _wait_for(lambda: (container.reload(), container.status)[1] == "exited", 20), container.status
        assert container.attrs["State"]["ExitCode"] == PARKED_EXIT
    finally:
        container.remove(force=True)


def test_engine_errors_are_a_clear_sandbox_error(docker_backend, tmp_path):
    with pytest.raises(SandboxError, match="Docker engine not reachable"):
        get_backend("docker", base_url=f"unix://{tmp_path}/no-engine.sock")
    missing = get_backend("docker", base_url=DOCKER_URL, image="coderesidency-sandbox:no-such-tag", pool_size=1)
    try:
        with pytest.raises(SandboxError, match="cannot start a sandbox container"):
            run_program(missing, "python", "print(1)")
        with pytest.raises(SandboxError, match="cannot start a sandbox container"):
            missing.warm()
    finally:
        missing.close()


def test_which_requests_fit_a_parked_container():
    key = _container_key(Limits())
    assert _fits(key, Limits())
    assert _fits(key, Limits(wall_seconds=10, cpu_seconds=10, output_bytes=4 * MiB))  # ours, or lowered
    assert _fits(key, Limits(open_files=64, file_bytes=MiB))
    assert not _fits(key, Limits(memory_bytes=128 * MiB))  # cgroup: fixed at creation
    assert not _fits(key, Limits(processes=64))
    assert not _fits(key, Limits(tmp_bytes=2 * MiB))  # tmpfs size
    assert not _fits(key, Limits(cpu_seconds=60))  # a hard ulimit cannot be raised from inside
    assert not _fits(key, Limits(open_files=1024))


def test_a_forged_end_mark_does_not_end_the_run(pooled):
    """The launcher's end mark carries a nonce the program never sees: printing a mark of its own is output."""
    forged = "\\x1eCR-END 0123456789abcdef0123456789abcdef 0\\n"
    source = (f"import sys, time\nsys.stdout.write('{forged}'); sys.stderr.write('{forged}')\n"
              "sys.stdout.flush(); sys.stderr.flush()\ntime.sleep(0.5)\nprint('after')\nsys.exit(3)\n")
    result = _from_pool(pooled, "python", source)
    assert result.exit_code == 3 and result.stdout.endswith("after\n"), result
    assert "CR-END 0123456789abcdef" in result.stdout and "CR-END 0123456789abcdef" in result.stderr


def test_a_program_cannot_silence_its_launcher(pooled):
    """The launcher is the container's pid 1: kill(getppid()) and kill(-1) from the program do not reach it, so
    the run still ends with its mark (the workspace runner's kill(-1) relies on that)."""
    source = ("import os, signal, time\nos.kill(os.getppid(), signal.SIGKILL)\n"
              "try:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass\n"
              "time.sleep(0.2)\nprint('still here')\n")
    started = time.monotonic()
    result = _from_pool(pooled, "python", source, limits=Limits(wall_seconds=10))
    assert result.ok and result.stdout == "still here\n", result
    assert time.monotonic() - started < 8


def test_a_killed_container_is_reported_by_the_engine(pooled):
    """No end mark (the container was killed from outside): the engine's exit status is the result."""
    import threading

    def kill_soon() -> None:
        time.sleep(1.0)
        for container in pooled.client.containers.list(filters={"label": "coderesidency.sandbox"}):
            if container.id not in _parked_ids(pooled):
                container.kill()

    threading.Thread(target=kill_soon, daemon=True).start()
    result = _from_pool(pooled, "python", "import time\nprint('started', flush=True)\ntime.sleep(20)",
                        limits=Limits(wall_seconds=15))
    assert not result.ok and not result.timed_out and result.signal == 9 and result.stdout == "started\n", result


def test_a_child_killed_for_memory_makes_the_run_memory(pooled):
    """As on the local backend, any process of the run killed by the OOM killer makes the run "memory", even when
    the program itself survives and exits 0 (the workspace runner's commands are such children)."""
    source = ("import subprocess, sys\n"
              "child = subprocess.run([sys.executable, '-c', 'x = bytearray(400 * 1024 * 1024)'])\n"
              "print(child.returncode)\n")
    result = _from_pool(pooled, "python", source, limits=Limits(wall_seconds=10))
    assert result.stdout == "-9\n" and result.out_of_memory and result.outcome == "memory", result
