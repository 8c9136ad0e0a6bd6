"""The bank of verified exercises, ``bank.json``: what the web serves, so it needs neither node nor the sandbox.

Per program and language it holds K exercises that passed verification, keyed by program id, language, seed
and the digest of the program's source and tests; a group whose digest no longer matches the program is
stale and never served. The bank keeps only each exercise's edits and manifest (``store`` has the format);
a CI test re-verifies every entry in the sandbox.

    python -m grader.phases.bug_hunt.bank [--program ID ...] [--language python|javascript] [--k 4]
                                          [--max-seeds 60] [--fresh]

tries seeds 0, 1, 2, ... until K are accepted (keeping groups that are already complete and current unless
``--fresh``; a bank in an older format is rebuilt whole), writes the bank and prints, per program and
language, the share of seeds accepted and why each rejected seed failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from grader.phases.bug_hunt.programs import PROGRAM_LANGUAGES, Program, load_program, program_ids
from grader.phases.bug_hunt.store import (
    BANK_PATH,
    REASON_CHARS,
    BankError,
    K,
    entry_of,
    group_exercises,
    group_key,
    read_bank,
    write_bank,
)
from grader.scenarios import ScenarioError

MAX_SEEDS = 60


def fill_group(backend: Any, program: Program, language: str, k: int = K, max_seeds: int = MAX_SEEDS,
               log: Any = None) -> dict[str, Any]:
    """Try seeds until ``k`` exercises pass verification; the group as stored in the bank (``store``)."""
    from grader.phases.bug_hunt.injector import InjectionError, inject
    from grader.phases.bug_hunt.verify import verify

    exercises: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    tried = 0
    for seed in range(max_seeds):
        if len(exercises) >= k:
            break
        tried += 1
        try:
            verdict = verify(backend, program, inject(program, language, seed))
        except InjectionError as exc:
            rejected.append({"seed": seed, "reason": short(f"no exercise: {exc}")})
            continue
        if verdict.accepted:
            exercises.append(entry_of(verdict.exercise))
        else:
            rejected.append({"seed": seed, "reason": short(verdict.reason)})
        if log:
            log(f"  {program.id}/{language} seed {seed}: {'accepted' if verdict.accepted else verdict.reason}")
    return {"digest": program.digest(language), "seeds_tried": tried, "accepted": exercises, "rejected": rejected}


def short(reason: str) -> str:
    """A rejected seed's reason as the bank keeps it: one line, at most REASON_CHARS characters."""
    reason = " ".join(reason.split())
    return reason if len(reason) <= REASON_CHARS else reason[:REASON_CHARS - 1] + "…"


def summary(group: dict[str, Any]) -> str:
    accepted, tried = len(group["accepted"]), group["seeds_tried"]
    return f"{accepted} accepted of {tried} seeds ({accepted / tried if tried else 0:.0%})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.phases.bug_hunt.bank", description=__doc__.split("\n")[0])
    parser.add_argument("--program", action="append", help="only this program (repeatable)")
    parser.add_argument("--language", choices=PROGRAM_LANGUAGES)
    parser.add_argument("--k", type=int, default=K, help="accepted exercises per program and language")
    parser.add_argument("--max-seeds", type=int, default=MAX_SEEDS)
    parser.add_argument("--fresh", action="store_true", help="redo groups that are already complete")
    parser.add_argument("--verbose", action="store_true", help="print every seed as it is verified")
    args = parser.parse_args(argv)

    from grader.phases.bug_hunt.inject_js import acorn_available
    from grader.sandbox import ensure_ready, get_backend

    try:
        groups = dict(read_bank()["groups"])
    except BankError as exc:
        if args.program or args.language:
            print(f"{exc} (whole: without --program or --language)")
            return 2
        print(f"{exc.problem}: rebuilding every group")
        groups = {}
    backend = get_backend("local")
    ensure_ready(backend)
    known = program_ids()
    for key in [k for k in groups if k.split(":")[0] not in known]:
        del groups[key]  # the program is gone
    failures = 0
    for program_id in args.program or known:
        try:
            program = load_program(program_id)
        except ScenarioError as exc:
            print(f"{program_id}: cannot load: {exc}")
            failures += 1
            continue
        for key in [k for k in groups if k.split(":")[0] == program_id and k.split(":")[1] not in program.languages]:
            del groups[key]
        for language in program.languages:
            if args.language and language != args.language:
                continue
            key = group_key(program_id, language)
            old = groups.get(key)
            if old and not args.fresh and len(group_exercises(program, language, old)) >= args.k:
                print(f"{key}: up to date ({summary(old)})")
                continue
            missing = acorn_available() if language == "javascript" else ""
            if missing:
                print(f"{key}: skipped, {missing}")
                failures += 1
                continue
            started = time.perf_counter()
            group = fill_group(backend, program, language, args.k, args.max_seeds,
                               log=print if args.verbose else None)
            groups[key] = group
            print(f"{key}: {summary(group)} in {time.perf_counter() - started:.1f} s")
            for rejection in group["rejected"]:
                print(f"    seed {rejection['seed']}: {rejection['reason']}")
            if len(group["accepted"]) < args.k:
                failures += 1
    write_bank(groups, args.k)
    print(f"wrote {BANK_PATH}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
