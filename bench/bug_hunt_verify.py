"""Bug Hunt verification throughput, measured in one run against plain sandbox runs of the same tests.

    .venv/bin/python bench/bug_hunt_verify.py [--seeds 8] [--program ID ...] [--language python|javascript]

For each program and language: inject seeds 0..N-1, verify each in the local sandbox, and print exercises
verified per second (accepted or rejected: each is a verdict), the share of seeds accepted, and the time of
one verification as a multiple of the baseline — one sandbox run of the original program's tests, measured
the same number of times in the same run. A verification is up to six such runs (each bug alone, the three
semantic bugs together, all four), fewer when an early check rejects the seed; injection (ast, or acorn in
node for JavaScript) is included.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.phases.bug_hunt.inject_js import acorn_available, parse  # noqa: E402
from grader.phases.bug_hunt.injector import InjectionError, inject  # noqa: E402
from grader.phases.bug_hunt.programs import load_program, program_ids  # noqa: E402
from grader.phases.bug_hunt.verify import check_original, run, verify  # noqa: E402
from grader.sandbox import ensure_ready, get_backend  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--program", action="append")
    parser.add_argument("--language", choices=("python", "javascript"))
    args = parser.parse_args()

    backend = get_backend("local", slots=1)
    problems = ensure_ready(backend)
    print(f"local backend: {'ok' if not problems else '; '.join(problems)}")
    js_missing = acorn_available()
    print(f"{'program/language':<28} {'baseline':>9} {'verify':>9} {'ratio':>6} {'verified/s':>11} {'accepted':>9}")
    totals = {"seconds": 0.0, "verdicts": 0, "accepted": 0, "baseline": 0.0}
    for program_id in args.program or program_ids():
        program = load_program(program_id)
        for language in program.languages:
            if args.language and language != args.language:
                continue
            if language == "javascript" and js_missing:
                print(f"{program_id}/{language}: skipped ({js_missing})")
                continue
            source = program.source(language)
            if language == "javascript":
                parse(source)  # warm: the parse cache, so node's start-up is not counted once per seed only
            check_original(backend, program, language)  # warm caches; verification remembers this per program
            baseline, verifying, accepted = [], [], 0
            for seed in range(args.seeds):
                started = time.perf_counter()
                run(backend, program, language, source)
                baseline.append(time.perf_counter() - started)
                started = time.perf_counter()
                try:
                    verdict = verify(backend, program, inject(program, language, seed))
                    accepted += verdict.accepted
                except InjectionError:
                    pass
                verifying.append(time.perf_counter() - started)
            base, each = statistics.median(baseline), statistics.median(verifying)
            rate = len(verifying) / sum(verifying)
            print(f"{program_id + '/' + language:<28} {base * 1000:7.0f}ms {each * 1000:7.0f}ms {each / base:5.1f}x "
                  f"{rate:11.2f} {accepted:>4}/{len(verifying):<4}", flush=True)
            totals["seconds"] += sum(verifying)
            totals["verdicts"] += len(verifying)
            totals["accepted"] += accepted
            totals["baseline"] += sum(baseline)
    if totals["verdicts"]:
        per_verdict = totals["seconds"] / totals["verdicts"]
        per_run = totals["baseline"] / totals["verdicts"]
        print(f"\nall: {totals['verdicts'] / totals['seconds']:.2f} exercises verified/s "
              f"({per_verdict / per_run:.1f}x one plain run of the tests, {1 / per_run:.2f} runs/s); "
              f"{totals['accepted']}/{totals['verdicts']} seeds accepted "
              f"({totals['accepted'] / totals['verdicts']:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
