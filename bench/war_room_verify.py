"""War Room verification and room timings, measured in one run on the local sandbox.

    .venv/bin/python bench/war_room_verify.py [--incident ID ...] [--difficulty easy|medium|hard] [--seeds 1]
                                              [--commands 20]

For each incident and difficulty: the whole verification (check on the broken system, restart + check,
reference fix + check, and at medium every brute-force move + check), its verdict and time; then, per
incident, a room's typical command round trip (the phase's setup resumes the service, the command, the
teardown stops it, the workspace is packed) p50/p95 over ``--commands`` runs of ``curl`` to the service,
against a bare workspace command without the service, and the check's time p50/p95.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.phases.options import DIFFICULTIES  # noqa: E402
from grader.phases.war_room.checking import run_check  # noqa: E402
from grader.phases.war_room.incidents import incident_ids, load_incident  # noqa: E402
from grader.phases.war_room.system import PRELUDE, TEARDOWN, build_workspace, setup_script  # noqa: E402
from grader.phases.war_room.verify import REAL_EPOCH, verify  # noqa: E402
from grader.sandbox import ensure_ready, get_backend  # noqa: E402
from grader.workbench.workspace import run_command  # noqa: E402

PROBE = "curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:8080/api/v1/products"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incident", action="append")
    parser.add_argument("--difficulty", choices=DIFFICULTIES)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--commands", type=int, default=20)
    args = parser.parse_args()
    backend = get_backend("local", slots=2)
    problems = ensure_ready(backend)
    print(f"local backend: {'ok' if not problems else '; '.join(problems)}")
    print(f"{'incident/difficulty':<28} {'verdict':>8} {'seconds':>8} {'steps':>6}")
    started_all, verdicts, accepted = time.perf_counter(), 0, 0
    for incident_id in args.incident or incident_ids():
        incident = load_incident(incident_id)
        for difficulty in [args.difficulty] if args.difficulty else DIFFICULTIES:
            for seed in range(args.seeds):
                started = time.perf_counter()
                verdict = verify(backend, incident, difficulty, seed, brute_force=difficulty == "medium")
                verdicts, accepted = verdicts + 1, accepted + verdict.accepted
                print(f"{incident_id + '/' + difficulty:<28} {'ok' if verdict.accepted else 'REJECTED':>8} "
                      f"{time.perf_counter() - started:8.2f} {len(verdict.steps):>6}"
                      + (f"  {verdict.reason}" if verdict.reason else ""), flush=True)
    total = time.perf_counter() - started_all
    print(f"\nall: {accepted}/{verdicts} verified in {total:.1f} s ({total / max(1, verdicts):.2f} s each)\n")
    print(f"{'incident':<18} {'command p50':>11} {'p95':>7} {'bare p50':>9} {'p95':>7} {'check p50':>10} {'p95':>7}")
    for incident_id in args.incident or incident_ids():
        incident = load_incident(incident_id)
        workspace = build_workspace(incident, "medium", 0, REAL_EPOCH)
        rooms, bare, checks = [], [], []
        for _ in range(args.commands):
            started = time.perf_counter()
            run_command(backend, workspace, PROBE, setup=setup_script(incident), teardown=TEARDOWN, prelude=PRELUDE)
            rooms.append(time.perf_counter() - started)
            started = time.perf_counter()
            run_command(backend, workspace, "true")
            bare.append(time.perf_counter() - started)
        for _ in range(max(3, args.commands // 4)):
            started = time.perf_counter()
            run_check(backend, workspace, incident)
            checks.append(time.perf_counter() - started)
        print(f"{incident_id:<18} {statistics.median(rooms) * 1000:9.0f}ms {percentile(rooms, 0.95) * 1000:5.0f}ms "
              f"{statistics.median(bare) * 1000:7.0f}ms {percentile(bare, 0.95) * 1000:5.0f}ms "
              f"{statistics.median(checks) * 1000:8.0f}ms {percentile(checks, 0.95) * 1000:5.0f}ms", flush=True)
    return 0 if accepted == verdicts else 1


if __name__ == "__main__":
    sys.exit(main())
