"""The Imposter's repositories: generated, and generated + verified, per second, against a plain git baseline.

    .venv/bin/python bench/imposter_generate.py [--seeds 4] [--scenario ID ...] [--difficulty easy|medium|hard]

For each scenario and difficulty, seeds 0..N-1 are generated (plan, ``git fast-import`` into the bare remote,
repack, ``git clone``, the page's diffs with ``git log -p``, the workspace's files read back) and then
generated and verified (the same plus ``git merge-tree`` per merge, ``git revert`` on a clone, one sandbox run
of the tests at every commit and three probe runs). The baseline is what a naive generator would cost for the
same repository size: ``git init`` and then, per commit, a file written, ``git add`` and ``git commit`` —
measured in the same run for each seed's number of commits. Printed: repositories per second for each, and
each as a multiple of the baseline's time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.phases.imposter.generator import generate  # noqa: E402
from grader.phases.imposter.history import plan_history  # noqa: E402
from grader.phases.imposter.truth import load_scenario, scenario_ids  # noqa: E402
from grader.phases.imposter.verify import verify  # noqa: E402
from grader.phases.options import DIFFICULTIES  # noqa: E402
from grader.sandbox import ensure_ready, get_backend  # noqa: E402


def baseline(commits: int) -> float:
    """Seconds for ``git init`` + ``commits`` commits of one changed file each, with the porcelain."""
    with tempfile.TemporaryDirectory(prefix="cr-bench-git-") as home:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.invalid", "GIT_COMMITTER_NAME": "A",
               "GIT_COMMITTER_EMAIL": "a@example.invalid"}
        repo = Path(home) / "repo"
        started = time.perf_counter()
        subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], env=env, check=True)
        for number in range(commits):
            (repo / f"file{number % 7}.py").write_text(f"VALUE = {number}\n" * (number + 1))
            subprocess.run(["git", "add", "-A"], cwd=repo, env=env, check=True)
            subprocess.run(["git", "commit", "-q", "-m", f"change {number}"], cwd=repo, env=env, check=True)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--scenario", action="append")
    parser.add_argument("--difficulty", choices=DIFFICULTIES)
    args = parser.parse_args()

    backend = get_backend("local", slots=1)
    problems = ensure_ready(backend)
    print(f"local backend: {'ok' if not problems else '; '.join(problems)}")
    print(f"{'scenario/difficulty':<30} {'commits':>7} {'baseline':>9} {'generate':>9} {'ratio':>6} "
          f"{'gen+verify':>11} {'ratio':>6} {'accepted':>9}")
    totals = {"baseline": 0.0, "generate": 0.0, "verify": 0.0, "repos": 0, "accepted": 0}
    for scenario_id in args.scenario or scenario_ids():
        scenario = load_scenario(scenario_id)
        for difficulty in DIFFICULTIES:
            if args.difficulty and difficulty != args.difficulty:
                continue
            base, made, verified, commits, accepted = [], [], [], [], 0
            for seed in range(args.seeds):
                count = len(plan_history(scenario, difficulty, seed).events)
                commits.append(count)
                base.append(baseline(count))
                started = time.perf_counter()
                generate(scenario, difficulty, seed)
                made.append(time.perf_counter() - started)
                started = time.perf_counter()
                accepted += verify(backend, scenario, difficulty, seed).accepted
                verified.append(time.perf_counter() - started)
            b, g, v = statistics.mean(base), statistics.mean(made), statistics.mean(verified)
            print(f"{scenario_id + '/' + difficulty:<30} {statistics.mean(commits):>7.0f} {b * 1000:>7.0f}ms "
                  f"{g * 1000:>7.0f}ms {g / b:>5.2f}x {v * 1000:>9.0f}ms {v / b:>5.2f}x {accepted:>5}/{args.seeds}")
            totals["baseline"] += sum(base)
            totals["generate"] += sum(made)
            totals["verify"] += sum(verified)
            totals["repos"] += args.seeds
            totals["accepted"] += accepted
    repos = totals["repos"]
    print(f"repositories generated per second: {repos / totals['generate']:.1f} "
          f"(baseline git init + the same commits: {repos / totals['baseline']:.1f}/s; "
          f"ratio {totals['generate'] / totals['baseline']:.2f}x the baseline's time)")
    print(f"repositories generated and verified per second: {repos / totals['verify']:.2f} "
          f"({totals['verify'] / totals['baseline']:.2f}x the baseline's time; "
          f"{totals['accepted']}/{repos} accepted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
