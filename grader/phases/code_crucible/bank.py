"""The bank of verified tasks, ``verified.json``: what the web serves, so serving needs no sandbox run to trust
a task. Per task it holds the digest of the task's files and what verification computed (each variant's values
and, beyond the default, its expected values); a task whose digest has no entry is not served. A CI test
re-verifies every entry in the sandbox.

    python -m grader.phases.code_crucible.bank [--task ID ...] [--fresh] [--workers 2]

verifies every task whose files changed since its entry (all of them with ``--fresh``), writes the bank and
prints, per task, whether it was accepted and in how long, or the failing case. Exits 1 when a task is refused
(its old entry, if any, is dropped: a refused task is not served).
"""

from __future__ import annotations

import argparse
import sys
import time

from grader.phases.code_crucible.store import BANK_PATH, bank_at
from grader.phases.code_crucible.tasks import load_task, task_ids
from grader.scenarios import ScenarioError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.phases.code_crucible.bank",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--task", action="append", help="only this task (repeatable)")
    parser.add_argument("--fresh", action="store_true", help="verify tasks whose entry is current too")
    parser.add_argument("--workers", type=int, default=2, help="sandbox runs at a time")
    args = parser.parse_args(argv)

    from grader.phases.code_crucible.verify import verify_task
    from grader.sandbox import ensure_ready, get_backend

    backend = get_backend("local", slots=max(2, args.workers))
    ensure_ready(backend)
    bank = bank_at()
    entries = {key: value for key, value in bank.entries().items() if key in task_ids()}  # drop removed tasks
    failures = 0
    started = time.perf_counter()
    for task_id in args.task or task_ids():
        try:
            task = load_task(task_id)
        except ScenarioError as exc:
            print(f"{task_id}: refused: {exc}")
            entries.pop(task_id, None)
            failures += 1
            continue
        old = entries.get(task_id)
        if old and not args.fresh and old.get("digest") == task.digest:
            print(f"{task_id}: up to date")
            continue
        verdict = verify_task(backend, task, workers=args.workers)
        if verdict.accepted:
            assert verdict.entry is not None
            entries[task_id] = verdict.entry
            print(f"{task_id}: verified in {verdict.seconds:.1f} s ({verdict.runs} sandbox runs, "
                  f"{task.variant_count} variant{'s' if task.variant_count != 1 else ''})")
        else:
            entries.pop(task_id, None)
            failures += 1
            print(f"{task_id}: refused: {verdict.reason}")
    bank.write(entries)
    print(f"wrote {BANK_PATH} ({len(entries)} tasks) in {time.perf_counter() - started:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
