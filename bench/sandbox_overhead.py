"""Sandbox overhead, measured in one run against the bare interpreter.

    .venv/bin/python bench/sandbox_overhead.py [--runs N] [--docker-url URL] [--no-docker]

Prints, per language, the median wall time of a hello-world started (a) bare with subprocess, (b) in
the local bubblewrap sandbox, (c) in the docker backend, with ratios against (a); for Python also the CPU
one run costs every process involved (the sandbox's parking included), since that, not latency, bounds
throughput. Then graded Python submissions per second through the harness on the local backend, one at a
time and with 2 slots. Target (issue 17): local sandbox <= 1.5x the bare interpreter for Python.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.sandbox import Limits, TestCase, get_backend, run_program, run_tests  # noqa: E402
from grader.sandbox.languages import LANGUAGE_SPECS  # noqa: E402

HELLO = {
    "python": ("main.py", "print('hello')\n"),
    "javascript": ("main.js", "console.log('hello');\n"),
    "java": ("Main.java",
             'public class Main { public static void main(String[] a) { System.out.println("hello"); } }\n'),
}
SOLUTION = "def add(a, b):\n    return a + b\n"
CASES = [TestCase([i, i + 1], 2 * i + 1, hidden=i >= 5) for i in range(10)]


def interleaved_medians(fns: dict, runs: int) -> dict[str, float]:
    """Median seconds per function, sampled round-robin so a busy machine slows every side alike."""
    for fn in fns.values():
        fn()  # warm caches (page cache, our own code paths)
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def bare(language: str, workdir: Path):
    name, source = HELLO[language]
    (workdir / name).write_text(source)
    if language == "java":
        # the same compile-then-run steps the sandbox does, without the sandbox
        cmd = LANGUAGE_SPECS["java"].program_command(name, Limits().memory_bytes)
        script = cmd[2].replace("/tmp/.classes", str(workdir / ".classes")).replace("$(find . -name '*.java')", name)
        argv = ["/bin/sh", "-c", script]
    else:
        argv = list(LANGUAGE_SPECS[language].program_command(name, Limits().memory_bytes))
        argv[-1] = str(workdir / name)

    # the sandbox's PATH (/usr/local is hidden there), so both sides start the same binaries
    env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir), "LANG": "C.UTF-8"}

    def run():
        out = subprocess.run(argv, cwd=workdir, capture_output=True, check=True, env=env)
        assert out.stdout.strip() == b"hello"

    return run


def sandboxed(backend, language: str):
    name, source = HELLO[language]

    def run():
        result = run_program(backend, language, {name: source})
        assert result.stdout.strip() == "hello", result

    return run


def spent() -> float:
    """CPU seconds of this process and of every child it reaped."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def cpu_per_run(backend, runs: int) -> tuple[float, float]:
    """CPU seconds per hello-world, bare and in the local sandbox: this process's own share plus every child
    it reaped (bwrap reaps the sandbox's processes, so their time reaches us), parking included."""
    with tempfile.TemporaryDirectory() as tmp:
        run_bare = bare("python", Path(tmp))
        before = spent()
        for _ in range(runs):
            run_bare()
        cpu_bare = (spent() - before) / runs
    run_local = sandboxed(backend, "python")
    run_local()
    time.sleep(0.5)  # replacements parked: start from a steady pool
    before = spent()
    for _ in range(runs):
        run_local()
    time.sleep(0.5)  # and count the parking of the last replacements too
    cpu_local = (spent() - before) / runs
    return cpu_bare, cpu_local


def submissions_per_second(backend, workers: int, total: int) -> float:
    def one(_: int) -> None:
        report = run_tests(backend, "python", SOLUTION, "add", CASES)
        assert report.all_passed, report.to_dict()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, range(total)))
    return total / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--docker-url", default=os.environ.get("CR_TEST_DOCKER_URL",
                                                               "unix:///run/cr-docker/docker.sock"))
    parser.add_argument("--no-docker", action="store_true")
    args = parser.parse_args()

    local = get_backend("local", slots=2)
    problems = local.check()
    print(f"local backend: {'ok' if not problems else '; '.join(problems)}")
    docker = None
    if not args.no_docker:
        try:
            docker = get_backend("docker", base_url=args.docker_url)
            dproblems = docker.check()
            if dproblems:
                print(f"docker backend: skipped ({'; '.join(dproblems)})")
                docker = None
            else:
                print("docker backend: ok")
        except Exception as exc:  # noqa: BLE001
            print(f"docker backend: skipped ({exc})")
            docker = None

    print(f"\nmedian wall time of hello-world, {args.runs} runs (java: {max(3, args.runs // 5)})")
    print(f"{'language':<11} {'bare':>9} {'local':>9} {'ratio':>7} {'docker':>9} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for language in ("python", "javascript", "java"):
            runs = args.runs if language != "java" else max(3, args.runs // 5)
            workdir = Path(tmp) / language
            workdir.mkdir()
            fns = {"bare": bare(language, workdir), "local": sandboxed(local, language)}
            if docker is not None:
                fns["docker"] = sandboxed(docker, language)
            t = interleaved_medians(fns, runs)
            line = (f"{language:<11} {t['bare'] * 1000:>7.1f}ms {t['local'] * 1000:>7.1f}ms "
                    f"{t['local'] / t['bare']:>6.2f}x")
            if docker is not None:
                line += f" {t['docker'] * 1000:>7.1f}ms {t['docker'] / t['bare']:>6.2f}x"
            else:
                line += f" {'-':>9} {'-':>7}"
            print(line, flush=True)

    cpu_bare, cpu_local = cpu_per_run(local, 40)
    print(f"python, CPU per run (every process, parking included): bare {cpu_bare * 1000:.1f} ms, "
          f"local {cpu_local * 1000:.1f} ms ({cpu_local / cpu_bare:.2f}x)")

    if docker is not None:
        pooled = get_backend("docker", base_url=args.docker_url, pool_size=2)
        pooled.warm()
        with tempfile.TemporaryDirectory() as tmp:
            t = interleaved_medians({"bare": bare("python", Path(tmp)), "pool": sandboxed(pooled, "python")},
                                    max(5, args.runs // 2))
        print(f"python, docker with a warm pool of 2: {t['pool'] * 1000:.1f}ms ({t['pool'] / t['bare']:.2f}x)")
        pooled.close()

    total = max(10, args.runs)
    print(f"\ngraded Python submissions through the harness (local backend, {len(CASES)} cases each: "
          f"5 visible + 5 hidden = 2 sandbox runs)")
    one = submissions_per_second(local, 1, total)
    two = submissions_per_second(local, 2, total)
    print(f"  1 slot : {one:6.1f} submissions/s")
    print(f"  2 slots: {two:6.1f} submissions/s  ({two / one:.2f}x of 1 slot, {os.cpu_count()} cores)")
    if docker is not None:
        dtotal = max(4, total // 4)
        d1 = submissions_per_second(docker, 1, dtotal)
        print(f"  docker, 1 at a time: {d1:6.1f} submissions/s")
    if docker is not None:
        docker.close()
    local.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
