"""The Difficult Client, offline: "replies that fit the question", per scenario and overall, from the conversation
suites (tests/phases/difficult_client/conversations/<scenario>.yaml: natural student questions, each with what the
client should do with it — the intent, the topic, the highest reveal level, whether the reply is new).

Each case is played on a fresh medium-difficulty session after its earlier messages
(grader/phases/difficult_client/conversation_suite.py); a reply fits when every expectation of its case holds.
Printed: per scenario the cases that fit, the share, the share per kind of question and the time per case; then
the overall share (target: at least 90 %) and, with --misses, each case that did not fit and why.

    .venv/bin/python bench/client_fit.py [--scenario ID ...] [--misses]

Offline and deterministic: the same suites give the same figures on every run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.phases.difficult_client.conversation_suite import (  # noqa: E402
    KINDS,
    SuiteResult,
    load_suite,
    play_suite,
    suite_files,
)

FOLDER = ROOT / "tests" / "phases" / "difficult_client" / "conversations"
TARGET = 0.9


def by_kind(result: SuiteResult, kinds: dict[str, list[int]]) -> None:
    for r in result.results:
        kinds[r.kind][0] += r.fits
        kinds[r.kind][1] += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scenario", action="append", help="only these scenarios (default: every suite)")
    parser.add_argument("--misses", action="store_true", help="list every case that did not fit")
    args = parser.parse_args()

    paths = [p for p in suite_files(FOLDER) if not args.scenario or p.stem in args.scenario]
    if not paths:
        print(f"no conversation suites in {FOLDER}")
        return 1
    print("replies that fit the question (conversation suites, medium difficulty, offline engine)")
    print(f"{'scenario':<32} {'fit':>9} {'share':>6} {'ms/case':>8}  worst kinds")
    total_fit = total = 0
    overall_kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    results = []
    for path in paths:
        started = time.perf_counter()
        result = play_suite(load_suite(path))
        per_case = (time.perf_counter() - started) * 1000 / max(1, len(result.results))
        kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        by_kind(result, kinds)
        by_kind(result, overall_kinds)
        worst = sorted((fit / n, kind) for kind, (fit, n) in kinds.items() if fit < n)[:3]
        print(f"{result.scenario_id:<32} {result.fitting:>4}/{len(result.results):<4} {result.fit:>6.0%} "
              f"{per_case:>8.1f}  " + (", ".join(f"{k} {s:.0%}" for s, k in worst) or "-"))
        total_fit += result.fitting
        total += len(result.results)
        results.append(result)
    share = total_fit / total if total else 0.0
    print(f"{'overall':<32} {total_fit:>4}/{total:<4} {share:>6.0%}  (target {TARGET:.0%}: "
          f"{'met' if share >= TARGET else 'NOT met'})")
    print("by kind: " + ", ".join(f"{k} {overall_kinds[k][0]}/{overall_kinds[k][1]}" for k in KINDS
                                  if overall_kinds[k][1]))
    if args.misses:
        for result in results:
            for miss in result.misses():
                print(f"  {result.scenario_id} {miss.describe()}")
    return 0 if share >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
