"""Fill the bank of verified seeds (``bank.json``):

    python -m grader.phases.imposter.bank [--scenario ID ...] [--difficulty easy|medium|hard] [--k 3]
                                          [--max-seeds 30] [--fresh] [--verbose]

tries seeds 0, 1, 2, ... per scenario and difficulty until K pass verification in the sandbox and every
teammate who can be the sabotage's author is the imposter in at least one of them (keeping groups that are
complete and current unless ``--fresh``), writes the bank and prints the share of seeds accepted and why each
rejected seed failed.

Why a bank rather than verifying per attempt: generating a repository takes about 0.1 s and verifying it about
0.5 s more (a sandbox run over every commit's tests, plus three probe runs); that is cheap, but it would put
the sandbox in the launch's path (the web process does not run it) and make a launch fail when a seed is
rejected. The bank moves verification to CI, and serving needs only git: a seed is regenerated (deterministic)
and checked against the shas the bank recorded.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from grader.phases.imposter.store import BANK_PATH, REASON_CHARS, K, bank, group_key
from grader.phases.imposter.truth import load_scenario, scenario_ids
from grader.phases.options import DIFFICULTIES

MAX_SEEDS = 30


def short(reason: str) -> str:
    reason = " ".join(reason.split())
    return reason if len(reason) <= REASON_CHARS else reason[:REASON_CHARS - 1] + "…"


def fill_group(backend: Any, scenario_id: str, difficulty: str, k: int = K, max_seeds: int = MAX_SEEDS,
               log: Any = None) -> dict[str, Any]:
    from grader.phases.imposter.verify import verify

    scenario = load_scenario(scenario_id)
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    tried = 0
    candidates = set(scenario.sabotage.authors)
    for seed in range(max_seeds):
        # K seeds, and every teammate who can be the imposter among them (or one could guess who it is)
        if len(accepted) >= k and candidates <= {entry["imposter"] for entry in accepted}:
            break
        tried += 1
        verdict = verify(backend, scenario, difficulty, seed)
        if verdict.accepted:
            accepted.append({"seed": seed, "head": verdict.head, "sabotage": verdict.sabotage,
                             "imposter": verdict.imposter})
        else:
            rejected.append({"seed": seed, "reason": short(verdict.reason)})
        if log:
            log(f"  {scenario_id}/{difficulty} seed {seed}: {'accepted' if verdict.accepted else verdict.reason}")
    return {"digest": scenario.digest, "seeds_tried": tried, "accepted": accepted, "rejected": rejected}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.phases.imposter.bank", description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    parser.add_argument("--difficulty", choices=DIFFICULTIES)
    parser.add_argument("--k", type=int, default=K)
    parser.add_argument("--max-seeds", type=int, default=MAX_SEEDS)
    parser.add_argument("--fresh", action="store_true", help="redo groups that are already complete")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)

    from grader.sandbox import ensure_ready, get_backend

    backend = get_backend("local")
    ensure_ready(backend)
    store = bank()
    groups = dict(store.entries())
    known = scenario_ids()
    for key in [k for k in groups if k.split(":")[0] not in known]:
        del groups[key]
    failures = 0
    for scenario_id in args.scenario or known:
        scenario = load_scenario(scenario_id)
        for difficulty in DIFFICULTIES:
            if args.difficulty and difficulty != args.difficulty:
                continue
            key = group_key(scenario_id, difficulty)
            old = groups.get(key)
            if (old and not args.fresh and old.get("digest") == scenario.digest
                    and len(old.get("accepted", [])) >= args.k
                    and set(scenario.sabotage.authors) <= {e["imposter"] for e in old["accepted"]}):
                print(f"{key}: up to date")
                continue
            started = time.perf_counter()
            group = fill_group(backend, scenario_id, difficulty, args.k, args.max_seeds,
                               log=print if args.verbose else None)
            groups[key] = group
            share = len(group["accepted"]) / group["seeds_tried"] if group["seeds_tried"] else 0
            print(f"{key}: {len(group['accepted'])} accepted of {group['seeds_tried']} seeds ({share:.0%}) in "
                  f"{time.perf_counter() - started:.1f} s")
            for rejection in group["rejected"]:
                print(f"    seed {rejection['seed']}: {rejection['reason']}")
            if len(group["accepted"]) < args.k:
                failures += 1
    store.write(groups, k=args.k)
    print(f"wrote {BANK_PATH}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
