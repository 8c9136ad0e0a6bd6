"""The contract every backend honours: one API, same results."""

from __future__ import annotations

import json

import pytest

from grader.sandbox import Limits, RunRequest, run_program

LANGS = ["python", "javascript", "java"]
ECHO = {
    "python": ("main.py", "import sys\ndata = sys.stdin.read()\nprint(data.upper(), end='')\n"
                          "print('to stderr', file=sys.stderr)\nsys.exit(3)\n"),
    "javascript": ("main.js", "const d = require('fs').readFileSync(0, 'utf8');\n"
                              "process.stdout.write(d.toUpperCase());\n"
                              "console.error('to stderr');\nprocess.exitCode = 3;\n"),
    "java": ("Main.java", "public class Main { public static void main(String[] a) throws Exception {\n"
                          "  String d = new String(System.in.readAllBytes(), \"UTF-8\");\n"
                          "  System.out.print(d.toUpperCase()); System.err.println(\"to stderr\");\n"
                          "  System.exit(3); } }\n"),
}


@pytest.mark.parametrize("language", LANGS)
def test_stdin_stdout_stderr_and_exit_code(backend, language):
    name, source = ECHO[language]
    result = run_program(backend, language, {name: source}, stdin="héllo wörld\n",
                         limits=Limits(wall_seconds=20))
    assert result.stdout == "HÉLLO WÖRLD\n"
    assert result.stderr.strip() == "to stderr"
    assert result.exit_code == 3 and result.signal is None
    assert not (result.timed_out or result.out_of_memory or result.stdout_truncated)
    assert result.outcome == "error" and not result.ok
    assert 0 < result.wall_seconds < 20
    assert result.backend == backend.name
    json.dumps(result.to_dict())


def test_runs_as_a_non_root_user_without_capabilities(backend):
    source = (
        "import os\n"
        "print(os.getuid(), os.getgid())\n"
        "status = open('/proc/self/status').read()\n"
        "print([l for l in status.splitlines() if l.startswith(('CapEff', 'NoNewPrivs', 'CapBnd'))])\n"
    )
    result = run_program(backend, "python", source)
    uid, gid = map(int, result.stdout.split("\n")[0].split())
    assert uid != 0 and gid != 0
    assert "CapEff:\\t0000000000000000" in result.stdout
    assert "CapBnd:\\t0000000000000000" in result.stdout or backend.name == "docker"


def test_signal_and_clean_exit_are_reported(backend):
    killed = run_program(backend, "python", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    assert killed.signal == 11 and killed.outcome == "signal"
    clean = run_program(backend, "python", "print('ok')")
    assert clean.ok and clean.outcome == "ok" and clean.exit_code == 0 and clean.signal is None


def test_output_just_over_the_cap_is_truncated_not_killed(backend):
    result = run_program(backend, "python", "import sys\nsys.stdout.write('y' * 5000)\nsys.stderr.write('e' * 10)\n",
                         limits=Limits(output_bytes=1000))
    assert result.stdout == "y" * 1000 and result.stdout_truncated
    assert result.stderr == "e" * 10 and not result.stderr_truncated
    assert result.exit_code == 0 and not result.output_limit_exceeded


def test_multiple_files_and_explicit_command(backend):
    files = {"main.py": "from pkg.helper import greet\nprint(greet('sandbox'))\n",
             "pkg/__init__.py": "", "pkg/helper.py": "def greet(n):\n    return f'hello {n}'\n"}
    result = run_program(backend, "python", files, entry="main.py")
    assert result.stdout == "hello sandbox\n", result
    cmd = backend.run(RunRequest("python", files, command=("/bin/sh", "-c", "ls -R /code; pwd")))
    assert "helper.py" in cmd.stdout and cmd.stdout.strip().endswith("/code")


def test_tmp_is_private_per_run_and_size_capped(backend):
    write = run_program(backend, "python", "open('/tmp/left-behind', 'w').write('x')\nprint('ok')")
    assert write.ok
    read = run_program(backend, "python", "import os\nprint(os.path.exists('/tmp/left-behind'))")
    assert read.stdout.strip() == "False"
    fill = run_program(backend, "python", "open('/tmp/big', 'wb').write(b'x' * (8 * 1024 * 1024))",
                       limits=Limits(tmp_bytes=2 * 1024 * 1024))
    assert fill.exit_code != 0 and ("No space left" in fill.stderr or "File too large" in fill.stderr)


def test_concurrent_runs_do_not_interfere(backend):
    from concurrent.futures import ThreadPoolExecutor

    def one(i: int):
        return run_program(backend, "python", f"import time\ntime.sleep(0.2)\nprint({i} * 2)")

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(one, range(6)))
    assert [r.stdout.strip() for r in results] == [str(i * 2) for i in range(6)]


def test_a_cancelled_run_stops_at_once_and_says_so(backend):
    import threading
    import time

    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    result = run_program(backend, "python", "while True:\n    pass\n", limits=Limits(wall_seconds=20), cancel=cancel)
    assert result.cancelled and result.outcome == "cancelled" and not result.ok
    assert time.monotonic() - started < 5
    after = run_program(backend, "python", "print('next')")  # the backend is still fine afterwards
    assert after.ok and after.stdout == "next\n" and not after.cancelled
