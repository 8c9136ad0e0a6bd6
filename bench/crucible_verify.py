"""Code Crucible: the verification time of the whole task set and of each task, against plain sandbox runs in the
same run; and the time from Submit to result, per language.

    .venv/bin/python bench/crucible_verify.py [--task ID ...] [--workers 2] [--submits 3] [--no-submit]

Verification of a task = each language's reference on every example, hidden test and the large input, the same for
every variant, and one load check of the four levels' starters per language (see grader/phases/code_crucible/
verify.py). The baseline is one plain sandbox run per language of the reference on the task's examples (the
cheapest thing a sandbox can be asked to do with the task), measured in the same run. Submit to result is
Exercise.execute(kind="submit") on the reference (a correct, clean Submit runs every step: examples and hidden
tests, the linter, and the two timed efficiency runs), median of --submits runs per language.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.phases.code_crucible import choose_exercise  # noqa: E402
from grader.phases.code_crucible.tasks import LANGUAGES, STUDENT_FILES, load_task, task_ids  # noqa: E402
from grader.phases.code_crucible.verify import verify_task  # noqa: E402
from grader.sandbox import TestCase, ensure_ready, get_backend, run_tests  # noqa: E402


def baseline(backend, task) -> float:
    """Seconds for one plain sandbox run of each language's reference on the examples."""
    started = time.perf_counter()
    for language in LANGUAGES:
        cases = [TestCase(list(e.args), e.expected) for e in task.examples]
        run_tests(backend, language, task.reference(language), task.function_name(language), cases,
                  student_file=STUDENT_FILES[language])
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--task", action="append")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--submits", type=int, default=3)
    parser.add_argument("--no-submit", action="store_true")
    args = parser.parse_args()

    backend = get_backend("local", slots=max(2, args.workers))
    problems = ensure_ready(backend)
    print(f"local backend: {'ok' if not problems else '; '.join(problems)}")
    print(f"{'task':<22} {'variants':>8} {'runs':>5} {'baseline':>9} {'verify':>8} {'ratio':>6}  verdict")
    total_verify = total_base = 0.0
    runs = accepted = 0
    ids = args.task or task_ids()
    whole = time.perf_counter()
    for task_id in ids:
        task = load_task(task_id)
        base = baseline(backend, task)
        started = time.perf_counter()
        verdict = verify_task(backend, task, workers=args.workers)
        took = time.perf_counter() - started
        total_verify, total_base = total_verify + took, total_base + base
        runs, accepted = runs + verdict.runs, accepted + verdict.accepted
        print(f"{task_id:<22} {task.variant_count:>8} {verdict.runs:>5} {base:8.2f}s {took:7.2f}s {took / base:5.1f}x  "
              f"{'accepted' if verdict.accepted else 'refused: ' + verdict.reason[:80]}", flush=True)
    elapsed = time.perf_counter() - whole
    print(f"\nall {len(ids)} tasks: verified in {total_verify:.1f} s ({accepted} accepted, {runs} sandbox runs, "
          f"{args.workers} at a time; {total_verify / total_base:.1f}x the baseline of one plain run per language "
          f"per task, {total_base:.1f} s); wall time with the baselines {elapsed:.1f} s")
    if args.no_submit:
        return 0
    print(f"\n{'Submit to result':<22} {'median':>8} {'min':>8} {'max':>8}   (task bakery_receipt, level mid)")
    for language in LANGUAGES:
        exercise = choose_exercise(["bakery_receipt"], language, level="mid", seed_key="bench")
        times = []
        for _ in range(args.submits):
            started = time.perf_counter()
            result = exercise.execute(backend, "submit", exercise.reference)
            times.append(time.perf_counter() - started)
            assert result["points"]["total"] == 100.0, result["points"]
        print(f"{language:<22} {statistics.median(times):7.2f}s {min(times):7.2f}s {max(times):7.2f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
